#!/bin/sh
# The shared-address audit: a denied host with an address an earlier
# allowed host also has (and an allowed host after a denied one) is a
# warning from resolve and from lint, at the later host, naming both hosts
# and both rules, with a note at the earlier rule; a rule that meets no
# packet of the other (another port) is quiet.  resolve --strict makes it
# an error: exit 2, nothing written.  resolve --ptr records each address's
# PTR names in the lock (a load balancer's own name shows), and the
# messages name them.  lint shows the finding as kind shared-address in
# text, json and sarif, and --strict exits 1.
. "$(dirname "$0")/../lib/tap.sh"
set -- --host-record=shared.heygen.com,198.18.0.10 \
    --host-record=shared.heygen.com,198.18.7.7 \
    --host-record=deny.heygen.com,198.18.7.8 \
    --host-record=later.heygen.com,198.18.7.8,2001:2::7:8 \
    --host-record=later.heygen.com,198.18.7.9 \
    --ptr-record=10.0.18.198.in-addr.arpa,lb-1.cloud.test \
    --local=/18.198.in-addr.arpa/ --local=/2.0.0.0.1.0.0.2.ip6.arpa/
. "$ROOT/tests/resolve/dns.sh"

P=tests/resolve/shared.yaml
L=$T/shared.lock
deny_msg="$P:11:10: warning: host 'shared.heygen.com' (rule 'block-shared', deny) shares address 198.18.0.10 with host 'api.heygen.com' (rule 'heygen-api', allow), which comes first: the deny cannot hold there"
deny_note="$P:7:10: note: rule 'heygen-api' (allow) names host 'api.heygen.com' here, at the same address"
allow_msg="$P:22:10: warning: host 'later.heygen.com' (rule 'allow-later', allow) shares address 198.18.7.8 with host 'deny.heygen.com' (rule 'deny-first', deny), which comes first: the allow cannot hold there"
allow_note="$P:19:10: note: rule 'deny-first' (deny) names host 'deny.heygen.com' here, at the same address"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" --lock "$L" \
    "$P" 2>"$T/err"
okd $? "shared addresses are warnings: exit 0" "$T/err"
is "$(diags "$T/err")" "$deny_msg
$deny_note
$allow_msg
$allow_note" "each at the later host, a note at the earlier rule; udp/53 quiet"
grep -q '^    ptr:' "$L"
is $? 1 "no --ptr: no ptr: in the lock"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --strict --dns-server "$DNS_SERVER" \
    --lock "$T/strict.lock" "$P" 2>"$T/err"
is $? 2 "resolve --strict: exit 2"
is "$(diags "$T/err" | grep -c ': error: host .* shares address')" 2 \
    "...the two findings are errors"
[ ! -e "$T/strict.lock" ]
ok $? "...and no lock is written"

SOURCE_DATE_EPOCH=$T1 "$EG" resolve --ptr --dns-server "$DNS_SERVER" \
    --lock "$L" "$P" 2>"$T/err"
okd $? "resolve --ptr" "$T/err"
sed -n '/^  api.heygen.com:/,/^  [a-z]/p' "$L" | sed -n '/^    ptr:/,$p' \
    >"$T/ptr"
is "$(cat "$T/ptr")" '    ptr:
      198.18.0.10: [lb-1.cloud.test]
      198.18.0.11: [api.heygen.com]
      "2001:2::10": [api.heygen.com]
  deny.heygen.com:' "ptr: per address, the load balancer's own name at 198.18.0.10"
is "$(diags "$T/err" | sed -n 1p)" \
    "$(echo "$deny_msg" | sed 's/198.18.0.10 with/198.18.0.10 (PTR lb-1.cloud.test) with/')" \
    "...and the warning names it"
cp "$L" "$T/keep.lock"
SOURCE_DATE_EPOCH=$T1 "$EG" resolve --dns-server "$DNS_SERVER" \
    --lock "$T/keep.lock" "$P" 2>/dev/null
cmp -s "$L" "$T/keep.lock"
ok $? "a resolve without --ptr keeps the ptr: it had"

SOURCE_DATE_EPOCH=$T1 "$EG" lint --lock "$L" "$P" 2>"$T/err"
is $? 0 "lint: findings are warnings"
is "$(diags "$T/err")" "$(echo "$deny_msg" | sed 's/198.18.0.10 with/198.18.0.10 (PTR lb-1.cloud.test) with/')
$deny_note
$(echo "$allow_msg" | sed 's/198.18.7.8 with/198.18.7.8 (PTR deny.heygen.com) with/')
$allow_note" "lint: the same findings, with PTR names from the lock"
SOURCE_DATE_EPOCH=$T1 "$EG" lint --strict --lock "$L" "$P" 2>/dev/null
is $? 1 "lint --strict: exit 1"
SOURCE_DATE_EPOCH=$T1 "$EG" lint --format json --lock "$L" "$P" >"$T/j" 2>/dev/null
/usr/bin/python3 - "$T/j" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
s = [x for x in f if x["kind"] == "shared-address"]
assert len(s) == 2, f
assert s[0]["rule"] == "block-shared" and s[0]["location"]["line"] == 11
assert s[0]["related"][0]["location"]["line"] == 7
assert "PTR lb-1.cloud.test" in s[0]["message"]
PY
ok $? "lint --format json: kind shared-address, at the host, related at the rule"
SOURCE_DATE_EPOCH=$T1 "$EG" lint --format sarif --lock "$L" "$P" >"$T/s" 2>/dev/null
/usr/bin/python3 - "$T/s" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert "shared-address" in ids, ids
res = [r for r in run["results"] if r["ruleId"] == "shared-address"]
assert len(res) == 2 and res[1]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 19, res
PY
ok $? "lint --format sarif: rule shared-address and its results"
done_testing
