/*
 * resolve.c - `egressc resolve`: every host name of the policy (wildcards
 * expanded first) looked up with c-ares and written to the lock file, or,
 * with --check, compared with it (the drift gate: exit 1 when DNS has moved
 * on).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "dns/resolve.h"
#include "policy/lock.h"
#include "util/diag.h"
#include "util/out.h"

static int
resolve_check_cmd(struct job *j, struct opts *o, const char *policy)
{
	struct out text;
	bool changed;
	int rc;

	out_init(&text);
	rc = resolve_check(j->ir, &o->ro, &text, &changed);
	if (text.len > 0)
		fwrite(text.buf, 1, text.len, stdout);
	out_free(&text);
	if (fflush(stdout) != 0)
		rc = -1;
	if (rc < 0)
		return cli_status(rc);
	if (changed)
		diag_note(NULL, "%s does not hold what DNS answers now; 'egressc "
		    "resolve %s' would write it", o->ro.lockpath, policy);
	return changed ? EX_DIFF : EX_OK;
}

int
cmd_resolve(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct job j;
	int rc;

	(void)argc;
	if (o->json && !o->check)
		return cli_usage_error("--json goes with --check");
	rc = job_load(&j, policy);
	if (rc == 0) {
		o->ro.lockpath = o->lock ? o->lock : lock_path(j.a, policy);
		if (o->check) {
			rc = resolve_check_cmd(&j, o, policy);
			job_free(&j);
			return rc;
		}
		rc = resolve_run(j.ir, &o->ro);
	}
	job_free(&j);
	return cli_status(rc);
}
