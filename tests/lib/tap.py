"""tap.py - TAP output for the Python tests, as tap.sh is for the shell
ones: numbered ok / not ok lines, diagnostics under a failed check, a
skip that is a failure under CI=true, and the plan at the end.

    import tap
    tap.ok(cond, 'what it proves', diag, ...)   # returns cond
    tap.bail('needs nft')                       # skip (fail under CI)
    sys.exit(tap.done())                        # prints 1..N
"""

import os
import sys

CI = os.environ.get('CI') == 'true'
_n = 0
_failed = 0


def _lines(diag):
    for d in diag:
        if d is None:
            continue
        if isinstance(d, (list, tuple)):
            for x in d:
                yield from str(x).splitlines()
        else:
            yield from str(d).splitlines()


def ok(cond, name, *diag):
    """One check.  diag: strings or lists of strings, shown (at most 40
    lines) when the check fails."""
    global _n, _failed
    _n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _n, name))
    if not cond:
        _failed += 1
        for i, line in enumerate(_lines(diag)):
            if i == 40:
                print('#   ...')
                break
            print('#   ' + line[:300])
    sys.stdout.flush()
    return cond


def bail(why):
    """The test cannot run here: a skip, but under CI=true a failure."""
    if CI:
        print('1..1\nnot ok 1 - %s (CI=true: required)' % why)
        sys.exit(1)
    print('1..0 # SKIP %s' % why)
    sys.exit(0)


def done():
    """Print the plan; the exit status for sys.exit()."""
    print('1..%d' % _n)
    return 1 if _failed else 0
