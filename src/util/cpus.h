/*
 * cpus.h - how many threads egressc works with: EGRESSC_THREADS when it
 * is set and not empty, else the CPUs this process may run on; at least
 * one.  The targets render on that many (cli/driver.c), and a large
 * policy is parsed on two at once when it is two or more (policy/yaml.c
 * the file, policy/policy.c its rules); the bytes and the messages are
 * the same whatever it is.
 */
#ifndef EGRESSC_CPUS_H
#define EGRESSC_CPUS_H

#include <pthread.h>
#include <stddef.h>

size_t	cpu_threads(void);

/*
 * pthread_create(th, NULL, fn, arg), the thread started on another CPU
 * than the calling thread's: the k-th after it (k = 0, 1, ...), round and
 * round the CPUs the process may use, so that a pool's threads start one
 * per CPU.  Linux puts a new thread beside its maker at first: on this
 * project's 2-CPU machine one made while its maker worked on started 1.5
 * to 3 ms late, often only when the maker waited for it, where it had 2 to
 * 4 ms of work.  Only the start is chosen: the thread may then run on any
 * CPU the process may.  0 or an error number, as pthread_create.
 */
int	cpu_thread_start(pthread_t *th, void *(*fn)(void *), void *arg,
	    size_t k);

#endif
