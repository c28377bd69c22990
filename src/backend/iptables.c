/*
 * iptables.c - two iptables-restore files, IPv4 and IPv6, each a complete
 * filter table: an EGRESSC-NAME chain holds the policy's rules and OUTPUT
 * jumps to it.  iptables has no sets without ipset, so a rule becomes one
 * line per source and destination prefix, protocol and multiport chunk.
 */
#include <string.h>

#include "backend/backend.h"
#include "ir/icmp.h"

#define MULTIPORT_MAX	15	/* slots; a range takes two */

struct ipt {
	const struct be_opts	*op;
	struct out		*o;
	const char		*chain;
	enum fam		 fam;
	/* The rule's source and destination prefixes as text, made once
	 * per rule rather than once per protocol and port chunk. */
	const char		**srcs, **dsts;
	size_t			 ns, nd;
};

static void
put_ports(struct out *o, const struct iset *s, char sep)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		out_printf(o, "%s%u", i ? "," : "", (unsigned)s->v[i].lo);
		if (s->v[i].hi != s->v[i].lo)
			out_printf(o, "%c%u", sep, (unsigned)s->v[i].hi);
	}
}

/*
 * The protocol part of a line: "-p tcp -m multiport --dports 1,2",
 * "-p icmp --icmp-type 3/4" (one message: tc), "-p 47".  Protocols go by
 * the names iptables knows without /etc/protocols, else by number.
 */
static void
put_proto(struct out *o, enum fam f, const struct be_match *m,
    const struct iset *ports, int type, int code)
{
	if (m->proto < 0)
		return;
	if (m->proto == P_ICMP || m->proto == P_ICMP6) {
		out_printf(o, f == FAM_V4 ? " -p icmp" : " -p ipv6-icmp");
		if (type >= 0)
			out_printf(o, f == FAM_V4 ? " --icmp-type %d" :
			    " --icmpv6-type %d", type);
		if (code >= 0)
			out_printf(o, "/%d", code);
		return;
	}
	if (m->proto == BE_OTHER) {
		if (m->ipp == 50 || m->ipp == 51)
			out_printf(o, " -p %s", ipp_name(m->ipp));
		else
			out_printf(o, " -p %u", m->ipp);
		return;
	}
	out_printf(o, " -p %s", proto_name[m->proto]);
	if (ports == NULL)
		return;
	if (ports->n == 1) {
		out_puts(o, " --dport ");
		put_ports(o, ports, ':');
	} else {
		out_puts(o, " -m multiport --dports ");
		put_ports(o, ports, ':');
	}
}

static void
put_line(struct ipt *t, const struct ir_rule *r, const char *src,
    const char *dst, const char *proto, const char *comment)
{
	static const char *const target[] = { "ACCEPT", "DROP", "REJECT" };
	int pass;

	/* A logged rule gets a LOG line with the same match first. */
	for (pass = r->log ? 0 : 1; pass < 2; pass++) {
		out_printf(t->o, "-A %s", t->chain);
		if (src != NULL)
			out_printf(t->o, " -s %s", src);
		if (dst != NULL)
			out_printf(t->o, " -d %s", dst);
		out_puts(t->o, proto);
		out_printf(t->o, " -m comment --comment \"%s\"", comment);
		if (pass == 0)
			out_printf(t->o, " -j LOG --log-prefix \"egressc %.20s \"\n",
			    r->name);
		else if (r->action == IR_REJECT && strstr(proto, "-p tcp"))
			out_puts(t->o, " -j REJECT --reject-with tcp-reset\n");
		else
			out_printf(t->o, " -j %s\n", target[r->action]);
	}
}

/* Prefixes of one side, or a single NULL entry meaning "any". */
static size_t
side(struct arena *a, const struct aset *s, enum fam f, const char ***out)
{
	struct prefix *p;
	size_t n, i;
	char buf[ADDR_STRLEN];

	if (aset_fam_full(s, f)) {
		*out = arena_alloc(a, sizeof(**out));
		return 1;
	}
	n = aset_prefixes(a, s, f, &p);
	*out = arena_alloc(a, (n ? n : 1) * sizeof(**out));
	for (i = 0; i < n; i++)
		(*out)[i] = arena_strdup(a, addr_format(buf, f, p[i].addr,
		    p[i].len));
	return n;
}

/* One line per source, destination and protocol part. */
static void
put_lines(struct ipt *t, const struct ir_rule *r, const struct be_match *m,
    const struct iset *ports, int type, int code, const char *comment)
{
	struct out proto;
	size_t s, d;

	out_init(&proto);
	put_proto(&proto, t->fam, m, ports, type, code);
	for (s = 0; s < t->ns; s++)
		for (d = 0; d < t->nd; d++)
			put_line(t, r, t->srcs[s], t->dsts[d],
			    out_str(&proto), comment);
	out_free(&proto);
}

/* ICMP: one line per type, or per type and code (--icmp-type takes one). */
static void
put_icmp(struct ipt *t, const struct ir_rule *r, const struct be_match *m,
    const char *comment)
{
	struct icmp_group *g;
	size_t ng, i, j, k;
	u128 ty, c;

	ng = icmp_groups(t->op->arena, m->ports, &g);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].types.n; j++)
			for (ty = g[i].types.v[j].lo;
			    ty <= g[i].types.v[j].hi; ty++) {
				if (g[i].every_code) {
					put_lines(t, r, m, NULL, (int)ty, -1,
					    comment);
					continue;
				}
				for (k = 0; k < g[i].codes.n; k++)
					for (c = g[i].codes.v[k].lo;
					    c <= g[i].codes.v[k].hi; c++)
						put_lines(t, r, m, NULL,
						    (int)ty, (int)c, comment);
			}
}

static void
put_rule(struct ipt *t, const struct ir_rule *r)
{
	struct arena *a = t->op->arena;
	struct be_match *m;
	const char *comment;
	struct iset *chunks;
	size_t nm, i, nc, c;

	comment = be_rule_comment(t->op, r);
	nm = be_matches(a, r, t->op->be->caps, &m);
	t->ns = t->nd = 0;
	for (i = 0; i < nm; i++) {
		if (m[i].fam != (int)t->fam)
			continue;
		if (t->ns == 0) {
			t->ns = side(a, &r->src, t->fam, &t->srcs);
			t->nd = side(a, &r->dst, t->fam, &t->dsts);
		}
		if (m[i].ports == NULL) {
			put_lines(t, r, &m[i], NULL, -1, -1, comment);
			continue;
		}
		if (m[i].proto == P_ICMP || m[i].proto == P_ICMP6) {
			put_icmp(t, r, &m[i], comment);
			continue;
		}
		nc = be_chunks(a, m[i].ports, MULTIPORT_MAX, &chunks);
		for (c = 0; c < nc; c++)
			put_lines(t, r, &m[i], &chunks[c], -1, -1, comment);
	}
}

/* One chain and the jump from the built-in chain to it. */
static void
put_chain(const struct ir *ir, const struct be_opts *op, const char *chain,
    enum fam f, enum ir_dir dir, struct out *o)
{
	static const char *const final[] = { "DROP", "ACCEPT", NULL };
	static const char *const builtin[] = { "OUTPUT", "INPUT" };
	static const char *const lo[] = { "-o", "-i" };
	struct ipt t = { op, o, chain, f, NULL, NULL, 0, 0 };
	size_t i;

	if (ir->def != IR_DEF_NONE) {
		out_printf(o, "-A %s -j %s\n", builtin[dir], chain);
		/* A reply is all a connection opened from outside needs:
		 * refuse to send one (see ir_closes_inbound). */
		if (dir == IR_EGRESS && ir_closes_inbound(ir))
			out_printf(o, "-A %s ! -o lo -m conntrack --ctdir REPLY "
			    "-j DROP\n", chain);
		out_printf(o, "-A %s -m conntrack --ctstate ESTABLISHED,RELATED "
		    "-j ACCEPT\n-A %s %s lo -j ACCEPT\n", chain, chain, lo[dir]);
	}
	for (i = 0; i < ir->nrules; i++)
		if (ir->rules[i].dir == dir)
			put_rule(&t, &ir->rules[i]);
	if (ir->def != IR_DEF_NONE)
		out_printf(o, "-A %s -m comment --comment \"default %s\" "
		    "-j %s\n", chain, ir_default_name[ir->def], final[ir->def]);
}

static int
emit_fam(const struct ir *ir, const struct be_opts *op, const char *const *chain,
    enum fam f, struct out *o)
{
	struct out hdr, chains, rules;
	const char *vars[7];
	int rc;

	out_init(&hdr);
	out_init(&chains);
	out_init(&rules);
	be_header(op, ir, "# ", &hdr);
	hdr.buf[--hdr.len] = '\0';
	if (chain[IR_INBOUND] != NULL)
		out_printf(&chains, ":INPUT ACCEPT [0:0]\n");
	out_printf(&chains, ":OUTPUT ACCEPT [0:0]\n:%s - [0:0]\n",
	    chain[IR_EGRESS]);
	if (chain[IR_INBOUND] != NULL)
		out_printf(&chains, ":%s - [0:0]\n", chain[IR_INBOUND]);
	put_chain(ir, op, chain[IR_EGRESS], f, IR_EGRESS, &rules);
	/* Only a policy with inbound rules owns the input path. */
	if (chain[IR_INBOUND] != NULL)
		put_chain(ir, op, chain[IR_INBOUND], f, IR_INBOUND, &rules);
	vars[0] = "HEADER", vars[1] = out_str(&hdr);
	vars[2] = "RESTORE", vars[3] = f == FAM_V4 ? "iptables-restore" :
	    "ip6tables-restore";
	vars[4] = "CHAINS", vars[5] = out_str(&chains);
	vars[6] = NULL;
	rc = be_template_take(op, "iptables", vars, "RULES", &rules, o);
	out_free(&hdr);
	out_free(&chains);
	out_free(&rules);
	return rc;
}

static int
ipt_emit(const struct ir *ir, const struct be_opts *op, struct out *outs)
{
	const char *chain[2] = { NULL, NULL };

	chain[IR_EGRESS] = be_option(op, ir, "chain", NULL);
	if (ir_has_inbound(ir) && (chain[IR_INBOUND] = be_option(op, ir,
	    "input-chain", NULL)) == NULL)
		return -1;
	if (chain[IR_EGRESS] == NULL ||
	    emit_fam(ir, op, chain, FAM_V4, &outs[0]) < 0 ||
	    emit_fam(ir, op, chain, FAM_V6, &outs[1]) < 0)
		return -1;
	return 0;
}

/*
 * The chains' names by default: PREFIX and the policy's name, upper case,
 * in iptables' 28 characters.  A name too long is cut, and a hash of the
 * whole name follows a '_' (which no policy name holds): at offset 23 for
 * the egress chain and 22 for the input chain, so the two chains of one
 * policy never clash, cut or not ("in-in-in-in-in-in-in-in" once gave
 * both one name), and names cut alike part by their hash.
 */
#define IPT_CHAIN_MAX	28

static const char *
ipt_chain_name(struct arena *a, const char *prefix, const char *name,
    size_t hashlen)
{
	size_t room = IPT_CHAIN_MAX - strlen(prefix);
	unsigned h = 2166136261u;		/* FNV-1a */
	const char *p;

	if (strlen(name) <= room)
		return arena_printf(a, "%s%s", prefix, name);
	for (p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return arena_printf(a, "%s%.*s_%0*X", prefix, (int)(room - 1 -
	    hashlen), name, (int)hashlen, h & ((1u << (4 * hashlen)) - 1));
}

static const char *
ipt_chain_default(const struct be_opts *o, const struct ir *ir)
{
	return ipt_chain_name(o->arena, "EGRESSC-", ir->name, 4);
}

static const char *
ipt_input_default(const struct be_opts *o, const struct ir *ir)
{
	return ipt_chain_name(o->arena, "EGRESSC-IN-", ir->name, 5);
}

/* Built-in chains and the verdicts and targets -j takes: a chain of one
 * of these names is refused, or shadowed by the target. */
static const char *const ipt_reserved[] = {
	"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING",
	"ACCEPT", "DROP", "RETURN", "QUEUE", "ERROR", "STANDARD",
	"AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK",
	"CONNSECMARK", "CT", "DNAT", "DNPT", "DSCP", "ECN", "HL", "HMARK",
	"IDLETIMER", "LED", "LOG", "MARK", "MASQUERADE", "MIRROR", "NAT",
	"NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST", "REDIRECT",
	"REJECT", "SAME", "SECMARK", "SET", "SNAT", "SNPT", "SYNPROXY",
	"TCPMSS", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL",
	"ULOG", NULL
};

static const char *const ipt_suffixes[] = { ".rules.v4", ".rules.v6", NULL };
/* iptables takes chain names of at most 28 characters. */
static const struct be_option ipt_options[] = {
	{ .key = "chain", .kind = BE_OPT_IDENT, .maxlen = IPT_CHAIN_MAX,
	    .upper = true, .dflt = ipt_chain_default,
	    .reserved = ipt_reserved },
	{ .key = "input-chain", .kind = BE_OPT_IDENT,
	    .maxlen = IPT_CHAIN_MAX, .upper = true,
	    .dflt = ipt_input_default, .reserved = ipt_reserved,
	    .distinct = "chain", .inbound = true },
	{ .key = NULL }
};

const struct backend be_iptables = {
	.name = "iptables",
	.caps = BE_FIRST_MATCH | BE_REJECT | BE_LOG | BE_INBOUND |
	    BE_SCTP_PORTS,
	/* iptables 1.8.9 cuts comments past 255 bytes without a word. */
	.comment_max = 255,
	.comment_bad = "",
	.suffixes = ipt_suffixes,
	.options = ipt_options,
	.emit = ipt_emit,
};
