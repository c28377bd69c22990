/*
 * tiers.c - --tier: which rules a command keeps.
 *
 * Tiers are ordered and cumulative, as the egress table reads: the policy's
 * tiers: list (default: minimum, recommended) says the order, and
 * "recommended" is the minimum table plus the media paths.  So:
 *
 *	--tier T	T and every tier before it
 *	--tier a,b	exactly tiers a and b (an explicit set)
 *	--tier all	every rule (as no --tier)
 *
 * A rule without a tier is always kept: DNS and loopback must survive any
 * selection.  A name that is no tier of the policy is an error with the
 * known names, never a silent ruleset holding only the untiered rules.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/tiers.h"
#include "policy/yaml.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

static long
tier_index(const struct ir *ir, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ir->ntiers; i++)
		if (strlen(ir->tiers[i]) == len &&
		    strncmp(ir->tiers[i], name, len) == 0)
			return (long)i;
	return -1;
}

static void
unknown(const struct ir *ir, const char *name)
{
	const char **names = xmalloc((ir->ntiers + 1) * sizeof(*names));
	const char *near;
	struct out known;
	size_t i;

	out_init(&known);
	for (i = 0; i < ir->ntiers; i++) {
		names[i] = ir->tiers[i];
		out_printf(&known, "%s%s", i ? ", " : "", ir->tiers[i]);
	}
	names[i] = NULL;
	near = suggest(name, names);
	if (near != NULL)
		diag_error(NULL, "--tier: '%s' is no tier of %s; did you mean "
		    "'%s'? (tiers: %s, or all)", name, ir->file, near,
		    out_str(&known));
	else
		diag_error(NULL, "--tier: '%s' is no tier of %s (tiers: %s, or "
		    "all)", name, ir->file, out_str(&known));
	out_free(&known);
	free(names);
}

int
tiers_select(struct ir *ir, const char *spec)
{
	bool *keep;
	const char *p, *e, *s;
	size_t i, k = 0, n = 0;
	long t;
	int rc = 0;

	if (spec == NULL || strcmp(spec, "all") == 0)
		return 0;
	keep = arena_alloc(ir->arena, (ir->ntiers + 1) * sizeof(*keep));
	memset(keep, 0, (ir->ntiers + 1) * sizeof(*keep));
	for (p = spec; rc == 0; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		for (s = p; s < e && (*s == ' ' || *s == '\t'); s++)
			;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s) {
			if ((t = tier_index(ir, s, (size_t)(e - s))) < 0) {
				unknown(ir, arena_printf(ir->arena, "%.*s",
				    (int)(e - s), s));
				rc = -1;
			} else
				keep[t] = true;
			n++;
		}
		e = strchr(p, ',');
		if (e == NULL)
			break;
	}
	if (rc == 0 && n == 0) {
		diag_error(NULL, "--tier: no tier named in '%s'", spec);
		rc = -1;
	}
	/* One name alone: that tier and every tier before it. */
	if (rc == 0 && n == 1 && strchr(spec, ',') == NULL)
		for (i = 0; i < ir->ntiers && !keep[i]; i++)
			keep[i] = true;
	for (i = 0; rc == 0 && i < ir->nrules; i++) {
		const char *tier = ir->rules[i].tier;

		if (tier != NULL && !keep[tier_index(ir, tier, strlen(tier))])
			continue;
		if (k != i)
			ir->rules[k] = ir->rules[i];
		k++;
	}
	if (rc == 0)
		ir->nrules = k;
	return rc;
}
