/*
 * resolve.h - `egressc resolve`: look up every host name of a policy with
 * c-ares, all queries in flight together, refuse answers no public service
 * lives at, merge with the old lock file and write it back atomically.
 */
#ifndef EGRESSC_RESOLVE_H
#define EGRESSC_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

struct ir;

struct resolve_opts {
	const char		*lockpath;
	const char *const	*servers;	/* ADDR[:PORT], [V6]:PORT; none:
						 * the system resolver */
	size_t			 nservers;
	unsigned		 timeout_ms;	/* per try; 0: 2000 */
	unsigned		 tries;		/* 0: 2 */
	unsigned		 concurrency;	/* queries in flight; 0: 64 */
	unsigned		 keep_days;	/* keep dropped addresses seen
						 * within N days; 0: drop */
	bool			 keep_going;	/* write what resolved anyway */
	bool			 stamp;		/* update last-seen */
	bool			 progress;	/* "resolved N/M" on a tty */
};

/* Resolve every non-wildcard host name of ir (run after wildcard
 * expansion) and write opts->lockpath.  Returns 0, or -1: after
 * diag_fail() when DNS or the file system failed (a host that did not
 * resolve; with keep_going the lock is written all the same), after
 * diag_error() for bad options or a malformed old lock (nothing written). */
int	resolve_run(struct ir *, const struct resolve_opts *);

#endif
