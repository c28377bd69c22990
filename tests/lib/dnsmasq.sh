#!/bin/sh
# dnsmasq.sh - a real DNS server on loopback for the resolver tests.
#
# Source it and call `dns_start DIR [EXTRA-DNSMASQ-ARGS...]`: it starts
# dnsmasq on 127.0.0.X and a high port (both picked at random, retried on a
# clash) serving the test zone below, and sets DNS_SERVER=127.0.0.X:PORT.
# `dns_stop` kills what dns_start started (call it from a trap).  Run as a
# script, `sh dnsmasq.sh start DIR [ARGS...]` prints DNS_SERVER and leaves
# the servers running; `sh dnsmasq.sh stop DIR` stops them (for C tests).
#
# The zone (TTL 300; 198.18.0.0/15 and 2001:2::/48 are the benchmarking
# ranges, public as far as `egressc resolve` is concerned):
#   api.heygen.com          198.18.0.10 198.18.0.11 2001:2::10
#   resource.heygen.com     CNAME cdn.heygen.com CNAME edge.cdn.test
#   edge.cdn.test           198.18.0.21 198.18.0.20 2001:2::20
#   heygen-feapbkvq.livekit.cloud                  198.18.1.10 2001:2::1:10
#   heygen-feapbkvq.oashburn1b.production.livekit.cloud  198.18.1.12 198.18.1.11
#   heygen-feapbkvq.turn.livekit.cloud             198.18.1.20
#   oashburn1b.turn.livekit.cloud                  2001:2::1:20 (AAAA only)
#   private.heygen.com      10.20.30.40 (refused unless allow-private)
#   never.heygen.com        one address in each refused range
#   edges.heygen.com        public addresses just outside them
#   nx.heygen.com           NXDOMAIN
#   slow.heygen.com         never answered (forwarded to a silent socket)
#   servfail.heygen.com     forwarded to a server that answers SERVFAIL
# and, when DNS_BENCH=N is set, n1.bench.test ... nN.bench.test.
# DNS_PORT=P, when set, fixes the port (53 for glibc's resolver, which
# speaks to no other); the upstreams then use ports 1053 and 1054.

dns_start()
{
	_dir=$1
	shift
	mkdir -p "$_dir" || return 1
	_py=/usr/bin/python3
	[ -x "$_py" ] || _py=python3
	command -v dnsmasq >/dev/null 2>&1 ||
		[ -x /usr/sbin/dnsmasq ] || { echo "dnsmasq not installed" >&2; return 1; }
	PATH=$PATH:/usr/sbin:/sbin
	_hosts=$_dir/bench.hosts
	: >"$_hosts"
	if [ -n "${DNS_BENCH:-}" ]; then
		"$_py" - "$DNS_BENCH" >"$_hosts" <<'PY'
import sys
for i in range(1, int(sys.argv[1]) + 1):
    print("198.18.%d.%d n%d.bench.test" % (128 + i // 250, 1 + i % 250, i))
PY
	fi
	# Logging every query is for reading a failed test; it would also
	# be most of the server's time in a benchmark.
	_logq=--log-queries
	[ -n "${DNS_BENCH:-}" ] && _logq=
	for _try in 1 2 3 4 5 6 7 8; do
		_x=$(( $(od -An -N2 -tu2 /dev/urandom) % 200 + 20 ))
		_port=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
		_up=$((_port + 1))
		[ -n "${DNS_PORT:-}" ] && _port=$DNS_PORT _up=$((DNS_PORT + 1000))
		DNS_X=$_x
		DNS_ADDR=127.0.0.$_x
		# Upstreams for two domains: UP is bound but never read (no
		# answer, no ICMP error either); UP+1 answers SERVFAIL.
		"$_py" -c '
import select, socket, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
silent.bind((addr, port))
fail = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fail.bind((addr, port + 1))
print("ready", flush=True)
end = time.time() + 3600
while time.time() < end:
    if select.select([fail], [], [], 60)[0]:
        q, peer = fail.recvfrom(4096)
        if len(q) >= 12:
            # Same id and question; QR=1, RD and RA kept, RCODE=2.
            flags = bytes([0x80 | (q[2] & 0x01), 0x80 | 2])
            fail.sendto(q[:2] + flags + q[4:6] + bytes(6) + q[12:], peer)
' "$DNS_ADDR" $_up >"$_dir/silent.out" 2>/dev/null &
		echo $! >"$_dir/silent.pid"
		_n=0
		while [ ! -s "$_dir/silent.out" ] && [ $_n -lt 50 ]; do
			sleep 0.05; _n=$((_n + 1))
		done
		if [ ! -s "$_dir/silent.out" ]; then
			kill "$(cat "$_dir/silent.pid")" 2>/dev/null
			continue
		fi
		if dnsmasq --conf-file=/dev/null --no-resolv --no-hosts \
		    --no-poll --no-negcache \
		    --listen-address="$DNS_ADDR" --bind-interfaces \
		    --port="$_port" --pid-file="$_dir/dnsmasq.pid" \
		    --user="$(id -un)" --group="$(id -gn)" \
		    --log-facility="$_dir/dnsmasq.log" $_logq --local-ttl=300 \
		    --addn-hosts="$_hosts" \
		    --host-record=api.heygen.com,198.18.0.10,2001:2::10 \
		    --host-record=api.heygen.com,198.18.0.11 \
		    --cname=resource.heygen.com,cdn.heygen.com,300 \
		    --cname=cdn.heygen.com,edge.cdn.test,300 \
		    --host-record=edge.cdn.test,198.18.0.21,2001:2::20 \
		    --host-record=edge.cdn.test,198.18.0.20 \
		    --host-record=heygen-feapbkvq.livekit.cloud,198.18.1.10,2001:2::1:10 \
		    --host-record=heygen-feapbkvq.oashburn1b.production.livekit.cloud,198.18.1.12 \
		    --host-record=heygen-feapbkvq.oashburn1b.production.livekit.cloud,198.18.1.11 \
		    --host-record=heygen-feapbkvq.turn.livekit.cloud,198.18.1.20 \
		    --host-record=oashburn1b.turn.livekit.cloud,2001:2::1:20 \
		    --host-record=private.heygen.com,10.20.30.40 \
		    --host-record=never.heygen.com,0.1.2.3,::1 \
		    --host-record=never.heygen.com,100.64.0.1,fe80::1 \
		    --host-record=never.heygen.com,127.0.0.5,fd12::1 \
		    --host-record=never.heygen.com,169.254.1.1,ff02::1 \
		    --host-record=never.heygen.com,172.31.255.255,2001:db8::1 \
		    --host-record=never.heygen.com,192.0.2.1 \
		    --host-record=never.heygen.com,192.168.1.1 \
		    --host-record=never.heygen.com,198.51.100.1 \
		    --host-record=never.heygen.com,203.0.113.1 \
		    --host-record=never.heygen.com,224.0.0.251 \
		    --host-record=never.heygen.com,255.255.255.255 \
		    --host-record=edges.heygen.com,9.255.255.255,fbff::1 \
		    --host-record=edges.heygen.com,11.0.0.0,fec0::1 \
		    --host-record=edges.heygen.com,100.63.255.255,2001:db7:ffff::1 \
		    --host-record=edges.heygen.com,100.128.0.0,2001:db9::1 \
		    --host-record=edges.heygen.com,172.15.255.255,::2 \
		    --host-record=edges.heygen.com,172.32.0.0 \
		    --host-record=edges.heygen.com,223.255.255.255 \
		    --local=/heygen.com/livekit.cloud/cdn.test/bench.test/ \
		    --address=/nx.heygen.com/ \
		    --server=/slow.heygen.com/"$DNS_ADDR#$_up" \
		    --server=/servfail.heygen.com/"$DNS_ADDR#$((_up + 1))" \
		    "$@" 2>"$_dir/dnsmasq.err"; then
			DNS_PORT=$_port
			DNS_SERVER=$DNS_ADDR:$DNS_PORT
			DNS_DIR=$_dir
			return 0
		fi
		kill "$(cat "$_dir/silent.pid")" 2>/dev/null
	done
	echo "could not start dnsmasq:" >&2
	cat "$_dir/dnsmasq.err" >&2
	return 1
}

dns_stop()
{
	_d=${1:-${DNS_DIR:-}}
	[ -n "$_d" ] || return 0
	for _f in "$_d/dnsmasq.pid" "$_d/silent.pid"; do
		[ -s "$_f" ] && kill "$(cat "$_f")" 2>/dev/null
		rm -f "$_f"
	done
	return 0
}

case "${0##*/}" in
dnsmasq.sh)
	case "${1:-}" in
	start)	shift; _d=$1; shift
		dns_start "$_d" "$@" || exit 1
		echo "$DNS_SERVER" ;;
	stop)	dns_stop "$2" ;;
	*)	echo "usage: dnsmasq.sh start|stop DIR [ARGS...]" >&2; exit 2 ;;
	esac ;;
esac
