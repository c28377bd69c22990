/*
 * radix.c - unit tests for radix_sort: records of the sizes its callers
 * sort (32 and 48 bytes) and another, keys whose bytes differ anywhere in
 * the 128 bits or nowhere, many equal keys, a bits bound that leaves the
 * high bytes out, and few records (sorted by insertion), many and the
 * bound between; each against a stable insertion sort of its own.
 */
#include <stdint.h>
#include <stdlib.h>

#include "util/radix.h"
#include "tap.h"

typedef unsigned __int128 u128;

struct r32 {
	u128		key;
	uint64_t	seq, pad;
};

struct r48 {
	u128		key, other;
	uint64_t	seq, pad;
};

struct r64 {
	u128		key, other[2];
	uint64_t	seq, pad;
};

static uint64_t rnd = 88172645463325252ull;

static uint64_t
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* A key of the given shape: 0 few distinct values (many equal), 1 a
 * random 32-bit one, 2 random in all 128 bits, 3 random above a constant
 * low half. */
static u128
key(int shape)
{
	switch (shape) {
	case 0:
		return next() % 5;
	case 1:
		return (uint32_t)next();
	case 2:
		return (u128)next() << 64 | next();
	default:
		return (u128)next() << 64 | 0xdb8;
	}
}

/* The order radix_sort must give, by a stable insertion sort of the keys
 * masked to bits. */
#define CHECK(T, n, shape, bits) do {					\
	size_t n_ = (n), i, j, bad = 0;					\
	T *v = calloc(n_ + 1, sizeof(T)), *w = calloc(n_ + 1, sizeof(T)); \
	u128 mask = (bits) >= 128 ? ~(u128)0 :				\
	    (((u128)1 << (bits)) - 1);					\
									\
	for (i = 0; i < n_; i++) {					\
		v[i].key = key(shape);					\
		v[i].seq = i;						\
	}								\
	for (i = 0; i < n_; i++) {					\
		T x = v[i];						\
									\
		for (j = i; j > 0 && (w[j - 1].key & mask) >		\
		    (x.key & mask); j--)				\
			w[j] = w[j - 1];				\
		w[j] = x;						\
	}								\
	radix_sort(v, n_, sizeof(T), (bits));				\
	for (i = 0; i < n_; i++)					\
		if (v[i].seq != w[i].seq || v[i].key != w[i].key)	\
			bad++;						\
	ok(bad == 0, "%s, %d records, keys of shape %d, %d bits: the "	\
	    "stable order", #T, (int)n_, (shape), (bits));		\
	free(v);							\
	free(w);							\
} while (0)

int
main(void)
{
	int shape;

	plan_lazy();
	CHECK(struct r32, 0, 2, 128);
	CHECK(struct r32, 1, 2, 128);
	for (shape = 0; shape < 4; shape++) {
		CHECK(struct r32, 3000, shape, 128);
		CHECK(struct r48, 3000, shape, 128);
		CHECK(struct r64, 1000, shape, 128);
	}
	/* A few records are sorted by insertion: either side of the bound. */
	for (shape = 0; shape < 4; shape++) {
		CHECK(struct r32, 5, shape, 128);
		CHECK(struct r48, 32, shape, 128);
		CHECK(struct r64, 33, shape, 128);
	}
	CHECK(struct r32, 20, 2, 16);
	CHECK(struct r32, 3000, 2, 16);
	CHECK(struct r48, 3000, 1, 32);
	CHECK(struct r32, 3000, 3, 64);
	return done_testing();
}
