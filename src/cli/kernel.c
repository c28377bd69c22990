/*
 * kernel.c - `egressc apply` and `egressc verify`: the policy's nftables
 * table, lowered exactly as `compile -t nftables` lowers it, loaded into
 * the kernel in one batch or compared with what the kernel holds.
 */
#include "backend/backend.h"
#include "cli/cli.h"
#include "nl/nl.h"
#include "util/arena.h"
#include "util/diag.h"

static int
kernel(struct opts *o, const char *policy, bool apply)
{
	struct nl_opts no = { o->dry_run, o->netns };
	struct job j;
	struct ir *low;
	int rc;

	rc = job_load(&j, policy);
	if (rc == 0)
		rc = job_bind(&j, o, true);
	/* Documentation addresses in a live kernel filter nothing real and
	 * cut off everything else: only on purpose. */
	if (rc == 0 && apply && j.example && !o->force && !o->dry_run) {
		diag_error(NULL, "%s holds example addresses (documentation "
		    "ranges), not DNS answers: run 'egressc resolve %s' for a "
		    "real lock, or give --force to load these anyway",
		    j.lockfile, policy);
		rc = -1;
	}
	if (rc == 0) {
		/* The same view of the policy compile -t nftables renders. */
		low = job_lower(&j, be_find("nftables"), j.a);
		if (low == NULL)
			rc = -1;
		else
			rc = apply ? nl_apply(low, &no) : nl_verify(low, &no);
	}
	job_free(&j);
	/* verify: 1 is a difference, the kernel's ruleset is not the
	 * policy's. */
	return rc > 0 ? EX_DIFF : cli_status(rc);
}

int
cmd_apply(struct opts *o, int argc, char **argv)
{
	(void)argc;
	return kernel(o, argv[0], true);
}

int
cmd_verify(struct opts *o, int argc, char **argv)
{
	(void)argc;
	return kernel(o, argv[0], false);
}
