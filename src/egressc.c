/*
 * egressc.c - the command line: parse arguments, run the pipeline
 * (policy -> expand -> lock -> tiers -> optimise -> lower -> emit) and
 * write, compare or explain.  Nothing else lives here.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "pass/expand.h"
#include "policy/catalog.h"
#include "util/hostname.h"
#include "pass/bind.h"
#include "pass/tiers.h"
#include "policy/lock.h"
#include "pass/lower.h"
#include "nl/nl.h"
#include "pass/optimise.h"
#include "policy/policy.h"
#include "dns/resolve.h"
#include "util/atomic_write.h"

#define MAX_SERVERS	16

struct opts {
	const char	*targets;	/* comma list or "all" */
	const char	*outdir;
	const char	*tiers;
	const char	*lock;
	bool		 stamp, strict, resolve;
	/* explain */
	const char	*to, *port, *from, *batch;
	bool		 inbound;
	/* resolve */
	struct resolve_opts ro;
	const char	*servers[MAX_SERVERS];
	/* catalog */
	const char	*project, *regions, *source, *output;
	/* apply, verify */
	bool		 dry_run;
	const char	*netns;
};

/* A policy read and taken through the passes every command shares. */
struct job {
	struct arena	*a;
	const char	*path;
	struct policy	*pol;
	struct ir	*ir;
	const char	*tmpldir;
};

static const char usage_text[] =
"usage: egressc compile [-t TARGETS] [-o DIR] [--tier T] [--lock F] [--stamp]\n"
"                       [--resolve [resolve options]] POLICY\n"
"       egressc check   -o DIR [-t TARGETS] [--tier T] [--lock F] POLICY\n"
"       egressc lint    [--strict] [--lock F] POLICY\n"
"       egressc resolve [--lock F] [--dns-server ADDR[:PORT]]... [--timeout MS]\n"
"                       [--tries N] [--keep-going] [--keep-days N] [--no-stamp]\n"
"                       POLICY\n"
"       egressc explain [--lock F] [--tier T] [--from ADDR] [--inbound] POLICY\n"
"                       (--to ADDR --port PROTO/PORT | --batch FILE)\n"
"       egressc catalog livekit --project NAME --regions FILE [-o FILE]\n"
"       egressc apply   [--dry-run] [--netns NAME] [--tier T] [--lock F] POLICY\n"
"       egressc verify  [--netns NAME] [--tier T] [--lock F] POLICY\n"
"       egressc --version | --help\n"
"TARGETS: all, or a comma list of:";

static void
usage(FILE *f)
{
	size_t i;

	fputs(usage_text, f);
	for (i = 0; be_all[i] != NULL; i++)
		fprintf(f, " %s", be_all[i]->name);
	fputs("\nSee egressc(1) and egressc-policy(5).\n", f);
}

static int bad_usage(const char *, ...) __attribute__((format(printf, 1, 2)));

static int
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("egressc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	return EX_BAD;
}

/* The templates directory: $EGRESSC_TEMPLATES, beside the binary, the
 * source tree the binary was built in, or the installed share dir. */
static const char *
find_templates(struct arena *a)
{
	static const char *const rel[] = { "templates",
	    "../share/egressc/templates", "../../templates", NULL };
	const char *env = getenv("EGRESSC_TEMPLATES");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	size_t i;
	struct stat st;

	if (env != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL)
			*slash = '\0';
		for (i = 0; rel[i] != NULL; i++) {
			char *d = arena_printf(a, "%s/%s", exe, rel[i]);
			char *f = arena_printf(a, "%s/nftables.tmpl", d);

			if (stat(f, &st) == 0)
				return d;
		}
	}
	return EGRESSC_DATADIR "/templates";
}

/* "now" for stamps: SOURCE_DATE_EPOCH when set, for reproducible builds. */
static const char *
now_text(struct arena *a)
{
	char buf[CLOCK_TEXT_SIZE];
	long long t;

	/* NULL after clock_now's error: the caller must fail. */
	if (clock_now(&t) < 0)
		return NULL;
	return arena_strdup(a, clock_format(t, buf));
}

/* Read the policy, expand wildcards; names stay unresolved. */
static int
job_load(struct job *j, const char *path)
{
	j->a = arena_new();
	j->path = path;
	j->tmpldir = find_templates(j->a);
	j->pol = pol_load(j->a, path);
	if (j->pol == NULL)
		return EX_BAD;
	j->ir = j->pol->ir;
	if (expand_run(j->ir, j->pol->cats, j->pol->ncats, &j->pol->vars) < 0)
		return EX_BAD;
	return EX_OK;
}

/* Give names their addresses from the lock, then select tiers. */
static int
job_resolve(struct job *j, const struct opts *o, bool optimise)
{
	const char *lp = o->lock ? o->lock : lock_path(j->a, j->path);
	struct lock *lk = lock_load(j->a, lp);

	if (lk == NULL)
		return EX_BAD;
	if (lk->example)
		j->ir->banner = arena_printf(j->a, "EXAMPLE ADDRESSES ONLY: %s "
		    "holds documentation addresses, not DNS answers: run "
		    "egressc resolve before using these rules", lp);
	if (bind_lock(j->ir, lk) < 0)
		return EX_BAD;
	if (o->tiers != NULL)
		tiers_select(j->ir, o->tiers);
	if (o->stamp)
		j->ir->stamp = now_text(j->a);
	if (optimise)
		opt_run(j->ir);
	return EX_OK;
}

static void
job_free(struct job *j)
{
	arena_free(j->a);
	j->a = NULL;
}

/* Parse -t: fills bes (NULL-terminated); returns count or -1. */
static int
parse_targets(const char *spec, const struct backend **bes, size_t max)
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
			bad_usage("unknown target '%s'", tok);
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
		bad_usage("no target in '%s'", spec);
		return -1;
	}
	return (int)n;
}

/*
 * Render every selected target and hand each file, in target order, to
 * sink as soon as it exists; its text is freed after.  Each target's
 * lowered IR and scratch live in an arena of their own, freed once its
 * text is out, so peak memory is one target's, not the sum.
 */
typedef int	(*sink_fn)(struct job *, const char *name, struct out *,
		    void *);

static int
render(struct job *j, const struct backend **bes, sink_fn sink, void *arg)
{
	size_t i, k, ns;
	int rc = EX_OK;

	/* After a failure the other targets still run, to report their
	 * errors too, but nothing more reaches the sink. */
	for (i = 0; bes[i] != NULL; i++) {
		struct arena *tmp = arena_new();
		struct be_opts bo = { bes[i], j->tmpldir, tmp };
		struct ir view = *j->ir, *low;
		struct out *outs;

		view.arena = tmp;
		low = lower(&view, bes[i]);
		ns = be_nsuffixes(bes[i]);
		outs = arena_alloc(tmp, ns * sizeof(*outs));
		for (k = 0; k < ns; k++)
			out_init(&outs[k]);
		if (low == NULL || bes[i]->emit(low, &bo, outs) < 0)
			rc = EX_BAD;
		for (k = 0; k < ns; k++) {
			if (rc == EX_OK && sink(j, arena_printf(j->a, "%s%s",
			    j->ir->name, bes[i]->suffixes[k]), &outs[k],
			    arg) < 0)
				rc = EX_BAD;
			out_free(&outs[k]);
		}
		arena_free(tmp);
	}
	return rc;
}

static size_t
count_files(const struct backend **bes)
{
	size_t n = 0;

	for (; *bes != NULL; bes++)
		n += be_nsuffixes(*bes);
	return n;
}

/* compile -o DIR: every file staged beside its destination, then all
 * renamed into place, or all removed when anything failed. */
struct staged {
	struct stage {
		char		*tmp;
		const char	*path;
	}		*v;
	size_t		 n, cap;
	const char	*dir;
};

static int
stage_sink(struct job *j, const char *name, struct out *text, void *arg)
{
	struct staged *st = arg;
	const char *path = arena_printf(j->a, "%s/%s", st->dir, name);
	char *tmp = atomic_stage(path, text->buf, text->len, 0644);

	if (tmp == NULL) {
		diag_error(NULL, "%s: %s", path, strerror(errno));
		return -1;
	}
	ARENA_PUSH(j->a, st->v, st->n, st->cap);
	st->v[st->n - 1].tmp = tmp;
	st->v[st->n - 1].path = path;
	return 0;
}

/* One target, one file, no -o: the text is printed once all went well. */
struct kept {
	struct out	 text;
	size_t		 files;		/* the selected targets write */
	bool		 full;
};

static int
keep_sink(struct job *j, const char *name, struct out *text, void *arg)
{
	struct kept *k = arg;

	if (k->full) {
		diag_error(NULL, "these targets write %zu files; name a "
		    "directory with -o DIR", k->files);
		return -1;
	}
	k->text = *text;
	k->full = true;
	out_init(text);
	return 0;
}

static int
cmd_compile(struct opts *o, const char *policy)
{
	const struct backend *bes[16];
	struct staged st = { NULL, 0, 0, o->outdir };
	struct kept kept = { { NULL, 0, 0 }, 0, false };
	struct job j;
	size_t i;
	int rc;

	if (parse_targets(o->targets, bes, 15) < 0)
		return EX_BAD;
	kept.files = count_files(bes);
	rc = job_load(&j, policy);
	if (rc == EX_OK && o->resolve) {
		o->ro.lockpath = o->lock ? o->lock : lock_path(j.a, policy);
		rc = resolve_run(j.ir, &o->ro);
	}
	if (rc == EX_OK)
		rc = job_resolve(&j, o, true);
	if (rc == EX_OK && o->outdir != NULL && mkdir(o->outdir, 0777) < 0 &&
	    errno != EEXIST) {
		diag_error(NULL, "%s: %s", o->outdir, strerror(errno));
		rc = EX_BAD;
	}
	if (rc == EX_OK)
		rc = render(&j, bes, o->outdir ? stage_sink : keep_sink,
		    o->outdir ? (void *)&st : (void *)&kept);
	for (i = 0; i < st.n; i++) {
		if (rc != EX_OK)
			atomic_abort(st.v[i].tmp);
		else if (atomic_commit(st.v[i].tmp, st.v[i].path) < 0) {
			diag_error(NULL, "%s: %s", st.v[i].path, strerror(errno));
			rc = EX_BAD;
		}
	}
	if (rc == EX_OK && o->outdir == NULL) {
		fwrite(kept.text.buf, 1, kept.text.len, stdout);
		if (fflush(stdout) != 0)
			rc = EX_BAD;
	}
	out_free(&kept.text);
	job_free(&j);
	return rc;
}

/* diff -u between a file and new text; 0 same, 1 different, -1 error. */
static int
show_diff(const char *path, const char *label, const struct out *text)
{
	char tmp[] = "/tmp/egressc-check.XXXXXX";
	int fd, st;
	pid_t pid;

	fd = mkstemp(tmp);
	if (fd < 0 || write(fd, text->buf, text->len) != (ssize_t)text->len) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	close(fd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *la = NULL, *lb = NULL;

		if (asprintf(&la, "a/%s", label) < 0 ||
		    asprintf(&lb, "b/%s", label) < 0)
			_exit(2);
		execlp("diff", "diff", "-u", "--label", la, "--label", lb,
		    access(path, F_OK) == 0 ? path : "/dev/null", tmp,
		    (char *)NULL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		unlink(tmp);
		return -1;
	}
	unlink(tmp);
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return WEXITSTATUS(st);
}

/* check -o DIR: each file compared as it is rendered. */
struct checked {
	const char	*dir;
	int		 stale;
};

static int
check_sink(struct job *j, const char *name, struct out *text, void *arg)
{
	struct checked *ck = arg;
	char *path = arena_printf(j->a, "%s/%s", ck->dir, name);
	size_t len;
	char *cur = read_file(path, 256u << 20, &len);
	bool same = cur != NULL && len == text->len &&
	    memcmp(cur, text->buf, len) == 0;

	free(cur);
	if (same)
		return 0;
	ck->stale++;
	if (show_diff(path, name, text) < 0) {
		diag_error(NULL, "%s: cannot compare (diff failed)", path);
		return -1;
	}
	return 0;
}

static int
cmd_check(struct opts *o, const char *policy)
{
	const struct backend *bes[16];
	struct checked ck = { o->outdir, 0 };
	struct job j;
	int rc;

	if (o->outdir == NULL)
		return bad_usage("%s needs -o DIR", "check");
	if (parse_targets(o->targets, bes, 15) < 0)
		return EX_BAD;
	rc = job_load(&j, policy);
	if (rc == EX_OK)
		rc = job_resolve(&j, o, true);
	if (rc == EX_OK)
		rc = render(&j, bes, check_sink, &ck);
	if (rc == EX_OK && ck.stale > 0) {
		fprintf(stderr, "egressc: %d file%s in %s out of date; run "
		    "'egressc compile -o %s %s'\n", ck.stale, ck.stale == 1 ?
		    " is" : "s are", o->outdir, o->outdir, policy);
		rc = EX_DIFF;
	}
	job_free(&j);
	return rc;
}

static int
cmd_lint(struct opts *o, const char *policy)
{
	struct job j;
	size_t i;
	int rc, before;
	long by;

	rc = job_load(&j, policy);
	/* Target option values the front end cannot judge. */
	for (i = 0; rc == EX_OK && be_all[i] != NULL; i++) {
		struct be_opts bo = { be_all[i], j.tmpldir, j.a };

		if (be_all[i]->check != NULL && be_all[i]->check(j.ir, &bo) < 0)
			rc = EX_BAD;
	}
	/* Lint reads the lock when there is one; without it, host names are
	 * compared as names (a policy is lintable before its first resolve). */
	if (rc == EX_OK && (o->lock != NULL ||
	    access(lock_path(j.a, policy), F_OK) == 0))
		rc = job_resolve(&j, o, false);
	if (rc != EX_OK) {
		job_free(&j);
		return rc;
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

static int
parse_packet(const char *addr, const char *port, const char *from,
    bool inbound, struct ir_packet *pk)
{
	enum fam f;
	int len, p;
	bool hb;
	const char *slash = strchr(port, '/');
	char *end;
	unsigned long v;

	memset(pk, 0, sizeof(*pk));
	if (addr_parse(addr, &pk->fam, &pk->dst, &len, &hb) < 0 ||
	    len != fam_bits(pk->fam)) {
		diag_error(NULL, "explain: bad address '%s'", addr);
		return -1;
	}
	pk->any_src = true;
	if (from != NULL) {
		if (addr_parse(from, &f, &pk->src, &len, &hb) < 0 ||
		    len != fam_bits(f) || f != pk->fam) {
			diag_error(NULL, "explain: bad source '%s' (an address "
			    "of the destination's family)", from);
			return -1;
		}
		pk->any_src = false;
	}
	for (p = 0; p < P_N && slash != NULL; p++)
		if (strlen(proto_name[p]) == (size_t)(slash - port) &&
		    strncmp(port, proto_name[p], (size_t)(slash - port)) == 0)
			break;
	if (slash == NULL || p == P_N) {
		diag_error(NULL, "explain: bad port '%s' (PROTO/PORT: tcp/443, "
		    "udp/3478, icmp/8, icmpv6/128)", port);
		return -1;
	}
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == slash + 1 ||
	    v > (unsigned long)proto_max((enum proto)p)) {
		diag_error(NULL, "explain: bad port '%s'", port);
		return -1;
	}
	pk->proto = (enum proto)p;
	pk->port = (unsigned)v;
	pk->dir = inbound ? IR_INBOUND : IR_EGRESS;
	return 0;
}

static void
print_decision(const struct ir *ir, const struct ir_packet *pk)
{
	long i = ir_decide(ir, pk);
	const struct ir_rule *r;

	if (i < 0) {
		/* A policy without inbound rules leaves inbound alone. */
		printf("%s (default)\n", pk->dir == IR_INBOUND &&
		    !ir_has_inbound(ir) ? "none" : ir_default_name[ir->def]);
		return;
	}
	r = &ir->rules[i];
	printf("%s %s %s:%d:%d\n", ir_action_name[r->action], r->name,
	    r->loc.file, r->loc.line, r->loc.col);
}

static int
cmd_explain(struct opts *o, const char *policy)
{
	struct ir_packet pk;
	struct job j;
	int rc;

	if ((o->to == NULL || o->port == NULL) && o->batch == NULL)
		return bad_usage("%s needs --to ADDR --port PROTO/PORT or "
		    "--batch FILE", "explain");
	rc = job_load(&j, policy);
	if (rc == EX_OK)
		rc = job_resolve(&j, o, false);
	if (rc == EX_OK && o->batch == NULL) {
		if (parse_packet(o->to, o->port, o->from, o->inbound, &pk) < 0)
			rc = EX_BAD;
		else
			print_decision(j.ir, &pk);
	} else if (rc == EX_OK) {
		FILE *f = strcmp(o->batch, "-") == 0 ? stdin :
		    fopen(o->batch, "r");
		char line[512], a[256], p[64];
		int lineno = 0;

		if (f == NULL) {
			diag_error(NULL, "%s: %s", o->batch, strerror(errno));
			rc = EX_BAD;
		}
		while (rc == EX_OK && f != NULL &&
		    fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			if (sscanf(line, "%255s %63s", a, p) != 2) {
				struct loc l = { o->batch, lineno, 1 };

				diag_error(&l, "expected 'ADDR PROTO/PORT'");
				rc = EX_BAD;
			} else if (parse_packet(a, p, o->from, o->inbound, &pk) < 0)
				rc = EX_BAD;
			else
				print_decision(j.ir, &pk);
		}
		if (f != NULL && f != stdin)
			fclose(f);
	}
	job_free(&j);
	return rc;
}

/* apply, verify: the policy's nftables table, to or from the kernel. */
static int
cmd_nl(struct opts *o, const char *policy, bool apply)
{
	struct nl_opts no = { o->dry_run, o->netns };
	struct job j;
	struct ir *low;
	int rc;

	rc = job_load(&j, policy);
	if (rc == EX_OK)
		rc = job_resolve(&j, o, true);
	if (rc == EX_OK) {
		/* The same view of the policy compile -t nftables renders. */
		low = lower(j.ir, be_find("nftables"));
		if (low == NULL)
			rc = EX_BAD;
		else
			rc = apply ? nl_apply(low, &no) : nl_verify(low, &no);
	}
	job_free(&j);
	return rc;
}

static int
cmd_resolve(struct opts *o, const char *policy)
{
	struct job j;
	int rc;

	rc = job_load(&j, policy);
	if (rc == EX_OK) {
		o->ro.lockpath = o->lock ? o->lock : lock_path(j.a, policy);
		rc = resolve_run(j.ir, &o->ro);
	}
	job_free(&j);
	return rc;
}

static int
cmd_catalog(struct opts *o, int argc, char **argv)
{
	struct arena *a;
	struct out text;
	int rc = EX_OK;

	if (argc != 1 || strcmp(argv[0], "livekit") != 0)
		return bad_usage("catalog: unknown kind '%s' (egressc knows "
		    "'livekit')", argc > 0 ? argv[0] : "");
	if (o->project == NULL || o->regions == NULL)
		return bad_usage("%s needs --project NAME and --regions FILE",
		    "catalog livekit");
	a = arena_new();
	out_init(&text);
	if (catalog_livekit(a, o->project, o->regions, o->source, &text) < 0)
		rc = EX_BAD;
	else if (o->output == NULL || strcmp(o->output, "-") == 0)
		fwrite(text.buf, 1, text.len, stdout);
	else if (atomic_write(o->output, text.buf, text.len, 0644) < 0) {
		diag_error(NULL, "%s: %s", o->output, strerror(errno));
		rc = EX_BAD;
	}
	out_free(&text);
	arena_free(a);
	return rc;
}

enum {
	O_TIER = 256, O_LOCK, O_STAMP, O_STRICT, O_RESOLVE, O_TO, O_PORT,
	O_FROM, O_BATCH, O_DNS, O_TIMEOUT, O_TRIES, O_KEEPGOING, O_KEEPDAYS,
	O_NOSTAMP, O_CONC, O_PROJECT, O_REGIONS, O_SOURCE, O_INBOUND,
	O_DRYRUN, O_NETNS
};

static const struct option longopts[] = {
	{ "targets", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ "tier", required_argument, NULL, O_TIER },
	{ "lock", required_argument, NULL, O_LOCK },
	{ "stamp", no_argument, NULL, O_STAMP },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "resolve", no_argument, NULL, O_RESOLVE },
	{ "to", required_argument, NULL, O_TO },
	{ "port", required_argument, NULL, O_PORT },
	{ "from", required_argument, NULL, O_FROM },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "inbound", no_argument, NULL, O_INBOUND },
	{ "dns-server", required_argument, NULL, O_DNS },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "tries", required_argument, NULL, O_TRIES },
	{ "keep-going", no_argument, NULL, O_KEEPGOING },
	{ "keep-days", required_argument, NULL, O_KEEPDAYS },
	{ "no-stamp", no_argument, NULL, O_NOSTAMP },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "project", required_argument, NULL, O_PROJECT },
	{ "regions", required_argument, NULL, O_REGIONS },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "dry-run", no_argument, NULL, O_DRYRUN },
	{ "netns", required_argument, NULL, O_NETNS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Which options each command takes: a letter or long-option id list. */
struct cmd {
	const char	*name;
	const int	*opts;		/* 0-terminated */
	int		 nargs;		/* positional arguments; -1: any */
};

static const int compile_o[] = { 't', 'o', O_TIER, O_LOCK, O_STAMP,
	O_RESOLVE, O_DNS, O_TIMEOUT, O_TRIES, O_KEEPGOING, O_KEEPDAYS,
	O_NOSTAMP, O_CONC, 0 };
static const int check_o[] = { 't', 'o', O_TIER, O_LOCK, 0 };
static const int lint_o[] = { O_LOCK, O_STRICT, 0 };
static const int resolve_o[] = { O_LOCK, O_DNS, O_TIMEOUT, O_TRIES,
	O_KEEPGOING, O_KEEPDAYS, O_NOSTAMP, O_CONC, 0 };
static const int explain_o[] = { O_LOCK, O_TIER, O_TO, O_PORT, O_FROM,
	O_BATCH, O_INBOUND, 0 };
static const int catalog_o[] = { O_PROJECT, O_REGIONS, O_SOURCE, 'o', 0 };

static const int apply_o[] = { O_TIER, O_LOCK, O_DRYRUN, O_NETNS, 0 };
static const int verify_o[] = { O_TIER, O_LOCK, O_NETNS, 0 };
static const struct cmd cmds[] = {
	{ "compile", compile_o, 1 },
	{ "check", check_o, 1 },
	{ "lint", lint_o, 1 },
	{ "resolve", resolve_o, 1 },
	{ "explain", explain_o, 1 },
	{ "catalog", catalog_o, 1 },
	{ "apply", apply_o, 1 },
	{ "verify", verify_o, 1 },
	{ NULL, NULL, 0 }
};

static int
uint_arg(const char *name, const char *s, unsigned max, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || x > max || s[0] == '-') {
		fprintf(stderr, "egressc: %s: '%s' is not a number from 0 to "
		    "%u\n", name, s, max);
		return -1;
	}
	*v = (unsigned)x;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const struct cmd *c;
	const char *name;
	int ch, i, rc;

	memset(&o, 0, sizeof(o));
	o.ro.stamp = true;
	o.ro.progress = isatty(2);
	if (argc < 2) {
		usage(stderr);
		return EX_BAD;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("egressc %s\n", EGRESSC_VERSION);
		return EX_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (c->name == NULL)
		return bad_usage("unknown command '%s'", argv[1]);
	name = c->name;
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "t:o:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (ch == '?')
			return bad_usage("see '%s --help'", "egressc");
		for (i = 0; c->opts[i] != 0; i++)
			if (c->opts[i] == ch)
				break;
		if (c->opts[i] == 0)
			return bad_usage("this option does not go with '%s'",
			    name);
		switch (ch) {
		case 't': o.targets = optarg; break;
		case 'o':
			if (strcmp(name, "catalog") == 0)
				o.output = optarg;
			else
				o.outdir = optarg;
			break;
		case O_TIER: o.tiers = optarg; break;
		case O_LOCK: o.lock = optarg; break;
		case O_STAMP: o.stamp = true; break;
		case O_STRICT: o.strict = true; break;
		case O_RESOLVE: o.resolve = true; break;
		case O_TO: o.to = optarg; break;
		case O_PORT: o.port = optarg; break;
		case O_FROM: o.from = optarg; break;
		case O_BATCH: o.batch = optarg; break;
		case O_INBOUND: o.inbound = true; break;
		case O_DNS:
			if (o.ro.nservers == MAX_SERVERS)
				return bad_usage("at most 16 %s", "--dns-server");
			o.servers[o.ro.nservers++] = optarg;
			o.ro.servers = o.servers;
			break;
		case O_TIMEOUT:
			if (uint_arg("--timeout", optarg, 600000,
			    &o.ro.timeout_ms) < 0)
				return EX_BAD;
			break;
		case O_TRIES:
			if (uint_arg("--tries", optarg, 20, &o.ro.tries) < 0)
				return EX_BAD;
			break;
		case O_CONC:
			if (uint_arg("--concurrency", optarg, 4096,
			    &o.ro.concurrency) < 0)
				return EX_BAD;
			break;
		case O_KEEPDAYS:
			if (uint_arg("--keep-days", optarg, 36500,
			    &o.ro.keep_days) < 0)
				return EX_BAD;
			break;
		case O_KEEPGOING: o.ro.keep_going = true; break;
		case O_NOSTAMP: o.ro.stamp = false; break;
		case O_PROJECT: o.project = optarg; break;
		case O_REGIONS: o.regions = optarg; break;
		case O_SOURCE: o.source = optarg; break;
		case O_DRYRUN: o.dry_run = true; break;
		case O_NETNS: o.netns = optarg; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(name, "catalog") == 0)
		rc = cmd_catalog(&o, argc, argv);
	else if (argc != 1)
		rc = bad_usage("'%s' takes one POLICY file", name);
	else if (strcmp(name, "compile") == 0)
		rc = cmd_compile(&o, argv[0]);
	else if (strcmp(name, "check") == 0)
		rc = cmd_check(&o, argv[0]);
	else if (strcmp(name, "lint") == 0)
		rc = cmd_lint(&o, argv[0]);
	else if (strcmp(name, "resolve") == 0)
		rc = cmd_resolve(&o, argv[0]);
	else if (strcmp(name, "apply") == 0 || strcmp(name, "verify") == 0)
		rc = cmd_nl(&o, argv[0], strcmp(name, "apply") == 0);
	else
		rc = cmd_explain(&o, argv[0]);
	diag_flush();
	hostname_cleanup();
	diag_reset();
	return rc;
}
