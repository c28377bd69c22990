/* strset.c - a set of strings (see strset.h). */
#include <string.h>

#include "util/strset.h"

/* FNV-1a, linear probing, at most half full. */
static size_t
str_hash(const char *s)
{
	size_t h = 2166136261u;		/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

bool
strset_add(struct arena *a, struct strset *set, const char *s)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct strset big = { .cap = set->cap ? 2 * set->cap : 64 };

		big.v = arena_alloc(a, big.cap * sizeof(*big.v));
		for (i = 0; i < set->cap; i++)
			if (set->v[i] != NULL)
				strset_add(a, &big, set->v[i]);
		*set = big;
	}
	for (i = str_hash(s) & (set->cap - 1); set->v[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->v[i], s) == 0)
			return false;
	set->v[i] = s;
	set->n++;
	return true;
}

bool
strset_has(const struct strset *set, const char *s)
{
	size_t i;

	if (set->cap == 0)
		return false;
	for (i = str_hash(s) & (set->cap - 1); set->v[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->v[i], s) == 0)
			return true;
	return false;
}
