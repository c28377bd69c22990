#!/bin/sh
# Regenerate the stage dumps of every golden case (or of the cases named):
# tests/dump/CASE/ir.txt (the IR after the shared passes) and
# lowered.TARGET.txt per target of the case.  Read the diff before
# committing: a change in a pass shows here, in that pass's own form.
set -e
cd "$(dirname "$0")/../.."
. tests/golden/cases.sh
EG=${EGRESSC:-./egressc}
cases=${*:-$(ls tests/golden | grep -v '\.')}
for c in $cases; do
	set -- $(golden_case "$c")
	mkdir -p "tests/dump/$c"
	rm -f "tests/dump/$c"/*
	"$EG" compile --dump ir --lock "$2" "$1" >"tests/dump/$c/ir.txt" 2>/dev/null
	targets=$3
	[ "$targets" = all ] && targets=$("$EG" --help | sed -n 's/^TARGETS: all, or a comma list of: //p')
	for t in $(echo "$targets" | tr ',' ' '); do
		"$EG" compile --dump "lowered:$t" --lock "$2" "$1" \
		    >"tests/dump/$c/lowered.$t.txt" 2>/dev/null
	done
done
