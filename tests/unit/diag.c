/*
 * diag.c - unit tests of the diagnostics: a message with notes at other
 * places prints each with its own source line and caret, a message past
 * its cap takes its notes with it, warnings have a cap of their own, and
 * capture (which the other unit tests read messages through) sees notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util/diag.h"

static char	captured[16384];
static int	ncaptured;

static void
capture(const char *line, void *arg)
{
	(void)arg;
	ncaptured++;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "\n");
}

static void
start_capture(void)
{
	diag_reset();
	captured[0] = '\0';
	ncaptured = 0;
	diag_capture(capture, NULL);
}

/* Run fn with stderr going to a file; return what it wrote (static). */
static const char *
stderr_of(void (*fn)(void))
{
	static char buf[65536];
	char path[] = "/tmp/egressc-diag-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	if (fd < 0 || saved < 0)
		abort();
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

static const char src[] =
    "rules:\n"
    "  - name: a\n"
    "    to: [192.0.2.1]\n"
    "  - name: b\n"
    "    to: [192.0.2.1]\n";

static void
shadow_warning(void)
{
	struct loc b = { "x.yaml", 4, 5 }, a = { "x.yaml", 2, 5 };
	struct diag *d;

	diag_reset();
	diag_source("x.yaml", src, sizeof(src) - 1);
	d = diag_new(DIAG_WARNING, &b, "rule '%s' is shadowed by rule '%s': "
	    "it can never match", "b", "a");
	diag_also(d, &a, "shadowed by this rule");
	diag_emit(d);
}

static void
test_printed(void)
{
	is_str(stderr_of(shadow_warning),
	    "x.yaml:4:5: warning: rule 'b' is shadowed by rule 'a': it can "
	    "never match\n"
	    "      - name: b\n"
	    "        ^\n"
	    "x.yaml:2:5: note: shadowed by this rule\n"
	    "      - name: a\n"
	    "        ^\n",
	    "a warning and its note, each with its line and caret");
	is_int(diag_warnings(), 1, "counted as one warning");
	is_int(diag_errors(), 0, "and no error");
}

/* A text diag takes over is quoted as a copied one is, and freed by
 * diag_reset (the ASan build's leak check would see it kept). */
static void
taken_error(void)
{
	struct loc l = { "t.yaml", 3, 9 };
	char *text = malloc(sizeof(src));

	memcpy(text, src, sizeof(src));
	diag_reset();
	diag_source_take("t.yaml", text, sizeof(src) - 1);
	diag_error(&l, "not an address");
}

static void
test_taken(void)
{
	is_str(stderr_of(taken_error),
	    "t.yaml:3:9: error: not an address\n"
	    "        to: [192.0.2.1]\n"
	    "            ^\n",
	    "a taken text: its line and caret");
	is_int(diag_errors(), 1, "counted as one error");
	diag_reset();
}

static void
test_captured(void)
{
	struct loc l1 = { "p.yaml", 7, 3 }, l2 = { "q.yaml", 2, 1 };
	struct diag *d;

	start_capture();
	d = diag_new(DIAG_ERROR, &l1, "network '%s' is defined twice", "web");
	diag_also(d, &l2, "first defined here");
	diag_also(d, NULL, "and %d more", 2);
	diag_emit(d);
	is_str(captured,
	    "p.yaml:7:3: error: network 'web' is defined twice\n"
	    "q.yaml:2:1: note: first defined here\n"
	    "egressc: note: and 2 more\n",
	    "capture sees the message and every note, in order");
	is_int(ncaptured, 3, "one call each");
	is_int(diag_errors(), 1, "notes are not errors");

	start_capture();
	d = diag_new(DIAG_FAIL, NULL, "%s", "no answer");
	diag_emit(d);
	is_int(diag_failures(), 1, "DIAG_FAIL counts as a failure");
	is_int(diag_errors(), 1, "...and as an error");
	is_str(captured, "egressc: error: no answer\n", "printed as an error");

	start_capture();
	d = diag_new(DIAG_ERROR, &l1, "never emitted twice");
	diag_emit(d);
	diag_error(&l1, "plain %s", "error");
	diag_warning(NULL, "plain %s", "warning");
	diag_note(&l2, "plain %s", "note");
	is_str(captured,
	    "p.yaml:7:3: error: never emitted twice\n"
	    "p.yaml:7:3: error: plain error\n"
	    "egressc: warning: plain warning\n"
	    "q.yaml:2:1: note: plain note\n",
	    "the one-place calls print as before");
	diag_capture(NULL, NULL);
	diag_reset();
}

static void
test_error_cap(void)
{
	struct loc l = { "p.yaml", 1, 1 }, first = { "p.yaml", 9, 9 };
	struct diag *d;
	char last[32], next[32];
	int i;

	start_capture();
	for (i = 0; i < DIAG_MAX_ERRORS + 5; i++) {
		d = diag_new(DIAG_ERROR, &l, "error %d", i);
		diag_also(d, &first, "note %d", i);
		diag_emit(d);
	}
	is_int(diag_errors(), DIAG_MAX_ERRORS + 5, "every error counted");
	is_int(ncaptured, 2 * DIAG_MAX_ERRORS,
	    "only the first DIAG_MAX_ERRORS shown, each with its note");
	snprintf(last, sizeof(last), "note %d\n", DIAG_MAX_ERRORS - 1);
	snprintf(next, sizeof(next), "note %d\n", DIAG_MAX_ERRORS);
	ok(strstr(captured, last) != NULL && strstr(captured, next) == NULL,
	    "a suppressed error's note is suppressed too");
	diag_capture(NULL, NULL);
	diag_reset();
}

static void
many_warnings(void)
{
	struct loc l = { "p.yaml", 1, 1 }, by = { "p.yaml", 2, 1 };
	struct diag *d;
	int i;

	diag_reset();
	for (i = 0; i < DIAG_MAX_WARNINGS + 7; i++) {
		d = diag_new(DIAG_WARNING, &l, "warning %d", i);
		diag_also(d, &by, "because of %d", i);
		diag_emit(d);
	}
	diag_warning(&l, "%s", "one more, plainly");
	diag_flush();
}

static void
test_warning_cap(void)
{
	const char *s = stderr_of(many_warnings);
	const char *p;
	char last[32], next[32];
	int n = 0;

	for (p = s; (p = strstr(p, ": warning: ")) != NULL; p++)
		n++;
	is_int(n, DIAG_MAX_WARNINGS, "at most DIAG_MAX_WARNINGS printed");
	is_int(diag_warnings(), DIAG_MAX_WARNINGS + 8, "all of them counted");
	snprintf(last, sizeof(last), "because of %d\n", DIAG_MAX_WARNINGS - 1);
	snprintf(next, sizeof(next), "because of %d\n", DIAG_MAX_WARNINGS);
	ok(strstr(s, last) != NULL && strstr(s, next) == NULL,
	    "a suppressed warning's note is suppressed too");
	ok(strstr(s, "\negressc: 8 more warnings not shown\n") != NULL,
	    "diag_flush says how many were not shown");

	start_capture();
	diag_quiet_warnings(1);
	diag_warning(NULL, "%s", "hidden");
	is_str(captured, "", "quiet warnings are not shown");
	is_int(diag_warnings(), 1, "but counted");
	diag_quiet_warnings(0);
	diag_capture(NULL, NULL);
	diag_reset();
	is_str(stderr_of(diag_flush), "",
	    "no trailer when nothing was suppressed");
}

/* What a shared piece of work says is kept, then said once per target
 * that takes it: printed and counted each time, or deferred with the
 * target's own messages and replayed with them. */
static void
test_kept(void)
{
	struct loc l = { "p.yaml", 3, 1 }, by = { "p.yaml", 4, 1 };
	struct diag_log *kept, *was, *tgt;
	struct diag *d;

	start_capture();
	kept = diag_keep(&was);
	diag_warning(&l, "%s", "shared warning");
	d = diag_new(DIAG_ERROR, &l, "%s", "shared error");
	diag_also(d, &by, "%s", "its note");
	diag_emit(d);
	diag_note(NULL, "%s", "a summary");
	is_int(diag_errors(), 1, "kept: counted in the kept log");
	diag_kept(was);
	is_str(captured, "", "kept messages are not printed");
	is_int(diag_errors() + diag_warnings(), 0, "...nor counted");

	diag_give(kept);
	diag_give(kept);
	is_int(diag_errors(), 2, "given twice: the error counted twice");
	is_int(diag_warnings(), 2, "...and the warning");
	is_str(captured, "p.yaml:3:1: warning: shared warning\n"
	    "p.yaml:3:1: error: shared error\n"
	    "p.yaml:4:1: note: its note\n"
	    "egressc: note: a summary\n"
	    "p.yaml:3:1: warning: shared warning\n"
	    "p.yaml:3:1: error: shared error\n"
	    "p.yaml:4:1: note: its note\n"
	    "egressc: note: a summary\n",
	    "...and printed twice, in order, notes and all");

	captured[0] = '\0';
	tgt = diag_defer();
	diag_warning(&l, "%s", "the target's own");
	diag_give(kept);
	is_int(diag_errors(), 1, "given to a deferring thread: its count");
	diag_defer_end();
	is_str(captured, "", "...and nothing printed yet");
	diag_replay(tgt);
	is_str(captured, "p.yaml:3:1: warning: the target's own\n"
	    "p.yaml:3:1: warning: shared warning\n"
	    "p.yaml:3:1: error: shared error\n"
	    "p.yaml:4:1: note: its note\n"
	    "egressc: note: a summary\n",
	    "...replayed after the target's own messages");
	is_int(diag_errors(), 3, "...and counted then");
	diag_log_free(kept);
	diag_capture(NULL, NULL);
	diag_reset();
}

int
main(void)
{
	plan_lazy();
	test_printed();
	test_taken();
	test_captured();
	test_error_cap();
	test_warning_cap();
	test_kept();
	return done_testing();
}
