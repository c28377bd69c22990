/*
 * lower.h - fit the IR to one target's capabilities, so back ends stay small:
 * names a target cannot keep become addresses, wildcards it cannot keep are
 * errors, rules that match nothing are dropped, and a target without rule
 * order gets rules whose order does not matter.
 */
#ifndef EGRESSC_LOWER_H
#define EGRESSC_LOWER_H

#include <stdbool.h>

#include "ir/ir.h"

/*
 * Targets of one compile that may share work: netsh and powershell lower a
 * policy without host names to the same rules, and the rewrite for no
 * rule order (pass/unordered.c) is the costliest pass there is.  A share
 * keeps each rewrite with the rules it was made from; a target whose rules
 * are the same takes the rewrite and its messages, and one that comes
 * while it is being made waits for it.  Threads may use one share at once.
 */
struct lower_share;
struct lower_share *lower_share_new(void);
void		 lower_share_free(struct lower_share *);

/* What lowering needs of a target: its name (for messages), what it can
 * express (BE_* of backend/backend.h), and what it may share. */
struct lower_target {
	const char	*name;
	unsigned	 caps;
	bool		 strict;	/* a loss is an error, not a warning */
	struct lower_share *share;	/* NULL: make everything here */
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
