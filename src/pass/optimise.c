/* optimise.c - find and drop rules earlier rules shadow (see optimise.h). */
#include <string.h>

#include "pass/optimise.h"

static bool
svc_covers(const struct svc *a, const struct svc *b)
{
	int p;

	if (a->all)
		return true;
	if (b->all)
		return false;
	for (p = 0; p < P_N; p++)
		if (!iset_subset(&b->p[p], &a->p[p]))
			return false;
	return true;
}

/* Is every destination of b a destination of a? */
static bool
dst_covers(const struct ir_rule *a, const struct ir_rule *b)
{
	size_t i, j;
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!iset_subset(&b->dst.f[f], &a->dst.f[f]))
			return false;
	/* b's names must be covered too: by address or by the same name. */
	for (i = 0; i < b->nnames; i++) {
		const struct ir_name *n = &b->names[i];
		bool ok = false;

		for (j = 0; j < a->nnames && !ok; j++)
			ok = strcmp(a->names[j].name, n->name) == 0;
		if (!ok && n->resolved) {
			ok = true;
			for (f = 0; f < FAM_N && ok; f++)
				ok = iset_subset(&n->addrs.f[f], &a->dst.f[f]);
		}
		if (!ok)
			return false;
	}
	return true;
}

long
opt_shadowed_by(const struct ir *ir, size_t j)
{
	const struct ir_rule *b = &ir->rules[j];
	size_t i;
	int f;

	for (i = 0; i < j; i++) {
		const struct ir_rule *a = &ir->rules[i];

		if (a->dir != b->dir || !svc_covers(&a->svc, &b->svc))
			continue;
		for (f = 0; f < FAM_N; f++)
			if (!iset_subset(&b->src.f[f], &a->src.f[f]))
				break;
		if (f < FAM_N || !dst_covers(a, b))
			continue;
		return (long)i;
	}
	return -1;
}

size_t
opt_run(struct ir *ir)
{
	struct diag *d;
	bool *drop;
	size_t i, k, dropped = 0;
	long by;

	drop = arena_alloc(ir->arena, ir->nrules + 1);
	for (i = 0; i < ir->nrules; i++) {
		by = opt_shadowed_by(ir, i);
		if (by < 0)
			continue;
		d = diag_new(DIAG_WARNING, &ir->rules[i].loc, "rule '%s' can "
		    "never match: rule '%s' matches everything it does; "
		    "dropped", ir->rules[i].name, ir->rules[by].name);
		diag_also(d, &ir->rules[by].loc, "rule '%s' is here",
		    ir->rules[by].name);
		diag_emit(d);
		drop[i] = true;
		dropped++;
	}
	for (i = k = 0; i < ir->nrules; i++)
		if (!drop[i])
			ir->rules[k++] = ir->rules[i];
	ir->nrules = k;
	return dropped;
}
