#!/usr/bin/python3
# The IOS and ASA readers on hand-written vendor snippets: they decide as
# the device does (first match, wildcard masks even when non-contiguous,
# object-groups, any4/any6, established never matching a new flow, the
# implicit end of an ACL) and they refuse what they do not understand, so
# that a reader agreeing with egressc proves something.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ciscotest as t                                   # noqa: E402
import cisco_asa as asa                                 # noqa: E402
import cisco_ios as ios                                 # noqa: E402
import iptables as ipt                                  # noqa: E402
import nftables as nft                                  # noqa: E402

IOS = """\
! a comment
object-group network WEB
 host 192.0.2.1
 198.51.100.0 255.255.255.0
object-group network OUTER
 group-object WEB
 203.0.113.128 255.255.255.128
object-group service PORTS
 tcp eq 443
 udp range 5000 5010
 tcp-udp eq 53
ip access-list extended FIRST
 10 remark only the first ACL decides when none is bound
 20 permit tcp any 10.0.0.1 0.255.0.0 eq 80
 30 deny tcp any any eq 80
 permit tcp any any eq 22 established
 permit object-group PORTS any object-group OUTER
 permit icmp any any echo
 permit udp 10.9.0.0 0.0.255.255 any eq 123
 permit tcp any any range 1000 1002 log
 permit 47 any host 192.0.2.9
 permit icmp any host 192.0.2.20 3 4
 permit gre any host 192.0.2.21
 permit ahp any host 192.0.2.22
ipv6 access-list FIRST-V6
 permit tcp any 2001:db8::/32 eq 443
 permit icmp any any 128
 permit sctp any host 2001:db8:9::1
 deny ipv6 any host 2001:db8::1
 permit udp any any eq 53 reflect R6 timeout 300
ip access-list extended SECOND
 permit ip any any
end
"""

c = ios.loads(IOS)
D = c.decide
t.ok(D(4, '10.5.0.1', 'tcp', 80) == 'allow',
     'ios: a non-contiguous wildcard mask matches the bits it cares about')
t.ok(D(4, '10.5.0.2', 'tcp', 80) == 'deny',
     'ios: ... and not the others (next entry denies)')
t.ok(D(4, '192.0.2.99', 'tcp', 22) == 'no decision',
     'ios: established never matches a new outbound connection')
t.ok(D(4, '198.51.100.7', 'tcp', 443) == 'allow',
     'ios: service and network object-groups, nested groups')
t.ok(D(4, '203.0.113.200', 'udp', 5010) == 'allow' and
     D(4, '203.0.113.200', 'udp', 5011) == 'no decision',
     'ios: range ends are inclusive')
t.ok(D(4, '203.0.113.1', 'udp', 53) == 'no decision' and
     D(4, '192.0.2.1', 'tcp', 53) == 'allow',
     'ios: tcp-udp in a service group; group members only')
t.ok(D(4, '8.8.8.8', 'icmp', (8, 0)) == 'allow' and
     D(4, '8.8.8.8', 'icmp', (0, 0)) == 'no decision',
     'ios: named ICMP types')
t.ok(D(4, '192.0.2.20', 'icmp', (3, 4)) == 'allow' and
     D(4, '192.0.2.20', 'icmp', (3, 5)) == 'no decision',
     'ios: an ICMP type and code')
t.ok(D(4, '192.0.2.21', 47, None) == 'allow' and
     D(4, '192.0.2.22', 51, None) == 'allow' and
     D(4, '192.0.2.22', 50, None) == 'no decision' and
     D(4, '192.0.2.9', 47, None) == 'allow',
     'ios: gre and ahp keywords, protocol numbers')
t.ok(D(6, '2001:db8:9::1', 'sctp', 9899) == 'allow' and
     D(6, '2001:db8:9::1', 'udp', 9899) == 'no decision',
     'ios: sctp in an IPv6 ACL')
t.ok(D(4, '8.8.8.8', 'udp', 123) == 'allow' and
     D(4, '8.8.8.8', 'udp', 123, src='10.8.0.1') == 'no decision' and
     D(4, '8.8.8.8', 'udp', 123, src='10.9.1.1') == 'allow',
     'ios: sources: any without src=, checked with it')
t.ok(D(4, '8.8.8.8', 'tcp', 1002) == 'allow', 'ios: log keyword')
t.ok(D(4, '192.0.2.9', 'tcp', 1) == 'no decision', 'ios: protocol numbers')
t.ok(D(6, '2001:db8:5::1', 'tcp', 443) == 'allow' and
     D(6, '2001:db9::1', 'tcp', 443) == 'no decision', 'ios: IPv6 prefixes')
t.ok(D(6, '2001:db8::1', 'icmpv6', (128, 0)) == 'allow',
     "ios: 'icmp' in an IPv6 ACL is ICMPv6")
t.ok(D(6, '2001:db8::1', 'udp', 99) == 'deny' and
     D(6, '2001:db9::1', 'udp', 53) == 'allow',
     'ios: first match; reflect entries permit')
t.ok(D(6, '2001:db9::1', 'icmpv6', (135, 0)) == 'allow' and
     D(6, '2001:db9::1', 'icmpv6', (134, 0)) == 'no decision',
     'ios: the implicit end of an IPv6 ACL admits ND, then denies')
t.ok(c.rule_count() == 17, 'ios: rule_count counts entries of every ACL')

bound = ios.loads(IOS.replace('end\n', '') +
                  'interface Gi0/1\n ip access-group SECOND in\nend\n')
t.ok(bound.decide(4, '8.8.8.8', 'tcp', 80) == 'allow',
     'ios: an ACL bound in under an interface decides')
gone = ios.loads(IOS.replace('end\n', '') +
                 'no ip access-list extended FIRST\nend\n')
t.ok(gone.decide(4, '10.5.0.1', 'tcp', 80) == 'allow',
     "ios: 'no ip access-list' removes it; the next ACL decides")

BAD = {
    'unknown command': 'ip route 0.0.0.0 0.0.0.0 192.0.2.1\n',
    'named port': 'ip access-list extended A\n permit tcp any any eq www\n',
    'missing port': 'ip access-list extended A\n permit tcp any any eq\n',
    'missing address': 'ip access-list extended A\n permit tcp any host\n',
    'missing mask': 'ip access-list extended A\n permit ip any 10.0.0.0\n',
    'trailing junk': 'ip access-list extended A\n permit ip any any foo\n',
    'remark with ?': 'ip access-list extended A\n remark why?\n',
    'remark of 101': 'ip access-list extended A\n remark ' + 'x' * 101 + '\n',
    'undefined group': 'ip access-list extended A\n permit ip any '
                       'object-group NOPE\n',
    'IPv6 object-group': 'object-group network G\n host 192.0.2.1\n'
                         'ipv6 access-list A\n permit ipv6 any '
                         'object-group G\n',
    'IPv4 in IPv6 ACL': 'ipv6 access-list A\n permit ipv6 any host 1.2.3.4\n',
    'indent outside mode': ' permit ip any any\n',
    'text after end': 'end\nip access-list extended A\n',
    'tab': 'ip access-list extended A\n\tpermit ip any any\n',
    'carriage return': 'ip access-list extended A\n permit ip any any\r\n',
    'non-ASCII': 'ip access-list extended A\n remark caf\u00e9\n',
    'group in use': 'object-group network G\n host 192.0.2.1\n'
                    'ip access-list extended A\n permit ip any '
                    'object-group G\nno object-group network G\n',
    'port 65536': 'ip access-list extended A\n permit tcp any any eq '
                  '65536\n',
    'bad range': 'ip access-list extended A\n permit tcp any any range '
                 '9 8\n',
    'sctp in IPv4': 'ip access-list extended A\n permit sctp any any\n',
    'source port': 'ip access-list extended A\n permit tcp any eq 5 any\n',
}
for what, text in sorted(BAD.items()):
    def load(text=text):
        cfg = ios.loads(text)
        # a source port entry is refused when it would decide
        cfg.decide(4, '192.0.2.1', 'tcp', 5)
    t.raises(load, 'ios refuses: ' + what)

ASA = """\
: a comment
object network WEB1
 host 192.0.2.1
object network NET6
 subnet 2001:db8:6::/48
object network NAME4
 fqdn v4 api.example.com
object network NAME6
 fqdn v6 api.example.com
object-group network G
 network-object host 192.0.2.2
 network-object 198.51.100.0 255.255.255.0
 network-object 2001:db8::/32
 network-object object WEB1
object-group network N
 network-object object NAME4
 network-object object NAME6
object-group service TU tcp-udp
 port-object eq 53
 port-object range 5000 5010
object-group service T tcp
 port-object eq 443
access-list A remark first
access-list A extended permit tcp any4 object-group G object-group T
access-list A extended deny udp any6 any6 object-group TU
access-list A extended permit udp any object-group G object-group TU log
access-list A extended permit icmp any4 any4 echo
access-list A extended permit icmp6 any6 any6 128
access-list A extended permit icmp any4 host 192.0.2.60 3 4
access-list A extended permit gre any4 host 192.0.2.61
access-list A extended permit sctp any host 192.0.2.62 eq 9899
access-list A extended permit ip any object NET6
access-list A extended permit tcp any object-group N eq 8443
access-list A extended deny ip any4 10.0.0.0 255.0.0.0
access-list B extended permit ip any any
end
"""
NAMES = {'api.example.com': ['192.0.2.50', '2001:db8:50::1']}
a = asa.loads(ASA, NAMES)
D = a.decide
t.ok(D(4, '192.0.2.1', 'tcp', 443) == 'allow' and
     D(4, '198.51.100.255', 'tcp', 443) == 'allow' and
     D(4, '198.51.101.0', 'tcp', 443) == 'no decision',
     'asa: network groups with hosts, netmasks and objects')
t.ok(D(6, '2001:db8::1', 'tcp', 443) == 'no decision',
     'asa: an any4 source never passes IPv6')
t.ok(D(6, '2001:db8::1', 'udp', 53) == 'deny' and
     D(4, '192.0.2.2', 'udp', 5010) == 'allow' and
     D(4, '192.0.2.2', 'udp', 5011) == 'no decision',
     'asa: tcp-udp groups with udp entries; first match')
t.ok(D(4, '8.8.8.8', 'icmp', (8, 0)) == 'allow' and
     D(6, '2001:db9::1', 'icmpv6', (128, 0)) == 'allow' and
     D(6, '2001:db9::1', 'icmpv6', (129, 0)) == 'no decision',
     'asa: icmp is IPv4 only, icmp6 IPv6 only')
t.ok(D(6, '2001:db8:6::1', 'udp', 1) == 'allow',
     'asa: object network subnet, IPv6')
t.ok(D(4, '192.0.2.50', 'tcp', 8443) == 'allow' and
     D(6, '2001:db8:50::1', 'tcp', 8443) == 'allow' and
     D(4, '192.0.2.51', 'tcp', 8443) == 'no decision',
     'asa: fqdn objects resolve through the map given to load')
t.ok(D(4, '10.1.2.3', 'udp', 9) == 'deny', 'asa: netmask entries')
t.ok(D(4, '192.0.2.60', 'icmp', (3, 4)) == 'allow' and
     D(4, '192.0.2.60', 'icmp', (3, 5)) == 'no decision',
     'asa: an ICMP type and code')
t.ok(D(4, '192.0.2.61', 47, None) == 'allow' and
     D(4, '192.0.2.61', 50, None) == 'no decision' and
     D(4, '192.0.2.62', 'sctp', 9899) == 'allow' and
     D(4, '192.0.2.62', 'sctp', 9898) == 'no decision',
     'asa: gre, sctp with a port')
t.ok(a.rule_count() == 12, 'asa: rule_count counts entries')
t.ok(asa.loads(ASA.replace('end\n', 'access-group B in interface '
                           'inside\nend\n')).decide(4, '8.8.4.4', 'udp',
                                                    1) == 'allow',
     'asa: access-group selects the ACL that decides')
try:
    asa.loads(ASA, {}).decide(4, '192.0.2.50', 'tcp', 8443)
    t.ok(False, 'asa: an fqdn the given map lacks raises LookupError')
except LookupError:
    t.ok(True, 'asa: an fqdn the given map lacks raises LookupError')

BAD = {
    'unknown command': 'route outside 0.0.0.0 0.0.0.0 192.0.2.1\n',
    'named port': 'access-list A extended permit tcp any any eq www\n',
    'wildcard mask': 'access-list A extended permit ip any 10.0.0.0 '
                     '0.255.255.255\n',
    'non-contiguous netmask': 'access-list A extended permit ip any '
                              '10.0.0.0 255.0.255.0\n',
    'host bits': 'access-list A extended permit ip any 10.0.0.1 '
                 '255.0.0.0\n',
    'source port': 'access-list A extended permit tcp any eq 5 any\n',
    'remark with ?': 'access-list A remark why?\n',
    'remark of 101': 'access-list A remark ' + 'x' * 101 + '\n',
    'undefined object': 'access-list A extended permit ip any object X\n',
    'typed group mismatch': 'object-group service T tcp\n port-object eq '
                            '1\naccess-list A extended permit udp any any '
                            'object-group T\n',
    'service-object groups': 'object-group service S\n service-object tcp '
                             'destination eq 1\n',
    'standard ACL': 'access-list A standard permit host 10.0.0.1\n',
    'trailing junk': 'access-list A extended permit ip any any junk\n',
    'duplicate name': 'object network X\n host 192.0.2.1\n'
                      'object-group network X\n',
    'object in use': 'object network X\n host 192.0.2.1\n'
                     'access-list A extended permit ip any object X\n'
                     'no object network X\n',
    'newline in remark': 'access-list A remark a\npermit ip any any\n',
    'bad fqdn': 'object network X\n fqdn v4 bad_name!\n',
    'text after end': 'end\naccess-list A extended permit ip any any\n',
}
for what, text in sorted(BAD.items()):
    t.raises(lambda text=text: asa.loads(text), 'asa refuses: ' + what)

# A reader that agrees with everything proves nothing: change one word of
# real output and the decisions must change.
out = t.run(['compile', '-t', 'cisco-ios', '--lock',
             'policies/heygen-livekit.example.lock',
             'policies/heygen-livekit.yaml']).stdout
good = ios.loads(out)
mut = ios.loads(out.replace(' permit tcp any any eq 7881',
                            ' deny tcp any any eq 7881'))
t.ok(good.decide(4, '8.8.8.8', 'tcp', 7881) == 'allow' and
     mut.decide(4, '8.8.8.8', 'tcp', 7881) == 'deny',
     'ios: a one-word change of the output changes the decision')
out = t.run(['compile', '-t', 'cisco-asa', '--lock',
             'policies/heygen-livekit.example.lock',
             'policies/heygen-livekit.yaml']).stdout
good = asa.loads(out)
mut = asa.loads(out.replace('range 50000 60000', 'range 50000 59999'))
t.ok(good.decide(6, '2001:db8::9', 'udp', 60000) == 'allow' and
     mut.decide(6, '2001:db8::9', 'udp', 60000) == 'deny',
     'asa: a one-number change of the output changes the decision')

# nftables: the hooked chain, first verdict, sets and ranges, policy.
NFT = """\
# comment
table inet t {}
delete table inet t
table inet t {
	chain out {
		type filter hook output priority filter; policy drop;
		ct state established,related accept
		oif "lo" accept
		ip daddr { 192.0.2.0/28, 192.0.2.100-192.0.2.110 } tcp dport { 443, 8000-8010 } accept comment "a"
		ip6 saddr 2001:db8:c::/48 ip6 daddr 2001:db8::1 udp dport 53 accept
		meta nfproto ipv4 icmp type { 0, 8 } accept
		meta l4proto ipv6-icmp accept
		ip daddr 192.0.2.200 icmp type 3 icmp code { 4, 13 } accept
		ip daddr 192.0.2.201 meta l4proto { 47, esp } accept
		ip daddr 192.0.2.202 sctp dport 9899 accept
		tcp dport 25 reject
		ip daddr 10.0.0.0/8 log prefix "x " drop
		ip daddr 11.0.0.0/8 udp dport 1-1024 accept
	}
}
"""
n = nft.loads(NFT)
D = n.decide
t.ok(D(4, '192.0.2.15', 'tcp', 8010) == 'allow' and
     D(4, '192.0.2.16', 'tcp', 8010) == 'deny' and
     D(4, '192.0.2.110', 'tcp', 443) == 'allow' and
     D(4, '192.0.2.111', 'tcp', 443) == 'deny',
     'nft: anonymous sets, prefixes, address and port ranges; policy drop')
t.ok(D(6, '2001:db8::1', 'udp', 53) == 'allow' and
     D(6, '2001:db8::1', 'udp', 53, src='2001:db8:d::1') == 'deny',
     'nft: saddr matches any source without src=, checked with it')
t.ok(D(4, '8.8.8.8', 'icmp', (8, 0)) == 'allow' and
     D(4, '8.8.8.8', 'icmp', (3, 0)) == 'deny' and
     D(6, '2001:db9::1', 'icmpv6', (3, 0)) == 'allow',
     'nft: icmp type sets, meta l4proto')
t.ok(D(4, '8.8.8.8', 'tcp', 25) == 'reject' and
     D(4, '10.1.1.1', 'udp', 80) == 'deny' and
     D(4, '11.1.1.1', 'udp', 80) == 'allow',
     'nft: reject, log goes on to the verdict, first verdict wins')
t.ok(D(4, '192.0.2.200', 'icmp', (3, 13)) == 'allow' and
     D(4, '192.0.2.200', 'icmp', (3, 3)) == 'deny' and
     D(4, '192.0.2.200', 'icmp', (5, 4)) == 'deny',
     'nft: icmp type and icmp code')
t.ok(D(4, '192.0.2.201', 47, None) == 'allow' and
     D(4, '192.0.2.201', 50, None) == 'allow' and
     D(4, '192.0.2.201', 51, None) == 'deny' and
     D(4, '192.0.2.202', 'sctp', 9899) == 'allow' and
     D(4, '192.0.2.202', 'tcp', 9899) == 'deny',
     'nft: meta l4proto by number and name, sctp dport')
t.ok(n.rule_count() == 12, 'nft: rule_count')
t.ok(nft.loads('table inet e {\n\tchain c {\n\t\ttcp dport 1 accept\n\t}\n'
               '}\n').decide(4, '1.1.1.1', 'tcp', 2) == 'no decision',
     'nft: a regular chain without a hook falls through to None')
BAD = {
    'unknown statement': 'table inet t {\n chain c {\n  ip daddr 1.1.1.1 '
                         'counter accept\n  foo bar accept\n }\n}\n',
    'two verdicts': 'table inet t {\n chain c {\n  accept drop\n }\n}\n',
    'no verdict': 'table inet t {\n chain c {\n  tcp dport 1\n }\n}\n',
    'named port': 'table inet t {\n chain c {\n  tcp dport https accept\n'
                  ' }\n}\n',
    'v6 in ip daddr': 'table inet t {\n chain c {\n  ip daddr ::1 accept\n'
                      ' }\n}\n',
    'two comments': 'table inet t {\n chain c {\n  accept comment "a" '
                    'comment "b"\n }\n}\n',
    'comment of 129': 'table inet t {\n chain c {\n  accept comment "%s"\n'
                      ' }\n}\n' % ('x' * 129),
    'unterminated table': 'table inet t {\n chain c {\n  accept\n }\n',
    'jump': 'table inet t {\n chain c {\n  jump x\n }\n}\n',
    'newline in comment': 'table inet t {\n chain c {\n  accept comment "a\n'
                          'accept"\n }\n}\n',
    'host bits': 'table inet t {\n chain c {\n  ip daddr 10.0.0.1/8 accept\n'
                 ' }\n}\n',
}
for what, text in sorted(BAD.items()):
    def go(text=text):
        nft.loads(text).decide(4, '1.1.1.1', 'tcp', 1)
    t.raises(go, 'nft refuses: ' + what)

# iptables: the OUTPUT jump, -d lists, multiport with ranges, policies.
V4 = """\
# comment
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT DROP [0:0]
:EG - [0:0]
-A OUTPUT -j EG
-A OUTPUT -p udp -j ACCEPT
-A EG -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A EG -o lo -j ACCEPT
-A EG -d 192.0.2.1,198.51.100.0/24 -p tcp -m multiport --dports 80,443,8000:8010 -m comment --comment "web" -j ACCEPT
-A EG -p tcp --dport 25 -j REJECT --reject-with tcp-reset
-A EG -s 10.9.0.0/16 -p tcp -j ACCEPT
-A EG -d 10.0.0.0/8 -j LOG --log-prefix "x "
-A EG -d 10.0.0.0/8 -j DROP
-A EG -p icmp --icmp-type 8 -j ACCEPT
-A EG -d 192.0.2.200 -p icmp --icmp-type 3/4 -j ACCEPT
-A EG -d 192.0.2.201 -p 47 -j ACCEPT
-A EG -d 192.0.2.202 -p sctp --dport 9899 -j ACCEPT
-A EG -p udp --dport 53 -j RETURN
COMMIT
"""
V6 = """\
*filter
:OUTPUT ACCEPT [0:0]
:EG - [0:0]
-A EG -d 2001:db8::/32 -p ipv6-icmp --icmpv6-type 128 -j ACCEPT
-A EG -j DROP
COMMIT
"""
i = ipt.loads(V4, V6)
D = i.decide
t.ok(D(4, '198.51.100.9', 'tcp', 8010) == 'allow' and
     D(4, '198.51.100.9', 'tcp', 8011, src='10.1.0.1') == 'deny' and
     D(4, '192.0.2.2', 'icmp', (3, 0)) == 'deny',
     'ipt: -d lists, multiport ranges, OUTPUT policy DROP')
t.ok(D(4, '8.8.8.8', 'tcp', 25) == 'reject', 'ipt: REJECT')
t.ok(D(4, '8.8.8.8', 'tcp', 1) == 'allow' and
     D(4, '8.8.8.8', 'tcp', 1, src='10.8.0.1') == 'deny',
     'ipt: -s matches any source without src=, checked with it')
t.ok(D(4, '10.1.1.1', 'udp', 9) == 'deny', 'ipt: LOG goes on to DROP')
t.ok(D(4, '8.8.8.8', 'udp', 53) == 'allow' and
     D(4, '8.8.8.8', 'udp', 54) == 'allow' and
     D(4, '8.8.8.8', 'icmp', (0, 0)) == 'deny',
     'ipt: RETURN and falling off a user chain go back to OUTPUT')
t.ok(D(6, '2001:db8::1', 'icmpv6', (128, 0)) == 'allow' and
     D(6, '2001:db8::1', 'icmpv6', (129, 0)) == 'deny',
     'ipt: the v6 file decides IPv6 (user chain, no jump: embedded)')
t.ok(ipt.loads(None, '*filter\n:OUTPUT ACCEPT [0:0]\n:EG - [0:0]\n'
               '-A EG -p tcp --dport 1 -j ACCEPT\nCOMMIT\n').decide(
                   6, '::1', 'tcp', 2) == 'no decision',
     'ipt: an embedded chain that decides nothing gives None')
t.ok(D(4, '192.0.2.200', 'icmp', (3, 4)) == 'allow' and
     D(4, '192.0.2.200', 'icmp', (3, 3)) == 'deny' and
     D(4, '192.0.2.201', 47, None) == 'allow' and
     D(4, '192.0.2.201', 50, None) == 'deny' and
     D(4, '192.0.2.202', 'sctp', 9899) == 'allow',
     'ipt: --icmp-type T/C, -p by number, sctp --dport')
t.ok(i.rule_count() == 16, 'ipt: rule_count')
BAD = {
    'no COMMIT': '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j ACCEPT\n',
    'undeclared chain': '*filter\n-A EG -j ACCEPT\nCOMMIT\n',
    'jump to nowhere': '*filter\n-A OUTPUT -j NOPE\nCOMMIT\n',
    'negation': '*filter\n-A OUTPUT ! -d 1.1.1.1 -j ACCEPT\nCOMMIT\n',
    'named port': '*filter\n-A OUTPUT -p tcp --dport https -j ACCEPT\n'
                  'COMMIT\n',
    '16 multiport slots': '*filter\n-A OUTPUT -p tcp -m multiport --dports '
                          '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16 -j '
                          'ACCEPT\nCOMMIT\n',
    'dport without -p': '*filter\n-A OUTPUT --dport 1 -j ACCEPT\nCOMMIT\n',
    'comment of 256': '*filter\n-A OUTPUT -m comment --comment "%s" -j '
                      'ACCEPT\nCOMMIT\n' % ('x' * 256),
    'unknown match': '*filter\n-A OUTPUT -m set --match-set x dst -j '
                     'ACCEPT\nCOMMIT\n',
    'text after target': '*filter\n-A OUTPUT -j ACCEPT -d 1.1.1.1\n'
                         'COMMIT\n',
    'newline in comment': '*filter\n-A OUTPUT -m comment --comment "a\n'
                          '-A OUTPUT -j ACCEPT" -j DROP\nCOMMIT\n',
    'nat table': '*nat\nCOMMIT\n',
    'v6 address in v4': '*filter\n-A OUTPUT -d ::1 -j ACCEPT\nCOMMIT\n',
    'icmp type by name': '*filter\n-A OUTPUT -p icmp --icmp-type '
                         'echo-request -j ACCEPT\nCOMMIT\n',
    'dport on gre': '*filter\n-A OUTPUT -p 47 --dport 1 -j ACCEPT\n'
                    'COMMIT\n',
}
for what, text in sorted(BAD.items()):
    t.raises(lambda text=text: ipt.loads(text), 'ipt refuses: ' + what)

out = t.run(['compile', '-t', 'nftables', '--lock',
             'policies/heygen-livekit.example.lock',
             'policies/heygen-livekit.yaml']).stdout
good, mut = nft.loads(out), nft.loads(out.replace('udp . 50000-60000',
                                                  'udp . 50001-60000'))
t.ok(good.decide(4, '8.8.8.8', 'udp', 50000) == 'allow' and
     mut.decide(4, '8.8.8.8', 'udp', 50000) == 'deny',
     'nft: a one-number change of the output changes the decision')
t.done()
