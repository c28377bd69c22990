#!/bin/sh
# apply is all or nothing.  A batch the kernel rejects part-way leaves the
# ruleset byte-identical (`nft list ruleset` before and after), and the
# error names the policy rule that caused it, at its line in the policy.
# The rejection is provoked with the test-only hook EGRESSC_NL_FAIL_RULE=N
# (a rule's 1-based index or name; that rule then looks up a set that does
# not exist).  Also: without CAP_NET_ADMIN apply fails with exit 3 and a
# clear message, and changes nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate setpriv
ns_init

NS=egc-$$-a
ns_add "$NS" || { ok 1 "ip netns add $NS"; done_testing; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
mixed=$ROOT/tests/policies/mixed.yaml
heygen=$ROOT/policies/heygen-livekit.yaml
hlock=$ROOT/policies/heygen-livekit.example.lock

# Something to keep: the mixed table, and a table egressc knows nothing of.
nsx "$EG" apply --force --lock "${mixed%.yaml}.lock" "$mixed" 2>/dev/null
ok $? "apply mixed"
nsx nft add table ip other
nsx nft add chain ip other c '{ type filter hook input priority 0; }'
nsx nft add rule ip other c tcp dport 22 counter accept
nsx nft list ruleset >"$T/before"

# A new table whose fourth rule the kernel refuses.
EGRESSC_NL_FAIL_RULE=heygen-api nsx "$EG" apply --force --lock "$hlock" "$heygen" \
    >/dev/null 2>"$T/err"
is "$?" 3 "a rejected batch: exit 3"
sed 's/^/# /' "$T/err" | head -4
line=$(grep -n 'name: heygen-api' "$heygen" | cut -d: -f1)
grep -q "^$heygen:$line:[0-9]*: error: the kernel rejected rule 'heygen-api'" "$T/err"
ok $? "the error is at rule heygen-api's line ($line) in the policy"
grep -q 'nothing was changed' "$T/err"
ok $? "and says nothing was changed"
nsx nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "nft list ruleset is byte-identical after the rejected batch"

# Replacing an existing table: the old one must survive a failure.
EGRESSC_NL_FAIL_RULE=6 nsx "$EG" apply --force --lock "${mixed%.yaml}.lock" \
    "$mixed" >/dev/null 2>"$T/err"
is "$?" 3 "a rejected replacement of table mixed: exit 3"
sed 's/^/# /' "$T/err" | head -2
grep -q "mixed.yaml:[0-9]*:[0-9]*: error: the kernel rejected rule 'ntp'" "$T/err"
ok $? "the error names rule 6 (ntp)"
nsx nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "the old table is still there, byte-identical"

# The first rule and the last one: no off-by-one in the mapping.
for r in block-bad all-to-host; do
	EGRESSC_NL_FAIL_RULE=$r nsx "$EG" apply --force --lock "${mixed%.yaml}.lock" \
	    "$mixed" >/dev/null 2>"$T/err"
	grep -q "error: the kernel rejected rule '$r'" "$T/err"
	ok $? "a failure at rule $r is reported at $r"
done
nsx nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "still byte-identical"

# No CAP_NET_ADMIN: exit 3, a clear message, nothing changed.
nsx setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
    "$EG" apply --force --lock "$hlock" "$heygen" >/dev/null 2>"$T/err"
is "$?" 3 "apply without CAP_NET_ADMIN: exit 3"
sed 's/^/# /' "$T/err" | head -2
grep -q 'CAP_NET_ADMIN' "$T/err"
ok $? "the message says CAP_NET_ADMIN is needed"
nsx nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "nothing changed"

# A lock of example (documentation) addresses is refused without --force,
# with a message that says what to run, and the kernel is left alone.
nsx "$EG" apply --lock "$hlock" "$heygen" >/dev/null 2>"$T/err"
is "$?" 2 "apply of an example lock without --force: exit 2"
grep -q "holds example addresses.*run 'egressc resolve $heygen'.*--force" "$T/err"
ok $? "...saying to resolve, or --force"
nsx nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "...and nothing changed"

# And a good batch still goes through afterwards.
nsx "$EG" apply --force --lock "$hlock" "$heygen" 2>/dev/null
ok $? "apply heygen-livekit without the hook"
nsx nft list tables | grep -q 'table inet heygen-livekit'
ok $? "its table is there"

done_testing
