/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz/ share.  egressc's
 * readers take file names, not buffers, and a policy can include other
 * files, so an input is a small archive: its text up to the first line
 * "#=== NAME" is the main file, and each such line starts another file
 * called NAME (letters, digits, '.', '-', '_', one '/' for a directory).
 * The files are written into a private directory, read, and removed
 * again, so that every run starts from nothing: diagnostics are counted
 * afresh (diag_reset), PCRE2's patterns are freed (hostname_cleanup),
 * and whatever a run allocates and keeps is a leak that ASan reports.
 */
#ifndef EGRESSC_FUZZ_H
#define EGRESSC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_MAX_FILES	16

struct fuzz_files {
	char	*path[FUZZ_MAX_FILES];	/* absolute, in the directory */
	size_t	 n;
	char	*dirs[FUZZ_MAX_FILES];	/* subdirectories made for them */
	size_t	 ndirs;
};

/*
 * Unpack data into the directory with main as the first file's name.
 * The absolute path of file NAME is fuzz_path(NAME) (static storage,
 * overwritten by the next call).  0, or -1 when the archive names a file
 * badly (the input is then skipped).
 */
int		 fuzz_unpack(const uint8_t *data, size_t len,
		    const char *main, struct fuzz_files *);
/* Remove the files, then reset egressc's global state. */
void		 fuzz_done(struct fuzz_files *);
const char	*fuzz_path(const char *name);
/* The directory itself (made on first use, removed at exit). */
const char	*fuzz_dir(void);

#endif
