/*
 * policy.h - the front end: a policy file (and what it includes) read into
 * the IR.  Named networks and services are resolved here; host names and
 * wildcards stay names in the IR for the later passes (expand, lock).
 */
#ifndef EGRESSC_POLICY_H
#define EGRESSC_POLICY_H

#include "ir/ir.h"
#include "policy/vars.h"

struct catalog;

struct policy {
	struct ir	 *ir;
	struct vars	  vars;
	struct catalog	**cats;		/* from include: */
	size_t		  ncats, capcats;
	/* max-lock-age: NNd, in days; 0 when not given (then
	 * POL_MAX_LOCK_AGE), and where it was given. */
	unsigned	  max_lock_age;
	struct loc	  max_lock_age_loc;
};

#define POL_MAX_LOCK_AGE	30	/* days */

/* Load and check a policy.  NULL when anything was wrong (diagnostics have
 * been printed); warnings alone do not fail. */
struct policy	*pol_load(struct arena *, const char *path);

/*
 * Test-only: with EGRESSC_TRACE_SPLIT set, a policy whose rules were parsed
 * on two threads says on standard error which rules the second thread
 * parsed and whether its work was kept or done again, so that the tests
 * can show both ways give what one thread gives.  Nothing else should set
 * it.
 */
#define POL_TRACE_SPLIT_ENV	"EGRESSC_TRACE_SPLIT"

#endif
