#!/bin/sh
# Floor and dynamic sets in the kernel (tests/policies/dyn-sets.yaml):
#
#   - a reload keeps what the dynamic sets hold, whichever way the table
#     was loaded and is reloaded (nft -f of the file, apply), and verify
#     does not count their elements;
#   - --flush-dynamic (compile's file, apply) empties them;
#   - apply deletes the chains and named sets the policy does not have
#     (a verdict map that jumps to a stale chain included); a new
#     dynamic: timeout reaches the loaded sets, elements kept, by nft -f
#     and by apply, and verify tells a set's timeout from the policy's;
#   - verify reports a floor set that lost an element;
#   - apply --confirm's rollback puts the dynamic sets back as they were
#     saved (an element added during the guard is gone, one from before is
#     back with a timeout);
#   - --dry-run shows the keeping batch.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate timeout
ns_init

NS=egc-$$-d
ns_add "$NS" || { ok 1 "ip netns add $NS"; done_testing; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
P=$ROOT/tests/policies/dyn-sets.yaml
L=$ROOT/tests/policies/dyn-sets.lock
EGRESSC_RUNDIR=$T/run
export EGRESSC_RUNDIR
eg() { timeout 120 "$EG" "$@"; }
elems() { nsx nft list set inet dyn-sets "$1" 2>/dev/null; }
has() { elems "$1" | grep -q "$2"; }
add() { nsx nft add element inet dyn-sets "$1" "{ $2 }"; }

eg compile -t nftables --lock "$L" "$P" >"$T/keep.nft" 2>/dev/null
ok $? "compile"
eg compile -t nftables --flush-dynamic --lock "$L" "$P" >"$T/flush.nft" \
    2>/dev/null
ok $? "compile --flush-dynamic"
grep -q '^delete table inet dyn-sets$' "$T/flush.nft" &&
    ! grep -q '^delete table' "$T/keep.nft" &&
    grep -q '^flush table inet dyn-sets$' "$T/keep.nft"
ok $? "the keeping file flushes, the --flush-dynamic file deletes the table"

# Reloads keep the dynamic sets.
nsx nft -f "$T/keep.nft"
ok $? "nft -f loads the file"
add zone_d4 198.51.100.7
add zone_d6 2001:db8:77::7
nsx nft -f "$T/keep.nft"
has zone_d4 198.51.100.7 && has zone_d6 2001:db8:77::7
ok $? "nft -f again: the dynamic sets keep their elements"
eg apply --force --netns "$NS" --lock "$L" "$P" 2>"$T/err"
ok $? "apply over it" || sed 's/^/# /' "$T/err"
has zone_d4 198.51.100.7 && has zone_d6 2001:db8:77::7
ok $? "...keeps them too"
has zone_f4 192.0.2.64/28
ok $? "...and the floor set is whole"
eg verify --netns "$NS" --lock "$L" "$P" >"$T/v" 2>&1
ok $? "verify: the same, whatever the dynamic sets hold" || sed 's/^/# /' "$T/v"
eg apply --force --netns "$NS" --lock "$L" "$P" 2>/dev/null &&
    nsx nft -f "$T/keep.nft"
has zone_d4 198.51.100.7
ok $? "apply then nft -f: still kept"

# --flush-dynamic empties them.
eg apply --force --flush-dynamic --netns "$NS" --lock "$L" "$P" 2>/dev/null
ok $? "apply --flush-dynamic"
! has zone_d4 198.51.100.7
ok $? "...empties the dynamic sets"
add zone_d4 198.51.100.7
nsx nft -f "$T/flush.nft"
! has zone_d4 198.51.100.7
ok $? "nft -f of the --flush-dynamic file empties them too"

# What the policy does not have goes; what it has stays.
add zone_d4 198.51.100.7
nsx nft -f - <<'EOF'
table inet dyn-sets {
	set leftover {
		type ipv4_addr
		elements = { 10.9.9.9 }
	}
	chain old {
		type filter hook output priority 10; policy drop;
		ip daddr @leftover drop
	}
	chain side {
		accept
	}
	map vm {
		type inet_service : verdict
		elements = { 22 : jump side }
	}
	chain output {
		tcp dport vmap @vm
	}
}
EOF
ok $? "stale chains, a set and a verdict map added to the table"
eg apply --force --netns "$NS" --lock "$L" "$P" 2>"$T/err"
ok $? "apply" || sed 's/^/# /' "$T/err"
nsx nft list table inet dyn-sets >"$T/now"
! grep -qE 'chain old|chain side|leftover|map vm|vmap' "$T/now"
ok $? "...deletes the chains, set and map the policy does not have"
has zone_d4 198.51.100.7
ok $? "...and still keeps the dynamic set's element"
eg verify --netns "$NS" --lock "$L" "$P" >"$T/v" 2>&1
ok $? "verify: the same" || sed 's/^/# /' "$T/v"

# A new timeout: nft -f and apply send it as NEWSET, which this kernel
# applies in place; the elements stay.
sed 's/timeout: 90m/timeout: 2h/' "$P" >"$T/dyn-sets.yaml"
mkdir -p "$T/catalogs"
cp "$ROOT/tests/policies/catalogs/dyn-zone.yaml" "$T/catalogs/"
eg compile -t nftables --lock "$L" "$T/dyn-sets.yaml" >"$T/2h.nft" 2>/dev/null
nsx nft -f "$T/2h.nft"
elems zone_d4 | grep -q '^		timeout 2h$' && has zone_d4 198.51.100.7
ok $? "nft -f with a new timeout: the set takes it and keeps its elements"
eg verify --netns "$NS" --lock "$L" "$P" >"$T/v" 2>&1
is $? 1 "verify against the old timeout: exit 1"
grep -q 'set zone_d4: timeout 7200s, the policy says 5400s' "$T/v"
ok $? "...naming the set and both timeouts" || sed 's/^/# /' "$T/v"
eg apply --force --netns "$NS" --lock "$L" "$P" 2>"$T/err"
ok $? "apply with the old timeout again"
elems zone_d4 | grep -q '^		timeout 1h30m$' && has zone_d4 198.51.100.7
ok $? "...the set takes it and keeps its elements"
eg verify --netns "$NS" --lock "$L" "$P" >"$T/v" 2>&1
ok $? "...and verify finds the policy's table" || sed 's/^/# /' "$T/v"

# A floor set that lost an element.
eg apply --force --netns "$NS" --lock "$L" "$P" 2>/dev/null
nsx nft delete element inet dyn-sets zone_f4 '{ 192.0.2.2 }'
eg verify --netns "$NS" --lock "$L" "$P" >"$T/v" 2>&1
is $? 1 "verify: a floor set that lost an element differs"
grep -q 'removed 192.0.2.2' "$T/v"
ok $? "...saying which" || sed 's/^/# /' "$T/v"

# The rollback of a guarded apply puts the dynamic sets back.
eg apply --force --netns "$NS" --lock "$L" "$P" 2>/dev/null
add zone_d4 "198.51.100.8 timeout 1h"
eg apply --force --netns "$NS" --confirm 3 --lock "$L" "$P" >"$T/out" 2>&1
ok $? "apply --confirm 3" || sed 's/^/# /' "$T/out"
has zone_d4 198.51.100.8
ok $? "...keeps the element from before"
add zone_d4 198.51.100.9
end=$(($(date +%s) + 90))
while has zone_d4 198.51.100.9 && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.2
done
! has zone_d4 198.51.100.9
ok $? "the rollback drops what was added during the guard"
elems zone_d4 | grep -q '198.51.100.8 timeout 1h expires'
ok $? "...and puts back the element from before, with its timeout"

# --dry-run: the keeping batch, nothing sent.
eg apply --dry-run --lock "$L" "$P" >"$T/dry" 2>/dev/null
grep -q '^flush table inet dyn-sets$' "$T/dry" &&
    grep -q '^add set inet dyn-sets zone_d4 { type ipv4_addr; flags timeout; timeout 5400s; }$' "$T/dry" &&
    grep -q '^flush set inet dyn-sets zone_f4$' "$T/dry"
ok $? "--dry-run shows the batch that keeps the dynamic sets" ||
    sed 's/^/# /' "$T/dry" | head -10
done_testing
