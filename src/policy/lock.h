/*
 * lock.h - the lock file: host name -> addresses, as last resolved.
 * Compiling reads it and never touches the network; `egressc resolve`
 * refreshes it (resolve.c) and writes it back in a canonical order, so a
 * refresh that changes nothing changes no byte.
 */
#ifndef EGRESSC_LOCK_H
#define EGRESSC_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"
#include "util/clock.h"		/* the stamps' text */
#include "util/diag.h"
#include "util/out.h"

struct lock_addr {
	enum fam	 fam;
	u128		 addr;
	const char	*first_seen, *last_seen;	/* clock_format() text */
	/* The DNS servers that gave it (lock_server_text(), sorted; none:
	 * the system resolver) and its PTR names (lower case, sorted). */
	const char	**by, **ptr;
	size_t		 nby, nptr;
};

struct lock_host {
	const char		*name;
	struct lock_addr	*addrs;
	size_t			 naddrs, capaddrs;
	unsigned		 ttl;
	struct loc		 loc;
};

struct lock {
	const char		*file;
	bool			 exists;	/* false: file was absent */
	bool			 example;	/* example: true — not real DNS */
	const char		*made;		/* made: when resolve wrote it, or
						 * NULL (an older lock) */
	struct loc		 made_loc;
	struct lock_host	*hosts;		/* sorted by name once loaded */
	size_t			 nhosts, caphosts;
};

/* Load path; a missing file gives an empty lock with exists = false.
 * Returns NULL after diag_error() on a malformed file. */
struct lock		*lock_load(struct arena *, const char *path);
const struct lock_host	*lock_find(const struct lock *, const char *name);
/* The host's entry for an address, or NULL. */
struct lock_addr	*lock_host_addr(const struct lock_host *, enum fam,
			    u128);
/* The default lock path of a policy: POLICY with .yaml/.yml replaced by
 * .lock (or .lock appended). */
char			*lock_path(struct arena *, const char *policy);

/* Building a lock (resolve.c).  lock_new gives an empty lock for path.
 * Both adders keep their arrays sorted (lock_find can search at once):
 * lock_add_host returns the existing host of that name if there is one;
 * lock_add_addr adds an address with its first-seen/last-seen (NULL:
 * unknown) and returns false, changing nothing, if it is already there. */
struct lock		*lock_new(struct arena *, const char *path);
struct lock_host	*lock_add_host(struct arena *, struct lock *,
			    const char *name);
bool			 lock_add_addr(struct arena *, struct lock_host *,
			    enum fam, u128, const char *first_seen,
			    const char *last_seen);
/* by: and ptr: of an address, copied, sorted and without duplicates
 * (servers in address order, then port; names as text). */
void			 lock_addr_set_by(struct arena *, struct lock_addr *,
			    const char *const *servers, size_t n);
void			 lock_addr_set_ptr(struct arena *, struct lock_addr *,
			    const char *const *names, size_t n);
/* A DNS server as by: writes it: "ADDR" when the port is 53, else
 * "ADDR:PORT" or "[IPV6]:PORT".  lock_server_parse reads that text (and
 * the same with ":53" written out); 0, or -1 when it is not a server. */
char			*lock_server_text(struct arena *, enum fam, u128,
			    unsigned port);
int			 lock_server_parse(const char *, enum fam *, u128 *,
			    unsigned *port);
/* The lock's text: hosts sorted by name, addresses numerically (IPv4
 * before IPv6), so the same lock always gives the same bytes. */
void			 lock_format(const struct lock *, struct out *);
/* lock_format, then atomic_write.  0, or -1 after diag_error(). */
int			 lock_write(const struct lock *, const char *path);

#endif
