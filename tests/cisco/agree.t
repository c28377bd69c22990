#!/usr/bin/python3
# Four readers -- Cisco IOS, Cisco ASA, nftables, iptables -- read what
# egressc emits for every policy of the tree and decide packets drawn near
# every edge the output names exactly as `egressc explain` decides them on
# the policy itself, with no source and with sources inside and outside
# the from: networks.  (IOS and ASA send reject as deny; IOS admits IPv6
# neighbour discovery, ICMPv6 135 and 136, before its final deny, and so
# does its reader.  IOS is compared with explain -t cisco-ios, which knows
# its built-in DHCP rules.)
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ciscotest as t                                   # noqa: E402
import cisco_asa                                        # noqa: E402
import cisco_ios                                        # noqa: E402
import iptables                                         # noqa: E402
import readers                                          # noqa: E402
import nftables                                         # noqa: E402

SOURCES = ('10.10.1.1', '10.20.0.255', '10.20.1.0', '198.51.100.5',
           '203.0.113.200', '2001:db8:c::1', '2001:db8:d::1',
           '2001:db8:100::1')
TARGETS = ('cisco-ios', 'cisco-asa', 'nftables', 'iptables')


def loader(target, files, lock):
    if target == 'cisco-ios':
        return cisco_ios.load(files)
    if target == 'cisco-asa':
        return cisco_asa.load(files, fqdn=t.read_lock(lock))
    if target == 'nftables':
        return nftables.load(files)
    return iptables.load(files)


MOD = {'cisco-ios': cisco_ios, 'cisco-asa': cisco_asa, 'nftables': nftables,
       'iptables': iptables}


def compare(target, cfg, pkts, want, src=None):
    bad = []
    for pkt, (w, dflt) in zip(pkts, want):
        w = MOD[target].expect(w, pkt[0], pkt[2], pkt[3], dflt)
        got = cfg.decide(*pkt, src=src)
        if got != w:
            bad.append('%s %s: reader %s, explain %s'
                       % (pkt[1], readers.port_text(pkt[2], pkt[3]), got,
                          w))
    return bad


tmp = tempfile.mkdtemp(prefix='egressc-agree-')
try:
    for policy, lock in t.policies():
        base = os.path.basename(policy)
        texts, cfgs = [], {}
        only = t.targets_of(policy)
        for target in TARGETS:
            if only is not None and target not in only:
                continue
            d = os.path.join(tmp, base + target)
            os.mkdir(d)
            r, files = t.compile_to(policy, lock, target, d)
            if not t.ok(r.returncode == 0 and files, '%s: %s compiles'
                        % (base, target), r.stderr):
                continue
            texts += [open(f).read() for f in files]
            try:
                cfgs[target] = loader(target, files, lock)
                t.ok(True, '%s: %s reader parses every line'
                     % (base, target))
            except ValueError as e:
                t.ok(False, '%s: %s reader parses every line'
                     % (base, target), e)
        if not cfgs:
            continue
        pkts = t.packets(texts)
        for target in TARGETS:
            if target in cfgs:
                want = t.explain(policy, lock, pkts, target=target)
                bad = compare(target, cfgs[target], pkts, want)
                t.ok(not bad, '%s: %s agrees with explain on %d packets'
                     % (base, target, len(pkts)), '\n'.join(bad[:10]))
        for src in SOURCES:
            fam = 6 if ':' in src else 4
            sp = [p for p in pkts if p[0] == fam][:400]
            for target in TARGETS:
                if target in cfgs:
                    want = t.explain(policy, lock, sp, src, target)
                    bad = compare(target, cfgs[target], sp, want, src)
                    t.ok(not bad, '%s: %s agrees with explain --from %s'
                         % (base, target, src), '\n'.join(bad[:10]))
finally:
    shutil.rmtree(tmp)
t.done()
