"""cisco_asa.py - read Cisco ASA access-list configuration as the ASA would.

An independent reader for egressc's cisco-asa output (and hand-written
snippets in the same dialect): network objects (host, subnet, fqdn),
object-groups (network; service typed tcp, udp or tcp-udp with
port-object), extended access-list entries mixing IPv4 and IPv6 (ASA 9:
`any` is both families, `any4` and `any6` one each), remarks and
access-group bindings.  A new packet is decided by first match with the
implicit deny at the end.

    load(paths, fqdn=None) -> Config
    Config.decide(fam, dst, proto, port, src=None) -> 'allow'|'deny'|'no decision'
    Config.rule_count() -> int
    expect(explained, fam, proto, port, by_default=False) -> what
        decide() must return where explain says explained

fqdn maps a host name to the addresses the ASA would resolve it to (both
families in one list); an fqdn object the map lacks raises LookupError when
a decision needs it.  Without a map, names are looked up in the shared
readers.DNS (filled from the lock by the property tests).  'no decision'
(NO_DECISION) means no entry matched (the implicit deny; what `default:
none` leaves to the device).  The ACL that decides is the one
bound by `access-group NAME in interface IF`, else the first in the file.
src=None matches any source.  Anything not understood raises ParseError (a
ValueError, and readers.ReaderError where the shared module is).
Standard library only.

Bindings and pasting over a configuration (Cisco ASA Series Firewall CLI
Configuration Guide 9.x, "Access Control Lists" and "Access Rules";
Cisco ASA Series Command Reference: access-group, clear configure
access-list, object-group, forward-reference):

  - `access-group ACL in interface IF` binds ACL to IF, replacing what IF
    had bound in; it is refused when ACL does not exist (without
    forward-reference, which egressc never turns on).
  - `clear configure access-list ACL` removes the list and with it every
    access-group that names it: from that line the interface has no
    access rule, and the ASA passes what its security levels allow
    (inside to outside).  Config.gaps records each such stretch: the
    interface, the line that unbound it and the line that bound it again
    (None: still unbound when the file ends).
  - `no object-group` / `no object network` are refused while something
    uses the group or object (a list, or a group holding the object);
    `object-group NAME` for a group that exists enters it and adds to its
    members.  Config(strict=True) raises for a refused command;
    strict=False records it in Config.refused and goes on, as the ASA
    does, so a test can paste one file over another (paste()).
"""

import ipaddress
import re

PROTO_NUM = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}
# Cisco ASA Series Command Reference, "access-list extended": the protocol
# is ip, tcp, udp, sctp (ports, as tcp and udp: ASA 9.5(2)), icmp and icmp6
# (icmp_type [icmp_code]), a literal name such as ah, eigrp, esp, gre,
# igmp, igrp, ipinip, ipsec, nos, ospf, pcp, pim, pptp, snp, or a number
# 0-255.
LITERALS = {'ah': 51, 'eigrp': 88, 'esp': 50, 'gre': 47, 'igmp': 2,
            'igrp': 9, 'ipinip': 4, 'ipsec': 50, 'nos': 94, 'ospf': 89,
            'pcp': 108, 'pim': 103, 'pptp': 47, 'snp': 109}
ICMP_NAMES = {'echo-reply': 0, 'unreachable': 3, 'echo': 8,
              'time-exceeded': 11}
ICMP6_NAMES = {'echo': 128, 'echo-reply': 129, 'unreachable': 1,
               'packet-too-big': 2, 'time-exceeded': 3}
REMARK_MAX = 100
NAME_RE = re.compile(r'^[A-Za-z0-9_.!@#$%^&()\-{}]{1,64}$')
HOST_RE = re.compile(r'^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}'
                     r'[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}'
                     r'[A-Za-z0-9])?$')


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


def _net4(addr, mask):
    """A v4 address and netmask as (fam, net, mask) after checking both."""
    try:
        a = ipaddress.IPv4Address(addr)
        m = ipaddress.IPv4Address(mask)
    except ValueError:
        raise ParseError('bad IPv4 address or mask %r %r' % (addr, mask))
    mi = int(m)
    # A netmask is contiguous ones; the ASA refuses anything else.
    if mi != 0 and (((~mi) & 0xffffffff) + 1) & (~mi & 0xffffffff):
        raise ParseError('non-contiguous netmask %s' % mask)
    if int(a) & ~mi & 0xffffffff:
        raise ParseError('address %s has bits outside mask %s'
                         % (addr, mask))
    return (4, int(a), mi)


def _host(tok):
    try:
        a = ipaddress.ip_address(tok)
    except ValueError:
        raise ParseError('bad address %r' % tok)
    full = (1 << (32 if a.version == 4 else 128)) - 1
    return (a.version, int(a), full)


def _prefix6(tok):
    if '/' not in tok:
        raise ParseError('IPv6 prefix without length %r' % tok)
    try:
        n = ipaddress.IPv6Network(tok, strict=True)
    except ValueError:
        raise ParseError('bad IPv6 prefix %r' % tok)
    return (6, int(n.network_address), int(n.netmask))


def _parse_ports(toks, i):
    if i >= len(toks):
        return None, i
    op = toks[i]
    if op == 'eq':
        p = _num(toks[i + 1] if i + 1 < len(toks) else '', 0, 65535, 'port')
        return [(p, p)], i + 2
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


class Ace:
    def __init__(self):
        self.action = self.proto = self.src = self.dst = None
        self.dports = None      # list of (lo, hi), or ('og', NAME)
        self.icmp = None
        self.log = False


class Config:
    def __init__(self, fqdn=None, strict=True):
        self.strict = strict
        self.refused = []
        self.bindings = {}      # interface -> ACL bound in
        self.gaps = []          # [iface, unbound at, bound again at]
        self.line = 0
        self.fqdn = None
        if fqdn is not None:
            self.fqdn = {k.lower(): [ipaddress.ip_address(a) for a in v]
                         for k, v in fqdn.items()}
        self.objects = {}       # name -> [(fam, net, mask) | ('fqdn', v, h)]
        self.netgroups = {}     # name -> [(fam, net, mask) | ('obj', N) |
        #                                  ('group', N)]
        self.svcgroups = {}     # name -> (type, [(lo, hi)])
        self.acls = {}          # name -> [Ace]
        self.acl_order = []
        self.remarks = []
        self.ended = False

    # -- matching --------------------------------------------------------
    def _member(self, m, fam, addr, depth):
        if m[0] == 'obj':
            return any(self._member(x, fam, addr, depth + 1)
                       for x in self.objects[m[1]])
        if m[0] == 'group':
            if depth > 8:
                raise ParseError('object-group nesting too deep')
            return any(self._member(x, fam, addr, depth + 1)
                       for x in self.netgroups[m[1]])
        if m[0] == 'fqdn':
            want = 4 if m[1] == 'v4' else 6
            if fam != want:
                return False
            if self.fqdn is None:
                return _shared.resolve(m[2]).has(fam, addr)
            if self.fqdn is None or m[2] not in self.fqdn:
                raise LookupError('fqdn %s: no addresses given' % m[2])
            return any(a.version == fam and int(a) == addr
                       for a in self.fqdn[m[2]])
        return m[0] == fam and addr & m[2] == m[1] & m[2]

    def _addr_match(self, spec, fam, addr):
        kind = spec[0]
        if kind == 'any':
            return True
        if kind == 'any4':
            return fam == 4
        if kind == 'any6':
            return fam == 6
        return self._member(spec[1], fam, addr, 0)

    def _proto_match(self, ace, fam, proto, port):
        p = ace.proto
        if p == 'ip':
            return True
        if isinstance(p, int):
            return _shared.proto_number(proto) == p
        if p in ('tcp', 'udp', 'sctp'):
            if proto != p:
                return False
            if ace.dports is None:
                return True
            if isinstance(ace.dports, tuple):
                _, ranges = self.svcgroups[ace.dports[1]]
            else:
                ranges = ace.dports
            return any(lo <= port <= hi for lo, hi in ranges)
        if p in ('icmp', 'icmp6'):
            if (fam, proto) not in ((4, 'icmp'), (6, 'icmpv6')) or \
                    (p == 'icmp') != (fam == 4):
                return False
            t, c = _shared.icmp_of(port)
            return ace.icmp is None or (ace.icmp[0] == t and
                                        ace.icmp[1] in (None, c))
        raise ParseError('protocol %r not modelled' % (p,))

    def egress_acl(self):
        if self.bindings:
            if len(set(self.bindings.values())) != 1:
                raise ParseError('lists bound on several interfaces')
            return self.acls.get(next(iter(self.bindings.values())), [])
        if self.acl_order:
            return self.acls[self.acl_order[0]]
        return None

    def decide(self, fam, dst, proto, port, src=None):
        fam = int(fam)
        _shared.proto_number(proto)
        if proto in ('tcp', 'udp', 'sctp'):
            port = int(port)
        d = ipaddress.ip_address(dst)
        if d.version != fam:
            raise ValueError('address %s is not IPv%d' % (dst, fam))
        s = int(ipaddress.ip_address(src)) if src is not None else None
        if self.open_gaps() and not self.bindings:
            # The clients' interface lost its list: security levels let
            # inside -> outside through.
            return 'allow'
        acl = self.egress_acl()
        if acl is None:
            return NO_DECISION
        for ace in acl:
            if not self._proto_match(ace, fam, proto, port):
                continue
            # The source is checked for the family even when src is None:
            # an any4 source never passes IPv6.
            if s is None:
                if not self._fam_possible(ace.src, fam):
                    continue
            elif not self._addr_match(ace.src, fam, s):
                continue
            if self._addr_match(ace.dst, fam, int(d)):
                return 'allow' if ace.action == 'permit' else 'deny'
        return NO_DECISION

    def _fam_possible(self, spec, fam):
        if spec[0] == 'any':
            return True
        if spec[0] in ('any4', 'any6'):
            return spec[0] == 'any%d' % fam
        return self._has_fam(spec[1], fam, 0)

    def _has_fam(self, m, fam, depth):
        if depth > 8:
            raise ParseError('nesting too deep')
        if m[0] == 'obj':
            return any(self._has_fam(x, fam, depth + 1)
                       for x in self.objects[m[1]])
        if m[0] == 'group':
            return any(self._has_fam(x, fam, depth + 1)
                       for x in self.netgroups[m[1]])
        if m[0] == 'fqdn':
            return m[1] == 'v%d' % fam
        return m[0] == fam

    def rule_count(self):
        return sum(len(v) for v in self.acls.values())

    # -- parsing ---------------------------------------------------------
    def _addr(self, toks, i):
        t = toks[i] if i < len(toks) else None
        if t is None:
            raise ParseError('address missing')
        if t in ('any', 'any4', 'any6'):
            return (t,), i + 1
        if t == 'host':
            return ('m', _host(toks[i + 1] if i + 1 < len(toks) else '')), \
                i + 2
        if t == 'object':
            n = toks[i + 1] if i + 1 < len(toks) else ''
            if n not in self.objects:
                raise ParseError('object %r not defined' % n)
            return ('m', ('obj', n)), i + 2
        if t == 'object-group':
            n = toks[i + 1] if i + 1 < len(toks) else ''
            if n not in self.netgroups:
                raise ParseError('object-group network %r not defined' % n)
            return ('m', ('group', n)), i + 2
        if ':' in t:
            return ('m', _prefix6(t)), i + 1
        if i + 1 >= len(toks):
            raise ParseError('address %r without netmask' % t)
        return ('m', _net4(t, toks[i + 1])), i + 2

    def _ace(self, name, toks):
        # access-list NAME extended ACTION PROTO SRC DST [PORTS] [log]
        ace = Ace()
        if len(toks) < 7:
            raise ParseError('short access-list entry')
        ace.action = toks[3]
        if ace.action not in ('permit', 'deny'):
            raise ParseError('action %r' % ace.action)
        p = toks[4]
        if p in ('ip', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6'):
            ace.proto = p
        elif p in LITERALS:
            ace.proto = LITERALS[p]
        elif re.fullmatch(r'[0-9]+', p):
            ace.proto = _num(p, 0, 255, 'protocol')
        else:
            raise ParseError('protocol %r' % p)
        ace.src, i = self._addr(toks, 5)
        if i < len(toks) and toks[i] in ('eq', 'range', 'lt', 'gt', 'neq'):
            raise ParseError('source ports are not modelled')
        if i + 1 < len(toks) and toks[i] == 'object-group' and \
                toks[i + 1] in self.svcgroups:
            raise ParseError('source service groups are not modelled')
        ace.dst, i = self._addr(toks, i)
        if p == 'sctp':
            ace.dports, i = _parse_ports(toks, i)
        elif p in ('tcp', 'udp'):
            if i + 1 < len(toks) and toks[i] == 'object-group':
                g = toks[i + 1]
                if g not in self.svcgroups:
                    raise ParseError('object-group service %r not defined'
                                     % g)
                gtype = self.svcgroups[g][0]
                if gtype != 'tcp-udp' and gtype != p:
                    raise ParseError('service group %s is %s, entry is %s'
                                     % (g, gtype, p))
                ace.dports = ('og', g)
                i += 2
            else:
                ace.dports, i = _parse_ports(toks, i)
        elif p in ('icmp', 'icmp6') and i < len(toks):
            names = ICMP_NAMES if p == 'icmp' else ICMP6_NAMES
            if re.fullmatch(r'[0-9]+', toks[i]):
                ace.icmp = (_num(toks[i], 0, 255, 'icmp type'), None)
                i += 1
                if i < len(toks) and re.fullmatch(r'[0-9]+', toks[i]):
                    ace.icmp = (ace.icmp[0],
                                _num(toks[i], 0, 255, 'icmp code'))
                    i += 1
            elif toks[i] in names:
                ace.icmp = (names[toks[i]], None)
                i += 1
        if i < len(toks) and toks[i] == 'log':
            ace.log = True
            i += 1
        if i != len(toks):
            raise ParseError('unexpected %r in access-list entry' % toks[i])
        return ace

    def _remark(self, raw):
        text = raw.split(' remark ', 1)[1]
        if len(text) > REMARK_MAX:
            raise ParseError('remark longer than %d characters' % REMARK_MAX)
        if '?' in text:
            raise ParseError("'?' in a remark asks the CLI for help")
        self.remarks.append(text)

    def _in_use(self, name):
        def uses(spec):
            return len(spec) > 1 and spec[1][0] in ('obj', 'group') and \
                spec[1][1] == name
        for acl in self.acls.values():
            for a in acl:
                if uses(a.src) or uses(a.dst) or a.dports == ('og', name):
                    return True
        for g in self.netgroups.values():
            if ('obj', name) in g or ('group', name) in g:
                return True
        return False

    def open_gaps(self):
        """Interfaces that had a list bound and have none now."""
        return sorted(g[0] for g in self.gaps if g[2] is None)

    def paste(self, text, where='<paste>'):
        """Paste another file in a new session, over what is configured."""
        self.ended = False
        self.feed(text, where)

    def _refuse(self, why):
        if self.strict:
            raise ParseError(why)
        self.refused.append(why)

    def _bind(self, iface, acl):
        for g in self.gaps:
            if g[0] == iface and g[2] is None:
                g[2] = self.line
        self.bindings[iface] = acl

    def feed(self, text, where='<text>'):
        mode = None
        for ln, raw in enumerate(text.split('\n'), 1):
            self.line = ln
            try:
                mode = self._line(raw, mode)
            except ParseError as e:
                raise ParseError('%s:%d: %s: %r' % (where, ln, e, raw))

    def _line(self, raw, mode):
        if any(ord(c) < 0x20 or ord(c) > 0x7e for c in raw):
            raise ParseError('non-ASCII or control character in line')
        if raw.strip() == '':
            return mode
        if self.ended:
            raise ParseError('text after end')
        if raw.startswith('!') or raw.startswith(':'):
            return None
        toks = raw.split()
        if raw.startswith(' '):
            if mode is None:
                raise ParseError('indented line outside any sub-mode')
            self._sub(mode, toks)
            return mode
        return self._global(raw, toks)

    def _sub(self, mode, toks):
        kind, name = mode
        if toks[0] == 'description':
            return
        if kind == 'object':
            o = self.objects[name]
            if o:
                raise ParseError('object %s defined twice' % name)
            if toks[0] == 'host' and len(toks) == 2:
                o.append(_host(toks[1]))
            elif toks[0] == 'subnet' and len(toks) == 3:
                o.append(_net4(toks[1], toks[2]))
            elif toks[0] == 'subnet' and len(toks) == 2:
                o.append(_prefix6(toks[1]))
            elif toks[0] == 'fqdn' and len(toks) == 3 and \
                    toks[1] in ('v4', 'v6') and HOST_RE.match(toks[2]):
                o.append(('fqdn', toks[1], toks[2].lower()))
            else:
                raise ParseError('object network entry %r' % ' '.join(toks))
        elif kind == 'net':
            g = self.netgroups[name]
            if toks[0] == 'network-object' and len(toks) == 3 and \
                    toks[1] == 'host':
                g.append(_host(toks[2]))
            elif toks[0] == 'network-object' and len(toks) == 3 and \
                    toks[1] == 'object':
                if toks[2] not in self.objects:
                    raise ParseError('object %r not defined' % toks[2])
                g.append(('obj', toks[2]))
            elif toks[0] == 'network-object' and len(toks) == 3:
                g.append(_net4(toks[1], toks[2]))
            elif toks[0] == 'network-object' and len(toks) == 2:
                g.append(_prefix6(toks[1]))
            elif toks[0] == 'group-object' and len(toks) == 2:
                if toks[1] not in self.netgroups:
                    raise ParseError('group %r not defined' % toks[1])
                g.append(('group', toks[1]))
            else:
                raise ParseError('network-object %r' % ' '.join(toks))
        elif kind == 'svc':
            if toks[0] != 'port-object':
                raise ParseError('service entry %r' % ' '.join(toks))
            ports, i = _parse_ports(toks, 1)
            if ports is None or i != len(toks):
                raise ParseError('port-object %r' % ' '.join(toks))
            self.svcgroups[name][1].extend(ports)

    def _global(self, raw, t):
        if t == ['end']:
            self.ended = True
            return None
        if t[:3] == ['clear', 'configure', 'access-list'] and len(t) == 4:
            if t[3] in self.acls:
                del self.acls[t[3]]
                self.acl_order.remove(t[3])
                # The access-groups that name it go with it.
                for iface, acl in list(self.bindings.items()):
                    if acl == t[3]:
                        del self.bindings[iface]
                        self.gaps.append([iface, self.line, None])
            return None
        if t[:2] == ['no', 'object-group'] and len(t) == 4 and \
                t[2] in ('network', 'service'):
            table = self.netgroups if t[2] == 'network' else self.svcgroups
            if t[3] in table:
                if self._in_use(t[3]):
                    self._refuse('object-group %s is in use' % t[3])
                else:
                    del table[t[3]]
            return None
        if t[:3] == ['no', 'object', 'network'] and len(t) == 4:
            if t[3] in self.objects:
                if self._in_use(t[3]):
                    self._refuse('object %s is in use' % t[3])
                else:
                    del self.objects[t[3]]
            return None
        if t[:2] == ['object', 'network'] and len(t) == 3:
            if t[2] in self.objects:
                # Entered again: its one definition is replaced.
                self.objects[t[2]] = []
                return ('object', t[2])
            self._new_name(t[2])
            self.objects[t[2]] = []
            return ('object', t[2])
        if t[:2] == ['object-group', 'network'] and len(t) == 3:
            if t[2] not in self.netgroups:
                self._new_name(t[2])
                self.netgroups[t[2]] = []
            return ('net', t[2])
        if t[:2] == ['object-group', 'service'] and len(t) == 4 and \
                t[3] in ('tcp', 'udp', 'tcp-udp'):
            if t[2] in self.svcgroups:
                if self.svcgroups[t[2]][0] != t[3]:
                    raise ParseError('service group %s is %s' % (
                        t[2], self.svcgroups[t[2]][0]))
                return ('svc', t[2])
            self._new_name(t[2])
            self.svcgroups[t[2]] = (t[3], [])
            return ('svc', t[2])
        if t[0] == 'access-list' and len(t) >= 3:
            name = t[1]
            if not NAME_RE.match(name):
                raise ParseError('access-list name %r' % name)
            if t[2] == 'remark':
                self._remark(raw)
                if name not in self.acls:
                    self.acls[name] = []
                    self.acl_order.append(name)
            elif t[2] == 'extended':
                ace = self._ace(name, t)
                if name not in self.acls:
                    self.acls[name] = []
                    self.acl_order.append(name)
                self.acls[name].append(ace)
            else:
                raise ParseError('access-list type %r' % t[2])
            return None
        if t[0] == 'access-group' and len(t) == 5 and t[2] == 'in' and \
                t[3] == 'interface':
            if t[1] not in self.acls:
                self._refuse('access-group names no access-list')
                return None
            self._bind(t[4], t[1])
            return None
        raise ParseError('unknown command')

    def _new_name(self, name):
        if not NAME_RE.match(name):
            raise ParseError('object name %r' % name)
        if name in self.objects or name in self.netgroups or \
                name in self.svcgroups or name in self.acls:
            raise ParseError('name %r already in use' % name)


def load(paths, fqdn=None, strict=True):
    """Read one or more files (a path or a list of paths) in order."""
    if isinstance(paths, str):
        paths = [paths]
    cfg = Config(fqdn, strict)
    for p in paths:
        with open(p, encoding='ascii', errors='strict') as f:
            cfg.feed(f.read(), p)
    return cfg


def loads(text, fqdn=None, strict=True):
    cfg = Config(fqdn, strict)
    cfg.feed(text)
    return cfg


def expect(explained, fam, proto, port, by_default=False):
    """What this reader must answer where `egressc explain` says explained:
    the ASA has no reject, so it is sent as deny."""
    return 'deny' if explained == 'reject' else explained
