# The refresh tests' lab (tests/traffic/refresh*.t), after netns.sh and
# ns_lab: an upstream dnsmasq in the server namespace answering
# api.heygen.com from a hosts file ($T/up.hosts, read again on SIGHUP), and
# the policy rf whose lock holds one address per family for it.

# rf_upstream [DNSMASQ-OPTION...]: start the upstream with two addresses
# per family, the first of each the lock's.
rf_upstream()
{
	_dm=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
	# Read again on SIGHUP, by then as nobody: readable by all.
	chmod 711 "$T"
	printf '%s\n' "198.18.0.10 api.heygen.com" "2001:2::10 api.heygen.com" \
	    "198.18.0.13 api.heygen.com" "2001:2::13 api.heygen.com" \
	    >"$T/up.hosts"
	chmod 644 "$T/up.hosts"
	ip netns exec "$NS_S" "$_dm" --keep-in-foreground --no-resolv \
	    --no-hosts --bind-interfaces --listen-address="$LAB_DNS" --port=53 \
	    --addn-hosts="$T/up.hosts" --local-ttl=300 --pid-file="$T/up.pid" \
	    --log-facility=- --conf-file=/dev/null "$@" >"$T/up.log" 2>&1 &
	NS_PIDS="$NS_PIDS $!"
	for _i in $(seq 1 50); do
		grep -q started "$T/up.log" 2>/dev/null && return 0
		sleep 0.1
	done
	sed 's/^/# /' "$T/up.log"
	return 1
}

# rf_answers LINE...: the upstream answers these ("ADDR NAME" lines)
# instead; true once it has read them all.
rf_answers()
{
	printf '%s\n' "$@" >"$T/up.hosts"
	_n=$(grep -c "read $T/up.hosts" "$T/up.log")
	kill -HUP "$(cat "$T/up.pid")"
	for _i in $(seq 1 100); do
		[ "$(grep -c "read $T/up.hosts" "$T/up.log")" -gt "$_n" ] && break
		sleep 0.05
	done
	grep "read $T/up.hosts" "$T/up.log" | tail -1 | grep -q -- "- $# names"
}

# rf_policy: $T/rf.yaml and its lock $T/rf.lock.
rf_policy()
{
	cat >"$T/rf.yaml" <<EOF_
egressc: 1
name: rf
default: deny
dynamic: {timeout: 1h, min-ttl: 60s, max-ttl: 1h}
rules:
  - name: dns
    to: [$LAB_DNS]
    ports: [udp/53, tcp/53]
  - name: heygen-api
    to: [api.heygen.com]
    ports: [tcp/443]
EOF_
	cat >"$T/rf.lock" <<EOF_
egressc-lock: 1
hosts:
  api.heygen.com:
    a: [198.18.0.10]
    aaaa: ["2001:2::10"]
    ttl: 300
EOF_
}

# rf_probe ADDR...: "ADDR open|dropped ..." for TCP to port 443 from the
# client namespace.
rf_probe()
{
	for _a in "$@"; do
		echo "tcp $_a 443"
	done | ip netns exec "$NS_C" "$NLPROBE" probe 1500 |
	    awk '{print $2, $4}' | tr '\n' ' '
}
