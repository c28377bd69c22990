/*
 * expand.h - the expand pass: replace wildcards (*.zone) by the concrete
 * hosts and address ranges a catalog lists for the zone.
 */
#ifndef EGRESSC_EXPAND_H
#define EGRESSC_EXPAND_H

#include <stddef.h>

struct catalog;
struct ir;
struct vars;

/*
 * Apply ir->wildcards to every wildcard in the IR's rules (forbid: error;
 * native: keep; expand: replace by the hosts and cidrs of the most specific
 * catalog zone that covers it, recording the wildcard with ir_add_origin).
 * 0, or -1 after diag_error().
 */
int	expand_run(struct ir *, struct catalog *const *cats, size_t ncats,
	    const struct vars *vars);

#endif
