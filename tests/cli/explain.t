#!/bin/sh
# explain takes a locked host name as --to (each of its addresses is
# decided) and --json prints one object per decision; --port takes ICMP
# messages by name and by type and code, sctp ports and other IP
# protocols, as the policy writes them; --batch reads lines of any length,
# says FILE:LINE:COL of what it cannot read, and refuses text after the
# port.
. "$(dirname "$0")/../lib/tap.sh"
P=policies/heygen-livekit.yaml
L="--lock policies/heygen-livekit.example.lock"
PY=/usr/bin/python3

"$EG" explain $L --to api.heygen.com --port tcp/443 $P >"$T/o" 2>"$T/e"
is $? 0 "--to a host of the lock"
is "$(grep -c "^allow heygen-api .* (api.heygen.com " "$T/o")" 3 \
    "...one decision per locked address (two A, one AAAA)"
"$EG" explain $L --to nosuch.example.com --port tcp/443 $P >/dev/null 2>"$T/e"
is $? 2 "--to a host the policy does not name: exit 2"
grep -q "'nosuch.example.com' is no address and no host" "$T/e"; ok $? "...saying so"

"$EG" explain $L --json --to 192.0.2.53 --port udp/53 $P >"$T/j"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["decision"]=="allow" and d["rule"]=="dns" and d["line"]>0 and d["default"] is False, d' "$T/j"
ok $? "--json: decision, rule and line"
"$EG" explain $L --json --to 198.51.100.1 --port tcp/22 $P >"$T/j"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["decision"]=="deny" and d["rule"] is None and d["default"] is True, d' "$T/j"
ok $? "--json: the default decides"
printf '192.0.2.53 udp/53\napi.heygen.com tcp/443\n' | "$EG" explain $L --json --batch - $P >"$T/j"
$PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/j"
ok $? "--json --batch: one object a line, hosts too"
Q=tests/policies/protocols.yaml
x() { "$EG" explain "$Q" --to "$1" --port "$2" 2>&1; }
is "$(x 192.0.2.1 icmp/echo-request)" "allow ping $Q:39:11" \
    "--port icmp/echo-request"
is "$(x 192.0.2.1 icmp/3/4)" "allow path-mtu $Q:42:11" "--port icmp/3/4"
is "$(x 192.0.2.1 icmp/destination-unreachable/fragmentation-needed)" \
    "allow path-mtu $Q:42:11" "--port with iptables' code name"
is "$(x 192.0.2.1 icmp/3/5)" "deny (default)" "...and another code is not"
is "$(x 192.0.2.1 icmp/8)" "allow ping $Q:39:11" "icmp/8 is type 8, code 0"
is "$(x 203.0.113.1 icmp/port-unreachable)" "reject unreachable $Q:19:11" \
    "an iptables name of a type and code"
is "$(x 2001:db8:20::1 icmpv6/1/admin-prohibited)" \
    "reject unreachable $Q:19:11" "an ICMPv6 code by nft's name"
is "$(x 198.51.100.7 gre)" "allow gre $Q:49:11" "--port gre"
is "$(x 203.0.113.1 proto/47)" "deny no-lab-tunnels $Q:26:11" \
    "--port proto/47 is gre"
is "$(x 198.51.100.7 esp)" "allow ipsec $Q:46:11" "--port esp"
is "$(x 2001:db8:7::1 ah)" "deny (default)" \
    "AH is no protocol an IPv6 rule of ah matches"
is "$(x 203.0.113.1 sctp/9899)" "allow sctp-lab $Q:31:11" "--port sctp/9899"
is "$(x 192.0.2.9 proto/99)" "allow other $Q:52:11" "--port proto/99"
x 192.0.2.1 icmp/echo-requets | grep -q "did you mean 'echo-request'"
ok $? "a misspelt ICMP name: did you mean"
x 192.0.2.1 icmp >/dev/null
is $? 2 "--port icmp (no type): exit 2"
x 192.0.2.1 udp/1-2 >/dev/null
is $? 2 "--port with a range: exit 2"

# --batch: a 2,000-character line is one error at its own line, not two at
# wrong ones; the lines around it are decided.
B=$T/batch
{
	printf '192.0.2.53 udp/53\n'
	printf '%s tcp/443\n' "$(head -c 2000 /dev/zero | tr '\0' a)"
	printf '  198.51.100.1\ttcp/22  \r\n'
	printf '192.0.2.53 udp/53 junk\n'
	printf '192.0.2.53\n'
	printf '192.0.2.999 udp/53\n'
	printf '192.0.2.53 udp/99999\n'
} >"$B"
"$EG" explain $L --batch "$B" $P >"$T/o" 2>"$T/e"
is $? 2 "--batch with bad lines: exit 2"
is "$(grep -c '^' "$T/o")" 2 "...the good lines are decided (lines 1 and 3)"
grep -q "^$B:2:1: error: explain: bad address 'a" "$T/e"
ok $? "...a 2,000-character address: one error at line 2, column 1"
is "$(grep -c "^$B:2:" "$T/e")" 1 "...and only one for that line"
grep -qxF "$B:4:19: error: trailing text after 'udp/53'" "$T/e"
ok $? "...trailing junk is refused at its column"
grep -qxF "$B:5:11: error: expected 'ADDR PROTO/PORT'" "$T/e"
ok $? "...a missing port at the end of the address"
grep -qxF "$B:6:1: error: explain: '192.0.2.999' is no address and no host of the policy's lock" \
    "$T/e"
ok $? "...an address that is none at its column"
grep -qxF "$B:7:12: error: explain: bad port 'udp/99999': port out of range in 'udp/99999' (at most 65535)" "$T/e"
ok $? "...a bad port at its column"
done_testing
