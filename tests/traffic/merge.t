#!/bin/sh
# Runs of rules merged into set lookups decide as the rules did, on the
# wire: a run of rejects answers at once, a run of allows opens what each
# of its rules opens and nothing else, and first match is kept where a
# rule of another verdict stands between two allows (198.18.0.11 port 80
# is denied although a later allow of the /24 would take it).  IPv4 and
# IPv6, loaded by `egressc apply` and by `nft -f` of the text, and the
# same with targets.nftables.merge: false.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc
ns_init

ns_probe_build && ns_lab
ok $? "client and server namespaces" || { done_testing; exit 1; }
ns_listen "$NS_S" tcp/80 tcp/443 tcp/5002 tcp/5003 tcp/5004 tcp/8443 \
    udp/5001
ok $? "listeners in the server namespace"

cat >"$T/runs.yaml" <<EOF2
egressc: 1
name: runs
default: deny
rules:
  - name: rej1
    to: [$LAB_OTHER4]
    ports: [tcp/443]
    action: reject
  - name: rej2
    to: ["$LAB_OTHER6"]
    ports: [tcp/443, udp/5001]
    action: reject
  - name: a443
    to: [198.18.0.11]
    ports: [tcp/443]
  - name: deny-11
    to: [198.18.0.11]
    ports: [tcp/1-1000]
    action: deny
  - name: a80
    to: [198.18.0.0/24]
    ports: [tcp/80, tcp/443]
  - name: dns
    to: [198.18.0.12, "2001:2::12"]
    ports: [udp/5001, tcp/5002-5003]
  - name: turn
    to: [$LAB_TURN4, "$LAB_TURN6"]
    ports: [tcp/8443]
EOF2
sed 's/^name: runs$/name: runs\ntargets:\n  nftables: {merge: false}/' \
    "$T/runs.yaml" >"$T/off.yaml"

# proto addr port expected
cat >"$T/want" <<EOF2
tcp $LAB_OTHER4 443 refused
tcp $LAB_OTHER6 443 refused
udp $LAB_OTHER6 5001 refused
tcp $LAB_OTHER4 80 open
udp $LAB_OTHER4 5001 dropped
tcp 198.18.0.11 443 open
tcp 198.18.0.11 80 dropped
tcp 198.18.0.10 80 open
tcp 198.18.0.13 443 open
tcp 2001:2::10 80 dropped
tcp 198.18.0.12 5002 open
tcp 198.18.0.12 5003 open
tcp 198.18.0.12 5004 dropped
udp 198.18.0.12 5001 open
udp 2001:2::12 5001 open
tcp 2001:2::12 5003 open
tcp 2001:2::12 5004 dropped
tcp $LAB_TURN4 8443 open
tcp $LAB_TURN6 8443 open
tcp $LAB_TURN6 443 dropped
EOF2

for pol in runs off; do
	for how in apply nft-f; do
		label="$pol, $how"
		ip netns exec "$NS_C" nft flush ruleset
		ip -n "$NS_C" neigh flush all
		if [ "$how" = apply ]; then
			"$EG" apply --netns "$NS_C" "$T/$pol.yaml" 2>"$T/err"
		else
			"$EG" compile -t nftables "$T/$pol.yaml" >"$T/$pol.nft" \
			    2>"$T/err" && ip netns exec "$NS_C" nft -f \
			    "$T/$pol.nft" 2>>"$T/err"
		fi
		ok $? "$label: loaded" || sed 's/^/# /' "$T/err" | head -3
		ip netns exec "$NS_C" nft list chain inet runs output \
		    >"$T/chain"
		n=$(grep -c '@run_' "$T/chain")
		if [ "$pol" = runs ]; then
			# rej1 and rej2 (one per family), then a80, dns, turn.
			is "$n" 4 "$label: two runs, four lookups"
			grep -q 'ip daddr . meta l4proto . th dport @run_1_v4 reject' \
			    "$T/chain" && grep -q \
			    'ip daddr 198.18.0.11 tcp dport 1-1000 drop' "$T/chain"
			ok $? "$label: the rejects merged; deny-11 stands apart"
		else
			is "$n" 0 "$label: merge: false: no lookups"
		fi
		# 4 s: see reject.t (a local reject's error reaches connect()
		# only with the SYN retransmitted after 1 s).
		cut -d' ' -f1-3 "$T/want" |
		    ip netns exec "$NS_C" "$NLPROBE" probe 4000 >"$T/got"
		while read -r p a port want; do
			got=$(grep "^$p $a $port " "$T/got" | cut -d' ' -f4)
			is "$got" "$want" "$label: $p $a $port is $want"
		done <"$T/want"
	done
done

done_testing
