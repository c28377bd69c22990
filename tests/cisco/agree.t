#!/usr/bin/python3
# The IOS and ASA readers, reading what egressc emits for every policy of
# the tree, decide packets drawn near every edge the output names exactly
# as `egressc explain` decides them on the policy itself.  (reject is sent
# as deny on both targets; IOS admits IPv6 neighbour discovery, ICMPv6
# 135 and 136, before its final deny, and so does the reader.)
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ciscotest as t                                   # noqa: E402
import cisco_asa                                        # noqa: E402
import cisco_ios                                        # noqa: E402

SOURCES = ('10.10.1.1', '10.20.0.255', '10.20.1.0', '198.51.100.5',
           '203.0.113.200', '2001:db8:c::1', '2001:db8:d::1',
           '2001:db8:100::1')

tmp = tempfile.mkdtemp(prefix='egressc-cisco-')
try:
    for policy, lock in t.policies():
        base = os.path.basename(policy)
        texts, cfgs = [], {}
        for target, mod in (('cisco-ios', cisco_ios), ('cisco-asa',
                                                        cisco_asa)):
            d = os.path.join(tmp, base + target)
            os.mkdir(d)
            r, out = t.compile_to(policy, lock, target, d)
            if not t.ok(r.returncode == 0 and out, '%s: %s compiles'
                        % (base, target), r.stderr):
                continue
            text = open(out).read()
            texts.append(text)
            try:
                if target == 'cisco-asa':
                    cfgs[target] = mod.load(out, fqdn=t.read_lock(lock))
                else:
                    cfgs[target] = mod.load(out)
                t.ok(True, '%s: %s reader parses every line' % (base,
                                                                target))
            except ValueError as e:
                t.ok(False, '%s: %s reader parses every line' % (base,
                                                                 target), e)
        if not cfgs:
            continue
        pkts = t.packets(texts)
        want = t.explain(policy, lock, pkts)
        for target, cfg in sorted(cfgs.items()):
            bad = []
            for pkt, w in zip(pkts, want):
                got = cfg.decide(*pkt)
                fam, addr, proto, port = pkt
                if target == 'cisco-ios' and proto == 'icmpv6' and \
                        port in (135, 136) and w in ('deny', None):
                    continue
                if got != w:
                    bad.append('%s %s/%d: reader %s, explain %s'
                               % (addr, proto, port, got, w))
            t.ok(not bad, '%s: %s agrees with explain on %d packets'
                 % (base, target, len(pkts)), '\n'.join(bad[:10]))
        # Sources: inside and outside the from: networks of the policies.
        for src in SOURCES:
            fam = 6 if ':' in src else 4
            sp = [p for p in pkts if p[0] == fam][:400]
            want = t.explain(policy, lock, sp, src)
            for target, cfg in sorted(cfgs.items()):
                bad = []
                for pkt, w in zip(sp, want):
                    got = cfg.decide(*pkt, src=src)
                    if target == 'cisco-ios' and pkt[2] == 'icmpv6' and \
                            pkt[3] in (135, 136) and w in ('deny', None):
                        continue
                    if got != w:
                        bad.append('%s %s/%d: reader %s, explain %s'
                                   % (pkt[1], pkt[2], pkt[3], got, w))
                t.ok(not bad, '%s: %s agrees with explain --from %s'
                     % (base, target, src), '\n'.join(bad[:10]))
finally:
    shutil.rmtree(tmp)
t.done()
