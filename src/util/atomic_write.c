/* atomic_write.c - temp file, fsync, rename (see atomic_write.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/atomic_write.h"

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

char *
atomic_stage(const char *path, const void *buf, size_t len, int mode)
{
	char *tmp;
	int fd, saved;
	size_t n = strlen(path) + 16;

	tmp = xmalloc(n);
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return NULL;
	}
	if (write_all(fd, buf, len) < 0 || fchmod(fd, (mode_t)mode) < 0 ||
	    fsync(fd) < 0 || close(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return NULL;
	}
	return tmp;
}

int
atomic_commit(char *tmp, const char *path)
{
	char *dcopy;
	int saved, dfd;

	if (rename(tmp, path) < 0) {
		saved = errno;
		atomic_abort(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	/* Make the rename itself durable. */
	dcopy = xstrdup(path);
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dcopy);
	return 0;
}

void
atomic_abort(char *tmp)
{
	if (tmp == NULL)
		return;
	unlink(tmp);
	free(tmp);
}

int
atomic_write(const char *path, const void *buf, size_t len, int mode)
{
	char *tmp = atomic_stage(path, buf, len, mode);

	return tmp == NULL ? -1 : atomic_commit(tmp, path);
}

/* What a file that is not a regular file is, for a message. */
static const char *
not_regular(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory, not a regular file";
	if (S_ISFIFO(m))
		return "a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "a socket, not a regular file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device, not a regular file";
	return "not a regular file";
}

/*
 * The file open for reading, blocking again, or -1.  O_NONBLOCK keeps
 * open() of a FIFO without a writer from waiting forever; what it opened
 * is then looked at before a byte is read.
 */
static int
open_regular(const char *path, const char **why)
{
	struct stat st;
	int fd, fl;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int saved = errno;

		/* A socket cannot be opened at all (ENXIO): say what it is. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			*why = not_regular(st.st_mode);
			saved = EINVAL;
		} else
			*why = strerror(saved);
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = not_regular(st.st_mode);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

char *
read_file(const char *path, size_t max, size_t *lenp, const char **why)
{
	const char *dummy;
	char *buf;
	size_t len = 0, cap = 4096;
	ssize_t r;
	int fd, saved;

	if (why == NULL)
		why = &dummy;
	if (strcmp(path, "-") == 0)
		fd = 0;
	else if ((fd = open_regular(path, why)) < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max + 1) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (fd != 0)
		close(fd);
	if (len > max) {
		free(buf);
		errno = EFBIG;
		*why = strerror(errno);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
fail:
	saved = errno;
	*why = strerror(saved);
	free(buf);
	if (fd != 0)
		close(fd);
	errno = saved;
	return NULL;
}
