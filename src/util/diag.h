/*
 * diag.h - compiler-style diagnostics.  Every message is tied to a source
 * location when there is one and printed as
 *
 *	FILE:LINE:COL: error: MESSAGE
 *	    the source line
 *	    ^
 *
 * Errors are counted; after DIAG_MAX_ERRORS more are counted but not printed.
 */
#ifndef EGRESSC_DIAG_H
#define EGRESSC_DIAG_H

#include <stddef.h>

struct loc {
	const char	*file;		/* NULL: no location */
	int		 line, col;	/* 1-based */
};

#define DIAG_MAX_ERRORS	20

/* Make a file's text known so diagnostics can quote its lines. */
void	diag_source(const char *file, const char *text, size_t len);
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
void	diag_note(const struct loc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	diag_errors(void);
int	diag_warnings(void);
/* Print the "N more errors" trailer if any were suppressed. */
void	diag_flush(void);
/* Forget counts and sources (tests). Quiet mode suppresses warnings. */
void	diag_reset(void);
void	diag_quiet_warnings(int);
/* Tests capture messages instead of printing them. */
void	diag_capture(void (*)(const char *line, void *), void *);

#endif
