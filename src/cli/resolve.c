/*
 * resolve.c - `egressc resolve`: every host name of the policy (wildcards
 * expanded first) looked up with c-ares and written to the lock file.
 */
#include "cli/cli.h"
#include "dns/resolve.h"
#include "policy/lock.h"

int
cmd_resolve(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct job j;
	int rc;

	(void)argc;
	rc = job_load(&j, policy);
	if (rc == 0) {
		o->ro.lockpath = o->lock ? o->lock : lock_path(j.a, policy);
		rc = resolve_run(j.ir, &o->ro);
	}
	job_free(&j);
	return cli_status(rc);
}
