/*
 * confirm.c - apply --confirm and --confirmed: a change of the firewall
 * that undoes itself unless its operator says it may stay.
 *
 * A default-deny table loaded over SSH can cut the session that loaded
 * it, and then nothing the operator types arrives.  So before a guarded
 * apply the table as it is (or its absence) is saved as the batch that
 * puts it back (save.c); the kernel runs that batch once without
 * committing it, to show it would take it back; a watchdog process is
 * started outside the session, so that it outlives the terminal and the
 * connection; and the batch goes into a state file.  The watchdog sleeps
 * until the deadline and then, unless the state file is gone, sends the
 * batch.  Confirming is removing the state file.
 *
 * One lock (DIR/lock, flock) orders everything that reads or writes state
 * files: an apply from its look at what is pending to the end of its
 * batch, a confirmation, and the watchdog from its look at the state file
 * to the end of its restore.  So a confirmation and a rollback cannot
 * both happen; and a watchdog that wakes after its apply was confirmed
 * and another one armed finds a state file with a token not its own, and
 * leaves it alone.
 *
 * State files are named by the network namespace's inode and the table,
 * so two namespaces, or two tables, are guarded apart; the watchdog is a
 * fork of the apply, so it is in the namespace the apply entered.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "nl/nl-int.h"
#include "util/atomic_write.h"
#include "util/clock.h"
#include "util/out.h"

#define STATE_MAGIC	"egressc-confirm: 1"
#define STATE_MAX	((size_t)1 << 30)
#define TOKEN_LEN	32		/* hex digits */

/* A state file's header, and its batch. */
struct state {
	const char	*table, *netns, *policy, *confirm, *applied;
	const char	*deadline, *previous, *token;
	long		 pid;		/* the watchdog */
	unsigned long long start;	/* its start time, /proc/PID/stat */
	const char	*batch;
	size_t		 nbatch;
};

/* What the watchdog needs after the fork: all of it copied with it. */
struct wd {
	const char	*table, *dir, *pending, *log, *policy;
	char		 token[TOKEN_LEN + 1];
	struct timespec	 deadline;	/* CLOCK_MONOTONIC */
	unsigned	 seconds;
	bool		 existed;
};

/* ---- small things ----------------------------------------------------- */

/*
 * The wall clock, for people and log lines.  Not clock_now(): a deadline
 * is the machine's real time, never SOURCE_DATE_EPOCH's.
 */
static long long
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec;
}

static const char *
stamp(struct arena *a, long long t)
{
	char buf[CLOCK_TEXT_SIZE];

	return arena_strdup(a, clock_format(t, buf));
}

/* A value for one header line: no byte may end the line early. */
static const char *
oneline(struct arena *a, const char *s)
{
	char *c = arena_strdup(a, s != NULL ? s : "");
	char *p;

	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static void
log_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One time-stamped line of the state's log. */
static void
log_line(int fd, const char *fmt, ...)
{
	char buf[CLOCK_TEXT_SIZE], msg[1024];
	va_list ap;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dprintf(fd, "%s egressc[%ld]: %s\n", clock_format(wall_now(), buf),
	    (long)getpid(), msg);
}

static int
log_open(const char *path, bool truncate)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);
}

/* Field 22 of /proc/PID/stat: with the pid, a process's identity. */
static int
proc_start(long pid, unsigned long long *start)
{
	char path[64], *buf, *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((buf = read_file(path, 8192, NULL, NULL)) == NULL)
		return -1;
	p = strrchr(buf, ')');
	for (i = 0; p != NULL && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %llu", start) != 1) {
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

static bool
alive(long pid, unsigned long long start)
{
	unsigned long long now;

	return pid > 0 && proc_start(pid, &now) == 0 && now == start;
}

static int
make_token(char out[TOKEN_LEN + 1])
{
	unsigned char r[TOKEN_LEN / 2];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* ---- the state file --------------------------------------------------- */

static void
state_text(struct out *o, struct arena *a, const struct state *st)
{
	out_printf(o, "%s\n", STATE_MAGIC);
	out_printf(o, "table: inet %s\n", st->table);
	out_printf(o, "netns: %s\n", oneline(a, st->netns));
	out_printf(o, "policy: %s\n", oneline(a, st->policy));
	out_printf(o, "confirm: %s\n", oneline(a, st->confirm));
	out_printf(o, "applied: %s\n", st->applied);
	out_printf(o, "deadline: %s\n", st->deadline);
	out_printf(o, "previous: %s\n", st->previous);
	out_printf(o, "watchdog: %ld %llu\n", st->pid, st->start);
	out_printf(o, "token: %s\n", st->token);
	out_printf(o, "batch: %zu\n", st->nbatch);
	out_write(o, st->batch, st->nbatch);
}

static int
state_field(struct arena *a, struct state *st, const char *k, const char *v)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} f[] = {
		{ "netns", offsetof(struct state, netns) },
		{ "policy", offsetof(struct state, policy) },
		{ "confirm", offsetof(struct state, confirm) },
		{ "applied", offsetof(struct state, applied) },
		{ "deadline", offsetof(struct state, deadline) },
		{ "previous", offsetof(struct state, previous) },
		{ "token", offsetof(struct state, token) },
	};
	size_t i;

	if (strcmp(k, "table") == 0)
		return strncmp(v, "inet ", 5) == 0 ?
		    (st->table = arena_strdup(a, v + 5), 0) : -1;
	if (strcmp(k, "watchdog") == 0)
		return sscanf(v, "%ld %llu", &st->pid, &st->start) == 2 ?
		    0 : -1;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strcmp(k, f[i].key) == 0) {
			*(const char **)((char *)st + f[i].off) =
			    arena_strdup(a, v);
			return 0;
		}
	return 0;	/* a newer field: ignored */
}

/* 0, or -1 when buf is no state file. */
static int
state_parse(struct arena *a, const char *buf, size_t len, struct state *st)
{
	const char *p = buf, *end = buf + len, *nl;
	bool first = true;

	memset(st, 0, sizeof(*st));
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		char *line = arena_strndup(a, p, (size_t)(nl - p));
		char *colon = strstr(line, ": ");

		p = nl + 1;
		if (first) {
			if (strcmp(line, STATE_MAGIC) != 0)
				return -1;
			first = false;
			continue;
		}
		if (colon == NULL)
			return -1;
		*colon = '\0';
		if (strcmp(line, "batch") == 0) {
			char *e;

			st->nbatch = strtoull(colon + 2, &e, 10);
			if (*e != '\0' || st->nbatch != (size_t)(end - p))
				return -1;
			st->batch = p;
			break;
		}
		if (state_field(a, st, line, colon + 2) < 0)
			return -1;
	}
	if (st->batch == NULL || st->table == NULL || st->token == NULL)
		return -1;
	return 0;
}

/* 0 and st, 1 when there is none, -1 after diag_fail(). */
static int
state_read(struct arena *a, const char *path, struct state *st, char **buf)
{
	size_t len;

	*buf = read_file(path, STATE_MAX, &len, NULL);
	if (*buf == NULL) {
		if (errno == ENOENT)
			return 1;
		diag_fail(NULL, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (state_parse(a, *buf, len, st) < 0) {
		diag_fail(NULL, "%s: not a state file of egressc apply "
		    "--confirm (remove it by hand)", path);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

/* ---- the directory and its lock --------------------------------------- */

static const char *
rundir(void)
{
	const char *d = getenv(NL_RUNDIR_ENV);

	return d != NULL && *d != '\0' ? d : NL_RUNDIR;
}

/*
 * 0; 1 when there is no directory (make false); -1 after diag_fail().
 * Another user's directory, or one others may write to, could hold a
 * state file of theirs: refused for arming and confirming, and passed
 * over (make false) by a plain apply, since no guarded apply can have
 * been armed in it.  The watchdog leaves for "/": the path is absolute.
 */
static int
dir_ok(const char *dir, bool make, bool strict)
{
	struct stat sb;

	if (dir[0] != '/') {
		diag_fail(NULL, "%s: the state directory must be an absolute "
		    "path, not '%s'", NL_RUNDIR_ENV, dir);
		return -1;
	}
	if (make && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		diag_fail(NULL, "cannot make the state directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (lstat(dir, &sb) < 0) {
		if (errno == ENOENT && !make)
			return 1;
		diag_fail(NULL, "state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode) && sb.st_uid == geteuid() &&
	    (sb.st_mode & 077) == 0)
		return 0;
	if (!strict) {
		diag_warning(NULL, "state directory %s is not a directory of "
		    "uid %ld with mode 0700: passed over", dir,
		    (long)geteuid());
		return 1;
	}
	diag_fail(NULL, "state directory %s: must be a directory of uid %ld "
	    "with mode 0700 (it is %s, uid %ld, mode %04o)", dir,
	    (long)geteuid(), S_ISDIR(sb.st_mode) ? "a directory" :
	    S_ISLNK(sb.st_mode) ? "a symbolic link" : "no directory",
	    (long)sb.st_uid, (unsigned)(sb.st_mode & 07777));
	return -1;
}

/* The lock, held until the descriptor is closed; -1 when it cannot be. */
static int
lock_take(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static int
ns_self(struct stat *sb)
{
	if (stat("/proc/self/ns/net", sb) < 0) {
		diag_fail(NULL, "cannot tell the network namespace: "
		    "/proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The ip-netns(8) name of the namespace we are in, if it has one. */
static const char *
ns_name(struct arena *a, const struct nl_opts *o)
{
	const char *name = NULL;
	struct stat self, sb;
	struct dirent *e;
	DIR *d;

	if (o->netns != NULL)
		return o->netns;
	if (stat("/proc/self/ns/net", &self) < 0 ||
	    (d = opendir("/run/netns")) == NULL)
		return NULL;
	while (name == NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && stat(arena_printf(a, "/run/netns/%s",
		    e->d_name), &sb) == 0 && sb.st_dev == self.st_dev &&
		    sb.st_ino == self.st_ino)
			name = arena_strdup(a, e->d_name);
	closedir(d);
	return name;
}

/* The directory checked (and made), the lock taken, the paths. */
static int
guard_lock(struct nl_guard *g, struct arena *a, const char *table, bool make,
    bool strict)
{
	struct stat sb;
	int rc;

	memset(g, 0, sizeof(*g));
	g->a = a;
	g->table = table;
	g->lockfd = -1;
	if ((rc = dir_ok(rundir(), make, strict)) != 0)
		return rc < 0 ? -1 : 0;
	if (ns_self(&sb) < 0)
		return -1;
	g->nsino = (unsigned long)sb.st_ino;
	g->dir = rundir();
	g->pending = arena_printf(a, "%s/net%lu-%s.pending", g->dir, g->nsino,
	    table);
	g->log = arena_printf(a, "%s/net%lu-%s.log", g->dir, g->nsino, table);
	if ((g->lockfd = lock_take(g->dir)) < 0) {
		diag_fail(NULL, "cannot lock %s/lock: %s", g->dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
nl_guard_close(struct nl_guard *g)
{
	if (g->lockfd >= 0)
		close(g->lockfd);
	g->lockfd = -1;
}

int
nl_guard_open(struct nl_guard *g, struct arena *a, const char *table,
    bool arm)
{
	struct state st;
	char *buf;
	int rc;

	if (guard_lock(g, a, table, arm, arm) < 0) {
		nl_guard_close(g);
		return -1;
	}
	if (g->dir == NULL)
		return 0;
	if ((rc = state_read(a, g->pending, &st, &buf)) != 0) {
		if (rc < 0)
			nl_guard_close(g);
		return rc < 0 ? -1 : 0;
	}
	/* Folding a second apply into the first would leave nobody sure what
	 * the rollback brings back: one at a time. */
	if (alive(st.pid, st.start))
		diag_error(NULL, "table inet %s has a guarded apply pending in "
		    "this network namespace: it is rolled back at %s unless "
		    "confirmed; run '%s' to keep it, or wait for the rollback, "
		    "then apply again", table, st.deadline, st.confirm);
	else
		diag_error(NULL, "table inet %s has a guarded apply pending in "
		    "this network namespace, but its watchdog (pid %ld) is "
		    "gone and nothing will roll it back: run '%s' to clear it, "
		    "then apply again (state file %s)", table, st.pid,
		    st.confirm, g->pending);
	free(buf);
	nl_guard_close(g);
	return -1;
}

/* ---- the watchdog ----------------------------------------------------- */

/* Out of the session, its signals and its descriptors. */
static void
detach(const struct wd *w)
{
	static const int quiet[] = { SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTSTP,
	    SIGTTIN, SIGTTOU };
	sigset_t term;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		signal(quiet[i], SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	if (chdir("/") < 0)
		_exit(1);
	umask(077);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if ((fd = log_open(w->log, false)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	/* Nothing of the apply's: its lock, its socket, its pipes. */
	close_range(3, ~0U, 0);
}

/* Until the deadline, or SIGTERM: the rollback now. */
static void
wait_deadline(const struct wd *w)
{
	struct timespec now, left;
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > w->deadline.tv_sec ||
		    (now.tv_sec == w->deadline.tv_sec &&
		    now.tv_nsec >= w->deadline.tv_nsec))
			return;
		left.tv_sec = w->deadline.tv_sec - now.tv_sec;
		left.tv_nsec = w->deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (sigtimedwait(&term, NULL, &left) == SIGTERM)
			return;
	}
}

static void
failed(struct arena *a, const struct wd *w, const char *why)
{
	const char *kept = arena_printf(a, "%s.failed", w->pending);

	if (rename(w->pending, kept) < 0)
		kept = w->pending;
	log_line(2, "FAILED to roll back table inet %s: %s; the saved table "
	    "is in %s", w->table, why, kept);
	syslog(LOG_ERR, "FAILED to roll back table inet %s: %s; the saved "
	    "table is in %s", w->table, why, kept);
}

/* The batch of the state file, if the state file is still ours. */
static void
roll_back(const struct wd *w)
{
	struct arena *a = arena_new();
	struct nl_send how = { w->pending, "the saved table", w->table,
	    false };
	struct nl_batch b;
	struct nl_sock s;
	struct state st;
	char *buf;
	int rc;

	openlog("egressc", LOG_PID, LOG_DAEMON);
	if ((rc = state_read(a, w->pending, &st, &buf)) < 0) {
		failed(a, w, "the state file cannot be read");
		return;
	}
	if (rc > 0 || strcmp(st.token, w->token) != 0)
		return;		/* confirmed, or another apply's */
	log_line(2, "not confirmed within %u s: rolling back table inet %s "
	    "(%s)", w->seconds, w->table, w->policy);
	nl_batch_init(&b, a, 1);
	if (nl_batch_load(&b, st.batch, st.nbatch, w->table) < 0) {
		failed(a, w, "the state file's batch is damaged");
		return;
	}
	if (nl_sock_open(&s) < 0) {
		failed(a, w, "no netlink socket");
		return;
	}
	if (nl_batch_send(&s, &b, &how) < 0) {
		failed(a, w, "the kernel refused the saved table");
		return;
	}
	unlink(w->pending);
	log_line(2, "rolled back: %s", w->existed ? "the previous table is "
	    "back" : "the table is deleted (there was none before)");
	syslog(LOG_WARNING, "table inet %s was not confirmed within %u s: "
	    "rolled back (%s)", w->table, w->seconds, w->existed ?
	    "the previous table is back" : "deleted: there was none before");
}

static void __attribute__((noreturn))
watchdog(const struct wd *w)
{
	int fd;

	detach(w);
	wait_deadline(w);
	/* Without the lock a rollback is still better than none. */
	fd = lock_take(w->dir);
	if (fd < 0)
		log_line(2, "cannot lock %s/lock: %s", w->dir, strerror(errno));
	roll_back(w);
	_exit(0);
}

/*
 * Two forks: the first child makes a session of its own and leaves; the
 * second is the watchdog, in no session with a terminal and soon the
 * child of init, so that neither a hang-up nor the shell's exit reaches
 * it.  Its pid comes back through a pipe; 0 after diag_fail().
 */
static int
spawn(const struct wd *w)
{
	int p[2], pid = 0, st;
	pid_t c;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		diag_fail(NULL, "cannot start the watchdog: %s",
		    strerror(errno));
		return 0;
	}
	fflush(NULL);
	if ((c = fork()) == 0) {
		pid_t d;

		close(p[0]);
		setsid();
		if ((d = fork()) == 0)
			watchdog(w);
		n = write(p[1], &d, sizeof(d));
		_exit(n == (ssize_t)sizeof(d) && d > 0 ? 0 : 1);
	}
	close(p[1]);
	if (c < 0) {
		close(p[0]);
		diag_fail(NULL, "cannot start the watchdog: %s",
		    strerror(errno));
		return 0;
	}
	while ((n = read(p[0], &pid, sizeof(pid))) < 0 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(pid) || pid <= 0) {
		diag_fail(NULL, "cannot start the watchdog");
		return 0;
	}
	return pid;
}

/* ---- arming, and after the apply -------------------------------------- */

static const char *
confirm_cmd(struct arena *a, const struct ir *ir, const struct nl_opts *o)
{
	if (o->confirm_cmd != NULL)
		return o->confirm_cmd;
	if (o->netns != NULL)
		return arena_printf(a, "egressc apply --confirmed --netns %s "
		    "%s", o->netns, ir->file);
	return arena_printf(a, "egressc apply --confirmed %s", ir->file);
}

/* The saved table, run by the kernel and thrown away: would it load? */
static int
check_saved(struct nl_sock *s, const struct nl_batch *b, const struct ir *ir,
    const char *table)
{
	struct nl_send how = { ir->file, NULL, table, true };

	how.what = arena_printf(b->a, "the saved copy of table inet %s that "
	    "--confirm would put back, so it cannot guard this apply", table);
	return nl_batch_send(s, b, &how);
}

/* What the watchdog is told: the deadline counts from now. */
static int
wd_init(struct wd *w, struct nl_guard *g, const struct ir *ir,
    const struct nl_opts *o)
{
	memset(w, 0, sizeof(*w));
	w->table = g->table;
	w->dir = g->dir;
	w->pending = g->pending;
	w->log = g->log;
	w->policy = ir->file;
	w->seconds = o->confirm;
	w->existed = g->existed;
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += o->confirm;
	g->deadline = wall_now() + o->confirm;
	if (make_token(w->token) < 0) {
		diag_fail(NULL, "getrandom: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The state file of an armed guard, saved batch b in it. */
static int
write_state(struct nl_guard *g, const struct wd *w, const struct nl_batch *b,
    const struct ir *ir, const struct nl_opts *o)
{
	struct state st;
	struct out text;
	int rc;

	memset(&st, 0, sizeof(st));
	st.table = g->table;
	g->netns = ns_name(g->a, o);
	st.netns = g->netns != NULL ? g->netns : "(unnamed)";
	st.policy = ir->file;
	st.confirm = g->confirm = confirm_cmd(g->a, ir, o);
	st.applied = stamp(g->a, wall_now());
	st.deadline = stamp(g->a, g->deadline);
	st.previous = g->existed ? "saved" : "none";
	st.pid = g->pid;
	if (proc_start(g->pid, &st.start) < 0)
		st.start = 0;
	st.token = w->token;
	st.batch = b->buf;
	st.nbatch = b->len;
	out_init(&text);
	state_text(&text, g->a, &st);
	rc = atomic_write(g->pending, text.buf, text.len, 0600);
	if (rc < 0)
		diag_fail(NULL, "cannot write the state file %s: %s",
		    g->pending, strerror(errno));
	out_free(&text);
	return rc;
}

int
nl_guard_arm(struct nl_guard *g, struct nl_sock *s, const struct ir *ir,
    const struct nl_opts *o)
{
	struct nl_batch b;
	struct wd w;
	int fd, rc = -1;

	if (nl_save(s, g->a, g->table, &b, &g->existed) < 0 ||
	    check_saved(s, &b, ir, g->table) < 0 ||
	    wd_init(&w, g, ir, o) < 0) {
		nl_batch_free(&b);
		return -1;
	}
	/* The log first: the watchdog appends to it. */
	fd = log_open(g->log, true);
	if ((g->pid = spawn(&w)) > 0) {
		rc = write_state(g, &w, &b, ir, o);
		if (rc < 0) {
			kill(g->pid, SIGKILL);
			g->pid = 0;
		} else
			log_line(fd, "armed: table inet %s of %s, rolled back "
			    "at %s unless confirmed (previous table %s; "
			    "watchdog pid %d)", g->table, ir->file,
			    stamp(g->a, g->deadline), g->existed ? "saved" :
			    "none", g->pid);
	}
	if (fd >= 0)
		close(fd);
	nl_batch_free(&b);
	return rc;
}

void
nl_guard_disarm(struct nl_guard *g)
{
	int fd = log_open(g->log, false);

	/* The watchdog finds no state file and leaves quietly. */
	unlink(g->pending);
	if (g->pid > 0)
		kill(g->pid, SIGTERM);
	log_line(fd, "the apply failed: nothing to roll back");
	if (fd >= 0)
		close(fd);
}

void
nl_guard_done(struct nl_guard *g, const struct nl_opts *o)
{
	long long now = wall_now();
	unsigned left = g->deadline > now ? (unsigned)(g->deadline - now) : 0;

	printf("applied table inet %s; unless confirmed by %s (in %u s), "
	    "the watchdog (pid %d) %s.\nTo keep it, run%s%s%s:\n\n    %s\n\n"
	    "(state file %s)\n", g->table, stamp(g->a, g->deadline), left,
	    g->pid, g->existed ? "puts the previous table back" : "deletes it "
	    "again (there was none before)", o->netns == NULL && g->netns ?
	    " in network namespace " : "", o->netns == NULL && g->netns ?
	    g->netns : "", o->netns == NULL && g->netns ? " (ip netns exec)" :
	    "", g->confirm, g->pending);
}

/* ---- --confirmed ------------------------------------------------------ */

/* Why nothing is pending, when something says. */
static void
nothing_notes(struct nl_guard *g)
{
	char *log, *last, *p;
	DIR *d;
	struct dirent *e;
	const char *tail;

	if (g->dir == NULL)
		return;
	if ((log = read_file(g->log, 1 << 20, NULL, NULL)) != NULL) {
		for (p = log + strlen(log); p > log && p[-1] == '\n'; p--)
			p[-1] = '\0';
		last = strrchr(log, '\n');
		if (*log != '\0')
			diag_note(NULL, "the last word on it in %s: %s", g->log,
			    last != NULL ? last + 1 : log);
		free(log);
	}
	if ((d = opendir(g->dir)) == NULL)
		return;
	tail = arena_printf(g->a, "-%s.pending", g->table);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name), m = strlen(tail);
		struct state st;
		char *buf;

		if (n <= m || strcmp(e->d_name + n - m, tail) != 0 ||
		    strncmp(e->d_name, "net", 3) != 0)
			continue;
		if (state_read(g->a, arena_printf(g->a, "%s/%s", g->dir,
		    e->d_name), &st, &buf) != 0)
			continue;
		diag_note(NULL, "one is pending in another network namespace "
		    "(%s): '%s'", st.netns, st.confirm);
		free(buf);
	}
	closedir(d);
}

static int
confirm_pending(struct nl_guard *g)
{
	struct state st;
	char *buf;
	int rc, fd;

	if (g->dir == NULL || (rc = state_read(g->a, g->pending, &st,
	    &buf)) > 0) {
		diag_error(NULL, "nothing to confirm: no guarded apply of "
		    "table inet %s is pending in this network namespace",
		    g->table);
		nothing_notes(g);
		return -1;
	}
	if (rc < 0)
		return -1;
	if (unlink(g->pending) < 0) {
		diag_fail(NULL, "%s: %s", g->pending, strerror(errno));
		free(buf);
		return -1;
	}
	fd = log_open(g->log, false);
	if (alive(st.pid, st.start)) {
		/* It finds no state file, and leaves. */
		kill((pid_t)st.pid, SIGTERM);
		log_line(fd, "confirmed: table inet %s stays; the rollback at "
		    "%s is cancelled", g->table, st.deadline);
	} else {
		diag_warning(NULL, "the watchdog of this apply (pid %ld) was "
		    "no longer running: nothing would have rolled it back",
		    st.pid);
		log_line(fd, "confirmed: table inet %s stays (its watchdog, "
		    "pid %ld, was gone)", g->table, st.pid);
	}
	if (fd >= 0)
		close(fd);
	printf("confirmed: table inet %s stays as applied at %s; the rollback "
	    "at %s is cancelled\n", g->table, st.applied, st.deadline);
	free(buf);
	return 0;
}

int
nl_confirm(const struct ir *ir, const struct nl_opts *o)
{
	struct arena *a = arena_new();
	struct nft_table t;
	struct nl_guard g;
	int rc;

	if (nl_enter_netns(o->netns) < 0 || nft_model_build(a, ir, &t) < 0) {
		arena_free(a);
		return -1;
	}
	rc = guard_lock(&g, a, t.name, false, true);
	if (rc == 0)
		rc = confirm_pending(&g);
	nl_guard_close(&g);
	arena_free(a);
	return rc;
}
