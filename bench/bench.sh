#!/bin/sh
# make bench: compile a generated 2000-rule x 10-destination policy to every
# built target; report wall time, peak RSS and rules emitted per target.
# Then the shapes that once cost quadratic time (bench/shapes.py: 100,000
# variables, a mapping of 50,000 keys, 50,000 and 100,000 rules, a lock of
# 50,000 hosts), each read by lint and compiled for nftables.  Then the
# resolver benchmark, when bench/resolve.sh is there.
# Then the resolver benchmark (bench/resolve.sh) and the refresh benchmark
# (bench/refresh.sh: 1000 names, 10% moved, only those sent).  Then the
# kernel's side (bench/kernel.sh, root only): the 2000-rule workload loaded
# with targets.nftables.merge off and on: rules in the chain, set
# elements, nft -c -f and apply times, connections per second through it.
set -e
cd "$(dirname "$0")/.."
EG=${EGRESSC:-./egressc}
T=$(mktemp -d /tmp/egressc-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
/usr/bin/python3 bench/gen.py 2000 >"$T/bench.yaml"
echo "policy: 2000 rules x 10 destinations ($(wc -c <"$T/bench.yaml") bytes)"
# Warm the page cache, then measure three runs and keep the best.
"$EG" compile -t all -o "$T/out" "$T/bench.yaml" 2>/dev/null
best=""
for i in 1 2 3; do
	/usr/bin/time -f '%e %M' -o "$T/time" \
	    "$EG" compile -t all -o "$T/out" "$T/bench.yaml" 2>/dev/null
	read -r secs kb <"$T/time"
	ms=$(echo "$secs" | awk '{ printf "%d", $1 * 1000 }')
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; rss=$kb; fi
done
echo "compile -t all: ${best} ms wall (best of 3), peak RSS $((rss / 1024)) MiB"
echo "target: under 150 ms and 32 MiB"
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
