#!/bin/sh
# agree.t - the C front end accepts exactly what grammar/policy.schema.json
# accepts, on the corpus that validate.t holds against the schema: every
# policy in policies/, tests/policies/ and tests/schema/valid/ lints with
# exit 0 or 1 (1: warnings under --strict only, so in practice 0), every
# tests/schema/invalid/ fixture exits 2 with a FILE:LINE:COL diagnostic,
# and nothing crashes.  A policy whose POLICY.lock is absent lints with its
# POLICY.example.lock.
# Catalogs likewise against grammar/catalog.schema.json, each included by a
# minimal policy.
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


# lint FILE: run egressc lint with the lock the file's policy would use.
lint() {
	set -- "$1" "${1%.y*ml}"
	if [ ! -e "$2.lock" ] && [ -e "$2.example.lock" ]; then
		"$EGRESSC" lint --lock "$2.example.lock" "$1"
	else
		"$EGRESSC" lint "$1"
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
valid="$valid $(ls tests/policies/*.yaml tests/schema/valid/*.yaml 2>/dev/null)"
for f in $valid; do
	lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ]
	ok $? "schema-valid $f: lint exits 0 or 1 (got $rc)"
done
for f in tests/schema/invalid/*.yaml; do
	lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 2 ] && grep -q "^$f:[0-9][0-9]*:[0-9][0-9]*: error: " "$tmp"
	ok $? "schema-invalid $f: lint exits 2 with FILE:LINE:COL (got $rc)"
done
# Catalogs: each is included by a minimal policy, which must lint as the
# catalog schema says.
wrap=$(mktemp)
trap 'rm -f "$tmp" "$wrap"' EXIT
catalog_lint() {
	cat > "$wrap" <<-EOT
	egressc: 1
	name: catalog-agree
	vars: {livekit_project: demo, project: demo}
	include: ["$root/$1"]
	rules:
	  - name: r
	    to: [192.0.2.1]
	EOT
	"$EGRESSC" lint --lock "$wrap.absent.lock" "$wrap"
}
for f in $(ls policies/catalogs/*.yaml tests/schema/valid/catalogs/*.yaml \
    tests/schema/catalog/valid/*.yaml 2>/dev/null); do
	catalog_lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 0 ] || [ $rc = 1 ]
	ok $? "schema-valid catalog $f: included, lint exits 0 or 1 (got $rc)"
done
for f in tests/schema/catalog/invalid/*.yaml; do
	catalog_lint "$f" >/dev/null 2>"$tmp"
	rc=$?
	[ $rc = 2 ] && grep -q "^$root/$f:[0-9][0-9]*:[0-9][0-9]*: error: " "$tmp"
	ok $? "schema-invalid catalog $f: lint exits 2 with FILE:LINE:COL (got $rc)"
done
echo "1..$n"
[ $fails = 0 ]
