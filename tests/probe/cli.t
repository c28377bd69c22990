#!/bin/sh
# egressc probe's command line without a network: bad usage and bad
# policies exit 2 at a FILE:LINE:COL, an example lock is refused unless
# --dry-run, --dry-run prints the plan of the shipped policy (its sample,
# --tier, --all and its cap, --media-peer, --json), a host the lock lacks
# is no-dns (FAIL for an allow, ok for a deny), and a socket that cannot
# be opened is a local failure (exit 3).  Nothing here sends a packet
# anywhere but loopback (lab.t probes through a firewall).
. "$(dirname "$0")/../lib/tap.sh"
PY=/usr/bin/python3
need test -x "$EG"
need test -x "$PY"

# notes FILE: probe's "# " notes, each on one line again (the text output
# wraps them at 78 columns, "#   " after the first line).
notes()
{
	awk '/^#   / { sub(/^#   /, " "); n = n $0; next }
	    /^# / { if (n != "") print n; n = $0; next }
	    END { if (n != "") print n }' "$1"
}

POL=policies/heygen-livekit.yaml
EXL=policies/heygen-livekit.example.lock

"$EG" probe --help >"$T/out" 2>&1
is $? 0 "probe --help"
for o in --tier --lock --timeout --json --all --media-peer --dry-run; do
	grep -q -- "  $o" "$T/out"; ok $? "probe --help lists $o"
done

"$EG" probe --media-peer not-an-address --dry-run --lock "$EXL" "$POL" \
    >/dev/null 2>"$T/err"
is $? 2 "--media-peer with a name: exit 2"
grep -q "media-peer: 'not-an-address' is not an IPv4 or IPv6 address" "$T/err"
ok $? "...saying it wants an address"
"$EG" probe --media-peer 192.0.2.0/24 --dry-run --lock "$EXL" "$POL" \
    >/dev/null 2>&1
is $? 2 "--media-peer with a prefix: exit 2"
"$EG" probe --tier minimun --dry-run --lock "$EXL" "$POL" >/dev/null \
    2>"$T/err"
is $? 2 "an unknown tier: exit 2"
grep -q "did you mean 'minimum'" "$T/err"; ok $? "...with a did-you-mean"
"$EG" probe --to 192.0.2.1 "$POL" >/dev/null 2>&1
is $? 2 "an option probe does not take: exit 2"
"$EG" probe >/dev/null 2>&1
is $? 2 "no policy: exit 2"

cat >"$T/bad.yaml" <<'EOF'
egressc: 1
name: bad
rules:
  - name: x
    to: [192.0.2.1]
    ports: [tcp/99999]
EOF
"$EG" probe "$T/bad.yaml" >/dev/null 2>"$T/err"
is $? 2 "a bad policy: exit 2"
grep -q "^$T/bad.yaml:6:[0-9]*: error:" "$T/err"
ok $? "...at FILE:LINE:COL" || sed 's/^/# /' "$T/err"

"$EG" probe --lock "$EXL" "$POL" >"$T/out" 2>"$T/err"
is $? 2 "an example lock: exit 2, nothing sent"
grep -q "holds example addresses.*--dry-run shows the tests" "$T/err"
ok $? "...saying to resolve, or to use --dry-run"
[ ! -s "$T/out" ]; ok $? "...and no table"

# The plan of the shipped policy, sent nowhere.
"$EG" probe --dry-run --lock "$EXL" "$POL" >"$T/plan" 2>"$T/err"
is $? 0 "--dry-run with the example lock: exit 0"
notes "$T/plan" | grep -q '^# probe heygen-livekit .* dry run: nothing sent$'
ok $? "...the header says nothing was sent"
is "$(awk '$1 == "webrtc-media" { print $4 }' "$T/plan" | sort -u | tr '\n' ' ')" \
    "udp/50000 udp/55000 udp/60000 " \
    "a port range is tried at its lowest, middle and highest port"
is "$(awk '$1 == "heygen-api" { print $2, $3, $4 }' "$T/plan" | tr '\n' ';')" \
    "api.heygen.com 198.51.100.10 tcp/443;api.heygen.com 2001:db8:1::10 tcp/443;" \
    "a host: its first address of each family (198.51.100.10, not .11)"
is "$(awk '$1 == "livekit-turn-udp" { print $2, $3 }' "$T/plan" | head -1)" \
    "143.223.88.0/21 143.223.88.1" "a range: its first host address"
notes "$T/plan" | grep -q '^# any address (rules webrtc-media, webrtc-tcp): tried at the first IPv4 and IPv6 address of the 44 TURN hosts'
ok $? "where the any-address rules are tried is said"
rows=$(grep -vc '^#' "$T/plan")
grep -q "^# $((rows - 1)) tests, none sent (--dry-run)$" "$T/plan"
ok $? "the summary counts the rows ($((rows - 1)))"
awk '!/^#/ && NR > 1 && $6 != "-"' "$T/plan" | grep -v '^RULE' >"$T/bad"
[ ! -s "$T/bad" ]; ok $? "no row has a result"

"$EG" probe --dry-run --tier minimum --lock "$EXL" "$POL" >"$T/min"
is $? 0 "--dry-run --tier minimum"
grep -q '^webrtc-' "$T/min"; is $? 1 "...no recommended rule's rows"
grep -q '^dns ' "$T/min"; ok $? "...the untiered dns rule's rows stay"

"$EG" probe --dry-run --json --lock "$EXL" "$POL" >"$T/plan.json"
is $? 0 "--dry-run --json"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True and d["policy"] == "heygen-livekit"
assert len(d["tests"]) == int(sys.argv[2]), len(d["tests"])
t = [x for x in d["tests"] if x["rule"] == "heygen-api"][0]
assert t["host"] == "api.heygen.com" and t["probe"] == "tls", t
assert t["expect"] == "open" and t["result"] is None and t["ms"] is None
assert t["file"] == "policies/heygen-livekit.yaml" and t["line"] > 0
assert any(n.startswith("any address") for n in d["notes"])
' "$T/plan.json" $((rows - 1)) 2>"$T/err"
ok $? "--json: one document, the same tests, fields as documented" ||
    sed 's/^/# /' "$T/err" | tail -3

"$EG" probe --dry-run --all --lock "$EXL" "$POL" >"$T/all" 2>&1
is $? 0 "--dry-run --all"
grep -q '^# 4096 tests, none sent' "$T/all"; ok $? "--all stops at 4096 tests"
notes "$T/all" | grep -q "^# stopped at 4096 tests, the most one run makes: rule 'livekit-turn-udp' is tried in part"
ok $? "...and says at which rule" || grep '^#' "$T/all" | head -5

"$EG" probe --dry-run --media-peer 198.18.0.99 --lock "$EXL" "$POL" >"$T/peer"
is "$(awk '$1 ~ /^webrtc/ { print $2, $3 }' "$T/peer" | sort -u | tr '\n' ';')" \
    "(media-peer) 198.18.0.99;" "--media-peer: the any-address rules at the peer only"
notes "$T/peer" | grep -q "rule 'webrtc-media': any IPv6 address: no stand-in of that family"
ok $? "...and IPv6 is said not to be tried"

# The expectation is the first match's: an earlier deny of the same
# address makes a later allow's test expected blocked, and a note says so.
cat >"$T/order.yaml" <<'EOF'
egressc: 1
name: order
default: deny
rules:
  - name: first
    to: [192.0.2.10]
    ports: [tcp/443]
    action: deny
  - name: second
    to: [192.0.2.10, 192.0.2.11]
    ports: [tcp/443]
EOF
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/order.lock"
"$EG" probe --dry-run "$T/order.yaml" >"$T/out" 2>&1
is "$(awk '$1 == "second" { print $3, $5 }' "$T/out" | tr '\n' ';')" \
    "192.0.2.10 blocked;192.0.2.11 open;" \
    "a test is expected as the first rule that matches it says"
notes "$T/out" | grep -q "^# rule 'second': 1 test is decided by rule 'first' first (first match wins)$"
ok $? "...and a note says which rule decided it" || sed 's/^/# /' "$T/out"

# A host the lock lacks: no-dns, without a packet.
cat >"$T/nodns.yaml" <<'EOF'
egressc: 1
name: nodns
default: deny
rules:
  - name: gone
    to: [gone.example.com]
    ports: [tcp/443]
  - name: blocked
    to: [blocked.example.com]
    ports: [tcp/25]
    action: deny
EOF
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/nodns.lock"
"$EG" probe "$T/nodns.yaml" >"$T/out" 2>"$T/err"
is $? 1 "a host the lock lacks: exit 1"
grep -q '^gone  *gone.example.com  *-  *tcp/443  *open  *no-dns  *-  *FAIL$' "$T/out"
ok $? "...its row: no-dns, FAIL" || sed 's/^/# /' "$T/out"
grep -q '^blocked  *blocked.example.com  *-  *tcp/25  *blocked  *no-dns  *-  *ok$' "$T/out"
ok $? "...a deny rule's: no-dns, ok"
[ ! -s "$T/err" ]; ok $? "...and nothing on standard error"

# No socket to be had: a local failure, exit 3.  Loopback only.
cat >"$T/lo.yaml" <<'EOF'
egressc: 1
name: lo
default: deny
rules:
  - name: lo
    to: [127.0.0.1, "::1"]
    ports: [tcp/9, udp/9]
EOF
printf 'egressc-lock: 1\nhosts: {}\n' >"$T/lo.lock"
(ulimit -n 4; exec "$EG" probe --timeout 500 "$T/lo.yaml") >"$T/out" 2>"$T/err"
is $? 3 "sockets cannot be opened (ulimit -n 4): exit 3"
grep -q "error: probe: .* port 9: Too many open files" "$T/err"
ok $? "...saying why" || sed 's/^/# /' "$T/err"
grep -q ' ERROR$' "$T/out"; ok $? "...and the rows say ERROR"

done_testing
