"""netsh.py - an independent reader of egressc's netsh .cmd scripts
(interface: tests/readers/readers.py).

Two models in one:

cmd.exe: the script is read line by line (a '^' at the end of a line joins
the next), and a line may be at most 8191 characters, as the command it
runs (Microsoft Learn: Command prompt (Cmd.exe) command-line string
limitation).  '%' is expanded on every line, comments included, so the
reader refuses it anywhere but in `for /L %%V in (start,step,end) do
COMMAND` (Microsoft Learn: for), which runs COMMAND once for each number
from start to end by step, %%V replaced by it.  A line whose first word is
REM is a comment.  Outside double quotes, '^' escapes the next character,
'&', '&&', '||' and '|' separate commands and '<', '>' redirect; every
command is run in order.

Windows Defender Firewall (Microsoft's "Netsh AdvFirewall Firewall
Commands" reference: protocol=0-255|icmpv4|icmpv6|icmpv4:type,code|
icmpv6:type,code|tcp|udp|any, ports for tcp and udp only):
`netsh advfirewall firewall add rule` adds a rule (several may share a
name), `delete rule name=N` removes every rule named N, `set allprofiles
firewallpolicy IN,OUT` sets the default and `set allprofiles state on`
turns the firewall on.  Precedence, Windows' own rules and the firewall's
state: readers.WindowsFirewall.
"""

import re

from readers import (AddrSet, IcmpSet, NumSet, ReaderError, WindowsFirewall,
                     to_int)

HAS_REJECT = False


LINE_MAX = 8191
FOR_L = re.compile(r'(?i)^\s*for /L %%([A-Za-z]) in \((\d+),(\d+),(\d+)\) '
                   r'do (.*)$')


def cmd_lines(text):
    """Physical lines joined at a trailing caret."""
    for line in text.replace('\r\n', '\n').split('\n'):
        if len(line) > LINE_MAX:
            raise ReaderError('a line of %d characters: cmd.exe takes %d'
                              % (len(line), LINE_MAX))
        m = FOR_L.match(line)
        rest = line if m is None else m.group(5).replace(
            '%%' + m.group(1), '')
        if '%' in rest:
            raise ReaderError("'%' in a cmd script is expanded, even in "
                              "REM")
    if '!' in text:
        raise ReaderError("'!' is expanded under delayed expansion")
    lines = []
    cur = ''
    for line in text.replace('\r\n', '\n').split('\n'):
        if line.endswith('^') and not line.endswith('^^'):
            cur += line[:-1]
            continue
        lines.append(cur + line)
        cur = ''
    if cur:
        lines.append(cur)
    return lines


def cmd_commands(line):
    """The commands cmd.exe runs for one line: lists of words (quotes
    stripped), redirections dropped."""
    s = line.lstrip(' \t@')
    if re.match(r'(?i)^rem(\s|$)', s):
        return []
    cmds, words, word = [], [], None
    quoted = False
    i = 0
    while i < len(s):
        c = s[i]
        if quoted:
            if c == '"':
                quoted = False
            else:
                word += c
            i += 1
            continue
        if c == '"':
            quoted = True
            word = word or ''
            i += 1
            continue
        if c == '^':
            if i + 1 >= len(s):
                raise ReaderError('caret at the end of a line')
            word = (word or '') + s[i + 1]
            i += 2
            continue
        if c in ' \t':
            if word is not None:
                words.append(word)
                word = None
            i += 1
            continue
        if c in '<>':
            # A lone digit before it is the handle (2>&1).
            if word is not None and word.isdigit() and (
                    i == 0 or s[i - 1].isdigit()):
                word = None
            i += 1
            if i < len(s) and s[i] == '>':
                i += 1
            if i < len(s) and s[i] == '&':
                i += 2
                continue
            while i < len(s) and s[i] in ' \t':
                i += 1
            while i < len(s) and s[i] not in ' \t&|<>':
                i += 1
            continue
        if c in '&|':
            if word is not None:
                words.append(word)
                word = None
            if words:
                cmds.append(words)
            words = []
            i += 2 if s[i + 1:i + 2] == c else 1
            continue
        word = (word or '') + c
        i += 1
    if quoted:
        raise ReaderError('unbalanced quote: %r' % line)
    if word is not None:
        words.append(word)
    if words:
        cmds.append(words)
    return cmds


def addr_list(text):
    s = AddrSet()
    for item in text.split(','):
        if item.lower() == 'any':
            return None
        if '-' in item:
            s.add_dash_range(item)
        elif re.match(r'^[0-9a-fA-F:.]+(/\d+)?$', item):
            s.add_cidr(item)
        else:
            raise ReaderError('address %r not understood' % item)
    return s


def port_list(text):
    s = NumSet([])
    for item in text.split(','):
        if item.lower() == 'any':
            return NumSet()
        lo, sep, hi = item.partition('-')
        s.add(to_int(lo, 'port'), to_int(hi, 'port') if sep else None)
    return s


class Rule:
    pass


class NetshReader(WindowsFirewall):
    def __init__(self, text):
        WindowsFirewall.__init__(self)
        for line in cmd_lines(text):
            m = FOR_L.match(line)
            if m is None:
                lines = [line]
            else:
                a, step, b = (int(m.group(i)) for i in (2, 3, 4))
                if step < 1 or a > b:
                    raise ReaderError('for /L (%d,%d,%d)' % (a, step, b))
                lines = [m.group(5).replace('%%' + m.group(1), str(x))
                         for x in range(a, b + 1, step)]
            for one in lines:
                if len(one) > LINE_MAX:
                    raise ReaderError('a command of %d characters' %
                                      len(one))
                for words in cmd_commands(one):
                    self._command(words)

    def _command(self, w):
        low = [x.lower() for x in w]
        if low in (['echo', 'off'], ['@echo', 'off']):
            return
        if low[:3] == ['netsh', 'advfirewall', 'firewall']:
            if low[3:5] == ['add', 'rule']:
                self.rules.append(self._rule(w[5:]))
                return
            if low[3:5] == ['delete', 'rule']:
                kv = self._kv(w[5:])
                if set(kv) != {'name'}:
                    raise ReaderError('delete rule takes name= only here')
                self.rules = [r for r in self.rules if r.name != kv['name']]
                return
        if low[:5] == ['netsh', 'advfirewall', 'set', 'allprofiles',
                       'state'] and len(low) == 6:
            if low[5] not in ('on', 'off'):
                raise ReaderError('bad state %r' % low[5])
            for p in self.state:
                self.state[p] = low[5] == 'on'
            return
        if low[:5] == ['netsh', 'advfirewall', 'set', 'allprofiles',
                       'firewallpolicy'] and len(low) == 6:
            inb, _, outb = low[5].partition(',')
            if outb not in ('blockoutbound', 'allowoutbound'):
                raise ReaderError('bad firewallpolicy %r' % low[5])
            self.default = 'deny' if outb == 'blockoutbound' else 'allow'
            return
        raise ReaderError('command not expected: %r' % ' '.join(w))

    def _kv(self, words):
        kv = {}
        for x in words:
            k, sep, v = x.partition('=')
            if not sep:
                raise ReaderError('argument %r is not key=value' % x)
            k = k.lower()
            if k in kv:
                raise ReaderError('%s= given twice' % k)
            kv[k] = v
        return kv

    def _rule(self, words):
        kv = self._kv(words)
        known = {'name', 'dir', 'action', 'protocol', 'localip', 'remoteip',
                 'localport', 'remoteport', 'enable', 'profile',
                 'description'}
        if set(kv) - known:
            raise ReaderError('unknown keys %s' % sorted(set(kv) - known))
        for k in ('name', 'dir', 'action'):
            if k not in kv:
                raise ReaderError('add rule without %s=' % k)
        r = Rule()
        r.name = kv['name']
        r.dir = kv['dir'].lower()
        r.action = {'allow': 'allow', 'block': 'deny'}.get(
            kv['action'].lower())
        if r.dir not in ('in', 'out') or r.action is None:
            raise ReaderError('bad dir= or action=')
        r.enabled = kv.get('enable', 'yes').lower() == 'yes'
        proto = kv.get('protocol', 'any').lower()
        r.types = IcmpSet()
        if proto.startswith(('icmpv4:', 'icmpv6:')):
            # protocol=icmpv4:type,code, each a number or any
            proto, _, tc = proto.partition(':')
            t, sep, code = tc.partition(',')
            if not sep:
                raise ReaderError('icmp %r without ,code' % tc)
            r.types = IcmpSet([])
            if t == 'any':
                if code != 'any':
                    raise ReaderError('a code without a type: %r' % tc)
                r.types = IcmpSet()
            else:
                r.types.add(to_int(t, 'type'), None if code == 'any' else
                            to_int(code, 'code'))
        r.proto = {'tcp': 6, 'udp': 17, 'icmpv4': 1, 'icmpv6': 58,
                   'any': None}.get(proto, '?')
        if r.proto == '?' and re.fullmatch(r'[0-9]+', proto) and \
                int(proto) <= 255:
            r.proto = int(proto)
        if r.proto == '?':
            raise ReaderError('protocol %r not expected' % proto)
        r.remote = addr_list(kv['remoteip']) if 'remoteip' in kv else None
        r.local = addr_list(kv['localip']) if 'localip' in kv else None
        r.ports = NumSet()
        for k in ('remoteport', 'localport'):
            if k in kv:
                if r.proto not in (6, 17):
                    raise ReaderError('%s= needs TCP or UDP' % k)
                if k == 'localport' and r.dir == 'out':
                    raise ReaderError('localport on an egress rule')
                r.ports = port_list(kv[k])
        return r

    def _outbound_to(self, r, fam, dst):
        return r.enabled and r.dir == 'out' and \
            (r.remote is None or r.remote.has(fam, dst))

def load(paths):
    if len(paths) != 1:
        raise ReaderError('netsh reads one file')
    with open(paths[0], encoding='utf-8') as f:
        return NetshReader(f.read())
