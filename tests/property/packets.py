"""packets.py - packets for the property tests (agree.t, inject.t): edge
addresses and ports taken from a policy's text, drawn with a seeded random
generator so a failure repeats."""

import ipaddress
import os
import re

PACKETS = int(os.environ.get('AGREE_PACKETS', '3000'))

ADDR = re.compile(r'(?<![\w:.])([0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*(?:/\d+)?)')
PORT = re.compile(r'\b(tcp|udp|icmp|icmpv6)/(\d+)(?:-(\d+))?')


def edges(text):
    """Edge addresses per family and edge numbers per protocol."""
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
            'icmp': {0, 8, 255}, 'icmpv6': {0, 128, 255}}
    for proto, lo, hi in PORT.findall(text):
        top = 255 if proto.startswith('icmp') else 65535
        lo = int(lo)
        hi = int(hi) if hi else lo
        for x in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1):
            if 0 <= x <= top:
                nums[proto].add(x)
    for f in (4, 6):
        addrs[f] = sorted(addrs[f])
        if not addrs[f]:
            addrs[f] = [1]
    return addrs, {k: sorted(v) for k, v in nums.items()}


def draw(rng, addrs, nums):
    """Packets (fam, dst, proto, port) and a source address for each."""
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
        proto = rng.choice(('tcp', 'udp', 'tcp', 'udp',
                            'icmp' if fam == 4 else 'icmpv6'))
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
        addr = str(ipaddress.ip_address(a) if fam == 4 else
                   ipaddress.IPv6Address(a))
        pkts.append((fam, addr, proto, p))
        srcs.append(rng.choice(sources[fam]))
    return pkts, srcs
