"""packets.py - packets for the property tests (agree.t, inject.t): edge
addresses and ports taken from a policy's text, drawn with a seeded random
generator so a failure repeats."""

import ipaddress
import os
import re

PACKETS = int(os.environ.get('AGREE_PACKETS', '3000'))

ADDR = re.compile(r'(?<![\w:.])([0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*(?:/\d+)?)')
PORT = re.compile(r'\b(tcp|udp|sctp|icmp|icmpv6)/(\d+)(?:-(\d+))?')
CODE = re.compile(r'\bicmp(?:v6)?/[\w-]+/(\d+)(?:-(\d+))?')
OTHER = re.compile(r'\bproto/(\d+)')
# The IP protocols a policy names by word, and what IPv6 takes for an
# extension header (no IPv6 packet ends in one: egressc-policy(5)).
WORDS = {'gre': 47, 'esp': 50, 'ah': 51}
EXT6 = {0, 43, 44, 51, 59, 60}
# ICMP types a policy may name rather than number: every type nft and
# iptables name (egressc-policy(5), PORTS), drawn for every policy.
NAMED4 = [0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
NAMED6 = [1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137,
          138, 141, 142, 143]


def edges(text):
    """Edge addresses per family and edge numbers per protocol: ports,
    ICMP types and codes ('icmp-code'), other IP protocols ('other')."""
    addrs = {4: set(), 6: set()}
    for tok in ADDR.findall(text):
        try:
            net = ipaddress.ip_network(tok, strict=False)
        except ValueError:
            continue
        top = 2**net.max_prefixlen - 1
        lo, hi = int(net.network_address), int(net.broadcast_address)
        for a in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1):
            if 0 <= a <= top:
                addrs[net.version].add(a)
    nums = {'tcp': {0, 1, 53, 443, 65535}, 'udp': {0, 1, 53, 65535},
            'sctp': {0, 1, 9899, 65535},
            'icmp': set(NAMED4) | {255}, 'icmpv6': set(NAMED6) | {0, 255},
            'icmp-code': {0, 1, 2, 3, 4, 5, 13, 255},
            'other': {1, 4, 41, 47, 50, 51, 99, 132, 255}}

    def near(key, lo, hi, top):
        for x in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1):
            if 0 <= x <= top:
                nums[key].add(x)

    for proto, lo, hi in PORT.findall(text):
        near(proto, int(lo), int(hi or lo),
             255 if proto.startswith('icmp') else 65535)
    for lo, hi in CODE.findall(text):
        near('icmp-code', int(lo), int(hi or lo), 255)
    for n in OTHER.findall(text):
        near('other', int(n), int(n), 255)
    for w, n in WORDS.items():
        if re.search(r'\b%s\b' % w, text):
            near('other', n, n, 255)
    for f in (4, 6):
        addrs[f] = sorted(addrs[f])
        if not addrs[f]:
            addrs[f] = [1]
    return addrs, {k: sorted(v) for k, v in nums.items()}


def draw(rng, addrs, nums):
    """Packets (fam, dst, proto, port) and a source address for each, in
    the form readers' decide() takes (tests/readers/readers.py)."""
    pkts, srcs = [], []
    sources = {}
    for fam, bits in ((4, 32), (6, 128)):
        pool = sorted(set(rng.sample(addrs[fam], min(12, len(addrs[fam])))))
        pool.append(rng.getrandbits(bits))
        sources[fam] = [str(ipaddress.ip_address(a) if fam == 4 else
                            ipaddress.IPv6Address(a)) for a in pool]
    for i in range(PACKETS):
        fam = rng.choice((4, 6))
        bits = 32 if fam == 4 else 128
        icmp = 'icmp' if fam == 4 else 'icmpv6'
        proto = rng.choice(('tcp', 'udp', 'tcp', 'udp', icmp, icmp, 'sctp',
                            'other'))
        top = 255 if proto.startswith('icmp') else 65535
        if i % 2 == 0:
            # Anywhere, or near a policy address (so rules get hit).
            if rng.random() < 0.5:
                a = rng.getrandbits(bits)
            else:
                a = rng.choice(addrs[fam]) + rng.randint(-300, 300)
                a = min(max(a, 0), 2**bits - 1)
            p = rng.randint(0, top)
        else:
            a = rng.choice(addrs[fam])
            p = rng.choice(nums[proto])
        if proto.startswith('icmp'):
            # a message: (type, code)
            p = (p, rng.randint(0, 255) if rng.random() < 0.2 else
                 rng.choice(nums['icmp-code']))
        elif proto == 'other':
            # another IP protocol: its number, no port; sctp has ports
            proto = rng.choice([n for n in nums['other']
                                if fam == 4 or n not in EXT6])
            if proto in (1, 58):
                proto, p = icmp, (rng.choice(nums[icmp]), 0)
            elif proto in (6, 17, 132):
                proto = {6: 'tcp', 17: 'udp', 132: 'sctp'}[proto]
                p = rng.choice(nums[proto])
            else:
                p = None
        addr = str(ipaddress.ip_address(a) if fam == 4 else
                   ipaddress.IPv6Address(a))
        pkts.append((fam, addr, proto, p))
        srcs.append(rng.choice(sources[fam]))
    return pkts, srcs
