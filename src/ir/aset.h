/*
 * aset.h - address sets: IPv4 and IPv6 kept apart, each an iset over the
 * family's address space (32 or 128 bits), with prefix decomposition for
 * targets that only speak CIDR.
 */
#ifndef EGRESSC_ASET_H
#define EGRESSC_ASET_H

#include <stdbool.h>

#include "ir/iset.h"

enum fam { FAM_V4, FAM_V6, FAM_N };

struct aset {
	struct iset	f[FAM_N];
};

struct prefix {
	u128	addr;		/* network address, host bits zero */
	int	len;		/* 0..32 or 0..128 */
};

#define ADDR_STRLEN	64	/* enough for an IPv6 prefix with /len */

int	fam_bits(enum fam);
u128	fam_max(enum fam);

void	aset_init(struct aset *);
void	aset_add_prefix(struct arena *, struct aset *, enum fam, u128, int);
void	aset_add_range(struct arena *, struct aset *, enum fam, u128, u128);
void	aset_any(struct arena *, struct aset *);	/* 0/0 and ::/0 */
void	aset_norm(struct aset *);
void	aset_union(struct arena *, struct aset *dst, const struct aset *);
void	aset_diff(struct arena *, struct aset *dst, const struct aset *a,
	    const struct aset *b);
void	aset_inter(struct arena *, struct aset *dst, const struct aset *a,
	    const struct aset *b);
bool	aset_empty(const struct aset *);
bool	aset_fam_full(const struct aset *, enum fam);
bool	aset_equal(const struct aset *, const struct aset *);

/*
 * The fewest prefixes that cover exactly the family's part of the set, in
 * address order.  Returns the count; *out is arena memory.
 */
size_t	aset_prefixes(struct arena *, const struct aset *, enum fam,
	    struct prefix **out);

/*
 * Parse "192.0.2.1", "192.0.2.0/24", "2001:db8::/32".  Returns 0 and fills
 * fam/addr/len (len = full width when absent); sets *hostbits when the
 * address had bits set beyond the prefix (the caller warns; addr is
 * returned normalised).  -1 on a malformed address.
 */
int	addr_parse(const char *, enum fam *, u128 *addr, int *len,
	    bool *hostbits);
/* Format an address, or an address/len when len < full width. */
char	*addr_format(char buf[ADDR_STRLEN], enum fam, u128 addr, int len);
/* The same: its length (buf holds it, NUL-terminated). */
size_t	 addr_write(char buf[ADDR_STRLEN], enum fam, u128 addr, int len);
/* The same text appended to o, or as a string in arena a: back ends
 * write addresses by the hundred thousand, each once. */
struct out;
void	 addr_put(struct out *o, enum fam, u128 addr, int len);
char	*addr_strdup(struct arena *a, enum fam, u128 addr, int len);
/* Netmask ("255.255.255.0") or wildcard mask ("0.0.0.255") of a v4 len. */
char	*addr_mask4(char buf[ADDR_STRLEN], int len, bool wildcard);

#endif
