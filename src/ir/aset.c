/*
 * aset.c - address sets: one interval set per family, the minimal CIDR
 * cover of a set, and the strict parser and canonical printer for
 * addresses and prefixes that every other module uses.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ir/aset.h"

int
fam_bits(enum fam f)
{
	return f == FAM_V4 ? 32 : 128;
}

u128
fam_max(enum fam f)
{
	return f == FAM_V4 ? (u128)0xffffffffu : ~(u128)0;
}

/* The host part of a len-bit prefix in family f. */
static u128
host_mask(enum fam f, int len)
{
	if (len >= fam_bits(f))
		return 0;
	if (len <= 0)
		return fam_max(f);
	return fam_max(f) >> len;
}

void
aset_init(struct aset *s)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_init(&s->f[f]);
}

void
aset_add_prefix(struct arena *a, struct aset *s, enum fam f, u128 addr,
    int len)
{
	u128 host = host_mask(f, len);
	u128 lo = addr & fam_max(f) & ~host;

	iset_add(a, &s->f[f], lo, lo | host);
}

void
aset_add_range(struct arena *a, struct aset *s, enum fam f, u128 lo, u128 hi)
{
	if (hi > fam_max(f))
		hi = fam_max(f);
	iset_add(a, &s->f[f], lo, hi);
}

void
aset_any(struct arena *a, struct aset *s)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_add(a, &s->f[f], 0, fam_max(f));
}

void
aset_norm(struct aset *s)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_norm(&s->f[f]);
}

void
aset_union(struct arena *a, struct aset *dst, const struct aset *src)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_union(a, &dst->f[f], &src->f[f]);
}

void
aset_diff(struct arena *a, struct aset *dst, const struct aset *x,
    const struct aset *y)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_diff(a, &dst->f[f], &x->f[f], &y->f[f]);
}

void
aset_inter(struct arena *a, struct aset *dst, const struct aset *x,
    const struct aset *y)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_inter(a, &dst->f[f], &x->f[f], &y->f[f]);
}

bool
aset_empty(const struct aset *s)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!iset_empty(&s->f[f]))
			return false;
	return true;
}

bool
aset_fam_full(const struct aset *s, enum fam f)
{
	return iset_full(&s->f[f], fam_max(f));
}

bool
aset_equal(const struct aset *x, const struct aset *y)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!iset_equal(&x->f[f], &y->f[f]))
			return false;
	return true;
}

size_t
aset_prefixes(struct arena *a, const struct aset *s, enum fam f,
    struct prefix **out)
{
	const struct iset *is = &s->f[f];
	struct prefix *v = NULL;
	size_t n = 0, cap = 0, i;
	int bits = fam_bits(f), k;
	u128 lo, hi, m;

	iset_norm((struct iset *)is);	/* members unchanged; see iset.c */
	for (i = 0; i < is->n; i++) {
		lo = is->v[i].lo;
		hi = is->v[i].hi;
		for (;;) {
			/*
			 * The biggest block that starts at lo (lo aligned to
			 * it) and ends by hi; greedy from the left is minimal.
			 */
			k = 0;
			while (k < bits) {
				m = k + 1 >= 128 ? ~(u128)0 :
				    ((u128)1 << (k + 1)) - 1;
				if ((lo & m) != 0 || hi - lo < m)
					break;
				k++;
			}
			m = k >= 128 ? ~(u128)0 : ((u128)1 << k) - 1;
			ARENA_PUSH(a, v, n, cap);
			v[n - 1].addr = lo;
			v[n - 1].len = bits - k;
			if (hi - lo == m)
				break;
			lo += m + 1;
		}
	}
	*out = v;
	return n;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
addr_parse(const char *str, enum fam *fp, u128 *addrp, int *lenp,
    bool *hostbits)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char b[16];
	const char *slash, *p;
	size_t alen, nb, i;
	enum fam f;
	u128 addr = 0, host;
	int len;

	if (str == NULL)
		return -1;
	slash = strchr(str, '/');
	alen = slash != NULL ? (size_t)(slash - str) : strlen(str);
	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, str, alen);
	buf[alen] = '\0';
	/* inet_pton is strict: no spaces, no short forms, no leading zeros. */
	if (strchr(buf, ':') != NULL) {
		f = FAM_V6;
		if (inet_pton(AF_INET6, buf, b) != 1)
			return -1;
	} else {
		f = FAM_V4;
		if (inet_pton(AF_INET, buf, b) != 1)
			return -1;
	}
	len = fam_bits(f);
	if (slash != NULL) {
		p = slash + 1;
		/* Digits only, no sign or space, no leading zero but "0". */
		if (!is_digit(p[0]) || (p[0] == '0' && p[1] != '\0'))
			return -1;
		len = 0;
		for (; *p != '\0'; p++) {
			if (!is_digit(*p))
				return -1;
			len = len * 10 + (*p - '0');
			if (len > fam_bits(f))
				return -1;
		}
	}
	nb = (size_t)fam_bits(f) / 8;
	for (i = 0; i < nb; i++)
		addr = addr << 8 | b[i];
	host = host_mask(f, len);
	if (hostbits != NULL)
		*hostbits = (addr & host) != 0;
	*fp = f;
	*addrp = addr & ~host;
	*lenp = len;
	return 0;
}

char *
addr_format(char buf[ADDR_STRLEN], enum fam f, u128 addr, int len)
{
	unsigned char b[16];
	size_t nb = (size_t)fam_bits(f) / 8, i, n;

	if (f == FAM_V4) {
		/* The common case, without inet_ntop and snprintf. */
		char *p = buf;
		int k;

		for (k = 3; k >= 0; k--) {
			unsigned v = (unsigned)(addr >> (8 * k)) & 0xff;

			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = k ? '.' : '\0';
		}
		if (len >= 0 && len < 32) {
			p[-1] = '/';
			if (len >= 10)
				*p++ = (char)('0' + len / 10);
			*p++ = (char)('0' + len % 10);
			*p = '\0';
		}
		return buf;
	}
	for (i = 0; i < nb; i++)
		b[i] = (unsigned char)(addr >> (8 * (nb - 1 - i)));
	if (inet_ntop(f == FAM_V4 ? AF_INET : AF_INET6, b, buf,
	    ADDR_STRLEN) == NULL) {
		buf[0] = '\0';
		return buf;
	}
	if (len >= 0 && len < fam_bits(f)) {
		n = strlen(buf);
		snprintf(buf + n, ADDR_STRLEN - n, "/%d", len);
	}
	return buf;
}

char *
addr_mask4(char buf[ADDR_STRLEN], int len, bool wildcard)
{
	u128 m = host_mask(FAM_V4, len);

	if (!wildcard)
		m = ~m & fam_max(FAM_V4);
	return addr_format(buf, FAM_V4, m, 32);
}
