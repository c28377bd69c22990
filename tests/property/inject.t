#!/usr/bin/python3
"""inject.t - hostile text in a policy changes no rule of any target.

Each tests/property/hostile/X.yaml (written by mkhostile.py) puts newlines,
CRs, quotes, ; # & | % ^ < > $() backticks, typographic quotes and 10 KB
strings into the description, rule comments and free-text target options;
tests/property/benign/X.yaml is the same policy with plain text.  Both are
compiled for every target.  Then, per target:

  - every output file has as many lines as the twin's, and line by line
    the same first word: no hostile text starts a line of its own (a rule,
    a command, a directive) that the twin lacks;
  - where a reader exists: it takes both outputs, counts the same rules,
    and decides every drawn packet the same way.
"""

import inspect
import os
import random
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'lib'))
import tap  # noqa: E402
from tap import ok  # noqa: E402
EG = os.environ.get('EGRESSC') or os.path.join(ROOT, 'egressc')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'readers'))
sys.path.insert(0, HERE)
import readers  # noqa: E402
from packets import draw, edges  # noqa: E402


def first_words(path):
    # newline='' keeps a lone CR inside a line visible as a break.
    with open(path, encoding='utf-8', errors='replace', newline='') as f:
        text = f.read()
    lines = text.replace('\r\n', '\n').split('\n')
    words = []
    for line in lines:
        # Every break a consumer may honour (CR, VT, FF, U+2028, NEL).
        for part in line.replace('\r', '\n').replace('\x0b', '\n') \
                .replace('\x0c', '\n').replace('\u2028', '\n') \
                .replace('\x85', '\n').split('\n'):
            w = part.split()
            words.append(w[0] if w else '')
    return words


def reader_modules():
    import importlib
    mods = {}
    for f in sorted(os.listdir(os.path.join(ROOT, 'tests', 'readers'))):
        if f.endswith('.py') and f != 'readers.py' and not f.startswith('_'):
            mods[readers.target_of(f[:-3])] = importlib.import_module(f[:-3])
    return mods


def compile_all(policy, outdir):
    r = subprocess.run([EG, 'compile', '-t', 'all', '-o', outdir, policy],
                       capture_output=True, text=True)
    return r.returncode, r.stderr


def main():
    mods = reader_modules()
    hdir = os.path.join(HERE, 'hostile')
    cases = sorted(f[:-5] for f in os.listdir(hdir) if f.endswith('.yaml'))
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            hp = os.path.join(hdir, case + '.yaml')
            bp = os.path.join(HERE, 'benign', case + '.yaml')
            ho, bo = os.path.join(tmp, 'h-' + case), os.path.join(
                tmp, 'b-' + case)
            rc, err = compile_all(hp, ho)
            ok(rc == 0, '%s: the hostile policy compiles' % case,
               [x for x in err.splitlines() if 'error' in x])
            rc2, err2 = compile_all(bp, bo)
            ok(rc2 == 0, '%s: its benign twin compiles' % case,
               err2.splitlines())
            if rc or rc2:
                continue
            hfiles, bfiles = sorted(os.listdir(ho)), sorted(os.listdir(bo))
            ok(hfiles == bfiles, '%s: the same files' % case,
               ['%s vs %s' % (hfiles, bfiles)])
            for f in bfiles:
                if f not in hfiles:
                    continue
                hw = first_words(os.path.join(ho, f))
                bw = first_words(os.path.join(bo, f))
                diff = ['line %d: hostile starts %r, twin %r' % (i + 1, a, b)
                        for i, (a, b) in enumerate(zip(hw, bw)) if a != b]
                if len(hw) != len(bw):
                    diff.insert(0, '%d lines, twin %d' % (len(hw), len(bw)))
                ok(not diff, '%s %s: no line starts what the twin lacks '
                   '(%d lines)' % (case, f, len(hw)), diff)
            with open(bp, encoding='utf-8') as fh:
                name = [x.split()[1] for x in fh.read().splitlines()
                        if x.startswith('name:')][0]
            with open(bp, encoding='utf-8') as fh:
                addrs, nums = edges(fh.read())
            pkts, srcs = draw(random.Random('inject:' + case), addrs, nums)
            for target in sorted(mods, key=list(readers.TARGET_SUFFIXES)
                                 .index):
                mod = mods[target]
                hpaths = readers.output_paths(ho, name, target)
                bpaths = readers.output_paths(bo, name, target)
                if not all(os.path.exists(p) for p in bpaths):
                    print('# %s: no %s output (target not built in)' %
                          (case, target))
                    continue
                try:
                    hr, br = mod.load(hpaths), mod.load(bpaths)
                except readers.ReaderError as e:
                    ok(False, '%s %s: the reader takes both outputs' %
                       (case, target), [str(e)])
                    continue
                by_src = 'src' in inspect.signature(hr.decide).parameters
                bad = []
                for pkt, src in zip(pkts, srcs):
                    kw = {'src': src} if by_src else {}
                    a, b = hr.decide(*pkt, **kw), br.decide(*pkt, **kw)
                    if a != b:
                        bad.append('%s %s: hostile %s, twin %s' % (
                            pkt[1], readers.port_text(pkt[2], pkt[3]), a,
                            b))
                ok(hr.rule_count() == br.rule_count() and not bad,
                   '%s %s: %d rules as the twin, %d/%d packets decided '
                   'alike' % (case, target, hr.rule_count(), len(pkts) -
                              len(bad), len(pkts)),
                   ['rules %d vs %d' % (hr.rule_count(), br.rule_count())] +
                   bad)
    return tap.done()


sys.exit(main())
