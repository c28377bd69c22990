"""nftables.py - read an `nft -f` ruleset as the kernel would decide a new
outbound (or, with hook='input', inbound) packet.

An independent reader for egressc's nftables output (and hand-written
rulesets in the same subset): `table inet T` blocks with named address sets
and chains (a block may name a chain or set again, as nft allows: it adds
to it), `flush table` (every rule of the table goes) and `flush set` (its
elements go), the hooked output chain (or, with no hook, the one regular
chain: what `default: none` emits to be jumped to), rules of selectors and
one verdict, first verdict wins.  `ip daddr @SET` matches what the set
holds once the whole file is read: a set with `flags timeout` (a dynamic
set) holds only what the file puts in it, which is nothing at load time.  `ct state established,related` never matches a new connection and
`oif "lo"` never matches a packet leaving by another interface.

A set may have a concatenated type (nft(8), SETS and "CONCATENATIONS"):
`type ipv4_addr . inet_proto . inet_service` with `flags interval`, whose
elements are `ADDR . PROTO . PORT`, each part a value or an interval
(address prefix or range, port range), optionally with `comment "..."`,
listed over several lines; `ip daddr . meta l4proto . th dport @SET`
matches a packet whose (destination, protocol, port) lies in one of them.
The kernel's concatenated interval sets (nft_set_pipapo) refuse elements
that overlap, so this reader refuses them too.

    load(paths) -> Ruleset
    Ruleset.decide(fam, dst, proto, port, src=None, hook='output') ->
        'allow'|'deny'|'reject'|'no decision'
        hook='input': a packet from src to this host's dst; with no input
        chain nothing filters it ('allow').
    Ruleset.rule_count() -> int
    expect(explained, fam, proto, port, by_default=False) -> what
        decide() must return where explain says explained

'no decision': no rule decided and the chain has no policy (a regular chain).
Anything not understood raises ParseError (a ValueError, and
readers.ReaderError where the shared module is).  Standard library only.
"""

import ipaddress
import re

# nft(8), nftables 1.0.6: `meta l4proto` takes a protocol number or a name
# (nft's own words tcp, udp, icmp, esp, ah, sctp ..., /etc/protocols' for
# the rest); `tcp|udp|sctp dport`, `icmp type|code` and `icmpv6 type|code`
# are payload expressions (PAYLOAD EXPRESSION), each with its protocol as a
# dependency.
PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}
L4_NAMES = {'tcp': 6, 'udp': 17, 'icmp': 1, 'ipv6-icmp': 58, 'icmpv6': 58,
            'esp': 50, 'ah': 51, 'sctp': 132, 'gre': 47}
VERDICT = {'accept': 'allow', 'drop': 'deny', 'reject': 'reject'}
COMMENT_MAX = 128


import readers as _shared              # what the readers share

NO_DECISION = 'no decision'
HAS_REJECT = True


class ParseError(_shared.ReaderError, ValueError):
    pass


def _tokens(line):
    """Words, quoted strings (kept with their quotes), braces, commas and
    semicolons."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c in ' \t':
            i += 1
        elif c == '"':
            j = line.find('"', i + 1)
            if j < 0:
                raise ParseError('unterminated string')
            s = line[i:j + 1]
            if '\\' in s:
                raise ParseError('escape in a string')
            out.append(s)
            i = j + 1
        elif c in '{},;':
            out.append(c)
            i += 1
        elif c == '#':
            break
        else:
            m = re.match(r'[^\s{},;"#]+', line[i:])
            out.append(m.group(0))
            i += len(m.group(0))
    return out


def _values(toks, i):
    """A value or an anonymous set { a, b } at toks[i]: (list, next)."""
    if i >= len(toks):
        raise ParseError('value missing')
    if toks[i] != '{':
        if toks[i] in ('}', ',', ';'):
            raise ParseError('value missing')
        return [toks[i]], i + 1
    vals, i = [], i + 1
    while True:
        if i >= len(toks):
            raise ParseError('unterminated set')
        vals.append(toks[i])
        i += 1
        if i < len(toks) and toks[i] == ',':
            i += 1
            continue
        if i < len(toks) and toks[i] == '}':
            if not vals:
                raise ParseError('empty set')
            return vals, i + 1
        raise ParseError('bad set')


def _addr_set(vals, fam):
    nets = []
    for v in vals:
        try:
            if '-' in v:
                lo, hi = v.split('-', 1)
                lo, hi = ipaddress.ip_address(lo), ipaddress.ip_address(hi)
                if lo.version != fam or hi.version != fam or lo > hi:
                    raise ParseError('bad range %r' % v)
                nets.append((int(lo), int(hi)))
                continue
            n = ipaddress.ip_network(v, strict=True)
        except ValueError:
            raise ParseError('bad address %r' % v)
        if n.version != fam:
            raise ParseError('IPv%d address in an IPv%d match: %r'
                             % (n.version, fam, v))
        nets.append((int(n.network_address), int(n.broadcast_address)))
    return nets


def _num_set(vals, hi_max, what):
    out = []
    for v in vals:
        m = re.fullmatch(r'([0-9]+)(?:-([0-9]+))?', v)
        if not m:
            raise ParseError('%s %r (named values are not understood)'
                             % (what, v))
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo > hi or hi > hi_max:
            raise ParseError('%s %r' % (what, v))
        out.append((lo, hi))
    return out


CONCAT_TYPES = {('ipv4_addr', 'inet_proto', 'inet_service'): 4,
                ('ipv6_addr', 'inet_proto', 'inet_service'): 6}
CONCAT_MATCH = ['daddr', '.', 'meta', 'l4proto', '.', 'th', 'dport']


def _split_elems(vals_toks):
    """The tokens between { and } split at top-level commas."""
    out, cur = [], []
    for t in vals_toks:
        if t == ',':
            out.append(cur)
            cur = []
        else:
            cur.append(t)
    out.append(cur)
    return out


def _concat_elem(toks, fam):
    """ADDR . PROTO . PORT [comment "x"] -> (alo, ahi, proto, plo, phi,
    comment)."""
    comment = None
    if len(toks) == 7 and toks[5] == 'comment' and toks[6].startswith('"'):
        comment = toks[6][1:-1]
        if len(comment) > COMMENT_MAX:
            raise ParseError('element comment longer than %d' % COMMENT_MAX)
        toks = toks[:5]
    if len(toks) != 5 or toks[1] != '.' or toks[3] != '.':
        raise ParseError('concatenated element %r' % ' '.join(toks))
    (alo, ahi), = _addr_set([toks[0]], fam)
    p = toks[2]
    if re.fullmatch(r'[0-9]+', p) and int(p) <= 255:
        proto = int(p)
    elif p in L4_NAMES:
        proto = L4_NAMES[p]
    else:
        raise ParseError('protocol %r' % p)
    (plo, phi), = _num_set([toks[4]], 65535, 'port')
    return (alo, ahi, proto, plo, phi, comment)


def _overlaps(a, b):
    return a[2] == b[2] and a[0] <= b[1] and b[0] <= a[1] and \
        a[3] <= b[4] and b[3] <= a[4]


class Rule:
    def __init__(self):
        self.fam = None         # 4, 6 or None (both)
        self.l4 = None          # protocol number, or a set of them
        self.saddr = self.daddr = None
        self.dports = None
        self.icmp = None        # ICMP types
        self.code = None        # ICMP codes
        self.never = False      # ct state / oif lo: no new outbound packet
        self.verdict = None
        self.comment = None
        self.tuples = None      # a concatenated set's elements


class Ruleset:
    def __init__(self):
        self.tables = {}        # name -> {chain: {'hook':, 'policy':, rules}}
        self.sets = {}          # table -> {set: {'fam':, 'flags':, 'nets':}}
        self.order = []
        self.cur_table = None

    def _set_fam(self, r, fam):
        if r.fam is not None and r.fam != fam:
            raise ParseError('rule mixes families')
        r.fam = fam

    def _set_l4(self, r, protos):
        protos = set(protos)
        if r.l4 is not None and r.l4 != protos:
            raise ParseError('rule mixes protocols')
        r.l4 = protos

    def _rule(self, toks):
        r = Rule()
        i = 0
        while i < len(toks):
            t = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if t in ('ip', 'ip6') and toks[i + 1:i + 8] == CONCAT_MATCH:
                fam = 4 if t == 'ip' else 6
                self._set_fam(r, fam)
                if i + 8 >= len(toks) or not toks[i + 8].startswith('@'):
                    raise ParseError('a concatenation without a set')
                st = self.sets.get(self.cur_table, {}).get(toks[i + 8][1:])
                if st is None:
                    raise ParseError('no set %s' % toks[i + 8])
                if st['fam'] != fam or not st.get('concat'):
                    raise ParseError('set %s is not of IPv%d address . '
                                     'protocol . port' % (toks[i + 8], fam))
                if r.tuples is not None or r.daddr is not None:
                    raise ParseError('two daddr matches')
                r.tuples = st['tuples']
                i += 9
            elif t in ('ip', 'ip6') and nxt in ('daddr', 'saddr') and \
                    i + 2 < len(toks) and toks[i + 2].startswith('@'):
                fam = 4 if t == 'ip' else 6
                self._set_fam(r, fam)
                st = self.sets.get(self.cur_table, {}).get(toks[i + 2][1:])
                if st is None:
                    raise ParseError('no set %s' % toks[i + 2])
                if st['fam'] != fam or st.get('concat'):
                    raise ParseError('IPv%d set in an IPv%d match'
                                     % (st['fam'], fam))
                # The set itself: what it holds at the end of the file.
                nets = st['nets']
                i += 3
                if nxt == 'daddr':
                    if r.daddr is not None:
                        raise ParseError('two daddr matches')
                    r.daddr = nets
                else:
                    if r.saddr is not None:
                        raise ParseError('two saddr matches')
                    r.saddr = nets
            elif t in ('ip', 'ip6') and nxt in ('daddr', 'saddr'):
                fam = 4 if t == 'ip' else 6
                self._set_fam(r, fam)
                vals, i = _values(toks, i + 2)
                nets = _addr_set(vals, fam)
                if nxt == 'daddr':
                    if r.daddr is not None:
                        raise ParseError('two daddr matches')
                    r.daddr = nets
                else:
                    if r.saddr is not None:
                        raise ParseError('two saddr matches')
                    r.saddr = nets
            elif t in ('tcp', 'udp', 'sctp') and nxt == 'dport':
                self._set_l4(r, [PROTO_NUM[t]])
                vals, i = _values(toks, i + 2)
                if r.dports is not None:
                    raise ParseError('two dport matches')
                r.dports = _num_set(vals, 65535, 'port')
            elif t in ('icmp', 'icmpv6') and nxt in ('type', 'code'):
                self._set_l4(r, [PROTO_NUM[t]])
                vals, i = _values(toks, i + 2)
                if getattr(r, 'icmp' if nxt == 'type' else 'code') \
                        is not None:
                    raise ParseError('two icmp %s matches' % nxt)
                if nxt == 'type':
                    r.icmp = _num_set(vals, 255, 'icmp type')
                else:
                    r.code = _num_set(vals, 255, 'icmp code')
            elif t == 'meta' and nxt == 'nfproto':
                vals, i = _values(toks, i + 2)
                if vals not in (['ipv4'], ['ipv6']):
                    raise ParseError('nfproto %r' % vals)
                self._set_fam(r, 4 if vals == ['ipv4'] else 6)
            elif t == 'meta' and nxt == 'l4proto':
                vals, i = _values(toks, i + 2)
                try:
                    self._set_l4(r, [int(v) if re.fullmatch(r'[0-9]+', v)
                                     and int(v) <= 255 else L4_NAMES[v]
                                     for v in vals])
                except KeyError:
                    raise ParseError('l4proto %r' % vals)
            elif t == 'ct' and nxt == 'state':
                if i + 2 < len(toks) and toks[i + 2] == '{':
                    vals, i = _values(toks, i + 2)
                else:
                    # a bare list: established,related
                    vals, i = [_values(toks, i + 2)[0][0]], i + 3
                    while i + 1 < len(toks) and toks[i] == ',':
                        vals.append(toks[i + 1])
                        i += 2
                bad = set(vals) - {'established', 'related', 'new',
                                   'invalid', 'untracked'}
                if bad:
                    raise ParseError('ct state %r' % sorted(bad))
                if 'new' not in vals:
                    r.never = True
            elif t in ('oif', 'iif') and nxt == '"lo"':
                r.never = True
                i += 2
            elif t == 'oif' and nxt == '!=' and i + 2 < len(toks) and \
                    toks[i + 2] == '"lo"':
                # every packet the reader is asked about leaves by a
                # real interface: this condition always holds
                i += 3
            elif t == 'ct' and nxt == 'direction':
                if i + 2 >= len(toks) or \
                        toks[i + 2] not in ('original', 'reply'):
                    raise ParseError('ct direction')
                # a new outbound connection is in the original direction
                if toks[i + 2] == 'reply':
                    r.never = True
                i += 3
            elif t == 'log':
                i += 1
                if i < len(toks) and toks[i] == 'prefix':
                    if i + 1 >= len(toks) or not toks[i + 1].startswith('"'):
                        raise ParseError('log prefix without a string')
                    i += 2
            elif t == 'counter':
                i += 1
            elif t in VERDICT:
                if r.verdict is not None:
                    raise ParseError('two verdicts')
                r.verdict = VERDICT[t]
                i += 1
                if t == 'reject' and i < len(toks) and toks[i] == 'with':
                    if i + 2 >= len(toks):
                        raise ParseError('reject with what')
                    i += 3
                    if toks[i - 2] in ('icmp', 'icmpv6', 'icmpx') and \
                            toks[i - 1] == 'type':
                        i += 1
            elif t == 'comment':
                if r.comment is not None:
                    raise ParseError('two comments')
                if nxt is None or not nxt.startswith('"'):
                    raise ParseError('comment without a string')
                if len(nxt) - 2 > COMMENT_MAX:
                    raise ParseError('comment longer than %d' % COMMENT_MAX)
                r.comment = nxt[1:-1]
                i += 2
                if i != len(toks):
                    raise ParseError('text after the comment')
            else:
                raise ParseError('statement %r' % t)
            if r.verdict is not None and i < len(toks) and \
                    toks[i] != 'comment':
                raise ParseError('statement after the verdict')
        if r.verdict is None:
            raise ParseError('rule without a verdict')
        return r

    def feed(self, text, where='<text>'):
        table = chain = None
        self.pending = None
        for ln, raw in enumerate(text.split('\n'), 1):
            try:
                table, chain = self._line(raw, table, chain)
            except ParseError as e:
                raise ParseError('%s:%d: %s: %r' % (where, ln, e, raw))
        if table is not None or self.pending is not None:
            raise ParseError('%s: unterminated table' % where)

    def _line(self, raw, table, chain):
        if any(ord(c) < 0x20 and c != '\t' or ord(c) > 0x7e for c in raw):
            raise ParseError('control or non-ASCII character')
        s = raw.strip()
        if s == '' or s.startswith('#'):
            return table, chain
        toks = _tokens(s)
        if self.pending is not None:
            # `elements = { ...` goes on until its closing brace.
            self.pending.extend(toks)
            if '}' not in toks:
                return table, chain
            toks, self.pending = self.pending, None
            return self._set_line(toks, table, chain)
        if table is None:
            if toks[:2] == ['table', 'inet'] and len(toks) == 5 and \
                    toks[3:] == ['{', '}']:
                self._table(toks[2])
                return None, None
            if toks[:2] == ['table', 'inet'] and len(toks) == 4 and \
                    toks[3] == '{':
                self._table(toks[2])
                return toks[2], None
            if toks[:3] == ['delete', 'table', 'inet'] and len(toks) == 4:
                if toks[3] not in self.tables:
                    raise ParseError('delete of a table that does not exist')
                del self.tables[toks[3]]
                self.sets.pop(toks[3], None)
                self.order.remove(toks[3])
                return None, None
            if toks[:3] == ['flush', 'table', 'inet'] and len(toks) == 4:
                if toks[3] not in self.tables:
                    raise ParseError('flush of a table that does not exist')
                for c in self.tables[toks[3]].values():
                    c['rules'] = []
                return None, None
            if toks[:3] == ['flush', 'set', 'inet'] and len(toks) == 5:
                st = self.sets.get(toks[3], {}).get(toks[4])
                if st is None:
                    raise ParseError('flush of a set that does not exist')
                del st['nets'][:]
                if 'tuples' in st:
                    del st['tuples'][:]
                return None, None
            raise ParseError('unknown command')
        if isinstance(chain, tuple):
            return self._set_line(toks, table, chain)
        if chain is None:
            if toks == ['}']:
                return None, None
            if toks[0] == 'chain' and len(toks) == 3 and toks[2] == '{':
                t = self.tables[table]
                if toks[1] not in t:
                    t[toks[1]] = {'hook': None, 'policy': None, 'rules': []}
                self.cur_table = table
                return table, toks[1]
            if toks[0] == 'set' and len(toks) == 3 and toks[2] == '{':
                if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_-]*', toks[1]):
                    raise ParseError('set name %r' % toks[1])
                sets = self.sets.setdefault(table, {})
                if toks[1] not in sets:
                    sets[toks[1]] = {'fam': None, 'flags': set(),
                                     'timeout': None, 'nets': [],
                                     'new': True}
                return table, ('set', toks[1])
            raise ParseError('unknown table statement')
        c = self.tables[table][chain]
        if toks == ['}']:
            return table, None
        if toks[0] == 'type':
            m = re.fullmatch(r'type filter hook (\w+) priority (\S+) ; '
                             r'(?:policy (accept|drop) ; )?', ' '.join(toks) +
                             ' ')
            # Declared again (a file that keeps the dynamic sets names
            # its chains twice): the same hook, the policy may change.
            if not m or c['rules'] or (c['hook'] and
                                       c['hook'] != m.group(1)):
                raise ParseError('chain type line')
            c['hook'] = m.group(1)
            c['policy'] = m.group(3) or 'accept'
            return table, chain
        c['rules'].append(self._rule(toks))
        return table, chain

    def _set_line(self, toks, table, chain):
        """One line of `set NAME { ... }`."""
        st = self.sets[table][chain[1]]
        if toks == ['}']:
            if st['fam'] is None:
                raise ParseError('set without a type')
            st['new'] = False
            return table, None
        if toks[0] == 'type' and len(toks) == 6 and toks[2::2] == ['.', '.']:
            fam = CONCAT_TYPES.get(tuple(toks[1::2]))
            if fam is None or (st['fam'] is not None and
                               (st['fam'] != fam or not st.get('concat'))):
                raise ParseError('set type %r' % ' '.join(toks[1:]))
            st['fam'] = fam
            st['concat'] = True
            st.setdefault('tuples', [])
            return table, chain
        if toks[0] == 'type' and len(toks) == 2:
            fam = {'ipv4_addr': 4, 'ipv6_addr': 6}.get(toks[1])
            if fam is None or (st['fam'] is not None and st['fam'] != fam):
                raise ParseError('set type %r' % toks[1])
            st['fam'] = fam
            return table, chain
        if toks[0] == 'flags' and len(toks) == 2:
            flags = set(toks[1].split(','))
            if flags - {'interval', 'timeout'}:
                raise ParseError('set flags %r' % toks[1])
            if not st['new'] and flags != st['flags']:
                raise ParseError('set flags changed')
            st['flags'] |= flags
            return table, chain
        if toks[0] == 'timeout' and len(toks) == 2:
            if not re.fullmatch(r'(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?'
                                r'(?:[0-9]+s)?', toks[1]) or toks[1] == '':
                raise ParseError('set timeout %r' % toks[1])
            st['timeout'] = toks[1]
            return table, chain
        if toks[:2] == ['elements', '='] and '}' not in toks:
            self.pending = list(toks)
            return table, chain
        if toks[:2] == ['elements', '='] and st.get('concat'):
            if 'interval' not in st['flags']:
                raise ParseError('a concatenation of intervals without '
                                 'flags interval')
            if toks[2] != '{' or toks[-1] != '}' or '}' in toks[3:-1]:
                raise ParseError('bad set')
            new = [_concat_elem(e, st['fam'])
                   for e in _split_elems(toks[3:-1])]
            have = st['tuples']
            if len(have) + len(new) <= 4000:
                for k, a in enumerate(new):
                    for b in have + new[:k]:
                        if _overlaps(a, b):
                            raise ParseError('overlapping elements %r and '
                                             '%r (the kernel refuses them)'
                                             % (a, b))
            have.extend(new)
            return table, chain
        if toks[:2] == ['elements', '=']:
            if st['fam'] is None:
                raise ParseError('elements before the type')
            vals, i = _values(toks, 2)
            if i != len(toks):
                raise ParseError('text after the elements')
            nets = _addr_set(vals, st['fam'])
            if 'interval' not in st['flags'] and \
                    any(lo != hi for lo, hi in nets):
                raise ParseError('a prefix in a set without flags interval')
            st['nets'].extend(nets)
            return table, chain
        raise ParseError('unknown set statement')

    def _table(self, name):
        if not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_.-]*', name):
            raise ParseError('table name %r' % name)
        if name not in self.tables:
            self.tables[name] = {}
            self.order.append(name)

    def chain(self, hook='output'):
        """The chain that decides: the hook's, else (output) the one
        chain; None when nothing hooks input."""
        chains = [c for t in self.order for c in self.tables[t].values()]
        hooked = [c for c in chains if c['hook'] == hook]
        if len(hooked) == 1:
            return hooked[0]
        if len(hooked) > 1:
            raise ParseError('more than one %s chain' % hook)
        if hook != 'output':
            return None
        if len(chains) == 1:
            return chains[0]
        raise ParseError('no output chain and not exactly one chain')

    @staticmethod
    def _in(nets, x):
        return any(lo <= x <= hi for lo, hi in nets)

    def decide(self, fam, dst, proto, port, src=None, hook='output'):
        fam = int(fam)
        pnum = _shared.proto_number(proto)
        d = int(ipaddress.ip_address(dst))
        s = int(ipaddress.ip_address(src)) if src is not None else None
        c = self.chain(hook)
        if c is None:
            return 'allow'
        itype = icode = None
        if proto in ('icmp', 'icmpv6'):
            itype, icode = _shared.icmp_of(port)
        for r in c['rules']:
            if r.never:
                continue
            if r.fam is not None and r.fam != fam:
                continue
            if r.l4 is not None and pnum not in r.l4:
                continue
            if r.dports is not None and not self._in(r.dports, int(port)):
                continue
            if r.icmp is not None and not self._in(r.icmp, itype):
                continue
            if r.code is not None and not self._in(r.code, icode):
                continue
            if r.daddr is not None and not self._in(r.daddr, d):
                continue
            if r.tuples is not None and port is not None and \
                    proto not in ('icmp', 'icmpv6') and \
                    not any(t[2] == pnum and t[0] <= d <= t[1] and
                            t[3] <= int(port) <= t[4] for t in r.tuples):
                continue
            if r.tuples is not None and (port is None or
                                         proto in ('icmp', 'icmpv6')):
                continue
            if r.saddr is not None and s is not None and \
                    not self._in(r.saddr, s):
                continue
            return r.verdict
        if c['hook'] is None:
            return NO_DECISION
        return VERDICT[c['policy']]

    def rule_count(self):
        return sum(len(c['rules']) for t in self.tables.values()
                   for c in t.values())


def load(paths):
    if isinstance(paths, str):
        paths = [paths]
    rs = Ruleset()
    for p in paths:
        with open(p, encoding='ascii', errors='strict') as f:
            rs.feed(f.read(), p)
    return rs


def loads(text):
    rs = Ruleset()
    rs.feed(text)
    return rs


def expect(explained, fam, proto, port, by_default=False):
    """What this reader must answer where `egressc explain` says explained:
    the same (this target has reject of its own)."""
    return explained
