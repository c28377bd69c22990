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
done_testing
