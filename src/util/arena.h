/*
 * arena.h - one allocator for a compilation.  The AST, the IR and every
 * string built while compiling live in an arena and die with it; passes never
 * free.  Allocation failure aborts with a message: egressc has no useful way
 * to go on without memory.
 */
#ifndef EGRESSC_ARENA_H
#define EGRESSC_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct arena;

/* 1 when small chunks come from the pool (and a reset arena keeps one);
 * 0 in builds with a sanitizer, which take every chunk from calloc and
 * give it back to free, where the sanitizer sees a block used after its
 * arena was reset or freed. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_POOLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define ARENA_POOLED 0
#endif
#endif
#ifndef ARENA_POOLED
#define ARENA_POOLED 1
#endif

struct arena	*arena_new(void);
void		 arena_free(struct arena *);
/* Everything allocated so far freed at once, the arena kept for more: a
 * loop's scratch, reset each time round, keeps one chunk of its own and
 * takes the rest from the pool, the same few chunks still in the cache
 * rather than new pages for every iteration. */
void		 arena_reset(struct arena *);
void		*arena_alloc(struct arena *, size_t);		/* zeroed */
void		*arena_grow(struct arena *, void *, size_t old, size_t new);
/* Done with p before the arena is: a big block (one with its chunk to
 * itself) goes back at once, anything else stays until the arena goes. */
void		 arena_release(struct arena *, void *p);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
size_t		 arena_used(const struct arena *);
/* Everything from holds is a's from now on, and from is gone: what one
 * thread built for another, in an arena of its own, joins the other's. */
void		 arena_adopt(struct arena *a, struct arena *from);

/* Append to a growable array kept in the arena: *v has *n used, *cap room. */
#define ARENA_PUSH(a, v, n, cap) do {					\
	if ((n) == (cap)) {						\
		size_t nc_ = (cap) ? (cap) * 2 : 8;			\
		(v) = arena_grow((a), (v), (cap) * sizeof(*(v)),		\
		    nc_ * sizeof(*(v)));				\
		(cap) = nc_;						\
	}								\
	(n)++;								\
} while (0)

void		*xmalloc(size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);

#endif
