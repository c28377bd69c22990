/*
 * lower.h - fit the IR to one target's capabilities, so back ends stay small:
 * names a target cannot keep become addresses, wildcards it cannot keep are
 * errors, rules that match nothing are dropped, and a target without rule
 * order gets rules whose order does not matter.
 */
#ifndef EGRESSC_LOWER_H
#define EGRESSC_LOWER_H

#include "backend/backend.h"

/* A new IR (same arena) for be; NULL after diag_error(). */
struct ir	*lower(const struct ir *, const struct backend *);
/* Does the rule match anything at all once lowered? */
bool		 lower_rule_empty(const struct ir_rule *);

#endif
