#!/bin/sh
# make install PREFIX=... DESTDIR=...: the binary, both man pages, the
# shipped policy with its catalog and example lock, the JSON Schemas and the
# bash and zsh completion land where they should; the installed binary
# compiles the installed policy to the golden bytes; the templates are built
# in, so the binary copied alone anywhere writes the golden bytes.
# EGRESSC_TEMPLATES still overrides them, for work on the templates.
. "$(dirname "$0")/../lib/tap.sh"

P=policies/heygen-livekit.yaml
L=policies/heygen-livekit.example.lock

make -s install PREFIX=/opt/egressc DESTDIR="$T/root" \
    >"$T/log" 2>&1
ok $? "make install succeeds"
R="$T/root/opt/egressc"
[ -x "$R/bin/egressc" ]; ok $? "bin/egressc installed"
[ -f "$R/share/man/man1/egressc.1" ] && [ -f "$R/share/man/man5/egressc-policy.5" ]
ok $? "man pages installed"
[ ! -e "$R/share/egressc/templates" ]; ok $? "no templates installed: they are in the binary"
D="$R/share/egressc"
[ -f "$D/heygen-livekit.yaml" ] && [ -f "$D/heygen-livekit.example.lock" ] &&
    [ -f "$D/catalogs/livekit-cloud.yaml" ]
ok $? "the shipped policy, its example lock and the catalog installed"
for s in policy catalog lock; do
	cmp -s "grammar/$s.schema.json" "$D/schema/$s.schema.json"
	ok $? "schema/$s.schema.json installed"
done
[ -f "$R/share/bash-completion/completions/egressc" ] &&
    [ -f "$R/share/zsh/vendor-completions/_egressc" ]
ok $? "bash and zsh completion installed"
"$R/bin/egressc" completion bash | cmp -s - "$R/share/bash-completion/completions/egressc"
ok $? "...as the binary writes it"
(cd / && "$R/bin/egressc" compile -t nftables --lock "$D/heygen-livekit.example.lock" \
    "$D/heygen-livekit.yaml") >"$T/inst.nft" 2>"$T/log"
ok $? "the installed binary compiles the installed policy"
sed "s|$D/|policies/|g" "$T/inst.nft" | cmp -s - tests/golden/heygen-livekit/heygen-livekit.nft
ok $? "...to the golden bytes (paths aside)"
sed "s|$D/|policies/|g" "$T/inst.nft" | diff - tests/golden/heygen-livekit/heygen-livekit.nft | head -5 | sed 's/^/# /'

# The installed binary alone in an empty directory, no templates anywhere
# near it, run from elsewhere.
mkdir "$T/alone" "$T/out"
cp "$R/bin/egressc" "$T/alone/"
env -u EGRESSC_TEMPLATES "$T/alone/egressc" compile -t all -o "$T/out" \
    --lock "$L" "$P" >"$T/log" 2>&1
ok $? "the binary copied alone compiles every target"
diff -r "$T/out" tests/golden/heygen-livekit >"$T/diff"
ok $? "...to the golden bytes"
[ -s "$T/diff" ] && sed 's/^/#   /' "$T/diff" | head -10
[ "$(ls "$T/alone")" = egressc ]; ok $? "...and needs nothing beside it"

# EGRESSC_TEMPLATES=DIR: templates read from DIR instead.
mkdir "$T/tmpl"
cp templates/*.tmpl "$T/tmpl/"
# (A policy with dynamic sets is written by nftables-keep.tmpl.)
for t in nftables nftables-keep; do
	sed 's/^table inet /# changed by the override test\ntable inet /' \
	    templates/$t.tmpl >"$T/tmpl/$t.tmpl"
done
! cmp -s templates/nftables.tmpl "$T/tmpl/nftables.tmpl"
ok $? "a modified nftables template"
EGRESSC_TEMPLATES="$T/tmpl" "$T/alone/egressc" compile -t nftables \
    --lock "$L" "$P" >"$T/over" 2>"$T/log"
ok $? "EGRESSC_TEMPLATES=DIR compiles"
grep -q '^# changed by the override test$' "$T/over" &&
    ! cmp -s "$T/over" tests/golden/heygen-livekit/heygen-livekit.nft
ok $? "...with DIR's template"
EGRESSC_TEMPLATES="$T/none" "$T/alone/egressc" compile -t nftables \
    --lock "$L" "$P" >/dev/null 2>"$T/log"
is $? 2 "EGRESSC_TEMPLATES naming no templates: exit 2"
grep -q "template $T/none/nftables.*\.tmpl: .*unset it for the built-in" "$T/log"
ok $? "...naming the file and the way back"
# The text after a template's largest slot is written once the slot is:
# a template that drops the slot or uses it twice is an error, not a file
# with the rules missing or doubled.  (The shipped policy has dynamic sets:
# nftables-keep.tmpl and its BODY; one of addresses alone: nftables.tmpl.)
cat >"$T/plain.yaml" <<'EOF'
egressc: 1
name: plain
rules:
  - name: web
    to: [192.0.2.0/24]
    ports: [tcp/443]
EOF
# The same for every target whose rules go straight into the file as they
# are made (netsh, powershell, the ipset file of iptables, and the lists of
# the Cisco pair).
for case in "nftables CHAINS 0 $T/plain.yaml nftables" \
    "nftables CHAINS 2 $T/plain.yaml nftables" \
    "nftables-keep BODY 0 $P nftables" "nftables-keep BODY 2 $P nftables" \
    "netsh RULES 0 $T/plain.yaml netsh" "netsh RULES 2 $P netsh" \
    "powershell RULES 0 $P powershell" \
    "powershell RULES 2 $T/plain.yaml powershell" \
    "ipset SETS 0 $T/plain.yaml iptables" "ipset SETS 2 $P iptables" \
    "cisco-ios ACLS 0 $P cisco-ios" "cisco-ios ACLS 2 $T/plain.yaml cisco-ios" \
    "cisco-asa BODY 0 $T/plain.yaml cisco-asa" "cisco-asa BODY 2 $P cisco-asa"; do
	set -- $case
	d="$T/slot-$1-$3"
	mkdir "$d"
	cp templates/*.tmpl "$d/"
	if [ "$3" = 0 ]; then
		sed "s/@$2@//" "templates/$1.tmpl"
	else
		sed "s/@$2@/@$2@@$2@/" "templates/$1.tmpl"
	fi >"$d/$1.tmpl"
	EGRESSC_TEMPLATES="$d" "$T/alone/egressc" compile -t "$5" \
	    -o "$d.out" --lock "$L" "$4" >/dev/null 2>"$T/log"
	is $? 2 "$1.tmpl using its $2 slot $3 times: exit 2"
	grep -q "template $1: @$2@ is used $3 times" "$T/log"
	ok $? "...saying so"
	[ ! -e "$d.out" ]; ok $? "...and writing nothing"
done

# make puts the binary it built in place by a rename, not by copying over
# the old one: cp onto a binary that is running (a refresh timer, a loop of
# compiles) fails with "text file busy", and so did make install.
sleep 3 | ./egressc explain --lock "$L" --batch - "$P" >/dev/null 2>&1 &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	case $(readlink "/proc/$pid/exe" 2>/dev/null) in
	*/egressc) break ;;
	esac
	sleep 0.1
done
touch build/release/egressc		# the copy is out of date now
make -s egressc >"$T/log" 2>&1
ok $? "make replaces ./egressc while it runs"
[ ! -e egressc.tmp ]; ok $? "...leaving no temporary file"
wait $pid
ok $? "...and the one running finishes as it would have"
cmp -s egressc build/release/egressc; ok $? "...and ./egressc is the new build"
done_testing
