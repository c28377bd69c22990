/*
 * cover.c - what of a rule the rules before it leave: the packets that
 * still reach it under first match.
 *
 * A rule's packets are a union of boxes, one per (family, protocol):
 * source interval set x destination interval set x port set.  The protocol
 * axis has a value for each protocol with ports or messages (tcp, udp,
 * sctp, icmp with IPv4 only, icmpv6 with IPv6 only; messages are
 * type << 8 | code) and "other", whose "ports" are the numbers of every
 * other IP protocol a rule takes whole (gre, proto/N; in IPv6 never an
 * extension header).  A host name still unresolved (lint before the
 * first resolve, or names kept native) is a destination axis of its own:
 * only the same name, from a source that covers the rule's, takes it.
 *
 * A box minus a box that meets it is at most three boxes (the source
 * outside, the destination outside, the ports outside), each disjoint
 * from the others; so the rest of rule j is its boxes minus every earlier
 * rule's, in turn.  Coverage by the union of earlier rules (a /8 after
 * both /9s) falls out, where a pairwise test misses it.  The work is
 * bounded: past COVER_MAX_BOXES the answer is "not covered" (no false
 * warning, possibly a missed one), and callers say so.
 */
#include <string.h>

#include "pass/cover.h"
#include "util/strset.h"

#define COVER_MAX_BOXES	4096

enum { PX_OTHER = P_N, PX_N };

/* Build the boxes of one rule. */
static void
add_box(struct arena *a, struct cover *c, const struct cover_box *b)
{
	ARENA_PUSH(a, c->v, c->n, c->cap);
	c->v[c->n - 1] = *b;
}

static bool
box_in_fam(int p, int f)
{
	return p == PX_OTHER || proto_in_fam((enum proto)p, (enum fam)f);
}

/*
 * The port set of protocol p a rule matches in family f (FAM_N: a name
 * not yet resolved, either family), or false when none.
 */
static bool
ports_of(struct arena *a, const struct ir_rule *r, int p, enum fam f,
    struct iset *out)
{
	struct iset fam;

	iset_init(out);
	if (p == PX_OTHER && !r->svc.all && iset_empty(&r->svc.ipp))
		return false;
	if (p == PX_OTHER) {
		ipp_others(a, &fam, f);
		if (r->svc.all)
			iset_copy(a, out, &fam);
		else
			iset_inter(a, out, &r->svc.ipp, &fam);
		return !iset_empty(out);
	}
	if (r->svc.all) {
		iset_add(a, out, 0, proto_max(p));
		iset_norm(out);
		return true;
	}
	if (iset_empty(&r->svc.p[p]))
		return false;
	iset_copy(a, out, &r->svc.p[p]);
	return true;
}

/* Every packet of rule r as boxes.  names: keep unresolved names. */
void
cover_rule(struct arena *a, const struct ir_rule *r, struct cover *c)
{
	struct cover_box b;
	size_t k;
	int f, p;

	memset(c, 0, sizeof(*c));
	for (f = 0; f < FAM_N; f++)
		for (p = 0; p < PX_N; p++) {
			if (!box_in_fam(p, f) || iset_empty(&r->src.f[f]))
				continue;
			memset(&b, 0, sizeof(b));
			if (!ports_of(a, r, p, (enum fam)f, &b.ports))
				continue;
			b.fam = f;
			b.proto = p;
			iset_copy(a, &b.src, &r->src.f[f]);
			iset_init(&b.dst);
			iset_copy(a, &b.dst, &r->dst.f[f]);
			for (k = 0; k < r->nnames; k++)
				if (r->names[k].resolved)
					iset_union(a, &b.dst,
					    &r->names[k].addrs.f[f]);
			iset_norm(&b.dst);
			if (!iset_empty(&b.dst))
				add_box(a, c, &b);
		}
	/* Names without addresses: a box each, per protocol. */
	for (k = 0; k < r->nnames; k++) {
		if (r->names[k].resolved)
			continue;
		for (p = 0; p < PX_N; p++) {
			memset(&b, 0, sizeof(b));
			if (p == P_ICMP6 || !ports_of(a, r, p, FAM_N,
			    &b.ports))
				continue;
			b.fam = -1;
			b.name = r->names[k].name;
			b.proto = p;
			iset_add(a, &b.src, 0, 0);
			iset_norm(&b.src);
			iset_add(a, &b.dst, 0, 0);
			iset_norm(&b.dst);
			add_box(a, c, &b);
		}
	}
}

static bool
src_covers_all(const struct ir_rule *i, const struct ir_rule *j)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!iset_subset(&j->src.f[f], &i->src.f[f]))
			return false;
	return true;
}

/* "PROTO NAME": the key of an unresolved name's box of one protocol. */
static const char *
name_key(struct arena *a, const struct cover_box *b)
{
	return arena_printf(a, "%d %s", b->proto, b->name);
}

/*
 * rest minus the boxes of by that are unresolved names.  Such a box stands
 * for one name and protocol, and so does at most one box of rest (a name
 * box loses only ports), so they are matched through a hash, not pairwise:
 * rules of 2,000 names each cost 2,000 steps, not 4,000,000.
 */
static void
subtract_names(struct arena *a, struct cover *rest, const struct cover *bc)
{
	struct strset idx = { 0 };
	size_t i, k, n;

	for (i = 0; i < rest->n; i++)
		if (rest->v[i].fam < 0)
			strset_put(a, &idx, name_key(a, &rest->v[i]), i, NULL);
	if (idx.n == 0)
		return;
	for (k = 0; k < bc->n; k++) {
		struct cover_box *x;
		struct iset left;

		if (bc->v[k].fam >= 0 ||
		    !strset_get(&idx, name_key(a, &bc->v[k]), &i))
			continue;
		x = &rest->v[i];
		iset_init(&left);
		iset_diff(a, &left, &x->ports, &bc->v[k].ports);
		x->ports = left;
	}
	for (i = n = 0; i < rest->n; i++)
		if (rest->v[i].fam >= 0 || !iset_empty(&rest->v[i].ports))
			rest->v[n++] = rest->v[i];
	rest->n = n;
}

/*
 * rest = rest minus the packets of rule `by`.  Returns -1 when the boxes
 * grew past the bound (rest is then left as it was: "not covered").
 */
static int
subtract(struct arena *a, struct cover *rest, const struct ir_rule *by,
    const struct ir_rule *of)
{
	struct cover bc, out;
	size_t i, k;

	cover_rule(a, by, &bc);
	if (bc.n > COVER_MAX_BOXES)
		return -1;
	for (k = 0; k < bc.n; k++) {
		const struct cover_box *cut = &bc.v[k];

		if (cut->fam < 0)
			continue;
		memset(&out, 0, sizeof(out));
		for (i = 0; i < rest->n; i++) {
			const struct cover_box *x = &rest->v[i];
			struct cover_box piece, mid;

			if (x->fam != cut->fam || x->proto != cut->proto) {
				add_box(a, &out, x);
				continue;
			}
			memset(&mid, 0, sizeof(mid));
			mid = *x;
			iset_init(&mid.src);
			iset_inter(a, &mid.src, &x->src, &cut->src);
			iset_init(&mid.dst);
			iset_inter(a, &mid.dst, &x->dst, &cut->dst);
			iset_init(&mid.ports);
			iset_inter(a, &mid.ports, &x->ports, &cut->ports);
			if (iset_empty(&mid.src) || iset_empty(&mid.dst) ||
			    iset_empty(&mid.ports)) {
				add_box(a, &out, x);
				continue;
			}
			/* Source outside the cut. */
			piece = *x;
			iset_init(&piece.src);
			iset_diff(a, &piece.src, &x->src, &cut->src);
			if (!iset_empty(&piece.src))
				add_box(a, &out, &piece);
			/* Source inside, destination outside. */
			piece = *x;
			piece.src = mid.src;
			iset_init(&piece.dst);
			iset_diff(a, &piece.dst, &x->dst, &cut->dst);
			if (!iset_empty(&piece.dst))
				add_box(a, &out, &piece);
			/* Both inside, ports outside. */
			piece = *x;
			piece.src = mid.src;
			piece.dst = mid.dst;
			iset_init(&piece.ports);
			iset_diff(a, &piece.ports, &x->ports, &cut->ports);
			if (!iset_empty(&piece.ports))
				add_box(a, &out, &piece);
			if (out.n > COVER_MAX_BOXES)
				return -1;
		}
		*rest = out;
	}
	/* A name is taken only from a source that covers the rule's. */
	if (src_covers_all(by, of))
		subtract_names(a, rest, &bc);
	return 0;
}

static bool
boxes_meet(struct arena *a, const struct cover_box *p,
    const struct cover_box *q)
{
	struct iset t;

	iset_init(&t);
	iset_inter(a, &t, &p->src, &q->src);
	if (iset_empty(&t))
		return false;
	iset_inter(a, &t, &p->dst, &q->dst);
	if (iset_empty(&t))
		return false;
	iset_inter(a, &t, &p->ports, &q->ports);
	return !iset_empty(&t);
}

/*
 * Do rules i and j share a packet?  Their address boxes (one per family
 * and protocol) are few and compared pairwise; boxes of unresolved names
 * are matched through a hash of j's, as in subtract_names.
 */
static bool
meets(struct arena *a, const struct ir_rule *i, const struct ir_rule *j)
{
	struct cover ci, cj;
	struct strset jn = { 0 };
	size_t x, y;
	bool names = false;

	if (i->dir != j->dir)
		return false;
	cover_rule(a, i, &ci);
	cover_rule(a, j, &cj);
	for (x = 0; x < ci.n; x++) {
		const struct cover_box *p = &ci.v[x];

		if (p->fam < 0) {
			names = true;
			continue;
		}
		for (y = 0; y < cj.n; y++) {
			const struct cover_box *q = &cj.v[y];

			if (q->fam == p->fam && q->proto == p->proto &&
			    boxes_meet(a, p, q))
				return true;
		}
	}
	if (!names || !src_covers_all(i, j))
		return false;
	for (y = 0; y < cj.n; y++)
		if (cj.v[y].fam < 0)
			strset_put(a, &jn, name_key(a, &cj.v[y]), y, NULL);
	for (x = 0; x < ci.n; x++)
		if (ci.v[x].fam < 0 &&
		    strset_get(&jn, name_key(a, &ci.v[x]), &y) &&
		    boxes_meet(a, &ci.v[x], &cj.v[y]))
			return true;
	return false;
}

int
cover_rest(struct arena *a, const struct ir *ir, size_t j, struct rindex *x,
    struct cover *rest, struct cover_by *by)
{
	const struct ir_rule *r = &ir->rules[j];
	const size_t *cand = NULL;
	size_t c, i, n = x != NULL ? rindex_meeting(x, j, &cand) : j;

	cover_rule(a, r, rest);
	memset(by, 0, sizeof(*by));
	if (rest->n > COVER_MAX_BOXES)
		return -1;
	for (c = 0; c < n && rest->n > 0; c++) {
		const struct ir_rule *e;

		i = cand != NULL ? cand[c] : c;
		e = &ir->rules[i];
		if (e->dir != r->dir || !meets(a, e, r))
			continue;
		if (subtract(a, rest, e, r) < 0)
			return -1;
		ARENA_PUSH(a, by->v, by->n, by->cap);
		by->v[by->n - 1] = i;
		if (e->action != r->action)
			by->conflict = true;
	}
	return 0;
}

bool
cover_example(const struct cover_box *b, struct ir_packet *pk)
{
	memset(pk, 0, sizeof(*pk));
	if (b->fam < 0)
		return false;
	pk->fam = (enum fam)b->fam;
	pk->src = b->src.v[0].lo;
	pk->dst = b->dst.v[0].lo;
	if (b->proto == PX_OTHER) {
		pk->proto = (unsigned)b->ports.v[0].lo;
		return true;
	}
	pk->proto = proto_ipp[b->proto];
	pk->port = (unsigned)b->ports.v[0].lo;
	return true;
}
