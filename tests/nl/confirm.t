#!/bin/sh
# apply --confirm SECONDS puts the previous table back unless confirmed
# in time, from a watchdog that outlives the session that started it.
#
#   - over an nft -f ruleset (another table, and an earlier version of the
#     egressc table with a counter object, named sets, a set too big for
#     one netlink message, a verdict map, a dynamic set, a jump, counters
#     and comments), a guarded apply loads the new table, and once the
#     deadline has passed `nft list ruleset` is byte-identical to before;
#     the apply runs in a session of its own whose process group is hung
#     up and killed at once, as a dropped SSH connection's would be;
#   - confirmed in time (apply --confirmed), the new table stays past the
#     deadline, and the watchdog is gone;
#   - with no egressc table before, the rollback deletes the table and
#     leaves the other tables alone;
#   - a second apply while one is pending is refused (exit 2) and changes
#     nothing; --confirmed with nothing pending says so (exit 2); a batch
#     the kernel rejects (exit 3) leaves no state and no watchdog behind;
#     SIGTERM to the watchdog rolls back at once.
#
# The outcome of a deadline is polled for (up to POLL seconds): a loaded
# machine may be slow, and nothing here asserts how fast anything is.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate setsid timeout stat
ns_init

POLL=90
NS=egc-$$-k
ns_add "$NS" || { ok 1 "ip netns add $NS"; done_testing; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
pol=$ROOT/tests/policies/mixed.yaml
lock=$ROOT/tests/policies/mixed.lock
EGRESSC_RUNDIR=$T/run
export EGRESSC_RUNDIR
state() { ls "$T"/run/*-mixed.pending 2>/dev/null; }
eg() { timeout 120 "$EG" "$@"; }

# wait_for COMMAND...: poll until it succeeds; its status.
wait_for()
{
	_end=$(($(date +%s) + POLL))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
	return 0
}
same_as_before()
{
	nsx nft list ruleset >"$T/now" && cmp -s "$T/before" "$T/now"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
watchdog_pid() { sed -n 's/.*the watchdog (pid \([0-9]*\)).*/\1/p' "$1"; }

# The first ruleset: another table first, then an earlier version of
# table inet mixed (apply, like nft -f of the compiled file, deletes and
# adds the table, which puts it after the others: so is it here).
{
	cat <<'EOF'
table ip other {
	chain c {
		type filter hook input priority 0; policy accept;
		tcp dport 22 counter accept
	}
}
table inet mixed {
	counter hits {
		packets 3 bytes 120
	}
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.0.2.1, 198.51.100.0/24 }
	}
	set ports {
		type inet_service
		elements = { 80, 443 }
		comment "web ports"
	}
	set dyn {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1h
	}
	map vm {
		type inet_service : verdict
		elements = { 22 : jump side, 23 : drop }
	}
	chain side {
		ip daddr @allowed tcp dport @ports counter name "hits" accept
	}
	chain output {
		type filter hook output priority filter; policy drop;
		ct state established,related accept
		oif "lo" accept
		ip daddr { 192.0.2.53, 192.0.2.54 } udp dport 53 accept comment "dns"
		tcp dport { 25, 465, 587 } reject
		tcp dport vmap @vm
		update @dyn { ip daddr }
		jump side
		ip6 daddr 2001:db8::/32 counter packets 5 bytes 300 drop comment "old"
		ip daddr @big counter drop
	}
EOF
	printf '\tset big {\n\t\ttype ipv4_addr\n\t\telements = { '
	seq 1 6000 | awk '{ printf("%s10.%d.%d.%d", (NR > 1 ? ", " : ""),
	    int($1 / 65536), int($1 / 256) % 256, $1 % 256) }'
	printf ' }\n\t}\n}\n'
} >"$T/first.nft"
sed -n '/^table ip other/,/^}/p' "$T/first.nft" >"$T/other.nft"

nsx nft -f "$T/first.nft"
ok $? "the first ruleset loads"
nsx nft list ruleset >"$T/before"

# 1. Not confirmed: the session that applied dies; the rollback comes.
(setsid -w sh -c '"$2" apply --force --netns "$1" --confirm 5 \
    --lock "$3" "$4" >"$5" 2>"$5.err"; kill -HUP 0; kill -KILL 0' \
    sh "$NS" "$EG" "$lock" "$pol" "$T/out1" </dev/null) 2>/dev/null
sed 's/^/# /' "$T/out1"
grep -q "egressc apply --confirmed --netns $NS --lock $lock $pol" "$T/out1"
ok $? "apply --confirm prints the command that confirms"
wd=$(watchdog_pid "$T/out1")
ok "$([ -n "$wd" ]; echo $?)" "...and the watchdog's pid ($wd)"
nsx nft list chain inet mixed output 2>/dev/null | grep -q 'block-bad'
ok $? "the new table is live"
f=$(state)
is "$(stat -c %a "$T/run" 2>/dev/null)" 700 "the state directory is owner-only"
is "$(stat -c %a "$f" 2>/dev/null)" 600 "the state file is owner-only"
head -1 "$f" 2>/dev/null | grep -q '^egressc-confirm: 1$'
ok $? "the state file says what it is"

eg apply --force --netns "$NS" --lock "$lock" "$pol" >/dev/null 2>"$T/err"
is "$?" 2 "a second apply while one is pending: exit 2"
grep -q 'has a guarded apply pending.*--confirmed' "$T/err"
ok $? "...saying how to confirm"
nsx nft list chain inet mixed output 2>/dev/null | grep -q 'block-bad'
ok $? "...and the kernel still holds the guarded apply's table"

wait_for same_as_before
ok $? "past the deadline: nft list ruleset is byte-identical to before"
cmp "$T/before" "$T/now" | sed 's/^/# /'
wait_for gone "$wd"
ok $? "the watchdog has left"
is "$(state)" "" "no state file is left"
grep -q 'rolled back: the previous table is back' "$T"/run/*-mixed.log
ok $? "the log says what happened"

eg apply --confirmed --netns "$NS" --lock "$lock" "$pol" >/dev/null \
    2>"$T/err"
is "$?" 2 "--confirmed after the rollback: exit 2"
grep -q 'nothing to confirm' "$T/err" && grep -q 'rolled back' "$T/err"
ok $? "...saying there is nothing to confirm, and what happened"

# 2. Confirmed in time (under ip netns exec): the new table stays.
nsx "$EG" apply --force --confirm 8 --lock "$lock" "$pol" >"$T/out2" \
    2>"$T/err"
ok $? "apply --confirm 8 under ip netns exec" || sed 's/^/# /' "$T/err"
wd=$(watchdog_pid "$T/out2")
start=$(date +%s)
nsx "$EG" apply --confirmed --lock "$lock" "$pol" >"$T/out" 2>"$T/err"
ok $? "apply --confirmed" || sed 's/^/# /' "$T/err"
grep -q 'confirmed: table inet mixed stays' "$T/out"
ok $? "...says the table stays"
nsx nft list ruleset >"$T/confirmed"
wait_for gone "$wd"
ok $? "the watchdog has left"
while [ "$(date +%s)" -le $((start + 10)) ]; do sleep 0.5; done
nsx nft list ruleset >"$T/now"
cmp -s "$T/confirmed" "$T/now"
ok $? "past the deadline the confirmed ruleset stays"
nsx "$EG" verify --lock "$lock" "$pol" >/dev/null 2>&1
is "$?" 0 "...and it is the policy's (verify)"
is "$(state)" "" "no state file is left"

# 3. No egressc table before: the rollback deletes it, nothing else.
nsx nft flush ruleset
nsx nft -f "$T/other.nft"
nsx nft list ruleset >"$T/before"
eg apply --force --netns "$NS" --confirm 3 --lock "$lock" "$pol" \
    >"$T/out3" 2>"$T/err"
ok $? "apply --confirm with no table before" || sed 's/^/# /' "$T/err"
grep -q 'deletes it again (there was none before)' "$T/out3"
ok $? "...says the rollback deletes it"
nsx nft list tables | grep -q 'table inet mixed'
ok $? "the new table is live"
wait_for same_as_before
ok $? "past the deadline: the table is gone, the other one as it was"
wait_for gone "$(watchdog_pid "$T/out3")"
ok $? "the watchdog has left"

# 4. Usage, and a batch the kernel rejects.
eg apply --confirmed --confirm 5 --netns "$NS" --lock "$lock" "$pol" \
    >/dev/null 2>&1
is "$?" 2 "--confirmed with --confirm: exit 2"
eg apply --confirm 0 --netns "$NS" --lock "$lock" "$pol" >/dev/null 2>&1
is "$?" 2 "--confirm 0: exit 2"
eg apply --confirm 5 --dry-run --lock "$lock" "$pol" >/dev/null 2>&1
is "$?" 2 "--confirm with --dry-run: exit 2"

EGRESSC_NL_FAIL_RULE=ntp eg apply --force --netns "$NS" --confirm 60 \
    --lock "$lock" "$pol" >"$T/out" 2>"$T/err"
is "$?" 3 "a guarded apply the kernel rejects: exit 3"
grep -q "rejected rule 'ntp'" "$T/err"
ok $? "...at the rule"
is "$(state)" "" "...leaves no state file"
ok "$(same_as_before; echo $?)" "...and the ruleset as it was"
wait_for test -z "$(ip netns pids "$NS")"
ok $? "...and no watchdog"
eg apply --force --netns "$NS" --lock "$lock" "$pol" 2>/dev/null
ok $? "a plain apply afterwards is not refused"

# 5. SIGTERM to the watchdog: the rollback, now.
nsx nft flush ruleset
nsx nft -f "$T/first.nft"
nsx nft list ruleset >"$T/before"
eg apply --force --netns "$NS" --confirm 3600 --lock "$lock" "$pol" \
    >"$T/out5" 2>/dev/null
wd=$(watchdog_pid "$T/out5")
nsx nft list chain inet mixed output 2>/dev/null | grep -q 'block-bad'
ok $? "a guarded apply for an hour"
kill -TERM "$wd"
wait_for same_as_before
ok $? "SIGTERM to the watchdog rolls back at once"
wait_for gone "$wd"
ok $? "...and it leaves"

done_testing
