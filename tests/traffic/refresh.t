#!/bin/sh
# egressc refresh for real: the client namespace has the policy applied,
# its lock holding one address per family for api.heygen.com; an upstream
# dnsmasq in the server namespace answers with more, and its answers change
# between two refreshes (a hosts file, reloaded on SIGHUP).  Each refresh
# (refresh --netns, so DNS is asked from inside the client) must open the
# addresses DNS added (traffic through the lab), send only the elements
# that changed (counted from --verbose), give them the answer's TTL, and
# leave the rules and floor sets byte-identical (nft list chain, nft list
# set).  A refresh with nothing new sends nothing; a dead DNS server is
# exit 3; a table that is not loaded is exit 3.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
. "$ROOT/tests/lib/refresh.sh"
ns_gate cc dnsmasq
ns_init

ns_lab_up tcp/443

rf_upstream
ok $? "the upstream dnsmasq started"
rf_policy
"$EG" apply --netns "$NS_C" "$T/rf.yaml" 2>"$T/err"
ok $? "apply the policy in the client namespace" || sed 's/^/# /' "$T/err"

# The rules and floor sets as text: what refresh must not change.
rules()
{
	ip netns exec "$NS_C" nft list chain inet rf output
	ip netns exec "$NS_C" nft list set inet rf heygen-api_f4
	ip netns exec "$NS_C" nft list set inet rf heygen-api_f6
}
# refresh LABEL: --verbose; the elements sent in $T/sent, the summary in
# $T/sum.
refresh()
{
	"$EG" refresh --netns "$NS_C" --dns-server "$LAB_DNS" --verbose \
	    "$T/rf.yaml" >"$T/rf.out" 2>"$T/err"
	_rc=$?
	grep '^add element ' "$T/rf.out" >"$T/sent"
	grep -v '^add element ' "$T/rf.out" >"$T/sum"
	return $_rc
}

rules >"$T/rules.0"
is "$(rf_probe 198.18.0.10 2001:2::10 198.18.0.13 2001:2::13)" \
    "198.18.0.10 open 2001:2::10 open 198.18.0.13 dropped 2001:2::13 dropped " \
    "before a refresh: the floor only"

refresh
ok $? "refresh 1: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add element inet rf heygen-api_d4 { 198.18.0.13 timeout 300s };add element inet rf heygen-api_d6 { 2001:2::13 timeout 300s };" \
    "refresh 1 sends the two new addresses, with the answer's TTL, and nothing the floor holds"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 2 unchanged" "refresh 1: its summary"
is "$(rf_probe 198.18.0.13 2001:2::13 198.18.0.99)" \
    "198.18.0.13 open 2001:2::13 open 198.18.0.99 dropped " \
    "the new addresses open, an address DNS never gave stays dropped"
ip netns exec "$NS_C" nft list set inet rf heygen-api_d4 |
    grep -q '198.18.0.13 timeout 5m expires'
ok $? "the element carries its own timeout"

# DNS moves on: .13 stays, .14 comes.
rf_answers "198.18.0.10 api.heygen.com" "2001:2::10 api.heygen.com" \
    "198.18.0.13 api.heygen.com" "2001:2::13 api.heygen.com" \
    "198.18.0.14 api.heygen.com" "2001:2::14 api.heygen.com"
ok $? "the upstream read its new answers"
refresh
ok $? "refresh 2: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add element inet rf heygen-api_d4 { 198.18.0.14 timeout 300s };add element inet rf heygen-api_d6 { 2001:2::14 timeout 300s };" \
    "refresh 2 sends only what changed"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 4 unchanged" "refresh 2: its summary"
is "$(rf_probe 198.18.0.14 2001:2::14 198.18.0.13)" \
    "198.18.0.14 open 2001:2::14 open 198.18.0.13 open " \
    "the addresses of both refreshes open"

refresh
ok $? "refresh 3: exit 0"
is "$(wc -l <"$T/sent" | tr -d ' ')" 0 "refresh 3, nothing new: no element sent"
is "$(cat "$T/sum")" "+0 addresses in 0 sets, 6 unchanged" "refresh 3: its summary"

rules >"$T/rules.1"
cmp -s "$T/rules.0" "$T/rules.1"
ok $? "the rules and floor sets are byte-identical after the refreshes" ||
    diff "$T/rules.0" "$T/rules.1" | sed 's/^/# /' | head -10

# A DNS server that answers nothing: exit 3, nothing sent.
"$EG" refresh --netns "$NS_C" --dns-server 198.18.0.54 --timeout 300 \
    --tries 1 "$T/rf.yaml" >"$T/out" 2>"$T/err"
is $? 3 "a dead DNS server: exit 3"
# A namespace without the table: exit 3.
ns_add "egc-$$-e"
"$EG" refresh --netns "egc-$$-e" --dns-server "$LAB_DNS" "$T/rf.yaml" \
    >"$T/out" 2>"$T/err"
is $? 3 "no table loaded: exit 3"
grep -q 'table inet rf is not loaded' "$T/err"
ok $? "...saying the table is not loaded" || sed 's/^/# /' "$T/err"
done_testing
