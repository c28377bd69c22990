/*
 * strset.h - a set of strings in an arena (open addressing, FNV-1a), so
 * that finding duplicates and looking names up stay linear: catalog
 * regions and hosts, target object names, YAML keys, variables, rules,
 * networks and services.  A string may carry a number (strset_put), an
 * index into the caller's own array, so a set also serves as the map from
 * a name to where it was defined.
 */
#ifndef EGRESSC_STRSET_H
#define EGRESSC_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/*
 * Zero-initialise; strset_add() is false when s was already there.  The
 * set keeps the pointer, not a copy.  A set is filled by strset_add or by
 * strset_put, not both: only the second keeps numbers.
 */
struct strset {
	const char	**v;
	uint32_t	 *h;		/* each slot's hash: most probes and
					 * every regrowth read no string */
	size_t		 *val;		/* strset_put's numbers; NULL: none */
	size_t		  n, cap;
};
bool	strset_add(struct arena *, struct strset *, const char *s);
/* Is s in the set? */
bool	strset_has(const struct strset *, const char *s);
/*
 * Add s with the number val.  False when s was already there: then
 * nothing changes and *old (may be NULL) is the number s came with.
 */
bool	strset_put(struct arena *, struct strset *, const char *s,
	    size_t val, size_t *old);
/* The number s was put with; false when s is not in the set. */
bool	strset_get(const struct strset *, const char *s, size_t *val);

#endif
