/*
 * common.c - what every back end needs and none should write again: safe
 * comment text, rule comments, templates and the generated-file header.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/templates.h"
#include "util/atomic_write.h"

/* What each ASCII byte of a comment becomes for target be. */
static void
text_map(const struct backend *be, unsigned char *map)
{
	const char *bad = be->comment_bad ? be->comment_bad : "";
	size_t i;

	for (i = 0; i < 128; i++)
		map[i] = i < 0x20 || i == 0x7f ? ' ' : (unsigned char)i;
	map['"'] = map['\''] = map['\\'] = map['`'] = '_';
	for (; *bad != '\0'; bad++)
		if ((unsigned char)*bad >= 0x20 && (unsigned char)*bad < 0x7f)
			map[(unsigned char)*bad] = '_';
}

/* The maps of the built-in targets, made once: every rule's comment goes
 * through be_text per target, and making the map was most of its cost. */
static unsigned char text_maps[BE_MAX][128];
static pthread_once_t text_once = PTHREAD_ONCE_INIT;

static void
text_maps_make(void)
{
	size_t k;

	for (k = 0; k < BE_MAX && be_all[k] != NULL; k++)
		text_map(be_all[k], text_maps[k]);
}

const char *
be_text(const struct be_opts *o, const char *s, size_t max)
{
	size_t len = strlen(s), i, n = 0, k;
	unsigned char own[128];
	const unsigned char *map = NULL;
	char *t;

	if (max == 0)
		max = o->be->comment_max;
	pthread_once(&text_once, text_maps_make);
	for (k = 0; k < BE_MAX && be_all[k] != NULL && map == NULL; k++)
		if (be_all[k] == o->be)
			map = text_maps[k];
	if (map == NULL) {
		text_map(o->be, own);
		map = own;
	}
	t = arena_alloc(o->arena, len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char ch;

		if (c >= 0x80) {
			/* One replacement per UTF-8 character. */
			while (i + 1 < len && ((unsigned char)s[i + 1] & 0xc0)
			    == 0x80)
				i++;
			ch = '_';
		} else
			ch = (char)map[c];
		if (ch == ' ' && (n == 0 || t[n - 1] == ' '))
			continue;
		t[n++] = ch;
	}
	while (n > 0 && t[n - 1] == ' ')
		n--;
	if (max > 0 && n > max) {
		n = max;
		while (n > 0 && t[n - 1] == ' ')
			n--;
	}
	t[n] = '\0';
	return t;
}

const char *
be_rule_comment(const struct be_opts *o, const struct ir_rule *r)
{
	char buf[512], *p = buf;
	struct out s;
	const char *res;
	size_t i, n[2] = { strlen(r->name), 0 };

	/* The common case, a name and a comment, put together on the stack:
	 * this runs for every rule of every target. */
	if (r->comment != NULL)
		n[1] = strlen(r->comment);
	if (r->norigins == 0 && n[0] + n[1] + 3 <= sizeof(buf)) {
		memcpy(p, r->name, n[0]);
		p += n[0];
		if (n[1] > 0) {
			memcpy(p, ": ", 2);
			memcpy(p + 2, r->comment, n[1]);
			p += 2 + n[1];
		}
		*p = '\0';
		return be_text(o, buf, 0);
	}
	out_init(&s);
	out_puts(&s, r->name);
	if (r->comment != NULL && r->comment[0] != '\0') {
		out_puts(&s, ": ");
		out_puts(&s, r->comment);
	}
	for (i = 0; i < r->norigins; i++)
		out_printf(&s, "%s%s", i == 0 ? " (from " : ", ",
		    r->origins[i]);
	if (r->norigins > 0)
		out_putc(&s, ')');
	res = be_text(o, out_str(&s), 0);
	out_free(&s);
	return res;
}

static const char *
lookup(const char *const *vars, const char *key, size_t klen)
{
	for (; vars[0] != NULL; vars += 2)
		if (strlen(vars[0]) == klen && memcmp(vars[0], key, klen) == 0)
			return vars[1];
	return NULL;
}

/*
 * The text of templates/<name>.tmpl as built in, or, for whoever is
 * changing the templates, read from $EGRESSC_TEMPLATES/<name>.tmpl without
 * a rebuild.  NULL after diag_error().
 */
static const char *
template_text(const struct be_opts *o, const char *name)
{
	const char *dir = getenv("EGRESSC_TEMPLATES");
	const struct be_tmpl *t;
	char *path, *text, *copy;
	const char *why;

	if (dir != NULL && *dir != '\0') {
		path = arena_printf(o->arena, "%s/%s.tmpl", dir, name);
		text = read_file(path, 1024 * 1024, NULL, &why);
		if (text == NULL) {
			diag_error(NULL, "template %s: %s (EGRESSC_TEMPLATES "
			    "is set: unset it for the built-in templates)",
			    path, why);
			return NULL;
		}
		copy = arena_strdup(o->arena, text);
		free(text);
		return copy;
	}
	for (t = be_templates; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	diag_error(NULL, "template %s: not built into this egressc", name);
	return NULL;
}

/*
 * Fill the template's slots from vars.  The slot key (NULL: none) takes
 * body: the text before its first use goes to out, and the rest to *rest;
 * a second use gets a copy of body (nothing when body is NULL).  The
 * number of uses of key.
 */
static size_t
fill(const char *text, const char *const *vars, const char *key,
    const struct out *body, struct out *out, struct out *rest)
{
	const char *p, *q, *at, *val;
	size_t klen = key != NULL ? strlen(key) : 0, uses = 0;
	struct out *o = out;

	for (p = text; (at = strchr(p, '@')) != NULL; p = q + 1) {
		q = strchr(at + 1, '@');
		if (q == NULL)
			break;
		if (key != NULL && (size_t)(q - at - 1) == klen &&
		    memcmp(at + 1, key, klen) == 0) {
			out_write(o, p, (size_t)(at - p));
			if (o == rest && body != NULL)
				out_write(o, body->len ? body->buf : "",
				    body->len);
			o = rest;
			uses++;
			continue;
		}
		val = lookup(vars, at + 1, (size_t)(q - at - 1));
		if (val == NULL) {
			/* Not a slot of ours: copy the first '@' and go on. */
			out_write(o, p, (size_t)(at - p) + 1);
			q = at;
			continue;
		}
		out_write(o, p, (size_t)(at - p));
		out_puts(o, val);
	}
	out_puts(o, p);
	return uses;
}

int
be_template(const struct be_opts *o, const char *name,
    const char *const *vars, struct out *out)
{
	const char *text;

	if ((text = template_text(o, name)) == NULL)
		return -1;
	fill(text, vars, NULL, NULL, out, NULL);
	return 0;
}

int
be_template_take(const struct be_opts *o, const char *name,
    const char *const *vars, const char *key, struct out *body,
    struct out *out)
{
	struct out pre, post;
	const char *text;

	if ((text = template_text(o, name)) == NULL) {
		out_free(body);
		return -1;
	}
	out_init(&pre);
	out_init(&post);
	fill(text, vars, key, body, &pre, &post);
	if (out->len == 0 && out->spill == NULL) {
		/* The body's buffer becomes the file: the rest is appended,
		 * then room made at the front for the text before the slot
		 * (written at the end, the whole moved up over it).  Not a
		 * file's text that spills as it is written (out_spill). */
		out_free(out);
		out_puts(body, out_str(&post));
		if (pre.len > 0) {
			out_write(body, pre.buf, pre.len);
			memmove(body->buf + pre.len, body->buf,
			    body->len - pre.len);
			memcpy(body->buf, pre.buf, pre.len);
		}
		*out = *body;
		out_init(body);
	} else {
		out_puts(out, out_str(&pre));
		out_write(out, body->len ? body->buf : "", body->len);
		out_puts(out, out_str(&post));
		out_free(body);
	}
	out_free(&pre);
	out_free(&post);
	return 0;
}

int
be_template_split(const struct be_opts *o, const char *name,
    const char *const *vars, const char *key, struct out *out,
    struct out *rest)
{
	const char *text;
	size_t uses;

	out_init(rest);
	if ((text = template_text(o, name)) == NULL)
		return -1;
	if ((uses = fill(text, vars, key, NULL, out, rest)) != 1) {
		diag_error(NULL, "template %s: @%s@ is used %zu times, where "
		    "egressc writes it once", name, key, uses);
		out_free(rest);
		return -1;
	}
	return 0;
}

void
be_template_end(struct out *out, struct out *rest)
{
	out_write(out, rest->buf, rest->len);
	out_free(rest);
}

void
be_header(const struct be_opts *o, const struct ir *ir, const char *leader,
    struct out *out)
{
	const char *base = strrchr(ir->file, '/');

	base = base ? base + 1 : ir->file;
	out_printf(out, "%sGenerated by egressc %s from %s (policy %s) for %s.\n",
	    leader, EGRESSC_VERSION, be_text(o, base, 200), ir->name,
	    o->be->name);
	out_printf(out, "%sDo not edit: change the policy and compile again.\n",
	    leader);
	if (ir->description != NULL)
		out_printf(out, "%s%s\n", leader, be_text(o, ir->description,
		    200));
	if (ir->banner != NULL)
		out_printf(out, "%s%s\n", leader, be_text(o, ir->banner, 200));
	if (ir->stamp != NULL)
		out_printf(out, "%sGenerated at %s\n", leader,
		    be_text(o, ir->stamp, 64));
}

static void
be_push(struct arena *a, struct be_match **v, size_t *n, size_t *cap,
    int fam, int proto, unsigned ipp, const struct iset *ports)
{
	ARENA_PUSH(a, *v, *n, *cap);
	(*v)[*n - 1].fam = fam;
	(*v)[*n - 1].proto = proto;
	(*v)[*n - 1].ipp = ipp;
	(*v)[*n - 1].ports = ports;
}

/* The family a match of one protocol goes with: f, or the one family that
 * has it when f is both (-1); -2 when f has it not. */
static int
be_fam_of(int f, int p, unsigned ipp)
{
	bool v4 = p == BE_OTHER ? ipp_in_fam(ipp, FAM_V4) :
	    proto_in_fam((enum proto)p, FAM_V4);
	bool v6 = p == BE_OTHER ? ipp_in_fam(ipp, FAM_V6) :
	    proto_in_fam((enum proto)p, FAM_V6);

	if (f == -1)
		return v4 && v6 ? -1 : v4 ? FAM_V4 : FAM_V6;
	return (f == FAM_V4 ? v4 : v6) ? f : -2;
}

size_t
be_matches(struct arena *a, const struct ir_rule *r, unsigned caps,
    struct be_match **out)
{
	struct be_match *v = NULL;
	size_t n = 0, cap = 0, k;
	int f, p, pf, fams[FAM_N + 1], nf = 0, i;
	u128 x;

	if ((caps & BE_MIXED_FAM) && aset_fam_full(&r->dst, FAM_V4) &&
	    aset_fam_full(&r->dst, FAM_V6) && aset_fam_full(&r->src, FAM_V4) &&
	    aset_fam_full(&r->src, FAM_V6))
		fams[nf++] = -1;
	else
		for (f = 0; f < FAM_N; f++)
			if (ir_rule_in_fam(r, (enum fam)f))
				fams[nf++] = f;
	for (i = 0; i < nf; i++) {
		f = fams[i];
		if (r->svc.all) {
			be_push(a, &v, &n, &cap, f, -1, 0, NULL);
			continue;
		}
		for (p = 0; p < P_N; p++) {
			if (!svc_has_proto(&r->svc, (enum proto)p) ||
			    (pf = be_fam_of(f, p, 0)) == -2)
				continue;
			be_push(a, &v, &n, &cap, pf, p, proto_ipp[p],
			    svc_proto_full(&r->svc, (enum proto)p) ? NULL :
			    &r->svc.p[p]);
		}
		for (k = 0; k < r->svc.ipp.n; k++)
			for (x = r->svc.ipp.v[k].lo; x <= r->svc.ipp.v[k].hi;
			    x++)
				if ((pf = be_fam_of(f, BE_OTHER,
				    (unsigned)x)) != -2)
					be_push(a, &v, &n, &cap, pf, BE_OTHER,
					    (unsigned)x, NULL);
	}
	*out = v;
	return n;
}

size_t
be_chunks(struct arena *a, const struct iset *s, size_t max,
    struct iset **out)
{
	struct iset *v = NULL;
	size_t n = 0, cap = 0, used = 0, i, w;

	for (i = 0; i < s->n; i++) {
		w = s->v[i].lo == s->v[i].hi ? 1 : 2;
		if (n == 0 || used + w > max) {
			ARENA_PUSH(a, v, n, cap);
			iset_init(&v[n - 1]);
			used = 0;
		}
		iset_add(a, &v[n - 1], s->v[i].lo, s->v[i].hi);
		used += w;
	}
	for (i = 0; i < n; i++)
		iset_norm(&v[i]);
	*out = v;
	return n;
}
