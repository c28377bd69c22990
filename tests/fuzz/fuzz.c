/*
 * fuzz.c - the harnesses' archive of files (see fuzz.h) and the reset of
 * egressc's global state between runs.  Diagnostics are swallowed with
 * diag_capture: the fuzzer wants crashes, leaks and hangs, not messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"
#include "util/budget.h"
#include "util/diag.h"
#include "util/hostname.h"

#define MARK		"#=== "
#define MAX_NAME	64

static char	dir[64];
static struct fuzz_files *current;	/* the run's files, for on_death */
static char	pathbuf[sizeof(dir) + MAX_NAME + 2];

static void
swallow(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

static void
remove_dir(void)
{
	if (dir[0] != '\0')
		rmdir(dir);
}

/* A finding ends the process: take its files and the directory too, so
 * that a campaign's crashes do not leave directories behind in /tmp. */
static void
on_death(void)
{
	size_t i;

	if (current != NULL) {
		for (i = 0; i < current->n; i++)
			unlink(current->path[i]);
		for (i = current->ndirs; i > 0; i--)
			rmdir(current->dirs[i - 1]);
	}
	remove_dir();
}

const char *
fuzz_dir(void)
{
	if (dir[0] == '\0') {
		strcpy(dir, "/tmp/egressc-fuzz-XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(remove_dir);
		__sanitizer_set_death_callback(on_death);
		/* The same clock every run: catalogs' checked: and locks'
		 * made: are judged against it. */
		setenv("SOURCE_DATE_EPOCH", "1795737600", 1);
		unsetenv("EGRESSC_TEMPLATES");
		diag_capture(swallow, NULL);
	}
	return dir;
}

const char *
fuzz_path(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", fuzz_dir(), name);
	return pathbuf;
}

/* A name the archive may use: no "..", no leading '/', one '/' at most. */
static int
name_ok(const char *s, size_t n)
{
	size_t i, slashes = 0;

	if (n == 0 || n > MAX_NAME || s[0] == '/' || s[0] == '.' ||
	    s[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/') {
			if (++slashes > 1 || s[i + 1] == '.')
				return 0;
		} else if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '.' && c != '-' &&
		    c != '_')
			return 0;
	}
	return 1;
}

static int
add_file(struct fuzz_files *ff, const char *name, size_t nlen,
    const uint8_t *text, size_t len)
{
	char nm[MAX_NAME + 1], *slash;
	FILE *f;
	size_t i;

	if (ff->n == FUZZ_MAX_FILES || !name_ok(name, nlen))
		return -1;
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	for (i = 0; i < ff->n; i++)
		if (strcmp(ff->path[i], fuzz_path(nm)) == 0)
			return -1;
	if ((slash = strchr(nm, '/')) != NULL) {
		*slash = '\0';
		for (i = 0; i < ff->ndirs; i++)
			if (strcmp(ff->dirs[i], fuzz_path(nm)) == 0)
				break;
		if (i == ff->ndirs) {
			if (mkdir(fuzz_path(nm), 0700) < 0)
				return -1;
			ff->dirs[ff->ndirs++] = strdup(fuzz_path(nm));
		}
		*slash = '/';
	}
	if ((f = fopen(fuzz_path(nm), "wb")) == NULL)
		return -1;
	ff->path[ff->n++] = strdup(fuzz_path(nm));
	if (len > 0 && fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* The first line at or after p that starts with MARK, or NULL. */
static const uint8_t *
next_mark(const uint8_t *base, const uint8_t *p, const uint8_t *end)
{
	size_t m = strlen(MARK);

	for (; p < end && (size_t)(end - p) >= m; p++)
		if ((p == base || p[-1] == '\n') && memcmp(p, MARK, m) == 0)
			return p;
	return NULL;
}

int
fuzz_unpack(const uint8_t *data, size_t len, const char *main,
    struct fuzz_files *ff)
{
	const uint8_t *end = data + len, *p = data, *m, *nl;
	const char *name = main;
	size_t nlen = strlen(main);

	memset(ff, 0, sizeof(*ff));
	fuzz_dir();
	current = ff;
	diag_reset();
	/* Each input is a compilation of its own, with its whole budget (a
	 * budget spent by the last input would fail this one silently). */
	budget_set(0);
	for (;;) {
		m = next_mark(data, p, end);
		if (add_file(ff, name, nlen, p,
		    (size_t)((m != NULL ? m : end) - p)) < 0)
			return -1;
		if (m == NULL)
			return 0;
		m += strlen(MARK);
		if ((nl = memchr(m, '\n', (size_t)(end - m))) == NULL)
			return -1;
		name = (const char *)m;
		nlen = (size_t)(nl - m);
		p = nl + 1;
	}
}

void
fuzz_done(struct fuzz_files *ff)
{
	size_t i;

	for (i = 0; i < ff->n; i++) {
		unlink(ff->path[i]);
		free(ff->path[i]);
	}
	for (i = ff->ndirs; i > 0; i--) {
		rmdir(ff->dirs[i - 1]);
		free(ff->dirs[i - 1]);
	}
	ff->n = ff->ndirs = 0;
	current = NULL;
	diag_reset();
	hostname_cleanup();
}
