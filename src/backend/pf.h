/*
 * pf.h - what of the pf back end egressc refresh -t pf needs: the tables
 * it declares `persist` for rules with host names, so that refresh
 * replaces exactly the tables NAME.pf.conf made.
 */
#ifndef EGRESSC_PF_H
#define EGRESSC_PF_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/ir.h"

struct pf_table {
	const char		*name;		/* POLICY_STEM */
	const struct ir_rule	*rule;
	bool			 fams[FAM_N];	/* the families it holds */
};

/* The host tables of an IR lowered for pf, in the order NAME.pf.conf
 * declares them; *out is arena memory.  0, or -1 after diag_error(). */
int	pf_host_tables(struct arena *, const struct ir *, struct pf_table **out,
	    size_t *n);

#endif
