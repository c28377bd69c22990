/*
 * vars.c - policy variables and ${name} substitution (see vars.h).  What
 * a substitution writes is spent from the compilation's budget: a 1 MiB
 * variable used 2,000 times is 2 GB of text from a 1 MB file.
 */
#include <string.h>

#include "policy/vars.h"
#include "util/budget.h"
#include "util/out.h"

const struct var *
vars_find(const struct vars *vs, const char *name)
{
	size_t i;

	if (vs == NULL || !strset_get(&vs->byname, name, &i))
		return NULL;
	return &vs->v[i];
}

const char *
vars_get(const struct vars *vs, const char *name)
{
	const struct var *v = vars_find(vs, name);

	return v != NULL ? v->value : NULL;
}

void
vars_set(struct arena *a, struct vars *vs, const char *name,
    const char *value, const struct loc *loc)
{
	size_t i;

	if (!strset_get(&vs->byname, name, &i)) {
		ARENA_PUSH(a, vs->v, vs->n, vs->cap);
		i = vs->n - 1;
		strset_put(a, &vs->byname, name, i, NULL);
	}
	vs->v[i].name = name;
	vs->v[i].value = value;
	vs->v[i].loc = loc != NULL ? *loc : (struct loc){ NULL, 0, 0 };
}

const char *
vars_subst(struct arena *a, const struct vars *vs, const char *s,
    const struct loc *loc, const char *xname, const char *xvalue)
{
	struct out o;
	const char *p, *end, *val;
	char *name, *res;

	if (strstr(s, "${") == NULL)
		return s;
	out_init(&o);
	for (p = s; *p != '\0'; p++) {
		if (p[0] != '$' || p[1] != '{') {
			out_putc(&o, *p);
			continue;
		}
		end = strchr(p + 2, '}');
		if (end == NULL) {
			diag_error(loc, "unterminated '${' in '%s'", s);
			out_free(&o);
			return NULL;
		}
		name = arena_strndup(a, p + 2, (size_t)(end - p - 2));
		if (xname != NULL && strcmp(name, xname) == 0)
			val = xvalue;
		else
			val = vars_get(vs, name);
		if (val == NULL) {
			diag_error(loc, "unknown variable '${%s}'", name);
			out_free(&o);
			return NULL;
		}
		if (budget_spend(loc, strlen(val)) < 0) {
			out_free(&o);
			return NULL;
		}
		out_puts(&o, val);
		p = end;
	}
	res = arena_strdup(a, out_str(&o));
	out_free(&o);
	return res;
}
