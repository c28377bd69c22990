/* radix.c - stable radix sort by a 128-bit key (see radix.h). */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/radix.h"

#define DIGITS	16	/* bytes of the key */

static inline unsigned
digit(const unsigned char *rec, int d)
{
	unsigned __int128 k;

	memcpy(&k, rec, sizeof(k));
	return (unsigned)(k >> (8 * d)) & 255;
}

/* Copy one record: sizes the callers have as constants, so the compiler
 * moves them without a call. */
static inline void
move(unsigned char *dst, const unsigned char *src, size_t size)
{
	switch (size) {
	case 32:
		memcpy(dst, src, 32);
		break;
	case 48:
		memcpy(dst, src, 48);
		break;
	default:
		memcpy(dst, src, size);
		break;
	}
}

/*
 * A few records, as a run of rules of alternating verdicts has: by
 * insertion, the same stable order without the counts (16 of 256 words,
 * cleared) that a radix pass needs.
 */
#define SMALL	32
#define SMALL_REC	256	/* bytes: the largest record sorted so */

static void
small_sort(void *v, size_t n, size_t size, int nd)
{
	unsigned char *p = v, x[SMALL_REC];
	unsigned __int128 mask = nd >= DIGITS ? ~(unsigned __int128)0 :
	    ((unsigned __int128)1 << (8 * nd)) - 1, kx, kj;
	size_t i, j;

	for (i = 1; i < n; i++) {
		memcpy(x, p + i * size, size);
		memcpy(&kx, x, sizeof(kx));
		kx &= mask;
		for (j = i; j > 0; j--) {
			memcpy(&kj, p + (j - 1) * size, sizeof(kj));
			if ((kj & mask) <= kx)
				break;
			move(p + j * size, p + (j - 1) * size, size);
		}
		move(p + j * size, x, size);
	}
}

void
radix_sort(void *v, size_t n, size_t size, int bits)
{
	size_t (*c)[256], i, b, sum, at;
	unsigned char *src = v, *dst, *tmp, *sw;
	int d, nd = bits / 8;

	if (n < 2 || nd <= 0)
		return;
	if (nd > DIGITS)
		nd = DIGITS;
	if (n <= SMALL && size <= SMALL_REC) {
		small_sort(v, n, size, nd);
		return;
	}
	/* Every digit's counts in one pass: they do not change as the
	 * records move. */
	c = xmalloc(DIGITS * sizeof(*c));
	memset(c, 0, DIGITS * sizeof(*c));
	for (i = 0; i < n; i++) {
		unsigned __int128 k;

		memcpy(&k, src + i * size, sizeof(k));
		for (d = 0; d < nd; d++, k >>= 8)
			c[d][(unsigned)k & 255]++;
	}
	tmp = xmalloc(n * size);
	dst = tmp;
	for (d = 0; d < nd; d++) {
		if (c[d][digit(src, d)] == n)
			continue;	/* every record has this byte */
		for (b = 0, sum = 0; b < 256; b++) {
			size_t k = c[d][b];

			c[d][b] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++) {
			at = c[d][digit(src + i * size, d)]++;
			move(dst + at * size, src + i * size, size);
		}
		sw = src, src = dst, dst = sw;
	}
	if (src != (unsigned char *)v)
		memcpy(v, src, n * size);
	free(tmp);
	free(c);
}
