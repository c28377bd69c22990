#!/bin/sh
# make bench: compile a generated 2000-rule x 10-destination policy to every
# built target; report wall time, peak RSS and rules emitted per target.
# Then the resolver benchmark (bench/resolve.sh) and the refresh benchmark
# (bench/refresh.sh: 1000 names, 10% moved, only those sent).
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
	*.nft) n=$(grep -c ' comment "' "$f") ;;
	*.rules.v4|*.rules.v6) n=$(grep -c '^-A ' "$f") ;;
	*.pf.conf) n=$(grep -cE '^(pass|block)' "$f") ;;
	*.netsh.cmd) n=$(grep -c 'add rule' "$f") ;;
	*.ps1) n=$(grep -c 'New-NetFirewallRule' "$f") ;;
	*.cisco-ios.txt|*.cisco-asa.txt) n=$(grep -cE '^ *(permit|deny|access-list .* (permit|deny))' "$f") ;;
	*) n=? ;;
	esac
	printf '  %-24s %8s rules %10s bytes\n' "$(basename "$f")" "$n" "$(wc -c <"$f")"
done
if [ -f bench/resolve.sh ]; then
	sh bench/resolve.sh
fi
sh bench/refresh.sh
