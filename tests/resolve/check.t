#!/bin/sh
# The drift gate: resolve --check asks DNS again, writes nothing and prints
# the difference from the lock, one line per address and host with the
# rules that name the host: exit 0 and nothing printed when nothing
# changed, exit 1 when something did (a removed address, an added one, a
# host no rule names any more), --json the same as one object, exit 3 when
# DNS fails.  It says what resolve would write, so --keep-days keeps a
# recently seen address out of the difference.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"

P=tests/resolve/zone.yaml
L=$T/zone.lock
expected tests/resolve/zone.lock.expected >"$L"

SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --dns-server "$DNS_SERVER" \
    --lock "$L" "$P" >"$T/out" 2>"$T/err"
is $? 0 "nothing changed: exit 0"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ]
ok $? "...and nothing printed"

# The lock lost 198.18.0.11 and gained 198.18.0.99 for api.heygen.com, and
# holds a host no rule names.
sed -e 's/^    a: \[198.18.0.10, 198.18.0.11\]$/    a: [198.18.0.10, 198.18.0.99]/' \
    -e 's/^      198.18.0.11: /      198.18.0.99: /' "$L" >"$T/drift.lock"
printf '  zz.heygen.com:\n    a: [198.18.9.9]\n' >>"$T/drift.lock"
cp "$T/drift.lock" "$T/drift.orig"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --dns-server "$DNS_SERVER" \
    --lock "$T/drift.lock" "$P" >"$T/out" 2>"$T/err"
is $? 1 "a changed answer: exit 1"
is "$(cat "$T/out")" "\
+ 198.18.0.11  heygen-api,livekit  api.heygen.com
- 198.18.0.99  heygen-api,livekit  api.heygen.com
- 198.18.9.9  (no rule)  zz.heygen.com" \
    "one line per address and host, with the rules naming it"
is "$(diags "$T/err")" "egressc: note: $T/drift.lock does not hold what DNS answers now; 'egressc resolve $P' would write it" \
    "...and a note saying so"
cmp -s "$T/drift.orig" "$T/drift.lock"
ok $? "...and the lock is untouched"

SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --json --dns-server "$DNS_SERVER" \
    --lock "$T/drift.lock" "$P" >"$T/out" 2>/dev/null
is $? 1 "--json: exit 1"
is "$(cat "$T/out")" '{"added": [
  {"address": "198.18.0.11", "host": "api.heygen.com", "rules": ["heygen-api", "livekit"]}
], "removed": [
  {"address": "198.18.0.99", "host": "api.heygen.com", "rules": ["heygen-api", "livekit"]},
  {"address": "198.18.9.9", "host": "zz.heygen.com", "rules": []}
]}' "...one object: added and removed, each {address, host, rules}"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(len(d["added"]) != 1 or len(d["removed"]) != 2)' "$T/out"
ok $? "...that a JSON parser reads"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --json --dns-server "$DNS_SERVER" \
    --lock "$L" "$P" >"$T/out" 2>/dev/null
is "$?:$(cat "$T/out")" '0:{"added": [], "removed": []}' \
    "--json, nothing changed: exit 0 and empty arrays"

# --keep-days: 198.18.0.99 was seen three days before; resolve would keep it.
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --keep-days 5 \
    --dns-server "$DNS_SERVER" --lock "$T/drift.lock" "$P" >"$T/out" \
    2>/dev/null
is "$?:$(cat "$T/out")" "1:+ 198.18.0.11  heygen-api,livekit  api.heygen.com
- 198.18.9.9  (no rule)  zz.heygen.com" \
    "--keep-days 5: an address seen within 5 days is no difference"

SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --dns-server "$DNS_SERVER" \
    --lock "$T/new.lock" "$P" >"$T/out" 2>/dev/null
is "$?:$(grep -c '^+ ' "$T/out")" 1:12 \
    "no lock yet: every address is added"
[ ! -e "$T/new.lock" ]
ok $? "...and none is written"

printf 'egressc-lock: 1\nhosts: {}\n' >"$T/e.lock"
SOURCE_DATE_EPOCH=$T2 "$EG" resolve --check --dns-server "$DNS_SERVER" \
    --timeout 200 --tries 1 --lock "$T/e.lock" tests/resolve/errors.yaml \
    >"$T/out" 2>"$T/err"
is $? 3 "DNS failures: exit 3"
is "$(diags "$T/err" | grep -c ': error: ')" 3 "...one error per failed host"
is "$(cat "$T/out")" "+ 198.18.0.10  heygen-api  api.heygen.com
+ 198.18.0.11  heygen-api  api.heygen.com
+ 2001:2::10  heygen-api  api.heygen.com" \
    "...and the difference of the hosts that resolved"

"$EG" resolve --json --lock "$L" "$P" 2>"$T/err"
is $? 2 "--json without --check: usage error"
grep -q "egressc: --json goes with --check" "$T/err"
ok $? "...saying so"
done_testing
