/*
 * probe.c - unit tests of `egressc probe`'s parts: the bytes it sends and
 * how it reads answers (probe/wire.c), the plan a bound policy gives
 * (probe/plan.c: the sample, --all, the cap, stand-ins for any address,
 * no-dns, expectations by first match), and the engine against servers
 * this test runs on loopback (probe/engine.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ir/ir.h"
#include "probe/plan.h"
#include "probe/probe.h"
#include "probe/wire.h"
#include "tap.h"
#include "util/arena.h"
#include "util/out.h"

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The extension of type t in a ClientHello, or NULL; *len its length. */
static const unsigned char *
hello_ext(const unsigned char *b, size_t n, unsigned t, size_t *len)
{
	size_t off = 5 + 4 + 2 + 32, end;

	off += 1 + b[off];			/* session id */
	off += 2 + be16(b + off);		/* cipher suites */
	off += 1 + b[off];			/* compression */
	end = off + 2 + be16(b + off);
	for (off += 2; off + 4 <= end && end <= n;
	    off += 4 + be16(b + off + 2))
		if (be16(b + off) == t) {
			*len = be16(b + off + 2);
			return b + off + 4;
		}
	return NULL;
}

static void
test_hello(void)
{
	unsigned char b[WIRE_HELLO_MAX], rnd[WIRE_HELLO_RANDOM];
	const unsigned char *e;
	char longname[300];
	size_t n, len, i;

	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)i;
	n = wire_tls_hello(b, sizeof(b), "api.heygen.com", rnd);
	ok(n > 100, "a ClientHello is written (%zu bytes)", n);
	ok(b[0] == 0x16 && b[1] == 3 && b[2] == 1 && be16(b + 3) == n - 5,
	    "a handshake record, version 3.1, its length");
	ok(b[5] == 1 && ((size_t)b[6] << 16 | be16(b + 7)) == n - 9 &&
	    be16(b + 9) == 0x0303, "a ClientHello of TLS 1.2 legacy_version");
	ok(memcmp(b + 11, rnd, 32) == 0 && b[43] == 32 &&
	    memcmp(b + 44, rnd + 32, 32) == 0,
	    "the client random and a 32-byte session id from the caller");
	e = hello_ext(b, n, 0x0000, &len);
	ok(e != NULL && len == 2 + 3 + 14 && e[2] == 0 &&
	    be16(e + 3) == 14 && memcmp(e + 5, "api.heygen.com", 14) == 0,
	    "server_name names the host");
	e = hello_ext(b, n, 0x002b, &len);
	ok(e != NULL && len == 5 && e[0] == 4 && be16(e + 1) == 0x0304 &&
	    be16(e + 3) == 0x0303, "supported_versions: 1.3, 1.2");
	e = hello_ext(b, n, 0x0033, &len);
	ok(e != NULL && len == 38 && be16(e + 2) == 0x001d &&
	    be16(e + 4) == 32 && memcmp(e + 6, rnd + 64, 32) == 0,
	    "key_share: one X25519 share");
	ok(hello_ext(b, n, 0x000a, &len) != NULL &&
	    hello_ext(b, n, 0x000d, &len) != NULL,
	    "supported_groups and signature_algorithms");

	n = wire_tls_hello(b, sizeof(b), NULL, rnd);
	ok(n > 0 && hello_ext(b, n, 0x0000, &len) == NULL,
	    "without a host name: no server_name");
	memset(longname, 'a', sizeof(longname));
	longname[254] = '\0';
	is_int(wire_tls_hello(b, sizeof(b), longname, rnd), 0,
	    "a name longer than 253 bytes is refused");
	is_int(wire_tls_hello(b, 40, "x.example", rnd), 0,
	    "a buffer too small gives 0, not an overrun");
}

static void
test_tls_reply(void)
{
	static const unsigned char sh[] = { 0x16, 0x03, 0x03, 0x00, 0x7a,
		0x02 };
	static const unsigned char cert[] = { 0x16, 0x03, 0x03, 0x00, 0x7a,
		0x0b };
	static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
		0x02 };

	is_int(wire_tls_reply(sh, 6), WT_SERVER_HELLO, "a ServerHello");
	is_int(wire_tls_reply(sh, 3), WT_MORE, "three bytes: too few to tell");
	is_int(wire_tls_reply(cert, 6), WT_OTHER, "another handshake message");
	is_int(wire_tls_reply(alert, 1), WT_OTHER, "an alert, at its first "
	    "byte");
	is_int(wire_tls_reply((const unsigned char *)"HTTP/1.1", 8), WT_OTHER,
	    "not TLS");
}

static void
test_stun(void)
{
	unsigned char txid[WIRE_STUN_TXID], req[WIRE_STUN_LEN], resp[32];
	static const unsigned char head[] = { 0x00, 0x01, 0x00, 0x00, 0x21,
		0x12, 0xa4, 0x42 };
	size_t i;

	for (i = 0; i < sizeof(txid); i++)
		txid[i] = (unsigned char)(0xa0 + i);
	wire_stun_request(req, txid);
	ok(memcmp(req, head, 8) == 0 && memcmp(req + 8, txid, 12) == 0,
	    "Binding Request: type, no attributes, magic cookie, txid");
	memcpy(resp, req, 20);
	resp[0] = 0x01;
	resp[1] = 0x01;
	resp[3] = 12;			/* one XOR-MAPPED-ADDRESS */
	memset(resp + 20, 0, 12);
	ok(wire_stun_success(resp, 32, txid), "a Binding Success Response "
	    "with our txid");
	ok(!wire_stun_success(resp, 24, txid), "...not when its attributes "
	    "run past the datagram");
	resp[1] = 0x11;
	ok(!wire_stun_success(resp, 32, txid), "an error response is no "
	    "success");
	resp[1] = 0x01;
	resp[19] ^= 1;
	ok(!wire_stun_success(resp, 32, txid), "another transaction's "
	    "answer is not ours");
	resp[19] ^= 1;
	resp[4] = 0;
	ok(!wire_stun_success(resp, 32, txid), "no magic cookie: not RFC "
	    "8489 STUN");
}

static void
test_dns(void)
{
	unsigned char q[WIRE_DNS_LEN];
	static const unsigned char want[WIRE_DNS_LEN] = { 0x12, 0x34, 0, 0,
		0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1 };

	wire_dns_query(q, 0x1234);
	ok(memcmp(q, want, sizeof(want)) == 0, "DNS: id, one question: . NS "
	    "IN");
	is_int(probe_kind_for(P_TCP, 443), PK_TLS, "tcp/443 is TLS");
	is_int(probe_kind_for(P_TCP, 7881), PK_TCP, "tcp/7881 a connect");
	is_int(probe_kind_for(P_UDP, 3478), PK_STUN, "udp/3478 STUN");
	is_int(probe_kind_for(P_UDP, 53), PK_DNS, "udp/53 DNS");
	is_int(probe_kind_for(P_UDP, 50000), PK_UDP, "udp/50000 a datagram");
}

/* ---- the plan ---- */

static const char policy[] =
    "egressc: 1\n"
    "name: u\n"
    "default: deny\n"
    "rules:\n"
    "  - name: web\n"
    "    to: [a.example.com, b.example.com]\n"
    "    ports: [tcp/443, tcp/8000-8010]\n"
    "  - name: early\n"
    "    to: [192.0.2.100]\n"
    "    ports: [udp/3478]\n"
    "    action: deny\n"
    "  - name: range\n"
    "    to: [192.0.2.0/28, 192.0.2.100, 198.18.0.16/28, 198.18.0.32/28,\n"
    "        \"2001:db8::/127\"]\n"
    "    ports: [udp/3478]\n"
    "  - name: turn\n"
    "    to: [x.turn.example.com]\n"
    "    ports: [udp/3478]\n"
    "  - name: media\n"
    "    to: [any]\n"
    "    ports: [udp/50000-60000]\n"
    "  - name: nope\n"
    "    to: [c.example.com]\n"
    "    ports: [tcp/25]\n"
    "    action: reject\n";

static const char lockfile[] =
    "egressc-lock: 1\n"
    "hosts:\n"
    "  a.example.com:\n"
    "    a: [198.51.100.20, 198.51.100.7]\n"
    "    aaaa: [\"2001:db8:1::1\"]\n"
    "  c.example.com:\n"
    "    a: [198.51.100.30]\n"
    "  x.turn.example.com:\n"
    "    a: [198.51.100.40]\n"
    "    aaaa: [\"2001:db8:2::40\"]\n";

static char dir[64];

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static bool
load(struct job *j, const char *tiers)
{
	static char path[128];
	struct opts o;

	memset(&o, 0, sizeof(o));
	o.tiers = tiers;
	snprintf(path, sizeof(path), "%s/u.yaml", dir);
	diag_reset();
	if (job_load(j, path) < 0)
		return false;
	j->partial_lock = true;
	return job_bind(j, &o, false) == 0;
}

/* The plan's tests of one rule as "ADDR proto/port kind", one a line. */
static const char *
tests_of(struct arena *a, const struct ir *ir, const struct probe_plan *p,
    const char *rule)
{
	struct out o;
	const char *s;
	size_t i;

	out_init(&o);
	for (i = 0; i < p->n; i++) {
		const struct probe_test *t = &p->t[i];
		char buf[ADDR_STRLEN];

		if (strcmp(ir->rules[t->rule].name, rule) != 0)
			continue;
		out_printf(&o, "%s %s %s/%u %s%s\n", t->what ? t->what : "-",
		    t->has_addr ? addr_format(buf, t->fam, t->addr,
		    fam_bits(t->fam)) : "-", proto_name[t->proto], t->port,
		    probe_kind_name[t->kind], t->result == PR_NO_DNS ?
		    " no-dns" : "");
	}
	s = arena_strdup(a, out_str(&o));
	out_free(&o);
	return s;
}

static bool
has_note(const struct probe_plan *p, const char *part)
{
	size_t i;

	for (i = 0; i < p->nnotes; i++)
		if (strstr(p->notes[i], part) != NULL)
			return true;
	return false;
}

static void
test_plan(void)
{
	struct probe_plan_opts po = { false, NULL, 0, 0 };
	struct probe_plan p;
	struct job j;
	bool open;
	size_t i;

	memset(&j, 0, sizeof(j));
	if (!ok(load(&j, NULL), "the test policy binds, b.example.com "
	    "missing from the lock")) {
		job_free(&j);
		return;
	}
	probe_plan(j.a, j.ir, &po, &p);
	is_str(tests_of(j.a, j.ir, &p, "web"),
	    "a.example.com 198.51.100.7 tcp/443 tls\n"
	    "a.example.com 198.51.100.7 tcp/8000 tcp\n"
	    "a.example.com 198.51.100.7 tcp/8005 tcp\n"
	    "a.example.com 198.51.100.7 tcp/8010 tcp\n"
	    "a.example.com 2001:db8:1::1 tcp/443 tls\n"
	    "a.example.com 2001:db8:1::1 tcp/8000 tcp\n"
	    "a.example.com 2001:db8:1::1 tcp/8005 tcp\n"
	    "a.example.com 2001:db8:1::1 tcp/8010 tcp\n"
	    "b.example.com - tcp/443 tls no-dns\n"
	    "b.example.com - tcp/8000 tcp no-dns\n"
	    "b.example.com - tcp/8005 tcp no-dns\n"
	    "b.example.com - tcp/8010 tcp no-dns\n",
	    "a host: its lowest address of each family; a port range: lowest, "
	    "middle, highest; a host the lock lacks: no-dns");
	is_str(tests_of(j.a, j.ir, &p, "range"),
	    "192.0.2.0/28 192.0.2.1 udp/3478 stun\n"
	    "- 192.0.2.100 udp/3478 stun\n"
	    "198.18.0.16-198.18.0.47 198.18.0.17 udp/3478 stun\n"
	    "- 2001:db8:: udp/3478 stun\n"
	    "- 2001:db8::1 udp/3478 stun\n",
	    "a range: its first host address (two prefixes that touch: one "
	    "range); an address itself; a range of four or fewer, every "
	    "address");
	is_str(tests_of(j.a, j.ir, &p, "media"),
	    "x.turn.example.com 198.51.100.40 udp/50000 udp\n"
	    "x.turn.example.com 198.51.100.40 udp/55000 udp\n"
	    "x.turn.example.com 198.51.100.40 udp/60000 udp\n"
	    "x.turn.example.com 2001:db8:2::40 udp/50000 udp\n"
	    "x.turn.example.com 2001:db8:2::40 udp/55000 udp\n"
	    "x.turn.example.com 2001:db8:2::40 udp/60000 udp\n",
	    "any address: tried at the TURN host's addresses");
	ok(has_note(&p, "any address (rule media): tried at the first IPv4 "
	    "and IPv6 address of the 1 TURN host"), "...and a note says so");
	ok(has_note(&p, "rule 'builtin-ipv6-nd': ICMP is not tried"),
	    "ICMP is said not to be tried");
	for (i = 0; i < p.n; i++) {
		long by = probe_expect(j.ir, &p.t[i], &open);
		const char *rn = j.ir->rules[p.t[i].rule].name;

		if (strcmp(rn, "range") == 0 && p.t[i].fam == FAM_V4 &&
		    p.t[i].addr == 0xc0000264) {
			ok(!open && by >= 0 && strcmp(j.ir->rules[by].name,
			    "early") == 0, "range's 192.0.2.100 is expected "
			    "blocked: rule early decides it first");
		} else if (strcmp(rn, "nope") == 0)
			ok(!open && by == (long)p.t[i].rule, "a reject rule's "
			    "test is expected blocked");
		else if (strcmp(rn, "web") == 0 && p.t[i].port == 443 &&
		    p.t[i].has_addr && p.t[i].fam == FAM_V4)
			ok(open, "web's tcp/443 is expected open");
	}

	po.all = true;
	probe_plan(j.a, j.ir, &po, &p);
	{
		size_t n = 0;

		for (i = 0; i < p.n; i++)
			n += strcmp(j.ir->rules[p.t[i].rule].name, "web") == 0 &&
			    p.t[i].has_addr;
		is_int(n, 3 * 12, "--all: every address of a.example.com "
		    "(3) and every port (443, 8000-8010)");
		n = 0;
		for (i = 0; i < p.n; i++)
			n += strcmp(j.ir->rules[p.t[i].rule].name, "range") == 0;
		is_int(n, 16 + 1 + 32 + 2, "--all: every address of each "
		    "range");
	}
	po.all = false;
	po.max_tests = 5;
	probe_plan(j.a, j.ir, &po, &p);
	is_int(p.n, 5, "the cap holds");
	ok(has_note(&p, "stopped at 5 tests, the most one run makes: rule "
	    "'web' is tried in part"), "...and a note says where it stopped");
	{
		struct probe_peer pe = { NULL, FAM_V4, 0xc6336401 };

		po.max_tests = 0;
		po.peers = &pe;
		po.npeers = 1;
		probe_plan(j.a, j.ir, &po, &p);
		is_str(tests_of(j.a, j.ir, &p, "media"),
		    "- 198.51.100.1 udp/50000 udp\n"
		    "- 198.51.100.1 udp/55000 udp\n"
		    "- 198.51.100.1 udp/60000 udp\n",
		    "--media-peer: only the peer");
		ok(has_note(&p, "rule 'media': any IPv6 address: no stand-in "
		    "of that family"), "...and IPv6 is said not to be tried");
		ok(has_note(&p, "tried at --media-peer 198.51.100.1; no other "
		    "address was tried"), "...and which peer was used");
	}
	job_free(&j);
}

/* ---- the engine, against servers on loopback ---- */

enum { SV_ACCEPT, SV_HELLO, SV_PLAIN, SV_STUN, SV_STUN_WRONG, SV_SILENT,
	SV_N };

static int
bound(int fam, int type, unsigned short *port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = socket(fam, type, 0);

	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sl = sizeof(*s6);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0))
		return -1;
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void
serve_one(int kind, int fd)
{
	static const unsigned char sh[] = { 0x16, 0x03, 0x03, 0x00, 0x04,
		0x02, 0x00, 0x00, 0x00 };
	unsigned char b[1500];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	int c;

	if (kind == SV_STUN || kind == SV_STUN_WRONG || kind == SV_SILENT) {
		n = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from,
		    &fl);
		if (n < 20 || kind == SV_SILENT)
			return;
		b[0] = 0x01;
		b[1] = 0x01;
		if (kind == SV_STUN_WRONG)
			b[8] ^= 0xff;
		sendto(fd, b, 20, 0, (struct sockaddr *)&from, fl);
		return;
	}
	if ((c = accept(fd, NULL, NULL)) < 0)
		return;
	if (kind == SV_HELLO && read(c, b, sizeof(b)) > 0)
		(void)!write(c, sh, sizeof(sh));
	if (kind == SV_PLAIN)
		(void)!write(c, "ok\n", 3);
	if (kind == SV_HELLO || kind == SV_PLAIN)
		usleep(100000);
	close(c);
}

/* The servers, in a child; it ends after 20 s if not killed first. */
static pid_t
serve(const int *fds)
{
	struct pollfd pfd[SV_N];
	pid_t pid = fork();
	int i;

	if (pid != 0)
		return pid;
	alarm(20);
	for (;;) {
		for (i = 0; i < SV_N; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, SV_N, -1) < 0)
			_exit(1);
		for (i = 0; i < SV_N; i++)
			if (pfd[i].revents & POLLIN)
				serve_one(i, fds[i]);
	}
}

static void
test_engine(void)
{
	static const int types[SV_N] = { SOCK_STREAM, SOCK_STREAM, SOCK_STREAM,
		SOCK_DGRAM, SOCK_DGRAM, SOCK_DGRAM };
	static const char *const names[] = { "a connect", "a ServerHello",
		"not TLS", "a Binding Success", "a wrong txid", "silence" };
	static const enum probe_result want[] = { PR_OPEN, PR_OPEN, PR_NO_TLS,
		PR_OPEN, PR_TIMEOUT, PR_TIMEOUT };
	static const enum probe_kind kinds[] = { PK_TCP, PK_TLS, PK_TLS,
		PK_STUN, PK_STUN, PK_UDP };
	struct probe_opts ro = { 400, 0, 2 };
	struct probe_test t[SV_N + 3];
	unsigned short port[SV_N], closed4, closed6, closedu;
	int fds[SV_N], fd4, fd6, fdu, i;
	pid_t pid;

	memset(t, 0, sizeof(t));
	for (i = 0; i < SV_N; i++) {
		fds[i] = bound(AF_INET, types[i], &port[i]);
		t[i].has_addr = true;
		t[i].fam = FAM_V4;
		t[i].addr = 0x7f000001;
		t[i].proto = types[i] == SOCK_STREAM ? P_TCP : P_UDP;
		t[i].port = port[i];
		t[i].kind = kinds[i];
		t[i].sni = "lab.test";
	}
	/* Closed ports: bound and then closed, so nothing listens. */
	fd4 = bound(AF_INET, SOCK_STREAM, &closed4);
	fd6 = bound(AF_INET6, SOCK_STREAM, &closed6);
	fdu = bound(AF_INET, SOCK_DGRAM, &closedu);
	close(fd4);
	close(fd6);
	close(fdu);
	t[SV_N] = t[0];
	t[SV_N].port = closed4;
	t[SV_N + 1] = t[0];
	t[SV_N + 1].fam = FAM_V6;
	t[SV_N + 1].addr = 1;
	t[SV_N + 1].port = closed6;
	t[SV_N + 2] = t[SV_N - 1];
	t[SV_N + 2].port = closedu;
	pid = serve(fds);
	ok(pid > 0, "servers on loopback");
	is_int(probe_run(t, SV_N + 3, &ro), 0, "probe_run: no local failure "
	    "(two sockets in flight at a time)");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (i = 0; i < SV_N; i++) {
		is_str(probe_result_name[t[i].result], probe_result_name[want[i]],
		    names[i]);
		close(fds[i]);
	}
	is_str(probe_result_name[t[SV_N].result], "refused",
	    "a closed TCP port: refused");
	is_str(probe_result_name[t[SV_N + 1].result], "refused",
	    "...on ::1 too");
	is_str(probe_result_name[t[SV_N + 2].result], "refused",
	    "a closed UDP port: refused (ICMP port unreachable)");
	ok(t[0].has_src && t[0].src == 0x7f000001, "the source address is "
	    "known");
	ok(t[SV_N - 1].ms >= 400, "a timeout takes the timeout (%u ms)",
	    t[SV_N - 1].ms);
}

int
main(void)
{
	plan_lazy();
	test_hello();
	test_tls_reply();
	test_stun();
	test_dns();
	strcpy(dir, "/tmp/egressc-probe-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	write_file("u.yaml", policy);
	write_file("u.lock", lockfile);
	test_plan();
	test_engine();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done_testing();
}
