#!/bin/sh
# Tiers add up: --tier T keeps T and every tier before it (the policy's
# tiers: order), a comma list is an explicit set, all keeps everything, and
# a tier the policy does not have is exit 2 with the known names, never a
# silent ruleset without the policy's rules.  The same selection holds for
# compile, explain and lint.
. "$(dirname "$0")/../lib/tap.sh"

P=policies/heygen-livekit.yaml
L="--lock policies/heygen-livekit.example.lock"
rules() { "$EG" compile -t nftables $L "$@" $P 2>/dev/null | grep -o 'comment "[a-z0-9-]*:' | sort -u | tr -d '":' | sed 's/comment //' | tr '\n' ' '; }

all=$(rules)
is "$(rules --tier all)" "$all" "--tier all is every rule"
is "$(rules --tier minimum,recommended)" "$all" "both tiers listed: every rule"
is "$(rules --tier recommended)" "$all" "recommended is minimum plus the media paths"
min=$(rules --tier minimum)
case $min in *webrtc-media*|*webrtc-tcp*) ok 1 "minimum has no media rule" ;; *) ok 0 "minimum has no media rule" ;; esac
case $min in *livekit-signaling*heygen-api*|*heygen-api*livekit-signaling*) ok 0 "minimum keeps signalling and the API" ;; *) ok 1 "minimum keeps signalling and the API"; note "$min" ;; esac
case $min in *dns*) ok 0 "an untiered rule (dns) is always kept" ;; *) ok 1 "an untiered rule (dns) is always kept" ;; esac
rec=$(rules --tier recommended,)
case $rec in *livekit-signaling*) ok 1 "'recommended,' is the set {recommended}" ;; *) ok 0 "'recommended,' is the set {recommended}" ;; esac

"$EG" compile -t nftables $L --tier minimun $P >"$T/out" 2>"$T/err"
is $? 2 "a typo is exit 2"
[ ! -s "$T/out" ]; ok $? "...with no output"
grep -q "did you mean 'minimum'" "$T/err"; ok $? "...with a did-you-mean"
grep -q "tiers: minimum, recommended, or all" "$T/err"; ok $? "...naming the known tiers"

"$EG" explain $L --tier minimum --to 192.0.2.50 --port udp/50000 $P >"$T/out" 2>&1
grep -q "deny (default)" "$T/out"; ok $? "explain --tier minimum: media goes to the default"
"$EG" explain $L --tier recommended --to 192.0.2.50 --port udp/50000 $P >"$T/out" 2>&1
grep -q "^allow webrtc-media" "$T/out"; ok $? "explain --tier recommended: media allowed"
"$EG" explain $L --tier nope --to 192.0.2.50 --port udp/50000 $P >/dev/null 2>&1
is $? 2 "explain with an unknown tier: exit 2"
"$EG" lint $L --tier nope $P >/dev/null 2>&1
is $? 2 "lint with an unknown tier: exit 2"

# A rule whose tier the policy's tiers: list lacks is an error at the rule.
cat >"$T/p.yaml" <<'Y'
egressc: 1
name: t
tiers: [minimum, recommended]
rules:
  - name: a
    tier: recomended
    to: [192.0.2.1]
    ports: [tcp/443]
Y
"$EG" lint "$T/p.yaml" 2>"$T/err"
is $? 2 "a tier outside tiers: is exit 2"
grep -q "p.yaml:6:11: error: tier 'recomended' is not in the policy's tiers:; did you mean 'recommended'?" "$T/err"
ok $? "...at the tier, with a did-you-mean"
done_testing
