/*
 * tiers.c - keep the rules of the selected tiers (--tier).  A rule without
 * a tier belongs to every tier.
 */
#include <stdbool.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/tiers.h"

/* Is tier one of the comma-separated names in list? */
static bool
tier_listed(const char *list, const char *tier)
{
	const char *p = list, *e, *s;
	size_t tl = strlen(tier);

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == tl && strncmp(s, tier, tl) == 0)
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return false;
}

void
tiers_select(struct ir *ir, const char *tiers)
{
	size_t i, k = 0;

	if (tiers == NULL)
		return;
	for (i = 0; i < ir->nrules; i++) {
		/* A rule without a tier belongs to every tier. */
		if (ir->rules[i].tier != NULL &&
		    !tier_listed(tiers, ir->rules[i].tier))
			continue;
		if (k != i)
			ir->rules[k] = ir->rules[i];
		k++;
	}
	ir->nrules = k;
}
