#!/bin/sh
# resolve.sh - the resolver part of `make bench`: 1000 distinct names from
# a local dnsmasq, resolved by `egressc resolve` (c-ares, all queries in
# flight together) and by getaddrinfo() one name after another
# (bench/gai.c).  Both ask the same server: glibc speaks only to port 53,
# so as root the server listens on 127.0.0.X:53 and gai runs in a private
# mount namespace whose /etc/resolv.conf names it.  Prints both wall times
# and their ratio.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
EG=${EGRESSC:-$ROOT/egressc}
N=${BENCH_NAMES:-1000}
T=$(mktemp -d /tmp/egressc-bench.XXXXXX)
PATH=$PATH:/usr/sbin:/sbin
. "$ROOT/tests/lib/dnsmasq.sh"
trap 'dns_stop; rm -rf "$T"' EXIT

gai=yes
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "resolve: not root (or no unshare): getaddrinfo baseline skipped"
	gai=no
else
	export DNS_PORT=53
fi
DNS_BENCH=$N dns_start "$T/dns" || { echo "resolve: dnsmasq did not start"; exit 1; }

ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# A policy naming the N hosts, 100 to a rule.
{
	printf 'egressc: 1\nname: bench-resolve\nrules:\n'
	i=1
	while [ "$i" -le "$N" ]; do
		[ $(( (i - 1) % 100 )) -eq 0 ] &&
			printf '  - name: r%d\n    ports: [tcp/443]\n    to:\n' "$i"
		printf '      - n%d.bench.test\n' "$i"
		echo "n$i.bench.test" >>"$T/names"
		i=$((i + 1))
	done
} >"$T/bench.yaml"

best=
for run in 1 2 3; do
	rm -f "$T/bench.lock"
	t0=$(ms)
	"$EG" resolve --dns-server "$DNS_SERVER" --lock "$T/bench.lock" \
	    "$T/bench.yaml" || { echo "resolve: egressc resolve failed"; exit 1; }
	t=$(( $(ms) - t0 ))
	[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
done
n=$(grep -c '^  n[0-9]*\.bench\.test:$' "$T/bench.lock")
echo "resolve: egressc resolve, $n names (c-ares, 64 in flight): ${best} ms (best of 3, whole process)"
[ "$n" -eq "$N" ] || { echo "resolve: expected $N names in the lock"; exit 1; }

[ "$gai" = yes ] || exit 0
${CC:-cc} -O2 -o "$T/gai" bench/gai.c || exit 1
printf 'nameserver %s\n' "$DNS_ADDR" >"$T/resolv.conf"
t0=$(ms)
out=$(unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" "$3"' \
    sh "$T/resolv.conf" "$T/gai" "$T/names")
st=$?
t=$(( $(ms) - t0 ))
set -- $out
echo "resolve: getaddrinfo one by one, ${2:-0}/${1:-0} names: ${t} ms"
[ "$st" -eq 0 ] || { echo "resolve: getaddrinfo failed for some names"; exit 1; }
awk -v a="$t" -v b="$best" 'BEGIN { printf "resolve: ratio %.1fx (getaddrinfo / egressc)\n", a / (b ? b : 1) }'

# Loopback answers in microseconds, which flatters one-by-one lookups.
# Again with every answer held back RTT_MS by bench/rttproxy.py, a stand-in
# for a resolver across a network.
RTT=${BENCH_RTT_MS:-5}
[ "$RTT" -gt 0 ] || exit 0
PROXY=127.0.0.$(( DNS_X + 1 ))
/usr/bin/python3 bench/rttproxy.py "$PROXY" 53 "$DNS_ADDR" 53 "$RTT" \
    >"$T/proxy.out" 2>&1 &
echo $! >"$T/proxy.pid"
trap 'kill "$(cat "$T/proxy.pid")" 2>/dev/null; dns_stop; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/proxy.out" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q ready "$T/proxy.out" || { echo "resolve: rttproxy did not start"; exit 1; }
rm -f "$T/bench.lock"
t0=$(ms)
"$EG" resolve --dns-server "$PROXY:53" --lock "$T/bench.lock" "$T/bench.yaml" ||
    { echo "resolve: egressc resolve through the proxy failed"; exit 1; }
best=$(( $(ms) - t0 ))
echo "resolve: with ${RTT} ms per answer: egressc resolve ${best} ms"
printf 'nameserver %s\n' "$PROXY" >"$T/resolv.conf"
t0=$(ms)
unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" "$3"' \
    sh "$T/resolv.conf" "$T/gai" "$T/names" >/dev/null ||
    { echo "resolve: getaddrinfo through the proxy failed"; exit 1; }
t=$(( $(ms) - t0 ))
echo "resolve: with ${RTT} ms per answer: getaddrinfo one by one ${t} ms"
awk -v a="$t" -v b="$best" 'BEGIN { printf "resolve: with %d ms per answer: ratio %.1fx\n", '"$RTT"', a / (b ? b : 1) }'
