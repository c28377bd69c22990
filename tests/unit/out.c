/*
 * out.c - unit tests for the text buffer: out_printf reads the common
 * conversions itself (util/out.c), and must write exactly what vsnprintf
 * writes, for those and for the formats it leaves to vsnprintf.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

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

int
main(void)
{
	plan_lazy();
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
	return done_testing();
}
