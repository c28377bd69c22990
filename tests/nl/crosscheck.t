#!/bin/sh
# The two ways of loading a policy leave the same ruleset in the kernel:
# `egressc apply` (libnftnl objects, one netlink batch) in one fresh network
# namespace, `nft -f` of `egressc compile -t nftables` in another, and
# `nft -j list table inet T` of both must be the same JSON once rule
# handles are removed.  Every test policy under tests/ and policies/ is
# tried, with each of its tiers, plus edge cases written here (sets that
# run to the top of the address or port space, prefixes that are not
# byte-aligned, ICMP types and codes (one type and code nft loads as
# one), protocol numbers with 0, sctp ports, reject without a family, a
# regular chain, target options, a set too big for one netlink message,
# a policy with no rules at all), runs of rules merged into concatenated
# interval sets (overlapping rules, both families, port ranges, every
# port, reject, a run too big for one netlink message) and the same with
# targets.nftables.merge: false.
# Also: --dry-run prints the batch and changes nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate
ns_init

mkdir -p "$T/p"
cat >"$T/p/edge.yaml" <<'EOF'
egressc: 1
name: edge
default: deny
targets:
  nftables: {table: edge_t, chain: out2}
rules:
  - name: top-single
    to: [255.255.255.0/24]
    ports: [udp/60000-65535]
  - name: top-set
    to: [10.0.0.1, 255.255.255.0/24, 0.0.0.0/8]
    ports: [udp/1, udp/60000-65535, tcp/65535]
  - name: short
    to: [128.0.0.0/1, "8000::/1"]
    ports: [tcp]
  - name: v6only
    to: ["2001:db8::1", "2001:db8::2", "2001:db8::3"]
    ports: [icmpv6/1-4]
    action: deny
  - name: odd6
    to: ["2001:db8::/65", "2001:db8:1::/64"]
    action: reject
  - name: icmps
    to: [any]
    ports: [icmp/0, icmp/8, icmpv6/128, icmpv6/133, udp/53]
  - name: icmpall
    to: [192.0.2.1]
    ports: [icmp, icmpv6]
  - name: from-v6
    from: ["2001:db8:5::/48"]
    to: ["2001:db8:6::1"]
    ports: [udp/5000-5010]
  - name: protos
    to: [192.0.2.2, "2001:db8::2"]
    ports: [proto/0, gre, ah, proto/255, sctp/1-2, sctp/65535, icmp/3/0-4,
            icmp/3/13, icmp/5/1, icmp/0-2, icmpv6/1/4, icmpv6/2/0]
  - name: code-one
    to: [any]
    ports: [icmp/3/4, icmp/11/0, icmp/12/0, icmpv6/echo-request/0]
  - name: rej-any
    to: [any]
    action: reject
    log: true
EOF
cat >"$T/p/none.yaml" <<'EOF'
egressc: 1
name: none
default: none
rules:
  - name: a
    to: [192.0.2.1, "2001:db8::/32"]
    ports: [tcp/443]
    action: deny
  - name: b
    to: [any]
    ports: [udp/3478]
EOF
cat >"$T/p/runs.yaml" <<'EOF'
egressc: 1
name: runs
default: deny
rules:
  - name: r1
    to: [10.0.0.0/8, "2001:db8::/32"]
    ports: [tcp/80, tcp/443, udp/53]
  - name: r2
    to: [10.1.0.0/16]
    ports: [tcp/1-1000, sctp/2905]
  - name: r3
    to: [10.1.2.0/29, 192.0.2.0/28]
    ports: [tcp]
  - name: any-https
    to: [any]
    ports: [tcp/443, udp/443]
  - name: ping
    to: [10.0.0.1]
    ports: [icmp/8]
  - name: rej1
    to: [198.51.100.0/24]
    ports: [tcp/25]
    action: reject
  - name: rej2
    to: ["2001:db8:1::/48"]
    ports: [tcp/25, udp/1000-2000]
    action: reject
EOF
sed 's/^name: runs$/name: runsoff\ntargets:\n  nftables: {merge: false}/' \
    "$T/p/runs.yaml" >"$T/p/runsoff.yaml"
"$PY" -c '
print("egressc: 1\nname: bigrun\ndefault: deny\nrules:")
for i in range(300):
    print("  - name: r%d\n    to: [10.%d.%d.0/24]\n    ports: [tcp/%d, udp/%d-%d]"
        % (i, i // 200, i % 200, 1000 + i, 2000 + i, 2100 + i))' \
    >"$T/p/bigrun.yaml"
printf 'egressc: 1\nname: lockdown\n' >"$T/p/lockdown.yaml"
"$PY" -c '
print("egressc: 1\nname: big\ndefault: accept\nrules:\n  - name: many")
print("    to: [" + ", ".join("10.%d.%d.1" % (i // 200, i % 200)
    for i in range(1200)) + "]")
print("    ports: [tcp/443]\n    action: deny")' >"$T/p/big.yaml"

# POLICY LOCK-OPTION for every policy to try.
policies()
{
	for p in "$ROOT"/tests/policies/*.yaml "$ROOT"/policies/*.yaml \
	    "$T"/p/*.yaml; do
		[ -f "$p" ] || continue
		b=${p%.yaml}
		if [ -f "$b.example.lock" ]; then
			echo "$p --lock $b.example.lock"
		elif [ -f "$b.lock" ]; then
			echo "$p --lock $b.lock"
		else
			echo "$p"
		fi
	done
}

policies >"$T/list"
while read -r pol lockopt; do
	name=$(basename "$pol" .yaml)
	tiers=$(grep -E '^ +tier: ' "$pol" | awk '{print $2}' | sort -u)
	for tier in "" $tiers; do
		tieropt=""
		label=$name
		if [ -n "$tier" ]; then
			tieropt="--tier $tier"
			label="$name --tier $tier"
		fi
		# shellcheck disable=SC2086
		"$EG" compile -t nftables $lockopt $tieropt "$pol" \
		    >"$T/text.nft" 2>"$T/err"
		if ! ok $? "$label: compiles to nftables text"; then
			sed 's/^/# /' "$T/err" | head -5
			continue
		fi
		table=$(grep -m1 '^table inet ' "$T/text.nft" | awk '{print $3}')
		case $name in
		runs|bigrun)
			grep -q '^		ip daddr . meta l4proto . th dport @run_1_v4 ' \
			    "$T/text.nft"
			ok $? "$label: runs of rules are set lookups" ;;
		runsoff)
			! grep -q '@run_' "$T/text.nft"
			ok $? "$label: merge: false: no set lookups" ;;
		esac
		# shellcheck disable=SC2086
		unshare -n sh -c "\"\$0\" apply --force $lockopt $tieropt \"\$1\" &&
		    nft -j list table inet \"\$2\"" "$EG" "$pol" "$table" \
		    >"$T/apply.json" 2>"$T/err"
		ok $? "$label: egressc apply loads table inet $table" ||
		    sed 's/^/# /' "$T/err" | head -5
		unshare -n sh -c 'nft -f "$0" && nft -j list table inet "$1"' \
		    "$T/text.nft" "$table" >"$T/nft.json" 2>"$T/err"
		ok $? "$label: nft -f loads the text" ||
		    sed 's/^/# /' "$T/err" | head -5
		ns_json_norm <"$T/apply.json" >"$T/a"
		ns_json_norm <"$T/nft.json" >"$T/b"
		if [ -s "$T/a" ] && cmp -s "$T/a" "$T/b"; then
			ok 0 "$label: nft -j list is the same both ways ($(wc -l <"$T/a") objects)"
		else
			ok 1 "$label: nft -j list is the same both ways"
			diff "$T/b" "$T/a" | head -10 | cut -c1-300 | sed "s/^/# /"
		fi
	done
done <"$T/list"

# --dry-run: the batch on stdout, nothing in the kernel.
pol=$ROOT/tests/policies/mixed.yaml
unshare -n sh -c '"$0" apply --dry-run --lock "$1" "$2" >"$3" &&
    nft list ruleset' "$EG" "${pol%.yaml}.lock" "$pol" "$T/dry" \
    >"$T/after" 2>"$T/err"
ok $? "--dry-run succeeds"
is "$(cat "$T/after")" "" "--dry-run leaves the ruleset empty"
grep -q '^add rule inet mixed output ip saddr' "$T/dry" &&
    grep -q '^add table inet mixed' "$T/dry" &&
    grep -q 'lookup reg 1 set __set%d' "$T/dry"
ok $? "--dry-run lists the table, the rules and their expressions"
# Without CAP_NET_ADMIN the dry run still works: nothing is sent.
setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
    "$EG" apply --dry-run --lock "${pol%.yaml}.lock" "$pol" >/dev/null 2>&1
ok $? "--dry-run needs no CAP_NET_ADMIN"

done_testing
