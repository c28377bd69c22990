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
 *
 * Only rules that share a destination address or a host name with a rule
 * can take anything from it (every product above keeps x's destinations
 * or their part in y's), so each rule is compared with those alone: the
 * destination index (ir/meet.c) of the rules of the other kind lists them,
 * and they are taken in rule order, as a scan of every earlier rule would
 * take them, so the pieces come out the same.
 */
#include <stdio.h>
#include <string.h>

#include "ir/meet.h"
#include "pass/unordered.h"
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

/* What pieces of rules of every protocol share: they are never changed
 * in place (every operation below writes new sets), so one copy serves
 * all, as the rules' own sets serve the pieces that are the rules whole. */
struct un_full {
	struct iset	 ipp;		/* every other protocol */
	struct iset	 p;		/* 0..65535 */
};

/*
 * The rule as a piece.  sub: as the rule that is taken away from others,
 * with the lock's addresses of its host names added to its destination.
 * The rule's sets are normalised (lower() saw to it), so the piece reads
 * them where they are.
 */
static void
un_from_rule(struct arena *a, struct piece *pc, const struct ir_rule *r,
    bool sub, const struct un_full *full)
{
	const struct ir_name **nv;
	size_t i;
	bool named = false;

	memset(pc, 0, sizeof(*pc));
	pc->src = r->src;
	pc->dst = r->dst;
	for (i = 0; sub && i < r->nnames; i++)
		named |= r->names[i].resolved;
	if (named) {
		un_aset_copy(a, &pc->dst, &r->dst);
		for (i = 0; i < r->nnames; i++)
			if (r->names[i].resolved)
				aset_union(a, &pc->dst, &r->names[i].addrs);
		aset_norm(&pc->dst);
	}
	if (r->nnames > 0) {
		nv = arena_alloc(a, r->nnames * sizeof(*nv));
		for (i = 0; i < r->nnames; i++)
			nv[i] = &r->names[i];
		pc->names = nv;
		pc->nnames = r->nnames;
	}
	pc->ipp = r->svc.all ? full->ipp : r->svc.ipp;
	for (i = 0; i < P_N; i++)
		pc->p[i] = r->svc.all ? full->p : r->svc.p[i];
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

/*
 * Splitting leaves pieces that differ in one dimension only (the same
 * ports to two address blocks); join them back so that a rule split by
 * one overlap still comes out as one Windows rule where it can.
 */
static void
un_merge(struct arena *a, struct plist *l)
{
	size_t i, j, k;
	bool joined;

	do {
		joined = false;
		for (i = 0; i < l->n; i++) {
			for (j = i + 1; j < l->n; j++) {
				struct piece *x = &l->v[i], *y = &l->v[j];
				struct aset u;

				if (!un_same_names(x, y) ||
				    !aset_equal(&x->src, &y->src))
					continue;
				if (un_same_svc(x, y)) {
					un_aset_copy(a, &u, &x->dst);
					aset_union(a, &u, &y->dst);
					aset_norm(&u);
					x->dst = u;
				} else if (aset_equal(&x->dst, &y->dst)) {
					for (k = 0; k < P_N; k++)
						un_iset_join(a, &x->p[k],
						    &y->p[k]);
					un_iset_join(a, &x->ipp, &y->ipp);
				} else
					continue;
				memmove(y, y + 1,
				    (l->n - j - 1) * sizeof(*y));
				l->n--;
				joined = true;
				j--;
			}
		}
	} while (joined);
}

static bool
un_is_block(const struct ir_rule *r)
{
	return r->action != IR_ALLOW;
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

	/* Pieces are never changed once made: the rule reads their sets. */
	*r = *orig;
	r->src = pc->src;
	r->dst = pc->dst;
	nv = NULL;
	if (pc->nnames > 0) {
		nv = arena_alloc(a, pc->nnames * sizeof(*nv));
		for (i = 0; i < pc->nnames; i++)
			nv[i] = *pc->names[i];
	}
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
		r->svc.p[k] = pc->p[k];
	if (!orig->svc.all)
		r->svc.ipp = pc->ipp;
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

/* The rules of the index that share a destination address or a name with
 * the piece, in rule order. */
static void
un_near(const struct meet_index *x, const struct piece *pc,
    struct meet_hits *h)
{
	size_t i;

	h->n = 0;
	meet_set(x, &pc->dst, h);
	for (i = 0; i < pc->nnames; i++)
		meet_name(x, pc->names[i]->name, h);
	meet_done(h);
}

/* allows: the index of the allow rules (their pieces as sub). */
static bool
un_warn_other(const struct ir *ir, const struct ir_rule *r,
    const struct piece *pc, const struct piece *sub,
    const struct meet_index *allows, struct meet_hits *h, bool strict)
{
	size_t k;
	bool meets = ir->def != IR_DEF_DENY;

	if (!un_is_block(r) || !r->svc.all || iset_empty(&pc->ipp) ||
	    un_full(pc))
		return false;
	if (!meets)
		un_near(allows, pc, h);
	for (k = 0; !meets && k < h->n; k++) {
		const struct ir_rule *e = &ir->rules[h->v[k]];

		meets = e->dir == r->dir && un_overlap_ipp(pc, &sub[h->v[k]]);
	}
	if (!meets)
		return false;
	un_loss(strict, r, arena_printf(ir->arena, "rule '%s': Windows "
	    "Firewall cannot block every protocol but some ports: protocols "
	    "other than tcp, udp, sctp, icmp and icmpv6 that an earlier allow "
	    "rule leaves to this rule go to the default", r->name));
	return true;
}

int
lower_unordered(struct ir *ir, bool strict)
{
	int errs = diag_errors();
	struct arena *a = ir->arena;
	struct piece *orig, *sub;
	struct ir_rule *nv = NULL;
	struct meet_index kind[2];	/* [0] allow rules, [1] block rules */
	struct meet_hits near = { 0 }, h = { 0 };
	struct strset taken = { 0 };
	struct un_full full;
	size_t i, j, k, c, n = 0, cap = 0, nkind[2] = { 0, 0 };

	orig = arena_alloc(a, (ir->nrules + 1) * sizeof(*orig));
	sub = arena_alloc(a, (ir->nrules + 1) * sizeof(*sub));
	ipp_others(a, &full.ipp, FAM_N);
	iset_init(&full.p);
	iset_add(a, &full.p, 0, proto_max(P_TCP));
	for (i = 0; i < ir->nrules; i++) {
		un_from_rule(a, &orig[i], &ir->rules[i], false, &full);
		un_from_rule(a, &sub[i], &ir->rules[i], true, &full);
		nkind[un_is_block(&ir->rules[i])]++;
		strset_add(a, &taken, ir->rules[i].name);
	}
	/* Rules of one kind are asked about by rules of the other alone: an
	 * index nobody asks is not built (a policy of allows alone, say). */
	for (k = 0; k < 2; k++) {
		meet_init(&kind[k]);
		for (i = 0; nkind[!k] > 0 && i < ir->nrules; i++) {
			if (un_is_block(&ir->rules[i]) != (bool)k)
				continue;
			meet_add_set(&kind[k], i, &sub[i].dst);
			for (j = 0; j < sub[i].nnames; j++)
				meet_add_name(&kind[k], i,
				    sub[i].names[j]->name);
		}
		meet_build(&kind[k]);
	}

	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];
		struct plist cur = { 0 }, next;
		bool warned = false;

		/* The rule whole, in place: most rules stay one piece. */
		if (un_live(&orig[i])) {
			cur.v = &orig[i];
			cur.n = cur.cap = 1;
		}
		/* The earlier rules of the other kind that can meet it. */
		un_near(&kind[!un_is_block(r)], &orig[i], &near);
		for (c = 0; c < near.n && near.v[c] < i && cur.n > 0; c++) {
			const struct ir_rule *e = &ir->rules[near.v[c]];

			j = near.v[c];
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
				un_diff(a, &next, &cur.v[k], &sub[j]);
			cur = next;
		}
		un_merge(a, &cur);

		for (k = 0; k < cur.n; k++) {
			struct ir_rule *nr;
			const char *name = r->name;
			unsigned sfx = k;

			if (!warned)
				warned = un_warn_other(ir, r, &cur.v[k], sub,
				    &kind[0], &h, strict);
			while (k > 0 && (name == r->name ||
			    strset_has(&taken, name)))
				name = arena_printf(a, "%s-%u", r->name, ++sfx);
			if (k > 0)
				strset_add(a, &taken, name);
			ARENA_PUSH(a, nv, n, cap);
			nr = &nv[n - 1];
			un_to_rule(a, nr, r, &cur.v[k]);
			nr->name = name;
		}
	}
	meet_hits_free(&near);
	meet_hits_free(&h);
	meet_free(&kind[0]);
	meet_free(&kind[1]);
	ir->rules = nv;
	ir->nrules = n;
	ir->caprules = cap;
	return diag_errors() != errs ? -1 : 0;
}
