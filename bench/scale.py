#!/usr/bin/python3
"""The scaling table of `make bench`: for each policy size, wall time and
peak RSS of egressc's commands, beside the libyaml floor, all measured in
the same run.

Each figure is the median of several runs (the machine is shared: one run
is noise); peak RSS is the largest of them.  A command past its time or
memory cap is cut and shown as such, so that a slow build cannot take the
machine down with it.  With BENCH_BASE=EGRESSC, every measurement also
runs that binary, alternating run by run, and a second row per size gives
its figures: both see the same load.  For the same reason the floor is
run in turn with explain, and the growth from 2,000 to 16,000 rules is
taken from runs of the two sizes in turn, not from the rows.

usage: scale.py RUNIT EGRESSC YAMLFLOOR WORKDIR [SIZES...]
"""
import os
import statistics
import subprocess
import sys

RUNIT, EG, FLOOR, WORK = sys.argv[1:5]
SIZES = [int(x) for x in sys.argv[5:]] or [1000, 2000, 4000, 8000, 16000]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
CAP_S = float(os.environ.get("BENCH_CAP_S", "60"))
CAP_MB = int(os.environ.get("BENCH_CAP_MB", "4096"))
BASE = os.environ.get("BENCH_BASE")
TARGETS = ["nftables", "iptables", "pf", "netsh", "powershell",
           "cisco-ios", "cisco-asa", "dnsmasq"]


def once(argv):
    """(ms, peak KiB, ok, cpu ms) of one run, timed by runit."""
    r = subprocess.run([RUNIT, str(int(CAP_S)), str(CAP_MB)] + argv,
                       stdout=subprocess.PIPE, text=True, check=True)
    ms, kb, st, cpu = r.stdout.split()
    return float(ms), int(kb), st in ("0", "1"), float(cpu)


class Figure:
    """Runs of one command: median wall and CPU ms, peak RSS."""

    def __init__(self):
        self.ms, self.cpu, self.rss, self.ok = [], [], 0, True

    def add(self, r):
        ms, kb, ok, cpu = r
        self.rss = max(self.rss, kb)
        self.ok = self.ok and ok
        self.ms.append(ms)
        self.cpu.append(cpu)

    def med(self):
        return statistics.median(self.ms) if self.ok and self.ms else None

    def medcpu(self):
        return statistics.median(self.cpu) if self.ok and self.cpu else None


def measure(argvs, settle=False):
    """One Figure per argv (the binaries under test), their runs taken in
    turn.  The first run warms the page cache; a command slower than 2 s
    is measured by that run alone.  settle: the files the last run wrote
    are on disk before the next starts (sync, not timed), so that a
    small run does not pay for the writeback of a large one before it."""
    figs = [Figure() for _ in argvs]
    slow = False
    for f, a in zip(figs, argvs):
        r = once(a)
        f.add(r)
        slow = slow or not r[2] or r[0] > 2000
    if slow:
        return figs
    for f in figs:
        f.ms, f.cpu = [], []
    for i in range(RUNS):
        for f, a in zip(figs, argvs):
            if settle:
                os.sync()
            f.add(once(a))
    return figs


def fmt(ms):
    if ms is None:
        return "cut"
    return "%.1f" % ms if ms < 100 else "%.0f" % ms


def main():
    egs = [EG] + ([BASE] if BASE else [])
    names = ["", "(base)"] if BASE else [""]
    rows = {}
    hdr = ("rules", "all ms", "cpu ms", "RSS MiB", "1-tgt ms", "(slowest)",
           "lint ms", "explain", "parse", "floor", "x floor")
    print("%10s %8s %8s %8s %9s %-11s %8s %8s %7s %6s %7s" % hdr)
    for n in SIZES:
        pol = os.path.join(WORK, "b%d.yaml" % n)
        with open(pol, "w") as f:
            subprocess.run(["/usr/bin/python3",
                            os.path.join(os.path.dirname(__file__), "gen.py"),
                            str(n)], stdout=f, check=True)
        out = os.path.join(WORK, "out%d" % n)

        def cmd(args):
            return [[e] + args for e in egs]
        alls = measure(cmd(["compile", "-t", "all", "-o", out, pol]))
        one = [(0.0, "-") for _ in egs]
        for t in TARGETS:
            for k, f in enumerate(measure(cmd(["compile", "-t", t, "-o",
                                               out + t, pol]))):
                ms = f.med()
                if one[k][0] is not None and (ms is None or
                                              ms > one[k][0]):
                    one[k] = (ms, t)
        lint = measure(cmd(["lint", pol]))
        # The floor in turn with explain, run for run: the machine's
        # speed moves by a third from one minute to the next, and a ratio
        # of figures taken minutes apart measured that.
        ex = measure(cmd(["explain", "--to", "192.0.2.1", "--port",
                          "tcp/443", pol]) + [[FLOOR, pol]])
        floor = ex.pop().med()
        parse = measure(cmd(["completion", "tiers", pol]))
        for k in range(len(egs)):
            e = ex[k].med()
            ratio = "%.1f" % (e / floor) if e and floor else "-"
            rows[(n, k)] = (alls[k].med(), alls[k].rss)
            print("%10s %8s %8s %8.1f %9s %-11s %8s %8s %7s %6s %7s" % (
                str(n) + (" base" if names[k] else ""), fmt(alls[k].med()),
                fmt(alls[k].medcpu()), alls[k].rss / 1024, fmt(one[k][0]),
                one[k][1], fmt(lint[k].med()), fmt(e), fmt(parse[k].med()),
                fmt(floor), ratio), flush=True)
    # The growth, from runs of the two sizes taken in turn (the rows
    # above are minutes apart).
    pair = None
    if 2000 in SIZES and 16000 in SIZES:
        pair = measure([[e, "compile", "-t", "all", "-o",
                         os.path.join(WORK, "out%d" % n),
                         os.path.join(WORK, "b%d.yaml" % n)]
                        for e in egs for n in (2000, 16000)], settle=True)
    for k in range(len(egs)):
        a, b = rows.get((2000, k)), rows.get((16000, k))
        if a and b and a[0] and b[0]:
            t = b[0] / a[0]
            if pair and pair[2 * k].med() and pair[2 * k + 1].med():
                t = pair[2 * k + 1].med() / pair[2 * k].med()
            print("16k / 2k%s: time x%.1f (goal <= 8.5; the two taken in "
                  "turn), RSS x%.1f (rules x8)" % (
                      names[k] and " " + names[k], t, b[1] / a[1]))
    print("goals: 2k all targets <= 50 ms and <= 24 MiB; 16k one target "
          "< 1000 ms; lint 16k <= 1000 ms; explain <= 3 x floor")
    print("(cpu: user + system of all targets; parse: `completion tiers`, "
          "the front end's parser alone; explain: the front end and shared "
          "passes; cut: past the cap, or the command failed)")


main()
