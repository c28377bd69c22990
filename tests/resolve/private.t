#!/bin/sh
# A private answer (10.20.30.40) is refused, naming host, address and the
# rule that lacks allow-private; with allow-private on every rule naming
# the host it is recorded.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"

L=$T/private.lock
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    tests/resolve/private.yaml 2>"$T/err"
is $? 3 "a private answer: exit 3"
is "$(diags "$T/err" | head -1)" "tests/resolve/private.yaml:11:10: error: host 'private.heygen.com' resolved to 10.20.30.40, a private (RFC 1918) address: refused for rule 'api' (set 'allow-private: true' on the rule if this is intended)" \
    "names the host, the address and the rule"
[ ! -e "$L" ]
ok $? "no lock written"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    tests/resolve/private-ok.yaml 2>"$T/err"
ok $? "allowed when every rule naming it has allow-private"
grep -q '^    a: \[10.20.30.40\]$' "$L"
ok $? "and recorded"
# Every refused range, and the public addresses next to them.
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --keep-going --dns-server "$DNS_SERVER" \
    --lock "$T/never.lock" tests/resolve/never.yaml 2>"$T/err"
is $? 3 "never.heygen.com: exit 3"
diags "$T/err" | sed -n "s/^tests\/resolve\/never.yaml:7:10: error: host 'never.heygen.com' resolved to \(.*\): refused for rule 'public' (set 'allow-private: true' on the rule if this is intended)\$/\1/p" \
    >"$T/refused"
is "$(cat "$T/refused")" "\
0.1.2.3, a 'this network' (0.0.0.0/8) address
100.64.0.1, a carrier-grade NAT (100.64.0.0/10) address
127.0.0.5, a loopback address
169.254.1.1, a link-local address
172.31.255.255, a private (RFC 1918) address
192.0.2.1, a documentation (RFC 5737) address
192.168.1.1, a private (RFC 1918) address
198.51.100.1, a documentation (RFC 5737) address
203.0.113.1, a documentation (RFC 5737) address
224.0.0.251, a multicast address
255.255.255.255, a reserved (240.0.0.0/4) address
::1, a loopback address
2001:db8::1, a documentation (RFC 3849) address
fd12::1, a unique local (fc00::/7) address
fe80::1, a link-local address
ff02::1, a multicast address" "each refused range, named, in address order"
is "$(diags "$T/err" | grep -c ': error: ')" 16 "and nothing else refused"
grep -q '^    a: \[9.255.255.255, 11.0.0.0, 100.63.255.255, 100.128.0.0, 172.15.255.255, 172.32.0.0, 223.255.255.255\]$' "$T/never.lock" &&
    grep -q '^    aaaa: \["::2", "2001:db7:ffff::1", "2001:db9::1", "fbff::1", "fec0::1"\]$' "$T/never.lock"
ok $? "the addresses just outside every range are public"
! grep -q 'never.heygen.com' "$T/never.lock"
ok $? "a host with only refused addresses is not recorded"
done_testing
