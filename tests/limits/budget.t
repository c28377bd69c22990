#!/bin/sh
# budget.t - no small input may cost much.  Each reproducer the fuzzing
# found is generated here and must end with exit 2 and an error at the
# place that crossed the expansion budget (or, for includes, the second
# include of a file), within a minute and in bounded memory: under
# ulimit -v (AddressSanitizer reserves terabytes of address space, so its
# build is held by ASan's own hard_rss_limit_mb instead), so a regression
# fails here rather than eating the machine.  Real policies stay far
# inside the default budget.
. "$(dirname "$0")/../lib/tap.sh"

PY=/usr/bin/python3
need test -x $PY
L=$T/empty.lock
printf 'egressc-lock: 1\nhosts: {}\n' >"$L"

# bounded CMD...: at most 1 GB and 60 s.
# (The probe runs in a shell of its own, whose stderr takes the "Aborted"
# an ASan build dies with.)
if sh -c 'ulimit -v 1000000 && "$0" --version; exit $?' "$EG" \
    >/dev/null 2>&1; then
	bounded() { (ulimit -v 1000000; exec timeout 60 "$@"); }
else
	note "ulimit -v breaks this build (ASan): hard_rss_limit_mb instead"
	bounded() {
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=2000" \
		    timeout 60 "$@"
	}
fi

# first_error FILE: "FILE:LINE:COL" of the first error on stderr
first_error() {
	grep -m1 ': error: ' "$1" | sed 's/^\([^:]*:[0-9]*:[0-9]*\): .*/\1/'
}

# at LOCATION: the source text from that line and column on.
at() {
	f=${1%%:*}; rest=${1#*:}; line=${rest%%:*}; col=${rest#*:}
	sed -n "${line}p" "$f" | cut -c"$col"-
}

# 1. A 1 MiB variable used 2,000 times in description: 2 GB of text.
$PY - "$T/vars.yaml" <<'PYEOF'
import sys
v = "x" * (1 << 20)
open(sys.argv[1], "w").write("egressc: 1\nname: t\nvars:\n  v: " + v +
    "\ndescription: \"" + "${v}" * 2000 + "\"\nrules: []\n")
PYEOF
bounded "$EG" lint --lock "$L" "$T/vars.yaml" >/dev/null 2>"$T/err"
is "$?" 2 "a 1 MiB variable used 2,000 times: exit 2"
is "$(first_error "$T/err")" "$T/vars.yaml:5:14" \
    "...at the description that expands it"
grep -q "past egressc's budget of 4000000 units" "$T/err"
ok $? "...saying it is the expansion budget"
grep -q -- '--max-expansion N raises it' "$T/err"
ok $? "...and how to raise it"

# 2. A catalog of 100,000 regions x 10 hosts, used by 10 rules.
$PY - "$T" <<'PYEOF'
import sys
d = sys.argv[1]
with open(d + "/big.yaml", "w") as c:
    c.write("egressc-catalog: 1\nname: big\nsource: https://x.example/\n"
            "checked: 2026-01-01\nregions:\n")
    for i in range(100000):
        c.write("  - r%d\n" % i)
    c.write("zones:\n  \"*.big.example\":\n    hosts:\n")
    for i in range(10):
        c.write("      - \"h%d.${region}.big.example\"\n" % i)
with open(d + "/cat.yaml", "w") as p:
    p.write("egressc: 1\nname: t\ninclude: big.yaml\nrules:\n")
    for i in range(10):
        p.write("  - name: r%d\n    to: [\"*.big.example\"]\n" % i)
PYEOF
SOURCE_DATE_EPOCH=1767225600 bounded "$EG" lint --lock "$L" "$T/cat.yaml" \
    >/dev/null 2>"$T/err"
is "$?" 2 "100,000 regions x 10 hosts: exit 2"
loc=$(first_error "$T/err")
case $loc in "$T/big.yaml:"*) r=0 ;; *) r=1 ;; esac
ok $r "...at a host of the catalog ($loc)"
case $(at "$loc") in '"h'*'.${region}.big.example"') r=0 ;; *) r=1 ;; esac
ok $r "...the host entry being expanded"
grep -q "^$T/cat.yaml:6:10: note: while expanding \*.big.example for rule r0" \
    "$T/err"
ok $? "...with a note at the rule's wildcard"

# 3. Includes that include the next fragment ten times, 16 files deep (as
# deep as includes go): a file is read once, so the second include of it
# is the error.
mkdir -p "$T/inc"
$PY - "$T" <<'PYEOF'
import sys
d = sys.argv[1]
inc = lambda n: "[" + ", ".join(["f%d.yaml" % n] * 10) + "]"
open(d + "/inc.yaml", "w").write("egressc: 1\nname: t\ninclude: " +
    "[" + ", ".join(["inc/f1.yaml"] * 10) + "]\nrules: []\n")
for i in range(1, 15):
    open(d + "/inc/f%d.yaml" % i, "w").write("egressc: 1\ninclude: %s\n"
                                             % inc(i + 1))
open(d + "/inc/f15.yaml", "w").write("egressc: 1\n")
PYEOF
bounded "$EG" lint --lock "$L" "$T/inc.yaml" >/dev/null 2>"$T/err"
is "$?" 2 "includes of the next fragment ten times, 16 deep: exit 2"
is "$(first_error "$T/err")" "$T/inc/f14.yaml:2:21" \
    "...at the second include of the deepest fragment"
grep -qF "$T/inc/f14.yaml:2:21: error: '$T/inc/f15.yaml' is included twice: a file is read once" \
    "$T/err"
ok $? "...saying it is included twice"
grep -qxF "$T/inc/f14.yaml:2:11: note: first included here" "$T/err"
ok $? "...with a note at the first include"

# 4. Networks that name networks ten times a level, 12 levels: a network
# holds each name once, so this costs nothing and passes.
$PY - "$T/nets.yaml" <<'PYEOF'
import sys
s = "egressc: 1\nname: t\nnetworks:\n  n0: [192.0.2.1, 192.0.2.7]\n"
for i in range(1, 13):
    s += "  n%d: [%s]\n" % (i, ", ".join(["n%d" % (i - 1)] * 10))
s += "rules:\n  - name: r\n    to: [n12]\n    ports: tcp/443\n"
open(sys.argv[1], "w").write(s)
PYEOF
bounded "$EG" lint --lock "$L" "$T/nets.yaml" >/dev/null 2>"$T/err"
is "$?" 0 "networks naming networks ten times a level, 12 levels: lint passes"
bounded "$EG" compile -t nftables --lock "$L" "$T/nets.yaml" >"$T/out" \
    2>"$T/err"
grep -q 'ip daddr { 192.0.2.1, 192.0.2.7 }' "$T/out"
ok $? "...and the rule holds each address once"

# 5. What a network does cost: rules naming a network of 2,000 host names
# and 2,000 addresses hold them all, each.
wide() {	# wide RULES FILE
	$PY - "$1" "$2" <<'PYEOF'
import sys
with open(sys.argv[2], "w") as p:
    p.write("egressc: 1\nname: t\nnetworks:\n  big:\n")
    for i in range(2000):
        p.write("    - h%d.example.com\n    - 10.%d.%d.1\n"
                % (i, i >> 8, i & 255))
    p.write("rules:\n")
    for i in range(int(sys.argv[1])):
        p.write("  - name: r%d\n    to: [big]\n" % i)
PYEOF
}
wide 1000 "$T/wide.yaml"
bounded "$EG" lint "$T/wide.yaml" >/dev/null 2>"$T/err"
is "$?" 2 "1,000 rules naming a network of 4,000 destinations: exit 2"
loc=$(first_error "$T/err")
case $(at "$loc") in 'big]'|'[big]') r=0 ;; *) r=1 ;; esac
ok $r "...at a rule's to: naming the network ($loc)"
wide 100 "$T/wide.yaml"
bounded "$EG" lint "$T/wide.yaml" >/dev/null 2>"$T/err"
is "$?" 0 "100 such rules: lint passes"
bounded "$EG" lint --max-expansion 1000000 "$T/wide.yaml" >/dev/null \
    2>"$T/err"
is "$?" 2 "...and fails with --max-expansion 1000000"

# 6. --max-expansion is a number from 1.
"$EG" lint --max-expansion 0 "$T/nets.yaml" >/dev/null 2>"$T/err"
is "$?" 2 "--max-expansion 0: exit 2"
grep -q "max-expansion: '0' is not a number from 1" "$T/err"
ok $? "...saying what it takes"
"$EG" lint --max-expansion 10 --lock "$L" "$T/nets.yaml" >/dev/null \
    2>"$T/err"
is "$?" 2 "a tiny --max-expansion trips on an ordinary policy"

# 7. Real policies pass with the default: the shipped one and a
# 16,000-rule generated policy.
"$EG" lint --lock policies/heygen-livekit.example.lock \
    policies/heygen-livekit.yaml >/dev/null 2>"$T/err"
is "$?" 0 "the shipped policy passes"
$PY bench/gen.py 16000 >"$T/gen.yaml"
bounded "$EG" compile -t nftables --lock "$L" "$T/gen.yaml" >/dev/null \
    2>"$T/err"
is "$?" 0 "a 16,000-rule generated policy compiles"
done_testing
