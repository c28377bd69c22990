#!/bin/sh
# agree.t - the C front end accepts exactly what grammar/policy.schema.json
# accepts, on the corpus that validate.t holds against the schema: every
# policy in policies/ and tests/schema/valid/ lints with exit 0 or 1 (1:
# warnings under --strict only, so in practice 0), every
# tests/schema/invalid/ fixture exits 2 with a FILE:LINE:COL diagnostic,
# and nothing crashes.
root=$(cd "$(dirname "$0")/../.." && pwd)
EGRESSC=${EGRESSC:-./egressc}
case $EGRESSC in /*) ;; *) EGRESSC=$root/${EGRESSC#./} ;; esac
cd "$root" || exit 1

n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		[ -s "$tmp" ] && sed -n '1,15s/^/# /p' "$tmp"
	fi
}

if [ ! -x "$EGRESSC" ]; then
	echo "1..1"
	echo "not ok 1 - $EGRESSC is not built"
	exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

valid=$(find policies -name '*.y*ml' ! -path 'policies/catalogs/*' 2>/dev/null | sort)
valid="$valid $(ls tests/schema/valid/*.yaml)"
for f in $valid; do
	"$EGRESSC" lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ]
	ok $? "schema-valid $f: lint exits 0 or 1 (got $rc)"
done
for f in tests/schema/invalid/*.yaml; do
	"$EGRESSC" lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 2 ] && grep -q "^$f:[0-9][0-9]*:[0-9][0-9]*: error: " "$tmp"
	ok $? "schema-invalid $f: lint exits 2 with FILE:LINE:COL (got $rc)"
done
echo "1..$n"
[ $fails = 0 ]
