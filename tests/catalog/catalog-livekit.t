#!/usr/bin/python3
# catalog-livekit.t - `egressc catalog livekit` through the command line:
# the catalog written from a saved /settings/regions JSON is byte for byte
# tests/catalog/livekit-expected.yaml (stdout and -o), and malformed JSON
# gives FILE:LINE:COL errors, exit 2 and no output file (an older file at
# the -o path is left alone).  A --source that is not UTF-8 or holds a
# control character is refused the same way: the catalog written must be
# one egressc reads back.
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
PROJECT = "heygen-feapbkvq"
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795737600")  # 2026-11-27

def run(*args, cwd=None):
    p = subprocess.run([EGRESSC] + list(args), cwd=cwd, env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def catalog(regions, *extra, cwd=None):
    return run("catalog", "livekit", "--project", PROJECT,
               "--regions", regions, *extra, cwd=cwd)


with open(os.path.join(HERE, "livekit-expected.yaml")) as f:
    want = f.read()
fixture = os.path.join(HERE, "regions.json")

rc, out, err = catalog(fixture)
ok(rc == 0 and err == "", "catalog livekit exits 0 silently", rc, err)
ok(out == want, "stdout is livekit-expected.yaml byte for byte", out)

tmp = tempfile.mkdtemp(prefix="egressc-catalog-")
dest = os.path.join(tmp, "livekit-cloud.yaml")
rc, out, err = catalog(fixture, "-o", dest)
ok(rc == 0 and out == "", "-o FILE writes nothing to stdout", rc, out, err)
ok(os.path.exists(dest) and open(dest).read() == want,
   "-o FILE holds livekit-expected.yaml byte for byte")
rc2, out2, _ = catalog(fixture)
ok(out2 == out or out2 == want, "a second run gives the same bytes")

# Region order in the JSON does not matter: it depends on the client.
shuffled = os.path.join(tmp, "shuffled.json")
with open(shuffled, "w") as f:
    f.write('{"regions": [\n'
            ' {"region": "osingapore1a", "url": "https://%(p)s.osingapore1a.production.livekit.cloud", "distance": "1"},\n'
            ' {"region": "ofrankfurt1a", "url": "https://%(p)s.ofrankfurt1a.production.livekit.cloud", "distance": "2"},\n'
            ' {"region": "oashburn1b", "url": "https://%(p)s.oashburn1b.production.livekit.cloud", "distance": "3"},\n'
            ' {"region": "odubai1b", "url": "https://%(p)s.odubai1b.production.livekit.cloud", "distance": "4"},\n'
            ' {"region": "omumbai1a", "url": "https://%(p)s.omumbai1a.production.livekit.cloud", "distance": "5"}\n'
            ']}\n' % {"p": PROJECT})
rc, out, err = catalog(shuffled)
ok(rc == 0 and out == want, "another order of the same regions: same bytes",
   err)

# The written catalog is one egressc reads: compile the shipped policy
# with it in place of the shipped catalog (example lock: it holds every
# host of the 43 regions).
pol = os.path.join(tmp, "pol")
os.makedirs(os.path.join(pol, "catalogs"))
with open(os.path.join(ROOT, "policies", "heygen-livekit.yaml")) as f:
    policy = f.read()
with open(os.path.join(pol, "heygen-livekit.yaml"), "w") as f:
    f.write(policy)
rc, out, err = catalog(fixture, "-o", os.path.join(pol, "catalogs",
                                                   "livekit-cloud.yaml"))
lock = os.path.join(ROOT, "policies", "heygen-livekit.example.lock")
rc, out, err = run("compile", "-t", "nftables", "--lock", lock,
                   "heygen-livekit.yaml", cwd=pol)
ok(rc == 0, "the shipped policy compiles with the written catalog", err)
# The rule has host names: one line for its floor set, one for its
# dynamic set, per family.
sig = [l for l in out.splitlines()
       if "ip daddr" in l and "livekit-signaling" in l]
ok(len(sig) == 2 and "@livekit-signaling_f4" in sig[0] and
   "@livekit-signaling_d4" in sig[1], "one IPv4 signalling line per set",
   out)


def lock_addr(host):
    """The first a: address of host in the example lock."""
    with open(lock) as f:
        lines = f.read().splitlines()
    i = lines.index("  %s:" % host)
    return lines[i + 1].split("[")[1].split(",")[0].split("]")[0]


def explain(addr):
    rc, out, err = run("explain", "--lock", lock, "--to", addr,
                       "--port", "tcp/443", "heygen-livekit.yaml", cwd=pol)
    return out.split(" ")[0:2]


mumbai = lock_addr(PROJECT + ".omumbai1a.production.livekit.cloud")
sfo = lock_addr(PROJECT + ".sfo3.production.livekit.cloud")
got = explain(mumbai)
ok(got == ["allow", "livekit-signaling"],
   "a region in the list is allowed (%s)" % mumbai, got)
got = explain(sfo)
ok(got[0] == "deny", "a region only the shipped catalog has is not (%s)"
   % sfo, got)

# --source is text in the catalog: UTF-8 without control characters.
for bad, why in ((b"https://x.example/\xff", "not UTF-8 text (byte 19)"),
                 (b"https://x.example/\x01", "a control character (byte 19"),
                 (b"https://x.example/\nzones: {}", "a control character"),
                 (b"https://x.example/\xed\xa0\x80", "not UTF-8")):
    out_path = os.path.join(tmp, "src.yaml")
    p = subprocess.run([os.fsencode(EGRESSC), b"catalog", b"livekit",
                        b"--project", PROJECT.encode(), b"--regions",
                        os.fsencode(fixture), b"--source", bad, b"-o",
                        os.fsencode(out_path)], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    ok(p.returncode == 2 and "--source: " + why in err and
       not os.path.exists(out_path), "--source %r: exit 2, no catalog"
       % bad, p.returncode, err)
rc, out, err = catalog(fixture, "--source", "https://x.example/r\u00e9gions",
                       "-o", os.path.join(pol, "catalogs",
                                          "livekit-cloud.yaml"))
ok(rc == 0, "--source with UTF-8 text is written", err)
rc, out, err = run("compile", "-t", "nftables", "--lock", lock,
                   "heygen-livekit.yaml", cwd=pol)
ok(rc == 0, "...and the catalog reads back", err)

# Malformed region lists: each gives its error line, exit 2, no file.
bads = [
    ("truncated.json",
     '{"regions": [{"region": "omumbai1a",\n'
     '  "url": "https://%s.omumbai1a.production.livekit.cloud"' % PROJECT,
     "truncated.json:3:1: error:"),
    ("notjson.json", '{"regions": [1, 2,]]}\n', "notjson.json:1:"),
    ("array.json", "[]\n", "array.json:1:1: error:"),
    ("noregions.json", '{"region": []}\n',
     'noregions.json:1:1: error: no "regions": expected the JSON of GET '
     "https://%s.livekit.cloud/settings/regions" % PROJECT),
    ("empty.json", '{"regions": []}\n',
     "empty.json:1:13: error: the region list is empty"),
    ("badcode.json",
     '{"regions": [\n {"region": "o-mumbai", "url": "https://x.y"}]}\n',
     'badcode.json:2:13: error: region "o-mumbai": a region code is '
     "lower-case letters and digits"),
    ("nourl.json", '{"regions": [\n {"region": "omumbai1a"}]}\n',
     'nourl.json:2:2: error: region omumbai1a has no "url"'),
    ("http.json",
     '{"regions": [\n {"region": "omumbai1a",\n'
     '  "url": "http://%s.omumbai1a.production.livekit.cloud"}]}\n' % PROJECT,
     'http.json:3:10: error: url "http://%s.omumbai1a.production.livekit.'
     'cloud" is not https://HOST' % PROJECT),
    ("elsewhere.json",
     '{"regions": [\n {"region": "omumbai1a",\n'
     '  "url": "https://omumbai1a.livekit.cloud.evil.example"}]}\n',
     "elsewhere.json:3:10: error: url host "
     "omumbai1a.livekit.cloud.evil.example is not "
     "%s.omumbai1a.production.livekit.cloud: LiveKit's layout has changed "
     "or the list is another project's" % PROJECT),
    ("other.json",
     '{"regions": [\n {"region": "omumbai1a",\n'
     '  "url": "https://someone-else.omumbai1a.production.livekit.cloud"}]}\n',
     "other.json:3:10: error: url host "
     "someone-else.omumbai1a.production.livekit.cloud is not"),
]
for name, text, first in bads:
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    out_file = os.path.join(tmp, name + ".yaml")
    with open(out_file, "w") as f:
        f.write("older\n")
    rc, out, err = catalog(name, "-o", name + ".yaml", cwd=tmp)
    line = err.splitlines()[0] if err else ""
    ok(rc == 2 and line.startswith(first) and out == "",
       "%s: exit 2, %s" % (name, first), rc, err)
    ok(open(out_file).read() == "older\n", "%s: -o file untouched" % name)

rc, out, err = catalog("missing.json", cwd=tmp)
ok(rc == 2 and "missing.json" in err, "a missing file: exit 2", rc, err)
rc, out, err = run("catalog", "livekit", "--project", "Not.A.Project",
                   "--regions", fixture)
ok(rc == 2 and "--project Not.A.Project: not a LiveKit project name" in err,
   "a bad --project: exit 2", rc, err)

for root, dirs, files in os.walk(tmp, topdown=False):
    for name in files:
        os.unlink(os.path.join(root, name))
    for name in dirs:
        os.rmdir(os.path.join(root, name))
os.rmdir(tmp)
sys.exit(tap.done())
