/*
 * aset.c - address sets: one interval set per family, the minimal CIDR
 * cover of a set, and the strict parser and canonical printer for
 * addresses and prefixes that every other module uses.
 */
#include <arpa/inet.h>
#include <string.h>

#include "ir/aset.h"
#include "util/out.h"

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

/* Trailing zero bits (128 for 0), and floor(log2(x)) for x > 0. */
static int
u128_ctz(u128 x)
{
	unsigned long long lo = (unsigned long long)x;
	unsigned long long hi = (unsigned long long)(x >> 64);

	if (lo != 0)
		return __builtin_ctzll(lo);
	return hi != 0 ? 64 + __builtin_ctzll(hi) : 128;
}

static int
u128_log2(u128 x)
{
	unsigned long long hi = (unsigned long long)(x >> 64);

	if (hi != 0)
		return 127 - __builtin_clzll(hi);
	return 63 - __builtin_clzll((unsigned long long)x);
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
			 * Its size is 2^k: k is at most lo's trailing zero
			 * bits and the log of the interval's length.
			 */
			k = u128_ctz(lo);
			if (hi - lo != ~(u128)0 && u128_log2(hi - lo + 1) < k)
				k = u128_log2(hi - lo + 1);
			if (k > bits)
				k = bits;
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

/* a.b.c.d at p; returns the end (a NUL is written there). */
static char *
fmt_v4(char *p, unsigned long x)
{
	int k;

	for (k = 3; k >= 0; k--) {
		unsigned v = (unsigned)(x >> (8 * k)) & 0xff;

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		if (k)
			*p++ = '.';
	}
	*p = '\0';
	return p;
}

/*
 * The text glibc's inet_ntop gives an IPv6 address (RFC 5952: lower-case
 * hex without leading zeros, the first longest run of two or more zero
 * words as "::", and ::a.b.c.d or ::ffff:a.b.c.d for the IPv4-compatible
 * and -mapped forms), without the sprintf it calls for every word.
 */
static char *
fmt_v6(char *p, u128 addr)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int i, base = -1, blen = 0, cbase = -1, clen = 0, sh;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)(addr >> (16 * (7 - i))) & 0xffff;
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cbase < 0)
				cbase = i, clen = 0;
			clen++;
			if (clen > blen)
				base = cbase, blen = clen;
		} else
			cbase = -1;
	}
	if (blen < 2)
		base = -1;
	for (i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + blen) {
			if (i == base)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && base == 0 && (blen == 6 ||
		    (blen == 5 && w[5] == 0xffff)))
			return fmt_v4(p, (unsigned long)(addr & 0xffffffffu));
		for (sh = 12; sh > 0 && (w[i] >> sh) == 0; sh -= 4)
			;
		for (; sh >= 0; sh -= 4)
			*p++ = hex[(w[i] >> sh) & 0xf];
	}
	if (base >= 0 && base + blen == 8)
		*p++ = ':';
	*p = '\0';
	return p;
}

char *
addr_format(char buf[ADDR_STRLEN], enum fam f, u128 addr, int len)
{
	addr_write(buf, f, addr, len);
	return buf;
}

void
addr_put(struct out *o, enum fam f, u128 addr, int len)
{
	char buf[ADDR_STRLEN];

	out_write(o, buf, addr_write(buf, f, addr, len));
}

char *
addr_strdup(struct arena *a, enum fam f, u128 addr, int len)
{
	char buf[ADDR_STRLEN];

	return arena_strndup(a, buf, addr_write(buf, f, addr, len));
}

size_t
addr_write(char buf[ADDR_STRLEN], enum fam f, u128 addr, int len)
{
	char *p;

	/* Without inet_ntop and snprintf: back ends print addresses by the
	 * hundred thousand. */
	p = f == FAM_V4 ? fmt_v4(buf, (unsigned long)addr) : fmt_v6(buf, addr);
	if (len >= 0 && len < fam_bits(f)) {
		*p++ = '/';
		if (len >= 100)
			*p++ = (char)('0' + len / 100);
		if (len >= 10)
			*p++ = (char)('0' + len / 10 % 10);
		*p++ = (char)('0' + len % 10);
		*p = '\0';
	}
	return (size_t)(p - buf);
}

char *
addr_mask4(char buf[ADDR_STRLEN], int len, bool wildcard)
{
	u128 m = host_mask(FAM_V4, len);

	if (!wildcard)
		m = ~m & fam_max(FAM_V4);
	return addr_format(buf, FAM_V4, m, 32);
}
