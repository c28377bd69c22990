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

/*
 * Is v a good value of opt?  Else diag_error() at where; dflt: v is the
 * back end's default, which the policy can override.
 */
static bool
value_ok(const struct be_opts *o, const struct be_option *opt, const char *v,
    const struct loc *where, bool dflt)
{
	char list[256];

	switch (opt->kind) {
	case BE_OPT_TEXT:
		return true;
	case BE_OPT_IDENT:
		if (ident_ok(v, opt->maxlen))
			return true;
		diag_error(where, "targets.%s.%s: '%s' is not a usable name "
		    "(a letter or '_', then letters, digits, '_', '-', '.'; at "
		    "most %zu)%s", o->be->name, opt->key, be_text(o, v, 80),
		    opt->maxlen, dflt ? "; set it in the policy's targets:" :
		    "");
		return false;
	case BE_OPT_WORD:
		if (word_ok(v, opt->chars, opt->maxlen))
			return true;
		list_chars(list, sizeof(list), opt->chars);
		diag_error(where, "targets.%s.%s: must start with a letter and "
		    "hold only letters, digits, %s (at most %zu characters)",
		    o->be->name, opt->key, list, opt->maxlen);
		return false;
	case BE_OPT_ENUM:
		if (enum_index(opt, v) >= 0)
			return true;
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
	return diag_errors() == errs ? 0 : -1;
}

const char *
be_option(const struct be_opts *o, const struct ir *ir, const char *key,
    const char *dflt)
{
	const struct be_option *opt = must_find(o->be, key);
	const struct ir_topt *t = ir_topt_find(ir, o->be->name, key);
	struct loc first = { ir->file, 1, 1 };
	const char *v = t != NULL ? t->value : dflt;
	char *res, *p;

	if (v == NULL || !value_ok(o, opt, v, t != NULL ? &t->loc : &first,
	    t == NULL))
		return NULL;
	if (opt->kind != BE_OPT_IDENT || !opt->upper)
		return v;
	res = arena_strdup(o->arena, v);
	for (p = res; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return res;
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
