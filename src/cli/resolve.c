/*
 * resolve.c - `egressc resolve`: every host name of the policy (wildcards
 * expanded first) looked up with c-ares and written to the lock file, or,
 * with --check, compared with it (the drift gate: exit 1 when DNS has moved
 * on).  Also the lock's age, which every command that reads the lock
 * measures the same way: compile warns past the policy's max-lock-age and
 * check --max-lock-age fails on it.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "dns/resolve.h"
#include "policy/lock.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/clock.h"
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

/* How long ago the lock was made, in whole days. */
static long long
lock_days(const struct job *j)
{
	return j->lock_age / 86400;
}

void
job_lock_age(struct job *j, const struct opts *o, long long now)
{
	const struct lock *lk = j->lock;
	unsigned max = j->pol->max_lock_age ? j->pol->max_lock_age :
	    POL_MAX_LOCK_AGE;
	long long made;
	struct diag *d;

	if (lk == NULL || lk->made == NULL ||
	    clock_parse_rfc3339(lk->made, &made) < 0)
		return;
	j->lock_age = now - made;
	/* An example lock says what it is in every output's header. */
	if (lk->example || o->max_lock_age_set)
		return;
	if (j->lock_age < -86400) {
		diag_warning(&lk->made_loc, "made: %s is in the future",
		    lk->made);
		return;
	}
	if (j->lock_age <= (long long)max * 86400)
		return;
	d = diag_new(DIAG_WARNING, &lk->made_loc, "lock file %s was made %lld "
	    "days ago (%s), more than max-lock-age %ud: run 'egressc resolve "
	    "%s'", j->lockfile, lock_days(j), lk->made, max, j->path);
	if (j->pol->max_lock_age != 0)
		diag_also(d, &j->pol->max_lock_age_loc, "max-lock-age is set "
		    "here");
	diag_emit(d);
}

int
job_lock_gate(const struct job *j, unsigned days)
{
	const struct lock *lk = j->lock;

	if (lk->example) {
		diag_error(NULL, "--max-lock-age %u: %s holds example addresses, "
		    "not DNS answers; run 'egressc resolve %s'", days,
		    j->lockfile, j->path);
		return 1;
	}
	if (lk->made == NULL) {
		diag_error(NULL, "--max-lock-age %u: %s has no made: time (it "
		    "was written before egressc recorded one); run 'egressc "
		    "resolve %s'", days, j->lockfile, j->path);
		return 1;
	}
	if (j->lock_age <= (long long)days * 86400)
		return 0;
	diag_error(&lk->made_loc, "lock file %s was made %lld days ago (%s), "
	    "more than --max-lock-age %u: run 'egressc resolve %s'",
	    j->lockfile, lock_days(j), lk->made, days, j->path);
	return 1;
}
