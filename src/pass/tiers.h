/*
 * tiers.h - tier selection: the pass that keeps only the rules of the
 * tiers a command asked for.
 */
#ifndef EGRESSC_TIERS_H
#define EGRESSC_TIERS_H

struct ir;

/* Keep only rules of the named tiers (comma list); NULL keeps all. */
void	tiers_select(struct ir *, const char *tiers);

#endif
