/* budget.c - the expansion budget of a compilation (see budget.h). */
#include "util/budget.h"

static unsigned long long	max_units = BUDGET_DEFAULT, used;
static bool			exhausted;

void
budget_set(unsigned long long max)
{
	max_units = max != 0 ? max : BUDGET_DEFAULT;
	used = 0;
	exhausted = false;
}

int
budget_spend(const struct loc *loc, unsigned long long n)
{
	if (exhausted)
		return -1;
	if (n <= max_units - used) {
		used += n;
		return 0;
	}
	exhausted = true;
	diag_error(loc, "this expands the policy past egressc's budget of %llu "
	    "units (YAML nodes, substituted bytes, names, addresses, rules; "
	    "see LIMITS in egressc(1)); --max-expansion N raises it",
	    max_units);
	return -1;
}

bool
budget_exhausted(void)
{
	return exhausted;
}

unsigned long long
budget_used(void)
{
	return used;
}

unsigned long long
budget_max(void)
{
	return max_units;
}
