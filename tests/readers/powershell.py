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
outbound action and the firewall's state.  Precedence, Windows' own rules
and the state: readers.WindowsFirewall.  A keyword's Id must be a version
5 (name-based, SHA-1) RFC 4122 UUID in braces, declared before use.

AutoResolve dynamic keywords (Microsoft Learn: Windows Firewall dynamic
keywords; Microsoft Defender for Endpoint: Network protection): Windows
does not resolve them; Defender's Network Protection adds to one the
addresses it sees this client itself resolve for the name, on platform
4.18.2209.7 or later, with Network Protection in block or audit mode, and
not for names resolved over DNS over HTTPS; a restart empties them.  A
keyword that holds nothing matches nothing.  So an allow rule by keyword
matches the name's answers (readers.resolve()) for a client that looked
the name up before it connects, as clients do; a block rule by keyword
matches nothing, for nothing makes a client look a name up before it
sends to the address; a wildcard keyword matches nothing.  When the
prerequisites do not hold (DEVICE, what Get-MpComputerStatus,
Get-MpPreference and the registry report) no keyword is ever filled.

The script may check them first, in the one form egressc writes:
`$egressc_X = Get-MpComputerStatus`, `$egressc_X = (Get-MpPreference).P`,
`$egressc_X = (Get-ItemProperty -Path 'K' -Name 'V' -ErrorAction
SilentlyContinue).V`, and `if (CONDITION) { throw 'MESSAGE' }` with
[version] casts, $var.Property, quoted strings, integers, -lt -gt -eq -ne
-and -or.  A throw stops the script there ($ErrorActionPreference =
'Stop'): reader.stopped holds the message and nothing after it runs.
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

# The machine the script runs on, as Defender and the registry report it:
# one where dynamic keywords can be filled.
DEVICE = {
    'MpComputerStatus': {'AMProductVersion': '4.18.24090.11'},
    'MpPreference': {'EnableNetworkProtection': 1},
    'registry': {},         # (key, value name) -> value; absent: unset
}

PRE_STATUS = re.compile(r'^\$(egressc_\w+) = Get-MpComputerStatus$')
PRE_PREF = re.compile(r'^\$(egressc_\w+) = \(Get-MpPreference\)\.(\w+)$')
PRE_REG = re.compile(r"^\$(egressc_\w+) = \(Get-ItemProperty -Path '([^']+)' "
                     r"-Name '(\w+)' -ErrorAction SilentlyContinue\)\.(\w+)$")
PRE_IF = re.compile(r"^if \((.+)\) \{ throw '([^']*)' \}$")
PRE_TOK = re.compile(r"\s*(\[version\]|\$\w+(?:\.\w+)?|'[^']*'|\d+|"
                     r"-(?:lt|gt|eq|ne|and|or)\b)")


class _Expr:
    """CONDITION of the checks: or-of-ands of comparisons."""

    def __init__(self, text, env):
        self.toks, self.env, pos = [], env, 0
        while pos < len(text):
            m = PRE_TOK.match(text, pos)
            if not m:
                raise ReaderError('condition not understood: %r' % text)
            self.toks.append(m.group(1))
            pos = m.end()
        self.i = 0

    def value(self):
        cast = False
        if self.toks[self.i] == '[version]':
            cast, self.i = True, self.i + 1
        t = self.toks[self.i]
        self.i += 1
        if t.startswith('$'):
            name, _, prop = t[1:].partition('.')
            if name not in self.env:
                raise ReaderError('$%s not set' % name)
            v = self.env[name]
            if prop:
                if not isinstance(v, dict) or prop not in v:
                    raise ReaderError('$%s has no %s' % (name, prop))
                v = v[prop]
        elif t.startswith("'"):
            v = t[1:-1]
        elif t.isdigit():
            v = int(t)
        else:
            raise ReaderError('value expected, got %r' % t)
        if cast:
            try:
                v = tuple(int(x) for x in str(v).split('.'))
            except ValueError:
                raise ReaderError('[version] of %r' % v) from None
        return v

    def compare(self):
        a = self.value()
        op = self.toks[self.i]
        self.i += 1
        b = self.value()
        if op in ('-lt', '-gt') and (a is None or b is None):
            raise ReaderError('ordering $null')
        return {'-lt': lambda: a < b, '-gt': lambda: a > b,
                '-eq': lambda: a == b, '-ne': lambda: a != b}[op]()

    def run(self):
        ors = [[self.compare()]]
        while self.i < len(self.toks):
            op = self.toks[self.i]
            self.i += 1
            if op == '-and':
                ors[-1].append(self.compare())
            elif op == '-or':
                ors.append([self.compare()])
            else:
                raise ReaderError('operator %r' % op)
        return any(all(x) for x in ors)


class PsReader(WindowsFirewall):
    def __init__(self, text, device=None):
        WindowsFirewall.__init__(self)
        self.device = DEVICE if device is None else device
        self.keywords = {}
        self.stopped = None
        self.env = {}
        chunk = []
        for line in text.split('\n') + [None]:
            if line is not None and not line.startswith(
                    ('$egressc_', 'if (')):
                chunk.append(line)
                continue
            for st in tokens('\n'.join(chunk)):
                self._statement(st)
            chunk = []
            if line is None:
                break
            if self._check(line):
                return          # the script stopped here

    def can_fill(self):
        """Does Network Protection fill AutoResolve keywords here?"""
        d = self.device
        ver = d['MpComputerStatus'].get('AMProductVersion', '0')
        doh = d['registry'].get((
            'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\DNSClient',
            'DoHPolicy'))
        auto = d['registry'].get((
            'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Dnscache\\'
            'Parameters', 'EnableAutoDoh'))
        return (tuple(int(x) for x in ver.split('.')) >= (4, 18, 2209, 7)
                and d['MpPreference'].get('EnableNetworkProtection') in
                (1, 2) and doh not in (2, 3) and auto != 2)

    def _check(self, line):
        m = PRE_STATUS.match(line)
        if m:
            self.env[m.group(1)] = self.device['MpComputerStatus']
            return False
        m = PRE_PREF.match(line)
        if m:
            self.env[m.group(1)] = self.device['MpPreference'].get(
                m.group(2))
            return False
        m = PRE_REG.match(line)
        if m:
            if m.group(3) != m.group(4):
                raise ReaderError('Get-ItemProperty of another value')
            self.env[m.group(1)] = self.device['registry'].get(
                (m.group(2), m.group(3)))
            return False
        m = PRE_IF.match(line)
        if m:
            if _Expr(m.group(1), self.env).run():
                self.stopped = m.group(2)
                return True
            return False
        raise ReaderError('statement not expected: %r' % line)

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
            if set(p) - {'all', 'enabled', 'defaultinboundaction',
                         'defaultoutboundaction'}:
                raise ReaderError('Set-NetFirewallProfile: %s' % sorted(p))
            if 'enabled' in p:
                on = p['enabled'][0].lower()
                if on not in ('true', 'false'):
                    raise ReaderError('bad -Enabled %r' % on)
                for x in self.state:
                    self.state[x] = on == 'true'
            if 'defaultoutboundaction' in p:
                act = p['defaultoutboundaction'][0].lower()
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
            # What Network Protection saw a client resolve: the name's
            # answers for one that connects by name; nothing to block one
            # that does not; nothing at all where it fills no keyword.
            if r.action != 'allow' or not self.can_fill():
                return False
            return any(not self.keywords[k].startswith('*') and
                       resolve(self.keywords[k]).has(fam, dst)
                       for k in r.keywords)
        return r.remote is None or r.remote.has(fam, dst)

def load(paths, device=None):
    if len(paths) != 1:
        raise ReaderError('powershell reads one file')
    with open(paths[0], encoding='utf-8') as f:
        return PsReader(f.read(), device)
