#!/bin/sh
# The command line contract of egressc(1): exit statuses, check mode,
# atomic writes, standard output, explain, lint and the input limits.
. "$(dirname "$0")/../lib/tap.sh"

P=policies/heygen-livekit.yaml
L=policies/heygen-livekit.example.lock
M=tests/policies/mixed.yaml

"$EG" --version >"$T/v"; ok $? "--version exits 0"
grep -q '^egressc [0-9]' "$T/v"; ok $? "--version prints the version"
"$EG" --help >/dev/null; ok $? "--help exits 0"
"$EG" >/dev/null 2>&1; is $? 2 "no command: exit 2"
"$EG" frobnicate "$P" >/dev/null 2>&1; is $? 2 "unknown command: exit 2"
"$EG" compile -t pfsense "$P" >/dev/null 2>"$T/e"; is $? 2 "unknown target: exit 2"
grep -q "unknown target 'pfsense'" "$T/e"; ok $? "unknown target is named"
"$EG" compile --strict "$P" >/dev/null 2>&1; is $? 2 "an option of another command: exit 2"
"$EG" compile "$P" extra >/dev/null 2>&1; is $? 2 "two policies: exit 2"
"$EG" compile -t nftables --lock "$L" tests/nonexistent.yaml >/dev/null 2>"$T/e"
is $? 2 "missing policy file: exit 2"

# One target with one file and no -o: standard output.
"$EG" compile -t nftables --lock "$L" "$P" >"$T/stdout" 2>/dev/null
ok $? "compile -t nftables to standard output"
cmp -s "$T/stdout" tests/golden/heygen-livekit/heygen-livekit.nft
ok $? "standard output is the golden nftables file"
"$EG" compile -t iptables --lock "$L" "$P" >/dev/null 2>"$T/e"
is $? 2 "two files and no -o: exit 2"
grep -q 'name a directory with -o DIR' "$T/e"; ok $? "...and says to use -o"

# check: 0 up to date, 1 stale with a unified diff, 2 on error.
"$EG" compile -o "$T/out" --lock "$L" "$P" 2>/dev/null
"$EG" check -o "$T/out" --lock "$L" "$P" >"$T/diff" 2>/dev/null
is $? 0 "check: fresh output is up to date (0)"
[ ! -s "$T/diff" ]; ok $? "check: prints no diff when up to date"
sed -i 's/dport @run_1_v4 accept/dport @run_1_v4 drop/' "$T/out/heygen-livekit.nft"
"$EG" check -o "$T/out" --lock "$L" "$P" >"$T/diff" 2>"$T/e"
is $? 1 "check: a changed file is stale (1)"
grep -q '^--- a/heygen-livekit.nft' "$T/diff" && grep -q '^+.*dport @run_1_v4 accept$' "$T/diff"
ok $? "check: prints a unified diff of the stale file"
rm "$T/out/heygen-livekit.rules.v6"
"$EG" check -o "$T/out" --lock "$L" "$P" >"$T/diff" 2>/dev/null
is $? 1 "check: a missing file is stale (1)"
"$EG" check -o "$T/out" --lock "$L" tests/errors/bad-ports.yaml >/dev/null 2>&1
is $? 2 "check: a bad policy is an error (2)"
"$EG" check --lock "$L" "$P" >/dev/null 2>&1
is $? 2 "check without -o: exit 2"

# A failed compile leaves existing files as they were.
"$EG" compile -o "$T/keep" --lock "$L" "$P" 2>/dev/null
cp -r "$T/keep" "$T/before"
"$EG" compile -o "$T/keep" --lock tests/errors/empty.lock "$P" >/dev/null 2>&1
is $? 2 "compile with hosts missing from the lock: exit 2"
diff -r "$T/before" "$T/keep" >/dev/null; ok $? "...and the old files are untouched"
ls "$T/keep" | grep -q tmp; is $? 1 "...and no temporary file is left"
if [ "$(id -u)" != 0 ]; then
	chmod 555 "$T/keep"
	"$EG" compile -o "$T/keep" --stamp --lock "$L" "$P" >/dev/null 2>&1
	is $? 2 "unwritable directory: exit 2"
	chmod 755 "$T/keep"
fi

# Determinism, and --stamp (which honours SOURCE_DATE_EPOCH).
"$EG" compile -o "$T/d1" --lock "$L" "$P" 2>/dev/null
"$EG" compile -o "$T/d2" --lock "$L" "$P" 2>/dev/null
diff -r "$T/d1" "$T/d2" >/dev/null; ok $? "two compiles: identical bytes"
! grep -rq 'Generated at' "$T/d1"; ok $? "no time stamp without --stamp"
SOURCE_DATE_EPOCH=1700000000 "$EG" compile -t nftables --stamp --lock "$L" "$P" 2>/dev/null |
    grep -q '^# Generated at 2023-11-14T22:13:20Z'
ok $? "--stamp writes SOURCE_DATE_EPOCH's time"

# --tier keeps the tier's rules and the untiered ones.
"$EG" compile -t nftables --tier minimum --lock "$L" "$P" >"$T/min" 2>/dev/null
grep -q 'webrtc-media' "$T/min"; is $? 1 "--tier minimum drops the recommended media rule"
grep -q 'comment "dns' "$T/min"; ok $? "--tier minimum keeps the untiered DNS rule"
grep -q 'comment "livekit-turn-udp' "$T/min"; ok $? "--tier minimum keeps TURN/UDP"

# explain: the deciding rule and its location.
x=$("$EG" explain --lock "$L" "$P" --to 161.115.180.211 --port udp/3478 2>/dev/null)
is "$x" "allow livekit-turn-udp $P:62:11" "explain: TURN/UDP to a LiveKit node"
x=$("$EG" explain --lock "$L" "$P" --to 198.51.100.10 --port tcp/443 2>/dev/null)
is "$x" "allow heygen-api $P:68:11" "explain: HeyGen API"
x=$("$EG" explain --lock "$L" "$P" --to 8.8.8.8 --port tcp/22 2>/dev/null)
is "$x" "deny (default)" "explain: anything else is the default"
x=$("$EG" explain --lock "$L" --tier minimum "$P" --to 8.8.8.8 --port udp/50000 2>/dev/null)
is "$x" "deny (default)" "explain: --tier minimum closes the media range"
printf '2001:db8::53 udp/53\n192.0.2.1 tcp/444\n2001:db8::1 udp/60000\n' >"$T/batch"
"$EG" explain --lock "$L" "$P" --batch "$T/batch" >"$T/x" 2>/dev/null
is "$(cut -d' ' -f1,2 "$T/x" | tr '\n' ,)" "allow dns,deny (default),allow webrtc-media," "explain --batch"
"$EG" explain --lock "$L" "$P" --to 1.2.3 --port tcp/1 >/dev/null 2>&1
is $? 2 "explain: bad address: exit 2"
"$EG" explain --lock "$L" "$P" --to 1.2.3.4 --port tcp/70000 >/dev/null 2>&1
is $? 2 "explain: bad port: exit 2"

# IPv6 neighbour discovery goes first with default: deny, whatever the rules.
x=$("$EG" explain --lock "$L" "$P" --to fe80::1 --port icmpv6/135 2>/dev/null)
is "$x" "allow builtin-ipv6-nd $P:28:10" "explain: neighbour solicitation is let out (default: deny)"
x=$("$EG" explain --lock "$L" "$P" --to fe80::1 --port icmpv6/128 2>/dev/null)
is "$x" "deny (default)" "explain: other ICMPv6 is not"
x=$("$EG" explain tests/policies/embed.yaml --to fe80::1 --port icmpv6/135 2>/dev/null)
is "$x" "deny deny-rest tests/policies/embed.yaml:12:11" "explain: default: none adds no neighbour discovery rule"

# explain --inbound: the input path, owned only by policies with inbound rules.
I=tests/policies/inbound.yaml
x=$("$EG" explain "$I" --inbound --from 192.0.2.5 --to 192.0.2.1 --port tcp/22 2>/dev/null)
is "$x" "allow ssh-from-admins $I:10:11" "explain --inbound: an inbound rule decides"
x=$("$EG" explain "$I" --inbound --from 192.0.2.99 --to 192.0.2.1 --port tcp/22 2>/dev/null)
is "$x" "deny (default)" "explain --inbound: others meet the default"
x=$("$EG" explain "$I" --to 192.0.2.5 --port tcp/22 2>/dev/null)
is "$x" "deny (default)" "explain: inbound rules do not decide egress"
x=$("$EG" explain --lock "$L" "$P" --inbound --to 192.0.2.1 --port tcp/22 2>/dev/null)
is "$x" "none (default)" "explain --inbound: an egress-only policy leaves inbound alone"

# lint: warnings, and --strict turns them into exit 1.
cat >"$T/lint.yaml" <<EOP
egressc: 1
name: lint
rules:
  - name: web
    to: [192.0.2.0/24]
    ports: [tcp/443]
  - name: web-host
    to: [192.0.2.7]
    ports: [tcp/443]
  - name: everything
    to: [any]
EOP
"$EG" lint "$T/lint.yaml" 2>"$T/e"; is $? 0 "lint: warnings exit 0"
grep -q "lint.yaml:7:11: warning: rule 'web-host' is redundant: earlier rules that also allow take all its packets; e.g. tcp 0.0.0.0 -> 192.0.2.7:443 is decided by rule 'web' (allow) at line 4" "$T/e"
ok $? "lint: reports a shadowed rule at its location"
grep -q "rule 'everything' allows everything" "$T/e"; ok $? "lint: reports an allow-all rule"
"$EG" lint --strict "$T/lint.yaml" 2>/dev/null; is $? 1 "lint --strict: exit 1"
"$EG" lint --strict --lock "$L" "$P" 2>/dev/null; is $? 0 "lint --strict: the shipped policy is clean"
"$EG" compile -t nftables "$T/lint.yaml" 2>"$T/e" | grep -c 'web-host' >"$T/c"
is "$(cat "$T/c")" 0 "compile drops the shadowed rule"
grep -q "rule 'web-host' can never match" "$T/e"; ok $? "...with a warning"

# Target options are judged when the policy is read, for every target it
# names: lint rejects what compile would, at the option's place.
O=tests/errors/lint-target-option.yaml
E=tests/errors/empty.lock
"$EG" lint "$O" 2>"$T/e"; is $? 2 "lint: a bad target option: exit 2"
grep -q "^$O:4:21: error: targets.nftables.table: 'bad name;' is not a usable name" "$T/e"
ok $? "lint: ...at the option's line and column"
grep -q "^$O:5:23: error: targets.cisco-ios.return: must be one of none, established, reflexive" "$T/e"
ok $? "lint: ...and another target's value outside its list"
grep -q "^$O:6:16: error: unknown key 'gruop' in targets.powershell; did you mean 'group'?" "$T/e"
ok $? "lint: ...and a third target's unknown key"
"$EG" compile -t nftables --lock "$E" "$O" >"$T/o" 2>"$T/e"
is $? 2 "compile -t nftables: exit 2 on it too"
grep -q "^$O:4:21: error: targets.nftables.table: 'bad name;'" "$T/e"
ok $? "compile: ...at the same line and column"
[ ! -s "$T/o" ]; ok $? "compile: ...writing nothing"
# Alone, with no other error for lint to stumble on.
sed '5,6d' "$O" >"$T/nft-only.yaml"
"$EG" lint "$T/nft-only.yaml" 2>"$T/e"; is $? 2 "lint: only a bad nftables table: exit 2"
grep -q "nft-only.yaml:4:21: error: targets.nftables.table: 'bad name;'" "$T/e"
ok $? "lint: ...at the option's line and column"
"$EG" compile -t pf --lock "$E" "$O" >/dev/null 2>&1
is $? 2 "compile -t pf: the options of targets it does not write count too"
sed '/^targets:/,/^rules:/{/^rules:/!d}' "$O" >"$T/fixed.yaml"
"$EG" lint "$T/fixed.yaml" 2>/dev/null && "$EG" compile -t nftables --lock "$E" \
    "$T/fixed.yaml" >/dev/null 2>&1
ok $? "...and without its targets: the same policy lints and compiles"

# Input limits: a policy over 16 MiB is refused before parsing.
/usr/bin/python3 -c "
import sys
sys.stdout.write('egressc: 1\nname: big\nrules: []\n' + '#' * (16 * 1024 * 1024) + '\n')" >"$T/big.yaml"
"$EG" lint "$T/big.yaml" 2>"$T/e"; is $? 2 "a 16 MiB policy: exit 2"
grep -q 'larger than the 16 MiB limit' "$T/e"; ok $? "...saying why"
done_testing
