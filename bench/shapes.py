#!/usr/bin/python3
"""Write one of the shapes that once cost quadratic time, for make bench:
   vars N      a policy of N variables, each used once
   keys N      a policy whose networks: mapping has N keys (N networks)
   rules N     a policy of N rules with distinct names
   lock N      a lock of N hosts, in reverse order, and a policy naming them
               (the policy goes to stdout, the lock to the file argv[3])
Deterministic, so runs compare."""
import sys

shape, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
out.write("egressc: 1\nname: shape\ndefault: deny\n")
if shape == "vars":
    out.write("vars:\n")
    for i in range(n):
        out.write("  v%d: 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255,
                                          i & 255))
    out.write("rules:\n  - name: r\n    to:\n")
    for i in range(n):
        out.write("      - ${v%d}\n" % i)
    out.write("    ports: tcp/443\n")
elif shape == "keys":
    out.write("networks:\n")
    for i in range(n):
        out.write("  n%d: 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255,
                                          i & 255))
    out.write("rules:\n  - name: r\n    to: [n0, n%d]\n    ports: tcp/443\n"
              % (n - 1))
elif shape == "rules":
    out.write("rules:\n")
    for i in range(n):
        out.write("  - name: r%d\n    to: 10.%d.%d.%d\n    ports: tcp/443\n"
                  % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
elif shape == "lock":
    out.write("rules:\n  - name: r\n    to:\n")
    for i in range(n):
        out.write("      - h%d.example.com\n" % i)
    out.write("    ports: tcp/443\n")
    with open(sys.argv[3], "w") as lk:
        lk.write("egressc-lock: 1\nhosts:\n")
        for i in reversed(range(n)):
            lk.write("  h%d.example.com:\n    a: [10.%d.%d.%d]\n    ttl: 300\n"
                     % (i, i >> 16 & 255, i >> 8 & 255, i & 255))
else:
    sys.exit("shapes.py: unknown shape %s" % shape)
