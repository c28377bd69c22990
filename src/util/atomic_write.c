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

char *
read_file(const char *path, size_t max, size_t *lenp)
{
	FILE *f;
	char *buf;
	size_t len = 0, cap = 4096, r;
	int saved;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max + 1) {
				free(buf);
				if (f != stdin)
					fclose(f);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		saved = errno;
		free(buf);
		if (f != stdin)
			fclose(f);
		errno = saved ? saved : EIO;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	if (len > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}
