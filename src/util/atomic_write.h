/*
 * atomic_write.h - the only code that writes an output file.
 *
 * One file (the lock, a catalog) goes to a temporary file beside it, is
 * fsynced, then renamed over it, so a reader sees the old file or the new
 * one, never a part.  A set of files in one directory (compile -o DIR)
 * changes as one: the new set is written into a fresh directory beside
 * DIR, which is then swapped with DIR in one renameat2(RENAME_EXCHANGE);
 * when DIR holds files that are not egressc's (or cannot be swapped), a
 * journal of renames is committed first, and a run that finds one left
 * behind finishes it before anything else (atomic_dir_begin).  The files
 * of a set are written as they come, their writeback started, and all
 * fsynced when it commits, before any rename; a file whose bytes are the
 * ones it would replace is not written at all, and stays as it is.
 *
 * Temporaries are named .NAME.egressc-KIND.PID, KIND one of tmp, old, new
 * and journal, so that a later run can tell its own leftovers and remove
 * those whose process is gone.  A replaced file keeps its mode; a new one
 * gets mode less the umask, as open(2) would give it.
 */
#ifndef EGRESSC_ATOMIC_WRITE_H
#define EGRESSC_ATOMIC_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/* 0 on success; -1 with errno set, and the destination untouched. */
int	atomic_write(const char *path, const void *buf, size_t len, int mode);

/*
 * A set of files in one directory that all change or none do.
 *
 * atomic_dir_begin takes the directory (creating it when absent), after
 * finishing any journal a killed run left and removing the temporaries of
 * runs that are gone.  own(name) says whether a file in it is egressc's
 * output (one it may carry over into the swapped directory): anything
 * else there makes the commit a journal of renames instead of a swap.
 * atomic_dir_add stages one file; atomic_dir_commit makes every staged
 * file appear at once, and the files it does not name stay as they were;
 * atomic_dir_abort (also after a failed commit) leaves the directory as it
 * was.  Each returns -1 with errno set on failure; commit and abort free
 * the set.
 */
struct atomic_dir;
struct atomic_dir	*atomic_dir_begin(const char *dir,
			    bool (*own)(const char *name));
int			 atomic_dir_add(struct atomic_dir *, const char *name,
			    const void *buf, size_t len, int mode);
/*
 * atomic_dir_add in two steps, so that threads can write their files side
 * by side while the set keeps the order it is given them in: stage writes
 * the file under its temporary name (threads may stage at once; NULL with
 * errno), keep then adds it to the set, or unstage removes it.  Every
 * staged file must be kept or unstaged before commit or abort.
 */
struct atomic_staged;
struct atomic_staged	*atomic_dir_stage(struct atomic_dir *,
			    const char *name, const void *buf, size_t len,
			    int mode);
/*
 * atomic_dir_stage in pieces, for a file written as it is made: open
 * starts it (NULL with errno), write appends to it (threads may write
 * their own files at once), done ends it; each -1 with errno.  While the
 * text is the file it replaces, byte for byte, nothing is written (the
 * staged file is made where they first differ, so an error to make it
 * can come from write or done); one that ends the same is left out of
 * the set by keep.  A file open, written or done is kept or unstaged as
 * one from stage is.
 */
struct atomic_staged	*atomic_dir_open(struct atomic_dir *,
			    const char *name, int mode);
int			 atomic_staged_write(struct atomic_staged *,
			    const void *buf, size_t len);
int			 atomic_staged_done(struct atomic_staged *);
void			 atomic_dir_keep(struct atomic_dir *,
			    struct atomic_staged *);
void			 atomic_dir_unstage(struct atomic_dir *,
			    struct atomic_staged *);
int			 atomic_dir_commit(struct atomic_dir *);
void			 atomic_dir_abort(struct atomic_dir *);

/*
 * Read a whole file (NUL-terminated); NULL with errno set, and *why (may be
 * NULL) a few words for a message.  Files over max bytes fail with EFBIG.
 * Only a regular file is read ("-" is standard input): a FIFO, socket,
 * device or directory fails with EINVAL and *why naming what it is, and
 * never blocks, because the file is opened O_NONBLOCK and looked at before
 * it is read.  Caller frees.
 */
char	*read_file(const char *path, size_t max, size_t *lenp,
	    const char **why);

/*
 * Test-only: EGRESSC_FAIL_RENAME=N makes the Nth rename this process does
 * through this file fail with EIO, so that the tests can show a failure at
 * every step leaves the old files.  Nothing else should set it.
 */
#define ATOMIC_FAIL_ENV	"EGRESSC_FAIL_RENAME"

#endif
