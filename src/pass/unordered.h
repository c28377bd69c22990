/*
 * unordered.h - lowering for targets without rule order.
 *
 * Windows Defender Firewall evaluates every rule at once: a packet is
 * blocked when any block rule matches, allowed when an allow rule matches
 * and no block rule does, and left to the profile default otherwise.
 * lower_unordered() rewrites a first-match rule list so that this model
 * gives every packet the decision first match gave it.
 */
#ifndef EGRESSC_UNORDERED_H
#define EGRESSC_UNORDERED_H

#include "ir/ir.h"

/* 0; a warning where Windows cannot say a rule exactly, or with strict an
 * error (and -1). */
int	lower_unordered(struct ir *, bool strict);

#endif
