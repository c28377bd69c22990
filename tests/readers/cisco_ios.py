"""cisco_ios.py - read Cisco IOS ACL configuration as the router would.

An independent reader for egressc's cisco-ios output (and for hand-written
snippets in the same dialect): it parses extended named ACLs (`ip
access-list extended`, `ipv6 access-list`), object-groups and interface
bindings, and decides a new outbound packet by first match, with IOS's
implicit entries at the end (IPv6 neighbour discovery, then deny).

    load(paths) -> Config
    Config.decide(fam, dst, proto, port, src=None) -> 'allow'|'deny'|'no decision'
    Config.rule_count() -> int
    expect(explained, fam, proto, port, by_default=False) -> what
        decide() must return where explain says explained

'no decision' (NO_DECISION) means no entry matched: IOS then drops by its
implicit deny, which is what a policy with `default: none` leaves to the
device.  The ACL that
decides is the one bound `in` by `ip access-group` / `ipv6 traffic-filter`
under an interface, else the first ACL of the family in the file (the
egress ACL: egressc writes the return ACL after it).  src=None matches any
source, as `egressc explain` does without --from.

Anything the reader does not understand raises ParseError (a ValueError,
and readers.ReaderError where the shared module is): a reader that
skipped what it could not parse would prove nothing.  Standard library only.

Pasting over a configuration (Cisco IOS Security Command Reference:
object-group network, ip access-list; Cisco IOS XE Security
Configuration Guide: Object Groups for ACLs):

  - `object-group network|service NAME` and `ip access-list extended NAME`
    for a group or list that exists enter it: what follows is added to
    what it already holds, nothing is replaced.
  - `no object-group ... NAME` is refused while an access list uses the
    group; the paste goes on with the next line.  Config(strict=True)
    raises ParseError for a refused command (a fresh paste must have
    none); strict=False records it in Config.refused and goes on, as the
    router does, so a test can paste one file over another (feed()).

decide_return(fam, src, proto, port, ack=False): a packet from outside to
a client through the return list, the ACL bound `out` on the interface
(else the family's second list, the one egressc writes after the egress
list): port is its source port (TCP, UDP) or ICMP type, ack says whether a
TCP packet carries ACK or RST (what `established` matches).  Reflexive
entries (`evaluate`) admit only replies to reflected flows, which the
reader does not track: they match nothing here.
"""

import ipaddress
import re

PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}
# The protocol keywords of an entry besides ip/ipv6, tcp, udp and icmp
# (which take ports or messages), as the command references list them:
# Cisco IOS Security Command Reference, "permit (IP extended)": ahp, eigrp,
# esp, gre, igmp, ipinip, nos, ospf, pcp, pim or a number 0-255; Cisco IOS
# IPv6 Command Reference, "permit (IPv6)": ahp, esp, pcp, sctp or a number.
# There, an entry of icmp takes [icmp-type [icmp-code] | icmp-message].
KEYWORDS = {
    4: {'ahp': 51, 'eigrp': 88, 'esp': 50, 'gre': 47, 'igmp': 2,
        'ipinip': 94, 'nos': 4, 'ospf': 89, 'pcp': 108, 'pim': 103},
    6: {'ahp': 51, 'esp': 50, 'pcp': 108, 'sctp': 132},
}
ICMP4_NAMES = {'echo-reply': 0, 'unreachable': 3, 'echo': 8,
               'time-exceeded': 11, 'parameter-problem': 12}
ICMP6_NAMES = {'unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3,
               'parameter-problem': 4, 'echo-request': 128,
               'echo-reply': 129, 'router-solicitation': 133,
               'router-advertisement': 134, 'nd-ns': 135, 'nd-na': 136}
REMARK_MAX = 100
NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]{0,63}$')


import readers as _shared              # what the readers share

NO_DECISION = 'no decision'
HAS_REJECT = False


class ParseError(_shared.ReaderError, ValueError):
    pass


def _num(tok, lo, hi, what):
    if not re.fullmatch(r'[0-9]+', tok or ''):
        raise ParseError('%s: not a number: %r' % (what, tok))
    v = int(tok)
    if not lo <= v <= hi:
        raise ParseError('%s out of range: %d' % (what, v))
    return v


class Addr:
    """An address match: a list of (network int, care mask int) pairs, or
    group names resolved at match time.  Wildcard masks need not be
    contiguous: a bit set in the wildcard is a bit that does not count."""

    def __init__(self, fam, pairs=None, group=None, anyaddr=False):
        self.fam, self.pairs, self.group, self.any = fam, pairs or [], \
            group, anyaddr

    def match(self, cfg, fam, addr):
        if fam != self.fam:
            return False
        if self.any:
            return True
        if self.group is not None:
            return cfg.net_match(self.group, fam, addr)
        for net, care in self.pairs:
            if addr & care == net & care:
                return True
        return False


def _ip(tok, fam):
    try:
        a = ipaddress.ip_address(tok)
    except ValueError:
        raise ParseError('bad address %r' % tok)
    if a.version != fam:
        raise ParseError('IPv%d address in an IPv%d context: %r'
                         % (a.version, fam, tok))
    return int(a)


def _parse_addr(toks, i, fam, cfg):
    """An ACE address at toks[i]; returns (Addr, next index)."""
    t = toks[i] if i < len(toks) else None
    if t is None:
        raise ParseError('address missing')
    full = (1 << (32 if fam == 4 else 128)) - 1
    if t == 'any':
        return Addr(fam, anyaddr=True), i + 1
    if t == 'host':
        return Addr(fam, [(_ip(toks[i + 1] if i + 1 < len(toks) else '',
                               fam), full)]), i + 2
    if t == 'object-group':
        if fam != 4:
            raise ParseError('IOS IPv6 ACLs take no object-group')
        name = toks[i + 1] if i + 1 < len(toks) else ''
        if name not in cfg.netgroups:
            raise ParseError('object-group network %r not defined' % name)
        return Addr(fam, group=name), i + 2
    if fam == 6:
        try:
            n = ipaddress.IPv6Network(t, strict=True)
        except ValueError:
            raise ParseError('bad IPv6 prefix %r' % t)
        if '/' not in t:
            raise ParseError('IPv6 prefix without length %r' % t)
        return Addr(6, [(int(n.network_address), int(n.netmask))]), i + 1
    if i + 1 >= len(toks):
        raise ParseError('address %r without wildcard mask' % t)
    net = _ip(t, 4)
    wild = _ip(toks[i + 1], 4)
    return Addr(4, [(net, full ^ wild)]), i + 2


def _parse_ports(toks, i):
    """An optional port operator; returns (list of (lo, hi) or None, i)."""
    if i >= len(toks):
        return None, i
    op = toks[i]
    if op == 'eq':
        ports, j = [], i + 1
        while j < len(toks) and re.fullmatch(r'[0-9]+', toks[j]):
            p = _num(toks[j], 0, 65535, 'port')
            ports.append((p, p))
            j += 1
        if not ports:
            raise ParseError('eq without a port (named ports are not '
                             'understood): %r' % toks[i + 1:i + 2])
        return ports, j
    if op == 'range':
        lo = _num(toks[i + 1] if i + 1 < len(toks) else '', 0, 65535, 'port')
        hi = _num(toks[i + 2] if i + 2 < len(toks) else '', 0, 65535, 'port')
        if lo > hi:
            raise ParseError('range %d %d' % (lo, hi))
        return [(lo, hi)], i + 3
    if op in ('gt', 'lt', 'neq'):
        p = _num(toks[i + 1] if i + 1 < len(toks) else '', 0, 65535, 'port')
        if op == 'gt':
            return [(p + 1, 65535)] if p < 65535 else [], i + 2
        if op == 'lt':
            return [(0, p - 1)] if p > 0 else [], i + 2
        return [(0, p - 1), (p + 1, 65535)], i + 2
    return None, i


def _in_ports(ports, port):
    return any(lo <= port <= hi for lo, hi in ports)


class Ace:
    def __init__(self):
        self.action = None     # 'permit' | 'deny' | 'evaluate'
        self.proto = None      # 'ip', 'tcp', 'udp', 'icmp', int, ('og', N)
        self.src = self.dst = None
        self.sports = self.dports = None
        self.icmp = None       # (type, code or None)
        self.established = False
        self.reflect = None
        self.log = False
        self.text = ''


class Config:
    def __init__(self, strict=True):
        self.strict = strict
        self.refused = []       # commands the router refused (strict=False)
        self.acls = {}          # (fam, name) -> [Ace]
        self.acl_order = []     # (fam, name) in order of creation
        self.netgroups = {}     # name -> [(fam, net, care) | ('group', N)]
        self.svcgroups = {}     # name -> [(proto, ports, icmp)]
        self.bound = {}         # fam -> name, for 'in' on an interface
        self.bound_out = {}
        self.remarks = []
        self.ended = False

    # -- matching --------------------------------------------------------
    def net_match(self, name, fam, addr, depth=0):
        if depth > 8:
            raise ParseError('object-group nesting too deep')
        for m in self.netgroups[name]:
            if m[0] == 'group':
                if self.net_match(m[1], fam, addr, depth + 1):
                    return True
            elif m[0] == fam and addr & m[2] == m[1] & m[2]:
                return True
        return False

    def _proto_match(self, ace, fam, proto, port):
        p = ace.proto
        if p == 'ip':
            return True
        if isinstance(p, tuple):
            for gp, ports, icmp in self.svcgroups[p[1]]:
                if self._one_proto(gp, ports, icmp, fam, proto, port):
                    return True
            return False
        return self._one_proto(p, ace.dports, ace.icmp, fam, proto, port)

    @staticmethod
    def _one_proto(p, ports, icmp, fam, proto, port):
        if p == 'ip':
            return True
        if isinstance(p, int):
            return _shared.proto_number(proto) == p
        if p in ('tcp', 'udp', 'tcp-udp'):
            if proto not in p.split('-'):
                return False
            return ports is None or _in_ports(ports, port)
        if p == 'icmp':
            if proto != ('icmp' if fam == 4 else 'icmpv6'):
                return False
            t, c = _shared.icmp_of(port)
            return icmp is None or (icmp[0] == t and icmp[1] in (None, c))
        raise ParseError('protocol %r not modelled' % (p,))

    def _ace_match(self, ace, fam, src, dst, proto, port):
        if ace.action == 'evaluate':
            return False        # no reflexive entries for a new flow
        if ace.established:
            return False        # a new connection is not established
        if not self._proto_match(ace, fam, proto, port):
            return False
        if ace.sports is not None:
            raise ParseError('source ports are not modelled for new '
                             'outbound packets')
        if src is not None and not ace.src.match(self, fam, src):
            return False
        return ace.dst.match(self, fam, dst)

    def egress_acl(self, fam):
        name = self.bound.get(fam)
        if name is not None:
            return self.acls.get((fam, name), [])
        for f, n in self.acl_order:
            if f == fam:
                return self.acls[(f, n)]
        return None

    def decide(self, fam, dst, proto, port, src=None):
        fam = int(fam)
        _shared.proto_number(proto)
        d = int(ipaddress.ip_address(dst))
        s = int(ipaddress.ip_address(src)) if src is not None else None
        acl = self.egress_acl(fam)
        if acl is None:
            return NO_DECISION
        if proto in ('tcp', 'udp', 'sctp'):
            port = int(port)
        for ace in acl:
            if self._ace_match(ace, fam, s, d, proto, port):
                return 'allow' if ace.action == 'permit' else 'deny'
        # The implicit end of every IPv6 ACL admits neighbour discovery.
        if fam == 6 and proto == 'icmpv6' and \
                _shared.icmp_of(port)[0] in (135, 136):
            return 'allow'
        return NO_DECISION

    def return_acl(self, fam):
        name = self.bound_out.get(fam)
        if name is not None:
            return self.acls.get((fam, name), [])
        lists = [n for f, n in self.acl_order if f == fam]
        return self.acls[(fam, lists[1])] if len(lists) > 1 else None

    def decide_return(self, fam, src, proto, port, ack=False):
        fam, port = int(fam), int(port)
        if proto not in PROTO_NUM:
            raise ValueError('protocol %r' % proto)
        s = int(ipaddress.ip_address(src))
        acl = self.return_acl(fam)
        if acl is None:
            return NO_DECISION
        for ace in acl:
            if ace.action == 'evaluate':
                continue
            if ace.established and not (proto == 'tcp' and ack):
                continue
            if isinstance(ace.proto, tuple):
                raise ParseError('service groups in a return list are not '
                                 'modelled')
            if ace.proto in ('tcp', 'udp'):
                if proto != ace.proto:
                    continue
                if ace.sports is not None and \
                        not _in_ports(ace.sports, port):
                    continue
                if ace.dports is not None:
                    raise ParseError('destination ports in a return list '
                                     'are not modelled')
            elif not self._one_proto(ace.proto, None, ace.icmp, fam, proto,
                                     port):
                continue
            # The client is any address of the family.
            if ace.dst.fam != fam or not ace.src.match(self, fam, s):
                continue
            return 'allow' if ace.action == 'permit' else 'deny'
        return NO_DECISION

    def rule_count(self):
        return sum(len(v) for v in self.acls.values())

    def paste(self, text, where='<paste>'):
        """Paste another file in a new configuration session, over what
        is configured already."""
        self.ended = False
        self.feed(text, where)

    def _refuse(self, why):
        if self.strict:
            raise ParseError(why)
        self.refused.append(why)

    # -- parsing ---------------------------------------------------------
    def _ace(self, fam, toks):
        ace = Ace()
        i = 0
        if re.fullmatch(r'[0-9]+', toks[0]):
            i = 1               # a sequence number
        ace.action = toks[i]
        i += 1
        if ace.action == 'evaluate':
            if len(toks) != i + 1 or not NAME_RE.match(toks[i]):
                raise ParseError('evaluate NAME')
            return ace
        if ace.action not in ('permit', 'deny'):
            raise ParseError('unknown ACL entry %r' % ace.action)
        if i >= len(toks):
            raise ParseError('protocol missing')
        t = toks[i]
        ipword = 'ip' if fam == 4 else 'ipv6'
        if t == ipword:
            ace.proto = 'ip'
            i += 1
        elif t in ('tcp', 'udp', 'icmp'):
            ace.proto = t
            i += 1
        elif t in KEYWORDS[fam]:
            ace.proto = KEYWORDS[fam][t]
            i += 1
        elif t == 'object-group':
            if fam != 4:
                raise ParseError('IOS IPv6 ACLs take no object-group')
            name = toks[i + 1] if i + 1 < len(toks) else ''
            if name not in self.svcgroups:
                raise ParseError('object-group service %r not defined'
                                 % name)
            ace.proto = ('og', name)
            i += 2
        elif re.fullmatch(r'[0-9]+', t):
            ace.proto = _num(t, 0, 255, 'protocol')
            i += 1
        else:
            raise ParseError('protocol %r' % t)
        ace.src, i = _parse_addr(toks, i, fam, self)
        if ace.proto in ('tcp', 'udp'):
            ace.sports, i = _parse_ports(toks, i)
        ace.dst, i = _parse_addr(toks, i, fam, self)
        if ace.proto in ('tcp', 'udp'):
            ace.dports, i = _parse_ports(toks, i)
        if ace.proto == 'icmp' and i < len(toks):
            names = ICMP4_NAMES if fam == 4 else ICMP6_NAMES
            t = toks[i]
            if re.fullmatch(r'[0-9]+', t):
                ty = _num(t, 0, 255, 'icmp type')
                i += 1
                code = None
                if i < len(toks) and re.fullmatch(r'[0-9]+', toks[i]):
                    code = _num(toks[i], 0, 255, 'icmp code')
                    i += 1
                ace.icmp = (ty, code)
            elif t in names:
                ace.icmp = (names[t], None)
                i += 1
        while i < len(toks):
            t = toks[i]
            if t == 'established' and ace.proto == 'tcp':
                ace.established = True
                i += 1
            elif t == 'log' and not ace.log:
                ace.log = True
                i += 1
            elif t == 'reflect' and ace.action == 'permit' and \
                    ace.reflect is None and i + 1 < len(toks) and \
                    NAME_RE.match(toks[i + 1]):
                ace.reflect = toks[i + 1]
                i += 2
                if i + 1 < len(toks) and toks[i] == 'timeout':
                    _num(toks[i + 1], 1, 2147483, 'timeout')
                    i += 2
            else:
                raise ParseError('unexpected %r in ACL entry' % t)
        return ace

    def _remark(self, text):
        if len(text) > REMARK_MAX:
            raise ParseError('remark longer than %d characters' % REMARK_MAX)
        if '?' in text:
            raise ParseError("'?' in a remark asks the CLI for help")
        self.remarks.append(text)

    def _netgroup_entry(self, name, toks):
        g = self.netgroups[name]
        if toks[0] == 'description':
            return
        if toks[0] == 'host' and len(toks) == 2:
            g.append((4, _ip(toks[1], 4), 0xffffffff))
        elif toks[0] == 'any' and len(toks) == 1:
            g.append((4, 0, 0))
        elif toks[0] == 'group-object' and len(toks) == 2:
            if toks[1] not in self.netgroups:
                raise ParseError('group-object %r not defined' % toks[1])
            g.append(('group', toks[1]))
        elif len(toks) == 2:
            net, mask = _ip(toks[0], 4), _ip(toks[1], 4)
            g.append((4, net, mask))    # a network mask: bits that count
        elif len(toks) == 1 and '/' in toks[0]:
            n = ipaddress.IPv4Network(toks[0], strict=True)
            g.append((4, int(n.network_address), int(n.netmask)))
        else:
            raise ParseError('object-group network entry %r'
                             % ' '.join(toks))

    def _svcgroup_entry(self, name, toks):
        g = self.svcgroups[name]
        if toks[0] == 'description':
            return
        p = toks[0]
        if p in ('tcp', 'udp', 'tcp-udp'):
            if len(toks) > 1 and toks[1] == 'source':
                raise ParseError('source ports are not modelled')
            ports, i = _parse_ports(toks, 1)
            if i != len(toks):
                raise ParseError('service entry %r' % ' '.join(toks))
            g.append((p, ports, None))
        elif p == 'icmp':
            icmp = None
            if len(toks) == 2:
                if re.fullmatch(r'[0-9]+', toks[1]):
                    icmp = (_num(toks[1], 0, 255, 'icmp type'), None)
                elif toks[1] in ICMP4_NAMES:
                    icmp = (ICMP4_NAMES[toks[1]], None)
                else:
                    raise ParseError('icmp type %r' % toks[1])
            elif len(toks) != 1:
                raise ParseError('service entry %r' % ' '.join(toks))
            g.append(('icmp', None, icmp))
        else:
            raise ParseError('service entry %r' % ' '.join(toks))

    def _in_use(self, name):
        for acl in self.acls.values():
            for a in acl:
                for x in (a.src, a.dst):
                    if x is not None and x.group == name:
                        return True
                if a.proto == ('og', name):
                    return True
        return False

    def feed(self, text, where='<text>'):
        mode = None             # ('acl', fam, name) | ('net'|'svc', name)
        iface = None
        for ln, raw in enumerate(text.split('\n'), 1):
            try:
                mode, iface = self._line(raw, mode, iface)
            except ParseError as e:
                raise ParseError('%s:%d: %s: %r' % (where, ln, e, raw))

    def _line(self, raw, mode, iface):
        if '\r' in raw or '\t' in raw or '\x00' in raw:
            raise ParseError('control character in line')
        if any(ord(c) < 0x20 or ord(c) > 0x7e for c in raw):
            raise ParseError('non-ASCII or control character in line')
        if raw.strip() == '':
            return mode, iface
        if self.ended:
            raise ParseError('text after end')
        if raw.startswith('!'):
            return None, None   # a comment ends any sub-mode
        sub = raw.startswith(' ')
        toks = raw.split()
        if sub:
            if mode is None:
                raise ParseError('indented line outside any sub-mode')
            if mode[0] == 'acl':
                m = re.match(r'^ +(?:[0-9]+ +)?remark(?: (.*))?$', raw)
                if m:
                    self._remark(m.group(1) or '')
                else:
                    self.acls[(mode[1], mode[2])].append(
                        self._ace(mode[1], toks))
            elif mode[0] == 'net':
                self._netgroup_entry(mode[1], toks)
            elif mode[0] == 'svc':
                self._svcgroup_entry(mode[1], toks)
            elif mode[0] == 'if':
                self._iface_entry(toks)
            return mode, iface
        return self._global(toks)

    def _iface_entry(self, toks):
        if len(toks) == 4 and toks[0] == 'ip' and toks[1] == 'access-group':
            fam = 4
        elif len(toks) == 4 and toks[0] == 'ipv6' and \
                toks[1] == 'traffic-filter':
            fam = 6
        else:
            raise ParseError('interface command %r' % ' '.join(toks))
        if toks[3] == 'in':
            self.bound[fam] = toks[2]
        elif toks[3] == 'out':
            self.bound_out[fam] = toks[2]
        else:
            raise ParseError('direction %r' % toks[3])

    def _global(self, toks):
        t = toks
        if t == ['end']:
            self.ended = True
            return None, None
        if t[:3] == ['no', 'ip', 'access-list'] and len(t) == 5 and \
                t[3] == 'extended':
            self._drop_acl(4, t[4])
            return None, None
        if t[:3] == ['no', 'ipv6', 'access-list'] and len(t) == 4:
            self._drop_acl(6, t[3])
            return None, None
        if t[:2] == ['no', 'object-group'] and len(t) == 4 and \
                t[2] in ('network', 'service'):
            table = self.netgroups if t[2] == 'network' else self.svcgroups
            if t[3] in table:
                if self._in_use(t[3]):
                    self._refuse('object-group %s is in use' % t[3])
                else:
                    del table[t[3]]
            return None, None
        if t[:2] == ['ip', 'access-list'] and len(t) == 4 and \
                t[2] == 'extended':
            return self._open_acl(4, t[3]), None
        if t[:2] == ['ipv6', 'access-list'] and len(t) == 3:
            return self._open_acl(6, t[2]), None
        if t[0] == 'object-group' and len(t) == 3 and \
                t[1] in ('network', 'service'):
            if not NAME_RE.match(t[2]):
                raise ParseError('object-group name %r' % t[2])
            mine, other = (self.netgroups, self.svcgroups) \
                if t[1] == 'network' else (self.svcgroups, self.netgroups)
            if t[2] in other:
                raise ParseError('object-group %r is of the other type'
                                 % t[2])
            # An existing group is entered: members are added to it.
            mine.setdefault(t[2], [])
            return ('net' if t[1] == 'network' else 'svc', t[2]), None
        if t[0] == 'interface' and len(t) == 2:
            return ('if', t[1]), t[1]
        raise ParseError('unknown command')

    def _drop_acl(self, fam, name):
        if (fam, name) in self.acls:
            del self.acls[(fam, name)]
            self.acl_order.remove((fam, name))

    def _open_acl(self, fam, name):
        if not NAME_RE.match(name):
            raise ParseError('ACL name %r' % name)
        if (fam, name) not in self.acls:
            self.acls[(fam, name)] = []
            self.acl_order.append((fam, name))
        return ('acl', fam, name)



def load(paths, strict=True):
    """Read one or more files (a path or a list of paths) in order."""
    if isinstance(paths, str):
        paths = [paths]
    cfg = Config(strict)
    for p in paths:
        with open(p, encoding='ascii', errors='strict') as f:
            cfg.feed(f.read(), p)
    return cfg


def loads(text, strict=True):
    cfg = Config(strict)
    cfg.feed(text)
    return cfg


def expect(explained, fam, proto, port, by_default=False):
    """What this reader must answer where `egressc explain` says explained
    ('allow', 'deny', 'reject' or 'no decision'; by_default: no rule matched, the
    policy's default decided).  IOS has no reject, so it is sent as deny.
    IOS admits IPv6 neighbour discovery (ICMPv6 135, 136) after the last
    entry, before its implicit deny.  With default: deny the policy's own
    first rule (builtin-ipv6-nd) allows them; with default: none the list
    ends in that implicit end, so where explain says no rule decided, the
    reader allows them."""
    if explained == 'reject':
        explained = 'deny'
    if by_default and int(fam) == 6 and proto == 'icmpv6' and \
            _shared.icmp_of(port)[0] in (135, 136) and \
            explained in ('deny', NO_DECISION):
        return 'allow'
    return explained
