/*
 * options.c - targets.TARGET.KEY judged once, right after the policy is
 * read, against the schema each back end declares (struct be_option).
 * Every command runs the same check, so lint cannot pass a policy that
 * compile rejects, and the front end need not know which targets exist.
 * The same rules read the values for emit, so a value is judged one way.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "util/suggest.h"

static const struct be_option *
find_option(const struct backend *be, const char *key)
{
	const struct be_option *opt;

	for (opt = be->options; opt->key != NULL; opt++)
		if (strcmp(opt->key, key) == 0)
			return opt;
	return NULL;
}

/* A back end reading a key it never declared is a bug in it, not in the
 * policy: stop before its output can depend on an unchecked value. */
static const struct be_option *
must_find(const struct backend *be, const char *key)
{
	const struct be_option *opt = find_option(be, key);

	if (opt == NULL) {
		fprintf(stderr, "egressc: internal error: %s reads the "
		    "undeclared option '%s'\n", be->name, key);
		abort();
	}
	return opt;
}

static bool
ident_ok(const char *v, size_t maxlen)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (i > 0 && ((c >= '0' && c <= '9') ||
		    c == '-' || c == '.'))))
			return false;
	}
	return n > 0 && n <= maxlen;
}

static bool
word_ok(const char *v, const char *chars, size_t maxlen)
{
	const char *p;

	if (!isalpha((unsigned char)*v) || strlen(v) > maxlen)
		return false;
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(chars, *p) == NULL)
			return false;
	return true;
}

/* "'_', '.', '-' and ':'": the characters a WORD takes besides letters
 * and digits, for its message. */
static void
list_chars(char *buf, size_t size, const char *chars)
{
	size_t i, n = strlen(chars);

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s'%c'",
		    i == 0 ? "" : i + 1 == n ? " and " : ", ", chars[i]);
}

static void
list_words(char *buf, size_t size, const char *const *words)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; words[i] != NULL; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
		    i ? ", " : "", words[i]);
}

static int
enum_index(const struct be_option *opt, const char *v)
{
	int i;

	for (i = 0; opt->values[i] != NULL; i++)
		if (strcmp(opt->values[i], v) == 0)
			return i;
	return -1;
}

/* Is v a good value of opt (no message)? */
static bool
value_valid(const struct be_option *opt, const char *v)
{
	switch (opt->kind) {
	case BE_OPT_TEXT:
		return true;
	case BE_OPT_IDENT:
		return ident_ok(v, opt->maxlen);
	case BE_OPT_WORD:
		return word_ok(v, opt->chars, opt->maxlen);
	case BE_OPT_ENUM:
		return enum_index(opt, v) >= 0;
	}
	return false;
}

/*
 * Is v a good value of opt?  Else diag_error() at where; dflt: v is the
 * back end's default, which the policy can override.
 */
static bool
value_ok(const struct be_opts *o, const struct be_option *opt, const char *v,
    const struct loc *where, bool dflt)
{
	char list[256];

	if (value_valid(opt, v))
		return true;
	switch (opt->kind) {
	case BE_OPT_TEXT:
		return true;
	case BE_OPT_IDENT:
		diag_error(where, "targets.%s.%s: '%s' is not a usable name "
		    "(a letter or '_', then letters, digits, '_', '-', '.'; at "
		    "most %zu)%s", o->be->name, opt->key, be_text(o, v, 80),
		    opt->maxlen, dflt ? "; set it in the policy's targets:" :
		    "");
		return false;
	case BE_OPT_WORD:
		list_chars(list, sizeof(list), opt->chars);
		diag_error(where, "targets.%s.%s: must start with a letter and "
		    "hold only letters, digits, %s (at most %zu characters)",
		    o->be->name, opt->key, list, opt->maxlen);
		return false;
	case BE_OPT_ENUM:
		list_words(list, sizeof(list), opt->values);
		diag_error(where, "targets.%s.%s: must be one of %s",
		    o->be->name, opt->key, list);
		return false;
	}
	return false;
}

static void
unknown_target(const struct ir *ir, const struct ir_topt *t)
{
	const char **names;
	const char *near;
	size_t i, n = 0;

	while (be_all[n] != NULL)
		n++;
	names = arena_alloc(ir->arena, (n + 1) * sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = be_all[i]->name;
	names[n] = NULL;
	near = suggest(t->target, names);
	if (near != NULL)
		diag_error(&t->loc, "targets: unknown target '%s'; did you "
		    "mean '%s'?", t->target, near);
	else
		diag_error(&t->loc, "targets: unknown target '%s'", t->target);
}

static void
unknown_key(const struct ir *ir, const struct backend *be,
    const struct ir_topt *t)
{
	const char **keys;
	const char *near;
	size_t i, n = 0;

	while (be->options[n].key != NULL)
		n++;
	keys = arena_alloc(ir->arena, (n + 1) * sizeof(*keys));
	for (i = 0; i < n; i++)
		keys[i] = be->options[i].key;
	keys[n] = NULL;
	near = suggest(t->key, keys);
	if (near != NULL)
		diag_error(&t->key_loc, "unknown key '%s' in targets.%s; "
		    "did you mean '%s'?", t->key, be->name, near);
	else
		diag_error(&t->key_loc, "unknown key '%s' in targets.%s",
		    t->key, be->name);
}

/* v as it is written out: IDENT options folded as declared. */
static const char *
folded(const struct be_opts *o, const struct be_option *opt, const char *v)
{
	char *res, *p;

	if (opt->kind != BE_OPT_IDENT || !opt->upper)
		return v;
	res = arena_strdup(o->arena, v);
	for (p = res; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return res;
}

/*
 * What opt will be written as, and where the policy set it (*t NULL: by
 * default); NULL when it has no value, is not in use, or is bad (said in
 * the first pass).
 */
static const char *
written(const struct be_opts *o, const struct ir *ir,
    const struct be_option *opt, const struct ir_topt **t)
{
	const char *v;

	*t = ir_topt_find(ir, o->be->name, opt->key);
	if (opt->inbound && !ir_has_inbound(ir))
		return NULL;
	v = *t != NULL ? (*t)->value : opt->dflt != NULL ? opt->dflt(o, ir) :
	    NULL;
	if (v == NULL || !value_valid(opt, v))
		return NULL;
	return folded(o, opt, v);
}

static bool
listed(const char *const *words, const char *v)
{
	for (; words != NULL && *words != NULL; words++)
		if (strcmp(*words, v) == 0)
			return true;
	return false;
}

/* The values of one target as written: none reserved, none the same as
 * the one it must differ from.  An error is at the value the policy set
 * (a default it did not set is the first line's, as in value_ok). */
static void
check_written(const struct ir *ir, const struct backend *be)
{
	struct be_opts o = { .be = be, .arena = ir->arena };
	const struct be_option *opt, *other;
	const struct ir_topt *t, *u;
	struct loc first = { ir->file, 1, 1 };
	const char *v, *w;
	struct diag *d;

	for (opt = be->options; opt->key != NULL; opt++) {
		if ((v = written(&o, ir, opt, &t)) == NULL)
			continue;
		if (listed(opt->reserved, v))
			diag_error(t != NULL ? &t->loc : &first, "targets.%s.%s: "
			    "'%s' is reserved by %s (a built-in name or a "
			    "keyword)%s", be->name, opt->key, v, be->name,
			    t == NULL ? "; set it in the policy's targets:" :
			    "");
		if (opt->distinct == NULL ||
		    (other = find_option(be, opt->distinct)) == NULL ||
		    (w = written(&o, ir, other, &u)) == NULL ||
		    strcmp(v, w) != 0)
			continue;
		if (t == NULL && u == NULL) {
			fprintf(stderr, "egressc: internal error: %s's default "
			    "%s and %s are both '%s'\n", be->name, opt->key,
			    other->key, v);
			abort();
		}
		/* At the one set last, naming the other. */
		d = diag_new(DIAG_ERROR, t != NULL ? &t->loc : &u->loc,
		    "targets.%s.%s: '%s' is also %s%s: the two chains of one "
		    "table must differ", be->name, t != NULL ? opt->key :
		    other->key, v, t != NULL ? other->key : opt->key,
		    t != NULL && u != NULL ? "" : " by default");
		if (t != NULL && u != NULL)
			diag_also(d, &u->loc, "%s is set here", other->key);
		diag_emit(d);
	}
}

/* Does the policy's targets: name be? */
static bool
named(const struct ir *ir, const struct backend *be)
{
	size_t i;

	for (i = 0; i < ir->ntopts; i++)
		if (strcmp(ir->topts[i].target, be->name) == 0)
			return true;
	return false;
}

int
be_check_options(const struct ir *ir)
{
	int errs = diag_errors();
	size_t i;

	for (i = 0; i < ir->ntopts; i++) {
		const struct ir_topt *t = &ir->topts[i];
		const struct backend *be = be_find(t->target);
		const struct be_option *opt;
		struct be_opts o = { .be = be, .arena = ir->arena };

		/* The target's own entry comes first: one message for it,
		 * none for each of its keys. */
		if (be == NULL) {
			if (t->key == NULL)
				unknown_target(ir, t);
			continue;
		}
		if (t->key == NULL)
			continue;
		if ((opt = find_option(be, t->key)) == NULL)
			unknown_key(ir, be, t);
		else
			value_ok(&o, opt, t->value, &t->loc, false);
	}
	/* The targets the policy names first, in its order, so messages
	 * come in source order; then the others, for their defaults. */
	for (i = 0; i < ir->ntopts; i++)
		if (ir->topts[i].key == NULL && be_find(ir->topts[i].target))
			check_written(ir, be_find(ir->topts[i].target));
	for (i = 0; be_all[i] != NULL; i++)
		if (!named(ir, be_all[i]))
			check_written(ir, be_all[i]);
	return diag_errors() == errs ? 0 : -1;
}

const char *
be_option(const struct be_opts *o, const struct ir *ir, const char *key,
    const char *dflt)
{
	const struct be_option *opt = must_find(o->be, key);
	const struct ir_topt *t = ir_topt_find(ir, o->be->name, key);
	struct loc first = { ir->file, 1, 1 };
	const char *v;

	if (dflt == NULL && opt->dflt != NULL)
		dflt = opt->dflt(o, ir);
	v = t != NULL ? t->value : dflt;
	if (v == NULL || !value_ok(o, opt, v, t != NULL ? &t->loc : &first,
	    t == NULL))
		return NULL;
	return folded(o, opt, v);
}

int
be_enum(const struct be_opts *o, const struct ir *ir, const char *key,
    int dflt)
{
	const struct be_option *opt = must_find(o->be, key);
	const struct ir_topt *t = ir_topt_find(ir, o->be->name, key);

	if (t == NULL)
		return dflt;
	if (!value_ok(o, opt, t->value, &t->loc, false))
		return -1;
	return enum_index(opt, t->value);
}
