/*
 * iset.c - unit tests for interval sets: merging, the edges of the 128-bit
 * space, diff and intersection shapes, and a fixed-seed property check of
 * every operation against a bitmap over a small universe.
 */
#include <stdint.h>

#include "ir/iset.h"
#include "tap.h"

#define MAX	(~(u128)0)
#define UNIV	64	/* property-check universe: 0..UNIV-1 */

static struct arena *A;

/* Does s hold exactly the intervals given as lo,hi pairs? */
static bool
shape(struct iset *s, size_t n, const unsigned long long *lh)
{
	size_t i;

	iset_norm(s);
	if (s->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (s->v[i].lo != lh[2 * i] || s->v[i].hi != lh[2 * i + 1])
			return false;
	return true;
}

static void
test_basic(void)
{
	struct iset s, t, d;

	iset_init(&s);
	ok(iset_empty(&s), "new set is empty");
	is_int((unsigned long long)iset_count(&s), 0, "empty count 0");
	ok(!iset_has(&s, 0), "empty holds nothing");

	iset_add(A, &s, 10, 20);
	iset_add(A, &s, 21, 30);	/* adjacent */
	ok(shape(&s, 1, (unsigned long long[]){ 10, 30 }),
	    "adjacent intervals merge");
	iset_add(A, &s, 0, 5);
	iset_add(A, &s, 3, 12);		/* overlaps both */
	ok(shape(&s, 1, (unsigned long long[]){ 0, 30 }),
	    "overlapping out-of-order intervals merge");
	iset_add(A, &s, 40, 50);
	iset_add(A, &s, 32, 35);
	ok(shape(&s, 3, (unsigned long long[]){ 0, 30, 32, 35, 40, 50 }),
	    "a gap of one keeps intervals apart");
	ok(iset_has(&s, 0) && iset_has(&s, 30) && !iset_has(&s, 31) &&
	    iset_has(&s, 32) && iset_has(&s, 50) && !iset_has(&s, 51) &&
	    !iset_has(&s, 36), "has: edges and gaps");
	is_int((unsigned long long)iset_count(&s), 31 + 4 + 11, "count");

	iset_add(A, &s, 5, 1);
	is_int(s.n, 3, "an inverted interval adds nothing");

	/* diff splits an interval in the middle */
	iset_init(&s);
	iset_add(A, &s, 0, 100);
	iset_init(&t);
	iset_add(A, &t, 40, 60);
	iset_diff(A, &d, &s, &t);
	ok(shape(&d, 2, (unsigned long long[]){ 0, 39, 61, 100 }),
	    "diff splits an interval in the middle");
	iset_diff(A, &d, &t, &s);
	ok(iset_empty(&d), "diff of a subset is empty");
	iset_diff(A, &d, &s, &s);
	ok(iset_empty(&d), "diff of a set with itself is empty");
	ok(iset_subset(&t, &s) && !iset_subset(&s, &t), "subset");
	iset_inter(A, &d, &s, &t);
	ok(iset_equal(&d, &t), "inter with a subset is the subset");
}

static void
test_edges(void)
{
	struct iset s, t, d, full;

	iset_init(&full);
	iset_add(A, &full, 0, MAX);
	ok(iset_full(&full, MAX), "[0, max] is full");
	ok(iset_has(&full, 0) && iset_has(&full, MAX), "full has 0 and max");
	ok(iset_count(&full) == MAX, "count of the whole space saturates");

	iset_init(&s);
	iset_add(A, &s, MAX, MAX);
	iset_add(A, &s, 0, 0);
	ok(shape(&s, 2, (unsigned long long[]){ 0, 0, 0, 0 }) == false &&
	    s.n == 2 && s.v[0].lo == 0 && s.v[1].hi == MAX,
	    "0 and max kept as two points");
	ok(iset_count(&s) == 2, "count of {0, max} is 2");
	iset_add(A, &s, 1, MAX - 1);
	ok(iset_full(&s, MAX), "filling the middle makes the space full");

	iset_init(&t);
	iset_add(A, &t, MAX, MAX);
	iset_diff(A, &d, &full, &t);
	ok(d.n == 1 && d.v[0].lo == 0 && d.v[0].hi == MAX - 1,
	    "diff of max from the whole space");
	iset_init(&t);
	iset_add(A, &t, 0, 0);
	iset_diff(A, &d, &full, &t);
	ok(d.n == 1 && d.v[0].lo == 1 && d.v[0].hi == MAX,
	    "diff of 0 from the whole space");
	iset_diff(A, &d, &full, &full);
	ok(iset_empty(&d), "whole space minus itself is empty");
	ok(!iset_full(&d, MAX), "empty is not full");

	iset_init(&s);
	iset_add(A, &s, 0, 65535);
	ok(iset_full(&s, 65535) && !iset_full(&s, 65536),
	    "full is relative to the given max");
}

/* A tiny xorshift generator: fixed seed, same run every time. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
random_set(struct iset *s, uint64_t *bits)
{
	int i, k = rnd(6);
	unsigned lo, hi;

	iset_init(s);
	*bits = 0;
	for (i = 0; i < k; i++) {
		lo = rnd(UNIV);
		hi = lo + rnd(12);
		if (hi >= UNIV)
			hi = UNIV - 1;
		iset_add(A, s, lo, hi);
		for (; lo <= hi; lo++)
			*bits |= 1ull << lo;
	}
}

static uint64_t
to_bits(struct iset *s)
{
	uint64_t b = 0;
	size_t i;
	unsigned x;

	for (i = 0; i < s->n; i++)
		for (x = (unsigned)s->v[i].lo; x <= (unsigned)s->v[i].hi; x++)
			b |= 1ull << x;
	return b;
}

/* Sorted, disjoint and non-adjacent. */
static bool
canonical(const struct iset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].lo > s->v[i].hi)
			return false;
		if (i > 0 && s->v[i].lo <= s->v[i - 1].hi + 1)
			return false;
	}
	return true;
}

static void
test_property(void)
{
	struct iset a, b, d, u;
	uint64_t ab, bb;
	int iter, bad = 0, x;

	for (iter = 0; iter < 2000 && bad < 5; iter++) {
		random_set(&a, &ab);
		random_set(&b, &bb);
		iset_norm(&a);
		if (!canonical(&a) || to_bits(&a) != ab) {
			bad++;
			diag("iter %d: norm", iter);
		}
		iset_diff(A, &d, &a, &b);
		if (!canonical(&d) || to_bits(&d) != (ab & ~bb)) {
			bad++;
			diag("iter %d: diff", iter);
		}
		iset_inter(A, &d, &a, &b);
		if (!canonical(&d) || to_bits(&d) != (ab & bb)) {
			bad++;
			diag("iter %d: inter", iter);
		}
		iset_copy(A, &u, &a);
		iset_union(A, &u, &b);
		if (!canonical(&u) || to_bits(&u) != (ab | bb)) {
			bad++;
			diag("iter %d: union", iter);
		}
		if (iset_subset(&a, &b) != ((ab & ~bb) == 0) ||
		    iset_equal(&a, &b) != (ab == bb) ||
		    iset_empty(&a) != (ab == 0) ||
		    iset_count(&a) != (u128)__builtin_popcountll(ab) ||
		    iset_full(&a, UNIV - 1) != (ab == ~0ull)) {
			bad++;
			diag("iter %d: predicates", iter);
		}
		for (x = 0; x < UNIV; x++)
			if (iset_has(&b, x) != !!(bb >> x & 1)) {
				bad++;
				diag("iter %d: has %d", iter, x);
				break;
			}
	}
	ok(bad == 0, "2000 random pairs agree with a bitmap model");
}

int
main(void)
{
	plan_lazy();
	A = arena_new();
	test_basic();
	test_edges();
	test_property();
	arena_free(A);
	return done_testing();
}
