#!/bin/sh
# refresh.sh - the refresh part of `make bench`: a policy of 1000 names
# (10 rules of 100), its lock written by `egressc resolve` from a dnsmasq
# on loopback, the table applied; then, three times, 10% of the names move
# to new addresses (a fresh tenth each time) and `egressc refresh` runs:
# its wall time, and the elements it sent (--verbose), which must be the
# changed ones only.  Everything runs in a network namespace of its own
# (unshare -n), so the host's ruleset is never touched.  Needs root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
EG=${EGRESSC:-$ROOT/egressc}
N=${BENCH_NAMES:-1000}
PATH=$PATH:/usr/sbin:/sbin
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "refresh: not root (or no unshare -n): skipped"
	exit 0
fi
T=$(mktemp -d /tmp/egressc-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 711 "$T"

{
	printf 'egressc: 1\nname: bench-refresh\ndefault: deny\n'
	printf 'dynamic: {timeout: 1h, min-ttl: 10m, max-ttl: 1h}\nrules:\n'
	i=1
	while [ "$i" -le "$N" ]; do
		[ $(( (i - 1) % 100 )) -eq 0 ] &&
			printf '  - name: r%d\n    ports: [tcp/443]\n    to:\n' "$i"
		printf '      - n%d.bench.test\n' "$i"
		i=$((i + 1))
	done
} >"$T/bench.yaml"
/usr/bin/python3 - "$N" <<'PY' >"$T/hosts"
import sys
n = int(sys.argv[1])
for i in range(1, n + 1):
    print("198.18.%d.%d n%d.bench.test" % (128 + i // 250, 1 + i % 250, i))
PY
chmod 644 "$T/hosts"

unshare -n sh -s "$EG" "$T" "$N" <<'EOF'
EG=$1 T=$2 N=$3
ip link set lo up
DM=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
"$DM" --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 \
    --port=5353 --addn-hosts="$T/hosts" --local-ttl=300 --cache-size=0 \
    --pid-file="$T/dm.pid" --conf-file=/dev/null || { echo "refresh: dnsmasq did not start"; exit 1; }
trap 'kill "$(cat "$T/dm.pid")" 2>/dev/null' EXIT
D=127.0.0.1:5353
ms() { echo $(( $(date +%s%N) / 1000000 )); }
"$EG" resolve --dns-server "$D" --family 4 --lock "$T/bench.lock" \
    "$T/bench.yaml" || { echo "refresh: resolve failed"; exit 1; }
"$EG" apply --lock "$T/bench.lock" "$T/bench.yaml" ||
    { echo "refresh: apply failed"; exit 1; }
best=
for k in 1 2 3; do
	# The first k tenths of the names at new addresses (198.19/16).
	/usr/bin/python3 - "$N" "$k" >"$T/hosts.new" <<'PY'
import sys
n, k = int(sys.argv[1]), int(sys.argv[2])
for i in range(1, n + 1):
    moved = (i - 1) // (n // 10) < k
    print("198.%d.%d.%d n%d.bench.test" % (18 + moved, 128 + i // 250,
        1 + i % 250, i))
PY
	chmod 644 "$T/hosts.new"
	mv "$T/hosts.new" "$T/hosts"
	kill -HUP "$(cat "$T/dm.pid")"
	sleep 0.5
	t0=$(ms)
	"$EG" refresh --dns-server "$D" --family 4 --verbose \
	    --lock "$T/bench.lock" "$T/bench.yaml" >"$T/out" ||
	    { echo "refresh: refresh failed"; exit 1; }
	t=$(( $(ms) - t0 ))
	sent=$(grep -c '^add element ' "$T/out")
	echo "refresh: $N names, $((N / 10)) moved: ${t} ms, $sent elements sent ($(tail -1 "$T/out"))"
	[ "$sent" -eq $((N / 10)) ] ||
	    { echo "refresh: expected $((N / 10)) elements, the moved names only"; exit 1; }
	[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
done
echo "refresh: best of 3: ${best} ms (whole process: policy, DNS, kernel read, batch)"
EOF
