#!/bin/sh
# The kernel's own parsers accept what egressc writes: every golden case's
# nftables file through `nft -c -f` and its iptables files through
# `ipset restore` and then `iptables-restore --test` / `ip6tables-restore
# --test` (a rule's -m set needs its set in the kernel), each inside a
# fresh network namespace (unshare -n) so the host's rules are never read
# or touched.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/golden/cases.sh"

need unshare -n true
need unshare -n nft list ruleset
need unshare -n iptables-restore --version
need unshare -n ipset list

for dir in tests/golden/*/; do
	case=$(basename "$dir")
	set -- $(golden_case "$case")
	rm -rf "$T/out"
	"$EG" compile -t nftables,iptables -o "$T/out" --lock "$2" "$1" \
	    2>/dev/null
	ok $? "$case: compiles"
	unshare -n nft -c -f "$T/out/$case.nft" >"$T/err" 2>&1
	ok $? "$case: nft -c -f accepts $case.nft"
	sed 's/^/# /' "$T/err" | head -5
	o=$T/out/$case
	unshare -n sh -c "ipset restore <'$o.ipset' &&
	    iptables-restore --noflush --test '$o.rules.v4'" >"$T/err" 2>&1
	ok $? "$case: ipset restore, iptables-restore --noflush --test accept $case.ipset, $case.rules.v4"
	sed 's/^/# /' "$T/err" | head -5
	unshare -n sh -c "ipset restore <'$o.ipset' &&
	    ip6tables-restore --noflush --test '$o.rules.v6'" >"$T/err" 2>&1
	ok $? "$case: ... ip6tables-restore --noflush --test accepts $case.rules.v6"
	sed 's/^/# /' "$T/err" | head -5
	# Twice: the second load of the ipset file finds every set there.
	unshare -n sh -c "ipset restore <'$o.ipset' &&
	    ipset restore <'$o.ipset'" >"$T/err" 2>&1
	ok $? "$case: ipset restore of $case.ipset twice"
	sed 's/^/# /' "$T/err" | head -5
	# Loaded for real, the ruleset holds exactly the rules we wrote: a
	# comment that broke out of its quotes would add or lose a rule.
	want=$(grep -c '^		.* comment "' "$T/out/$case.nft")
	got=$(unshare -n sh -c "nft -f '$T/out/$case.nft' && nft list ruleset" |
	    grep -c ' comment "')
	is "$got" "$want" "$case: the kernel holds the $want commented rules written"
	want=$(( $(grep -c '^-A ' "$o.rules.v4") +
	    $(grep -c '^#     iptables -I ' "$o.rules.v4") ))
	got=$(unshare -n sh -c "sh '$ROOT/tests/lib/ipt-load.sh' '$T/out' '$case' &&
	    iptables-save -t filter" | grep -c '^-A ')
	is "$got" "$want" "$case: iptables holds the $want rules written and jumps (v4)"
done
done_testing
