#!/bin/sh
# egressc verify reads the live table back and compares it with the
# policy by meaning: 0 right after apply; 1 with a readable list once a
# rule or a set element is changed with nft (and for a missing table, an
# extra rule, a changed chain policy, an ICMP code, a protocol number); 0
# again after a second apply; 1 for a table that does nothing (dormant, a
# chain without its hook or at another priority) and for an empty named
# set, which the ASan build once died on; 3 without CAP_NET_ADMIN.  All in
# a namespace of its own (--netns, and
# ip netns exec).
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate setpriv
ns_init

NS=egc-$$-v
ns_add "$NS" || { ok 1 "ip netns add $NS"; done_testing; exit 1; }
pol=$ROOT/tests/policies/mixed.yaml
lock=$ROOT/tests/policies/mixed.lock
nsx() { ip netns exec "$NS" "$@"; }
verify() { "$EG" verify --netns "$NS" --lock "$lock" "$pol" >"$T/out" 2>"$T/err"; }
handle() {	# handle COMMENT REGEX: the handle of the rule matching both
	nsx nft -a list chain inet mixed output |
	    grep -F "comment \"$1\"" | grep -E "$2" | sed 's/.*# handle //' |
	    head -1
}

verify
is "$?" 1 "verify before apply: exit 1"
grep -q 'table inet mixed: missing' "$T/out"
ok $? "verify before apply: says the table is missing"

"$EG" apply --force --netns "$NS" --lock "$lock" "$pol" 2>"$T/err"
ok $? "apply --netns $NS" || sed 's/^/# /' "$T/err"
verify
is "$?" 0 "verify right after apply: exit 0"
is "$(cat "$T/out")" "" "verify right after apply: prints nothing"
nsx "$EG" verify --lock "$lock" "$pol" >/dev/null 2>&1
is "$?" 0 "verify inside ip netns exec: exit 0"

# One rule changed: dns over UDP now drops.
h=$(handle dns 'udp dport 53')
nsx nft replace rule inet mixed output handle "$h" ip daddr 192.0.2.53 \
    udp dport 53 drop comment '"dns"'
verify
is "$?" 1 "a rule changed with nft: exit 1"
sed 's/^/# /' "$T/out"
grep -q "^rule dns (.*mixed.yaml:[0-9]*:[0-9]*): changed" "$T/out" &&
    grep -q 'kernel: ip daddr 192.0.2.53 udp dport 53 drop' "$T/out"
ok $? "it names the rule, its place in the policy, and what the kernel has"

# One set element changed: 587 becomes 588.
h=$(handle "reject-smtp: No direct mail" 'tcp dport')
nsx nft replace rule inet mixed output handle "$h" tcp dport '{ 25, 465, 588 }' \
    reject comment '"reject-smtp: No direct mail"'
verify
is "$?" 1 "a set element changed with nft: exit 1"
sed 's/^/# /' "$T/out"
grep -q 'tcp dport: added 588; removed 587' "$T/out"
ok $? "it lists the set elements added and removed"
grep -q '(2 differences)' "$T/out"
ok $? "both differences are counted"

# An address set element, an extra rule, a deleted rule, the policy.
h=$(handle "office-web: Office and lab reach the CDN" 'ip saddr')
nsx nft add rule inet mixed output position "$h" ip saddr \
    '{ 198.51.100.0/24, 203.0.113.0/25 }' ip daddr \
    '{ 192.0.2.10/31, 192.0.2.99, 192.0.2.128/25 }' tcp dport \
    '{ 80, 443, 8080-8090 }' accept \
    comment '"office-web: Office and lab reach the CDN"' &&
    nsx nft delete rule inet mixed output handle "$h"
nsx nft add rule inet mixed output tcp dport 22 accept
nsx nft delete rule inet mixed output handle "$(handle ntp 'udp')"
nsx nft chain inet mixed output '{ policy drop; }'
verify
is "$?" 1 "more drift: exit 1"
sed 's/^/# /' "$T/out"
grep -q 'ip daddr: added 192.0.2.99; removed 192.0.2.20' "$T/out"
ok $? "an address set: element added and removed"
grep -q '^extra rule in chain output (handle [0-9]*): tcp dport 22 accept' "$T/out"
ok $? "an extra rule"
grep -q '^rule ntp (.*): missing: ip daddr 192.0.2.123 udp dport 123' "$T/out"
ok $? "a missing rule"
grep -q '^chain output: policy drop, the policy wants accept' "$T/out"
ok $? "the chain's policy"

"$EG" apply --force --netns "$NS" --lock "$lock" "$pol" 2>"$T/err"
ok $? "apply again"
verify
is "$?" 0 "verify after the second apply: exit 0"

# A table that does nothing is not the policy's.
nsx nft add table inet mixed '{ flags dormant; }'
verify
is "$?" 1 "a dormant table: exit 1"
grep -q '^table inet mixed: flags dormant, the policy wants none' "$T/out"
ok $? "...named on stdout" || sed 's/^/# /' "$T/out"
"$EG" apply --force --netns "$NS" --lock "$lock" "$pol" 2>/dev/null
nsx nft flush chain inet mixed output
nsx nft delete chain inet mixed output
nsx nft add chain inet mixed output
verify
is "$?" 1 "the output chain without its hook: exit 1"
grep -q '^chain output: a regular chain, the policy wants a base chain' \
    "$T/out"
ok $? "...named on stdout"
"$EG" apply --force --netns "$NS" --lock "$lock" "$pol" 2>/dev/null
nsx nft flush chain inet mixed output
nsx nft delete chain inet mixed output
nsx nft add chain inet mixed output \
    '{ type filter hook output priority 10; policy accept; }'
verify
is "$?" 1 "the output chain at another priority: exit 1"
grep -q '^chain output: type filter hook 3 priority 10, the policy wants type filter hook output priority 0' \
    "$T/out"
ok $? "...named on stdout" || sed 's/^/# /' "$T/out"

# An empty named set: a difference, not a crash.
"$EG" apply --force --netns "$NS" --lock "$lock" "$pol" 2>/dev/null
nsx nft add set inet mixed empty '{ type ipv4_addr; }'
verify
is "$?" 1 "an empty named set: exit 1"
grep -q '^set empty: not in the policy' "$T/out" &&
    ! grep -Eq 'runtime error|Sanitizer|error:' "$T/err"
ok $? "...named on stdout, no error on stderr" || sed 's/^/# /' "$T/err"
nsx nft delete set inet mixed empty
verify
is "$?" 0 "...and gone again: exit 0"

# Rules out of order.
nsx nft add rule inet mixed output ip daddr 192.0.2.77 accept \
    comment '"all-to-host"'
nsx nft delete rule inet mixed output handle "$(handle all-to-host 'ip daddr' )"
verify
is "$?" 0 "the same rule deleted and added at the same place: exit 0"
nsx nft insert rule inet mixed output ip daddr 192.0.2.77 accept \
    comment '"all-to-host"'
nsx nft delete rule inet mixed output handle "$(nsx nft -a list chain inet mixed output |
    grep -F 'comment "all-to-host"' | tail -1 | sed 's/.*# handle //')"
verify
is "$?" 1 "a rule moved to the top: exit 1"
grep -q '^rule all-to-host (.*): out of order' "$T/out"
ok $? "it says the rule is out of order"

# A policy with inbound rules has an input chain too.
inb=$ROOT/tests/policies/inbound.yaml
"$EG" apply --force --netns "$NS" "$inb" 2>"$T/err"
ok $? "apply a policy with inbound rules" || sed 's/^/# /' "$T/err"
"$EG" verify --netns "$NS" "$inb" >"$T/out" 2>&1
is "$?" 0 "verify it: exit 0"
nsx nft add rule inet inbound input tcp dport 23 accept
nsx nft add chain inet inbound extra
"$EG" verify --netns "$NS" "$inb" >"$T/out" 2>&1
is "$?" 1 "an extra input rule and an extra chain: exit 1"
grep -q '^extra rule in chain input (handle [0-9]*): tcp dport 23 accept' \
    "$T/out" && grep -q '^chain extra: not in the policy' "$T/out"
ok $? "both are listed"
nsx nft delete chain inet inbound input
"$EG" verify --netns "$NS" "$inb" >"$T/out" 2>&1
grep -q '^chain input: missing, and with it [0-9]* rules' "$T/out"
ok $? "a missing chain is listed with its rule count"

# ICMP type and code (one two-byte load), other protocols, sctp.
pro=$ROOT/tests/policies/protocols.yaml
phandle() {
	nsx nft -a list chain inet protocols output | grep -F "comment \"$1" |
	    grep -E "$2" | sed 's/.*# handle //' | head -1
}
"$EG" apply --force --netns "$NS" "$pro" 2>"$T/err"
ok $? "apply protocols.yaml" || sed 's/^/# /' "$T/err"
"$EG" verify --netns "$NS" "$pro" >"$T/out" 2>&1
is "$?" 0 "verify it: exit 0"
nsx nft replace rule inet protocols output handle \
    "$(phandle path-mtu 'code frag-needed')" icmp type 3 icmp code 5 accept \
    comment '"path-mtu: Path MTU discovery and traceroute answers"'
nsx nft replace rule inet protocols output handle "$(phandle gre 'gre')" \
    ip daddr 198.51.100.7 meta l4proto 48 accept comment '"gre"'
"$EG" verify --netns "$NS" "$pro" >"$T/out" 2>&1
is "$?" 1 "an ICMP code and a protocol changed: exit 1"
sed 's/^/# /' "$T/out"
grep -q 'icmp type . code: added 3 . 5; removed 3 . 4' "$T/out" &&
    grep -q '^rule gre (.*protocols.yaml:[0-9:]*): changed' "$T/out"
ok $? "both are named, the ICMP message as type . code"

# A run of rules merged into one set lookup: each element is compared,
# and a missing or extra one is named with the policy rule it belongs to.
runs=$T/runs.yaml
cat >"$runs" <<'EOF'
egressc: 1
name: runs
default: deny
rules:
  - name: web
    to: [10.0.0.0/8, "2001:db8::/32"]
    ports: [tcp/80, tcp/443]
  - name: dns
    to: [10.1.0.0/16]
    ports: [udp/53, tcp/53]
  - name: ping
    to: [10.0.0.1]
    ports: [icmp/8]
EOF
"$EG" apply --force --netns "$NS" "$runs" 2>"$T/err"
ok $? "apply a policy with a run" || sed 's/^/# /' "$T/err"
nsx nft list set inet runs run_1_v4 | grep -q 'comment "dns"'
ok $? "the run's set holds the rules' elements, with their comments"
"$EG" verify --netns "$NS" "$runs" >"$T/out" 2>&1
is "$?" 0 "verify it: exit 0"
nsx nft delete element inet runs run_1_v4 '{ 10.1.0.0/16 . udp . 53 }'
nsx nft add element inet runs run_1_v4 \
    '{ 172.16.0.0/12 . tcp . 8080 comment "nobody" }'
"$EG" verify --netns "$NS" "$runs" >"$T/out" 2>&1
is "$?" 1 "an element of the run removed, another added: exit 1"
sed 's/^/# /' "$T/out"
grep -q '^rules web (.*runs.yaml:[0-9:]*) to dns, set run_1_v4: changed' \
    "$T/out" &&
    grep -q 'run_1_v4: missing 10.1.0.0/16 . udp . 53 (comment "dns")' \
    "$T/out" &&
    grep -q 'run_1_v4: extra 172.16.0.0/12 . tcp . 8080 (comment "nobody")' \
    "$T/out"
ok $? "it names the run's rules, and each element with its rule"
sed 's/^name: runs$/name: runs\ntargets:\n  nftables: {merge: false}/' \
    "$runs" >"$T/runsoff.yaml"
"$EG" verify --netns "$NS" "$T/runsoff.yaml" >"$T/out" 2>&1
is "$?" 1 "verify with merge: false against the merged table: exit 1"
grep -q '^set run_1_v4: not in the policy' "$T/out" &&
    grep -q '^rule dns (.*): missing: ip daddr 10.1.0.0/16 udp dport 53' \
    "$T/out"
ok $? "the set is extra and the separate rules are missing" ||
    sed 's/^/# /' "$T/out"

# Without CAP_NET_ADMIN: exit 3 and a clear message.
nsx setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
    "$EG" verify --lock "$lock" "$pol" >/dev/null 2>"$T/err"
is "$?" 3 "verify without CAP_NET_ADMIN: exit 3"
grep -q 'CAP_NET_ADMIN' "$T/err"
ok $? "and says CAP_NET_ADMIN is needed"
"$EG" verify --netns egc-$$-nosuch --lock "$lock" "$pol" >/dev/null 2>"$T/err"
is "$?" 3 "verify --netns of a namespace that does not exist: exit 3"

done_testing
