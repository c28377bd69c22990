/*
 * kernel.c - `egressc apply` and `egressc verify`: the policy's nftables
 * table, lowered exactly as `compile -t nftables` lowers it, loaded into
 * the kernel in one batch or compared with what the kernel holds.  apply
 * --confirm loads it with a rollback armed and apply --confirmed cancels
 * the rollback; both find the table by the same policy.
 */
#include <string.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "nl/nl.h"
#include "util/arena.h"
#include "util/diag.h"

enum kcmd { K_APPLY, K_CONFIRMED, K_VERIFY };

/* s as one shell word: as it is when that is safe, else single-quoted. */
static const char *
shell_word(struct arena *a, const char *s)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789_./:=@%+,-";
	const char *p;
	char *q, *w;

	if (*s != '\0' && strspn(s, plain) == strlen(s))
		return s;
	w = q = arena_alloc(a, 4 * strlen(s) + 3);
	*q++ = '\'';
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else
			*q++ = *p;
	}
	*q = '\'';
	return w;
}

/* What the operator types to confirm: the options that find the table. */
static const char *
confirm_cmd(struct arena *a, const struct opts *o, const char *policy)
{
	const char *c = "egressc apply --confirmed";

	if (o->netns != NULL)
		c = arena_printf(a, "%s --netns %s", c, shell_word(a,
		    o->netns));
	if (o->lock != NULL)
		c = arena_printf(a, "%s --lock %s", c, shell_word(a, o->lock));
	if (o->tiers != NULL)
		c = arena_printf(a, "%s --tier %s", c, shell_word(a, o->tiers));
	return arena_printf(a, "%s %s", c, shell_word(a, policy));
}

static int
kernel(struct opts *o, const char *policy, enum kcmd cmd)
{
	struct nl_opts no = { o->dry_run, o->netns, o->confirm, NULL,
	    o->verbose };
	struct job j;
	struct ir *low;
	int rc;

	rc = job_load(&j, policy);
	if (rc == 0)
		rc = job_bind(&j, o, true);
	/* Documentation addresses in a live kernel filter nothing real and
	 * cut off everything else: only on purpose. */
	if (rc == 0 && cmd == K_APPLY && j.example && !o->force &&
	    !o->dry_run) {
		diag_error(NULL, "%s holds example addresses (documentation "
		    "ranges), not DNS answers: run 'egressc resolve %s' for a "
		    "real lock, or give --force to load these anyway",
		    j.lockfile, policy);
		rc = -1;
	}
	if (rc == 0) {
		/* The same view of the policy compile -t nftables renders. */
		low = job_lower(&j, be_find("nftables"), j.a);
		no.confirm_cmd = confirm_cmd(j.a, o, policy);
		if (low == NULL)
			rc = -1;
		else if (cmd == K_APPLY)
			rc = nl_apply(low, &no);
		else if (cmd == K_CONFIRMED)
			rc = nl_confirm(low, &no);
		else
			rc = nl_verify(low, &no);
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
	if (o->confirmed && (o->confirm > 0 || o->dry_run))
		return cli_usage_error("--confirmed goes with neither "
		    "--confirm nor --dry-run");
	if (o->confirm > 0 && o->dry_run)
		return cli_usage_error("--confirm and --dry-run do not go "
		    "together: a dry run changes nothing to roll back");
	return kernel(o, argv[0], o->confirmed ? K_CONFIRMED : K_APPLY);
}

int
cmd_verify(struct opts *o, int argc, char **argv)
{
	(void)argc;
	return kernel(o, argv[0], K_VERIFY);
}
