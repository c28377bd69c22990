/* budget.c - the expansion budget of a compilation (see budget.h). */
#include "util/budget.h"

static unsigned long long	max_units = BUDGET_DEFAULT, used;
static bool			exhausted;
static _Thread_local struct budget_tally *tally;

void
budget_set(unsigned long long max)
{
	max_units = max != 0 ? max : BUDGET_DEFAULT;
	used = 0;
	exhausted = false;
}

void
budget_tally(struct budget_tally *t)
{
	if (t != NULL)
		t->spent = 0, t->over = false;
	tally = t;
}

int
budget_spend(const struct loc *loc, unsigned long long n)
{
	if (tally != NULL) {
		if (tally->over || n > max_units - tally->spent) {
			tally->over = true;
			return -1;
		}
		tally->spent += n;
		return 0;
	}
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
	if (tally != NULL)
		return tally->over;
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
