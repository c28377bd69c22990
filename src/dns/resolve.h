/*
 * resolve.h - `egressc resolve`: look up every host name of a policy with
 * c-ares, asking every DNS server given and taking the union of their
 * answers, refuse answers no public service lives at, merge with the old
 * lock file and write it back atomically; or, with check, say what would
 * change and write nothing (the drift gate).
 */
#ifndef EGRESSC_RESOLVE_H
#define EGRESSC_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"

struct ir;
struct out;

#define RESOLVE_MAX_SERVERS	16

/* Queries in flight to one server at most, whatever concurrency asks:
 * past this a server's socket, or ours, drops datagrams under the burst
 * and the answers lost look like time-outs. */
#define RESOLVE_MAX_INFLIGHT	128

struct resolve_opts {
	const char		*lockpath;
	const char *const	*servers;	/* ADDR[:PORT], [V6]:PORT; none:
						 * the system resolver */
	size_t			 nservers;	/* at most RESOLVE_MAX_SERVERS */
	unsigned		 timeout_ms;	/* per try; 0: 2000 */
	unsigned		 tries;		/* 0: 2 */
	unsigned		 concurrency;	/* queries in flight per server;
						 * 0: 64 */
	unsigned		 keep_days;	/* keep dropped addresses seen
						 * within N days; 0: drop */
	unsigned		 family;	/* 4, 6; 0: both */
	bool			 keep_going;	/* write what resolved anyway */
	bool			 stamp;		/* update last-seen */
	bool			 progress;	/* "resolved N/M" on a tty */
	bool			 ptr;		/* record PTR names */
	bool			 strict;	/* shared addresses are errors */
	bool			 json;		/* resolve_check: JSON */
};

/* Resolve every non-wildcard host name of ir (run after wildcard
 * expansion) and write opts->lockpath.  Returns 0, or -1: after
 * diag_fail() when DNS or the file system failed (a host that did not
 * resolve; with keep_going the lock is written all the same), after
 * diag_error() for bad options, a malformed old lock, or (strict) hosts
 * of rules that decide otherwise sharing an address (nothing written). */
int	resolve_run(struct ir *, const struct resolve_opts *);

/*
 * The same lookups, nothing written: what resolve_run would change in the
 * lock's addresses goes to out, a line per address and host,
 *
 *	+ 198.18.0.12  livekit,heygen-api  api.heygen.com
 *	- 198.18.0.11  livekit,heygen-api  api.heygen.com
 *
 * or (opts->json) one object {"added": [...], "removed": [...]} of
 * {"address", "host", "rules"}.  *changed says whether anything would.
 * 0 or -1 as resolve_run; a host that failed changes nothing in out.
 */
int	resolve_check(struct ir *, const struct resolve_opts *, struct out *,
	    bool *changed);

/*
 * The same lookups for egressc refresh: nothing read or written, each host
 * of ir with its usable answers (refused ones left out) and the smallest
 * TTL among them, sorted by name, in ir's arena.  0, or -1 after
 * diag_fail() for hosts that failed (the others are in *out all the same)
 * or diag_error() for bad options.
 */
struct resolve_addr {
	enum fam	 fam;
	u128		 addr;
};
struct resolve_answer {
	const char		*host;
	unsigned		 ttl;
	struct resolve_addr	*addrs;
	size_t			 naddrs;
	bool			 failed;
};
int	resolve_answers(struct ir *, const struct resolve_opts *,
	    struct resolve_answer **out, size_t *n);

#endif
