#!/usr/bin/python3
"""lint.t - the man pages are clean and complete: `mandoc -Tlint -W warning`
finds nothing in man/egressc.1 and man/egressc-policy.5; `man -l` renders
both with nothing on standard error; egressc.1 names every command and
option of the command-line contract and every option `egressc --help`
lists, and its explain example shows what egressc prints; egressc-policy.5 names every key the JSON Schemas in grammar/ know;
and each example policy in egressc-policy.5 is the shipped policy (its
comment lines aside) or a file of the schema corpus
(tests/schema/valid/man-*.yaml), so the examples are checked like any
fixture.  Without mandoc or man this skips; under CI=true it fails."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
os.chdir(ROOT)
EGRESSC = os.environ.get("EGRESSC", "./egressc")
PAGES = ["man/egressc.1", "man/egressc-policy.5"]

COMMANDS = ["compile", "check", "lint", "resolve", "explain", "probe",
            "catalog", "livekit", "apply", "verify", "import"]
OPTIONS = ["t", "o", "-tier", "-lock", "-stamp", "-resolve", "-strict",
           "-dns-server", "-timeout", "-tries", "-keep-going", "-keep-days",
           "-no-stamp", "-from", "-to", "-port", "-batch", "-project",
           "-regions", "-dry-run", "-netns", "-all", "-media-peer", "-defs",
           "-version", "-help"]
SECTIONS_1 = ["COMMANDS", "TARGETS", "IMPORT", "ENVIRONMENT", "FILES", "EXIT STATUS",
              "EXAMPLES", "DIAGNOSTICS", "SEE ALSO"]
TARGETS = ["nftables", "iptables", "pf", "netsh", "powershell", "cisco-ios",
           "cisco-asa"]


for tool in ("mandoc", "man"):
    if not shutil.which(tool):
        tap.bail("%s is not installed" % tool)

src = {p: open(p, encoding="utf-8").read() for p in PAGES}

for p in PAGES:
    r = subprocess.run(["mandoc", "-Tlint", "-W", "warning", p],
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    ok(r.returncode == 0 and not out.strip(),
       "mandoc -Tlint -W warning %s is clean" % p, out)
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="",
               LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "-l", p], capture_output=True, text=True,
                       env=env)
    ok(r.returncode == 0 and not r.stderr.strip() and "NAME" in r.stdout,
       "man -l %s renders with no complaint" % p,
       "exit %d\n%s" % (r.returncode, r.stderr))

man1 = src["man/egressc.1"]
for s in SECTIONS_1:
    ok(re.search(r"^\.Sh %s$" % re.escape(s), man1, re.M),
       "egressc.1 has a %s section" % s)
for c in COMMANDS:
    ok(re.search(r"^\.(It )?Cm (catalog )?%s\b" % c, man1, re.M),
       "egressc.1 documents the %s command" % c)
for o in OPTIONS:
    ok(re.search(r"\bFl %s\b" % re.escape(o), man1),
       "egressc.1 documents -%s" % o)
for t in TARGETS:
    ok(re.search(r"^\.Ss %s$" % t, man1, re.M),
       "egressc.1 has a TARGETS subsection for %s" % t)
for e in ("SOURCE_DATE_EPOCH", "EGRESSC_TEMPLATES"):
    ok(re.search(r"^\.It Ev %s$" % e, man1, re.M),
       "egressc.1 documents %s" % e)

# Every option the binary's --help shows is in the page.
if os.access(EGRESSC, os.X_OK):
    r = subprocess.run([EGRESSC, "--help"], capture_output=True, text=True)
    helpopts = sorted(set(re.findall(r"(?<![\w-])--([a-z][a-z-]*)",
                                     r.stdout + r.stderr)))
    ok(r.returncode == 0 and helpopts, "egressc --help lists options",
       r.stdout + r.stderr)
    missing = [o for o in helpopts if not re.search(r"\bFl -%s\b" %
                                                    re.escape(o), man1)]
    ok(not missing, "egressc.1 documents every option of egressc --help",
       "missing: " + " ".join("--" + o for o in missing))
else:
    ok(False, "egressc --help lists options", "%s is not built" % EGRESSC)

# The explain example of egressc.1 shows what egressc prints.
if os.access(EGRESSC, os.X_OK):
    lock = "policies/heygen-livekit.example.lock"
    pol = "policies/heygen-livekit.yaml"
    r1 = subprocess.run([EGRESSC, "explain", "--lock", lock, "--to",
                         "198.51.100.10", "--port", "tcp/443", pol],
                        capture_output=True, text=True)
    r2 = subprocess.run([EGRESSC, "explain", "--lock", lock, "--tier",
                         "minimum", "--batch", "-", pol],
                        input="198.51.100.7 udp/50000\n192.0.2.53 udp/53\n",
                        capture_output=True, text=True)
    got = r1.stdout + r2.stdout
    want = "\n".join(l for l in man1.splitlines()
                     if re.match(r"(allow|deny|reject) ", l)) + "\n"
    ok(r1.returncode == 0 and r2.returncode == 0 and got == want,
       "egressc.1's explain example prints what egressc prints",
       "egressc:\n%s%s\nthe page:\n%s" % (got, r1.stderr + r2.stderr, want))

# Every key of the schemas is in egressc-policy.5.
man5 = src["man/egressc-policy.5"]


def keys(schema, node, out):
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref.startswith("#/$defs/") and ref not in out["seen"]:
                out["seen"].add(ref)
                keys(schema, schema["$defs"][ref[8:]], out)
        for k, v in node.get("properties", {}).items():
            out["keys"].add(k)
            keys(schema, v, out)
        for k in ("items", "additionalProperties", "then", "if"):
            if isinstance(node.get(k), dict):
                keys(schema, node[k], out)
        for k in ("anyOf", "oneOf", "allOf"):
            for v in node.get(k, []):
                keys(schema, v, out)


for sf in sorted(glob.glob("grammar/*.schema.json")):
    schema = json.load(open(sf))
    out = {"keys": set(), "seen": set()}
    keys(schema, schema, out)
    missing = sorted(k for k in out["keys"]
                     if not re.search(r"\bIc %s\b|^\.It %s Ta" %
                                      (re.escape(k), re.escape(k)), man5, re.M))
    ok(not missing, "egressc-policy.5 names every key of %s" % sf,
       "missing: " + " ".join(missing))

# The example policies of egressc-policy.5 are the shipped policy (without
# its comment lines) or schema fixtures.
blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", man5, re.M | re.S)
examples = [b.replace("\\e", "\\") for b in blocks
            if b.startswith("egressc: 1\n")]
ok(examples, "egressc-policy.5 has example policies")
fixtures = {}
for f in sorted(glob.glob("policies/*.yaml")):
    text = open(f, encoding="utf-8").read()
    fixtures[f] = "".join(l for l in text.splitlines(True)
                          if l.strip() and not l.lstrip().startswith("#"))
for f in sorted(glob.glob("tests/schema/valid/man-*.yaml")):
    text = open(f, encoding="utf-8").read()
    fixtures[f] = re.sub(r"\A(#[^\n]*\n)+", "", text)
for i, ex in enumerate(examples):
    name = re.search(r"^name: (\S+)", ex, re.M)
    name = name.group(1) if name else "#%d" % i
    hit = [f for f, t in fixtures.items() if t == ex]
    ok(hit, "example policy %s of egressc-policy.5 is %s" %
       (name, hit[0] if hit else "a shipped policy or fixture"),
       "neither policies/*.yaml nor tests/schema/valid/man-*.yaml holds it "
       "(after their comment lines)")

sys.exit(tap.done())
