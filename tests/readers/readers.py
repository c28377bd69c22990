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
        'udp', 'sctp', 'icmp', 'icmpv6', or the number (an int) of another
        IP protocol, the last header of the packet (never an IPv6
        extension header in IPv6); port: the destination port, for ICMP the
        pair (type, code), else None.  The packet leaves the host (egress)
        from some address of the family: a rule's source networks match
        when they hold any address of that family (egressc explain without
        --from does the same).
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

    reader.decide(..., hook='input') (nftables and iptables, the targets
        with an input path): the same for a packet from src to this
        host's address dst; where nothing hooks input, 'allow'.

    HAS_REJECT (optional module constant, default False): the target can
    answer 'reject' distinctly from 'deny'.  When it is False, the drivers
    compare 'reject' as 'deny' on both sides.
"""

import ipaddress
import os

# target -> the suffixes of its output files, as egressc(1) lists them.
TARGET_SUFFIXES = {
    'nftables': ['.nft'],
    'iptables': ['.rules.v4', '.rules.v6', '.ipset'],
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
PROTOS = ('tcp', 'udp', 'sctp', 'icmp', 'icmpv6')
# The IP protocol numbers of the protocols packets name by word.
PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}
PORTED = ('tcp', 'udp', 'sctp')


def proto_number(proto):
    """A packet's protocol as its IP protocol number."""
    if isinstance(proto, int):
        if not 0 <= proto <= 255:
            raise ReaderError('protocol %d' % proto)
        return proto
    if proto not in PROTO_NUM:
        raise ReaderError('protocol %r' % (proto,))
    return PROTO_NUM[proto]


def icmp_of(port):
    """An ICMP packet's (type, code); a bare type has code 0, as egressc
    explain's icmp/8 does."""
    if isinstance(port, int):
        return port, 0
    t, c = port
    return int(t), int(c)


def port_text(proto, port):
    """A packet's protocol and port as egressc explain --port takes them:
    tcp/443, icmp/3/4, proto/47."""
    if isinstance(proto, int):
        return 'proto/%d' % proto
    if proto in ('icmp', 'icmpv6'):
        return '%s/%d/%d' % ((proto,) + icmp_of(port))
    return '%s/%d' % (proto, port)


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


class IcmpSet:
    """ICMP messages: (type, code) pairs, code None for every code of the
    type; None means every message."""

    def __init__(self, items=None):
        self.items = items

    def add(self, t, code=None):
        if not 0 <= t <= 255 or not (code is None or 0 <= code <= 255):
            raise ReaderError('bad ICMP type or code %r/%r' % (t, code))
        if self.items is None:
            self.items = []
        self.items.append((t, code))

    def has(self, tc):
        t, c = tc
        return self.items is None or any(
            t == it and (ic is None or c == ic) for it, ic in self.items)


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


# Windows' own enabled outbound allow rules, as a fresh Windows 10 or 11
# holds them (the "Core Networking" group, and rules that apps and Store
# packages bring): rules egressc did not write and does not remove.
# (display name, protocol, remote ports or ICMP types, remote addresses)
# with None for any; their program and service conditions are not
# modelled, for any program may be the one that sends: a packet is
# allowed by them whatever sends it.  LocalSubnet and the other keywords
# are modelled as any address: the subnet is the network's, not the
# policy's.
WINDOWS_OUTBOUND = (
    ('Core Networking - DNS (UDP-Out)', 'udp', [(53, 53)], None),
    ('Core Networking - Dynamic Host Configuration Protocol (DHCP-Out)',
     'udp', [(67, 67)], None),
    ('Core Networking - Dynamic Host Configuration Protocol for IPv6'
     '(DHCPV6-Out)', 'udp', [(547, 547)], None),
    ('Core Networking - Group Policy (TCP-Out)', 'tcp', None, None),
    ('Core Networking - Group Policy (NP-Out)', 'tcp', [(445, 445)], None),
    ('Core Networking - Teredo (UDP-Out)', 'udp', None, None),
    ('Core Networking - Packet Too Big (ICMPv6-Out)', 'icmpv6', [(2, 2)],
     None),
    ('Core Networking - Time Exceeded (ICMPv6-Out)', 'icmpv6', [(3, 3)],
     None),
    ('Core Networking - Parameter Problem (ICMPv6-Out)', 'icmpv6',
     [(4, 4)], None),
    ('Core Networking - Multicast Listener Query (ICMPv6-Out)', 'icmpv6',
     [(130, 130)], None),
    ('Core Networking - Multicast Listener Report (ICMPv6-Out)', 'icmpv6',
     [(131, 131)], None),
    ('Core Networking - Multicast Listener Done (ICMPv6-Out)', 'icmpv6',
     [(132, 132)], None),
    ('Core Networking - Router Solicitation (ICMPv6-Out)', 'icmpv6',
     [(133, 133)], None),
    ('Core Networking - Router Advertisement (ICMPv6-Out)', 'icmpv6',
     [(134, 134)], 'fe80::/64'),
    ('Core Networking - Neighbor Discovery Solicitation (ICMPv6-Out)',
     'icmpv6', [(135, 135)], None),
    ('Core Networking - Neighbor Discovery Advertisement (ICMPv6-Out)',
     'icmpv6', [(136, 136)], None),
    ('Core Networking - Multicast Listener Report v2 (ICMPv6-Out)',
     'icmpv6', [(143, 143)], None),
    ('Core Networking Diagnostics - ICMP Echo Request (ICMPv4-Out)',
     'icmp', [(8, 8)], None),
    # A Store package's outbound rule: any protocol, any remote address.
    ('Microsoft Edge (a packaged app rule)', None, None, None),
)


class _Foreign:
    """One of Windows' own rules, in the shape WindowsFirewall._match reads:
    an IP protocol number, ports, ICMP types of every code."""

    def __init__(self, name, proto, nums, remote):
        self.name, self.action = name, 'allow'
        self.proto = proto_number(proto) if proto is not None else None
        self.local = None
        self.ports = NumSet(list(nums) if nums and proto in ('tcp', 'udp')
                            else None)
        self.types = IcmpSet()
        if nums and proto in ('icmp', 'icmpv6'):
            for lo, hi in nums:
                for t in range(lo, hi + 1):
                    self.types.add(t)
        else:
            self.types = IcmpSet(None)
        self.remote = None
        if remote is not None:
            self.remote = AddrSet()
            self.remote.add_cidr(remote)


class WindowsFirewall:
    """Windows Defender Firewall's decision, for the netsh and PowerShell
    readers.

    Precedence ([MS-FASP] 2.2.34 FW_RULE_ACTION; Microsoft Learn: Windows
    Firewall rules, "Rule precedence"): rules have no order; allow-bypass
    rules beat block rules, which beat allow rules; with no rule matching,
    the profile's default decides.  Allow-bypass needs an authenticated
    (IPsec) connection, which no packet here has, so: blocked when any
    enabled block rule matches, allowed when an allow rule does, else the
    default.  The rules are the script's and Windows' own
    (WINDOWS_OUTBOUND), which the script finds enabled and cannot beat by
    allow rules of its own.

    The firewall's state is a per-profile setting (Set-NetFirewallProfile
    -Enabled; netsh advfirewall set allprofiles state): the reader starts
    with every profile off, as a script may find them, and a profile that
    is off filters nothing, so every packet passes until the script turns
    all of them on.

    A subclass fills self.rules (objects with action 'allow' or 'deny',
    proto, local, ports and types), sets self.default and self.state, and
    says in _outbound_to whether one of its rules is an enabled outbound
    rule whose remote side holds the address.  When the script sets no
    default and none of its rules matches, the decision is Windows' own:
    'no decision'."""

    PROFILES = ('domain', 'private', 'public')

    def __init__(self):
        self.rules = []
        self.default = 'no decision'
        self.state = {p: False for p in self.PROFILES}
        self.foreign = [_Foreign(*x) for x in WINDOWS_OUTBOUND]

    def _outbound_to(self, r, fam, dst):
        raise NotImplementedError

    def _match(self, r, fam, dst, proto, port, src, own=True):
        """r.proto: None (any) or an IP protocol number; r.ports a NumSet
        (TCP and UDP rules), r.types an IcmpSet (ICMP rules); own: a rule
        of the script (else Windows' own, matched by its remote address)."""
        if own and not self._outbound_to(r, fam, dst):
            return False
        if not own and r.remote is not None and not r.remote.has(fam, dst):
            return False
        if r.proto is not None and r.proto != proto_number(proto):
            return False
        if proto == 'icmp' and fam != 4 or proto == 'icmpv6' and fam != 6:
            return False
        if r.local is not None and not (r.local.has_fam(fam) if src is None
                                        else r.local.has(fam, src)):
            return False
        if proto in PORTED and not r.ports.has(port):
            return False
        if proto in ('icmp', 'icmpv6') and not r.types.has(icmp_of(port)):
            return False
        return True

    def decide(self, fam, dst, proto, port, src=None):
        f, a = parse_ip(dst)
        if f != fam:
            raise ReaderError('address %s is not IPv%d' % (dst, fam))
        if src is not None:
            src = parse_ip(src)[1]
        if not all(self.state.values()):
            return 'allow'      # a profile the firewall is off for
        own = {r.action for r in self.rules
               if self._match(r, fam, a, proto, port, src)}
        if 'deny' in own:
            return 'deny'
        if 'allow' in own:
            return 'allow'
        if self.default == 'no decision':
            return 'no decision'
        if any(self._match(r, fam, a, proto, port, src, own=False)
               for r in self.foreign):
            return 'allow'
        return self.default

    def rule_count(self):
        return len(self.rules)
