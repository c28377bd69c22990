/*
 * model.c - the lowered IR turned into the nftables model (see nft.h).
 *
 * This is the one place that decides what the nftables table of a policy
 * holds: its name and chain names (checked here, once, for both writers),
 * the prologue every base chain starts with, and the lines a policy rule
 * becomes, one per family and protocol (be_matches) and, for ICMP, per
 * group of types with the same codes, each with its address and port
 * matches as a single value or an anonymous set.  A rule with host names
 * matches its destinations in named sets instead, two lines for each of
 * those: the floor set (what the lock and the policy say) and the
 * dynamic set (what DNS says later); see nft.h.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "ir/icmp.h"
#include "nft/nft.h"
#include "util/radix.h"
#include "util/strset.h"

const char *const nft_field_name[NFT_F_N] = {
	"meta nfproto", "meta l4proto", "oif", "iif", "ct state",
	"ct direction", "ip saddr", "ip daddr", "ip6 saddr", "ip6 daddr",
	"tcp dport", "udp dport", "sctp dport", "icmp type", "icmp code",
	"icmpv6 type", "icmpv6 code", "th dport",
};

/* nftables' numbers for what the IR names by enum. */
static const unsigned nfproto[FAM_N] = { 2, 10 };
/* The port or ICMP type field of each protocol, and the ICMP code. */
static const enum nft_field port_field[P_N] = {
	NFT_F_TCP_DPORT, NFT_F_UDP_DPORT, NFT_F_ICMP_TYPE, NFT_F_ICMP6_TYPE,
	NFT_F_SCTP_DPORT,
};
static const enum nft_field code_field[P_N] = {
	[P_ICMP] = NFT_F_ICMP_CODE, [P_ICMP6] = NFT_F_ICMP6_CODE,
};

struct build {
	struct arena		*a;
	struct nft_table	*t;
	const struct be_opts	*bo;
	const char		**stems;	/* nft_set_stems() */
};


/* The verdict of a policy rule's action. */
static const enum nft_verdict verdict_of[] = {
	[IR_ALLOW] = NFT_V_ACCEPT, [IR_DENY] = NFT_V_DROP,
	[IR_REJECT] = NFT_V_REJECT,
};

static struct nft_rule *
rule_new(struct build *b, struct nft_chain *c, const struct ir_rule *src,
    enum nft_verdict verdict)
{
	struct nft_rule *r;

	ARENA_PUSH(b->a, c->rules, c->nrules, c->caprules);
	r = &c->rules[c->nrules - 1];
	memset(r, 0, sizeof(*r));
	r->verdict = verdict;
	r->src = src;
	return r;
}

static struct nft_match *
match_new(struct build *b, struct nft_rule *r, enum nft_field f, bool neg)
{
	struct nft_match *m;

	ARENA_PUSH(b->a, r->m, r->nm, r->capm);
	m = &r->m[r->nm - 1];
	memset(m, 0, sizeof(*m));
	m->field = f;
	m->neg = neg;
	iset_init(&m->val.v);
	return m;
}

/* field == v (one value, or several bits of a flags field). */
static struct nft_match *
match_value(struct build *b, struct nft_rule *r, enum nft_field f, bool neg,
    unsigned v)
{
	struct nft_match *m = match_new(b, r, f, neg);

	iset_add(b->a, &m->val.v, v, v);
	iset_norm(&m->val.v);
	return m;
}

static void
match_ifname(struct build *b, struct nft_rule *r, enum nft_field f, bool neg,
    const char *name)
{
	match_new(b, r, f, neg)->ifname = name;
}

/* More than one element: the values go into an anonymous set. */
static void
to_set(struct build *b, struct nft_match *m, bool interval)
{
	struct nft_set *s = arena_alloc(b->a, sizeof(*s));

	s->key[0] = m->field;
	s->nkeys = 1;
	s->flags = NFT_SETF_CONSTANT | (interval ? NFT_SETF_INTERVAL : 0);
	s->elems = m->val;
	memset(&m->val, 0, sizeof(m->val));
	iset_init(&m->val.v);
	m->set = s;
	ARENA_PUSH(b->a, b->t->sets, b->t->nsets, b->t->capsets);
	b->t->sets[b->t->nsets - 1] = s;
}

static void
match_addrs(struct build *b, struct nft_rule *r, enum nft_field f,
    const struct aset *as, enum fam fam)
{
	struct nft_match *m = match_new(b, r, f, false);
	bool interval = false;
	size_t i;

	iset_copy(b->a, &m->val.v, &as->f[fam]);
	m->val.npfx = aset_prefixes(b->a, as, fam, &m->val.pfx);
	for (i = 0; i < m->val.npfx; i++)
		if (m->val.pfx[i].len < fam_bits(fam))
			interval = true;
	if (m->val.npfx > 1)
		to_set(b, m, interval);
}

static void
match_ports(struct build *b, struct nft_rule *r, enum nft_field f,
    const struct iset *ports)
{
	struct nft_match *m = match_new(b, r, f, false);
	bool interval = false;
	size_t i;

	iset_copy(b->a, &m->val.v, ports);
	for (i = 0; i < ports->n; i++)
		if (ports->v[i].lo != ports->v[i].hi)
			interval = true;
	if (ports->n > 1)
		to_set(b, m, interval);
}

/*
 * What every base chain starts with.  A reply is all a connection opened
 * from outside needs: a closed host refuses to send one (see
 * ir_closes_inbound).  Then what belongs to a connection already let
 * through, and loopback, are accepted before any policy rule is looked at.
 */
static void
prologue(struct build *b, struct nft_chain *c)
{
	enum nft_field lo = c->dir == IR_INBOUND ? NFT_F_IIF : NFT_F_OIF;
	struct nft_rule *r;
	struct nft_match *m;

	if (c->dir == IR_EGRESS && ir_closes_inbound(b->t->ir)) {
		r = rule_new(b, c, NULL, NFT_V_DROP);
		match_ifname(b, r, NFT_F_OIF, true, "lo");
		match_value(b, r, NFT_F_CTDIR, false, NFT_CT_DIR_REPLY);
	}
	r = rule_new(b, c, NULL, NFT_V_ACCEPT);
	m = match_value(b, r, NFT_F_CTSTATE, false, NFT_CT_ESTABLISHED);
	iset_add(b->a, &m->val.v, NFT_CT_RELATED, NFT_CT_RELATED);
	iset_norm(&m->val.v);
	r = rule_new(b, c, NULL, NFT_V_ACCEPT);
	match_ifname(b, r, lo, false, "lo");
}

/* A new line of the policy rule with its address matches, or the family
 * when no address says it. */
static struct nft_rule *
line_new(struct build *b, struct nft_chain *c, const struct ir_rule *pr,
    int fam, struct nft_set *dset)
{
	struct nft_rule *r = rule_new(b, c, pr, verdict_of[pr->action]);
	enum fam f = (enum fam)fam;
	bool sel = false;

	if (pr->log)
		r->log_prefix = arena_printf(b->a, "egressc %s ", pr->name);
	r->comment = be_rule_comment(b->bo, pr);
	if (fam < 0)
		return r;
	if (!aset_fam_full(&pr->src, f)) {
		match_addrs(b, r, f == FAM_V4 ? NFT_F_IP_SADDR :
		    NFT_F_IP6_SADDR, &pr->src, f);
		sel = true;
	}
	if (dset != NULL) {
		match_new(b, r, f == FAM_V4 ? NFT_F_IP_DADDR :
		    NFT_F_IP6_DADDR, false)->set = dset;
		sel = true;
	} else if (!aset_fam_full(&pr->dst, f)) {
		match_addrs(b, r, f == FAM_V4 ? NFT_F_IP_DADDR :
		    NFT_F_IP6_DADDR, &pr->dst, f);
		sel = true;
	}
	if (!sel)
		match_value(b, r, NFT_F_NFPROTO, false, nfproto[f]);
	return r;
}

/*
 * ICMP messages: one line per group of types that take the same codes
 * (icmp_groups), `icmp type T` alone when every code goes, else with
 * `icmp code C` after it, as nft writes a type and its code.
 */
static void
icmp_lines(struct build *b, struct nft_chain *c, const struct ir_rule *pr,
    const struct be_match *x, struct nft_set *dset)
{
	struct icmp_group *g;
	struct nft_rule *r;
	size_t n, i;

	n = icmp_groups(b->a, x->ports, &g);
	for (i = 0; i < n; i++) {
		r = line_new(b, c, pr, x->fam, dset);
		match_ports(b, r, port_field[x->proto], &g[i].types);
		if (!g[i].every_code)
			match_ports(b, r, code_field[x->proto], &g[i].codes);
	}
}

/* One (family, protocol, ports) of the policy rule, its destinations in
 * dset when that is not NULL. */
static void
policy_line(struct build *b, struct nft_chain *c, const struct ir_rule *pr,
    const struct be_match *x, struct nft_set *dset)
{
	struct nft_rule *r;

	if (x->ports != NULL && !proto_has_ports(x->proto)) {
		icmp_lines(b, c, pr, x, dset);
		return;
	}
	r = line_new(b, c, pr, x->fam, dset);
	if (x->proto < 0)
		return;
	if (x->ports == NULL)
		match_value(b, r, NFT_F_L4PROTO, false, x->ipp);
	else
		match_ports(b, r, port_field[x->proto], x->ports);
}

static struct nft_set *
named_set(struct build *b, const struct ir_rule *pr, enum fam f, bool dyn)
{
	struct nft_set *s = arena_alloc(b->a, sizeof(*s));
	const struct ir *ir = b->t->ir;

	s->name = nft_set_name(b->a, b->stems[pr - ir->rules], f, dyn);
	s->key[0] = f == FAM_V4 ? NFT_F_IP_DADDR : NFT_F_IP6_DADDR;
	s->nkeys = 1;
	s->rule = pr;
	s->fam = f;
	iset_init(&s->elems.v);
	if (dyn) {
		s->flags = NFT_SETF_TIMEOUT;
		s->timeout_ms = (uint64_t)ir->dyn.timeout * 1000;
		b->t->ndynamic++;
	} else {
		s->flags = NFT_SETF_INTERVAL;
		iset_copy(b->a, &s->elems.v, &pr->dst.f[f]);
		s->elems.npfx = aset_prefixes(b->a, &pr->dst, f,
		    &s->elems.pfx);
	}
	ARENA_PUSH(b->a, b->t->sets, b->t->nsets, b->t->capsets);
	b->t->sets[b->t->nsets - 1] = s;
	return s;
}

/* The floor and dynamic sets of the rule in family f, made on first use:
 * floor before dynamic, IPv4 before IPv6, in rule order. */
static void
dyn_sets(struct build *b, const struct ir_rule *pr, enum fam f,
    struct nft_set **set)
{
	size_t i;

	for (i = 0; i < b->t->nsets; i++)
		if (b->t->sets[i]->rule == pr && b->t->sets[i]->fam == f) {
			set[0] = b->t->sets[i];
			set[1] = b->t->sets[i + 1];
			return;
		}
	set[0] = named_set(b, pr, f, false);
	set[1] = named_set(b, pr, f, true);
}

/*
 * One line per (family, protocol, ports) of the policy rule.  A rule with
 * host names has a line per family wherever it has a source, so that an
 * IPv6 answer has a set to go to even when the lock has none; each line
 * is two, floor set and dynamic set, unless the rule already takes every
 * address of the family.
 */
static void
policy_rule(struct build *b, struct nft_chain *c, const struct ir_rule *pr)
{
	unsigned caps = b->bo->be->caps;
	const struct ir_rule *mr = pr;
	struct ir_rule tmp;
	struct nft_set *set[2];
	struct be_match *bm;
	size_t n, i;

	if (pr->nhosts > 0) {
		tmp = *pr;
		aset_init(&tmp.dst);
		aset_any(b->a, &tmp.dst);
		mr = &tmp;
		caps &= ~(unsigned)BE_MIXED_FAM;
	}
	n = be_matches(b->a, mr, caps, &bm);
	for (i = 0; i < n; i++) {
		const struct be_match *x = &bm[i];

		if (pr->nhosts == 0 || x->fam < 0 ||
		    aset_fam_full(&pr->dst, (enum fam)x->fam)) {
			policy_line(b, c, pr, x, NULL);
			continue;
		}
		dyn_sets(b, pr, (enum fam)x->fam, set);
		policy_line(b, c, pr, x, set[0]);
		policy_line(b, c, pr, x, set[1]);
	}
}


/* ---- runs: adjacent lines of one verdict as one set lookup ---------- */

/* What a line that can merge matches: a family (-1: both), its
 * destinations (NULL: every one), a protocol and its ports (NULL: every
 * one). */
struct mline {
	int			 fam;
	const struct iset	*addr;
	unsigned		 proto;
	const struct iset	*ports;
};

/* One element being made, before overlaps are cut out. */
struct box {
	u128			 alo, ahi;
	unsigned		 plo, phi;
	unsigned		 proto;
	enum fam		 fam;
	const struct ir_rule	*rule;
};

/* The scratch arrays of a run are malloc'd and freed once it is made:
 * only its elements stay, in the arena. */
#define SCRATCH_PUSH(v, n, cap) do {					\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 16;				\
		(v) = xrealloc((v), (cap) * sizeof(*(v)));		\
	}								\
	(n)++;								\
} while (0)

/* An element's place in the sweep's order (run_order). */
struct elem_key {
	u128		 key;
	size_t		 i;
};
_Static_assert(sizeof(struct elem_key) % 16 == 0, "radix_sort's records");

/*
 * The indices of set s's elements in order of protocol and lowest
 * address, the earlier first where those are the same; malloc'd.  IPv4
 * in one sort of 16-byte records (the index above the bits sorted on,
 * where a stable sort leaves it), IPv6 by address, then by protocol.
 */
static size_t *
run_order(const struct nft_set *s)
{
	size_t i, n = s->ntv, *by = xmalloc((n + 1) * sizeof(*by));
	struct elem_key *k;
	u128 *k4;

	if (s->fam == FAM_V4) {
		k4 = xmalloc((n + 1) * sizeof(*k4));
		for (i = 0; i < n; i++)
			k4[i] = (u128)i << 64 | (u128)s->tv[i].lo[0] << 32 |
			    s->tv[i].addr.lo;
		radix_sort(k4, n, sizeof(*k4), 40);
		for (i = 0; i < n; i++)
			by[i] = (size_t)(k4[i] >> 64);
		free(k4);
		return by;
	}
	k = xmalloc((n + 1) * sizeof(*k));
	for (i = 0; i < n; i++)
		k[i] = (struct elem_key){ s->tv[i].addr.lo, i };
	radix_sort(k, n, sizeof(*k), 128);
	for (i = 0; i < n; i++)
		k[i].key = s->tv[k[i].i].lo[0];
	radix_sort(k, n, sizeof(*k), 8);
	for (i = 0; i < n; i++)
		by[i] = k[i].i;
	free(k);
	return by;
}

static bool
box_meets(const struct box *a, const struct box *b)
{
	return a->fam == b->fam && a->proto == b->proto && a->alo <= b->ahi &&
	    b->alo <= a->ahi && a->plo <= b->phi && b->plo <= a->phi;
}

/* An element of family f as the box it was made of. */
static struct box
elem_box(const struct nft_elem *e, enum fam f)
{
	struct box x;

	memset(&x, 0, sizeof(x));
	x.fam = f;
	x.alo = e->addr.lo, x.ahi = e->addr.hi;
	x.proto = e->lo[0];
	x.plo = e->lo[1], x.phi = e->hi[1];
	x.rule = e->rule;
	return x;
}

static void	run_elem(struct build *, struct nft_set **, const struct box *);

/* Room for n more boxes in a scratch array (malloc, not the arena: the
 * pieces of a box live only while it is cut). */
static void
box_room(struct box **v, size_t n, size_t *cap)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 16;
	*v = xrealloc(*v, *cap * sizeof(**v));
}

/* What is left of x once every one of e[0..ne) (earlier elements that
 * meet it) is cut out: boxes, each passed to put. */
static void
box_cut(struct build *b, struct nft_set **set, const struct box *x,
    const struct box *const *e, size_t ne,
    void (*put)(struct build *, struct nft_set **, const struct box *))
{
	struct box *cur = NULL, *next = NULL, *tmp, q, r;
	size_t ncur = 0, capcur = 0, nnext, capnext = 0, i, k;

	if (ne == 0) {
		put(b, set, x);
		return;
	}
	box_room(&cur, ncur, &capcur);
	cur[ncur++] = *x;
	for (k = 0; k < ne && ncur > 0; k++) {
		const struct box *c = e[k];

		nnext = 0;
		for (i = 0; i < ncur; i++) {
			const struct box *p = &cur[i];

			box_room(&next, nnext + 4, &capnext);
			if (!box_meets(p, c)) {
				next[nnext++] = *p;
				continue;
			}
			if (p->alo < c->alo) {
				q = *p, q.ahi = c->alo - 1;
				next[nnext++] = q;
			}
			if (c->ahi < p->ahi) {
				q = *p, q.alo = c->ahi + 1;
				next[nnext++] = q;
			}
			q = *p;
			q.alo = p->alo > c->alo ? p->alo : c->alo;
			q.ahi = p->ahi < c->ahi ? p->ahi : c->ahi;
			if (p->plo < c->plo) {
				r = q, r.phi = c->plo - 1;
				next[nnext++] = r;
			}
			if (c->phi < p->phi) {
				r = q, r.plo = c->phi + 1;
				next[nnext++] = r;
			}
		}
		tmp = cur, cur = next, next = tmp;
		i = capcur, capcur = capnext, capnext = i;
		ncur = nnext;
	}
	for (i = 0; i < ncur; i++)
		put(b, set, &cur[i]);
	free(cur);
	free(next);
}

/* An element of the run's set of the box's family, the set made (and
 * named) on first use. */
static void
run_elem(struct build *b, struct nft_set **set, const struct box *x)
{
	static const enum nft_field daddr[FAM_N] = { NFT_F_IP_DADDR,
	    NFT_F_IP6_DADDR };
	struct nft_set *s = set[x->fam];
	struct nft_elem *e;

	if (s == NULL) {
		s = set[x->fam] = arena_alloc(b->a, sizeof(*s));
		memset(s, 0, sizeof(*s));
		s->name = arena_printf(b->a, "run_%zu_v%c", b->t->nruns,
		    x->fam == FAM_V4 ? '4' : '6');
		s->key[0] = daddr[x->fam];
		s->key[1] = NFT_F_L4PROTO;
		s->key[2] = NFT_F_TH_DPORT;
		s->nkeys = NFT_ELEM_KEYS;
		s->flags = NFT_SETF_INTERVAL;
		s->fam = x->fam;
		s->rule = x->rule;
		s->run = b->t->nruns;
		iset_init(&s->elems.v);
	}
	/* In the arena, where a big array grows in place (arena_grow): a
	 * run's elements are most of the model, and copying them there
	 * from scratch at the end cost as much again. */
	ARENA_PUSH(b->a, s->tv, s->ntv, s->captv);
	e = &s->tv[s->ntv - 1];
	e->addr.lo = x->alo, e->addr.hi = x->ahi;
	e->lo[0] = e->hi[0] = x->proto;
	e->lo[1] = x->plo, e->hi[1] = x->phi;
	e->rule = x->rule;
	/* A rule's elements are made one after another: one comment. */
	if (s->ntv > 1 && s->tv[s->ntv - 2].rule == x->rule)
		e->comment = s->tv[s->ntv - 2].comment;
	else if (set[1 - x->fam] != NULL && set[1 - x->fam]->ntv > 0 &&
	    set[1 - x->fam]->tv[set[1 - x->fam]->ntv - 1].rule == x->rule)
		e->comment = set[1 - x->fam]->tv[set[1 - x->fam]->ntv - 1].comment;
	else
		e->comment = be_rule_comment(b->bo, x->rule);
}

/* The boxes of a line, one per family, destination and port interval,
 * each made an element of its family's set as it stands. */
static void
line_elems(struct build *b, struct nft_set **set, const struct nft_rule *r,
    const struct mline *ml)
{
	static const struct ival all_ports = { 0, 65535 };
	struct box x;
	int f;
	size_t i, j;

	for (f = 0; f < FAM_N; f++) {
		struct ival whole = { 0, fam_bits((enum fam)f) == 128 ?
		    ~(u128)0 : ((u128)1 << 32) - 1 };
		size_t na = ml->addr != NULL ? ml->addr->n : 1;
		size_t np = ml->ports != NULL ? ml->ports->n : 1;

		if (ml->fam >= 0 && ml->fam != f)
			continue;
		for (i = 0; i < na; i++)
			for (j = 0; j < np; j++) {
				const struct ival *ai = ml->addr != NULL ?
				    &ml->addr->v[i] : &whole;
				const struct ival *pi = ml->ports != NULL ?
				    &ml->ports->v[j] : &all_ports;

				memset(&x, 0, sizeof(x));
				x.fam = (enum fam)f;
				x.alo = ai->lo, x.ahi = ai->hi;
				x.plo = (unsigned)pi->lo;
				x.phi = (unsigned)pi->hi;
				x.proto = ml->proto;
				x.rule = r->src;
				run_elem(b, set, &x);
			}
	}
}

/* A pair of overlapping boxes: later's element cuts earlier's out. */
struct cut {
	size_t	later, earlier;
};

static int
cut_order(const void *x, const void *y)
{
	const struct cut *a = x, *b = y;

	if (a->later != b->later)
		return a->later < b->later ? -1 : 1;
	return a->earlier < b->earlier ? -1 : a->earlier > b->earlier;
}

/*
 * Each element of set s (a family's, in order) with what earlier ones
 * hold cut out.  Overlapping pairs are found by protocol and lowest
 * address, each element against those still open at its start; most
 * runs have none, and their elements stand as they were made.  Else the
 * set is made again, the elements with something to cut as boxes cut
 * (box_cut) against the earlier ones as they were made.
 */
static void
run_cut(struct build *b, struct nft_set **set, enum fam f)
{
	struct nft_set *s = set[f];
	struct nft_elem *old = s->tv;
	struct cut *cuts = NULL;
	const struct box **early;
	struct box *bx, px, py;
	size_t m = s->ntv, ncuts = 0, capcuts = 0, nact = 0, i, j, k, ne;
	size_t *by = run_order(s), *act = xmalloc((m + 1) * sizeof(*act));

	for (i = 0; i < m; i++) {
		const struct nft_elem *x = &old[by[i]];

		if (i > 0 && old[by[i - 1]].lo[0] != x->lo[0])
			nact = 0;
		px = elem_box(x, f);
		for (j = k = 0; j < nact; j++) {
			const struct nft_elem *y = &old[act[j]];

			if (y->addr.hi < x->addr.lo)
				continue;
			act[k++] = act[j];
			py = elem_box(y, f);
			if (box_meets(&px, &py)) {
				SCRATCH_PUSH(cuts, ncuts, capcuts);
				cuts[ncuts - 1].later = by[i] > act[j] ?
				    by[i] : act[j];
				cuts[ncuts - 1].earlier = by[i] > act[j] ?
				    act[j] : by[i];
			}
		}
		nact = k;
		act[nact++] = by[i];
	}
	free(by);
	free(act);
	if (ncuts == 0)
		return;
	if (ncuts > 1)
		qsort(cuts, ncuts, sizeof(*cuts), cut_order);
	/* The old elements stay in the arena, unused: a rare case. */
	bx = xmalloc((m + 1) * sizeof(*bx));
	for (i = 0; i < m; i++)
		bx[i] = elem_box(&old[i], f);
	s->tv = NULL;
	s->ntv = s->captv = 0;
	early = xmalloc((ncuts + 1) * sizeof(*early));
	for (i = 0, k = 0; i < m; i++) {
		for (ne = 0; k < ncuts && cuts[k].later == i; k++)
			early[ne++] = &bx[cuts[k].earlier];
		box_cut(b, set, &bx[i], early, ne, run_elem);
	}
	free(early);
	free(cuts);
	free(bx);
}

/*
 * The elements of the lines r[0..n) (all mergeable, one verdict), in
 * order, each with what earlier ones hold cut out; then one rule per
 * family that has any, IPv4 first, appended to out.  The elements are
 * made as the lines give them, not first as boxes apart: a run of 2,000
 * rules has 40,000, and the two copies side by side were the largest
 * part of the model.
 */
static void
run_rules(struct build *b, struct nft_chain *c, const struct nft_rule *r,
    const struct mline *ml, size_t n, struct nft_rule **out, size_t *nout,
    size_t *capout)
{
	struct nft_set *set[FAM_N] = { NULL, NULL };
	size_t i;
	int f;

	(void)c;
	b->t->nruns++;
	for (i = 0; i < n; i++)
		line_elems(b, set, &r[i], &ml[i]);
	for (f = 0; f < FAM_N; f++)
		if (set[f] != NULL)
			run_cut(b, set, (enum fam)f);
	for (f = 0; f < FAM_N; f++) {
		struct nft_rule *nr;
		struct nft_match *m;

		if (set[f] == NULL)
			continue;
		ARENA_PUSH(b->a, *out, *nout, *capout);
		nr = &(*out)[*nout - 1];
		memset(nr, 0, sizeof(*nr));
		nr->verdict = r[0].verdict;
		nr->src = r[0].src;
		nr->last = r[n - 1].src;
		nr->run = set[f];
		ARENA_PUSH(b->a, nr->m, nr->nm, nr->capm);
		m = &nr->m[0];
		memset(m, 0, sizeof(*m));
		m->field = set[f]->key[0];
		iset_init(&m->val.v);
		m->set = set[f];
	}
}

/*
 * What a line of policy rule pr for match x would match, when it can be
 * part of a run (true): a destination, a protocol and its ports, every
 * source, no log, no host names' sets; a protocol's every port only where
 * th dport can be read (a base chain).  Read off the rule, not off a line
 * made for it: a line that merges is never made.
 */
static bool
line_plan(const struct nft_chain *c, const struct ir_rule *pr,
    const struct be_match *x, struct mline *ml)
{
	enum fam f;

	if (pr->nhosts > 0 || pr->log || x->proto < 0 ||
	    (x->ports != NULL && !proto_has_ports(x->proto)))
		return false;
	if (x->ports == NULL && (!c->base ||
	    (x->ipp != 6 && x->ipp != 17 && x->ipp != 132)))
		return false;
	ml->fam = x->fam;
	ml->addr = NULL;
	ml->proto = x->ipp;
	ml->ports = x->ports;
	if (x->fam < 0)
		return true;
	f = (enum fam)x->fam;
	if (!aset_fam_full(&pr->src, f))
		return false;
	if (!aset_fam_full(&pr->dst, f))
		ml->addr = &pr->dst.f[f];
	return true;
}

/* The lines gathered for a run: adjacent, of one verdict, each of them
 * able to merge (scratch, malloc'd). */
struct gather {
	struct nft_rule		*r;	/* verdict and policy rule only */
	struct mline		*ml;
	struct be_match		*x;
	size_t			 n, cap;
	size_t			 nsrc;	/* policy rules among them */
};

/* The lines gathered so far, as one lookup per family when they come
 * from two or more policy rules, else as the lines they are. */
static void
gather_flush(struct build *b, struct nft_chain *c, struct gather *g)
{
	size_t i;

	if (g->n == 0)
		return;
	if (g->nsrc >= 2)
		run_rules(b, c, g->r, g->ml, g->n, &c->rules, &c->nrules,
		    &c->caprules);
	else
		for (i = 0; i < g->n; i++)
			policy_line(b, c, g->r[i].src, &g->x[i], NULL);
	g->n = g->nsrc = 0;
}

static void
gather_add(struct build *b, struct nft_chain *c, struct gather *g,
    const struct ir_rule *pr, const struct be_match *x,
    const struct mline *ml)
{
	if (g->n > 0 && g->r[0].verdict != verdict_of[pr->action])
		gather_flush(b, c, g);
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->r = xrealloc(g->r, g->cap * sizeof(*g->r));
		g->ml = xrealloc(g->ml, g->cap * sizeof(*g->ml));
		g->x = xrealloc(g->x, g->cap * sizeof(*g->x));
	}
	memset(&g->r[g->n], 0, sizeof(g->r[g->n]));
	g->r[g->n].verdict = verdict_of[pr->action];
	g->r[g->n].src = pr;
	g->ml[g->n] = *ml;
	g->x[g->n] = *x;
	if (g->n == 0 || g->r[g->n - 1].src != pr)
		g->nsrc++;
	g->n++;
}

/*
 * Policy rule pr into chain c with runs (see nft_model_build): each of
 * its lines that can merge is gathered, and one that cannot ends the run
 * before it is made.
 */
static void
policy_rule_runs(struct build *b, struct nft_chain *c,
    const struct ir_rule *pr, struct gather *g)
{
	struct be_match *bm;
	struct mline ml;
	size_t n, i;

	if (pr->nhosts > 0) {
		gather_flush(b, c, g);
		policy_rule(b, c, pr);
		return;
	}
	n = be_matches(b->a, pr, b->bo->be->caps, &bm);
	for (i = 0; i < n; i++) {
		if (line_plan(c, pr, &bm[i], &ml)) {
			gather_add(b, c, g, pr, &bm[i], &ml);
			continue;
		}
		gather_flush(b, c, g);
		policy_line(b, c, pr, &bm[i], NULL);
	}
}

/* The table's sets again, in the order of the rules that use them: the
 * anonymous sets of merged lines are gone, the runs' sets are new. */
static void
sets_again(struct build *b)
{
	struct nft_table *t = b->t;
	struct strset named = { 0 };
	size_t c, i, j;

	t->nsets = 0;
	for (c = 0; c < t->nchains; c++)
		for (i = 0; i < t->chains[c].nrules; i++) {
			const struct nft_rule *r = &t->chains[c].rules[i];

			for (j = 0; j < r->nm; j++) {
				struct nft_set *s = r->m[j].set;

				/* A named set once, where it is first used:
				 * names are the table's, one set each. */
				if (s == NULL || (s->name != NULL &&
				    !strset_add(b->a, &named, s->name)))
					continue;
				ARENA_PUSH(b->a, t->sets, t->nsets,
				    t->capsets);
				t->sets[t->nsets - 1] = s;
			}
		}
}

static struct nft_chain *
chain_new(struct build *b, const char *name, enum ir_dir dir)
{
	const struct ir *ir = b->t->ir;
	struct nft_chain *c;

	ARENA_PUSH(b->a, b->t->chains, b->t->nchains, b->t->capchains);
	c = &b->t->chains[b->t->nchains - 1];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->dir = dir;
	/* default: none leaves the hooks to someone else's table. */
	c->base = ir->def != IR_DEF_NONE;
	c->hook = dir == IR_INBOUND ? NFT_H_INPUT : NFT_H_OUTPUT;
	c->prio = 0;
	c->policy = ir->def == IR_DEF_ACCEPT ? NFT_V_ACCEPT : NFT_V_DROP;
	return c;
}

/* FNV-1a: a short, stable tag of a rule's name. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static bool
rule_named(const struct ir *ir, const char *name)
{
	size_t i;

	for (i = 0; i < ir->nrules; i++)
		if (strcmp(ir->rules[i].name, name) == 0)
			return true;
	return false;
}

const char *
nft_rule_stem(struct arena *a, const struct ir *ir, size_t i)
{
	const char *name = ir->rules[i].name, *stem;

	/* Rule names are [a-z0-9][a-z0-9_-]*; nft's identifiers start
	 * with a letter. */
	if (name[0] >= 'a' && name[0] <= 'z')
		return name;
	stem = arena_printf(a, "r%s", name);
	if (rule_named(ir, stem))
		stem = arena_printf(a, "%s_%08x", stem,
		    (unsigned)name_hash(name));
	if (rule_named(ir, stem)) {
		diag_error(&ir->rules[i].loc, "rule '%s': its set names "
		    "(%s_d4, ...) would be those of rule '%s'; rename one of "
		    "them", name, stem, stem);
		return NULL;
	}
	return stem;
}

const char **
nft_set_stems(struct arena *a, const struct ir *ir)
{
	const char **stem = arena_alloc(a, (ir->nrules + 1) * sizeof(*stem));
	size_t i;

	for (i = 0; i < ir->nrules; i++) {
		stem[i] = NULL;
		if (ir->rules[i].nhosts == 0)
			continue;
		if ((stem[i] = nft_rule_stem(a, ir, i)) == NULL)
			return NULL;
	}
	return stem;
}

const char *
nft_set_name(struct arena *a, const char *stem, enum fam f, bool dynamic)
{
	return arena_printf(a, "%s_%c%c", stem, dynamic ? 'd' : 'f',
	    f == FAM_V4 ? '4' : '6');
}

static int
model_build(struct arena *a, const struct ir *ir, struct nft_table *t,
    bool runs)
{
	struct be_opts bo;
	struct build b = { a, t, &bo, NULL };
	const char *table, *chain, *input = NULL;
	size_t c, i;
	int merge;

	memset(t, 0, sizeof(*t));
	t->family = NFT_FAM_INET;
	t->ir = ir;
	memset(&bo, 0, sizeof(bo));
	bo.be = be_find("nftables");
	bo.arena = a;
	if (bo.be == NULL) {
		diag_error(NULL, "the nftables back end is missing");
		return -1;
	}
	table = be_option(&bo, ir, "table", NULL);
	chain = be_option(&bo, ir, "chain", NULL);
	/* Only a policy with inbound rules owns the input path. */
	if (ir_has_inbound(ir) && (input = be_option(&bo, ir, "input-chain",
	    NULL)) == NULL)
		return -1;
	if (table == NULL || chain == NULL)
		return -1;
	/* no, yes, false, true: see nftables.c. */
	if ((merge = be_enum(&bo, ir, "merge", 1)) < 0)
		return -1;
	t->merge = runs && merge % 2 == 1;
	t->name = table;
	if ((b.stems = nft_set_stems(a, ir)) == NULL)
		return -1;
	chain_new(&b, chain, IR_EGRESS);
	if (input != NULL)
		chain_new(&b, input, IR_INBOUND);
	for (c = 0; c < t->nchains; c++) {
		struct nft_chain *ch = &t->chains[c];
		struct gather g = { 0 };

		if (ch->base)
			prologue(&b, ch);
		for (i = 0; i < ir->nrules; i++) {
			if (ir->rules[i].dir != ch->dir)
				continue;
			if (t->merge)
				policy_rule_runs(&b, ch, &ir->rules[i], &g);
			else
				policy_rule(&b, ch, &ir->rules[i]);
		}
		gather_flush(&b, ch, &g);
		free(g.r);
		free(g.ml);
		free(g.x);
	}
	if (t->nruns > 0)
		sets_again(&b);
	t->keep = t->ndynamic > 0 && !ir->dyn.flush;
	return 0;
}

int
nft_model_build(struct arena *a, const struct ir *ir, struct nft_table *t)
{
	return model_build(a, ir, t, true);
}

int
nft_model_sets(struct arena *a, const struct ir *ir, struct nft_table *t)
{
	return model_build(a, ir, t, false);
}
