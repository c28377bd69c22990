/*
 * iset.h - sets of unsigned integers up to 128 bits, kept as sorted,
 * non-overlapping, non-adjacent closed intervals.  Address sets (aset_) and
 * port sets (pset_) are both built on this one type; all storage comes from
 * the caller's arena.
 */
#ifndef EGRESSC_ISET_H
#define EGRESSC_ISET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef unsigned __int128 u128;

struct ival {
	u128	lo, hi;		/* closed: lo <= x <= hi */
};

struct iset {
	struct ival	*v;
	uint32_t	 n, cap;	/* 24 bytes, not 32: a rule has eight */
	bool		 dirty;	/* appended to since the last normalise */
};

void	iset_init(struct iset *);

/* Would an interval starting at lo merge with one ending at hi? */
static inline bool
iset_touches(u128 hi, u128 lo)
{
	return lo <= hi || lo - hi == 1;
}

/* Append [lo, hi]; the set is normalised lazily (iset_norm). */
void	iset_add(struct arena *, struct iset *, u128 lo, u128 hi);
/* Room for n more intervals, so that a set whose size is known grows
 * once rather than by doubling. */
void	iset_reserve(struct arena *, struct iset *, size_t n);
/* Sort and merge overlapping or adjacent intervals. */
void	iset_norm(struct iset *);
void	iset_copy(struct arena *, struct iset *dst, const struct iset *);
void	iset_union(struct arena *, struct iset *dst, const struct iset *);
/* dst = a \ b, dst = a & b (dst may not alias a or b). */
void	iset_diff(struct arena *, struct iset *dst, const struct iset *a,
	    const struct iset *b);
void	iset_inter(struct arena *, struct iset *dst, const struct iset *a,
	    const struct iset *b);
bool	iset_has(const struct iset *, u128);
bool	iset_subset(const struct iset *a, const struct iset *b); /* a <= b */
bool	iset_equal(const struct iset *, const struct iset *);
bool	iset_empty(const struct iset *);
/* Number of members, saturating at UINT128 max. */
u128	iset_count(const struct iset *);
/* Is the set exactly [0, max]? */
bool	iset_full(const struct iset *, u128 max);

#endif
