/*
 * diag.c - collect and print diagnostics (see diag.h).  Sources are kept so
 * that a message can show the offending line with a caret under the column,
 * as gcc and nft do.
 *
 * A thread that renders a target while others render theirs defers its
 * messages (diag_defer): they are kept, formatted but neither counted nor
 * printed, and the main thread replays each target's in target order, so
 * that what is printed, and which messages fall past the caps, is what
 * one thread would have printed.  Counts asked for while deferring are
 * the thread's own (callers compare counts before and after, and the
 * main thread's counts move while it replays).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

struct source {
	char		*file;
	char		*text;
	size_t		 len;
	struct source	*next;
};

static struct source	*sources;
static int		 nerrors, nfailures, nwarnings, quiet_warnings;
static int		 nwarn_shown, nwarn_hidden;
static void		(*capture_fn)(const char *, void *);
static void		*capture_arg;

/* One deferred message: a diag with its notes, a message, or a note. */
enum rec_what { REC_DIAG, REC_MSG, REC_NOTE };

struct diag_log {
	struct rec {
		enum rec_what	 what;
		enum diag_kind	 kind;
		struct loc	 loc;
		char		*msg;
		struct diag	*d;
	}		*v;
	size_t		 n, cap;
	int		 nerr, nfail, nwarn;
};

static _Thread_local struct diag_log	*deferred;

static void	note(const struct loc *, const char *);

void
diag_source(const char *file, const char *text, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	copy[len] = '\0';
	diag_source_take(file, copy, len);
}

void
diag_source_take(const char *file, char *text, size_t len)
{
	struct source *s = xmalloc(sizeof(*s));

	s->file = xstrdup(file);
	s->text = text;
	s->len = len;
	s->next = sources;
	sources = s;
}

void
diag_reset(void)
{
	struct source *s, *next;

	for (s = sources; s != NULL; s = next) {
		next = s->next;
		free(s->file);
		free(s->text);
		free(s);
	}
	sources = NULL;
	nerrors = nfailures = nwarnings = 0;
	nwarn_shown = nwarn_hidden = 0;
}

void
diag_quiet_warnings(int q)
{
	quiet_warnings = q;
}

void
diag_capture(void (*fn)(const char *, void *), void *arg)
{
	capture_fn = fn;
	capture_arg = arg;
}

/* Append the source line of loc and a caret under its column. */
static void
quote_line(struct out *o, const struct loc *loc)
{
	const struct source *s;
	const char *p, *end;
	int line, col;

	for (s = sources; s != NULL; s = s->next)
		if (strcmp(s->file, loc->file) == 0)
			break;
	if (s == NULL || loc->line < 1)
		return;
	p = s->text;
	for (line = 1; line < loc->line; line++) {
		p = memchr(p, '\n', (size_t)(s->text + s->len - p));
		if (p == NULL)
			return;
		p++;
	}
	end = memchr(p, '\n', (size_t)(s->text + s->len - p));
	if (end == NULL)
		end = s->text + s->len;
	if (end - p > 200)
		return;		/* a huge line helps nobody */
	out_puts(o, "    ");
	for (const char *q = p; q < end; q++)	/* never echo control bytes */
		out_putc(o, (*q == '\t' || (unsigned char)*q >= 0x20) &&
		    *q != 0x7f ? *q : '?');
	out_puts(o, "\n    ");
	for (col = 1; col < loc->col && p + col - 1 < end; col++)
		out_putc(o, p[col - 1] == '\t' ? '\t' : ' ');
	out_puts(o, "^\n");
}

/* A message's text, cut at 1 KiB: a diagnostic is read, not parsed. */
static char *
vformat(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return xstrdup(buf);
}

static void
emit(const struct loc *loc, const char *kind, const char *msg)
{
	struct out o;

	out_init(&o);
	if (loc != NULL && loc->file != NULL)
		out_printf(&o, "%s:%d:%d: ", loc->file, loc->line, loc->col);
	else
		out_puts(&o, "egressc: ");
	out_printf(&o, "%s: ", kind);
	out_puts(&o, msg);
	if (capture_fn != NULL) {
		capture_fn(out_str(&o), capture_arg);
	} else {
		out_putc(&o, '\n');
		if (loc != NULL && loc->file != NULL)
			quote_line(&o, loc);
		fwrite(o.buf, 1, o.len, stderr);
	}
	out_free(&o);
}

struct dnote {
	struct loc	 loc;
	char		*msg;
};

struct diag {
	enum diag_kind	 kind;
	struct loc	 loc;
	char		*msg;
	struct dnote	*notes;
	size_t		 nnotes;
};

static void
loc_copy(struct loc *dst, const struct loc *src)
{
	static const struct loc none;

	*dst = src != NULL ? *src : none;
}

struct diag *
diag_new(enum diag_kind kind, const struct loc *loc, const char *fmt, ...)
{
	struct diag *d = xmalloc(sizeof(*d));
	va_list ap;

	d->kind = kind;
	loc_copy(&d->loc, loc);
	va_start(ap, fmt);
	d->msg = vformat(fmt, ap);
	va_end(ap);
	d->notes = NULL;
	d->nnotes = 0;
	return d;
}

void
diag_also(struct diag *d, const struct loc *loc, const char *fmt, ...)
{
	struct dnote *n;
	va_list ap;

	d->notes = xrealloc(d->notes, (d->nnotes + 1) * sizeof(*d->notes));
	n = &d->notes[d->nnotes++];
	loc_copy(&n->loc, loc);
	va_start(ap, fmt);
	n->msg = vformat(fmt, ap);
	va_end(ap);
}

/* Count the message; false when it is not to be shown. */
static bool
count(enum diag_kind kind)
{
	switch (kind) {
	case DIAG_FAIL:
		nfailures++;
		/* FALLTHROUGH */
	case DIAG_ERROR:
		return ++nerrors <= DIAG_MAX_ERRORS;
	case DIAG_WARNING:
		nwarnings++;
		if (quiet_warnings)
			return false;
		if (nwarn_shown == DIAG_MAX_WARNINGS) {
			nwarn_hidden++;
			return false;
		}
		nwarn_shown++;
		return true;
	}
	return true;
}

static struct rec *
rec_new(enum rec_what what, enum diag_kind kind)
{
	struct diag_log *l = deferred;
	struct rec *r;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	r->what = what;
	r->kind = kind;
	if (what == REC_NOTE)
		return r;
	if (kind == DIAG_FAIL)
		l->nfail++;
	if (kind == DIAG_WARNING)
		l->nwarn++;
	else
		l->nerr++;
	return r;
}

static void
diag_free(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->nnotes; i++)
		free(d->notes[i].msg);
	free(d->notes);
	free(d->msg);
	free(d);
}

void
diag_emit(struct diag *d)
{
	size_t i;

	if (deferred != NULL) {
		rec_new(REC_DIAG, d->kind)->d = d;
		return;
	}
	if (count(d->kind)) {
		emit(&d->loc, d->kind == DIAG_WARNING ? "warning" : "error",
		    d->msg);
		for (i = 0; i < d->nnotes; i++)
			emit(&d->notes[i].loc, "note", d->notes[i].msg);
	}
	diag_free(d);
}

static void
vdiag(enum diag_kind kind, const struct loc *loc, const char *fmt,
    va_list ap)
{
	struct rec *r;
	char *msg;

	if (deferred != NULL) {
		r = rec_new(REC_MSG, kind);
		loc_copy(&r->loc, loc);
		r->msg = vformat(fmt, ap);
		return;
	}
	if (!count(kind))
		return;
	msg = vformat(fmt, ap);
	emit(loc, kind == DIAG_WARNING ? "warning" : "error", msg);
	free(msg);
}

void
diag_error(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

void
diag_fail(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_FAIL, loc, fmt, ap);
	va_end(ap);
}

int
diag_failures(void)
{
	if (deferred != NULL)
		return deferred->nfail;
	return nfailures;
}

void
diag_warning(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

void
diag_note(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;
	struct rec *r;
	char *msg;

	if (deferred != NULL) {
		r = rec_new(REC_NOTE, DIAG_WARNING);
		loc_copy(&r->loc, loc);
		va_start(ap, fmt);
		r->msg = vformat(fmt, ap);
		va_end(ap);
		return;
	}
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	note(loc, msg);
	free(msg);
}

/* A note on its own: dropped when tied to a suppressed error; a summary
 * (no location) is exactly what a long list of errors needs. */
static void
note(const struct loc *loc, const char *msg)
{
	if (nerrors > DIAG_MAX_ERRORS && loc != NULL && loc->file != NULL)
		return;
	emit(loc, "note", msg);
}

int
diag_errors(void)
{
	if (deferred != NULL)
		return deferred->nerr;
	return nerrors;
}

int
diag_warnings(void)
{
	if (deferred != NULL)
		return deferred->nwarn;
	return nwarnings;
}

struct diag_log *
diag_defer(void)
{
	struct diag_log *l = xmalloc(sizeof(*l));

	memset(l, 0, sizeof(*l));
	deferred = l;
	return l;
}

void
diag_defer_end(void)
{
	deferred = NULL;
}

void
diag_replay(struct diag_log *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		struct rec *r = &l->v[i];

		switch (r->what) {
		case REC_DIAG:
			diag_emit(r->d);
			break;
		case REC_MSG:
			if (count(r->kind))
				emit(&r->loc, r->kind == DIAG_WARNING ?
				    "warning" : "error", r->msg);
			break;
		case REC_NOTE:
			note(&r->loc, r->msg);
			break;
		}
		free(r->msg);
	}
	free(l->v);
	free(l);
}

struct diag_log *
diag_keep(struct diag_log **was)
{
	*was = deferred;
	return diag_defer();
}

void
diag_kept(struct diag_log *was)
{
	deferred = was;
}

static char *
dupmsg(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
diag_give(const struct diag_log *l)
{
	size_t i, k;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		const struct rec *r = &l->v[i];
		struct diag *d;

		switch (r->what) {
		case REC_DIAG:
			d = xmalloc(sizeof(*d));
			*d = *r->d;
			d->msg = dupmsg(r->d->msg);
			d->notes = d->nnotes > 0 ?
			    xmalloc(d->nnotes * sizeof(*d->notes)) : NULL;
			for (k = 0; k < d->nnotes; k++) {
				d->notes[k].loc = r->d->notes[k].loc;
				d->notes[k].msg = dupmsg(r->d->notes[k].msg);
			}
			diag_emit(d);
			break;
		case REC_MSG:
		case REC_NOTE:
			if (deferred != NULL) {
				struct rec *c = rec_new(r->what, r->kind);

				c->loc = r->loc;
				c->msg = dupmsg(r->msg);
			} else if (r->what == REC_NOTE)
				note(&r->loc, r->msg);
			else if (count(r->kind))
				emit(&r->loc, r->kind == DIAG_WARNING ?
				    "warning" : "error", r->msg);
			break;
		}
	}
}

void
diag_log_free(struct diag_log *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].msg);
		if (l->v[i].d != NULL)
			diag_free(l->v[i].d);
	}
	free(l->v);
	free(l);
}

void
diag_flush(void)
{
	if (nerrors > DIAG_MAX_ERRORS)
		fprintf(stderr, "egressc: %d more errors not shown\n",
		    nerrors - DIAG_MAX_ERRORS);
	if (nwarn_hidden > 0)
		fprintf(stderr, "egressc: %d more warnings not shown\n",
		    nwarn_hidden);
	fflush(stderr);
}
