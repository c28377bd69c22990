#!/usr/bin/python3
"""agree.t - every target's output decides every packet as the policy does.

For each policy (the shipped one and tests/policies/*.yaml) this compiles
every target with `egressc compile -t all -o DIR`, draws packets with a
fixed seed (half anywhere, half at the policy's edges: the first and last
address of every prefix and range and the addresses either side, every
port range's ends and their neighbours, IPv4 and IPv6), asks `egressc
explain --batch` for the policy's decision and every reader in
tests/readers/ for the target's, and requires them to agree.  One TAP line
per policy and target, with the count.  A reader that models flows opened
from outside (opened_from_outside) must refuse every one of them when the
policy keeps the host closed (default: deny, no inbound rules).
"""

import importlib
import inspect
import ipaddress
import os
import random
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'readers'))
import readers  # noqa: E402
sys.path.insert(0, HERE)
from packets import draw, edges  # noqa: E402

SEED = 20261127


def policies():
    out = [os.path.join(ROOT, 'policies', 'heygen-livekit.yaml')]
    d = os.path.join(ROOT, 'tests', 'policies')
    out += [os.path.join(d, f) for f in sorted(os.listdir(d))
            if f.endswith('.yaml')]
    return out


RANDOM_POLICIES = int(os.environ.get('AGREE_RANDOM', '24'))


def random_policy(rng, k):
    """A policy of overlapping rules in a small space, so that rules cut
    into each other (the hard case for targets without rule order)."""
    def net():
        if rng.random() < 0.5:
            ln = rng.randint(22, 32)
            a = (10 << 24) + rng.getrandbits(10)
            a &= ~((1 << (32 - ln)) - 1) & 0xffffffff
            return '%s/%d' % (ipaddress.IPv4Address(a), ln)
        ln = rng.randint(118, 128)
        a = int(ipaddress.IPv6Address('2001:db8::')) + rng.getrandbits(10)
        a &= ~((1 << (128 - ln)) - 1)
        return '"%s/%d"' % (ipaddress.IPv6Address(a), ln)

    def port():
        # What every target takes: no sctp ports, no proto/0.
        c = rng.random()
        if c < 0.3:
            lo = rng.randint(1000, 1100)
            return 'tcp/%d-%d' % (lo, lo + rng.randint(0, 40))
        if c < 0.6:
            lo = rng.randint(1000, 1100)
            return 'udp/%d-%d' % (lo, lo + rng.randint(0, 40))
        if c < 0.7:
            return rng.choice(('tcp', 'udp', 'sctp'))
        if c < 0.8:
            return rng.choice(('icmp', 'icmp/%d' % rng.randint(0, 10),
                               'icmp/3/%d' % rng.randint(0, 5),
                               'icmp/%d/%d-%d' % (rng.randint(3, 5),
                                                  rng.randint(0, 1),
                                                  rng.randint(1, 4)),
                               'icmp/echo-request', 'icmp/port-unreachable',
                               'icmp/destination-unreachable/frag-needed'))
        if c < 0.9:
            return rng.choice(('icmpv6', 'icmpv6/%d' % rng.randint(126, 136),
                               'icmpv6/1/%d' % rng.randint(0, 6),
                               'icmpv6/nd-neighbor-solicit',
                               'icmpv6/neighbour-advertisement',
                               'icmpv6/destination-unreachable/'
                               'admin-prohibited'))
        return rng.choice(('gre', 'esp', 'ah', 'proto/%d' %
                           rng.choice((4, 41, 47, 99, 132, 255))))

    lines = ['egressc: 1', 'name: random-%d' % k,
             'default: %s' % rng.choice(('deny', 'accept', 'none')),
             'rules:']
    for i in range(rng.randint(4, 14)):
        lines.append('  - name: r%d' % i)
        to = [net() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.1:
            to = ['any']
        lines.append('    to: [%s]' % ', '.join(to))
        if rng.random() < 0.3:
            lines.append('    from: [%s]' % ', '.join(
                net() for _ in range(rng.randint(1, 2))))
        if rng.random() < 0.85:
            lines.append('    ports: [%s]' % ', '.join(
                port() for _ in range(rng.randint(1, 3))))
        lines.append('    action: %s' % rng.choice(
            ('allow', 'allow', 'deny', 'reject')))
    return '\n'.join(lines) + '\n'


def lock_of(policy):
    base = policy[:-len('.yaml')]
    for lock in (base + '.example.lock', base + '.lock'):
        if os.path.exists(lock):
            return lock
    return None


def reader_modules():
    mods = {}
    for f in sorted(os.listdir(os.path.join(ROOT, 'tests', 'readers'))):
        if not f.endswith('.py') or f == 'readers.py' or f.startswith('_'):
            continue
        name = f[:-3]
        mods[readers.target_of(name)] = importlib.import_module(name)
    return mods


def policy_texts(policy):
    """The policy, its lock and what it includes, as text."""
    texts = []
    paths = [policy, lock_of(policy)]
    with open(policy, encoding='utf-8') as f:
        t = f.read()
    m = re.search(r'^include:\s*\[([^\]]*)\]', t, re.M)
    if m:
        for inc in m.group(1).split(','):
            inc = inc.strip().strip('"\'')
            paths.append(os.path.join(os.path.dirname(policy), inc))
    for p in paths:
        if p and os.path.exists(p):
            with open(p, encoding='utf-8') as f:
                texts.append(f.read())
    return '\n'.join(texts)


def explain_from(policy, pkts, srcs, tmp, target=None):
    """explain --from SRC for each packet's own source."""
    out = [None] * len(pkts)
    for src in sorted(set(srcs)):
        idx = [i for i, s in enumerate(srcs) if s == src]
        got, err = explain(policy, [pkts[i] for i in idx], tmp, src, target)
        if got is None:
            return None, err
        for i, g in zip(idx, got):
            out[i] = g
    return out, ''


def explain(policy, pkts, tmp, src=None, target=None):
    batch = os.path.join(tmp, 'batch')
    with open(batch, 'w') as f:
        for fam, a, proto, p in pkts:
            f.write('%s %s\n' % (a, readers.port_text(proto, p)))
    cmd = [EG, 'explain'] + (['-t', target] if target else [])
    if lock_of(policy):
        cmd += ['--lock', lock_of(policy)]
    if src is not None:
        cmd += ['--from', src]
    cmd += [policy, '--batch', batch]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    out = []
    for line in r.stdout.splitlines():
        w = line.split()
        if len(w) == 2 and w[1] == '(default)':
            out.append(({'deny': 'deny', 'accept': 'allow',
                         'none': 'no decision'}[w[0]], True))
        else:
            out.append((w[0], False))
    if len(out) != len(pkts):
        return None, 'explain gave %d lines for %d packets' % (
            len(out), len(pkts))
    return out, ''


def keyword_ids(rd, name):
    """PowerShell keyword Ids that are not uuid5(URL, egressc:NAME:KW)."""
    import uuid
    return ['%s for %s' % (kid, kw) for kid, kw in
            sorted(getattr(rd, 'keywords', {}).items())
            if kid != '{%s}' % uuid.uuid5(uuid.NAMESPACE_URL,
                                          'egressc:%s:%s' % (name, kw))]


def native_wildcards(tmp):
    """Only PowerShell keeps a wildcard; the others refuse it.  (The policy
    lives apart from tests/policies, whose policies compile everywhere.)"""
    policy = os.path.join(HERE, 'native', 'wild-native.yaml')
    lock = lock_of(policy)
    out = os.path.join(tmp, 'wild')
    r = subprocess.run([EG, 'compile', '-t', 'powershell', '-o', out,
                        '--lock', lock, policy], capture_output=True,
                       text=True)
    ok(r.returncode == 0, 'wild: wildcards: native compiles for powershell',
       r.stderr.splitlines())
    if r.returncode == 0:
        mod = importlib.import_module('powershell')
        rd = mod.load(readers.output_paths(out, 'wild-native',
                                           'powershell'))
        kws = sorted(getattr(rd, 'keywords', {}).values())
        ok(kws == ['*.example.com', 'api.example.com'],
           'wild: a dynamic keyword per name and wildcard', [str(kws)])
        ok(not keyword_ids(rd, 'wild-native'),
           'wild: keyword Ids are name-based UUIDs of policy and keyword',
           keyword_ids(rd, 'wild-native'))
    for target in ('nftables', 'iptables', 'pf', 'netsh'):
        r = subprocess.run([EG, 'compile', '-t', target, '--lock', lock,
                            policy], capture_output=True, text=True)
        ok(r.returncode == 2 and "cannot match the wildcard '*.example.com'"
           in r.stderr and r.stdout == '',
           'wild: %s refuses the wildcard (exit 2, no output)' % target,
           r.stderr.splitlines())


def compile_each(policy, outdir, lock):
    """Compile target by target; a target that refuses inbound rules is
    left out.  A CompletedProcess summing the others up."""
    errs, rc = [], 0
    for target in readers.TARGET_SUFFIXES:
        r = subprocess.run([EG, 'compile', '-t', target, '-o', outdir] +
                           lock + [policy], capture_output=True, text=True)
        if r.returncode != 0 and 'takes no inbound rules' in r.stderr:
            print('# %s: %s takes no inbound rules' % (
                os.path.basename(policy), target))
            continue
        rc = rc or r.returncode
        errs.append(r.stderr)
    return subprocess.CompletedProcess([], rc, '', ''.join(errs))


def closes_inbound(policy):
    """default: deny (also when unset) and no inbound rules: the host is
    closed to flows opened from outside (egressc-policy(5), default)."""
    with open(policy, encoding='utf-8') as f:
        t = f.read()
    m = re.search(r'^default:\s*(\S+)', t, re.M)
    return (m is None or m.group(1) == 'deny') and \
        not re.search(r'^\s*direction:\s*inbound', t, re.M)


def check_outside(pname, target, rd, pkts):
    """Flows opened from outside, from every drawn packet's address and
    port: the policy keeps the host closed to them all.  (With other
    defaults what answers them is each device's own state machine.)"""
    bad = []
    for fam, peer, proto, port in pkts:
        try:
            got = rd.opened_from_outside(fam, peer, proto, port)
        except readers.ReaderError as e:
            got = 'error: %s' % e
        if got != 'deny':
            bad.append('from %s %s/%d: %s %s' % (peer, proto, port, target,
                                                 got))
    ok(not bad, '%s %s: every flow opened from outside is refused' % (
        pname, target), bad)


def norm(d, has_reject):
    return 'deny' if d == 'reject' and not has_reject else d


def main():
    mods = reader_modules()
    print('# readers: %s' % ' '.join(sorted(mods)))
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(SEED)
        generated = []
        for k in range(RANDOM_POLICIES):
            path = os.path.join(tmp, 'random-%d.yaml' % k)
            with open(path, 'w') as f:
                f.write(random_policy(rng, k))
            generated.append(path)
        for policy in policies() + generated:
            pname = os.path.basename(policy)[:-len('.yaml')]
            outdir = os.path.join(tmp, pname)
            lock = ['--lock', lock_of(policy)] if lock_of(policy) else []
            # POLICY.targets beside a policy lists the only targets that
            # can take it (as for the golden files).
            tfile = policy[:-len('.yaml')] + '.targets'
            targets = 'all'
            if os.path.exists(tfile):
                with open(tfile) as f:
                    targets = f.read().strip()
            r = subprocess.run([EG, 'compile', '-t', targets, '-o', outdir] +
                               lock + [policy], capture_output=True,
                               text=True)
            if r.returncode != 0 and 'takes no inbound rules' in r.stderr:
                # Inbound rules: only some targets take them.
                r = compile_each(policy, outdir, lock)
            ok(r.returncode == 0, '%s: compiles for every target (that '
               'takes it)' % pname, r.stderr.splitlines())
            if r.returncode != 0:
                continue
            # The output's policy name is the policy's name: key.
            with open(policy, encoding='utf-8') as f:
                name = re.search(r'^name:\s*(\S+)', f.read(), re.M).group(1)
            addrs, nums = edges(policy_texts(policy))
            rng = random.Random('%d:%s' % (SEED, pname))
            pkts, srcs = draw(rng, addrs, nums)
            readers.load_lock(lock_of(policy))
            want_any, err = explain(policy, pkts, tmp)
            want_src, err2 = explain_from(policy, pkts, srcs, tmp)
            ok(want_any is not None and want_src is not None,
               '%s: explain --batch, with and without --from' % pname,
               (err + err2).splitlines())
            if want_any is None or want_src is None:
                continue
            for target in sorted(mods, key=list(readers.TARGET_SUFFIXES)
                                 .index):
                mod = mods[target]
                paths = readers.output_paths(outdir, name, target)
                if not all(os.path.exists(p) for p in paths):
                    print('# %s: no %s output' % (pname, target))
                    continue
                try:
                    rd = mod.load(paths)
                except readers.ReaderError as e:
                    ok(False, '%s %s: the reader takes the output' %
                       (pname, target), [str(e)])
                    continue
                hr = getattr(mod, 'HAS_REJECT', False)
                by_src = 'src' in inspect.signature(rd.decide).parameters
                want = want_src if by_src else want_any
                if target in readers.TARGET_BUILTINS:
                    # With the target's own built-in rules (explain -t).
                    if by_src:
                        want, err = explain_from(policy, pkts, srcs, tmp,
                                                 target)
                    else:
                        want, err = explain(policy, pkts, tmp, None, target)
                    if want is None:
                        ok(False, '%s %s: explain -t' % (pname, target),
                           err.splitlines())
                        continue
                expect = getattr(mod, 'expect', None)
                bad = []
                # Where egressc said a Windows block rule cannot block the
                # other IP protocols (gre, esp, proto/N) an earlier allow
                # leaves it, it decides them otherwise: not compared.
                lossy = isinstance(rd, readers.WindowsFirewall) and \
                    'cannot block every protocol but some ports' in r.stderr
                if lossy:
                    print('# %s %s: other IP protocols left out (egressc '
                          'warned)' % (pname, target))
                for pkt, src, (w, by_default) in zip(pkts, srcs, want):
                    if lossy and isinstance(pkt[2], int):
                        continue
                    if expect is not None:
                        # What the device adds of its own (IOS admits
                        # IPv6 neighbour discovery before its final deny).
                        w = expect(w, pkt[0], pkt[2], pkt[3], by_default)
                    try:
                        got = (rd.decide(*pkt, src=src) if by_src else
                               rd.decide(*pkt))
                    except readers.ReaderError as e:
                        got = 'error: %s' % e
                    if norm(got, hr) != norm(w, hr):
                        bad.append('%s %s%s: policy %s, %s %s' % (
                            pkt[1], readers.port_text(pkt[2], pkt[3]),
                            ' from ' + src if by_src else '', w, target,
                            got))
                n = sum(1 for p in pkts if not (lossy and
                                                isinstance(p[2], int)))
                ok(not bad, '%s %s: %d/%d packets agree (%d rules)' % (
                    pname, target, n - len(bad), n, rd.rule_count()), bad)
                if hasattr(rd, 'opened_from_outside') and \
                        closes_inbound(policy):
                    check_outside(pname, target, rd, pkts)
                if getattr(rd, 'keywords', None):
                    ok(not keyword_ids(rd, name), '%s %s: keyword Ids are '
                       'name-based UUIDs' % (pname, target),
                       keyword_ids(rd, name))
        native_wildcards(tmp)
    return tap.done()


sys.exit(main())
