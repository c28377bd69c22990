/*
 * resolve.c - the lock file (format, reading back, bind_lock) and
 * resolve_run against a real dnsmasq on loopback (tests/lib/dnsmasq.sh):
 * the answers, every error, --keep-going, --keep-days, --no-stamp, the ttl
 * rule and the private-address rule.  Without dnsmasq the DNS part is
 * skipped, or fails under CI=true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ir/ir.h"
#include "pass/bind.h"
#include "policy/lock.h"
#include "dns/resolve.h"
#include "tap.h"
#include "util/arena.h"
#include "util/atomic_write.h"
#include "util/diag.h"
#include "util/out.h"

static struct out	 msgs;		/* captured diagnostics, one a line */
static char		 tmpdir[] = "/tmp/egressc-resolve-XXXXXX";
static char		 server[64];

static void
capture(const char *line, void *arg)
{
	out_puts(&msgs, line);
	out_putc(&msgs, '\n');
}

static void
reset_msgs(void)
{
	out_reset(&msgs);
	out_puts(&msgs, "");
	diag_reset();
}

static char *
slurp(const char *path)
{
	return read_file(path, 1 << 20, NULL, NULL);
}

static void
spew(const char *path, const char *text)
{
	atomic_write(path, text, strlen(text), 0644);
}

/* The lock's text without the leading comment lines. */
static const char *
body(const char *text)
{
	const char *p = text != NULL ? strstr(text, "egressc-lock:") : NULL;

	return p != NULL ? p : "(no lock)";
}

static char *
tmp(struct arena *a, const char *name)
{
	return arena_printf(a, "%s/%s", tmpdir, name);
}

static const char built_text[] =
    "# egressc lock file: the addresses 'egressc resolve' found for\n"
    "# the policy's host names.  Compiling reads this file, never DNS.\n"
    "# seen: gives each address [first-seen, last-seen] (UTC).\n"
    "egressc-lock: 1\n"
    "hosts:\n"
    "  a.example.com:\n"
    "    a: [9.9.9.9]\n"
    "    aaaa: []\n"
    "    ttl: 0\n"
    "  b.example.com:\n"
    "    a: [1.2.3.4, 10.0.0.1]\n"
    "    aaaa: [\"2001:2::1\", \"2001:2::1:0\"]\n"
    "    ttl: 60\n"
    "    first-seen: 2026-01-01T00:00:00Z\n"
    "    last-seen: 2026-03-01T00:00:00Z\n"
    "    seen:\n"
    "      1.2.3.4: [2026-02-01T00:00:00Z, 2026-03-01T00:00:00Z]\n"
    "      10.0.0.1: [2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z]\n"
    "      \"2001:2::1\": [2026-01-01T00:00:00Z, 2026-01-01T00:00:00Z]\n"
    "      \"2001:2::1:0\": [2026-01-01T00:00:00Z, 2026-01-01T00:00:00Z]\n"
    "  \"null\":\n"
    "    a: []\n"
    "    aaaa: []\n"
    "    ttl: 0\n";

static void
test_format(void)
{
	struct arena *a = arena_new();
	struct lock *lk = lock_new(a, "x.lock"), *back;
	struct lock_host *h;
	struct out o, o2;
	const char *j1 = "2026-01-01T00:00:00Z", *f2 = "2026-02-01T00:00:00Z";
	const char *m3 = "2026-03-01T00:00:00Z", *path = tmp(a, "fmt.lock");

	/* Added out of order: the lock keeps itself sorted. */
	h = lock_add_host(a, lk, "b.example.com");
	h->ttl = 60;
	lock_add_addr(a, h, FAM_V6, ((u128)0x20010002 << 96) | 0x10000, j1,
	    j1);
	lock_add_addr(a, h, FAM_V4, 0x0a000001, j1, f2);
	lock_add_addr(a, h, FAM_V6, ((u128)0x20010002 << 96) | 1, j1, j1);
	lock_add_addr(a, h, FAM_V4, 0x01020304, f2, m3);
	ok(!lock_add_addr(a, h, FAM_V4, 0x01020304, j1, j1),
	    "a duplicate address is not added");
	h = lock_add_host(a, lk, "null");
	h = lock_add_host(a, lk, "a.example.com");
	lock_add_addr(a, h, FAM_V4, 0x09090909, NULL, NULL);
	ok(lock_add_host(a, lk, "b.example.com") == &lk->hosts[1],
	    "adding a host again returns it");
	is_int(lk->nhosts, 3, "three hosts");
	ok(lock_find(lk, "null") != NULL && lock_find(lk, "c") == NULL,
	    "lock_find");

	out_init(&o);
	lock_format(lk, &o);
	is_str(out_str(&o), built_text, "canonical text: sorted, IPv6 "
	    "quoted, odd names quoted, seen per address");

	ok(lock_write(lk, path) == 0, "lock_write");
	reset_msgs();
	back = lock_load(a, path);
	ok(back != NULL && back->exists && !back->example, "reads back");
	out_init(&o2);
	if (back != NULL)
		lock_format(back, &o2);
	is_str(out_str(&o2), out_str(&o), "read + write gives the same bytes");
	is_str(msgs.buf, "", "no diagnostics");
	out_free(&o);
	out_free(&o2);
	arena_free(a);
}

static void
test_load(void)
{
	struct arena *a = arena_new();
	const char *p = tmp(a, "short.lock");
	const struct lock_host *h;
	struct lock *lk;

	/* The short form written by hand: host-level stamps only. */
	spew(p, "egressc-lock: 1\nexample: true\nhosts:\n"
	    "  api.heygen.com:\n    a: [203.0.113.10]\n"
	    "    aaaa: \"2001:db8::10\"\n    ttl: 300\n"
	    "    first-seen: 2026-11-24T12:00:00Z\n"
	    "    last-seen: 2026-11-25T12:00:00Z\n");
	reset_msgs();
	lk = lock_load(a, p);
	ok(lk != NULL && lk->example, "short form loads, example: true");
	h = lk != NULL ? lock_find(lk, "api.heygen.com") : NULL;
	ok(h != NULL && h->naddrs == 2 && h->ttl == 300 &&
	    h->addrs[0].fam == FAM_V4 && h->addrs[1].fam == FAM_V6 &&
	    strcmp(h->addrs[1].first_seen, "2026-11-24T12:00:00Z") == 0 &&
	    strcmp(h->addrs[1].last_seen, "2026-11-25T12:00:00Z") == 0,
	    "addresses take the host's stamps");

	lk = lock_load(a, tmp(a, "absent.lock"));
	ok(lk != NULL && !lk->exists && lk->nhosts == 0,
	    "an absent lock is empty");

	spew(p, "egressc-lock: 1\nhosts:\n  h.example.com:\n"
	    "    a: [192.0.2.1, \"2001:db8::1\", 10.0.0.0/8]\n"
	    "    aaaa: [\"2001:db8::1\"]\n"
	    "    seen: {192.0.2.9: [2026-11-24T12:00:00Z, x]}\n");
	reset_msgs();
	ok(lock_load(a, p) == NULL, "malformed lock refused");
	is_str(msgs.buf, arena_printf(a,
	    "%s:4:20: error: '2001:db8::1' is not a single IPv4 address\n"
	    "%s:4:35: error: '10.0.0.0/8' is not a single IPv4 address\n"
	    "%s:6:12: error: seen: address '192.0.2.9' is in neither a: nor "
	    "aaaa: of host 'h.example.com'\n", p, p, p),
	    "each error at its place");

	spew(p, "egressc-lock: 2\nhosts: {}\n");
	reset_msgs();
	ok(lock_load(a, p) == NULL && strstr(msgs.buf, ":1:15: error: lock "
	    "file version 2 is not supported") != NULL, "version 2 refused");
	spew(p, "egressc-lock: 1\nhosts:\n  h.example.com:\n"
	    "    a: [192.0.2.1, 192.0.2.1]\n    frist-seen: 2026\n");
	reset_msgs();
	if (!ok(lock_load(a, p) == NULL && strstr(msgs.buf, ":4:20: error: "
	    "address '192.0.2.1' listed twice") != NULL &&
	    strstr(msgs.buf, ":5:5: error: unknown key 'frist-seen'") != NULL,
	    "duplicate address and unknown key refused"))
		diag("%s", msgs.buf);
	is_str(lock_path(a, "p/x.yaml"), "p/x.lock", "lock_path .yaml");
	is_str(lock_path(a, "x.yml"), "x.lock", "lock_path .yml");
	is_str(lock_path(a, "x.pol"), "x.pol.lock", "lock_path other");
	arena_free(a);
}

/* made:, by: and ptr: written in their canonical order and read back. */
static void
test_fields(void)
{
	struct arena *a = arena_new();
	struct lock *lk = lock_new(a, "f.lock"), *back;
	struct lock_host *h = lock_add_host(a, lk, "h.example.com");
	const char *p = tmp(a, "fields.lock");
	const char *by[] = { "10.0.0.53:5353", "[2001:db8::53]:5353",
	    "10.0.0.53", "9.9.9.9", "10.0.0.53" };
	const char *ptr[] = { "B.example.net", "a.example.net", "9x.example" };
	struct out o, o2;
	static const char want[] =
	    "egressc-lock: 1\n"
	    "made: 2026-11-24T12:00:00Z\n"
	    "hosts:\n"
	    "  h.example.com:\n"
	    "    a: [192.0.2.1, 192.0.2.2]\n"
	    "    aaaa: []\n"
	    "    ttl: 0\n"
	    "    by:\n"
	    "      192.0.2.1: [9.9.9.9, 10.0.0.53, \"10.0.0.53:5353\", "
	    "\"[2001:db8::53]:5353\"]\n"
	    "    ptr:\n"
	    "      192.0.2.2: [\"9x.example\", a.example.net, b.example.net]\n";
	static const struct {
		const char	*in, *out;	/* out NULL: refused */
	} servers[] = {
		{ "192.0.2.53", "192.0.2.53" },
		{ "192.0.2.53:53", "192.0.2.53" },
		{ "192.0.2.53:5353", "192.0.2.53:5353" },
		{ "2001:db8::53", "2001:db8::53" },
		{ "[2001:db8::53]", "2001:db8::53" },
		{ "[2001:db8::53]:5353", "[2001:db8::53]:5353" },
		{ "[192.0.2.53]:53", NULL },
		{ "192.0.2.0/24", NULL },
		{ "192.0.2.53:0", NULL },
		{ "192.0.2.53:65536", NULL },
		{ "192.0.2.53:", NULL },
		{ "[::1", NULL },
		{ "[::1]x", NULL },
		{ "dns.example.com", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		enum fam fam;
		u128 addr;
		unsigned port;
		int rc = lock_server_parse(servers[i].in, &fam, &addr, &port);

		if (servers[i].out == NULL)
			ok(rc < 0, "server '%s' refused", servers[i].in);
		else
			is_str(rc < 0 ? "(refused)" : lock_server_text(a, fam,
			    addr, port), servers[i].out, arena_printf(a,
			    "server '%s'", servers[i].in));
	}

	lk->made = "2026-11-24T12:00:00Z";
	lock_add_addr(a, h, FAM_V4, 0xc0000202, NULL, NULL);
	lock_add_addr(a, h, FAM_V4, 0xc0000201, NULL, NULL);
	lock_addr_set_by(a, lock_host_addr(h, FAM_V4, 0xc0000201), by, 5);
	lock_addr_set_ptr(a, lock_host_addr(h, FAM_V4, 0xc0000202), ptr, 3);
	out_init(&o);
	lock_format(lk, &o);
	is_str(body(out_str(&o)), want, "made: after the version; by: servers "
	    "in address order, once, quoted with a colon; ptr: lower case, "
	    "sorted");
	spew(p, out_str(&o));
	reset_msgs();
	back = lock_load(a, p);
	ok(back != NULL && back->made != NULL && back->made_loc.line == 5 &&
	    back->made_loc.col == 7, "made: read, with its place");
	out_init(&o2);
	if (back != NULL)
		lock_format(back, &o2);
	is_str(out_str(&o2), out_str(&o), "read + write gives the same bytes");
	out_free(&o);
	out_free(&o2);

	spew(p, "egressc-lock: 1\nmade: 2026-11-24\nhosts:\n"
	    "  h.example.com:\n    a: [192.0.2.1]\n"
	    "    by:\n      192.0.2.1: [dns.example.com, 10.0.0.53]\n"
	    "      192.0.2.9: [10.0.0.53]\n"
	    "    ptr: {192.0.2.1: [\"a b\"]}\n");
	reset_msgs();
	ok(lock_load(a, p) == NULL, "bad made:, by: and ptr: refused");
	is_str(msgs.buf, arena_printf(a,
	    "%s:2:7: error: made '2026-11-24' is not a UTC time like "
	    "2026-11-24T12:00:00Z (on a day that exists)\n"
	    "%s:7:19: error: by: 'dns.example.com' is not a DNS server (ADDR, "
	    "ADDR:PORT or [IPV6]:PORT)\n"
	    "%s:8:7: error: by: address '192.0.2.9' is in neither a: nor aaaa: "
	    "of host 'h.example.com'\n"
	    "%s:9:23: error: ptr: 'a b' is not a PTR name (printable, no "
	    "blanks, at most 255 bytes)\n", p, p, p, p),
	    "each error at its place");
	arena_free(a);
}

static void
test_apply(void)
{
	struct arena *a = arena_new();
	struct ir *ir = ir_new(a);
	struct ir_rule *r = ir_add_rule(ir);
	struct lock *lk = lock_new(a, "t.lock");
	struct lock_host *h = lock_add_host(a, lk, "a.example.com");
	struct loc l1 = { "t.yaml", 3, 9 }, l2 = { "t.yaml", 4, 9 };

	ir->file = "t.yaml";
	r->name = "r";
	lock_add_addr(a, h, FAM_V4, 0x01020304, NULL, NULL);
	lock_add_addr(a, h, FAM_V4, 0x01020305, NULL, NULL);
	ir_add_name(ir, r, "a.example.com", false, &l1);
	ir_add_name(ir, r, "*.example.com", true, &l1);
	ir_add_name(ir, r, "b.example.com", false, &l2);
	reset_msgs();
	is_int(bind_lock(ir, lk, false), -1, "an absent host fails");
	is_str(msgs.buf, "t.yaml:4:9: error: host 'b.example.com' is not in "
	    "the lock file t.lock; run 'egressc resolve t.yaml'\n",
	    "the message names host, lock and policy");
	ok(r->names[0].resolved && r->names[0].addrs.f[FAM_V4].n == 1 &&
	    r->names[0].addrs.f[FAM_V4].v[0].lo == 0x01020304 &&
	    r->names[0].addrs.f[FAM_V4].v[0].hi == 0x01020305,
	    "the host gets its addresses");
	ok(!r->names[1].resolved, "a wildcard is left alone");
	reset_msgs();
	is_int(bind_lock(ir, lk, true), 0, "missing_ok: an absent host is "
	    "no error");
	ok(!r->names[2].resolved && msgs.len == 0, "...it stays unresolved, "
	    "and nothing is said");
	arena_free(a);
}

/* ---- against dnsmasq ---- */

static pid_t
start_dns(void)
{
	char cmd[512];
	int fds[2];
	pid_t pid;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "sh tests/lib/dnsmasq.sh start %s/dns "
	    ">%s/server", tmpdir, tmpdir);
	if (access("tests/lib/dnsmasq.sh", R_OK) != 0 || system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/server", tmpdir);
	if ((f = fopen(cmd, "r")) == NULL ||
	    fgets(server, sizeof(server), f) == NULL)
		return -1;
	fclose(f);
	server[strcspn(server, "\n")] = '\0';
	/* A watchdog stops dnsmasq when we exit, however we exit. */
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		char c;

		close(fds[1]);
		while (read(fds[0], &c, 1) > 0)
			;
		snprintf(cmd, sizeof(cmd), "sh tests/lib/dnsmasq.sh stop "
		    "%s/dns; rm -rf %s", tmpdir, tmpdir);
		_exit(system(cmd) == 0 ? 0 : 1);
	}
	close(fds[0]);
	return pid;
}

struct rule_spec {
	const char	*name;
	bool		 allow_private;
	const char	*hosts[8];
};

static struct ir *
make_ir(struct arena *a, const struct rule_spec *rs, size_t n)
{
	struct ir *ir = ir_new(a);

	ir->file = "p.yaml";
	for (size_t i = 0; i < n; i++) {
		struct ir_rule *r = ir_add_rule(ir);

		r->name = rs[i].name;
		r->allow_private = rs[i].allow_private;
		for (size_t j = 0; rs[i].hosts[j] != NULL; j++) {
			struct loc l = { "p.yaml", (int)(10 * i + j + 1), 7 };

			ir_add_name(ir, r, rs[i].hosts[j], false, &l);
		}
	}
	return ir;
}

static int
run(const char *when, const struct rule_spec *rs, size_t n,
    struct resolve_opts *o)
{
	struct arena *a = arena_new();
	const char *srv[1] = { server };
	int rc, f0;

	setenv("SOURCE_DATE_EPOCH", when, 1);
	o->servers = srv;
	o->nservers = 1;
	if (o->timeout_ms == 0)
		o->timeout_ms = 200;
	reset_msgs();
	f0 = diag_failures();
	rc = resolve_run(make_ir(a, rs, n), o);
	arena_free(a);
	/* As the command line maps it: DNS's fault 3, the input's 2. */
	return rc == 0 ? 0 : diag_failures() > f0 ? 3 : 2;
}

#define T1	"1795536000"		/* 2026-11-24T16:00:00Z */
#define T2	"1795795200"		/* three days later */
#define S1	"2026-11-24T16:00:00Z"
#define S2	"2026-11-27T16:00:00Z"

static const struct rule_spec good[] = {
	{ "heygen-api", false, { "api.heygen.com", "resource.heygen.com",
	    NULL } },
	{ "livekit", false, { "heygen-feapbkvq.livekit.cloud",
	    "heygen-feapbkvq.oashburn1b.production.livekit.cloud",
	    "heygen-feapbkvq.turn.livekit.cloud",
	    "oashburn1b.turn.livekit.cloud", "api.heygen.com", NULL } },
};

static const char good_lock[] =
    "egressc-lock: 1\n"
    "made: " S1 "\n"
    "hosts:\n"
    "  api.heygen.com:\n"
    "    a: [198.18.0.10, 198.18.0.11]\n"
    "    aaaa: [\"2001:2::10\"]\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      198.18.0.10: [" S1 ", " S1 "]\n"
    "      198.18.0.11: [" S1 ", " S1 "]\n"
    "      \"2001:2::10\": [" S1 ", " S1 "]\n"
    "    by:\n"
    "      198.18.0.10: [\"@S@\"]\n"
    "      198.18.0.11: [\"@S@\"]\n"
    "      \"2001:2::10\": [\"@S@\"]\n"
    "  heygen-feapbkvq.livekit.cloud:\n"
    "    a: [198.18.1.10]\n"
    "    aaaa: [\"2001:2::1:10\"]\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      198.18.1.10: [" S1 ", " S1 "]\n"
    "      \"2001:2::1:10\": [" S1 ", " S1 "]\n"
    "    by:\n"
    "      198.18.1.10: [\"@S@\"]\n"
    "      \"2001:2::1:10\": [\"@S@\"]\n"
    "  heygen-feapbkvq.oashburn1b.production.livekit.cloud:\n"
    "    a: [198.18.1.11, 198.18.1.12]\n"
    "    aaaa: []\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      198.18.1.11: [" S1 ", " S1 "]\n"
    "      198.18.1.12: [" S1 ", " S1 "]\n"
    "    by:\n"
    "      198.18.1.11: [\"@S@\"]\n"
    "      198.18.1.12: [\"@S@\"]\n"
    "  heygen-feapbkvq.turn.livekit.cloud:\n"
    "    a: [198.18.1.20]\n"
    "    aaaa: []\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      198.18.1.20: [" S1 ", " S1 "]\n"
    "    by:\n"
    "      198.18.1.20: [\"@S@\"]\n"
    "  oashburn1b.turn.livekit.cloud:\n"
    "    a: []\n"
    "    aaaa: [\"2001:2::1:20\"]\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      \"2001:2::1:20\": [" S1 ", " S1 "]\n"
    "    by:\n"
    "      \"2001:2::1:20\": [\"@S@\"]\n"
    "  resource.heygen.com:\n"
    "    a: [198.18.0.20, 198.18.0.21]\n"
    "    aaaa: [\"2001:2::20\"]\n"
    "    ttl: 300\n"
    "    first-seen: " S1 "\n"
    "    last-seen: " S1 "\n"
    "    seen:\n"
    "      198.18.0.20: [" S1 ", " S1 "]\n"
    "      198.18.0.21: [" S1 ", " S1 "]\n"
    "      \"2001:2::20\": [" S1 ", " S1 "]\n"
    "    by:\n"
    "      198.18.0.20: [\"@S@\"]\n"
    "      198.18.0.21: [\"@S@\"]\n"
    "      \"2001:2::20\": [\"@S@\"]\n";

/* text with the server that answered for @S@ (malloc'd). */
static char *
served(const char *text)
{
	struct out o;
	const char *p;
	char *r;

	out_init(&o);
	while ((p = strstr(text, "@S@")) != NULL) {
		out_write(&o, text, (size_t)(p - text));
		out_puts(&o, server);
		text = p + 3;
	}
	out_puts(&o, text);
	r = xstrdup(out_str(&o));
	out_free(&o);
	return r;
}

static void
replace(char *s, const char *from, const char *to)
{
	size_t n = strlen(from);

	for (char *p = strstr(s, from); p != NULL; p = strstr(p + n, from))
		memcpy(p, to, n);	/* same length */
}

static void
test_resolve(void)
{
	struct arena *a = arena_new();
	const char *lock = tmp(a, "p.lock");
	struct resolve_opts o;
	char *t1, *t2, *want;

	memset(&o, 0, sizeof(o));
	o.lockpath = lock;
	o.stamp = true;
	is_int(run(T1, good, 2, &o), 0, "resolve succeeds");
	t1 = slurp(lock);
	want = served(good_lock);
	is_str(body(t1), want, "several addresses, IPv6, CNAME chain, "
	    "AAAA-only: the expected lock, made: now, by: the server");
	is_str(msgs.buf, "", "and no message");

	is_int(run(T2, good, 2, &o), 0, "resolve again, later");
	t2 = slurp(lock);
	replace(want, "last-seen: " S1, "last-seen: " S2);
	replace(want, ", " S1 "]", ", " S2 "]");
	replace(want, "made: " S1, "made: " S2);
	is_str(body(t2), want, "only last-seen and made: moved");
	free(want);
	free(t2);

	o.stamp = false;
	is_int(run("1796999999", good, 2, &o), 0, "--no-stamp");
	t2 = slurp(lock);
	o.stamp = true;
	is_int(run(T1, good, 2, &o), 0, "reset");
	free(t2);
	free(slurp(lock));
	o.stamp = false;
	is_int(run(T2, good, 2, &o), 0, "--no-stamp later");
	t2 = slurp(lock);
	is_str(t2, t1, "--no-stamp changes no byte");
	free(t2);
	free(t1);
	arena_free(a);
}

static void
test_errors(void)
{
	struct arena *a = arena_new();
	const char *lock = tmp(a, "e.lock");
	struct resolve_opts o;
	static const struct rule_spec bad[] = {
		{ "heygen-api", false, { "api.heygen.com", "nx.heygen.com",
		    "servfail.heygen.com", NULL } },
		{ "slow", false, { "slow.heygen.com", NULL } },
	};
	char *t;

	memset(&o, 0, sizeof(o));
	o.lockpath = lock;
	o.stamp = true;
	o.tries = 1;
	spew(lock, "egressc-lock: 1\nhosts: {}\n");
	is_int(run(T1, bad, 2, &o), 3, "failures: exit 3");
	is_str(msgs.buf, arena_printf(a,
	    "p.yaml:2:7: error: host 'nx.heygen.com' (rule 'heygen-api'): "
	    "no such domain (NXDOMAIN)\n"
	    "p.yaml:3:7: error: host 'servfail.heygen.com' (rule "
	    "'heygen-api'): no usable answer: the DNS server failed "
	    "(SERVFAIL), refused the query or could not be reached\n"
	    "p.yaml:11:7: error: host 'slow.heygen.com' (rule 'slow'): no "
	    "answer from the DNS server (timed out; --timeout 200, --tries "
	    "1)\n"
	    "egressc: note: 3 of 4 hosts failed; %s left as it was "
	    "(--keep-going writes what resolved)\n", lock),
	    "NXDOMAIN, SERVFAIL, timeout: each names host and rule");
	t = slurp(lock);
	is_str(t, "egressc-lock: 1\nhosts: {}\n", "the lock is untouched");
	free(t);

	o.keep_going = true;
	is_int(run(T1, bad, 2, &o), 3, "--keep-going: still exit 3");
	t = slurp(lock);
	ok(t != NULL && strstr(t, "  api.heygen.com:\n") != NULL &&
	    strstr(t, "nx.heygen.com") == NULL, "--keep-going wrote the "
	    "host that resolved");
	ok(strstr(msgs.buf, "egressc: note: 3 of 4 hosts failed; wrote") !=
	    NULL, "and says so");
	free(t);
	arena_free(a);
}

static void
test_private(void)
{
	struct arena *a = arena_new();
	const char *lock = tmp(a, "pv.lock");
	struct resolve_opts o;
	static const struct rule_spec strict[] = {
		{ "lan", true, { "private.heygen.com", NULL } },
		{ "api", false, { "private.heygen.com", NULL } },
	};
	static const struct rule_spec lax[] = {
		{ "lan", true, { "private.heygen.com", NULL } },
	};
	char *t;

	memset(&o, 0, sizeof(o));
	o.lockpath = lock;
	o.stamp = true;
	is_int(run(T1, strict, 2, &o), 3, "private answer refused");
	is_str(msgs.buf, arena_printf(a, "p.yaml:11:7: error: host "
	    "'private.heygen.com' resolved to 10.20.30.40, a private (RFC "
	    "1918) address: refused for rule 'api' (set 'allow-private: "
	    "true' on the rule if this is intended)\n"
	    "egressc: note: 1 of 1 hosts failed; %s left as it was "
	    "(--keep-going writes what resolved)\n", lock),
	    "the message names host, address and the rule without "
	    "allow-private");
	ok(access(lock, F_OK) != 0, "no lock written");
	is_int(run(T1, lax, 1, &o), 0, "allowed with allow-private");
	t = slurp(lock);
	ok(t != NULL && strstr(t, "    a: [10.20.30.40]\n") != NULL,
	    "and recorded");
	free(t);
	arena_free(a);
}

static void
test_merge(void)
{
	struct arena *a = arena_new();
	const char *lock = tmp(a, "m.lock");
	struct resolve_opts o;
	static const struct rule_spec one[] = {
		{ "api", false, { "api.heygen.com", NULL } },
	};
	char *t, *want;

	memset(&o, 0, sizeof(o));
	o.lockpath = lock;
	o.stamp = true;
	/* 198.18.0.99 was last seen 2026-11-20, four days before T1. */
	spew(lock, "egressc-lock: 1\nhosts:\n  api.heygen.com:\n"
	    "    a: [198.18.0.10, 198.18.0.11, 198.18.0.99]\n"
	    "    aaaa: [\"2001:2::10\"]\n    ttl: 17\n"
	    "    first-seen: 2026-11-01T00:00:00Z\n"
	    "    last-seen: 2026-11-20T00:00:00Z\n"
	    "  gone.heygen.com:\n    a: [198.18.9.9]\n");
	o.keep_days = 5;
	is_int(run(T1, one, 1, &o), 0, "--keep-days 5");
	t = slurp(lock);
	want = served("egressc-lock: 1\nmade: " S1 "\nhosts:\n"
	    "  api.heygen.com:\n"
	    "    a: [198.18.0.10, 198.18.0.11, 198.18.0.99]\n"
	    "    aaaa: [\"2001:2::10\"]\n    ttl: 17\n"
	    "    first-seen: 2026-11-01T00:00:00Z\n"
	    "    last-seen: " S1 "\n    seen:\n"
	    "      198.18.0.10: [2026-11-01T00:00:00Z, " S1 "]\n"
	    "      198.18.0.11: [2026-11-01T00:00:00Z, " S1 "]\n"
	    "      198.18.0.99: [2026-11-01T00:00:00Z, "
	    "2026-11-20T00:00:00Z]\n"
	    "      \"2001:2::10\": [2026-11-01T00:00:00Z, " S1 "]\n"
	    "    by:\n"
	    "      198.18.0.10: [\"@S@\"]\n"
	    "      198.18.0.11: [\"@S@\"]\n"
	    "      \"2001:2::10\": [\"@S@\"]\n");
	is_str(body(t), want, "a dropped address seen 4 days ago is kept "
	    "(its by: as it was); first-seen kept; unchanged set keeps its "
	    "ttl; a host no rule names goes");
	free(want);
	free(t);
	o.keep_days = 3;
	is_int(run(T1, one, 1, &o), 0, "--keep-days 3");
	t = slurp(lock);
	ok(t != NULL && strstr(t, "198.18.0.99") == NULL &&
	    strstr(t, "    ttl: 300\n") != NULL, "now it is dropped, and the "
	    "changed set takes the new ttl");
	free(t);
	arena_free(a);
}

int
main(void)
{
	bool ci = getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0;

	plan_lazy();
	out_init(&msgs);
	diag_capture(capture, NULL);
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_format();
	test_load();
	test_fields();
	test_apply();
	if (start_dns() < 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
		if (ci)
			ok(0, "dnsmasq: could not start it (CI=true)");
		else
			diag("SKIP the DNS tests: dnsmasq did not start");
		return done_testing();
	}
	diag("dnsmasq at %s", server);
	test_resolve();
	test_errors();
	test_private();
	test_merge();
	return done_testing();
}
