/*
 * cpus.h - how many threads egressc works with: EGRESSC_THREADS when it
 * is set and not empty, else the CPUs this process may run on; at least
 * one.  The targets render on that many (cli/driver.c), and a large
 * policy file is parsed in two pieces at once when it is two or more
 * (policy/yaml.c); the bytes and the messages are the same whatever it is.
 */
#ifndef EGRESSC_CPUS_H
#define EGRESSC_CPUS_H

#include <stddef.h>

size_t	cpu_threads(void);

#endif
