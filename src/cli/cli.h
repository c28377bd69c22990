/*
 * cli.h - the commands of egressc(1) and the one pipeline they share.
 *
 * src/egressc.c holds the table of commands; cli/args.c turns argv into a
 * struct opts by that table; cli/driver.c runs the pipeline in the one
 * order it has (read -> expand -> bind the lock -> tiers -> optimise ->
 * lower -> emit); the other files of cli/ are one command each.  Only this
 * directory knows the exit statuses: the library returns 0 or -1, and
 * cli_status() tells bad input (diag_error) from a failure of the world
 * (diag_fail).
 */
#ifndef EGRESSC_CLI_H
#define EGRESSC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "dns/resolve.h"

struct arena;
struct backend;
struct lock;
struct ir;
struct out;
struct policy;

/* Exit statuses of the command line contract, egressc(1) EXIT STATUS. */
enum {
	EX_OK = 0,
	EX_DIFF = 1,		/* check/verify difference, lint --strict */
	EX_BAD = 2,		/* bad policy or usage */
	EX_RESOLVE = 3,		/* resolution or kernel failure */
};

/* rc of a library call (0 or -1) as an exit status. */
int	cli_status(int rc);

#define CLI_MAX_SERVERS	RESOLVE_MAX_SERVERS
#define CLI_MAX_PEERS	16

struct opts {
	const char	*targets;	/* comma list or "all" */
	const char	*outdir;
	const char	*tiers;
	const char	*lock;
	const char	*dump;		/* compile --dump ir | lowered:TARGET */
	const char	*format;	/* lint --format text | json | sarif */
	bool		 stamp, strict, resolve, verbose, json, force;
	unsigned long long max_expansion;	/* 0: BUDGET_DEFAULT */
	/* explain */
	const char	*to, *port, *from, *batch;
	bool		 inbound;
	/* resolve */
	struct resolve_opts ro;
	const char	*servers[CLI_MAX_SERVERS];
	bool		 check;		/* resolve --check */
	/* check --max-lock-age */
	unsigned	 max_lock_age;
	bool		 max_lock_age_set;
	/* catalog */
	const char	*project, *regions, *source, *output;
	/* apply, verify */
	bool		 dry_run;
	const char	*netns;
	unsigned	 confirm;	/* apply --confirm SECONDS; 0: none */
	bool		 confirmed;	/* apply --confirmed */
	/* probe */
	bool		 all;
	const char	*peers[CLI_MAX_PEERS];
	size_t		 npeers;
	/* import */
	const char	*defs;
	bool		 flush_dynamic;	/* compile, apply --flush-dynamic */
};

/*
 * The options.  Each has one id; a command lists the ids it takes, and
 * usage, --help and getopt are all made from the same rows.
 */
enum {
	O_TARGETS = 't', O_OUTPUT = 'o',
	O_TIER = 256, O_LOCK, O_STAMP, O_STRICT, O_RESOLVE, O_DUMP, O_TO,
	O_PORT, O_FROM, O_BATCH, O_INBOUND, O_DNS, O_TIMEOUT, O_TRIES,
	O_KEEPGOING, O_KEEPDAYS, O_NOSTAMP, O_CONC, O_PROJECT, O_REGIONS,
	O_SOURCE, O_DRYRUN, O_NETNS, O_FORMAT, O_VERBOSE, O_JSON, O_FORCE,
	O_CONFIRM, O_CONFIRMED,
	O_CHECK, O_FAMILY, O_PTR, O_MAXAGE, O_FLUSHDYN,
	O_ALL, O_PEER,
	O_DEFS,
	O_MAXEXP,
};

struct cli_cmd {
	const char	*name;
	const char	*synopsis;	/* after "egressc NAME " */
	const char	*summary;	/* one line for --help */
	const int	*opts;		/* option ids, 0-terminated */
	int		(*run)(struct opts *, int argc, char **argv);
	bool		 own_args;	/* checks its arguments; else one POLICY */
};

/* One option: its id, long name, argument (NULL: a flag) and help. */
struct cli_opt {
	int		 id;
	const char	*name;
	const char	*arg;
	const char	*help;
};

/* The command table cli_main was given, and an option by id. */
const struct cli_cmd	*cli_commands(void);
const struct cli_opt	*cli_opt_find(int id);

/* args.c: parse argv against cmds (NULL-terminated) and run one. */
int	cli_main(const struct cli_cmd *cmds, int argc, char **argv);
/* "egressc: MESSAGE", the usage, and EX_BAD. */
int	cli_usage_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));

/* driver.c: a policy read and taken through the passes in order. */
struct job {
	struct arena	*a;
	const char	*path;
	struct policy	*pol;
	struct ir	*ir;
	const char	*lockfile;	/* the lock job_bind read */
	const struct lock *lock;	/* ...as read */
	long long	 lock_age;	/* ...seconds since its made: */
	bool		 example;	/* ...holds documentation addresses */
	bool		 strict;	/* what a target loses is an error */
	/* A host missing from the lock stays unresolved instead of being an
	 * error (probe reports it); set between job_load and job_bind. */
	bool		 partial_lock;
	/* What the targets job_render lowers side by side share. */
	struct lower_share *share;
};

/* Read the policy, check target options, expand wildcards; 0 or -1. */
int		 job_load(struct job *, const char *path);
/* Bind names to the lock's addresses, select tiers, then (optimise) drop
 * shadowed rules; 0 or -1. */
int		 job_bind(struct job *, const struct opts *, bool optimise);
void		 job_free(struct job *);
/* The IR fitted to one target, in arena a; NULL after diag_error(). */
struct ir	*job_lower(struct job *, const struct backend *,
		    struct arena *a);

/*
 * resolve.c: the lock's age.  job_lock_age (job_bind, once it knows now)
 * warns when the lock is older than the policy's max-lock-age, unless it
 * is an example lock or check --max-lock-age will judge it instead;
 * job_lock_gate is that judgement: 0 when the lock was made within days,
 * else 1 after an error saying why.
 */
void	job_lock_age(struct job *, const struct opts *, long long now);
int	job_lock_gate(const struct job *, unsigned days);

/* -t TARGETS: fills bes (NULL-terminated, at most max); count or -1. */
int	targets_parse(const char *spec, const struct backend **bes,
	    size_t max);
/* Files the targets write. */
size_t	targets_files(const struct backend *const *bes);

/*
 * Lower and emit every target, handing each file in target order to the
 * sink as soon as it exists; its text is freed after.  After a failure
 * the other targets still run, to report their errors too, but nothing
 * more reaches the sink.  0 or -1.
 *
 * put(job, name, text, arg) takes a file.  A sink that writes files may
 * instead stage them, on the thread that renders the target, as they are
 * written: open(name, text, arg), once the target is lowered, creates one
 * under a temporary name and returns a token (NULL after diag_fail), and
 * may have text spill into it (out_spill) as the back end writes it, so
 * that a file is never all in memory; done(token, text, arg), once the
 * back end is done, writes the rest (-1 after diag_fail).  Then, in
 * target order, keep(token, arg) adds it to what is written, or
 * drop(token, arg) removes it when this target or one before failed.
 */
typedef int	(*sink_fn)(struct job *, const char *name, struct out *,
		    void *);
struct sink {
	sink_fn	  put;
	void	*(*open)(const char *name, struct out *, void *arg);
	int	 (*done)(void *token, struct out *, void *arg);
	void	 (*keep)(void *token, void *arg);
	void	 (*drop)(void *token, void *arg);
	void	 *arg;
};
int	job_render(struct job *, const struct backend *const *bes,
	    const struct sink *);

/* The commands. */
int	cmd_compile(struct opts *, int, char **);
int	cmd_check(struct opts *, int, char **);
int	cmd_lint(struct opts *, int, char **);
int	cmd_resolve(struct opts *, int, char **);
int	cmd_explain(struct opts *, int, char **);
int	cmd_catalog(struct opts *, int, char **);
int	cmd_apply(struct opts *, int, char **);
int	cmd_verify(struct opts *, int, char **);
int	cmd_refresh(struct opts *, int, char **);
/* refresh -t iptables, after the policy's hosts were resolved: 0, or -1
 * after diag_error() or diag_fail(). */
int	refresh_ipset(struct job *, const struct opts *,
	    const struct resolve_answer *, size_t);
/* refresh -t pf: the sh script of pfctl -T replace lines to stdout; 0, or
 * -1 after diag_error(). */
int	refresh_pf(struct job *, const struct resolve_answer *, size_t);
int	cmd_completion(struct opts *, int, char **);
int	cmd_probe(struct opts *, int, char **);
int	cmd_import(struct opts *, int, char **);

#endif
