/*
 * arena.c - bump allocator in chunks.  Big requests get a chunk of their own
 * so a large set does not waste the rest of a small chunk; those chunks are
 * kept on a list of their own, latest first, so that a big array that grows
 * is found and reallocated rather than copied.
 *
 * Small chunks come from slabs of SLAB bytes mapped here, and a freed one
 * is kept for the next arena of any thread, which clears the bytes it
 * handed out, no more; slabs are never given back.  A page fault costs
 * some 3 us on this project's machine, clearing a page again a tenth of
 * that, and a compile of 2,000 rules had faulted in 20,000 pages: targets
 * that follow each other now reuse what the last one freed, whichever
 * thread rendered it, where malloc kept it for its own thread.  (Huge
 * pages, MADV_HUGEPAGE, were tried for the slabs and for big blocks: a
 * tenth faster at 2,000 rules, but at 16,000 a compile took from 650 to
 * 2,200 ms run to run, where small pages hold steady.)  Builds with a
 * sanitizer take every chunk from calloc, where ASan sees it.
 */
#include <sys/mman.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/out.h"

#define CHUNK	(64 * 1024)
#define ALIGN	16
#define SLAB	(4u << 20)

struct chunk {
	struct chunk	*next;
	size_t		 size, used;
	bool		 pooled;	/* from a slab: back to the pool */
	_Alignas(ALIGN) unsigned char data[];
};

struct arena {
	struct chunk	*head;		/* small blocks, the newest first */
	struct chunk	*big;		/* one big block each, latest first */
	size_t		 total;
};

static void
oom(void)
{
	fputs("egressc: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

struct arena *
arena_new(void)
{
	struct arena *a = xmalloc(sizeof(*a));

	a->head = a->big = NULL;
	a->total = 0;
	return a;
}

/* The free small chunks of every arena, and the slabs they come from. */
static pthread_mutex_t	 pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct chunk	*pool;
static bool		 no_slabs;

/* A zeroed small chunk from the pool, or NULL to take one from calloc. */
static struct chunk *
pool_take(void)
{
	size_t one = sizeof(struct chunk) + CHUNK, k;
	struct chunk *c = NULL;
	unsigned char *slab;

#if !ARENA_POOLED
	return NULL;
#endif
	pthread_mutex_lock(&pool_mu);
	if (pool == NULL && !no_slabs) {
		slab = mmap(NULL, SLAB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (slab == MAP_FAILED) {
			slab = NULL;
			no_slabs = true;	/* calloc from now on */
		}
		for (k = 0; slab != NULL && (k + 1) * one <= SLAB; k++) {
			c = (struct chunk *)(slab + k * one);
			c->pooled = true;
			c->next = pool;
			pool = c;
		}
	}
	if ((c = pool) != NULL)
		pool = c->next;
	pthread_mutex_unlock(&pool_mu);
	/* Cleared as far as its last arena wrote it, by the thread about
	 * to write it again: a chunk freed last, as the program ends, is
	 * never cleared at all. */
	if (c != NULL)
		memset(c->data, 0, c->used);
	return c;
}

/* Small chunks c..last (linked) back to the pool, as they are: used says
 * how much of each pool_take clears. */
static void
pool_give(struct chunk *c, struct chunk *last)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&pool_mu);
	last->next = pool;
	pool = c;
	pthread_mutex_unlock(&pool_mu);
}

/*
 * Everything freed, the arena kept.  One small chunk stays, cleared, for
 * the next round: a loop's scratch reset once per rule (netsh,
 * powershell, the Cisco pair: 130,000 times at 16,000 rules) would
 * otherwise take the pool's lock twice a round, which the other render
 * thread wants as often, and be handed a chunk the other core wrote
 * last.  The rest go back to the pool.
 */
static void
clear(struct arena *a, bool keep)
{
	struct chunk *c, *next, *given = NULL, *last = NULL, *kept = NULL;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (!c->pooled) {
			free(c);
			continue;
		}
		if (keep && kept == NULL) {
			kept = c;
			continue;
		}
		if (last == NULL)
			last = c;
		c->next = given;
		given = c;
	}
	pool_give(given, last);
	for (c = a->big; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	if (kept != NULL) {
		memset(kept->data, 0, kept->used);
		kept->used = 0;
		kept->next = NULL;
	}
	a->head = kept;
	a->big = NULL;
	a->total = 0;
}

void
arena_reset(struct arena *a)
{
	clear(a, true);
}

void
arena_adopt(struct arena *a, struct arena *from)
{
	struct chunk *c;

	/* After a's newest chunk, which its next allocation still fills. */
	if (from->head != NULL && a->head == NULL)
		a->head = from->head;
	else if (from->head != NULL) {
		for (c = from->head; c->next != NULL; c = c->next)
			;
		c->next = a->head->next;
		a->head->next = from->head;
	}
	if (from->big != NULL) {
		for (c = from->big; c->next != NULL; c = c->next)
			;
		c->next = a->big;
		a->big = from->big;
	}
	a->total += from->total;
	free(from);
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	clear(a, false);
	free(a);
}

/*
 * A chunk comes zeroed (from the pool or calloc), and a bump allocator
 * hands out each byte of it once: so allocations need no memset of their
 * own.  Memory fresh from the kernel is zero already and calloc does not
 * clear it again, so room reserved but never written (the unused half of
 * an array that doubled) is never touched, and costs no page fault.
 * small: one of the arena's CHUNK-sized chunks, which the pool holds;
 * else a big block's own, which arena_grow may realloc.
 */
static struct chunk *
chunk_new(size_t size, bool small)
{
	struct chunk *c = small ? pool_take() : NULL;

	if (c == NULL && (c = calloc(1, sizeof(*c) + size)) == NULL)
		oom();

	c->size = size;
	c->used = 0;
	c->next = NULL;
	return c;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c;
	void *p;

	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	if (n > CHUNK / 4) {
		/* A private chunk. */
		c = chunk_new(n, false);
		c->used = n;
		c->next = a->big;
		a->big = c;
		a->total += n;
		return c->data;
	}
	c = a->head;
	if (c == NULL || c->size - c->used < n) {
		c = chunk_new(CHUNK, true);
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

/*
 * The block just allocated grows where it is when its chunk has the room:
 * arrays that double as they fill (ARENA_PUSH, sets) would otherwise
 * leave every smaller copy behind, half of what they ever took.
 */
void *
arena_grow(struct arena *a, void *old, size_t oldn, size_t newn)
{
	struct chunk *c = a->head;
	size_t on = (oldn + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	size_t nn = (newn + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (old != NULL && on > 0 && c != NULL && nn > on &&
	    (unsigned char *)old + on == c->data + c->used &&
	    c->size - c->used >= nn - on) {
		c->used += nn - on;
		a->total += nn - on;
		return old;
	}
	/* A big block has its chunk to itself: reallocate the chunk, which
	 * for the biggest moves no bytes at all, and put it first, where
	 * its next growth finds it at once. */
	if (old != NULL && on > CHUNK / 4 && nn > on) {
		struct chunk **pp = &a->big;
		int k;

		for (k = 0; k < 256 && *pp != NULL; k++, pp = &(*pp)->next) {
			c = *pp;
			if (c->data != old)
				continue;
			*pp = c->next;
			c = xrealloc(c, sizeof(*c) + nn);
			memset(c->data + on, 0, nn - on);
			c->size = c->used = nn;
			c->next = a->big;
			a->big = c;
			a->total += nn - on;
			return c->data;
		}
	}
	p = arena_alloc(a, newn);

	if (old != NULL && oldn > 0)
		memcpy(p, old, oldn < newn ? oldn : newn);
	return p;
}

void
arena_release(struct arena *a, void *p)
{
	struct chunk **pp, *c;

	if (p == NULL)
		return;
	for (pp = &a->big; (c = *pp) != NULL; pp = &c->next)
		if (c->data == p) {
			*pp = c->next;
			a->total -= c->size;
			free(c);
			return;
		}
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Through out_vprintf, which writes the common conversions without
 * vsnprintf, once rather than measure-then-write. */
char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	char stack[256];
	struct out o;
	va_list ap;
	char *p;

	out_init_buf(&o, stack, sizeof(stack));
	va_start(ap, fmt);
	out_vprintf(&o, fmt, ap);
	va_end(ap);
	p = arena_strndup(a, o.buf, o.len);
	out_free(&o);
	return p;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
