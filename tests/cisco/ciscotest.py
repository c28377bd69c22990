"""ciscotest.py - what the tests/cisco/*.t scripts share: TAP output, the
paths, running egressc, reading lock files and drawing packets near the
edges of what an emitted configuration names."""

import ipaddress
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'readers'))
EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
os.chdir(ROOT)

sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import readers  # noqa: E402
import tap  # noqa: E402
from tap import ok  # noqa: E402,F401
from readers import TARGET_BUILTINS  # noqa: E402


def raises(fn, name):
    try:
        fn()
    except ValueError as e:
        return ok(True, name + ' (%s)' % str(e).split('\n')[0][:60])
    return ok(False, name, 'accepted')


def done():
    sys.exit(tap.done())


def run(args, **kw):
    return subprocess.run([EG] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          **kw)


def targets_of(policy):
    """The targets a policy is for: POLICY.targets beside it, else all."""
    f = policy[:-5] + '.targets'
    if os.path.exists(f):
        return open(f).read().strip().split(',')
    return None


def policies():
    """Every policy with its lock: shipped, tests/policies, tests/cisco."""
    out = []
    for d in ('policies', 'tests/policies', 'tests/cisco'):
        for f in sorted(os.listdir(d)):
            if not f.endswith('.yaml'):
                continue
            base = os.path.join(d, f[:-5])
            lock = base + '.example.lock'
            if not os.path.exists(lock):
                lock = base + '.lock'
            out.append((base + '.yaml', lock))
    return out


def compile_to(policy, lock, target, outdir):
    """Compile for one target into outdir: (result, sorted file paths)."""
    r = run(['compile', '-t', target, '-o', outdir, '--lock', lock, policy])
    return r, sorted(os.path.join(outdir, f) for f in os.listdir(outdir))


def read_lock(path):
    """Host name -> addresses, from the simple lock format egressc writes."""
    hosts, cur = {}, None
    if not os.path.exists(path):
        return hosts
    for line in open(path, encoding='utf-8'):
        m = re.match(r'^  ([A-Za-z0-9.*-]+):\s*$', line)
        if m:
            cur = hosts.setdefault(m.group(1).lower(), [])
            continue
        m = re.match(r'^    (a|aaaa): \[(.*)\]\s*$', line)
        if m and cur is not None:
            for a in m.group(2).split(','):
                a = a.strip().strip('"\'')
                if a:
                    cur.append(a)
    return hosts


def _v4_edges(text):
    ints = set()
    for m in re.finditer(r'\b(\d{1,3}(?:\.\d{1,3}){3})(?: (\d{1,3}(?:\.\d{1,3}'
                         r'){3}))?', text):
        a = int(ipaddress.IPv4Address(m.group(1)))
        ints.update((a - 1, a, a + 1))
        if m.group(2):
            mask = int(ipaddress.IPv4Address(m.group(2)))
            for host in (mask, 0xffffffff ^ mask):
                last = a | host
                ints.update((last, last + 1))
    return [ipaddress.IPv4Address(i) for i in ints if 0 <= i <= 0xffffffff]


def _v6_edges(text):
    ints = set()
    for m in re.finditer(r'(?<![\w:])([0-9a-fA-F]*:[0-9a-fA-F:]+)(?:/(\d+))?',
                         text):
        try:
            n = ipaddress.IPv6Network('%s/%s' % (m.group(1),
                                                 m.group(2) or 128),
                                      strict=False)
        except ValueError:
            continue
        a, b = int(n.network_address), int(n.broadcast_address)
        ints.update((a - 1, a, a + 1, b - 1, b, b + 1))
    return [ipaddress.IPv6Address(i) for i in ints
            if 0 <= i < (1 << 128)]


def _port_edges(text):
    ports = set()
    for m in re.finditer(r'\b(?:eq|range|port-object eq|port-object range)'
                         r'((?: \d+)+)', text):
        for p in m.group(1).split():
            p = int(p)
            ports.update(x for x in (p - 1, p, p + 1) if 0 <= x <= 65535)
    return sorted(ports)


def packets(texts, n_random=300, seed=1):
    """(fam, addr, proto, port) near the edges the texts name, and some
    drawn at random, in a fixed order."""
    rnd = random.Random(seed)
    text = '\n'.join(texts)
    v4 = _v4_edges(text) + [ipaddress.IPv4Address(rnd.getrandbits(32))
                            for _ in range(40)]
    v6 = _v6_edges(text) + [ipaddress.IPv6Address(
        (0x2001 << 112) | (0xdb8 << 96) | rnd.getrandbits(96))
        for _ in range(20)] + [ipaddress.IPv6Address(rnd.getrandbits(128))
                               for _ in range(20)]
    ports = _port_edges(text) + [0, 1, 53, 443, 65535]
    types = [0, 3, 8, 11, 128, 129, 133, 134, 135, 136, 255]
    codes = [0, 0, 1, 3, 4, 13]
    others = [4, 41, 47, 50, 51, 99, 132]
    out = []

    def one(fam, addr, proto):
        if proto.startswith('icmp'):
            return (fam, addr, proto, (rnd.choice(types), rnd.choice(codes)))
        if proto == 'other':
            p = rnd.choice(others)
            if fam == 6 and p == 51:
                p = 50          # AH is no IPv6 packet's last header
            return (fam, addr, 'sctp', rnd.choice(ports)) if p == 132 \
                else (fam, addr, p, None)
        return (fam, addr, proto, rnd.choice(ports + [rnd.randrange(65536)]))

    for addr in sorted(set(v4)) + sorted(set(v6)):
        fam = addr.version
        for proto in ('tcp', 'udp'):
            for p in rnd.sample(ports, min(6, len(ports))):
                out.append((fam, addr, proto, p))
        out.append(one(fam, addr, 'icmp' if fam == 4 else 'icmpv6'))
        out.append(one(fam, addr, 'other'))
    for _ in range(n_random):
        fam = rnd.choice((4, 6))
        addr = rnd.choice(v4 if fam == 4 else v6)
        out.append(one(fam, addr, rnd.choice(
            ('tcp', 'udp', 'icmp' if fam == 4 else 'icmpv6', 'other'))))
    return out


def explain(policy, lock, pkts, src=None, target=None):
    """egressc explain --batch for many packets: per packet, the action
    ('allow', 'deny', 'reject' or 'no decision') and whether the default
    gave it.  target: decide with that target's built-in rules (-t)."""
    with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
        for fam, addr, proto, port in pkts:
            f.write('%s %s\n' % (addr, readers.port_text(proto, port)))
        name = f.name
    try:
        r = run(['explain', '--lock', lock] +
                (['-t', target] if target in TARGET_BUILTINS else []) +
                (['--from', str(src)] if src else []) +
                ['--batch', name, policy])
    finally:
        os.unlink(name)
    if r.returncode != 0:
        raise RuntimeError('explain failed: ' + r.stderr)
    acts = []
    for line in r.stdout.splitlines():
        w = line.split()
        if len(w) >= 2 and w[1] == '(default)':
            acts.append(({'deny': 'deny', 'accept': 'allow',
                          'none': 'no decision'}[w[0]], True))
        else:
            acts.append(({'allow': 'allow', 'deny': 'deny',
                          'reject': 'reject'}[w[0]], False))
    if len(acts) != len(pkts):
        raise RuntimeError('explain gave %d lines for %d packets'
                           % (len(acts), len(pkts)))
    return acts
