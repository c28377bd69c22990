/*
 * refresh.c - egressc refresh: what DNS answers now, put into the dynamic
 * sets of the loaded table without touching its rules or floor sets.
 *
 * A dynamic set's elements expire; this is what fills them again (beside
 * dnsmasq's nftset, which sees only the queries it forwards).  Each answer
 * goes to the dynamic set of every rule that names its host, in its
 * family, with the answer's TTL clamped to the policy's dynamic: min-ttl
 * and max-ttl as its timeout.  The sets' elements are read first, and
 * only what is new, or would expire well before the new timeout, is sent:
 * a refresh that finds nothing changed sends no element, and the batch of
 * one that does holds just the changes.  An address the floor set already
 * holds needs no element.  One batch, so a refresh is whole or not at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>

#include "nl/nl-int.h"

#define ELEMS_PER_MSG	512

/* One element to send: an address for a set, with its timeout. */
struct want {
	const struct nft_set	*set;
	u128			 addr;
	uint64_t		 timeout_ms;
};

struct rctx {
	struct arena		*a;
	const struct nft_table	*t;
	struct want		*w;
	size_t			 nw, capw;
	size_t			 unchanged;
};

static int
ans_cmp(const void *k, const void *x)
{
	return strcmp(k, ((const struct nl_answer *)x)->host);
}

static int
want_cmp(const void *x, const void *y)
{
	const struct want *a = x, *b = y;

	if (a->set != b->set)
		return strcmp(a->set->name, b->set->name);
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static int
lelem_cmp(const void *x, const void *y)
{
	const struct nl_lelem *a = x, *b = y;

	return a->key < b->key ? -1 : a->key > b->key;
}

static uint64_t
clamp_ms(const struct ir *ir, unsigned ttl)
{
	unsigned t = ttl;

	if (t < ir->dyn.min_ttl)
		t = ir->dyn.min_ttl;
	if (t > ir->dyn.max_ttl)
		t = ir->dyn.max_ttl;
	return (uint64_t)t * 1000;
}

/* Every (dynamic set, address) the answers call for, the longest timeout
 * of each, without the addresses the rule's floor holds. */
static void
collect(struct rctx *c, const struct nl_answer *ans, size_t nans)
{
	const struct ir *ir = c->t->ir;
	size_t i, h, j, k;

	for (i = 0; i < c->t->nsets; i++) {
		const struct nft_set *s = c->t->sets[i];

		if (!NFT_SET_DYNAMIC(s))
			continue;
		for (h = 0; h < s->rule->nhosts; h++) {
			const struct nl_answer *a = nans == 0 ? NULL :
			    bsearch(s->rule->hosts[h], ans, nans, sizeof(*ans),
			    ans_cmp);

			if (a == NULL)
				continue;
			for (j = 0; j < a->naddrs; j++) {
				if (a->addrs[j].fam != s->fam)
					continue;
				if (iset_has(&s->rule->dst.f[s->fam],
				    a->addrs[j].addr)) {
					c->unchanged++;
					continue;
				}
				ARENA_PUSH(c->a, c->w, c->nw, c->capw);
				c->w[c->nw - 1] = (struct want){ s,
				    a->addrs[j].addr, clamp_ms(ir, a->ttl) };
			}
		}
	}
	if (c->nw > 1)
		qsort(c->w, c->nw, sizeof(*c->w), want_cmp);
	/* One element per set and address: the longest timeout. */
	for (i = k = 0; i < c->nw; i++) {
		if (k > 0 && c->w[k - 1].set == c->w[i].set &&
		    c->w[k - 1].addr == c->w[i].addr) {
			if (c->w[i].timeout_ms > c->w[k - 1].timeout_ms)
				c->w[k - 1].timeout_ms = c->w[i].timeout_ms;
			continue;
		}
		c->w[k++] = c->w[i];
	}
	c->nw = k;
}

static bool
want_set(const char *name, void *arg)
{
	const struct nft_table *t = arg;
	size_t i;

	for (i = 0; i < t->nsets; i++)
		if (NFT_SET_DYNAMIC(t->sets[i]) &&
		    strcmp(t->sets[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * Does the kernel's element of the set already do?  It does when it has
 * at least three quarters of the new timeout left: refreshing it would
 * only move its end a little, and a timer that runs refresh more often
 * than every quarter of min-ttl renews it long before it ends.
 */
static bool
fresh(const struct nl_lset *ls, const struct want *w)
{
	struct nl_lelem key = { w->addr, 0, 0 };
	const struct nl_lelem *e;

	if (ls->ne == 0)
		return false;
	e = bsearch(&key, ls->e, ls->ne, sizeof(*ls->e), lelem_cmp);
	if (e == NULL)
		return false;
	/* No timeout of its own and none from the set: it never ends. */
	if (e->expires_ms == 0 && e->timeout_ms == 0 && ls->timeout_ms == 0)
		return true;
	return e->expires_ms >= w->timeout_ms / 4 * 3;
}

static void
put_elems(struct nl_batch *b, const char *table, const struct want *w,
    size_t n)
{
	size_t i, j;
	uint8_t key[16];
	uint32_t len = w[0].set->fam == FAM_V4 ? 4 : 16;

	for (i = 0; i < n; i += ELEMS_PER_MSG) {
		struct nftnl_set *t = nftnl_set_alloc();

		nftnl_set_set_u32(t, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(t, NFTNL_SET_TABLE, table);
		nftnl_set_set_str(t, NFTNL_SET_NAME, w[0].set->name);
		for (j = i; j < n && j < i + ELEMS_PER_MSG; j++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			nl_put_value(key, w[j].addr, len);
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT,
			    w[j].timeout_ms);
			nftnl_set_elem_add(t, e);
		}
		nl_batch_add_elems(b, t, NULL);
	}
}

/* The elements to send, in place: those the kernel's sets lack or would
 * let expire too soon, in sets the table has. */
static size_t
pick(struct rctx *c, const struct nl_live *l, size_t *absent)
{
	const struct nft_set *prev = NULL;
	const struct nl_lset *ls = NULL;
	size_t i, k;

	*absent = 0;
	for (i = k = 0; i < c->nw; i++) {
		if (c->w[i].set != prev) {
			prev = c->w[i].set;
			ls = nl_live_set(l, prev->name);
			if (ls != NULL && ls->ne > 1)
				qsort(((struct nl_lset *)ls)->e, ls->ne,
				    sizeof(*ls->e), lelem_cmp);
			*absent += ls == NULL;
		}
		if (ls == NULL)
			continue;
		if (fresh(ls, &c->w[i])) {
			c->unchanged++;
			continue;
		}
		c->w[k++] = c->w[i];
	}
	return k;
}

static void
say_elems(const struct rctx *c, size_t n, FILE *fp)
{
	char buf[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "add element inet %s %s { %s timeout %llus }\n",
		    c->t->name, c->w[i].set->name, addr_format(buf,
		    c->w[i].set->fam, c->w[i].addr, fam_bits(c->w[i].set->fam)),
		    (unsigned long long)(c->w[i].timeout_ms / 1000));
}

int
nl_refresh(const struct ir *ir, const struct nl_opts *o,
    const struct nl_answer *ans, size_t nans)
{
	struct arena *a = arena_new();
	struct nft_table t;
	struct rctx c;
	struct nl_live l;
	struct nl_sock s;
	struct nl_batch b;
	size_t n = 0, absent = 0, nsets = 0, i;
	int rc;

	if (nl_enter_netns(o->netns) < 0 || nft_model_sets(a, ir, &t) < 0) {
		arena_free(a);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.t = &t;
	if (t.ndynamic == 0) {
		printf("no dynamic sets: policy %s names no hosts\n", ir->name);
		arena_free(a);
		return 0;
	}
	collect(&c, ans, nans);
	if ((rc = nl_sock_open(&s)) < 0) {
		arena_free(a);
		return -1;
	}
	rc = nl_live_read(&s, a, t.name, want_set, &t, &l);
	if (rc == 0 && !l.exists) {
		diag_fail(NULL, "table inet %s is not loaded%s%s: run 'egressc "
		    "apply' first", t.name, o->netns ? " in network namespace "
		    : "", o->netns ? o->netns : "");
		rc = -1;
	}
	if (rc == 0) {
		n = pick(&c, &l, &absent);
		for (i = 0; i < n; i++)
			nsets += i == 0 || c.w[i].set != c.w[i - 1].set;
		if (absent > 0)
			diag_warning(NULL, "%zu dynamic set%s of policy %s %s not "
			    "in table inet %s (another --tier loaded?): their "
			    "addresses are left out", absent, absent == 1 ? "" :
			    "s", ir->name, absent == 1 ? "is" : "are", t.name);
		if (o->verbose || o->dry_run)
			say_elems(&c, n, stdout);
	}
	if (rc == 0 && n > 0 && !o->dry_run) {
		struct nl_send how = { ir->file, "the refresh", t.name, false };
		size_t j;

		nl_batch_init(&b, a, s.seq);
		nl_batch_begin(&b);
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && c.w[j].set == c.w[i].set; j++)
				;
			put_elems(&b, t.name, &c.w[i], j - i);
		}
		nl_batch_end(&b);
		rc = nl_batch_send(&s, &b, &how);
		nl_batch_free(&b);
	}
	nl_sock_close(&s);
	if (rc == 0)
		printf("%s%zu address%s in %zu set%s, %zu unchanged\n",
		    o->dry_run ? "would add " : "+", n, n == 1 ? "" : "es",
		    nsets, nsets == 1 ? "" : "s", c.unchanged);
	arena_free(a);
	return rc;
}
