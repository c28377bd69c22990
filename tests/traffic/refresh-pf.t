#!/bin/sh
# egressc refresh -t pf against a real DNS server: an upstream dnsmasq in
# the server namespace of the lab answers for api.heygen.com (a hosts
# file, reloaded on SIGHUP), refresh asks it from inside the client
# namespace (--netns) and prints the sh script of pfctl -T replace lines.
# No pf here: the script's lines are checked exactly, run with a pfctl
# that records its arguments (and fails for one table), and applied to
# the pf reader's tables of the compiled NAME.pf.conf (tests/readers/pf.py),
# where an answered address must pass and one never answered stay blocked.
# When the zone's answers change, the next script replaces the table by
# the floor and the new answers; the same answers give the same bytes; a
# host that does not resolve leaves its table alone and exits 3.
. "$(dirname "$0")/../lib/tap.sh"
. "$ROOT/tests/lib/netns.sh"
. "$ROOT/tests/lib/refresh.sh"
ns_gate dnsmasq
ns_init

ns_lab
ok $? "client and server namespaces joined by veth" || { done_testing; exit 1; }

rf_upstream --local=/heygen.com/
ok $? "the upstream dnsmasq started"

rf_policy
"$EG" compile -t pf -o "$T/out" "$T/rf.yaml" 2>"$T/err"
ok $? "compile -t pf" || sed 's/^/# /' "$T/err"
grep -qx 'table <rf_heygen-api> persist { 198.18.0.10, 2001:2::10 }' \
    "$T/out/rf.pf.conf"
ok $? "the rule's table: persist, the lock's addresses"

refresh()	# refresh OUTFILE [options]: the exit status of refresh
{
	_o=$1
	shift
	"$EG" refresh -t pf --netns "$NS_C" "$@" "$T/rf.yaml" >"$_o" \
	    2>"$T/err"
}
# The pf reader's verdicts for tcp/443 to each address, after the script.
verdicts()	# verdicts SCRIPT ADDR...
{
	"$PY" - "$T/out/rf.pf.conf" "$@" <<'PY'
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, 'tests/readers')
import pf
rd = pf.PfReader(open(sys.argv[1]).read())
rd.run_script(open(sys.argv[2]).read())
print(' '.join('%s %s' % (a, rd.decide(6 if ':' in a else 4, a, 'tcp', 443))
               for a in sys.argv[3:]))
PY
}
HDR='#!/bin/sh
# egressc refresh -t pf: the host tables of policy rf, each replaced by
# its floor and what DNS answers now.  Run it on the pf host, where
# rf.pf.conf is loaded: egressc refresh -t pf POLICY | sh
st=0'

refresh "$T/s1" --dns-server "$LAB_DNS"
ok $? "refresh 1: exit 0" || sed 's/^/# /' "$T/err"
is "$(cat "$T/s1")" "$HDR
pfctl -q -t rf_heygen-api -T replace 198.18.0.10 198.18.0.13 2001:2::10 2001:2::13 || st=1
# 1 table replaced, 2 addresses beyond the floor
exit \$st" "refresh 1: the floor and both new answers, sorted, IPv4 first"
sh -n "$T/s1"
ok $? "...a script sh reads"
is "$(verdicts "$T/s1" 198.18.0.13 2001:2::13 198.18.0.10 198.18.0.99 2001:2::99)" \
    "198.18.0.13 allow 2001:2::13 allow 198.18.0.10 allow 198.18.0.99 deny 2001:2::99 deny" \
    "pf reader: the new answers pass, an address DNS never gave stays blocked"

# Run it with a pfctl that records its words and fails for one table.
mkdir "$T/bin"
cat >"$T/bin/pfctl" <<EOF
#!/bin/sh
echo "\$*" >>"$T/pfctl.log"
[ "\$3" != rf_heygen-api ] || [ -z "\${PFCTL_FAIL:-}" ]
EOF
chmod +x "$T/bin/pfctl"
PATH=$T/bin:$PATH sh "$T/s1"
ok $? "the script runs: exit 0 when pfctl succeeds"
is "$(cat "$T/pfctl.log")" \
    "-q -t rf_heygen-api -T replace 198.18.0.10 198.18.0.13 2001:2::10 2001:2::13" \
    "...one pfctl call, one word per address"
PFCTL_FAIL=1 PATH=$T/bin:$PATH sh "$T/s1"
is $? 1 "a pfctl that fails: the script's exit status is 1"

# The zone's answers change: .13 goes, .14 comes.
rf_answers "198.18.0.10 api.heygen.com" "2001:2::10 api.heygen.com" \
    "198.18.0.14 api.heygen.com" "2001:2::14 api.heygen.com"
ok $? "the upstream read its new answers"
refresh "$T/s2" --dns-server "$LAB_DNS"
ok $? "refresh 2: exit 0" || sed 's/^/# /' "$T/err"
is "$(grep '^pfctl' "$T/s2")" \
    "pfctl -q -t rf_heygen-api -T replace 198.18.0.10 198.18.0.14 2001:2::10 2001:2::14 || st=1" \
    "refresh 2: the table becomes the floor and the new answers, the old one gone"
is "$(verdicts "$T/s2" 198.18.0.14 2001:2::14 198.18.0.13 2001:2::13 198.18.0.10)" \
    "198.18.0.14 allow 2001:2::14 allow 198.18.0.13 deny 2001:2::13 deny 198.18.0.10 allow" \
    "pf reader: the answer DNS stopped giving is blocked again, the floor stays"
refresh "$T/s3" --dns-server "$LAB_DNS"
cmp -s "$T/s2" "$T/s3"
ok $? "the same answers: the same bytes"

# A DNS server that does not answer: the table is left as it is.
refresh "$T/s4" --dns-server 198.18.0.99 --timeout 300 --tries 1
is $? 3 "a host that does not resolve: exit 3"
is "$(grep -v '^#!' "$T/s4" | grep -c '^pfctl')" 0 "...no pfctl line for its table"
grep -qx '# rf_heygen-api left as it is: api.heygen.com did not resolve' "$T/s4"
ok $? "...a comment says which and why" || sed 's/^/# /' "$T/s4"
is "$(verdicts "$T/s4" 198.18.0.10 198.18.0.14)" \
    "198.18.0.10 allow 198.18.0.14 deny" \
    "...which applied to a fresh load leaves the floor"

# A table of more prefixes than a command line should carry: on pfctl's
# standard input (-f -), one a line, in a here-document sh reads.
{
	printf 'egressc-lock: 1\nhosts:\n  api.heygen.com:\n    a: ['
	for i in $(seq 1 100); do
		printf '%s198.18.1.%d' "$([ "$i" = 1 ] || echo ', ')" $((2 * i))
	done
	printf ']\n    aaaa: ["2001:2::10"]\n    ttl: 300\n'
} >"$T/rf.lock"
"$EG" compile -t pf -o "$T/out" "$T/rf.yaml" 2>"$T/err"
ok $? "compile -t pf with a floor of 100 addresses" || sed 's/^/# /' "$T/err"
refresh "$T/s5" --dns-server "$LAB_DNS"
ok $? "refresh 5: exit 0" || sed 's/^/# /' "$T/err"
grep -qx "pfctl -q -t rf_heygen-api -T replace -f - <<'EGRESSC_ADDRESSES' || st=1" \
    "$T/s5"
ok $? "...the addresses on pfctl's standard input" || sed 's/^/# /' "$T/s5"
is "$(sed -n '/^pfctl/,/^EGRESSC_ADDRESSES$/p' "$T/s5" | grep -c '^[0-9a-f]')" 104 \
    "...one a line: the floor's 101 and the three answers beyond it"
sh -n "$T/s5"
ok $? "...a script sh reads"
cat >"$T/bin/pfctl" <<EOF
#!/bin/sh
echo "\$*" >"$T/pfctl5.log"
cat >"$T/pfctl5.in"
EOF
PATH=$T/bin:$PATH sh "$T/s5"
ok $? "the script runs"
is "$(cat "$T/pfctl5.log")" "-q -t rf_heygen-api -T replace -f -" \
    "...one pfctl call, reading its standard input"
is "$(wc -l <"$T/pfctl5.in" | tr -d ' ')" 104 "...which holds every address"
is "$(verdicts "$T/s5" 198.18.1.2 198.18.1.200 198.18.1.3 198.18.0.14 198.18.0.99)" \
    "198.18.1.2 allow 198.18.1.200 allow 198.18.1.3 deny 198.18.0.14 allow 198.18.0.99 deny" \
    "pf reader: the floor and the answers pass, the rest stays blocked"
done_testing
