/*
 * atomic_write.h - the only code that writes an output file.  The text goes
 * to a temporary file in the destination's directory, is fsynced, then
 * renamed over the destination, so a reader sees the old file or the new one,
 * never a part.
 */
#ifndef EGRESSC_ATOMIC_WRITE_H
#define EGRESSC_ATOMIC_WRITE_H

#include <stddef.h>

/* 0 on success; -1 with errno set, and the destination untouched. */
int	atomic_write(const char *path, const void *buf, size_t len, int mode);
/*
 * The same in two steps, for several files that should all change or none:
 * atomic_stage writes and fsyncs a temporary file beside path and returns
 * its name (NULL with errno set); atomic_commit renames it over path (and
 * frees the name), atomic_abort removes it.
 */
char	*atomic_stage(const char *path, const void *buf, size_t len, int mode);
int	 atomic_commit(char *tmp, const char *path);
void	 atomic_abort(char *tmp);
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

#endif
