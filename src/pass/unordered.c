/*
 * unordered.c - rewrite a first-match rule list for "block beats allow".
 *
 * In the IR the first matching rule decides.  Windows Defender Firewall
 * has no order: any matching block rule wins, else any matching allow
 * rule, else the profile default.  The two agree when
 *
 *   - every block (deny or reject) rule keeps only what no earlier allow
 *     rule matched: then a packet meets a block rule exactly when first
 *     match would have blocked it;
 *   - an allow rule loses the addresses of an earlier block rule that
 *     takes every port it has.  That is not needed for the decision (the
 *     block rule wins there anyway) but makes the Windows rule say what it
 *     really allows and drops allow rules that earlier blocks hide
 *     completely.  A block that takes only some of its ports is left to
 *     win by itself: cutting ports out of an allow rule would split it
 *     into many rules that decide nothing differently.
 *
 * A rule is a product src x dst x svc (per address family), so a difference
 * of two rules is a union of at most three products:
 *
 *   S*A*P \ T*B*Q = (S\T)*A*P  u  (S&T)*(A\B)*P  u  (S&T)*(A&B)*(P\Q)
 *
 * Each product becomes one rule named after the original ("r", "r-2", ...)
 * with its comment and action; empty products are dropped.  Host names
 * kept for the target (dynamic keywords) are resolved by Windows, not
 * here: a name is taken away only by the same name, and what an earlier
 * rule's host name stands for is taken away as the lock's addresses for it.
 * A block rule that keeps a name, or that an earlier allow's wildcard
 * overlaps, may block more than first match would: a warning says so.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pass/lower.h"
#include "pass/rindex.h"
#include "pass/unordered.h"
#include "util/radix.h"
#include "util/strset.h"

/*
 * One product.  svc.all cannot be split ("every protocol but tcp/443"), so
 * the pieces carry it apart: ipp the other IP protocols by number (all of
 * them for a rule of every protocol), p[] the ports or messages of the
 * protocols that have them.
 */
struct piece {
	struct aset	 src, dst;
	const struct ir_name *const *names;
	size_t		 nnames;
	struct iset	 ipp;
	struct iset	 p[P_N];
	/* dst is normalised and lives in the lowered IR's arena: a rule
	 * made of the piece takes it as it is (the complement's groups). */
	bool		 dst_out;
};

struct plist {
	struct piece	*v;
	size_t		 n, cap;
};

static void
un_aset_copy(struct arena *a, struct aset *dst, const struct aset *src)
{
	aset_init(dst);
	aset_union(a, dst, src);
	aset_norm(dst);
}

/* dst: src's members.  A normalised set is shared, not copied: nothing
 * adds to a piece's sets in place, every operation makes new ones. */
static void
un_iset_share(struct arena *a, struct iset *dst, const struct iset *src)
{
	if (!src->dirty) {
		*dst = *src;
		return;
	}
	iset_init(dst);
	iset_copy(a, dst, src);
	iset_norm(dst);
}

static void
un_aset_share(struct arena *a, struct aset *dst, const struct aset *src)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		un_iset_share(a, &dst->f[f], &src->f[f]);
}

/*
 * The rule as a piece.  sub: as the rule that is taken away from others,
 * with the lock's addresses of its host names added to its destination.
 */
static void
un_from_rule(struct arena *a, struct piece *pc, const struct ir_rule *r,
    bool sub)
{
	const struct ir_name **nv;
	size_t i;

	memset(pc, 0, sizeof(*pc));
	un_aset_share(a, &pc->src, &r->src);
	for (i = 0; sub && i < r->nnames && !r->names[i].resolved; i++)
		;
	if (sub && i < r->nnames) {
		un_aset_copy(a, &pc->dst, &r->dst);
		for (; i < r->nnames; i++)
			if (r->names[i].resolved)
				aset_union(a, &pc->dst, &r->names[i].addrs);
		aset_norm(&pc->dst);
	} else
		un_aset_share(a, &pc->dst, &r->dst);
	nv = arena_alloc(a, (r->nnames + 1) * sizeof(*nv));
	for (i = 0; i < r->nnames; i++)
		nv[i] = &r->names[i];
	pc->names = nv;
	pc->nnames = r->nnames;
	if (r->svc.all)
		ipp_others(a, &pc->ipp, FAM_N);
	else
		un_iset_share(a, &pc->ipp, &r->svc.ipp);
	for (i = 0; i < P_N; i++) {
		if (!r->svc.all) {
			un_iset_share(a, &pc->p[i], &r->svc.p[i]);
			continue;
		}
		iset_init(&pc->p[i]);
		iset_add(a, &pc->p[i], 0, proto_max(i));
		iset_norm(&pc->p[i]);
	}
}

/* Does the piece take an other protocol of the family? */
static bool
un_ipp_fam(const struct piece *pc, enum fam f)
{
	size_t i;
	u128 x;

	for (i = 0; i < pc->ipp.n; i++)
		for (x = pc->ipp.v[i].lo; x <= pc->ipp.v[i].hi; x++)
			if (ipp_in_fam((unsigned)x, f))
				return true;
	return false;
}

/* Does the piece match anything in this family? */
static bool
un_live_fam(const struct piece *pc, enum fam f)
{
	int p;

	if (iset_empty(&pc->src.f[f]))
		return false;
	if (iset_empty(&pc->dst.f[f]) && pc->nnames == 0)
		return false;
	for (p = 0; p < P_N; p++)
		if (proto_in_fam((enum proto)p, f) && !iset_empty(&pc->p[p]))
			return true;
	return un_ipp_fam(pc, f);
}

static bool
un_live(const struct piece *pc)
{
	return un_live_fam(pc, FAM_V4) || un_live_fam(pc, FAM_V6);
}

static bool
un_has_name(const struct piece *pc, const char *name)
{
	size_t i;

	for (i = 0; i < pc->nnames; i++)
		if (strcmp(pc->names[i]->name, name) == 0)
			return true;
	return false;
}

/* The names of x that are (in) or are not (!in) names of y. */
static void
un_names(struct arena *a, struct piece *out, const struct piece *x,
    const struct piece *y, bool in)
{
	const struct ir_name **nv;
	size_t i, n = 0;

	nv = arena_alloc(a, (x->nnames + 1) * sizeof(*nv));
	for (i = 0; i < x->nnames; i++)
		if (un_has_name(y, x->names[i]->name) == in)
			nv[n++] = x->names[i];
	out->names = nv;
	out->nnames = n;
}

static void
un_push(struct arena *a, struct plist *l, const struct piece *pc)
{
	if (!un_live(pc))
		return;
	ARENA_PUSH(a, l->v, l->n, l->cap);
	l->v[l->n - 1] = *pc;
}

/* Do two normalised sets share a member?  (No allocation: this runs for
 * every pair of rules.) */
static bool
un_meets(const struct iset *x, const struct iset *y)
{
	size_t i = 0, j = 0;

	while (i < x->n && j < y->n) {
		if (x->v[i].hi < y->v[j].lo)
			i++;
		else if (y->v[j].hi < x->v[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

static bool
un_share_name(const struct piece *x, const struct piece *y)
{
	size_t i;

	for (i = 0; i < x->nnames; i++)
		if (un_has_name(y, x->names[i]->name))
			return true;
	return false;
}

/* Do x and y share an address (or a host name) in family f? */
static bool
un_meet_fam(const struct piece *x, const struct piece *y, enum fam f,
    bool names)
{
	if (!un_meets(&x->src.f[f], &y->src.f[f]))
		return false;
	return names || un_meets(&x->dst.f[f], &y->dst.f[f]);
}

/* Is x & y non-empty?  The same test as un_live() on the intersection. */
static bool
un_overlap(const struct piece *x, const struct piece *y)
{
	bool both, names = un_share_name(x, y);
	enum fam f;
	int p;

	/* Protocols of both families (an other protocol that is an IPv6
	 * extension header at most makes a piece too many, never one
	 * too few). */
	both = un_meets(&x->ipp, &y->ipp);
	for (p = 0; p < P_N && !both; p++)
		if (proto_in_fam((enum proto)p, FAM_V4) &&
		    proto_in_fam((enum proto)p, FAM_V6))
			both = un_meets(&x->p[p], &y->p[p]);
	for (f = 0; f < FAM_N; f++) {
		enum proto icmp = f == FAM_V4 ? P_ICMP : P_ICMP6;

		if (!un_meet_fam(x, y, f, names))
			continue;
		if (both || un_meets(&x->p[icmp], &y->p[icmp]))
			return true;
	}
	return false;
}

/* Do x and y share an other protocol to a shared address? */
static bool
un_overlap_ipp(const struct piece *x, const struct piece *y)
{
	bool names = un_share_name(x, y);
	enum fam f;

	if (!un_meets(&x->ipp, &y->ipp))
		return false;
	for (f = 0; f < FAM_N; f++)
		if (un_meet_fam(x, y, f, names))
			return true;
	return false;
}

/* out += x \ y, as at most three products. */
static void
un_diff(struct arena *a, struct plist *out, const struct piece *x,
    const struct piece *y)
{
	struct piece pc;
	struct aset s_in;
	size_t k;

	if (!un_overlap(x, y)) {
		un_push(a, out, x);
		return;
	}
	pc = *x;
	aset_diff(a, &pc.src, &x->src, &y->src);
	un_push(a, out, &pc);

	aset_inter(a, &s_in, &x->src, &y->src);
	pc = *x;
	pc.src = s_in;
	aset_diff(a, &pc.dst, &x->dst, &y->dst);
	un_names(a, &pc, x, y, false);
	un_push(a, out, &pc);

	pc = *x;
	pc.src = s_in;
	aset_inter(a, &pc.dst, &x->dst, &y->dst);
	un_names(a, &pc, x, y, true);
	iset_diff(a, &pc.ipp, &x->ipp, &y->ipp);
	for (k = 0; k < P_N; k++)
		iset_diff(a, &pc.p[k], &x->p[k], &y->p[k]);
	un_push(a, out, &pc);
}

static bool
un_same_svc(const struct piece *x, const struct piece *y)
{
	size_t k;

	if (!iset_equal(&x->ipp, &y->ipp))
		return false;
	for (k = 0; k < P_N; k++)
		if (!iset_equal(&x->p[k], &y->p[k]))
			return false;
	return true;
}

static bool
un_same_names(const struct piece *x, const struct piece *y)
{
	size_t i;

	if (x->nnames != y->nnames)
		return false;
	for (i = 0; i < x->nnames; i++)
		if (x->names[i] != y->names[i])
			return false;
	return true;
}

/* *x = *x | *y in new storage: pieces share theirs. */
static void
un_iset_join(struct arena *a, struct iset *x, const struct iset *y)
{
	struct iset s;

	iset_init(&s);
	iset_copy(a, &s, x);
	iset_union(a, &s, y);
	iset_norm(&s);
	*x = s;
}

/* FNV-1a over a set's bounds: a key for the joining table below. */
static uint64_t
un_hash_iset(uint64_t h, const struct iset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		h = (h ^ (uint64_t)s->v[i].lo) * 0x100000001b3ULL;
		h = (h ^ (uint64_t)(s->v[i].lo >> 64)) * 0x100000001b3ULL;
		h = (h ^ (uint64_t)s->v[i].hi) * 0x100000001b3ULL;
		h = (h ^ (uint64_t)(s->v[i].hi >> 64)) * 0x100000001b3ULL;
	}
	return (h ^ s->n) * 0x100000001b3ULL;
}

/*
 * The key pieces are joined on: names and sources, and either the
 * service (by_svc: join destinations) or the destination (join services).
 * Names hash by address: where they land in the table, never the order
 * of the output, depends on it.
 */
static uint64_t
un_key(const struct piece *x, bool by_svc)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;
	int f;

	for (i = 0; i < x->nnames; i++)
		h = (h ^ (uint64_t)(uintptr_t)x->names[i]) * 0x100000001b3ULL;
	for (f = 0; f < FAM_N; f++) {
		h = un_hash_iset(h, &x->src.f[f]);
		if (!by_svc)
			h = un_hash_iset(h, &x->dst.f[f]);
	}
	if (by_svc) {
		h = un_hash_iset(h, &x->ipp);
		for (i = 0; i < P_N; i++)
			h = un_hash_iset(h, &x->p[i]);
	}
	/* The table takes the low bits: mix the high ones in. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static bool
un_same_key(const struct piece *x, const struct piece *y, bool by_svc)
{
	if (!un_same_names(x, y) || !aset_equal(&x->src, &y->src))
		return false;
	return by_svc ? un_same_svc(x, y) : aset_equal(&x->dst, &y->dst);
}

/*
 * One joining pass: every piece whose key an earlier one has is joined
 * into that one (by_svc: the destinations united, else the services), in
 * place, order kept.  A hash table finds the earlier one, so a complement
 * of thousands of pieces joins in linear time.
 */
static bool
un_join(struct arena *a, struct plist *l, bool by_svc)
{
	size_t *slot, size = 16, i, k, n = 0;
	bool joined = false;

	while (size < 2 * l->n)
		size <<= 1;
	slot = xmalloc(size * sizeof(*slot));
	memset(slot, 0, size * sizeof(*slot));
	for (i = 0; i < l->n; i++) {
		struct piece y = l->v[i], *x = NULL;

		for (k = un_key(&y, by_svc) & (size - 1); slot[k] != 0;
		    k = (k + 1) & (size - 1)) {
			x = &l->v[slot[k] - 1];
			if (un_same_key(x, &y, by_svc))
				break;
			x = NULL;
		}
		if (x == NULL) {
			l->v[n] = y;
			slot[k] = ++n;
			continue;
		}
		if (by_svc) {
			struct aset u;

			un_aset_copy(a, &u, &x->dst);
			aset_union(a, &u, &y.dst);
			aset_norm(&u);
			x->dst = u;
			x->dst_out = false;
		} else {
			for (k = 0; k < P_N; k++)
				un_iset_join(a, &x->p[k], &y.p[k]);
			un_iset_join(a, &x->ipp, &y.ipp);
		}
		joined = true;
	}
	free(slot);
	l->n = n;
	return joined;
}

/*
 * Splitting leaves pieces that differ in one dimension only (the same
 * ports to two address blocks); join them back so that a rule split by
 * one overlap still comes out as one Windows rule where it can: pieces of
 * the same service, then pieces of the same destination, until neither
 * joins any more.
 */
static void
un_merge(struct arena *a, struct plist *l)
{
	bool joined;

	do {
		joined = un_join(a, l, true);
		joined = un_join(a, l, false) || joined;
	} while (joined && l->n > 1);
}

static bool
un_is_block(const struct ir_rule *r)
{
	return r->action != IR_ALLOW;
}

/* The names of rules v[0..n) into set s: a piece's name is one no rule
 * of the policy and no rule written so far has. */
static void
un_names_taken(struct arena *a, struct strset *s, const struct ir_rule *v,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strset_add(a, s, v[i].name);
}

/* Does the piece take every protocol, port and message? */
static bool
un_full(const struct piece *pc)
{
	size_t k;

	for (k = 0; k < P_N; k++)
		if (!iset_full(&pc->p[k], proto_max(k)))
			return false;
	return iset_count(&pc->ipp) == 256 - P_N;
}

/*
 * A piece back into a rule.  An allow piece of a rule of every protocol
 * that still takes other protocols, but lost some ports or protocols, is
 * widened to every protocol: anything it regains lies under an earlier
 * block rule, which wins.  A block piece cannot be widened; when it comes
 * from a rule of every protocol and lost some, its other protocols are
 * left out (the caller warns when that can change a decision): written
 * one by one, they would be hundreds of rules.
 */
static void
un_to_rule(struct arena *a, struct ir_rule *r, const struct ir_rule *orig,
    const struct piece *pc)
{
	struct ir_name *nv;
	size_t i, k;

	*r = *orig;
	un_aset_copy(a, &r->src, &pc->src);
	if (pc->dst_out)
		r->dst = pc->dst;
	else
		un_aset_copy(a, &r->dst, &pc->dst);
	nv = arena_alloc(a, (pc->nnames + 1) * sizeof(*nv));
	for (i = 0; i < pc->nnames; i++)
		nv[i] = *pc->names[i];
	r->names = nv;
	r->nnames = r->capnames = pc->nnames;
	r->dst_any = orig->dst_any && aset_fam_full(&pc->dst, FAM_V4) &&
	    aset_fam_full(&pc->dst, FAM_V6);
	svc_init(&r->svc);
	if (un_full(pc) || (orig->svc.all && !un_is_block(orig) &&
	    !iset_empty(&pc->ipp))) {
		r->svc.all = true;
		return;
	}
	for (k = 0; k < P_N; k++)
		iset_copy(a, &r->svc.p[k], &pc->p[k]);
	if (!orig->svc.all)
		iset_copy(a, &r->svc.ipp, &pc->ipp);
	svc_norm(&r->svc);
}

static bool
un_has_wildcard(const struct ir_rule *r)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (r->names[i].wildcard || !r->names[i].resolved)
			return true;
	return false;
}

/*
 * A block piece of a rule of every protocol that must leave some ports or
 * protocols to an allow cannot block the other protocols (un_to_rule).
 * That changes nothing when the default is deny and no allow rule takes
 * other protocols to the piece's addresses (sub: every rule as a piece);
 * else say so.
 */
/* A place Windows cannot say exactly: a warning, or with strict (compile
 * --strict) an error, like every other loss a target has. */
static void
un_loss(bool strict, const struct ir_rule *r, const char *what)
{
	if (strict)
		diag_error(&r->loc, "%s (--strict)", what);
	else
		diag_warning(&r->loc, "%s", what);
}

static bool
un_warn_other(const struct ir *ir, const struct ir_rule *r,
    const struct piece *pc, const struct piece *sub, bool strict)
{
	size_t j;
	bool meets = ir->def != IR_DEF_DENY;

	if (!un_is_block(r) || !r->svc.all || iset_empty(&pc->ipp) ||
	    un_full(pc))
		return false;
	for (j = 0; j < ir->nrules && !meets; j++)
		meets = !un_is_block(&ir->rules[j]) &&
		    ir->rules[j].dir == r->dir && un_overlap_ipp(pc, &sub[j]);
	if (!meets)
		return false;
	un_loss(strict, r, arena_printf(ir->arena, "rule '%s': Windows "
	    "Firewall cannot block every protocol but some ports: protocols "
	    "other than tcp, udp, sctp, icmp and icmpv6 that an earlier allow "
	    "rule leaves to this rule go to the default", r->name));
	return true;
}

/*
 * With default: deny, what no allow rule matches is blocked again by the
 * complement (un_complement).  Windows takes no range of ICMP types (one
 * type:code each, [MS-FASP] FW_ICMP_TYPE_CODE; netsh one per rule), so a
 * block cut around an earlier ICMP allow (neighbour discovery) would list
 * every other type; where no allow rule as lowered meets that ICMP part,
 * it is left to the complement, which lists the types once for every
 * address.
 */
static void
un_leave_types(struct ir *ir, struct ir_rule *nv, size_t *n)
{
	static const enum proto icmp[] = { P_ICMP, P_ICMP6 };
	struct arena *a = arena_new();	/* the pieces: scratch */
	struct piece *allow, part;
	size_t i, j, k, c, na = 0;

	allow = arena_alloc(a, (*n + 1) * sizeof(*allow));
	for (j = 0; j < *n; j++)
		if (!un_is_block(&nv[j]))
			un_from_rule(a, &allow[na++], &nv[j], true);
	for (i = k = 0; i < *n; i++) {
		struct ir_rule *r = &nv[i];

		for (c = 0; un_is_block(r) && !r->svc.all && c < 2; c++) {
			struct iset *ts = &r->svc.p[icmp[c]];

			if (iset_empty(ts) || iset_full(ts, proto_max(icmp[c])))
				continue;
			un_from_rule(a, &part, r, true);
			iset_init(&part.ipp);
			for (j = 0; j < P_N; j++)
				if (j != icmp[c])
					iset_init(&part.p[j]);
			for (j = 0; j < na; j++)
				if (un_overlap(&part, &allow[j]))
					break;
			if (j == na)
				iset_init(ts);
		}
		if (!lower_rule_empty(r))
			nv[k++] = *r;
	}
	*n = k;
	arena_free(a);
}

/*
 * The complement of the allow rules, by a sweep: per family, the
 * destination axis is cut where an allow rule's destination starts or
 * ends, and each cut interval is the universe less the allow rules that
 * take all of it (for rules from any source, the ports none of them
 * allow).  Intervals left with the same sources and service are one
 * product, found by a hash.  That is linear in the intervals where
 * subtracting every rule from every piece left so far was quadratic.
 */
struct un_groups {
	struct plist	 l;		/* every protocol's groups */
	size_t		 base;		/* l.v[base..l.n): this protocol's */
	uint64_t	*hash;		/* per group: its key's hash */
	size_t		 caphash;
	size_t		*slot;		/* index + 1 into l, 0: empty */
	size_t		 size;		/* a power of two, over twice
					 * l.n - base */
	/*
	 * The intervals a sweep gives each group, kept apart until the
	 * sweep ends (un_settle) and then put into the groups' sets, each
	 * made once at its size.  Appended as they came, each reached a
	 * set of its own somewhere in the arena, a cache miss (at 16,000
	 * rules a tenth of the rewrite), and the sets grew by doubling.
	 * A group's last interval waits in its tail, where the next one
	 * that touches it extends it; the others go to the log in order,
	 * an IPv4 interval in 32-bit bounds (most of them: a third of the
	 * room).
	 */
	struct un_tail	*tail;		/* per group */
	size_t		 captail;
	enum fam	 fam;		/* the sweep's: the log's */
	struct un_ival4	*log4;
	struct un_ival	*log6;
	size_t		 nlog, cap4, cap6;
};

struct un_tail {
	u128		 lo, hi;
	bool		 live;		/* lo, hi hold the group's last */
	bool		 dirty;		/* one came out of order */
};

struct un_ival4 {
	uint32_t	 lo, hi, g;
};

struct un_ival {
	u128		 lo, hi;
	uint32_t	 g;
};

struct un_edge {
	u128		 at;		/* the interval's first address, or
					 * the one after its last */
	size_t		 sub;		/* the allow rule */
	bool		 open;
};

/*
 * Edges into order of address, then rule, then close before open: made
 * rule by rule and, within a rule, interval by interval, they are in
 * order of rule already, and a rule's normalised intervals never close
 * where another of them opens, so a stable sort by address alone is that
 * order (radix_sort: at is the record's key).
 */
_Static_assert(offsetof(struct un_edge, at) == 0 &&
    sizeof(struct un_edge) % 16 == 0, "un_edge sorts by its first member");

/*
 * One family's edges, sorted.  An IPv4 edge is one 128-bit word, its
 * address above its rule and open bit (at << 32 | sub << 1 | open): no
 * two edges of a rule share an address, so the order of address and rule
 * is the same, and half the room (at 2,000 rules 32,000 edges).
 */
struct un_edges {
	enum fam	 f;
	size_t		 n;
	u128		*k;		/* FAM_V4 */
	struct un_edge	*e;		/* FAM_V6 */
};

static struct un_edge
un_edge_at(const struct un_edges *x, size_t i)
{
	u128 k;

	if (x->f != FAM_V4)
		return x->e[i];
	k = x->k[i];
	return (struct un_edge){ (k >> 32) & 0xffffffffu,
	    (size_t)(k >> 1) & 0x7fffffffu, (k & 1) != 0 };
}

/* Group k's tail into the log. */
static void
un_log(struct un_groups *g, size_t k)
{
	const struct un_tail *t = &g->tail[k];

	if (g->fam == FAM_V4) {
		if (g->nlog == g->cap4) {
			g->cap4 = g->cap4 ? 2 * g->cap4 : 1024;
			g->log4 = xrealloc(g->log4, g->cap4 * sizeof(*g->log4));
		}
		g->log4[g->nlog++] = (struct un_ival4){ (uint32_t)t->lo,
		    (uint32_t)t->hi, (uint32_t)k };
		return;
	}
	if (g->nlog == g->cap6) {
		g->cap6 = g->cap6 ? 2 * g->cap6 : 1024;
		g->log6 = xrealloc(g->log6, g->cap6 * sizeof(*g->log6));
	}
	g->log6[g->nlog++] = (struct un_ival){ t->lo, t->hi, (uint32_t)k };
}

/* The group of log entry i, and its interval. */
static size_t
un_logged(const struct un_groups *g, size_t i, struct ival *iv)
{
	if (g->fam == FAM_V4) {
		iv->lo = g->log4[i].lo;
		iv->hi = g->log4[i].hi;
		return g->log4[i].g;
	}
	iv->lo = g->log6[i].lo;
	iv->hi = g->log6[i].hi;
	return g->log6[i].g;
}

/* Interval [lo, hi] of the sweep's family goes to group k. */
static void
un_put(struct un_groups *g, size_t k, u128 lo, u128 hi)
{
	struct un_tail *t = &g->tail[k];

	if (t->live) {
		if (lo >= t->lo && iset_touches(t->hi, lo)) {
			if (hi > t->hi)
				t->hi = hi;
			return;
		}
		if (lo < t->lo)
			t->dirty = true;
		un_log(g, k);
	}
	t->lo = lo;
	t->hi = hi;
	t->live = true;
}

/*
 * The sweep is over: every interval it gave this protocol's groups into
 * their destination sets of its family, made in arena out at their size.
 */
static void
un_settle(struct arena *out, struct un_groups *g)
{
	size_t i, ng = g->l.n - g->base;
	size_t *cnt = xmalloc((ng + 1) * sizeof(*cnt));
	struct ival **at = xmalloc((ng + 1) * sizeof(*at)), iv;

	memset(cnt, 0, (ng + 1) * sizeof(*cnt));
	for (i = g->base; i < g->l.n; i++)
		if (g->tail[i].live) {
			un_log(g, i);
			g->tail[i].live = false;
		}
	for (i = 0; i < g->nlog; i++)
		cnt[un_logged(g, i, &iv) - g->base]++;
	for (i = 0; i < ng; i++) {
		struct iset *s = &g->l.v[g->base + i].dst.f[g->fam];

		/* Only this sweep gives the groups' sets of its family. */
		s->n = s->cap = cnt[i];
		s->v = at[i] = cnt[i] ? arena_alloc(out, cnt[i] *
		    sizeof(*s->v)) : NULL;
		s->dirty = g->tail[g->base + i].dirty;
		g->tail[g->base + i].dirty = false;
	}
	for (i = 0; i < g->nlog; i++) {
		size_t k = un_logged(g, i, &iv) - g->base;

		*at[k]++ = iv;
	}
	g->nlog = 0;
	free(cnt);
	free(at);
}

/*
 * Interval [lo, hi] of the sweep's family goes with the group of pc's
 * sources and service, made in arena a when it is the first; the group's
 * index.
 * fresh: the one set of pc that is scratch (pc->ipp or a pc->p[]), the
 * rest being normalised and living as long as a, so that a new group
 * copies that one and takes the others as they are (a group of the
 * universe less some ports: at 16,000 rules copying them was a third of
 * the sweep's memory); NULL: all of pc is scratch and copied.
 */
static size_t
un_group_add(struct arena *a, struct un_groups *g, const struct piece *pc,
    u128 lo, u128 hi, const struct iset *fresh)
{
	struct piece *x;
	uint64_t h = un_key(pc, true);
	size_t i, k, nh;

	if (2 * (g->l.n - g->base + 1) > g->size) {
		size_t nsize = g->size ? 2 * g->size : 64;

		free(g->slot);
		g->slot = xmalloc(nsize * sizeof(*g->slot));
		memset(g->slot, 0, nsize * sizeof(*g->slot));
		g->size = nsize;
		for (i = g->base; i < g->l.n; i++) {
			for (k = g->hash[i] & (nsize - 1); g->slot[k] != 0;
			    k = (k + 1) & (nsize - 1))
				;
			g->slot[k] = i + 1;
		}
	}
	/* The hash first: most slots passed hold another key. */
	for (k = h & (g->size - 1); g->slot[k] != 0;
	    k = (k + 1) & (g->size - 1)) {
		x = &g->l.v[g->slot[k] - 1];
		if (g->hash[g->slot[k] - 1] == h && un_same_key(x, pc, true)) {
			un_put(g, g->slot[k] - 1, lo, hi);
			return g->slot[k] - 1;
		}
	}
	nh = g->l.n;
	ARENA_PUSH(a, g->hash, nh, g->caphash);
	g->hash[nh - 1] = h;
	ARENA_PUSH(a, g->l.v, g->l.n, g->l.cap);
	g->slot[k] = g->l.n;
	x = &g->l.v[g->l.n - 1];
	*x = *pc;
	aset_init(&x->dst);
	if (g->l.n > g->captail) {
		size_t old = g->captail;

		g->captail = g->l.cap;
		g->tail = xrealloc(g->tail, g->captail * sizeof(*g->tail));
		memset(g->tail + old, 0, (g->captail - old) *
		    sizeof(*g->tail));
	}
	un_put(g, g->l.n - 1, lo, hi);
	if (fresh != NULL) {
		if (fresh == &pc->ipp)
			iset_copy(a, &x->ipp, fresh);
		for (k = 0; k < P_N; k++)
			if (fresh == &pc->p[k])
				iset_copy(a, &x->p[k], fresh);
		return g->l.n - 1;
	}
	un_aset_copy(a, &x->src, &pc->src);
	iset_copy(a, &x->ipp, &pc->ipp);
	for (k = 0; k < P_N; k++)
		iset_copy(a, &x->p[k], &pc->p[k]);
	return g->l.n - 1;
}

/* Does allow rule x take every source the universe has (all of both
 * families)? */
static bool
un_any_src(const struct piece *x)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!aset_fam_full(&x->src, (enum fam)f))
			return false;
	return true;
}

/*
 * The universe u (one protocol d: its ports, or the other protocols) less
 * the allow rules act[0..nact) over [lo, hi] of family f, into the
 * groups; the work in scratch arena t.  Where the rules take every
 * source (anysrc), that is the protocol's numbers none of them allows;
 * else the general difference of products.
 *
 * Nearly every interval lies under no allow rule or under one: memo[r]
 * (memo[allow->n] for none) remembers where such an interval went, the
 * group's index + 2, or 1 when nothing was left, so that the rest of
 * them are one append each.
 */
static void
un_cut(struct arena *a, struct arena *t, struct un_groups *g,
    const struct piece *u, const struct plist *allow, const bool *anysrc,
    const size_t *act, size_t nact, size_t d, enum fam f, u128 lo, u128 hi,
    size_t *memo)
{
	struct plist cur = { 0 }, next;
	struct piece x;
	struct iset *num, left;
	size_t j, k, i, *m = NULL;

	for (j = 0; j < nact && anysrc[act[j]]; j++)
		;
	/* The memo first: most cuts end there, and copying the universe
	 * for each of them was most of their cost. */
	if (j == nact && nact <= 1) {
		m = &memo[nact == 0 ? allow->n : act[0]];
		if (*m == 1)
			return;
		if (*m > 1) {
			un_put(g, *m - 2, lo, hi);
			return;
		}
	}
	x = *u;
	num = d == P_N ? &x.ipp : &x.p[d];
	if (j == nact) {
		for (j = 0; j < nact && !iset_empty(num); j++) {
			const struct piece *r = &allow->v[act[j]];

			iset_diff(t, &left, num, d == P_N ? &r->ipp :
			    &r->p[d]);
			*num = left;
		}
		/* The rest of x is u's: only the numbers left are scratch. */
		k = iset_empty(num) ? 1 :
		    un_group_add(a, g, &x, lo, hi, num) + 2;
		if (m != NULL)
			*m = k;
		return;
	}
	aset_init(&x.dst);
	iset_add(t, &x.dst.f[f], lo, hi);
	un_push(t, &cur, &x);
	for (j = 0; j < nact && cur.n > 0; j++) {
		memset(&next, 0, sizeof(next));
		for (k = 0; k < cur.n; k++)
			un_diff(t, &next, &cur.v[k], &allow->v[act[j]]);
		cur = next;
	}
	for (k = 0; k < cur.n; k++) {
		const struct iset *ds = &cur.v[k].dst.f[f];

		for (i = 0; i < ds->n; i++)
			un_group_add(a, g, &cur.v[k], ds->v[i].lo,
			    ds->v[i].hi, NULL);
	}
}

/* Edge n of x: at, of rule sub, opening or closing its interval. */
static void
un_edge_put(struct un_edges *x, size_t n, u128 at, size_t sub, bool open)
{
	if (x->f == FAM_V4)
		x->k[n] = at << 32 | (u128)sub << 1 | open;
	else
		x->e[n] = (struct un_edge){ at, sub, open };
}

/*
 * The edges of every allow rule's destination intervals in family f,
 * sorted once for all the protocols swept (each skips the rules without
 * it); the arrays malloc'd.
 */
static void
un_edges(struct un_edges *x, const struct plist *allow, enum fam f)
{
	size_t i, j, n = 0;
	u128 max = fam_max(f);

	for (i = 0; i < allow->n; i++)
		n += 2 * allow->v[i].dst.f[f].n;
	memset(x, 0, sizeof(*x));
	x->f = f;
	if (f == FAM_V4)
		x->k = xmalloc((n + 1) * sizeof(*x->k));
	else
		x->e = xmalloc((n + 1) * sizeof(*x->e));
	n = 0;
	for (i = 0; i < allow->n; i++) {
		const struct iset *ds = &allow->v[i].dst.f[f];

		for (j = 0; j < ds->n; j++) {
			un_edge_put(x, n++, ds->v[j].lo, i, true);
			if (ds->v[j].hi != max)
				un_edge_put(x, n++, ds->v[j].hi + 1, i, false);
		}
	}
	/* No edge is past the family's last address: a close edge is
	 * made only below it. */
	if (f == FAM_V4)
		radix_sort(x->k, n, sizeof(*x->k), 64);
	else
		radix_sort(x->e, n, sizeof(*x->e), fam_bits(f));
	x->n = n;
}

/* anysrc[r]: allow rule r takes every source (un_any_src), the same
 * for every protocol and family swept.  The groups in arena a, their
 * destinations in out. */
static void
un_sweep(struct arena *a, struct arena *out, struct un_groups *g,
    const struct piece *u, const struct plist *allow, const bool *anysrc,
    size_t d, const struct un_edges *ex)
{
	struct arena *t = arena_new();
	enum fam f = ex->f;
	struct un_edge e = { 0, 0, false };
	size_t i, nact = 0, cuts = 0, ne = ex->n;
	size_t *act, *pos, *memo;
	bool *has;
	u128 at = 0, max = fam_max(f);

	g->fam = f;		/* the log is empty: the last sweep settled */
	memo = xmalloc((allow->n + 1) * sizeof(*memo));
	memset(memo, 0, (allow->n + 1) * sizeof(*memo));
	act = xmalloc((allow->n + 1) * sizeof(*act));
	pos = xmalloc((allow->n + 1) * sizeof(*pos));
	has = xmalloc((allow->n + 1) * sizeof(*has));
	for (i = 0; i < allow->n; i++) {
		const struct piece *r = &allow->v[i];

		has[i] = !(d == P_N ? iset_empty(&r->ipp) :
		    iset_empty(&r->p[d]));
	}
	for (i = 0; ; ) {
		/* Only the rules that have the protocol open or close. */
		for (; i < ne; i++)
			if (has[(e = un_edge_at(ex, i)).sub])
				break;
		if (i == ne)
			break;
		if (e.at > at) {
			un_cut(a, t, g, u, allow, anysrc, act, nact, d, f, at,
			    e.at - 1, memo);
			/* The scratch holds only the last cut's work: start
			 * it again now and then. */
			if (++cuts % 1024 == 0) {
				arena_free(t);
				t = arena_new();
			}
		}
		at = e.at;
		for (; i < ne && (e = un_edge_at(ex, i)).at == at; i++) {
			size_t r = e.sub;

			if (!has[r])
				continue;
			if (e.open) {
				pos[r] = nact;
				act[nact++] = r;
			} else {
				act[pos[r]] = act[--nact];
				pos[act[pos[r]]] = pos[r];
			}
		}
	}
	un_cut(a, t, g, u, allow, anysrc, act, nact, d, f, at, max, memo);
	un_settle(out, g);
	free(memo);
	free(act);
	free(pos);
	free(has);
	arena_free(t);
}

/*
 * default: deny made exclusive.  The profile's default (Block) decides only
 * what no rule matches, and Windows' own enabled allow rules ("Core
 * Networking - DNS (UDP-Out)", a Store package's rule for every protocol)
 * and those other software adds would still let out what the policy
 * denies.  Since a block rule beats every allow rule, the policy's
 * default becomes block rules for everything no allow rule of it allows:
 * the complement of the allow pieces, as products like the rest.  What
 * a block rule cannot say stays to the profile default: the protocols
 * beyond tcp, udp, icmp and icmpv6 where a product keeps only some ports
 * (see un_to_rule), a limit egressc(1) documents.
 */
static void
un_complement(struct ir *ir, struct ir_rule **nv, size_t *n, size_t *cap,
    bool strict)
{
	int said = 0;
	/* w: the groups; wa: the allow rules as pieces, done with once
	 * swept, before the rules are made of the groups. */
	struct arena *a = ir->arena, *w = arena_new(), *wa = arena_new();
	struct plist all, allow = { 0 };
	struct un_groups g = { 0 };
	struct strset taken = { 0 };
	struct ir_rule def;
	struct piece u;
	size_t i, k, d, n0 = *n;
	struct un_edges edge[FAM_N];
	bool *anysrc;
	unsigned sfx = 1;
	enum fam f;

	/*
	 * One protocol at a time (d == P_N: the other protocols), then joined
	 * where the addresses are the same: Windows rules are one protocol
	 * each, and so the ICMPv6 around neighbour discovery is one product
	 * for every address, not one for each address block the TCP and UDP
	 * cut.
	 */
	for (i = 0; i < n0; i++)
		if (!un_is_block(&(*nv)[i]) && (*nv)[i].dir == IR_EGRESS) {
			ARENA_PUSH(wa, allow.v, allow.n, allow.cap);
			un_from_rule(wa, &allow.v[allow.n - 1], &(*nv)[i], true);
		}
	for (f = 0; f < FAM_N; f++)
		un_edges(&edge[f], &allow, f);
	anysrc = xmalloc((allow.n + 1) * sizeof(*anysrc));
	for (i = 0; i < allow.n; i++)
		anysrc[i] = un_any_src(&allow.v[i]);
	for (d = 0; d <= P_N; d++) {
		memset(&u, 0, sizeof(u));
		aset_init(&u.src);
		aset_init(&u.dst);
		for (f = 0; f < FAM_N; f++)
			aset_add_prefix(w, &u.src, f, 0, 0);
		/* Normalised once: the groups share these sets. */
		aset_norm(&u.src);
		iset_init(&u.ipp);
		if (d == P_N)
			ipp_others(w, &u.ipp, FAM_N);
		for (k = 0; k < P_N; k++) {
			iset_init(&u.p[k]);
			if (k == d)
				iset_add(w, &u.p[k], 0, proto_max(k));
		}
		u.names = arena_alloc(w, sizeof(*u.names));
		/* This protocol's groups are looked up among themselves. */
		g.base = g.l.n;
		free(g.slot);
		g.slot = NULL;
		g.size = 0;
		/* A protocol of one family (ICMP) is swept in that family
		 * only, and takes the whole of the other, where it means
		 * nothing: a piece of every address is written as one. */
		for (f = 0; f < FAM_N; f++)
			if (d == P_N || proto_in_fam((enum proto)d, f))
				un_sweep(w, a, &g, &u, &allow, anysrc, d,
				    &edge[f]);
		/* The destinations are the rules' own from now on. */
		for (k = g.base; k < g.l.n; k++) {
			for (f = 0; f < FAM_N; f++)
				if (d < P_N && !proto_in_fam((enum proto)d, f))
					aset_add_prefix(a, &g.l.v[k].dst, f, 0,
					    0);
			aset_norm(&g.l.v[k].dst);
			g.l.v[k].dst_out = true;
		}
	}
	free(g.slot);
	free(g.tail);
	free(g.log4);
	free(g.log6);
	for (f = 0; f < FAM_N; f++) {
		free(edge[f].k);
		free(edge[f].e);
	}
	free(anysrc);
	arena_free(wa);
	all = g.l;
	un_merge(w, &all);

	memset(&def, 0, sizeof(def));
	def.name = "builtin-default-deny";
	def.comment = "default: deny, against every allow rule but the "
	    "policy's";
	def.action = IR_DENY;
	def.dir = IR_EGRESS;
	if (n0 > 0)
		def.loc = (*nv)[0].loc;
	un_names_taken(w, &taken, *nv, *n);
	un_names_taken(w, &taken, ir->rules, ir->nrules);
	/* Room for them all at once: the list is large, and growing it
	 * by doubling copies it each time. */
	if (*n + all.n > *cap) {
		*nv = arena_grow(a, *nv, *cap * sizeof(**nv),
		    (*n + all.n) * sizeof(**nv));
		*cap = *n + all.n;
	}
	for (k = 0; k < all.n; k++) {
		const char *name = def.name;
		struct ir_rule *nr;

		while (strset_has(&taken, name))
			name = arena_printf(a, "%s-%u", def.name, ++sfx);
		ARENA_PUSH(a, *nv, *n, *cap);
		nr = &(*nv)[*n - 1];
		un_to_rule(a, nr, &def, &all.v[k]);
		/* The other IP protocols of a piece that is not every
		 * protocol would be one Windows rule per protocol number (some
		 * 250): they stay to the profile default, where Windows' own
		 * allow rules of every protocol may let them out.  A loss,
		 * said once, like the others.  Only other protocols, and some
		 * ports of the rest: nothing Windows can say. */
		if (!nr->svc.all && !iset_empty(&nr->svc.ipp)) {
			iset_init(&nr->svc.ipp);
			if (!said++)
				un_loss(strict, nr, arena_printf(a, "rule '%s': "
				    "Windows Firewall cannot block every "
				    "protocol but some ports: the other IP "
				    "protocols (gre, esp, ...) to addresses the "
				    "policy allows some ports of stay to the "
				    "profile default, which Windows' own allow "
				    "rules may override", def.name));
		}
		if (!nr->svc.all && svc_empty(&nr->svc)) {
			(*n)--;
			continue;
		}
		nr->name = name;
		strset_add(w, &taken, name);
	}
	arena_free(w);
}

/* The candidates of one rule: a mark per rule, the list in order, and
 * the arena of the index that finds them. */
struct un_cand {
	unsigned char	*mark;
	size_t		*v;
	struct arena	*t;
};

static int
un_idx_cmp(const void *pa, const void *pb)
{
	size_t p = *(const size_t *)pa, q = *(const size_t *)pb;

	return p < q ? -1 : p > q;
}

/*
 * The earlier rules of the other kind (allow for a block rule, block for
 * an allow) that rule i can meet, ascending: those the index says share
 * an address with it, and those sharing a host name with it (the same
 * name meets itself whatever its addresses).  A policy of allows and
 * blocks in turn is then not every allow against every block.
 */
static size_t
un_others(const struct ir *ir, struct rindex **x, struct un_cand *cd,
    size_t *const kind[2],
    const size_t nkind[2], size_t *const named[2], const size_t nnamed[2],
    const struct piece *orig, size_t i, const size_t **out)
{
	int o = !un_is_block(&ir->rules[i]);
	const size_t *m;
	size_t nm, k, n = 0;

	*out = cd->v;
	if (nkind[o] == 0 || kind[o][0] >= i)
		return 0;
	/* Made the first time a rule has one of the other kind before it:
	 * a policy of allows alone never needs it. */
	if (*x == NULL)
		*x = rindex_new(cd->t, ir);
	nm = rindex_meeting(*x, i, &m);
	for (k = 0; k < nm; k++)
		if (un_is_block(&ir->rules[m[k]]) == (o == 1) &&
		    !cd->mark[m[k]]) {
			cd->mark[m[k]] = 1;
			cd->v[n++] = m[k];
		}
	for (k = 0; orig[i].nnames > 0 && k < nnamed[o] && named[o][k] < i;
	    k++)
		if (!cd->mark[named[o][k]] &&
		    un_share_name(&orig[i], &orig[named[o][k]])) {
			cd->mark[named[o][k]] = 1;
			cd->v[n++] = named[o][k];
		}
	for (k = 0; k < n; k++)
		cd->mark[cd->v[k]] = 0;
	if (n > 1)
		qsort(cd->v, n, sizeof(*cd->v), un_idx_cmp);
	return n;
}

int
lower_unordered(struct ir *ir, bool strict)
{
	int errs = diag_errors();
	struct arena *a = ir->arena;
	struct piece *orig, *sub;
	struct ir_rule *nv = NULL;
	size_t i, j, k, c, n = 0, cap = 0;
	/* The rules of each kind (0 allow, 1 block), in order: a rule meets
	 * only the other kind, and a policy of 50,000 allows is no pairs. */
	size_t *kind[2], nkind[2] = { 0, 0 };
	/* Of each kind, the rules with host names: a shared name meets
	 * whatever addresses it has. */
	size_t *named[2], nnamed[2] = { 0, 0 };
	struct strset taken = { 0 };
	struct arena *t = arena_new(), *w = NULL;
	struct rindex *x = NULL;
	struct un_cand cand = { 0 };

	orig = arena_alloc(t, (ir->nrules + 1) * sizeof(*orig));
	sub = arena_alloc(t, (ir->nrules + 1) * sizeof(*sub));
	kind[0] = arena_alloc(t, (ir->nrules + 1) * sizeof(*kind[0]));
	kind[1] = arena_alloc(t, (ir->nrules + 1) * sizeof(*kind[1]));
	named[0] = arena_alloc(t, (ir->nrules + 1) * sizeof(*named[0]));
	named[1] = arena_alloc(t, (ir->nrules + 1) * sizeof(*named[1]));
	/* Most rules stay one: room for them all, grown only by splits. */
	cap = ir->nrules + 1;
	nv = arena_alloc(a, cap * sizeof(*nv));
	cand.t = t;
	cand.mark = arena_alloc(t, ir->nrules + 1);
	cand.v = arena_alloc(t, (ir->nrules + 1) * sizeof(*cand.v));
	for (i = 0; i < ir->nrules; i++) {
		un_from_rule(t, &orig[i], &ir->rules[i], false);
		if (ir->rules[i].nnames == 0)
			sub[i] = orig[i];
		else
			un_from_rule(t, &sub[i], &ir->rules[i], true);
		c = un_is_block(&ir->rules[i]);
		kind[c][nkind[c]++] = i;
		if (ir->rules[i].nnames > 0)
			named[c][nnamed[c]++] = i;
	}
	un_names_taken(t, &taken, ir->rules, ir->nrules);

	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];
		struct plist cur = { 0 }, next;
		bool warned = false, split = false;

		/* The pieces of a rule are scratch: what is kept is copied
		 * into its rules. */
		if (i % 256 == 0) {
			arena_free(w);
			w = arena_new();
		}
		/* Most rules stay one piece: room for one, not eight. */
		cur.v = arena_alloc(w, sizeof(*cur.v));
		cur.cap = 1;

		const size_t *other;
		size_t nother = un_others(ir, &x, &cand, kind, nkind, named,
		    nnamed, orig, i, &other);

		un_push(w, &cur, &orig[i]);
		for (c = 0; c < nother && cur.n > 0; c++) {
			const struct ir_rule *e = &ir->rules[other[c]];

			j = other[c];
			if (e->dir != r->dir)
				continue;
			if (!un_is_block(r) && !svc_covers(&e->svc, &r->svc))
				continue;
			/* A block rule's own names cannot lose addresses, nor
			 * can anything lose an allow's wildcard: the block may
			 * take more than first match would. */
			if (un_is_block(r) && !warned &&
			    (r->nnames > 0 || un_has_wildcard(e)) &&
			    un_overlap(&orig[i], &sub[j])) {
				un_loss(strict, r, arena_printf(a, "rule '%s' "
				    "blocks, and Windows resolves the host "
				    "names in it or the wildcards in the "
				    "earlier allow rule '%s' itself: it may "
				    "block what '%s' allows", r->name, e->name,
				    e->name));
				warned = true;
			}
			/* Most rules meet no piece: copy nothing for them. */
			for (k = 0; k < cur.n; k++)
				if (un_overlap(&cur.v[k], &sub[j]))
					break;
			if (k == cur.n)
				continue;
			memset(&next, 0, sizeof(next));
			for (k = 0; k < cur.n; k++)
				un_diff(w, &next, &cur.v[k], &sub[j]);
			cur = next;
			split = true;
		}
		un_merge(w, &cur);

		for (k = 0; k < cur.n; k++) {
			struct ir_rule *nr;
			const char *name = r->name;
			unsigned sfx = k;

			if (!warned)
				warned = un_warn_other(ir, r, &cur.v[k], sub, strict);
			while (k > 0 && (name == r->name ||
			    strset_has(&taken, name)))
				name = arena_printf(a, "%s-%u", r->name, ++sfx);
			ARENA_PUSH(a, nv, n, cap);
			nr = &nv[n - 1];
			/* A rule that lost nothing is itself, its sets shared
			 * (they live in the same arena, and nothing after
			 * changes a set in place): most rules, whose copies
			 * were the most the rewrite kept. */
			if (!split)
				*nr = *r;
			else
				un_to_rule(a, nr, r, &cur.v[k]);
			nr->name = name;
			strset_add(t, &taken, name);
		}
	}
	arena_free(w);
	arena_free(t);
	if (ir->def == IR_DEF_DENY) {
		un_leave_types(ir, nv, &n);
		un_complement(ir, &nv, &n, &cap, strict);
	}
	ir->rules = nv;
	ir->nrules = n;
	ir->caprules = cap;
	return diag_errors() != errs ? -1 : 0;
}
