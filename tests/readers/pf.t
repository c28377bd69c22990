#!/usr/bin/python3
"""pf.t - the pf reader holds pf's own rules, and egressc's pf output meets
them: table names that pfctl's lexer would read as keywords, and a host
that default: deny keeps closed to flows opened from outside (pf.conf(5),
OpenBSD 7.6: GRAMMAR, STATEFUL FILTERING); a rule with host names looks
them up in a persist table, and the `pfctl -T replace` lines that
egressc refresh -t pf prints change what the rule admits (pfctl(8))."""

import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
sys.path.insert(0, HERE)
import tap  # noqa: E402
from tap import ok  # noqa: E402
import pf  # noqa: E402
import readers  # noqa: E402

EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')


def refuses(text, name):
    try:
        pf.PfReader(text)
    except readers.ReaderError as e:
        return ok(True, name + ' (%s)' % str(e)[:60])
    return ok(False, name, 'accepted')


def compile_pf(text, lock=None):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'p.yaml')
        with open(path, 'w') as f:
            f.write(text)
        if lock is not None:
            with open(os.path.join(tmp, 'p.lock'), 'w') as f:
                f.write(lock)
        r = subprocess.run([EG, 'compile', '-t', 'pf', path],
                           capture_output=True, text=True)
    return r


def raises(fn, name):
    try:
        fn()
    except readers.ReaderError as e:
        return ok(True, name + ' (%s)' % str(e)[:60])
    return ok(False, name, 'no error')


# -- the reader, on hand-written text --
for kw in ('route-to', 'nat-to', 'reply-to', 'dup-to', 'no-route',
           'icmp-type', 'max-mss', 'self', 'all'):
    refuses('table <%s> const { 192.0.2.1, 192.0.2.2 }\n' % kw,
            'reader: a table named %s is a syntax error' % kw)
r = pf.PfReader('table <a_route-to> const { 192.0.2.1, 192.0.2.2 }\n'
                'pass out quick to <a_route-to>\n')
ok(r.decide(4, '192.0.2.2', 'udp', 1) == 'allow',
   'reader: a name that only contains a keyword is a name')

OLD = 'block drop out all\npass out quick proto udp to any port 5000\n'
NEW = ('block drop all\npass out quick proto udp to any port 5000\n'
       'pass in quick inet6 proto icmp6 all icmp6-type { 134, 135, 136 } '
       'no state\n')
o, n = pf.PfReader(OLD), pf.PfReader(NEW)
ok(o.opened_from_outside(4, '192.0.2.9', 'udp', 5000) == 'allow',
   'reader: with block out only, UDP from outside gets its answer out')
ok(o.opened_from_outside(4, '192.0.2.9', 'tcp', 5000) == 'deny',
   'reader: ... but not TCP: a stateful pass takes flags S/SA only')
ok(n.opened_from_outside(4, '192.0.2.9', 'udp', 5000) == 'deny' and
   n.opened_from_outside(6, '2001:db8::9', 'icmpv6', 0) == 'deny',
   'reader: block drop all stops UDP and ICMP from outside')
ok(pf.PfReader('pass in all\nblock drop out all\n').opened_from_outside(
    4, '192.0.2.9', 'udp', 7) == 'allow',
   'reader: an inbound pass keeps state: the answer leaves by it')
ok(pf.PfReader('pass in all no state\nblock drop out all\n')
   .opened_from_outside(4, '192.0.2.9', 'udp', 7) == 'deny',
   'reader: ... and with no state the answer meets the block')
ok(n.decide(6, '2001:db8::1', 'icmpv6', 135) == 'deny',
   'reader: an inbound pass decides nothing going out')

# -- egressc's output --
r = compile_pf('egressc: 1\nname: route\nrules:\n  - name: to\n'
               '    to: [192.0.2.1, 192.0.2.7]\n    ports: [tcp/443]\n')
ok(r.returncode == 0, 'policy route, rule to: compiles', r.stderr)
try:
    rd = pf.PfReader(r.stdout)
    ok(rd.decide(4, '192.0.2.7', 'tcp', 443) == 'allow',
       'policy route, rule to: no table named route-to')
except readers.ReaderError as e:
    ok(False, 'policy route, rule to: no table named route-to', str(e))
for prefix, rule in (('nat', 'to'), ('no', 'route'), ('icmp', 'type'),
                     ('max', 'mss')):
    r = compile_pf('egressc: 1\nname: p\ntargets:\n  pf:\n    '
                   'table-prefix: %s\nrules:\n  - name: %s\n'
                   '    to: [192.0.2.1, 192.0.2.7]\n' % (prefix, rule))
    try:
        pf.PfReader(r.stdout)
        ok(r.returncode == 0, 'table-prefix %s, rule %s: no keyword table'
           % (prefix, rule), r.stderr)
    except readers.ReaderError as e:
        ok(False, 'table-prefix %s, rule %s: no keyword table'
           % (prefix, rule), str(e))
r = compile_pf('egressc: 1\nname: p%s\nrules:\n  - name: r\n'
               '    to: [192.0.2.1, 192.0.2.7]\n' % ('x' * 40))
names = [w for w in r.stdout.split() if w.startswith('<')]
ok(r.returncode == 0 and names and all('_' in w and len(w) <= 33
                                       for w in names),
   'a long policy name is cut, the table name keeps its _ within 31',
   names, r.stderr)

r = compile_pf('egressc: 1\nname: p\nrules:\n  - name: media\n'
               '    to: [any]\n    ports: [udp/50000-60000]\n')
rd = pf.PfReader(r.stdout)
ok(rd.opened_from_outside(4, '192.0.2.9', 'udp', 50001) == 'deny' and
   rd.decide(4, '192.0.2.9', 'udp', 50001) == 'allow',
   'default: deny: UDP opened from outside gets no answer, UDP out goes',
   r.stdout)
ok(rd.opened_from_outside(6, 'fe80::1', 'icmpv6', 0) == 'deny' and
   rd.decide_in(6, 'fe80::1', 'icmpv6', 134) == 'allow' and
   rd.decide_in(6, 'fe80::1', 'icmpv6', 136) == 'allow' and
   rd.decide_in(6, 'fe80::1', 'icmpv6', 133) == 'deny',
   'default: deny: router adverts and neighbour discovery still come in')
r = compile_pf('egressc: 1\nname: p\ndefault: accept\nrules:\n'
               '  - name: media\n    to: [any]\n    ports: [udp/5000]\n')
ok('block' not in r.stdout and pf.PfReader(r.stdout).opened_from_outside(
    4, '192.0.2.9', 'udp', 5000) == 'allow',
   'default: accept blocks nothing inbound')

# -- persist tables and pfctl -T replace --
T = ('table <p_api> persist { 192.0.2.10 }\n'
     'table <p_web> const { 192.0.2.20, 192.0.2.21 }\n'
     'block drop all\n'
     'pass out quick proto tcp to <p_api> port 443 keep state\n'
     'pass out quick proto tcp to <p_web> port 80 keep state\n')
rd = pf.PfReader(T)
ok(rd.decide(4, '192.0.2.10', 'tcp', 443) == 'allow' and
   rd.decide(4, '192.0.2.13', 'tcp', 443) == 'deny',
   'reader: a persist table holds its addresses')
done = rd.run_script('#!/bin/sh\n# comment\nst=0\n'
                     "pfctl -q -t p_api -T replace 192.0.2.10 192.0.2.12/31 "
                     "2001:db8::5 || st=1\nexit $st\n")
ok(done == ['p_api'] and rd.decide(4, '192.0.2.13', 'tcp', 443) == 'allow'
   and rd.decide(6, '2001:db8::5', 'tcp', 443) == 'allow' and
   rd.decide(4, '192.0.2.11', 'tcp', 443) == 'deny',
   'reader: -T replace changes what the rule naming the table admits')
rd.pfctl(['pfctl', '-t', 'p_api', '-T', 'replace', '192.0.2.99'])
ok(rd.decide(4, '192.0.2.10', 'tcp', 443) == 'deny' and
   rd.decide(4, '192.0.2.99', 'tcp', 443) == 'allow',
   'reader: replace drops what it does not list')
raises(lambda: rd.pfctl(['pfctl', '-t', 'p_web', '-T', 'replace',
                         '192.0.2.1']),
       'reader: a const table cannot be replaced')
raises(lambda: rd.pfctl(['pfctl', '-t', 'p_nope', '-T', 'replace',
                         '192.0.2.1']),
       'reader: a table the ruleset lacks is an error')
raises(lambda: rd.run_script('pfctl -t p_api -T flush\n'),
       'reader: only -T replace is expected')
raises(lambda: rd.run_script('rm -rf /\n'),
       'reader: a script line that is not pfctl is an error')

# egressc's tables for host names, as refresh -t pf replaces them.
LOCK = ('egressc-lock: 1\nhosts:\n  api.example.com:\n'
        '    a: [198.18.0.10]\n    ttl: 300\n')
r = compile_pf('egressc: 1\nname: p\nrules:\n  - name: api\n'
               '    to: [api.example.com]\n    ports: [tcp/443]\n'
               '  - name: web\n    to: [198.18.0.20, 198.18.0.29]\n'
               '    ports: [tcp/80]\n', LOCK)
ok(r.returncode == 0 and 'table <p_api> persist { 198.18.0.10 }' in r.stdout
   and 'table <p_web> const' in r.stdout,
   'a rule with a host: a persist table even of one address; the others '
   'stay const', r.stdout + r.stderr)
rd = pf.PfReader(r.stdout)
ok(rd.decide(4, '198.18.0.10', 'tcp', 443) == 'allow' and
   rd.decide(4, '198.18.0.13', 'tcp', 443) == 'deny' and
   rd.decide(6, '2001:2::13', 'tcp', 443) == 'deny',
   'before a refresh: the lock\'s address only')
rd.run_script('st=0\npfctl -q -t p_api -T replace 198.18.0.10 198.18.0.13 '
              '2001:2::13 || st=1\nexit $st\n')
ok(rd.decide(4, '198.18.0.13', 'tcp', 443) == 'allow' and
   rd.decide(6, '2001:2::13', 'tcp', 443) == 'allow' and
   rd.decide(4, '198.18.0.14', 'tcp', 443) == 'deny' and
   rd.decide(4, '198.18.0.13', 'tcp', 80) == 'deny',
   'after the replace: a new answer in either family passes, an address '
   'never answered stays blocked, and so do other ports')
sys.exit(tap.done())
