#!/bin/sh
# netns.sh - shared pieces of the kernel tests (tests/nl, tests/traffic):
# the "needs root and namespaces" gate, a client/server pair of network
# namespaces joined by veth, the listener/probe program, the lab policy
# (HeyGen/LiveKit-shaped) with its catalog and DNS zone, and JSON
# normalising for nft -j listings.
#
# Source tests/lib/tap.sh first (ROOT, EG, T, ok/is/need), then this file,
# then call ns_init: it replaces tap.sh's exit trap with one that also
# deletes the namespaces (named egc-PID-*) and kills what was started.

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PATH=$PATH:/usr/sbin:/sbin
export PATH

# The commands every kernel test needs; skip, or fail under CI=true.
ns_gate()
{
	need test "$(id -u)" = 0
	need unshare -n true
	need unshare -n nft list ruleset
	need test -x "$EG"
	for _c in "$@"; do
		need command -v "$_c"
	done
}

ns_init()
{
	NS_TMP=$T
	trap 'ns_cleanup' EXIT
	trap 'exit 1' HUP INT PIPE TERM
}

NS_TMP=""
NS_LIST=""
NS_PIDS=""

ns_cleanup()
{
	for _p in $NS_PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _n in $NS_LIST; do
		ip netns pids "$_n" 2>/dev/null | while read -r _p; do
			kill "$_p" 2>/dev/null
		done
		ip netns del "$_n" 2>/dev/null
	done
	NS_PIDS=""
	NS_LIST=""
	[ -n "$T" ] && rm -rf "$T"
}

# ns_add NAME: a namespace with lo up, remembered for ns_cleanup.
ns_add()
{
	ip netns add "$1" || return 1
	NS_LIST="$NS_LIST $1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1
	return 0
}

# The lab: client C and server S joined by veth.  The server holds the
# addresses the test zone gives the hosts of the lab policy, plus one
# address no rule names; 198.18.0.0/15 and 2001:2::/48 are the
# benchmarking ranges, which `egressc resolve` accepts as public.
LAB_C4=198.18.0.2
LAB_C6=2001:2::2
LAB_S4=198.18.0.1
LAB_S6=2001:2::1
LAB_DNS=198.18.0.53
# name          IPv4          IPv6
LAB_HOSTS="api.heygen.com 198.18.0.10 2001:2::10
heygen-test.livekit.cloud 198.18.0.11 2001:2::11
heygen-test.turn.livekit.cloud 198.18.0.12 2001:2::12
heygen-test.lab1a.production.livekit.cloud 198.18.0.13 2001:2::13
lab1a.turn.livekit.cloud 198.18.0.14 2001:2::14"
LAB_TURN4=198.18.0.33		# inside the *.host.livekit.cloud cidrs
LAB_TURN6=2001:2::33
LAB_OTHER4=198.18.0.99		# named by no rule
LAB_OTHER6=2001:2::99

ns_lab()
{
	NS_C=egc-$$-c
	NS_S=egc-$$-s
	ns_add "$NS_C" && ns_add "$NS_S" || return 1
	ip link add "egc$$c" netns "$NS_C" type veth peer name "egc$$s" \
	    netns "$NS_S" || return 1
	ip -n "$NS_C" link set "egc$$c" name eth0
	ip -n "$NS_S" link set "egc$$s" name eth0
	ip -n "$NS_C" addr add "$LAB_C4/24" dev eth0
	ip -n "$NS_C" addr add "$LAB_C6/64" dev eth0 nodad
	ip -n "$NS_S" addr add "$LAB_S4/24" dev eth0
	ip -n "$NS_S" addr add "$LAB_S6/64" dev eth0 nodad
	for _a in $LAB_DNS $(echo "$LAB_HOSTS" | awk '{print $2}') \
	    $LAB_TURN4 $LAB_OTHER4; do
		ip -n "$NS_S" addr add "$_a/24" dev eth0
	done
	for _a in $(echo "$LAB_HOSTS" | awk '{print $3}') $LAB_TURN6 \
	    $LAB_OTHER6; do
		ip -n "$NS_S" addr add "$_a/64" dev eth0 nodad
	done
	ip -n "$NS_C" link set eth0 up
	ip -n "$NS_S" link set eth0 up
	# Wait for the link to come up and IPv6 addresses to settle.
	for _i in $(seq 1 50); do
		ip -n "$NS_C" link show eth0 | grep -q LOWER_UP &&
		    ip -n "$NS_S" link show eth0 | grep -q LOWER_UP &&
		    ! ip -n "$NS_C" addr | grep -q tentative &&
		    ! ip -n "$NS_S" addr | grep -q tentative && return 0
		sleep 0.1
	done
	echo "# lab network did not come up" >&2
	return 1
}

# The listener/probe program, built once per test file.
ns_probe_build()
{
	NLPROBE=$NS_TMP/nlprobe
	cc -O2 -Wall -o "$NLPROBE" "$ROOT/tests/traffic/nlprobe.c"
}

# ns_listen NS PROTO/PORT...: listeners in NS; returns when they are bound.
ns_listen()
{
	_ns=$1
	shift
	_f=$NS_TMP/listen.$$.$_ns.$(date +%s%N)
	ip netns exec "$_ns" "$NLPROBE" listen "$@" >"$_f" 2>&1 &
	NS_PIDS="$NS_PIDS $!"
	for _i in $(seq 1 50); do
		grep -q ready "$_f" 2>/dev/null && return 0
		grep -q nlprobe "$_f" 2>/dev/null && { cat "$_f" >&2; return 1; }
		sleep 0.1
	done
	return 1
}

# ns_lab_up PROTO/PORT: the probe built, the lab joined and a listener on
# PROTO/PORT in the server namespace, each a test; without the probe or
# the lab the test file ends here.
ns_lab_up()
{
	ns_probe_build
	ok $? "build the probe program" || { done_testing; exit 1; }
	ns_lab
	ok $? "client and server namespaces joined by veth" ||
	    { done_testing; exit 1; }
	ns_listen "$NS_S" "$1"
	ok $? "a listener on $1 in the server namespace"
}

# dnsmasq in the server namespace answering the lab zone.
ns_dns()
{
	_dm=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
	_args=""
	echo "$LAB_HOSTS" | while read -r _n _a4 _a6; do
		echo "host-record=$_n,$_a4,$_a6,300"
	done >"$NS_TMP/dnsmasq.conf"
	ip netns exec "$NS_S" "$_dm" --keep-in-foreground --no-resolv \
	    --no-hosts --bind-interfaces --listen-address="$LAB_DNS" \
	    --port=53 --conf-file="$NS_TMP/dnsmasq.conf" \
	    --pid-file="$NS_TMP/dnsmasq.pid" --log-facility=- \
	    >"$NS_TMP/dnsmasq.log" 2>&1 &
	NS_PIDS="$NS_PIDS $!"
	for _i in $(seq 1 50); do
		grep -q "started" "$NS_TMP/dnsmasq.log" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$NS_TMP/dnsmasq.log" >&2
	return 1
}

# The lab policy: the HeyGen/LiveKit shape (policies/heygen-livekit.yaml)
# with the test zone's project and a one-region catalog.
ns_lab_policy()
{
	cat >"$NS_TMP/lab-catalog.yaml" <<'EOF'
egressc-catalog: 1
name: lab-livekit
source: tests/lib/netns.sh (the test zone dnsmasq serves)
checked: 2026-11-27
regions: [lab1a]
zones:
  "*.livekit.cloud":
    hosts:
      - "${livekit_project}.livekit.cloud"
      - "${livekit_project}.${region}.production.livekit.cloud"
  "*.turn.livekit.cloud":
    hosts:
      - "${livekit_project}.turn.livekit.cloud"
      - "${region}.turn.livekit.cloud"
  "*.host.livekit.cloud":
    cidrs: [198.18.0.32/28, "2001:2::30/124"]
EOF
	cat >"$NS_TMP/lab.yaml" <<EOF
egressc: 1
name: lab
description: HeyGen/LiveKit-shaped policy for the namespace traffic tests
vars:
  livekit_project: heygen-test
include: [lab-catalog.yaml]
wildcards: expand
hosts: resolve
default: deny
networks:
  resolvers: [$LAB_DNS]
services:
  dns: [udp/53, tcp/53]
  https: [tcp/443]
  turn-udp: [udp/3478]
  webrtc-media: [udp/50000-60000]
  webrtc-tcp: [tcp/7881]
rules:
  - name: dns
    to: [resolvers]
    ports: [dns]
  - name: livekit-signaling
    tier: minimum
    to: ["*.livekit.cloud"]
    ports: [https]
    comment: Signalling via WebSocket (WSS)
  - name: livekit-turn-tls
    tier: minimum
    to: ["*.turn.livekit.cloud"]
    ports: [https]
    comment: TURN over TLS fallback when UDP is blocked
  - name: livekit-turn-udp
    tier: minimum
    to: ["*.host.livekit.cloud"]
    ports: [turn-udp]
    comment: TURN/UDP for ICE (P2P relays)
  - name: heygen-api
    tier: minimum
    to: [api.heygen.com]
    ports: [https]
    comment: HeyGen APIs and Avatar signalling/webhooks
  - name: webrtc-media
    tier: recommended
    to: [any]
    ports: [webrtc-media]
    comment: WebRTC media (RTP/RTCP)
  - name: webrtc-tcp
    tier: recommended
    to: [any]
    ports: [webrtc-tcp]
    comment: WebRTC TCP fallback
EOF
}

# A lock for the lab policy written by hand (for when resolve is not
# wanted): the same answers dnsmasq gives.
ns_lab_lock()
{
	{
		echo "egressc-lock: 1"
		echo "hosts:"
		echo "$LAB_HOSTS" | sort | while read -r _n _a4 _a6; do
			echo "  $_n:"
			echo "    a: [$_a4]"
			echo "    aaaa: [\"$_a6\"]"
			echo "    ttl: 300"
			echo "    first-seen: 2026-11-27T12:00:00Z"
			echo "    last-seen: 2026-11-27T12:00:00Z"
		done
	} >"$1"
}

# nft -j output without handles and metainfo, one object per line.
ns_json_norm()
{
	"$PY" -c '
import json, sys
text = sys.stdin.read().strip()
doc = json.loads(text.splitlines()[-1]) if text else {"nftables": []}
for o in doc.get("nftables", []):
    for k, v in o.items():
        if k == "metainfo":
            continue
        if isinstance(v, dict):
            v.pop("handle", None)
        print(json.dumps({k: v}, sort_keys=True))
'
}
