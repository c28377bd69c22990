/*
 * expand.c - the expand pass: every wildcard (*.zone) in a rule becomes
 * what the policy's wildcards: mode says (forbid: an error; native: kept for
 * targets that match names; expand: the hosts and address ranges a catalog
 * lists for the zone).
 */
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/expand.h"
#include "policy/catalog.h"
#include "policy/vars.h"
#include "util/budget.h"
#include "util/hostname.h"
#include "util/strset.h"


/* What one distinct wildcard expands to, worked out once per run so that
 * a catalog mistake is reported once, not once per rule. */
struct wexp {
	const char		*wild;
	const struct catalog	*cat;
	const struct cat_zone	*zone;	/* NULL: no catalog covers it */
	const char		**hosts;
	size_t			 nhosts, caphosts;
	struct strset		 seen;
	bool			 failed;
};

/* A zone and its catalog, for the hash of zone keys. */
struct zref {
	const struct catalog	*cat;
	const struct cat_zone	*zone;
};

struct xrun {
	struct ir		*ir;
	struct catalog *const	*cats;
	size_t			 ncats;
	const struct vars	*vars;
	struct wexp		*w;
	size_t			 nw, capw;
	struct strset		 wild;		/* w[].wild -> index */
	struct zref		*zones;		/* every zone, by key */
	size_t			 nzones, capzones;
	struct strset		 zkey;		/* zone key -> index */
};

/*
 * The zone that stands for wildcard *.wz: the zone key equal to it, else
 * the longest zone whose names include all of *.wz's (wz under it).  The
 * zones that could are those of wz's parent domains, looked up longest
 * first: a policy of many wildcards and catalogs of many zones cost their
 * sum, not their product.
 */
static const struct cat_zone *
zone_find(const struct xrun *x, const char *wild, const struct catalog **catp)
{
	const char *p;
	char *key;
	size_t i;
	const struct cat_zone *z = NULL;

	if (strset_get(&x->zkey, wild, &i)) {
		*catp = x->zones[i].cat;
		return x->zones[i].zone;
	}
	key = xmalloc(strlen(wild) + 1);
	for (p = strchr(wild + 2, '.'); p != NULL && z == NULL;
	    p = strchr(p + 1, '.')) {
		strcpy(key, "*");
		strcat(key, p);
		if (strset_get(&x->zkey, key, &i) &&
		    zone_match(x->zones[i].zone->zone, wild + 2) == 1) {
			*catp = x->zones[i].cat;
			z = x->zones[i].zone;
		}
	}
	free(key);
	return z;
}

static void
wexp_add(struct arena *a, struct wexp *w, const struct cat_str *h,
    const char *s)
{
	const char *why;
	char *lc;

	lc = arena_strdup(a, s);
	for (char *p = lc; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	if (host_check(lc, &why) < 0) {
		diag_error(&h->loc, "host \"%s\" (from %s): %s", lc, h->s, why);
		w->failed = true;
		return;
	}
	/* A broader zone's hosts outside this wildcard are not its. */
	if (zone_match(w->wild + 2, lc) != 1) {
		if (strcmp(w->zone->key, w->wild) == 0) {
			diag_error(&h->loc, "host %s is not under zone %s", lc,
			    w->zone->key);
			w->failed = true;
		}
		return;
	}
	if (!strset_add(a, &w->seen, lc))
		return;
	if (budget_spend(&h->loc, BUDGET_NAME) < 0) {
		w->failed = true;
		return;
	}
	ARENA_PUSH(a, w->hosts, w->nhosts, w->caphosts);
	w->hosts[w->nhosts - 1] = lc;
}

/* Substitute every catalog host of w's zone (over regions when it says
 * ${region}) into w->hosts. */
static void
wexp_hosts(struct xrun *x, struct wexp *w)
{
	struct arena *a = x->ir->arena;
	const struct cat_str *h;
	const char *s;
	size_t i, r;

	for (i = 0; i < w->zone->nhosts && !budget_exhausted(); i++) {
		h = &w->zone->hosts[i];
		if (strstr(h->s, "${region}") == NULL) {
			s = vars_subst(a, x->vars, h->s, &h->loc, NULL, NULL);
			if (s == NULL)
				w->failed = true;
			else
				wexp_add(a, w, h, s);
			continue;
		}
		for (r = 0; r < w->cat->nregions && !w->failed; r++) {
			s = vars_subst(a, x->vars, h->s, &h->loc, "region",
			    w->cat->regions[r].s);
			if (s == NULL) {
				w->failed = true;
				break;	/* the same error for every region */
			}
			wexp_add(a, w, h, s);
		}
	}
}

static struct wexp *
wexp_get(struct xrun *x, const struct ir_rule *r, const struct ir_name *nm)
{
	struct wexp *w;
	size_t i;

	if (strset_get(&x->wild, nm->name, &i))
		return &x->w[i];
	ARENA_PUSH(x->ir->arena, x->w, x->nw, x->capw);
	w = &x->w[x->nw - 1];
	memset(w, 0, sizeof(*w));
	w->wild = nm->name;
	strset_put(x->ir->arena, &x->wild, w->wild, x->nw - 1, NULL);
	w->zone = zone_find(x, nm->name, &w->cat);
	if (w->zone != NULL) {
		wexp_hosts(x, w);
		if (w->failed)
			diag_note(&nm->loc, "while expanding %s for rule %s",
			    nm->name, r->name);
	}
	return w;
}

/* Replace one wildcard of rule r (already removed from r->names). */
static void
expand_one(struct xrun *x, struct ir_rule *r, const struct ir_name *nm,
    struct strset *names)
{
	struct arena *a = x->ir->arena;
	const struct cat_zone *z;
	struct wexp *w;
	size_t i;

	w = wexp_get(x, r, nm);
	if ((z = w->zone) == NULL) {
		diag_error(&nm->loc, "rule %s: no catalog lists zone %s (include "
		    "a catalog that does, list the hosts instead, or set "
		    "wildcards: native)", r->name, nm->name);
		return;
	}
	if (w->failed)
		return;		/* reported once, at the catalog */
	for (i = 0; i < r->norigins; i++)
		if (strcmp(r->origins[i], nm->name) == 0)
			break;
	if (i == r->norigins)
		ir_add_origin(x->ir, r, nm->name);
	if (z->unlisted == CAT_UNLISTED_ANY) {
		/* Hosts and ranges add nothing to every address. */
		diag_warning(&nm->loc, "rule %s: zone %s (catalog %s) is "
		    "unlisted: any: this rule is open to every address",
		    r->name, z->key, w->cat->name);
		aset_any(a, &r->dst);
		return;
	}
	if (budget_spend(&nm->loc, BUDGET_NAME *
	    (unsigned long long)w->nhosts + z->ncidrs) < 0)
		return;
	for (i = 0; i < w->nhosts; i++)
		if (strset_add(a, names, w->hosts[i]))
			ir_add_name(x->ir, r, w->hosts[i], false, &nm->loc);
	for (i = 0; i < z->ncidrs; i++)
		aset_add_prefix(a, &r->dst, z->cidrs[i].fam, z->cidrs[i].addr,
		    z->cidrs[i].len);
	if (z->unlisted == CAT_UNLISTED_OMIT) {
		diag_warning(&nm->loc, "rule %s: names of zone %s that catalog "
		    "%s does not list are left out (unlisted: omit)%s",
		    r->name, z->key, w->cat->name, w->nhosts + z->ncidrs == 0 ?
		    "; it lists none, so the wildcard is dropped" : "");
		return;
	}
	if (w->nhosts + z->ncidrs == 0) {
		struct diag *d = diag_new(DIAG_ERROR, &nm->loc, "rule %s: "
		    "catalog %s lists no hosts or cidrs for zone %s (the "
		    "catalog may say unlisted: any or omit)", r->name,
		    w->cat->name, nm->name);

		diag_also(d, &z->loc, "zone %s is here", z->key);
		diag_emit(d);
	}
}

static void
expand_rule(struct xrun *x, struct ir_rule *r)
{
	struct ir_name *old = r->names;
	size_t nold = r->nnames, i;
	struct strset names = { 0 };

	/* Rebuild names[] in order: plain names stay where they were, each
	 * wildcard's hosts come after them. */
	r->names = NULL;
	r->nnames = r->capnames = 0;
	for (i = 0; i < nold; i++) {
		if (old[i].wildcard)
			continue;
		ARENA_PUSH(x->ir->arena, r->names, r->nnames, r->capnames);
		r->names[r->nnames - 1] = old[i];
		strset_add(x->ir->arena, &names, old[i].name);
	}
	for (i = 0; i < nold; i++)
		if (old[i].wildcard)
			expand_one(x, r, &old[i], &names);
}

static void
dup_zone(const struct cat_zone *z, const struct cat_zone *other)
{
	struct diag *d = diag_new(DIAG_ERROR, &z->loc, "zone %s is in two "
	    "catalogs", z->key);

	diag_also(d, &other->loc, "also here");
	diag_emit(d);
}

/* Hash every zone by key.  The same key in two catalogs would make the
 * choice depend on include: order: an error. */
static void
index_zones(struct xrun *x)
{
	struct arena *a = x->ir->arena;
	size_t i, j, first;

	for (i = 0; i < x->ncats; i++)
		for (j = 0; j < x->cats[i]->nzones; j++) {
			const struct cat_zone *z = &x->cats[i]->zones[j];

			if (!strset_put(a, &x->zkey, z->key, x->nzones,
			    &first)) {
				dup_zone(z, x->zones[first].zone);
				continue;
			}
			ARENA_PUSH(a, x->zones, x->nzones, x->capzones);
			x->zones[x->nzones - 1].cat = x->cats[i];
			x->zones[x->nzones - 1].zone = z;
		}
}

int
expand_run(struct ir *ir, struct catalog *const *cats, size_t ncats,
    const struct vars *vars)
{
	struct xrun x = { .ir = ir, .cats = cats, .ncats = ncats,
	    .vars = vars };
	int nerr = diag_errors();
	size_t i, j;
	const char *why;

	index_zones(&x);
	for (i = 0; i < ir->nrules; i++) {
		struct ir_rule *r = &ir->rules[i];
		int before = diag_errors();
		bool any = false;

		for (j = 0; j < r->nnames; j++) {
			const struct ir_name *nm = &r->names[j];

			if (!nm->wildcard)
				continue;
			any = true;
			if (wildcard_check(nm->name, &why) < 0)
				diag_error(&nm->loc, "wildcard \"%s\": %s",
				    nm->name, why);
			else if (ir->wildcards == IR_WILD_FORBID)
				diag_error(&nm->loc, "rule %s: wildcard %s, but "
				    "the policy says wildcards: forbid (list "
				    "the hosts, or use wildcards: expand with "
				    "a catalog)", r->name, nm->name);
		}
		if (any && ir->wildcards == IR_WILD_EXPAND &&
		    diag_errors() == before)
			expand_rule(&x, r);
	}
	return diag_errors() > nerr ? -1 : 0;
}
