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
ns_gate cc dnsmasq ipset iptables-restore ip6tables-restore iptables-save
DM=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
ns_init

ns_probe_build
ok $? "build the probe program" || { done_testing; exit 1; }
ns_lab
ok $? "client and server namespaces joined by veth" || { done_testing; exit 1; }
ns_listen "$NS_S" tcp/443
ok $? "a listener on tcp/443 in the server namespace"

chmod 711 "$T"
printf '%s\n' "198.18.0.10 api.heygen.com" "2001:2::10 api.heygen.com" \
    "198.18.0.13 api.heygen.com" "2001:2::13 api.heygen.com" >"$T/up.hosts"
chmod 644 "$T/up.hosts"
ip netns exec "$NS_S" "$DM" --keep-in-foreground --no-resolv --no-hosts \
    --bind-interfaces --listen-address="$LAB_DNS" --port=53 \
    --addn-hosts="$T/up.hosts" --local-ttl=300 --pid-file="$T/up.pid" \
    --log-facility=- --conf-file=/dev/null >"$T/up.log" 2>&1 &
NS_PIDS="$NS_PIDS $!"
for i in $(seq 1 50); do
	grep -q started "$T/up.log" 2>/dev/null && break
	sleep 0.1
done
grep -q started "$T/up.log"
ok $? "the upstream dnsmasq started" || sed 's/^/# /' "$T/up.log"

cat >"$T/rf.yaml" <<EOF
egressc: 1
name: rf
default: deny
dynamic: {timeout: 1h, min-ttl: 60s, max-ttl: 1h}
rules:
  - name: dns
    to: [$LAB_DNS]
    ports: [udp/53, tcp/53]
  - name: heygen-api
    to: [api.heygen.com]
    ports: [tcp/443]
EOF
cat >"$T/rf.lock" <<EOF
egressc-lock: 1
hosts:
  api.heygen.com:
    a: [198.18.0.10]
    aaaa: ["2001:2::10"]
    ttl: 300
EOF
C="ip netns exec $NS_C"
"$EG" compile -t iptables -o "$T/out" "$T/rf.yaml" 2>"$T/err" &&
    $C sh "$ROOT/tests/lib/ipt-load.sh" "$T/out" rf 2>>"$T/err"
ok $? "compile -t iptables and load it in the client namespace" ||
    sed 's/^/# /' "$T/err"

probe()
{
	for _a in "$@"; do
		echo "tcp $_a 443"
	done | $C "$NLPROBE" probe 1500 | awk '{print $2, $4}' | tr '\n' ' '
}
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
is "$(probe 198.18.0.10 2001:2::10 198.18.0.13 2001:2::13)" \
    "198.18.0.10 open 2001:2::10 open 198.18.0.13 dropped 2001:2::13 dropped " \
    "before a refresh: the floor only"

refresh
ok $? "refresh 1: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add rf.heygen-api_d4 198.18.0.13 timeout 300 -exist;add rf.heygen-api_d6 2001:2::13 timeout 300 -exist;" \
    "refresh 1 sends the two new addresses, with the answer's TTL, and nothing the floor holds"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 2 unchanged" "refresh 1: its summary"
is "$(probe 198.18.0.13 2001:2::13 198.18.0.99)" \
    "198.18.0.13 open 2001:2::13 open 198.18.0.99 dropped " \
    "the new addresses open, an address DNS never gave stays dropped"
$C ipset list -o save rf.heygen-api_d4 |
    grep -Eq '^add rf.heygen-api_d4 198.18.0.13 timeout (29[0-9]|300)$'
ok $? "the element carries the answer's TTL as its timeout"

printf '%s\n' "198.18.0.14 api.heygen.com" "2001:2::14 api.heygen.com" \
    >>"$T/up.hosts"
n=$(grep -c "read $T/up.hosts" "$T/up.log")
kill -HUP "$(cat "$T/up.pid")"
for i in $(seq 1 100); do
	[ "$(grep -c "read $T/up.hosts" "$T/up.log")" -gt "$n" ] && break
	sleep 0.05
done
grep "read $T/up.hosts" "$T/up.log" | tail -1 | grep -q -- '- 6 names'
ok $? "the upstream read its new answers"
refresh
ok $? "refresh 2: exit 0" || sed 's/^/# /' "$T/err"
is "$(sort "$T/sent" | tr '\n' ';')" \
    "add rf.heygen-api_d4 198.18.0.14 timeout 300 -exist;add rf.heygen-api_d6 2001:2::14 timeout 300 -exist;" \
    "refresh 2 sends only what changed"
is "$(cat "$T/sum")" "+2 addresses in 2 sets, 4 unchanged" "refresh 2: its summary"
is "$(probe 198.18.0.14 2001:2::14 198.18.0.13)" \
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
