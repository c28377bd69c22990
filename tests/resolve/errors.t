#!/bin/sh
# Resolution failures: NXDOMAIN, SERVFAIL and no answer each name the host
# and the rule at the name's place, exit 3 and leave the lock alone;
# --keep-going writes what resolved and still exits 3.  Bad options and a
# broken lock are usage errors (exit 2).
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"

P=tests/resolve/errors.yaml
L=$T/errors.lock
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"
cp "$L" "$T/before"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --timeout 200 \
    --tries 1 --lock "$L" "$P" 2>"$T/err"
is $? 3 "failures exit 3"
is "$(diags "$T/err")" "\
$P:6:26: error: host 'nx.heygen.com' (rule 'heygen-api'): no such domain (NXDOMAIN)
$P:6:41: error: host 'servfail.heygen.com' (rule 'heygen-api'): no usable answer: the DNS server failed (SERVFAIL), refused the query or could not be reached
$P:9:10: error: host 'slow.heygen.com' (rule 'slow'): no answer from the DNS server (timed out; --timeout 200, --tries 1)
egressc: note: 3 of 4 hosts failed; $L left as it was (--keep-going writes what resolved)" \
    "NXDOMAIN, SERVFAIL, timeout: host, rule and place"
cmp -s "$T/before" "$L"
ok $? "the lock is untouched"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --keep-going --dns-server "$DNS_SERVER" \
    --timeout 200 --tries 1 --lock "$L" "$P" 2>"$T/err"
is $? 3 "--keep-going still exits 3"
grep -q '^  api.heygen.com:$' "$L" && ! grep -q 'nx.heygen.com' "$L"
ok $? "--keep-going recorded the host that resolved"
diags "$T/err" | grep -q "note: 3 of 4 hosts failed; wrote $L"
ok $? "and says so"

"$EG" compile -t nftables --lock "$L" "$P" >/dev/null 2>"$T/err"
is $? 2 "compiling without every host in the lock fails"
is "$(diags "$T/err" | head -1)" "$P:6:26: error: host 'nx.heygen.com' is not in the lock file $L; run 'egressc resolve $P'" \
    "the message says to run egressc resolve"

"$EG" resolve --dns-server 127.0.0.1:99999 --lock "$L" "$P" 2>"$T/err"
is $? 2 "a bad --dns-server is a usage error"
grep -q "bad DNS server '127.0.0.1:99999'" "$T/err"
ok $? "naming the server"

for bad in '[::1' '[::1]x' 'dns.example.com' '192.0.2.1:0' '::1]:53'; do
	"$EG" resolve --dns-server "$bad" --lock "$L" "$P" 2>/dev/null
	is $? 2 "--dns-server '$bad' is a usage error"
done

printf 'egressc-lock: 1\nhosts:\n  api.heygen.com:\n    a: [198.18.0.300]\n' \
    >"$T/bad.lock"
cp "$T/bad.lock" "$T/bad.before"
"$EG" resolve --dns-server "$DNS_SERVER" --lock "$T/bad.lock" \
    tests/resolve/zone.yaml 2>"$T/err"
is $? 2 "a malformed old lock: exit 2"
is "$(diags "$T/err")" "$T/bad.lock:4:9: error: '198.18.0.300' is not a single IPv4 address" \
    "at its place"
cmp -s "$T/bad.lock" "$T/bad.before"
ok $? "and left alone"
done_testing
