/*
 * tap.h - a tiny Test Anything Protocol harness for the C unit tests.
 *
 * Header-only; include it from exactly one .c file (each unit test is its
 * own program).  Usage:
 *
 *	int
 *	main(void)
 *	{
 *		plan_lazy();
 *		ok(1 + 1 == 2, "addition works for %d", 2);
 *		is_str(got, "10.0.0.0/8", "prefix printed canonically");
 *		is_int(n, 4, "four prefixes");
 *		diag("anything: %s", "printed as a # comment");
 *		return done_testing();
 *	}
 *
 * Every check prints "ok N - NAME" or "not ok N - NAME" followed by a
 * "#" comment with the file and line and, for is_str/is_int, what was got
 * and what was wanted.  done_testing() prints the plan "1..N" last (TAP
 * allows a trailing plan) and returns 0 when every check passed, 1
 * otherwise, so main can return it.  The check macros evaluate to the
 * result (true when the check passed), so a test can bail out or print
 * more on failure.
 */
#ifndef EGRESSC_TAP_H
#define EGRESSC_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static inline void
plan_lazy(void)
{
	tap_run = tap_failed = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline bool
tap_vresult(bool pass, const char *file, int line, const char *fmt,
    va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		printf("#   Failed test at %s line %d.\n", file, line);
	fflush(stdout);
	return pass;
}

static inline bool __attribute__((format(printf, 4, 5)))
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vresult(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline bool
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	bool pass;

	if (got == NULL || want == NULL)
		pass = got == want;
	else
		pass = strcmp(got, want) == 0;
	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#          got: %s%s%s\n#     expected: %s%s%s\n",
		    got ? "'" : "", got ? got : "NULL", got ? "'" : "",
		    want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return pass;
}

static inline bool
tap_is_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	bool pass = got == want;

	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return pass;
}

static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_run);
	if (tap_failed > 0)
		diag("Looks like you failed %d test%s of %d.", tap_failed,
		    tap_failed == 1 ? "" : "s", tap_run);
	fflush(stdout);
	return tap_failed > 0 ? 1 : 0;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, name)						\
	tap_is_str((got), (want), __FILE__, __LINE__, (name))
#define is_int(got, want, name)						\
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
	    (name))

#endif
