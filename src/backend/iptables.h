/*
 * iptables.h - what of the iptables back end egressc refresh needs: the
 * names of the ipset dynamic sets it writes, so that refresh fills the
 * sets the compiled NAME.ipset made.
 */
#ifndef EGRESSC_IPTABLES_H
#define EGRESSC_IPTABLES_H

#include <stddef.h>

#include "ir/ir.h"

struct ipt_dynset {
	const char		*name;		/* POLICY.STEM_d4 */
	const struct ir_rule	*rule;
	enum fam		 fam;
};

/* The dynamic sets of an IR lowered for iptables, in the order NAME.ipset
 * creates them; *out is arena memory.  0, or -1 after diag_error(). */
int	ipt_dynsets(struct arena *, const struct ir *, struct ipt_dynset **out,
	    size_t *n);

#endif
