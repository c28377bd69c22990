#!/bin/sh
# Limits that must not lose answers: an answer of 300 A records (more than
# fit in UDP; c-ares asks again over TCP) is recorded whole, not cut at
# 256; and 2000 names asked with --concurrency 4096 against one dnsmasq all
# resolve: past RESOLVE_MAX_INFLIGHT queries in flight per server the
# server's socket drops datagrams, so egressc keeps no more in flight.
. "$(dirname "$0")/../lib/tap.sh"
i=1
: >"$T/big.hosts"
while [ $i -le 300 ]; do
	echo "198.18.$((8 + i / 250)).$((i % 250 + 1)) big.heygen.com" \
	    >>"$T/big.hosts"
	i=$((i + 1))
done
set -- --addn-hosts="$T/big.hosts"
DNS_BENCH=2000
export DNS_BENCH
. "$ROOT/tests/resolve/dns.sh"

cat >"$T/big.yaml" <<'Y'
egressc: 1
name: big
rules:
  - name: big
    to: [big.heygen.com]
    ports: [tcp/443]
Y
"$EG" resolve --dns-server "$DNS_SERVER" --lock "$T/big.lock" \
    "$T/big.yaml" 2>"$T/err"
okd $? "300 A records: exit 0" "$T/err"
is "$(grep '^    a: ' "$T/big.lock" | tr ',' '\n' | wc -l | tr -d ' ')" 300 \
    "...all 300 in the lock"
is "$(grep -c '^      198\.18\.[89]\.[0-9]*: \[' "$T/big.lock")" 600 \
    "...each with its seen: and by: entries"

{
	printf 'egressc: 1\nname: many\nrules:\n'
	i=1
	while [ $i -le 2000 ]; do
		[ $(( (i - 1) % 500 )) -eq 0 ] &&
			printf '  - name: r%d\n    ports: [tcp/443]\n    to:\n' $i
		printf '      - n%d.bench.test\n' $i
		i=$((i + 1))
	done
} >"$T/many.yaml"
"$EG" resolve --concurrency 4096 --dns-server "$DNS_SERVER" \
    --lock "$T/many.lock" "$T/many.yaml" 2>"$T/err"
okd $? "2000 names, --concurrency 4096: exit 0" "$T/err"
is "$(grep -c '^  n[0-9]*\.bench\.test:$' "$T/many.lock")" 2000 \
    "...every name in the lock"
is "$(diags "$T/err" | wc -l | tr -d ' ')" 0 "...and not one time-out"
done_testing
