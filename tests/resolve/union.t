#!/bin/sh
# Several resolvers, one union: two dnsmasq instances that answer
# geo.heygen.com differently (as geo-DNS answers two regions) give a lock
# with both addresses, each with by: the servers that returned it, byte for
# byte and whatever the order of --dns-server; a host one server does not
# know is a warning naming that server; a host no server knows is the usual
# error (exit 3).  --family 4|6 asks for one record type and keeps the
# lock's addresses of the other.  With A answered and AAAA failed (a small
# DNS server, halfdns.py, since dnsmasq cannot fail one type), the warning
# says which type failed at which server; both failing is an error.
. "$(dirname "$0")/../lib/tap.sh"
set -- --host-record=geo.heygen.com,198.18.5.1,2001:2::5:1 \
    --host-record=only1.heygen.com,198.18.5.9
. "$ROOT/tests/resolve/dns.sh"
S1=$DNS_SERVER
D1=$DNS_DIR
dns_start "$T/dns2" --host-record=geo.heygen.com,198.18.5.2,2001:2::5:1 ||
    { ok 1 "a second dnsmasq starts"; done_testing; exit; }
S2=$DNS_SERVER
D2=$DNS_DIR
HALF=127.0.0.$((DNS_X % 200 + 21)):$((DNS_PORT + 3))
/usr/bin/python3 tests/resolve/halfdns.py "${HALF%:*}" "${HALF#*:}" \
    >"$T/half.out" 2>&1 &
HPID=$!
trap 'kill $HPID 2>/dev/null; dns_stop "$D1"; dns_stop "$D2"; rm -rf "$T"' EXIT
# by: lists servers in address order.
set -- $(printf '%s\n' "$S1" "$S2" | sort -t. -k4,4n)
LO=$1 HI=$2

cat >"$T/union.yaml" <<'Y'
egressc: 1
name: union
rules:
  - name: geo
    to: [geo.heygen.com, only1.heygen.com]
    ports: [tcp/443]
Y
S=2026-11-24T16:00:00Z
cat >"$T/want.lock" <<L
# egressc lock file: the addresses 'egressc resolve' found for
# the policy's host names.  Compiling reads this file, never DNS.
# seen: gives each address [first-seen, last-seen] (UTC).
egressc-lock: 1
made: $S
hosts:
  geo.heygen.com:
    a: [198.18.5.1, 198.18.5.2]
    aaaa: ["2001:2::5:1"]
    ttl: 300
    first-seen: $S
    last-seen: $S
    seen:
      198.18.5.1: [$S, $S]
      198.18.5.2: [$S, $S]
      "2001:2::5:1": [$S, $S]
    by:
      198.18.5.1: ["$S1"]
      198.18.5.2: ["$S2"]
      "2001:2::5:1": ["$LO", "$HI"]
  only1.heygen.com:
    a: [198.18.5.9]
    aaaa: []
    ttl: 300
    first-seen: $S
    last-seen: $S
    seen:
      198.18.5.9: [$S, $S]
    by:
      198.18.5.9: ["$S1"]
L
L=$T/union.lock
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$S1" --dns-server "$S2" \
    --lock "$L" "$T/union.yaml" 2>"$T/err"
okd $? "two servers: exit 0" "$T/err"
cmp -s "$T/want.lock" "$L"
ok $? "the union of both answers, by: per address, byte for byte"
cmp -s "$T/want.lock" "$L" || diff -u "$T/want.lock" "$L" | sed 's/^/# /'
is "$(diags "$T/err")" "$T/union.yaml:5:26: warning: host 'only1.heygen.com' (rule 'geo'): A and AAAA queries to $S2 failed: no such domain (NXDOMAIN)" \
    "a host one server does not know: a warning naming that server"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$S2" --dns-server "$S1" \
    --dns-server "$S2" --lock "$T/swap.lock" "$T/union.yaml" 2>/dev/null
ok $? "the servers the other way round, one given twice"
cmp -s "$L" "$T/swap.lock"
ok $? "...give the same bytes"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$S1" --lock "$T/one.lock" \
    "$T/union.yaml" 2>"$T/err"
okd $? "one server" "$T/err"
grep -q '198.18.5.2' "$T/one.lock"
is $? 1 "...gives only its own answer (no failover to the other)"

# A host neither server knows: the error as it always was.
cat >"$T/nx.yaml" <<'Y'
egressc: 1
name: nx
rules:
  - name: geo
    to: [geo.heygen.com, nx.heygen.com]
    ports: [tcp/443]
Y
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$S1" --dns-server "$S2" \
    --lock "$T/nx.lock" "$T/nx.yaml" 2>"$T/err"
is $? 3 "every server failed for a host: exit 3"
is "$(diags "$T/err")" "\
$T/nx.yaml:5:26: error: host 'nx.heygen.com' (rule 'geo'): no such domain (NXDOMAIN)
egressc: note: 1 of 2 hosts failed; $T/nx.lock left as it was (--keep-going writes what resolved)" \
    "...the error naming host and rule, no per-server warning"
[ ! -e "$T/nx.lock" ]
ok $? "...and no lock written"

# --family: one record type; the lock's addresses of the other stay.
cp "$L" "$T/f4.lock"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --family 4 --dns-server "$S1" \
    --dns-server "$S2" --lock "$T/f4.lock" "$T/union.yaml" 2>/dev/null
ok $? "--family 4 over the union lock"
cmp -s "$L" "$T/f4.lock"
ok $? "...the IPv6 addresses (and their by:) kept: not one byte changed"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --family 6 --dns-server "$S1" \
    --lock "$T/f6.lock" "$T/union.yaml" 2>"$T/err"
is $? 3 "--family 6, from nothing: only1.heygen.com has no AAAA: exit 3"
is "$(diags "$T/err" | head -1)" "$T/union.yaml:5:26: error: host 'only1.heygen.com' (rule 'geo'): no AAAA record" \
    "...'no AAAA record'"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --family 6 --keep-going \
    --dns-server "$S1" --lock "$T/f6.lock" "$T/union.yaml" 2>/dev/null
grep -q '^    a: \[\]$' "$T/f6.lock" &&
    grep -q '^    aaaa: \["2001:2::5:1"\]$' "$T/f6.lock"
ok $? "...and geo.heygen.com got its AAAA and no A"
"$EG" resolve --family 5 "$T/union.yaml" 2>"$T/err"
is $? 2 "--family 5: usage error"
grep -q "egressc: --family takes 4, 6 or both, not '5'" "$T/err"
ok $? "...saying what it takes"

# A answered, AAAA failed.
n=0
while ! grep -q ready "$T/half.out" && [ $n -lt 50 ]; do
	sleep 0.05; n=$((n + 1))
done
grep -q ready "$T/half.out"
ok $? "halfdns.py is up at $HALF"
cat >"$T/half.yaml" <<'Y'
egressc: 1
name: half
rules:
  - name: half
    to: [half.heygen.com]
    ports: [tcp/443]
Y
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$HALF" --timeout 300 \
    --lock "$T/half.lock" "$T/half.yaml" 2>"$T/err"
okd $? "A answered, AAAA failed: exit 0" "$T/err"
is "$(diags "$T/err")" "$T/half.yaml:5:10: warning: host 'half.heygen.com' (rule 'half'): AAAA query to $HALF failed: no usable answer: the DNS server failed (SERVFAIL), refused the query or could not be reached" \
    "...a warning naming the record type and the server"
grep -q '^    a: \[198.18.6.1\]$' "$T/half.lock"
ok $? "...and the A answer is recorded"
printf 'egressc-lock: 1\nhosts:\n  half.heygen.com:\n    a: [198.18.6.1]\n    aaaa: ["2001:2::6:1"]\n' \
    >"$T/half.lock"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$HALF" --timeout 300 \
    --lock "$T/half.lock" "$T/half.yaml" 2>"$T/err"
okd $? "...again over a lock with an IPv6 address" "$T/err"
diags "$T/err" | grep -q "failed: no usable answer: the DNS server failed (SERVFAIL), refused the query or could not be reached; its 1 IPv6 address in the lock is kept$"
ok $? "...which the warning says is kept"
grep -q '^    aaaa: \["2001:2::6:1"\]$' "$T/half.lock"
ok $? "...and is kept"
sed 's/half.heygen.com/fail.heygen.com/' "$T/half.yaml" >"$T/fail.yaml"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$HALF" --timeout 300 \
    --lock "$T/fail.lock" "$T/fail.yaml" 2>"$T/err"
is $? 3 "A and AAAA both failed: exit 3"
is "$(diags "$T/err" | head -1)" "$T/fail.yaml:5:10: error: host 'fail.heygen.com' (rule 'half'): no usable answer: the DNS server failed (SERVFAIL), refused the query or could not be reached" \
    "...the error"
done_testing
