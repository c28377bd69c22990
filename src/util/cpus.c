/* cpus.c - the threads to work with, and where they start (see cpus.h). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "util/arena.h"
#include "util/cpus.h"

size_t
cpu_threads(void)
{
	const char *e = getenv("EGRESSC_THREADS");
	long t = 0;
	cpu_set_t cs;

	if (e != NULL && *e != '\0')
		t = strtol(e, NULL, 10);
	else if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		t = CPU_COUNT(&cs);
	return t < 1 ? 1 : (size_t)t;
}

struct start {
	void		*(*fn)(void *);
	void		*arg;
	cpu_set_t	 all;		/* the maker's CPUs */
};

/* The new thread, started where it was put: free to move from now on. */
static void *
trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	(void)sched_setaffinity(0, sizeof(s.all), &s.all);
	return s.fn(s.arg);
}

/* The CPU k + 1 places after cur among those of all, round and round. */
static int
cpu_after(const cpu_set_t *all, int cur, size_t k)
{
	size_t steps = 1 + k % (size_t)CPU_COUNT(all);
	int c = cur;

	while (steps > 0) {
		c = (c + 1) % CPU_SETSIZE;
		if (CPU_ISSET(c, all))
			steps--;
	}
	return c;
}

int
cpu_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, size_t k)
{
	struct start *s = xmalloc(sizeof(*s));
	pthread_attr_t at;
	cpu_set_t one;
	int cur, rc;

	s->fn = fn;
	s->arg = arg;
	if (sched_getaffinity(0, sizeof(s->all), &s->all) != 0 ||
	    CPU_COUNT(&s->all) < 2 || (cur = sched_getcpu()) < 0 ||
	    pthread_attr_init(&at) != 0) {
		free(s);
		return pthread_create(th, NULL, fn, arg);
	}
	CPU_ZERO(&one);
	CPU_SET(cpu_after(&s->all, cur, k), &one);
	rc = pthread_attr_setaffinity_np(&at, sizeof(one), &one);
	if (rc == 0)
		rc = pthread_create(th, &at, trampoline, s);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		free(s);
		rc = pthread_create(th, NULL, fn, arg);
	}
	return rc;
}
