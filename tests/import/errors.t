#!/bin/sh
# Aerleon policies the import refuses, or takes with warnings: each
# tests/import/errors/*.pol and *.yaml ends with the diagnostics it must
# give, "# expect: FILE:LINE:COL: error: MESSAGE" (and expect-warning:,
# expect-note:), or has them in NAME.expect beside it when the file must
# end where it does; they must appear verbatim on standard error, and no
# other.  With an error: exit 2, nothing written, no crash.  With warnings
# only: exit 0 and a policy that compiles.  "# defs: DIR" names the
# definitions (default tests/import/errors/def).
. "$(dirname "$0")/../lib/tap.sh"

D=tests/import/errors
for f in "$D"/*.pol "$D"/*.yaml; do
	name=$(basename "$f")
	defs=$D/$(sed -n 's/^# defs: //p' "$f")
	[ "$defs" = "$D/" ] && defs=$D/def
	mkdir -p "$T/$name"
	"$EG" import aerleon --defs "$defs" -o "$T/$name" "$f" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	exp=$f
	[ -f "${f%.*}.expect" ] && exp="$f ${f%.*}.expect"
	cat $exp | grep '^# expect' | sed 's/^# expect[a-z-]*: //' >"$T/want"
	[ -s "$T/want" ]
	ok $? "$name: names its expected diagnostics"
	if cat $exp | grep -q '^# expect: '; then
		is "$rc" 2 "$name: exit status 2"
		[ -z "$(ls "$T/$name")" ] && [ ! -s "$T/out" ]
		ok $? "$name: writes nothing"
	else
		is "$rc" 0 "$name: imports, with warnings"
		for p in "$T/$name"/*.yaml; do
			"$EG" compile -t nftables "$p" >/dev/null 2>"$T/cerr"
			ok $? "$name: $(basename "$p") compiles"
		done
	fi
	while IFS= read -r line; do
		grep -qxF -- "$line" "$T/err"
		ok $? "$name: says '$line'"
	done <"$T/want"
	is "$(grep -cE '^[^ ].*: (error|warning|note): ' "$T/err")" \
	    "$(wc -l <"$T/want" | tr -d ' ')" "$name: and nothing else"
done
done_testing
