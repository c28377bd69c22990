/*
 * windows.c - one lowered IR rule as Windows Firewall rules (see
 * windows.h).  netsh.c and powershell.c spell the result; this file
 * decides what there is to spell, so both scripts always say the same.
 */
#include <string.h>

#include "backend/windows.h"
#include "ir/icmp.h"

static void
win_push(struct arena *a, struct win_list *l, const char *s)
{
	ARENA_PUSH(a, l->v, l->n, l->cap);
	l->v[l->n - 1] = s;
}

/* Is the interval exactly one prefix?  Then its length, else -1. */
static int
win_prefix_len(enum fam f, u128 lo, u128 hi)
{
	u128 span = hi - lo;
	int len = fam_bits(f);

	/* A prefix spans host bits all ones, and starts with them clear. */
	if ((span & (span + 1)) != 0 || (lo & span) != 0)
		return -1;
	for (; span != 0; span >>= 1)
		len--;
	return len > 0 ? len : -1;	/* /0: written as a range, which
					 * every build takes */
}

/*
 * An address set as list items: "192.0.2.1", "198.51.100.0/24",
 * "10.0.0.1-10.0.0.9", only for the families in fams.  Empty (meaning
 * "any") when the set holds every address of both families.
 */
static void
win_addrs(struct arena *a, struct win_list *l, const struct aset *s,
    const bool fams[FAM_N])
{
	char b[2 * ADDR_STRLEN];
	enum fam f;
	size_t i, n;

	memset(l, 0, sizeof(*l));
	if (aset_fam_full(s, FAM_V4) && aset_fam_full(s, FAM_V6))
		return;
	for (f = 0; f < FAM_N; f++) {
		const struct iset *is = &s->f[f];

		if (!fams[f])
			continue;
		for (i = 0; i < is->n; i++) {
			u128 lo = is->v[i].lo, hi = is->v[i].hi;
			int len = win_prefix_len(f, lo, hi);

			if (len > 0) {
				win_push(a, l, addr_strdup(a, f, lo, len));
				continue;
			}
			n = addr_write(b, f, lo, fam_bits(f));
			b[n++] = '-';
			n += addr_write(b + n, f, hi, fam_bits(f));
			win_push(a, l, arena_strndup(a, b, n));
		}
	}
}

/* Ports ("443", "50000-60000"); empty when the set is full. */
static void
win_ports(struct arena *a, struct win_list *l, const struct iset *is,
    u128 max)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	if (iset_full(is, max))
		return;
	for (i = 0; i < is->n; i++) {
		unsigned lo = is->v[i].lo, hi = is->v[i].hi;

		if (lo == hi)
			win_push(a, l, arena_printf(a, "%u", lo));
		else
			win_push(a, l, arena_printf(a, "%u-%u", lo, hi));
	}
}

/*
 * ICMP messages one by one, "TYPE" or "TYPE:CODE" (no Windows syntax
 * takes a range of either); empty when the set is full.
 */
static void
win_icmp(struct arena *a, struct win_list *l, const struct iset *is)
{
	struct icmp_msg *m;
	size_t n, i;

	memset(l, 0, sizeof(*l));
	if (iset_full(is, 65535))
		return;
	n = icmp_messages(a, is, &m);
	for (i = 0; i < n; i++)
		win_push(a, l, m[i].code < 0 ? arena_printf(a, "%u",
		    m[i].type) : arena_printf(a, "%u:%d", m[i].type,
		    m[i].code));
}

/*
 * A rule of a protocol that only one family carries (ICMP, ICMPv6, an
 * IPv6 extension header taken for IPv4's protocol): its addresses of that
 * family only; false when the rule has none to go to there.
 */
static bool
win_one_fam(struct arena *a, struct win_rule *x, const struct aset *remote,
    const struct aset *local, bool names, enum fam f)
{
	bool only[FAM_N] = { f == FAM_V4, f == FAM_V6 };

	if (!names)
		win_addrs(a, &x->remote, remote, only);
	win_addrs(a, &x->local, local, only);
	return names || x->remote.n > 0 || aset_fam_full(remote, f);
}

size_t
win_rules(struct arena *a, const struct ir_rule *r, bool names,
    struct win_rule **out)
{
	static const char *const pname[P_N] = {
		"TCP", "UDP", "ICMPv4", "ICMPv6", "132"
	};
	const struct aset *remote, *local;
	struct win_rule *v = NULL, w;
	bool fams[FAM_N], anyfam = false;
	size_t n = 0, cap = 0, i;
	enum fam f;
	int p;
	u128 num;

	if (names && r->nnames == 0)
		return 0;
	/* Inbound: the peer is the source, the ports are ours. */
	remote = r->dir == IR_INBOUND ? &r->src : &r->dst;
	local = r->dir == IR_INBOUND ? &r->dst : &r->src;
	for (f = 0; f < FAM_N; f++) {
		fams[f] = !iset_empty(&local->f[f]) &&
		    (names || !iset_empty(&remote->f[f]));
		anyfam |= fams[f];
	}
	if (!anyfam)
		return 0;
	memset(&w, 0, sizeof(w));
	if (!names)
		win_addrs(a, &w.remote, remote, fams);
	win_addrs(a, &w.local, local, fams);

	if (r->svc.all) {
		ARENA_PUSH(a, v, n, cap);
		v[n - 1] = w;
		*out = v;
		return n;
	}
	for (p = 0; p < P_N; p++) {
		struct win_rule x = w;

		if (!svc_has_proto(&r->svc, p))
			continue;
		if ((p == P_ICMP && !fams[FAM_V4]) ||
		    (p == P_ICMP6 && !fams[FAM_V6]))
			continue;
		x.proto = pname[p];
		if (proto_has_ports(p))
			win_ports(a, &x.ports, &r->svc.p[p], proto_max(p));
		else {
			win_icmp(a, &x.types, &r->svc.p[p]);
			if (!win_one_fam(a, &x, remote, local, names,
			    p == P_ICMP ? FAM_V4 : FAM_V6))
				continue;
		}
		ARENA_PUSH(a, v, n, cap);
		v[n - 1] = x;
	}
	/* Other protocols by number, a rule each (-Protocol takes one). */
	for (i = 0; i < r->svc.ipp.n; i++)
		for (num = r->svc.ipp.v[i].lo; num <= r->svc.ipp.v[i].hi;
		    num++) {
			struct win_rule o = w;

			o.proto = arena_printf(a, "%u", (unsigned)num);
			if (!ipp_in_fam((unsigned)num, FAM_V6) &&
			    (!fams[FAM_V4] || !win_one_fam(a, &o, remote,
			    local, names, FAM_V4)))
				continue;
			ARENA_PUSH(a, v, n, cap);
			v[n - 1] = o;
		}
	*out = v;
	return n;
}
