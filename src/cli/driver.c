/*
 * driver.c - the pipeline, in the one place its order is written:
 *
 *	pol_load	policy.yaml -> AST -> IR (policy/)
 *	be_check_opts	targets.* options against each back end's schema
 *	expand_run	wildcards -> catalog hosts and ranges (pass/expand.c)
 *	bind_lock	host names -> the lock's addresses (pass/bind.c)
 *	tiers_select	--tier (pass/tiers.c)
 *	opt_run		drop shadowed rules (pass/optimise.c)
 *	lower		fit the IR to one target (pass/lower.c)
 *	emit		the target's text (backend/)
 *
 * Every command runs a prefix of it.  Each target's lowered IR and scratch
 * live in an arena of their own, freed once its text is out, so peak memory
 * is one target's, not the sum.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "pass/bind.h"
#include "pass/expand.h"
#include "pass/lower.h"
#include "pass/optimise.h"
#include "pass/tiers.h"
#include "policy/catalog.h"
#include "policy/lock.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/out.h"

int
cli_status(int rc)
{
	if (rc >= 0)
		return EX_OK;
	return diag_failures() > 0 ? EX_RESOLVE : EX_BAD;
}

int
job_load(struct job *j, const char *path)
{
	memset(j, 0, sizeof(*j));
	j->a = arena_new();
	j->path = path;
	j->pol = pol_load(j->a, path);
	if (j->pol == NULL)
		return -1;
	j->ir = j->pol->ir;
	if (be_check_options(j->ir) < 0)
		return -1;
	if (expand_run(j->ir, j->pol->cats, j->pol->ncats, &j->pol->vars) < 0)
		return -1;
	return 0;
}

int
job_bind(struct job *j, const struct opts *o, bool optimise)
{
	const char *lp = o->lock ? o->lock : lock_path(j->a, j->path);
	struct lock *lk = lock_load(j->a, lp);

	if (lk == NULL)
		return -1;
	j->lockfile = lp;
	j->lock = lk;
	j->example = lk->example;
	if (lk->example)
		j->ir->banner = arena_printf(j->a, "EXAMPLE ADDRESSES ONLY: %s "
		    "holds documentation addresses, not DNS answers: run "
		    "egressc resolve before using these rules", lp);
	if (bind_lock(j->ir, lk, j->partial_lock) < 0)
		return -1;
	j->ir->dyn.flush = o->flush_dynamic;
	if (tiers_select(j->ir, o->tiers) < 0)
		return -1;
	/* Now is read once, for the stamp and the lock's age. */
	if (o->stamp || (lk->made != NULL && !lk->example)) {
		char buf[CLOCK_TEXT_SIZE];
		long long t;

		/* SOURCE_DATE_EPOCH when set, for reproducible builds. */
		if (clock_now(&t) < 0)
			return -1;
		if (o->stamp)
			j->ir->stamp = arena_strdup(j->a, clock_format(t, buf));
		job_lock_age(j, o, t);
	}
	if (optimise)
		opt_run(j->ir);
	return 0;
}

void
job_free(struct job *j)
{
	arena_free(j->a);
	j->a = NULL;
}

struct ir *
job_lower(struct job *j, const struct backend *be, struct arena *a)
{
	struct lower_target to = { be->name, be->caps, j->strict };

	return lower(j->ir, &to, a);
}

int
targets_parse(const char *spec, const struct backend **bes, size_t max)
{
	char *copy, *tok, *save = NULL;
	size_t n = 0, i;

	if (spec == NULL || strcmp(spec, "all") == 0) {
		for (i = 0; be_all[i] != NULL && n < max; i++)
			bes[n++] = be_all[i];
		bes[n] = NULL;
		return (int)n;
	}
	copy = xstrdup(spec);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		const struct backend *be = be_find(tok);

		if (be == NULL) {
			cli_usage_error("unknown target '%s'", tok);
			free(copy);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (bes[i] == be)
				break;
		if (i == n && n < max)
			bes[n++] = be;
	}
	free(copy);
	bes[n] = NULL;
	if (n == 0) {
		cli_usage_error("no target in '%s'", spec);
		return -1;
	}
	return (int)n;
}

size_t
targets_files(const struct backend *const *bes)
{
	size_t n = 0;

	for (; *bes != NULL; bes++)
		n += be_nsuffixes(*bes);
	return n;
}

int
job_render(struct job *j, const struct backend *const *bes, sink_fn sink,
    void *arg)
{
	size_t i, k, ns;
	int rc = 0;

	for (i = 0; bes[i] != NULL; i++) {
		struct arena *tmp = arena_new();
		struct be_opts bo = { bes[i], tmp };
		struct ir *low = job_lower(j, bes[i], tmp);
		struct out *outs;

		ns = be_nsuffixes(bes[i]);
		outs = arena_alloc(tmp, ns * sizeof(*outs));
		for (k = 0; k < ns; k++)
			out_init(&outs[k]);
		if (low == NULL || bes[i]->emit(low, &bo, outs) < 0)
			rc = -1;
		for (k = 0; k < ns; k++) {
			if (rc == 0 && sink(j, arena_printf(j->a, "%s%s",
			    j->ir->name, bes[i]->suffixes[k]), &outs[k],
			    arg) < 0)
				rc = -1;
			out_free(&outs[k]);
		}
		arena_free(tmp);
	}
	return rc;
}
