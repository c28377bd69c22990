/*
 * rindex.h - which earlier rules could take a rule's packets, without
 * asking every earlier rule.  Shadowing (optimise: one rule covering
 * another; lint: the union of earlier rules) is decided pair by pair, and
 * a policy of 50,000 rules is 10^9 pairs; but a rule can only shadow one
 * whose destinations it meets, and most rules meet few.  The index keeps
 * every rule's destinations (addresses, with host names' locked addresses,
 * and the names still unresolved) so that a pass asks only the rules that
 * could matter: a superset of them, in rule order, that the pass then
 * judges exactly as before.
 */
#ifndef EGRESSC_RINDEX_H
#define EGRESSC_RINDEX_H

#include <stddef.h>

#include "ir/ir.h"

struct rindex;

/* An index of ir's rules as they are now (memory from a). */
struct rindex	*rindex_new(struct arena *, const struct ir *);
/*
 * The rules before rule j that could cover it entirely (optimise), or
 * that meet it at all (lint), ascending, in *out (arena memory, valid
 * until the next call); returns their count.
 */
size_t		 rindex_covering(struct rindex *, size_t j, const size_t **out);
size_t		 rindex_meeting(struct rindex *, size_t j, const size_t **out);

#endif
