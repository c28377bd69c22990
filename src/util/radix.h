/*
 * radix.h - a stable sort of records by an unsigned 128-bit key, the
 * record's first member: a byte of the key at a time, from the lowest,
 * skipping the bytes every record has the same.  Linear, where qsort's
 * calls of a comparison for 128-bit addresses were much of the cost of
 * the passes that sort intervals (interval sets, the rule index, the
 * Windows rewrite's sweep, the nftables runs' elements) and grew faster
 * than the policy.
 */
#ifndef EGRESSC_RADIX_H
#define EGRESSC_RADIX_H

#include <stddef.h>

/* Sort v[0..n), records of size bytes whose first member is an unsigned
 * __int128 (so size is a multiple of 16), by that key's low bits bits
 * (a multiple of 8, at most 128); records with equal keys keep their
 * order. */
void	radix_sort(void *v, size_t n, size_t size, int bits);

#endif
