#!/bin/sh
# kernel.sh - the kernel part of `make bench`: the 2000-rule workload
# (bench/gen.py 2000, plus a last rule the measured connections hit, so a
# rule-by-rule chain is walked to its end) loaded into nftables, with
# targets.nftables.merge off (one rule per line) and on (runs as set
# lookups).  For each: the rules in the chain and the elements in named
# sets as the kernel lists them, the time of `nft -c -f` of the file and of
# `egressc apply` (best of 3, each in a fresh `unshare -n` namespace), and
# TCP connections per second from a client namespace through the loaded
# output chain over a veth pair to a listener in a server namespace (best
# of 3 rounds of N connections; bench/connect.c).  Figures only: nothing
# here passes or fails on time.  Needs root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
EG=${EGRESSC:-$ROOT/egressc}
N=${BENCH_CONNS:-5000}
PATH=$PATH:/usr/sbin:/sbin
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "kernel: not root (or no unshare -n): skipped"
	exit 0
fi
T=$(mktemp -d /tmp/egressc-bench.XXXXXX)
NC=egb-$$-c
NS=egb-$$-s
cleanup()
{
	[ -f "$T/srv.pid" ] && kill "$(cat "$T/srv.pid")" 2>/dev/null
	ip netns del "$NC" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }

{
	/usr/bin/python3 bench/gen.py 2000
	printf '  - name: bench-target\n    to: [198.18.99.2]\n    ports: [tcp/9000]\n'
} >"$T/on.yaml"
sed 's/^name: bench$/name: bench\ntargets:\n  nftables: {merge: false}/' \
    "$T/on.yaml" >"$T/off.yaml"
cc -O2 -Wall -o "$T/connect" bench/connect.c ||
    { echo "kernel: cannot build bench/connect.c"; exit 1; }

ip netns add "$NC" && ip netns add "$NS" || { echo "kernel: ip netns add"; exit 1; }
ip link add egb$$c netns "$NC" type veth peer name egb$$s netns "$NS"
ip -n "$NC" addr add 198.18.99.1/24 dev egb$$c
ip -n "$NS" addr add 198.18.99.2/24 dev egb$$s
for n in "$NC" "$NS"; do
	ip -n "$n" link set lo up
done
ip -n "$NC" link set egb$$c up
ip -n "$NS" link set egb$$s up
ip netns exec "$NS" "$T/connect" listen 9000 >"$T/srv" 2>&1 &
echo $! >"$T/srv.pid"
for i in $(seq 1 50); do
	grep -q ready "$T/srv" && ip -n "$NC" link show egb$$c |
	    grep -q LOWER_UP && break
	sleep 0.1
done

# best-of-3 connections per second from the client namespace.
cps()
{
	best=0
	for k in 1 2 3; do
		r=$(ip netns exec "$NC" "$T/connect" run 198.18.99.2 9000 "$N") ||
		    { echo "connect failed"; return 1; }
		[ "$r" -gt "$best" ] && best=$r
	done
	echo "$best"
}
# best-of-3 wall time in ms of a command in a fresh namespace.
timed()
{
	best=
	for k in 1 2 3; do
		t0=$(ms)
		unshare -n "$@" >/dev/null 2>&1 || { echo "failed"; return 1; }
		t=$(( $(ms) - t0 ))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "$best"
}

echo "kernel: bench/gen.py 2000 and a last rule, default deny; $N connections a round"
echo "  connections/s, no ruleset: $(cps)"
for mode in off on; do
	"$EG" compile -t nftables "$T/$mode.yaml" >"$T/$mode.nft" 2>/dev/null ||
	    { echo "kernel: compile failed"; exit 1; }
	unshare -n sh -c '"$0" apply --force "$1" &&
	    nft -j list table inet bench' "$EG" "$T/$mode.yaml" >"$T/$mode.json" ||
	    { echo "kernel: apply failed"; exit 1; }
	counts=$(/usr/bin/python3 - "$T/$mode.json" <<'PY'
import json, sys
objs = json.load(open(sys.argv[1]))["nftables"]
rules = sum(1 for o in objs if "rule" in o)
elems = sum(len(o["set"].get("elem", [])) for o in objs if "set" in o)
print(rules, elems)
PY
)
	set -- $counts
	check=$(timed nft -c -f "$T/$mode.nft")
	apply=$(timed "$EG" apply --force "$T/$mode.yaml")
	ip netns exec "$NC" nft flush ruleset
	"$EG" apply --force --netns "$NC" "$T/$mode.yaml" 2>/dev/null ||
	    { echo "kernel: apply --netns failed"; exit 1; }
	printf '  merge %-3s %5d rules in the chain, %6d set elements, nft -c -f %5d ms, apply %5d ms, %6s connections/s\n' \
	    "$mode" "$1" "$2" "$check" "$apply" "$(cps)"
done
