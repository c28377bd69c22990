/*
 * nlprobe.c - listeners and probes for the namespace traffic tests.
 *
 *	nlprobe listen tcp/443 udp/3478 ...
 *		binds every port on 0.0.0.0 and ::, prints "ready" once
 *		all are bound, then serves forever: a TCP connection gets
 *		"ok\n" and is closed; a UDP datagram is echoed back.
 *
 *	nlprobe probe TIMEOUT_MS < LINES
 *		each line "tcp|udp ADDR PORT"; all probes run at once, each
 *		with its own timeout, and one line per probe is printed in
 *		input order: "tcp ADDR PORT STATE", STATE being
 *		  open     the handshake completed and the listener's "ok"
 *		           arrived (UDP: the echo came back)
 *		  refused  a TCP reset or ICMP port unreachable (reject, or
 *		           nobody listening)
 *		  dropped  no answer before the timeout, or the local
 *		           firewall dropped the packet on the way out (EPERM)
 *		  unreach  ICMP host/network unreachable or prohibited
 *		  error    anything else
 *
 * Built by the tests with cc; not part of egressc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXP	256

struct probe {
	int	 tcp, fd, done, err;	/* err: 0 open, -1 timeout, errno */
	char	 line[160];
	struct sockaddr_storage sa;
	socklen_t salen;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bind one listener socket of family fam; -1 after a message. */
static int
listen_one(int fam, int tcp, const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;
	unsigned short port = (unsigned short)atoi(spec + 4);

	fd = socket(fam, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		/* A UDP reply must leave from the address the request was
		 * sent to: the server has many. */
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
		    sizeof(one));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    (tcp && listen(fd, 64) < 0)) {
		fprintf(stderr, "nlprobe: %s: %s\n", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Echo a datagram back from the address it was sent to. */
static void
echo_udp(int fd)
{
	char buf[512], cbuf[256];
	struct sockaddr_storage from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	r = recvmsg(fd, &mh, 0);
	if (r <= 0)
		return;
	iov.iov_len = (size_t)r;
	/* Sending the received control data back sets the source address
	 * (IP_PKTINFO / IPV6_PKTINFO name the local address it came to). */
	{
		struct cmsghdr *c;

		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo *pi =
				    (struct in_pktinfo *)CMSG_DATA(c);

				pi->ipi_spec_dst = pi->ipi_addr;
				pi->ipi_ifindex = 0;
			}
	}
	sendmsg(fd, &mh, 0);
}

static int
listen_main(int argc, char **argv)
{
	struct pollfd pfd[MAXP];
	int tcp[MAXP], n = 0, i, f;
	static const int fams[] = { AF_INET, AF_INET6 };

	signal(SIGPIPE, SIG_IGN);
	for (i = 2; i < argc && n + 2 <= MAXP; i++) {
		int t = strncmp(argv[i], "tcp/", 4) == 0;

		for (f = 0; f < 2; f++) {
			int fd = listen_one(fams[f], t, argv[i]);

			if (fd < 0)
				return 1;
			pfd[n].fd = fd;
			pfd[n].events = POLLIN;
			tcp[n++] = t;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (tcp[i]) {
				int c = accept(pfd[i].fd, NULL, NULL);

				if (c >= 0) {
					if (write(c, "ok\n", 3) < 0)
						perror("write");
					close(c);
				}
				continue;
			}
			echo_udp(pfd[i].fd);
		}
	}
}

static int
probe_start(struct probe *p, const char *proto, const char *addr,
    const char *port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&p->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&p->sa;
	int fam;

	p->tcp = strcmp(proto, "tcp") == 0;
	memset(&p->sa, 0, sizeof(p->sa));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		fam = AF_INET;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
		p->salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		fam = AF_INET6;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
		p->salen = sizeof(*s6);
	} else
		return -1;
	p->fd = socket(fam, (p->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK,
	    0);
	if (p->fd < 0)
		return -1;
	p->err = -1;
	if (p->tcp) {
		if (connect(p->fd, (struct sockaddr *)&p->sa, p->salen) < 0 &&
		    errno != EINPROGRESS) {
			p->err = errno;
			p->done = 1;
		}
	} else {
		/* Connected UDP: an ICMP error shows up as a socket error.
		 * A local firewall's drop or reject fails the send with
		 * EPERM; a reject's ICMP error still arrives after it. */
		if (connect(p->fd, (struct sockaddr *)&p->sa, p->salen) < 0) {
			p->err = errno;
			p->done = 1;
		} else if (send(p->fd, "ping", 4, 0) < 0) {
			p->err = errno;
			p->done = errno != EPERM;
		}
	}
	return 0;
}

static int
probe_main(int argc, char **argv)
{
	static struct probe p[MAXP];
	struct pollfd pfd[MAXP];
	int n = 0, i, timeout = argc > 2 ? atoi(argv[2]) : 1000;
	char line[160];
	long long end;

	while (n < MAXP && fgets(line, sizeof(line), stdin) != NULL) {
		char proto[8], addr[64], port[8];

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%7s %63s %7s", proto, addr, port) != 3)
			continue;
		snprintf(p[n].line, sizeof(p[n].line), "%s %s %s", proto, addr,
		    port);
		if (probe_start(&p[n], proto, addr, port) < 0) {
			p[n].done = 1;
			p[n].err = EINVAL;
		}
		n++;
	}
	end = now_ms() + timeout;
	for (;;) {
		int left = 0;
		long long t = end - now_ms();

		for (i = 0; i < n; i++) {
			pfd[i].fd = p[i].done ? -1 : p[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (!p[i].done)
				left++;
		}
		if (left == 0 || t <= 0)
			break;
		if (poll(pfd, (nfds_t)n, (int)t) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			char buf[64];
			ssize_t r;

			if (p[i].done || pfd[i].revents == 0)
				continue;
			r = recv(p[i].fd, buf, sizeof(buf), 0);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			p[i].done = 1;
			p[i].err = r > 0 ? 0 : r == 0 ? ECONNRESET : errno;
		}
	}
	for (i = 0; i < n; i++) {
		const char *st;

		switch (p[i].err) {
		case 0:
			st = "open";
			break;
		case -1:
		case EPERM:
			st = "dropped";
			break;
		case ECONNREFUSED:
		case ECONNRESET:
			st = "refused";
			break;
		case EHOSTUNREACH:
		case ENETUNREACH:
		case EACCES:
			st = "unreach";
			break;
		default:
			st = "error";
		}
		printf("%s %s\n", p[i].line, st);
		if (p[i].fd > 0)
			close(p[i].fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "listen") == 0)
		return listen_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc, argv);
	fprintf(stderr, "usage: nlprobe listen PROTO/PORT... | "
	    "nlprobe probe TIMEOUT_MS < LINES\n");
	return 2;
}
