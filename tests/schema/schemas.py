#!/usr/bin/python3
"""schemas.py - writes grammar/policy.schema.json, catalog.schema.json and
lock.schema.json.  The address, port and name patterns are built here from
small parts and checked against tables of good and bad values before they
are written; nobody should hand-edit a 2 KB IPv6 regular expression.

    /usr/bin/python3 tests/schema/schemas.py          # check: exit 1 if stale
    /usr/bin/python3 tests/schema/schemas.py --write  # regenerate

tests/schema/generated.t runs the check."""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# IPv4 and IPv6 (RFC 3986's IPv6address, alternative by alternative).
O = r'(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])'
V4 = rf'(?:{O}\.){{3}}{O}'
H = r'[0-9A-Fa-f]{1,4}'
LS32 = rf'(?:{H}:{H}|{V4})'
def rep(n): return rf'(?:{H}:){{{n}}}' if n else ''
def upto(n):  # [ *n( h16 ":" ) h16 ]
    if n == 0: return rf'(?:{H})?'
    return rf'(?:(?:{H}:){{0,{n}}}{H})?'
alts = [rf'{rep(6)}{LS32}', rf'::{rep(5)}{LS32}', rf'{upto(0)}::{rep(4)}{LS32}',
        rf'{upto(1)}::{rep(3)}{LS32}', rf'{upto(2)}::{rep(2)}{LS32}',
        rf'{upto(3)}::{H}:{LS32}', rf'{upto(4)}::{LS32}', rf'{upto(5)}::{H}',
        rf'{upto(6)}::']
V6 = '(?:' + '|'.join(alts) + ')'
# Prefix lengths, ports 1-65535, ICMP types 0-255.
P4 = r'(?:3[0-2]|[12]?[0-9])'
P6 = r'(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])'
PORT = r'(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])'
TYPE = r'(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])'
# ICMP and ICMPv6 message names: src/ir/icmp.c's table, the one the front
# end, explain and every back end read, so the schema cannot fall behind it
# (egressc also takes them in any case; the schema, as they are spelled).
def icmp_names():
    src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            '..', '..', 'src', 'ir', 'icmp.c')).read()
    out = {}
    for tab in ('icmp4', 'icmp6'):
        body = src[src.index('static const struct icmp_name %s[] = {' % tab):]
        body = body[:body.index('{ NULL')]
        out[tab] = sorted(set(re.findall(r'\{ "([A-Za-z0-9-]+)", ', body)),
                          key=lambda n: (-len(n), n))
    return out
ICMP_NAMES = icmp_names()
assert 'echo-request' in ICMP_NAMES['icmp4'] and \
    'nd-neighbor-solicit' in ICMP_NAMES['icmp6'], ICMP_NAMES
def icmp_msg(tab):
    """TYPE, LO-HI, TYPE/CODE, TYPE/LO-HI, each a number or a name."""
    one = rf'(?:{TYPE}(?:-{TYPE})?|' + '|'.join(ICMP_NAMES[tab]) + ')'
    return rf'{one}(?:/{one})?'

# RFC 1123 labels; policies may write host names in any case (egressc
# lower-cases them), catalogs and lock files hold them in lower case.
LABEL = r'[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
LABELL = r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
HOST = rf'(?:{LABEL}\.)+(?![0-9]+$){LABEL}'

tests4 = ['0.0.0.0', '255.255.255.255', '192.0.2.1']
bad4 = ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5']
tests6 = ['::', '::1', '2001:db8::53', '2001:db8:0:0:0:0:0:1', '::ffff:192.0.2.1', 'fe80::', '1::', '1:2:3:4:5:6:7::', '1:2:3:4:5:6::8', '1::8']
bad6 = [':::', '1:2:3:4:5:6:7:8:9', '2001:db8::1::2', 'g::1', '12345::', '1:2:3:4:5:6:7', ':1::', '1::2:']
for t in tests4: assert re.fullmatch(V4, t), t
for t in bad4: assert not re.fullmatch(V4, t), t
for t in tests6: assert re.fullmatch(V6, t), t
for t in bad6: assert not re.fullmatch(V6, t), t
for p in range(0, 70000):
    assert bool(re.fullmatch(PORT, str(p))) == (1 <= p <= 65535), p
for p in range(0, 300):
    assert bool(re.fullmatch(TYPE, str(p))) == (p <= 255), p
for t in ['api.heygen.com', 'A.B', 'x-1.example', 'heygen-feapbkvq.oashburn1b.production.livekit.cloud', 'a.' + 'b' * 63]:
    assert re.fullmatch(HOST, t), t
for t in ['api', '1.2.3.4', 'a..b', '-a.b', 'a-.b', 'a_b.c', 'a.' + 'b' * 64, 'a.b.']:
    assert not re.fullmatch(HOST, t), t

# DNS servers as lock files' by: writes them (and --dns-server takes them).
SERVER = rf'(?:{V4}(?::{PORT})?|{V6}|\[{V6}\](?::{PORT})?)'
for t in ['10.0.0.53', '10.0.0.53:5353', '2001:db8::53', '[2001:db8::53]:5353', '[::1]:53', '[::1]']:
    assert re.fullmatch(SERVER, t), t
for t in ['10.0.0.53:0', '10.0.0.53:65536', '[10.0.0.53]:53', '2001:db8::53:5353x', '[::1]x', 'dns.example.com']:
    assert not re.fullmatch(SERVER, t), t

# Identifiers (rule, tier, network, service, variable names) and times.
IDENT = r'^[a-z0-9][a-z0-9_-]*$'
VARN = r'[a-z0-9][a-z0-9_-]{0,62}'
DATE = r'^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$'
TIME = r'^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)Z$'

def s(pattern, desc, **kw):
    d = {"type": "string", "pattern": pattern, "description": desc}
    d.update(kw)
    return d

def host(label, desc):
    return s(rf'^(?:{label}\.)+(?![0-9]+$){label}$', desc, maxLength=253)

common = {
  "ident": s(IDENT, "An identifier: a lower-case letter or digit, then lower-case letters, digits, '-' and '_'; at most 63 characters.", maxLength=63),
  "templated": s(rf'^(?=.*\$\{{)(?:[^$]|\$(?!\{{)|\$\{{{VARN}\}})*$',
      "A string with ${var} references.  Its value is known only after substitution, which egressc checks; here only the references are."),
  "ipv4": s(rf'^{V4}(?:/{P4})?$', "An IPv4 address or CIDR prefix (host bits set: a warning, and the prefix is normalised)."),
  "ipv6": s(rf'^{V6}(?:/{P6})?$', "An IPv6 address or CIDR prefix."),
}
defs = dict(common)
defs.update({
  "text": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}], "description": "Free text; ${var} references are substituted.  Like egressc, any scalar is taken as its text."},
  "any": {"const": "any", "description": "Every address, IPv4 and IPv6."},
  "netname": {"allOf": [{"$ref": "#/$defs/ident"}, {"not": {"const": "any"}}],
              "description": "A network from networks:."},
  "host": host(LABEL, "A host name: two or more RFC 1123 labels, the last not all digits, at most 253 characters; compared in lower case.  Looked up in the lock file (hosts: resolve) or kept by targets that resolve names (hosts: native)."),
  "wildcard": s(rf'^\*\.(?:{LABEL}\.)+(?![0-9]+$){LABEL}$', "A DNS wildcard *.zone (zone: a host name): one or more labels under the zone (see wildcards:).", maxLength=255),
  "dest": {"description": "A to: or networks: entry.",
      "anyOf": [{"$ref": "#/$defs/any"}, {"$ref": "#/$defs/ipv4"}, {"$ref": "#/$defs/ipv6"},
                {"$ref": "#/$defs/netname"}, {"$ref": "#/$defs/host"},
                {"$ref": "#/$defs/wildcard"}, {"$ref": "#/$defs/templated"}]},
  "dests": {"description": "One entry or a list of them.",
      "anyOf": [{"$ref": "#/$defs/dest"}, {"type": "array", "items": {"$ref": "#/$defs/dest"}}]},
  "src": {"description": "A from: entry: addresses and networks only (host names and wildcards cannot be a source).",
      "anyOf": [{"$ref": "#/$defs/any"}, {"$ref": "#/$defs/ipv4"}, {"$ref": "#/$defs/ipv6"},
                {"$ref": "#/$defs/netname"}, {"$ref": "#/$defs/templated"}]},
  "srcs": {"description": "One entry or a list of them.",
      "anyOf": [{"$ref": "#/$defs/src"}, {"type": "array", "items": {"$ref": "#/$defs/src"}}]},
  "port": {"description": "A ports:/services: entry: tcp/443, udp/50000-60000, sctp/9899, tcp, udp, sctp, icmp, icmp/TYPE, icmp/TYPE/CODE (numbers or names: icmp/echo-request, icmp/destination-unreachable/fragmentation-needed), icmpv6 ..., gre, esp, ah, proto/N, any, or a service name.",
      "anyOf": [
        s(rf'^(?:tcp|udp|sctp)(?:/{PORT}(?:-{PORT})?)?$', "tcp, udp or sctp: every port, one port, or an inclusive range lo-hi (1-65535; egressc checks lo <= hi)."),
        s(rf'^icmp(?:/{icmp_msg("icmp4")})?$', "icmp: every message, one type or a range of types (0-255, or nft's and iptables' names), or TYPE/CODE with one or a range of codes; egressc checks that a named code belongs to its type."),
        s(rf'^icmpv6(?:/{icmp_msg("icmp6")})?$', "icmpv6: as icmp, with ICMPv6's names."),
        {"enum": ["gre", "esp", "ah"], "description": "Every packet of IP protocol 47, 50 or 51."},
        s(rf'^proto/{TYPE}$', "Every packet of the IP protocol of that number (0-255); proto/6 is tcp, every port."),
        {"const": "any", "description": "Every protocol and port."},
        {"$ref": "#/$defs/ident"}, {"$ref": "#/$defs/templated"}]},
  "ports": {"description": "One entry or a list of them.",
      "anyOf": [{"$ref": "#/$defs/port"}, {"type": "array", "items": {"$ref": "#/$defs/port"}}]},
  "option": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}], "description": "A target option's value."},
  "rule": {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "description": "A rule; the first rule that matches a packet decides.  to: is required, except in an inbound rule, where it defaults to any (this host).",
    "if": {"properties": {"direction": {"const": "inbound"}}, "required": ["direction"]},
    "else": {"properties": {"to": True}, "required": ["to"]},
    "properties": {
      "name": {"$ref": "#/$defs/ident", "description": "Unique in the policy; used in comments and rule names."},
      "tier": {"$ref": "#/$defs/ident", "description": "minimum, recommended or any identifier; a rule without tier: belongs to every tier."},
      "to": {"$ref": "#/$defs/dests", "description": "Destinations."},
      "from": {"$ref": "#/$defs/srcs", "description": "Sources (router ACLs); default any."},
      "ports": {"$ref": "#/$defs/ports", "description": "Protocols and ports; with no ports: every protocol and port."},
      "action": {"enum": ["allow", "deny", "reject"], "description": "Default allow."},
      "log": {"type": "boolean"},
      "comment": {"$ref": "#/$defs/text"},
      "direction": {"enum": ["egress", "inbound"], "description": "Default egress; inbound needs inbound: allow at top level."},
      "allow-private": {"type": "boolean", "description": "resolve may put private, loopback or documentation addresses in this rule."}
    }
  },
})
# The port patterns on what egressc takes and refuses (a name's code is
# checked by egressc alone).
def port_ok(v):
    return any(re.fullmatch(a["pattern"], v) for a in defs["port"]["anyOf"]
               if "pattern" in a and a is not defs["ident"]) or \
        v in ("gre", "esp", "ah", "any")
for v in ['tcp/443', 'sctp', 'sctp/2904-2905', 'icmp/8', 'icmp/echo-request',
          'icmp/3/4', 'icmp/destination-unreachable/fragmentation-needed',
          'icmp/3/0-3', 'icmp/port-unreachable', 'icmp/TOS-host-redirect',
          'icmpv6/nd-neighbor-solicit', 'icmpv6/neighbour-solicitation',
          'icmpv6/1/admin-prohibited', 'gre', 'proto/47', 'proto/0',
          'proto/255']:
    assert port_ok(v), v
for v in ['tcp/0', 'sctp/65536', 'icmp/256', 'icmp/echo-requets',
          'icmp//4', 'icmpv6/echo-reqest', 'icmp/nd-neighbor-solicit',
          'gre/1', 'proto/256', 'proto', 'proto/047', 'udplite/80',
          'tcp/echo-request']:
    assert not port_ok(v), v

def target(props):
    return {"type": "object", "additionalProperties": False, "properties": props}
opt = lambda d: {"$ref": "#/$defs/option", "description": d}
targets = {
  "type": "object", "additionalProperties": False,
  "description": "Per-target options: targets: {TARGET: {KEY: VALUE}}.",
  "properties": {
    "nftables": target({"table": opt("table inet NAME; default: the policy name"),
                        "chain": opt("the chain; default output"),
                        "input-chain": opt("the inbound rules' chain; default input"),
                        "merge": {"enum": ["yes", "no", "true", "false", True, False],
                                  "description": "runs of rules as one concatenated set lookup per family (yes, the default) or one rule per line (no)"}}),
    "iptables": target({"chain": opt("the chain jumped to from OUTPUT; default EGRESSC-NAME, upper-cased, at most 28 characters"),
                        "input-chain": opt("the inbound rules' chain, jumped to from INPUT; default EGRESSC-IN-NAME, upper-cased, at most 28 characters"),
                        "merge": {"enum": [True, False], "description": "a run of adjacent allow rules as one line matching a hash:net,port ipset (default true)"}}),
    "pf": target({"table-prefix": opt("prefix of the <table> names")}),
    "netsh": target({"prefix": opt("rule name prefix; default egressc-NAME")}),
    "powershell": target({"group": opt("rule group; default egressc-NAME")}),
    "cisco-ios": target({"acl": opt("access list name"), "interface": opt("interface named in the apply comments"),
                         "return": {"enum": ["none", "established", "reflexive"], "description": "the return-traffic list"},
                         "object-groups": {"enum": ["yes", "no"], "description": "object-group network/service (yes) or one entry per member (no)"}}),
    "cisco-asa": target({"acl": opt("access list name"), "interface": opt("interface of the access-group line")}),
    "dnsmasq": target({}),
  }
}
# 1s to 23d: N, or N with s, m, h or d (egressc checks the bounds).
DURATION = r'^[0-9]{1,9}[smhd]?$'
def dur(desc): return {"type": "string", "pattern": DURATION, "description": desc}
dynamic = {
  "description": "Dynamic sets (nftables): every rule with host names also admits what DNS says of them later, in a set whose elements expire.  false: no dynamic sets, the lock's addresses only.",
  "anyOf": [
    {"const": False},
    {"type": "object", "additionalProperties": False,
     "properties": {
       "timeout": dur("How long an element lives when whoever adds it gives no timeout (dnsmasq's nftset): 1s to 23d; default 1h."),
       "min-ttl": dur("egressc refresh gives an answer at least this long: default 10m, longer than two runs of the refresh timer."),
       "max-ttl": dur("...and at most this long: default 1d."),
     }},
  ],
}
policy = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://egressc.invalid/grammar/policy.schema.json",
  "title": "egressc policy, format version 1",
  "description": "The structure of an egressc policy (egressc-policy(5)), as egressc's front end checks it.  egressc also checks what a schema cannot: unique rule names, that named networks, services and ${vars} exist, port ranges lo <= hi, include cycles, the values after ${var} substitution.  A fragment that another policy includes takes only egressc, description, vars, include, networks and services.  YAML typing: egressc reads a quoted \"1\" as a version, a number as text, and port numbers with leading zeros; this schema does not.",
  "type": "object",
  "additionalProperties": False,
  "required": ["egressc", "name"],
  "if": {"properties": {"rules": {"type": "array", "contains": {
             "type": "object", "properties": {"direction": {"const": "inbound"}},
             "required": ["direction"]}}},
         "required": ["rules"]},
  "then": {"properties": {"inbound": {"const": "allow"}}, "required": ["inbound"]},
  "properties": {
    "egressc": {"const": 1, "description": "Format version; required."},
    "name": s(r'^[a-z0-9][a-z0-9-]*$', "Names output files, tables and chains: [a-z0-9][a-z0-9-]*, at most 63 characters.", maxLength=63),
    "description": {"$ref": "#/$defs/text"},
    "vars": {"type": "object", "propertyNames": {"$ref": "#/$defs/ident"},
             "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
             "description": "Variables, referenced as ${name} in strings."},
    "include": {"description": "Files (relative to this one): catalogs (egressc-catalog: 1) or fragments (egressc: 1).",
                "anyOf": [{"type": "string", "minLength": 1},
                          {"type": "array", "items": {"type": "string", "minLength": 1}}]},
    "wildcards": {"enum": ["native", "expand", "forbid"], "description": "Default expand."},
    "hosts": {"enum": ["resolve", "native"], "description": "Default resolve."},
    "default": {"enum": ["deny", "accept", "none"], "description": "Default deny."},
    "inbound": {"enum": ["allow", "deny"], "description": "Default deny."},
    "tiers": {"type": "array", "items": {"$ref": "#/$defs/ident"}, "uniqueItems": True,
              "description": "The tiers in order; --tier T keeps T and every tier before it. Default [minimum, recommended]."},
    "networks": {"type": "object",
                 "propertyNames": {"allOf": [{"$ref": "#/$defs/ident"}, {"not": {"const": "any"}}]},
                 "additionalProperties": {"$ref": "#/$defs/dests"}},
    "services": {"type": "object",
                 "propertyNames": {"allOf": [{"$ref": "#/$defs/ident"},
                                             {"not": {"enum": ["any", "tcp", "udp", "sctp", "icmp", "icmpv6", "gre", "esp", "ah", "proto"]}}]},
                 "additionalProperties": {"$ref": "#/$defs/ports"}},
    "rules": {"description": "The rules in order; none (or no rules: at all) with default: deny is a lockdown.",
              "anyOf": [{"type": "null"}, {"type": "array", "items": {"$ref": "#/$defs/rule"}}]},
    "targets": targets,
    "dynamic": dynamic,
    "max-lock-age": s(r'^[1-9][0-9]{0,4}d$', "How old the lock may be before every command that reads it warns: a number of days (1 to 36500, egressc checks the bound) and d.  Default 30d.  An example lock never warns."),
  },
  "$defs": defs,
}
lst = lambda item: {"anyOf": [item, {"type": "array", "items": item}]}
catalog = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://egressc.invalid/grammar/catalog.schema.json",
  "title": "egressc catalog, format version 1",
  "description": "A catalog lists, per DNS wildcard zone, the concrete hosts and address ranges that stand for it (egressc-policy(5), CATALOGS).  A policy includes it; wildcards: expand uses it.  egressc also checks that each host lies under its zone and that ${region} is used only with regions:.",
  "type": "object", "additionalProperties": False,
  "required": ["egressc-catalog", "name", "source", "checked", "zones"],
  "properties": {
    "egressc-catalog": {"const": 1, "description": "Format version; required."},
    "name": {"type": "string", "minLength": 1},
    "description": {"$ref": "#/$defs/text"},
    "source": {"type": "string", "minLength": 1, "description": "Where the list came from (a vendor page or API)."},
    "checked": {"type": "string", "pattern": DATE, "description": "YYYY-MM-DD when someone last compared the list with its source; older than 180 days gives a warning on every compile."},
    "regions": lst({"type": "string", "pattern": "^[a-z0-9]+$", "description": "A region code: lower-case letters and digits."}),
    "zones": {"type": "object", "propertyNames": {"$ref": "#/$defs/wildcard"},
              "additionalProperties": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/zone"}]}},
  },
  "$defs": {
    "templated": common["templated"],
    "text": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}], "description": "Free text for people."},
    "ipv4": common["ipv4"], "ipv6": common["ipv6"],
    "wildcard": s(rf'^\*\.(?:{LABELL}\.)+(?![0-9]+$){LABELL}$', "A zone: *. and a lower-case host name.", maxLength=255),
    "host": host(LABEL, "A host name under the zone (compared in lower case)."),
    "zone": {
      "type": "object", "additionalProperties": False,
      "description": "What stands for the zone: hosts, cidrs, and for a zone with neither, unlisted.",
      "properties": {
        "hosts": lst({"anyOf": [{"$ref": "#/$defs/host"}, {"$ref": "#/$defs/templated"}]}),
        "cidrs": lst({"anyOf": [{"$ref": "#/$defs/ipv4"}, {"$ref": "#/$defs/ipv6"}]}),
        "comment": {"$ref": "#/$defs/text"},
        "unlisted": {"enum": ["error", "any", "omit"],
                     "description": "For a zone nobody can list: error (default), any (the rule's ports to any address), omit (drop this destination); any and omit warn on every compile."},
      },
    },
  },
}
lock = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://egressc.invalid/grammar/lock.schema.json",
  "title": "egressc lock file, format version 1",
  "description": "Host name to addresses, as egressc resolve last found them (egressc-policy(5), LOCK FILES).  Written by egressc in canonical order; compile reads it and never touches the network.",
  "type": "object", "additionalProperties": False,
  "required": ["egressc-lock"],
  "properties": {
    "egressc-lock": {"const": 1, "description": "Format version; required."},
    "example": {"type": "boolean", "description": "true: documentation addresses, not DNS answers; every output says so."},
    "made": {"$ref": "#/$defs/time", "description": "When egressc resolve wrote the lock; its age is measured from here (max-lock-age, check --max-lock-age).  Absent from locks written before egressc recorded it."},
    "hosts": {"type": "object", "propertyNames": {"$ref": "#/$defs/hostname"},
              "additionalProperties": {"$ref": "#/$defs/entry"}},
  },
  "$defs": {
    "hostname": host(LABELL, "A lower-case host name."),
    "time": {"type": "string", "pattern": TIME, "description": "RFC 3339, UTC, whole seconds: 2026-11-24T12:00:00Z."},
    "v4": {"type": "string", "pattern": rf'^{V4}$'},
    "v6": {"type": "string", "pattern": rf'^{V6}$'},
    "server": {"type": "string", "pattern": rf'^{SERVER}$',
               "description": "A DNS server: ADDR (port 53), ADDR:PORT or [IPV6]:PORT."},
    "ptr": {"type": "string", "pattern": r'^[!-~]{1,255}$', "description": "A PTR name as DNS gave it, in lower case."},
    "entry": {
      "type": "object", "additionalProperties": False,
      "properties": {
        "a": lst({"$ref": "#/$defs/v4"}),
        "aaaa": lst({"$ref": "#/$defs/v6"}),
        "ttl": {"type": "integer", "minimum": 0, "maximum": 4294967295},
        "first-seen": {"$ref": "#/$defs/time", "description": "The earliest first-seen of the addresses."},
        "last-seen": {"$ref": "#/$defs/time", "description": "The latest last-seen of the addresses."},
        "seen": {"type": "object",
                 "description": "Per address: [first-seen, last-seen].",
                 "propertyNames": {"anyOf": [{"$ref": "#/$defs/v4"}, {"$ref": "#/$defs/v6"}]},
                 "additionalProperties": {"type": "array", "prefixItems": [{"$ref": "#/$defs/time"}, {"$ref": "#/$defs/time"}],
                                          "minItems": 2, "maxItems": 2}},
        "by": {"type": "object",
               "description": "Per address: the DNS servers that returned it, sorted; absent when the system resolver was asked.",
               "propertyNames": {"anyOf": [{"$ref": "#/$defs/v4"}, {"$ref": "#/$defs/v6"}]},
               "additionalProperties": lst({"$ref": "#/$defs/server"})},
        "ptr": {"type": "object",
                "description": "Per address: its PTR names (resolve --ptr), sorted.",
                "propertyNames": {"anyOf": [{"$ref": "#/$defs/v4"}, {"$ref": "#/$defs/v6"}]},
                "additionalProperties": lst({"$ref": "#/$defs/ptr"})},
      },
    },
  },
}


def main():
    write = sys.argv[1:] == ["--write"]
    stale = []
    for fn, sch in (("policy", policy), ("catalog", catalog), ("lock", lock)):
        path = os.path.join(ROOT, "grammar", fn + ".schema.json")
        text = json.dumps(sch, indent=2) + "\n"
        try:
            old = open(path, encoding="utf-8").read()
        except OSError:
            old = None
        if old == text:
            continue
        if write:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            stale.append(path)
    for p in stale:
        print("%s differs from what schemas.py writes" % p)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
