#!/bin/sh
# split.t - a large policy file is parsed in two pieces at once (the
# second half of its rules on a thread of its own, policy/yaml.c), and
# nothing of it shows: with one thread (EGRESSC_THREADS=1, the whole file
# on one) and with two, lint and compile say the same messages at the same
# FILE:LINE:COL, exit the same and dump the same IR, every rule at its
# line.  The files are ones where the cut is taken (a second thread is
# started) and ones where a piece cannot stand alone and the file is
# parsed again whole: errors in the second half, an alias to an anchor in
# the first, a duplicate top-level key after the rules, a quoted string
# whose lines look like items, line ends a count of newlines would get
# wrong, a budget spent in either half.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/threads.sh"
need strace -V

printf 'egressc-lock: 1\nhosts: {}\n' >"$T/p.lock"
/usr/bin/python3 "$ROOT/bench/gen.py" 600 >"$T/base.yaml"
n=$(wc -l <"$T/base.yaml")

# variant NAME: the policy NAME.yaml from base.yaml, by a Python edit.
variant() {
	/usr/bin/python3 - "$T/base.yaml" "$T/$1.yaml" "$1" <<'EOF'
import sys
src, dst, name = sys.argv[1:]
text = open(src, newline="").read()
lines = text.split("\n")
late = len(lines) * 9 // 10          # a line in the second half's items
while not lines[late].startswith("  - name: "):
    late += 1
if name == "tail":
    text += "# after the rules\ntiers: [minimum, recommended, extra]\n"
elif name == "dupkey":
    text += "name: again\n"
elif name == "badaddr":
    lines[late + 1] = "    to: [192.0.2.300]"
    text = "\n".join(lines)
elif name == "badyaml":
    lines[late + 1] = '    to: ["192.0.2.1]'
    text = "\n".join(lines)
elif name == "alias":
    lines[6] = lines[6].replace("ports: ", "ports: &p ", 1)
    lines[late + 2] = "    ports: *p"
    text = "\n".join(lines)
elif name == "lookalike":
    # Every rule's comment a quoted string whose second line, indented
    # as the items are, reads as one: the cut may land there.
    out = []
    for l in lines:
        if l.startswith("    comment: "):
            out += ['    comment: "' + l[13:], "  - name: fake", '    end"']
        else:
            out.append(l)
    text = "\n".join(out)
elif name == "deep":
    # The nesting limit counts the levels around the second half too.
    lines[late + 3] = "    comment: " + "[" * 62 + "]" * 62
    text = "\n".join(lines)
elif name == "deep1":
    lines[late + 3] = "    comment: " + "[" * 61 + "]" * 61
    text = "\n".join(lines)
elif name == "crlf":
    text = text.replace("\n", "\r\n")
elif name == "crlfbad":
    lines[late + 1] = "    to: [192.0.2.300]"
    text = "\r\n".join(lines)
elif name == "lonecr":
    lines[late + 3] = lines[late + 3] + "\r"
    text = "\n".join(lines).replace("\r\n", "\r")
elif name == "col0":
    text = "\n".join(l[2:] if l.startswith("  ") else l for l in lines)
elif name == "marker":
    text = "---\n" + text + "# the end\n"
open(dst, "w", newline="").write(text)
EOF
}

# Started threads: the cut was taken when lint starts one (lint renders
# nothing, so a clone is the parse's).
clones() {
	strace -f -e trace=clone,clone3 -o "$T/trace" "$EG" lint \
	    --lock "$T/p.lock" "$T/$1.yaml" >/dev/null 2>&1
	grep -c 'clone' "$T/trace"
}

for v in base tail dupkey badaddr badyaml alias deep deep1 lookalike crlf \
    crlfbad lonecr col0 marker; do
	[ $v = base ] || variant $v
	threads 1 $v
	threads 2 $v
	cmp -s "$T/$v.1" "$T/$v.2"
	ok $? "$v: one thread and two say and dump the same ($(grep -c '^rule ' \
"$T/$v.1") rules, $(grep -c 'error' "$T/$v.1") error lines, \
$(grep '^rc=' "$T/$v.1" | tr '\n' ' '))"
done

# A budget spent in the first half, in the second, and by the rules after
# the parse: the same error at the same place.
for m in 15000 19000 20000; do
	for t in 1 2; do
		EGRESSC_THREADS=$t "$EG" lint --max-expansion $m --lock \
		    "$T/p.lock" "$T/base.yaml" >"$T/budget.$t" 2>&1
		echo "rc=$?" >>"$T/budget.$t"
	done
	cmp -s "$T/budget.1" "$T/budget.2" && grep -q 'budget of' "$T/budget.2"
	ok $? "--max-expansion $m: the same error, at \
$(grep -o 'base.yaml:[0-9:]*' "$T/budget.2" | head -n 1)"
done

# Threads lint starts beyond those of one thread (a sanitizer's build
# starts one of its own).
none=$(EGRESSC_THREADS=1 clones base)
more() {
	echo $(($(EGRESSC_THREADS=2 clones "$1") - none))
}
# Of 600 rules, every policy here also has its rules read on two threads
# (rules.t): one thread more, cut or not.
is "$(more base)" 2 "the policy of $n lines is cut: lint starts one thread \
more than with EGRESSC_THREADS=1 for the parse, the one that parses the \
second half (and one for the rules)"
is "$(more tail)" 2 "...cut with top-level keys after the rules"
is "$(more col0)" 2 "...and with the items at column 1"
is "$(more crlf)" 2 "...and with CRLF line ends"
is "$(more lonecr)" 1 "a lone CR (a line break to libyaml): not cut (the \
one thread more reads rules)"
# 100,000 rules are 700,000 nodes: more than half the limit of 1,000,000,
# which the joined tree is measured against, as the whole file is.
/usr/bin/python3 "$ROOT/bench/shapes.py" rules 100000 >"$T/huge.yaml"
is "$(more huge)" 2 "...a policy of 100,000 rules is cut"
threads 1 huge
threads 2 huge
cmp -s "$T/huge.1" "$T/huge.2"
ok $? "...with what one thread says and dumps ($(grep -c '^rule ' \
"$T/huge.1") rules)"

line=$(grep -n 'name: r599$' "$T/tail.yaml" | cut -d: -f1)
grep -q "^rule .* r599 at .*/tail.yaml:$line:[0-9]*\$" "$T/tail.2" &&
    grep -q '^tiers minimum, recommended, extra$' "$T/tail.2"
ok $? "...the last rule keeps its line, and the tiers after the rules are read"
line=$(grep -n '192.0.2.300' "$T/badaddr.yaml" | cut -d: -f1)
grep -q "badaddr.yaml:$line:" "$T/badaddr.2"
ok $? "an error in the second half is at its line ($line)"
line=$(grep -n '192.0.2.300' "$T/crlfbad.yaml" | cut -d: -f1)
grep -q "crlfbad.yaml:$line:" "$T/crlfbad.2"
ok $? "...and at its line with CRLF line ends ($line)"
grep -q 'nesting deeper than 64' "$T/deep.2" &&
    ! grep -q 'nesting deeper' "$T/deep1.2"
ok $? "an item in the second half nested past the limit is refused, one \
level less is not"
grep -q "duplicate key 'name'" "$T/dupkey.2"
ok $? "a top-level key again after the rules is a duplicate"
grep -q 'ports tcp\|ports udp' "$T/alias.2" && grep -q '^rc=0' "$T/alias.2"
ok $? "an alias in the second half to an anchor in the first is resolved"
done_testing
