/*
 * aset.c - unit tests for address sets: families kept apart, minimal CIDR
 * decomposition, the strict address parser and the canonical printer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "ir/aset.h"
#include "util/out.h"
#include "tap.h"

static struct arena *A;

/* Parse or die trying: the tests below only feed it good input. */
static void
add(struct aset *s, const char *str)
{
	enum fam f;
	u128 addr;
	int len;
	bool hb;

	if (addr_parse(str, &f, &addr, &len, &hb) != 0) {
		diag("bad test input %s", str);
		return;
	}
	aset_add_prefix(A, s, f, addr, len);
}

static u128
ip(const char *str)
{
	enum fam f;
	u128 addr = 0;
	int len;
	bool hb;

	addr_parse(str, &f, &addr, &len, &hb);
	return addr;
}

/* The prefixes of s in family f, joined by spaces, in arena memory. */
static const char *
prefixes(const struct aset *s, enum fam f)
{
	struct prefix *p;
	size_t n, i;
	char buf[ADDR_STRLEN];
	const char *r = "";

	n = aset_prefixes(A, s, f, &p);
	for (i = 0; i < n; i++)
		r = arena_printf(A, "%s%s%s", r, i ? " " : "",
		    addr_format(buf, f, p[i].addr, p[i].len));
	return r;
}

static const char *
range_prefixes(enum fam f, const char *lo, const char *hi)
{
	struct aset s;

	aset_init(&s);
	aset_add_range(A, &s, f, ip(lo), ip(hi));
	return prefixes(&s, f);
}

static void
test_prefixes(void)
{
	struct aset s;
	struct prefix *p;
	size_t n, i;

	is_str(range_prefixes(FAM_V4, "10.0.0.1", "10.0.0.6"),
	    "10.0.0.1 10.0.0.2/31 10.0.0.4/31 10.0.0.6",
	    "10.0.0.1-10.0.0.6 decomposes into four prefixes");
	is_str(range_prefixes(FAM_V4, "0.0.0.0", "255.255.255.255"),
	    "0.0.0.0/0", "the whole v4 space is 0.0.0.0/0");
	is_str(range_prefixes(FAM_V6, "::", "ffff:ffff:ffff:ffff:ffff:ffff:"
	    "ffff:ffff"), "::/0", "the whole v6 space is ::/0");
	is_str(range_prefixes(FAM_V4, "0.0.0.1", "255.255.255.255"),
	    "0.0.0.1 0.0.0.2/31 0.0.0.4/30 0.0.0.8/29 0.0.0.16/28 "
	    "0.0.0.32/27 0.0.0.64/26 0.0.0.128/25 0.0.1.0/24 0.0.2.0/23 "
	    "0.0.4.0/22 0.0.8.0/21 0.0.16.0/20 0.0.32.0/19 0.0.64.0/18 "
	    "0.0.128.0/17 0.1.0.0/16 0.2.0.0/15 0.4.0.0/14 0.8.0.0/13 "
	    "0.16.0.0/12 0.32.0.0/11 0.64.0.0/10 0.128.0.0/9 1.0.0.0/8 "
	    "2.0.0.0/7 4.0.0.0/6 8.0.0.0/5 16.0.0.0/4 32.0.0.0/3 "
	    "64.0.0.0/2 128.0.0.0/1", "all but 0.0.0.0: 32 prefixes");
	aset_init(&s);
	aset_add_range(A, &s, FAM_V6, 0, ~(u128)0 - 1);
	n = aset_prefixes(A, &s, FAM_V6, &p);
	ok(n == 128 && p[0].addr == 0 && p[0].len == 1 &&
	    p[127].addr == ~(u128)0 - 1 && p[127].len == 128,
	    "all v6 but the top address: 128 prefixes, ::/1 first");
	for (i = 1; i < n; i++)
		if (p[i].addr <= p[i - 1].addr)
			break;
	ok(i == n, "prefixes come in address order");
	is_str(range_prefixes(FAM_V4, "255.255.255.255", "255.255.255.255"),
	    "255.255.255.255", "the top v4 address alone");

	aset_init(&s);
	add(&s, "192.0.2.0/25");
	add(&s, "192.0.2.128/25");
	add(&s, "198.51.100.7");
	add(&s, "2001:db8::/33");
	add(&s, "2001:db8:8000::/33");
	is_str(prefixes(&s, FAM_V4), "192.0.2.0/24 198.51.100.7",
	    "adjacent halves merge into one prefix, v4");
	is_str(prefixes(&s, FAM_V6), "2001:db8::/32",
	    "adjacent halves merge into one prefix, v6");
	is_str(prefixes(&s, FAM_V4), "192.0.2.0/24 198.51.100.7",
	    "decomposition is repeatable");
}

static void
test_families(void)
{
	struct aset s, t, d;

	aset_init(&s);
	ok(aset_empty(&s), "new aset is empty");
	add(&s, "10.0.0.0/8");
	ok(!aset_empty(&s), "not empty after an add");
	ok(iset_empty(&s.f[FAM_V6]), "a v4 prefix leaves v6 empty");
	ok(!iset_has(&s.f[FAM_V6], ip("10.0.0.1")),
	    "the v4 number is not a v6 member");
	add(&s, "::a00:1");	/* same number as 10.0.0.1 */
	ok(iset_has(&s.f[FAM_V6], ip("::a00:1")) &&
	    s.f[FAM_V4].n == 1 && s.f[FAM_V6].n == 1,
	    "the same number in v6 is kept apart");

	aset_init(&t);
	aset_any(A, &t);
	ok(aset_fam_full(&t, FAM_V4) && aset_fam_full(&t, FAM_V6),
	    "any fills both families");
	ok(!aset_fam_full(&s, FAM_V4), "10/8 is not the whole space");
	aset_diff(A, &d, &t, &s);
	ok(!iset_has(&d.f[FAM_V4], ip("10.1.2.3")) &&
	    iset_has(&d.f[FAM_V4], ip("11.0.0.0")) &&
	    iset_has(&d.f[FAM_V4], ip("9.255.255.255")) &&
	    !iset_has(&d.f[FAM_V6], ip("::a00:1")) &&
	    iset_has(&d.f[FAM_V6], ip("::a00:2")),
	    "diff per family");
	aset_inter(A, &d, &t, &s);
	ok(aset_equal(&d, &s), "any & s == s");
	aset_union(A, &d, &t);
	ok(aset_equal(&d, &t), "s | any == any");
	aset_diff(A, &d, &s, &t);
	ok(aset_empty(&d), "s - any is empty");

	aset_init(&s);
	aset_add_prefix(A, &s, FAM_V4, ip("10.9.8.7"), 8);
	is_str(prefixes(&s, FAM_V4), "10.0.0.0/8",
	    "add_prefix masks host bits");
	aset_init(&s);
	aset_add_prefix(A, &s, FAM_V6, ip("2001:db8::1"), 0);
	ok(aset_fam_full(&s, FAM_V6), "a /0 with host bits is the whole space");
	aset_init(&s);
	aset_add_prefix(A, &s, FAM_V4, ip("1.2.3.4"), 0);
	ok(aset_fam_full(&s, FAM_V4), "v4 /0");
}

struct pcase {
	const char	*in;
	int		 rc;		/* 0 ok, -1 rejected */
	enum fam	 fam;
	int		 len;
	bool		 hostbits;
	const char	*out;		/* addr_format of the result */
};

static const struct pcase pcases[] = {
	{ "192.0.2.1", 0, FAM_V4, 32, false, "192.0.2.1" },
	{ "192.0.2.0/24", 0, FAM_V4, 24, false, "192.0.2.0/24" },
	{ "10.0.0.1/8", 0, FAM_V4, 8, true, "10.0.0.0/8" },
	{ "0.0.0.0/0", 0, FAM_V4, 0, false, "0.0.0.0/0" },
	{ "1.2.3.4/0", 0, FAM_V4, 0, true, "0.0.0.0/0" },
	{ "255.255.255.255/32", 0, FAM_V4, 32, false, "255.255.255.255" },
	{ "2001:db8::/32", 0, FAM_V6, 32, false, "2001:db8::/32" },
	{ "2001:db8:0:0::1", 0, FAM_V6, 128, false, "2001:db8::1" },
	{ "2001:DB8::1/128", 0, FAM_V6, 128, false, "2001:db8::1" },
	{ "2001:db8::1/64", 0, FAM_V6, 64, true, "2001:db8::/64" },
	{ "::/0", 0, FAM_V6, 0, false, "::/0" },
	{ "::", 0, FAM_V6, 128, false, "::" },
	{ "::1", 0, FAM_V6, 128, false, "::1" },
	{ "2001:0db8:0000:0000:0001:0000:0000:0001", 0, FAM_V6, 128, false,
	    "2001:db8::1:0:0:1" },
	{ "2001:db8:0:1:1:1:1:1", 0, FAM_V6, 128, false,
	    "2001:db8:0:1:1:1:1:1" },
	{ "::ffff:192.0.2.1", 0, FAM_V6, 128, false, "::ffff:192.0.2.1" },
	{ "1.2.3", -1, 0, 0, false, NULL },
	{ "1.2.3.4.5", -1, 0, 0, false, NULL },
	{ "256.1.1.1", -1, 0, 0, false, NULL },
	{ "01.2.3.4", -1, 0, 0, false, NULL },
	{ "1.2.3.4/33", -1, 0, 0, false, NULL },
	{ "::1/129", -1, 0, 0, false, NULL },
	{ "1.2.3.4/", -1, 0, 0, false, NULL },
	{ "1.2.3.4/ 8", -1, 0, 0, false, NULL },
	{ "1.2.3.4/+8", -1, 0, 0, false, NULL },
	{ "1.2.3.4/-1", -1, 0, 0, false, NULL },
	{ "1.2.3.4/08", -1, 0, 0, false, NULL },
	{ "1.2.3.4/8x", -1, 0, 0, false, NULL },
	{ "1.2.3.4/8/8", -1, 0, 0, false, NULL },
	{ "1.2.3.4/99999999999", -1, 0, 0, false, NULL },
	{ " 1.2.3.4", -1, 0, 0, false, NULL },
	{ "1.2.3.4 ", -1, 0, 0, false, NULL },
	{ "", -1, 0, 0, false, NULL },
	{ "/8", -1, 0, 0, false, NULL },
	{ "any", -1, 0, 0, false, NULL },
	{ "example.com", -1, 0, 0, false, NULL },
	{ "2001:db8::1::2", -1, 0, 0, false, NULL },
	{ "2001:db8:::1", -1, 0, 0, false, NULL },
	{ "12345::1", -1, 0, 0, false, NULL },
	{ "fe80::1%eth0", -1, 0, 0, false, NULL },
	{ "1.2.3.4:80", -1, 0, 0, false, NULL },
	{ "0x01.2.3.4", -1, 0, 0, false, NULL },
	{ "2001:db8:0:0:0:0:0:0:1", -1, 0, 0, false, NULL },
};

static void
test_parse(void)
{
	const struct pcase *c;
	char buf[ADDR_STRLEN];
	size_t i;
	enum fam f;
	u128 addr;
	int len, rc;
	bool hb;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		c = &pcases[i];
		f = FAM_N;
		len = -5;
		hb = !c->hostbits;
		rc = addr_parse(c->in, &f, &addr, &len, &hb);
		if (c->rc != 0) {
			is_int(rc, -1, arena_printf(A, "rejects \"%s\"",
			    c->in));
			continue;
		}
		if (!is_int(rc, 0, arena_printf(A, "accepts \"%s\"", c->in)))
			continue;
		ok(f == c->fam && len == c->len && hb == c->hostbits,
		    "\"%s\": family, length, host bits", c->in);
		is_str(addr_format(buf, f, addr, len), c->out,
		    arena_printf(A, "\"%s\" prints as %s", c->in, c->out));
	}
	ok(addr_parse("10.0.0.1/8", &f, &addr, &len, NULL) == 0,
	    "hostbits may be NULL");
}

static void
test_format(void)
{
	char buf[ADDR_STRLEN];

	is_str(addr_format(buf, FAM_V4, 0, 32), "0.0.0.0", "v4 zero");
	is_str(addr_format(buf, FAM_V4, 0xc0000201u, 32), "192.0.2.1",
	    "v4 address, full length has no /len");
	is_str(addr_format(buf, FAM_V6, ~(u128)0, 128),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "v6 max");
	is_str(addr_format(buf, FAM_V6, ~(u128)0 << 1, 127),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127",
	    "the longest v6 text fits ADDR_STRLEN");
	is_str(addr_mask4(buf, 24, false), "255.255.255.0", "netmask /24");
	is_str(addr_mask4(buf, 24, true), "0.0.0.255", "wildcard /24");
	is_str(addr_mask4(buf, 0, false), "0.0.0.0", "netmask /0");
	is_str(addr_mask4(buf, 0, true), "255.255.255.255", "wildcard /0");
	is_str(addr_mask4(buf, 32, false), "255.255.255.255", "netmask /32");
	is_str(addr_mask4(buf, 32, true), "0.0.0.0", "wildcard /32");
	is_str(addr_mask4(buf, 19, false), "255.255.224.0", "netmask /19");
	is_str(addr_mask4(buf, 19, true), "0.0.31.255", "wildcard /19");
	is_int(fam_bits(FAM_V4), 32, "v4 is 32 bits");
	is_int(fam_bits(FAM_V6), 128, "v6 is 128 bits");
	ok(fam_max(FAM_V4) == 0xffffffffu && fam_max(FAM_V6) == ~(u128)0,
	    "family maxima");
}

/* addr_format prints IPv6 itself: it must say what inet_ntop says, for
 * random addresses with runs of zero words anywhere, the IPv4-compatible
 * and -mapped forms, and every prefix length. */
static void
test_format6(void)
{
	unsigned seed = 99;
	int round, bad = 0, bad2 = 0, i, len;

	for (round = 0; round < 20000; round++) {
		unsigned char b[16];
		char want[INET6_ADDRSTRLEN + 8], got[ADDR_STRLEN];
		u128 x = 0;
		unsigned mask = (unsigned)rand_r(&seed) & 0xff;

		for (i = 0; i < 8; i++) {
			unsigned w = mask >> i & 1 ? 0 : (unsigned)rand_r(&seed)
			    % 4 == 0 ? (unsigned)rand_r(&seed) % 16 :
			    (unsigned)rand_r(&seed) & 0xffff;

			if (round % 7 == 0 && i == 5)
				w = 0xffff;
			b[2 * i] = (unsigned char)(w >> 8);
			b[2 * i + 1] = (unsigned char)w;
			x = x << 16 | w;
		}
		len = round % 3 ? 128 : rand_r(&seed) % 129;
		inet_ntop(AF_INET6, b, want, sizeof(want));
		if (len < 128)
			snprintf(want + strlen(want), 8, "/%d", len);
		addr_format(got, FAM_V6, x, len);
		if (strcmp(got, want) != 0 && bad++ < 5)
			diag("got %s want %s", got, want);
		/* The writers beside it say the same, its length known. */
		{
			char w2[ADDR_STRLEN];
			struct out o;
			struct arena *a = arena_new();
			size_t n = addr_write(w2, FAM_V6, x, len);

			out_init(&o);
			out_puts(&o, "<");
			addr_put(&o, FAM_V6, x, len);
			if (n != strlen(want) || strcmp(w2, want) != 0 ||
			    strcmp(addr_strdup(a, FAM_V6, x, len), want) != 0 ||
			    o.len != n + 1 || strcmp(o.buf + 1, want) != 0)
				bad2++;
			out_free(&o);
			arena_free(a);
		}
	}
	ok(bad == 0, "IPv6 text as inet_ntop's on 20000 addresses (%d "
	    "differ)", bad);
	ok(bad2 == 0, "...and addr_write's length, addr_put's and "
	    "addr_strdup's text with it (%d differ)", bad2);
}

/* The greedy cover one bit at a time: the reference aset_prefixes must
 * agree with on random ranges of both families. */
static size_t
slow_prefixes(enum fam f, u128 lo, u128 hi, struct prefix *v)
{
	int bits = fam_bits(f), k;
	size_t n = 0;
	u128 m;

	for (;;) {
		k = 0;
		while (k < bits) {
			m = k + 1 >= 128 ? ~(u128)0 : ((u128)1 << (k + 1)) - 1;
			if ((lo & m) != 0 || hi - lo < m)
				break;
			k++;
		}
		m = k >= 128 ? ~(u128)0 : ((u128)1 << k) - 1;
		v[n].addr = lo;
		v[n++].len = bits - k;
		if (hi - lo == m)
			return n;
		lo += m + 1;
	}
}

static void
test_prefixes_random(void)
{
	static struct prefix want[300];
	unsigned seed = 5;
	int round, bad = 0;

	for (round = 0; round < 20000; round++) {
		enum fam f = round % 2 ? FAM_V6 : FAM_V4;
		int sh = rand_r(&seed) % (fam_bits(f) + 1);
		u128 lo = ((u128)rand_r(&seed) << 96 |
		    (u128)rand_r(&seed) << 64 | (u128)rand_r(&seed) << 32 |
		    (unsigned)rand_r(&seed)) & fam_max(f), span, hi;
		struct prefix *got;
		struct aset s;
		size_t n, nw;

		span = sh >= 128 ? ~(u128)0 : ((u128)1 << sh) - 1;
		span &= (u128)rand_r(&seed) << (sh > 31 ? sh - 31 : 0) |
		    span >> 3;
		lo &= ~((u128)rand_r(&seed) % 4 == 0 ? span : 0);
		hi = fam_max(f) - lo < span ? fam_max(f) : lo + span;
		if (round % 97 == 0)
			lo = 0, hi = fam_max(f);
		aset_init(&s);
		aset_add_range(A, &s, f, lo, hi);
		n = aset_prefixes(A, &s, f, &got);
		nw = slow_prefixes(f, lo, hi, want);
		if (n != nw || memcmp(got, want, n * sizeof(*got)) != 0)
			bad++;
	}
	ok(bad == 0, "aset_prefixes as the bit-by-bit cover on 20000 random "
	    "ranges (%d differ)", bad);
}

int
main(void)
{
	plan_lazy();
	A = arena_new();
	test_format6();
	test_prefixes_random();
	test_prefixes();
	test_families();
	test_parse();
	test_format();
	arena_free(A);
	return done_testing();
}
