/* out.c - growable text buffer (see out.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/out.h"

void
out_init(struct out *o)
{
	o->buf = NULL;
	o->len = o->cap = 0;
}

void
out_free(struct out *o)
{
	free(o->buf);
	out_init(o);
}

void
out_reset(struct out *o)
{
	o->len = 0;
}

static void
reserve(struct out *o, size_t n)
{
	size_t cap;

	if (o->len + n + 1 <= o->cap)
		return;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n + 1)
		cap *= 2;
	o->buf = xrealloc(o->buf, cap);
	o->cap = cap;
}

void
out_write(struct out *o, const void *p, size_t n)
{
	reserve(o, n);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void
out_putc(struct out *o, int c)
{
	char ch = (char)c;

	out_write(o, &ch, 1);
}

void
out_puts(struct out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* Format straight into the free space; only a line that does not
	 * fit is formatted twice. */
	reserve(o, 64);
	room = o->cap - o->len;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		reserve(o, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
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
