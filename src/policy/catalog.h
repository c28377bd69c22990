/*
 * catalog.h - catalogs: for a wildcard zone, the concrete hosts (with
 * ${region} ranging over the catalog's regions) and address ranges that
 * stand for it; and `egressc catalog livekit`, which writes one from
 * LiveKit's region list.
 */
#ifndef EGRESSC_CATALOG_H
#define EGRESSC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"
#include "util/arena.h"
#include "util/diag.h"

struct out;
struct ynode;

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
 * is more than CATALOG_STALE_DAYS before now (clock_now(): an error when
 * SOURCE_DATE_EPOCH is not a time).
 */
struct catalog	*catalog_parse(struct arena *, const struct ynode *root,
		    const char *file);

/*
 * Write a complete catalog for LiveKit project `project` from the JSON of
 * GET https://<project>.livekit.cloud/settings/regions saved in
 * regions_file.  source_url (NULL: that URL) goes into source:.  0, or -1
 * after diag_error() with out left empty.
 */
int	catalog_livekit(struct arena *, const char *project,
	    const char *regions_file, const char *source_url, struct out *out);

#endif
