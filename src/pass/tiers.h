/*
 * tiers.h - tier selection: the pass that keeps only the rules of the
 * tiers a command asked for.
 */
#ifndef EGRESSC_TIERS_H
#define EGRESSC_TIERS_H

struct ir;

/* Keep the rules --tier spec selects (see tiers.c); NULL or "all" keeps
 * every rule.  0, or -1 after diag_error() naming the known tiers. */
int	tiers_select(struct ir *, const char *spec);

#endif
