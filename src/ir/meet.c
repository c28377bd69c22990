/*
 * meet.c - an index of rules' destinations (see meet.h).
 *
 * Intervals are kept in one array sorted by lo and read as an implicit
 * binary search tree (the layout of Heng Li's cgranges): the node of
 * level k sit at the indices whose lowest k bits are 1 and bit k is 0,
 * the root at 2^K - 1 for the deepest level K, the children of node x of
 * level k at x -/+ 2^(k-1), the leaves at the even indices.  Each node
 * also holds the largest hi of its subtree (max), so a query [lo, hi]
 * walks down only into subtrees whose max reaches lo and, the array being
 * sorted by lo, stops going right at the first node past hi.  A query
 * costs O(log n) plus the intervals it finds; building is one sort and
 * one pass per level.
 *
 * Names are a sorted array of (name, id): a binary search and a run of
 * equal names.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/meet.h"

void
meet_init(struct meet_index *x)
{
	memset(x, 0, sizeof(*x));
}

void
meet_free(struct meet_index *x)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		free(x->f[f].v);
	free(x->names);
	memset(x, 0, sizeof(*x));
}

/* Heap memory, freed by meet_free(): an index serves one pass, and the
 * arena would keep every size it grew through until the compilation
 * ends. */
#define HEAP_PUSH(v, n, cap) do {					\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? 2 * (cap) : 64;				\
		(v) = xrealloc((v), (cap) * sizeof(*(v)));		\
	}								\
	(n)++;								\
} while (0)

static void
ivx_add(struct ivx *t, u128 lo, u128 hi, size_t id)
{
	HEAP_PUSH(t->v, t->n, t->cap);
	t->v[t->n - 1].lo = lo;
	t->v[t->n - 1].hi = hi;
	t->v[t->n - 1].max = hi;
	t->v[t->n - 1].id = id;
}

void
meet_add_set(struct meet_index *x, size_t id, const struct aset *s)
{
	const struct iset *is;
	size_t i;
	int f;

	for (f = 0; f < FAM_N; f++) {
		is = &s->f[f];
		iset_norm((struct iset *)is);	/* members unchanged */
		for (i = 0; i < is->n; i++)
			ivx_add(&x->f[f], is->v[i].lo, is->v[i].hi, id);
	}
}

void
meet_add_name(struct meet_index *x, size_t id, const char *name)
{
	HEAP_PUSH(x->names, x->nnames, x->capnames);
	x->names[x->nnames - 1].name = name;
	x->names[x->nnames - 1].id = id;
}

static int
ent_cmp(const void *pa, const void *pb)
{
	const struct ivx_ent *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static int
name_cmp(const void *pa, const void *pb)
{
	const struct meet_name *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Fill in max bottom-up, level by level; last is the max of the rightmost
 * node of the level below that exists, for right children past the end. */
static void
ivx_build(struct ivx *t)
{
	struct ivx_ent *a = t->v;
	size_t n = t->n, i, x, last_i = 0;
	u128 last = 0, e;
	int k;

	t->levels = -1;
	if (n == 0)
		return;
	qsort(a, n, sizeof(*a), ent_cmp);
	for (i = 0; i < n; i += 2) {
		last_i = i;
		last = a[i].max = a[i].hi;
	}
	for (k = 1; ((size_t)1 << k) <= n; k++) {
		x = (size_t)1 << (k - 1);
		for (i = (x << 1) - 1; i < n; i += x << 2) {
			e = a[i].hi;
			if (a[i - x].max > e)
				e = a[i - x].max;
			if (i + x < n) {
				if (a[i + x].max > e)
					e = a[i + x].max;
			} else if (last > e)
				e = last;
			a[i].max = e;
		}
		last_i = (last_i >> k & 1) ? last_i - x : last_i + x;
		if (last_i < n && a[last_i].max > last)
			last = a[last_i].max;
	}
	t->levels = k - 1;
}

void
meet_build(struct meet_index *x)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		ivx_build(&x->f[f]);
	if (x->nnames > 1)
		qsort(x->names, x->nnames, sizeof(*x->names), name_cmp);
	x->built = true;
}

static void
hit(struct meet_hits *h, size_t id)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	h->v[h->n++] = id;
}

/* Every interval of t that meets [lo, hi]. */
static void
ivx_query(const struct ivx *t, u128 lo, u128 hi, struct meet_hits *h)
{
	struct {
		size_t	x;
		int	k, w;
	} st[2 * (sizeof(size_t) * 8 + 1)];
	const struct ivx_ent *a = t->v;
	size_t n = t->n, i, i0, i1, y;
	int sp = 0, k;

	if (t->levels < 0)
		return;
	st[sp].k = t->levels;
	st[sp].x = ((size_t)1 << t->levels) - 1;
	st[sp++].w = 0;
	while (sp > 0) {
		sp--;
		k = st[sp].k;
		if (k <= 3) {
			/* A small subtree: scan it in order. */
			i0 = st[sp].x >> k << k;
			i1 = i0 + ((size_t)1 << (k + 1)) - 1;
			if (i1 > n)
				i1 = n;
			for (i = i0; i < i1 && a[i].lo <= hi; i++)
				if (a[i].hi >= lo)
					hit(h, a[i].id);
		} else if (st[sp].w == 0) {
			/* Come back to this node after its left subtree. */
			y = st[sp].x - ((size_t)1 << (k - 1));
			st[sp++].w = 1;
			if (y >= n || a[y].max >= lo) {
				st[sp].k = k - 1;
				st[sp].x = y;
				st[sp++].w = 0;
			}
		} else if (st[sp].x < n && a[st[sp].x].lo <= hi) {
			i = st[sp].x;
			if (a[i].hi >= lo)
				hit(h, a[i].id);
			st[sp].k = k - 1;
			st[sp].x = i + ((size_t)1 << (k - 1));
			st[sp++].w = 0;
		}
	}
}

void
meet_set(const struct meet_index *x, const struct aset *s,
    struct meet_hits *h)
{
	const struct iset *is;
	size_t i;
	int f;

	for (f = 0; f < FAM_N; f++) {
		is = &s->f[f];
		iset_norm((struct iset *)is);	/* members unchanged */
		for (i = 0; i < is->n; i++)
			ivx_query(&x->f[f], is->v[i].lo, is->v[i].hi, h);
	}
}

void
meet_point(const struct meet_index *x, enum fam f, u128 p,
    struct meet_hits *h)
{
	ivx_query(&x->f[f], p, p, h);
}

void
meet_name(const struct meet_index *x, const char *name, struct meet_hits *h)
{
	size_t lo = 0, hi = x->nnames, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(x->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->nnames && strcmp(x->names[lo].name, name) == 0; lo++)
		hit(h, x->names[lo].id);
}

static int
id_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

void
meet_done(struct meet_hits *h)
{
	size_t i, k;

	if (h->n < 2)
		return;
	qsort(h->v, h->n, sizeof(*h->v), id_cmp);
	for (i = k = 1; i < h->n; i++)
		if (h->v[i] != h->v[k - 1])
			h->v[k++] = h->v[i];
	h->n = k;
}

void
meet_hits_free(struct meet_hits *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
