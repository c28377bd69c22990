/*
 * connect.c - the packet path figure of `make bench` (bench/kernel.sh).
 *
 *	connect listen PORT
 *		accepts on 0.0.0.0:PORT and closes each connection at once
 *		(the server closes first, so the client's ports never sit
 *		in TIME_WAIT); prints "ready" once listening.
 *
 *	connect run ADDR PORT N
 *		N TCP connections to ADDR:PORT one after another, each
 *		until the server's close is read; prints the connections
 *		per second.  A connection that fails is an error (exit 1):
 *		the ruleset must admit what is measured.
 *
 * Built by bench/kernel.sh with cc; not part of egressc.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
serve(int port)
{
	struct sockaddr_in sin;
	int s, c, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(s, 1024) < 0) {
		perror("connect: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) >= 0)
			close(c);
	}
}

static int
run(const char *addr, int port, long n)
{
	struct sockaddr_in sin;
	struct linger lg = { 1, 0 };
	double t0, t;
	char b;
	long i;
	int s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "connect: bad address %s\n", addr);
		return 2;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			perror("connect: connect");
			return 1;
		}
		/* Wait for the server's close; then no TIME_WAIT here. */
		(void)read(s, &b, 1);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	t = now() - t0;
	printf("%.0f\n", (double)n / t);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "listen") == 0)
		return serve(atoi(argv[2]));
	if (argc == 5 && strcmp(argv[1], "run") == 0)
		return run(argv[2], atoi(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: connect listen PORT | run ADDR PORT N\n");
	return 2;
}
