#!/bin/sh
# egressc refresh -t iptables for real: the client namespace has the
# iptables target's files loaded (ipset restore, iptables-restore
# --noflush, the jumps), its lock holding one address per family for
# api.heygen.com; an upstream dnsmasq in the server namespace answers with
# more, and then more again (a hosts file, reloaded on SIGHUP).  Each
# refresh (--netns, so DNS is asked from inside the client) must open the
# addresses DNS added (traffic through the lab), send only what changed
# (the `add ... -exist` lines of --verbose), give them the answer's TTL,
# and leave the rules and floor sets as they were (iptables-save, ipset
# list).  A refresh with nothing new sends nothing; a namespace without
# the sets is exit 3.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
. "$ROOT/tests/lib/refresh.sh"
ns_gate cc dnsmasq ipset iptables-restore ip6tables-restore iptables-save
ns_init

ns_lab_up tcp/443

rf_upstream
ok $? "the upstream dnsmasq started"
rf_policy
C="ip netns exec $NS_C"
"$EG" compile -t iptables -o "$T/out" "$T/rf.yaml" 2>"$T/err" &&
    $C sh "$ROOT/tests/lib/ipt-load.sh" "$T/out" rf 2>>"$T/err"
ok $? "compile -t iptables and load it in the client namespace" ||
    sed 's/^/# /' "$T/err"

# The rules and floor sets as text: what refresh must not change.
rules()
{
	$C iptables-save -t filter | grep -v '^#' | sed 's/\[[0-9:]*\]//'
	$C ip6tables-save -t filter | grep -v '^#' | sed 's/\[[0-9:]*\]//'
	$C ipset list -o save rf.heygen-api_f4
	$C ipset list -o save rf.heygen-api_f6
}
refresh()
{
	"$EG" refresh -t iptables --netns "$NS_C" --dns-server "$LAB_DNS" \
	    --verbose "$T/rf.yaml" >"$T/rf.out" 2>"$T/err"
	_rc=$?
	grep '^add ' "$T/rf.out" >"$T/sent"
	grep -v '^add ' "$T/rf.out" >"$T/sum"
	return $_rc
}

rules >"$T/rules.0"
is "$(rf_probe 198.18.0.10 2001:2::10 198.18.0.13 2001:2::13)" \
    "198.18.0.10 open 2001:2::10 open 198.18.0.13 dropped 2001:2::13 dropped " \
    "before a refresh: the floor only"

refresh
ok $? "refresh 1: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add rf.heygen-api_d4 198.18.0.13 timeout 300 -exist;add rf.heygen-api_d6 2001:2::13 timeout 300 -exist;" \
    "refresh 1 sends the two new addresses, with the answer's TTL, and nothing the floor holds"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 2 unchanged" "refresh 1: its summary"
is "$(rf_probe 198.18.0.13 2001:2::13 198.18.0.99)" \
    "198.18.0.13 open 2001:2::13 open 198.18.0.99 dropped " \
    "the new addresses open, an address DNS never gave stays dropped"
$C ipset list -o save rf.heygen-api_d4 |
    grep -Eq '^add rf.heygen-api_d4 198.18.0.13 timeout (29[0-9]|300)$'
ok $? "the element carries the answer's TTL as its timeout"

rf_answers "198.18.0.10 api.heygen.com" "2001:2::10 api.heygen.com" \
    "198.18.0.13 api.heygen.com" "2001:2::13 api.heygen.com" \
    "198.18.0.14 api.heygen.com" "2001:2::14 api.heygen.com"
ok $? "the upstream read its new answers"
refresh
ok $? "refresh 2: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add rf.heygen-api_d4 198.18.0.14 timeout 300 -exist;add rf.heygen-api_d6 2001:2::14 timeout 300 -exist;" \
    "refresh 2 sends only what changed"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 4 unchanged" "refresh 2: its summary"
is "$(rf_probe 198.18.0.14 2001:2::14 198.18.0.13)" \
    "198.18.0.14 open 2001:2::14 open 198.18.0.13 open " \
    "the addresses of both refreshes open"

refresh
ok $? "refresh 3: exit 0"
is "$(wc -l <"$T/sent" | tr -d ' ')" 0 "refresh 3, nothing new: no element sent"
is "$(cat "$T/sum")" "+0 addresses in 0 sets, 6 unchanged" "refresh 3: its summary"

# An element about to expire is sent again, with the full timeout.
$C ipset add rf.heygen-api_d4 198.18.0.13 timeout 30 -exist
refresh
is "$(cat "$T/sent")" "add rf.heygen-api_d4 198.18.0.13 timeout 300 -exist" \
    "an element with little time left gets the answer's TTL again"
$C ipset list -o save rf.heygen-api_d4 |
    grep -Eq '^add rf.heygen-api_d4 198.18.0.13 timeout (29[0-9]|300)$'
ok $? "...and the kernel's element has it"

rules >"$T/rules.1"
cmp -s "$T/rules.0" "$T/rules.1"
ok $? "the rules and floor sets are the same after the refreshes" ||
    diff "$T/rules.0" "$T/rules.1" | sed 's/^/# /' | head -10

"$EG" refresh -t iptables --netns "$NS_C" --dns-server "$LAB_DNS" --dry-run \
    "$T/rf.yaml" >"$T/out.dry" 2>"$T/err"
ok $? "--dry-run: exit 0"
ns_add "egc-$$-e"
"$EG" refresh -t iptables --netns "egc-$$-e" --dns-server "$LAB_DNS" \
    "$T/rf.yaml" >"$T/o.txt" 2>"$T/err"
is $? 3 "no sets loaded: exit 3"
grep -q "ipset restore < rf.ipset" "$T/err"
ok $? "...saying to load rf.ipset" || sed 's/^/# /' "$T/err"
"$EG" refresh -t netsh "$T/rf.yaml" >"$T/o.txt" 2>"$T/err"
is $? 2 "refresh -t netsh: bad input, exit 2"
done_testing
