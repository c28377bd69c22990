/*
 * naming.c - Aerleon's naming definitions: the def/ directory a policy's
 * names come from.
 *
 * Capirca's line format, in NAME.net and NAME.svc files:
 *
 *	RFC1918 = 10.0.0.0/8      # non-public
 *	          172.16.0.0/12
 *	INTERNAL = RFC1918
 *	DNS = 53/tcp 53/udp
 *
 * a name, '=', then values to the end of the line and on every following
 * line up to the next '='; '#' starts a comment.  And Aerleon's YAML:
 *
 *	networks: {NAME: {values: [{address: A}, {name: N}, {fqdn: F}]}}
 *	services: {NAME: [{port: 53, protocol: udp}, {name: N}]}
 *
 * Every item keeps its place, so that a name nobody defined is reported
 * where it is written.  A name defined twice is an error: Aerleon reads the
 * files in the order the directory lists them and the last one wins, which
 * is not an order anyone chose.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import/aerleon.h"
#include "policy/yaml.h"
#include "util/atomic_write.h"
#include "util/suggest.h"

enum { UNSEEN, VISITING, DONE };

static const char *const top_keys[] = { "networks", "services", NULL };
static const char *const net_keys[] = { "values", "comment", NULL };
static const char *const netitem_keys[] = {
	"address", "name", "fqdn", "comment", NULL
};
static const char *const svcitem_keys[] = {
	"port", "protocol", "name", "comment", NULL
};

static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;		/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of name in ix, or of the empty slot it would take. */
static size_t *
slot_of(const struct aer_index *ix, const struct aer_def *v, const char *name)
{
	size_t i;

	for (i = name_hash(name) & (ix->cap - 1); ix->slot[i] != 0;
	    i = (i + 1) & (ix->cap - 1))
		if (strcmp(v[ix->slot[i] - 1].name, name) == 0)
			break;
	return &ix->slot[i];
}

/* Index v[n - 1], the table at most half full. */
static void
index_add(struct arena *a, struct aer_index *ix, const struct aer_def *v,
    size_t n)
{
	size_t i;

	if (2 * n > ix->cap) {
		struct aer_index big;

		big.cap = ix->cap ? 2 * ix->cap : 64;
		big.slot = arena_alloc(a, big.cap * sizeof(*big.slot));
		for (i = 0; i < n - 1; i++)
			*slot_of(&big, v, v[i].name) = i + 1;
		*ix = big;
	}
	*slot_of(ix, v, v[n - 1].name) = n;
}

static struct aer_def *
find(struct aer_def *v, const struct aer_index *ix, const char *name)
{
	size_t *sl;

	if (ix->cap == 0)
		return NULL;
	sl = slot_of(ix, v, name);
	return *sl != 0 ? &v[*sl - 1] : NULL;
}

/* The nearest defined name, for a did-you-mean (once errors are past
 * what is shown, nobody reads it: not worth its time). */
static const char *
nearest(struct aer_def *v, size_t n, const char *name)
{
	const char **cand;
	const char *near;
	size_t i;

	if (diag_errors() >= DIAG_MAX_ERRORS ||
	    (cand = malloc((n + 1) * sizeof(*cand))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		cand[i] = v[i].name;
	cand[n] = NULL;
	near = suggest(name, cand);
	free(cand);
	return near;
}

struct aer_def *
aer_net_find(struct aer_names *nm, const char *name, const char **near)
{
	struct aer_def *d = find(nm->net, &nm->inet, name);

	if (near != NULL)
		*near = d == NULL ? nearest(nm->net, nm->nnet, name) : NULL;
	return d;
}

struct aer_def *
aer_svc_find(struct aer_names *nm, const char *name, const char **near)
{
	struct aer_def *d = find(nm->svc, &nm->isvc, name);

	if (near != NULL)
		*near = d == NULL ? nearest(nm->svc, nm->nsvc, name) : NULL;
	return d;
}

/* A new definition, or NULL (said why) when the name has one. */
static struct aer_def *
def_new(struct arena *a, struct aer_names *nm, bool svc, const char *name,
    const struct loc *loc)
{
	struct aer_def **v = svc ? &nm->svc : &nm->net;
	size_t *n = svc ? &nm->nsvc : &nm->nnet;
	size_t *cap = svc ? &nm->capsvc : &nm->capnet;
	struct aer_index *ix = svc ? &nm->isvc : &nm->inet;
	struct aer_def *d = find(*v, ix, name);
	struct diag *dg;

	if (d != NULL) {
		dg = diag_new(DIAG_ERROR, loc, "%s '%s' is defined twice",
		    svc ? "service" : "network", name);
		diag_also(dg, &d->loc, "first defined here");
		diag_emit(dg);
		return NULL;
	}
	ARENA_PUSH(a, *v, *n, *cap);
	d = &(*v)[*n - 1];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->loc = *loc;
	index_add(a, ix, *v, *n);
	return d;
}

/* "53/tcp", "1024-65535/udp" into it; -1 (said why) when it is none. */
static int
port_item(struct aer_item *it, struct arena *a)
{
	const char *slash = strchr(it->text, '/');
	char *end;
	unsigned long lo, hi;
	char *proto;

	if (slash == NULL || slash == it->text || slash[1] == '\0')
		goto bad;
	lo = strtoul(it->text, &end, 10);
	hi = lo;
	if (end == it->text)
		goto bad;
	if (*end == '-') {
		const char *h = end + 1;

		hi = strtoul(h, &end, 10);
		if (end == h)
			goto bad;
	}
	if (end != slash || lo > hi || hi > 65535)
		goto bad;
	proto = arena_strdup(a, slash + 1);
	for (char *p = proto; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	it->kind = AER_I_PORT;
	it->proto = proto;
	it->lo = (unsigned)lo;
	it->hi = (unsigned)hi;
	return 0;
bad:
	diag_error(&it->loc, "'%s' is not PORT/PROTOCOL or LO-HI/PROTOCOL",
	    it->text);
	return -1;
}

static int
item_add(struct arena *a, struct aer_def *d, bool svc, enum aer_ikind kind,
    const char *text, const struct loc *loc)
{
	struct aer_item *it;
	enum fam fam;
	u128 addr;
	int len;
	bool hostbits;

	ARENA_PUSH(a, d->items, d->n, d->cap);
	it = &d->items[d->n - 1];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->text = text;
	it->loc = *loc;
	if (kind != AER_I_NAME)
		return 0;
	if (svc && strchr(text, '/') != NULL && port_item(it, a) < 0) {
		d->n--;		/* said why; not a name to look for */
		return -1;
	}
	if (svc)
		return 0;
	/* Aerleon takes what parses as an address for one. */
	if (addr_parse(text, &fam, &addr, &len, &hostbits) == 0)
		it->kind = AER_I_ADDR;
	return 0;
}

/* One line of a .net or .svc file: "NAME = values" or more values. */
static int
line_of(struct arena *a, struct aer_names *nm, bool svc, const char *path,
    int lineno, char *line, struct aer_def **cur)
{
	char *hash = strchr(line, '#'), *eq, *p, *e;
	struct loc l = { path, lineno, 1 };
	int rc = 0;

	if (hash != NULL)
		*hash = '\0';
	p = line;
	if ((eq = strchr(line, '=')) != NULL) {
		*eq = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = eq;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		l.col = (int)(p - line) + 1;
		if (*p == '\0' || strpbrk(p, " \t") != NULL) {
			diag_error(&l, "'%s' is not a name to define", p);
			*cur = arena_alloc(a, sizeof(**cur));
			(*cur)->name = "";
			return -1;
		}
		*cur = def_new(a, nm, svc, arena_strdup(a, p), &l);
		if (*cur == NULL) {
			/* Its values go nowhere, not to the name before. */
			*cur = arena_alloc(a, sizeof(**cur));
			(*cur)->name = "";
			rc = -1;
		}
		p = eq + 1;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0')
			return rc;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != '\r'; e++)
			;
		l.col = (int)(p - line) + 1;
		if (*cur == NULL) {
			if (eq == NULL)
				diag_error(&l, "a value before any NAME =");
			return -1;
		}
		if (item_add(a, *cur, svc, AER_I_NAME, arena_strndup(a, p,
		    (size_t)(e - p)), &l) < 0)
			rc = -1;
		p = e;
	}
}

static int
read_lines(struct arena *a, struct aer_names *nm, bool svc, const char *path)
{
	size_t len;
	const char *why = NULL;
	char *text = read_file(path, AER_MAX_FILE, &len, &why), *p, *nl;
	struct aer_def *cur = NULL;
	int lineno = 0, rc = 0;

	if (text == NULL) {
		diag_error(NULL, "%s: %s", path, why != NULL ? why :
		    strerror(errno));
		return -1;
	}
	diag_source(path, text, len);
	if (memchr(text, '\0', len) != NULL ||
	    yaml_utf8_invalid((unsigned char *)text, len) >= 0) {
		diag_error(NULL, "%s: not UTF-8 text", path);
		free(text);
		return -1;
	}
	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (nl == NULL)
			nl = text + len;
		*nl = '\0';
		lineno++;
		if (line_of(a, nm, svc, path, lineno, p, &cur) < 0)
			rc = -1;
	}
	free(text);
	return rc;
}

/* The text of a scalar item field, or NULL (said why). */
static const char *
field(const struct ynode *m, const char *key)
{
	const struct ynode *v = ymap_get(m, key);

	return v == NULL ? NULL : y_want_str(v, key);
}

static int
yaml_net(struct arena *a, struct aer_def *d, const struct ynode *list)
{
	static const char *const kinds[] = { "address", "name", "fqdn" };
	const struct ynode *it, *v = NULL;
	const char *s;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < list->n; i++) {
		it = list->items[i];
		if (it->kind == Y_SCALAR && !y_is_null(it)) {
			item_add(a, d, false, AER_I_NAME, it->str, &it->loc);
			continue;
		}
		if (!y_want_map(it, "a network item") ||
		    ymap_check_keys(it, netitem_keys, "a network item") < 0) {
			rc = -1;
			continue;
		}
		for (k = 0; k < 3; k++)
			if ((v = ymap_get(it, kinds[k])) != NULL)
				break;
		if (k == 3) {
			diag_error(&it->loc, "a network item holds address:, "
			    "name: or fqdn:");
			rc = -1;
			continue;
		}
		if ((s = y_want_str(v, kinds[k])) == NULL) {
			rc = -1;
			continue;
		}
		item_add(a, d, false, k == 2 ? AER_I_FQDN : AER_I_NAME, s,
		    &v->loc);
		if (k == 1)
			d->items[d->n - 1].kind = AER_I_NAME;
		else if (k == 0 && d->items[d->n - 1].kind != AER_I_ADDR) {
			diag_error(&v->loc, "'%s' is not an address", s);
			rc = -1;
		}
	}
	return rc;
}

static int
yaml_svc(struct arena *a, struct aer_def *d, const struct ynode *list)
{
	const struct ynode *it, *v;
	const char *port, *proto;
	size_t i;
	int rc = 0;

	for (i = 0; i < list->n; i++) {
		it = list->items[i];
		if (it->kind == Y_SCALAR && !y_is_null(it)) {
			item_add(a, d, true, AER_I_NAME, it->str, &it->loc);
			continue;
		}
		if (!y_want_map(it, "a service item") ||
		    ymap_check_keys(it, svcitem_keys, "a service item") < 0) {
			rc = -1;
			continue;
		}
		if ((v = ymap_get(it, "name")) != NULL) {
			if ((port = field(it, "name")) == NULL ||
			    strchr(port, '/') != NULL) {
				if (port != NULL)
					diag_error(&v->loc, "'%s' is not a "
					    "service name", port);
				rc = -1;
			} else
				item_add(a, d, true, AER_I_NAME, port,
				    &v->loc);
			continue;
		}
		v = ymap_get(it, "port");
		if (v == NULL || ymap_get(it, "protocol") == NULL) {
			diag_error(&it->loc, "a service item holds port: and "
			    "protocol:, or name:");
			rc = -1;
			continue;
		}
		if ((port = field(it, "port")) == NULL ||
		    (proto = field(it, "protocol")) == NULL ||
		    item_add(a, d, true, AER_I_NAME, arena_printf(a, "%s/%s",
		    port, proto), &v->loc) < 0)
			rc = -1;
	}
	return rc;
}

static int
read_yaml(struct arena *a, struct aer_names *nm, const char *path)
{
	const struct ynode *root = yaml_load(a, path, NULL), *sec, *v;
	struct aer_def *d;
	size_t s, i;
	int rc = 0;

	if (root == NULL)
		return -1;
	if (y_is_null(root))
		return 0;
	if (!y_want_map(root, "a naming file") ||
	    ymap_check_keys(root, top_keys, "a naming file") < 0)
		return -1;
	for (s = 0; s < 2; s++) {
		if ((sec = ymap_get(root, top_keys[s])) == NULL)
			continue;
		if (!y_want_map(sec, top_keys[s])) {
			rc = -1;
			continue;
		}
		for (i = 0; i < sec->n; i++) {
			const struct ynode *k = sec->pairs[i].key;

			v = sec->pairs[i].val;
			if ((d = def_new(a, nm, s == 1, k->str, &k->loc)) ==
			    NULL) {
				rc = -1;
				continue;
			}
			if (s == 1) {
				if (!y_want_seq(v, "a service") ||
				    yaml_svc(a, d, v) < 0)
					rc = -1;
				continue;
			}
			if (!y_want_map(v, "a network") ||
			    ymap_check_keys(v, net_keys, "a network") < 0) {
				rc = -1;
				continue;
			}
			if (ymap_get(v, "values") == NULL) {
				diag_error(&v->loc, "network '%s' has no "
				    "values:", d->name);
				rc = -1;
			} else if (!y_want_seq(ymap_get(v, "values"),
			    "values") || yaml_net(a, d, ymap_get(v, "values")) <
			    0)
				rc = -1;
		}
	}
	return rc;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool
ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

int
aer_names_load(struct arena *a, const char *dir, struct aer_names *nm)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	const char **files = NULL, *path;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	memset(nm, 0, sizeof(*nm));
	nm->dir = dir;
	if (dp == NULL) {
		diag_error(NULL, "--defs %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL)
		if (ends(de->d_name, ".net") || ends(de->d_name, ".svc") ||
		    ends(de->d_name, ".yaml") || ends(de->d_name, ".yml")) {
			ARENA_PUSH(a, files, n, cap);
			files[n - 1] = arena_strdup(a, de->d_name);
		}
	closedir(dp);
	/* The directory's order is nobody's choice; sorted, errors and
	 * their order are the same on every machine. */
	if (n > 0)
		qsort(files, n, sizeof(*files), by_name);
	for (i = 0; i < n; i++) {
		path = arena_printf(a, "%s/%s", dir, files[i]);
		if (ends(path, ".net") || ends(path, ".svc")) {
			if (read_lines(a, nm, ends(path, ".svc"), path) < 0)
				rc = -1;
		} else if (read_yaml(a, nm, path) < 0)
			rc = -1;
	}
	if (rc == 0 && n == 0) {
		diag_error(NULL, "--defs %s: no .net, .svc or .yaml "
		    "definitions", dir);
		rc = -1;
	}
	return rc;
}

/* The name an item names, or NULL (said why: undefined). */
static struct aer_def *
named(struct aer_names *nm, const struct aer_item *it, bool svc)
{
	const char *near;
	struct aer_def *d = svc ? aer_svc_find(nm, it->text, &near) :
	    aer_net_find(nm, it->text, &near);

	if (d != NULL)
		return d;
	if (near != NULL)
		diag_error(&it->loc, "%s '%s' is not defined in %s; did you "
		    "mean '%s'?", svc ? "service" : "network", it->text,
		    nm->dir, near);
	else
		diag_error(&it->loc, "%s '%s' is not defined in %s", svc ?
		    "service" : "network", it->text, nm->dir);
	return NULL;
}

/* Definitions naming definitions nest at most this deep: a chain of a
 * million is refused, not followed to the end of the stack. */
#define MAX_NEST	64

/* Flatten d and what it names, with the cycle check. */
static int
resolve(struct arena *a, struct aer_names *nm, struct aer_def *d, bool svc,
    int depth)
{
	struct aer_def *c;
	enum fam fam;
	u128 addr;
	int len;
	bool hostbits, bad = false;
	size_t i, k;

	if (d->state == DONE)
		return d->bad ? -1 : 0;
	if (d->state == VISITING) {
		diag_error(&d->loc, "%s '%s' contains itself", svc ?
		    "service" : "network", d->name);
		return -1;
	}
	if (depth > MAX_NEST) {
		diag_error(&d->loc, "%s '%s': definitions nest more than %d "
		    "deep", svc ? "service" : "network", d->name, MAX_NEST);
		d->state = DONE;
		d->bad = true;
		return -1;
	}
	d->state = VISITING;
	aset_init(&d->addrs);
	for (i = 0; i < d->n; i++) {
		const struct aer_item *it = &d->items[i];

		switch (it->kind) {
		case AER_I_ADDR:
			addr_parse(it->text, &fam, &addr, &len, &hostbits);
			aset_add_prefix(a, &d->addrs, fam, addr, len);
			break;
		case AER_I_FQDN:
			if (d->fqdn == NULL)
				d->fqdn = &it->loc;
			break;
		case AER_I_PORT:
			ARENA_PUSH(a, d->ports, d->nports, d->capports);
			d->ports[d->nports - 1].proto = it->proto;
			d->ports[d->nports - 1].lo = it->lo;
			d->ports[d->nports - 1].hi = it->hi;
			break;
		case AER_I_NAME:
			if ((c = named(nm, it, svc)) == NULL ||
			    resolve(a, nm, c, svc, depth + 1) < 0) {
				bad = true;
				break;
			}
			aset_union(a, &d->addrs, &c->addrs);
			if (d->fqdn == NULL)
				d->fqdn = c->fqdn;
			for (k = 0; k < c->nports; k++) {
				ARENA_PUSH(a, d->ports, d->nports,
				    d->capports);
				d->ports[d->nports - 1] = c->ports[k];
			}
			break;
		}
	}
	aset_norm(&d->addrs);
	d->state = DONE;
	d->bad = bad;
	return bad ? -1 : 0;
}

int
aer_net_resolve(struct arena *a, struct aer_names *nm, struct aer_def *d)
{
	return resolve(a, nm, d, false, 0);
}

int
aer_svc_resolve(struct arena *a, struct aer_names *nm, struct aer_def *d)
{
	return resolve(a, nm, d, true, 0);
}
