/*
 * bind.h - lock -> addresses for the IR's host names.
 */
#ifndef EGRESSC_BIND_H
#define EGRESSC_BIND_H

#include <stdbool.h>

struct ir;
struct lock;

/* Give every host name of the IR its addresses from the lock; an absent
 * host is an error at the name's location, unless missing_ok (probe,
 * which reports it as a host without addresses): then it stays
 * unresolved.  Returns 0 or -1. */
int	bind_lock(struct ir *, const struct lock *, bool missing_ok);

#endif
