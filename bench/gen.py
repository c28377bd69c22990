#!/usr/bin/python3
"""Write a benchmark policy: N rules x 10 destinations each (one in five
IPv6), mixed tcp/udp, single ports and ranges.  Deterministic (fixed seed),
so runs compare."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
rnd = random.Random(2026)
out = sys.stdout
out.write("egressc: 1\nname: bench\ndefault: deny\nrules:\n")
for i in range(n):
    dsts = []
    for j in range(10):
        if rnd.random() < 0.2:
            dsts.append('"2001:db8:%x:%x::/64"' % (rnd.randrange(65536),
                                                  rnd.randrange(65536)))
        else:
            dsts.append("%d.%d.%d.%d/%d" % (rnd.randrange(1, 224),
                        rnd.randrange(256), rnd.randrange(256), 0,
                        rnd.choice((24, 28, 32))))
    ports = []
    for j in range(rnd.randrange(1, 4)):
        proto = rnd.choice(("tcp", "udp"))
        lo = rnd.randrange(1, 60000)
        if rnd.random() < 0.3:
            ports.append("%s/%d-%d" % (proto, lo, lo + rnd.randrange(1, 500)))
        else:
            ports.append("%s/%d" % (proto, lo))
    out.write("  - name: r%d\n    to: [%s]\n    ports: [%s]\n"
              "    comment: benchmark rule %d\n"
              % (i, ", ".join(dsts), ", ".join(ports), i))
