#!/bin/sh
# explain takes a locked host name as --to (each of its addresses is
# decided) and --json prints one object per decision; --batch reads lines
# of any length, says FILE:LINE:COL of what it cannot read, and refuses
# text after the port.
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
grep -qxF "$B:7:12: error: explain: bad port 'udp/99999'" "$T/e"
ok $? "...a bad port at its column"
done_testing
