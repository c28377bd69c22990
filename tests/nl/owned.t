#!/bin/sh
# apply onto a table another process owns (nft's flags owner, held by a
# live nft -i): exit 3 and the ruleset untouched, and one message that says
# the table is owned, not one EPERM per message blaming each policy rule.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate mkfifo
ns_init

NS=egc-$$-o
ns_add "$NS" || { ok 1 "ip netns add $NS"; done_testing; exit 1; }
mixed=$ROOT/tests/policies/mixed.yaml
name=$(sed -n 's/^name: //p' "$mixed")

# nft -i reads commands from a FIFO this shell keeps open: the table lives
# as long as that nft does.
mkfifo "$T/cmd"
ip netns exec "$NS" nft -i <"$T/cmd" >/dev/null 2>&1 &
NS_PIDS="$NS_PIDS $!"
exec 7>"$T/cmd"
echo "add table inet $name { flags owner; }" >&7
for i in $(seq 1 50); do
	ip netns exec "$NS" nft list table inet "$name" >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec "$NS" nft list table inet "$name" 2>/dev/null | grep -q owner
ok $? "a live nft -i owns table inet $name"
ip netns exec "$NS" nft list ruleset >"$T/before"

"$EG" apply --force --netns "$NS" --lock "${mixed%.yaml}.lock" "$mixed" \
    >/dev/null 2>"$T/err"
is "$?" 3 "apply onto the owned table: exit 3"
is "$(grep -c 'error:' "$T/err")" 1 "...one error"
grep -qxF "egressc: error: cannot load table inet $name: another process owns it (flags owner) and only it may change it; nothing was changed" \
    "$T/err"
ok $? "...saying the table is owned" || sed 's/^/# /' "$T/err" | head -3
ip netns exec "$NS" nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after"
ok $? "...and the ruleset is as it was"
exec 7>&-
done_testing
