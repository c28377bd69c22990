/*
 * nftables.c - one `table inet` for nft -f.  The file first creates and
 * deletes the table so that loading it replaces the old table in the same
 * transaction.  Address and port sets are anonymous sets, so a rule with
 * many destinations and ports is one line per family and protocol.
 */
#include <string.h>

#include "backend/backend.h"

static const char *const nft_fam[FAM_N] = { "ip", "ip6" };

static void
put_addrs(struct arena *a, struct out *o, const struct aset *s, enum fam f)
{
	struct prefix *p;
	size_t n, i;
	char buf[ADDR_STRLEN];

	n = aset_prefixes(a, s, f, &p);
	if (n > 1)
		out_puts(o, "{ ");
	for (i = 0; i < n; i++)
		out_printf(o, "%s%s", i ? ", " : "",
		    addr_format(buf, f, p[i].addr, p[i].len));
	if (n > 1)
		out_puts(o, " }");
}

static void
put_ports(struct out *o, const struct iset *s)
{
	size_t i;

	if (s->n > 1)
		out_puts(o, "{ ");
	for (i = 0; i < s->n; i++) {
		out_printf(o, "%s%u", i ? ", " : "", (unsigned)s->v[i].lo);
		if (s->v[i].hi != s->v[i].lo)
			out_printf(o, "-%u", (unsigned)s->v[i].hi);
	}
	if (s->n > 1)
		out_puts(o, " }");
}

static void
put_match(const struct be_opts *op, struct out *o, const struct ir_rule *r,
    const struct be_match *m)
{
	static const char *const l4[P_N] = { "tcp dport", "udp dport",
	    "icmp type", "icmpv6 type" };
	bool sel = false;

	if (m->fam >= 0) {
		enum fam f = (enum fam)m->fam;

		if (!aset_fam_full(&r->src, f)) {
			out_printf(o, " %s saddr ", nft_fam[f]);
			put_addrs(op->arena, o, &r->src, f);
			sel = true;
		}
		if (!aset_fam_full(&r->dst, f)) {
			out_printf(o, " %s daddr ", nft_fam[f]);
			put_addrs(op->arena, o, &r->dst, f);
			sel = true;
		}
		if (!sel)
			out_printf(o, " meta nfproto %s", f == FAM_V4 ?
			    "ipv4" : "ipv6");
	}
	if (m->proto < 0)
		return;
	if (m->ports == NULL) {
		out_printf(o, " meta l4proto %s", m->proto == P_ICMP6 ?
		    "ipv6-icmp" : proto_name[m->proto]);
		return;
	}
	out_printf(o, " %s ", l4[m->proto]);
	put_ports(o, m->ports);
}

static void
put_rule(const struct be_opts *op, struct out *o, const struct ir_rule *r)
{
	static const char *const verdict[] = { "accept", "drop", "reject" };
	struct be_match m[BE_MAX_MATCHES];
	size_t n, i;
	const char *comment = be_rule_comment(op, r);

	struct out line;

	out_init(&line);
	n = be_matches(r, op->be->caps, m);
	for (i = 0; i < n; i++) {
		out_reset(&line);
		put_match(op, &line, r, &m[i]);
		if (r->log)
			out_printf(&line, " log prefix \"egressc %s \"",
			    r->name);
		out_printf(&line, " %s comment \"%s\"\n", verdict[r->action],
		    comment);
		/* Every token was written with a space before it. */
		out_printf(o, "\t\t%s", out_str(&line) + 1);
	}
	out_free(&line);
}

/* One chain: its hook line (unless default: none) and its rules. */
static int
put_chain(const struct ir *ir, const struct be_opts *op, const char *name,
    enum ir_dir dir, struct out *o)
{
	static const char *const policy[] = { "drop", "accept", NULL };
	static const char *const hook[] = { "output", "input" };
	static const char *const lo[] = { "oif", "iif" };
	const char *vars[7];
	struct out head, rules;
	size_t i;
	int rc;

	out_init(&head);
	out_init(&rules);
	if (ir->def != IR_DEF_NONE) {
		out_printf(&head, "\t\ttype filter hook %s priority filter; "
		    "policy %s;\n", hook[dir], policy[ir->def]);
		/* A reply is all a connection opened from outside needs:
		 * refuse to send one (see ir_closes_inbound). */
		if (dir == IR_EGRESS && ir_closes_inbound(ir))
			out_puts(&head, "\t\toif != \"lo\" ct direction reply "
			    "drop\n");
		out_printf(&head, "\t\tct state established,related accept\n"
		    "\t\t%s \"lo\" accept\n", lo[dir]);
	}
	for (i = 0; i < ir->nrules; i++)
		if (ir->rules[i].dir == dir)
			put_rule(op, &rules, &ir->rules[i]);
	vars[0] = "CHAIN", vars[1] = name;
	vars[2] = "HOOK", vars[3] = out_str(&head);
	vars[4] = "RULES", vars[5] = out_str(&rules);
	vars[6] = NULL;
	rc = be_template(op, "nftables-chain", vars, o);
	out_free(&head);
	out_free(&rules);
	return rc;
}

static int
nft_emit(const struct ir *ir, const struct be_opts *op, struct out *outs)
{
	const char *table, *chain, *input = NULL, *vars[7];
	struct out hdr, chains;
	int rc;

	table = be_option(op, ir, "table", ir->name);
	chain = be_option(op, ir, "chain", "output");
	if (ir_has_inbound(ir))
		input = be_option(op, ir, "input-chain", "input");
	if (table == NULL || chain == NULL || (ir_has_inbound(ir) &&
	    input == NULL))
		return -1;
	out_init(&hdr);
	out_init(&chains);
	be_header(op, ir, "# ", &hdr);
	hdr.buf[--hdr.len] = '\0';	/* the template has the newline */
	rc = put_chain(ir, op, chain, IR_EGRESS, &chains);
	/* Only a policy with inbound rules owns the input path. */
	if (rc == 0 && input != NULL)
		rc = put_chain(ir, op, input, IR_INBOUND, &chains);
	vars[0] = "HEADER", vars[1] = out_str(&hdr);
	vars[2] = "TABLE", vars[3] = table;
	vars[4] = "CHAINS", vars[5] = out_str(&chains);
	vars[6] = NULL;
	if (rc == 0)
		rc = be_template(op, "nftables", vars, &outs[0]);
	out_free(&hdr);
	out_free(&chains);
	return rc;
}

static const char *const nft_suffixes[] = { ".nft", NULL };
static const struct be_option nft_options[] = {
	{ .key = "table", .kind = BE_OPT_IDENT, .maxlen = 64 },
	{ .key = "chain", .kind = BE_OPT_IDENT, .maxlen = 64 },
	{ .key = "input-chain", .kind = BE_OPT_IDENT, .maxlen = 64 },
	{ .key = NULL }
};

const struct backend be_nftables = {
	.name = "nftables",
	.caps = BE_SETS | BE_ADDR_RANGES | BE_FIRST_MATCH | BE_MIXED_FAM |
	    BE_REJECT | BE_LOG | BE_INBOUND,
	/* nft 1.0.6 refuses a comment over 128 bytes. */
	.comment_max = 128,
	.comment_bad = "",
	.suffixes = nft_suffixes,
	.options = nft_options,
	.emit = nft_emit,
};
