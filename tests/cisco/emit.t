#!/usr/bin/python3
# What the cisco-ios and cisco-asa back ends emit: remarks cut at 100
# characters and never splitting a rule, hostile comments that cannot add
# a command, object-groups or inline entries with the same meaning, the
# return ACLs of IOS, the defaults, fqdn objects on the ASA, and option
# errors reported at their place with no output written.
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ciscotest as t                                   # noqa: E402
import cisco_asa as asa                                 # noqa: E402
import cisco_ios as ios                                 # noqa: E402

TMP = tempfile.mkdtemp(prefix='egressc-cisco-emit-')
READER = {'cisco-ios': ios, 'cisco-asa': asa}


def compile_text(text, target, lock=None, name='p'):
    path = os.path.join(TMP, name + '.yaml')
    with open(path, 'w') as f:
        f.write(text)
    args = ['compile', '-t', target]
    if lock:
        args += ['--lock', lock]
    r = t.run(args + [path])
    return r, path


def load(target, text, **kw):
    return READER[target].loads(text, **kw)


def remark_lines(target, text):
    if target == 'cisco-ios':
        return [l[len(' remark '):] for l in text.splitlines()
                if l.startswith(' remark ')]
    return [l.split(' remark ', 1)[1] for l in text.splitlines()
            if l.startswith('access-list ') and ' remark ' in l]


def rule_shape(target, text):
    """Every remark is followed by at least one entry, and each rule's
    entries come together: (remark, entries) in order."""
    out, cur = [], None
    for l in text.splitlines():
        if target == 'cisco-ios':
            if l.startswith(' remark '):
                cur = [l[8:], 0]
                out.append(cur)
            elif l.startswith(' ') and cur is not None:
                cur[1] += 1
            else:
                cur = None
        else:
            if l.startswith('access-list ') and ' remark ' in l:
                cur = [l.split(' remark ', 1)[1], 0]
                out.append(cur)
            elif l.startswith('access-list ') and cur is not None:
                cur[1] += 1
            else:
                cur = None
    return out


HOSTILE = open('tests/policies/hostile.yaml', encoding='utf-8').read()
TAME = re.sub(r'(?m)^(\s*(?:comment|description): ).*$', r'\1"plain"',
              HOSTILE)
LONG = 'long: ' + 'A' * 94

for target in ('cisco-ios', 'cisco-asa'):
    r, _ = compile_text(HOSTILE, target, name='hostile')
    t.ok(r.returncode == 0, '%s: hostile policy compiles' % target,
         r.stderr)
    rt, _ = compile_text(TAME, target, name='tame')
    hostile, tame = load(target, r.stdout), load(target, rt.stdout)
    # 4 rules, the 3 neighbour discovery entries (builtin-ipv6-nd) and
    # the final deny; IOS writes that deny once per family, and adds its
    # DHCP and DHCPv6 entries (builtin-dhcp, builtin-dhcpv6).
    t.ok(hostile.rule_count() == tame.rule_count() == 4 + 3 + 1 +
         (3 if target == 'cisco-ios' else 0),
         '%s: hostile comments add no entry (%d vs %d)'
         % (target, hostile.rule_count(), tame.rule_count()))
    pk = t.packets([r.stdout], 200)
    t.ok(all(hostile.decide(*p) == tame.decide(*p) for p in pk),
         '%s: hostile comments change no decision' % target)
    rem = remark_lines(target, r.stdout)
    t.ok(all(len(x) <= 100 for x in rem),
         '%s: every remark is at most 100 characters' % target)
    t.ok(not any('?' in x or '"' in x or "'" in x for x in rem),
         "%s: no '?' (CLI help) or quote in a remark" % target)
    t.ok(LONG in rem, '%s: the long comment is cut to exactly 100' % target,
         [x for x in rem if x.startswith('long')])
    shape = rule_shape(target, r.stdout)
    t.ok(shape and all(n >= 1 for _, n in shape),
         '%s: each remark is followed by its rule\'s entries' % target,
         shape)
    names = [s.split(':')[0] for s, _ in shape
             if not s.startswith('builtin-')]
    t.ok(names[:4] == ['quote', 'newline', 'shell', 'long'],
         '%s: one remark per rule, in rule order' % target, names)
    # A line of the output that is not ours: every line must be a
    # comment, a command egressc writes, or a sub-mode entry.
    cmd = re.compile(r'^(!.*|end|no (ip|ipv6) access-list .*|'
                     r'no object(-group)? .*|clear configure access-list .*|'
                     r'(ip access-list extended|ipv6 access-list) \S+|'
                     r'object(-group)? \S+ \S+( \S+)?|access-list \S+ '
                     r'(remark .*|extended (permit|deny) .*)|'
                     r'access-group .*| (remark .*|permit .*|deny .*|'
                     r'evaluate .*|host .*|network-object .*|port-object .*|'
                     r'fqdn .*|tcp .*|udp .*|[0-9.]+ [0-9.]+))$')
    strays = [l for l in r.stdout.splitlines() if not cmd.match(l)]
    t.ok(not strays, '%s: no stray line in the hostile output' % target,
         strays)

# object-groups: yes and no mean the same.
POL = open('tests/cisco/ios-options.yaml').read()
yes = POL.replace('object-groups: "no"', 'object-groups: "yes"')
ry, _ = compile_text(yes, 'cisco-ios', name='og-yes')
rn, _ = compile_text(POL, 'cisco-ios', name='og-no')
t.ok(ry.returncode == 0 and rn.returncode == 0,
     'cisco-ios: object-groups yes and no both compile')
t.ok('object-group network LAN-EGRESS-web-' in ry.stdout and
     'object-group service LAN-EGRESS-web-tcp' in ry.stdout,
     'cisco-ios: object-groups: yes groups sets of more than one member')
t.ok(not re.search(r'(?m)^object-group|^ .* object-group ', rn.stdout),
     'cisco-ios: object-groups: no writes every member inline')
gy, gn = ios.loads(ry.stdout), ios.loads(rn.stdout)
pk = t.packets([ry.stdout, rn.stdout], 300)
srcs = [None, '10.10.3.4', '10.20.0.9', '10.30.0.1']
diff = [(p, s) for p in pk for s in srcs
        if (s is None or p[0] == 4) and
        gy.decide(*p, src=s) != gn.decide(*p, src=s)]
t.ok(not diff, 'cisco-ios: object-groups yes and no decide alike '
     '(%d packets)' % len(pk), diff[:5])
t.ok(not re.search(r'(?m)^ipv6 access-list[^\n]*\n(?: [^\n]*\n)*? [^\n]*'
                   r'object-group', ry.stdout),
     'cisco-ios: no object-group in an IPv6 ACL')

# Return ACLs.
out = rn.stdout
t.ok('ip access-list extended LAN-EGRESS-RETURN' in out and
     'ipv6 access-list LAN-EGRESS-V6-RETURN' in out,
     'cisco-ios: return: reflexive writes a return ACL per family')
ref = [l for l in out.splitlines() if ' reflect ' in l]
t.ok(ref and all(re.match(r' permit (udp|icmp) ', l) for l in ref) and
     all(l.endswith('reflect LAN-EGRESS-REFLECT') or
         l.endswith('reflect LAN-EGRESS-V6-REFLECT') for l in ref),
     'cisco-ios: UDP and ICMP permits carry reflect, nothing else', ref)
t.ok(' evaluate LAN-EGRESS-REFLECT' in out and
     ' evaluate LAN-EGRESS-V6-REFLECT' in out,
     'cisco-ios: the return ACLs evaluate the reflexive lists')
t.ok(' permit tcp 192.0.2.0 0.0.0.255 eq 443 10.10.0.0 0.0.255.255 '
     'established' in out and
     ' deny tcp 192.0.2.64 0.0.0.63 eq 443 any established' in out,
     'cisco-ios: TCP replies by established, ports on the source side, '
     'denies mirrored in order')
t.ok('!    ip access-group LAN-EGRESS-RETURN out' in out and
     '!   interface GigabitEthernet0/1.100' in out and
     '!    ipv6 traffic-filter LAN-EGRESS-V6 in' in out,
     'cisco-ios: the interface lines show where each ACL goes, as comments')
t.ok(ios.loads(out).decide(4, '192.0.2.1', 'tcp', 443, src='10.10.0.1')
     == 'allow', 'cisco-ios: the reader takes the egress ACL, not the '
     'return ACL')
est = POL.replace('return: reflexive', 'return: established')
r, _ = compile_text(est, 'cisco-ios', name='est')
t.ok(r.returncode == 0 and ' reflect ' not in r.stdout and
     'evaluate' not in r.stdout and ' established' in r.stdout and
     'UDP and ICMP replies are not admitted' in r.stdout,
     'cisco-ios: return: established mirrors TCP and says UDP is not '
     'admitted')
none = POL.replace('return: reflexive', 'return: none')
r, _ = compile_text(none, 'cisco-ios', name='none')
t.ok(r.returncode == 0 and not re.search(r'(?m)^(ip|ipv6) access-list '
                                         r'.*RETURN', r.stdout) and
     'established' not in r.stdout,
     'cisco-ios: return: none writes no return ACL (but removes any)')
ios.loads(r.stdout)

# Defaults, said explicitly.
for default, v4, v6 in (('deny', ' deny ip any any', ' deny ipv6 any any'),
                        ('accept', ' permit ip any any',
                         ' permit ipv6 any any')):
    p = 'egressc: 1\nname: d\ndefault: %s\nrules:\n  - name: r\n' \
        '    to: [192.0.2.1, "2001:db8::1"]\n    ports: [tcp/443]\n' \
        % default
    r, _ = compile_text(p, 'cisco-ios', name='d')
    acl4 = r.stdout.split('\nip access-list extended')[1].split('!')[0]
    acl6 = r.stdout.split('\nipv6 access-list')[1].split('!')[0]
    t.ok(acl4.rstrip().endswith(v4) and acl6.rstrip().endswith(v6) and
         'remark default: %s everything else' % ('deny' if default ==
                                                 'deny' else 'permit')
         in acl4, 'cisco-ios: default %s is an explicit, remarked last '
         'entry' % default)
    r, _ = compile_text(p, 'cisco-asa', name='d')
    last = [l for l in r.stdout.splitlines() if ' extended ' in l][-1]
    t.ok(last == 'access-list EGRESSC-D extended %s ip any any'
         % ('deny' if default == 'deny' else 'permit'),
         'cisco-asa: default %s is an explicit last entry' % default, last)
t.ok(' remark builtin-ipv6-nd: IPv6 router and neighbour discovery\n'
     ' permit icmp any any 133\n permit icmp any any 135\n'
     ' permit icmp any any 136\n remark builtin-dhcpv6' in compile_text(
         'egressc: 1\nname: d\nrules:\n  - name: r\n    to: ["2001:db8::1"]'
         '\n', 'cisco-ios', name='nd')[0].stdout,
     'cisco-ios: default deny lets IPv6 neighbour discovery through first '
     '(builtin-ipv6-nd), before the final deny')
p = 'egressc: 1\nname: d\ndefault: none\nrules:\n  - name: r\n' \
    '    to: [192.0.2.1]\n    ports: [tcp/443]\n'
for target in ('cisco-ios', 'cisco-asa'):
    r, _ = compile_text(p, target, name='dn')
    t.ok(r.returncode == 0 and 'any any' not in r.stdout and
         'default' not in r.stdout.split('!\n', 3)[-1].split('remark r')[-1],
         '%s: default none writes no last entry' % target)

# reject is sent as deny (neither has a reject of its own).
p = 'egressc: 1\nname: j\nrules:\n  - name: r\n    to: [192.0.2.1]\n' \
    '    action: reject\n'
t.ok(' deny ip any host 192.0.2.1' in compile_text(p, 'cisco-ios',
                                                    name='j')[0].stdout and
     'extended deny ip any4 host 192.0.2.1' in compile_text(
         p, 'cisco-asa', name='j')[0].stdout, 'reject is sent as deny')

# ASA: host names stay names with hosts: native, become addresses without.
r = t.run(['compile', '-t', 'cisco-asa', '--lock', 'tests/cisco/asa-native.lock',
           'tests/cisco/asa-native.yaml'])
t.ok(' fqdn v4 api.example.com' in r.stdout and
     ' fqdn v6 api.example.com' in r.stdout and
     'network-object object OUTBOUND-api.example.com-v4' in r.stdout,
     'cisco-asa: hosts: native keeps host names as fqdn objects')
t.ok('access-group OUTBOUND in interface inside' in r.stdout,
     'cisco-asa: interface: binds the ACL with access-group')
t.ok(re.search(r'object-group service OUTBOUND-both-tcp-udp tcp-udp\n'
               r' port-object eq 443\n port-object eq 8443\n', r.stdout),
     'cisco-asa: equal tcp and udp port sets share a tcp-udp group')
src = open('tests/cisco/asa-native.yaml').read().replace(
    'hosts: native', 'hosts: resolve')
r, _ = compile_text(src, 'cisco-asa', 'tests/cisco/asa-native.lock', 'res')
t.ok(r.returncode == 0 and ' fqdn v' not in r.stdout and
     'network-object 192.0.2.10 255.255.255.254' in r.stdout,
     'cisco-asa: hosts: resolve writes addresses from the lock')
r = t.run(['compile', '-t', 'cisco-ios', '--lock', 'tests/cisco/asa-native.lock',
           'tests/cisco/asa-native.yaml'])
t.ok(r.returncode == 0 and ' fqdn v' not in r.stdout and
     'permit tcp any 192.0.2.10 0.0.0.1 eq 443' in r.stdout,
     'cisco-ios: host names always become addresses (no fqdn on IOS)')
clash = 'egressc: 1\nname: w\nwildcards: native\nrules:\n  - name: r\n' \
        '    to: ["*.example.com"]\n'
for target in ('cisco-ios', 'cisco-asa'):
    r, _ = compile_text(clash, target, name='w')
    t.ok(r.returncode == 2 and 'wildcard' in r.stderr,
         '%s: a native wildcard is an error' % target, r.stderr)

# Option errors: at the option's place, exit 2, no file written.
BADOPT = [
    ('cisco-ios', 'return: sideways', 'targets.cisco-ios.return: must be '
     'one of none, established, reflexive'),
    ('cisco-ios', 'object-groups: maybe', 'targets.cisco-ios.object-groups: '
     'must be one of no, yes'),
    ('cisco-ios', 'acl: "BAD;NAME"', 'targets.cisco-ios.acl'),
    ('cisco-asa', 'acl: "x y"', 'targets.cisco-asa.acl'),
    ('cisco-ios', 'interface: "Gi0/1\\nshutdown"',
     'targets.cisco-ios.interface: must start with a letter'),
    ('cisco-asa', 'interface: "inside; reload"',
     'targets.cisco-asa.interface: must start with a letter'),
    ('cisco-asa', 'return: reflexive', 'return'),
]
for target, opt, msg in BADOPT:
    p = 'egressc: 1\nname: o\ntargets:\n  %s:\n    %s\nrules:\n' \
        '  - name: r\n    to: [192.0.2.1]\n' % (target, opt)
    path = os.path.join(TMP, 'opt.yaml')
    open(path, 'w').write(p)
    od = os.path.join(TMP, 'optout')
    shutil.rmtree(od, ignore_errors=True)
    os.mkdir(od)
    r = t.run(['compile', '-t', target, '-o', od, path])
    t.ok(r.returncode == 2 and re.search(re.escape(path) + r':5:\d+: error: ',
                                         r.stderr) and msg in r.stderr
         and not os.listdir(od),
         '%s: bad option %r: error at 5:COL, exit 2, no file'
         % (target, opt.split(':')[0]), r.stderr)
    r = t.run(['lint', path])
    t.ok(r.returncode == 2 and msg in r.stderr,
         '%s: lint reports the bad option %r too'
         % (target, opt.split(':')[0]), r.stderr)

shutil.rmtree(TMP)
t.done()
