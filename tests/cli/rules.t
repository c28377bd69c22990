#!/bin/sh
# rules.t - a policy of many rules is read into the IR on two threads (the
# calling one from the first rule on, another from the last back,
# policy/policy.c), and nothing of it shows: with one thread
# (EGRESSC_THREADS=1) and with two, lint and compile say the same messages
# at the same FILE:LINE:COL, exit the same and dump the same IR.  The
# second thread's rules are kept only when it said nothing, met no tier
# the first had not and fit the budget; else they are read again by the
# first.  EGRESSC_TRACE_SPLIT (test-only) says which happened and makes the
# threads meet half-way, so each case is checked to take the way it
# should: a test that only compared outputs would pass if the second
# thread's work were always thrown away.  The policies are under 128 KiB,
# so the file itself is parsed in one piece (split.t covers that cut).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/threads.sh"

printf 'egressc-lock: 1\nhosts: {}\n' >"$T/p.lock"
{
	printf 'egressc-lock: 1\nhosts:\n'
	i=0
	while [ $i -lt 300 ]; do
		printf '  h%d.example.com: {a: [192.0.2.1], aaaa: [], ttl: 300}\n' $i
		i=$((i + 1))
	done
} >"$T/hosts.lock"
/usr/bin/python3 "$ROOT/bench/gen.py" 300 >"$T/base.yaml"

# variant NAME: the policy NAME.yaml from base.yaml, by a Python edit.
# Rules r0..r299 start at lines 5, 9, ...: the second thread's are r150 on.
variant() {
	/usr/bin/python3 - "$T/base.yaml" "$T/$1.yaml" "$1" <<'EOF'
import re, sys
src, dst, name = sys.argv[1:]
lines = open(src).read().split("\n")
head, body = lines[:4], lines[4:]
rules = [body[i:i + 4] for i in range(0, 1200, 4)]
tail = body[1200:]

def late(k=250):
    return rules[k]

if name == "dupcross":          # a second-half rule named as a first-half one
    late()[0] = "  - name: r5"
elif name == "duplate":         # two second-half rules of one name
    rules[200][0] = "  - name: twin"
    rules[260][0] = "  - name: twin"
elif name == "dupfirst":        # a first-half rule named as a second-half one
    rules[7][0] = "  - name: r270"
elif name == "gap":             # a first-half item that is no rule, and
    rules[3] = ["  - not-a-rule"]   # a late duplicate found past the gap
    late()[0] = "  - name: r5"
elif name == "notmap":
    rules[250] = ["  - not-a-rule"]
elif name == "noname":
    del late()[0]
    late()[0] = "  - " + late()[0].lstrip()
elif name == "hostbits":
    late()[1] = "    to: [192.0.2.1/24]"
elif name == "newtier":         # no tiers: a tier first used late
    rules[10].append("    tier: minimum")
    late().append("    tier: extra")
    rules[280].append("    tier: beta")
elif name == "seentier":        # ...and one first used early, used again late
    rules[10].append("    tier: beta")
    late().append("    tier: beta")
elif name == "knowntier":       # tiers the second thread knows from the start
    head.append("tiers: [minimum, recommended, extra]")
    rules[10].append("    tier: extra")
    late().append("    tier: recommended")
    rules[290].append("    tier: minimum")
elif name == "listedtier":
    head.append("tiers: [minimum]")
    late().append("    tier: recommended")
elif name == "vars":
    head.append('vars: {port: "8443", what: "a variable"}')
    for r in rules[140:300:7]:
        r[2] = '    ports: ["tcp/${port}"]'
        r[3] = "    comment: ${what}, substituted"
elif name == "unknownvar":
    late()[3] = "    comment: ${nope}"
elif name == "hosts":           # host names, checked by the second thread too
    for i, r in enumerate(rules):
        r[1] = r[1].replace("to: [", "to: [h%d.example.com, " % i, 1)
elif name == "badhost":
    late()[1] = "    to: [bad_host.example.com]"
elif name == "inbound":
    late().append("    direction: inbound")
elif name == "forbid":
    head.append("wildcards: forbid")
    late()[1] = '    to: ["*.example.com"]'
elif name == "badkey":
    late().append("    colour: blue")
elif name == "accept":          # no built-in rules after them
    head[2] = "default: accept"
# Top-level keys added go before "rules:".
out = head[:3] + head[4:] + head[3:4] + [l for r in rules for l in r] + tail
open(dst, "w").write("\n".join(out))
EOF
}

# lock NAME: the lock file for policy NAME.
lock() {
	if [ -f "$T/$1.lock" ]; then echo "$T/$1.lock"; else echo "$T/p.lock"; fi
}

# way NAME: what the second thread's work came to, traced.
way() {
	EGRESSC_TRACE_SPLIT=1 EGRESSC_THREADS=2 "$EG" lint --lock "$(lock $1)" \
	    "$T/$1.yaml" 2>&1 | sed -n 's/^egressc: trace: rules \(.*\)/\1/p'
}

kept="151 to 300 parsed on a second thread, kept"
again="151 to 300 parsed on a second thread, parsed again"
for v in base:kept dupcross:kept duplate:kept dupfirst:kept gap:kept \
    notmap:again noname:again hostbits:again newtier:again seentier:again \
    knowntier:kept listedtier:again vars:kept unknownvar:again hosts:kept \
    badhost:again inbound:again forbid:again badkey:again accept:kept; do
	name=${v%:*}
	[ $name = base ] || variant $name
	threads 1 $name "$(lock $name)"
	threads 2 $name "$(lock $name)"
	cmp -s "$T/$name.1" "$T/$name.2"
	ok $? "$name: one thread and two say and dump the same ($(grep -c \
'^rule ' "$T/$name.1") rules, $(grep -c 'error' "$T/$name.1") error lines, \
$(grep -c 'warning' "$T/$name.1") warning lines, $(grep '^rc=' \
"$T/$name.1" | tr '\n' ' '))"
	eval "want=\$${v#*:}"
	is "$(way $name)" "$want" "...the second thread's rules ${v#*:}"
done

# The cases say what one thread says: spot checks that they say it.
grep -q "duplicate rule name 'r5'" "$T/dupcross.2" &&
    grep -q "duplicate rule name 'twin'" "$T/duplate.2" &&
    grep -q "duplicate rule name 'r270'" "$T/dupfirst.2"
ok $? "duplicates across the meeting point and on either side are found"
line=$(grep -n "name: r270" "$T/dupfirst.yaml" | tail -n 1 | cut -d: -f1)
grep -q "dupfirst.yaml:$line:.*duplicate rule name 'r270'" "$T/dupfirst.2"
ok $? "...at the later rule of the two (line $line), as one thread says"
grep -q '^tiers minimum, recommended, extra, beta$' "$T/newtier.2"
ok $? "a tier first used by a late rule takes its place in the tiers"
grep -q '^tiers minimum, recommended, extra$' "$T/knowntier.2" &&
    grep -q '^rc=0' "$T/knowntier.2"
ok $? "listed tiers used on both sides are known to both"
line=$(grep -n "name: r5$" "$T/gap.yaml" | head -n 1 | cut -d: -f1)
grep -q "gap.yaml:$line:.*first defined here" "$T/gap.2"
ok $? "the rules after a first-half item that is no rule close up behind it: \
a late duplicate points at the first (line $line)"
grep -q 'ports tcp 8443' "$T/vars.2" && ! grep -q '\${' "$T/vars.2"
ok $? "variables are substituted on the second thread too"
grep -q 'h299.example.com' "$T/hosts.2"
ok $? "host names read on the second thread are in the IR"

# A budget spent in the first thread's rules, in the second's, in its
# last rule, and after the rules: the same error at the same place.
for m in 8000:again 9000:again 10300:again 10500:kept; do
	for t in 1 2; do
		EGRESSC_THREADS=$t "$EG" lint --max-expansion ${m%:*} --lock \
		    "$T/p.lock" "$T/base.yaml" >"$T/budget.$t" 2>&1
		echo "rc=$?" >>"$T/budget.$t"
	done
	cmp -s "$T/budget.1" "$T/budget.2" && grep -q 'budget of' "$T/budget.2"
	ok $? "--max-expansion ${m%:*}: the same error, at \
$(grep -o '[a-z.0-9]*:[0-9]*:[0-9]*' "$T/budget.2" | head -n 1)"
	eval "want=\$${m#*:}"
	got=$(EGRESSC_TRACE_SPLIT=1 EGRESSC_THREADS=2 "$EG" lint \
	    --max-expansion ${m%:*} --lock "$T/p.lock" "$T/base.yaml" 2>&1 |
	    sed -n 's/^egressc: trace: rules \(.*\)/\1/p')
	is "$got" "$want" "...the second thread's rules ${m#*:}"
done

# Below 256 rules, and with one thread, there is no second thread.
/usr/bin/python3 "$ROOT/bench/gen.py" 255 >"$T/small.yaml"
is "$(way small)" "" "255 rules are read on one thread"
is "$(EGRESSC_TRACE_SPLIT=1 EGRESSC_THREADS=1 "$EG" lint --lock "$T/p.lock" \
    "$T/base.yaml" 2>&1)" "" "EGRESSC_THREADS=1 reads them on one"

# Untraced, the threads meet wherever they do: still the same, run on run.
EGRESSC_THREADS=1 "$EG" compile --dump ir --lock "$T/p.lock" \
    "$T/dupcross.yaml" >"$T/run.1" 2>&1
same=0
for i in 1 2 3 4 5; do
	EGRESSC_THREADS=2 "$EG" compile --dump ir --lock "$T/p.lock" \
	    "$T/dupcross.yaml" 2>&1 | cmp -s - "$T/run.1" && same=$((same + 1))
done
is "$same" 5 "five untraced runs with two threads dump and say what one does"
done_testing
