/*
 * suggest.c - the did-you-mean of every "unknown" diagnostic, here rather
 * than in the YAML reader so that the front end and the back ends' option
 * check offer the same guesses.
 */
#include <string.h>

#include "util/suggest.h"

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= sizeof(row) / sizeof(row[0]) || la >= 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
suggest(const char *word, const char *const *cands)
{
	const char *best = NULL;
	size_t bd = 3, d;

	for (; *cands != NULL; cands++) {
		d = edit_distance(word, *cands);
		if (d < bd) {
			bd = d;
			best = *cands;
		}
	}
	return best;
}
