"""readers.py - what every reader in tests/readers/ shares.

A reader is an independent model of one target: it parses the text egressc
emitted the way the device would, and decides packets the way the device
would.  It never imports egressc code or looks at the policy.  The property
tests (tests/property/agree.t, inject.t) find readers by file name:
tests/readers/cisco_ios.py reads target "cisco-ios".

The interface of a reader module:

    load(paths) -> reader
        paths: the target's output files for one policy (e.g. NAME.rules.v4
        and NAME.rules.v6), in the order of TARGET_SUFFIXES.  Raises
        ReaderError on text the device would reject or that the reader does
        not understand (that is a failure, never a skip).
    reader.decide(fam, dst, proto, port) -> 'allow' | 'deny' | 'reject' |
        'no decision'
        fam: 4 or 6; dst: the destination address as a string; proto: 'tcp',
        'udp', 'icmp' or 'icmpv6'; port: the destination port, or the ICMP
        type.  The packet leaves the host (egress) from some address of the
        family: a rule's source networks match when they hold any address of
        that family (egressc explain without --from does the same).
        'no decision': no rule matched and the file sets no default
        (policy default: none).
    reader.rule_count() -> int
        how many rules the device would hold once the file is loaded.

    reader.decide(fam, dst, proto, port, src=None) (optional): the same
        for a packet from the address src (of the same family): a rule's
        source networks must hold it.  Targets without rule order need it
        (a rule split by source is not decided right "from anywhere"); the
        drivers pass src when a reader's decide takes it, comparing with
        `egressc explain --from SRC`.

    reader.opened_from_outside(fam, peer, proto, port) (optional): a flow
        that peer opens to this host, not the host to it: TCP or UDP from
        peer's source port port, or for ICMP an echo request.  'allow' when
        the device lets its first packet in and the host's answer (to that
        port; an echo reply) out, 'deny' when it stops either.  With
        default: deny and no inbound rules a policy keeps the host closed
        to such flows (egressc-policy(5)); otherwise the answer is an
        outbound packet like any other.  agree.t checks it for the readers
        that have it.

    Host names the device resolves itself (pf tables, PowerShell dynamic
    keywords for plain names) are looked up in readers.DNS, which the
    drivers fill from the policy's lock file (load_lock): the device's
    resolver then answers what egressc explain assumed.  A wildcard
    resolves to nothing.

    HAS_REJECT (optional module constant, default False): the target can
    answer 'reject' distinctly from 'deny'.  When it is False, the drivers
    compare 'reject' as 'deny' on both sides.
"""

import ipaddress
import os

# target -> the suffixes of its output files, as egressc(1) lists them.
TARGET_SUFFIXES = {
    'nftables': ['.nft'],
    'iptables': ['.rules.v4', '.rules.v6'],
    'pf': ['.pf.conf'],
    'netsh': ['.netsh.cmd'],
    'powershell': ['.ps1'],
    'cisco-ios': ['.cisco-ios.txt'],
    'cisco-asa': ['.cisco-asa.txt'],
}

# Targets whose output holds built-in rules of their own (an IR rule for
# that target only, egressc-policy(5)): the drivers compare their readers
# with `egressc explain -t TARGET`, which decides with those rules.
TARGET_BUILTINS = ('cisco-ios',)

DECISIONS = ('allow', 'deny', 'reject', 'no decision')
PROTOS = ('tcp', 'udp', 'icmp', 'icmpv6')


class ReaderError(Exception):
    """The text is not what the device would accept (or understand)."""


# name -> AddrSet: the answers a device's resolver gives (see load_lock).
DNS = {}


def load_lock(path):
    """Fill DNS from an egressc lock file (its hosts: a: / aaaa: lists)."""
    import re
    DNS.clear()
    if not path or not os.path.exists(path):
        return
    host = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^  ([^\s#][^:]*):\s*$', line)
            if m:
                host = m.group(1).strip('"\'').lower()
                DNS[host] = AddrSet()
                continue
            m = re.match(r'^    (a|aaaa):\s*\[(.*)\]', line)
            if m and host:
                for a in m.group(2).split(','):
                    a = a.strip().strip('"\'')
                    if a:
                        DNS[host].add_cidr(a)


def resolve(name):
    """What the device's resolver answers for a host name (empty if none)."""
    return DNS.get(name.lower().rstrip('.'), AddrSet())


def target_of(module_name):
    """cisco_ios -> cisco-ios."""
    return module_name.replace('_', '-')


def output_paths(outdir, policy_name, target):
    """The files `egressc compile -t all -o outdir` wrote for a target."""
    return [os.path.join(outdir, policy_name + s)
            for s in TARGET_SUFFIXES[target]]


def parse_ip(text):
    """'192.0.2.1' -> (4, int).  ReaderError when it is no address."""
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        raise ReaderError('bad address %r' % text) from None
    return a.version, int(a)


class AddrSet:
    """Addresses of both families as closed intervals."""

    def __init__(self):
        self.iv = {4: [], 6: []}

    @classmethod
    def any(cls):
        s = cls()
        s.iv[4].append((0, 2**32 - 1))
        s.iv[6].append((0, 2**128 - 1))
        return s

    def add_range(self, fam, lo, hi):
        if lo > hi:
            raise ReaderError('empty address range')
        self.iv[fam].append((lo, hi))

    def add_cidr(self, text):
        """'192.0.2.0/24', '2001:db8::1' (host bits must be zero)."""
        try:
            n = ipaddress.ip_network(text, strict=True)
        except ValueError:
            raise ReaderError('bad network %r' % text) from None
        self.add_range(n.version, int(n.network_address),
                       int(n.broadcast_address))

    def add_dash_range(self, text):
        """'10.0.0.1-10.0.0.9' (both ends of one family)."""
        lo, _, hi = text.partition('-')
        f1, a = parse_ip(lo)
        f2, b = parse_ip(hi)
        if f1 != f2:
            raise ReaderError('range %r mixes families' % text)
        self.add_range(f1, a, b)

    def update(self, other):
        for f in (4, 6):
            self.iv[f].extend(other.iv[f])

    def has(self, fam, addr):
        return any(lo <= addr <= hi for lo, hi in self.iv[fam])

    def has_fam(self, fam):
        return bool(self.iv[fam])


class NumSet:
    """Ports or ICMP types as closed intervals; None means every one."""

    def __init__(self, ranges=None):
        self.ranges = ranges

    def add(self, lo, hi=None):
        hi = lo if hi is None else hi
        if not (0 <= lo <= hi <= 65535):
            raise ReaderError('bad port or type range %d-%d' % (lo, hi))
        if self.ranges is None:
            self.ranges = []
        self.ranges.append((lo, hi))

    def has(self, n):
        return self.ranges is None or any(lo <= n <= hi
                                          for lo, hi in self.ranges)


def to_int(text, what):
    if not text.isdigit():
        raise ReaderError('bad %s %r' % (what, text))
    return int(text)


class WindowsFirewall:
    """Windows Defender Firewall's decision, for the netsh and PowerShell
    readers: rules have no order; a packet is blocked when any block rule
    matches it, allowed when an allow rule matches and no block rule does,
    and left to the profile's default otherwise.  A subclass fills
    self.rules (objects with action 'allow' or 'deny', proto, local, ports
    and types) and self.default, and says in _outbound_to whether a rule
    is an enabled outbound rule whose remote side holds the address."""

    def _outbound_to(self, r, fam, dst):
        raise NotImplementedError

    def _match(self, r, fam, dst, proto, port, src):
        if not self._outbound_to(r, fam, dst):
            return False
        if r.proto is not None and r.proto != proto:
            return False
        if proto == 'icmp' and fam != 4 or proto == 'icmpv6' and fam != 6:
            return False
        if r.local is not None and not (r.local.has_fam(fam) if src is None
                                        else r.local.has(fam, src)):
            return False
        if proto in ('tcp', 'udp') and not r.ports.has(port):
            return False
        if proto in ('icmp', 'icmpv6') and not r.types.has(port):
            return False
        return True

    def decide(self, fam, dst, proto, port, src=None):
        f, a = parse_ip(dst)
        if f != fam:
            raise ReaderError('address %s is not IPv%d' % (dst, fam))
        if src is not None:
            src = parse_ip(src)[1]
        hits = {r.action for r in self.rules
                if self._match(r, fam, a, proto, port, src)}
        if 'deny' in hits:
            return 'deny'
        if 'allow' in hits:
            return 'allow'
        return self.default

    def rule_count(self):
        return len(self.rules)
