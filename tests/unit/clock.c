/*
 * clock.c - unit tests of the one clock and its time stamps: tables of
 * stamps and dates that must and must not parse (the calendar's real
 * days, hours 0-23, nothing before or after), a round trip through the
 * formatter checked against the C library's gmtime, and SOURCE_DATE_EPOCH
 * values that are and are not a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "util/clock.h"
#include "util/diag.h"

static char	captured[4096];

static void
capture(const char *line, void *arg)
{
	(void)arg;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "\n");
}

static const struct {
	const char	*s;
	long long	 t;
} good_stamps[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T00:00:01Z", 1 },
	{ "2026-11-24T16:00:00Z", 1795536000 },
	{ "2024-02-29T00:00:00Z", 1709164800 },		/* leap year */
	{ "2000-02-29T12:34:56Z", 951827696 },		/* 400: leap */
	{ "2026-12-31T23:59:59Z", 1798761599 },
	{ "2027-01-01T00:00:00Z", 1798761600 },
	{ "2038-01-19T03:14:08Z", 2147483648LL },	/* past 32 bits */
	{ "9999-12-31T23:59:59Z", CLOCK_END - 1 },
};

static const char *const bad_stamps[] = {
	"2025-02-29T00:00:00Z",		/* not a leap year */
	"2100-02-29T00:00:00Z",		/* a century, not 400 */
	"2026-02-31T00:00:00Z",		/* was 2026-03-03 to timegm */
	"2026-02-30T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-11-24T24:00:00Z",
	"2026-11-24T23:60:00Z",
	"2026-11-24T23:59:60Z",		/* POSIX time: no leap seconds */
	"2026-1-01T00:00:00Z",
	"2026-01-1T00:00:00Z",
	"2026-01-01T0:00:00Z",
	"2026-00-10T00:00:00Z",
	"2026-13-10T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-32T00:00:00Z",
	"1969-12-31T23:59:59Z",		/* before the epoch */
	"10000-01-01T00:00:00Z",	/* year 10000 */
	"2026-11-24T16:00:00Z ",	/* trailing junk */
	"2026-11-24T16:00:00Zjunk",
	" 2026-11-24T16:00:00Z",
	"+026-11-24T16:00:00Z",
	"2026-11-24 16:00:00Z",
	"2026-11-24t16:00:00z",
	"2026-11-24T16:00:00",
	"2026-11-24T16:00:00+00:00",
	"2026-11-24T16:00:00.5Z",
	"2026-11-24T1a:00:00Z",
	"2026-11-24",
	"",
};

static const struct {
	const char	*s;
	long long	 t;
} good_dates[] = {
	{ "1970-01-01", 0 },
	{ "2024-02-29", 1709164800 },
	{ "2026-11-24", 1795478400 },
	{ "9999-12-31", CLOCK_END - 86400 },
};

static const char *const bad_dates[] = {
	"2025-02-29", "2026-02-31", "2026-1-01", "2026-01-1", "2026-11-24x",
	"2026-11-24T00:00:00Z", "1969-12-31", "10000-01-01", "2026/11/24",
	"2026-11-2", "", "2026-13-01", "2026-00-01",
};

static void
test_stamps(void)
{
	char buf[CLOCK_TEXT_SIZE];
	long long t;
	size_t i;

	for (i = 0; i < sizeof(good_stamps) / sizeof(good_stamps[0]); i++) {
		t = -1;
		ok(clock_parse_rfc3339(good_stamps[i].s, &t) == 0 &&
		    t == good_stamps[i].t, "%s parses to %lld",
		    good_stamps[i].s, good_stamps[i].t);
		is_str(clock_format(good_stamps[i].t, buf), good_stamps[i].s,
		    "...and formats back");
	}
	for (i = 0; i < sizeof(bad_stamps) / sizeof(bad_stamps[0]); i++) {
		t = 42;
		ok(clock_parse_rfc3339(bad_stamps[i], &t) < 0 && t == 42,
		    "'%s' is refused", bad_stamps[i]);
	}
	is_str(clock_format(-5, buf), "1970-01-01T00:00:00Z",
	    "before the epoch clamps to it");
	is_str(clock_format(CLOCK_END, buf), "9999-12-31T23:59:59Z",
	    "the year 10000 clamps to the last second before it");
}

static void
test_dates(void)
{
	long long t;
	size_t i;

	for (i = 0; i < sizeof(good_dates) / sizeof(good_dates[0]); i++) {
		t = -1;
		ok(clock_parse_date(good_dates[i].s, &t) == 0 &&
		    t == good_dates[i].t, "date %s is %lld", good_dates[i].s,
		    good_dates[i].t);
	}
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		t = 42;
		ok(clock_parse_date(bad_dates[i], &t) < 0 && t == 42,
		    "date '%s' is refused", bad_dates[i]);
	}
}

/* Every day to the year 9999 and a spread of times of day: the formatter
 * agrees with gmtime, and what it writes parses back to the same second. */
static void
test_round_trip(void)
{
	char buf[CLOCK_TEXT_SIZE], want[32];
	long long t, back;
	int bad_fmt = 0, bad_parse = 0;

	for (t = 0; t < CLOCK_END; t += 86400 + 3607) {
		time_t tt = (time_t)t;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (strcmp(clock_format(t, buf), want) != 0 && bad_fmt++ == 0)
			diag("%lld: %s, gmtime says %s", t, buf, want);
		if ((clock_parse_rfc3339(buf, &back) < 0 || back != t) &&
		    bad_parse++ == 0)
			diag("%s does not parse back to %lld", buf, t);
	}
	is_int(bad_fmt, 0, "clock_format agrees with gmtime to 9999");
	is_int(bad_parse, 0, "and every stamp it writes parses back");
}

static void
test_now(void)
{
	static const char *const bad[] = {
		"abc", "253402300800", "-1", "12a", " 1", "1 ", "1e9", "0x10",
		"99999999999999999999999999", "+5",
	};
	long long t, before;
	size_t i;

	diag_capture(capture, NULL);
	unsetenv("SOURCE_DATE_EPOCH");
	before = (long long)time(NULL);
	ok(clock_now(&t) == 0 && t >= before && t <= (long long)time(NULL),
	    "unset: the system clock");
	setenv("SOURCE_DATE_EPOCH", "", 1);
	ok(clock_now(&t) == 0 && t >= before, "empty: as if unset");
	setenv("SOURCE_DATE_EPOCH", "0", 1);
	ok(clock_now(&t) == 0 && t == 0, "0: the epoch");
	setenv("SOURCE_DATE_EPOCH", "1795536000", 1);
	ok(clock_now(&t) == 0 && t == 1795536000, "a time");
	setenv("SOURCE_DATE_EPOCH", "253402300799", 1);
	ok(clock_now(&t) == 0 && t == CLOCK_END - 1,
	    "the last second of 9999");
	is_int(diag_errors(), 0, "no errors for good values");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		diag_reset();
		captured[0] = '\0';
		setenv("SOURCE_DATE_EPOCH", bad[i], 1);
		t = 42;
		ok(clock_now(&t) < 0 && t == 42 && diag_errors() == 1 &&
		    strncmp(captured, "egressc: error: SOURCE_DATE_EPOCH '",
		    35) == 0, "'%s' is an error naming the variable", bad[i]);
	}
	diag_reset();
	captured[0] = '\0';
	setenv("SOURCE_DATE_EPOCH", "1\n2", 1);
	clock_now(&t);
	ok(strstr(captured, "SOURCE_DATE_EPOCH '1?2' ") != NULL,
	    "control bytes are not echoed");
	diag_reset();
	captured[0] = '\0';
	setenv("SOURCE_DATE_EPOCH", "11111111111111111111111111111111111111111"
	    "11111111111111111111111111111111111111111111111111111111111", 1);
	clock_now(&t);
	ok(strstr(captured, "111...' is not a time") != NULL &&
	    strlen(captured) < 200, "a long value is cut short");
	unsetenv("SOURCE_DATE_EPOCH");
	diag_capture(NULL, NULL);
	diag_reset();
}

int
main(void)
{
	plan_lazy();
	test_stamps();
	test_dates();
	test_round_trip();
	test_now();
	return done_testing();
}
