/*
 * svc.c - protocol and port sets: what a rule matches above the network
 * layer.  "all" stands for every protocol (not only the four we name), so
 * it is kept as a flag rather than as four full sets.
 */
#include "ir/svc.h"

const char *const proto_name[P_N] = { "tcp", "udp", "icmp", "icmpv6" };

void
svc_init(struct svc *s)
{
	int p;

	s->all = false;
	for (p = 0; p < P_N; p++)
		iset_init(&s->p[p]);
}

u128
proto_max(enum proto p)
{
	return p == P_TCP || p == P_UDP ? 65535 : 255;
}

void
svc_union(struct arena *a, struct svc *dst, const struct svc *src)
{
	int p;

	if (src->all)
		dst->all = true;
	for (p = 0; p < P_N; p++)
		iset_union(a, &dst->p[p], &src->p[p]);
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
	return true;
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
svc_match(const struct svc *s, enum proto p, unsigned port)
{
	if (s->all)
		return true;
	if ((unsigned)p >= P_N || port > proto_max(p))
		return false;
	return iset_has(&s->p[p], port);
}

bool
svc_equal(const struct svc *x, const struct svc *y)
{
	int p;

	/* all also matches protocols beyond our four, so it equals only all. */
	if (x->all || y->all)
		return x->all == y->all;
	for (p = 0; p < P_N; p++)
		if (!iset_equal(&x->p[p], &y->p[p]))
			return false;
	return true;
}

bool
svc_covers(const struct svc *a, const struct svc *b)
{
	int p;

	/* Only all covers all: it matches protocols beyond our four. */
	if (a->all)
		return true;
	if (b->all)
		return false;
	for (p = 0; p < P_N; p++)
		if (!iset_subset(&b->p[p], &a->p[p]))
			return false;
	return true;
}
