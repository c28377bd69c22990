/*
 * out.h - a growable text buffer.  Back ends write into one of these; only
 * atomic_write.c turns it into a file.
 */
#ifndef EGRESSC_OUT_H
#define EGRESSC_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Where a spilled text goes (out_spill): 0, or an errno value. */
typedef int	(*out_spill_fn)(void *arg, const char *buf, size_t len);

struct out {
	char	*buf;
	size_t	 len, cap;
	bool	 lent;		/* buf is the caller's (out_init_buf) */
	/* out_spill: */
	out_spill_fn spill;
	void	*spill_arg;
	size_t	 spill_at;	/* spill once len reaches it */
	size_t	 spilled;	/* bytes passed on so far */
	int	 spill_err;	/* the first failure, or 0 */
};

void	out_init(struct out *);
/* Start in the caller's buf of cap bytes (a short text on the stack, no
 * malloc); a text that outgrows it moves to the heap.  out_free as ever. */
void	out_init_buf(struct out *, char *buf, size_t cap);
void	out_free(struct out *);
void	out_reset(struct out *);
void	out_putc(struct out *, int);
void	out_puts(struct out *, const char *);
/* v in decimal, as out_printf("%llu") writes it, without a format. */
void	out_putu(struct out *, unsigned long long v);
void	out_write(struct out *, const void *, size_t);
void	out_printf(struct out *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	out_vprintf(struct out *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/*
 * From now on, whenever a write finds at least at bytes in o, they are
 * passed to fn(arg, ...) and o is empty again: a text as long as a file
 * is never all in memory, and what is written next goes to bytes still
 * in the cache.  Only at the start of a write, so one write's bytes are
 * never split by it.  After fn fails, the bytes are dropped instead, and
 * out_spill_end says so.  len and out_str hold only what is not passed
 * on yet; spilled + len is the whole length.
 */
void	out_spill(struct out *, size_t at, out_spill_fn fn, void *arg);
/* Pass on what is left: 0, or the errno value of the first failure. */
int	out_spill_end(struct out *);
/* Zero-terminated view of the contents (valid until the next write). */
const char *out_str(struct out *);
/* s as a JSON string, quotes included: no byte can end it early. */
void	out_json_str(struct out *, const char *s);

#endif
