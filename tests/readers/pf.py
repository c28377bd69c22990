"""pf.py - an independent reader of pf.conf text (tests/readers/readers.py).

Models what pfctl and pf do with the subset of pf.conf a filter file uses:
backslash-newline joins lines (even inside a comment), '#' starts a comment
to the end of the line, `table <t> [const|persist] { ... }` declares
address tables, and pass/block rules are evaluated with pf's rule: the
LAST matching rule decides, unless a matching rule is `quick`, which
decides at once.  `block` without drop/return follows `set block-policy`
(drop by default).  pfctl resolves host names in tables and rules when it
loads the file: the reader asks readers.resolve().

A rule that names a table looks the table up when a packet comes, not
when the rule is loaded: `pfctl -t T -T replace ADDR ...` (pfctl(8),
OpenBSD 7.6, -T replace: "Replace the addresses of the table") changes
what the rule matches.  A `const` table cannot be changed so (pf.conf(5),
TABLES: "The const flag prevents the user from altering the contents of
the table once it has been created"); `persist` keeps a table no rule
refers to.  run_script() applies what `egressc refresh -t pf` prints.

pfctl's lexer turns every word of the grammar into a keyword before the
parser sees it, even between < and >: a table named like a keyword
(`<route-to>`) is a syntax error.  KEYWORDS are the quoted words of the
GRAMMAR section of pf.conf(5), OpenBSD 7.6 (which says "reserved words may
not be used as table names").

pf is stateful and filters both directions (pf.conf(5), OpenBSD 7.6,
"STATEFUL FILTERING"): a packet that matches a state passes without rule
evaluation, and a pass rule creates state unless it says `no state`.  A
packet that matches no rule passes, without state.  So a flow a peer opens
from outside is let in when no rule blocks its first packet, and the
host's answer then leaves by state (the inbound pass kept state) or is
judged by the rules as a new outbound packet: opened_from_outside()
(readers.py) models exactly that.  A stateful TCP pass rule matches only
`flags S/SA` unless it says otherwise (pf.conf(5), "flags"), so the
host's SYN+ACK answer to a connection from outside never matches one.
"""

import re
import shlex

from readers import (AddrSet, IcmpSet, NumSet, ReaderError, icmp_of,
                     parse_ip, proto_number, resolve, to_int)

HAS_REJECT = True

TOKEN = re.compile(r'<[^<>\s]*>|[{}(),!]|[^\s{}(),!]+')
# pf.conf(5), OpenBSD: `proto` takes a name of protocols(5) or a number;
# `port` goes with tcp and udp only; `icmp-type type [code code]` and
# `icmp6-type` (numbers or pf's names), in a { } list too.
PROTO = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmp6': 58, 'ipv6-icmp': 58,
         'sctp': 132, 'gre': 47, 'esp': 50, 'ah': 51}

# pf.conf(5), OpenBSD 7.6, GRAMMAR: every quoted word (two-word tokens
# such as "skip on" split), and the timeout and limit names.
KEYWORDS = frozenset("""
    adaptive adaptive.end adaptive.start af-to aggressive alert all
    allow-opts always anchor antispoof any basic bandwidth binat-to bitmask
    block block-policy burst code conservative const counters crit debug
    default divert-packet divert-reply divert-to drop dup-to emerg end err
    file fingerprints flags floating flows flush for frag fragment frags
    from global group high-latency icmp-type icmp-type-code icmp.error
    icmp.first icmp6-type if-bound in include inet inet6 info interval keep
    label least-states limit load log loginterface match matches max
    max-mss max-pkt-rate max-src-conn max-src-conn-rate max-src-nodes
    max-src-states min min-ttl modulate ms nat-to never no no-df no-route
    no-sync none normal notice on once optimization os other.first
    other.multiple other.single out overload parent pass persist pflow port
    prio probability profile proto qlimit quantum queue quick random
    random-id rdomain rdr-to reassemble received-on reply-to return
    return-icmp return-icmp6 return-rst round-robin route route-to rtable
    rule ruleset-optimization satellite scrub self set skip sloppy
    source-hash source-track src-nodes src.track start state state-defaults
    state-policy states static-port sticky-address synproxy syncookies
    table table-entries tables tag tagged tcp.closed tcp.closing
    tcp.established tcp.finwait tcp.first tcp.opening timeout to tos ttl
    udp.first udp.multiple udp.single urgent urpf-failed user warning weight
    yes
""".split())


def statements(text):
    """The file's statements, one per logical line, as token lists."""
    text = text.replace('\\\n', '')
    out = []
    for line in text.split('\n'):
        line = line.split('#', 1)[0]
        if '"' in line:
            raise ReaderError('quoted strings are not expected: %r' % line)
        toks = TOKEN.findall(line)
        if toks:
            out.append(toks)
    return out


class HostSpec:
    """One side of a rule: the addresses it writes, and the tables it
    names, read at each packet."""

    def __init__(self, reader):
        self.reader = reader
        self.addrs = AddrSet()
        self.tables = []

    def _sets(self):
        yield self.addrs
        for t in self.tables:
            yield self.reader.tables[t]

    def has(self, fam, addr):
        return any(s.has(fam, addr) for s in self._sets())

    def has_fam(self, fam):
        return any(s.has_fam(fam) for s in self._sets())


class Rule:
    def __init__(self):
        self.action = None
        self.dir = None
        self.quick = False
        self.af = None
        self.protos = None
        self.src = None         # None: any
        self.dst = None
        self.state = True       # pass rules keep state unless told
        self.ports = NumSet()
        self.types = IcmpSet()


class PfReader:
    def __init__(self, text):
        self.tables = {}
        self.table_flags = {}
        self.rules = []
        self.block_policy = 'deny'
        for toks in statements(text):
            self._statement(toks)

    # -- parsing --
    def _statement(self, t):
        if t[0] == 'set':
            if t[1:3] == ['block-policy', 'return']:
                self.block_policy = 'reject'
            elif t[1:3] == ['block-policy', 'drop']:
                self.block_policy = 'deny'
            elif t[1] not in ('skip', 'optimization', 'limit', 'timeout',
                              'state-policy', 'ruleset-optimization'):
                raise ReaderError('unknown option %r' % t[1])
            return
        if t[0] == 'table':
            self._table(t)
            return
        if t[0] in ('pass', 'block'):
            self.rules.append(self._rule(t))
            return
        raise ReaderError('unknown statement %r' % ' '.join(t))

    def _table(self, t):
        if len(t) < 2 or not t[1].startswith('<'):
            raise ReaderError('bad table %r' % ' '.join(t))
        name = t[1][1:-1]
        if name in KEYWORDS:
            raise ReaderError('table name %r is a pf keyword: pfctl reads '
                              'it as the keyword, a syntax error' % name)
        if len(name) > 31 or not name:
            raise ReaderError('table name %r longer than 31' % name)
        if name in self.tables:
            raise ReaderError('table <%s> declared twice' % name)
        i = 2
        flags = set()
        while i < len(t) and t[i] in ('const', 'persist', 'counters'):
            flags.add(t[i])
            i += 1
        if t[i] != '{' or t[-1] != '}':
            raise ReaderError('table <%s> without { }' % name)
        s = AddrSet()
        for item in t[i + 1:-1]:
            if item != ',':
                self._addr_item(s, item)
        self.tables[name] = s
        self.table_flags[name] = flags

    def _addr_item(self, s, item):
        if item == 'any':
            s.update(AddrSet.any())
        elif re.match(r'^[0-9a-fA-F:.]+(/\d+)?$', item) and (
                ':' in item or '.' in item):
            s.add_cidr(item)
        elif re.match(r'^[a-z0-9.-]+$', item, re.I):
            s.update(resolve(item))     # pfctl resolves it at load time
        else:
            raise ReaderError('bad address %r' % item)

    def _list(self, t, i):
        """A single token or { a, b }: (items, next index)."""
        if t[i] != '{':
            return [t[i]], i + 1
        j = t.index('}', i)
        return [x for x in t[i + 1:j] if x != ','], j + 1

    def _host(self, t, i):
        if t[i] == '!':
            raise ReaderError('negation is not expected')
        items, i = self._list(t, i)
        s = HostSpec(self)
        for item in items:
            if item.startswith('<'):
                name = item[1:-1]
                if name not in self.tables:
                    raise ReaderError('table <%s> not declared' % name)
                s.tables.append(name)
            else:
                self._addr_item(s.addrs, item)
        return s, i

    def _nums(self, t, i):
        items, i = self._list(t, i)
        s = NumSet([])
        for item in items:
            if item in ('=', '!='):
                raise ReaderError('operators are not expected')
            lo, sep, hi = item.partition(':')
            if sep:
                s.add(to_int(lo, 'port'), to_int(hi, 'port'))
            else:
                s.add(to_int(item, 'port'))
        return s, i

    def _icmp(self, t, i):
        """TYPE [code CODE] or { TYPE [code CODE], ... }."""
        items, i = self._list(t, i)
        if i < len(t) and t[i] == 'code' and len(items) == 1:
            items, i = items + ['code', t[i + 1]], i + 2
        s = IcmpSet([])
        k = 0
        while k < len(items):
            ty = to_int(items[k], 'type')
            k += 1
            code = None
            if k < len(items) and items[k] == 'code':
                code = to_int(items[k + 1], 'code')
                k += 2
            s.add(ty, code)
        return s, i

    def _rule(self, t):
        r = Rule()
        i = 1
        if t[0] == 'pass':
            r.action = 'allow'
        else:
            r.action = self.block_policy
            if t[i] == 'drop':
                r.action, i = 'deny', i + 1
            elif t[i] == 'return':
                r.action, i = 'reject', i + 1
        if t[i] in ('in', 'out'):
            r.dir, i = t[i], i + 1
        if i < len(t) and t[i] == 'log':
            i += 1
        if i < len(t) and t[i] == 'quick':
            r.quick, i = True, i + 1
        if i < len(t) and t[i] in ('inet', 'inet6'):
            r.af, i = (4 if t[i] == 'inet' else 6), i + 1
        if i < len(t) and t[i] == 'proto':
            items, i = self._list(t, i + 1)
            r.protos = set()
            for p in items:
                if re.fullmatch(r'[0-9]+', p) and 0 < int(p) <= 255:
                    r.protos.add(int(p))
                elif p in PROTO:
                    r.protos.add(PROTO[p])
                else:
                    raise ReaderError('unknown protocol %r' % p)
        if i < len(t) and t[i] == 'all':
            i += 1
        else:
            if i < len(t) and t[i] == 'from':
                r.src, i = self._host(t, i + 1)
            if i < len(t) and t[i] == 'to':
                r.dst, i = self._host(t, i + 1)
                if i < len(t) and t[i] == 'port':
                    r.ports, i = self._nums(t, i + 1)
        while i < len(t):
            if t[i] in ('icmp-type', 'icmp6-type'):
                want = 'icmp' if t[i] == 'icmp-type' else 'icmp6'
                if r.protos != {PROTO[want]}:
                    raise ReaderError('%s without proto %s' % (t[i], want))
                r.types, i = self._icmp(t, i + 1)
            elif t[i:i + 2] in (['keep', 'state'], ['no', 'state']):
                if r.action != 'allow':
                    raise ReaderError('%s state on a block rule' % t[i])
                r.state = t[i] == 'keep'
                i += 2
            else:
                raise ReaderError('unexpected %r in %r' % (t[i], ' '.join(t)))
        if r.ports.ranges is not None and not (
                r.protos and r.protos <= {6, 17}):
            raise ReaderError('port without proto tcp/udp in %r' % ' '.join(t))
        return r

    # -- deciding --
    def _match(self, r, fam, dst, proto, port, src, way='out', synack=False):
        if r.dir is not None and r.dir != way:
            return False
        if synack and r.action == 'allow' and r.state:
            return False        # flags S/SA: not a SYN+ACK
        if r.af is not None and r.af != fam:
            return False
        if r.protos is not None and proto_number(proto) not in r.protos:
            return False
        if proto == 'icmp' and fam != 4 or proto == 'icmpv6' and fam != 6:
            return False
        # The host's own side: the source going out, the destination
        # coming in; any address of the family when none is given.
        mine, peer = (r.src, r.dst) if way == 'out' else (r.dst, r.src)
        if mine is not None and not (mine.has_fam(fam) if src is None
                                     else mine.has(fam, src)):
            return False
        if peer is not None and not peer.has(fam, dst):
            return False
        if way == 'in' and proto in ('tcp', 'udp') and \
                r.ports.ranges is not None:
            raise ReaderError('inbound rules with ports are not modelled')
        if proto in ('tcp', 'udp') and not r.ports.has(port):
            return False
        if proto in ('icmp', 'icmpv6') and not r.types.has(icmp_of(port)):
            return False
        return True

    def _last(self, fam, peer, proto, port, src, way, synack=False):
        f, a = parse_ip(peer)
        if f != fam:
            raise ReaderError('address %s is not IPv%d' % (peer, fam))
        if src is not None:
            src = parse_ip(src)[1]
        last = None
        for r in self.rules:
            if self._match(r, fam, a, proto, port, src, way, synack):
                last = r
                if r.quick:
                    break
        return last

    def decide(self, fam, dst, proto, port, src=None):
        last = self._last(fam, dst, proto, port, src, 'out')
        return 'no decision' if last is None else last.action

    def decide_in(self, fam, peer, proto, port):
        """A packet coming in from peer that no state takes: port is its
        ICMP type (inbound rules with ports are not modelled)."""
        last = self._last(fam, peer, proto, port, None, 'in')
        return 'no decision' if last is None else last.action

    def opened_from_outside(self, fam, peer, proto, port):
        """A flow peer opens to this host (TCP or UDP from source port
        port; ICMP: an echo request) and the host's answer to it."""
        first = proto, port
        if proto in ('icmp', 'icmpv6'):
            first = proto, (8, 0) if proto == 'icmp' else (128, 0)
            port = (0, 0) if proto == 'icmp' else (129, 0)
        last = self._last(fam, peer, first[0], first[1], None, 'in')
        if last is not None and last.action != 'allow':
            return 'deny'
        if last is not None and last.state:
            return 'allow'      # the answer leaves by the state
        last = self._last(fam, peer, proto, port, None, 'out',
                          synack=proto == 'tcp')
        return 'allow' if last is None or last.action == 'allow' else 'deny'

    # -- pfctl at run time --
    def pfctl(self, argv, stdin=''):
        """pfctl [-q] -t TABLE -T replace ADDR ...: the table's addresses
        become those given; with -f -, those of standard input, separated
        by white space, '#' to the end of a line a comment (pfctl(8) -f,
        OpenBSD's pfctl_radix.c pfr_buf_load: "-" is stdin).  pfctl would
        make a table the ruleset lacks, which no rule looks up: here, an
        error."""
        args = list(argv[1:])
        if args[:1] == ['-q']:
            args = args[1:]
        if args[4:] == ['-f', '-']:
            args = args[:4] + re.sub(r'#[^\n]*', '', stdin).split()
        if len(args) < 4 or args[0] != '-t' or args[2:4] != ['-T',
                                                             'replace']:
            raise ReaderError('unexpected pfctl command %r' % ' '.join(argv))
        name = args[1]
        if name not in self.tables:
            raise ReaderError('pfctl -t %s: no such table in the ruleset: '
                              'pfctl would make one no rule uses' % name)
        if 'const' in self.table_flags[name]:
            raise ReaderError('pfctl -t %s -T replace: the table is const'
                              % name)
        s = AddrSet()
        for a in args[4:]:
            if not re.match(r'^[0-9a-fA-F:.]+(/\d+)?$', a):
                raise ReaderError('pfctl -T replace: bad address %r' % a)
            s.add_cidr(a)
        self.tables[name] = s

    def run_script(self, text):
        """The sh script egressc refresh -t pf prints: comments, st=0,
        `pfctl ... || st=1` lines and `exit $st`; anything else is an
        error.  Returns the tables it replaced, in order."""
        done = []
        lines = iter(text.split('\n'))
        for line in lines:
            line = line.strip()
            if not line or line.startswith('#') or line in ('st=0',
                                                            'exit $st'):
                continue
            if line.endswith(' || st=1'):
                line = line[:-len(' || st=1')]
            stdin = ''
            m = re.match(r"^(.*) <<'([A-Z_]+)'$", line)
            if m:
                # A here-document: the lines up to its word, as sh(1).
                line, word, body = m.group(1), m.group(2), []
                for b in lines:
                    if b == word:
                        break
                    body.append(b)
                else:
                    raise ReaderError('here-document without its end %r'
                                      % word)
                stdin = '\n'.join(body) + '\n'
            argv = shlex.split(line)
            if argv[0] != 'pfctl':
                raise ReaderError('unexpected line %r' % line)
            self.pfctl(argv, stdin)
            done.append(argv[argv.index('-t') + 1])
        return done

    def rule_count(self):
        return len(self.rules)


def load(paths):
    if len(paths) != 1:
        raise ReaderError('pf reads one file')
    with open(paths[0], encoding='utf-8') as f:
        return PfReader(f.read())
