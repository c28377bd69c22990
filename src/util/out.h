/*
 * out.h - a growable text buffer.  Back ends write into one of these; only
 * atomic_write.c turns it into a file.
 */
#ifndef EGRESSC_OUT_H
#define EGRESSC_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct out {
	char	*buf;
	size_t	 len, cap;
	bool	 lent;		/* buf is the caller's (out_init_buf) */
};

void	out_init(struct out *);
/* Start in the caller's buf of cap bytes (a short text on the stack, no
 * malloc); a text that outgrows it moves to the heap.  out_free as ever. */
void	out_init_buf(struct out *, char *buf, size_t cap);
void	out_free(struct out *);
void	out_reset(struct out *);
void	out_putc(struct out *, int);
void	out_puts(struct out *, const char *);
void	out_write(struct out *, const void *, size_t);
void	out_printf(struct out *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	out_vprintf(struct out *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Zero-terminated view of the contents (valid until the next write). */
const char *out_str(struct out *);
/* s as a JSON string, quotes included: no byte can end it early. */
void	out_json_str(struct out *, const char *s);

#endif
