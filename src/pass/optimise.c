/*
 * optimise.c - find and drop rules earlier rules shadow (see optimise.h).
 * opt_run asks only the earlier rules the index (pass/rindex.c) says could
 * cover a rule, so a policy of 50,000 rules is not 10^9 comparisons;
 * opt_shadowed_by asks them all, and the two must agree.
 */
#include "pass/optimise.h"
#include "pass/rindex.h"

long
opt_shadowed_by(const struct ir *ir, size_t j)
{
	size_t i;

	for (i = 0; i < j; i++)
		if (ir_rule_covers(&ir->rules[i], &ir->rules[j]))
			return (long)i;
	return -1;
}

size_t
opt_run(struct ir *ir)
{
	struct arena *tmp = arena_new();
	struct rindex *x = rindex_new(tmp, ir);
	const size_t *cand;
	struct diag *d;
	bool *drop;
	size_t i, k, n, c, dropped = 0;
	long by;

	drop = arena_alloc(ir->arena, ir->nrules + 1);
	for (i = 0; i < ir->nrules; i++) {
		n = rindex_covering(x, i, &cand);
		for (by = -1, c = 0; c < n && by < 0; c++)
			if (ir_rule_covers(&ir->rules[cand[c]], &ir->rules[i]))
				by = (long)cand[c];
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
	arena_free(tmp);
	for (i = k = 0; i < ir->nrules; i++)
		if (!drop[i])
			ir->rules[k++] = ir->rules[i];
	ir->nrules = k;
	return dropped;
}
