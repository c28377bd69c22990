#!/bin/sh
# Merged runs of the iptables target on the wire: a policy whose allow
# rules make two runs around a deny rule, loaded into the client namespace
# (ipset restore, iptables-restore --noflush, the jumps; twice, as a reload
# does), must admit exactly what the rules admit: each rule's ports to its
# own addresses (TCP and UDP, IPv4 and IPv6), never one rule's port to
# another rule's address, and the deny rule must still win over the
# later run that also names its address (first match).  Each run is one
# line matching a hash:net,port set dst,dst; with merge: false the same
# probes give the same answers and no such set is made.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc ipset iptables-restore ip6tables-restore iptables-save
ns_init

ns_probe_build
ok $? "build the probe program" || { done_testing; exit 1; }
ns_lab
ok $? "client and server namespaces joined by veth" || { done_testing; exit 1; }
ns_listen "$NS_S" tcp/443 tcp/7881 udp/3478
ok $? "listeners on tcp/443, tcp/7881 and udp/3478 in the server namespace"

C="ip netns exec $NS_C"
policy()	# policy MERGE
{
	cat <<EOF
egressc: 1
name: mg
default: deny
targets: {iptables: {merge: $1}}
rules:
  - name: web
    to: [198.18.0.10, "2001:2::10"]
    ports: [tcp/443]
  - name: media
    to: [198.18.0.11, "2001:2::11"]
    ports: [udp/3478, tcp/7881]
  - name: block
    action: deny
    to: [198.18.0.12]
  - name: late
    to: [198.18.0.12, 198.18.0.13]
    ports: [tcp/443]
  - name: turn
    to: [198.18.0.33]
    ports: [tcp/443, udp/3478]
EOF
}
probe()
{
	printf '%s\n' "$@" | $C "$NLPROBE" probe 1500 |
	    awk '{print $1 "/" $2 "/" $3, $4}' | tr '\n' ' '
}
PROBES="tcp 198.18.0.10 443
tcp 198.18.0.10 7881
udp 198.18.0.10 3478
udp 198.18.0.11 3478
tcp 198.18.0.11 7881
tcp 198.18.0.11 443
tcp 198.18.0.12 443
tcp 198.18.0.13 443
tcp 198.18.0.33 443
udp 198.18.0.33 3478
tcp 198.18.0.99 443
tcp 2001:2::10 443
udp 2001:2::10 3478
udp 2001:2::11 3478
tcp 2001:2::11 7881
tcp 2001:2::11 443
tcp 2001:2::99 443"
WANT="tcp/198.18.0.10/443 open tcp/198.18.0.10/7881 dropped udp/198.18.0.10/3478 dropped \
udp/198.18.0.11/3478 open tcp/198.18.0.11/7881 open tcp/198.18.0.11/443 dropped \
tcp/198.18.0.12/443 dropped tcp/198.18.0.13/443 open tcp/198.18.0.33/443 open \
udp/198.18.0.33/3478 open tcp/198.18.0.99/443 dropped tcp/2001:2::10/443 open \
udp/2001:2::10/3478 dropped udp/2001:2::11/3478 open tcp/2001:2::11/7881 open \
tcp/2001:2::11/443 dropped tcp/2001:2::99/443 dropped "

policy true >"$T/mg.yaml"
"$EG" compile -t iptables -o "$T/out" "$T/mg.yaml" 2>"$T/err"
ok $? "compile -t iptables (merge: true)" || sed 's/^/# /' "$T/err"
is "$(grep -c 'dst,dst' "$T/out/mg.rules.v4")" 2 \
    "IPv4: two runs, a line each (web+media, late+turn)"
is "$(grep -c 'dst,dst' "$T/out/mg.rules.v6")" 1 \
    "IPv6: one run (web+media; the rest has no IPv6 address)"
for i in 1 2; do
	$C sh "$ROOT/tests/lib/ipt-load.sh" "$T/out" mg 2>"$T/err"
	ok $? "load $i: ipset restore, iptables-restore --noflush, the jumps" ||
	    sed 's/^/# /' "$T/err" | head -5
done
is "$($C ipset list mg.web_m4 | sed -n 's/^Type: //p')" "hash:net,port" \
    "the run's set is hash:net,port"
is "$($C ipset list -o save mg.web_m4 | grep -c '^add ')" 3 \
    "...of the run's three (address, protocol, port) elements"
is "$($C iptables-save -t filter | grep -c -- '--match-set mg.late_m4 dst,dst')" 1 \
    "the kernel holds the second run's line once after two loads"
is "$(probe "$PROBES")" "$WANT" \
    "merged: each rule's ports to its own addresses; the deny still decides 198.18.0.12"

# The same policy unmerged, loaded over it (a reload after the option
# changed): the same answers.
policy false >"$T/mg.yaml"
"$EG" compile -t iptables -o "$T/out2" "$T/mg.yaml" 2>"$T/err"
ok $? "compile -t iptables (merge: false)" || sed 's/^/# /' "$T/err"
is "$(cat "$T/out2/mg.rules.v4" "$T/out2/mg.ipset" | grep -v '^#' |
    grep -c 'dst,dst\|_m4\|_m6')" 0 "merge: false: no run set, no dst,dst line"
$C sh "$ROOT/tests/lib/ipt-load.sh" "$T/out2" mg 2>"$T/err"
ok $? "load the unmerged files over the merged ones" ||
    sed 's/^/# /' "$T/err" | head -5
is "$($C iptables-save -t filter | grep -c 'dst,dst')" 0 \
    "...which flush the chain of its run lines"
is "$(probe "$PROBES")" "$WANT" "unmerged: the same answers"
done_testing
