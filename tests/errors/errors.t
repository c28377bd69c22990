#!/bin/sh
# Bad policies: each tests/errors/*.yaml names the diagnostics it must
# produce in lines "# expect: FILE:LINE:COL: error: MESSAGE" (and
# "# expect-warning: ...", and "# expect-note: ..." for a note naming a
# second place), or in NAME.expect beside it when the file must
# end where it does, which must appear verbatim on standard error;
# the exit status must be 2, nothing may crash and no output may be left.
. "$(dirname "$0")/../lib/tap.sh"

for f in tests/errors/*.yaml; do
	name=$(basename "$f" .yaml)
	mkdir -p "$T/$name"
	"$EG" compile -t all -o "$T/$name" --lock tests/errors/empty.lock \
	    "$f" >"$T/out" 2>"$T/err"
	is "$?" 2 "$name: exit status 2"
	exp="$f"
	[ -f "tests/errors/$name.expect" ] && exp="$exp tests/errors/$name.expect"
	cat $exp | grep '^# expect: ' | sed 's/^# expect: //' >"$T/want"
	cat $exp | grep '^# expect-warning: ' |
	    sed 's/^# expect-warning: //' >>"$T/want"
	cat $exp | grep '^# expect-note: ' |
	    sed 's/^# expect-note: //' >>"$T/want"
	[ -s "$T/want" ]
	ok $? "$name: names its expected diagnostics"
	while IFS= read -r line; do
		grep -qxF -- "$line" "$T/err"
		ok $? "$name: says '$line'"
	done <"$T/want"
	grep -q 'error:' "$T/err"
	ok $? "$name: every failure says error:"
	[ -z "$(ls "$T/$name")" ] && [ ! -s "$T/out" ]
	ok $? "$name: writes no output"
	if ! grep -qxF -f "$T/want" "$T/err"; then
		sed 's/^/#   /' "$T/err" | head -10
	fi
done
done_testing
