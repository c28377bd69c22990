#!/bin/sh
# explain takes a locked host name as --to (each of its addresses is
# decided) and --json prints one object per decision.
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
done_testing
