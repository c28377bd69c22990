#!/bin/sh
# make bench: the scaling table (bench/scale.py: generated policies of 1k to
# 16k rules x 10 destinations; all targets, the slowest single target,
# lint, explain, the parser alone and the libyaml floor, medians of runs in
# the same conditions), then what the 2000-rule policy emits per target.
# Then the shapes that once cost quadratic time (bench/shapes.py: 100,000
# variables, a mapping of 50,000 keys, 50,000 and 100,000 rules, a lock of
# 50,000 hosts), each read by lint and compiled for nftables.  Then the
# resolver benchmark (bench/resolve.sh) and the refresh benchmark
# (bench/refresh.sh: 1000 names, 10% moved, only those sent).  Then the
# kernel's side (bench/kernel.sh, root only): the 2000-rule workload loaded
# with targets.nftables.merge off and on: rules in the chain, set
# elements, nft -c -f and apply times, connections per second through it.
set -e
cd "$(dirname "$0")/.."
EG=$(pwd)/${EGRESSC:-egressc}
case ${EGRESSC:-} in /*) EG=$EGRESSC ;; esac
B=build/bench
mkdir -p "$B"
# The floor and the timer are tiny C programs, built here so that the
# benchmark needs nothing the build does not.
cc -O2 -Wall -Wextra -Werror bench/yamlfloor.c \
    $(pkg-config --cflags --libs yaml-0.1) -o "$B/yamlfloor"
cc -O2 -Wall -Wextra -Werror bench/runit.c -o "$B/runit"
T=$(mktemp -d /tmp/egressc-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 bench/scale.py "$B/runit" "$EG" "$B/yamlfloor" "$T" \
    ${BENCH_SIZES:-1000 2000 4000 8000 16000}
/usr/bin/python3 bench/gen.py 2000 >"$T/bench.yaml"
echo "policy: 2000 rules x 10 destinations ($(wc -c <"$T/bench.yaml") bytes)"
"$EG" compile -t all -o "$T/out" "$T/bench.yaml" 2>/dev/null
for f in "$T"/out/*; do
	case "$f" in
	*.nft) n=$(grep -cE '^		[a-z].* (accept|drop|reject)( comment ".*")?$' "$f") ;;
	*.rules.v4|*.rules.v6) n=$(grep -c '^-A ' "$f") ;;
	*.pf.conf) n=$(grep -cE '^(pass|block)' "$f") ;;
	*.netsh.cmd) n=$(grep -c 'add rule' "$f") ;;
	*.ps1) n=$(grep -c 'New-NetFirewallRule' "$f") ;;
	*.cisco-ios.txt|*.cisco-asa.txt) n=$(grep -cE '^ *(permit|deny|access-list .* (permit|deny))' "$f") ;;
	*) n=? ;;
	esac
	printf '  %-24s %8s rules %10s bytes\n' "$(basename "$f")" "$n" "$(wc -c <"$f")"
done
# shape NAME N: time and peak RSS of lint and of compile -t nftables.
shape() {
	lock=$T/empty.lock
	printf 'egressc-lock: 1\nhosts: {}\n' >"$lock"
	if [ "$1" = lock ]; then
		lock=$T/shape.lock
		/usr/bin/python3 bench/shapes.py lock "$2" "$lock" >"$T/shape.yaml"
	else
		/usr/bin/python3 bench/shapes.py "$1" "$2" >"$T/shape.yaml"
	fi
	line=$(printf '  %-7s %7d (%5d KiB):' "$1" "$2" \
	    $(($(wc -c <"$T/shape.yaml") / 1024)))
	for cmd in lint "compile -t nftables"; do
		/usr/bin/time -f '%e %M' -o "$T/time" "$EG" $cmd --lock "$lock" \
		    "$T/shape.yaml" >/dev/null 2>&1 || true
		read -r secs kb <"$T/time"
		line="$line $(echo "$secs" | awk '{ printf "%d", $1 * 1000 }') ms $((kb / 1024)) MiB (${cmd%% *}),"
	done
	echo "${line%,}"
}
echo "shapes: lint, then compile -t nftables: wall time and peak RSS"
shape vars 100000
shape keys 50000
shape rules 50000
shape rules 100000
shape lock 50000
if [ -f bench/resolve.sh ]; then
	sh bench/resolve.sh
fi
sh bench/refresh.sh
sh bench/kernel.sh
