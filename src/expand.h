/*
 * expand.h - host-name and wildcard validation, catalogs, and the expand
 * pass that replaces wildcards (*.zone) by the concrete hosts and address
 * ranges a catalog lists for the zone.
 *
 * expand.c holds the PCRE2 patterns (host names, wildcards, zone matching)
 * and expand_run(); catalog.c reads catalogs and writes one from LiveKit's
 * region list (`egressc catalog livekit`).
 */
#ifndef EGRESSC_EXPAND_H
#define EGRESSC_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ir/aset.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/strset.h"

struct ir;
struct out;
struct vars;
struct ynode;

/*
 * 0 when name is a host name egressc accepts: RFC 1123 labels of 1-63
 * characters [a-z0-9-], none starting or ending with '-', at least two
 * labels, 253 characters in all, lower case (callers lower-case first), no
 * trailing dot, and a last label that is not all digits (that would be an
 * address).  Else -1 and *why (may be NULL) says why in a few words.
 */
int	host_check(const char *name, const char **why);
/* 0 when pattern is "*." followed by a valid host name (the zone). */
int	wildcard_check(const char *pattern, const char **why);
/*
 * Does name lie under zone's wildcard: one or more labels, then ".zone"?
 * zone is the part after "*.".  Never zone itself, never a look-alike.
 * -1 on an invalid zone.
 */
int	zone_match(const char *zone, const char *name);
/* Free the compiled patterns (call once at exit; safe to call twice). */
void	expand_cleanup(void);

/* What a zone whose members are not all listed does (unlisted:). */
enum cat_unlisted { CAT_UNLISTED_ERROR, CAT_UNLISTED_ANY, CAT_UNLISTED_OMIT };

struct cat_str {
	const char	*s;
	struct loc	 loc;
};

struct cat_cidr {
	enum fam	 fam;
	u128		 addr;
	int		 len;
	struct loc	 loc;
};

struct cat_zone {
	const char	*key;		/* "*.livekit.cloud" */
	const char	*zone;		/* "livekit.cloud" */
	struct loc	 loc;		/* the key */
	struct cat_str	*hosts;		/* raw, ${...} not yet substituted */
	size_t		 nhosts;
	struct cat_cidr	*cidrs;
	size_t		 ncidrs;
	enum cat_unlisted unlisted;
	bool		 has_unlisted;	/* written in the file */
	struct loc	 unlisted_loc;
};

struct catalog {
	const char	*file;
	const char	*name;
	const char	*source;
	const char	*checked;	/* YYYY-MM-DD */
	struct loc	 loc;		/* the root */
	struct loc	 checked_loc;
	struct cat_str	*regions;
	size_t		 nregions;
	struct cat_zone	*zones;
	size_t		 nzones;
};

/* Days a catalog's checked: date may lie behind today before a warning. */
#define CATALOG_STALE_DAYS	180

/*
 * Read a catalog from its YAML tree (root: a map with egressc-catalog: 1).
 * Errors go to diag_error(); NULL if there were any.  Warns when checked:
 * is more than CATALOG_STALE_DAYS before now (see catalog_now()).
 */
struct catalog	*catalog_parse(struct arena *, const struct ynode *root,
		    const char *file);
/* Now for dates: SOURCE_DATE_EPOCH when set and valid, else time(). */
time_t		 catalog_now(void);

/*
 * Apply ir->wildcards to every wildcard in the IR's rules (forbid: error;
 * native: keep; expand: replace by the hosts and cidrs of the most specific
 * catalog zone that covers it, recording the wildcard with ir_add_origin).
 * 0, or -1 after diag_error().
 */
int	expand_run(struct ir *, struct catalog *const *cats, size_t ncats,
	    const struct vars *vars);

/*
 * Write a complete catalog for LiveKit project `project` from the JSON of
 * GET https://<project>.livekit.cloud/settings/regions saved in
 * regions_file.  source_url (NULL: that URL) goes into source:.  0, or -1
 * after diag_error() with out left empty.
 */
int	catalog_livekit(struct arena *, const char *project,
	    const char *regions_file, const char *source_url, struct out *out);

#endif
