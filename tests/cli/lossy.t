#!/bin/sh
# compile says aloud where a target's text is not exactly the policy: log
# dropped (netsh, PowerShell), reject written as a silent block (Windows,
# Cisco), one line per rule and target at the rule; --strict makes them
# errors, and then nothing is written.
. "$(dirname "$0")/../lib/tap.sh"
P=tests/policies/mixed.yaml
L="--lock tests/policies/mixed.lock"

"$EG" compile -o "$T/out" $L $P 2>"$T/e"
is $? 0 "lossy targets still compile"
grep -q "mixed.yaml:21:11: warning: rule 'block-bad': target 'netsh' has no per-rule logging: 'log' is dropped" "$T/e"
ok $? "netsh: log dropped, at the rule"
grep -q "mixed.yaml:26:11: warning: rule 'reject-smtp': target 'cisco-ios' cannot reject" "$T/e"
ok $? "cisco-ios: reject becomes a silent deny"
is "$(grep -c "rule 'reject-smtp': target 'powershell'" "$T/e")" 1 "once per rule and target"
grep -q "target 'nftables'\|target 'iptables'\|target 'pf'" "$T/e"
is $? 1 "targets that can say it are quiet"
"$EG" compile --strict -o "$T/strict" $L $P 2>"$T/e"
is $? 2 "--strict: exit 2"
grep -q "error: rule 'block-bad': target 'netsh' has no per-rule logging.*(--strict)" "$T/e"
ok $? "...the losses are errors"
[ ! -e "$T/strict" ] || [ -z "$(ls "$T/strict")" ]
ok $? "...and no file is written"
"$EG" compile --strict -t nftables $L $P >/dev/null 2>&1
is $? 0 "--strict with a target that loses nothing: exit 0"

# hosts: native: a target that cannot keep names matches their locked
# addresses instead; one that can (pf) is quiet.
N=tests/policies/native-hosts.yaml
"$EG" compile -o "$T/nh" --lock tests/policies/native-hosts.lock $N 2>"$T/e"
grep -q "native-hosts.yaml:7:11: warning: rule 'api': target 'nftables' cannot match host names: it matches the lock's addresses" "$T/e"
ok $? "hosts: native on nftables: said at the rule"
grep -q "rule 'api': target 'pf' cannot match host names" "$T/e"
is $? 1 "...and not for pf, which keeps the name"

# Windows' own approximations (block rules cut around earlier allows) are
# losses too: warnings, and errors under --strict.
E=tests/policies/embed.yaml
"$EG" compile -t netsh --lock tests/policies/embed.lock $E >/dev/null 2>"$T/e"
is $? 0 "a Windows approximation: still compiles"
grep -q "embed.yaml:12:11: warning: rule 'deny-rest': Windows Firewall cannot block" "$T/e"
ok $? "...with a warning at the rule"
"$EG" compile --strict -t netsh --lock tests/policies/embed.lock $E >"$T/o" 2>"$T/e"
is $? 2 "...and --strict makes it exit 2"
grep -q "embed.yaml:12:11: error: rule 'deny-rest': Windows Firewall cannot block.*(--strict)" "$T/e"
ok $? "...an error at the rule"
[ ! -s "$T/o" ]; ok $? "...with no output"

# dnsmasq's domains are wider than wildcards: each zone is its apex and
# every depth below it.  Said for the rules with a wildcard and hosts (a
# wildcard of ranges only has no dynamic sets: no line, no warning).
H=policies/heygen-livekit.yaml
HL="--lock policies/heygen-livekit.example.lock"
"$EG" compile -t dnsmasq $HL $H >"$T/o" 2>"$T/e"
is $? 0 "dnsmasq: compiles with warnings"
grep -qx "policies/heygen-livekit.yaml:50:11: warning: rule 'livekit-signaling': target 'dnsmasq' matches \*.livekit.cloud as the domain livekit.cloud: the zone's apex and every name under it at any depth, where the policy's wildcard is one or more labels below the zone and never the zone itself" "$T/e"
ok $? "...the zone's apex and every depth, at the rule"
is "$(grep -c "target 'dnsmasq'" "$T/e")" 2 "...for the two rules with wildcards and hosts"
grep -q "rule 'heygen-api': target 'dnsmasq'\|rule 'livekit-turn-udp': target 'dnsmasq'" "$T/e"
is $? 1 "...not for a plain host, nor for a zone of ranges only"
grep -q '^nftset=/livekit.cloud/' "$T/o"
ok $? "...and writes the zone natively"
"$EG" compile --strict -t dnsmasq $HL $H >"$T/o" 2>"$T/e"
is $? 2 "dnsmasq --strict: exit 2"
[ ! -s "$T/o" ]; ok $? "...with no output"
done_testing
