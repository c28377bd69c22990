/*
 * meet.h - which rules can meet a given set of destinations, without
 * comparing every pair of rules.
 *
 * The passes that relate one rule to the rules before it (shadowing,
 * lint's coverage, the Windows rewrite) only ever act on rules whose
 * destinations share an address or a host name with it: any other pair
 * decides nothing.  An index of every rule's destination intervals (per
 * family) and names answers "who meets this set?" in time logarithmic in
 * the rules plus the answers, so each pass costs what the overlaps in the
 * policy cost, not the square of its length.
 */
#ifndef EGRESSC_MEET_H
#define EGRESSC_MEET_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"

/* One interval of one entry (id), and the largest hi of its subtree. */
struct ivx_ent {
	u128	lo, hi, max;
	size_t	id;
};

/* Intervals sorted by lo, as an implicit binary tree (see meet.c). */
struct ivx {
	struct ivx_ent	*v;
	size_t		 n, cap;
	int		 levels;
};

struct meet_name {
	const char	*name;
	size_t		 id;
};

struct meet_index {
	struct ivx		 f[FAM_N];
	struct meet_name	*names;
	size_t			 nnames, capnames;
	bool			 built;
};

/* The ids a query found: sorted and unique after meet_done().  Heap
 * memory, reused from query to query; meet_hits_free() gives it back. */
struct meet_hits {
	size_t	*v;
	size_t	 n, cap;
};

/* The index lives on the heap until meet_free(). */
void	meet_init(struct meet_index *);
void	meet_free(struct meet_index *);
/* Entry id holds every address of s, or the host name. */
void	meet_add_set(struct meet_index *, size_t id, const struct aset *s);
void	meet_add_name(struct meet_index *, size_t id, const char *name);
/* Sort what was added; queries may follow, additions may not. */
void	meet_build(struct meet_index *);

/* Add to h the entries that share an address with s, with the point x of
 * family f, or that hold the name. */
void	meet_set(const struct meet_index *, const struct aset *s,
	    struct meet_hits *h);
void	meet_point(const struct meet_index *, enum fam f, u128 x,
	    struct meet_hits *h);
void	meet_name(const struct meet_index *, const char *name,
	    struct meet_hits *h);
/* Sort and unique h->v. */
void	meet_done(struct meet_hits *h);
void	meet_hits_free(struct meet_hits *h);

#endif
