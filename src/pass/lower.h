/*
 * lower.h - fit the IR to one target's capabilities, so back ends stay small:
 * names a target cannot keep become addresses, wildcards it cannot keep are
 * errors, rules that match nothing are dropped, and a target without rule
 * order gets rules whose order does not matter.
 */
#ifndef EGRESSC_LOWER_H
#define EGRESSC_LOWER_H

#include "ir/ir.h"

/* What lowering needs of a target: its name (for messages) and what it
 * can express (BE_* of backend/backend.h). */
struct lower_target {
	const char	*name;
	unsigned	 caps;
	bool		 strict;	/* a loss is an error, not a warning */
};

/*
 * A new IR, in arena a, for the target; NULL after diag_error().  Every
 * place where the target cannot say what the policy says (log dropped,
 * reject written as a silent block) is a warning at the rule, or with
 * strict an error.
 */
struct ir	*lower(const struct ir *, const struct lower_target *,
		    struct arena *a);
/* Does the rule match anything at all once lowered? */
bool		 lower_rule_empty(const struct ir_rule *);

#endif
