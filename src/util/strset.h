/*
 * strset.h - a set of strings in an arena (open addressing, FNV-1a), so
 * that finding duplicates stays linear: catalog regions and hosts, target
 * object names.
 */
#ifndef EGRESSC_STRSET_H
#define EGRESSC_STRSET_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

/*
 * Zero-initialise; strset_add() is false when s was already there.  The
 * set keeps the pointer, not a copy.
 */
struct strset {
	const char	**v;
	size_t		 n, cap;
};
bool	strset_add(struct arena *, struct strset *, const char *s);
/* Is s in the set? */
bool	strset_has(const struct strset *, const char *s);

#endif
