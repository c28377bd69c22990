/*
 * hugemem.h - large blocks the kernel may back with huge pages.
 *
 * Page faults were a fifth to a third of every target's time: a compile
 * of 2,000 rules touches some 80 MB, 20,000 pages of 4 KiB, each faulted
 * in and cleared one by one.  Blocks of at least HUGEMEM_MIN bytes (the
 * arena's slabs and big arrays, the output texts) are mapped here instead
 * of taken from malloc, aligned, with MADV_HUGEPAGE: under
 * transparent_hugepage "madvise", the usual default, one fault then
 * brings in 2 MiB.  They come zeroed, and grow by mremap to a place
 * aligned the same way, which moves pages without copying or clearing
 * them (a copy into fresh pages cleared and copied 16,000 rules' 300 MB
 * twice over, and made that compile slower than malloc had).  Only the
 * first HUGEMEM_BUDGET bytes (hugemem.c) are advised: a compile that
 * needs more gets small pages for the rest, which the kernel need not
 * gather.  The advice is only advice: a kernel that ignores it gives
 * small pages.
 *
 * hugemem_on() is false in builds with a sanitizer, so that ASan sees
 * every block as malloc gives it; callers then use malloc.
 */
#ifndef EGRESSC_HUGEMEM_H
#define EGRESSC_HUGEMEM_H

#include <stdbool.h>
#include <stddef.h>

#define HUGEMEM_MIN	(1u << 20)
#define HUGEMEM_PAGE	(2u << 20)

bool	 hugemem_on(void);
/* n bytes, zeroed, aligned to HUGEMEM_PAGE.  Aborts when out of memory,
 * as xmalloc does. */
void	*hugemem_alloc(size_t n);
/* p of old bytes grown to new (zeroed beyond old); it may move. */
void	*hugemem_grow(void *p, size_t old, size_t new);
void	 hugemem_free(void *p, size_t n);

#endif
