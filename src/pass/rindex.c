/*
 * rindex.c - the rules that could shadow a rule (see rindex.h).
 *
 * Per address family, every interval of every rule's destinations, sorted
 * by its low end, with a tree of the highest high end below each node: the
 * intervals that meet [lo, hi] are those of the prefix that starts at or
 * before hi, and the tree skips the parts of it that end before lo.  A
 * query costs the intervals it finds, times a logarithm.  Host names
 * without addresses (wildcards kept native, lint before a lock) are looked
 * up by name: only a rule naming the same name can take their packets.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pass/rindex.h"
#include "util/radix.h"
#include "util/strset.h"

struct span {
	u128	 lo, hi;
	size_t	 rule;
};

/*
 * An IPv4 span is one 128-bit word, its start in the low 32 bits, its end
 * in the next 32 and its rule above them: a third of the room of a span,
 * and so of what sorting them moves (at 16,000 rules 128,000 of them,
 * half the index's cost).
 */
struct ftree {
	struct span	*v;		/* sorted by lo */
	u128		*k;		/* FAM_V4: packed, sorted by lo */
	bool		 packed;
	size_t		 n, cap;
	u128		*maxhi;		/* the tree, 1-based, over v */
	size_t		 size;		/* leaves: a power of two >= n */
};

/* The rules naming one unresolved name, ascending. */
struct named {
	size_t		*v;
	size_t		 n, cap;
};

struct rindex {
	struct arena		*a;
	const struct ir		*ir;
	struct iset		(*dst)[FAM_N];	/* per rule: addresses */
	struct ftree		 t[FAM_N];
	struct strset		 names;		/* name -> index into byname */
	struct named		*byname;
	size_t			 nbyname, capbyname;
	size_t			*out;		/* the answer being built */
	size_t			 nout, capout;
	unsigned char		*mark;		/* per rule: in out already */
	/* Intervals and names looked at for this answer; past a bound the
	 * answer is every earlier rule, so the index never costs more than
	 * asking them all would. */
	size_t			 looked, most;
	bool			 all;
};

_Static_assert(offsetof(struct span, lo) == 0 &&
    sizeof(struct span) % 16 == 0, "a span sorts by its first member");

static u128
span_lo(const struct ftree *t, size_t i)
{
	return t->packed ? t->k[i] & 0xffffffffu : t->v[i].lo;
}

static u128
span_hi(const struct ftree *t, size_t i)
{
	return t->packed ? (t->k[i] >> 32) & 0xffffffffu : t->v[i].hi;
}

static size_t
span_rule(const struct ftree *t, size_t i)
{
	return t->packed ? (size_t)(t->k[i] >> 64) : t->v[i].rule;
}

static void
span_push(struct arena *a, struct ftree *t, u128 lo, u128 hi, size_t rule)
{
	if (t->packed) {
		ARENA_PUSH(a, t->k, t->n, t->cap);
		t->k[t->n - 1] = (u128)rule << 64 | hi << 32 | lo;
		return;
	}
	ARENA_PUSH(a, t->v, t->n, t->cap);
	t->v[t->n - 1] = (struct span){ lo, hi, rule };
}

static void
tree_build(struct arena *a, struct ftree *t)
{
	size_t i;

	if (t->packed)
		radix_sort(t->k, t->n, sizeof(*t->k), 32);
	else
		radix_sort(t->v, t->n, sizeof(*t->v), 128);
	for (t->size = 1; t->size < t->n; t->size *= 2)
		;
	t->maxhi = arena_alloc(a, 2 * t->size * sizeof(*t->maxhi));
	for (i = 0; i < t->n; i++)
		t->maxhi[t->size + i] = span_hi(t, i);
	for (i = t->size - 1; i >= 1; i--)
		t->maxhi[i] = t->maxhi[2 * i] > t->maxhi[2 * i + 1] ?
		    t->maxhi[2 * i] : t->maxhi[2 * i + 1];
}

static void
emit(struct rindex *x, size_t rule, size_t j)
{
	if (++x->looked > x->most)
		x->all = true;
	if (rule >= j || x->mark[rule])
		return;
	x->mark[rule] = 1;
	ARENA_PUSH(x->a, x->out, x->nout, x->capout);
	x->out[x->nout - 1] = rule;
}

/* Leaves below node (covering [l, r)) among the first m whose high end is
 * at least lo. */
static void
tree_find(struct rindex *x, const struct ftree *t, size_t node, size_t l,
    size_t r, size_t m, u128 lo, size_t j)
{
	size_t mid;

	if (l >= m || t->maxhi[node] < lo || x->nout == j || x->all)
		return;
	if (r - l == 1) {
		emit(x, span_rule(t, l), j);
		return;
	}
	mid = l + (r - l) / 2;
	tree_find(x, t, 2 * node, l, mid, m, lo, j);
	tree_find(x, t, 2 * node + 1, mid, r, m, lo, j);
}

/* Rules before j with an interval of family f meeting [lo, hi]. */
static void
query(struct rindex *x, int f, u128 lo, u128 hi, size_t j)
{
	const struct ftree *t = &x->t[f];
	size_t a = 0, b = t->n;

	if (t->n == 0 || x->nout == j || x->all)
		return;
	while (a < b) {		/* m: the first interval starting past hi */
		size_t mid = a + (b - a) / 2;

		if (span_lo(t, mid) <= hi)
			a = mid + 1;
		else
			b = mid;
	}
	tree_find(x, t, 1, 0, t->size, a, lo, j);
}

static void
add_named(struct rindex *x, const char *name, size_t rule)
{
	struct named *nd;
	size_t i;

	if (!strset_get(&x->names, name, &i)) {
		ARENA_PUSH(x->a, x->byname, x->nbyname, x->capbyname);
		i = x->nbyname - 1;
		strset_put(x->a, &x->names, name, i, NULL);
	}
	nd = &x->byname[i];
	if (nd->n > 0 && nd->v[nd->n - 1] == rule)
		return;
	ARENA_PUSH(x->a, nd->v, nd->n, nd->cap);
	nd->v[nd->n - 1] = rule;
}

static void
from_named(struct rindex *x, const char *name, size_t j)
{
	size_t i, k;

	if (x->nout == j || x->all || !strset_get(&x->names, name, &i))
		return;
	for (k = 0; k < x->byname[i].n && x->byname[i].v[k] < j &&
	    x->nout < j && !x->all; k++)
		emit(x, x->byname[i].v[k], j);
}

struct rindex *
rindex_new(struct arena *a, const struct ir *ir)
{
	struct rindex *x = arena_alloc(a, sizeof(*x));
	size_t r, k, i;
	int f;

	x->a = a;
	x->ir = ir;
	x->dst = arena_alloc(a, (ir->nrules + 1) * sizeof(*x->dst));
	x->mark = arena_alloc(a, ir->nrules + 1);
	x->t[FAM_V4].packed = true;
	for (r = 0; r < ir->nrules; r++) {
		const struct ir_rule *rule = &ir->rules[r];
		bool named = false;

		for (k = 0; k < rule->nnames; k++)
			named = named || rule->names[k].resolved;
		for (f = 0; f < FAM_N; f++) {
			struct iset *d = &x->dst[r][f];

			/* A normalised set without names' addresses to add
			 * is the rule's own, read and never changed: no
			 * copy of every destination of the policy. */
			if (!named && !rule->dst.f[f].dirty)
				*d = rule->dst.f[f];
			else {
				iset_init(d);
				iset_union(a, d, &rule->dst.f[f]);
			}
			for (k = 0; k < rule->nnames; k++)
				if (rule->names[k].resolved)
					iset_union(a, d,
					    &rule->names[k].addrs.f[f]);
			for (i = 0; i < d->n; i++)
				span_push(a, &x->t[f], d->v[i].lo, d->v[i].hi,
				    r);
		}
		for (k = 0; k < rule->nnames; k++)
			if (!rule->names[k].resolved)
				add_named(x, rule->names[k].name, r);
	}
	for (f = 0; f < FAM_N; f++)
		tree_build(a, &x->t[f]);
	return x;
}

static int
idx_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

static void	everything_before(struct rindex *, size_t);

/* Start an answer for rule j. */
static void
start(struct rindex *x, size_t j)
{
	x->nout = 0;
	x->looked = 0;
	x->most = 4 * j + 64;
	x->all = false;
}

static size_t
finish(struct rindex *x, size_t j, const size_t **out)
{
	size_t i;

	if (x->all) {
		for (i = 0; i < x->nout; i++)
			x->mark[x->out[i]] = 0;
		x->nout = 0;
		x->all = false;
		x->most = (size_t)-1;
		everything_before(x, j);
	}

	if (x->nout > 1)
		qsort(x->out, x->nout, sizeof(*x->out), idx_cmp);
	for (i = 0; i < x->nout; i++)
		x->mark[x->out[i]] = 0;
	*out = x->out;
	return x->nout;
}

static void
everything_before(struct rindex *x, size_t j)
{
	size_t i;

	for (i = 0; i < j; i++)
		emit(x, i, j);
}

/* First unresolved name of rule j, or NULL. */
static const char *
first_unresolved(const struct ir_rule *r)
{
	size_t k;

	for (k = 0; k < r->nnames; k++)
		if (!r->names[k].resolved)
			return r->names[k].name;
	return NULL;
}

/*
 * A rule that covers j has every destination address of j: the lowest of
 * them is in its addresses too.  (A name j shares with it is resolved the
 * same for both, so its addresses count as the rule's own.)  Without
 * addresses, it must name j's names; without any destination, j matches
 * nothing and every rule covers it.
 */
size_t
rindex_covering(struct rindex *x, size_t j, const size_t **out)
{
	const char *name;
	int f;

	start(x, j);
	for (f = 0; f < FAM_N; f++)
		if (x->dst[j][f].n > 0) {
			query(x, f, x->dst[j][f].v[0].lo, x->dst[j][f].v[0].lo,
			    j);
			return finish(x, j, out);
		}
	if ((name = first_unresolved(&x->ir->rules[j])) != NULL)
		from_named(x, name, j);
	else
		x->all = true;
	return finish(x, j, out);
}

/* A rule that meets j shares an address with it (so one of its intervals
 * meets one of j's) or one of its unresolved names. */
size_t
rindex_meeting(struct rindex *x, size_t j, const size_t **out)
{
	const struct ir_rule *r = &x->ir->rules[j];
	const struct iset *d;
	size_t k, i;
	int f;

	start(x, j);
	for (f = 0; f < FAM_N; f++) {
		d = &x->dst[j][f];
		for (i = 0; i < d->n && !x->all; i++)
			query(x, f, d->v[i].lo, d->v[i].hi, j);
	}
	for (k = 0; k < r->nnames && !x->all; k++)
		if (!r->names[k].resolved)
			from_named(x, r->names[k].name, j);
	return finish(x, j, out);
}
