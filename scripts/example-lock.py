#!/usr/bin/python3
"""Write policies/heygen-livekit.example.lock: every host the shipped policy
expands to, with DOCUMENTATION addresses (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32), never real DNS answers.  It lets the shipped policy compile
on machines with no network (CI); `make run` warns loudly when it uses it.

Usage: scripts/example-lock.py > policies/heygen-livekit.example.lock
"""
import re
import sys

PROJECT = "heygen-feapbkvq"
STAMP = "2026-11-24T12:00:00Z"

def regions(path):
    text = open(path).read()
    m = re.search(r"^regions: \[(.*?)\]", text, re.S | re.M)
    return [r.strip() for r in m.group(1).split(",")]

def main():
    regs = regions("policies/catalogs/livekit-cloud.yaml")
    hosts = [PROJECT + ".livekit.cloud", PROJECT + ".turn.livekit.cloud"]
    hosts += ["%s.%s.production.livekit.cloud" % (PROJECT, r) for r in regs]
    hosts += ["%s.turn.livekit.cloud" % r for r in regs]
    addrs = {}
    for i, h in enumerate(hosts):
        addrs[h] = (["192.0.2.%d" % (i + 1)] if i < 250 else [],
                    ["2001:db8::%x" % (0x100 + i)])
    addrs["api.heygen.com"] = (["198.51.100.10", "198.51.100.11"],
                               ["2001:db8:1::10"])
    out = sys.stdout
    out.write("# EXAMPLE LOCK FILE: documentation addresses only (RFC 5737,\n"
              "# RFC 3849), not DNS answers.  It lets the shipped policy compile\n"
              "# without a network.  Written by scripts/example-lock.py; run\n"
              "# `egressc resolve` for a real heygen-livekit.lock.\n")
    out.write("egressc-lock: 1\nexample: true\nmade: %s\nhosts:\n" % STAMP)
    for h in sorted(addrs):
        a, aaaa = addrs[h]
        out.write("  %s:\n" % h)
        out.write("    a: [%s]\n" % ", ".join(a))
        out.write("    aaaa: [%s]\n" % ", ".join('"%s"' % x for x in aaaa))
        out.write("    ttl: 300\n")
        out.write("    first-seen: %s\n    last-seen: %s\n" % (STAMP, STAMP))

main()
