/*
 * aerleon.h - `egressc import aerleon`: Aerleon (the maintained Capirca)
 * policies made into egressc policies, so that Aerleon's users can switch
 * in one command and keep what their policies decide.
 *
 * Four steps, one file each:
 *
 *	pol.c, ayaml.c	a .pol file (Aerleon's own grammar, read by a small
 *			recursive-descent parser that keeps FILE:LINE:COL) or
 *			an Aerleon YAML file (libyaml, policy/yaml.c's tree)
 *			into one model: filters, each a header and terms,
 *			each a list of "keyword:: values" as written
 *	naming.c	the def/ directory: NETWORK.net and SERVICES.svc in
 *			Capirca's line format, naming.yaml in Aerleon's
 *	targets.c	what a header's target:: lines say about address
 *			family, direction, default and state
 *	map.c, emit.c	each filter to one egressc policy, then its YAML
 *
 * What egressc cannot say is an error when the imported policy would
 * decide a packet differently, and a warning when it would not; both point
 * at the Aerleon file, never at the output.
 */
#ifndef EGRESSC_AERLEON_H
#define EGRESSC_AERLEON_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/ir.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"
#include "util/strset.h"

/* Aerleon's own limit on nested includes. */
#define AER_MAX_INCLUDE	5
#define AER_MAX_FILE	(16u * 1024 * 1024)

/* One value as written: a word, or a "quoted string" (quoted). */
struct aer_word {
	const char	*s;
	struct loc	 loc;
	bool		 quoted;
};

/* One "keyword:: values" of a header or term; in YAML one key. */
struct aer_kv {
	const char	*key;
	struct loc	 loc;
	struct aer_word	*v;
	size_t		 n, cap;
};

/* A header or a term: its keywords in the order written. */
struct aer_block {
	const char	*name;		/* a term's name; NULL for a header */
	struct loc	 loc;
	struct aer_kv	*kv;
	size_t		 n, cap;
};

struct aer_filter {
	struct aer_block	 hdr;
	struct aer_block	*terms;
	size_t			 n, cap;
};

struct aer_file {
	const char		*path;
	struct aer_filter	*f;
	size_t			 n, cap;
};

/* The keywords a header and a term may hold (NULL-terminated). */
extern const char *const aer_header_keys[];
extern const char *const aer_term_keys[];

/* Read a policy into f; 0, or -1 after diag_error(). */
int	aer_read_pol(struct arena *, const char *path, struct aer_file *f);
int	aer_read_yaml(struct arena *, const char *path, struct aer_file *f);
/*
 * Where an include named in a file of the policy top lives: Aerleon reads
 * includes from its base directory, which is the directory of the policy
 * or, in Aerleon's own layout (policies/pol/X.pol), its parent.  The first
 * that holds the file; NULL when neither does.
 */
const char	*aer_include_path(struct arena *, const char *top,
		    const char *name);
/* Append a keyword's value to kv; the blocks' and files' own pushes. */
struct aer_kv		*aer_block_kv(struct arena *, struct aer_block *,
			    const char *key, const struct loc *);
void			 aer_kv_word(struct arena *, struct aer_kv *,
			    const char *s, const struct loc *, bool quoted);
struct aer_filter	*aer_file_filter(struct arena *, struct aer_file *);
struct aer_block	*aer_filter_term(struct arena *, struct aer_filter *);

/*
 * Naming definitions.  An item of a network is an address, another
 * network's name or a host name (fqdn:, which Aerleon's naming leaves
 * out); of a service, a port range of a protocol or another service.
 */
enum aer_ikind { AER_I_ADDR, AER_I_NAME, AER_I_FQDN, AER_I_PORT };

struct aer_item {
	enum aer_ikind	 kind;
	const char	*text;		/* as written */
	const char	*proto;		/* AER_I_PORT: lower case */
	unsigned	 lo, hi;	/* AER_I_PORT */
	struct loc	 loc;
};

/* A port range of a protocol, as a service flattens to. */
struct aer_port {
	const char	*proto;
	unsigned	 lo, hi;
};

struct aer_def {
	const char	*name;
	struct loc	 loc;
	struct aer_item	*items;
	size_t		 n, cap;
	int		 state;		/* resolution: unseen, visiting, done */
	bool		 bad;		/* resolution failed (said why) */
	/* Resolved: a network's addresses and whether it (or a network it
	 * names) had fqdn: items; a service's ports. */
	struct aset	 addrs;
	const struct loc *fqdn;
	struct aer_port	*ports;
	size_t		 nports, capports;
};

/* Definitions by name: an open-addressed table of index + 1. */
struct aer_index {
	size_t		*slot;
	size_t		 cap;
};

struct aer_names {
	const char	*dir;
	struct aer_def	*net, *svc;
	size_t		 nnet, capnet, nsvc, capsvc;
	struct aer_index inet, isvc;
};

/* Read every .net, .svc, .yaml and .yml file of dir; 0 or -1. */
int		 aer_names_load(struct arena *, const char *dir,
		    struct aer_names *);
/* A definition by name, or NULL; near gets a did-you-mean (or NULL). */
struct aer_def	*aer_net_find(struct aer_names *, const char *,
		    const char **near);
struct aer_def	*aer_svc_find(struct aer_names *, const char *,
		    const char **near);
/* Flatten a definition and those it names; 0, or -1 (said why). */
int		 aer_net_resolve(struct arena *, struct aer_names *,
		    struct aer_def *);
int		 aer_svc_resolve(struct arena *, struct aer_names *,
		    struct aer_def *);

/* What one target:: line says. */
enum aer_fam { AER_V4 = 1, AER_V6 = 2, AER_MIXED = 3 };
enum aer_dir { AER_DIR_NONE, AER_DIR_OUT, AER_DIR_IN, AER_DIR_FWD };
enum aer_dflt {
	AER_DFLT_DENY, AER_DFLT_ACCEPT,
	AER_DFLT_NONE,			/* a chain that returns to its caller */
	AER_DFLT_UNKNOWN,		/* the target leaves it to the device */
};

struct aer_target {
	const struct aer_kv	*kv;
	const char		*platform;
	enum aer_fam		 fam;
	enum aer_dir		 dir;
	const struct loc	*dir_loc;	/* the word that said it */
	enum aer_dflt		 dflt;
	bool			 stateful;
	const struct loc	*nostate_loc;	/* speedway's nostate */
	long			 priority;	/* nftables' hook priority */
	const struct loc	*prio_loc;
};

/* Read a target:: line; 0, or -1 after diag_error(). */
int	aer_target_read(const struct aer_kv *, struct aer_target *);
const char *aer_fam_name(enum aer_fam);

/*
 * The egressc policy of one filter, as emit.c writes it.  Lists of to:,
 * from: and ports: hold network or service names and literal entries;
 * an empty list means "any" (and is left out).
 */
struct aer_strs {
	const char	**v;
	size_t		 n, cap;
	struct strset	 seen;		/* for adding each once */
};

struct aer_rule {
	const char	*name;
	const char	*comment;
	enum ir_action	 action;
	bool		 inbound, log;
	struct aer_strs	 to, from, ports;
	struct aer_strs	 notes;		/* YAML comment lines before it */
};

struct aer_group {		/* a network or service to write */
	const char	*name;
	const char	*was;		/* the Aerleon name */
	struct aer_strs	 v;
};

struct aer_pol {
	const char	*name, *description;
	struct aer_strs	 head;		/* comment lines at the top */
	enum ir_default	 def;
	bool		 inbound;
	struct aer_group *nets, *svcs;
	size_t		 nnets, capnets, nsvcs, capsvcs;
	struct aer_rule	*rules;
	size_t		 nrules, caprules;
	struct aer_strs	 tail;		/* comment lines after the rules */
};

void	aer_strs_add(struct arena *, struct aer_strs *, const char *);

/* Filter i of f as an egressc policy called name; 0, or -1 (said why). */
int	aer_map(struct arena *, const struct aer_file *f, size_t i,
	    struct aer_names *, const char *name, struct aer_pol *);
/* The policy's YAML: deterministic bytes that egressc reads back. */
void	aer_emit(const struct aer_pol *, struct out *);

/* One imported policy: its file name (NAME.yaml) and text. */
struct aer_result {
	const char	*file;
	struct out	 text;
};

/*
 * The whole import: read path (.pol, or .yaml/.yml) and the definitions
 * in defs, map every filter.  *res (arena memory, texts to out_free) gets
 * one result per filter, *n their count.  0, or -1 when any filter could
 * not be imported: then nothing is to be written.
 */
int	aer_import(struct arena *, const char *path, const char *defs,
	    struct aer_result **res, size_t *n);

#endif
