/*
 * ayaml.c - Aerleon's YAML policies, into the same model as .pol files.
 *
 *	filters:
 *	  - header: {targets: {PLATFORM: "OPTIONS"}, comment: TEXT}
 *	    terms:
 *	      - name: NAME
 *	        KEYWORD: "VALUE VALUE"
 *	      - include: includes/FILE.yaml		(a file of terms:)
 *
 * A value is one string of words, as after a .pol keyword, or a list of
 * them; comment:, owner: and verbatim: are taken whole.  libyaml through
 * policy/yaml.c gives every node its place, and a word of a plain
 * one-line value its own column.
 */
#include <string.h>

#include "import/aerleon.h"
#include "policy/yaml.h"

static const char *const top_keys[] = { "filters", NULL };
static const char *const filter_keys[] = { "header", "terms", NULL };
static const char *const hdr_keys[] = {
	"targets", "comment", "apply-groups", "apply-groups-except", NULL
};
static const char *const inc_keys[] = { "terms", NULL };

struct ry {
	struct arena	*a;
	const char	*top;
};

/* Keywords whose value is one text, not a list of words. */
static bool
whole(const char *key)
{
	return strcmp(key, "comment") == 0 || strcmp(key, "owner") == 0 ||
	    strcmp(key, "verbatim") == 0 || strcmp(key, "log_name") == 0;
}

/* The words of a scalar, each at its column when the scalar is plain and
 * on one line (else at the scalar's start). */
static void
words(struct ry *y, struct aer_kv *kv, const struct ynode *n)
{
	bool exact = n->plain && strchr(n->str, '\n') == NULL;
	const char *p = n->str, *e;
	struct loc l;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			return;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != '\n' && *e != '\r'; e++)
			;
		l = n->loc;
		if (exact)
			l.col += (int)(p - n->str);
		aer_kv_word(y->a, kv, arena_strndup(y->a, p, (size_t)(e - p)),
		    &l, false);
		p = e;
	}
}

/* A keyword's value: a scalar or a list of scalars.  Anything else is
 * kept as an empty quoted word, for the mapper to refuse at its place. */
static void
value(struct ry *y, struct aer_kv *kv, const struct ynode *n)
{
	size_t i;

	if (n->kind == Y_SEQ) {
		for (i = 0; i < n->n; i++)
			value(y, kv, n->items[i]);
		return;
	}
	if (n->kind == Y_MAP)
		aer_kv_word(y->a, kv, "", &n->loc, true);
	else if (y_is_null(n))
		return;
	else if (whole(kv->key))
		aer_kv_word(y->a, kv, n->str, &n->loc, true);
	else
		words(y, kv, n);
}

static int
header(struct ry *y, struct aer_filter *f, const struct ynode *n)
{
	const struct ynode *t;
	struct aer_kv *kv;
	size_t i;
	int rc = 0;

	f->hdr.loc = n->loc;
	if (!y_want_map(n, "header") || ymap_check_keys(n, hdr_keys,
	    "an Aerleon header") < 0)
		return -1;
	for (i = 0; i < n->n; i++) {
		const char *key = n->pairs[i].key->str;
		const struct ynode *v = n->pairs[i].val;

		if (strcmp(key, "targets") != 0) {
			kv = aer_block_kv(y->a, &f->hdr, key,
			    &n->pairs[i].key->loc);
			value(y, kv, v);
			continue;
		}
		if (!y_want_map(v, "targets")) {
			rc = -1;
			continue;
		}
		for (size_t k = 0; k < v->n; k++) {
			t = v->pairs[k].key;
			kv = aer_block_kv(y->a, &f->hdr, "target", &t->loc);
			aer_kv_word(y->a, kv, t->str, &t->loc, false);
			value(y, kv, v->pairs[k].val);
		}
	}
	if (ymap_get(n, "targets") == NULL) {
		diag_error(&n->loc, "header: no targets:");
		rc = -1;
	}
	return rc;
}

static int	terms(struct ry *, struct aer_filter *, const struct ynode *,
		    int depth);

/* - include: FILE.yaml, a file whose terms: go here. */
static int
include(struct ry *y, struct aer_filter *f, const struct ynode *item,
    int depth)
{
	const struct ynode *v = ymap_get(item, "include");
	const struct ynode *root, *list;
	const char *name, *path;
	size_t n;

	if (item->n != 1) {
		diag_error(&item->loc, "an include: item holds nothing else");
		return -1;
	}
	if ((name = y_want_str(v, "include")) == NULL)
		return -1;
	n = strlen(name);
	if (n < 5 || strcmp(name + n - 5, ".yaml") != 0) {
		diag_error(&v->loc, "include '%s': Aerleon's YAML includes end "
		    "in .yaml", name);
		return -1;
	}
	if (depth >= AER_MAX_INCLUDE) {
		diag_error(&v->loc, "include '%s': includes nest more than %d "
		    "deep", name, AER_MAX_INCLUDE);
		return -1;
	}
	if ((path = aer_include_path(y->a, y->top, name)) == NULL) {
		diag_error(&v->loc, "include '%s': no such file beside the "
		    "policy or in its parent directory", name);
		return -1;
	}
	if ((root = yaml_load(y->a, path, &v->loc)) == NULL)
		return -1;
	if (!y_want_map(root, "an include file") ||
	    ymap_check_keys(root, inc_keys, "an include file") < 0)
		return -1;
	if ((list = ymap_get(root, "terms")) == NULL) {
		diag_error(&root->loc, "an include file holds terms:");
		return -1;
	}
	return terms(y, f, list, depth + 1);
}

static int
term(struct ry *y, struct aer_filter *f, const struct ynode *n)
{
	const struct ynode *name = ymap_get(n, "name");
	const char *const *k, *near;
	struct aer_block *b;
	struct aer_kv *kv;
	size_t i;
	int rc = 0;

	if (name == NULL) {
		diag_error(&n->loc, "a term without name:");
		return -1;
	}
	b = aer_filter_term(y->a, f);
	b->loc = n->loc;
	if ((b->name = y_want_str(name, "name")) == NULL)
		return -1;
	for (i = 0; i < n->n; i++) {
		const struct ynode *key = n->pairs[i].key;

		if (strcmp(key->str, "name") == 0)
			continue;
		for (k = aer_term_keys; *k != NULL; k++)
			if (strcmp(*k, key->str) == 0)
				break;
		if (*k == NULL) {
			near = suggest(key->str, aer_term_keys);
			if (near != NULL)
				diag_error(&key->loc, "unknown term keyword "
				    "'%s'; did you mean '%s'?", key->str,
				    near);
			else
				diag_error(&key->loc, "unknown term keyword "
				    "'%s'", key->str);
			rc = -1;
			continue;
		}
		kv = aer_block_kv(y->a, b, key->str, &key->loc);
		value(y, kv, n->pairs[i].val);
	}
	return rc;
}

static int
terms(struct ry *y, struct aer_filter *f, const struct ynode *list,
    int depth)
{
	size_t i;
	int rc = 0;

	if (!y_want_seq(list, "terms"))
		return -1;
	for (i = 0; i < list->n; i++) {
		const struct ynode *item = list->items[i];

		if (!y_want_map(item, "a term"))
			rc = -1;
		else if (ymap_get(item, "include") != NULL) {
			if (include(y, f, item, depth) < 0)
				rc = -1;
		} else if (term(y, f, item) < 0)
			rc = -1;
	}
	return rc;
}

int
aer_read_yaml(struct arena *a, const char *path, struct aer_file *f)
{
	struct ry y = { a, path };
	const struct ynode *root, *list, *fn;
	struct aer_filter *flt;
	size_t i;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if ((root = yaml_load(a, path, NULL)) == NULL)
		return -1;
	if (!y_want_map(root, "an Aerleon policy") ||
	    ymap_check_keys(root, top_keys, "an Aerleon policy") < 0)
		return -1;
	if ((list = ymap_get(root, "filters")) == NULL) {
		diag_error(&root->loc, "no filters: in the policy");
		return -1;
	}
	if (!y_want_seq(list, "filters"))
		return -1;
	for (i = 0; i < list->n; i++) {
		fn = list->items[i];
		if (!y_want_map(fn, "a filter") ||
		    ymap_check_keys(fn, filter_keys, "a filter") < 0) {
			rc = -1;
			continue;
		}
		flt = aer_file_filter(a, f);
		flt->hdr.loc = fn->loc;
		if (ymap_get(fn, "header") == NULL) {
			diag_error(&fn->loc, "a filter without header:");
			rc = -1;
		} else if (header(&y, flt, ymap_get(fn, "header")) < 0)
			rc = -1;
		if (ymap_get(fn, "terms") != NULL &&
		    terms(&y, flt, ymap_get(fn, "terms"), 0) < 0)
			rc = -1;
	}
	if (rc == 0 && f->n == 0) {
		diag_error(&list->loc, "filters: holds no filter");
		rc = -1;
	}
	return rc;
}
