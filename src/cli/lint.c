/*
 * lint.c - `egressc lint`: the policy read and checked as compile would,
 * then judged: rules that can never match, rules that match nothing, and
 * allows of everything.  Findings are warnings; --strict makes them exit 1.
 */
#include <unistd.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "ir/ir.h"
#include "pass/lower.h"
#include "pass/optimise.h"
#include "policy/lock.h"
#include "util/diag.h"

int
cmd_lint(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct job j;
	size_t i;
	int rc, before;
	long by;

	(void)argc;
	rc = job_load(&j, policy);
	/* Target option values the front end cannot judge. */
	for (i = 0; rc == 0 && be_all[i] != NULL; i++) {
		struct be_opts bo = { be_all[i], j.tmpldir, j.a };

		if (be_all[i]->check != NULL && be_all[i]->check(j.ir, &bo) < 0)
			rc = -1;
	}
	/* Lint reads the lock when there is one; without it, host names are
	 * compared as names (a policy is lintable before its first resolve). */
	if (rc == 0 && (o->lock != NULL ||
	    access(lock_path(j.a, policy), F_OK) == 0))
		rc = job_bind(&j, o, false);
	if (rc < 0) {
		job_free(&j);
		return cli_status(rc);
	}
	before = diag_warnings();
	for (i = 0; i < j.ir->nrules; i++) {
		const struct ir_rule *r = &j.ir->rules[i];

		if ((by = opt_shadowed_by(j.ir, i)) >= 0)
			diag_warning(&r->loc, "rule '%s' is shadowed by rule "
			    "'%s' (line %d): it can never match", r->name,
			    j.ir->rules[by].name, j.ir->rules[by].loc.line);
		if (r->action == IR_ALLOW && r->svc.all &&
		    aset_fam_full(&r->dst, FAM_V4) &&
		    aset_fam_full(&r->dst, FAM_V6))
			diag_warning(&r->loc, "rule '%s' allows everything to "
			    "any address: add ports:", r->name);
		if (lower_rule_empty(r))
			diag_warning(&r->loc, "rule '%s' matches nothing (no "
			    "destination, no port or no common address "
			    "family)", r->name);
	}
	rc = diag_warnings() > before && o->strict ? EX_DIFF : EX_OK;
	job_free(&j);
	return rc;
}
