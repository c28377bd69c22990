#!/usr/bin/python3
# wildcards.t - wildcards: and catalogs through `egressc compile`: the
# shipped policy's wildcards expand to the catalog's hosts and ranges with
# the wildcard named in each rule's comment; forbid, a zone no catalog
# lists, unlisted: any / omit / error, a stale checked: and catalog
# mistakes give their exact FILE:LINE:COL lines, and a failed compile
# writes no file.
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
EGRESSC = os.environ.get("EGRESSC") or os.path.join(ROOT, "egressc")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795737600")  # 2026-11-27

def run(args, cwd=ROOT, env=ENV):
    p = subprocess.run([EGRESSC] + args, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def diag_lines(err, kind):
    return [l for l in err.splitlines() if (": %s: " % kind) in l]


# The shipped policy and catalog, with the example lock.
lock = "policies/heygen-livekit.example.lock"
rc, out, err = run(["compile", "-t", "nftables", "--lock", lock,
                    "policies/heygen-livekit.yaml"])
ok(rc == 0 and err == "", "the shipped policy compiles silently", rc, err)
for wild in ("*.livekit.cloud", "*.turn.livekit.cloud",
             "*.host.livekit.cloud"):
    ok("(from %s)\"" % wild in out, "comments name %s" % wild, out)
udp = [l for l in out.splitlines() if "udp dport 3478" in l]
ok(len(udp) == 1 and "143.223.88.0/21, 153.57.128.0/18, 161.115.160.0/19"
   in udp[0], "*.host.livekit.cloud: LiveKit's three static ranges", udp)

# Stale checked: (2026-11-24 + 181 days = 2027-05-24): a warning on every
# compile, at checked:, and still exit 0.
stale = dict(ENV, SOURCE_DATE_EPOCH="1811116800")
for i in (1, 2):
    rc, out, err = run(["compile", "-t", "nftables", "--lock", lock,
                        "policies/heygen-livekit.yaml"], env=stale)
    w = diag_lines(err, "warning")
    ok(rc == 0 and w == [
        "policies/catalogs/livekit-cloud.yaml:18:10: warning: catalog "
        "livekit-cloud was last checked against its source 181 days ago "
        "(2026-11-24, more than 180): compare it with "
        "https://docs.livekit.io/home/cloud/firewall/ and update checked:"],
       "stale checked: warns at checked: (compile %d)" % i, rc, err)
rc, out, err = run(["compile", "-t", "nftables", "--lock", lock,
                    "policies/heygen-livekit.yaml"],
                   env=dict(ENV, SOURCE_DATE_EPOCH="1811030400"))
ok(rc == 0 and err == "", "180 days: no warning", err)

# Policies of our own in a scratch directory.
tmp = tempfile.mkdtemp(prefix="egressc-wild-")
CATALOG = """egressc-catalog: 1
name: test
source: https://example.com/hosts
checked: 2026-11-01
regions: [east, west]
zones:
  "*.svc.example.com":
    hosts: ["${region}.svc.example.com", "api.svc.example.com"]
  "*.any.example.com":
    unlisted: any
  "*.omit.example.com":
    unlisted: omit
  "*.empty.example.com":
    unlisted: error
"""
LOCK = """egressc-lock: 1
hosts:
  api.svc.example.com:
    a: [203.0.113.1]
  east.svc.example.com:
    a: [203.0.113.2]
  west.svc.example.com:
    a: [203.0.113.3]
"""


def write(name, text):
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)


def policy(mode, to, name="p.yaml", catalog="cat.yaml"):
    write(name, """egressc: 1
name: t
include: [%s]
wildcards: %s
rules:
  - name: r
    to: [%s]
    ports: [tcp/443]
    comment: c
""" % (catalog, mode, to))
    return name


def compile_(pol, outdir=None):
    args = ["compile", "-t", "nftables", "--lock", "p.lock"]
    if outdir:
        args += ["-o", outdir]
    return run(args + [pol], cwd=tmp)


write("cat.yaml", CATALOG)
write("p.lock", LOCK)

rc, out, err = compile_(policy("expand", '"*.svc.example.com"'))
ok(rc == 0 and err == "", "expand: compiles", rc, err)
# The expanded hosts are names: their addresses are the rule's floor set.
ok("elements = { 203.0.113.1, 203.0.113.2/31 }" in out and
   "ip daddr @r_f4 tcp dport 443 accept "
   "comment \"r: c (from *.svc.example.com)\"" in out,
   "expand: ${region} over both regions, plus the plain host", out)

rc, out, err = compile_(policy("forbid", '"*.svc.example.com"'))
# The front end or the expand pass may say it first: both at the name.
first = err.splitlines()[0] if err else ""
ok(rc == 2 and first.startswith("p.yaml:7:10: error: ") and
   "forbid" in first, "forbid: an error at the wildcard", rc, err)

rc, out, err = compile_(policy("expand", '"*.example.net"'))
ok(rc == 2 and err.splitlines()[0] ==
   "p.yaml:7:10: error: rule r: no catalog lists zone *.example.net "
   "(include a catalog that does, list the hosts instead, or set "
   "wildcards: native)", "a zone no catalog lists: an error naming it",
   rc, err)

rc, out, err = compile_(policy("expand", '"*.x.any.example.com"'))
ok(rc == 0 and diag_lines(err, "warning") == [
    "p.yaml:7:10: warning: rule r: zone *.any.example.com (catalog test) "
    "is unlisted: any: this rule is open to every address"],
   "unlisted: any warns, naming the zone", rc, err)
ok("\t\ttcp dport 443 accept comment \"r: c (from *.x.any.example.com)\""
   in out, "unlisted: any: the rule's ports open to any address", out)

rc, out, err = compile_(policy("expand",
                               '"*.omit.example.com", "*.svc.example.com"'))
ok(rc == 0 and diag_lines(err, "warning") == [
    "p.yaml:7:10: warning: rule r: names of zone *.omit.example.com that "
    "catalog test does not list are left out (unlisted: omit); it lists "
    "none, so the wildcard is dropped"],
   "unlisted: omit warns, naming the zone", rc, err)
ok("203.0.113.2/31" in out, "unlisted: omit keeps the other destinations",
   out)

outdir = os.path.join(tmp, "out")
os.mkdir(outdir)
rc, out, err = compile_(policy("expand", '"*.empty.example.com"'), outdir)
ok(rc == 2 and err.splitlines()[0] ==
   "p.yaml:7:10: error: rule r: catalog test lists no hosts or cidrs for "
   "zone *.empty.example.com (the catalog may say unlisted: any or omit)",
   "unlisted: error on an empty zone names the zone and the rule", rc, err)
ok(os.listdir(outdir) == [], "a failed compile writes no file")

# Catalog mistakes, through include:.
bad_catalogs = [
    ("zones:", "zones:\n  \"*.svc.example.com\":\n    hosts: [api.other.example]\n",
     "bad.yaml:8:13: error: host api.other.example is not under zone "
     "*.svc.example.com"),
    ("zones:", "zones:\n  \"svc.example.com\":\n    hosts: [a.svc.example.com]\n",
     "bad.yaml:7:3: error: zone \"svc.example.com\": a wildcard must start "
     "with \"*.\""),
    ("zones:", "zones:\n  \"*.svc.example.com\":\n    unlisted: sometimes\n",
     "bad.yaml:8:15: error: unlisted: \"sometimes\" is not error, any or "
     "omit"),
    ("checked: 2026-11-01", "checked: 2026-13-01",
     "bad.yaml:4:10: error: checked: \"2026-13-01\" is not a date "
     "YYYY-MM-DD"),
    ("regions: [east, west]", "regions: [east, West]",
     "bad.yaml:5:17: error: region \"West\": a region code is lower-case "
     "letters and digits"),
]
for anchor, repl, want in bad_catalogs:
    text = CATALOG[:CATALOG.index(anchor)] + repl
    write("bad.yaml", text)
    rc, out, err = compile_(policy("expand", '"*.svc.example.com"',
                                   catalog="bad.yaml"), outdir)
    ok(rc == 2 and want in err.splitlines(), "catalog error: " + want,
       rc, err)
ok(os.listdir(outdir) == [], "still no file written")

for root, dirs, files in os.walk(tmp, topdown=False):
    for name in files:
        os.unlink(os.path.join(root, name))
    for name in dirs:
        os.rmdir(os.path.join(root, name))
os.rmdir(tmp)
sys.exit(tap.done())
