/*
 * budget.h - one budget for a compilation, so that no small input can
 * cost much.  A policy of a few hundred bytes can name networks that name
 * networks, use a long variable thousands of times or include a catalog of
 * 100,000 regions; each step is reasonable and their product is not.  So
 * every place that makes more of the input than it read spends from one
 * budget as it goes, and the first spend past the limit is an error at
 * the place being expanded.  Every spend after it fails too, so the work
 * stops there and memory stays bounded.
 *
 * A unit is about what one YAML node takes: a YAML node costs one (an
 * alias the nodes it stands for), and so do a byte of text that ${var}
 * substitution writes, an address range added to a network or rule, a
 * lock address and an address a lock gives a rule's host name.  What
 * takes about four times as much costs BUDGET_NAME: a host name added to
 * a network or rule, a catalog host, a lock host and a rule.  egressc(1),
 * LIMITS, documents the default and --max-expansion.
 */
#ifndef EGRESSC_BUDGET_H
#define EGRESSC_BUDGET_H

#include <stdbool.h>

#include "util/diag.h"

/* A 16,000-rule generated policy (bench/gen.py) spends 560,000 units. */
#define BUDGET_DEFAULT	4000000
#define BUDGET_NAME	4

/* Start a compilation with max units (0: BUDGET_DEFAULT). */
void			budget_set(unsigned long long max);
/*
 * Spend n units for what is being expanded at loc: 0, or -1 when the
 * budget is spent (the error is reported once, at the first place past
 * it; every later call fails quietly).
 */
int			budget_spend(const struct loc *, unsigned long long n);
bool			budget_exhausted(void);

/*
 * A thread that works beside the one spending (policy.c parses the second
 * half of the rules so) tallies instead: from budget_tally(t) to
 * budget_tally(NULL) on that thread, budget_spend() adds to t->spent and
 * says nothing, and fails (t->over) only past the whole budget.  The work
 * counts once it is joined: its caller spends t->spent where one thread
 * would have spent it, if that fits, or else does the work again itself.
 */
struct budget_tally {
	unsigned long long	spent;
	bool			over;
};

void			budget_tally(struct budget_tally *);
unsigned long long	budget_used(void);
unsigned long long	budget_max(void);

#endif
