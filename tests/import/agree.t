#!/usr/bin/python3
"""agree.t - what `egressc import aerleon` makes of Aerleon's samples
decides as Aerleon's own output does.

For each sample of tests/import/aerleon/ (Aerleon 1.17.0's, see its
README):

  - the whole file is imported with --defs def/: when a filter cannot be
    imported, exit 2, no file written and exactly the expected errors, each
    at its FILE:LINE:COL in the sample (the table below);
  - each filter is cut out on its own (from its header to the next one, in
    a copy of the sample's directory layout, so includes resolve) and every
    filter the table does not expect to fail must import alone;
  - where Aerleon's reference output covers that filter, the import is
    compiled to nftables and iptables and every target's file, read by
    tests/readers/, decides a few thousand drawn packets (the packets of
    tests/property/packets.py, from the imported policy's edges) as
    Aerleon's file for the filter does, read by the same readers after
    aerleon_ref.py has cut it to the filter.  An input filter's packets go
    in by the input hook, and the output path, which Aerleon's filter leaves
    alone, must pass every packet.

Two places where egressc decides otherwise by design, which egressc(1)
IMPORT documents and the import warns of, are expected rather than
compared: with default: deny, IPv6 neighbour discovery (ICMPv6 133, 135,
136 out; 134-136 in) passes before any rule.  And a reference that covers
only one family (speedway's iptables-restore file is IPv4) is compared on
that family only.  YAML twins (sample_cisco_lab_yaml.yaml) import as their
.pol (comments and names aside), and def-capirca/ (Capirca's .net/.svc)
gives the bytes naming.yaml gives.  sample_cisco_lab has no reference
output in Aerleon's copy: its import is checked against packets whose
decisions are read off its terms (CISCO_LAB), by the readers and by
egressc explain.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, 'tests', 'readers'))
import iptables  # noqa: E402
import nftables  # noqa: E402
from readers import port_text  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, 'tests', 'property'))
from packets import draw, edges  # noqa: E402
sys.path.insert(0, HERE)
import aerleon_ref  # noqa: E402

EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
AER = os.path.join('tests', 'import', 'aerleon')
POL = os.path.join(AER, 'policies', 'pol')
DEFS = os.path.join(AER, 'def')
SEED = 20261127

# The errors of each sample, exactly as egressc prints them (after the
# three header lines each copy starts with, lines are Aerleon's + 3).
P = POL + '/'
ERRORS = {
    'sample_nftables.pol': [
        P + "sample_nftables.pol:47:3: error: term 'full-tuple-term': "
        "source-port:: cannot be imported: egressc rules match destination "
        "ports only; without its source ports the rule would match more",
        P + "sample_nftables.pol:119:14: error: term 'test-icmp-type-ip6' "
        "has nothing of an inet filter; Aerleon's nftables renders it "
        "without what it lacks, matching more, where its other generators "
        "leave it out: remove it or make it of the family",
        P + "sample_nftables.pol:165:3: error: term 'test-src-rdp': "
        "source-port:: cannot be imported: egressc rules match destination "
        "ports only; without its source ports the rule would match more",
        P + "sample_nftables.pol:174:3: error: term 'test-combined-port': "
        "source-port:: cannot be imported: egressc rules match destination "
        "ports only; without its source ports the rule would match more",
    ],
    'sample_multitarget.pol': [
        P + "sample_multitarget.pol:53:3: error: term "
        "'permit-udp-established': source-port:: cannot be imported: "
        "egressc rules match destination ports only; without its source "
        "ports the rule would match more",
    ],
    'sample_speedway.pol': [
        P + "sample_speedway.pol:21:3: error: term 'base-traceroute-in': "
        "source-port:: cannot be imported: egressc rules match destination "
        "ports only; without its source ports the rule would match more",
        P + "sample_speedway.pol:38:3: error: term 'base-allow-lo0-out': "
        "verbatim:: cannot be imported: egressc cannot know what the "
        "target text does; write it as a term",
        P + "sample_speedway.pol:56:3: error: term 'base-traceroute-out': "
        "source-port:: cannot be imported: egressc rules match destination "
        "ports only; without its source ports the rule would match more",
        P + "sample_speedway.pol:68:21: error: speedway: egressc filters "
        "what this host sends and receives; a FORWARD filter has no "
        "egressc policy",
    ],
    'sample_k8s.pol': [
        P + "sample_k8s.pol:40:18: error: term "
        "'test-multiple-protocols-tcp-sctp': protocol 'sctp' cannot be "
        "imported: egressc matches tcp, udp, icmp and icmpv6, or every "
        "protocol",
    ],
    'sample_k8s_yaml.yaml': [
        P + "sample_k8s_yaml.yaml:40:23: error: term "
        "'test-multiple-protocols-tcp-sctp': protocol 'sctp' cannot be "
        "imported: egressc matches tcp, udp, icmp and icmpv6, or every "
        "protocol",
    ],
    'sample_cisco_lab.pol': [],
    'sample_cisco_lab_yaml.yaml': [],
}

# Aerleon's reference output per sample: its kind, its file, and the
# families it covers (None: all).
REFS = {
    'sample_nftables.pol': ('nft', 'sample_nftables.nft.ref', None),
    'sample_multitarget.pol': ('ipt', 'sample_multitarget.ipt.ref', {4}),
}

ND_OUT, ND_IN = (133, 135, 136), (134, 135, 136)


def run(args, **kw):
    return subprocess.run([EG] + args, capture_output=True, text=True, **kw)


def whole_file(name, tmp):
    """Import the whole sample; the expected errors or success."""
    out = os.path.join(tmp, 'whole-' + name)
    r = run(['import', 'aerleon', '--defs', DEFS, '-o', out,
             os.path.join(POL, name)])
    errs = [l for l in r.stderr.splitlines() if ': error: ' in l]
    want = ERRORS[name]
    if want:
        ok(r.returncode == 2 and errs == want,
           '%s: exit 2 with its %d errors, each at its FILE:LINE:COL' %
           (name, len(want)), ['exit %d' % r.returncode] + errs +
           ['want:'] + want)
        ok(not os.path.exists(out) or not os.listdir(out),
           '%s: nothing written' % name)
    else:
        ok(r.returncode == 0 and not errs, '%s: imports' % name,
           r.stderr.splitlines())
    return r


def filters(path):
    """[(first line, last line)] of each filter (1-based, inclusive)."""
    lines = open(path, encoding='utf-8').read().split('\n')
    starts = [i + 1 for i, l in enumerate(lines)
              if re.match(r'header\s*\{', l)]
    return [(s, (starts[k + 1] - 1 if k + 1 < len(starts) else
                 len(lines))) for k, s in enumerate(starts)]


def cut(name, tmp):
    """Each filter of a .pol sample in a file of its own, in a copy of the
    sample's layout: {index: path}."""
    base = os.path.join(tmp, 'cut-' + name)
    shutil.copytree(os.path.join(AER, 'policies'),
                    os.path.join(base, 'policies'))
    src = os.path.join(POL, name)
    lines = open(src, encoding='utf-8').read().split('\n')
    out = {}
    for k, (a, b) in enumerate(filters(src)):
        p = os.path.join(base, 'policies', 'pol', 'f%d.pol' % k)
        with open(p, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines[a - 1:b]) + '\n')
        out[k] = p
    return out


def failing(name):
    """Indices of the filters the expected errors are in."""
    spans = filters(os.path.join(POL, name))
    bad = set()
    for e in ERRORS[name]:
        line = int(re.match(r'[^:]*:(\d+):', e).group(1))
        bad |= {k for k, (a, b) in enumerate(spans) if a <= line <= b}
    return bad


def imported_default(text):
    return re.search(r'^default: (\S+)', text, re.M).group(1)


def egressc_readers(policy, tmp, tag):
    out = os.path.join(tmp, 'out-' + tag)
    r = run(['compile', '-t', 'nftables,iptables', '-o', out, policy])
    if r.returncode != 0:
        return None, r.stderr
    name = re.search(r'^name: (\S+)', open(policy).read(), re.M).group(1)
    return {
        'nftables': nftables.load([os.path.join(out, name + '.nft')]),
        'iptables': iptables.load([os.path.join(out, name + s) for s in
                                   ('.rules.v4', '.rules.v6', '.ipset')]),
    }, r.stderr


def reference(name, k, chunk):
    """The reader of Aerleon's output for filter k, its hook and the
    families its table sees and the test compares."""
    kind, ref, cover = REFS[name]
    text = open(os.path.join(AER, 'ref', ref), encoding='utf-8').read()
    if kind == 'nft':
        nft, sees, hook = aerleon_ref.nft_filter(text, k)
        rd = nftables.Ruleset()
        rd.feed(nft, ref)
        return rd, hook, sees, cover or {4, 6}
    chain = re.search(r'target:: speedway (\S+)', chunk).group(1)
    rd = iptables.loads(v4=aerleon_ref.ipt_filter(text, chain))
    return rd, chain.lower(), {4}, cover or {4}


def expected(want, pkt, hook, deny):
    """Aerleon's decision, or egressc's own where it decides by design."""
    fam, _, proto, port = pkt
    # An ICMP packet's port is (type, code) since the readers take codes.
    itype = port[0] if isinstance(port, tuple) else port
    if deny and fam == 6 and proto == 'icmpv6' and \
            itype in (ND_IN if hook == 'input' else ND_OUT):
        return 'allow'
    return want


def compare(name, k, path, tmp):
    chunk = open(path, encoding='utf-8').read()
    yml = os.path.join(tmp, '%s-%d.yaml' % (name, k))
    r = run(['import', 'aerleon', '--defs', DEFS, path])
    ok(r.returncode == 0, '%s filter %d: imports on its own' % (name, k + 1),
       r.stderr.splitlines())
    if r.returncode != 0:
        return
    with open(yml, 'w') as f:
        f.write(r.stdout)
    if name not in REFS:
        return
    rds, err = egressc_readers(yml, tmp, '%s-%d' % (name, k))
    ok(rds is not None, '%s filter %d: the import compiles for nftables '
       'and iptables' % (name, k + 1), err.splitlines())
    if rds is None:
        return
    ref, hook, sees, cover = reference(name, k, chunk)
    deny = imported_default(r.stdout) == 'deny'
    addrs, nums = edges(r.stdout)
    rng = random.Random('%d:%s:%d' % (SEED, name, k))
    pkts, srcs = draw(rng, addrs, nums)
    for target, rd in rds.items():
        bad, n = [], 0
        for pkt, src in zip(pkts, srcs):
            if pkt[0] not in cover:
                continue
            n += 1
            want = ref.decide(*pkt, src=src, hook=hook) \
                if pkt[0] in sees else 'allow'
            want = expected(want, pkt, hook, deny)
            got = rd.decide(*pkt, src=src, hook=hook)
            if got != want:
                bad.append('%s %s from %s: Aerleon %s, egressc %s %s' %
                           (pkt[1], port_text(pkt[2], pkt[3]), src, want,
                            target, got))
        ok(not bad and n > 1000, '%s filter %d %s: %d/%d packets (%s) '
           'decide as Aerleon\'s' % (name, k + 1, target, n - len(bad), n,
                                      hook), bad)
        if hook != 'input':
            continue
        out = [p for p in pkts if rd.decide(*p, hook='output') != 'allow']
        ok(not out, '%s filter %d %s: the output path, which the filter '
           'leaves alone, passes every packet' % (name, k + 1, target),
           ['%s %s' % (p[1], port_text(p[2], p[3])) for p in out])


def strip(text):
    """The policy without comment lines, its name and its description
    (a YAML block keeps the blank lines that .pol has between comment::
    lines)."""
    return [l for l in text.split('\n') if not l.lstrip().startswith('#')
            and not l.startswith('name: ') and
            not l.startswith('description: ')]


def twins(tmp):
    a = run(['import', 'aerleon', '--defs', DEFS,
             os.path.join(POL, 'sample_cisco_lab.pol')])
    b = run(['import', 'aerleon', '--defs', DEFS,
             os.path.join(POL, 'sample_cisco_lab_yaml.yaml')])
    ok(a.returncode == 0 and b.returncode == 0 and
       strip(a.stdout) == strip(b.stdout) and a.stdout.count('\n') > 20,
       'sample_cisco_lab: the YAML twin imports as the .pol does',
       a.stderr.splitlines() + b.stderr.splitlines())
    c = run(['import', 'aerleon', '--defs', os.path.join(AER, 'def-capirca'),
             os.path.join(POL, 'sample_cisco_lab.pol')])
    ok(c.returncode == 0 and c.stdout == a.stdout,
       'sample_cisco_lab: NETWORK.net and SERVICES.svc give the bytes '
       'naming.yaml gives', c.stderr.splitlines())
    d = run(['import', 'aerleon', '--defs', DEFS,
             os.path.join(POL, 'sample_cisco_lab.pol')])
    o = os.path.join(tmp, 'o')
    e = run(['import', 'aerleon', '--defs', DEFS, '-o', o,
             os.path.join(POL, 'sample_cisco_lab.pol')])
    f = os.path.join(o, 'sample-cisco-lab-1.yaml')
    ok(d.stdout == a.stdout and e.returncode == 0 and os.path.exists(f) and
       open(f).read() == a.stdout, 'sample_cisco_lab: the same bytes on '
       'every run, on standard output and in -o DIR/NAME-1.yaml')
    r = run(['compile', '-t', 'all', '-o', os.path.join(tmp, 'all'), f])
    ok(r.returncode == 0, 'sample_cisco_lab: the import compiles for '
       'every target', r.stderr.splitlines())
    by_hand(f, tmp)


# sample_cisco_lab.pol's terms, read off the policy (Aerleon's copy has no
# reference output for it): what its cisco access list decides.  IPv6 is
# not filtered (an inet filter), DHCP and DNS to Google's resolvers pass,
# RFC 1918 and the sample's web and mail servers are denied, and the last
# term, default-permit, lets the rest through.
CISCO_LAB = [
    ('198.51.100.7', 'udp', 67, 'allow'), ('10.1.2.3', 'udp', 68, 'allow'),
    ('8.8.8.8', 'udp', 53, 'allow'), ('8.8.4.4', 'udp', 53, 'allow'),
    ('10.1.2.3', 'udp', 53, 'deny'), ('172.16.0.1', 'tcp', 443, 'deny'),
    ('192.168.255.255', 'icmp', (8, 0), 'deny'), ('200.1.1.1', 'tcp', 80, 'deny'),
    ('200.1.1.5', 'udp', 1, 'deny'), ('200.1.1.3', 'tcp', 80, 'allow'),
    ('8.8.8.8', 'tcp', 53, 'allow'), ('2001:db8::1', 'tcp', 25, 'allow'),
    ('fd00::1', 'udp', 53, 'allow'), ('11.0.0.0', 'tcp', 22, 'allow'),
]


def by_hand(policy, tmp):
    """The import of sample_cisco_lab, compiled for nftables and
    iptables, decides CISCO_LAB, and so does egressc explain."""
    rds, err = egressc_readers(policy, tmp, 'cisco-lab')
    ok(rds is not None, 'sample_cisco_lab: compiles for nftables and '
       'iptables', err.splitlines())
    if rds is None:
        return
    batch = os.path.join(tmp, 'batch')
    with open(batch, 'w') as f:
        for a, proto, port, _ in CISCO_LAB:
            f.write('%s %s\n' % (a, port_text(proto, port)))
    r = run(['explain', policy, '--batch', batch])
    said = [l.split()[0].replace('accept', 'allow')
            for l in r.stdout.splitlines()]
    for name, decide in sorted(rds.items()) + [('explain', None)]:
        bad = []
        for i, (a, proto, port, want) in enumerate(CISCO_LAB):
            fam = 6 if ':' in a else 4
            got = decide.decide(fam, a, proto, port) if decide else \
                (said[i] if i < len(said) else 'nothing')
            if got != want:
                bad.append('%s %s: %s, not %s' % (a, port_text(proto, port),
                                                 got, want))
        ok(not bad, 'sample_cisco_lab %s: decides the %d packets its terms '
           'say' % (name, len(CISCO_LAB)), bad + r.stderr.splitlines())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(ERRORS):
            whole_file(name, tmp)
            if not name.endswith('.pol') or not ERRORS[name]:
                continue
            bad = failing(name)
            for k, path in sorted(cut(name, tmp).items()):
                if k not in bad:
                    compare(name, k, path, tmp)
        twins(tmp)
    return tap.done()


sys.exit(main())
