#!/bin/sh
# The dnsmasq target for real: an upstream dnsmasq in the server namespace
# answers api.heygen.com with the locked address and one the lock does not
# hold; the client namespace has the compiled nftables file loaded (its
# floor set holds the locked address only) and runs dnsmasq with the
# compiled NAME.dnsmasq.conf as its resolver on 127.0.0.1.  Before any
# lookup the new address is dropped; once the name is looked up through
# the client's dnsmasq it is in the dynamic set and a TCP connection to it
# opens; an address never answered for a policy name stays dropped; after
# the set's timeout (dynamic: {timeout: 3s}) the element is gone, the new
# address is dropped again and the floor still admits the locked one.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc dnsmasq
DM=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
need sh -c "'$DM' --version | grep -qw nftset"
ns_init

LOCKED=198.18.0.10
NEW=198.18.0.13
NEVER=$LAB_OTHER4
ns_lab_up tcp/443

# The upstream: the locked address and a new one for api.heygen.com.
cat >"$T/up.conf" <<EOF
host-record=api.heygen.com,$LOCKED,300
host-record=api.heygen.com,$NEW,300
EOF
ip netns exec "$NS_S" "$DM" --keep-in-foreground --no-resolv --no-hosts \
    --bind-interfaces --listen-address="$LAB_DNS" --port=53 \
    --conf-file="$T/up.conf" --pid-file="$T/up.pid" --log-facility=- \
    >"$T/up.log" 2>&1 &
NS_PIDS="$NS_PIDS $!"

cat >"$T/dm.yaml" <<EOF
egressc: 1
name: dm
default: deny
dynamic: {timeout: 3s}
rules:
  - name: dns
    to: [$LAB_DNS]
    ports: [udp/53, tcp/53]
  - name: heygen-api
    to: [api.heygen.com]
    ports: [tcp/443]
EOF
cat >"$T/dm.lock" <<EOF
egressc-lock: 1
hosts:
  api.heygen.com:
    a: [$LOCKED]
    ttl: 300
EOF
"$EG" compile -t nftables,dnsmasq -o "$T/out" "$T/dm.yaml" 2>"$T/err"
ok $? "compile -t nftables,dnsmasq" || sed 's/^/# /' "$T/err"
grep -qx 'nftset=/api.heygen.com/4#inet#dm#heygen-api_d4,6#inet#dm#heygen-api_d6' \
    "$T/out/dm.dnsmasq.conf"
ok $? "dm.dnsmasq.conf names the rule's dynamic sets"
ip netns exec "$NS_C" nft -f "$T/out/dm.nft" 2>"$T/err"
ok $? "the client loads dm.nft" || sed 's/^/# /' "$T/err"

# The client's resolver, with the compiled file.
ip netns exec "$NS_C" "$DM" --keep-in-foreground --no-resolv --no-hosts \
    --bind-interfaces --listen-address=127.0.0.1 --port=53 \
    --server="$LAB_DNS" --conf-file="$T/out/dm.dnsmasq.conf" \
    --pid-file="$T/cl.pid" --log-facility=- --log-queries \
    >"$T/cl.log" 2>&1 &
NS_PIDS="$NS_PIDS $!"
for i in $(seq 1 50); do
	grep -q started "$T/up.log" 2>/dev/null &&
	    grep -q started "$T/cl.log" 2>/dev/null && break
	sleep 0.1
done
grep -q started "$T/cl.log" && grep -q started "$T/up.log"
ok $? "dnsmasq upstream (server) and resolver (client) started" ||
    sed 's/^/# /' "$T/up.log" "$T/cl.log" | head -10

# probe ADDR...: "ADDR STATE" per address, tcp/443, all at once.
probe()
{
	for _a in "$@"; do
		echo "tcp $_a 443"
	done | ip netns exec "$NS_C" "$NLPROBE" probe 1500 |
	    awk '{print $2, $4}'
}
# A query of name (type A) to the client's dnsmasq: the answer count.
query()
{
	ip netns exec "$NS_C" "$PY" -c '
import socket, struct, sys
q = struct.pack(">HHHHHH", 0x4567, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in sys.argv[1].split("."))
q += b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, ("127.0.0.1", 53))
r = s.recv(4096)
print(struct.unpack(">H", r[6:8])[0])' "$1"
}
elems()
{
	ip netns exec "$NS_C" nft list set inet dm heygen-api_d4 |
	    sed -n 's/.*elements = { \(.*\) }.*/\1/p'
}

is "$(probe $LOCKED $NEW $NEVER | tr '\n' ' ')" \
    "$LOCKED open $NEW dropped $NEVER dropped " \
    "before any lookup: the floor admits the locked address only"
is "$(query api.heygen.com)" 2 "the client's dnsmasq answers api.heygen.com (2 addresses)"
elems >"$T/elems"
grep -q "$NEW" "$T/elems"
ok $? "...and puts the new address in heygen-api_d4" || sed 's/^/# /' "$T/elems"
is "$(probe $NEW $NEVER | tr '\n' ' ')" "$NEW open $NEVER dropped " \
    "the new address opens; one never answered for a policy name stays dropped"
# The element lives the set's 3 s; wait for it to go (bounded).
for i in $(seq 1 100); do
	elems | grep -q "$NEW" || break
	sleep 0.1
done
elems | grep -q "$NEW"
[ $? -ne 0 ]; ok $? "after the timeout the element is gone"
is "$(probe $LOCKED $NEW | tr '\n' ' ')" "$LOCKED open $NEW dropped " \
    "...the new address is dropped again, the floor still admits the locked one"
done_testing
