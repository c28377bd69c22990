/*
 * engine.c - probe_run: every test on a non-blocking socket, at most
 * PROBE_INFLIGHT at a time, one poll(2) loop for all of them.
 *
 * What a socket reports is read as the firewall's doing: an error at once
 * from connect() is this host's routing (no route, no IPv6); an error
 * later is something that came back (a reset, an ICMP unreachable); no
 * answer by the deadline is a drop.  A UDP send that the local firewall
 * drops fails with EPERM; the test goes on waiting, because a reject's
 * ICMP error still arrives after it.  An ICMP error to a SYN that the
 * local firewall rejects comes back while connect() still holds the
 * socket, and the kernel keeps it only as a soft error until the SYN is
 * sent again a second later; IP_RECVERR queues it on the socket's error
 * queue as well, where it is read at once.
 */
#include <errno.h>
#include <time.h>		/* before linux/errqueue.h, which needs it */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/probe.h"
#include "probe/wire.h"
#include "util/diag.h"

const char *const probe_result_name[PR_N] = {
	"-", "open", "refused", "timeout", "no-tls", "no-dns", "no-route",
	"skipped", "error",
};
const char *const probe_kind_name[] = { "tcp", "tls", "stun", "dns",
	"udp" };

enum { S_FREE, S_CONNECT, S_REPLY };

struct slot {
	struct probe_test	*t;
	int			 fd, state;
	long long		 start, deadline;
	unsigned char		 got[WIRE_TLS_DECIDE];
	size_t			 ngot;
	unsigned char		 txid[WIRE_STUN_TXID];
};

struct run {
	struct slot		*s;
	size_t			 ns;
	unsigned		 timeout_ms;
	int			 rc;
};

enum probe_kind
probe_kind_for(enum proto p, unsigned port)
{
	if (p == P_TCP)
		return port == 443 ? PK_TLS : PK_TCP;
	if (port == 3478)
		return PK_STUN;
	return port == 53 ? PK_DNS : PK_UDP;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Random bytes for ids and the ClientHello; they need not be secret,
 * only unlike another run's, so a short read is filled from the clock. */
static void
random_bytes(unsigned char *b, size_t n)
{
	ssize_t r = getrandom(b, n, GRND_NONBLOCK);
	long long t = now_ms();
	size_t i;

	for (i = r < 0 ? 0 : (size_t)r; i < n; i++)
		b[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)i;
}

static socklen_t
to_sockaddr(const struct probe_test *t, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->fam == FAM_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)t->port);
		s4->sin_addr.s_addr = htonl((uint32_t)t->addr);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		int i;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)t->port);
		for (i = 0; i < 16; i++)
			s6->sin6_addr.s6_addr[i] =
			    (unsigned char)(t->addr >> (8 * (15 - i)));
		return sizeof(*s6);
	}
}

/* This host's address the kernel picked for the test, for the policy's
 * from: rules. */
static void
note_source(struct probe_test *t, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int i;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET && t->fam == FAM_V4) {
		t->src = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);
		t->has_src = true;
	} else if (ss.ss_family == AF_INET6 && t->fam == FAM_V6) {
		const unsigned char *b =
		    ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;

		t->src = 0;
		for (i = 0; i < 16; i++)
			t->src = t->src << 8 | b[i];
		t->has_src = true;
	}
}

static void
finish(struct run *r, struct slot *s, enum probe_result res, int err)
{
	struct probe_test *t = s->t;
	char buf[ADDR_STRLEN];

	t->result = res;
	t->ms = (unsigned)(now_ms() - s->start);
	if (res == PR_ERROR) {
		t->err = err;
		diag_fail(NULL, "probe: %s %s port %u: %s", proto_name[t->proto],
		    addr_format(buf, t->fam, t->addr, fam_bits(t->fam)),
		    t->port, strerror(err));
		r->rc = -1;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = S_FREE;
	s->t = NULL;
}

/* An error connect() or send() gave at once: this host's doing. */
static enum probe_result
local_error(int err)
{
	switch (err) {
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
		return PR_NO_ROUTE;
	case ECONNREFUSED:
		return PR_REFUSED;
	default:
		return PR_ERROR;
	}
}

/* An error that came back from the network later. */
static enum probe_result
remote_error(int err)
{
	return err == ETIMEDOUT ? PR_TIMEOUT : PR_REFUSED;
}

/* What is sent once connected: the ClientHello, or the datagram. */
static int
send_first(struct slot *s)
{
	unsigned char buf[WIRE_HELLO_MAX], rnd[WIRE_HELLO_RANDOM];
	size_t n;
	unsigned id;

	switch (s->t->kind) {
	case PK_TLS:
		random_bytes(rnd, sizeof(rnd));
		n = wire_tls_hello(buf, sizeof(buf), s->t->sni, rnd);
		break;
	case PK_DNS:
		random_bytes(rnd, 2);
		id = (unsigned)rnd[0] << 8 | rnd[1];
		wire_dns_query(buf, id);
		n = WIRE_DNS_LEN;
		break;
	case PK_STUN:
	case PK_UDP:
		/* What WebRTC media ports speak; any answer counts there. */
		random_bytes(s->txid, sizeof(s->txid));
		wire_stun_request(buf, s->txid);
		n = WIRE_STUN_LEN;
		break;
	default:
		return 0;
	}
	if (send(s->fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n)
		return 0;
	return errno == 0 ? EIO : errno;
}

/* The TCP connection is up. */
static void
connected(struct run *r, struct slot *s)
{
	int err;

	if (s->t->kind == PK_TCP) {
		finish(r, s, PR_OPEN, 0);
		return;
	}
	if ((err = send_first(s)) != 0) {
		finish(r, s, remote_error(err), 0);
		return;
	}
	s->state = S_REPLY;
}

static void
start(struct run *r, struct slot *s, struct probe_test *t)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(t, &ss);
	bool tcp = t->proto == P_TCP;
	int err, one = 1;

	s->t = t;
	s->ngot = 0;
	s->start = now_ms();
	s->deadline = s->start + r->timeout_ms;
	s->fd = socket(t->fam == FAM_V4 ? AF_INET : AF_INET6, (tcp ?
	    SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = errno;
		finish(r, s, err == EAFNOSUPPORT ? PR_NO_ROUTE : PR_ERROR, err);
		return;
	}
	/* Before connect(): the error can come back while it runs. */
	if (tcp)
		setsockopt(s->fd, t->fam == FAM_V4 ? IPPROTO_IP :
		    IPPROTO_IPV6, t->fam == FAM_V4 ? IP_RECVERR : IPV6_RECVERR,
		    &one, sizeof(one));
	/* UDP too: a connected socket is told of ICMP errors. */
	if (connect(s->fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		err = errno;
		finish(r, s, local_error(err), err);
		return;
	}
	note_source(t, s->fd);
	if (tcp) {
		s->state = S_CONNECT;
		return;
	}
	s->state = S_REPLY;
	/* EPERM: the local firewall dropped it; wait for a reject's ICMP. */
	if ((err = send_first(s)) != 0 && err != EPERM)
		finish(r, s, local_error(err), err);
}

/* Did an ICMP error about the SYN come back (IP_RECVERR's queue)? */
static bool
icmp_error(int fd)
{
	char data[64], cbuf[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh;
	struct cmsghdr *c;
	bool hit = false;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return hit;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			const struct sock_extended_err *ee;

			if (!(c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_RECVERR) &&
			    !(c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_RECVERR))
				continue;
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
			/* "Too big" is path MTU news, not a refusal. */
			if ((ee->ee_origin == SO_EE_ORIGIN_ICMP ||
			    ee->ee_origin == SO_EE_ORIGIN_ICMP6) &&
			    ee->ee_errno != EMSGSIZE)
				hit = true;
		}
	}
}

static void
on_connect(struct run *r, struct slot *s, short revents)
{
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err != 0 && err != EINPROGRESS)
		finish(r, s, remote_error(err), 0);
	else if ((revents & POLLERR) && icmp_error(s->fd))
		finish(r, s, PR_REFUSED, 0);
	else if (err == 0 && (revents & POLLOUT))
		connected(r, s);
}

static void
on_reply(struct run *r, struct slot *s)
{
	unsigned char buf[1500];
	ssize_t n;

	if (s->t->proto == P_TCP) {
		n = recv(s->fd, s->got + s->ngot, sizeof(s->got) - s->ngot, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			finish(r, s, n == 0 ? PR_NO_TLS : remote_error(errno),
			    0);
			return;
		}
		s->ngot += (size_t)n;
		switch (wire_tls_reply(s->got, s->ngot)) {
		case WT_SERVER_HELLO:
			finish(r, s, PR_OPEN, 0);
			break;
		case WT_OTHER:
			finish(r, s, PR_NO_TLS, 0);
			break;
		case WT_MORE:
			break;
		}
		return;
	}
	n = recv(s->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		finish(r, s, remote_error(errno), 0);
	else if (s->t->kind != PK_STUN ||
	    wire_stun_success(buf, (size_t)n, s->txid))
		finish(r, s, PR_OPEN, 0);
	/* Else a datagram that answers no Binding Request of ours. */
}

static void
step(struct run *r, struct slot *s, short revents)
{
	if (s->state == S_CONNECT && (revents & (POLLOUT | POLLERR | POLLHUP)))
		on_connect(r, s, revents);
	else if (s->state == S_REPLY &&
	    (revents & (POLLIN | POLLERR | POLLHUP)))
		on_reply(r, s);
}

/* Wait for any socket in flight; act on what happened.  0, or -1 when
 * poll itself failed.  Only sockets in flight are polled: poll refuses
 * more entries than the process may open files. */
static int
wait_some(struct run *r, struct pollfd *pfd, size_t *idx)
{
	long long now = now_ms(), wait = -1;
	size_t i, np = 0;
	int rv;

	for (i = 0; i < r->ns; i++) {
		struct slot *s = &r->s[i];

		if (s->state == S_FREE)
			continue;
		pfd[np].fd = s->fd;
		pfd[np].events = s->state == S_CONNECT ? POLLOUT : POLLIN;
		pfd[np].revents = 0;
		idx[np++] = i;
		if (wait < 0 || s->deadline - now < wait)
			wait = s->deadline - now < 0 ? 0 : s->deadline - now;
	}
	if (np == 0)
		return 0;
	rv = poll(pfd, (nfds_t)np, (int)wait);
	if (rv < 0 && errno != EINTR) {
		diag_fail(NULL, "probe: poll: %s", strerror(errno));
		return -1;
	}
	now = now_ms();
	for (i = 0; i < np; i++) {
		struct slot *s = &r->s[idx[i]];

		if (rv > 0 && pfd[i].revents != 0)
			step(r, s, pfd[i].revents);
		if (s->state != S_FREE && now >= s->deadline)
			finish(r, s, PR_TIMEOUT, 0);
	}
	return 0;
}

static size_t
busy(const struct run *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ns; i++)
		n += r->s[i].state != S_FREE;
	return n;
}

int
probe_run(struct probe_test *t, size_t n, const struct probe_opts *o)
{
	struct slot slots[256];
	struct pollfd pfd[256];
	size_t idx[256];
	struct run r = { slots, o->inflight ? o->inflight : PROBE_INFLIGHT,
		o->timeout_ms ? o->timeout_ms : PROBE_TIMEOUT_MS, 0 };
	long long last_start = now_ms() + (o->total_ms ? o->total_ms :
	    PROBE_TOTAL_MS);
	size_t next = 0, i;

	if (r.ns > sizeof(slots) / sizeof(slots[0]))
		r.ns = sizeof(slots) / sizeof(slots[0]);
	for (i = 0; i < r.ns; i++) {
		slots[i].fd = -1;
		slots[i].state = S_FREE;
		slots[i].t = NULL;
	}
	for (;;) {
		for (i = 0; i < r.ns && next < n; i++) {
			if (slots[i].state != S_FREE)
				continue;
			while (next < n && t[next].result != PR_NONE)
				next++;
			if (next == n)
				break;
			if (now_ms() >= last_start)
				t[next].result = PR_SKIPPED;
			else
				start(&r, &slots[i], &t[next]);
			next++;
		}
		if (busy(&r) == 0 && next >= n)
			break;
		if (wait_some(&r, pfd, idx) < 0) {
			r.rc = -1;
			break;
		}
	}
	for (i = 0; i < r.ns; i++)
		if (slots[i].state != S_FREE)
			finish(&r, &slots[i], PR_SKIPPED, 0);
	return r.rc;
}
