/* cpus.c - the number of threads to work with (see cpus.h). */
#include <sched.h>
#include <stdlib.h>

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
