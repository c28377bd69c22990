/*
 * iset.c - interval sets over unsigned __int128.
 *
 * A set is an array of closed intervals.  Appending (iset_add) is cheap and
 * only marks the set dirty when the new interval does not simply extend or
 * follow the last one; every operation that needs the sorted, merged form
 * normalises first.  The read-only operations take const pointers because
 * normalising does not change which numbers a set holds, so they normalise
 * a dirty set in place through a cast rather than copy it.
 */
#include <stddef.h>
#include <stdlib.h>

#include "ir/iset.h"
#include "util/radix.h"

#define U128_MAX	(~(u128)0)

void
iset_init(struct iset *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
	s->dirty = false;
}

/* Room for extra more intervals.  Arena memory is never given back, so
 * sets grow from a small start, and callers that know the final size ask
 * for it once. */
void
iset_reserve(struct arena *a, struct iset *s, size_t extra)
{
	size_t cap;

	if (s->n + extra <= s->cap)
		return;
	cap = s->cap ? s->cap * 2 : 2;
	if (cap < s->n + extra)
		cap = s->n + extra;
	s->v = arena_grow(a, s->v, s->n * sizeof(*s->v), cap * sizeof(*s->v));
	s->cap = cap;
}

static void
iset_push(struct arena *a, struct iset *s, u128 lo, u128 hi)
{
	iset_reserve(a, s, 1);
	s->n++;
	s->v[s->n - 1].lo = lo;
	s->v[s->n - 1].hi = hi;
}

void
iset_add(struct arena *a, struct iset *s, u128 lo, u128 hi)
{
	struct ival *last;

	if (lo > hi)
		return;
	if (s->n == 0 || s->dirty) {
		iset_push(a, s, lo, hi);
		return;
	}
	/* Stay normalised when the interval extends or follows the last. */
	last = &s->v[s->n - 1];
	if (lo >= last->lo && iset_touches(last->hi, lo)) {
		if (hi > last->hi)
			last->hi = hi;
		return;
	}
	if (lo > last->hi) {
		iset_push(a, s, lo, hi);
		return;
	}
	iset_push(a, s, lo, hi);
	s->dirty = true;
}

static int
ival_cmp(const void *pa, const void *pb)
{
	const struct ival *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return 0;
}

_Static_assert(offsetof(struct ival, lo) == 0 && sizeof(struct ival) == 32,
    "an interval sorts by its low end, its first member");

void
iset_norm(struct iset *s)
{
	size_t i, k;

	if (!s->dirty)
		return;
	s->dirty = false;
	if (s->n < 2)
		return;
	/* Most sets are appended in order (a sweep, a copy): sort only
	 * when they are not. */
	for (i = 1; i < s->n && ival_cmp(&s->v[i - 1], &s->v[i]) <= 0; i++)
		;
	/* By lo alone: of intervals that start together the merge below
	 * keeps the highest end, whichever comes first. */
	if (i < s->n)
		radix_sort(s->v, s->n, sizeof(s->v[0]), 128);
	k = 0;
	for (i = 1; i < s->n; i++) {
		if (iset_touches(s->v[k].hi, s->v[i].lo)) {
			if (s->v[i].hi > s->v[k].hi)
				s->v[k].hi = s->v[i].hi;
		} else
			s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

/* Normalise a set the caller passed as const: its members do not change. */
static const struct iset *
iset_ro(const struct iset *s)
{
	if (s->dirty)
		iset_norm((struct iset *)s);
	return s;
}

void
iset_copy(struct arena *a, struct iset *dst, const struct iset *src)
{
	size_t i;

	iset_ro(src);
	iset_init(dst);
	iset_reserve(a, dst, src->n);
	for (i = 0; i < src->n; i++)
		iset_push(a, dst, src->v[i].lo, src->v[i].hi);
}

void
iset_union(struct arena *a, struct iset *dst, const struct iset *src)
{
	size_t i, n = src->n;

	/* Read the count first: src may be dst itself. */
	iset_reserve(a, dst, n);
	for (i = 0; i < n; i++)
		iset_add(a, dst, src->v[i].lo, src->v[i].hi);
	iset_norm(dst);
}

void
iset_diff(struct arena *a, struct iset *dst, const struct iset *as,
    const struct iset *bs)
{
	size_t i, j, k;
	u128 cur, lo, hi;
	bool done;

	iset_ro(as);
	iset_ro(bs);
	iset_init(dst);
	j = 0;
	for (i = 0; i < as->n; i++) {
		lo = as->v[i].lo;
		hi = as->v[i].hi;
		/* b intervals wholly below this one are below every later one. */
		while (j < bs->n && bs->v[j].hi < lo)
			j++;
		cur = lo;
		done = false;
		for (k = j; k < bs->n && bs->v[k].lo <= hi; k++) {
			if (bs->v[k].lo > cur)
				iset_push(a, dst, cur, bs->v[k].lo - 1);
			if (bs->v[k].hi >= hi) {
				done = true;
				break;
			}
			cur = bs->v[k].hi + 1;
		}
		if (!done)
			iset_push(a, dst, cur, hi);
	}
}

void
iset_inter(struct arena *a, struct iset *dst, const struct iset *as,
    const struct iset *bs)
{
	size_t i = 0, j = 0;
	u128 lo, hi;

	iset_ro(as);
	iset_ro(bs);
	iset_init(dst);
	while (i < as->n && j < bs->n) {
		lo = as->v[i].lo > bs->v[j].lo ? as->v[i].lo : bs->v[j].lo;
		hi = as->v[i].hi < bs->v[j].hi ? as->v[i].hi : bs->v[j].hi;
		if (lo <= hi)
			iset_add(a, dst, lo, hi);
		if (as->v[i].hi < bs->v[j].hi)
			i++;
		else
			j++;
	}
}

bool
iset_has(const struct iset *s, u128 x)
{
	size_t lo = 0, hi, mid;

	iset_ro(s);
	hi = s->n;
	/* Find the first interval whose hi is >= x. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->v[mid].hi < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].lo <= x;
}

bool
iset_subset(const struct iset *as, const struct iset *bs)
{
	size_t i, j = 0;

	iset_ro(as);
	iset_ro(bs);
	/* b is merged, so each a interval must lie inside one b interval. */
	for (i = 0; i < as->n; i++) {
		while (j < bs->n && bs->v[j].hi < as->v[i].lo)
			j++;
		if (j == bs->n || bs->v[j].lo > as->v[i].lo ||
		    bs->v[j].hi < as->v[i].hi)
			return false;
	}
	return true;
}

bool
iset_equal(const struct iset *as, const struct iset *bs)
{
	size_t i;

	iset_ro(as);
	iset_ro(bs);
	if (as->n != bs->n)
		return false;
	for (i = 0; i < as->n; i++)
		if (as->v[i].lo != bs->v[i].lo || as->v[i].hi != bs->v[i].hi)
			return false;
	return true;
}

bool
iset_empty(const struct iset *s)
{
	return s->n == 0;
}

u128
iset_count(const struct iset *s)
{
	u128 sum = 0, w;
	size_t i;

	iset_ro(s);
	for (i = 0; i < s->n; i++) {
		w = s->v[i].hi - s->v[i].lo;
		if (w == U128_MAX || sum > U128_MAX - w - 1)
			return U128_MAX;
		sum += w + 1;
	}
	return sum;
}

bool
iset_full(const struct iset *s, u128 max)
{
	iset_ro(s);
	return s->n == 1 && s->v[0].lo == 0 && s->v[0].hi == max;
}
