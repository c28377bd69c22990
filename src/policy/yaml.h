/*
 * yaml.h - libyaml's events made into a small tree whose every node keeps
 * its file:line:col.  Policies, catalogs, lock files and LiveKit's region
 * JSON (JSON is YAML's flow style) all come through here, so they share the
 * guards against hostile input: file size, nesting depth, alias expansion,
 * duplicate keys and invalid UTF-8.  A file of 128 KiB or more is parsed
 * in two pieces at once when there are two threads to spare (yaml.c says
 * how it stays the tree of one parse).
 */
#ifndef EGRESSC_YAML_H
#define EGRESSC_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/suggest.h"

#define YAML_MAX_FILE	(16u * 1024 * 1024)	/* bytes */
#define YAML_MAX_DEPTH	64
#define YAML_MAX_NODES	1000000		/* after expanding aliases */

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode;

struct ypair {
	struct ynode	*key, *val;
};

/* 48 bytes, not 72: a policy of 16,000 rules has 340,000 nodes. */
struct ynode {
	struct loc	 loc;
	const char	*str;		/* Y_SCALAR: the text */
	union {
		struct ynode	**items;	/* Y_SEQ */
		struct ypair	*pairs;		/* Y_MAP, in document order */
	};
	uint32_t	 n, cap;	/* at most YAML_MAX_NODES */
	enum ykind	 kind;
	bool		 plain;		/* Y_SCALAR: unquoted */
};

/* Read and parse a file (at most YAML_MAX_FILE bytes, a regular file).
 * NULL after diag_error(), at from when it is not NULL (the include: that
 * names the file); the file's text is registered with diag_source(). */
struct ynode	*yaml_load(struct arena *, const char *path,
		    const struct loc *from);
struct ynode	*yaml_parse(struct arena *, const char *name, const char *text,
		    size_t len);
/* The same with the tree in arena a and its strings (the scalars, the
 * file name of every location) in strs: a reader that keeps only
 * strings frees the tree, most of what parsing takes, once it is read. */
struct ynode	*yaml_load_split(struct arena *a, struct arena *strs,
		    const char *path, const struct loc *from);
struct ynode	*yaml_parse_split(struct arena *a, struct arena *strs,
		    const char *name, const char *text, size_t len);

/* The offset of the first byte of s that is not UTF-8 (a bad or overlong
 * sequence, a surrogate, past U+10FFFF), or -1. */
long		 yaml_utf8_invalid(const unsigned char *s, size_t len);

/* Accessors.  The y_want_* ones report a type error at the node (naming
 * what, e.g. "rules") and return NULL / false. */
struct ynode	*ymap_get(const struct ynode *map, const char *key);
bool		 y_is_null(const struct ynode *);
const char	*y_want_str(const struct ynode *, const char *what);
bool		 y_want_map(const struct ynode *, const char *what);
bool		 y_want_seq(const struct ynode *, const char *what);
/* A sequence, or a single scalar taken as a one-item list (in *one). */
bool		 y_want_list(const struct ynode *, const char *what,
		    struct ynode ***items, size_t *n, struct ynode **one);
int		 y_want_bool(const struct ynode *, const char *what, bool *);
int		 y_want_uint(const struct ynode *, const char *what,
		    unsigned long max, unsigned long *);
/* Error on keys not in allowed (NULL-terminated), with a did-you-mean. */
int		 ymap_check_keys(const struct ynode *map,
		    const char *const *allowed, const char *what);

#endif
