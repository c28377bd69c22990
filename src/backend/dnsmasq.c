/*
 * dnsmasq.c - a dnsmasq configuration that fills the nftables table's
 * dynamic sets as the host's own lookups are answered: one
 * `nftset=/DOMAIN/4#inet#TABLE#SET,6#inet#TABLE#SET` line per host and
 * per wildcard zone, naming the dynamic sets of every rule whose
 * destinations include that name.  No proxy sits in the packet path:
 * dnsmasq adds an answer's addresses before it hands the answer on, and
 * the sets' own timeout (the policy's dynamic: timeout) ages them out.
 *
 * The table and set names are the nftables back end's: this target is
 * lowered with its capabilities and builds its model, so the two cannot
 * disagree on which sets exist.  dnsmasq's /zone/ is the zone, its apex
 * included, and every name below it at any depth, and the longest domain
 * that matches a name decides alone, so a line also names the sets of
 * every rule whose wildcard covers its domain.
 */
#include <string.h>

#include "backend/backend.h"
#include "nft/nft.h"
#include "util/hostname.h"

struct dline {
	const char	*domain;
	const char	**sets;		/* "4#inet#T#S" */
	size_t		 nsets, capsets;
};

struct dconf {
	struct arena		*a;
	const struct nft_table	*t;
	struct dline		*l;
	size_t			 nl, capl;
};

static struct dline *
line_get(struct dconf *c, const char *domain)
{
	size_t i;

	for (i = 0; i < c->nl; i++)
		if (strcmp(c->l[i].domain, domain) == 0)
			return &c->l[i];
	ARENA_PUSH(c->a, c->l, c->nl, c->capl);
	memset(&c->l[c->nl - 1], 0, sizeof(c->l[0]));
	c->l[c->nl - 1].domain = domain;
	return &c->l[c->nl - 1];
}

/* The rule's dynamic sets onto the line, once each. */
static void
line_sets(struct dconf *c, struct dline *l, const struct ir_rule *r)
{
	size_t i, k;

	for (i = 0; i < c->t->nsets; i++) {
		const struct nft_set *s = c->t->sets[i];
		const char *spec;

		if (s->rule != r || !NFT_SET_DYNAMIC(s))
			continue;
		spec = arena_printf(c->a, "%c#inet#%s#%s", s->fam == FAM_V4 ?
		    '4' : '6', c->t->name, s->name);
		for (k = 0; k < l->nsets; k++)
			if (strcmp(l->sets[k], spec) == 0)
				break;
		if (k < l->nsets)
			continue;
		ARENA_PUSH(c->a, l->sets, l->nsets, l->capsets);
		l->sets[l->nsets - 1] = spec;
	}
}

/* Is domain d the zone z or under it? */
static bool
in_zone(const char *d, const char *z)
{
	size_t ld = strlen(d), lz = strlen(z);

	return ld >= lz && strcmp(d + ld - lz, z) == 0 &&
	    (ld == lz || d[ld - lz - 1] == '.');
}

/* Which rules of ir have dynamic sets in t: one pass over the sets, not
 * one per rule. */
static bool *
dyn_rules(struct arena *a, const struct ir *ir, const struct nft_table *t)
{
	bool *dyn = arena_alloc(a, (ir->nrules + 1) * sizeof(*dyn));
	size_t i;

	for (i = 0; i < t->nsets; i++) {
		const struct ir_rule *r = t->sets[i]->rule;

		if (NFT_SET_DYNAMIC(t->sets[i]) && r != NULL &&
		    r >= ir->rules && r < ir->rules + ir->nrules)
			dyn[r - ir->rules] = true;
	}
	return dyn;
}

static int
dnsmasq_emit(const struct ir *ir, const struct be_opts *op, struct out *outs)
{
	struct out *o = &outs[0];
	struct nft_table t;
	struct dconf c;
	size_t i, j, k, m;
	bool *dyn;

	/* Only a rule with host names has dynamic sets (nft/model.c): with
	 * none, there is no model to make, a big one for a big policy. */
	for (i = 0; i < ir->nrules && ir->rules[i].nhosts == 0; i++)
		;
	memset(&t, 0, sizeof(t));
	if (i < ir->nrules && nft_model_sets(op->arena, ir, &t) < 0)
		return -1;
	dyn = dyn_rules(op->arena, ir, &t);
	memset(&c, 0, sizeof(c));
	c.a = op->arena;
	c.t = &t;
	be_header(op, ir, "# ", o);
	/* The domains, in rule order: hosts, then wildcard zones. */
	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		if (!dyn[i])
			continue;
		for (j = 0; j < r->nhosts; j++)
			line_get(&c, r->hosts[j]);
		for (j = 0; j < r->norigins; j++)
			line_get(&c, r->origins[j] + 2);
	}
	/* Each domain: the rules that name it, or whose wildcard covers
	 * it (a zone covers what is strictly under it, and a zone at or
	 * under it). */
	for (k = 0; k < c.nl; k++)
		for (i = 0; i < ir->nrules; i++) {
			const struct ir_rule *r = &ir->rules[i];
			bool hit = false;

			if (!dyn[i])
				continue;
			for (j = 0; !hit && j < r->nhosts; j++)
				hit = strcmp(r->hosts[j], c.l[k].domain) == 0;
			for (j = 0; !hit && j < r->norigins; j++)
				hit = in_zone(c.l[k].domain, r->origins[j] + 2);
			if (hit)
				line_sets(&c, &c.l[k], r);
		}
	if (c.nl == 0) {
		out_printf(o, "# %s\n", ir->dyn.off ? "dynamic: false: the "
		    "nftables table has no dynamic sets to fill" : "No rule "
		    "names a host: nothing for dnsmasq to add");
		return 0;
	}
	out_printf(o, "# dnsmasq (2.87 or later, built with nftset) adds every "
	    "answer for these names\n# to the dynamic sets of table inet %s; "
	    "they expire after %us unless\n# answered again.  A domain is also "
	    "every name under it.\n", t.name, ir->dyn.timeout);
	for (k = 0; k < c.nl; k++) {
		out_printf(o, "nftset=/%s/", c.l[k].domain);
		for (m = 0; m < c.l[k].nsets; m++)
			out_printf(o, "%s%s", m ? "," : "", c.l[k].sets[m]);
		out_puts(o, "\n");
	}
	return 0;
}

static const char *const dnsmasq_suffixes[] = { ".dnsmasq.conf", NULL };
static const struct be_option dnsmasq_options[] = {
	{ .key = NULL }
};

/* The nftables back end's capabilities, so that lowering gives the same
 * rules and sets, and BE_DOMAINS for what dnsmasq's domains widen. */
const struct backend be_dnsmasq = {
	.name = "dnsmasq",
	.caps = BE_SETS | BE_ADDR_RANGES | BE_FIRST_MATCH | BE_MIXED_FAM |
	    BE_REJECT | BE_LOG | BE_INBOUND | BE_SCTP_PORTS |
	    BE_PROTO_ZERO | BE_DYNSETS | BE_DOMAINS,
	.comment_max = 200,
	.comment_bad = "",
	.suffixes = dnsmasq_suffixes,
	.options = dnsmasq_options,
	.emit = dnsmasq_emit,
};
