#!/bin/sh
# Stage dumps: `compile --dump ir` and `--dump lowered:TARGET` give, for
# every golden case, exactly the text in tests/dump/CASE/, so a change in a
# pass shows in its own stage's file and not only in the eight outputs.
# Regenerate with tests/dump/update.sh, then read the diff.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/golden/cases.sh"

for dir in tests/golden/*/; do
	case=$(basename "$dir")
	set -- $(golden_case "$case") || { ok 1 "$case: policy found"; continue; }
	policy=$1 lock=$2
	[ -d "tests/dump/$case" ]
	ok $? "$case: has stage dumps"
	for want in tests/dump/"$case"/*.txt; do
		f=$(basename "$want" .txt)
		stage=$f
		case $f in lowered.*) stage="lowered:${f#lowered.}" ;; esac
		"$EG" compile --dump "$stage" --lock "$lock" "$policy" \
		    >"$T/got" 2>"$T/err"
		ok $? "$case: --dump $stage runs"
		cmp -s "$want" "$T/got"
		ok $? "$case: --dump $stage matches"
		cmp -s "$want" "$T/got" || diff -u "$want" "$T/got" | head -20 | sed 's/^/# /'
	done
done

# The dump is the IR, not a guess: the lowered form for nftables names no
# host (nftables takes none natively), the one for PowerShell of a policy
# with native wildcards keeps them.
set -- $(golden_case heygen-livekit)
"$EG" compile --dump lowered:nftables --lock "$2" "$1" >"$T/low"
! grep -q '^  name ' "$T/low"
ok $? "lowered:nftables has no names left"
grep -q '^  name heygen-feapbkvq.livekit.cloud -> ' tests/dump/heygen-livekit/ir.txt
ok $? "the IR keeps the resolved names"
"$EG" compile --dump lowered:nope --lock "$2" "$1" >/dev/null 2>"$T/err"
is $? 2 "an unknown target is a usage error"
"$EG" compile --dump bogus --lock "$2" "$1" >/dev/null 2>"$T/err"
is $? 2 "an unknown stage is a usage error"
grep -q "ir' or 'lowered:TARGET'" "$T/err"
ok $? "...that names the stages"
done_testing
