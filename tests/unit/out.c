/*
 * out.c - unit tests for the text buffer: out_printf reads the common
 * conversions itself (util/out.c), and must write exactly what vsnprintf
 * writes, for those and for the formats it leaves to vsnprintf.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/out.h"
#include "tap.h"

static int bad;

#define SAME(...) do {							\
	char want_[8192];						\
	struct out o_;							\
	int n_ = snprintf(want_, sizeof(want_), __VA_ARGS__);		\
									\
	out_init(&o_);							\
	out_puts(&o_, "<");						\
	out_printf(&o_, __VA_ARGS__);					\
	if (o_.len != (size_t)n_ + 1 ||					\
	    memcmp(o_.buf + 1, want_, (size_t)n_) != 0) {		\
		bad++;							\
		diag("differs: %s", #__VA_ARGS__);			\
	}								\
	out_free(&o_);							\
} while (0)

/* out_init_buf: a short text stays in the caller's buffer, a long one
 * moves to the heap with what was written, and arena_printf, which
 * starts on the stack, gives texts of every length whole. */
static void
test_lent(void)
{
	char small[16], big[3000];
	struct arena *a = arena_new();
	struct out o;
	const char *s;

	out_init_buf(&o, small, sizeof(small));
	out_printf(&o, "%s-%u", "short", 42u);
	ok(o.buf == small && strcmp(out_str(&o), "short-42") == 0,
	    "a short text is written in the caller's buffer");
	out_printf(&o, "%s", " and then a good deal longer than 16");
	ok(o.buf != small && strcmp(out_str(&o), "short-42 and then a good "
	    "deal longer than 16") == 0, "...a longer one moves, whole");
	ok(strcmp(small, "short-42") == 0, "...and the buffer is left as it "
	    "was");
	out_free(&o);
	out_init_buf(&o, small, sizeof(small));
	out_free(&o);
	ok(o.buf == NULL && o.len == 0, "out_free of a lent buffer frees "
	    "nothing");
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = arena_printf(a, "<%s>", big);
	ok(strlen(s) == sizeof(big) + 1 && s[0] == '<' &&
	    s[sizeof(big)] == '>' && memcmp(s + 1, big, sizeof(big) - 1) == 0,
	    "arena_printf of 3,000 bytes: whole");
	ok(strcmp(arena_printf(a, "%s %d", "x", -7), "x -7") == 0,
	    "arena_printf of a few: whole");
	arena_free(a);
}

/* A spilled text's pieces, put back together; fail after `fail` bytes. */
struct pieces {
	struct out	 all;
	size_t		 n, most, fail;
};

static int
take(void *arg, const char *buf, size_t len)
{
	struct pieces *p = arg;

	if (p->all.len + len > p->fail)
		return 28;	/* ENOSPC, say */
	out_write(&p->all, buf, len);
	p->n++;
	if (len > p->most)
		p->most = len;
	return 0;
}

static void
test_spill(void)
{
	struct out o, whole;
	struct pieces p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.fail = (size_t)-1;
	out_init(&o);
	out_init(&whole);
	out_init(&p.all);
	out_spill(&o, 1000, take, &p);
	for (i = 0; i < 5000; i++) {
		out_printf(&o, "line %zu of %s\n", i, "the text");
		out_printf(&whole, "line %zu of %s\n", i, "the text");
		out_putc(&o, '.');
		out_putc(&whole, '.');
		out_write(&o, "xyz", 3);
		out_write(&whole, "xyz", 3);
	}
	ok(o.spilled > 0 && o.len < 1100, "a spilled text holds less than "
	    "its threshold and a write (%zu held, %zu passed on)", o.len,
	    o.spilled);
	is_int(out_spill_end(&o), 0, "out_spill_end: no failure");
	ok(p.all.len == whole.len && memcmp(p.all.buf, whole.buf,
	    whole.len) == 0, "its pieces are the text, byte for byte (%zu in "
	    "%zu pieces)", p.all.len, p.n);
	ok(p.most < 1100, "...each one write past the threshold at most "
	    "(%zu)", p.most);
	out_free(&o);

	/* A failure is kept, and nothing more is passed on. */
	out_reset(&p.all);
	p.fail = 2500;
	out_init(&o);
	out_spill(&o, 1000, take, &p);
	for (i = 0; i < 5000; i++)
		out_printf(&o, "line %zu\n", i);
	is_int(out_spill_end(&o), 28, "a failed piece's error comes back "
	    "from out_spill_end");
	ok(p.all.len <= 2500, "...and nothing after it was passed on");
	out_free(&o);
	out_free(&whole);
	out_free(&p.all);
}

int
main(void)
{
	plan_lazy();
	test_spill();
	SAME("plain text, no conversion");
	SAME("%s", "");
	SAME("-A %s -s %s -d %s%s -j %s\n", "EGRESSC-X", "10.0.0.0/8",
	    "192.0.2.1", " -p tcp --dport 443", "ACCEPT");
	SAME("%u %u %u", 0u, 7u, UINT_MAX);
	SAME("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
	SAME("%i|%ld|%lu", -42, LONG_MIN, ULONG_MAX);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%zu and %zd", (size_t)123456789, (ssize_t)-5);
	SAME("%c%c%c", 'a', '"', 'z');
	SAME("100%% of %s", "it");
	SAME("%.20s|", "a name much longer than twenty bytes");
	SAME("%.3s|%.0s|%.10s|", "abcdef", "gone", "short");
	SAME("%.*s|%.*s|%.*s|", 2, "abcdef", 0, "x", -1, "whole");
	SAME("%%%s%%", "x");
	/* Left to vsnprintf: widths, flags, other conversions. */
	SAME("\\u%04x", 0x1f);
	SAME("%-30s|", "left");
	SAME("%02x%02x", 0xa, 0xff);
	SAME("%5d|%x|%o", 42, 255u, 8u);
	/* A long line grows the buffer on the way. */
	{
		char big[3000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		SAME("%s%u%s", big, 12345u, big + 1000);
	}
	ok(bad == 0, "out_printf writes what vsnprintf writes (%d differ)",
	    bad);
	{
		static const unsigned long long v[] = { 0, 7, 10, 65535,
		    4294967295ull, 18446744073709551615ull };
		char want[32];
		struct out o;
		size_t k;
		int diff = 0;

		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
			out_init(&o);
			out_puts(&o, "x");
			out_putu(&o, v[k]);
			snprintf(want, sizeof(want), "x%llu", v[k]);
			if (strcmp(o.buf, want) != 0 || o.len != strlen(want))
				diff++;
			out_free(&o);
		}
		is_int(diff, 0, "out_putu writes what %llu does, 0 to "
		    "ULLONG_MAX");
	}
	test_lent();
	return done_testing();
}
