/*
 * suggest.h - the closest known word to a misspelt one, for did-you-mean
 * hints in diagnostics about unknown keys, values and targets.
 */
#ifndef EGRESSC_SUGGEST_H
#define EGRESSC_SUGGEST_H

/* Closest candidate (NULL-terminated list) within edit distance 2, or
 * NULL. */
const char	*suggest(const char *word, const char *const *candidates);

#endif
