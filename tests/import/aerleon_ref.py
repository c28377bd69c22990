"""aerleon_ref.py - Aerleon's reference outputs (tests/import/aerleon/ref/)
cut to one filter and written in the subset tests/readers/ parse, so the
same readers that decide egressc's output decide Aerleon's.

Aerleon's nftables output puts every filter of a policy in one file:
`table ip|ip6|inet filtering_policies` blocks, one base chain rootN per
filter (N from 0, in the policy's order) that jumps to a chain per term,
and a `comment "..."` line per comment.  nft_filter(text, n) keeps rootN:
each `jump T` replaced by T's rules (T's verdicts are final for the base
chain, and falling off T's end returns to the next jump, so inlining
decides the same), the comment lines dropped, `ip protocol X` written
`meta nfproto ipv4 meta l4proto X` and ICMP type names as numbers.  A chain
name defined twice in a table (Aerleon repeats term names across filters)
gets both bodies, as nft -f appends them.  It returns the text, the
families the table sees (ip: 4, ip6: 6, inet: both; the kernel passes the
other family, which no chain of the table sees) and the hook.

Aerleon's iptables-restore output (speedway) is one *filter table of all
filters.  ipt_filter(text, chain) keeps the built-in chain and the chains it
jumps to, `-N CHAIN` written as a declaration and comment-only rules (no
-j: they match and do nothing) dropped; its own header comments are
comments the reader skips.  Standard library only.
"""

import re

NFT_ICMP = {'echo-reply': 0, 'destination-unreachable': 3,
            'source-quench': 4, 'redirect': 5, 'echo-request': 8,
            'router-advertisement': 9, 'router-solicitation': 10,
            'time-exceeded': 11, 'parameter-problem': 12,
            'timestamp-request': 13, 'timestamp-reply': 14}
NFT_ICMPV6 = {'destination-unreachable': 1, 'packet-too-big': 2,
              'time-exceeded': 3, 'parameter-problem': 4,
              'echo-request': 128, 'echo-reply': 129,
              'mld-listener-query': 130, 'mld-listener-report': 131,
              'mld-listener-done': 132, 'nd-router-solicit': 133,
              'nd-router-advert': 134, 'nd-neighbor-solicit': 135,
              'nd-neighbor-advert': 136, 'nd-redirect': 137}
FAMS = {'ip': {4}, 'ip6': {6}, 'inet': {4, 6}}


class RefError(Exception):
    pass


def _nft_tables(text):
    """{(family, table): {chain: [lines]}} in the order written."""
    tables, table, chain = {}, None, None
    for raw in text.split('\n'):
        s = raw.strip()
        if not s or s.startswith('#'):
            continue
        m = re.fullmatch(r'table (ip|ip6|inet) (\S+) \{', s)
        if table is None and m:
            table = tables.setdefault((m.group(1), m.group(2)), {})
            continue
        m = re.fullmatch(r'chain (\S+) \{', s)
        if table is not None and chain is None and m:
            chain = table.setdefault(m.group(1), [])
            continue
        if s == '}':
            if chain is not None:
                chain = None
            elif table is not None:
                table = None
            else:
                raise RefError('unbalanced }')
            continue
        if chain is None:
            raise RefError('outside a chain: %r' % raw)
        chain.append(s)
    return tables


def _icmp_names(m, table):
    vals = [v.strip() for v in m.group(2).strip('{} ').split(',')]
    try:
        nums = [str(table[v]) if not v.isdigit() else v for v in vals]
    except KeyError as e:
        raise RefError('ICMP type %s' % e) from None
    if len(nums) == 1:
        return '%s type %s' % (m.group(1), nums[0])
    return '%s type { %s }' % (m.group(1), ', '.join(nums))


def _nft_rule(s):
    s = re.sub(r'\bip protocol (\{[^}]*\}|\S+)',
               r'meta nfproto ipv4 meta l4proto \1', s)
    s = re.sub(r'\b(icmpv6) type (\{[^}]*\}|\S+)',
               lambda m: _icmp_names(m, NFT_ICMPV6), s)
    s = re.sub(r'\b(icmp) type (\{[^}]*\}|\S+)',
               lambda m: _icmp_names(m, NFT_ICMP), s)
    return s


def _nft_inline(chains, name, depth=0):
    if depth > 8 or name not in chains:
        raise RefError('jump to %r' % name)
    out = []
    for s in chains[name]:
        if s.startswith('comment ') or s.startswith('type filter hook'):
            continue
        m = re.fullmatch(r'jump (\S+)', s)
        if m:
            out += _nft_inline(chains, m.group(1), depth + 1)
        else:
            out.append(_nft_rule(s))
    return out


def nft_filter(text, n):
    """(nft text of filter n, its families, its hook)."""
    for (fam, _), chains in _nft_tables(text).items():
        root = 'root%d' % n
        if root not in chains:
            continue
        hook = [s for s in chains[root] if s.startswith('type filter hook')]
        if len(hook) != 1:
            raise RefError('%s has no hook line' % root)
        lines = ['table inet aerleon {', '\tchain %s {' % root,
                 '\t\t' + hook[0]]
        lines += ['\t\t' + r for r in _nft_inline(chains, root)]
        lines += ['\t}', '}', '']
        return ('\n'.join(lines), FAMS[fam],
                re.match(r'type filter hook (\w+)', hook[0]).group(1))
    raise RefError('no chain root%d' % n)


def ipt_filter(text, chain):
    """iptables-restore text of the built-in chain and what it jumps to."""
    decl, rules, order = {}, {}, []
    for raw in text.split('\n'):
        if raw in ('*filter', 'COMMIT') or not raw or raw.startswith('#'):
            continue
        m = re.fullmatch(r':(\S+) (ACCEPT|DROP) \[0:0\]', raw)
        if m:
            decl[m.group(1)] = raw
            continue
        m = re.fullmatch(r'-N (\S+)', raw)
        if m:
            decl[m.group(1)] = ':%s - [0:0]' % m.group(1)
            continue
        m = re.match(r'-A (\S+) (.*)', raw)
        if not m:
            raise RefError('line %r' % raw)
        if ' -j ' not in ' ' + m.group(2):
            continue
        rules.setdefault(m.group(1), []).append(raw)
        if m.group(1) not in order:
            order.append(m.group(1))
    keep, todo = [], [chain]
    while todo:
        c = todo.pop(0)
        if c in keep:
            continue
        keep.append(c)
        for r in rules.get(c, []):
            j = re.search(r' -j (\S+)', r).group(1)
            if j not in ('ACCEPT', 'DROP', 'REJECT', 'LOG', 'RETURN'):
                todo.append(j)
    if chain not in decl:
        raise RefError('no chain %s' % chain)
    out = ['*filter'] + [decl[c] for c in keep]
    out += [r for c in keep for r in rules.get(c, [])]
    return '\n'.join(out + ['COMMIT', ''])
