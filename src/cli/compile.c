/*
 * compile.c - `egressc compile` and `egressc check`.
 *
 * compile -o DIR stages every file, each written by the thread that
 * rendered it as soon as it is, and makes the whole set appear at once
 * (atomic_dir_*: a swap of directories, or a journal when DIR holds files
 * that are not egressc's) only when every target rendered; with one target
 * and no -o the text goes to standard output, once all went well.  check
 * renders the same bytes and compares them with what DIR holds, printing a
 * diff -u per stale file.  --dump shows the IR between stages instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "dns/resolve.h"
#include "ir/dump.h"
#include "policy/lock.h"
#include "util/arena.h"
#include "util/atomic_write.h"
#include "util/diag.h"
#include "util/out.h"

/*
 * Is name, in an output directory, a file egressc writes: NAME.SUFFIX with
 * NAME a policy name and SUFFIX a target's?  Those are carried over when
 * the directory is swapped; anything else makes the commit a journal.
 */
static bool
own_file(const char *name)
{
	size_t i, k, n = strlen(name), sl;
	const char *p;

	for (i = 0; be_all[i] != NULL; i++)
		for (k = 0; be_all[i]->suffixes[k] != NULL; k++) {
			sl = strlen(be_all[i]->suffixes[k]);
			if (n <= sl || strcmp(name + n - sl,
			    be_all[i]->suffixes[k]) != 0)
				continue;
			for (p = name; p < name + n - sl; p++)
				if (!((*p >= 'a' && *p <= 'z') ||
				    (*p >= '0' && *p <= '9') ||
				    (*p == '-' && p > name)))
					break;
			if (p == name + n - sl)
				return true;
		}
	return false;
}

/* compile -o DIR: every file staged as the set of DIR. */
struct staged {
	struct atomic_dir	*set;
	const char		*dir;
};

/*
 * A file staged as its text is written, a piece of SPILL bytes at a time:
 * the piece is still in the cache when it is copied into the file, and no
 * target's text that is written front to back is ever all in memory
 * (make bench, 2,000 rules, all targets: a peak of 38 MiB, not 43).
 */
#define SPILL	(256 * 1024)

struct staging {
	struct atomic_staged	*f;
	char			*name;		/* for its message */
};

static void
staging_free(struct staging *g)
{
	free(g->name);
	free(g);
}

static int
spill_file(void *arg, const char *buf, size_t len)
{
	struct staging *g = arg;

	return atomic_staged_write(g->f, buf, len) < 0 ? errno : 0;
}

/* On the thread that renders the file: its message, if any, waits for
 * its turn with the target's others (diag_defer). */
static void *
open_file(const char *name, struct out *text, void *arg)
{
	struct staged *st = arg;
	struct staging *g;
	struct atomic_staged *f;

	if ((f = atomic_dir_open(st->set, name, 0666)) == NULL) {
		diag_fail(NULL, "%s/%s: %s", st->dir, name, strerror(errno));
		return NULL;
	}
	g = xmalloc(sizeof(*g));
	g->f = f;
	g->name = xstrdup(name);
	out_spill(text, SPILL, spill_file, g);
	return g;
}

static int
done_file(void *token, struct out *text, void *arg)
{
	struct staging *g = token;
	struct staged *st = arg;
	int err = out_spill_end(text);

	if (err == 0 && atomic_staged_done(g->f) < 0)
		err = errno;
	if (err != 0) {
		diag_fail(NULL, "%s/%s: %s", st->dir, g->name, strerror(err));
		return -1;
	}
	return 0;
}

static void
keep_file(void *token, void *arg)
{
	struct staging *g = token;
	struct staged *st = arg;

	atomic_dir_keep(st->set, g->f);
	staging_free(g);
}

static void
drop_file(void *token, void *arg)
{
	struct staging *g = token;
	struct staged *st = arg;

	atomic_dir_unstage(st->set, g->f);
	staging_free(g);
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

/* --dump ir | lowered:TARGET: the IR after the shared passes, or one
 * target's lowered IR, in ir/dump.c's documented text form. */
static int
dump(struct job *j, const char *what)
{
	const struct backend *be = NULL;
	struct arena *tmp = NULL;
	const struct ir *ir = j->ir;
	struct out o;
	int rc = 0;

	if (strncmp(what, "lowered:", 8) == 0) {
		if ((be = be_find(what + 8)) == NULL)
			return cli_usage_error("--dump lowered:TARGET: unknown "
			    "target '%s'", what + 8);
		tmp = arena_new();
		if ((ir = job_lower(j, be, tmp)) == NULL)
			rc = -1;
	} else if (strcmp(what, "ir") != 0)
		return cli_usage_error("--dump takes 'ir' or 'lowered:TARGET', "
		    "not '%s'", what);
	if (rc == 0) {
		out_init(&o);
		ir_dump(ir, be != NULL ? be->name : NULL, &o);
		fwrite(o.buf, 1, o.len, stdout);
		out_free(&o);
		if (fflush(stdout) != 0)
			rc = -1;
	}
	if (tmp != NULL)
		arena_free(tmp);
	return cli_status(rc);
}

int
cmd_compile(struct opts *o, int argc, char **argv)
{
	const struct backend *bes[BE_MAX + 1];
	struct staged st = { NULL, o->outdir };
	struct kept kept;
	const char *policy = argv[0];
	struct job j;
	int rc;

	(void)argc;
	memset(&kept, 0, sizeof(kept));
	if (targets_parse(o->targets, bes, BE_MAX) < 0)
		return EX_BAD;
	kept.files = targets_files(bes);
	/* DIR first: taking it finishes what a killed run left there, even
	 * when this run goes no further. */
	if (o->outdir != NULL && o->dump == NULL &&
	    (st.set = atomic_dir_begin(o->outdir, own_file)) == NULL) {
		diag_fail(NULL, "%s: %s", o->outdir, strerror(errno));
		return cli_status(-1);
	}
	rc = job_load(&j, policy);
	j.strict = o->strict;
	if (rc == 0 && o->resolve) {
		o->ro.lockpath = o->lock ? o->lock : lock_path(j.a, policy);
		rc = resolve_run(j.ir, &o->ro);
	}
	if (rc == 0)
		rc = job_bind(&j, o, true);
	if (rc == 0 && o->dump != NULL) {
		rc = dump(&j, o->dump);
		job_free(&j);
		return rc;
	}
	if (rc == 0 && o->outdir != NULL) {
		struct sink sk = { .open = open_file, .done = done_file,
		    .keep = keep_file, .drop = drop_file, .arg = &st };

		rc = job_render(&j, bes, &sk);
	} else if (rc == 0) {
		struct sink sk = { .put = keep_sink, .arg = &kept };

		rc = job_render(&j, bes, &sk);
	}
	if (st.set != NULL && rc != 0)
		atomic_dir_abort(st.set);
	else if (st.set != NULL && atomic_dir_commit(st.set) < 0) {
		diag_fail(NULL, "%s: %s", o->outdir, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && o->outdir == NULL) {
		fwrite(kept.text.buf, 1, kept.text.len, stdout);
		if (fflush(stdout) != 0)
			rc = -1;
	}
	out_free(&kept.text);
	job_free(&j);
	return cli_status(rc);
}

/* diff -u between a file and new text; 0 same, 1 different, -1 error.  A
 * reader that stops early (check ... | head) ends diff with SIGPIPE: the
 * files still differ, which is all check has to say. */
static int
show_diff(const char *path, const char *label, const struct out *text)
{
	char tmp[] = "/tmp/egressc-check.XXXXXX";
	struct stat sb;
	int fd, st;
	pid_t pid;
	/* Only a regular file is compared: diff would wait on a FIFO. */
	bool regular = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);

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

		signal(SIGPIPE, SIG_DFL);
		if (asprintf(&la, "a/%s", label) < 0 ||
		    asprintf(&lb, "b/%s", label) < 0)
			_exit(2);
		execlp("diff", "diff", "-u", "--label", la, "--label", lb,
		    regular ? path : "/dev/null", tmp,
		    (char *)NULL);
		_exit(2);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		unlink(tmp);
		return -1;
	}
	unlink(tmp);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE)
		return 1;
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
	char *cur = read_file(path, 256u << 20, &len, NULL);
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

int
cmd_check(struct opts *o, int argc, char **argv)
{
	const struct backend *bes[BE_MAX + 1];
	struct checked ck = { o->outdir, 0 };
	const char *policy = argv[0];
	struct job j;
	int rc, old = 0;

	(void)argc;
	if (o->outdir == NULL)
		return cli_usage_error("%s needs -o DIR", "check");
	if (targets_parse(o->targets, bes, BE_MAX) < 0)
		return EX_BAD;
	/* A closed pipe must not end check before it has counted. */
	signal(SIGPIPE, SIG_IGN);
	rc = job_load(&j, policy);
	if (rc == 0)
		rc = job_bind(&j, o, true);
	if (rc == 0) {
		struct sink sk = { .put = check_sink, .arg = &ck };

		rc = job_render(&j, bes, &sk);
	}
	/* A pipeline's gate on the lock's age: resolve.c says why. */
	if (rc == 0 && o->max_lock_age_set)
		old = job_lock_gate(&j, o->max_lock_age);
	job_free(&j);
	if (rc < 0)
		return cli_status(rc);
	if (ck.stale > 0)
		fprintf(stderr, "egressc: %d file%s in %s out of date; run "
		    "'egressc compile -o %s %s'\n", ck.stale, ck.stale == 1 ?
		    " is" : "s are", o->outdir, o->outdir, policy);
	return ck.stale > 0 || old ? EX_DIFF : EX_OK;
}
