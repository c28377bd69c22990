"""iptables.py - read iptables-restore / ip6tables-restore files, and the
ipset restore file their sets come from, as the kernel would decide a new
outbound (or, with hook='input', inbound) packet.

An independent reader for egressc's iptables output (and hand-written files
in the same subset): the *filter table, chain declarations with policies,
-A rules with -s/-d lists, -p, --dport, -m multiport --dports (ranges
a:b), --icmp-type / --icmpv6-type, -m comment, -m conntrack --ctstate
(ESTABLISHED,RELATED never matches a new connection), -o lo (never the
packet's interface), and the targets ACCEPT, DROP, REJECT, LOG (goes on),
RETURN and jumps to user chains, and -m set --match-set NAME dst|src
(iptables-extensions(8), "set": the packet's address is in set NAME), or
--match-set NAME dst,dst for a hash:net,port set (the destination address
and, with the packet's protocol, its destination port).
The files are read as `iptables-restore --noflush` loads them: the
built-in chains keep what they had (nothing, on the host modelled), a
chain declared is created or flushed.  The comment lines that give the
jump command egressc's header documents,
    #   iptables -C OUTPUT -j CHAIN 2>/dev/null ||
    #     iptables -I OUTPUT 1 -j CHAIN
are run as the operator runs them: a jump to CHAIN at the top of OUTPUT
(INPUT) unless one is there.  The OUTPUT chain decides and falls back to
its policy; when OUTPUT jumps nowhere and one user chain exists (what
`default: none` emits, to be jumped to by the user), that chain decides
and falling off its end gives 'no decision'.

A file named *.ipset is read as `ipset restore` would (ipset(8), RESTORE
and the create/add/flush/swap/destroy commands): create NAME
hash:net|hash:ip|hash:net,port [family inet|inet6] [timeout N] [-exist],
add NAME ADDR[/LEN] [timeout N] [-exist] (hash:net,port: add NAME
NET,tcp:PORT or NET,udp:LO-HI, ipset(8) "hash:net,port": a range of ports
adds one element per port, no /0 network, and tcp and udp are the only
protocols modelled), flush, swap, destroy; -exist makes a
create of an identical set, or an add of an element held, a no-op, and
anything else done to a set that is not there (or a create of one that
is, or a swap of sets of another type or family) an error, as ipset
restore stops there.  A rule's --match-set must name a set that exists
when the rule is loaded (the kernel refuses the rule otherwise), so
load() reads the *.ipset files first.

    load(paths) -> Rules       (the .v4 file and the .v6 file)
    Rules.decide(fam, dst, proto, port, src=None, hook='output') ->
        'allow'|'deny'|'reject'|'no decision'
        hook='input': a packet from src to this host's dst, by INPUT
    Rules.rule_count() -> int
    expect(explained, fam, proto, port, by_default=False) -> what
        decide() must return where explain says explained

A file's family is told by its name (rules.v6 / .v6 is IPv6) or else by
the addresses in it.  Anything not understood raises ParseError (a
ValueError, and readers.ReaderError where the shared module is).
Standard library only.
"""

import ipaddress
import re

# iptables(8) -p: a name or a number, "The number zero is equivalent to
# all"; iptables-extensions(8): --dport (tcp, udp, sctp), multiport (tcp,
# udp, udplite, dccp, sctp), --icmp-type {type[/code]|typename},
# --icmpv6-type type[/code].
PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}
P_NAMES = {'tcp': 6, 'udp': 17, 'icmp': 1, 'ipv6-icmp': 58, 'icmpv6': 58,
           'sctp': 132, 'esp': 50, 'ah': 51, 'all': None}
PORTED = (6, 17, 132)
BUILTIN = ('INPUT', 'FORWARD', 'OUTPUT')
COMMENT_MAX = 255
MULTIPORT_MAX = 15


import readers as _shared              # what the readers share

NO_DECISION = 'no decision'
HAS_REJECT = True


class ParseError(_shared.ReaderError, ValueError):
    pass


def _tokens(line):
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c == ' ':
            i += 1
        elif c == '"':
            j = line.find('"', i + 1)
            if j < 0:
                raise ParseError('unterminated string')
            s = line[i + 1:j]
            if '\\' in s:
                raise ParseError('escape in a string')
            out.append(('"', s))
            i = j + 1
        else:
            m = re.match(r'[^ "]+', line[i:])
            out.append(m.group(0))
            i += len(m.group(0))
    return out


def _word(toks, i, what):
    if i >= len(toks) or isinstance(toks[i], tuple):
        raise ParseError('%s missing' % what)
    return toks[i]


def _string(toks, i, what):
    if i >= len(toks):
        raise ParseError('%s missing' % what)
    t = toks[i]
    return t[1] if isinstance(t, tuple) else t


def _port(s, hi=65535):
    if not re.fullmatch(r'[0-9]+', s):
        raise ParseError('port %r (named ports are not understood)' % s)
    v = int(s)
    if v > hi:
        raise ParseError('port %d' % v)
    return v


def _portspec(s):
    if ':' in s:
        lo, hi = s.split(':', 1)
        lo, hi = _port(lo), _port(hi)
        if lo > hi:
            raise ParseError('range %s' % s)
        return (lo, hi)
    p = _port(s)
    return (p, p)


class Rule:
    def __init__(self):
        self.src = self.dst = None
        self.sets = []          # (set dict, 'src'|'dst')
        self.proto = None
        self.dports = None
        self.icmp = None
        self.never = False
        self.target = None
        self.reject_with = None
        self.comment = None


IPSET_NAME_MAX = 31     # ipset(8): IPSET_MAXNAMELEN, 32 with the NUL
IPSET_TIMEOUT_MAX = 2147483
IPSET_TYPES = ('hash:net', 'hash:ip', 'hash:net,port')
IPSET_MAXELEM = 65536   # ipset(8): maxelem's default
IPSET_FAMILY = {'inet': 4, 'inet6': 6}


class Rules:
    def __init__(self):
        self.fams = {}          # fam -> {chain: {'policy':, 'rules': []}}
        # ipset's sets, one namespace for every family:
        # name -> {'type':, 'fam':, 'timeout':, 'elems': set of (lo, hi)}
        self.sets = {}

    # -- ipset restore ---------------------------------------------------
    def feed_ipset(self, text, where='<ipset>'):
        for ln, raw in enumerate(text.split('\n'), 1):
            try:
                self._ipset_line(raw)
            except ParseError as e:
                raise ParseError('%s:%d: %s: %r' % (where, ln, e, raw))

    def _set(self, name):
        if name not in self.sets:
            raise ParseError('set %r does not exist' % name)
        return self.sets[name]

    def _ipset_line(self, raw):
        if any(ord(c) < 0x20 or ord(c) > 0x7e for c in raw):
            raise ParseError('control or non-ASCII character')
        if raw.strip() == '' or raw.lstrip().startswith('#'):
            return
        w = raw.split()
        exist = '-exist' in w or '-!' in w
        w = [x for x in w if x not in ('-exist', '-!')]
        cmd = w[0]
        if len(w) < 2:
            raise ParseError('%s without a set name' % cmd)
        name = w[1]
        if len(name) > IPSET_NAME_MAX:
            raise ParseError('set name longer than %d' % IPSET_NAME_MAX)
        if cmd == 'create':
            if len(w) < 3 or w[2] not in IPSET_TYPES:
                raise ParseError('set type %r' % (w[2:3],))
            new = {'type': w[2], 'fam': 4, 'timeout': None,
                   'elems': set()}
            opts = w[3:]
            while opts:
                if len(opts) < 2:
                    raise ParseError('create option %r' % opts[0])
                k, v = opts[0], opts[1]
                if k == 'family' and v in IPSET_FAMILY:
                    new['fam'] = IPSET_FAMILY[v]
                elif k == 'timeout' and re.fullmatch(r'[0-9]+', v) and \
                        int(v) <= IPSET_TIMEOUT_MAX:
                    new['timeout'] = int(v)
                elif k in ('hashsize', 'maxelem') and \
                        re.fullmatch(r'[0-9]+', v):
                    pass
                else:
                    raise ParseError('create option %r %r' % (k, v))
                opts = opts[2:]
            old = self.sets.get(name)
            if old is not None:
                same = all(old[k] == new[k] for k in ('type', 'fam',
                                                      'timeout'))
                if not (exist and same):
                    raise ParseError('set %r exists%s' % (
                        name, '' if same else ' with other parameters'))
                return
            self.sets[name] = new
        elif cmd == 'add':
            st = self._set(name)
            if len(w) < 3:
                raise ParseError('add without an element')
            elem, pp = w[2], None
            if st['type'] == 'hash:net,port':
                m = re.fullmatch(r'([^,]+),(tcp|udp):([0-9]+)(?:-([0-9]+))?',
                                 elem)
                if not m:
                    raise ParseError('bad hash:net,port element %r' % elem)
                lo_p = _port(m.group(3))
                hi_p = _port(m.group(4)) if m.group(4) else lo_p
                if lo_p > hi_p:
                    raise ParseError('port range %r' % elem)
                elem, pp = m.group(1), (PROTO_NUM[m.group(2)], lo_p, hi_p)
            try:
                n = ipaddress.ip_network(elem, strict=True)
            except ValueError:
                raise ParseError('bad element %r' % w[2])
            if n.version != st['fam']:
                raise ParseError('IPv%d element in an IPv%d set'
                                 % (n.version, st['fam']))
            if n.prefixlen == 0:
                raise ParseError('hash:net takes no /0')
            rest = w[3:]
            if rest:
                if len(rest) != 2 or rest[0] != 'timeout' or \
                        st['timeout'] is None or \
                        not re.fullmatch(r'[0-9]+', rest[1]):
                    raise ParseError('add option %r' % rest)
            lo, hi = int(n.network_address), int(n.broadcast_address)
            if pp is not None:
                # one element per port; the set: (proto, port) -> nets
                es = {(pp[0], x, lo, hi) for x in range(pp[1], pp[2] + 1)}
            elif st['type'] == 'hash:ip':
                if hi - lo >= 65536:
                    raise ParseError('hash:ip range too large')
                # hash:ip stores each address of a range
                es = {(x, x) for x in range(lo, hi + 1)}
            else:
                es = {(lo, hi)}
            if es <= st['elems'] and not exist:
                raise ParseError('element %s is already in %r'
                                 % (w[2], name))
            st['elems'] |= es
            st.pop('index', None)
            if len(st['elems']) > IPSET_MAXELEM:
                raise ParseError('set %r is full (maxelem %d)'
                                 % (name, IPSET_MAXELEM))
        elif cmd == 'flush':
            self._set(name)['elems'] = set()
            self._set(name).pop('index', None)
        elif cmd == 'destroy':
            self._set(name)
            del self.sets[name]
        elif cmd == 'swap':
            if len(w) != 3:
                raise ParseError('swap takes two sets')
            a, b = self._set(name), self._set(w[2])
            if a['type'] != b['type'] or a['fam'] != b['fam']:
                raise ParseError('swap of sets of other types or families')
            self.sets[name], self.sets[w[2]] = b, a
        else:
            raise ParseError('ipset command %r' % cmd)

    # -- parsing ---------------------------------------------------------
    def _addrs(self, s, fam):
        nets = []
        for a in s.split(','):
            try:
                n = ipaddress.ip_network(a, strict=True)
            except ValueError:
                raise ParseError('bad address %r' % a)
            if n.version != fam:
                raise ParseError('IPv%d address in an IPv%d file'
                                 % (n.version, fam))
            nets.append((int(n.network_address), int(n.broadcast_address)))
        return nets

    def _rule(self, fam, chains, toks):
        r = Rule()
        i = 0
        mods = set()
        while i < len(toks):
            t = toks[i]
            if isinstance(t, tuple):
                raise ParseError('unexpected string')
            if t in ('-s', '--source', '-d', '--destination'):
                nets = self._addrs(_word(toks, i + 1, 'address'), fam)
                if t in ('-s', '--source'):
                    r.src = nets
                else:
                    r.dst = nets
                i += 2
            elif t in ('-p', '--protocol'):
                p = _word(toks, i + 1, 'protocol')
                if re.fullmatch(r'[0-9]+', p) and int(p) <= 255:
                    r.proto = int(p) or None
                elif p in P_NAMES:
                    r.proto = P_NAMES[p]
                else:
                    raise ParseError('protocol %r' % p)
                if (r.proto == 1 and fam == 6) or (r.proto == 58 and
                                                   fam == 4):
                    raise ParseError('protocol %r in an IPv%d file'
                                     % (p, fam))
                if fam == 6 and r.proto in (0, 43, 44, 51, 60):
                    # ip6tables: "never matched protocol ... use
                    # extension match instead"
                    raise ParseError('-p %s never matches in IPv6' % p)
                i += 2
            elif t in ('-m', '--match'):
                m = _word(toks, i + 1, 'match')
                if m not in ('multiport', 'comment', 'conntrack', 'tcp',
                             'udp', 'sctp', 'icmp', 'icmp6', 'state', 'set'):
                    raise ParseError('match %r' % m)
                mods.add(m)
                i += 2
            elif t == '--match-set':
                if 'set' not in mods:
                    raise ParseError('--match-set without -m set')
                name = _word(toks, i + 1, 'set name')
                d = _word(toks, i + 2, 'src or dst')
                if d not in ('src', 'dst', 'dst,dst'):
                    raise ParseError('--match-set flags %r' % d)
                if name not in self.sets:
                    raise ParseError("set %r does not exist (load the "
                                     "ipset file first)" % name)
                st = self.sets[name]
                if (d == 'dst,dst') != (st['type'] == 'hash:net,port'):
                    raise ParseError('--match-set %s %s: the flags do not '
                                     'fit a %s set' % (name, d, st['type']))
                if st['fam'] != fam:
                    raise ParseError('IPv%d set %r in an IPv%d file'
                                     % (st['fam'], name, fam))
                r.sets.append((name, d))
                i += 3
            elif t in ('--dport', '--destination-port'):
                if r.proto not in PORTED:
                    raise ParseError('--dport without -p tcp|udp|sctp')
                r.dports = [_portspec(_word(toks, i + 1, 'port'))]
                i += 2
            elif t in ('--dports', '--destination-ports'):
                if 'multiport' not in mods or r.proto not in PORTED:
                    raise ParseError('--dports without -m multiport and -p')
                specs = _word(toks, i + 1, 'ports').split(',')
                r.dports = [_portspec(x) for x in specs]
                slots = sum(1 if lo == hi else 2 for lo, hi in r.dports)
                if slots > MULTIPORT_MAX:
                    raise ParseError('multiport takes %d ports at most'
                                     % MULTIPORT_MAX)
                i += 2
            elif t in ('--icmp-type', '--icmpv6-type'):
                want = 1 if t == '--icmp-type' else 58
                if r.proto != want:
                    raise ParseError('%s without its protocol' % t)
                v = _word(toks, i + 1, 'type')
                m = re.fullmatch(r'([0-9]+)(?:/([0-9]+))?', v)
                if not m or int(m.group(1)) > 255 or \
                        (m.group(2) and int(m.group(2)) > 255):
                    raise ParseError('icmp type %r (names are not '
                                     'understood)' % v)
                r.icmp = (int(m.group(1)),
                          int(m.group(2)) if m.group(2) else None)
                i += 2
            elif t == '--comment':
                if 'comment' not in mods:
                    raise ParseError('--comment without -m comment')
                c = _string(toks, i + 1, 'comment')
                if len(c) > COMMENT_MAX:
                    raise ParseError('comment longer than %d' % COMMENT_MAX)
                r.comment = c
                i += 2
            elif t in ('--ctstate', '--state'):
                if not mods & {'conntrack', 'state'}:
                    raise ParseError('%s without its match' % t)
                states = _word(toks, i + 1, 'states').split(',')
                bad = set(states) - {'ESTABLISHED', 'RELATED', 'NEW',
                                     'INVALID', 'UNTRACKED'}
                if bad:
                    raise ParseError('state %r' % sorted(bad))
                if 'NEW' not in states:
                    r.never = True
                i += 2
            elif t == '!' and i + 2 < len(toks) and \
                    toks[i + 1] in ('-o', '--out-interface') and \
                    toks[i + 2] == 'lo':
                # not loopback: true of every packet asked about
                i += 3
            elif t in ('-o', '--out-interface', '-i', '--in-interface'):
                if _word(toks, i + 1, 'interface') != 'lo':
                    raise ParseError('only -o lo and -i lo are understood')
                r.never = True
                i += 2
            elif t == '--ctdir':
                if 'conntrack' not in mods:
                    raise ParseError('--ctdir without -m conntrack')
                d = _word(toks, i + 1, 'direction')
                if d not in ('ORIGINAL', 'REPLY'):
                    raise ParseError('--ctdir %r' % d)
                # a new outbound connection is in the original direction
                if d == 'REPLY':
                    r.never = True
                i += 2
            elif t in ('-j', '--jump'):
                r.target = _word(toks, i + 1, 'target')
                i += 2
                if r.target == 'REJECT' and i < len(toks) and \
                        toks[i] == '--reject-with':
                    r.reject_with = _word(toks, i + 1, 'reject type')
                    i += 2
                elif r.target == 'LOG':
                    while i < len(toks) and toks[i] in ('--log-prefix',
                                                        '--log-level'):
                        _string(toks, i + 1, 'log option')
                        i += 2
                if i != len(toks):
                    raise ParseError('text after the target: %r'
                                     % (toks[i],))
            else:
                raise ParseError('option %r' % t)
        if r.target is None:
            raise ParseError('rule without -j')
        if r.target not in ('ACCEPT', 'DROP', 'REJECT', 'LOG', 'RETURN') \
                and r.target not in chains:
            raise ParseError('jump to unknown chain %r' % r.target)
        if r.dports is not None and r.proto not in PORTED:
            raise ParseError('ports without tcp, udp or sctp')
        return r

    def feed(self, text, fam, where='<text>'):
        table = None
        chains = self.fams.setdefault(fam, {})
        self._hooks, self._pending_hook = [], None
        for ln, raw in enumerate(text.split('\n'), 1):
            try:
                table = self._line(raw, fam, chains, table)
            except ParseError as e:
                raise ParseError('%s:%d: %s: %r' % (where, ln, e, raw))
        if table is not None:
            raise ParseError('%s: no COMMIT' % where)
        # The header's jump commands, run after the load: -C finds no
        # jump on a fresh host, -I puts one first.
        for builtin, chain in self._hooks:
            if chain not in chains:
                raise ParseError('%s: the jump names chain %r, which the '
                                 'file does not declare' % (where, chain))
            r = Rule()
            r.target = chain
            if not any(x.target == chain and not x.sets and x.src is None
                       and x.dst is None and x.proto is None
                       for x in chains[builtin]['rules']):
                chains[builtin]['rules'].insert(0, r)

    HOOK_RE = re.compile(r'#   (ip6?tables) -C (OUTPUT|INPUT) -j (\S+) '
                         r'2>/dev/null \|\|')
    HOOK2_RE = re.compile(r'#     (ip6?tables) -I (OUTPUT|INPUT) 1 -j (\S+)')

    def _line(self, raw, fam, chains, table):
        if any(ord(c) < 0x20 or ord(c) > 0x7e for c in raw):
            raise ParseError('control or non-ASCII character')
        m = self.HOOK2_RE.fullmatch(raw)
        if m:
            if self._pending_hook != m.groups():
                raise ParseError('-I without the -C before it')
            if m.group(1) != ('iptables' if fam == 4 else 'ip6tables'):
                raise ParseError('%s in an IPv%d file' % (m.group(1), fam))
            self._hooks.append(m.group(2, 3))
        self._pending_hook = None
        m = self.HOOK_RE.fullmatch(raw)
        if m:
            self._pending_hook = m.groups()
        if raw.strip() == '' or raw.startswith('#'):
            return table
        if raw.startswith('*'):
            if table is not None or raw != '*filter':
                raise ParseError('table %r' % raw)
            # Read as iptables-restore --noflush loads it: the built-in
            # chains stay as they are (empty, ACCEPT, on the host
            # modelled) and a declared chain is created or flushed.
            for b in BUILTIN:
                chains.setdefault(b, {'policy': 'ACCEPT', 'rules': []})
            return 'filter'
        if table is None:
            raise ParseError('line outside a table')
        if raw == 'COMMIT':
            return None
        if raw.startswith(':'):
            m = re.fullmatch(r':([A-Za-z0-9_.-]{1,28}) (ACCEPT|DROP|-) '
                             r'\[[0-9]+:[0-9]+\]', raw)
            if not m:
                raise ParseError('chain declaration')
            name, pol = m.group(1), m.group(2)
            if (name in BUILTIN) != (pol != '-'):
                raise ParseError('policy on a user chain or none on a '
                                 'built-in one')
            chains[name] = {'policy': pol if pol != '-' else None,
                            'rules': []}
            return table
        toks = _tokens(raw)
        if toks[0] != '-A' or len(toks) < 3:
            raise ParseError('command %r' % (toks[0],))
        name = toks[1]
        if name not in chains:
            raise ParseError('chain %r not declared' % name)
        chains[name]['rules'].append(self._rule(fam, chains, toks[2:]))
        return table

    # -- deciding --------------------------------------------------------
    @staticmethod
    def _in(nets, x):
        return any(lo <= x <= hi for lo, hi in nets)

    @staticmethod
    def _netport(st, d, pnum, port):
        """A hash:net,port set holds (destination, protocol, port)."""
        if pnum not in (6, 17):
            return False
        if 'index' not in st:
            st['index'] = {}
            for p, x, lo, hi in st['elems']:
                st['index'].setdefault((p, x), []).append((lo, hi))
        return any(lo <= d <= hi for lo, hi in st['index'].get((pnum, port),
                                                                 ()))

    def _run(self, chains, name, pkt, depth=0):
        if depth > 16:
            raise ParseError('jumps nest too deep')
        fam, s, d, pnum, port = pkt
        for r in chains[name]['rules']:
            if r.never:
                continue
            if r.proto is not None and r.proto != pnum:
                continue
            if r.dports is not None and not self._in(r.dports, port):
                continue
            if r.icmp is not None and (r.icmp[0] != port[0] or (
                    r.icmp[1] is not None and r.icmp[1] != port[1])):
                continue
            if r.dst is not None and not self._in(r.dst, d):
                continue
            if r.src is not None and s is not None and \
                    not self._in(r.src, s):
                continue
            if any(not self._netport(self.sets[n], d, pnum, port)
                   for n, w in r.sets if w == 'dst,dst'):
                continue
            if any(not self._in(self.sets[n]['elems'], d if w == 'dst'
                                else s) for n, w in r.sets
                   if w == 'dst' or w == 'src' and s is not None):
                continue
            if r.target == 'LOG':
                continue
            if r.target == 'RETURN':
                return 'RETURN'
            if r.target in ('ACCEPT', 'DROP', 'REJECT'):
                return r.target
            v = self._run(chains, r.target, pkt, depth + 1)
            if v != 'RETURN':
                return v
        return 'RETURN'

    def decide(self, fam, dst, proto, port, src=None, hook='output'):
        fam = int(fam)
        pnum = _shared.proto_number(proto)
        chains = self.fams.get(fam)
        if chains is None:
            return NO_DECISION
        if pnum in (1, 58):
            port = _shared.icmp_of(port)
        elif pnum in PORTED:
            port = int(port)
        pkt = (fam, int(ipaddress.ip_address(src)) if src else None,
               int(ipaddress.ip_address(dst)), pnum, port)
        name = hook.upper()
        pol = chains[name]['policy']
        user = [c for c in chains if c not in BUILTIN]
        if name == 'OUTPUT' and not chains[name]['rules'] and len(user) == 1:
            name, pol = user[0], None
        v = self._run(chains, name, pkt)
        if v == 'RETURN':
            v = pol
        return {'ACCEPT': 'allow', 'DROP': 'deny', 'REJECT': 'reject',
                None: NO_DECISION}[v]

    def rule_count(self):
        return sum(len(c['rules']) for f in self.fams.values()
                   for c in f.values())


def _family(path, text):
    if re.search(r'(^|\.)(rules\.)?v6$', path) or path.endswith('.v6'):
        return 6
    if re.search(r'(^|\.)(rules\.)?v4$', path) or path.endswith('.v4'):
        return 4
    return 6 if re.search(r'-[sd] [0-9a-fA-F]*:', text) else 4


def load(paths):
    if isinstance(paths, str):
        paths = [paths]
    rs = Rules()
    # ipset restore before the rules that name its sets.
    for p in sorted(paths, key=lambda p: not p.endswith('.ipset')):
        with open(p, encoding='ascii', errors='strict') as f:
            text = f.read()
        if p.endswith('.ipset'):
            rs.feed_ipset(text, p)
        else:
            rs.feed(text, _family(p, text), p)
    return rs


def loads(v4=None, v6=None, ipset=None):
    rs = Rules()
    if ipset is not None:
        rs.feed_ipset(ipset)
    if v4 is not None:
        rs.feed(v4, 4)
    if v6 is not None:
        rs.feed(v6, 6)
    return rs


def expect(explained, fam, proto, port, by_default=False):
    """What this reader must answer where `egressc explain` says explained:
    the same (this target has reject of its own)."""
    return explained
