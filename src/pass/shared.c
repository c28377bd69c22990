/*
 * shared.c - the shared-address audit (see shared.h).
 *
 * Packet filters see addresses, not names.  When a host one rule denies and
 * a host an earlier rule allows resolve to the same address (a cloud load
 * balancer, a CDN edge, an anycast front shared with other tenants), the
 * earlier rule decides every packet to that address and the deny cannot
 * hold there; the same for an allow after a deny.  lint's shadowing proof
 * sees this only when every address of a rule is taken; this audit looks
 * at each address, so one shared address is enough to say so, naming both
 * hosts, both rules and, when the lock has them, the address's PTR names.
 *
 * Only host names are compared (addresses and ranges written in the policy
 * are lint's shadowing business), and only rules that could meet the same
 * packet: same direction, sources and services in common.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/shared.h"
#include "policy/lock.h"
#include "util/arena.h"
#include "util/out.h"

#define SHARED_LIST	8	/* addresses named in one message */

/* One address of one host name of one rule. */
struct sh_ent {
	const struct lock_addr	*la;
	size_t			 rule, name;	/* indices in the IR */
};

/* A later entry whose decision cannot hold, and the entry that decides. */
struct sh_pair {
	const struct sh_ent	*late, *first;
};

static int
sh_addr_cmp(const struct lock_addr *a, const struct lock_addr *b)
{
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int
sh_ent_cmp(const void *x, const void *y)
{
	const struct sh_ent *a = x, *b = y;
	int c = sh_addr_cmp(a->la, b->la);

	if (c != 0)
		return c;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;
}

static int
sh_pair_cmp(const void *x, const void *y)
{
	const struct sh_pair *a = x, *b = y;
	const size_t ka[4] = { a->late->rule, a->late->name, a->first->rule,
	    a->first->name };
	const size_t kb[4] = { b->late->rule, b->late->name, b->first->rule,
	    b->first->name };

	for (int i = 0; i < 4; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return sh_addr_cmp(a->late->la, b->late->la);
}

static bool
sh_iset_meet(struct arena *a, const struct iset *x, const struct iset *y)
{
	struct iset t;

	iset_init(&t);
	iset_inter(a, &t, x, y);
	return !iset_empty(&t);
}

/* Could one packet to an address of family fam match both rules? */
static bool
sh_meet(struct arena *a, const struct ir_rule *x, const struct ir_rule *y,
    enum fam fam)
{
	if (x->dir != y->dir ||
	    !sh_iset_meet(a, &x->src.f[fam], &y->src.f[fam]))
		return false;
	if (x->svc.all || y->svc.all)
		return !svc_empty(&x->svc) && !svc_empty(&y->svc);
	for (int p = 0; p < P_N; p++)
		if (sh_iset_meet(a, &x->svc.p[p], &y->svc.p[p]))
			return true;
	return false;
}

/* Every locked address of every host name of ir, sorted by address. */
static size_t
sh_entries(struct arena *a, const struct ir *ir, const struct lock *lk,
    struct sh_ent **out)
{
	struct sh_ent *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t r = 0; r < ir->nrules; r++)
		for (size_t i = 0; i < ir->rules[r].nnames; i++) {
			const struct ir_name *nm = &ir->rules[r].names[i];
			const struct lock_host *h;

			if (nm->wildcard || (h = lock_find(lk, nm->name)) ==
			    NULL)
				continue;
			for (size_t j = 0; j < h->naddrs; j++) {
				ARENA_PUSH(a, v, n, cap);
				v[n - 1] = (struct sh_ent){ &h->addrs[j], r, i };
			}
		}
	if (n > 1)
		qsort(v, n, sizeof(v[0]), sh_ent_cmp);
	*out = v;
	return n;
}

/* In one address's entries (policy order), each entry against the first
 * earlier rule that could take its packets there: that rule decides. */
static void
sh_group(struct arena *a, const struct ir *ir, const struct sh_ent *g,
    size_t n, struct sh_pair **v, size_t *nv, size_t *cap)
{
	for (size_t j = 1; j < n; j++) {
		const struct ir_rule *late = &ir->rules[g[j].rule];

		for (size_t i = 0; i < j && g[i].rule < g[j].rule; i++) {
			const struct ir_rule *first = &ir->rules[g[i].rule];

			if (!sh_meet(a, first, late, g[j].la->fam))
				continue;
			if ((first->action == IR_ALLOW) !=
			    (late->action == IR_ALLOW) &&
			    strcmp(first->names[g[i].name].name,
			    late->names[g[j].name].name) != 0) {
				ARENA_PUSH(a, *v, *nv, *cap);
				(*v)[*nv - 1] = (struct sh_pair){ &g[j], &g[i] };
			}
			break;
		}
	}
}

/* "198.18.0.10 (PTR lb-1.example.net), 198.18.0.11" */
static const char *
sh_list(struct arena *a, const struct shared_find *f)
{
	struct out o;
	const char *s;

	out_init(&o);
	for (size_t i = 0; i < f->naddrs && i < SHARED_LIST; i++) {
		const struct lock_addr *la = f->addrs[i];
		char buf[ADDR_STRLEN];

		out_printf(&o, "%s%s", i ? ", " : "", addr_format(buf, la->fam,
		    la->addr, fam_bits(la->fam)));
		for (size_t k = 0; k < la->nptr; k++)
			out_printf(&o, "%s%s", k ? ", " : " (PTR ", la->ptr[k]);
		if (la->nptr > 0)
			out_putc(&o, ')');
	}
	if (f->naddrs > SHARED_LIST)
		out_printf(&o, ", and %zu more", f->naddrs - SHARED_LIST);
	s = arena_strdup(a, out_str(&o));
	out_free(&o);
	return s;
}

static void
sh_text(struct arena *a, struct shared_find *f)
{
	const char *late = ir_action_name[f->rule->action];
	const char *list = sh_list(a, f);

	if (f->naddrs == 1)
		f->msg = arena_printf(a, "host '%s' (rule '%s', %s) shares "
		    "address %s with host '%s' (rule '%s', %s), which comes "
		    "first: the %s cannot hold there", f->name->name,
		    f->rule->name, late, list, f->first_name->name,
		    f->first->name, ir_action_name[f->first->action], late);
	else
		f->msg = arena_printf(a, "host '%s' (rule '%s', %s) shares %zu "
		    "addresses with host '%s' (rule '%s', %s), which comes "
		    "first: %s; the %s cannot hold there", f->name->name,
		    f->rule->name, late, f->naddrs, f->first_name->name,
		    f->first->name, ir_action_name[f->first->action], list,
		    late);
	f->note = arena_printf(a, "rule '%s' (%s) names host '%s' here, at "
	    "the same address%s", f->first->name,
	    ir_action_name[f->first->action], f->first_name->name,
	    f->naddrs == 1 ? "" : "es");
}

void
shared_audit(struct arena *a, const struct ir *ir, const struct lock *lk,
    struct shared *out)
{
	struct sh_ent *e;
	struct sh_pair *p = NULL;
	size_t ne = sh_entries(a, ir, lk, &e), np = 0, cap = 0;

	for (size_t i = 0, j; i < ne; i = j) {
		for (j = i + 1; j < ne && sh_addr_cmp(e[i].la, e[j].la) == 0;
		    j++)
			;
		sh_group(a, ir, &e[i], j - i, &p, &np, &cap);
	}
	if (np > 1)
		qsort(p, np, sizeof(p[0]), sh_pair_cmp);
	for (size_t i = 0; i < np; i++) {
		struct shared_find *f;

		if (i == 0 || p[i - 1].late->rule != p[i].late->rule ||
		    p[i - 1].late->name != p[i].late->name ||
		    p[i - 1].first->rule != p[i].first->rule ||
		    p[i - 1].first->name != p[i].first->name) {
			ARENA_PUSH(a, out->v, out->n, out->cap);
			f = &out->v[out->n - 1];
			memset(f, 0, sizeof(*f));
			f->rule = &ir->rules[p[i].late->rule];
			f->name = &f->rule->names[p[i].late->name];
			f->first = &ir->rules[p[i].first->rule];
			f->first_name = &f->first->names[p[i].first->name];
		}
		f = &out->v[out->n - 1];
		ARENA_PUSH(a, f->addrs, f->naddrs, f->capaddrs);
		f->addrs[f->naddrs - 1] = p[i].late->la;
	}
	for (size_t i = 0; i < out->n; i++)
		sh_text(a, &out->v[i]);
}
