/*
 * svc.c - protocol and port sets: what a rule matches above the network
 * layer, and the one parser of how a policy and explain write it.  "all"
 * stands for every protocol, every port and message, so it is kept as a
 * flag rather than as full sets; svc_full() also knows the sets that add
 * up to it.
 */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include "ir/icmp.h"
#include "ir/svc.h"

const char *const proto_name[P_N] = { "tcp", "udp", "icmp", "icmpv6",
	"sctp" };
const unsigned proto_ipp[P_N] = { 6, 17, 1, 58, 132 };

const char *const svc_proto_words[] = {
	"tcp", "udp", "sctp", "icmp", "icmpv6", "gre", "esp", "ah", "proto",
	NULL
};

/* Protocols named by a word, taken whole. */
static const struct {
	const char	*name;
	unsigned	 ipp;
} ipp_words[] = {
	{ "gre", 47 }, { "esp", 50 }, { "ah", 51 },
};
#define NIPP_WORDS	(sizeof(ipp_words) / sizeof(ipp_words[0]))

void
svc_init(struct svc *s)
{
	int p;

	s->all = false;
	for (p = 0; p < P_N; p++)
		iset_init(&s->p[p]);
	iset_init(&s->ipp);
}

u128
proto_max(enum proto p)
{
	(void)p;
	return 65535;
}

bool
proto_has_ports(enum proto p)
{
	return p == P_TCP || p == P_UDP || p == P_SCTP;
}

int
proto_of_ipp(unsigned ipp)
{
	int p;

	for (p = 0; p < P_N; p++)
		if (proto_ipp[p] == ipp)
			return p;
	return -1;
}

bool
proto_in_fam(enum proto p, enum fam f)
{
	if (p == P_ICMP)
		return f == FAM_V4;
	if (p == P_ICMP6)
		return f == FAM_V6;
	return true;
}

bool
ipp_in_fam(unsigned ipp, enum fam f)
{
	static const unsigned ext6[] = { 0, 43, 44, 51, 59, 60 };
	size_t i;

	if (ipp > 255)
		return false;
	if (proto_of_ipp(ipp) >= 0)
		return proto_in_fam((enum proto)proto_of_ipp(ipp), f);
	for (i = 0; f == FAM_V6 && i < sizeof(ext6) / sizeof(ext6[0]); i++)
		if (ext6[i] == ipp)
			return false;
	return true;
}

const char *
ipp_name(unsigned ipp)
{
	size_t i;
	int p = proto_of_ipp(ipp);

	if (p >= 0)
		return proto_name[p];
	for (i = 0; i < NIPP_WORDS; i++)
		if (ipp_words[i].ipp == ipp)
			return ipp_words[i].name;
	return NULL;
}

/*
 * The other protocols of each family (and of both, FAM_N), as runs of
 * numbers: the passes ask for them once per rule and pair of rules, and
 * working them out number by number was a fifth of lint.  Made once, by
 * whichever thread asks first.
 */
static struct {
	unsigned	lo[256], hi[256];
	size_t		n;
} others[FAM_N + 1];
static pthread_once_t others_once = PTHREAD_ONCE_INIT;

static void
others_make(void)
{
	unsigned n;
	int f;

	for (f = 0; f <= FAM_N; f++)
		for (n = 0; n < 256; n++) {
			if (proto_of_ipp(n) >= 0 || (f != FAM_N &&
			    !ipp_in_fam(n, (enum fam)f)))
				continue;
			if (others[f].n > 0 &&
			    others[f].hi[others[f].n - 1] + 1 == n) {
				others[f].hi[others[f].n - 1] = n;
				continue;
			}
			others[f].lo[others[f].n] = others[f].hi[others[f].n] =
			    n;
			others[f].n++;
		}
}

void
ipp_others(struct arena *a, struct iset *out, enum fam f)
{
	size_t i;

	pthread_once(&others_once, others_make);
	iset_init(out);
	for (i = 0; i < others[f].n; i++)
		iset_add(a, out, others[f].lo[i], others[f].hi[i]);
	iset_norm(out);
}

void
svc_union(struct arena *a, struct svc *dst, const struct svc *src)
{
	int p;

	if (src->all)
		dst->all = true;
	for (p = 0; p < P_N; p++)
		iset_union(a, &dst->p[p], &src->p[p]);
	iset_union(a, &dst->ipp, &src->ipp);
}

void
svc_norm(struct svc *s)
{
	int p;

	for (p = 0; p < P_N; p++)
		iset_norm(&s->p[p]);
	iset_norm(&s->ipp);
}

bool
svc_empty(const struct svc *s)
{
	int p;

	if (s->all)
		return false;
	for (p = 0; p < P_N; p++)
		if (!iset_empty(&s->p[p]))
			return false;
	return iset_empty(&s->ipp);
}

/* Every other protocol: 256 numbers less the five of P_*. */
static bool
ipp_full(const struct iset *s)
{
	return iset_count(s) == 256 - P_N;
}

bool
svc_full(const struct svc *s)
{
	int p;

	if (s->all)
		return true;
	for (p = 0; p < P_N; p++)
		if (!iset_full(&s->p[p], proto_max(p)))
			return false;
	return ipp_full(&s->ipp);
}

bool
svc_has_proto(const struct svc *s, enum proto p)
{
	return s->all || !iset_empty(&s->p[p]);
}

bool
svc_proto_full(const struct svc *s, enum proto p)
{
	return s->all || iset_full(&s->p[p], proto_max(p));
}

bool
svc_has_ipp(const struct svc *s, unsigned ipp)
{
	if (ipp > 255 || proto_of_ipp(ipp) >= 0)
		return false;
	return s->all || iset_has(&s->ipp, ipp);
}

bool
svc_match(const struct svc *s, enum fam f, unsigned ipp, unsigned port)
{
	int p = proto_of_ipp(ipp);

	if (s->all)
		return true;
	if (!ipp_in_fam(ipp, f))
		return false;
	if (p < 0)
		return iset_has(&s->ipp, ipp);
	return port <= proto_max(p) && iset_has(&s->p[p], port);
}

bool
svc_equal(const struct svc *x, const struct svc *y)
{
	int p;

	/* all also matches protocols beyond those written: only sets that
	 * add up to everything equal it. */
	if (svc_full(x) || svc_full(y))
		return svc_full(x) == svc_full(y);
	for (p = 0; p < P_N; p++)
		if (!iset_equal(&x->p[p], &y->p[p]))
			return false;
	return iset_equal(&x->ipp, &y->ipp);
}

bool
svc_covers(const struct svc *a, const struct svc *b)
{
	int p;

	if (svc_full(a))
		return true;
	if (b->all)
		return false;
	for (p = 0; p < P_N; p++)
		if (!iset_subset(&b->p[p], &a->p[p]))
			return false;
	return iset_subset(&b->ipp, &a->ipp);
}

/* "65535" -> 65535; -1 when not a number, -2 past max. */
static long
svc_num(const char *s, size_t len, long max)
{
	long v = 0;
	size_t i;

	/* No leading zeros: "0443" is more likely a typo than port 443. */
	if (len == 0 || len > 6 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -2;
}

/* PORT or LO-HI of tcp, udp or sctp (rest: after the slash). */
static int
svc_ports(struct arena *a, const char *s, const char *rest, bool packet,
    struct svc_item *it, const char **why)
{
	const char *dash = strchr(rest, '-');
	long lo, hi;

	if (strchr(rest, '/') != NULL) {
		*why = arena_printf(a, "only icmp and icmpv6 take a code, not "
		    "'%s'", s);
		return -1;
	}
	if (dash != NULL && packet) {
		*why = arena_printf(a, "one port is needed, not the range in "
		    "'%s'", s);
		return -1;
	}
	lo = svc_num(rest, dash ? (size_t)(dash - rest) : strlen(rest), 65535);
	hi = dash ? svc_num(dash + 1, strlen(dash + 1), 65535) : lo;
	if ((lo == -1 || hi == -1) && icmp_is_name(rest)) {
		*why = arena_printf(a, "'%s' is an ICMP message, not a port: "
		    "write icmp/%s or icmpv6/%s", rest, rest, rest);
		return -1;
	}
	if (lo == -1 || hi == -1) {
		*why = arena_printf(a, "bad port '%s'", s);
		return -1;
	}
	if (lo == -2 || hi == -2) {
		*why = arena_printf(a, "port out of range in '%s' (at most "
		    "65535)", s);
		return -1;
	}
	/* A packet may come from port 0; a rule cannot match it. */
	if (lo == 0 && !packet) {
		*why = arena_printf(a, "port 0 in '%s' cannot be matched", s);
		return -1;
	}
	if (lo > hi) {
		*why = arena_printf(a, "range '%s' runs backwards", s);
		return -1;
	}
	it->v.lo = (u128)lo;
	it->v.hi = (u128)hi;
	return 0;
}

/* proto/N: any protocol by number; the five of P_* become that protocol,
 * every port. */
static int
svc_number(struct arena *a, const char *s, const char *rest,
    struct svc_item *it, const char **why)
{
	long n = rest != NULL ? svc_num(rest, strlen(rest), 255) : -1;

	if (n < 0) {
		*why = arena_printf(a, "'%s' needs one IP protocol number, 0 "
		    "to 255 (proto/47)", s);
		return -1;
	}
	it->ipp = (unsigned)n;
	it->proto = proto_of_ipp(it->ipp);
	if (it->proto < 0)
		it->proto = P_N;
	it->whole = true;
	return 0;
}

int
svc_parse_item(struct arena *a, const char *s, bool packet,
    struct svc_item *it, const char **why, const char **near)
{
	const char *slash = strchr(s, '/'), *rest = slash ? slash + 1 : NULL;
	size_t wlen = slash ? (size_t)(slash - s) : strlen(s), i;
	int p;

	memset(it, 0, sizeof(*it));
	*why = *near = NULL;
	if (wlen == 5 && strncmp(s, "proto", 5) == 0)
		return svc_number(a, s, rest, it, why);
	for (i = 0; i < NIPP_WORDS; i++)
		if (strlen(ipp_words[i].name) == wlen &&
		    strncmp(s, ipp_words[i].name, wlen) == 0) {
			if (slash != NULL) {
				*why = arena_printf(a, "'%.*s' takes no ports "
				    "or types ('%s')", (int)wlen, s, s);
				return -1;
			}
			it->proto = P_N;
			it->ipp = ipp_words[i].ipp;
			it->whole = true;
			return 0;
		}
	for (p = 0; p < P_N; p++)
		if (strlen(proto_name[p]) == wlen &&
		    strncmp(s, proto_name[p], wlen) == 0)
			break;
	if (p == P_N)
		return 1;
	it->proto = p;
	it->ipp = proto_ipp[p];
	if (slash == NULL) {
		it->whole = true;
		return 0;
	}
	if (proto_has_ports(p))
		return svc_ports(a, s, rest, packet, it, why);
	if (icmp_parse(a, p == P_ICMP ? FAM_V4 : FAM_V6, rest, !packet, &it->v,
	    why, near) < 0) {
		*why = arena_printf(a, "%s in '%s'", *why, s);
		return -1;
	}
	return 0;
}

void
svc_add_item(struct arena *a, struct svc *s, const struct svc_item *it)
{
	if (it->proto == P_N)
		iset_add(a, &s->ipp, it->ipp, it->ipp);
	else if (it->whole)
		iset_add(a, &s->p[it->proto], 0, proto_max(it->proto));
	else
		iset_add(a, &s->p[it->proto], it->v.lo, it->v.hi);
}
