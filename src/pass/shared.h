/*
 * shared.h - the shared-address audit (see shared.c): host names of rules
 * that decide differently but resolve to the same address, where the
 * later rule's decision cannot hold.  resolve runs it on the lock it is
 * about to write, lint on the lock it read.
 */
#ifndef EGRESSC_SHARED_H
#define EGRESSC_SHARED_H

#include <stddef.h>

struct arena;
struct ir;
struct ir_name;
struct ir_rule;
struct lock;
struct lock_addr;

struct shared_find {
	/* The later rule, whose decision cannot hold at the addresses ... */
	const struct ir_rule		*rule;
	const struct ir_name		*name;
	/* ... because this earlier rule decides otherwise there first. */
	const struct ir_rule		*first;
	const struct ir_name		*first_name;
	const struct lock_addr		**addrs;	/* in address order */
	size_t				 naddrs, capaddrs;
	/* The message (at name) and its note (at first_name), naming both
	 * hosts, both rules, the addresses and their PTR names if known. */
	const char			*msg, *note;
};

struct shared {
	struct shared_find	*v;	/* by the later rule, in policy order */
	size_t			 n, cap;
};

/* Every finding of ir's host names against the lock's addresses. */
void	shared_audit(struct arena *, const struct ir *, const struct lock *,
	    struct shared *);

#endif
