#!/usr/bin/python3
"""grammar.t - every PowerShell script egressc writes parses under the
tree-sitter PowerShell grammar (tree-sitter-powershell, run by
web-tree-sitter; tests/package.json pins both) with no ERROR or MISSING
node: the golden files, and the scripts of every policy of the test corpus
(tests/policies, tests/property/benign, hostile and native, the shipped
policy).  A script broken on purpose must be caught, so that the check
proves something.

Without node or the npm tools (tests/lib/npm.sh installs them) this skips;
under CI=true it fails instead."""

import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
os.chdir(ROOT)
EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
MODS = os.path.join(ROOT, 'tests', 'node_modules')

if subprocess.run(['sh', '-c', 'command -v node'],
                  capture_output=True).returncode != 0:
    tap.bail('node is not installed')
if not os.path.exists(os.path.join(MODS, 'tree-sitter-powershell',
                                   'tree-sitter-powershell.wasm')) or \
        not os.path.isdir(os.path.join(MODS, 'web-tree-sitter')):
    tap.bail('tree-sitter-powershell and web-tree-sitter are not installed '
             '(tests/lib/npm.sh)')


def parse(files):
    r = subprocess.run(['node', os.path.join(HERE, 'parse.cjs')] + files,
                       capture_output=True, text=True,
                       env=dict(os.environ, NODE_PATH=MODS))
    if r.returncode != 0:
        return None, r.stderr
    return dict((l.split(' ', 2)[1], l) for l in r.stdout.splitlines()), ''


def lock_of(policy):
    base = policy[:-len('.yaml')]
    for lock in (base + '.example.lock', base + '.lock'):
        if os.path.exists(lock):
            return ['--lock', lock]
    return []


with tempfile.TemporaryDirectory() as tmp:
    files = sorted(glob.glob('tests/golden/*/*.ps1'))
    ok(files, 'golden PowerShell scripts found', files)
    policies = (['policies/heygen-livekit.yaml'] +
                sorted(glob.glob('tests/policies/*.yaml')) +
                sorted(glob.glob('tests/property/*/*.yaml')))
    for policy in policies:
        # A case compiled only for some targets says so in CASE.targets
        # (tests/golden/cases.sh): the others refuse it by design.
        tf = policy[:-len('.yaml')] + '.targets'
        if os.path.exists(tf) and 'powershell' not in \
                open(tf, encoding='utf-8').read().replace(',', ' ').split():
            continue
        out = os.path.join(tmp, os.path.basename(os.path.dirname(policy)) +
                           '-' + os.path.basename(policy)[:-5])
        r = subprocess.run([EG, 'compile', '-t', 'powershell', '-o', out] +
                           lock_of(policy) + [policy],
                           capture_output=True, text=True)
        if r.returncode != 0 and 'takes no inbound rules' in r.stderr:
            continue
        ok(r.returncode == 0, '%s: compiles for powershell' % policy,
           r.stderr)
        files += sorted(glob.glob(os.path.join(out, '*.ps1')))
    broken = os.path.join(tmp, 'broken.ps1')
    with open(broken, 'w') as f:
        f.write("New-NetFirewallRule -DisplayName 'x' -RemoteAddress "
                "@('192.0.2.1' | Out-Null\nif ($a -eq 1) { throw 'x'\n")
    got, err = parse(files + [broken])
    ok(got is not None, 'the grammar loads and parses', err)
    if got is not None:
        ok(got.get(broken, '').startswith('bad '),
           'a script broken on purpose has ERROR or MISSING nodes',
           got.get(broken))
        for f in files:
            ok(got.get(f, '').startswith('ok '),
               '%s: no ERROR or MISSING node' % os.path.relpath(f, tmp)
               if f.startswith(tmp) else f, got.get(f))
sys.exit(tap.done())
