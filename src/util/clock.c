/*
 * clock.c - read the clock and convert time stamps (see clock.h).  The
 * calendar arithmetic is done here rather than with timegm()/gmtime_r(),
 * which normalise 2026-02-31 into March without a word and depend on the
 * width of time_t: a lock file that says a day that does not exist was
 * written by hand or damaged, and should be refused where it says so.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/diag.h"

#define DAY	86400LL

/* Days since 1970-01-01 of a proleptic Gregorian date, and back again
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void
civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool
leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* n digits at s as a number, or -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* YYYY-MM-DD at s (not necessarily the end of the string) as days. */
static int
parse_ymd(const char *s, long long *days)
{
	static const unsigned mdays[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return -1;
	if ((unsigned)d > mdays[m - 1] + (m == 2 && leap(y)))
		return -1;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int
clock_parse_date(const char *s, long long *t)
{
	long long days;

	if (parse_ymd(s, &days) < 0 || s[10] != '\0')
		return -1;
	*t = days * DAY;
	return 0;
}

int
clock_parse_rfc3339(const char *s, long long *t)
{
	long long days;
	int h, mi, sec;

	if (parse_ymd(s, &days) < 0 || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || s[20] != '\0')
		return -1;
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	*t = days * DAY + h * 3600LL + mi * 60LL + sec;
	return 0;
}

/* v as n decimal digits at p; returns the end. */
static char *
put_digits(char *p, long long v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

char *
clock_format(long long t, char buf[CLOCK_TEXT_SIZE])
{
	unsigned m, d;
	char *p = buf;
	int y;

	if (t < 0)
		t = 0;
	if (t >= CLOCK_END)
		t = CLOCK_END - 1;
	civil_from_days(t / DAY, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, t % DAY / 3600, 2);
	*p++ = ':';
	p = put_digits(p, t % 3600 / 60, 2);
	*p++ = ':';
	p = put_digits(p, t % 60, 2);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}

int
clock_now(long long *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	long long v = 0;
	const char *p;

	if (s == NULL || *s == '\0') {
		*t = (long long)time(NULL);
		return 0;
	}
	/* reproducible-builds.org: a decimal count of seconds. */
	for (p = s; *p >= '0' && *p <= '9' && v < CLOCK_END; p++)
		v = v * 10 + (*p - '0');
	if (*p != '\0' || v >= CLOCK_END) {
		char shown[48];
		size_t i;

		/* The value is the environment's: show it, but not whole
		 * and not with its control bytes. */
		snprintf(shown, sizeof(shown), "%s", s);
		for (i = 0; shown[i] != '\0'; i++)
			if ((unsigned char)shown[i] < 0x20 ||
			    (unsigned char)shown[i] >= 0x7f)
				shown[i] = '?';
		diag_error(NULL, "SOURCE_DATE_EPOCH '%s%s' is not a time: it "
		    "must be decimal seconds since 1970-01-01T00:00:00Z, less "
		    "than %lld (the year 10000)", shown,
		    strlen(s) >= sizeof(shown) ? "..." : "", CLOCK_END);
		return -1;
	}
	*t = v;
	return 0;
}
