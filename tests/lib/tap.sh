# tap.sh - TAP output for shell tests, sourced by tests/*/*.t.
#
# Sets ROOT (the repository), EG (the egressc under test: $EGRESSC or
# ./egressc) and T (a scratch directory removed on exit).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EG=${EGRESSC:-$ROOT/egressc}
T=$(mktemp -d /tmp/egressc-test.XXXXXX)
_tap_n=0
_tap_fail=0
trap 'rm -rf "$T"' EXIT
cd "$ROOT" || exit 1

ok() {		# ok CONDITION-STATUS NAME
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}

is() {		# is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -20
	fi
}

note() {
	echo "# $*"
}

# A test that needs something this machine lacks: skip, except under CI,
# where a missing part is a failure (CI must run everything).
need() {	# need COMMAND-THAT-MUST-SUCCEED... ; sets $? 
	if "$@" >/dev/null 2>&1; then
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - needs '$*' (required under CI=true)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP needs '$*'"
	exit 0
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}
