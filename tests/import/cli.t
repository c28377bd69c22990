#!/bin/sh
# egressc import aerleon as a command: its usage errors (exit 2, the
# usage), --help, one policy on standard output, one file a filter with -o
# and every file or none, the same bytes on every run, and an import that
# compiles for every target with its Aerleon comments kept as text.
. "$(dirname "$0")/../lib/tap.sh"

A=tests/import/aerleon
DEFS=$A/def
POL=$A/policies/pol
E=tests/import/errors

"$EG" import >/dev/null 2>"$T/err"
is $? 2 "import without a kind: exit 2"
grep -q "unknown kind ''" "$T/err"; ok $? "...says so"
"$EG" import capirca --defs "$DEFS" x.pol >/dev/null 2>"$T/err"
is $? 2 "an unknown kind: exit 2"
grep -q "egressc knows 'aerleon'" "$T/err"; ok $? "...naming the kind it knows"
"$EG" import aerleon "$POL/sample_cisco_lab.pol" >/dev/null 2>"$T/err"
is $? 2 "without --defs: exit 2"
grep -q "needs --defs DIR" "$T/err"; ok $? "...says --defs DIR"
"$EG" import aerleon --defs "$DEFS" >/dev/null 2>&1
is $? 2 "without a POLICY: exit 2"
"$EG" import aerleon --defs "$DEFS" --tier x "$POL/sample_cisco_lab.pol" \
    >/dev/null 2>"$T/err"
is $? 2 "an option of another command: exit 2"
"$EG" import aerleon --defs "$T/none" "$POL/sample_cisco_lab.pol" \
    >/dev/null 2>"$T/err"
is $? 2 "a --defs directory that does not exist: exit 2"
grep -q "^egressc: error: --defs $T/none: No such file" "$T/err"
ok $? "...names it"
"$EG" import aerleon --defs "$DEFS" "$POL/missing.pol" >/dev/null 2>"$T/err"
is $? 2 "a policy that does not exist: exit 2"
"$EG" import aerleon --defs "$DEFS" tests/import/aerleon/README \
    >/dev/null 2>"$T/err"
is $? 2 "a file that is no .pol or YAML: exit 2"
"$EG" import --help >"$T/help"
is $? 0 "import --help"
grep -q '^usage: egressc import aerleon --defs DIR \[-o DIR\] POLICY$' \
    "$T/help" && grep -q -- '--defs DIR' "$T/help"
ok $? "...its synopsis and --defs"

# One filter: standard output; more: -o DIR.
"$EG" import aerleon --defs "$DEFS" "$POL/sample_cisco_lab.pol" \
    >"$T/one.yaml" 2>/dev/null
is $? 0 "one filter to standard output"
head -1 "$T/one.yaml" | grep -q '^# Imported by egressc import aerleon'
ok $? "...headed by where it came from"
grep -qx '#   cisco allowtointernet' "$T/one.yaml"
ok $? "...and the filter's targets, in a comment"
grep -qx 'name: sample-cisco-lab-1' "$T/one.yaml"
ok $? "...named after the file and the filter"
"$EG" import aerleon --defs "$DEFS" "$POL/sample_cisco_lab.pol" \
    2>/dev/null | cmp -s - "$T/one.yaml"
ok $? "...the same bytes again"
"$EG" compile -t all -o "$T/all" "$T/one.yaml" 2>"$T/err"
ok $? "...which compile for every target"

cut=$T/pol
mkdir -p "$cut"
cat >"$cut/two.pol" <<'POL'
header {
  comment:: "Outbound"
  target:: nftables mixed OUTPUT
}
term web {
  protocol:: tcp
  destination-port:: HTTPS
  action:: accept
}
header {
  target:: nftables inet INPUT
}
term ssh {
  source-address:: INTERNAL
  protocol:: tcp
  destination-port:: SSH
  action:: accept
}
POL
"$EG" import aerleon --defs "$DEFS" "$cut/two.pol" >"$T/out" 2>"$T/err"
is $? 2 "two filters without -o: exit 2"
[ ! -s "$T/out" ] && grep -q "holds 2 filters, one policy each; name a directory with -o DIR" "$T/err"
ok $? "...nothing on standard output, and why"
"$EG" import aerleon --defs "$DEFS" -o "$T/two" "$cut/two.pol" 2>"$T/err"
is $? 0 "two filters with -o DIR"
is "$(ls "$T/two" | tr '\n' ' ')" "two-1.yaml two-2.yaml " "...NAME-1.yaml and NAME-2.yaml"
grep -q 'direction: inbound' "$T/two/two-2.yaml" &&
    grep -qx 'inbound: allow' "$T/two/two-2.yaml"
ok $? "...the INPUT filter's rules inbound"
grep -q '^  - name: aerleon-egress-unfiltered$' "$T/two/two-2.yaml"
ok $? "...and its outbound path left open, as Aerleon leaves it"
before=$(cd "$T/two" && stat -c '%n %i %y' -- *)
"$EG" import aerleon --defs "$DEFS" -o "$T/two" "$cut/two.pol" 2>"$T/err"
is "$(cd "$T/two" && stat -c '%n %i %y' -- *)" "$before" \
    "...again: files whose bytes do not change are left as they are"
for p in "$T/two"/*.yaml; do
	"$EG" compile -t nftables,iptables -o "$T/c" "$p" 2>"$T/err"
	ok $? "...$(basename "$p") compiles for nftables and iptables"
done

# Names egressc would read otherwise: renamed, saying Aerleon's.
"$EG" import aerleon --defs "$E/def" "$E/names.pol" >"$T/names.yaml" 2>/dev/null
grep -qxF "  # Aerleon's CORP.LAN" "$T/names.yaml" &&
    grep -qxF '  corp-lan: [10.9.0.0/16]' "$T/names.yaml"
ok $? "a network named with a dot: a name egressc takes, and Aerleon's above"
grep -qxF '  any-net: [0.0.0.0/0, "::/0"]' "$T/names.yaml" &&
    grep -qxF '    to: [any-net]' "$T/names.yaml"
ok $? "...and one named as egressc's keyword any"
grep -qx '  - name: web-2' "$T/names.yaml"
ok $? "two terms of one name: the second's rule is NAME-2"

# An error leaves DIR as it was: no file of the import, the old one kept.
cat "$cut/two.pol" >"$cut/bad.pol"
printf 'term bad {\n  source-port:: DNS\n  action:: deny\n}\n' >>"$cut/bad.pol"
mkdir -p "$T/keep"
echo old >"$T/keep/bad-1.yaml"
"$EG" import aerleon --defs "$DEFS" -o "$T/keep" "$cut/bad.pol" 2>"$T/err"
is $? 2 "a filter that cannot be imported: exit 2"
is "$(ls "$T/keep" | tr '\n' ' ')|$(cat "$T/keep/bad-1.yaml")" "bad-1.yaml |old" \
    "...no file written, and the one there untouched"
grep -q "^$cut/bad.pol:20:3: error: term 'bad': source-port::" "$T/err"
ok $? "...at the Aerleon file's FILE:LINE:COL"
done_testing
