#!/bin/sh
# Regenerate the golden files of every case (or of the cases named).  Read
# the resulting diff before committing: golden files are the spec.
set -e
cd "$(dirname "$0")/../.."
. tests/golden/cases.sh
EG=${EGRESSC:-./egressc}
cases=${*:-$(ls tests/golden | grep -v '\.')}
for c in $cases; do
	set -- $(golden_case "$c")
	mkdir -p "tests/golden/$c"
	rm -f "tests/golden/$c"/*
	"$EG" compile -t "$3" -o "tests/golden/$c" --lock "$2" "$1"
done
