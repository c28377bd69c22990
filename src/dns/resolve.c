/*
 * resolve.c - `egressc resolve` (see resolve.h).
 *
 * Every distinct host name gets an A and an AAAA query (or one of them,
 * --family) from every DNS server given: geo-DNS and anycast answer each
 * region differently, so a lock built from resolvers in several regions
 * must hold the union, and each address records the servers that gave it.
 * Each server has a c-ares channel of its own (a channel with several
 * servers fails over, it does not ask them all) and at most
 * min(concurrency, RESOLVE_MAX_INFLIGHT) queries in flight; one poll() loop
 * drives all the channels, so 1000 names cost about one round trip's
 * worth of waiting, not a thousand.
 *
 * A query that fails while others answer for the host is a warning naming
 * the record type and the server; a host fails only when no query for it
 * was answered.  Answers are then checked (no private, loopback,
 * documentation ... addresses unless every rule naming the host allows
 * them), merged with the old lock (first-seen/last-seen per address,
 * --keep-days; a family that got no answer keeps its old addresses), given
 * their PTR names (--ptr), audited for addresses shared across decisions
 * (pass/shared.c) and written atomically, or compared with the old lock
 * (resolve_check).  Nothing is written when a host fails, unless
 * keep_going.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ares.h>
#include <arpa/nameser.h>

#include "ir/ir.h"
#include "pass/shared.h"
#include "policy/lock.h"
#include "dns/resolve.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/diag.h"
#include "util/out.h"

#define RS_TIMEOUT_MS	2000
#define RS_TRIES	2
#define RS_CONCURRENCY	64
#define RS_PENDING	(-1)	/* a query's status before its answer */

struct rs_ctx;

/* One DNS server and its channel; text is NULL for the system resolver. */
struct rs_server {
	const char			*text;
	struct ares_addr_port_node	 node;
	ares_channel			 chan;
	bool				 open;
	struct rs_query			*q;		/* its queue */
	size_t				 nq, next, inflight;
};

struct rs_addr {
	enum fam	 fam;
	u128		 addr;
	unsigned	 by;		/* servers that gave it, a bit each */
	bool		 refused;
};

struct rs_host {
	const char		*name;
	const struct ir_rule	*rule;		/* the first rule naming it */
	const struct ir_name	*at;		/* ... and where */
	/* The first rule naming it without allow-private, if any. */
	const struct ir_rule	*strict;
	const struct ir_name	*strict_at;
	const struct ir_rule	**rules;	/* every rule naming it */
	size_t			 nrules, caprules;
	struct rs_addr		*addrs;
	size_t			 naddrs, capaddrs;
	unsigned		 ttl;
	bool			 have_ttl;
	int			 pending;	/* queries not yet answered */
	int			 st[RESOLVE_MAX_SERVERS][FAM_N];
	bool			 answered[FAM_N];	/* by some server */
};

/* A locked address whose PTR names --ptr looks up. */
struct rs_ptr {
	enum fam	 fam;
	u128		 addr;
	const char	**names;
	size_t		 nnames, capnames;
	int		 st[RESOLVE_MAX_SERVERS];
};

struct rs_query {
	struct rs_ctx		*ctx;
	struct rs_server	*srv;
	struct rs_host		*host;		/* A or AAAA */
	struct rs_ptr		*ptr;		/* or PTR */
	const char		*qname;
	int			 type;		/* ns_t_a, ns_t_aaaa, ns_t_ptr */
	int			*status;
};

struct rs_ctx {
	struct arena		*arena;
	const struct resolve_opts *opts;
	struct rs_server	 srv[RESOLVE_MAX_SERVERS];
	size_t			 nsrv;
	struct rs_host		*hosts;
	size_t			 nhosts;
	struct rs_ptr		*ptrs;
	size_t			 nptrs, capptrs;
	size_t			 inflight, limit, done, total;
	const char		*doing;		/* progress: "resolved" */
	bool			 pumping, tty;
	struct timespec		 last_progress;
};

/* What resolve_run and resolve_check share: the lock read and the lock
 * the answers make. */
struct rs_result {
	const struct lock	*old;
	struct lock		*lk;
	size_t			 nfailed;
	bool			 strict_failed;
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

static const char *const rs_type[FAM_N] = { "A", "AAAA" };
static const char *const rs_fam[FAM_N] = { "IPv4", "IPv6" };

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

/* An answer, even one without records of the type asked (NODATA). */
static bool
rs_ok(int status)
{
	return status == ARES_SUCCESS || status == ARES_ENODATA;
}

static bool
rs_asked(const struct resolve_opts *o, enum fam f)
{
	return o->family == 0 || o->family == (f == FAM_V4 ? 4u : 6u);
}

static void
rs_progress(struct rs_ctx *c, bool last)
{
	struct timespec now;

	if (!c->tty || c->total == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && (now.tv_sec - c->last_progress.tv_sec) * 1000 +
	    (now.tv_nsec - c->last_progress.tv_nsec) / 1000000 < 50)
		return;
	c->last_progress = now;
	fprintf(stderr, "\r%s %zu/%zu%s", c->doing, c->done, c->total,
	    last ? "\n" : "");
}

static void
rs_add(struct rs_ctx *c, struct rs_host *h, enum fam fam, u128 addr,
    unsigned by)
{
	for (size_t i = 0; i < h->naddrs; i++)
		if (h->addrs[i].fam == fam && h->addrs[i].addr == addr) {
			h->addrs[i].by |= by;
			return;
		}
	ARENA_PUSH(c->arena, h->addrs, h->naddrs, h->capaddrs);
	h->addrs[h->naddrs - 1] = (struct rs_addr){ fam, addr, by, false };
}

static void
rs_ttl(struct rs_host *h, int ttl)
{
	unsigned t = ttl < 0 ? 0 : (unsigned)ttl;

	if (!h->have_ttl || t < h->ttl)
		h->ttl = t;
	h->have_ttl = true;
}

/* Records in the answer section: room enough for every address in it. */
static int
rs_ancount(const unsigned char *abuf, int alen)
{
	return alen < 12 ? 1 : (abuf[6] << 8 | abuf[7]) + 1;
}

/* Every address of a successful answer, however many (one DNS message
 * holds a few thousand at most); c-ares has followed any CNAMEs. */
static int
rs_parse_addrs(struct rs_query *q, unsigned char *abuf, int alen)
{
	struct rs_ctx *c = q->ctx;
	struct rs_host *h = q->host;
	unsigned bit = 1u << (q->srv - c->srv);
	int st, n = rs_ancount(abuf, alen);

	if (q->type == ns_t_a) {
		struct ares_addrttl *t = xmalloc((size_t)n * sizeof(*t));

		st = ares_parse_a_reply(abuf, alen, NULL, t, &n);
		for (int i = 0; st == ARES_SUCCESS && i < n; i++) {
			rs_add(c, h, FAM_V4, ntohl(t[i].ipaddr.s_addr), bit);
			rs_ttl(h, t[i].ttl);
		}
		free(t);
	} else {
		struct ares_addr6ttl *t = xmalloc((size_t)n * sizeof(*t));

		st = ares_parse_aaaa_reply(abuf, alen, NULL, t, &n);
		for (int i = 0; st == ARES_SUCCESS && i < n; i++) {
			u128 v = 0;

			for (int b = 0; b < 16; b++)
				v = v << 8 | t[i].ip6addr._S6_un._S6_u8[b];
			rs_add(c, h, FAM_V6, v, bit);
			rs_ttl(h, t[i].ttl);
		}
		free(t);
	}
	return st;
}

/* The PTR names of an answer: c-ares puts every one among the aliases. */
static int
rs_parse_ptr(struct rs_query *q, unsigned char *abuf, int alen)
{
	struct rs_ptr *p = q->ptr;
	unsigned char bytes[16];
	struct hostent *he = NULL;
	int st, len = p->fam == FAM_V4 ? 4 : 16;

	for (int b = 0; b < len; b++)
		bytes[b] = (unsigned char)(p->addr >> (8 * (len - 1 - b)));
	st = ares_parse_ptr_reply(abuf, alen, bytes, len, p->fam == FAM_V4 ?
	    AF_INET : AF_INET6, &he);
	if (st != ARES_SUCCESS)
		return st;
	ARENA_PUSH(q->ctx->arena, p->names, p->nnames, p->capnames);
	p->names[p->nnames - 1] = arena_strdup(q->ctx->arena, he->h_name);
	for (char **al = he->h_aliases; al != NULL && *al != NULL; al++) {
		ARENA_PUSH(q->ctx->arena, p->names, p->nnames, p->capnames);
		p->names[p->nnames - 1] = arena_strdup(q->ctx->arena, *al);
	}
	ares_free_hostent(he);
	return st;
}

static void rs_pump(struct rs_ctx *);

static void
rs_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct rs_query *q = arg;
	struct rs_ctx *c = q->ctx;

	if (status == ARES_EDESTRUCTION)
		return;
	if (status == ARES_SUCCESS)
		status = q->host != NULL ? rs_parse_addrs(q, abuf, alen) :
		    rs_parse_ptr(q, abuf, alen);
	*q->status = status;
	q->srv->inflight--;
	c->inflight--;
	if (q->host == NULL || --q->host->pending == 0) {
		c->done++;
		rs_progress(c, false);
	}
	rs_pump(c);
}

/* Start queries until each server's limit; safe to call re-entrantly
 * (c-ares may answer from within ares_query). */
static void
rs_pump(struct rs_ctx *c)
{
	if (c->pumping)
		return;
	c->pumping = true;
	for (size_t s = 0; s < c->nsrv; s++) {
		struct rs_server *sv = &c->srv[s];

		while (sv->inflight < c->limit && sv->next < sv->nq) {
			struct rs_query *q = &sv->q[sv->next++];

			sv->inflight++;
			c->inflight++;
			ares_query(sv->chan, q->qname, ns_c_in, q->type,
			    rs_answer, q);
		}
	}
	c->pumping = false;
}

/* The sockets of every channel, and which channel each belongs to. */
static int
rs_fds(struct rs_ctx *c, struct pollfd *pfd, size_t *owner)
{
	int n = 0;

	for (size_t s = 0; s < c->nsrv; s++) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		unsigned bits;

		/* Not ARES_GETSOCK_WRITABLE(): it shifts a signed 1 into the
		 * sign bit for the last socket. */
		bits = (unsigned)ares_getsock(c->srv[s].chan, socks,
		    ARES_GETSOCK_MAXNUM);
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;

			if (bits & 1u << i)
				ev |= POLLIN;
			if (bits & 1u << (i + ARES_GETSOCK_MAXNUM))
				ev |= POLLOUT;
			if (ev == 0)
				continue;
			owner[n] = s;
			pfd[n++] = (struct pollfd){ socks[i], ev, 0 };
		}
	}
	return n;
}

/* The soonest time-out of any channel, in ms for poll(). */
static int
rs_wait(struct rs_ctx *c)
{
	int ms = 1000;

	for (size_t s = 0; s < c->nsrv; s++) {
		struct timeval tv, *tvp = ares_timeout(c->srv[s].chan, NULL,
		    &tv);
		int m;

		if (tvp == NULL)
			continue;
		m = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		if (m < ms)
			ms = m;
	}
	return ms;
}

static void
rs_loop(struct rs_ctx *c)
{
	struct pollfd pfd[ARES_GETSOCK_MAXNUM * RESOLVE_MAX_SERVERS];
	size_t owner[ARES_GETSOCK_MAXNUM * RESOLVE_MAX_SERVERS];

	rs_pump(c);
	while (c->inflight > 0) {
		int n = rs_fds(c, pfd, owner), r;

		r = poll(pfd, (nfds_t)n, rs_wait(c));
		if (r < 0 && errno != EINTR)
			break;
		for (size_t s = 0; s < c->nsrv; s++) {
			bool any = false;

			for (int i = 0; r > 0 && i < n; i++) {
				if (owner[i] != s || pfd[i].revents == 0)
					continue;
				any = true;
				ares_process_fd(c->srv[s].chan,
				    pfd[i].revents & (POLLIN | POLLERR |
				    POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
				    pfd[i].revents & POLLOUT ? pfd[i].fd :
				    ARES_SOCKET_BAD);
			}
			if (!any)	/* its time-outs */
				ares_process_fd(c->srv[s].chan,
				    ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		}
	}
	rs_progress(c, true);
}

/* The servers of opts, each once, in the order given. */
static int
rs_servers(struct rs_ctx *c)
{
	const struct resolve_opts *o = c->opts;

	for (size_t i = 0; i < o->nservers; i++) {
		struct rs_server *sv = &c->srv[c->nsrv];
		enum fam fam;
		u128 addr;
		unsigned port;
		size_t j;

		if (c->nsrv == RESOLVE_MAX_SERVERS) {
			diag_error(NULL, "at most %d DNS servers",
			    RESOLVE_MAX_SERVERS);
			return -1;
		}
		if (lock_server_parse(o->servers[i], &fam, &addr, &port) < 0) {
			diag_error(NULL, "bad DNS server '%s': want ADDR, "
			    "ADDR:PORT or [IPV6]:PORT", o->servers[i]);
			return -1;
		}
		sv->text = lock_server_text(c->arena, fam, addr, port);
		for (j = 0; j < c->nsrv; j++)
			if (strcmp(c->srv[j].text, sv->text) == 0)
				break;
		if (j < c->nsrv)
			continue;	/* given twice */
		memset(&sv->node, 0, sizeof(sv->node));
		if (fam == FAM_V4) {
			sv->node.family = AF_INET;
			sv->node.addr.addr4.s_addr = htonl((uint32_t)addr);
		} else {
			sv->node.family = AF_INET6;
			for (int b = 0; b < 16; b++)
				sv->node.addr.addr6._S6_un._S6_u8[b] =
				    (unsigned char)(addr >> (8 * (15 - b)));
		}
		sv->node.udp_port = sv->node.tcp_port = (int)port;
		c->nsrv++;
	}
	if (c->nsrv == 0)
		c->nsrv = 1;	/* the system resolver, text NULL */
	return 0;
}

static int
rs_channels(struct rs_ctx *c)
{
	const struct resolve_opts *o = c->opts;
	struct ares_options ao;
	int st;

	memset(&ao, 0, sizeof(ao));
	ao.timeout = (int)o->timeout_ms;
	ao.tries = (int)o->tries;
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	for (size_t s = 0; s < c->nsrv; s++) {
		struct rs_server *sv = &c->srv[s];

		st = ares_init_options(&sv->chan, &ao, ARES_OPT_TIMEOUTMS |
		    ARES_OPT_TRIES | ARES_OPT_FLAGS);
		if (st != ARES_SUCCESS) {
			diag_fail(NULL, "cannot start the DNS resolver: %s",
			    ares_strerror(st));
			return -1;
		}
		sv->open = true;
		if (sv->text != NULL && (st = ares_set_servers_ports(sv->chan,
		    &sv->node)) != ARES_SUCCESS) {
			diag_fail(NULL, "cannot use the DNS server %s: %s",
			    sv->text, ares_strerror(st));
			return -1;
		}
	}
	return 0;
}

static void
rs_close(struct rs_ctx *c)
{
	for (size_t s = 0; s < c->nsrv; s++)
		if (c->srv[s].open) {
			ares_destroy(c->srv[s].chan);
			c->srv[s].open = false;
		}
}

/* The server's name in a message: " to 10.0.0.53", or "" for the system
 * resolver. */
static const char *
rs_to(struct rs_ctx *c, const struct rs_server *sv)
{
	return sv->text == NULL ? "" : arena_printf(c->arena, " to %s",
	    sv->text);
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

/* The distinct non-wildcard names of ir, sorted, each with its rules in
 * policy order and its first rule without allow-private. */
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
			for (size_t s = 0; s < RESOLVE_MAX_SERVERS; s++)
				h->st[s][FAM_V4] = h->st[s][FAM_V6] =
				    RS_PENDING;
		}
		h = &c->hosts[c->nhosts - 1];
		if (h->nrules == 0 || h->rules[h->nrules - 1] != refs[i].rule) {
			ARENA_PUSH(c->arena, h->rules, h->nrules, h->caprules);
			h->rules[h->nrules - 1] = refs[i].rule;
		}
		if (h->strict == NULL && !refs[i].rule->allow_private) {
			h->strict = refs[i].rule;
			h->strict_at = refs[i].at;
		}
	}
}

/* Each server's queue: every host, A then AAAA, as --family asks. */
static void
rs_queue_hosts(struct rs_ctx *c)
{
	size_t per = 2 * c->nhosts;

	for (size_t s = 0; s < c->nsrv; s++) {
		struct rs_server *sv = &c->srv[s];

		sv->q = arena_alloc(c->arena, (per + 1) * sizeof(sv->q[0]));
		sv->nq = sv->next = 0;
		for (size_t i = 0; i < c->nhosts; i++) {
			struct rs_host *h = &c->hosts[i];

			for (enum fam f = FAM_V4; f < FAM_N; f++) {
				if (!rs_asked(c->opts, f))
					continue;
				if (s == 0)
					h->pending++;
				sv->q[sv->nq++] = (struct rs_query){ c, sv, h,
				    NULL, h->name, f == FAM_V4 ? ns_t_a :
				    ns_t_aaaa, &h->st[s][f] };
			}
		}
	}
	/* A host is done when every server has answered it. */
	for (size_t i = 0; i < c->nhosts; i++)
		c->hosts[i].pending *= (int)c->nsrv;
	c->done = 0;
	c->total = c->nhosts;
	c->doing = "resolved";
}

static int
rs_addr_cmp(const void *a, const void *b)
{
	const struct rs_addr *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The first failure of the host's queries, server by server, A first. */
static int
rs_first_failure(const struct rs_ctx *c, const struct rs_host *h)
{
	for (size_t s = 0; s < c->nsrv; s++)
		for (enum fam f = FAM_V4; f < FAM_N; f++)
			if (rs_asked(c->opts, f) && !rs_ok(h->st[s][f]))
				return h->st[s][f];
	return ARES_SUCCESS;
}

/* Did the server fail every query it was asked, while others answered? */
static bool
rs_dead(const struct rs_ctx *c, size_t s)
{
	bool others = false;

	for (size_t i = 0; i < c->nhosts; i++)
		for (enum fam f = FAM_V4; f < FAM_N; f++) {
			if (!rs_asked(c->opts, f))
				continue;
			if (rs_ok(c->hosts[i].st[s][f]))
				return false;
			for (size_t t = 0; t < c->nsrv; t++)
				others = others || rs_ok(c->hosts[i].st[t][f]);
		}
	return others;
}

/* One warning for a server that answered nothing at all, rather than one
 * per host; dead[s] says which. */
static void
rs_warn_dead(struct rs_ctx *c, bool *dead)
{
	for (size_t s = 0; s < c->nsrv; s++) {
		const struct rs_host *h = NULL;
		size_t n = 0;

		if (!(dead[s] = c->nsrv > 1 && rs_dead(c, s)))
			continue;
		for (size_t i = 0; i < c->nhosts; i++)
			for (enum fam f = FAM_V4; f < FAM_N; f++)
				if (rs_asked(c->opts, f)) {
					n++;
					if (h == NULL)
						h = &c->hosts[i];
				}
		diag_warning(NULL, "DNS server %s answered none of its %zu "
		    "queries (host '%s': %s); the other servers' answers are "
		    "used", c->srv[s].text, n, h->name,
		    rs_why(h->st[s][rs_asked(c->opts, FAM_V4) ? FAM_V4 :
		    FAM_V6], c->opts, c->arena));
	}
}

/* A failed query of a host others answered: which type, which server;
 * and, when no server answered that type, that the lock's old addresses
 * of the family stay. */
static void
rs_warn_partial(struct rs_ctx *c, const struct rs_host *h,
    const struct lock_host *old, const bool *dead)
{
	for (size_t s = 0; s < c->nsrv; s++) {
		const int *st = h->st[s];
		bool fail4 = rs_asked(c->opts, FAM_V4) && !rs_ok(st[FAM_V4]);
		bool fail6 = rs_asked(c->opts, FAM_V6) && !rs_ok(st[FAM_V6]);
		const char *to = rs_to(c, &c->srv[s]);

		if (dead[s])
			continue;
		if (fail4 && fail6 && st[FAM_V4] == st[FAM_V6]) {
			diag_warning(&h->at->loc, "host '%s' (rule '%s'): A and "
			    "AAAA queries%s failed: %s", h->name, h->rule->name,
			    to, rs_why(st[FAM_V4], c->opts, c->arena));
			continue;
		}
		for (enum fam f = FAM_V4; f < FAM_N; f++) {
			size_t kept = 0;

			if (!(f == FAM_V4 ? fail4 : fail6))
				continue;
			for (size_t i = 0; !h->answered[f] && old != NULL &&
			    i < old->naddrs; i++)
				kept += old->addrs[i].fam == f;
			diag_warning(&h->at->loc, "host '%s' (rule '%s'): %s "
			    "query%s failed: %s%s", h->name, h->rule->name,
			    rs_type[f], to, rs_why(st[f], c->opts, c->arena),
			    kept == 0 ? "" : arena_printf(c->arena, "; its %zu "
			    "%s address%s in the lock %s kept", kept, rs_fam[f],
			    kept == 1 ? "" : "es", kept == 1 ? "is" : "are"));
		}
	}
}

/* Old addresses of the families no server answered (or none was asked
 * for): they are kept. */
static size_t
rs_kept(const struct rs_host *h, const struct lock_host *old)
{
	size_t n = 0;

	for (size_t i = 0; old != NULL && i < old->naddrs; i++)
		n += !h->answered[old->addrs[i].fam];
	return n;
}

/* Report a failed host; true when it failed.  Servers rotate the order of
 * their answers: sort, so that the messages come in a stable order. */
static bool
rs_check(struct rs_ctx *c, struct rs_host *h, const struct lock_host *old,
    const bool *dead)
{
	bool failed = false, any = false;
	int first = rs_first_failure(c, h);

	if (h->naddrs > 1)
		qsort(h->addrs, h->naddrs, sizeof(h->addrs[0]), rs_addr_cmp);
	for (enum fam f = FAM_V4; f < FAM_N; f++) {
		h->answered[f] = false;
		for (size_t s = 0; rs_asked(c->opts, f) && s < c->nsrv; s++)
			h->answered[f] = h->answered[f] || rs_ok(h->st[s][f]);
		any = any || h->answered[f];
	}
	if (!any || (h->naddrs == 0 && rs_kept(h, old) == 0 &&
	    first != ARES_SUCCESS)) {
		diag_fail(&h->at->loc, "host '%s' (rule '%s'): %s", h->name,
		    h->rule->name, rs_why(first, c->opts, c->arena));
		return true;
	}
	rs_warn_partial(c, h, old, dead);
	if (h->naddrs == 0 && rs_kept(h, old) == 0) {
		diag_fail(&h->at->loc, "host '%s' (rule '%s'): no %s record",
		    h->name, h->rule->name, c->opts->family == 4 ? "A" :
		    c->opts->family == 6 ? "AAAA" : "A or AAAA");
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

/* An old address into the new entry, with all that is known of it. */
static void
rs_copy_addr(struct arena *a, struct lock_host *nh, const struct lock_addr *oa)
{
	struct lock_addr *la;

	lock_add_addr(a, nh, oa->fam, oa->addr, oa->first_seen,
	    oa->last_seen);
	la = lock_host_addr(nh, oa->fam, oa->addr);
	la->by = oa->by;
	la->nby = oa->nby;
	la->ptr = oa->ptr;
	la->nptr = oa->nptr;
}

static void
rs_copy_host(struct arena *a, struct lock *lk, const struct lock_host *old)
{
	struct lock_host *nh = lock_add_host(a, lk, old->name);

	nh->ttl = old->ttl;
	for (size_t i = 0; i < old->naddrs; i++)
		rs_copy_addr(a, nh, &old->addrs[i]);
}

/* An address of this answer: its stamps, its servers, its old PTR names. */
static void
rs_merge_addr(struct rs_ctx *c, struct lock_host *nh, const struct rs_addr *ra,
    const struct lock_addr *oa, const char *now)
{
	const char *first = now, *last = now, *by[RESOLVE_MAX_SERVERS];
	struct lock_addr *la;
	size_t nby = 0;

	if (oa != NULL && oa->first_seen != NULL)
		first = oa->first_seen;
	if (oa != NULL && oa->last_seen != NULL && !c->opts->stamp)
		last = oa->last_seen;
	lock_add_addr(c->arena, nh, ra->fam, ra->addr, first, last);
	la = lock_host_addr(nh, ra->fam, ra->addr);
	for (size_t s = 0; s < c->nsrv; s++)
		if (ra->by & 1u << s && c->srv[s].text != NULL)
			by[nby++] = c->srv[s].text;
	lock_addr_set_by(c->arena, la, by, nby);
	if (oa != NULL) {
		la->ptr = oa->ptr;
		la->nptr = oa->nptr;
	}
}

/* The host's new lock entry from this answer and its old entry. */
static void
rs_merge(struct rs_ctx *c, struct lock *lk, const struct rs_host *h,
    const struct lock_host *old, const char *now, long long tnow)
{
	struct lock_host *nh = lock_add_host(c->arena, lk, h->name);
	bool changed;

	for (size_t i = 0; i < h->naddrs; i++)
		if (!h->addrs[i].refused)
			rs_merge_addr(c, nh, &h->addrs[i], lock_host_addr(old,
			    h->addrs[i].fam, h->addrs[i].addr), now);
	for (size_t i = 0; old != NULL && i < old->naddrs; i++) {
		const struct lock_addr *oa = &old->addrs[i];
		long long t;

		/* No answer for its family: nothing says it went. */
		if (!h->answered[oa->fam]) {
			rs_copy_addr(c->arena, nh, oa);
			continue;
		}
		/* CDNs rotate: an address the answer dropped may still be in
		 * use. */
		if (c->opts->keep_days == 0 || oa->last_seen == NULL ||
		    clock_parse_rfc3339(oa->last_seen, &t) < 0 ||
		    tnow - t > (long long)c->opts->keep_days * 86400 ||
		    lock_host_addr(nh, oa->fam, oa->addr) != NULL)
			continue;
		rs_copy_addr(c->arena, nh, oa);
	}
	/* A cache counts TTLs down: keep the old one unless the addresses
	 * changed, so that a refresh finding nothing new changes nothing. */
	changed = old == NULL || old->naddrs != nh->naddrs;
	for (size_t i = 0; !changed && i < nh->naddrs; i++)
		changed = lock_host_addr(old, nh->addrs[i].fam,
		    nh->addrs[i].addr) == NULL;
	nh->ttl = changed ? h->ttl : old->ttl;
}

/* The reverse name of an address: 4.3.2.1.in-addr.arpa, or the nibbles
 * of ip6.arpa. */
static const char *
rs_reverse(struct arena *a, enum fam fam, u128 addr)
{
	struct out o;
	const char *s;

	out_init(&o);
	if (fam == FAM_V4)
		for (int i = 0; i < 4; i++)
			out_printf(&o, "%u.", (unsigned)(addr >> (8 * i)) & 255);
	else
		for (int i = 0; i < 32; i++)
			out_printf(&o, "%x.", (unsigned)(addr >> (4 * i)) & 15);
	out_puts(&o, fam == FAM_V4 ? "in-addr.arpa" : "ip6.arpa");
	s = arena_strdup(a, out_str(&o));
	out_free(&o);
	return s;
}

static int
rs_ptr_cmp(const void *a, const void *b)
{
	const struct rs_ptr *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static struct rs_ptr *
rs_ptr_find(struct rs_ctx *c, enum fam fam, u128 addr)
{
	struct rs_ptr key = { .fam = fam, .addr = addr };

	return c->nptrs == 0 ? NULL : bsearch(&key, c->ptrs, c->nptrs,
	    sizeof(key), rs_ptr_cmp);
}

/* Each distinct address of the new lock, once, queued for PTR. */
static void
rs_queue_ptrs(struct rs_ctx *c, const struct lock *lk)
{
	size_t m = 0;

	for (size_t i = 0; i < lk->nhosts; i++)
		for (size_t j = 0; j < lk->hosts[i].naddrs; j++) {
			const struct lock_addr *la = &lk->hosts[i].addrs[j];

			ARENA_PUSH(c->arena, c->ptrs, c->nptrs, c->capptrs);
			memset(&c->ptrs[c->nptrs - 1], 0, sizeof(c->ptrs[0]));
			c->ptrs[c->nptrs - 1].fam = la->fam;
			c->ptrs[c->nptrs - 1].addr = la->addr;
		}
	if (c->nptrs > 1)
		qsort(c->ptrs, c->nptrs, sizeof(c->ptrs[0]), rs_ptr_cmp);
	for (size_t i = 0; i < c->nptrs; i++)
		if (m == 0 || rs_ptr_cmp(&c->ptrs[m - 1], &c->ptrs[i]) != 0)
			c->ptrs[m++] = c->ptrs[i];
	c->nptrs = m;
	for (size_t s = 0; s < c->nsrv; s++) {
		struct rs_server *sv = &c->srv[s];

		sv->q = arena_alloc(c->arena, (m + 1) * sizeof(sv->q[0]));
		sv->nq = sv->next = 0;
		for (size_t i = 0; i < m; i++) {
			struct rs_ptr *p = &c->ptrs[i];

			p->st[s] = RS_PENDING;
			sv->q[sv->nq++] = (struct rs_query){ c, sv, NULL, p,
			    rs_reverse(c->arena, p->fam, p->addr), ns_t_ptr,
			    &p->st[s] };
		}
	}
	c->done = 0;
	c->total = m * c->nsrv;
	c->doing = "looked up PTR";
}

/* PTR lookups that failed (no such name is an answer: no PTR), one
 * warning per server. */
static void
rs_warn_ptrs(struct rs_ctx *c)
{
	for (size_t s = 0; s < c->nsrv; s++) {
		const struct rs_ptr *first = NULL;
		size_t n = 0;
		char buf[ADDR_STRLEN];

		for (size_t i = 0; i < c->nptrs; i++) {
			int st = c->ptrs[i].st[s];

			if (rs_ok(st) || st == ARES_ENOTFOUND)
				continue;
			if (n++ == 0)
				first = &c->ptrs[i];
		}
		if (n == 0)
			continue;
		diag_warning(NULL, "PTR lookups of %zu of %zu addresses%s "
		    "failed (%s: %s); an address no server answered keeps the "
		    "ptr: it had", n, c->nptrs, rs_to(c, &c->srv[s]),
		    addr_format(buf, first->fam, first->addr,
		    fam_bits(first->fam)), rs_why(first->st[s], c->opts,
		    c->arena));
	}
}

/* --ptr: every address of the new lock gets the PTR names the servers
 * gave for it; one no server answered keeps its old ones. */
static void
rs_ptr_phase(struct rs_ctx *c, struct lock *lk)
{
	rs_queue_ptrs(c, lk);
	rs_loop(c);
	rs_warn_ptrs(c);
	for (size_t i = 0; i < lk->nhosts; i++)
		for (size_t j = 0; j < lk->hosts[i].naddrs; j++) {
			struct lock_addr *la = &lk->hosts[i].addrs[j];
			const struct rs_ptr *p = rs_ptr_find(c, la->fam,
			    la->addr);
			bool answered = false;

			for (size_t s = 0; p != NULL && s < c->nsrv; s++)
				answered = answered || rs_ok(p->st[s]) ||
				    p->st[s] == ARES_ENOTFOUND;
			if (answered)
				lock_addr_set_ptr(c->arena, la, p->names,
				    p->nnames);
		}
}

/* Hosts of rules that decide otherwise at one address: warnings, or
 * errors with strict; true when one was an error. */
static bool
rs_audit(struct rs_ctx *c, const struct ir *ir, const struct lock *lk)
{
	struct shared sh = { NULL, 0, 0 };

	shared_audit(c->arena, ir, lk, &sh);
	for (size_t i = 0; i < sh.n; i++) {
		struct diag *d = diag_new(c->opts->strict ? DIAG_ERROR :
		    DIAG_WARNING, &sh.v[i].name->loc, "%s", sh.v[i].msg);

		diag_also(d, &sh.v[i].first_name->loc, "%s", sh.v[i].note);
		diag_emit(d);
	}
	return c->opts->strict && sh.n > 0;
}

/* Did any host's addresses change between the two locks? */
static bool
rs_changed(const struct lock *old, const struct lock *lk)
{
	if (old->nhosts != lk->nhosts)
		return true;
	for (size_t i = 0; i < lk->nhosts; i++) {
		const struct lock_host *n = &lk->hosts[i];
		const struct lock_host *o = lock_find(old, n->name);

		if (o == NULL || o->naddrs != n->naddrs)
			return true;
		for (size_t j = 0; j < n->naddrs; j++)
			if (lock_host_addr(o, n->addrs[j].fam,
			    n->addrs[j].addr) == NULL)
				return true;
	}
	return false;
}

/* made: now, unless this lock is not a whole refresh (hosts failed and
 * kept their old entries) or --no-stamp found nothing new. */
static void
rs_made(struct rs_result *res, const struct resolve_opts *o,
    const char *now)
{
	const char *old = res->old->example ? NULL : res->old->made;

	if (res->nfailed > 0)
		res->lk->made = old;
	else if (!o->stamp && old != NULL && !rs_changed(res->old, res->lk))
		res->lk->made = old;
	else
		res->lk->made = now;
}

static void
rs_defaults(struct resolve_opts *o)
{
	if (o->timeout_ms == 0)
		o->timeout_ms = RS_TIMEOUT_MS;
	if (o->tries == 0)
		o->tries = RS_TRIES;
	if (o->concurrency == 0)
		o->concurrency = RS_CONCURRENCY;
}

/* The lookups and the new lock, in c->arena; 0, or -1 when nothing could
 * be looked up (bad options, a malformed old lock, no resolver). */
static int
rs_build(struct rs_ctx *c, struct ir *ir, struct rs_result *res)
{
	const struct resolve_opts *o = c->opts;
	bool dead[RESOLVE_MAX_SERVERS];
	char stamp[CLOCK_TEXT_SIZE];
	const char *now;
	long long tnow;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	c->limit = o->concurrency < RESOLVE_MAX_INFLIGHT ? o->concurrency :
	    RESOLVE_MAX_INFLIGHT;
	c->tty = o->progress && isatty(STDERR_FILENO);
	if (rs_servers(c) < 0 || clock_now(&tnow) < 0)
		return -1;
	now = arena_strdup(c->arena, clock_format(tnow, stamp));
	if ((res->old = lock_load(c->arena, o->lockpath)) == NULL)
		return -1;
	rs_collect(c, ir);
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		diag_fail(NULL, "cannot initialise c-ares");
		return -1;
	}
	if (rs_channels(c) < 0)
		rc = -1;
	if (rc == 0) {
		rs_queue_hosts(c);
		rs_loop(c);
		rs_warn_dead(c, dead);
		res->lk = lock_new(c->arena, o->lockpath);
		for (size_t i = 0; i < c->nhosts; i++) {
			struct rs_host *h = &c->hosts[i];
			const struct lock_host *oh = res->old->example ? NULL :
			    lock_find(res->old, h->name);
			bool failed = rs_check(c, h, oh, dead), usable = false;

			res->nfailed += failed;
			for (size_t j = 0; j < h->naddrs; j++)
				usable = usable || !h->addrs[j].refused;
			/* Usable answers, or old addresses of a family no
			 * server answered and an answer for the other. */
			if (usable || (!failed && rs_kept(h, oh) > 0))
				rs_merge(c, res->lk, h, oh, now, tnow);
			else if (oh != NULL)
				rs_copy_host(c->arena, res->lk, oh);
		}
		if (o->ptr)
			rs_ptr_phase(c, res->lk);
		rs_made(res, o, now);
		res->strict_failed = rs_audit(c, ir, res->lk);
	}
	rs_close(c);
	ares_library_cleanup();
	return rc;
}

int
resolve_run(struct ir *ir, const struct resolve_opts *opts)
{
	struct resolve_opts o = *opts;
	struct rs_ctx c;
	struct rs_result res;

	rs_defaults(&o);
	memset(&c, 0, sizeof(c));
	c.arena = ir->arena;
	c.opts = &o;
	if (rs_build(&c, ir, &res) < 0)
		return -1;
	if (res.strict_failed) {
		diag_note(NULL, "--strict: %s left as it was", o.lockpath);
		return -1;
	}
	if (res.nfailed > 0 && !o.keep_going) {
		diag_note(NULL, "%zu of %zu hosts failed; %s left as it was "
		    "(--keep-going writes what resolved)", res.nfailed,
		    c.nhosts, o.lockpath);
		return -1;
	}
	if (lock_write(res.lk, o.lockpath) < 0)
		return -1;
	if (res.nfailed > 0) {
		diag_note(NULL, "%zu of %zu hosts failed; wrote %s with the "
		    "rest (and their old entries)", res.nfailed, c.nhosts,
		    o.lockpath);
		return -1;
	}
	return 0;
}

int
resolve_answers(struct ir *ir, const struct resolve_opts *opts,
    struct resolve_answer **out, size_t *n)
{
	struct resolve_opts o = *opts;
	struct resolve_answer *v;
	bool dead[RESOLVE_MAX_SERVERS];
	struct rs_ctx c;
	size_t nfailed = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	rs_defaults(&o);
	memset(&c, 0, sizeof(c));
	c.arena = ir->arena;
	c.opts = &o;
	c.limit = o.concurrency < RESOLVE_MAX_INFLIGHT ? o.concurrency :
	    RESOLVE_MAX_INFLIGHT;
	c.tty = o.progress && isatty(STDERR_FILENO);
	if (rs_servers(&c) < 0)
		return -1;
	rs_collect(&c, ir);
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		diag_fail(NULL, "cannot initialise c-ares");
		return -1;
	}
	if (rs_channels(&c) < 0)
		rc = -1;
	if (rc == 0) {
		rs_queue_hosts(&c);
		rs_loop(&c);
		rs_warn_dead(&c, dead);
		v = arena_alloc(c.arena, (c.nhosts + 1) * sizeof(*v));
		for (size_t i = 0; i < c.nhosts; i++) {
			struct rs_host *h = &c.hosts[i];
			struct resolve_answer *a = &v[i];

			memset(a, 0, sizeof(*a));
			a->host = h->name;
			a->failed = rs_check(&c, h, NULL, dead);
			a->ttl = h->ttl;
			nfailed += a->failed;
			a->addrs = arena_alloc(c.arena, (h->naddrs + 1) *
			    sizeof(*a->addrs));
			for (size_t j = 0; j < h->naddrs; j++)
				if (!h->addrs[j].refused)
					a->addrs[a->naddrs++] = (struct
					    resolve_addr){ h->addrs[j].fam,
					    h->addrs[j].addr };
		}
		*out = v;
		*n = c.nhosts;
	}
	rs_close(&c);
	ares_library_cleanup();
	return rc < 0 || nfailed > 0 ? -1 : 0;
}

/* One line of the difference. */
struct rs_delta {
	char			 sign;		/* '+', '-' */
	const struct lock_addr	*addr;
	const char		*host;
	const struct rs_host	*rh;		/* NULL: no rule names it */
};

static void
rs_delta_text(struct out *o, const struct rs_delta *d)
{
	char buf[ADDR_STRLEN];

	out_printf(o, "%c %s  ", d->sign, addr_format(buf, d->addr->fam,
	    d->addr->addr, fam_bits(d->addr->fam)));
	for (size_t i = 0; d->rh != NULL && i < d->rh->nrules; i++)
		out_printf(o, "%s%s", i ? "," : "", d->rh->rules[i]->name);
	if (d->rh == NULL)
		out_puts(o, "(no rule)");
	out_printf(o, "  %s\n", d->host);
}

static void
rs_delta_json(struct out *o, const struct rs_delta *v, size_t n, char sign)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char buf[ADDR_STRLEN];

		if (v[i].sign != sign)
			continue;
		out_puts(o, k++ ? ",\n  {\"address\": " : "\n  {\"address\": ");
		out_json_str(o, addr_format(buf, v[i].addr->fam,
		    v[i].addr->addr, fam_bits(v[i].addr->fam)));
		out_puts(o, ", \"host\": ");
		out_json_str(o, v[i].host);
		out_puts(o, ", \"rules\": [");
		for (size_t r = 0; v[i].rh != NULL && r < v[i].rh->nrules;
		    r++) {
			if (r > 0)
				out_puts(o, ", ");
			out_json_str(o, v[i].rh->rules[r]->name);
		}
		out_puts(o, "]}");
	}
	out_puts(o, k ? "\n]" : "]");
}

static const struct rs_host *
rs_host_find(const struct rs_ctx *c, const char *name)
{
	size_t lo = 0, hi = c->nhosts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->hosts[mid].name, name);

		if (r == 0)
			return &c->hosts[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Addresses of host a missing from host b, as lines with sign. */
static void
rs_delta_host(struct rs_ctx *c, const struct lock_host *a,
    const struct lock_host *b, char sign, struct rs_delta **v, size_t *n,
    size_t *cap)
{
	for (size_t i = 0; i < a->naddrs; i++) {
		if (lock_host_addr(b, a->addrs[i].fam, a->addrs[i].addr) !=
		    NULL)
			continue;
		ARENA_PUSH(c->arena, *v, *n, *cap);
		(*v)[*n - 1] = (struct rs_delta){ sign, &a->addrs[i], a->name,
		    rs_host_find(c, a->name) };
	}
}

static int
rs_delta_cmp(const void *x, const void *y)
{
	const struct rs_delta *a = x, *b = y;
	int r = strcmp(a->host, b->host);

	if (r != 0)
		return r;
	if (a->addr->fam != b->addr->fam)
		return a->addr->fam < b->addr->fam ? -1 : 1;
	return a->addr->addr < b->addr->addr ? -1 :
	    a->addr->addr > b->addr->addr;
}

int
resolve_check(struct ir *ir, const struct resolve_opts *opts, struct out *out,
    bool *changed)
{
	struct resolve_opts o = *opts;
	struct rs_ctx c;
	struct rs_result res;
	struct rs_delta *v = NULL;
	size_t n = 0, cap = 0;

	*changed = false;
	rs_defaults(&o);
	memset(&c, 0, sizeof(c));
	c.arena = ir->arena;
	c.opts = &o;
	if (rs_build(&c, ir, &res) < 0)
		return -1;
	for (size_t i = 0; i < res.old->nhosts; i++) {
		const struct lock_host *oh = &res.old->hosts[i];

		rs_delta_host(&c, oh, lock_find(res.lk, oh->name), '-', &v,
		    &n, &cap);
	}
	for (size_t i = 0; i < res.lk->nhosts; i++) {
		const struct lock_host *nh = &res.lk->hosts[i];

		rs_delta_host(&c, nh, lock_find(res.old, nh->name), '+', &v,
		    &n, &cap);
	}
	if (n > 1)
		qsort(v, n, sizeof(v[0]), rs_delta_cmp);
	*changed = n > 0;
	if (o.json) {
		out_puts(out, "{\"added\": [");
		rs_delta_json(out, v, n, '+');
		out_puts(out, ", \"removed\": [");
		rs_delta_json(out, v, n, '-');
		out_puts(out, "}\n");
	} else
		for (size_t i = 0; i < n; i++)
			rs_delta_text(out, &v[i]);
	return res.nfailed > 0 || res.strict_failed ? -1 : 0;
}
