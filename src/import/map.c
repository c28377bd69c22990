/*
 * map.c - one Aerleon filter to one egressc policy, deciding as Aerleon's
 * output for the filter's targets decides.
 *
 * A term becomes a rule: destination-address to:, source-address from:,
 * protocol, destination-port and icmp-type ports:, the action, logging
 * log:, comments comment:.  What egressc cannot say is an error when the
 * imported rule would match other packets or decide them otherwise
 * (source-port, verbatim::, expiration:: ...), and a warning when only a
 * side effect is lost (counter::, qos:: ...): the table is keyrules[], and
 * egressc(1), section IMPORT, is the same table in words.
 *
 * Around the terms, what the filter's header says:
 *   - its last term, when it matches everything, is the policy's default;
 *     else the targets' own default (nftables and speedway DROP unless
 *     ACCEPT, the routers' implicit deny), which they must agree on;
 *   - an INPUT (ingress) filter's terms are inbound rules, and since an
 *     egressc policy with inbound rules owns both paths, a first rule lets
 *     every outbound packet through, as the filter did by filtering none;
 *   - an inet or inet6 filter leaves the other family alone: a first rule
 *     lets all of it through, before any rule can touch it.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "import/aerleon.h"
#include "util/strset.h"

enum how { H_TAKE, H_ERR, H_WARN };

struct keyrule {
	const char	*key;
	enum how	 how;
	const char	*why;
};

static const struct keyrule keyrules[] = {
	{ "action", H_TAKE, NULL },
	{ "address", H_ERR, "matches the source or the destination; an "
	    "egressc rule has one of each (write two terms)" },
	{ "address-exclude", H_ERR, "excludes from the source or the "
	    "destination; an egressc rule has one of each" },
	{ "comment", H_TAKE, NULL },
	{ "counter", H_WARN, "egressc has no counters; the rule counts "
	    "nothing" },
	{ "destination-address", H_TAKE, NULL },
	{ "destination-exclude", H_TAKE, NULL },
	{ "destination-interface", H_ERR, "egressc rules match no "
	    "interface" },
	{ "destination-port", H_TAKE, NULL },
	{ "destination-prefix", H_ERR, "egressc has no device prefix "
	    "lists" },
	{ "destination-prefix-except", H_ERR, "egressc has no device prefix "
	    "lists" },
	{ "destination-tag", H_ERR, "egressc has no instance tags" },
	{ "destination-zone", H_ERR, "egressc has no zones" },
	{ "dscp-except", H_ERR, "egressc does not match DSCP" },
	{ "dscp-match", H_ERR, "egressc does not match DSCP" },
	{ "dscp-set", H_WARN, "egressc marks no DSCP; the rule still "
	    "decides" },
	{ "encapsulate", H_ERR, "egressc encapsulates nothing" },
	{ "ether-type", H_ERR, "egressc matches IP packets only" },
	{ "expiration", H_ERR, "egressc rules do not expire: remove the term "
	    "if it has, else the keyword" },
	{ "filter-term", H_ERR, "egressc cannot use another filter's term" },
	{ "flexible-match-range", H_ERR, "egressc does not match packet "
	    "bytes" },
	{ "forwarding-class", H_ERR, "egressc does not match forwarding "
	    "classes" },
	{ "forwarding-class-except", H_ERR, "egressc does not match "
	    "forwarding classes" },
	{ "fragment-offset", H_ERR, "egressc does not match fragments" },
	{ "hop-limit", H_ERR, "egressc does not match the hop limit" },
	{ "icmp-code", H_ERR, "egressc matches ICMP types, not codes" },
	{ "icmp-type", H_TAKE, NULL },
	{ "log-limit", H_WARN, "egressc logs without a rate limit" },
	{ "log_name", H_WARN, "egressc's log lines take the rule's name" },
	{ "logging", H_TAKE, NULL },
	{ "loss-priority", H_WARN, "egressc sets no loss priority; the rule "
	    "still decides" },
	{ "next-ip", H_ERR, "egressc does not route" },
	{ "option", H_TAKE, NULL },
	{ "owner", H_TAKE, NULL },
	{ "packet-length", H_ERR, "egressc does not match packet lengths" },
	{ "pan-application", H_ERR, "egressc does not match applications" },
	{ "platform", H_TAKE, NULL },
	{ "platform-exclude", H_TAKE, NULL },
	{ "policer", H_ERR, "egressc polices no rate: the policer drops what "
	    "the rule would let through" },
	{ "port", H_ERR, "matches the source or the destination port; "
	    "egressc rules match destination ports" },
	{ "port-mirror", H_WARN, "egressc mirrors nothing; the rule still "
	    "decides" },
	{ "precedence", H_ERR, "egressc does not match IP precedence" },
	{ "priority", H_ERR, "egressc rules take their order from the list" },
	{ "protocol", H_TAKE, NULL },
	{ "protocol-except", H_ERR, "egressc matches tcp, udp, icmp, icmpv6 "
	    "or every protocol" },
	{ "qos", H_WARN, "egressc sets no QoS class; the rule still "
	    "decides" },
	{ "restrict-address-family", H_ERR, "egressc restricts a rule to a "
	    "family only by its addresses" },
	{ "routing-instance", H_ERR, "egressc does not route" },
	{ "source-address", H_TAKE, NULL },
	{ "source-exclude", H_TAKE, NULL },
	{ "source-interface", H_ERR, "egressc rules match no interface" },
	{ "source-port", H_ERR, "egressc rules match destination ports "
	    "only; without its source ports the rule would match more" },
	{ "source-prefix", H_ERR, "egressc has no device prefix lists" },
	{ "source-prefix-except", H_ERR, "egressc has no device prefix "
	    "lists" },
	{ "source-tag", H_ERR, "egressc has no instance tags" },
	{ "source-zone", H_ERR, "egressc has no zones" },
	{ "target-resources", H_ERR, "egressc has no cloud resources" },
	{ "target-service-accounts", H_ERR, "egressc has no cloud service "
	    "accounts" },
	{ "timeout", H_WARN, "egressc leaves connection time-outs to the "
	    "kernel" },
	{ "traffic-class-count", H_WARN, "egressc has no counters" },
	{ "traffic-type", H_ERR, "egressc does not match broadcast, multicast "
	    "or unicast" },
	{ "ttl", H_ERR, "egressc does not match the TTL" },
	{ "verbatim", H_ERR, "egressc cannot know what the target text does; "
	    "write it as a term" },
	{ "vpn", H_ERR, "egressc tunnels nothing" },
	{ NULL, H_ERR, NULL }
};

/* Aerleon's ICMP type names (policy.py, Term.ICMP_TYPE). */
struct icmpname {
	const char	*name;
	unsigned	 type;
};

static const struct icmpname icmp4[] = {
	{ "echo-reply", 0 }, { "unreachable", 3 }, { "source-quench", 4 },
	{ "redirect", 5 }, { "alternate-address", 6 }, { "echo-request", 8 },
	{ "router-advertisement", 9 }, { "router-solicitation", 10 },
	{ "time-exceeded", 11 }, { "parameter-problem", 12 },
	{ "timestamp-request", 13 }, { "timestamp-reply", 14 },
	{ "information-request", 15 }, { "information-reply", 16 },
	{ "mask-request", 17 }, { "mask-reply", 18 },
	{ "conversion-error", 31 }, { "mobile-redirect", 32 }, { NULL, 0 }
};

static const struct icmpname icmp6[] = {
	{ "destination-unreachable", 1 }, { "packet-too-big", 2 },
	{ "time-exceeded", 3 }, { "parameter-problem", 4 },
	{ "echo-request", 128 }, { "echo-reply", 129 },
	{ "multicast-listener-query", 130 },
	{ "multicast-listener-report", 131 },
	{ "multicast-listener-done", 132 }, { "router-solicit", 133 },
	{ "router-advertisement", 134 }, { "neighbor-solicit", 135 },
	{ "neighbor-advertisement", 136 }, { "redirect-message", 137 },
	{ "router-renumbering", 138 },
	{ "icmp-node-information-query", 139 },
	{ "icmp-node-information-response", 140 },
	{ "inverse-neighbor-discovery-solicitation", 141 },
	{ "inverse-neighbor-discovery-advertisement", 142 },
	{ "version-2-multicast-listener-report", 143 },
	{ "home-agent-address-discovery-request", 144 },
	{ "home-agent-address-discovery-reply", 145 },
	{ "mobile-prefix-solicitation", 146 },
	{ "mobile-prefix-advertisement", 147 },
	{ "certification-path-solicitation", 148 },
	{ "certification-path-advertisement", 149 },
	{ "multicast-router-advertisement", 151 },
	{ "multicast-router-solicitation", 152 },
	{ "multicast-router-termination", 153 }, { NULL, 0 }
};

enum { PB_TCP = 1 << P_TCP, PB_UDP = 1 << P_UDP, PB_ICMP = 1 << P_ICMP,
	PB_ICMP6 = 1 << P_ICMP6 };

/* The words of a term, by keyword, in the order written. */
struct wl {
	const struct aer_word	**v;
	size_t			  n, cap;
};

struct term {
	const struct aer_block	*b;
	struct wl	 action, dst, dstx, src, srcx, dport, proto, icmp;
	struct wl	 option, plat, platx, comment, owner, logging;
	bool		 bad;
};

/* A name given to one of Aerleon's networks or services. */
struct named {
	struct aer_def	*d;
	const char	*name;
};

struct m {
	struct arena		*a;
	const struct aer_file	*file;
	const struct aer_filter	*f;
	size_t			 idx;
	struct aer_names	*nm;
	struct aer_pol		*p;
	struct aer_target	*tg;
	size_t			 ntg, captg;
	enum aer_fam		 fam;
	enum aer_dir		 dir;
	bool			 stateless;
	bool			 bad;
	struct named		*nets, *svcs;
	size_t			 nnets, capnets, nsvcs, capsvcs;
	struct strset		 netnames, svcnames, rulenames;
	struct aer_strs		 pending;	/* notes for the next rule */
	const struct aer_block	**src;		/* each rule's term */
	size_t			 nsrc, capsrc;
	const struct aer_def	**warned;	/* fqdn: said */
	size_t			 nwarned, capwarned;
};

static void
wl_add(struct arena *a, struct wl *l, const struct aer_word *w)
{
	ARENA_PUSH(a, l->v, l->n, l->cap);
	l->v[l->n - 1] = w;
}

/* "line 7", or "FILE:7" in an include: for the output's comments. */
static const char *
where(struct m *m, const struct loc *l)
{
	if (strcmp(l->file, m->file->path) == 0)
		return arena_printf(m->a, "line %d", l->line);
	return arena_printf(m->a, "%s:%d", l->file, l->line);
}

/* ---- names -------------------------------------------------------- */

/*
 * An identifier egressc takes ([a-z0-9][a-z0-9_-]*, at most 63) from an
 * Aerleon name, not in taken and not reserved: lower case, other bytes
 * as '-', then "-2", "-3" ... when it collides.
 */
static const char *
ident(struct arena *a, struct strset *taken, const char *s,
    const char *const *reserved, const char *suffix)
{
	char buf[64], *name;
	size_t i, n = 0;
	const char *const *r;
	int k;

	for (i = 0; s[i] != '\0' && n < 52; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-'))
			c = '-';
		if (n == 0 && (c == '-' || c == '_'))
			continue;
		buf[n++] = c;
	}
	if (n == 0)
		buf[n++] = 'x';
	buf[n] = '\0';
	for (r = reserved; r != NULL && *r != NULL; r++)
		if (strcmp(*r, buf) == 0) {
			snprintf(buf + n, sizeof(buf) - n, "%s", suffix);
			break;
		}
	name = arena_strdup(a, buf);
	for (k = 2; strset_has(taken, name); k++)
		name = arena_printf(a, "%s-%d", buf, k);
	strset_add(a, taken, name);
	return name;
}

static const char *const net_reserved[] = { "any", NULL };
static const char *const svc_reserved[] = {
	"any", "tcp", "udp", "icmp", "icmpv6", NULL
};
static const char *const rule_reserved[] = {
	"builtin-ipv6-nd", "builtin-ipv6-nd-in", NULL
};

static void	net_group(struct m *, struct named *);
static void	svc_group(struct m *, struct named *);

/* The egressc name of a network the policy uses, written once. */
static const char *
net_name(struct m *m, struct aer_def *d)
{
	struct named *u;
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (m->nets[i].d == d)
			return m->nets[i].name;
	ARENA_PUSH(m->a, m->nets, m->nnets, m->capnets);
	u = &m->nets[m->nnets - 1];
	u->d = d;
	u->name = ident(m->a, &m->netnames, d->name, net_reserved, "-net");
	net_group(m, u);
	return u->name;
}

static const char *
svc_name(struct m *m, struct aer_def *d)
{
	struct named *u;
	size_t i;

	for (i = 0; i < m->nsvcs; i++)
		if (m->svcs[i].d == d)
			return m->svcs[i].name;
	ARENA_PUSH(m->a, m->svcs, m->nsvcs, m->capsvcs);
	u = &m->svcs[m->nsvcs - 1];
	u->d = d;
	u->name = ident(m->a, &m->svcnames, d->name, svc_reserved, "-svc");
	svc_group(m, u);
	return u->name;
}

/* Add v unless it is there (a list of 100000 addresses is no square). */
static void
strs_add1(struct arena *a, struct aer_strs *s, const char *v)
{
	if (strset_add(a, &s->seen, v))
		aer_strs_add(a, s, v);
}

/* The Aerleon name, when egressc's is more than it in lower case. */
static const char *
renamed(const char *was, const char *now)
{
	size_t i;

	for (i = 0; was[i] != '\0'; i++)
		if (now[i] != (was[i] >= 'A' && was[i] <= 'Z' ?
		    was[i] - 'A' + 'a' : was[i]))
			return was;
	return now[i] != '\0' ? was : NULL;
}

/* A network as egressc's networks: holds it: its addresses, normalised,
 * and the networks it names (those with addresses). */
static void
net_group(struct m *m, struct named *u)
{
	struct aer_group *g;
	char buf[ADDR_STRLEN];
	enum fam fam;
	u128 addr;
	int len;
	bool hb;
	size_t i, gi;

	ARENA_PUSH(m->a, m->p->nets, m->p->nnets, m->p->capnets);
	gi = m->p->nnets - 1;
	g = &m->p->nets[gi];
	memset(g, 0, sizeof(*g));
	g->name = u->name;
	g->was = renamed(u->d->name, u->name);
	for (i = 0; i < u->d->n; i++) {
		const struct aer_item *it = &u->d->items[i];
		struct aer_def *c;
		const char *s = NULL;

		if (it->kind == AER_I_ADDR) {
			addr_parse(it->text, &fam, &addr, &len, &hb);
			s = arena_strdup(m->a, addr_format(buf, fam, addr,
			    len));
		} else if (it->kind == AER_I_NAME &&
		    (c = aer_net_find(m->nm, it->text, NULL)) != NULL &&
		    !aset_empty(&c->addrs))
			s = net_name(m, c);
		if (s != NULL)	/* net_name may have moved the groups */
			strs_add1(m->a, &m->p->nets[gi].v, s);
	}
}

/* Can egressc's services: hold this service as it is (tcp and udp ports
 * from 1, and services that can)? */
static bool
svc_writable(struct aer_names *nm, struct aer_def *d, int depth)
{
	size_t i;
	struct aer_def *c;

	if (depth > 64)
		return false;
	for (i = 0; i < d->n; i++) {
		const struct aer_item *it = &d->items[i];

		if (it->kind == AER_I_PORT && ((strcmp(it->proto, "tcp") != 0 &&
		    strcmp(it->proto, "udp") != 0) || it->lo == 0))
			return false;
		if (it->kind == AER_I_NAME && ((c = aer_svc_find(nm, it->text,
		    NULL)) == NULL || !svc_writable(nm, c, depth + 1)))
			return false;
	}
	return true;
}

static const char *
port_text(struct arena *a, const char *proto, unsigned lo, unsigned hi)
{
	if (lo == hi)
		return arena_printf(a, "%s/%u", proto, lo);
	return arena_printf(a, "%s/%u-%u", proto, lo, hi);
}

static void
svc_group(struct m *m, struct named *u)
{
	struct aer_def *c;
	size_t i, gi;
	const char *s;

	ARENA_PUSH(m->a, m->p->svcs, m->p->nsvcs, m->p->capsvcs);
	gi = m->p->nsvcs - 1;
	memset(&m->p->svcs[gi], 0, sizeof(m->p->svcs[gi]));
	m->p->svcs[gi].name = u->name;
	m->p->svcs[gi].was = renamed(u->d->name, u->name);
	for (i = 0; i < u->d->n; i++) {
		const struct aer_item *it = &u->d->items[i];

		if (it->kind == AER_I_PORT)
			s = port_text(m->a, it->proto, it->lo, it->hi);
		else if ((c = aer_svc_find(m->nm, it->text, NULL)) != NULL)
			s = svc_name(m, c);
		else
			continue;
		strs_add1(m->a, &m->p->svcs[gi].v, s);
	}
}

/* ---- a term ------------------------------------------------------- */

static const struct keyrule *
keyrule(const char *key)
{
	const struct keyrule *k;

	for (k = keyrules; k->key != NULL; k++)
		if (strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

static struct wl *
list_of(struct term *t, const char *key)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} lists[] = {
		{ "action", offsetof(struct term, action) },
		{ "destination-address", offsetof(struct term, dst) },
		{ "destination-exclude", offsetof(struct term, dstx) },
		{ "source-address", offsetof(struct term, src) },
		{ "source-exclude", offsetof(struct term, srcx) },
		{ "destination-port", offsetof(struct term, dport) },
		{ "protocol", offsetof(struct term, proto) },
		{ "icmp-type", offsetof(struct term, icmp) },
		{ "option", offsetof(struct term, option) },
		{ "platform", offsetof(struct term, plat) },
		{ "platform-exclude", offsetof(struct term, platx) },
		{ "comment", offsetof(struct term, comment) },
		{ "owner", offsetof(struct term, owner) },
		{ "logging", offsetof(struct term, logging) },
	};
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(lists[i].key, key) == 0)
			return (struct wl *)((char *)t + lists[i].off);
	return NULL;
}

/* Sort the term's words by keyword; refuse and warn per keyrules[]. */
static void
collect(struct m *m, const struct aer_block *b, struct term *t)
{
	const struct keyrule *k;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	t->b = b;
	for (i = 0; i < b->n; i++) {
		const struct aer_kv *kv = &b->kv[i];

		k = keyrule(kv->key);
		if (k == NULL || k->how == H_ERR) {
			diag_error(&kv->loc, "term '%s': %s:: cannot be "
			    "imported: %s", b->name, kv->key, k != NULL ?
			    k->why : "unknown keyword");
			t->bad = true;
			continue;
		}
		if (k->how == H_WARN) {
			diag_warning(&kv->loc, "term '%s': %s:: is left out: "
			    "%s", b->name, kv->key, k->why);
			continue;
		}
		for (j = 0; j < kv->n; j++)
			wl_add(m->a, list_of(t, kv->key), &kv->v[j]);
		if (kv->n == 0 && strcmp(kv->key, "comment") != 0) {
			diag_error(&kv->loc, "term '%s': %s:: has no value",
			    b->name, kv->key);
			t->bad = true;
		}
	}
}

enum { T_RULE, T_SKIP, T_BAD };

/* action:: into r; T_SKIP for next and count (they decide nothing). */
static int
term_action(struct m *m, struct term *t, struct aer_rule *r)
{
	const struct aer_word *w;

	if (t->action.n == 0) {
		/* verbatim:: terms have none; that was said. */
		if (!t->bad)
			diag_error(&t->b->loc, "term '%s' has no action::",
			    t->b->name);
		return T_BAD;
	}
	if (t->action.n > 1) {
		diag_error(&t->action.v[1]->loc, "term '%s': one action, not "
		    "%zu", t->b->name, t->action.n);
		return T_BAD;
	}
	w = t->action.v[0];
	if (strcmp(w->s, "accept") == 0)
		r->action = IR_ALLOW;
	else if (strcmp(w->s, "deny") == 0)
		r->action = IR_DENY;
	else if (strcmp(w->s, "reject") == 0 ||
	    strcmp(w->s, "reject-with-tcp-rst") == 0)
		r->action = IR_REJECT;
	else if (strcmp(w->s, "next") == 0 || strcmp(w->s, "count") == 0) {
		diag_warning(&w->loc, "term '%s': action:: %s goes on to the "
		    "next term and decides nothing; it is left out%s",
		    t->b->name, w->s, t->logging.n > 0 ? ", and what it logs "
		    "with it" : "");
		return T_SKIP;
	} else {
		diag_error(&w->loc, "term '%s': unknown action '%s' (accept, "
		    "deny, reject, reject-with-tcp-rst, next)", t->b->name,
		    w->s);
		return T_BAD;
	}
	return T_RULE;
}

/* Can the term match a UDP packet (or any, having no protocol)? */
static bool
may_udp(const struct term *t)
{
	size_t i;

	if (t->proto.n == 0)
		return true;
	for (i = 0; i < t->proto.n; i++)
		if (strcmp(t->proto.v[i]->s, "udp") == 0 ||
		    strcmp(t->proto.v[i]->s, "17") == 0)
			return true;
	return false;
}

/*
 * option:: words.  established and tcp-established match only packets
 * of connections that exist, which egressc lets through by their state:
 * such an accept term is left out.  On a stateless target Aerleon's
 * established also admits new UDP packets to ports 1024-65535, which
 * egressc would not: then it is an error.
 */
static int
term_options(struct m *m, struct term *t, const struct aer_rule *r)
{
	static const char *const flags[] = { "initial", "tcp-initial", "syn",
	    "rst", "ack", "fin", "urg", "psh", "all", "none",
	    "first-fragment", "is-fragment", NULL };
	const char *const *fl;
	size_t i;
	int st = T_RULE;

	for (i = 0; i < t->option.n; i++) {
		const struct aer_word *w = t->option.v[i];
		bool est = strcmp(w->s, "established") == 0;

		if (est || strcmp(w->s, "tcp-established") == 0) {
			if (r->action != IR_ALLOW) {
				diag_error(&w->loc, "term '%s': option:: %s "
				    "with an action other than accept cannot "
				    "be imported", t->b->name, w->s);
				return T_BAD;
			}
			if (est && m->stateless && may_udp(t)) {
				diag_error(&w->loc, "term '%s': option:: "
				    "established: on this filter's stateless "
				    "targets Aerleon admits new UDP packets to "
				    "ports 1024-65535 with it, which egressc "
				    "would not", t->b->name);
				return T_BAD;
			}
			diag_warning(&w->loc, "term '%s': option:: %s matches "
			    "return traffic, which egressc lets through by "
			    "connection state; the term is left out",
			    t->b->name, w->s);
			st = T_SKIP;
			continue;
		}
		if (strcmp(w->s, "inactive") == 0) {
			diag_warning(&w->loc, "term '%s' is inactive; it is "
			    "left out", t->b->name);
			st = T_SKIP;
			continue;
		}
		if (strcmp(w->s, "sample") == 0 ||
		    strcmp(w->s, "counter") == 0) {
			diag_warning(&w->loc, "term '%s': option:: %s is left "
			    "out: egressc samples and counts nothing",
			    t->b->name, w->s);
			continue;
		}
		for (fl = flags; *fl != NULL && strcmp(*fl, w->s) != 0; fl++)
			;
		diag_error(&w->loc, "term '%s': option:: %s cannot be "
		    "imported: %s", t->b->name, w->s, *fl != NULL ? "egressc "
		    "matches no TCP flags or fragments" : "unknown option");
		return T_BAD;
	}
	return st;
}

/* Does a term with these platform:: and platform-exclude:: words
 * render for the target? */
static bool
for_target(const struct term *t, const struct aer_target *tg)
{
	bool in = t->plat.n == 0;
	size_t i;

	for (i = 0; i < t->plat.n; i++)
		if (strcmp(t->plat.v[i]->s, tg->platform) == 0)
			in = true;
	for (i = 0; i < t->platx.n; i++)
		if (strcmp(t->platx.v[i]->s, tg->platform) == 0)
			in = false;
	return in;
}

/*
 * platform:: and platform-exclude:: choose targets.  A term for all of
 * the filter's targets, or for none, imports (or is left out); one for
 * some of them would make one policy decide as two.
 */
static int
term_platform(struct m *m, struct term *t)
{
	const struct aer_word *w;
	size_t k, n = 0;

	if (t->plat.n == 0 && t->platx.n == 0)
		return T_RULE;
	for (k = 0; k < m->ntg; k++)
		n += for_target(t, &m->tg[k]);
	w = t->plat.n > 0 ? t->plat.v[0] : t->platx.v[0];
	if (n == m->ntg) {
		diag_warning(&w->loc, "term '%s': %s:: holds for every target "
		    "of the filter; the keyword is left out", t->b->name,
		    t->plat.n > 0 ? "platform" : "platform-exclude");
		return T_RULE;
	}
	if (n == 0) {
		diag_warning(&w->loc, "term '%s' is for none of the filter's "
		    "targets; it is left out", t->b->name);
		return T_SKIP;
	}
	diag_error(&w->loc, "term '%s' is for %zu of the filter's %zu targets; "
	    "one egressc policy cannot decide as two", t->b->name, n, m->ntg);
	return T_BAD;
}

/* protocol:: words as a set of egressc's protocols; -1 on one egressc
 * lacks. */
static int
term_protos(struct m *m, struct term *t, unsigned *pb)
{
	static const struct {
		const char	*w;
		unsigned	 bit;
	} names[] = {
		{ "tcp", PB_TCP }, { "6", PB_TCP }, { "udp", PB_UDP },
		{ "17", PB_UDP }, { "icmp", PB_ICMP }, { "1", PB_ICMP },
		{ "icmpv6", PB_ICMP6 }, { "ipv6-icmp", PB_ICMP6 },
		{ "58", PB_ICMP6 },
	};
	size_t i, k;
	int rc = 0;

	*pb = 0;
	for (i = 0; i < t->proto.n; i++) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(names[k].w, t->proto.v[i]->s) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0])) {
			diag_error(&t->proto.v[i]->loc, "term '%s': protocol "
			    "'%s' cannot be imported: egressc matches tcp, "
			    "udp, icmp and icmpv6, or every protocol",
			    t->b->name, t->proto.v[i]->s);
			rc = -1;
			continue;
		}
		*pb |= names[k].bit;
	}
	(void)m;
	return rc;
}

static const char *
proto_of(unsigned bit)
{
	return bit == PB_TCP ? "tcp" : bit == PB_UDP ? "udp" : bit ==
	    PB_ICMP ? "icmp" : "icmpv6";
}

/* The ports a port-proto pair list holds of one protocol, as an iset. */
static void
ports_of(struct arena *a, const struct aer_def *d, const char *proto,
    struct iset *s)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		if (strcmp(d->ports[i].proto, proto) == 0)
			iset_add(a, s, d->ports[i].lo, d->ports[i].hi);
}

static const unsigned pbits[2] = { PB_TCP, PB_UDP };

/* destination-port::'s services, found and resolved, their ports of the
 * term's protocols pooled into *pool; -1 after errors. */
static int
dport_pool(struct m *m, struct term *t, unsigned pb, struct aer_def **defs,
    struct iset *pool)
{
	const char *near;
	size_t i, q;
	int rc = 0;

	iset_init(pool);
	for (i = 0; i < t->dport.n; i++) {
		const struct aer_word *w = t->dport.v[i];

		defs[i] = aer_svc_find(m->nm, w->s, &near);
		if (defs[i] == NULL) {
			diag_error(&w->loc, "service '%s' is not defined in "
			    "%s%s%s%s", w->s, m->nm->dir, near != NULL ?
			    "; did you mean '" : "", near != NULL ? near : "",
			    near != NULL ? "'?" : "");
			rc = -1;
			continue;
		}
		if (aer_svc_resolve(m->a, m->nm, defs[i]) < 0) {
			rc = -1;
			continue;
		}
		for (q = 0; q < 2; q++) {
			struct iset one;

			if (!(pb & pbits[q]))
				continue;
			iset_init(&one);
			ports_of(m->a, defs[i], proto_of(pbits[q]), &one);
			if (iset_empty(&one))
				diag_warning(&w->loc, "term '%s': service '%s' "
				    "has no %s port; as in Aerleon, %s is "
				    "matched to the term's other ports",
				    t->b->name, w->s, proto_of(pbits[q]),
				    proto_of(pbits[q]));
			iset_union(m->a, pool, &one);
		}
	}
	iset_norm(pool);
	return rc;
}

/* Do the services say want, by name?  When they hold ports of no other
 * protocol, and egressc's services: can hold them, and their union is
 * what the term matches. */
static bool
by_name(struct m *m, struct aer_def **defs, size_t n, unsigned pb,
    struct iset *want)
{
	struct iset named[2];
	size_t i, k, q;

	iset_init(&named[0]);
	iset_init(&named[1]);
	for (i = 0; i < n; i++) {
		if (!svc_writable(m->nm, defs[i], 0))
			return false;
		for (k = 0; k < defs[i]->nports; k++) {
			const struct aer_port *pt = &defs[i]->ports[k];

			q = strcmp(pt->proto, "udp") == 0;
			if (strcmp(pt->proto, proto_of(pbits[q])) != 0 ||
			    !(pb & pbits[q]))
				return false;
			iset_add(m->a, &named[q], pt->lo, pt->hi);
		}
	}
	for (q = 0; q < 2; q++) {
		iset_norm(&named[q]);
		if (!iset_equal(&want[q], &named[q]))
			return false;
	}
	return true;
}

/*
 * destination-port:: as Aerleon reads it: the ports of every named
 * service for every protocol of the term, pooled, then matched for each
 * protocol (so "protocol:: tcp udp" with SSH matches udp/22 too, which
 * Aerleon warns about, as the import does).  The rule names the services
 * when they say exactly that, else lists the ports.
 */
static int
term_dports(struct m *m, struct term *t, unsigned pb, struct aer_rule *r)
{
	struct aer_def **defs = arena_alloc(m->a, t->dport.n * sizeof(*defs));
	struct iset pool, want[2];
	size_t i, q;

	if ((pb & (PB_ICMP | PB_ICMP6)) || !(pb & (PB_TCP | PB_UDP))) {
		diag_error(&t->dport.v[0]->loc, "term '%s': destination-port:: "
		    "needs protocol:: tcp or udp, and no other", t->b->name);
		return -1;
	}
	if (dport_pool(m, t, pb, defs, &pool) < 0)
		return -1;
	if (iset_empty(&pool)) {
		diag_error(&t->dport.v[0]->loc, "term '%s': no port of the "
		    "term's protocols in its destination-port::", t->b->name);
		return -1;
	}
	if (iset_has(&pool, 0)) {
		diag_error(&t->dport.v[0]->loc, "term '%s': port 0 in its "
		    "destination-port::, which no packet filter matches",
		    t->b->name);
		return -1;
	}
	for (q = 0; q < 2; q++) {
		iset_init(&want[q]);
		if (pb & pbits[q])
			iset_union(m->a, &want[q], &pool);
		iset_norm(&want[q]);
	}
	if (by_name(m, defs, t->dport.n, pb, want)) {
		for (i = 0; i < t->dport.n; i++)
			strs_add1(m->a, &r->ports, svc_name(m, defs[i]));
		return 0;
	}
	for (q = 0; q < 2; q++)
		for (i = 0; i < want[q].n; i++)
			aer_strs_add(m->a, &r->ports, port_text(m->a,
			    proto_of(pbits[q]), (unsigned)want[q].v[i].lo,
			    (unsigned)want[q].v[i].hi));
	return 0;
}

static int
icmp_num(const struct icmpname *tab, const char *s)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, s) == 0)
			return (int)tab->type;
	return -1;
}

/* icmp-type:: names, per ICMP protocol of the term. */
static int
term_icmp(struct m *m, struct term *t, unsigned pb, struct aer_rule *r)
{
	size_t i;
	int n4, n6, rc = 0;

	if (!(pb & (PB_ICMP | PB_ICMP6))) {
		diag_error(&t->icmp.v[0]->loc, "term '%s': icmp-type:: needs "
		    "protocol:: icmp or icmpv6", t->b->name);
		return -1;
	}
	for (i = 0; i < t->icmp.n; i++) {
		const struct aer_word *w = t->icmp.v[i];

		n4 = pb & PB_ICMP ? icmp_num(icmp4, w->s) : -1;
		n6 = pb & PB_ICMP6 ? icmp_num(icmp6, w->s) : -1;
		if (n4 >= 0)
			strs_add1(m->a, &r->ports, arena_printf(m->a,
			    "icmp/%d", n4));
		if (n6 >= 0)
			strs_add1(m->a, &r->ports, arena_printf(m->a,
			    "icmpv6/%d", n6));
		if (n4 < 0 && n6 < 0) {
			diag_error(&w->loc, "term '%s': '%s' is no ICMP type "
			    "of the term's protocols", t->b->name, w->s);
			rc = -1;
		}
	}
	return rc;
}

/* protocol::, destination-port:: and icmp-type:: as ports:. */
static int
term_ports(struct m *m, struct term *t, unsigned pb, struct aer_rule *r)
{
	static const unsigned order[] = { PB_TCP, PB_UDP, PB_ICMP, PB_ICMP6 };
	size_t i;
	int rc = 0;

	if (t->dport.n > 0 && term_dports(m, t, pb, r) < 0)
		rc = -1;
	if (t->icmp.n > 0 && term_icmp(m, t, pb, r) < 0)
		rc = -1;
	if (rc < 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if (!(pb & order[i]))
			continue;
		if ((order[i] & (PB_TCP | PB_UDP)) && t->dport.n > 0)
			continue;
		if ((order[i] & (PB_ICMP | PB_ICMP6)) && t->icmp.n > 0)
			continue;
		aer_strs_add(m->a, &r->ports, proto_of(order[i]));
	}
	return 0;
}

/* Was d seen before (for what is said once per definition)? */
static bool
once(struct m *m, const struct aer_def *d)
{
	size_t i;

	for (i = 0; i < m->nwarned; i++)
		if (m->warned[i] == d)
			return true;
	ARENA_PUSH(m->a, m->warned, m->nwarned, m->capwarned);
	m->warned[m->nwarned - 1] = d;
	return false;
}

/* The networks a list names, resolved: their union in *set. */
static int
term_nets(struct m *m, const struct term *t, const struct wl *l,
    struct aset *set, struct aer_def **defs)
{
	const char *near;
	size_t i;
	int rc = 0;

	aset_init(set);
	for (i = 0; i < l->n; i++) {
		const struct aer_word *w = l->v[i];
		struct aer_def *d = aer_net_find(m->nm, w->s, &near);

		defs[i] = d;
		if (d == NULL) {
			if (near != NULL)
				diag_error(&w->loc, "network '%s' is not "
				    "defined in %s; did you mean '%s'?", w->s,
				    m->nm->dir, near);
			else
				diag_error(&w->loc, "network '%s' is not "
				    "defined in %s", w->s, m->nm->dir);
			rc = -1;
			continue;
		}
		if (aer_net_resolve(m->a, m->nm, d) < 0) {
			rc = -1;
			continue;
		}
		if (aset_empty(&d->addrs)) {
			diag_error(&w->loc, "term '%s': network '%s' holds no "
			    "address (Aerleon leaves fqdn: out), and a term "
			    "with none matches every address", t->b->name,
			    w->s);
			rc = -1;
			continue;
		}
		if (d->fqdn != NULL && !once(m, d))
			diag_warning(&w->loc, "network '%s' holds host names "
			    "(fqdn:), which Aerleon's naming leaves out; so "
			    "does the import", w->s);
		aset_union(m->a, set, &d->addrs);
	}
	aset_norm(set);
	return rc;
}

/* The prefixes of a set, as to: or from: entries. */
static void
prefixes(struct m *m, const struct aset *s, struct aer_strs *out)
{
	char buf[ADDR_STRLEN];
	struct prefix *pf;
	size_t n, i;
	int f;

	for (f = 0; f < FAM_N; f++) {
		n = aset_prefixes(m->a, s, (enum fam)f, &pf);
		for (i = 0; i < n; i++)
			aer_strs_add(m->a, out, arena_strdup(m->a,
			    addr_format(buf, (enum fam)f, pf[i].addr,
			    pf[i].len)));
	}
}

/* The networks one side of a term names, for a rule that is kept. */
struct side {
	struct aer_def	**defs;
	size_t		  n;
};

/*
 * One side of a term: its networks by name (in *keep, named once the
 * term is kept: a policy holds only the networks its rules use), or, with
 * an exclude, the prefixes that are left.  *set gets the addresses (any
 * when the term names none).
 */
static int
term_side(struct m *m, const struct term *t, const struct wl *l,
    const struct wl *x, const char *what, struct aer_strs *out,
    struct aset *set, struct aer_rule *r, struct side *keep)
{
	struct aer_def **defs = arena_alloc(m->a, (l->n + 1) * sizeof(*defs));
	struct aer_def **xdefs = arena_alloc(m->a, (x->n + 1) *
	    sizeof(*xdefs));
	struct aset xs, left;
	int rc = term_nets(m, t, l, set, defs);

	keep->n = 0;
	if (term_nets(m, t, x, &xs, xdefs) < 0 || rc < 0)
		return -1;
	if (l->n == 0)
		aset_any(m->a, set);
	if (x->n == 0) {
		keep->defs = defs;
		keep->n = l->n;
		return 0;
	}
	aset_diff(m->a, &left, set, &xs);
	aset_norm(&left);
	if (aset_empty(&left)) {
		diag_error(&x->v[0]->loc, "term '%s': %s-exclude:: leaves no "
		    "address", t->b->name, what);
		return -1;
	}
	*set = left;
	prefixes(m, &left, out);
	aer_strs_add(m->a, &r->notes, arena_printf(m->a, "%s-address:: %s "
	    "less %s-exclude:: (%s), as prefixes", what, l->n > 0 ?
	    "as named" : "any", what, where(m, &x->v[0]->loc)));
	return 0;
}

/* Text without the line break a YAML block scalar ends in. */
static const char *
trimmed(struct arena *a, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n > 0 ? arena_strndup(a, s, n) : NULL;
}

/* comment::, owner:: and logging:: into r. */
static int
term_text(struct m *m, const struct term *t, struct aer_rule *r)
{
	static const char *const yes[] = { "true", "True", "syslog", "local",
	    "log-both", NULL };
	static const char *const no[] = { "disable", "false", "False", NULL };
	const char *const *y;
	struct out o;
	size_t i;
	int rc = 0;

	out_init(&o);
	for (i = 0; i < t->comment.n; i++)
		out_printf(&o, "%s%s", i > 0 ? "\n" : "", t->comment.v[i]->s);
	for (i = 0; i < t->owner.n; i++)
		out_printf(&o, "%sOwner: %s", o.len > 0 ? "\n" : "",
		    t->owner.v[i]->s);
	if (o.len > 0)
		r->comment = trimmed(m->a, out_str(&o));
	out_free(&o);
	for (i = 0; i < t->logging.n; i++) {
		const char *s = t->logging.v[i]->s;

		for (y = yes; *y != NULL && strcmp(*y, s) != 0; y++)
			;
		if (*y != NULL) {
			r->log = true;
			continue;
		}
		for (y = no; *y != NULL && strcmp(*y, s) != 0; y++)
			;
		if (*y == NULL) {
			diag_error(&t->logging.v[i]->loc, "term '%s': logging "
			    "'%s' (true, syslog, local, log-both, disable)",
			    t->b->name, s);
			rc = -1;
		}
	}
	return rc;
}

static bool
aset_has_fam(const struct aset *s, enum fam f)
{
	return s->f[f].n > 0;
}

static bool
has_nft(const struct m *m)
{
	size_t i;

	for (i = 0; i < m->ntg; i++)
		if (strcmp(m->tg[i].platform, "nftables") == 0)
			return true;
	return false;
}

/*
 * Does the term match any packet of the filter's families?  Aerleon
 * leaves out a term whose addresses or protocols belong to no family of
 * the filter, or whose sources and destinations share none; so does the
 * import.  Except Aerleon's nftables, which for an inet or inet6 filter
 * drops the addresses (or protocols) of the other family and keeps the
 * term matching every packet: one import cannot be both, so then it is
 * an error.  T_RULE, T_SKIP or T_BAD.
 */
static int
term_in_fam(struct m *m, const struct term *t, const struct aset *dst,
    const struct aset *src, unsigned *pb)
{
	bool v4 = (m->fam & AER_V4) && aset_has_fam(dst, FAM_V4) &&
	    aset_has_fam(src, FAM_V4);
	bool v6 = (m->fam & AER_V6) && aset_has_fam(dst, FAM_V6) &&
	    aset_has_fam(src, FAM_V6);
	unsigned before = *pb;
	const struct loc *at = &t->b->loc;

	if (!v4)
		*pb &= ~(unsigned)PB_ICMP;
	if (!v6)
		*pb &= ~(unsigned)PB_ICMP6;
	if (v4 || v6) {
		if (before == 0 || *pb != 0)
			return T_RULE;
		at = &t->proto.v[0]->loc;
	}
	if (m->fam != AER_MIXED && has_nft(m)) {
		diag_error(at, "term '%s' has nothing of an %s filter; "
		    "Aerleon's nftables renders it without what it lacks, "
		    "matching more, where its other generators leave it out: "
		    "remove it or make it of the family", t->b->name,
		    aer_fam_name(m->fam));
		return T_BAD;
	}
	diag_warning(at, "term '%s' has %s of the filter's family (%s); as "
	    "Aerleon does, it is left out", t->b->name, v4 || v6 ?
	    "no protocol" : "no address on one side", aer_fam_name(m->fam));
	return T_SKIP;
}

static int
map_term(struct m *m, const struct aer_block *b, struct aer_rule *r)
{
	struct term t;
	struct aset dst, src;
	struct side dk, sk;
	unsigned pb;
	int st, st2;
	size_t i;
	bool bad;

	memset(r, 0, sizeof(*r));
	r->name = b->name;
	collect(m, b, &t);
	bad = t.bad;
	st = term_action(m, &t, r);
	if (st == T_BAD)
		bad = true;
	if (st == T_RULE) {
		st2 = term_options(m, &t, r);
		if (st2 != T_RULE)
			st = st2;
	}
	if (st != T_BAD && (st2 = term_platform(m, &t)) != T_RULE)
		st = st2;
	if (term_protos(m, &t, &pb) < 0)
		bad = true;
	if (term_text(m, &t, r) < 0)
		bad = true;
	/* Both sides, and the ports, for every error in one run. */
	if (term_side(m, &t, &t.dst, &t.dstx, "destination", &r->to, &dst,
	    r, &dk) < 0)
		bad = true;
	if (term_side(m, &t, &t.src, &t.srcx, "source", &r->from, &src,
	    r, &sk) < 0)
		bad = true;
	if (bad || st == T_BAD) {
		term_ports(m, &t, pb, r);
		return T_BAD;
	}
	if (st == T_SKIP)
		return T_SKIP;
	if ((st = term_in_fam(m, &t, &dst, &src, &pb)) != T_RULE)
		return st;
	if (term_ports(m, &t, pb, r) < 0)
		return T_BAD;
	for (i = 0; i < dk.n; i++)
		strs_add1(m->a, &r->to, net_name(m, dk.defs[i]));
	for (i = 0; i < sk.n; i++)
		strs_add1(m->a, &r->from, net_name(m, sk.defs[i]));
	return T_RULE;
}

/* ---- the filter --------------------------------------------------- */

static int
read_targets(struct m *m)
{
	const struct aer_block *h = &m->f->hdr;
	struct aer_target *t;
	size_t i;
	int rc = 0;

	for (i = 0; i < h->n; i++) {
		if (strcmp(h->kv[i].key, "target") != 0)
			continue;
		ARENA_PUSH(m->a, m->tg, m->ntg, m->captg);
		t = &m->tg[m->ntg - 1];
		if (aer_target_read(&h->kv[i], t) < 0) {
			m->ntg--;
			rc = -1;
		}
	}
	if (rc == 0 && m->ntg == 0) {
		diag_error(&h->loc, "the header has no target::");
		rc = -1;
	}
	return rc;
}

/* Family, direction and state of the filter, from all its targets. */
static int
filter_kind(struct m *m)
{
	const struct aer_target *dt = NULL;
	struct diag *d;
	bool mixed = false;
	size_t i;

	m->fam = 0;
	for (i = 0; i < m->ntg; i++) {
		const struct aer_target *t = &m->tg[i];

		if (i > 0 && t->fam != m->tg[0].fam)
			mixed = true;
		m->fam |= t->fam;
		if (!t->stateful)
			m->stateless = true;
		if (t->dir == AER_DIR_FWD) {
			diag_error(t->dir_loc, "%s: egressc filters what this "
			    "host sends and receives; a FORWARD filter has no "
			    "egressc policy", t->platform);
			return -1;
		}
		if (t->dir == AER_DIR_NONE)
			continue;
		if (dt != NULL && dt->dir != t->dir) {
			d = diag_new(DIAG_ERROR, t->dir_loc, "%s filters the "
			    "other direction than %s; one egressc policy "
			    "cannot be both", t->platform, dt->platform);
			diag_also(d, dt->dir_loc, "%s's direction",
			    dt->platform);
			diag_emit(d);
			return -1;
		}
		dt = t;
	}
	m->dir = dt != NULL ? dt->dir : AER_DIR_OUT;
	if (mixed)
		diag_warning(&m->f->hdr.loc, "the filter's targets cover "
		    "different address families; it is imported for IPv4 and "
		    "IPv6");
	for (i = 0; i < m->ntg; i++) {
		if (m->tg[i].nostate_loc != NULL)
			diag_warning(m->tg[i].nostate_loc, "nostate: egressc "
			    "keeps connection state; return traffic passes "
			    "whatever the terms say");
		if (m->tg[i].prio_loc != NULL && m->tg[i].priority != 0)
			diag_warning(m->tg[i].prio_loc, "nftables priority "
			    "%ld is left out: egressc's chains hook at "
			    "priority filter, and the order of base chains "
			    "changes no accept or drop of the others",
			    m->tg[i].priority);
	}
	return 0;
}

/* What the targets do with traffic no term matches, if they agree. */
static int
target_default(struct m *m, enum ir_default *def)
{
	static const enum ir_default as_ir[] = {
		[AER_DFLT_DENY] = IR_DEF_DENY,
		[AER_DFLT_ACCEPT] = IR_DEF_ACCEPT,
		[AER_DFLT_NONE] = IR_DEF_NONE,
	};
	const struct aer_target *first = &m->tg[0];
	struct diag *d;
	size_t i;

	for (i = 0; i < m->ntg; i++) {
		const struct aer_target *t = &m->tg[i];

		if (t->dflt == AER_DFLT_UNKNOWN) {
			diag_error(&t->kv->v[0].loc, "%s leaves traffic that "
			    "no term matches to the device; end the filter "
			    "with a term that decides it, as term default-deny "
			    "{ action:: deny }", t->platform);
			return -1;
		}
		if (t->dflt != first->dflt) {
			d = diag_new(DIAG_ERROR, &t->kv->v[0].loc, "%s decides "
			    "traffic no term matches otherwise than %s; end "
			    "the filter with a term that decides it",
			    t->platform, first->platform);
			diag_also(d, &first->kv->v[0].loc, "%s's default",
			    first->platform);
			diag_emit(d);
			return -1;
		}
	}
	*def = as_ir[first->dflt];
	return 0;
}

static bool
match_all(const struct aer_rule *r)
{
	return r->to.n == 0 && r->from.n == 0 && r->ports.n == 0 &&
	    !r->log && r->action != IR_REJECT;
}

static struct aer_rule *
add_rule(struct m *m, const struct aer_block *from)
{
	struct aer_rule *r;

	ARENA_PUSH(m->a, m->p->rules, m->p->nrules, m->p->caprules);
	ARENA_PUSH(m->a, m->src, m->nsrc, m->capsrc);
	r = &m->p->rules[m->p->nrules - 1];
	memset(r, 0, sizeof(*r));
	m->src[m->nsrc - 1] = from;
	return r;
}

/* A rule of the import's own, first: its name and why it is there. */
static void
own_rule(struct m *m, const char *name, const char *to, bool inbound,
    enum ir_action action, const char *why)
{
	struct aer_rule *r;

	r = add_rule(m, NULL);
	memmove(m->p->rules + 1, m->p->rules, (m->p->nrules - 1) *
	    sizeof(*r));
	memmove(m->src + 1, m->src, (m->nsrc - 1) * sizeof(*m->src));
	r = &m->p->rules[0];
	memset(r, 0, sizeof(*r));
	m->src[0] = NULL;
	r->name = name;
	r->action = action;
	r->inbound = inbound;
	r->comment = why;
	if (to != NULL)
		aer_strs_add(m->a, &r->to, to);
	strset_add(m->a, &m->rulenames, name);
}

/* A YAML comment for the next rule: what became of term b. */
static void
note(struct m *m, const struct aer_block *b, const char *what)
{
	aer_strs_add(m->a, &m->pending, arena_printf(m->a, "Aerleon term %s "
	    "(%s) %s", b->name, where(m, &b->loc), what));
}

static void
terms(struct m *m)
{
	struct aer_rule r, *nr;
	size_t i;
	int st;

	for (i = 0; i < m->f->n; i++) {
		const struct aer_block *b = &m->f->terms[i];

		st = map_term(m, b, &r);
		if (st == T_BAD)
			m->bad = true;
		if (st == T_SKIP)
			note(m, b, "is left out");
		if (st != T_RULE)
			continue;
		nr = add_rule(m, b);
		*nr = r;
		nr->inbound = m->dir == AER_DIR_IN;
		nr->notes = m->pending;
		memset(&m->pending, 0, sizeof(m->pending));
	}
}

/* A term's rule name; Aerleon refuses two terms of one name, which the
 * import takes apart with "-2" (a warning: the name is not Aerleon's). */
static const char *
rule_name(struct m *m, const struct aer_block *b)
{
	struct strset one = { 0 };
	const char *plain = ident(m->a, &one, b->name, rule_reserved, "-term");
	const char *name = ident(m->a, &m->rulenames, b->name, rule_reserved,
	    "-term");

	if (strcmp(plain, name) != 0)
		diag_warning(&b->loc, "term '%s' has the name of an earlier "
		    "term or of the import's own rule; its rule is '%s'",
		    b->name, name);
	return name;
}

/* The default, the rules of the import's own and the rule names. */
static int
shape(struct m *m)
{
	struct aer_pol *p = m->p;
	struct aer_rule *last = p->nrules > 0 ? &p->rules[p->nrules - 1] :
	    NULL;
	bool in = m->dir == AER_DIR_IN;
	size_t i;

	if (last != NULL && match_all(last)) {
		p->def = last->action == IR_ALLOW ? IR_DEF_ACCEPT :
		    IR_DEF_DENY;
		for (i = 0; i < last->notes.n; i++)
			aer_strs_add(m->a, &m->pending, last->notes.v[i]);
		note(m, m->src[m->nsrc - 1], arena_printf(m->a, "matches "
		    "everything and ends the filter: it is default: %s",
		    ir_default_name[p->def]));
		p->nrules--;
		m->nsrc--;
	} else if (target_default(m, &p->def) < 0)
		return -1;
	p->tail = m->pending;
	if (p->def == IR_DEF_NONE && m->fam != AER_MIXED && p->nrules > 0) {
		diag_error(&m->tg[0].kv->v[0].loc, "an %s chain of its own "
		    "returns the other family's packets undecided, which an "
		    "egressc policy cannot say", aer_fam_name(m->fam));
		return -1;
	}
	if (in && p->def == IR_DEF_DENY && p->nrules == 0)
		own_rule(m, "aerleon-input-denied", NULL, true, IR_DENY,
		    "The Aerleon filter lets nothing in");
	if (m->fam != AER_MIXED && (p->nrules > 0 ||
	    p->def == IR_DEF_DENY))
		own_rule(m, m->fam == AER_V4 ? "aerleon-ipv6-unfiltered" :
		    "aerleon-ipv4-unfiltered", m->fam == AER_V4 ? "::/0" :
		    "0.0.0.0/0", in, IR_ALLOW, m->fam == AER_V4 ?
		    "The Aerleon filter is inet: it leaves IPv6 alone" :
		    "The Aerleon filter is inet6: it leaves IPv4 alone");
	if (in && p->def == IR_DEF_DENY)
		own_rule(m, "aerleon-egress-unfiltered", "any", false,
		    IR_ALLOW, "The Aerleon filter is an input filter: it "
		    "leaves outbound traffic alone");
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].inbound)
			p->inbound = true;
		if (m->src[i] != NULL)
			p->rules[i].name = rule_name(m, m->src[i]);
	}
	return 0;
}

/* egressc's own lines, which decide before any rule: said once. */
static void
own_lines(struct m *m)
{
	const struct loc *l = &m->f->hdr.loc;

	if (m->p->def == IR_DEF_ACCEPT)
		diag_warning(l, "egressc lets return traffic and loopback "
		    "through before the first rule");
	else if (m->p->def == IR_DEF_DENY && m->p->inbound)
		diag_warning(l, "egressc's default: deny lets return traffic, "
		    "loopback and IPv6 neighbour discovery (ICMPv6 133-136) "
		    "through before the first rule");
	else if (m->p->def == IR_DEF_DENY)
		diag_warning(l, "egressc's default: deny lets return traffic, "
		    "loopback and IPv6 neighbour discovery (ICMPv6 133, 135, "
		    "136) out before the first rule, and drops replies to "
		    "connections opened from outside");
}

/* The header's comments, the description and the targets line. */
static void
header(struct m *m)
{
	const struct aer_block *h = &m->f->hdr;
	struct out o, d;
	size_t i, k;

	out_init(&d);
	aer_strs_add(m->a, &m->p->head, arena_printf(m->a, "Imported by "
	    "egressc import aerleon: filter %zu of %zu of", m->idx + 1,
	    m->file->n));
	aer_strs_add(m->a, &m->p->head, arena_printf(m->a, "%s, its header "
	    "at %s.", m->file->path, where(m, &h->loc)));
	aer_strs_add(m->a, &m->p->head, "The filter's Aerleon targets:");
	for (i = 0; i < h->n; i++) {
		const struct aer_kv *kv = &h->kv[i];

		if (strcmp(kv->key, "comment") == 0) {
			for (k = 0; k < kv->n; k++)
				out_printf(&d, "%s%s", d.len > 0 ? "\n" : "",
				    kv->v[k].s);
			continue;
		}
		if (strcmp(kv->key, "target") != 0) {
			diag_warning(&kv->loc, "%s:: is left out: egressc has "
			    "no configuration groups", kv->key);
			continue;
		}
		out_init(&o);
		out_puts(&o, "  ");
		for (k = 0; k < kv->n; k++)
			out_printf(&o, "%s%s", k > 0 ? " " : "", kv->v[k].s);
		aer_strs_add(m->a, &m->p->head, arena_strdup(m->a,
		    out_str(&o)));
		out_free(&o);
	}
	if (d.len > 0)
		m->p->description = trimmed(m->a, out_str(&d));
	out_free(&d);
}

int
aer_map(struct arena *a, const struct aer_file *f, size_t i,
    struct aer_names *nm, const char *name, struct aer_pol *p)
{
	struct m m;

	memset(&m, 0, sizeof(m));
	memset(p, 0, sizeof(*p));
	m.a = a;
	m.file = f;
	m.f = &f->f[i];
	m.idx = i;
	m.nm = nm;
	m.p = p;
	p->name = name;
	if (read_targets(&m) < 0 || filter_kind(&m) < 0)
		return -1;
	if (m.f->n == 0) {
		diag_error(&m.f->hdr.loc, "the filter has no terms, and Aerleon "
		    "renders none of it");
		return -1;
	}
	header(&m);
	terms(&m);
	if (m.bad || shape(&m) < 0)
		return -1;
	own_lines(&m);
	return 0;
}
