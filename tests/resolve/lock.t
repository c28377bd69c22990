#!/bin/sh
# egressc resolve against dnsmasq writes the expected lock byte for byte
# (several addresses, IPv6, a CNAME chain, AAAA only; made: and by: the
# server), moves only last-seen and made: on a later refresh, changes no
# byte with --no-stamp, keeps dropped addresses for --keep-days, and the
# same lock compiles to the same bytes.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/resolve/dns.sh"

P=tests/resolve/zone.yaml
L=$T/zone.lock
want=$T/zone.lock.expected
expected tests/resolve/zone.lock.expected >"$want"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>"$T/err"
ok $? "resolve exits 0"
cmp -s "$want" "$L"
ok $? "the lock is byte for byte tests/resolve/zone.lock.expected"
cmp -s "$want" "$L" || diff -u "$want" "$L" | head -20 | sed 's/^/# /'
is "$(cat "$T/err")" "" "nothing on stderr (not a terminal: no progress)"

SOURCE_DATE_EPOCH=$T2 "$EG" resolve --no-stamp --dns-server "$DNS_SERVER" \
    --lock "$L" "$P" 2>/dev/null
ok $? "resolve --no-stamp, three days later"
cmp -s "$want" "$L"
ok $? "--no-stamp: not one byte changed"

SOURCE_DATE_EPOCH=$T2 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>/dev/null
ok $? "resolve three days later"
sed -e 's/last-seen: 2026-11-24T16:00:00Z/last-seen: 2026-11-27T16:00:00Z/' \
    -e 's/, 2026-11-24T16:00:00Z\]/, 2026-11-27T16:00:00Z]/' \
    -e 's/^made: 2026-11-24T16:00:00Z$/made: 2026-11-27T16:00:00Z/' "$want" \
    >"$T/later"
cmp -s "$T/later" "$L"
ok $? "only last-seen and made: moved"

# A second resolve from nothing gives the same bytes again.
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" \
    --concurrency 1 --lock "$T/again.lock" "$P" 2>/dev/null
cmp -s "$want" "$T/again.lock"
ok $? "a second resolve (one query at a time) gives identical bytes"

# Two servers, the first an IPv6 one nobody answers on: the second answers,
# and the first is named once.
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "[::1]:1" \
    --dns-server "$DNS_SERVER" --timeout 300 --lock "$T/two.lock" "$P" \
    2>"$T/err"
ok $? "--dns-server [::1]:1 --dns-server $DNS_SERVER: exit 0"
cmp -s "$want" "$T/two.lock"
ok $? "the second server's answers: the same lock, by: the second alone"
is "$(diags "$T/err")" "egressc: warning: DNS server [::1]:1 answered none of its 12 queries (host 'api.heygen.com': no usable answer: the DNS server failed (SERVFAIL), refused the query or could not be reached); the other servers' answers are used" \
    "one warning names the server that answered nothing"

# Same lock, same output.
"$EG" compile -t nftables,iptables -o "$T/o1" --lock "$L" "$P" 2>/dev/null
ok $? "compile with the resolved lock"
"$EG" compile -t nftables,iptables -o "$T/o2" --lock "$T/again.lock" "$P" \
    2>/dev/null
cmp -s "$T/o1/zone.nft" "$T/o2/zone.nft" &&
    cmp -s "$T/o1/zone.rules.v4" "$T/o2/zone.rules.v4"
ok $? "two compiles of two resolves: identical bytes"
grep -q '198.18.0.20/31' "$T/o1/zone.nft"
ok $? "the CNAME chain's final addresses are in the ruleset"

# --keep-days: 198.18.0.99 left the answer; it was last seen four days
# before T1.
cat >"$T/old.lock" <<'LOCK'
egressc-lock: 1
hosts:
  api.heygen.com:
    a: [198.18.0.10, 198.18.0.11, 198.18.0.99]
    aaaa: ["2001:2::10"]
    ttl: 17
    first-seen: 2026-11-01T00:00:00Z
    last-seen: 2026-11-20T00:00:00Z
LOCK
cp "$T/old.lock" "$T/k.lock"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --keep-days 5 --dns-server "$DNS_SERVER" \
    --lock "$T/k.lock" "$P" 2>/dev/null
ok $? "resolve --keep-days 5"
grep -q '      198.18.0.99: \[2026-11-01T00:00:00Z, 2026-11-20T00:00:00Z\]' \
    "$T/k.lock"
ok $? "an address seen 4 days ago is kept, its stamps untouched"
grep -q '      198.18.0.10: \[2026-11-01T00:00:00Z, 2026-11-24T16:00:00Z\]' \
    "$T/k.lock"
ok $? "first-seen survives the refresh, last-seen moves"
cp "$T/old.lock" "$T/k.lock"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --keep-days 3 --dns-server "$DNS_SERVER" \
    --lock "$T/k.lock" "$P" 2>/dev/null
ok $? "resolve --keep-days 3"
! grep -q '198.18.0.99' "$T/k.lock"
ok $? "an address seen 4 days ago is dropped"

# compile --resolve: one step.
SOURCE_DATE_EPOCH=$T1 "$EG" compile --resolve --dns-server "$DNS_SERVER" \
    --lock "$T/cr.lock" -t nftables "$P" >"$T/cr.nft" 2>/dev/null
ok $? "compile --resolve"
cmp -s "$want" "$T/cr.lock" && cmp -s "$T/o1/zone.nft" "$T/cr.nft"
ok $? "writes the same lock and the same ruleset"
done_testing
