/*
 * templates.h - the templates built into egressc (templates/NAME.tmpl, turned
 * into C by scripts/embed-templates.sh when building), so that what a
 * binary writes depends on nothing but its policy and lock.  Only
 * be_template() (common.c) reads the table.
 */
#ifndef EGRESSC_TEMPLATES_H
#define EGRESSC_TEMPLATES_H

struct be_tmpl {
	const char	*name;		/* "nftables", for nftables.tmpl */
	const char	*text;		/* the file's bytes */
};

/* Ends with a NULL name. */
extern const struct be_tmpl be_templates[];

#endif
