#!/bin/sh
# lint proves what it says: a rule covered by the union of earlier rules
# (not only by one of them) is reported; redundancy (same decision) and
# conflict (a deny that can never act) are different findings, each with
# an example packet and a note at the earlier rules; --verbose gives a
# packet that still reaches a partly shadowed rule; --format json and
# sarif carry the same findings for pipelines.  Other IP protocols and
# ICMP codes are proved alike, with their own example packets.
. "$(dirname "$0")/../lib/tap.sh"
PY=/usr/bin/python3

cat >"$T/p.yaml" <<'Y'
egressc: 1
name: lint
default: accept
rules:
  - name: low
    to: [10.0.0.0/9]
    ports: [tcp/443, udp/1-100]
  - name: high
    to: [10.128.0.0/9]
    ports: [tcp/443]
  - name: block-ten
    action: deny
    to: [10.0.0.0/8]
    ports: [tcp/443]
  - name: udp-a
    to: [192.0.2.0/24]
    ports: [udp/1-100]
  - name: udp-b
    to: [192.0.2.0/24]
    ports: [udp/101-200]
  - name: udp-mid
    to: [192.0.2.0/24]
    ports: [udp/50-150]
  - name: wider
    to: [10.0.0.0/7]
    ports: [tcp/443]
Y
"$EG" lint "$T/p.yaml" 2>"$T/e"
is $? 0 "findings are warnings: exit 0"
grep -q "p.yaml:11:11: warning: rule 'block-ten' (deny) can never act: earlier rules decide all its packets otherwise; e.g. tcp 0.0.0.0 -> 10.0.0.0:443 is decided by rule 'low' (allow) at line 5" "$T/e"
ok $? "a deny covered by two allows together is a conflict, with a packet"
grep -q "p.yaml:5:11: note: rule 'low' (allow) takes packets of 'block-ten' here" "$T/e" &&
grep -q "p.yaml:8:11: note: rule 'high' (allow) takes packets of 'block-ten' here" "$T/e"
ok $? "...and a note at each earlier rule"
grep -q "p.yaml:21:11: warning: rule 'udp-mid' is redundant: earlier rules that also allow take all its packets; e.g. udp 0.0.0.0 -> 192.0.2.0:50 is decided by rule 'udp-a' (allow) at line 15" "$T/e"
ok $? "udp/50-150 after 1-100 and 101-200 is redundant"
grep -q "wider" "$T/e"
is $? 1 "a partly shadowed rule is quiet without --verbose"
"$EG" lint --verbose "$T/p.yaml" 2>"$T/e"
grep -q "p.yaml:24:11: warning: rule 'wider' is partly shadowed by 3 earlier rules; e.g. tcp 0.0.0.0 -> 11.0.0.0:443 still reaches it" "$T/e"
ok $? "--verbose: a packet that still reaches a partly shadowed rule"
"$EG" explain --to 11.0.0.0 --port tcp/443 "$T/p.yaml" | grep -q "^allow wider"
ok $? "...and explain agrees that packet reaches it"
"$EG" lint --strict "$T/p.yaml" 2>/dev/null
is $? 1 "--strict: exit 1"

"$EG" lint --format json "$T/p.yaml" >"$T/j" 2>"$T/e"
is $? 0 "--format json"
[ ! -s "$T/e" ]; ok $? "...prints no diagnostics"
$PY - "$T/j" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["rule"]: x for x in d["findings"]}
assert f["block-ten"]["kind"] == "conflict", f
assert f["block-ten"]["location"]["line"] == 11
assert [r["location"]["line"] for r in f["block-ten"]["related"]] == [5, 8]
assert f["udp-mid"]["kind"] == "redundant"
assert "wider" not in f
P
ok $? "...with kinds, locations and related locations"
"$EG" lint --format sarif "$T/p.yaml" >"$T/s" 2>/dev/null
is $? 0 "--format sarif"
$PY - "$T/s" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
res = run["results"]
assert {r["ruleId"] for r in res} <= ids
c = [r for r in res if r["ruleId"] == "conflict"][0]
loc = c["locations"][0]["physicalLocation"]
assert loc["region"] == {"startLine": 11, "startColumn": 11}
assert loc["artifactLocation"]["uri"].endswith("p.yaml")
assert len(c["relatedLocations"]) == 2
P
ok $? "...a SARIF 2.1.0 log with results, regions and related locations"
"$EG" lint --format xml "$T/p.yaml" >/dev/null 2>&1
is $? 2 "an unknown format is a usage error"

# The shipped policy is clean, in every format.
L=policies/heygen-livekit.example.lock
"$EG" lint --strict --lock $L policies/heygen-livekit.yaml 2>"$T/e"
is $? 0 "the shipped policy: no findings"
"$EG" lint --format json --lock $L policies/heygen-livekit.yaml >"$T/j"
is "$(cat "$T/j")" '{"findings": []}' "...and an empty JSON list"
# Protocols taken whole and ICMP codes: proved and shown like ports.
cat >"$T/proto.yaml" <<'Y'
egressc: 1
name: proto
default: none
rules:
  - name: no-tunnels
    to: [10.0.0.0/8]
    ports: [gre, esp, proto/99]
    action: deny
  - name: gre-lab
    to: [10.1.0.0/16]
    ports: [gre]
  - name: unreach
    to: [192.0.2.0/24]
    ports: [icmp/destination-unreachable]
  - name: frag
    to: [192.0.2.1]
    ports: [icmp/3/frag-needed]
    action: deny
  - name: other-lab
    to: [10.1.0.0/16]
    ports: [proto/100]
Y
"$EG" lint "$T/proto.yaml" 2>"$T/e"
grep -q "proto.yaml:9:11: warning: rule 'gre-lab' (allow) can never act: earlier rules decide all its packets otherwise; e.g. gre 0.0.0.0 -> 10.1.0.0 is decided by rule 'no-tunnels' (deny) at line 5" "$T/e"
ok $? "gre under an earlier deny of gre: never acts, with a gre packet"
grep -q "proto.yaml:15:11: warning: rule 'frag' (deny) can never act: earlier rules decide all its packets otherwise; e.g. icmp 0.0.0.0 -> 192.0.2.1 type 3 code 4 is decided by rule 'unreach' (allow) at line 12" "$T/e"
ok $? "a code under its whole type: never acts, with the type and code"
grep -q "other-lab" "$T/e"
is $? 1 "proto/100 is no protocol the earlier deny takes"
done_testing
