/*
 * meet.c - unit tests for the destination index (ir/meet.c): on random
 * intervals of both families and random names, every query finds exactly
 * the entries a scan of all of them finds, sorted and unique, whatever the
 * count (the implicit tree has a ragged right edge for most n).
 */
#include <stdlib.h>
#include <string.h>

#include "ir/meet.h"
#include "tap.h"

#define MAXE	300

struct ent {
	int	fam;
	u128	lo, hi;
	size_t	id;
};

static u128
rnd(unsigned *seed, u128 max)
{
	u128 x = (u128)rand_r(seed) << 32 | (unsigned)rand_r(seed);

	return x % (max + 1);
}

int
main(void)
{
	static const char *const names[] = { "a.example", "b.example",
		"c.example", "d.example" };
	struct arena *A = arena_new();
	struct meet_hits h = { 0 };
	struct ent e[MAXE];
	unsigned seed = 2026;
	int round, bad = 0, q;

	plan_lazy();
	for (round = 0; round < 400; round++) {
		struct meet_index x;
		size_t n = (size_t)rand_r(&seed) % MAXE, i, nid;
		u128 span = round % 3 == 0 ? 1000 : round % 3 == 1 ? 100000 :
		    ~(u128)0 >> 1;
		size_t nname[MAXE];

		meet_init(&x);
		nid = n / 3 + 1;
		for (i = 0; i < n; i++) {
			struct aset s;
			u128 w = rnd(&seed, span / 20 + 1);

			e[i].fam = rand_r(&seed) % 2;
			e[i].lo = rnd(&seed, span);
			e[i].hi = e[i].lo + (rand_r(&seed) % 4 ? w : 0);
			if (e[i].fam == FAM_V4 && e[i].hi > fam_max(FAM_V4))
				e[i].lo = e[i].hi = 7;
			e[i].id = (size_t)rand_r(&seed) % nid;
			aset_init(&s);
			aset_add_range(A, &s, (enum fam)e[i].fam, e[i].lo,
			    e[i].hi);
			meet_add_set(&x, e[i].id, &s);
			nname[i] = (size_t)rand_r(&seed) % 8;
			if (nname[i] < 4)
				meet_add_name(&x, e[i].id, names[nname[i]]);
		}
		meet_build(&x);
		for (q = 0; q < 20; q++) {
			int f = rand_r(&seed) % 2;
			u128 lo = rnd(&seed, span), hi = lo + rnd(&seed,
			    span / 10);
			size_t want[MAXE], nw = 0;
			size_t nm = (size_t)rand_r(&seed) % 6;
			struct aset s;
			bool seen[MAXE] = { false };

			if (f == FAM_V4 && hi > fam_max(FAM_V4))
				lo = hi = 7;
			for (i = 0; i < n; i++)
				if ((e[i].fam == f && e[i].lo <= hi &&
				    e[i].hi >= lo) ||
				    (nm < 4 && nname[i] == nm))
					seen[e[i].id] = true;
			for (i = 0; i < nid; i++)
				if (seen[i])
					want[nw++] = i;
			h.n = 0;
			aset_init(&s);
			aset_add_range(A, &s, (enum fam)f, lo, hi);
			if (q % 2)
				meet_set(&x, &s, &h);
			else
				meet_point(&x, (enum fam)f, lo, &h);
			if (nm < 4)
				meet_name(&x, names[nm], &h);
			meet_done(&h);
			if (q % 2 == 0) {
				/* A point query: only what holds lo. */
				nw = 0;
				memset(seen, 0, sizeof(seen));
				for (i = 0; i < n; i++)
					if ((e[i].fam == f && e[i].lo <= lo &&
					    e[i].hi >= lo) || (nm < 4 &&
					    nname[i] == nm))
						seen[e[i].id] = true;
				for (i = 0; i < nid; i++)
					if (seen[i])
						want[nw++] = i;
			}
			if (h.n != nw ||
			    (nw > 0 && memcmp(h.v, want, nw * sizeof(*want))))
				bad++;
		}
		meet_free(&x);
	}
	ok(bad == 0, "8000 random queries find what a scan finds (%d differ)",
	    bad);

	/* Touching closed intervals meet; one past does not. */
	{
		struct meet_index x;
		struct aset s;

		meet_init(&x);
		aset_init(&s);
		aset_add_range(A, &s, FAM_V4, 10, 20);
		meet_add_set(&x, 7, &s);
		meet_build(&x);
		h.n = 0;
		meet_point(&x, FAM_V4, 20, &h);
		ok(h.n == 1 && h.v[0] == 7, "a point at hi is inside");
		h.n = 0;
		meet_point(&x, FAM_V4, 21, &h);
		meet_point(&x, FAM_V6, 15, &h);
		ok(h.n == 0, "one past hi, or the other family, is not");
		h.n = 0;
		meet_name(&x, "none.example", &h);
		ok(h.n == 0, "no names: nothing");
		meet_free(&x);
	}
	meet_hits_free(&h);
	arena_free(A);
	return done_testing();
}
