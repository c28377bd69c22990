#!/usr/bin/python3
"""The scaling table of `make bench`: for each policy size, wall time and
peak RSS of egressc's commands, beside the libyaml floor, all measured in
the same run.

Each figure is the median of several runs (the machine is shared: one run
is noise); peak RSS is the largest of them.  A command past its time or
memory cap is cut and shown as such, so that a slow build cannot take the
machine down with it.

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
TARGETS = ["nftables", "iptables", "pf", "netsh", "powershell",
           "cisco-ios", "cisco-asa"]


def once(argv):
    """(ms, peak KiB, ok) of one run, timed by runit."""
    r = subprocess.run([RUNIT, str(int(CAP_S)), str(CAP_MB)] + argv,
                       stdout=subprocess.PIPE, text=True, check=True)
    ms, kb, st = r.stdout.split()
    return float(ms), int(kb), st in ("0", "1")


def measure(argv):
    """(median ms or None when cut, peak KiB).  The first run warms the
    page cache; a command slower than 2 s is measured by it alone."""
    ms, rss, ok = once(argv)
    if not ok or ms > 2000:
        return (ms if ok else None), rss
    times = []
    for i in range(RUNS):
        ms, kb, ok = once(argv)
        rss = max(rss, kb)
        if not ok:
            return None, rss
        times.append(ms)
    return statistics.median(times), rss


def fmt(ms):
    if ms is None:
        return "cut"
    return "%.1f" % ms if ms < 100 else "%.0f" % ms


def main():
    rows = []
    hdr = ("rules", "all ms", "RSS MiB", "1-tgt ms", "(slowest)", "lint ms",
           "explain", "parse", "floor", "x floor")
    print("%6s %8s %8s %9s %-11s %8s %8s %7s %6s %7s" % hdr)
    for n in SIZES:
        pol = os.path.join(WORK, "b%d.yaml" % n)
        with open(pol, "w") as f:
            subprocess.run(["/usr/bin/python3",
                            os.path.join(os.path.dirname(__file__), "gen.py"),
                            str(n)], stdout=f, check=True)
        out = os.path.join(WORK, "out%d" % n)
        all_ms, rss = measure([EG, "compile", "-t", "all", "-o", out, pol])
        one, slow = 0.0, "-"
        for t in TARGETS:
            ms, _ = measure([EG, "compile", "-t", t, "-o", out + t, pol])
            if ms is None or ms > one:
                one, slow = ms, t
            if ms is None:
                break
        lint_ms, _ = measure([EG, "lint", pol])
        ex_ms, _ = measure([EG, "explain", "--to", "192.0.2.1", "--port",
                            "tcp/443", pol])
        parse_ms, _ = measure([EG, "completion", "tiers", pol])
        floor_ms, _ = measure([FLOOR, pol])
        ratio = "%.1f" % (ex_ms / floor_ms) if ex_ms and floor_ms else "-"
        rows.append((n, all_ms, rss, one, lint_ms, ex_ms))
        print("%6d %8s %8.1f %9s %-11s %8s %8s %7s %6s %7s" % (
            n, fmt(all_ms), rss / 1024, fmt(one), slow, fmt(lint_ms),
            fmt(ex_ms), fmt(parse_ms), fmt(floor_ms), ratio), flush=True)
    by = {r[0]: r for r in rows}
    if 2000 in by and 16000 in by and by[2000][1] and by[16000][1]:
        a, b = by[2000], by[16000]
        print("16k / 2k: time x%.1f (goal <= 8.5), RSS x%.1f (rules x8)"
              % (b[1] / a[1], b[2] / a[2]))
    print("goals: 2k all targets <= 50 ms and <= 24 MiB; 16k one target "
          "< 1000 ms; lint 16k <= 1000 ms; explain <= 3 x floor")
    print("(parse: `completion tiers`, the front end's parser alone; "
          "explain: front end and shared passes)")


main()
