/*
 * nftables.c - one `table inet` for nft -f.  What the table holds is the
 * nftables model (nft/nft.h), shared with egressc apply; this file only
 * writes it in nft's syntax, so the text and the kernel path cannot drift
 * apart.  Address and port sets are anonymous sets, so a rule with many
 * destinations and ports is one line per family and protocol; a rule with
 * host names looks its destinations up in named floor and dynamic sets;
 * a run of rules merged by the model (targets.nftables.merge) is one
 * lookup per family in a concatenated interval set, run_N_v4 and
 * run_N_v6, one element a line, each with its rule's comment.
 *
 * Loading the file replaces the table in one transaction.  Without
 * dynamic sets (or with --flush-dynamic) it creates and deletes the table
 * first.  With them, deleting would throw away what DNS answers put in
 * the dynamic sets since the last load, so the file declares the sets and
 * chains (a no-op for those that exist), flushes every rule of the table
 * and the floor sets, and adds the floor sets' elements and the rules
 * again: the dynamic sets keep their elements.
 */
#include <string.h>

#include "backend/backend.h"
#include "nft/nft.h"

static void
put_addrs(struct out *o, const struct nft_vals *v, enum fam f)
{
	size_t i;

	for (i = 0; i < v->npfx; i++) {
		if (i > 0)
			out_write(o, ", ", 2);
		addr_put(o, f, v->pfx[i].addr, v->pfx[i].len);
	}
}

static void
put_numbers(struct out *o, const struct iset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i > 0)
			out_write(o, ", ", 2);
		out_putu(o, (unsigned)s->v[i].lo);
		if (s->v[i].hi != s->v[i].lo) {
			out_putc(o, '-');
			out_putu(o, (unsigned)s->v[i].hi);
		}
	}
}

/* The value side of a match, in nft's words for the field's type. */
static void
put_value(struct out *o, enum nft_field f, const struct nft_vals *v)
{
	static const char *const ctstate[] = { "invalid", "established",
	    "related", "new" };
	unsigned x = v->v.n > 0 ? (unsigned)v->v.v[0].lo : 0;
	size_t n = 0;
	unsigned bit;

	switch (f) {
	case NFT_F_NFPROTO:
		out_puts(o, x == 10 ? "ipv6" : x == 2 ? "ipv4" : "?");
		break;
	case NFT_F_L4PROTO:
		/* nft's name for ICMPv6 is that of /etc/protocols; esp, ah
		 * and sctp are words of nft's own grammar, which need no
		 * /etc/protocols; the others go by number. */
		if (x == 58)
			out_puts(o, "ipv6-icmp");
		else if (x == 6 || x == 17 || x == 1 || x == 50 || x == 51 ||
		    x == 132)
			out_puts(o, ipp_name(x));
		else
			out_printf(o, "%u", x);
		break;
	case NFT_F_CTSTATE:
		for (bit = 0; bit < 4; bit++)
			if (iset_has(&v->v, 1u << bit))
				out_printf(o, "%s%s", n++ ? "," : "",
				    ctstate[bit]);
		break;
	case NFT_F_CTDIR:
		out_puts(o, x == NFT_CT_DIR_REPLY ? "reply" : "original");
		break;
	case NFT_F_IP_SADDR:
	case NFT_F_IP_DADDR:
		put_addrs(o, v, FAM_V4);
		break;
	case NFT_F_IP6_SADDR:
	case NFT_F_IP6_DADDR:
		put_addrs(o, v, FAM_V6);
		break;
	default:
		put_numbers(o, &v->v);
		break;
	}
}

static void
put_match(struct out *o, const struct nft_match *m)
{
	size_t i;

	if (m->set != NULL && NFT_SET_RUN(m->set)) {
		for (i = 0; i < m->set->nkeys; i++)
			out_printf(o, "%s%s", i ? " . " : " ",
			    nft_field_name[m->set->key[i]]);
		out_printf(o, " @%s", m->set->name);
		return;
	}
	out_printf(o, " %s%s ", nft_field_name[m->field], m->neg ? " !=" : "");
	if (m->ifname != NULL)
		out_printf(o, "\"%s\"", m->ifname);
	else if (m->set == NULL)
		put_value(o, m->field, &m->val);
	else if (m->set->name != NULL)
		out_printf(o, "@%s", m->set->name);
	else {
		out_puts(o, "{ ");
		put_value(o, m->field, &m->set->elems);
		out_puts(o, " }");
	}
}

static void
put_rule(struct out *o, const struct nft_rule *r)
{
	static const char *const verdict[] = {
		[NFT_V_ACCEPT] = "accept", [NFT_V_DROP] = "drop",
		[NFT_V_REJECT] = "reject",
	};
	struct out line;
	size_t i;

	out_init(&line);
	for (i = 0; i < r->nm; i++)
		put_match(&line, &r->m[i]);
	if (r->log_prefix != NULL)
		out_printf(&line, " log prefix \"%s\"", r->log_prefix);
	out_printf(&line, " %s", verdict[r->verdict]);
	if (r->comment != NULL)
		out_printf(&line, " comment \"%s\"", r->comment);
	/* Every token was written with a space before it. */
	out_printf(o, "\t\t%s\n", out_str(&line) + 1);
	out_free(&line);
}

static const char *const hook_name[] = {
	[NFT_H_OUTPUT] = "output", [NFT_H_INPUT] = "input",
};

/* One chain: its hook line and prologue (base chains), then its rules,
 * written straight into o. */
static int
put_chain(const struct be_opts *op, const struct nft_chain *c,
    struct out *o)
{
	const char *vars[5];
	struct out head, rest;
	size_t i;
	int rc;

	out_init(&head);
	if (c->base) {
		out_printf(&head, "\t\ttype filter hook %s priority ",
		    hook_name[c->hook]);
		if (c->prio == 0)
			out_puts(&head, "filter");
		else
			out_printf(&head, "%d", c->prio);
		out_printf(&head, "; policy %s;\n", c->policy == NFT_V_ACCEPT ?
		    "accept" : "drop");
	}
	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].src == NULL)
			put_rule(&head, &c->rules[i]);
	vars[0] = "CHAIN", vars[1] = c->name;
	vars[2] = "HOOK", vars[3] = out_str(&head);
	vars[4] = NULL;
	rc = be_template_split(op, "nftables-chain", vars, "RULES", o, &rest);
	for (i = 0; rc == 0 && i < c->nrules; i++)
		if (c->rules[i].src != NULL)
			put_rule(o, &c->rules[i]);
	be_template_end(o, &rest);
	out_free(&head);
	return rc;
}

/* An interval of addresses: a prefix when it is one, else lo-hi. */
static void
put_span(struct out *o, enum fam f, const struct ival *x)
{
	int width = fam_bits(f), k;

	for (k = 0; k <= width; k++) {
		u128 host = k == 128 ? ~(u128)0 : ((u128)1 << k) - 1;

		if ((x->lo & host) != 0)
			break;
		if ((x->lo | host) == x->hi) {
			addr_put(o, f, x->lo, width - k);
			return;
		}
	}
	addr_put(o, f, x->lo, width);
	out_putc(o, '-');
	addr_put(o, f, x->hi, width);
}

/* A run's elements, one a line: ADDR . PROTO . PORT comment "RULE". */
static void
put_run_elems(struct out *o, const struct nft_set *s)
{
	struct nft_vals v;
	size_t i;

	memset(&v, 0, sizeof(v));
	/* Some 40,000 of them at 2,000 rules: each piece written as it
	 * is, no format read. */
	for (i = 0; i < s->ntv; i++) {
		const struct nft_elem *e = &s->tv[i];
		struct ival l4 = nft_elem_key(e, 1);

		if (i == 0)
			out_puts(o, "\t\telements = { ");
		else
			out_puts(o, ",\n\t\t\t     ");
		put_span(o, s->fam, &e->addr);
		out_write(o, " . ", 3);
		v.v.v = &l4;
		v.v.n = 1;
		put_value(o, NFT_F_L4PROTO, &v);
		out_write(o, " . ", 3);
		out_putu(o, e->lo[1]);
		if (e->hi[1] != e->lo[1]) {
			out_putc(o, '-');
			out_putu(o, e->hi[1]);
		}
		if (e->comment != NULL) {
			out_write(o, " comment \"", 10);
			out_puts(o, e->comment);
			out_putc(o, '"');
		}
	}
	if (s->ntv > 0)
		out_puts(o, " }\n");
}

/* A named set; its elements only with elems, and only when it has some. */
static void
put_set(struct out *o, const struct nft_set *s, bool elems)
{
	uint64_t t = s->timeout_ms / 1000;

	if (NFT_SET_RUN(s)) {
		out_printf(o, "\tset %s {\n\t\ttype %s . inet_proto . "
		    "inet_service\n\t\tflags interval\n", s->name,
		    s->fam == FAM_V4 ? "ipv4_addr" : "ipv6_addr");
		if (elems)
			put_run_elems(o, s);
		out_puts(o, "\t}\n");
		return;
	}
	out_printf(o, "\tset %s {\n\t\ttype %s\n", s->name,
	    s->fam == FAM_V4 ? "ipv4_addr" : "ipv6_addr");
	if (s->flags & NFT_SETF_INTERVAL)
		out_puts(o, "\t\tflags interval\n");
	if (NFT_SET_DYNAMIC(s)) {
		out_puts(o, "\t\tflags timeout\n\t\ttimeout ");
		if (t >= 86400)
			out_printf(o, "%llud", (unsigned long long)(t / 86400));
		if (t % 86400 >= 3600)
			out_printf(o, "%lluh",
			    (unsigned long long)(t % 86400 / 3600));
		if (t % 3600 >= 60)
			out_printf(o, "%llum", (unsigned long long)(t % 3600 / 60));
		if (t % 60 > 0)
			out_printf(o, "%llus", (unsigned long long)(t % 60));
		out_puts(o, "\n");
	}
	if (elems && s->elems.npfx > 0) {
		out_puts(o, "\t\telements = { ");
		put_addrs(o, &s->elems, s->fam);
		out_puts(o, " }\n");
	}
	out_puts(o, "\t}\n");
}

/* The named sets (floor sets only: with_dynamic false), for the table. */
static void
put_sets(struct out *o, const struct nft_table *t, bool with_dynamic,
    bool elems)
{
	size_t i;

	for (i = 0; i < t->nsets; i++)
		if (t->sets[i]->name != NULL &&
		    (with_dynamic || !NFT_SET_DYNAMIC(t->sets[i])))
			put_set(o, t->sets[i], elems);
}

/*
 * The file that keeps the dynamic sets: the sets and chains declared, the
 * rules and floor sets flushed, then the floor sets and chains in full.
 */
static int
nft_emit_keep(const struct be_opts *op, const struct nft_table *t,
    const char *hdr, struct out *o)
{
	const char *vars[9];
	struct out decls, flush, rest;
	size_t i;
	int rc;

	out_init(&decls);
	out_init(&flush);
	put_sets(&decls, t, true, false);
	for (i = 0; i < t->nchains; i++) {
		const struct nft_chain *c = &t->chains[i];

		out_printf(&decls, "\tchain %s {\n", c->name);
		if (c->base)
			out_printf(&decls, "\t\ttype filter hook %s priority "
			    "filter; policy %s;\n", hook_name[c->hook],
			    c->policy == NFT_V_ACCEPT ? "accept" : "drop");
		out_puts(&decls, "\t}\n");
	}
	for (i = 0; i < t->nsets; i++)
		if (NFT_SET_FLOOR(t->sets[i]))
			out_printf(&flush, "flush set inet %s %s\n", t->name,
			    t->sets[i]->name);
	vars[0] = "HEADER", vars[1] = hdr;
	vars[2] = "TABLE", vars[3] = t->name;
	vars[4] = "DECLS", vars[5] = out_str(&decls);
	vars[6] = "FLUSH", vars[7] = out_str(&flush);
	vars[8] = NULL;
	rc = be_template_split(op, "nftables-keep", vars, "BODY", o, &rest);
	for (i = 0; rc == 0 && i < t->nsets; i++)
		if (NFT_SET_FLOOR(t->sets[i]) && (t->sets[i]->elems.npfx > 0 ||
		    t->sets[i]->ntv > 0))
			put_set(o, t->sets[i], true);
	for (i = 0; rc == 0 && i < t->nchains; i++)
		rc = put_chain(op, &t->chains[i], o);
	be_template_end(o, &rest);
	out_free(&decls);
	out_free(&flush);
	return rc;
}

static int
nft_emit(const struct ir *ir, const struct be_opts *op, struct out *outs)
{
	struct nft_table t;
	const char *vars[5];
	struct out hdr, rest;
	size_t i;
	int rc;

	if (nft_model_build(op->arena, ir, &t) < 0)
		return -1;
	out_init(&hdr);
	be_header(op, ir, "# ", &hdr);
	hdr.buf[--hdr.len] = '\0';	/* the template has the newline */
	if (t.keep) {
		rc = nft_emit_keep(op, &t, out_str(&hdr), &outs[0]);
		out_free(&hdr);
		return rc;
	}
	vars[0] = "HEADER", vars[1] = out_str(&hdr);
	vars[2] = "TABLE", vars[3] = t.name;
	vars[4] = NULL;
	rc = be_template_split(op, "nftables", vars, "CHAINS", &outs[0],
	    &rest);
	if (rc == 0)
		put_sets(&outs[0], &t, true, true);
	for (i = 0; rc == 0 && i < t.nchains; i++)
		rc = put_chain(op, &t.chains[i], &outs[0]);
	be_template_end(&outs[0], &rest);
	out_free(&hdr);
	return rc;
}

/*
 * The words nft's scanner takes as keywords where a table or chain name
 * goes (those of nft 1.0.6 and of later versions): unquoted, nft refuses
 * them as names, and it takes no quoted name there.
 */
static const char *const nft_reserved[] = {
	"accept", "add", "ah", "all", "and", "arp", "auto-merge", "bridge",
	"cgroup", "chain", "comment", "comp", "constant", "continue", "counter",
	"cpu", "create", "ct", "day", "dccp", "define", "delete", "describe",
	"destroy", "device", "devices", "dnat", "drop", "dst", "dup", "dynamic",
	"ecn", "element", "elements", "eq", "esp", "ether", "exists", "expires",
	"export", "exthdr", "fib", "flags", "flow", "flowtable", "flush",
	"frag", "fwd", "gc-interval", "ge", "geneve", "get", "goto", "gre",
	"gretap", "gt", "handle", "hbh", "hook", "hour", "ibriport", "ibrname",
	"icmp", "icmpv6", "igmp", "iif", "iifgroup", "iifname", "iiftype",
	"import", "include", "index", "inet", "insert", "interval", "ip", "ip6",
	"ipsec", "jhash", "jump", "last", "le", "limit", "list", "log",
	"lshift", "lt", "map", "mark", "masquerade", "meta", "meter", "mh",
	"missing", "monitor", "ne", "netdev", "nftrace", "not", "notrack",
	"numgen", "obriport", "obrname", "offload", "oif", "oifgroup",
	"oifname", "oiftype", "or", "osf", "pkttype", "policy", "position",
	"priority", "queue", "quota", "random", "redefine", "redirect",
	"reject", "rename", "replace", "reset", "return", "rshift", "rt", "rt0",
	"rt2", "rtclassid", "rule", "ruleset", "sctp", "secmark", "set", "size",
	"skgid", "skuid", "snat", "socket", "srh", "symhash", "synproxy",
	"table", "tcp", "th", "time", "timeout", "tproxy", "tunnel", "type",
	"typeof", "udp", "udplite", "undefine", "update", "vlan", "vmap", "vni",
	"vxlan", "xor", "xt", NULL
};

/* Is s a name nft reads where a table or chain name goes? */
static bool
nft_name_ok(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_' || *s == '.'))
		return false;
	for (i = 0; nft_reserved[i] != NULL; i++)
		if (strcmp(nft_reserved[i], s) == 0)
			return false;
	return true;
}

/* The table is the policy's name, unless nft could not read that as one
 * (a name starting with a digit, or an nft keyword): egressc-NAME then. */
static const char *
nft_table_default(const struct be_opts *o, const struct ir *ir)
{
	/* A policy whose name: was refused still has its options checked. */
	if (ir->name == NULL)
		return "egressc";
	if (nft_name_ok(ir->name))
		return ir->name;
	return arena_printf(o->arena, "egressc-%s", ir->name);
}

static const char *
nft_chain_default(const struct be_opts *o, const struct ir *ir)
{
	return "output";
}

static const char *
nft_input_default(const struct be_opts *o, const struct ir *ir)
{
	return "input";
}

static const char *const nft_suffixes[] = { ".nft", NULL };
/* merge: the index's low bit says yes (nft/model.c reads it so). */
static const char *const nft_yesno[] = { "no", "yes", "false", "true",
    NULL };
/* The kernel takes names of 255 bytes; a chain name is also in every
 * rule's listing, so 64 keeps them readable. */
static const struct be_option nft_options[] = {
	{ .key = "table", .kind = BE_OPT_IDENT, .maxlen = 255,
	    .dflt = nft_table_default, .reserved = nft_reserved },
	{ .key = "chain", .kind = BE_OPT_IDENT, .maxlen = 64,
	    .dflt = nft_chain_default, .reserved = nft_reserved },
	{ .key = "input-chain", .kind = BE_OPT_IDENT, .maxlen = 64,
	    .dflt = nft_input_default, .reserved = nft_reserved,
	    .distinct = "chain", .inbound = true },
	{ .key = "merge", .kind = BE_OPT_ENUM, .values = nft_yesno },
	{ .key = NULL }
};

const struct backend be_nftables = {
	.name = "nftables",
	.caps = BE_SETS | BE_ADDR_RANGES | BE_FIRST_MATCH | BE_MIXED_FAM |
	    BE_REJECT | BE_LOG | BE_INBOUND | BE_SCTP_PORTS |
	    BE_PROTO_ZERO | BE_DYNSETS,
	/* nft 1.0.6 refuses a comment over 128 bytes. */
	.comment_max = 128,
	.comment_bad = "",
	.suffixes = nft_suffixes,
	.options = nft_options,
	.emit = nft_emit,
};
