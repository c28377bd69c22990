/*
 * clock.h - "now", and time stamps as text.  Lock files stamp addresses
 * with RFC 3339 times, --stamp writes one into the output, catalogs carry
 * a checked: date and their staleness is measured against today: every
 * one of them reads the clock here and reads and writes the text here, so
 * they agree on what a valid stamp is and on what SOURCE_DATE_EPOCH means.
 *
 * Times are seconds since 1970-01-01T00:00:00Z, from 0 up to (not
 * including) CLOCK_END, the start of the year 10000: a four-digit year is
 * all RFC 3339 writes.  Leap seconds do not exist here, as in POSIX time.
 */
#ifndef EGRESSC_CLOCK_H
#define EGRESSC_CLOCK_H

#define CLOCK_END	253402300800LL	/* 10000-01-01T00:00:00Z */
#define CLOCK_TEXT_SIZE	21	/* "2026-11-24T12:00:00Z" and a NUL */

/*
 * Now: SOURCE_DATE_EPOCH when it is set and not empty (reproducible
 * builds), else the system clock.  SOURCE_DATE_EPOCH must be decimal
 * digits only, less than CLOCK_END; anything else is a diag_error() naming
 * the variable and -1, never a silent fall back to the real time, because
 * a build that asked to be reproducible and is not should say so.
 */
int	clock_now(long long *t);
/*
 * YYYY-MM-DDTHH:MM:SSZ exactly: upper-case T and Z, UTC, no fraction, a
 * day that exists (no February 31st, February 29th in leap years only),
 * hours 00-23, minutes and seconds 00-59, year 1970 or later.  0 and *t,
 * or -1 and *t untouched.  Whatever it accepts clock_format gives back
 * byte for byte.
 */
int	clock_parse_rfc3339(const char *, long long *t);
/* YYYY-MM-DD, by the same rules; *t is that day's midnight UTC. */
int	clock_parse_date(const char *, long long *t);
/* t as YYYY-MM-DDTHH:MM:SSZ in buf, which it returns; t is clamped to
 * [0, CLOCK_END). */
char	*clock_format(long long t, char buf[CLOCK_TEXT_SIZE]);

#endif
