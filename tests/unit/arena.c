/*
 * arena.c - unit tests of the allocator under everything: every
 * allocation is zeroed, also from chunks an arena freed before (they go
 * back to a pool, cleared) and from threads; a big block keeps its bytes
 * and is zeroed beyond them as it grows to megabytes; an arena reset
 * for the next round of a loop is empty and hands out zeroes again, from
 * a chunk it kept; an arena another adopts keeps its bytes in it; an
 * output text keeps its bytes as it grows as big.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/arena.h"
#include "util/out.h"

static bool
zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Allocate and dirty some 10 MB in sizes small and big; then an arena
 * made after it was freed must hand out zeroes only.  0 when it did. */
static void *
dirty_then_fresh(void *arg)
{
	struct arena *a = arena_new();
	size_t i, n, bad = 0;
	unsigned char *p;

	(void)arg;
	for (i = 0; i < 4000; i++) {
		n = (i % 7 == 0) ? 20000 + i : 16 + i % 900;
		memset(arena_alloc(a, n), 0xa5, n);
	}
	arena_free(a);
	a = arena_new();
	for (i = 0; i < 4000; i++) {
		n = (i % 7 == 0) ? 20000 + i : 16 + i % 900;
		p = arena_alloc(a, n);
		if (!zero(p, n))
			bad++;
		memset(p, 0x5a, n);
	}
	arena_free(a);
	return (void *)(uintptr_t)bad;
}

#define BIG	(3u << 20)

int
main(void)
{
	struct arena *a;
	pthread_t th[3];
	unsigned char *p;
	struct out o;
	size_t n, i, bad = 0;
	void *r;

	plan_lazy();
	is_int((int)(uintptr_t)dirty_then_fresh(NULL), 0,
	    "a chunk freed dirty comes back zeroed");
	for (i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, dirty_then_fresh, NULL);
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], &r);
		bad += (uintptr_t)r;
	}
	is_int((int)bad, 0, "...also with three threads taking and giving");

	/* A big block grows from malloc into a mapping, in steps. */
	a = arena_new();
	p = arena_alloc(a, 20000);
	memset(p, 7, 20000);
	for (n = 20000; n < BIG; n *= 2) {
		p = arena_grow(a, p, n, 2 * n);
		if (p[0] != 7 || p[n - 1] != 7 || !zero(p + n, n))
			bad++;
		memset(p + n, 7, n);
	}
	is_int((int)bad, 0, "a big block keeps its bytes and is zeroed "
	    "beyond them as it doubles to megabytes");
	arena_free(a);

	/* A loop's scratch: dirtied, reset, used again, a hundred times. */
	a = arena_new();
	for (i = 0; i < 100; i++) {
		size_t k, used = 0;

		if (arena_used(a) != 0)
			bad++;
		for (k = 0; k < 300; k++) {
			n = k % 50 == 0 ? 30000 + k : 24 + k % 700;
			p = arena_alloc(a, n);
			if (!zero(p, n))
				bad++;
			memset(p, 0xc3, n);
			used += n;
		}
		if (arena_used(a) < used)
			bad++;
		arena_reset(a);
	}
	arena_free(a);
	is_int((int)bad, 0, "an arena reset a hundred times over is empty "
	    "each time and hands out zeroes again, small blocks and big");

	/* A reset keeps one chunk for the next round, cleared: the next
	 * small block is where the last round's first was, though another
	 * arena took from the pool in between (which hands back the chunk
	 * given last).  Not in a build with a sanitizer (ARENA_POOLED). */
	a = arena_new();
	{
		struct arena *b = arena_new();
		unsigned char *q, *p2;

		p = arena_alloc(a, 64);
		memset(p, 0xee, 64);
		arena_reset(a);
		q = arena_alloc(b, 64);
		memset(q, 0x11, 64);
		p2 = arena_alloc(a, 64);
#if ARENA_POOLED
		ok(p2 == p, "a reset arena keeps a chunk of its own");
#endif
		ok(zero(p2, 64) && q[0] == 0x11 && p2 != q,
		    "...cleared, apart from any other arena's");
		arena_free(b);
	}
	arena_free(a);

	/* A big block released early goes; a small one stays, untouched. */
	a = arena_new();
	p = arena_alloc(a, 100);
	memset(p, 5, 100);
	{
		unsigned char *q = arena_alloc(a, 200000), *q2;
		size_t before = arena_used(a);

		memset(q, 9, 200000);
		q2 = arena_alloc(a, 300000);
		arena_release(a, q);
		ok(arena_used(a) == before + 300000 - 200000,
		    "a released big block leaves the arena's count");
		arena_release(a, p);
		arena_release(a, NULL);
		ok(arena_used(a) == before + 300000 - 200000 && p[0] == 5 &&
		    p[99] == 5 && zero(q2, 300000),
		    "...a small block released stays, and so do the others");
		q = arena_grow(a, q2, 300000, 600000);
		ok(zero(q, 600000), "...which still grow");
	}
	arena_free(a);

	/* What another thread built in an arena of its own joins this one:
	 * its bytes stay, the arena goes on handing out zeroes, and the
	 * counts add up (ASan sees every chunk freed once, with a). */
	{
		struct arena *b;
		unsigned char *q, *big, *s;
		size_t before;

		a = arena_new();
		p = arena_alloc(a, 100);
		memset(p, 1, 100);
		b = arena_new();
		q = arena_alloc(b, 5000);
		memset(q, 2, 5000);
		big = arena_alloc(b, 400000);
		memset(big, 3, 400000);
		for (i = 0; i < 40; i++)
			memset(arena_alloc(b, 3000), 4, 3000);	/* chunks */
		before = arena_used(a) + arena_used(b);
		arena_adopt(a, b);
		ok(arena_used(a) == before, "an adopted arena's blocks count "
		    "as the adopter's");
		s = arena_alloc(a, 64);
		ok(p[99] == 1 && q[0] == 2 && q[4999] == 2 && big[0] == 3 &&
		    big[399999] == 3 && zero(s, 64), "...keep their bytes, "
		    "and the adopter still hands out zeroes");
		big = arena_grow(a, big, 400000, 800000);
		ok(big[399999] == 3 && zero(big + 400000, 400000),
		    "...and its big block still grows");
		arena_free(a);
		a = arena_new();
		b = arena_new();
		memset(arena_alloc(b, 700), 6, 700);
		arena_adopt(a, b);
		p = arena_alloc(a, 10);
		ok(arena_used(a) >= 710 && zero(p, 10),
		    "an empty arena adopts one, and allocates after it");
		arena_free(a);
	}

	out_init(&o);
	for (i = 0; i < BIG / 10; i++)
		out_write(&o, "0123456789", 10);
	ok(o.len == BIG / 10 * 10 && o.buf[o.len] == '\0' &&
	    memcmp(o.buf, "0123456789", 10) == 0 &&
	    memcmp(o.buf + o.len - 10, "0123456789", 10) == 0,
	    "a text grown to megabytes keeps every byte (%zu)", o.len);
	out_free(&o);
	return done_testing();
}
