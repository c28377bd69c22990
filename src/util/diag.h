/*
 * diag.h - compiler-style diagnostics.  Every message is tied to a source
 * location when there is one and printed as
 *
 *	FILE:LINE:COL: error: MESSAGE
 *	    the source line
 *	    ^
 *
 * A message about two places ("defined twice", "shadowed by") names the
 * second one in a note of its own, with its own line and caret, as gcc and
 * nft do, rather than as "(line N)" in the text: a reader, and an editor
 * that jumps to FILE:LINE:COL, gets every place in the same form.
 *
 * Errors are counted; after DIAG_MAX_ERRORS more are counted but not
 * printed.  Warnings likewise after DIAG_MAX_WARNINGS: a generated policy
 * can shadow thousands of rules, and a screenful says as much as all of
 * them.  diag_flush() says how many of each went unshown.
 */
#ifndef EGRESSC_DIAG_H
#define EGRESSC_DIAG_H

#include <stddef.h>

struct loc {
	const char	*file;		/* NULL: no location */
	int		 line, col;	/* 1-based */
};

#define DIAG_MAX_ERRORS		20
#define DIAG_MAX_WARNINGS	100

/* Make a file's text known so diagnostics can quote its lines.  _take:
 * text, malloc'd with a NUL at text[len], is diag's from now on (the text
 * of a large policy, not copied; diag_reset frees it). */
void	diag_source(const char *file, const char *text, size_t len);
void	diag_source_take(const char *file, char *text, size_t len);
void	diag_error(const struct loc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * An error that is the world's fault, not the input's: DNS that does not
 * answer, a kernel that refuses, a file that cannot be written.  Printed as
 * an error; also counted by diag_failures(), so that the command line can
 * tell "bad input" (exit 2) from "could not do it" (exit 3) while library
 * code only ever returns 0 or -1.
 */
void	diag_fail(const struct loc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	diag_failures(void);
void	diag_warning(const struct loc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * A note on its own: context for the messages just before it ("while
 * expanding ...") or a summary.  A located note is dropped once errors are
 * past the cap; a summary (NULL location) never is.
 */
void	diag_note(const struct loc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A message with notes at other places, printed together:
 *
 *	struct diag *d = diag_new(DIAG_ERROR, &dup->loc,
 *	    "network '%s' is defined twice", name);
 *	diag_also(d, &first->loc, "first defined here");
 *	diag_emit(d);
 *
 * The message is counted when emitted, and its notes share its fate: when
 * the message is over its cap (or a quiet warning), none of them print.
 * diag_new copies the locations but not the file names they point to,
 * which must live until diag_emit; diag_emit frees d.
 */
enum diag_kind { DIAG_ERROR, DIAG_FAIL, DIAG_WARNING };
struct diag;
struct diag	*diag_new(enum diag_kind, const struct loc *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 diag_also(struct diag *, const struct loc *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 diag_emit(struct diag *);

int	diag_errors(void);
int	diag_warnings(void);
/* Print the "N more errors" and "N more warnings" trailers if any were
 * suppressed. */
void	diag_flush(void);
/* Forget counts and sources (tests). Quiet mode suppresses warnings. */
void	diag_reset(void);
void	diag_quiet_warnings(int);
/* Tests capture messages instead of printing them: one call per message
 * and one per note, each without its source line or newline. */
void	diag_capture(void (*)(const char *line, void *), void *);

/*
 * A thread that works beside others defers its messages: from diag_defer()
 * to diag_defer_end() on that thread, messages are kept in the log, not
 * counted or printed, and diag_errors() and the like count the thread's
 * own (callers only ever compare two counts).  diag_replay(), on the main
 * thread, prints (and counts) them as if they had come then, and frees
 * the log.
 */
struct diag_log;
struct diag_log	*diag_defer(void);
void		 diag_defer_end(void);
void		 diag_replay(struct diag_log *);

/*
 * Work that several targets share (pass/lower.c: the rewrite for Windows)
 * says its messages once but each target must have them: diag_keep()
 * keeps this thread's messages in a log of their own from then on, and
 * stores where they went before in *was; diag_kept(was) puts that back.
 * diag_give() then says a copy of the log's messages on this thread, as
 * if they came now (deferred, or printed and counted), once per target;
 * diag_log_free() frees the log.
 */
struct diag_log	*diag_keep(struct diag_log **was);
void		 diag_kept(struct diag_log *was);
void		 diag_give(const struct diag_log *);
void		 diag_log_free(struct diag_log *);

#endif
