/*
 * runit.c - run one command the way make bench measures it: wall time
 * from just before fork to its exit (so the harness's own start-up is not
 * counted), its peak RSS (wait4), and a cap on both, so that a build that
 * has gone quadratic cannot take a shared machine down.
 *
 *	runit CAP_SECONDS CAP_MIB COMMAND [ARG...]
 *
 * prints "MS KIB STATUS CPU_MS" (STATUS: the exit code, or "cut" when the
 * command ran past a cap or died of a signal; CPU_MS: user and system time,
 * which a loaded machine changes less than it changes the wall time).
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	struct rlimit rl;
	double t0, t1, cpu;
	pid_t pid;
	int st, fd;

	if (argc < 4) {
		fprintf(stderr, "usage: runit CAP_S CAP_MIB CMD [ARG...]\n");
		return 2;
	}
	t0 = now_ms();
	if ((pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)atol(argv[2]) << 20;
		setrlimit(RLIMIT_AS, &rl);
		rl.rlim_cur = rl.rlim_max = (rlim_t)atol(argv[1]);
		setrlimit(RLIMIT_CPU, &rl);
		alarm((unsigned)atol(argv[1]));
		if ((fd = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[3], argv + 3);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return 2;
	t1 = now_ms();
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (WIFEXITED(st))
		printf("%.2f %ld %d %.2f\n", t1 - t0, ru.ru_maxrss,
		    WEXITSTATUS(st), cpu);
	else
		printf("%.2f %ld cut %.2f\n", t1 - t0, ru.ru_maxrss, cpu);
	return 0;
}
