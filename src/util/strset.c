/* strset.c - a set of strings (see strset.h). */
#include <string.h>

#include "util/strset.h"

/* FNV-1a, linear probing, at most half full. */
static uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;		/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of s (hash h), or the empty slot where it would go. */
static size_t
slot(const struct strset *set, const char *s, uint32_t h)
{
	size_t i;

	for (i = h & (set->cap - 1); set->v[i] != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (set->h[i] == h && strcmp(set->v[i], s) == 0)
			break;
	return i;
}

/* Twice the room; numbers only for a set that has been given some. */
static void
grow(struct arena *a, struct strset *set, bool numbered)
{
	struct strset big = { .cap = set->cap ? 2 * set->cap : 64 };
	size_t i, j;

	big.v = arena_alloc(a, big.cap * sizeof(*big.v));
	big.h = arena_alloc(a, big.cap * sizeof(*big.h));
	if (numbered)
		big.val = arena_alloc(a, big.cap * sizeof(*big.val));
	for (i = 0; i < set->cap; i++)
		if (set->v[i] != NULL) {
			/* Every string differs: the first free slot. */
			for (j = set->h[i] & (big.cap - 1); big.v[j] != NULL;
			    j = (j + 1) & (big.cap - 1))
				;
			big.v[j] = set->v[i];
			big.h[j] = set->h[i];
			if (numbered)
				big.val[j] = set->val[i];
		}
	big.n = set->n;
	*set = big;
}

static bool
put(struct arena *a, struct strset *set, const char *s, bool numbered,
    size_t val, size_t *old)
{
	uint32_t h = str_hash(s);
	size_t i;

	if (set->cap > 0 && numbered && set->val == NULL)
		set->val = arena_alloc(a, set->cap * sizeof(*set->val));
	if (2 * (set->n + 1) > set->cap)
		grow(a, set, set->val != NULL || numbered);
	i = slot(set, s, h);
	if (set->v[i] != NULL) {
		if (old != NULL)
			*old = set->val != NULL ? set->val[i] : 0;
		return false;
	}
	set->v[i] = s;
	set->h[i] = h;
	if (set->val != NULL)
		set->val[i] = val;
	set->n++;
	return true;
}

bool
strset_put(struct arena *a, struct strset *set, const char *s, size_t val,
    size_t *old)
{
	return put(a, set, s, true, val, old);
}

bool
strset_add(struct arena *a, struct strset *set, const char *s)
{
	return put(a, set, s, false, 0, NULL);
}

bool
strset_get(const struct strset *set, const char *s, size_t *val)
{
	size_t i;

	if (set->cap == 0)
		return false;
	i = slot(set, s, str_hash(s));
	if (set->v[i] == NULL)
		return false;
	if (val != NULL)
		*val = set->val != NULL ? set->val[i] : 0;
	return true;
}

bool
strset_has(const struct strset *set, const char *s)
{
	return strset_get(set, s, NULL);
}
