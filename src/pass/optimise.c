/*
 * optimise.c - find and drop rules earlier rules shadow (see optimise.h).
 *
 * Rule i covers rule j only if every destination of j is one of i's, so a
 * single destination of j picks the only rules that can: those whose
 * addresses hold j's lowest address, or, for a rule of host names alone,
 * those with its first name or whose addresses hold that name's lowest
 * locked address.  The destination index (ir/meet.c) lists them; the full
 * test runs on those alone, in rule order, so the first that covers is
 * the one a scan of every earlier rule finds.  A rule with no destination
 * to probe by (no address, and only names the lock gave no address) is
 * covered by any earlier rule that covers its sources and services: it
 * gets the scan.
 */
#include "ir/meet.h"
#include "pass/optimise.h"

long
opt_shadowed_by(const struct ir *ir, size_t j)
{
	size_t i;

	for (i = 0; i < j; i++)
		if (ir_rule_covers(&ir->rules[i], &ir->rules[j]))
			return (long)i;
	return -1;
}

/* The lowest address of a set, in its first family with one. */
static bool
lowest(const struct aset *s, enum fam *f, u128 *x)
{
	int k;

	for (k = 0; k < FAM_N; k++)
		if (!iset_empty(&s->f[k])) {
			iset_norm((struct iset *)&s->f[k]);
			*f = (enum fam)k;
			*x = s->f[k].v[0].lo;
			return true;
		}
	return false;
}

/* The rules that may cover rule j into h; false when any rule may. */
static bool
candidates(const struct meet_index *x, const struct ir_rule *r,
    struct meet_hits *h)
{
	enum fam f = FAM_V4;
	size_t k;
	u128 p = 0;

	h->n = 0;
	if (lowest(&r->dst, &f, &p)) {
		meet_point(x, f, p, h);
		meet_done(h);
		return true;
	}
	for (k = 0; k < r->nnames; k++) {
		const struct ir_name *n = &r->names[k];

		/* A locked name without addresses is covered by anything. */
		if (n->resolved && !lowest(&n->addrs, &f, &p))
			continue;
		meet_name(x, n->name, h);
		if (n->resolved)
			meet_point(x, f, p, h);
		meet_done(h);
		return true;
	}
	return false;
}

/* opt_shadowed_by, with the candidates the index gives. */
static long
shadowed_by(const struct ir *ir, const struct meet_index *x, size_t j,
    struct meet_hits *h)
{
	size_t k;

	if (!candidates(x, &ir->rules[j], h))
		return opt_shadowed_by(ir, j);
	for (k = 0; k < h->n && h->v[k] < j; k++)
		if (ir_rule_covers(&ir->rules[h->v[k]], &ir->rules[j]))
			return (long)h->v[k];
	return -1;
}

size_t
opt_run(struct ir *ir)
{
	struct meet_index x;
	struct meet_hits h = { 0 };
	struct diag *d;
	bool *drop;
	size_t i, k, dropped = 0;
	long by;

	meet_init(&x);
	for (i = 0; i < ir->nrules; i++) {
		meet_add_set(&x, i, &ir->rules[i].dst);
		for (k = 0; k < ir->rules[i].nnames; k++)
			meet_add_name(&x, i, ir->rules[i].names[k].name);
	}
	meet_build(&x);
	drop = arena_alloc(ir->arena, ir->nrules + 1);
	for (i = 0; i < ir->nrules; i++) {
		by = shadowed_by(ir, &x, i, &h);
		if (by < 0)
			continue;
		d = diag_new(DIAG_WARNING, &ir->rules[i].loc, "rule '%s' can "
		    "never match: rule '%s' matches everything it does; "
		    "dropped", ir->rules[i].name, ir->rules[by].name);
		diag_also(d, &ir->rules[by].loc, "shadowed by this rule");
		diag_emit(d);
		drop[i] = true;
		dropped++;
	}
	meet_hits_free(&h);
	meet_free(&x);
	for (i = k = 0; i < ir->nrules; i++)
		if (!drop[i])
			ir->rules[k++] = ir->rules[i];
	ir->nrules = k;
	return dropped;
}
