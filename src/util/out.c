/*
 * out.c - growable text buffer (see out.h).
 *
 * Back ends write megabytes of text a line at a time, nearly all of it
 * through out_printf with %s, %u, %d, %zu and %c.  vsnprintf pays for
 * locale, widths and a FILE of its own on every call, so out_printf reads
 * those few conversions itself, straight into the buffer, and hands any
 * format with something else in it (a width, a flag, %x) to vsnprintf
 * whole: the bytes are the same either way.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/out.h"

void
out_init(struct out *o)
{
	memset(o, 0, sizeof(*o));
}

void
out_init_buf(struct out *o, char *buf, size_t cap)
{
	out_init(o);
	if (cap > 0) {
		o->buf = buf;
		o->cap = cap;
		o->lent = true;
		buf[0] = '\0';
	}
}

void
out_free(struct out *o)
{
	if (!o->lent)
		free(o->buf);
	out_init(o);
}

void
out_reset(struct out *o)
{
	o->len = 0;
}

static void
grow(struct out *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 256;

	while (cap < o->len + n + 1)
		cap *= 2;
	if (o->lent) {
		char *b = xmalloc(cap);

		memcpy(b, o->buf, o->len);
		o->buf = b;
		o->lent = false;
	} else
		o->buf = xrealloc(o->buf, cap);
	o->cap = cap;
}

static inline void
reserve(struct out *o, size_t n)
{
	if (o->len + n + 1 > o->cap)
		grow(o, n);
}

static void
spill_now(struct out *o)
{
	if (o->spill_err == 0)
		o->spill_err = o->spill(o->spill_arg, o->buf, o->len);
	o->spilled += o->len;
	o->len = 0;
}

/* At the start of each write: a full spilled text is passed on. */
static inline void
spill_check(struct out *o)
{
	if (o->spill != NULL && o->len >= o->spill_at)
		spill_now(o);
}

void
out_spill(struct out *o, size_t at, out_spill_fn fn, void *arg)
{
	o->spill = fn;
	o->spill_arg = arg;
	o->spill_at = at > 0 ? at : 1;
	o->spilled = 0;
	o->spill_err = 0;
}

int
out_spill_end(struct out *o)
{
	if (o->spill != NULL && o->len > 0)
		spill_now(o);
	return o->spill_err;
}

void
out_write(struct out *o, const void *p, size_t n)
{
	spill_check(o);
	reserve(o, n);
	if (n > 0)	/* p may be NULL then: an empty out's buffer */
		memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void
out_putc(struct out *o, int c)
{
	spill_check(o);
	reserve(o, 1);
	o->buf[o->len++] = (char)c;
	o->buf[o->len] = '\0';
}

void
out_puts(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

/* Append without the terminating NUL: fast_format writes it once. */
static inline void
put(struct out *o, const char *p, size_t n)
{
	reserve(o, n);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void
put_num(struct out *o, unsigned long long v, bool neg)
{
	char b[24], *e = b + sizeof(b), *q = e;

	do
		*--q = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (neg)
		*--q = '-';
	put(o, q, (size_t)(e - q));
}

void
out_putu(struct out *o, unsigned long long v)
{
	spill_check(o);
	put_num(o, v, false);
	o->buf[o->len] = '\0';
}

/*
 * What vsnprintf would write, when the format has conversions s, c, d, i,
 * u and %% alone, integers of no length, l, ll or z, strings with a
 * precision (%.20s, %.*s).  False at anything else, with some of it
 * written: the caller takes that back and asks vsnprintf.
 */
static bool
fast_format(struct out *o, const char *fmt, va_list ap)
{
	const char *p = fmt, *pc, *str;
	unsigned long long u;
	long long d;
	long prec;
	int len;

	for (;;) {
		for (pc = p; *pc != '\0' && *pc != '%'; pc++)
			;
		if (pc > p)
			put(o, p, (size_t)(pc - p));
		if (*pc == '\0')
			break;
		p = pc + 1;
		prec = -1;
		len = 0;
		if (*p == '%') {
			put(o, "%", 1);
			p++;
			continue;
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else
				for (prec = 0; *p >= '0' && *p <= '9'; p++)
					prec = prec * 10 + (*p - '0');
		}
		if (*p == 'l' && p[1] == 'l') {
			len = 2;
			p += 2;
		} else if (*p == 'l') {
			len = 1;
			p++;
		} else if (*p == 'z') {
			len = 3;
			p++;
		}
		if (prec >= 0 && *p != 's')
			return false;
		switch (*p++) {
		case 's':
			if (len != 0)
				return false;
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			put(o, str, prec >= 0 ? strnlen(str, (size_t)prec) :
			    strlen(str));
			break;
		case 'c':
			if (len != 0)
				return false;
			reserve(o, 1);
			o->buf[o->len++] = (char)(unsigned char)va_arg(ap, int);
			break;
		case 'd':
		case 'i':
			d = len == 2 ? va_arg(ap, long long) : len == 1 ?
			    va_arg(ap, long) : len == 3 ?
			    (long long)va_arg(ap, ssize_t) : va_arg(ap, int);
			put_num(o, d < 0 ? -(unsigned long long)d :
			    (unsigned long long)d, d < 0);
			break;
		case 'u':
			u = len == 2 ? va_arg(ap, unsigned long long) :
			    len == 1 ? va_arg(ap, unsigned long) : len == 3 ?
			    va_arg(ap, size_t) : va_arg(ap, unsigned);
			put_num(o, u, false);
			break;
		default:
			return false;
		}
	}
	reserve(o, 0);
	o->buf[o->len] = '\0';
	return true;
}

void
out_vprintf(struct out *o, const char *fmt, va_list ap)
{
	size_t start, room;
	va_list cp;
	int n;

	spill_check(o);
	start = o->len;
	va_copy(cp, ap);
	if (fast_format(o, fmt, cp)) {
		va_end(cp);
		return;
	}
	va_end(cp);
	o->len = start;
	/* Format straight into the free space; only a line that does not
	 * fit is formatted twice. */
	reserve(o, 64);
	room = o->cap - o->len;
	va_copy(cp, ap);
	n = vsnprintf(o->buf + o->len, room, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		reserve(o, (size_t)n);
		va_copy(cp, ap);
		vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, cp);
		va_end(cp);
	}
	o->len += (size_t)n;
}

void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

const char *
out_str(struct out *o)
{
	reserve(o, 0);
	o->buf[o->len] = '\0';
	return o->buf;
}

void
out_json_str(struct out *o, const char *s)
{
	out_putc(o, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			out_printf(o, "\\u%04x", c);
		else
			out_putc(o, (char)c);
	}
	out_putc(o, '"');
}
