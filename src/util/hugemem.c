/* hugemem.c - large blocks the kernel may back with huge pages (hugemem.h). */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/hugemem.h"

#if defined(__SANITIZE_ADDRESS__)
#define HUGEMEM_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define HUGEMEM_OFF 1
#endif
#endif

bool
hugemem_on(void)
{
#ifdef HUGEMEM_OFF
	return false;
#else
	return true;
#endif
}

static void
oom(void)
{
	fputs("egressc: out of memory\n", stderr);
	abort();
}

static size_t
pages(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) & ~(pg - 1);
}

/*
 * Huge pages for the first HUGEMEM_BUDGET bytes only.  They pay where a
 * compile is small enough to live in them (2,000 rules: 83 ms instead of
 * 94); past some hundreds of MiB the kernel has to gather them, and a
 * compile of 16,000 rules took from 750 to 1,100 ms from one run to the
 * next, against a steady 830 ms with small pages.
 */
#define HUGEMEM_BUDGET	(96u << 20)

static _Atomic size_t	advised;

static void
advise(void *p, size_t n)
{
	if (advised + n > HUGEMEM_BUDGET)
		return;
	advised += n;
	(void)madvise(p, n, MADV_HUGEPAGE);
}

/* n bytes in a mapping of their own, aligned to a huge page so that every
 * whole 2 MiB of it can be one. */
void *
hugemem_alloc(size_t n)
{
	size_t len = pages(n) + HUGEMEM_PAGE;
	unsigned char *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		oom();
	q = (unsigned char *)(((uintptr_t)p + HUGEMEM_PAGE - 1) &
	    ~(uintptr_t)(HUGEMEM_PAGE - 1));
	if (q > p)
		munmap(p, (size_t)(q - p));
	if (q + pages(n) < p + len)
		munmap(q + pages(n), (size_t)(p + len - (q + pages(n))));
	advise(q, pages(n));
	return q;
}

/*
 * Moved with mremap, which carries the pages over without copying or
 * clearing them again, to a place aligned as hugemem_alloc aligns, so
 * that a huge page stays one; what is added is fresh.
 */
void *
hugemem_grow(void *p, size_t old, size_t new)
{
	void *q, *r;

	if (pages(new) <= pages(old))
		return p;
	q = hugemem_alloc(new);
	r = mremap(p, pages(old), pages(new), MREMAP_MAYMOVE | MREMAP_FIXED, q);
	if (r == MAP_FAILED) {
		memcpy(q, p, old);
		hugemem_free(p, old);
		return q;
	}
	/* The advice went with the pages: the mapping keeps it, or lacks
	 * it, as the block did. */
	return r;
}

void
hugemem_free(void *p, size_t n)
{
	if (p != NULL)
		munmap(p, pages(n));
}
