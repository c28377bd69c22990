/*
 * emit.c - an imported policy as YAML that egressc reads back as it was
 * meant, whatever an Aerleon comment holds.
 *
 * Free text (description:, comment:) is always double-quoted with every
 * quote, backslash, control character and YAML line break escaped, so no
 * comment can end its scalar and start a key or a rule of its own.  YAML
 * comment lines (the header, the notes) get the same escapes: a line break
 * there would end the comment.  egressc substitutes "${name}" in every
 * string and has no escape for it; text holding "${" gets a variable
 * dollar: "$" and "${dollar}{" in its place, which substitutes back to
 * what Aerleon had.  Names and addresses are written plain where YAML
 * reads them as the same string, quoted where not (IPv6).
 */
#include <string.h>

#include "import/aerleon.h"

struct em {
	struct out	*o;
	bool		 dollar;
};

/* Code points YAML takes as line breaks or may not hold as they are. */
static bool
unsafe_cp(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff;
}

/* The UTF-8 sequence at s (valid: the readers checked): its length and
 * code point. */
static size_t
utf8(const unsigned char *s, unsigned long *cp)
{
	if (s[0] < 0xe0) {
		*cp = ((unsigned long)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (s[0] < 0xf0) {
		*cp = ((unsigned long)(s[0] & 0x0f) << 12) |
		    ((unsigned long)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		return 3;
	}
	*cp = ((unsigned long)(s[0] & 0x07) << 18) |
	    ((unsigned long)(s[1] & 0x3f) << 12) |
	    ((unsigned long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	return 4;
}

/* Text with YAML double-quoted escapes; in_quotes: also '"'. */
static void
escaped(struct em *e, const char *s, bool in_quotes)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n;

	while (*p != '\0') {
		if (*p >= 0x80) {
			n = utf8(p, &cp);
			if (unsafe_cp(cp))
				out_printf(e->o, "\\u%04lx", cp);
			else
				out_write(e->o, p, n);
			p += n;
			continue;
		}
		if (*p == '\n')
			out_puts(e->o, "\\n");
		else if (*p == '\t')
			out_puts(e->o, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			out_printf(e->o, "\\x%02x", *p);
		else if (*p == '\\')
			out_puts(e->o, "\\\\");
		else if (*p == '"' && in_quotes)
			out_puts(e->o, "\\\"");
		else if (*p == '$' && p[1] == '{' && in_quotes) {
			out_puts(e->o, "${dollar}");
			e->dollar = true;
		} else
			out_putc(e->o, *p);
		p++;
	}
}

static void
quoted(struct em *e, const char *s)
{
	out_putc(e->o, '"');
	escaped(e, s, true);
	out_putc(e->o, '"');
}

static void
comment(struct em *e, const char *indent, const char *s)
{
	out_printf(e->o, "%s# ", indent);
	escaped(e, s, false);
	out_putc(e->o, '\n');
}

/* A name, address or port: plain when YAML reads it back as the same
 * string (not IPv6, not a word YAML takes for null or a boolean). */
static void
word(struct em *e, const char *s)
{
	static const char *const special[] = { "null", "true", "false", "yes",
	    "no", "on", "off", "y", "n", NULL };
	const char *const *w;
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '/'))
			break;
	for (w = special; *w != NULL && strcmp(*w, s) != 0; w++)
		;
	if (*p == '\0' && s[0] != '\0' && s[0] != '-' && *w == NULL)
		out_puts(e->o, s);
	else
		quoted(e, s);
}

/* key: [a, b] on one line when it fits, else a block list. */
static void
list(struct em *e, const char *indent, const char *key,
    const struct aer_strs *v)
{
	size_t i, w = strlen(indent) + strlen(key) + 4;

	for (i = 0; i < v->n; i++)
		w += strlen(v->v[i]) + 4;
	out_puts(e->o, indent);
	word(e, key);
	if (w <= 78) {
		out_puts(e->o, ": [");
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				out_puts(e->o, ", ");
			word(e, v->v[i]);
		}
		out_puts(e->o, "]\n");
		return;
	}
	out_puts(e->o, ":\n");
	for (i = 0; i < v->n; i++) {
		out_printf(e->o, "%s  - ", indent);
		word(e, v->v[i]);
		out_putc(e->o, '\n');
	}
}

static void
groups(struct em *e, const char *key, const struct aer_group *g, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	out_printf(e->o, "%s:\n", key);
	for (i = 0; i < n; i++) {
		if (g[i].was != NULL) {
			out_puts(e->o, "  # Aerleon's ");
			escaped(e, g[i].was, false);
			out_putc(e->o, '\n');
		}
		list(e, "  ", g[i].name, &g[i].v);
	}
}

static void
rule(struct em *e, const struct aer_rule *r)
{
	static const char *anyv[] = { "any" };
	struct aer_strs any;
	size_t i;

	memset(&any, 0, sizeof(any));
	any.v = anyv;
	any.n = any.cap = 1;

	for (i = 0; i < r->notes.n; i++)
		comment(e, "  ", r->notes.v[i]);
	out_puts(e->o, "  - name: ");
	word(e, r->name);
	out_putc(e->o, '\n');
	if (r->inbound)
		out_puts(e->o, "    direction: inbound\n");
	if (r->from.n > 0)
		list(e, "    ", "from", &r->from);
	if (r->to.n > 0)
		list(e, "    ", "to", &r->to);
	else if (!r->inbound)
		list(e, "    ", "to", &any);
	if (r->ports.n > 0)
		list(e, "    ", "ports", &r->ports);
	out_printf(e->o, "    action: %s\n", ir_action_name[r->action]);
	if (r->log)
		out_puts(e->o, "    log: true\n");
	if (r->comment != NULL) {
		out_puts(e->o, "    comment: ");
		quoted(e, r->comment);
		out_putc(e->o, '\n');
	}
}

void
aer_emit(const struct aer_pol *p, struct out *o)
{
	struct out body;
	struct em e = { &body, false };
	size_t i;

	out_init(&body);
	if (p->description != NULL) {
		out_puts(&body, "description: ");
		quoted(&e, p->description);
		out_putc(&body, '\n');
	}
	out_printf(&body, "default: %s\n", ir_default_name[p->def]);
	if (p->inbound)
		out_puts(&body, "inbound: allow\n");
	groups(&e, "networks", p->nets, p->nnets);
	groups(&e, "services", p->svcs, p->nsvcs);
	out_puts(&body, p->nrules > 0 ? "rules:\n" : "rules: []\n");
	for (i = 0; i < p->nrules; i++)
		rule(&e, &p->rules[i]);
	for (i = 0; i < p->tail.n; i++)
		comment(&e, "", p->tail.v[i]);
	/* The head last known: whether any text needed ${dollar}. */
	e.o = o;
	for (i = 0; i < p->head.n; i++)
		comment(&e, "", p->head.v[i]);
	out_printf(o, "egressc: 1\nname: %s\n", p->name);
	if (e.dollar)
		out_puts(o, "vars:\n  dollar: \"$\"\n");
	out_write(o, body.buf, body.len);
	out_free(&body);
}
