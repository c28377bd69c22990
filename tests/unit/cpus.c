/*
 * cpus.c - cpu_thread_start: the thread runs its function with its
 * argument and returns its value, then runs where the process may (its
 * start is chosen, not its life), whichever k it was given; and with one
 * CPU to run on it is an ordinary pthread_create.
 */
#include <sched.h>
#include <stdint.h>

#include "tap.h"
#include "util/cpus.h"

static cpu_set_t want;

/* The thread's own CPU mask, compared with want: its argument + 1 when
 * they are the same, 0 when not. */
static void *
check(void *arg)
{
	cpu_set_t cs;

	if (sched_getaffinity(0, sizeof(cs), &cs) != 0 ||
	    !CPU_EQUAL(&cs, &want))
		return (void *)0;
	return (void *)((uintptr_t)arg + 1);
}

static void
round_of(const char *what)
{
	pthread_t th[4];
	void *rv;
	size_t k;
	int rc[4];

	for (k = 0; k < 4; k++)
		rc[k] = cpu_thread_start(&th[k], check, (void *)(uintptr_t)k,
		    k);
	for (k = 0; k < 4; k++) {
		rv = NULL;
		if (rc[k] == 0)
			pthread_join(th[k], &rv);
		ok(rc[k] == 0 && (uintptr_t)rv == k + 1, "%s: thread k=%zu ran "
		    "with its argument, free to run where the process may",
		    what, k);
	}
}

int
main(void)
{
	cpu_set_t one;

	plan_lazy();
	ok(sched_getaffinity(0, sizeof(want), &want) == 0, "the process's CPUs");
	diag("%d CPUs", CPU_COUNT(&want));
	round_of("all CPUs");
	/* One CPU: nowhere else to start. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (ok(sched_setaffinity(0, sizeof(one), &one) == 0, "down to one CPU")) {
		want = one;
		round_of("one CPU");
	}
	return done_testing();
}
