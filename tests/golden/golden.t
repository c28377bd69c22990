#!/bin/sh
# Golden files: every tests/golden/CASE/ holds the expected output of
# `egressc compile -t all` for policy CASE (policies/CASE.yaml or
# tests/policies/CASE.yaml, with CASE.example.lock or CASE.lock beside it),
# byte for byte.  Regenerate with tests/golden/update.sh, then read the diff.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/golden/cases.sh"

for dir in tests/golden/*/; do
	case=$(basename "$dir")
	set -- $(golden_case "$case") || { ok 1 "$case: policy found"; continue; }
	policy=$1 lock=$2 targets=$3
	rm -rf "$T/out"
	"$EG" compile -t "$3" -o "$T/out" --lock "$lock" "$policy" 2>"$T/err"
	ok $? "$case: compiles"
	for want in "$dir"*; do
		f=$(basename "$want")
		cmp -s "$want" "$T/out/$f"
		ok $? "$case: $f matches"
		cmp -s "$want" "$T/out/$f" || diff -u "$want" "$T/out/$f" | head -20 | sed 's/^/# /'
	done
	for got in "$T"/out/*; do
		f=$(basename "$got")
		[ -f "$dir$f" ]
		ok $? "$case: $f has a golden file"
	done
	# Same policy, same lock: same bytes, every time.
	"$EG" compile -t "$targets" -o "$T/again" --lock "$lock" "$policy" 2>/dev/null
	diff -r "$T/out" "$T/again" >/dev/null
	ok $? "$case: a second compile gives identical bytes"
	rm -rf "$T/again"
done
done_testing
