/* optimise.c - find and drop rules earlier rules shadow (see optimise.h). */
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
		diag_also(d, &ir->rules[by].loc, "shadowed by this rule");
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
