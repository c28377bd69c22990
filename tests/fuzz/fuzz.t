#!/bin/sh
# fuzz.t - the libFuzzer harnesses of tests/fuzz/ as a regression test:
# every file of every corpus is replayed (a crash, leak, UBSan report,
# timeout or memory blow-up found before must stay fixed), then each
# harness fuzzes from its corpus for FUZZ_RUNS inputs (20000, about 30 s;
# at most FUZZ_SECONDS, 120) from a fixed seed, and any finding fails.
# The seed and the count are fixed so that a run is the same on every
# machine and a red CI is a bug, not luck; `make fuzz` explores with time
# and a fresh seed.  Each replay runs under libFuzzer's -timeout and
# -rss_limit_mb and a hard wall-clock limit, so an input that still costs
# too much fails here instead of hanging the suite.
#
# The fuzzers are their own ASan + UBSan build (clang, build/fuzz/), so
# they run once, in the release pass of make check, not again in the
# ASan pass.  What they find is kept in build/fuzz/found/.
. "$(dirname "$0")/../lib/tap.sh"

case $EG in
*/build/asan/*)
	echo "1..0 # SKIP the fuzzers ran with the release build"
	exit 0
	;;
esac
need clang-14 --version
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{\n\treturn 0;\n}\n' >"$T/probe.c"
need clang-14 -fsanitize=fuzzer "$T/probe.c" -o "$T/probe"

SECS=${FUZZ_SECONDS:-120}
RUNS=${FUZZ_RUNS:-20000}
OPTS="-rss_limit_mb=2048 -timeout=25"
WALL=60		# seconds for one replay, whatever libFuzzer makes of it
FOUND=$ROOT/build/fuzz/found

# Inside make check the jobserver is not ours to use.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s fuzzers >"$T/build" 2>&1
rc=$?
ok $rc "the fuzzers build"
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$T/build" | tail -20
	done_testing
	exit 1
fi

# The lines of a libFuzzer log that say what went wrong.
why() {
	grep -E 'ERROR|runtime error|SUMMARY|Killed' "$1" | head -4 |
	    sed 's/^/#   /'
}

# libFuzzer's -timeout does not cover the leak check after an input, and
# an input that allocates much can slip past it there, so each file runs
# twice: without the leak check, where -timeout holds, then with it.
replay() {	# replay HARNESS FILE
	timeout -s KILL $WALL build/fuzz/fuzz-$1 $OPTS -detect_leaks=0 \
	    -artifact_prefix="$T/" "$2" >"$T/log" 2>&1 &&
	timeout -s KILL $WALL build/fuzz/fuzz-$1 $OPTS \
	    -artifact_prefix="$T/" "$2" >"$T/log" 2>&1
}

for h in policy lock catalog livekit aerleon; do
	for f in tests/fuzz/corpus/$h/*; do
		replay $h "$f"
		rc=$?
		ok $rc "fuzz-$h replays ${f#tests/fuzz/corpus/}"
		if [ $rc -eq 137 ]; then
			echo "#   killed after ${WALL}s"
		elif [ $rc -ne 0 ]; then
			why "$T/log"
		fi
	done
done

mkdir -p "$FOUND"
for h in policy lock catalog livekit aerleon; do
	dict=tests/fuzz/yaml.dict
	[ -f tests/fuzz/$h.dict ] && dict=tests/fuzz/$h.dict
	mkdir -p "$T/new/$h"
	build/fuzz/fuzz-$h $OPTS -dict=$dict -seed=1 -runs="$RUNS" \
	    -max_total_time="$SECS" \
	    -artifact_prefix="$FOUND/$h-" "$T/new/$h" tests/fuzz/corpus/$h \
	    >"$T/log" 2>&1
	rc=$?
	ok $rc "fuzz-$h finds nothing in $RUNS runs (seed 1)"
	if [ $rc -ne 0 ]; then
		why "$T/log"
		echo "#   the input is in $FOUND/"
	fi
done
done_testing
