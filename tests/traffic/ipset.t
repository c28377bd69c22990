#!/bin/sh
# The iptables target beside other tools' rules: a client namespace whose
# filter table already holds a Docker-like chain jumped to from OUTPUT and
# a fail2ban-like one from INPUT gets NAME.ipset (ipset restore) and
# NAME.rules.v4 / .v6 (iptables-restore --noflush) and the jumps their
# header gives, twice.  The foreign rules must all still be there, OUTPUT
# must jump to egressc's chain exactly once, the sets must hold the lock's
# addresses (floor, hash:net) and keep what was added to the dynamic set
# (hash:ip, timeout) across the reload; on the wire an address of a floor
# set opens a TCP connection and one in no set is dropped.  A new lock
# replaces a floor set's elements; --flush-dynamic empties the dynamic one.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc ipset iptables-restore ip6tables-restore iptables-save
ns_init

ns_lab_up tcp/443

C="ip netns exec $NS_C"
# What other tools keep in the filter table.
foreign()
{
	$C iptables -N DOCKER-USER &&
	    $C iptables -A DOCKER-USER -d 198.18.1.7 -j RETURN &&
	    $C iptables -A OUTPUT -j DOCKER-USER &&
	    $C iptables -N f2b-sshd &&
	    $C iptables -A f2b-sshd -s 203.0.113.9 -j REJECT &&
	    $C iptables -A f2b-sshd -j RETURN &&
	    $C iptables -I INPUT 1 -p tcp --dport 22 -j f2b-sshd &&
	    $C ip6tables -N DOCKER-USER &&
	    $C ip6tables -A OUTPUT -j DOCKER-USER &&
	    $C ipset create other-tool hash:ip
}
foreign_rules()
{
	$C iptables-save -t filter | grep -v '^#' |
	    grep -e DOCKER-USER -e f2b-sshd | grep -v '^:'
	$C ip6tables-save -t filter | grep -v '^#' | grep DOCKER-USER |
	    grep -v '^:'
	$C ipset list -n | grep other-tool
}
foreign
ok $? "foreign chains, rules and a set in the client namespace"
foreign_rules >"$T/foreign.0"

cat >"$T/ips.yaml" <<EOF2
egressc: 1
name: ips
default: deny
dynamic: {timeout: 1h, min-ttl: 60s, max-ttl: 1h}
rules:
  - name: web
    to: [api.heygen.com]
    ports: [tcp/443]
  - name: many
    to: [198.18.0.11, 198.18.0.13, 198.18.0.33, 198.18.0.53, "2001:2::11",
         "2001:2::13", "2001:2::33"]
    ports: [tcp/443]
EOF2
lock()
{
	printf 'egressc-lock: 1\nhosts:\n  api.heygen.com:\n    a: [%s]\n' "$1"
	printf '    aaaa: ["%s"]\n    ttl: 300\n' "$2"
}
lock 198.18.0.10 2001:2::10 >"$T/ips.lock"
"$EG" compile -t iptables -o "$T/out" --lock "$T/ips.lock" "$T/ips.yaml" \
    2>"$T/err"
ok $? "compile -t iptables" || sed 's/^/# /' "$T/err" | head -5
load()
{
	$C sh "$ROOT/tests/lib/ipt-load.sh" "$T/out" ips 2>"$T/err"
}
load
ok $? "load 1: ipset restore, iptables-restore --noflush, the jumps" ||
    sed 's/^/# /' "$T/err" | head -5
# An address DNS gave later, as egressc refresh would add it.
$C ipset add ips.web_d4 198.18.0.14 timeout 600 &&
    $C ipset add ips.web_d6 2001:2::14 timeout 600
ok $? "an address in each dynamic set"
load
ok $? "load 2: the same again" || sed 's/^/# /' "$T/err" | head -5

foreign_rules >"$T/foreign.1"
cmp -s "$T/foreign.0" "$T/foreign.1"
ok $? "the foreign chains, rules and set are all still there" ||
    diff "$T/foreign.0" "$T/foreign.1" | sed 's/^/# /'
is "$($C iptables-save -t filter | grep -c '^-A OUTPUT -j EGRESSC-IPS$')" 1 \
    "OUTPUT jumps to EGRESSC-IPS exactly once (v4)"
is "$($C ip6tables-save -t filter | grep -c '^-A OUTPUT -j EGRESSC-IPS$')" 1 \
    "... and exactly once (v6)"
is "$($C iptables-save -t filter | grep '^-A OUTPUT' | head -1)" \
    "-A OUTPUT -j EGRESSC-IPS" "egressc's jump comes first in OUTPUT"
is "$($C iptables-save -t filter | grep -c '^-A EGRESSC-IPS ')" \
    "$(grep -c '^-A EGRESSC-IPS ' "$T/out/ips.rules.v4")" \
    "the chain holds the file's rules once, not twice"
is "$($C iptables -S OUTPUT | grep -c -- '-P OUTPUT ACCEPT')" 1 \
    "OUTPUT's policy is left as it was"

members()
{
	$C ipset list -o save "$1" | sed -n "s/^add $1 \([^ ]*\).*/\1/p" |
	    sort | tr '\n' ' '
}
is "$(members ips.web_f4)" "198.18.0.10 " "web's IPv4 floor set holds the lock's address"
is "$(members ips.web_f6)" "2001:2::10 " "web's IPv6 floor set holds the lock's address"
is "$(members ips.many_f4)" "198.18.0.11 198.18.0.13 198.18.0.33 198.18.0.53 " \
    "an address-only rule of 4 IPv4 prefixes has a floor set of them"
is "$($C ipset list -n | grep -c '^ips\.many_[^f]')" 0 "...and no dynamic set"
is "$($C ipset list -n | grep -c '^ips\.many_f6')" 0 \
    "...and its 3 IPv6 addresses no set, a line each"
is "$(members ips.web_d4)" "198.18.0.14 " "the reload kept the dynamic set's element"
$C ipset list -o save ips.web_d4 | grep -q '^create ips.web_d4 hash:ip family inet .*timeout 3600'
ok $? "the dynamic set is hash:ip with the policy's timeout"
is "$($C ipset list -n | grep -c '_n[46]$')" 0 "no swap twin is left behind"

probe()
{
	for _a in "$@"; do
		echo "tcp $_a 443"
	done | $C "$NLPROBE" probe 1500 | awk '{print $2, $4}' | tr '\n' ' '
}
is "$(probe 198.18.0.10 2001:2::10 198.18.0.33 2001:2::33)" \
    "198.18.0.10 open 2001:2::10 open 198.18.0.33 open 2001:2::33 open " \
    "addresses of the floor sets (and of a line) open"
is "$(probe 198.18.0.14 2001:2::14)" "198.18.0.14 open 2001:2::14 open " \
    "addresses of the dynamic sets open"
is "$(probe "$LAB_OTHER4" "$LAB_OTHER6")" \
    "$LAB_OTHER4 dropped $LAB_OTHER6 dropped " \
    "an address in no set is dropped (the chain's default deny)"

# The lock moves: the floor follows, the dynamic set keeps its element.
lock 198.18.0.12 2001:2::12 >"$T/ips.lock"
"$EG" compile -t iptables -o "$T/out" --lock "$T/ips.lock" "$T/ips.yaml" \
    2>"$T/err" && load
ok $? "compile and load with a new lock" || sed 's/^/# /' "$T/err" | head -5
is "$(members ips.web_f4)" "198.18.0.12 " "the floor set holds the new lock's address only"
is "$(members ips.web_d4)" "198.18.0.14 " "the dynamic set still holds its element"
is "$(probe 198.18.0.10)" "198.18.0.10 dropped " "the old floor address is dropped now"

"$EG" compile -t iptables --flush-dynamic -o "$T/out" --lock "$T/ips.lock" \
    "$T/ips.yaml" 2>"$T/err" && load
ok $? "compile --flush-dynamic and load" || sed 's/^/# /' "$T/err" | head -5
is "$(members ips.web_d4)" "" "--flush-dynamic: the reload empties the dynamic set"
foreign_rules >"$T/foreign.2"
cmp -s "$T/foreign.0" "$T/foreign.2"
ok $? "the foreign rules are still all there"
done_testing
