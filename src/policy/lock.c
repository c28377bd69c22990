/*
 * lock.c - read, build and write the lock file (see lock.h), and give the
 * IR's host names their addresses from it.
 *
 * The format, version 1 (documented for users in egressc-policy(5)), with
 * first-seen/last-seen per address:
 *
 *	egressc-lock: 1
 *	example: true			# only in documentation locks
 *	made: 2026-11-24T12:00:00Z	# when resolve wrote it
 *	hosts:
 *	  api.heygen.com:
 *	    a: [198.18.0.10, 198.18.0.11]
 *	    aaaa: ["2001:2::10"]
 *	    ttl: 300
 *	    first-seen: 2026-11-20T12:00:00Z	# earliest of the addresses'
 *	    last-seen: 2026-11-24T12:00:00Z	# latest of the addresses'
 *	    seen:				# ADDRESS: [FIRST, LAST]
 *	      198.18.0.10: [2026-11-20T12:00:00Z, 2026-11-24T12:00:00Z]
 *	      198.18.0.11: [2026-11-24T12:00:00Z, 2026-11-24T12:00:00Z]
 *	      "2001:2::10": [2026-11-22T08:30:00Z, 2026-11-24T12:00:00Z]
 *	    by:					# ADDRESS: [DNS SERVER, ...]
 *	      198.18.0.10: [10.0.0.53, "10.1.0.53:5353"]
 *	    ptr:				# ADDRESS: [PTR NAME, ...]
 *	      198.18.0.10: [lb-1.cloud.example]
 *
 * a: and aaaa: stay plain lists of addresses, the short form a person writes
 * by hand and reads in a diff; seen:, by: and ptr: add what is known of
 * each address beside them rather than turning each address into a map.
 * On reading, an address without a seen: entry takes the host's
 * first-seen/last-seen, so a lock written by hand in the short form is
 * still valid.  The host-level stamps are derived when writing and never
 * stored apart from the addresses.  made: is absent from locks written
 * before egressc recorded it; they read as they always did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ir/ir.h"
#include "policy/lock.h"
#include "policy/yaml.h"
#include "util/arena.h"
#include "util/atomic_write.h"
#include "util/budget.h"
#include "util/diag.h"
#include "util/out.h"

static const char *const lock_keys[] = {
	"egressc-lock", "example", "made", "hosts", NULL
};
static const char *const host_keys[] = {
	"a", "aaaa", "ttl", "first-seen", "last-seen", "seen", "by", "ptr",
	NULL
};

struct lock *
lock_new(struct arena *a, const char *path)
{
	struct lock *lk = arena_alloc(a, sizeof(*lk));

	lk->file = arena_strdup(a, path);
	return lk;
}

/* Index of name in the sorted hosts, or where it would go (*found false). */
static size_t
host_index(const struct lock *lk, const char *name, bool *found)
{
	size_t lo = 0, hi = lk->nhosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(lk->hosts[mid].name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const struct lock_host *
lock_find(const struct lock *lk, const char *name)
{
	bool found;
	size_t i = host_index(lk, name, &found);

	return found ? &lk->hosts[i] : NULL;
}

static int
addr_cmp(enum fam fa, u128 a, enum fam fb, u128 b)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return a < b ? -1 : a > b;
}

struct lock_addr *
lock_host_addr(const struct lock_host *h, enum fam fam, u128 addr)
{
	size_t lo = 0, hi = h != NULL ? h->naddrs : 0;

	/* Sorted: a host of many addresses is searched, not scanned. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(h->addrs[mid].fam, h->addrs[mid].addr, fam,
		    addr);

		if (c == 0)
			return &h->addrs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct lock_host *
lock_add_host(struct arena *a, struct lock *lk, const char *name)
{
	bool found;
	size_t i = host_index(lk, name, &found);

	if (found)
		return &lk->hosts[i];
	ARENA_PUSH(a, lk->hosts, lk->nhosts, lk->caphosts);
	memmove(&lk->hosts[i + 1], &lk->hosts[i],
	    (lk->nhosts - 1 - i) * sizeof(lk->hosts[0]));
	memset(&lk->hosts[i], 0, sizeof(lk->hosts[i]));
	lk->hosts[i].name = arena_strdup(a, name);
	return &lk->hosts[i];
}

bool
lock_add_addr(struct arena *a, struct lock_host *h, enum fam fam, u128 addr,
    const char *first, const char *last)
{
	size_t i;
	int c = 1;

	for (i = 0; i < h->naddrs; i++) {
		c = addr_cmp(h->addrs[i].fam, h->addrs[i].addr, fam, addr);
		if (c >= 0)
			break;
	}
	if (i < h->naddrs && c == 0)
		return false;
	ARENA_PUSH(a, h->addrs, h->naddrs, h->capaddrs);
	memmove(&h->addrs[i + 1], &h->addrs[i],
	    (h->naddrs - 1 - i) * sizeof(h->addrs[0]));
	h->addrs[i].fam = fam;
	h->addrs[i].addr = addr;
	h->addrs[i].first_seen = first;
	h->addrs[i].last_seen = last;
	h->addrs[i].by = h->addrs[i].ptr = NULL;
	h->addrs[i].nby = h->addrs[i].nptr = 0;
	return true;
}

char *
lock_server_text(struct arena *a, enum fam fam, u128 addr, unsigned port)
{
	char buf[ADDR_STRLEN];

	addr_format(buf, fam, addr, fam_bits(fam));
	if (port == 53)
		return arena_strdup(a, buf);
	return arena_printf(a, fam == FAM_V6 ? "[%s]:%u" : "%s:%u", buf, port);
}

/* "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353" */
int
lock_server_parse(const char *s, enum fam *fam, u128 *addr, unsigned *port)
{
	const char *colon = strchr(s, ':'), *host = s, *p = NULL;
	char buf[ADDR_STRLEN], *end;
	size_t hlen = strlen(s);
	unsigned long n = 53;
	bool hostbits;
	int len;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -1;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			p = close + 2;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		p = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(buf))
		return -1;
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	if (p != NULL) {
		errno = 0;
		n = strtoul(p, &end, 10);
		if (*p < '0' || *p > '9' || *end != '\0' || errno != 0 ||
		    n == 0 || n > 65535)
			return -1;
	}
	if (strchr(buf, '/') != NULL ||
	    addr_parse(buf, fam, addr, &len, &hostbits) < 0 ||
	    (*s == '[' && *fam != FAM_V6))
		return -1;
	*port = (unsigned)n;
	return 0;
}

/* Servers in address order, then port (the text parses: lock_server_text
 * made it, or load_by checked it). */
static int
server_cmp(const void *x, const void *y)
{
	const char *const *p = x, *const *q = y;
	enum fam fa = FAM_V4, fb = FAM_V4;
	u128 aa = 0, ab = 0;
	unsigned pa = 0, pb = 0;

	lock_server_parse(*p, &fa, &aa, &pa);
	lock_server_parse(*q, &fb, &ab, &pb);
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (aa != ab)
		return aa < ab ? -1 : 1;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return strcmp(*p, *q);
}

static int
str_cmp(const void *x, const void *y)
{
	const char *const *p = x, *const *q = y;

	return strcmp(*p, *q);
}

/* A sorted copy of v without duplicates, in *out. */
static size_t
sorted_set(struct arena *a, const char *const *v, size_t n,
    int (*cmp)(const void *, const void *), bool lower, const char ***out)
{
	const char **w = arena_alloc(a, (n + 1) * sizeof(*w));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		char *s = arena_strdup(a, v[i]);

		for (char *c = s; lower && *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		w[i] = s;
	}
	if (n > 1)
		qsort(w, n, sizeof(*w), cmp);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || cmp(&w[m - 1], &w[i]) != 0)
			w[m++] = w[i];
	*out = w;
	return m;
}

void
lock_addr_set_by(struct arena *a, struct lock_addr *la,
    const char *const *servers, size_t n)
{
	la->nby = sorted_set(a, servers, n, server_cmp, false, &la->by);
}

void
lock_addr_set_ptr(struct arena *a, struct lock_addr *la,
    const char *const *names, size_t n)
{
	la->nptr = sorted_set(a, names, n, str_cmp, true, &la->ptr);
}

char *
lock_path(struct arena *a, const char *policy)
{
	size_t n = strlen(policy);

	if (n > 5 && strcmp(policy + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(policy + n - 4, ".yml") == 0)
		n -= 4;
	return arena_printf(a, "%.*s.lock", (int)n, policy);
}

/* A time stamp node; NULL after an error. */
static const char *
want_time(const struct ynode *n, const char *what)
{
	const char *s = y_want_str(n, what);
	long long t;

	if (s == NULL)
		return NULL;
	if (clock_parse_rfc3339(s, &t) < 0) {
		diag_error(&n->loc, "%s '%s' is not a UTC time like "
		    "2026-11-24T12:00:00Z (on a day that exists)", what, s);
		return NULL;
	}
	return s;
}

/* One address of a: (FAM_V4) or aaaa: (FAM_V6). */
static int
want_addr(const struct ynode *n, enum fam want, const char *what,
    enum fam *fam, u128 *addr)
{
	const char *s = y_want_str(n, what);
	bool hostbits;
	int len;

	if (s == NULL)
		return -1;
	if (addr_parse(s, fam, addr, &len, &hostbits) < 0 ||
	    len != fam_bits(*fam) || (want != FAM_N && *fam != want)) {
		diag_error(&n->loc, "'%s' is not a single %s address", s,
		    want == FAM_V4 ? "IPv4" : want == FAM_V6 ? "IPv6" : "IP");
		return -1;
	}
	return 0;
}

/* An address as read, with where it was: sorting puts the lists in
 * order, and by = its place in the file keeps duplicates' messages in
 * source order. */
struct addr_in {
	enum fam		 fam;
	u128			 addr;
	size_t			 by;
	const struct ynode	*node;
};

static int
addr_in_cmp(const void *pa, const void *pb)
{
	const struct addr_in *a = pa, *b = pb;
	int c = addr_cmp(a->fam, a->addr, b->fam, b->addr);

	if (c != 0)
		return c;
	return a->by < b->by ? -1 : a->by > b->by;
}

static int
by_cmp(const void *pa, const void *pb)
{
	const struct addr_in *a = pa, *b = pb;

	return a->by < b->by ? -1 : a->by > b->by;
}

/* Every address of a: (FAM_V4) and aaaa: (FAM_V6), in file order. */
static int
read_addrs(struct arena *a, const struct ynode *hn, struct addr_in **out,
    size_t *nout)
{
	static const struct {
		const char	*key;
		enum fam	 fam;
	} lists[] = { { "a", FAM_V4 }, { "aaaa", FAM_V6 } };
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (size_t l = 0; l < 2; l++) {
		struct ynode *ln = ymap_get(hn, lists[l].key), **items, *one;
		size_t n;

		if (ln == NULL || y_is_null(ln))
			continue;
		if (!y_want_list(ln, lists[l].key, &items, &n, &one)) {
			rc = -1;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			struct addr_in *ai;
			enum fam fam;
			u128 addr;

			if (want_addr(items[i], lists[l].fam, lists[l].key,
			    &fam, &addr) < 0) {
				rc = -1;
				continue;
			}
			if (budget_spend(&items[i]->loc, 1) < 0)
				return -1;
			ARENA_PUSH(a, *out, *nout, cap);
			ai = &(*out)[*nout - 1];
			ai->fam = fam;
			ai->addr = addr;
			ai->by = *nout - 1;
			ai->node = items[i];
		}
	}
	return rc;
}

/*
 * Read the host's a:/aaaa: lists.  Sorted once, not inserted one by one:
 * a host of 100,000 addresses must not cost 10^10 steps.
 */
static int
load_addrs(struct arena *a, struct lock_host *h, const struct ynode *hn,
    const char *first, const char *last)
{
	struct addr_in *v, *dups;
	size_t n, i, ndups = 0;
	int rc = read_addrs(a, hn, &v, &n);

	if (n > 1)
		qsort(v, n, sizeof(*v), addr_in_cmp);
	h->addrs = arena_alloc(a, (n ? n : 1) * sizeof(*h->addrs));
	h->capaddrs = n ? n : 1;
	h->naddrs = 0;
	dups = arena_alloc(a, (n ? n : 1) * sizeof(*dups));
	for (i = 0; i < n; i++) {
		struct lock_addr *la;

		if (i > 0 && addr_cmp(v[i].fam, v[i].addr, v[i - 1].fam,
		    v[i - 1].addr) == 0) {
			dups[ndups++] = v[i];
			continue;
		}
		la = &h->addrs[h->naddrs++];
		la->fam = v[i].fam;
		la->addr = v[i].addr;
		la->first_seen = first;
		la->last_seen = last;
	}
	if (ndups > 1)
		qsort(dups, ndups, sizeof(*dups), by_cmp);
	for (i = 0; i < ndups; i++) {
		diag_error(&dups[i].node->loc, "address '%s' listed twice for "
		    "host '%s'", dups[i].node->str, h->name);
		rc = -1;
	}
	return rc;
}

/* seen: { ADDRESS: [FIRST, LAST] } overrides the host-level stamps. */
static int
load_seen(struct lock_host *h, const struct ynode *sn)
{
	int rc = 0;

	if (sn == NULL || y_is_null(sn))
		return 0;
	if (!y_want_map(sn, "seen"))
		return -1;
	for (size_t i = 0; i < sn->n; i++) {
		const struct ynode *k = sn->pairs[i].key, *v = sn->pairs[i].val;
		const char *first, *last;
		struct lock_addr *la;
		enum fam fam;
		u128 addr;

		if (want_addr(k, FAM_N, "seen", &fam, &addr) < 0) {
			rc = -1;
			continue;
		}
		if ((la = lock_host_addr(h, fam, addr)) == NULL) {
			diag_error(&k->loc, "seen: address '%s' is in neither "
			    "a: nor aaaa: of host '%s'", k->str, h->name);
			rc = -1;
			continue;
		}
		if (!y_want_seq(v, "seen"))
			return -1;
		if (v->n != 2) {
			diag_error(&v->loc, "seen: '%s' wants [FIRST-SEEN, "
			    "LAST-SEEN]", k->str);
			rc = -1;
			continue;
		}
		first = want_time(v->items[0], "first-seen");
		last = want_time(v->items[1], "last-seen");
		if (first == NULL || last == NULL) {
			rc = -1;
			continue;
		}
		la->first_seen = first;
		la->last_seen = last;
	}
	return rc;
}

/* A by: entry: a DNS server as lock_server_text writes it. */
static bool
server_ok(const char *s)
{
	enum fam fam;
	u128 addr;
	unsigned port;

	return lock_server_parse(s, &fam, &addr, &port) == 0;
}

/* A ptr: entry: a name as DNS gave it, printable and without blanks. */
static bool
ptr_ok(const char *s)
{
	size_t n = strlen(s);

	for (const char *p = s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return n > 0 && n <= 255;
}

/*
 * by: { ADDRESS: [SERVER, ...] } or ptr: { ADDRESS: [NAME, ...] }: what is
 * known of an address of a: or aaaa:, each item checked by ok.
 */
static int
load_side(struct arena *a, struct lock_host *h, const struct ynode *sn,
    const char *key, bool (*ok)(const char *), const char *want)
{
	int rc = 0;

	if (sn == NULL || y_is_null(sn))
		return 0;
	if (!y_want_map(sn, key))
		return -1;
	for (size_t i = 0; i < sn->n; i++) {
		const struct ynode *k = sn->pairs[i].key, *v = sn->pairs[i].val;
		struct ynode **items, *one;
		const char **vals;
		struct lock_addr *la;
		enum fam fam;
		u128 addr;
		size_t n;

		if (want_addr(k, FAM_N, key, &fam, &addr) < 0) {
			rc = -1;
			continue;
		}
		if ((la = lock_host_addr(h, fam, addr)) == NULL) {
			diag_error(&k->loc, "%s: address '%s' is in neither a: "
			    "nor aaaa: of host '%s'", key, k->str, h->name);
			rc = -1;
			continue;
		}
		if (!y_want_list(v, key, &items, &n, &one)) {
			rc = -1;
			continue;
		}
		vals = arena_alloc(a, (n + 1) * sizeof(*vals));
		for (size_t j = 0; j < n; j++) {
			vals[j] = y_want_str(items[j], key);
			if (vals[j] == NULL)
				rc = -1;
			else if (!ok(vals[j])) {
				diag_error(&items[j]->loc, "%s: '%s' is not %s",
				    key, vals[j], want);
				rc = -1;
			}
		}
		if (rc == 0 && strcmp(key, "by") == 0)
			lock_addr_set_by(a, la, vals, n);
		else if (rc == 0)
			lock_addr_set_ptr(a, la, vals, n);
	}
	return rc;
}

static int
host_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lock_host *)a)->name,
	    ((const struct lock_host *)b)->name);
}

static int
load_host(struct arena *a, struct lock *lk, const struct ynode *key,
    const struct ynode *hn)
{
	struct lock_host *h;
	const struct ynode *n;
	const char *first = NULL, *last = NULL;
	unsigned long ttl = 0;
	int rc = 0;

	if (y_want_str(key, "host name") == NULL)
		return -1;
	if (!y_want_map(hn, key->str))
		return -1;
	if (ymap_check_keys(hn, host_keys, "lock host") < 0)
		rc = -1;
	if ((n = ymap_get(hn, "ttl")) != NULL &&
	    y_want_uint(n, "ttl", 2147483647UL, &ttl) < 0)
		rc = -1;
	if ((n = ymap_get(hn, "first-seen")) != NULL &&
	    (first = want_time(n, "first-seen")) == NULL)
		rc = -1;
	if ((n = ymap_get(hn, "last-seen")) != NULL &&
	    (last = want_time(n, "last-seen")) == NULL)
		rc = -1;
	if (budget_spend(&key->loc, BUDGET_NAME) < 0)
		return -1;
	/* Appended: lock_load sorts the hosts once they are all in. */
	ARENA_PUSH(a, lk->hosts, lk->nhosts, lk->caphosts);
	h = &lk->hosts[lk->nhosts - 1];
	memset(h, 0, sizeof(*h));
	h->name = arena_strdup(a, key->str);
	h->ttl = (unsigned)ttl;
	h->loc = key->loc;
	if (load_addrs(a, h, hn, first, last) < 0)
		rc = -1;
	if (load_seen(h, ymap_get(hn, "seen")) < 0)
		rc = -1;
	if (load_side(a, h, ymap_get(hn, "by"), "by", server_ok, "a DNS "
	    "server (ADDR, ADDR:PORT or [IPV6]:PORT)") < 0)
		rc = -1;
	if (load_side(a, h, ymap_get(hn, "ptr"), "ptr", ptr_ok, "a PTR "
	    "name (printable, no blanks, at most 255 bytes)") < 0)
		rc = -1;
	return rc;
}

struct lock *
lock_load(struct arena *a, const char *path)
{
	struct lock *lk = lock_new(a, path);
	struct ynode *root, *n;
	unsigned long version;
	struct stat st;
	int rc = 0;

	/* Absent is normal (the first resolve); unreadable is not, nor is
	 * what is not a regular file (yaml_load says so, never blocking). */
	if (stat(path, &st) < 0 && errno == ENOENT)
		return lk;
	lk->exists = true;
	if ((root = yaml_load(a, path, NULL)) == NULL)
		return NULL;
	if (!y_want_map(root, "lock file") ||
	    ymap_check_keys(root, lock_keys, "lock file") < 0)
		return NULL;
	n = ymap_get(root, "egressc-lock");
	if (n == NULL) {
		diag_error(&root->loc, "not an egressc lock file (no "
		    "'egressc-lock: 1')");
		return NULL;
	}
	if (y_want_uint(n, "egressc-lock", 1000, &version) < 0)
		return NULL;
	if (version != 1) {
		diag_error(&n->loc, "lock file version %lu is not supported "
		    "(this egressc reads version 1)", version);
		return NULL;
	}
	if ((n = ymap_get(root, "example")) != NULL &&
	    y_want_bool(n, "example", &lk->example) < 0)
		rc = -1;
	if ((n = ymap_get(root, "made")) != NULL) {
		if ((lk->made = want_time(n, "made")) == NULL)
			rc = -1;
		lk->made_loc = n->loc;
	}
	n = ymap_get(root, "hosts");
	if (n != NULL && !y_is_null(n)) {
		if (!y_want_map(n, "hosts"))
			return NULL;
		for (size_t i = 0; i < n->n; i++)
			if (load_host(a, lk, n->pairs[i].key,
			    n->pairs[i].val) < 0)
				rc = -1;
		/* The YAML reader refused a name given twice. */
		if (lk->nhosts > 1)
			qsort(lk->hosts, lk->nhosts, sizeof(*lk->hosts),
			    host_cmp);
	}
	return rc < 0 ? NULL : lk;
}

/* A host name as a YAML key: plain when nothing could misread it. */
static void
put_key(struct out *o, const char *s)
{
	static const char *const words[] = {
		"null", "true", "false", "yes", "no", "on", "off", "y", "n",
		NULL
	};
	bool plain = *s >= 'a' && *s <= 'z';

	for (const char *p = s; plain && *p != '\0'; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_';
	for (size_t i = 0; plain && words[i] != NULL; i++)
		plain = strcmp(s, words[i]) != 0;
	if (plain) {
		out_puts(o, s);
		return;
	}
	out_putc(o, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			out_printf(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			out_printf(o, "\\x%02x", *p);
		else
			out_putc(o, *p);
	}
	out_putc(o, '"');
}

/* IPv6 addresses are quoted: a plain scalar with colons reads badly. */
static void
put_addr(struct out *o, const struct lock_addr *la)
{
	char buf[ADDR_STRLEN];

	addr_format(buf, la->fam, la->addr, fam_bits(la->fam));
	out_printf(o, la->fam == FAM_V6 ? "\"%s\"" : "%s", buf);
}

/* A by: server: quoted when it holds a colon or a bracket. */
static void
put_server(struct out *o, const char *s)
{
	out_printf(o, strpbrk(s, ":[") != NULL ? "\"%s\"" : "%s", s);
}

/* by: or ptr: for the addresses that have them. */
static void
put_side(struct out *o, const struct lock_host *h, const char *key,
    bool by)
{
	bool any = false;

	for (size_t i = 0; i < h->naddrs; i++) {
		const struct lock_addr *la = &h->addrs[i];
		const char *const *v = by ? la->by : la->ptr;
		size_t n = by ? la->nby : la->nptr;

		if (n == 0)
			continue;
		if (!any)
			out_printf(o, "    %s:\n", key);
		any = true;
		out_puts(o, "      ");
		put_addr(o, la);
		out_puts(o, ": [");
		for (size_t j = 0; j < n; j++) {
			if (j > 0)
				out_puts(o, ", ");
			if (by)
				put_server(o, v[j]);
			else
				put_key(o, v[j]);
		}
		out_puts(o, "]\n");
	}
}

/* first-seen, last-seen and seen: when the addresses have stamps. */
static void
put_seen(struct out *o, const struct lock_host *h)
{
	const char *first = NULL, *last = NULL;

	/* The stamps compare as text: fixed-width UTC sorts by time. */
	for (size_t i = 0; i < h->naddrs; i++) {
		const struct lock_addr *la = &h->addrs[i];

		if (la->first_seen == NULL || la->last_seen == NULL)
			continue;
		if (first == NULL || strcmp(la->first_seen, first) < 0)
			first = la->first_seen;
		if (last == NULL || strcmp(la->last_seen, last) > 0)
			last = la->last_seen;
	}
	if (first == NULL)
		return;
	out_printf(o, "    first-seen: %s\n    last-seen: %s\n    seen:\n",
	    first, last);
	for (size_t i = 0; i < h->naddrs; i++) {
		const struct lock_addr *la = &h->addrs[i];

		if (la->first_seen == NULL || la->last_seen == NULL)
			continue;
		out_puts(o, "      ");
		put_addr(o, la);
		out_printf(o, ": [%s, %s]\n", la->first_seen, la->last_seen);
	}
}

static void
put_host(struct out *o, const struct lock_host *h)
{
	out_puts(o, "  ");
	put_key(o, h->name);
	out_puts(o, ":\n");
	for (enum fam f = FAM_V4; f < FAM_N; f++) {
		const char *sep = "";

		out_puts(o, f == FAM_V4 ? "    a: [" : "    aaaa: [");
		for (size_t i = 0; i < h->naddrs; i++) {
			if (h->addrs[i].fam != f)
				continue;
			out_puts(o, sep);
			put_addr(o, &h->addrs[i]);
			sep = ", ";
		}
		out_puts(o, "]\n");
	}
	out_printf(o, "    ttl: %u\n", h->ttl);
	put_seen(o, h);
	put_side(o, h, "by", true);
	put_side(o, h, "ptr", false);
}

void
lock_format(const struct lock *lk, struct out *o)
{
	out_puts(o,
	    "# egressc lock file: the addresses 'egressc resolve' found for\n"
	    "# the policy's host names.  Compiling reads this file, never "
	    "DNS.\n"
	    "# seen: gives each address [first-seen, last-seen] (UTC).\n"
	    "egressc-lock: 1\n");
	if (lk->example)
		out_puts(o, "# Documentation addresses, not real DNS answers.\n"
		    "example: true\n");
	if (lk->made != NULL)
		out_printf(o, "made: %s\n", lk->made);
	if (lk->nhosts == 0) {
		out_puts(o, "hosts: {}\n");
		return;
	}
	out_puts(o, "hosts:\n");
	for (size_t i = 0; i < lk->nhosts; i++)
		put_host(o, &lk->hosts[i]);
}

int
lock_write(const struct lock *lk, const char *path)
{
	struct out o;
	int rc = 0;

	out_init(&o);
	lock_format(lk, &o);
	if (atomic_write(path, o.buf, o.len, 0666) < 0) {
		diag_fail(NULL, "cannot write lock file %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	out_free(&o);
	return rc;
}
