"""powershell.py - an independent reader of egressc's PowerShell scripts
(interface: tests/readers/readers.py).

The PowerShell model covers what such a script may hold: '#' comments to
the end of the line and <# #> block comments, statements ended by a newline
or ';', a backtick escaping the next character (a backtick-newline joins
lines), single-quoted strings in which the quote is ' or any of U+2018 to
U+201B and a doubled quote stands for one, @( , ) arrays, $true/$false,
`| Out-Null`.  Double-quoted strings (which expand $ and backticks) are
refused.

The NetSecurity model: New-NetFirewallRule adds a rule, Remove-
NetFirewallRule -Group removes a group's rules, dynamic keyword addresses
are added and removed by Id, Set-NetFirewallProfile sets the default
outbound action.  As with netsh, block beats allow and the default decides
the rest.  Keywords name hosts that Windows resolves (readers.resolve());
a wildcard keyword matches nothing here.  A keyword's Id must be a version
5 (name-based, SHA-1) RFC 4122 UUID in braces, declared before use.
"""

import re

from readers import (AddrSet, IcmpSet, NumSet, ReaderError, WindowsFirewall,
                     resolve, to_int)

HAS_REJECT = False

QUOTES = "'\u2018\u2019\u201a\u201b"
UUID5 = re.compile(r'^\{[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}'
                   r'-[0-9a-f]{12}\}$')


def tokens(text):
    """Statements as lists of (kind, value): word, str, var, array, op."""
    stmts, cur = [], []
    i, n = 0, len(text)

    def end():
        nonlocal cur
        if cur:
            stmts.append(cur)
        cur = []

    def string(i):
        s = ''
        i += 1
        while True:
            if i >= n:
                raise ReaderError('unterminated string')
            if text[i] in QUOTES:
                if i + 1 < n and text[i + 1] in QUOTES:
                    s += "'"
                    i += 2
                    continue
                return s, i + 1
            s += text[i]
            i += 1

    while i < n:
        c = text[i]
        if c in ' \t\r':
            i += 1
        elif c in '\n;':
            end()
            i += 1
        elif c == '<' and text[i:i + 2] == '<#':
            j = text.find('#>', i + 2)
            if j < 0:
                raise ReaderError('unterminated block comment')
            i = j + 2
        elif c == '#':
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c == '`':
            if text[i + 1:i + 2] == '\n':
                i += 2
            else:
                raise ReaderError('backtick escape outside a string')
        elif c in QUOTES:
            s, i = string(i)
            cur.append(('str', s))
        elif c == '"':
            raise ReaderError('double-quoted strings are not expected')
        elif c == '@' and text[i + 1:i + 2] == '(':
            items, i = [], i + 2
            while True:
                while i < n and text[i] in ' \t':
                    i += 1
                if i < n and text[i] == ')':
                    i += 1
                    break
                if i < n and text[i] in QUOTES:
                    s, i = string(i)
                    items.append(s)
                else:
                    raise ReaderError('array items must be quoted strings')
                while i < n and text[i] in ' \t':
                    i += 1
                if i < n and text[i] == ',':
                    i += 1
                elif i < n and text[i] == ')':
                    continue
                else:
                    raise ReaderError('bad array')
            cur.append(('array', items))
        elif c in '|=':
            cur.append(('op', c))
            i += 1
        elif c == '$':
            m = re.compile(r'\$[A-Za-z_][A-Za-z0-9_]*').match(text, i)
            if not m:
                raise ReaderError('bad variable')
            cur.append(('var', m.group()[1:]))
            i = m.end()
        elif c in '(){}[],&':
            raise ReaderError('%r is not expected here' % c)
        else:
            m = re.compile(r'[^\s;|=\'"`$(){}\[\],&#\u2018-\u201b]+').match(
                text, i)
            cur.append(('word', m.group()))
            i = m.end()
    end()
    return stmts


def addr_list(items):
    s = AddrSet()
    for item in items:
        if item.lower() == 'any':
            return None
        if '-' in item:
            s.add_dash_range(item)
        elif re.match(r'^[0-9a-fA-F:.]+(/\d+)?$', item):
            s.add_cidr(item)
        else:
            raise ReaderError('address %r not understood' % item)
    return s


class Rule:
    pass


SWITCHES = {'all'}


class PsReader(WindowsFirewall):
    def __init__(self, text):
        self.rules = []
        self.keywords = {}
        self.default = 'no decision'
        for st in tokens(text):
            self._statement(st)

    def _params(self, toks):
        p = {}
        i = 0
        while i < len(toks):
            kind, v = toks[i]
            if kind != 'word' or not v.startswith('-'):
                raise ReaderError('expected a -Parameter, got %r' % (v,))
            name = v[1:].lower()
            if name in p:
                raise ReaderError('-%s given twice' % name)
            if name in SWITCHES:
                p[name] = True
                i += 1
                continue
            if i + 1 >= len(toks):
                raise ReaderError('-%s without a value' % name)
            kind, val = toks[i + 1]
            if kind == 'str':
                val = [val]
            elif kind == 'array':
                pass
            elif kind == 'var' and val.lower() in ('true', 'false'):
                val = val.lower() == 'true'
            elif kind == 'word' and not val.startswith('-'):
                val = [val]
            else:
                raise ReaderError('-%s: bad value %r' % (name, val))
            p[name] = val
            i += 2
        return p

    def _statement(self, st):
        if st[0] == ('var', 'ErrorActionPreference'):
            if st[1:] != [('op', '='), ('str', 'Stop')]:
                raise ReaderError('bad $ErrorActionPreference line')
            return
        if len(st) >= 3 and st[-2:] == [('op', '|'), ('word', 'Out-Null')]:
            st = st[:-2]
        if st[0][0] != 'word':
            raise ReaderError('statement not expected: %r' % (st,))
        cmd = st[0][1].lower()
        p = self._params(st[1:])
        if cmd == 'remove-netfirewallrule':
            if set(p) != {'group', 'erroraction'}:
                raise ReaderError('Remove-NetFirewallRule: -Group only')
            self.rules = [r for r in self.rules if r.group != p['group'][0]]
        elif cmd == 'remove-netfirewalldynamickeywordaddress':
            if set(p) != {'id', 'erroraction'}:
                raise ReaderError('Remove-...DynamicKeywordAddress: -Id')
            self.keywords.pop(p['id'][0], None)
        elif cmd == 'new-netfirewalldynamickeywordaddress':
            if set(p) != {'id', 'keyword', 'autoresolve'}:
                raise ReaderError('New-...DynamicKeywordAddress: bad args')
            kid = p['id'][0]
            if not UUID5.match(kid):
                raise ReaderError('keyword Id %r is no UUID v5' % kid)
            if kid in self.keywords:
                raise ReaderError('keyword Id %s exists already' % kid)
            self.keywords[kid] = p['keyword'][0]
        elif cmd == 'set-netfirewallprofile':
            if not p.get('all'):
                raise ReaderError('Set-NetFirewallProfile without -All')
            act = p.get('defaultoutboundaction', ['?'])[0].lower()
            if act not in ('block', 'allow'):
                raise ReaderError('bad -DefaultOutboundAction')
            self.default = 'deny' if act == 'block' else 'allow'
        elif cmd == 'new-netfirewallrule':
            self.rules.append(self._rule(p))
        else:
            raise ReaderError('command not expected: %r' % cmd)

    def _rule(self, p):
        known = {'displayname', 'group', 'direction', 'action', 'protocol',
                 'icmptype', 'localaddress', 'remoteaddress',
                 'remotedynamickeywordaddresses', 'localport', 'remoteport',
                 'description'}
        if set(p) - known:
            raise ReaderError('unknown parameters %s' % sorted(set(p) - known))
        r = Rule()
        r.group = p.get('group', [None])[0]
        r.dir = p['direction'][0].lower()
        r.action = {'allow': 'allow', 'block': 'deny'}.get(
            p['action'][0].lower())
        if r.dir not in ('inbound', 'outbound') or r.action is None:
            raise ReaderError('bad -Direction or -Action')
        # -Protocol TCP, UDP, ICMPv4, ICMPv6, Any or a number 0-255;
        # -IcmpType 'TYPE' or 'TYPE:CODE'; ports for TCP and UDP only
        # (Microsoft's New-NetFirewallRule reference).
        proto = p.get('protocol', ['Any'])[0].lower()
        r.proto = {'tcp': 6, 'udp': 17, 'icmpv4': 1, 'icmpv6': 58,
                   'any': None}.get(proto, '?')
        if r.proto == '?' and re.fullmatch(r'[0-9]+', proto) and \
                int(proto) <= 255:
            r.proto = int(proto)
        if r.proto == '?':
            raise ReaderError('protocol %r not expected' % proto)
        r.types = IcmpSet()
        if 'icmptype' in p:
            if r.proto not in (1, 58):
                raise ReaderError('-IcmpType needs ICMPv4 or ICMPv6')
            r.types = IcmpSet([])
            for t in p['icmptype']:
                ty, sep, code = t.partition(':')
                r.types.add(to_int(ty, 'type'),
                            to_int(code, 'code') if sep else None)
        r.ports = NumSet()
        for k in ('remoteport', 'localport'):
            if k in p:
                if r.proto not in (6, 17):
                    raise ReaderError('-%s needs TCP or UDP' % k)
                s = NumSet([])
                for item in p[k]:
                    lo, sep, hi = item.partition('-')
                    s.add(to_int(lo, 'port'),
                          to_int(hi, 'port') if sep else None)
                r.ports = s
        r.local = addr_list(p['localaddress']) if 'localaddress' in p \
            else None
        r.remote = addr_list(p['remoteaddress']) if 'remoteaddress' in p \
            else None
        r.keywords = None
        if 'remotedynamickeywordaddresses' in p:
            if 'remoteaddress' in p:
                raise ReaderError('addresses and keywords on one rule')
            for kid in p['remotedynamickeywordaddresses']:
                if kid not in self.keywords:
                    raise ReaderError('keyword %s not declared' % kid)
            r.keywords = p['remotedynamickeywordaddresses']
        return r

    def _outbound_to(self, r, fam, dst):
        if r.dir != 'outbound':
            return False
        if r.keywords is not None:
            # Windows resolves a keyword's name itself (no wildcard here).
            return any(not self.keywords[k].startswith('*') and
                       resolve(self.keywords[k]).has(fam, dst)
                       for k in r.keywords)
        return r.remote is None or r.remote.has(fam, dst)

def load(paths):
    if len(paths) != 1:
        raise ReaderError('powershell reads one file')
    with open(paths[0], encoding='utf-8') as f:
        return PsReader(f.read())
