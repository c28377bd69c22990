/*
 * vars.h - policy variables (vars:) and ${name} substitution.  Catalogs add
 * ${region} for each of their regions by calling vars_subst with an extra
 * binding.
 */
#ifndef EGRESSC_VARS_H
#define EGRESSC_VARS_H

#include "util/arena.h"
#include "util/diag.h"
#include "util/strset.h"

struct var {
	const char	*name, *value;
	struct loc	 loc;
};

/* Zero-initialise.  Names are hashed (byname: index into v), so that a
 * policy of 100,000 variables reads in linear time. */
struct vars {
	struct var	*v;
	size_t		 n, cap;
	struct strset	 byname;
};

const char	*vars_get(const struct vars *, const char *name);
/* The variable called name (its value and where it was defined), or NULL. */
const struct var *vars_find(const struct vars *, const char *name);
void		 vars_set(struct arena *, struct vars *, const char *name,
		    const char *value, const struct loc *);
/*
 * Replace every ${name} in s.  extra_name/extra_value (may be NULL) bind
 * one more name for this call, e.g. "region".  An unknown name or an
 * unterminated ${ is an error at loc, and so is text that spends the
 * compilation's budget (util/budget.h); returns NULL then.  Text
 * without a variable is returned as it is, not copied (20,000 destinations
 * at 2,000 rules): s must live as long as the result is used.
 */
const char	*vars_subst(struct arena *, const struct vars *, const char *s,
		    const struct loc *, const char *extra_name,
		    const char *extra_value);

#endif
