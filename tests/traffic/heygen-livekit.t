#!/bin/sh
# Real packets against the rules.  A client and a server namespace joined
# by veth; the server holds the addresses a dnsmasq test zone gives the
# hosts of a HeyGen/LiveKit-shaped policy (tests/lib/netns.sh), listeners
# on the ports the policy opens and on ports that must stay closed.
# `egressc resolve --dns-server` fills the lock through that dnsmasq, then
# the policy is loaded into the client three ways: `egressc apply`, `nft -f`
# of the nftables text, iptables-restore/ip6tables-restore of the iptables
# text; each with every tier and with --tier minimum.  Every allowed
# (address, protocol, port) must answer (TCP handshake and data back, UDP
# echo back: return traffic works), everything else must be dropped, in
# IPv4 and IPv6, and nothing inbound may open (server -> client fails).
# The observed matrix is printed as TAP comments at the end.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc dnsmasq iptables-restore ip6tables-restore ipset
ns_init

TIMEOUT=1500	# ms per probe; all probes of a round run at once

ns_probe_build
ok $? "build the probe program" || { done_testing; exit 1; }
ns_lab
ok $? "client and server namespaces joined by veth" || { done_testing; exit 1; }
ns_dns
ok $? "dnsmasq answers the test zone in the server namespace"
ns_listen "$NS_S" tcp/443 tcp/7881 tcp/22 tcp/8443 udp/3478 udp/50000 \
    udp/55000 udp/60000 udp/49999 udp/60001
ok $? "listeners in the server namespace"
ns_listen "$NS_C" tcp/8080 udp/8081
ok $? "listeners in the client namespace (for the inbound checks)"
ns_lab_policy

# Resolve through dnsmasq, the real path.
ip netns exec "$NS_C" "$EG" resolve --dns-server "$LAB_DNS" "$T/lab.yaml" \
    >"$T/err" 2>&1
if ! ok $? "egressc resolve --dns-server $LAB_DNS writes lab.lock"; then
	sed 's/^/# /' "$T/err" | head -5
	note "falling back to a lock written by the test"
	ns_lab_lock "$T/lab.lock"
fi
grep -q '198.18.0.13' "$T/lab.lock" && grep -q '2001:2::14' "$T/lab.lock"
ok $? "the lock holds the zone's answers (A and AAAA, catalog hosts)"

# label proto port v4 v6 expected(all tiers) expected(--tier minimum)
cat >"$T/targets" <<EOF
heygen-api tcp 443 198.18.0.10 2001:2::10 open open
livekit-signaling tcp 443 198.18.0.11 2001:2::11 open open
livekit-signaling:region tcp 443 198.18.0.13 2001:2::13 open open
livekit-turn-tls tcp 443 198.18.0.12 2001:2::12 open open
livekit-turn-tls:region tcp 443 198.18.0.14 2001:2::14 open open
livekit-turn-udp udp 3478 $LAB_TURN4 $LAB_TURN6 open open
webrtc-media:low udp 50000 198.18.0.10 2001:2::10 open dropped
webrtc-media:mid udp 55000 198.18.0.11 2001:2::11 open dropped
webrtc-media:high,unnamed udp 60000 $LAB_OTHER4 $LAB_OTHER6 open dropped
webrtc-tcp:unnamed tcp 7881 $LAB_OTHER4 $LAB_OTHER6 open dropped
closed:ssh tcp 22 198.18.0.10 2001:2::10 dropped dropped
closed:8443 tcp 8443 198.18.0.10 2001:2::10 dropped dropped
closed:below-media udp 49999 198.18.0.10 2001:2::10 dropped dropped
closed:above-media udp 60001 198.18.0.10 2001:2::10 dropped dropped
closed:443-unnamed tcp 443 $LAB_OTHER4 $LAB_OTHER6 dropped dropped
closed:3478-not-turn udp 3478 198.18.0.10 2001:2::10 dropped dropped
EOF

# probe ROUND: every target from the client, and the inbound checks from
# the server, at once.  Results: "ROUND FAM LABEL PROTO/PORT STATE".
probe()
{
	awk '{print $2, $4, $3; print $2, $5, $3}' "$T/targets" |
	    ip netns exec "$NS_C" "$NLPROBE" probe "$TIMEOUT" >"$T/out.c" &
	_pc=$!
	printf '%s\n' "tcp $LAB_C4 8080" "udp $LAB_C4 8081" \
	    "tcp $LAB_C6 8080" "udp $LAB_C6 8081" |
	    ip netns exec "$NS_S" "$NLPROBE" probe "$TIMEOUT" >"$T/out.s"
	wait "$_pc"
	awk -v r="$1" 'NR == FNR { lab[$2 " " $4 " " $3] = $1;
	    lab[$2 " " $5 " " $3] = $1; next }
	    { fam = index($2, ":") ? "v6" : "v4";
	      print r, fam, lab[$1 " " $2 " " $3], $1 "/" $3, $4 }' \
	    "$T/targets" "$T/out.c" >>"$T/results"
	awk -v r="$1" '{ fam = index($2, ":") ? "v6" : "v4";
	    print r, fam, "inbound", $1 "/" $3, $4 }' "$T/out.s" >>"$T/results"
}

# check ROUND TIERCOL: one TAP line per family for the targets, one for
# inbound: a connection opened from outside must fail (the output path
# refuses to send its replies, see ir_closes_inbound).
check()
{
	for fam in v4 v6; do
		awk -v r="$1" -v f="$fam" -v t="$2" '
		    NR == FNR { want[$1] = $t; next }
		    $1 == r && $2 == f && $3 != "inbound" {
			if ($5 != want[$3]) {
				print $3, $4, "got", $5, "want", want[$3]
			}
		    }' "$T/targets" "$T/results" >"$T/bad"
		[ ! -s "$T/bad" ]
		ok $? "$1 $fam: allowed targets answer, the others are dropped"
		sed 's/^/#   /' "$T/bad"
		awk -v r="$1" -v f="$fam" '$1 == r && $2 == f &&
		    $3 == "inbound" && $5 == "open" { print $4, "open" }' \
		    "$T/results" >"$T/bad"
		[ ! -s "$T/bad" ]
		ok $? "$1 $fam: nothing inbound opens (server -> client fails)"
		sed 's/^/#   /' "$T/bad"
	done
}

# No rules, and no neighbour entries left from the round before: a real
# client's entries expire, and then neighbour discovery must get through.
flush()
{
	ip -n "$NS_C" neigh flush all 2>/dev/null
	ip -n "$NS_S" neigh flush all 2>/dev/null
	ip netns exec "$NS_C" nft flush ruleset
	for _i in iptables ip6tables; do
		ip netns exec "$NS_C" "$_i" -F 2>/dev/null
		ip netns exec "$NS_C" "$_i" -X 2>/dev/null
	done
	ip netns exec "$NS_C" ipset destroy 2>/dev/null
}

: >"$T/results"
# Without a firewall every listener answers: the lab itself works.
probe none
awk '$1 == "none" && $5 != "open"' "$T/results" >"$T/bad"
[ ! -s "$T/bad" ]
ok $? "without a firewall every listener answers, IPv4 and IPv6, both ways"
sed 's/^/#   /' "$T/bad"

for tier in all minimum; do
	if [ "$tier" = all ]; then
		tieropt=""
		col=6
	else
		tieropt="--tier minimum"
		col=7
	fi

	flush
	# shellcheck disable=SC2086
	"$EG" apply --netns "$NS_C" $tieropt "$T/lab.yaml" 2>"$T/err"
	ok $? "apply --netns ($tier)" || sed 's/^/# /' "$T/err" | head -5
	probe "apply/$tier"
	check "apply/$tier" "$col"
	if [ "$tier" = all ]; then
		# The dns rule lets the client resolve through the firewall.
		ip netns exec "$NS_C" "$EG" resolve --dns-server "$LAB_DNS" \
		    --lock "$T/again.lock" "$T/lab.yaml" >/dev/null 2>&1
		ok $? "apply/$tier: egressc resolve still works through the dns rule"
	fi

	flush
	# shellcheck disable=SC2086
	"$EG" compile -t nftables $tieropt "$T/lab.yaml" >"$T/lab.nft" \
	    2>"$T/err" && ip netns exec "$NS_C" nft -f "$T/lab.nft" 2>>"$T/err"
	ok $? "nft -f of the nftables text ($tier)" ||
	    sed 's/^/# /' "$T/err" | head -5
	probe "nft-f/$tier"
	check "nft-f/$tier" "$col"

	flush
	rm -rf "$T/ipt"
	# shellcheck disable=SC2086
	"$EG" compile -t iptables -o "$T/ipt" $tieropt "$T/lab.yaml" \
	    2>"$T/err" &&
	    ip netns exec "$NS_C" sh "$ROOT/tests/lib/ipt-load.sh" "$T/ipt" lab \
	    2>>"$T/err"
	ok $? "ipset restore, iptables-restore and ip6tables-restore --noflush of the iptables text ($tier)" ||
	    sed 's/^/# /' "$T/err" | head -5
	probe "iptables/$tier"
	check "iptables/$tier" "$col"
done
flush

# The matrix: one row per target and family, one column per round.
note ""
note "Observed traffic matrix (client -> server; inbound: server -> client)."
note "open = connected/echoed, dropped = no answer, refused = RST/ICMP."
awk '
{ key = $3 " " $4 " " $2; if (!(key in seen)) { seen[key] = 1; rows[++n] = key }
  if (!($1 in cseen)) { cseen[$1] = 1; cols[++m] = $1 }
  v[key, $1] = $5 }
END {
  line = sprintf("# %-42s", "target proto/port family")
  for (j = 1; j <= m; j++) line = line sprintf(" %-13s", cols[j])
  sub(/ +$/, "", line); print line
  for (i = 1; i <= n; i++) {
    line = sprintf("# %-42s", rows[i])
    for (j = 1; j <= m; j++) line = line sprintf(" %-13s", v[rows[i], cols[j]])
    sub(/ +$/, "", line); print line
  }
}' "$T/results"

done_testing
