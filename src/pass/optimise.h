/*
 * optimise.h - a pass over the rule list after names are resolved: a rule
 * that an earlier rule covers entirely can never match; it is reported and
 * dropped.  (Address and port sets are already collapsed by their types.)
 */
#ifndef EGRESSC_OPTIMISE_H
#define EGRESSC_OPTIMISE_H

#include "ir/ir.h"

/* Index of the earlier rule that covers rule j entirely, or -1. */
long	opt_shadowed_by(const struct ir *, size_t j);
/* Warn about and drop shadowed rules; returns how many were dropped. */
size_t	opt_run(struct ir *);

#endif
