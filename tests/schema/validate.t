#!/usr/bin/python3
"""validate.t - the JSON Schemas in grammar/ hold the shipped files and the
fixture corpus: every policy in policies/ (not catalogs/, not .lock), the
test policies in tests/policies/ and every tests/schema/valid/*.yaml
validates against grammar/policy.schema.json
with a real validator (ajv-cli, draft 2020-12); every
tests/schema/invalid/*.yaml fails, and fails where its "# expect: PATH
[KEYWORD]" line says (a JSON pointer into the document), so a fixture cannot
pass by failing for some other reason.  Catalogs and lock files the same
against catalog.schema.json and lock.schema.json when those exist.

Without node or the npm tools (tests/lib/npm.sh installs them) this skips;
under CI=true it fails instead."""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
os.chdir(ROOT)
AJV = os.path.join(ROOT, "tests", "node_modules", ".bin", "ajv")


def which(cmd):
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d, cmd)
        if os.access(p, os.X_OK):
            return p
    return None


if not which("node"):
    tap.bail("node is not installed")
if not os.access(AJV, os.X_OK) or not os.path.isdir("tests/node_modules/yaml"):
    tap.bail("node_modules lacks ajv-cli or yaml: run sh tests/lib/npm.sh")

# (schema, files expected valid, files expected invalid)
SUITES = [
    ("grammar/policy.schema.json",
     sorted(f for f in glob.glob("policies/**/*.y*ml", recursive=True)
            if not f.startswith("policies/catalogs/"))
     + sorted(glob.glob("tests/policies/*.yaml"))
     + sorted(glob.glob("tests/schema/valid/*.yaml")),
     sorted(glob.glob("tests/schema/invalid/*.yaml"))),
    ("grammar/catalog.schema.json",
     sorted(glob.glob("policies/catalogs/*.y*ml"))
     + sorted(glob.glob("tests/schema/valid/catalogs/*.yaml"))
     + sorted(glob.glob("tests/schema/catalog/valid/*.yaml")),
     sorted(glob.glob("tests/schema/catalog/invalid/*.yaml"))),
    ("grammar/lock.schema.json",
     sorted(glob.glob("policies/**/*.lock", recursive=True))
     + sorted(glob.glob("tests/schema/valid/*.lock"))
     + sorted(glob.glob("tests/schema/lock/valid/*.lock"))
     + sorted(glob.glob("tests/resolve/*.lock.expected")),
     sorted(glob.glob("tests/schema/lock/invalid/*.lock"))),
]
# Symbolic links in the corpus point into policies/, checked there already.
SUITES = [(s, [f for f in v if not os.path.islink(f)],
           [f for f in i if not os.path.islink(f)])
          for s, v, i in SUITES if os.path.exists(s)]


def expectation(path):
    """The "# expect: PATH [KEYWORD]" line of an invalid fixture."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"#\s*expect:\s*(\S*)(?:\s+(\S+))?", line)
            if m:
                return m.group(1) if m.group(1) != "/" else "", m.group(2)
    return None


def run_suite(schema, valid, invalid):
    r = subprocess.run([AJV, "compile", "--spec=draft2020", "--strict=true",
                        "-s", schema], capture_output=True, text=True)
    ok(r.returncode == 0, "%s compiles in strict mode" % schema,
       r.stdout + r.stderr)
    files = valid + invalid
    if not files:
        return
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["node", "tests/schema/yaml2json.js", tmp] + files,
                           capture_output=True, text=True)
        parse_err = {}
        for line in r.stdout.splitlines():
            i, _, msg = line.partition(" error ")
            parse_err[int(i)] = msg
        args = [AJV, "validate", "--spec=draft2020", "--all-errors",
                "--errors=json", "-s", schema]
        for i in range(len(files)):
            if i not in parse_err:
                args += ["-d", os.path.join(tmp, "%d.json" % i)]
        verdict, errors = {}, {}
        if len(args) > 6:
            # Files, not pipes: ajv-cli ends with process.exit(), which cuts
            # off output still queued for a full pipe.
            with open(os.path.join(tmp, "out"), "w+") as fo, \
                    open(os.path.join(tmp, "err"), "w+") as fe:
                subprocess.run(args, stdout=fo, stderr=fe)
                fo.seek(0)
                fe.seek(0)
                r = subprocess.CompletedProcess(args, 0, fo.read(), fe.read())
            for line in r.stdout.splitlines():
                m = re.match(r"(\S+)/(\d+)\.json valid$", line)
                if m:
                    verdict[int(m.group(2))] = True
            # stderr: "FILE invalid" then that file's errors as JSON.
            parts = re.split(r"^\S+/(\d+)\.json invalid$", r.stderr,
                             flags=re.M)
            for k in range(1, len(parts), 2):
                i = int(parts[k])
                verdict[i] = False
                try:
                    errors[i] = json.loads(parts[k + 1])
                except ValueError:
                    errors[i] = []
    for i, f in enumerate(files):
        want = f not in invalid
        if i in parse_err:
            ok(not want, "%s: %s" % (f, "rejected (YAML)" if not want
                                      else "valid"),
               "YAML: " + parse_err[i])
            continue
        if i not in verdict:
            ok(False, "%s: validated" % f, "ajv said nothing about it")
            continue
        if want:
            ok(verdict[i], "%s: valid" % f,
               json.dumps(errors.get(i), indent=1))
            continue
        exp = expectation(f)
        got = [(e.get("instancePath"), e.get("keyword"))
               for e in errors.get(i, [])]
        if exp is None:
            ok(False, "%s: invalid" % f, "fixture has no # expect: line")
        elif verdict[i]:
            ok(False, "%s: invalid" % f, "the schema accepts it")
        else:
            hit = any(p == exp[0] and (exp[1] is None or k == exp[1])
                      for p, k in got)
            ok(hit, "%s: invalid at %s%s" % (f, exp[0] or "/",
                                            " (%s)" % exp[1] if exp[1] else ""),
               "errors at: " + ", ".join("%s %s" % g for g in got))


for suite in SUITES:
    run_suite(*suite)
sys.exit(tap.done())
