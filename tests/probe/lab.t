#!/bin/sh
# egressc probe against real servers through a real firewall.  The
# namespace lab of tests/lib/netns.sh (a client and a server joined by
# veth, dnsmasq answering the lab policy's names); on the server: coturn
# answering STUN on the lab's TURN range, `openssl s_server` with a
# throw-away certificate on 443 of every address, listeners on TCP 7881,
# 22 and 25 and a UDP echo on the media ports.  The lock is resolved
# through dnsmasq (a real lock, not example addresses), the policy is
# loaded into the client with `egressc apply --netns`, and `egressc probe`
# runs inside the client namespace.  Each round loads something, probes,
# and checks every row's result against the table below, every row's
# check (ok, FAIL or LEAK) against the rule's action, and the exit status;
# --media-peer, and a client with no route at all, come last.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
ns_gate cc dnsmasq turnserver openssl ss
ns_init

# probe tries a range's first host address: 198.18.0.33 (LAB_TURN4) and
# this one, of the lab's *.host.livekit.cloud ranges.
TURN6=2001:2::31

# What each rule's rows must show, per round ('-': the rule has no row).
#   all       every tier loaded, every tier probed
#   minmin    --tier minimum loaded, --tier minimum probed
#   minall    --tier minimum loaded, every tier probed
#   cut       every tier loaded, then heygen-api's rules deleted by handle
#   reject    rej.yaml (the lab policy with a reject and a deny) loaded
#   noreject  no firewall at all, rej.yaml probed
cat >"$T/expect" <<'EOF'
# rule:proto            all   minmin  minall   cut      reject   noreject
dns:tcp                 open  open    open     open     open     open
dns:udp                 open  open    open     open     open     open
livekit-signaling:tcp   open  open    open     open     open     open
livekit-turn-tls:tcp    open  open    open     open     open     open
livekit-turn-udp:udp    open  open    open     open     open     open
heygen-api:tcp          open  open    open     timeout  open     open
webrtc-media:udp        open  -       timeout  open     open     open
webrtc-tcp:tcp          open  -       timeout  open     open     open
no-ssh:tcp              -     -       -        -        refused  open
no-ssh:udp              -     -       -        -        refused  refused
no-smtp:tcp             -     -       -        -        timeout  open
exit                    0     0       1        1        0        1
EOF

ns_probe_build && ns_lab
ok $? "client and server namespaces" || { done_testing; exit 1; }
ip -n "$NS_S" addr add "$TURN6/64" dev eth0 nodad
ns_dns
ok $? "dnsmasq answers the lab zone"
ns_listen "$NS_S" tcp/7881 tcp/22 tcp/25 udp/50000 udp/55000 udp/60000
ok $? "TCP listeners and UDP echo in the server namespace"

# listening NS PROTO PORT COUNT: COUNT sockets bound to PORT in NS.
listening()
{
	[ "$(ip netns exec "$1" ss -H -n "-l$2" "sport = :$3" | wc -l)" -ge "$4" ]
}

# A throw-away certificate; s_server on [::]:443 takes IPv4 too.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/key.pem" -out "$T/cert.pem" -subj /CN=lab.test -days 1 \
    >"$T/openssl.err" 2>&1
ip netns exec "$NS_S" openssl s_server -quiet -www -accept 443 \
    -cert "$T/cert.pem" -key "$T/key.pem" </dev/null >"$T/s_server.log" 2>&1 &
NS_PIDS="$NS_PIDS $!"
for _i in $(seq 1 50); do listening "$NS_S" t 443 1 && break; sleep 0.1; done
listening "$NS_S" t 443 1
ok $? "openssl s_server listens on 443 in the server namespace" ||
    sed 's/^/# /' "$T/openssl.err" "$T/s_server.log"

# coturn in the foreground, on the two lab addresses only: no TLS, no
# CLI, no second port (RFC 5780), relays out of the media range, every
# file it writes in the test directory.
cat >"$T/turn.conf" <<EOF
listening-ip=$LAB_TURN4
listening-ip=$TURN6
listening-port=3478
relay-ip=$LAB_TURN4
min-port=40000
max-port=40100
no-tls
no-dtls
no-tcp
no-cli
no-rfc5780
log-file=$T/turn.log
simple-log
pidfile=$T/turn.pid
userdb=$T/turndb
EOF
ip netns exec "$NS_S" turnserver -c "$T/turn.conf" >"$T/turn.out" 2>&1 &
NS_PIDS="$NS_PIDS $!"
for _i in $(seq 1 100); do listening "$NS_S" u 3478 2 && break; sleep 0.1; done
listening "$NS_S" u 3478 2
ok $? "coturn listens on udp/3478 at $LAB_TURN4 and $TURN6" ||
    tail -5 "$T/turn.log" "$T/turn.out" | sed 's/^/# /'

ns_lab_policy
# rej.yaml: the lab policy with a reject and a deny in front.
awk '{ print } /^rules:$/ { print "  - name: no-ssh"
    print "    to: [api.heygen.com]"
    print "    ports: [tcp/22, udp/5353]"
    print "    action: reject"
    print "  - name: no-smtp"
    print "    to: [api.heygen.com]"
    print "    ports: [tcp/25]"
    print "    action: deny" }' "$T/lab.yaml" >"$T/rej.yaml"
ip netns exec "$NS_C" "$EG" resolve --dns-server "$LAB_DNS" "$T/lab.yaml" \
    >"$T/err" 2>&1
ok $? "egressc resolve through dnsmasq writes lab.lock" ||
    sed 's/^/# /' "$T/err" | head -5
grep -q example "$T/lab.lock"
is $? 1 "the lock is real DNS answers, not an example lock"
cp "$T/lab.lock" "$T/rej.lock"

# notes FILE: probe's "# " notes, each on one line again (the text output
# wraps them at 78 columns, "#   " after the first line).
notes()
{
	awk '/^#   / { sub(/^#   /, " "); n = n $0; next }
	    /^# / { if (n != "") print n; n = $0; next }
	    END { if (n != "") print n }' "$1"
}

flush()
{
	ip -n "$NS_C" neigh flush all 2>/dev/null
	ip netns exec "$NS_C" nft flush ruleset
}

# rows FILE: "rule:proto result check action" per test of probe's JSON.
rows()
{
	"$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["tests"]:
    print("%s:%s %s %s %s" % (t["rule"], t["proto"], t["result"],
                              t["check"], t["action"]))
' "$1"
}

# check ROUND COL RC FILE: the rows and the exit status against the table.
check()
{
	_want_rc=$(awk -v c="$2" '$1 == "exit" { print $c }' "$T/expect")
	is "$3" "$_want_rc" "$1: exit status $_want_rc"
	if ! rows "$4" >"$T/rows" 2>"$T/err"; then
		ok 1 "$1: --json parses"
		sed 's/^/# /' "$T/err" "$4" | head -20
		return
	fi
	ok 0 "$1: --json parses"
	awk -v c="$2" '
	    NR == FNR { if ($1 !~ /^#/ && $1 != "exit") want[$1] = $c; next }
	    { seen[$1]++
	      w = ($1 in want) ? want[$1] : "(no such rule)"
	      if ($2 != w) print $0, "want", w
	      # allow: ok when open; deny, reject: LEAK when open.
	      if ($4 == "allow") c2 = $2 == "open" ? "ok" : "FAIL"
	      else c2 = $2 == "open" ? "LEAK" : "ok"
	      if ($3 != c2) print $0, "want check", c2 }
	    END { for (k in want) if (want[k] != "-" && !(k in seen))
		print k, "has no row, want", want[k]
		for (k in seen) if (want[k] == "-")
		print k, "has", seen[k], "rows, want none" }' \
	    "$T/expect" "$T/rows" >"$T/bad"
	[ ! -s "$T/bad" ]
	ok $? "$1: every row as the table says ($(wc -l <"$T/rows") rows)"
	sed 's/^/#   /' "$T/bad"
}

# probe ROUND COL POLICY [ARGS]: in the client namespace, JSON and text.
probe()
{
	_r=$1 _c=$2 _p=$3
	shift 3
	ip netns exec "$NS_C" "$EG" probe --json "$@" "$_p" >"$T/$_r.json" \
	    2>"$T/$_r.err"
	check "$_r" "$_c" $? "$T/$_r.json"
	[ -s "$T/$_r.err" ] && sed 's/^/# stderr: /' "$T/$_r.err" | head -5
}

apply()
{
	"$EG" apply --netns "$NS_C" "$@" 2>"$T/err"
	ok $? "apply --netns $*" || sed 's/^/# /' "$T/err" | head -5
}

flush
apply "$T/lab.yaml"
probe all 2 "$T/lab.yaml"
# The text table of the same round: one row per test, the summary.
ip netns exec "$NS_C" "$EG" probe "$T/lab.yaml" >"$T/all.txt" 2>&1
is $? 0 "all (text): exit 0"
notes "$T/all.txt" | grep -q '^# any address (rules webrtc-media, webrtc-tcp): tried at the first IPv4 and IPv6 address of the 2 TURN hosts'
ok $? "all (text): says where 'any address' was tried"
grep -q "^# $(wc -l <"$T/rows") tests: $(wc -l <"$T/rows") ok, 0 FAIL, 0 LEAK, 0 ERROR$" "$T/all.txt"
ok $? "all (text): the summary counts every test ok" ||
    sed 's/^/# /' "$T/all.txt"
grep -q "^livekit-turn-udp  *198.18.0.32/28  *198.18.0.33  *udp/3478  *open  *open " "$T/all.txt"
ok $? "all (text): STUN to coturn at the range's first host address" ||
    sed 's/^/# /' "$T/all.txt"

flush
apply --tier minimum "$T/lab.yaml"
probe minmin 3 "$T/lab.yaml" --tier minimum
probe minall 4 "$T/lab.yaml"

# Take heygen-api's rules out of the loaded table: per family, one that
# looks up its floor set and one its dynamic set.
flush
apply "$T/lab.yaml"
ip netns exec "$NS_C" nft -a list chain inet lab output >"$T/chain"
handles=$(sed -n 's/.*comment "heygen-api:.*# handle \([0-9]*\)$/\1/p' "$T/chain")
is "$(echo $handles | wc -w)" 4 "heygen-api has four nftables rules (floor and dynamic, per family)"
for h in $handles; do
	ip netns exec "$NS_C" nft delete rule inet lab output handle "$h"
done
probe cut 5 "$T/lab.yaml"

flush
apply "$T/rej.yaml"
probe reject 6 "$T/rej.yaml"
flush
probe noreject 7 "$T/rej.yaml"

# --media-peer: the any-address rules tried at an address no rule names.
flush
apply "$T/lab.yaml"
ip netns exec "$NS_C" "$EG" probe --json --media-peer "$LAB_OTHER4" \
    --media-peer "$LAB_OTHER6" "$T/lab.yaml" >"$T/peer.json" 2>&1
is $? 0 "--media-peer: exit 0"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted(set((t["rule"], t["address"]) for t in d["tests"]
                 if t["target"] == "peer"))
want = [(r, a) for r in ("webrtc-media", "webrtc-tcp") for a in sys.argv[2:]]
assert got == sorted(want), got
assert all(t["result"] == "open" for t in d["tests"]), d["tests"]
' "$T/peer.json" "$LAB_OTHER4" "$LAB_OTHER6" 2>"$T/err"
ok $? "--media-peer: webrtc-media and webrtc-tcp tried at the peers only" ||
    sed 's/^/# /' "$T/err" | tail -3
flush

# A client without a route anywhere (a fresh namespace, lo down): every
# test is no-route, at once, and nothing leaves.
unshare -n "$EG" probe --json "$T/lab.yaml" >"$T/noroute.json" 2>&1
is $? 1 "no route: exit 1"
rows "$T/noroute.json" | awk '$2 != "no-route" || $3 != "FAIL"' >"$T/bad"
[ ! -s "$T/bad" ] && [ -s "$T/noroute.json" ]
ok $? "no route: every row no-route, FAIL" || sed 's/^/#   /' "$T/bad"

done_testing
