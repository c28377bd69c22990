/*
 * pf.c - OpenBSD pf back end: NAME.pf.conf for `pfctl -f`.
 *
 * pf lets the last matching rule decide unless a rule is `quick`.  Every
 * rule here is quick, in policy order, so the first match decides as in
 * the IR.  Address sets of more than one member become const tables
 * declared before the rules; host names may stay in them (hosts: native),
 * because pfctl resolves them when it loads the file.
 *
 * A rule with host names lowered to the lock's addresses (r->hosts, as for
 * the nftables target's dynamic sets) matches its destinations in a table
 * `persist` of them, even of one address: `egressc refresh -t pf` prints
 * the `pfctl -T replace` lines that put what DNS answers now beside them
 * (pf_host_tables gives it the names).  pf has no timeouts on a table's
 * entries, so refresh replaces the whole table, and a reload of the file
 * puts it back to the lock's addresses.
 *
 * pf filters both directions and passes what no rule takes, without
 * state: with only an outbound default, a UDP or ICMP flow opened from
 * outside would come in and have its answer judged as a new outbound
 * packet.  So default: deny blocks both directions; what the host sent
 * comes back by state, and IPv6 router adverts and neighbour discovery
 * are let in, as a host needs them (templates/pf.tmpl).
 */
#include <string.h>

#include "backend/backend.h"
#include "backend/pf.h"
#include "ir/icmp.h"
#include "nft/nft.h"
#include "util/strset.h"

/* PF_TABLE_NAME_SIZE is 32 with the terminating NUL. */
#define PF_TABLE_MAX	31
/* The prefix is cut here, so the '_' after it always survives the cut. */
#define PF_PREFIX_MAX	23

struct pf {
	const struct be_opts	*opts;
	const struct ir		*ir;
	const char		*prefix;
	struct out		 tables, rules;
	struct strset		 tnames;	/* table names given so far */
	struct pf_table		*ht;		/* the host tables */
	size_t			 nht, capht;
};

extern const struct backend be_pf;

/*
 * Table names take what pfctl's lexer keeps inside < >.  pfctl turns a
 * word of its grammar into a keyword even there (<route-to> is a syntax
 * error), and no keyword of pf.conf(5) holds a '_': PREFIX_RULE can
 * never be one, whatever the policy and rule are called.
 */
static char *
pf_table_name(struct pf *pf, const char *rule, const char *suffix)
{
	struct arena *a = pf->opts->arena;
	char *base, *name, *p;
	unsigned n = 1;

	base = arena_printf(a, "%.*s_%s%s", PF_PREFIX_MAX, pf->prefix, rule,
	    suffix);
	for (p = base; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.'))
			*p = '_';
	for (;;) {
		const char *tail = n == 1 ? "" : arena_printf(a, "-%u", n);
		size_t room = PF_TABLE_MAX - strlen(tail);

		name = arena_printf(a, "%.*s%s", (int)room, base, tail);
		if (strset_add(a, &pf->tnames, name))
			break;
		n++;
	}
	return name;
}

/*
 * An address set (and host names) as a pf address: "any", one address or
 * prefix, or a table declared now.  host: the rule's destinations, whose
 * host names lowering turned into the lock's addresses: a table `persist`
 * whatever it holds, named for the rule's stem (nft_rule_stem), that
 * refresh can replace; NULL when the rule has no such names.
 */
static const char *
pf_addr(struct pf *pf, const struct ir_rule *r, const struct aset *s,
    bool names, const bool fams[FAM_N], const char *suffix, const char *host)
{
	struct arena *a = pf->opts->arena;
	const char **items = NULL;
	size_t n = 0, cap = 0, i, np;
	struct prefix *pv;
	bool full = true;
	enum fam f;
	const char *t;

	for (f = 0; f < FAM_N; f++)
		if (fams[f] && !aset_fam_full(s, f))
			full = false;
	if (full)
		return "any";
	for (f = 0; f < FAM_N; f++) {
		if (!fams[f])
			continue;
		np = aset_prefixes(a, s, f, &pv);
		for (i = 0; i < np; i++) {
			ARENA_PUSH(a, items, n, cap);
			items[n - 1] = addr_strdup(a, f, pv[i].addr,
			    pv[i].len);
		}
	}
	for (i = 0; names && i < r->nnames; i++) {
		ARENA_PUSH(a, items, n, cap);
		items[n - 1] = r->names[i].name;
	}
	if (n == 1 && host == NULL)
		return items[0];
	t = pf_table_name(pf, host != NULL ? host : r->name, suffix);
	if (host != NULL) {
		ARENA_PUSH(a, pf->ht, pf->nht, pf->capht);
		pf->ht[pf->nht - 1] = (struct pf_table){ t, r,
		    { fams[FAM_V4], fams[FAM_V6] } };
	}
	out_printf(&pf->tables, "table <%s> %s {", t, host != NULL ?
	    "persist" : "const");
	for (i = 0; i < n; i++)
		out_printf(&pf->tables, "%s %s", i ? "," : "", items[i]);
	out_puts(&pf->tables, " }\n");
	return arena_printf(a, "<%s>", t);
}

/*
 * " port 443", " port { 443, 7881 }", " port 50000:60000", or "" for every
 * port.
 */
static const char *
pf_ports(struct arena *a, const struct iset *is, u128 max)
{
	struct out o;
	const char *s;
	size_t i;

	if (iset_full(is, max))
		return "";
	out_init(&o);
	out_printf(&o, " port %s", is->n > 1 ? "{ " : "");
	for (i = 0; i < is->n; i++) {
		unsigned lo = is->v[i].lo, hi = is->v[i].hi;

		if (i > 0)
			out_puts(&o, ", ");
		if (lo == hi)
			out_printf(&o, "%u", lo);
		else
			out_printf(&o, "%u:%u", lo, hi);
	}
	out_puts(&o, is->n > 1 ? " }" : "");
	s = arena_strdup(a, out_str(&o));
	out_free(&o);
	return s;
}

/*
 * " icmp-type { 0, 8, 3 code 4 }" with each type listed, or each type and
 * code (pf.conf(5): icmp-type type [code code]; no ranges of either), or
 * "" for every message.
 */
static const char *
pf_icmp(struct arena *a, const char *kw, const struct iset *is)
{
	struct icmp_msg *m;
	struct out o;
	const char *s;
	size_t n, i;

	if (iset_full(is, 65535))
		return "";
	out_init(&o);
	n = icmp_messages(a, is, &m);
	for (i = 0; i < n; i++) {
		out_printf(&o, "%s%u", i ? ", " : "", m[i].type);
		if (m[i].code >= 0)
			out_printf(&o, " code %d", m[i].code);
	}
	s = arena_printf(a, n > 1 ? " %s { %s }" : " %s %s", kw, out_str(&o));
	out_free(&o);
	return s;
}

/* The other protocols of the rule that the family takes (v4only: those
 * only IPv4 does), by name where pf knows one: "gre", "{ esp 99 }". */
static const char *
pf_others(struct arena *a, const struct svc *svc, bool v4only)
{
	struct out o;
	const char *s, *name;
	size_t i, n = 0;
	u128 x;

	out_init(&o);
	for (i = 0; i < svc->ipp.n; i++)
		for (x = svc->ipp.v[i].lo; x <= svc->ipp.v[i].hi; x++) {
			if (ipp_in_fam((unsigned)x, FAM_V6) == v4only)
				continue;
			name = ipp_name((unsigned)x);
			if (name != NULL)
				out_printf(&o, "%s%s", n++ ? " " : "", name);
			else
				out_printf(&o, "%s%u", n++ ? " " : "",
				    (unsigned)x);
		}
	s = n == 0 ? NULL : arena_printf(a, n > 1 ? "{ %s }" : "%s",
	    out_str(&o));
	out_free(&o);
	return s;
}

static void
pf_line(struct pf *pf, const struct ir_rule *r, const char *af,
    const char *proto, const char *from, const char *to, const char *ports)
{
	static const char *const act[] = {
		[IR_ALLOW] = "pass", [IR_DENY] = "block drop",
		[IR_REJECT] = "block return",
	};
	struct out *o = &pf->rules;

	out_printf(o, "%s %s%s quick", act[r->action],
	    r->dir == IR_INBOUND ? "in" : "out", r->log ? " log" : "");
	if (af != NULL)
		out_printf(o, " %s", af);
	if (proto != NULL)
		out_printf(o, " proto %s", proto);
	if (strcmp(from, "any") == 0 && strcmp(to, "any") == 0 &&
	    *ports == '\0')
		out_puts(o, " all");
	else {
		if (strcmp(from, "any") != 0)
			out_printf(o, " from %s", from);
		out_printf(o, " to %s%s", to, ports);
	}
	if (r->action == IR_ALLOW)
		out_puts(o, " keep state");
	out_putc(o, '\n');
}

/*
 * A rule with host names turned into addresses has a line in every family
 * it has a source in, as in the nftables model, so that a DNS answer in a
 * family the lock has no address of has a table to go to.  0, or -1 after
 * diag_error() (a stem that is another rule's name).
 */
static int
pf_rule(struct pf *pf, size_t ri)
{
	struct arena *a = pf->opts->arena;
	const struct ir_rule *r = &pf->ir->rules[ri];
	bool fams[FAM_N], tu_same;
	const char *af, *from, *to, *tp, *up, *op, *stem = NULL;
	enum fam f;
	int nf = 0;

	for (f = 0; f < FAM_N; f++) {
		fams[f] = !iset_empty(&r->src.f[f]) &&
		    (!iset_empty(&r->dst.f[f]) || r->nnames > 0 ||
		    r->nhosts > 0);
		nf += fams[f];
	}
	if (nf == 0)
		return 0;
	if (r->nhosts > 0 && (stem = nft_rule_stem(a, pf->ir, ri)) == NULL)
		return -1;
	af = nf == 2 ? NULL : fams[FAM_V4] ? "inet" : "inet6";
	out_printf(&pf->rules, "# %s\n", be_rule_comment(pf->opts, r));
	from = pf_addr(pf, r, &r->src, false, fams, "-src", NULL);
	to = pf_addr(pf, r, &r->dst, true, fams, "", stem);

	if (r->svc.all) {
		pf_line(pf, r, af, NULL, from, to, "");
		return 0;
	}
	tp = svc_has_proto(&r->svc, P_TCP) ?
	    pf_ports(a, &r->svc.p[P_TCP], proto_max(P_TCP)) : NULL;
	up = svc_has_proto(&r->svc, P_UDP) ?
	    pf_ports(a, &r->svc.p[P_UDP], proto_max(P_UDP)) : NULL;
	tu_same = tp != NULL && up != NULL && strcmp(tp, up) == 0;
	if (tu_same)
		pf_line(pf, r, af, "{ tcp udp }", from, to, tp);
	else {
		if (tp != NULL)
			pf_line(pf, r, af, "tcp", from, to, tp);
		if (up != NULL)
			pf_line(pf, r, af, "udp", from, to, up);
	}
	if (fams[FAM_V4] && svc_has_proto(&r->svc, P_ICMP))
		pf_line(pf, r, "inet", "icmp", from, to, pf_icmp(a,
		    "icmp-type", &r->svc.p[P_ICMP]));
	if (fams[FAM_V6] && svc_has_proto(&r->svc, P_ICMP6))
		pf_line(pf, r, "inet6", "icmp6", from, to, pf_icmp(a,
		    "icmp6-type", &r->svc.p[P_ICMP6]));
	/* OpenBSD's pf takes ports for tcp and udp only (lower() refuses
	 * sctp ports). */
	if (svc_has_proto(&r->svc, P_SCTP))
		pf_line(pf, r, af, "sctp", from, to, "");
	if ((op = pf_others(a, &r->svc, false)) != NULL)
		pf_line(pf, r, af, op, from, to, "");
	if (fams[FAM_V4] && (op = pf_others(a, &r->svc, true)) != NULL)
		pf_line(pf, r, "inet", op, from, to, "");
	return 0;
}

/* The tables and rules of every rule, into pf's buffers (out_init'ed
 * here; the caller frees them); 0 or -1 after diag_error(). */
static int
pf_build(struct pf *pf, const struct ir *ir, const struct be_opts *opts)
{
	size_t i;

	memset(pf, 0, sizeof(*pf));
	pf->opts = opts;
	pf->ir = ir;
	out_init(&pf->tables);
	out_init(&pf->rules);
	/* The policy name is a fine prefix; an option must be an ident. */
	pf->prefix = ir->name;
	if (ir_topt(ir, "pf", "table-prefix", NULL) != NULL &&
	    (pf->prefix = be_option(opts, ir, "table-prefix", NULL)) == NULL)
		return -1;
	for (i = 0; i < ir->nrules; i++)
		if (pf_rule(pf, i) < 0)
			return -1;
	return 0;
}

int
pf_host_tables(struct arena *a, const struct ir *ir, struct pf_table **out,
    size_t *n)
{
	struct be_opts opts = { &be_pf, a };
	struct pf pf;
	int rc;

	rc = pf_build(&pf, ir, &opts);
	out_free(&pf.tables);
	out_free(&pf.rules);
	*out = rc == 0 ? pf.ht : NULL;
	*n = rc == 0 ? pf.nht : 0;
	return rc;
}

static int
pf_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	struct pf pf;
	struct out hdr;
	const char *opt = "", *def;
	int rc;

	if (pf_build(&pf, ir, opts) < 0) {
		out_free(&pf.tables);
		out_free(&pf.rules);
		return -1;
	}
	out_init(&hdr);
	be_header(opts, ir, "# ", &hdr);

	/* default: none writes no default and no global `set skip`, so the
	 * file also loads into an anchor. */
	if (ir->def != IR_DEF_NONE)
		opt = "set skip on lo\n\n";
	if (ir->def == IR_DEF_DENY)
		def = "block drop all\n"
		    "# Nothing opens from outside: what the host sent comes "
		    "back by state.\n"
		    "# IPv6 router adverts and neighbour discovery come in.\n"
		    "pass in quick inet6 proto icmp6 all icmp6-type { 134, 135, "
		    "136 } no state\n";
	else if (ir->def == IR_DEF_ACCEPT)
		def = "pass out all keep state\n";
	else
		def = "# (no default rule)\n";
	if (pf.tables.len > 0)
		out_putc(&pf.tables, '\n');
	{
		const char *vars[] = {
			"HEADER", out_str(&hdr),
			"OPTIONS", opt,
			"TABLES", out_str(&pf.tables),
			"DEFAULT", def,
			"DEFAULT_NAME", ir_default_name[ir->def],
			NULL,
		};

		rc = be_template_take(opts, "pf", vars, "RULES", &pf.rules,
		    &outs[0]);
	}
	out_free(&hdr);
	out_free(&pf.tables);
	out_free(&pf.rules);
	return rc;
}

static const char *const pf_suffixes[] = { ".pf.conf", NULL };
static const struct be_option pf_options[] = {
	{ .key = "table-prefix", .kind = BE_OPT_IDENT,
	    .maxlen = PF_PREFIX_MAX },
	{ .key = NULL }
};

const struct backend be_pf = {
	.name = "pf",
	.caps = BE_SETS | BE_FQDN | BE_FIRST_MATCH | BE_MIXED_FAM |
	    BE_REJECT | BE_LOG | BE_DYNSETS,
	.comment_max = 200,
	/* A backslash at the end of a comment joins the next line to it. */
	.comment_bad = "\\",
	.suffixes = pf_suffixes,
	.options = pf_options,
	.emit = pf_emit,
};
