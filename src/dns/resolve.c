/*
 * resolve.c - `egressc resolve` (see resolve.h).
 *
 * Every distinct host name gets an A and an AAAA query; c-ares keeps up to
 * opts->concurrency of them in flight at once and a poll() loop drives
 * them, so 1000 names cost about one round trip's worth of waiting, not a
 * thousand.  Answers are then checked (no private, loopback, documentation
 * ... addresses unless every rule naming the host allows them), merged with
 * the old lock (first-seen/last-seen per address, --keep-days) and written
 * atomically.  Nothing is written when a host fails, unless keep_going.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "ir/ir.h"
#include "policy/lock.h"
#include "dns/resolve.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/diag.h"

#define RS_TIMEOUT_MS	2000
#define RS_TRIES	2
#define RS_CONCURRENCY	64
#define RS_MAXADDR	256	/* addresses read from one answer */

struct rs_addr {
	enum fam	 fam;
	u128		 addr;
	bool		 refused;
};

struct rs_host {
	const char		*name;
	const struct ir_rule	*rule;		/* the first rule naming it */
	const struct ir_name	*at;		/* ... and where */
	/* The first rule naming it without allow-private, if any. */
	const struct ir_rule	*strict;
	const struct ir_name	*strict_at;
	struct rs_addr		*addrs;
	size_t			 naddrs, capaddrs;
	unsigned		 ttl;
	bool			 have_ttl;
	int			 status;	/* first failure, or 0 */
	int			 pending;	/* queries not yet answered */
};

struct rs_ctx;

struct rs_query {
	struct rs_ctx	*ctx;
	struct rs_host	*host;
	int		 type;		/* ns_t_a, ns_t_aaaa */
};

struct rs_ctx {
	struct arena		*arena;
	const struct resolve_opts *opts;
	ares_channel		 chan;
	struct rs_host		*hosts;
	size_t			 nhosts, done;
	struct rs_query		*queries;
	size_t			 nqueries, next, inflight, limit;
	bool			 pumping, tty;
	struct timespec		 last_progress;
};

/* Where public services never live; see resolve_refused(). */
static const struct {
	const char	*prefix;
	const char	*what;
} rs_refused[] = {
	{ "0.0.0.0/8",		"'this network' (0.0.0.0/8)" },
	{ "10.0.0.0/8",		"private (RFC 1918)" },
	{ "100.64.0.0/10",	"carrier-grade NAT (100.64.0.0/10)" },
	{ "127.0.0.0/8",	"loopback" },
	{ "169.254.0.0/16",	"link-local" },
	{ "172.16.0.0/12",	"private (RFC 1918)" },
	{ "192.0.2.0/24",	"documentation (RFC 5737)" },
	{ "192.168.0.0/16",	"private (RFC 1918)" },
	{ "198.51.100.0/24",	"documentation (RFC 5737)" },
	{ "203.0.113.0/24",	"documentation (RFC 5737)" },
	{ "224.0.0.0/4",	"multicast" },
	{ "240.0.0.0/4",	"reserved (240.0.0.0/4)" },
	{ "::/128",		"unspecified (::)" },
	{ "::1/128",		"loopback" },
	{ "::ffff:0:0/96",	"IPv4-mapped (::ffff:0:0/96)" },
	{ "2001:db8::/32",	"documentation (RFC 3849)" },
	{ "fc00::/7",		"unique local (fc00::/7)" },
	{ "fe80::/10",		"link-local" },
	{ "ff00::/8",		"multicast" },
};

#define RS_NREFUSED	(sizeof(rs_refused) / sizeof(rs_refused[0]))

/* What kind of never-public address this is, or NULL. */
static const char *
resolve_refused(enum fam fam, u128 addr)
{
	static struct prefix	 nets[RS_NREFUSED];
	static enum fam		 fams[RS_NREFUSED];
	static bool		 parsed;

	if (!parsed) {
		for (size_t i = 0; i < RS_NREFUSED; i++) {
			bool hb;

			if (addr_parse(rs_refused[i].prefix, &fams[i],
			    &nets[i].addr, &nets[i].len, &hb) < 0)
				abort();	/* the table is wrong */
		}
		parsed = true;
	}
	for (size_t i = 0; i < RS_NREFUSED; i++) {
		int shift = fam_bits(fam) - nets[i].len;

		if (fams[i] == fam && (shift >= 128 ||
		    addr >> shift == nets[i].addr >> shift))
			return rs_refused[i].what;
	}
	return NULL;
}

static const char *
rs_why(int status, const struct resolve_opts *opts, struct arena *a)
{
	switch (status) {
	case ARES_ENOTFOUND:
		return "no such domain (NXDOMAIN)";
	case ARES_ESERVFAIL:
		return "the DNS server failed (SERVFAIL)";
	case ARES_EREFUSED:
		return "the DNS server refused the query (REFUSED)";
	case ARES_ETIMEOUT:
		return arena_printf(a, "no answer from the DNS server "
		    "(timed out; --timeout %u, --tries %u)", opts->timeout_ms,
		    opts->tries);
	case ARES_ECONNREFUSED:
		/* What c-ares says once every server has answered SERVFAIL
		 * or REFUSED, or could not be reached. */
		return "no usable answer: the DNS server failed (SERVFAIL), "
		    "refused the query or could not be reached";
	case ARES_EBADNAME:
		return "not a name DNS can look up";
	default:
		return ares_strerror(status);
	}
}

static void
rs_progress(struct rs_ctx *c, bool last)
{
	struct timespec now;

	if (!c->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - c->last_progress.tv_sec) * 1000 +
	    (now.tv_nsec - c->last_progress.tv_nsec) / 1000000 < 50)
		return;
	c->last_progress = now;
	fprintf(stderr, "\rresolved %zu/%zu%s", c->done, c->nhosts,
	    last ? "\n" : "");
}

static void
rs_add(struct rs_ctx *c, struct rs_host *h, enum fam fam, u128 addr)
{
	for (size_t i = 0; i < h->naddrs; i++)
		if (h->addrs[i].fam == fam && h->addrs[i].addr == addr)
			return;
	ARENA_PUSH(c->arena, h->addrs, h->naddrs, h->capaddrs);
	h->addrs[h->naddrs - 1] = (struct rs_addr){ fam, addr, false };
}

static void
rs_ttl(struct rs_host *h, int ttl)
{
	unsigned t = ttl < 0 ? 0 : (unsigned)ttl;

	if (!h->have_ttl || t < h->ttl)
		h->ttl = t;
	h->have_ttl = true;
}

/* Addresses of a successful answer; c-ares has followed any CNAMEs. */
static int
rs_parse(struct rs_ctx *c, struct rs_host *h, int type, unsigned char *abuf,
    int alen)
{
	struct hostent *he = NULL;
	int st, n = RS_MAXADDR;

	if (type == ns_t_a) {
		struct ares_addrttl ttls[RS_MAXADDR];

		st = ares_parse_a_reply(abuf, alen, &he, ttls, &n);
		for (int i = 0; st == ARES_SUCCESS && i < n; i++) {
			rs_add(c, h, FAM_V4, ntohl(ttls[i].ipaddr.s_addr));
			rs_ttl(h, ttls[i].ttl);
		}
	} else {
		struct ares_addr6ttl ttls[RS_MAXADDR];

		st = ares_parse_aaaa_reply(abuf, alen, &he, ttls, &n);
		for (int i = 0; st == ARES_SUCCESS && i < n; i++) {
			u128 v = 0;

			for (int b = 0; b < 16; b++)
				v = v << 8 | ttls[i].ip6addr._S6_un._S6_u8[b];
			rs_add(c, h, FAM_V6, v);
			rs_ttl(h, ttls[i].ttl);
		}
	}
	/* The ttl array is what we read; the hostent would list the same
	 * addresses again, and more than RS_MAXADDR is no real answer. */
	if (he != NULL)
		ares_free_hostent(he);
	return st;
}

static void rs_pump(struct rs_ctx *);

static void
rs_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct rs_query *q = arg;
	struct rs_ctx *c = q->ctx;
	struct rs_host *h = q->host;

	if (status == ARES_EDESTRUCTION)
		return;
	if (status == ARES_SUCCESS)
		status = rs_parse(c, h, q->type, abuf, alen);
	/* NODATA: the name exists but has no address of this family. */
	if (status != ARES_SUCCESS && status != ARES_ENODATA &&
	    h->status == ARES_SUCCESS)
		h->status = status;
	c->inflight--;
	if (--h->pending == 0) {
		c->done++;
		rs_progress(c, false);
	}
	rs_pump(c);
}

/* Start queries until the concurrency limit; safe to call re-entrantly
 * (c-ares may answer from within ares_query). */
static void
rs_pump(struct rs_ctx *c)
{
	if (c->pumping)
		return;
	c->pumping = true;
	while (c->inflight < c->limit && c->next < c->nqueries) {
		struct rs_query *q = &c->queries[c->next++];

		c->inflight++;
		ares_query(c->chan, q->host->name, ns_c_in, q->type,
		    rs_answer, q);
	}
	c->pumping = false;
}

static void
rs_loop(struct rs_ctx *c)
{
	rs_pump(c);
	while (c->inflight > 0) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		unsigned bits;
		int n = 0, ms, r;

		/* Not ARES_GETSOCK_WRITABLE(): it shifts a signed 1 into the
		 * sign bit for the last socket. */
		bits = (unsigned)ares_getsock(c->chan, socks,
		    ARES_GETSOCK_MAXNUM);
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;

			if (bits & 1u << i)
				ev |= POLLIN;
			if (bits & 1u << (i + ARES_GETSOCK_MAXNUM))
				ev |= POLLOUT;
			if (ev != 0)
				pfd[n++] = (struct pollfd){ socks[i], ev, 0 };
		}
		tvp = ares_timeout(c->chan, NULL, &tv);
		ms = tvp == NULL ? 1000 :
		    (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		r = poll(pfd, (nfds_t)n, ms);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0) {
			ares_process_fd(c->chan, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);	/* timeouts */
			continue;
		}
		for (int i = 0; i < n; i++)
			ares_process_fd(c->chan,
			    pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ?
			    pfd[i].fd : ARES_SOCKET_BAD,
			    pfd[i].revents & POLLOUT ? pfd[i].fd :
			    ARES_SOCKET_BAD);
	}
	rs_progress(c, true);
}

/* "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:5353" */
static int
rs_server(struct arena *a, const char *s, struct ares_addr_port_node *node)
{
	const char *host = s, *port = NULL, *colon = strchr(s, ':');
	char *h;
	unsigned long p = 53;
	char *end;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		h = arena_strndup(a, s + 1, (size_t)(close - s - 1));
		if (close[1] == ':')
			port = close + 2;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		h = arena_strndup(a, host, (size_t)(colon - host));
		port = colon + 1;
	} else {
		h = arena_strdup(a, host);
	}
	if (port != NULL) {
		errno = 0;
		p = strtoul(port, &end, 10);
		if (*port < '0' || *port > '9' || *end != '\0' || p == 0 ||
		    p > 65535)
			goto bad;
	}
	memset(node, 0, sizeof(*node));
	if (inet_pton(AF_INET, h, &node->addr.addr4) == 1)
		node->family = AF_INET;
	else if (inet_pton(AF_INET6, h, &node->addr.addr6) == 1)
		node->family = AF_INET6;
	else
		goto bad;
	node->udp_port = node->tcp_port = (int)p;
	return 0;
bad:
	diag_error(NULL, "bad DNS server '%s': want ADDR, ADDR:PORT or "
	    "[IPV6]:PORT", s);
	return -1;
}

static int
rs_channel(struct rs_ctx *c)
{
	const struct resolve_opts *o = c->opts;
	struct ares_options ao;
	struct ares_addr_port_node *nodes = NULL;
	int st;

	if (o->nservers > 0) {
		nodes = arena_alloc(c->arena, o->nservers * sizeof(*nodes));
		for (size_t i = 0; i < o->nservers; i++) {
			if (rs_server(c->arena, o->servers[i], &nodes[i]) < 0)
				return -1;
			nodes[i].next = i + 1 < o->nservers ? &nodes[i + 1] :
			    NULL;
		}
	}
	memset(&ao, 0, sizeof(ao));
	ao.timeout = (int)o->timeout_ms;
	ao.tries = (int)o->tries;
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	st = ares_init_options(&c->chan, &ao, ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (st != ARES_SUCCESS) {
		diag_fail(NULL, "cannot start the DNS resolver: %s",
		    ares_strerror(st));
		return -1;
	}
	if (nodes != NULL &&
	    (st = ares_set_servers_ports(c->chan, nodes)) != ARES_SUCCESS) {
		diag_fail(NULL, "cannot use the DNS servers given: %s",
		    ares_strerror(st));
		ares_destroy(c->chan);
		return -1;
	}
	return 0;
}

struct rs_ref {
	const char		*name;
	const struct ir_rule	*rule;
	const struct ir_name	*at;
	size_t			 seq;
};

static int
rs_ref_cmp(const void *a, const void *b)
{
	const struct rs_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The distinct non-wildcard names of ir, sorted, each with its first rule
 * and its first rule without allow-private. */
static void
rs_collect(struct rs_ctx *c, const struct ir *ir)
{
	struct rs_ref *refs = NULL;
	size_t nrefs = 0, caprefs = 0;

	for (size_t r = 0; r < ir->nrules; r++)
		for (size_t i = 0; i < ir->rules[r].nnames; i++) {
			const struct ir_name *nm = &ir->rules[r].names[i];

			if (nm->wildcard)
				continue;
			ARENA_PUSH(c->arena, refs, nrefs, caprefs);
			refs[nrefs - 1] = (struct rs_ref){ nm->name,
			    &ir->rules[r], nm, nrefs - 1 };
		}
	if (nrefs > 0)
		qsort(refs, nrefs, sizeof(refs[0]), rs_ref_cmp);
	c->hosts = arena_alloc(c->arena, (nrefs + 1) * sizeof(c->hosts[0]));
	for (size_t i = 0; i < nrefs; i++) {
		struct rs_host *h;

		if (i == 0 || strcmp(refs[i].name, refs[i - 1].name) != 0) {
			h = &c->hosts[c->nhosts++];
			h->name = refs[i].name;
			h->rule = refs[i].rule;
			h->at = refs[i].at;
			h->status = ARES_SUCCESS;
		}
		h = &c->hosts[c->nhosts - 1];
		if (h->strict == NULL && !refs[i].rule->allow_private) {
			h->strict = refs[i].rule;
			h->strict_at = refs[i].at;
		}
	}
	c->queries = arena_alloc(c->arena,
	    (2 * c->nhosts + 1) * sizeof(c->queries[0]));
	for (size_t i = 0; i < c->nhosts; i++) {
		c->hosts[i].pending = 2;
		c->queries[c->nqueries++] = (struct rs_query){ c, &c->hosts[i],
		    ns_t_a };
		c->queries[c->nqueries++] = (struct rs_query){ c, &c->hosts[i],
		    ns_t_aaaa };
	}
}

static int
rs_addr_cmp(const void *a, const void *b)
{
	const struct rs_addr *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Report a failed host; true when it failed.  Servers rotate the order of
 * their answers: sort, so that the messages come in a stable order. */
static bool
rs_check(struct rs_ctx *c, struct rs_host *h)
{
	bool failed = false;

	if (h->naddrs > 1)
		qsort(h->addrs, h->naddrs, sizeof(h->addrs[0]), rs_addr_cmp);

	if (h->status != ARES_SUCCESS) {
		diag_fail(&h->at->loc, "host '%s' (rule '%s'): %s", h->name,
		    h->rule->name, rs_why(h->status, c->opts, c->arena));
		return true;
	}
	if (h->naddrs == 0) {
		diag_fail(&h->at->loc, "host '%s' (rule '%s'): no A or AAAA "
		    "record", h->name, h->rule->name);
		return true;
	}
	for (size_t i = 0; i < h->naddrs; i++) {
		struct rs_addr *ra = &h->addrs[i];
		const char *what = resolve_refused(ra->fam, ra->addr);
		char buf[ADDR_STRLEN];

		if (what == NULL || h->strict == NULL)
			continue;
		ra->refused = true;
		failed = true;
		diag_fail(&h->strict_at->loc, "host '%s' resolved to %s, a %s "
		    "address: refused for rule '%s' (set 'allow-private: "
		    "true' on the rule if this is intended)", h->name,
		    addr_format(buf, ra->fam, ra->addr, fam_bits(ra->fam)),
		    what, h->strict->name);
	}
	return failed;
}

static void
rs_copy_host(struct arena *a, struct lock *lk, const struct lock_host *old)
{
	struct lock_host *nh = lock_add_host(a, lk, old->name);

	nh->ttl = old->ttl;
	for (size_t i = 0; i < old->naddrs; i++)
		lock_add_addr(a, nh, old->addrs[i].fam, old->addrs[i].addr,
		    old->addrs[i].first_seen, old->addrs[i].last_seen);
}

/* The host's new lock entry from this answer and its old entry. */
static void
rs_merge(struct rs_ctx *c, struct lock *lk, const struct rs_host *h,
    const struct lock_host *old, const char *now, long long tnow)
{
	struct lock_host *nh = lock_add_host(c->arena, lk, h->name);
	bool changed;

	for (size_t i = 0; i < h->naddrs; i++) {
		const struct rs_addr *ra = &h->addrs[i];
		const struct lock_addr *oa = lock_host_addr(old, ra->fam,
		    ra->addr);
		const char *first = now, *last = now;

		if (ra->refused)
			continue;
		if (oa != NULL && oa->first_seen != NULL)
			first = oa->first_seen;
		if (oa != NULL && oa->last_seen != NULL && !c->opts->stamp)
			last = oa->last_seen;
		lock_add_addr(c->arena, nh, ra->fam, ra->addr, first, last);
	}
	/* CDNs rotate: an address the answer dropped may still be in use. */
	for (size_t i = 0; old != NULL && i < old->naddrs; i++) {
		const struct lock_addr *oa = &old->addrs[i];
		long long t;

		if (c->opts->keep_days == 0 || oa->last_seen == NULL ||
		    clock_parse_rfc3339(oa->last_seen, &t) < 0 ||
		    tnow - t > (long long)c->opts->keep_days * 86400)
			continue;
		lock_add_addr(c->arena, nh, oa->fam, oa->addr, oa->first_seen,
		    oa->last_seen);
	}
	/* A cache counts TTLs down: keep the old one unless the addresses
	 * changed, so that a refresh finding nothing new changes nothing. */
	changed = old == NULL || old->naddrs != nh->naddrs;
	for (size_t i = 0; !changed && i < nh->naddrs; i++)
		changed = lock_host_addr(old, nh->addrs[i].fam,
		    nh->addrs[i].addr) == NULL;
	nh->ttl = changed ? h->ttl : old->ttl;
}

int
resolve_run(struct ir *ir, const struct resolve_opts *opts)
{
	struct resolve_opts o = *opts;
	struct rs_ctx c;
	const struct lock *old;
	struct lock *lk;
	char stamp[CLOCK_TEXT_SIZE];
	const char *now;
	long long tnow;
	size_t nfailed = 0;

	if (o.timeout_ms == 0)
		o.timeout_ms = RS_TIMEOUT_MS;
	if (o.tries == 0)
		o.tries = RS_TRIES;
	if (o.concurrency == 0)
		o.concurrency = RS_CONCURRENCY;
	memset(&c, 0, sizeof(c));
	c.arena = ir->arena;
	c.opts = &o;
	c.limit = o.concurrency;
	c.tty = o.progress && isatty(STDERR_FILENO);
	if (clock_now(&tnow) < 0)
		return -1;
	now = arena_strdup(c.arena, clock_format(tnow, stamp));
	if ((old = lock_load(c.arena, o.lockpath)) == NULL)
		return -1;
	rs_collect(&c, ir);

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		diag_fail(NULL, "cannot initialise c-ares");
		return -1;
	}
	if (rs_channel(&c) < 0) {
		ares_library_cleanup();
		return -1;
	}
	rs_loop(&c);
	ares_destroy(c.chan);
	ares_library_cleanup();

	lk = lock_new(c.arena, o.lockpath);
	for (size_t i = 0; i < c.nhosts; i++) {
		struct rs_host *h = &c.hosts[i];
		const struct lock_host *oh = old->example ? NULL :
		    lock_find(old, h->name);
		bool usable = false;

		if (rs_check(&c, h))
			nfailed++;
		for (size_t j = 0; h->status == ARES_SUCCESS &&
		    j < h->naddrs; j++)
			usable = usable || !h->addrs[j].refused;
		if (usable)
			rs_merge(&c, lk, h, oh, now, tnow);
		else if (oh != NULL)
			rs_copy_host(c.arena, lk, oh);
	}
	if (nfailed > 0 && !o.keep_going) {
		diag_note(NULL, "%zu of %zu hosts failed; %s left as it was "
		    "(--keep-going writes what resolved)", nfailed, c.nhosts,
		    o.lockpath);
		return -1;
	}
	if (lock_write(lk, o.lockpath) < 0)
		return -1;
	if (nfailed > 0) {
		diag_note(NULL, "%zu of %zu hosts failed; wrote %s with the "
		    "rest (and their old entries)", nfailed, c.nhosts,
		    o.lockpath);
		return -1;
	}
	return 0;
}
