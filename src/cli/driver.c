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
 * is a few targets', not the sum.
 *
 * Targets are lowered and emitted side by side, one thread per CPU (at
 * most the number of targets; EGRESSC_THREADS=N overrides).  They only
 * read the shared IR, which is normalised first so that reading it writes
 * nothing, and each writes its own arena and buffers.  What must not
 * depend on the scheduling is done by the calling thread in target order:
 * each target's messages are deferred (diag_defer) and replayed there,
 * and its files handed to the sink there, one target after another, as a
 * single thread would.  A thread starts the next target as soon as it is
 * free, before those ahead are handed over: one done with a small target
 * goes on rather than wait behind a slow one (make bench: 2,000 rules
 * about 10 % faster, 16,000 12 %).  With -o DIR nothing waits but the
 * staged files: each is written as its text is made (sink.open), so a
 * target that writes front to back (nftables, iptables, netsh,
 * powershell, the Cisco pair: all but pf) never holds its whole text;
 * the texts of a sink that takes them whole (put: standard output,
 * check) wait for their turn.
 *
 * The targets without rule order (netsh, powershell) start first: their
 * rewrite is the longest piece of work.  They share it (lower_share,
 * pass/lower.h) when their rules are the same, so while one makes it, a
 * free thread starts a target of another kind rather than wait for it.
 */
#include <malloc.h>
#include <pthread.h>
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
#include "util/cpus.h"
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
	struct lower_target to = { be->name, be->caps, j->strict, j->share };

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

/* One target's rendering, from lowering to its texts or staged files. */
struct render {
	const struct backend	*be;
	struct arena		*tmp;
	struct out		*outs;
	void			**staged;	/* per file: a token, or NULL */
	size_t			 ns;
	int			 rc;
	struct diag_log		*log;	/* deferred messages, or NULL */
	bool			 started, done;
};

struct pool {
	struct job	*j;
	const struct sink *sk;
	struct render	*v;
	size_t		 n;
	int		 lowering;	/* rewriting targets not yet lowered */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
};

/* Does the target rewrite the rules for no rule order (lower_share)? */
static bool
rewrites(const struct render *r)
{
	return !(r->be->caps & BE_FIRST_MATCH);
}

/* Target r is lowered: a rewrite of its is no longer to come. */
static void
pool_lowered(struct pool *p, const struct render *r)
{
	if (p == NULL || !rewrites(r))
		return;
	pthread_mutex_lock(&p->mu);
	p->lowering--;
	pthread_mutex_unlock(&p->mu);
}

/* NAME.SUFFIX of a target's file k, malloc'd: threads build it. */
static char *
file_name(const struct job *j, const struct render *r, size_t k)
{
	size_t a = strlen(j->ir->name), b = strlen(r->be->suffixes[k]);
	char *s = xmalloc(a + b + 1);

	memcpy(s, j->ir->name, a);
	memcpy(s + a, r->be->suffixes[k], b + 1);
	return s;
}

static void
render(struct job *j, struct render *r, const struct sink *sk,
    struct pool *p)
{
	struct be_opts bo;
	struct ir *low;
	size_t k;

	r->tmp = arena_new();
	bo.be = r->be;
	bo.arena = r->tmp;
	low = job_lower(j, r->be, r->tmp);
	pool_lowered(p, r);
	r->ns = be_nsuffixes(r->be);
	r->outs = xmalloc((r->ns + 1) * sizeof(*r->outs));
	for (k = 0; k < r->ns; k++)
		out_init(&r->outs[k]);
	r->rc = low == NULL ? -1 : 0;
	/* Staged files are opened before the text is made, to take it as
	 * it is written. */
	if (sk->open != NULL && r->rc == 0) {
		r->staged = xmalloc((r->ns + 1) * sizeof(*r->staged));
		for (k = 0; k < r->ns; k++) {
			char *name = file_name(j, r, k);

			if ((r->staged[k] = sk->open(name, &r->outs[k],
			    sk->arg)) == NULL)
				r->rc = -1;
			free(name);
		}
	}
	if (r->rc == 0 && r->be->emit(low, &bo, r->outs) < 0)
		r->rc = -1;
	/* Only the texts wait to be handed over, not the scratch. */
	arena_free(r->tmp);
	r->tmp = NULL;
	if (r->staged == NULL)
		return;
	for (k = 0; k < r->ns; k++) {
		if (r->staged[k] != NULL && (r->rc < 0 ||
		    sk->done(r->staged[k], &r->outs[k], sk->arg) < 0)) {
			sk->drop(r->staged[k], sk->arg);
			r->staged[k] = NULL;
			r->rc = -1;
		}
		out_free(&r->outs[k]);
	}
}

/* Hand a rendered target over: its messages, then its files unless a
 * target before failed; then free it.  rc: so far, and after. */
static int
deliver(struct job *j, struct render *r, int rc, const struct sink *sk)
{
	size_t k;
	char *name;

	diag_replay(r->log);
	r->log = NULL;
	if (r->rc < 0)
		rc = -1;
	for (k = 0; k < r->ns; k++) {
		if (r->staged != NULL) {
			if (r->staged[k] != NULL)
				(rc == 0 ? sk->keep : sk->drop)(r->staged[k],
				    sk->arg);
			continue;
		}
		name = file_name(j, r, k);
		if (rc == 0 && sk->put(j, name, &r->outs[k], sk->arg) < 0)
			rc = -1;
		out_free(&r->outs[k]);
		free(name);
	}
	free(r->staged);
	r->staged = NULL;
	free(r->outs);
	r->outs = NULL;
	return rc;
}

/*
 * The next target to start, under p->mu; n when none is left.  Those that
 * rewrite the rules go first, the costliest work there is; but while one
 * of them is being rewritten, a free thread starts another kind of target
 * first, as one that would share the rewrite could only wait for it.
 */
static size_t
pool_take(struct pool *p)
{
	size_t i, pick = p->n, late = p->n;
	bool busy = p->lowering > 0;

	for (i = 0; i < p->n && pick == p->n; i++) {
		if (p->v[i].started || !rewrites(&p->v[i]))
			continue;
		if (!busy)
			pick = i;
		else if (late == p->n)
			late = i;
	}
	for (i = 0; i < p->n && pick == p->n; i++)
		if (!p->v[i].started && !rewrites(&p->v[i]))
			pick = i;
	if (pick == p->n)
		pick = late;
	if (pick < p->n) {
		p->v[pick].started = true;
		if (rewrites(&p->v[pick]))
			p->lowering++;
	}
	return pick;
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	size_t k;

	pthread_mutex_lock(&p->mu);
	while ((k = pool_take(p)) < p->n) {
		pthread_mutex_unlock(&p->mu);
		p->v[k].log = diag_defer();
		render(p->j, &p->v[k], p->sk, p);
		diag_defer_end();
		pthread_mutex_lock(&p->mu);
		p->v[k].done = true;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Threads to render n targets with: cpu_threads(), at most n. */
static size_t
render_threads(size_t n)
{
	size_t t = cpu_threads();

	return t < n ? t : n;
}

/* Targets v[0..n) on nt threads, handed over in order; rc as deliver. */
static int
render_pool(struct job *j, struct render *v, size_t n, size_t nt,
    const struct sink *sk)
{
	pthread_t th[BE_MAX];
	struct pool p;
	size_t i, started = 0;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.j = j;
	p.sk = sk;
	p.v = v;
	p.n = n;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
#ifdef M_ARENA_MAX
	/*
	 * One malloc arena for every thread.  glibc gives each thread its
	 * own, and what a target frees there (its big blocks, its texts'
	 * buffers) only that thread can use again: the next target on
	 * another thread faulted in fresh pages beside it.  Shared, the
	 * peak is what is live at once (make bench: 2,000 rules 30.3 ->
	 * 27.3 MiB, 16,000 rules 226 -> 190 MiB, the time the same); the
	 * lock costs little, as most allocations are an arena's.  Set
	 * here, after the parser's threads (policy/yaml.c) are done: the
	 * render threads share the arena one of those left, while those
	 * two had one each.  Set before them (tried: malloc set up once,
	 * before the first thread), the parser's two threads and their
	 * million mallocs of libyaml's at 16,000 rules waited on one lock:
	 * all targets 30 -> 35 ms at 2,000 rules, 244 -> 304 ms at 16,000.
	 *
	 * And blocks below 32 MiB from the heap, from the start, with the
	 * heap trimmed as glibc does by default.  A block glibc maps on
	 * its own is given back when freed, and the next target faults in
	 * its pages again: at 16,000 rules the targets' big blocks (sets,
	 * rules, models) came to 50 ms of CPU that way.  (From 2,000
	 * rules this set 768 KiB, for the peak: a freed array of rules on
	 * the heap was not room for the next, larger one, 24.6 against
	 * 23.3 MiB.  Since the rules' array is made at its size and the
	 * small chunks pooled, the peak is the same: make bench, 2,000
	 * rules, the largest of 30 runs 22.8 and 23.0 MiB; 16,000 rules
	 * 398 -> 381 ms, 143 -> 150 MiB.  A larger trim threshold keeps
	 * 2.5 MiB more at 2,000 rules for 6 ms at 16,000: not taken.)
	 */
	mallopt(M_ARENA_MAX, 1);
#endif
#ifdef M_MMAP_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
#endif
	for (i = 0; i < nt; i++)
		if (cpu_thread_start(&th[started], worker, &p, i) == 0)
			started++;
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&p.mu);
		while (!v[i].done && started > 0)
			pthread_cond_wait(&p.cv, &p.mu);
		/* No thread could be started: render here. */
		if (!v[i].done && !v[i].started) {
			v[i].started = true;
			pthread_mutex_unlock(&p.mu);
			render(j, &v[i], sk, NULL);
			pthread_mutex_lock(&p.mu);
		}
		pthread_mutex_unlock(&p.mu);
		rc = deliver(j, &v[i], rc, sk);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}

int
job_render(struct job *j, const struct backend *const *bes,
    const struct sink *sk)
{
	struct render v[BE_MAX];
	size_t i, n, nt;
	int rc = 0;

	for (n = 0; bes[n] != NULL && n < BE_MAX; n++) {
		memset(&v[n], 0, sizeof(v[n]));
		v[n].be = bes[n];
	}
	/* After this, reading the IR writes nothing: threads share it. */
	ir_norm(j->ir);
	j->share = lower_share_new();
	nt = render_threads(n);
	if (nt > 1)
		rc = render_pool(j, v, n, nt, sk);
	else
		for (i = 0; i < n; i++) {
			render(j, &v[i], sk, NULL);
			rc = deliver(j, &v[i], rc, sk);
		}
	lower_share_free(j->share);
	j->share = NULL;
	return rc;
}
