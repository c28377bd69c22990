/*
 * gai.c - the baseline for bench/resolve.sh: look up every name of a file
 * (one a line) with getaddrinfo(), one after another, as a program that
 * does not batch its lookups would.  Prints how many names resolved and
 * how many addresses they gave.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int
main(int argc, char **argv)
{
	struct addrinfo hints, *res, *ai;
	char line[512];
	long names = 0, ok = 0, addrs = 0;
	FILE *f;

	if (argc != 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: gai NAMES-FILE\n");
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		names++;
		if (getaddrinfo(line, NULL, &hints, &res) != 0)
			continue;
		ok++;
		for (ai = res; ai != NULL; ai = ai->ai_next)
			addrs++;
		freeaddrinfo(res);
	}
	fclose(f);
	printf("%ld %ld %ld\n", names, ok, addrs);
	return ok == names ? 0 : 1;
}
