# dns.sh - sourced by tests/resolve/*.t after tests/lib/tap.sh: start the
# test zone's dnsmasq (tests/lib/dnsmasq.sh) with the positional
# parameters as extra dnsmasq arguments (`set --` them first), set
# DNS_SERVER, and stop it on exit.  No dnsmasq: skip, or fail under
# CI=true.
. "$ROOT/tests/lib/dnsmasq.sh"
trap 'dns_stop; rm -rf "$T"' EXIT
PATH=$PATH:/usr/sbin:/sbin
need dns_start "$T/dns" "$@"

# The diagnostics of a run without the quoted source lines and carets.
diags() {	# diags FILE
	grep -E '(^|: )(error|warning|note): ' "$1"
}

# ok, and on failure show what the command said.
okd() {		# okd STATUS NAME STDERR-FILE
	ok "$1" "$2"
	[ "$1" -eq 0 ] || sed 's/^/# /' "$3" | head -20
}

# An expected lock with the server that answered: the files under
# tests/resolve/ write it as 127.0.0.53:5353, since dnsmasq's port is
# picked at random.
expected() {	# expected FILE [SERVER]
	sed "s/127\.0\.0\.53:5353/${2:-$DNS_SERVER}/g" "$1"
}

T1=1795536000	# 2026-11-24T16:00:00Z
T2=1795795200	# 2026-11-27T16:00:00Z, three days later
