# threads.sh - for the tests that compare one thread with two (split.t,
# rules.t): sourced after tap.sh.

# threads COUNT NAME [LOCK]: what lint and compile --dump ir say and exit
# for the policy $T/NAME.yaml with EGRESSC_THREADS=COUNT, into
# $T/NAME.COUNT.  LOCK: the lock file, $T/p.lock when not given.
threads() {
	_lock=${3:-$T/p.lock}
	{
		EGRESSC_THREADS=$1 "$EG" lint --lock "$_lock" "$T/$2.yaml" 2>&1
		echo "rc=$?"
		EGRESSC_THREADS=$1 "$EG" compile --dump ir --lock "$_lock" \
		    "$T/$2.yaml" 2>&1
		echo "rc=$?"
	} >"$T/$2.$1"
}
