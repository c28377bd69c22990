#!/usr/bin/python3
# What the router does with the file, beyond deciding a new packet: the
# LAN list filters what reaches the router itself (DHCP), the return list
# must let ICMP errors back in (path-MTU discovery), pasting a new version
# over an old one must leave nothing of the old (Cisco IOS Security
# Command Reference: ip access-list, object-group network; Cisco IOS XE
# Security Configuration Guide: Object Groups for ACLs), identical
# object-groups are one group, and on the ASA re-pasting must never leave
# the interface unfiltered (Cisco ASA Series Firewall CLI Configuration
# Guide, 9.x: access-group, clear configure access-list).
import atexit
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ciscotest as t                                   # noqa: E402
import cisco_asa as asa                                 # noqa: E402
import cisco_ios as ios                                 # noqa: E402

TMP = tempfile.mkdtemp(prefix='egressc-cisco-device-')
atexit.register(shutil.rmtree, TMP, True)


def compile_text(text, target, name='p', args=()):
    path = os.path.join(TMP, name + '.yaml')
    with open(path, 'w') as f:
        f.write(text)
    return t.run(['compile', '-t', target] + list(args) + [path]), path


def explain(path, to, port, target=None):
    r = t.run(['explain'] + (['-t', target] if target else []) +
              ['--to', to, '--port', port, path])
    return r.stdout.split()[:2] if r.returncode == 0 else ['error',
                                                           r.stderr]


# -- DHCP to the router: the LAN list is bound in, and filters it --------
POL = '''egressc: 1
name: lan
rules:
  - name: web
    to: [192.0.2.10]
    ports: [tcp/443]
'''
r, path = compile_text(POL, 'cisco-ios', 'lan')
cfg = ios.loads(r.stdout)
t.ok(cfg.decide(4, '255.255.255.255', 'udp', 67) == 'allow' and
     cfg.decide(4, '192.0.2.1', 'udp', 67) == 'allow' and
     cfg.decide(6, 'ff02::1:2', 'udp', 547) == 'allow',
     'ios: clients reach DHCP (broadcast, renewals) and DHCPv6 servers and '
     'relays', r.stdout)
t.ok(cfg.decide(4, '255.255.255.255', 'udp', 68) == 'deny' and
     cfg.decide(6, 'ff02::2', 'udp', 547) == 'deny',
     'ios: ...and nothing more than that')
t.ok(explain(path, '255.255.255.255', 'udp/67', 'cisco-ios')[:2] ==
     ['allow', 'builtin-dhcp'] and
     explain(path, 'ff02::1:2', 'udp/547', 'cisco-ios')[:2] ==
     ['allow', 'builtin-dhcpv6'],
     'explain -t cisco-ios names the built-in DHCP rules')
t.ok(explain(path, '255.255.255.255', 'udp/67') == ['deny', '(default)'],
     'explain without -t: they are cisco-ios rules only')
for target in ('nftables', 'pf', 'cisco-asa'):
    r2, _ = compile_text(POL, target, 'lan')
    t.ok(r2.returncode == 0 and 'dhcp' not in r2.stdout,
         '%s writes no builtin-dhcp' % target)
r, path = compile_text(POL + 'targets:\n  cisco-ios:\n    dhcp: "no"\n',
                       'cisco-ios', 'lan-off')
cfg = ios.loads(r.stdout)
t.ok(r.returncode == 0 and 'dhcp' not in r.stdout and
     cfg.decide(4, '255.255.255.255', 'udp', 67) == 'deny' and
     explain(path, '255.255.255.255', 'udp/67', 'cisco-ios') ==
     ['deny', '(default)'],
     'ios: dhcp: no leaves them out, and explain -t agrees', r.stderr)
r, _ = compile_text(POL + 'targets:\n  cisco-ios:\n    dhcp: maybe\n',
                    'cisco-ios', 'lan-bad')
t.ok(r.returncode == 2 and 'dhcp' in r.stderr and r.stdout == '',
     'ios: a bad dhcp value is an error at its place', r.stderr)
r, _ = compile_text(POL.replace('name: web', 'name: builtin-dhcp'),
                    'cisco-ios', 'lan-reserved')
t.ok(r.returncode == 2 and "'builtin-dhcp' is egressc's own" in r.stderr,
     'the rule names builtin-dhcp and builtin-dhcpv6 are reserved', r.stderr)
r, _ = compile_text(POL.replace('rules:', 'default: none\nrules:'),
                    'cisco-ios', 'lan-none')
t.ok('dhcp' not in r.stdout, 'ios: default: none adds no DHCP rule')

# -- ICMP errors come back through the return list ----------------------
ERR4, ERR6 = (3, 11, 12), (1, 2, 3, 4)
for mode in ('established', 'reflexive'):
    r, _ = compile_text(POL.replace('[192.0.2.10]', '[192.0.2.10, '
                                    '"2001:db8::10"]') +
                        'targets:\n  cisco-ios:\n    return: %s\n' % mode,
                        'cisco-ios', 'ret-' + mode)
    cfg = ios.loads(r.stdout)
    R = cfg.decide_return
    t.ok(all(R(4, '198.51.100.1', 'icmp', x) == 'allow' for x in ERR4) and
         all(R(6, '2001:db8:ff::1', 'icmpv6', x) == 'allow' for x in ERR6),
         'ios return: %s: unreachable, packet-too-big, time-exceeded and '
         'parameter-problem come back (path MTU)' % mode, r.stdout)
    t.ok(R(4, '198.51.100.1', 'icmp', 8) != 'allow' and
         R(6, '2001:db8:ff::1', 'icmpv6', 128) != 'allow' and
         R(6, '2001:db8:ff::1', 'icmpv6', 135) != 'allow' and
         R(4, '198.51.100.1', 'udp', 443) != 'allow',
         'ios return: %s: ...but no echo request, no ND, no new UDP' % mode)
    t.ok(R(4, '192.0.2.10', 'tcp', 443, ack=True) == 'allow' and
         R(4, '192.0.2.10', 'tcp', 443) != 'allow' and
         R(6, '2001:db8::10', 'tcp', 443, ack=True) == 'allow',
         'ios return: %s: TCP replies by established, no new TCP' % mode)

# -- pasting a new version over an old one leaves nothing of the old ----
V1 = '''egressc: 1
name: re
targets:
  cisco-ios:
    return: established
rules:
  - name: web
    to: [192.0.2.1, 192.0.2.9]
    ports: [tcp/443, tcp/8443]
'''
V2 = V1.replace('    return: established\n', '    return: "none"\n') \
    .replace('192.0.2.9', '192.0.2.5').replace(', tcp/8443', ', tcp/80')
r1, _ = compile_text(V1, 'cisco-ios', 're1')
r2, p2 = compile_text(V2, 'cisco-ios', 're2')
dev = ios.loads(r1.stdout, strict=False)
dev.paste(r2.stdout)
fresh = ios.loads(r2.stdout)
pk = t.packets([r1.stdout, r2.stdout], 200)
diff = [p for p in pk if dev.decide(*p) != fresh.decide(*p)]
t.ok(not dev.refused, 'ios re-paste (return: established -> none): the '
     'router refuses no command', dev.refused)
t.ok(dev.decide(4, '192.0.2.9', 'tcp', 443) == 'deny' and
     dev.decide(4, '192.0.2.1', 'tcp', 8443) == 'deny' and not diff,
     'ios re-paste: a removed address or port is no longer permitted; '
     'the router decides as after a fresh paste', diff[:5])
t.ok(dev.return_acl(4) is None and dev.return_acl(6) is None,
     'ios re-paste: the old return lists are gone')
for v in (V1, V2):
    r, _ = compile_text(v, 'cisco-ios', 'rm')
    rm = r.stdout.split('\n!\n')[1] if '\n!\n' in r.stdout else ''
    t.ok(all(('no %s' % l) in r.stdout for l in (
        'ip access-list extended EGRESSC-RE', 'ipv6 access-list EGRESSC-RE-V6',
        'ip access-list extended EGRESSC-RE-RETURN',
        'ipv6 access-list EGRESSC-RE-V6-RETURN')),
         'ios: every list egressc may write is removed, whatever return: is')

# -- identical object-groups are one group ------------------------------
SHARE = '''egressc: 1
name: sh
networks:
  cdn: [192.0.2.0/28, 198.51.100.0/28]
rules:
  - name: web
    to: [cdn]
    ports: [tcp/80, tcp/443]
  - name: quic
    to: [cdn]
    ports: [udp/443]
  - name: alt
    to: [203.0.113.1, 203.0.113.9]
    ports: [tcp/80, tcp/443]
'''
r, path = compile_text(SHARE, 'cisco-ios', 'share')
groups = re.findall(r'(?m)^object-group (network|service) (\S+)$', r.stdout)
t.ok(len([g for g in groups if g[0] == 'network']) == 2 and
     len([g for g in groups if g[0] == 'service']) == 1,
     'ios: a set written by two rules is one object-group', groups)
t.ok(len(set(g[1] for g in groups)) == len(groups) and
     len(re.findall(r'(?m)^no object-group', r.stdout)) == len(groups),
     'ios: each group is removed once and defined once')
cfg = ios.loads(r.stdout)
t.ok(cfg.decide(4, '198.51.100.3', 'udp', 443) == 'allow' and
     cfg.decide(4, '203.0.113.9', 'tcp', 80) == 'allow' and
     cfg.decide(4, '203.0.113.9', 'udp', 443) == 'deny',
     'ios: shared groups decide as before')

# -- ASA: pasting again never leaves the interface unfiltered ----------
ASA = open('tests/policies/native-hosts.yaml').read()
LOCK = 'tests/policies/native-hosts.lock'
NAMES = t.read_lock(LOCK)
V1 = ASA + 'targets:\n  cisco-asa:\n    interface: inside\n'
V2 = V1.replace('192.0.2.99', '192.0.2.98')
r1, _ = compile_text(V1, 'cisco-asa', 'asa1', ['--lock', LOCK])
r2, _ = compile_text(V2, 'cisco-asa', 'asa2', ['--lock', LOCK])
t.ok(r1.returncode == 0 and r2.returncode == 0, 'asa: both versions compile',
     r1.stderr, r2.stderr)
dev = asa.loads(r1.stdout, NAMES, strict=False)
t.ok(dev.bindings == {'inside': 'EGRESSC-NATIVE-HOSTS'} and not dev.gaps and
     not dev.refused, 'asa: a first paste binds the list to inside',
     dev.gaps, dev.refused)
dev.paste(r2.stdout)
fresh = asa.loads(r2.stdout, NAMES)
pk = t.packets([r1.stdout, r2.stdout], 200)
t.ok(not dev.gaps, 'asa re-paste with interface: inside is never left '
     'without a list', dev.gaps)
t.ok(not dev.refused, 'asa re-paste: the ASA refuses no command (objects '
     'go after the groups that hold them)', dev.refused)
diff = [p for p in pk if dev.decide(*p) != fresh.decide(*p)]
t.ok(dev.bindings == {'inside': 'EGRESSC-NATIVE-HOSTS'} and
     dev.decide(4, '192.0.2.99', 'tcp', 443) != 'allow' and
     dev.decide(4, '192.0.2.98', 'tcp', 443) == 'allow' and not diff and
     list(dev.acls) == ['EGRESSC-NATIVE-HOSTS'],
     'asa re-paste: the same list name, bound, deciding as a fresh paste, '
     'and nothing else left', diff[:5], list(dev.acls))
dev = asa.loads(r1.stdout, NAMES, strict=False)
dev.paste(r1.stdout)
t.ok(not dev.gaps and not dev.refused and
     dev.bindings == {'inside': 'EGRESSC-NATIVE-HOSTS'},
     'asa: pasting the same file twice is safe too', dev.gaps, dev.refused)

# Without interface: the file binds nothing, and says what that means.
r, _ = compile_text(ASA, 'cisco-asa', 'asa0', ['--lock', LOCK])
dev = asa.loads(r1.stdout, NAMES, strict=False)
dev.paste(r.stdout)
t.ok(dev.open_gaps() == ['inside'] and
     dev.decide(4, '203.0.113.1', 'udp', 9) == 'allow',
     'asa re-paste without interface: the list it clears unbinds inside, '
     'which then passes by security level', dev.gaps)
t.ok('unfiltered' in r.stdout and 'access-group EGRESSC-NATIVE-HOSTS in '
     'interface' in r.stdout and 'interface:' in r.stdout,
     'asa: without interface: the header says re-pasting leaves the '
     'interface unfiltered until the access-group line is entered again')
t.ok(not dev.refused, 'asa re-paste without interface: no command refused',
     dev.refused)
hdr = [l for l in r1.stdout.splitlines() if l.startswith('!')]
t.ok(any('-NEXT' in l for l in hdr) and any('swap' in l for l in hdr),
     'asa: with interface: the header says the list is rebuilt beside the '
     'bound one and swapped in one line')

t.done()
