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
 *
 * Only an earlier rule that meets rule j takes anything from it, and two
 * rules meet only where their destinations share an address (in a family)
 * or an unresolved name.  So the earlier rules are not all walked: the
 * destination index of the policy (ir/meet.c: every rule's destination
 * intervals sorted, read as an interval tree) gives the rules whose
 * intervals meet j's, and those are subtracted in rule order, as a walk of
 * every earlier rule would, so the rest and the rules named are the same.
 * Boxes are built for those rules alone, in the caller's scratch arena.
 */
#include <string.h>

#include "pass/cover.h"

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
	if (p == PX_OTHER) {
		if (!r->svc.all && iset_empty(&r->svc.ipp))
			return false;
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

/*
 * rest = rest minus the packets of rule `by`.  Returns -1 when the boxes
 * grew past the bound (rest is then left as it was: "not covered").
 */
static int
subtract(struct arena *a, struct cover *rest, const struct ir_rule *by,
    const struct cover *bc, const struct ir_rule *of)
{
	struct cover out;
	size_t i, k;

	for (k = 0; k < bc->n; k++) {
		const struct cover_box *cut = &bc->v[k];

		if (cut->fam < 0 && !src_covers_all(by, of))
			continue;
		memset(&out, 0, sizeof(out));
		for (i = 0; i < rest->n; i++) {
			const struct cover_box *x = &rest->v[i];
			struct cover_box piece, mid;

			if (x->fam != cut->fam || x->proto != cut->proto ||
			    (x->fam < 0 && strcmp(x->name, cut->name) != 0)) {
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
	return 0;
}

/* Do rules i and j (boxes ci and cj) share a packet? */
static bool
meets(struct arena *a, const struct ir_rule *i, const struct cover *ci,
    const struct ir_rule *j, const struct cover *cj)
{
	size_t x, y;

	if (i->dir != j->dir)
		return false;
	for (x = 0; x < ci->n; x++)
		for (y = 0; y < cj->n; y++) {
			const struct cover_box *p = &ci->v[x], *q = &cj->v[y];
			struct iset t;

			if (p->fam != q->fam || p->proto != q->proto ||
			    (p->fam < 0 && (strcmp(p->name, q->name) != 0 ||
			    !src_covers_all(i, j))))
				continue;
			iset_init(&t);
			iset_inter(a, &t, &p->src, &q->src);
			if (iset_empty(&t))
				continue;
			iset_inter(a, &t, &p->dst, &q->dst);
			if (iset_empty(&t))
				continue;
			iset_inter(a, &t, &p->ports, &q->ports);
			if (!iset_empty(&t))
				return true;
		}
	return false;
}

/* Where rule r's boxes can meet another rule's: its destinations with
 * the lock's addresses of its names, and its names without addresses. */
static void
cover_dests(struct meet_index *x, size_t id, const struct ir_rule *r)
{
	size_t k;

	meet_add_set(x, id, &r->dst);
	for (k = 0; k < r->nnames; k++) {
		const struct ir_name *n = &r->names[k];

		if (n->resolved)
			meet_add_set(x, id, &n->addrs);
		else
			meet_add_name(x, id, n->name);
	}
}

void
cover_index_free(struct cover_index *ci)
{
	meet_free(&ci->x);
}

void
cover_index(const struct ir *ir, struct cover_index *ci)
{
	size_t i;

	ci->ir = ir;
	meet_init(&ci->x);
	for (i = 0; i < ir->nrules; i++)
		cover_dests(&ci->x, i, &ir->rules[i]);
	meet_build(&ci->x);
}

/* The rules of the index that can meet rule r, in rule order. */
static void
cover_near(const struct cover_index *ci, const struct ir_rule *r,
    struct meet_hits *h)
{
	size_t k;

	h->n = 0;
	meet_set(&ci->x, &r->dst, h);
	for (k = 0; k < r->nnames; k++) {
		const struct ir_name *n = &r->names[k];

		if (n->resolved)
			meet_set(&ci->x, &n->addrs, h);
		else
			meet_name(&ci->x, n->name, h);
	}
	meet_done(h);
}

int
cover_rest(struct arena *a, const struct cover_index *ci, size_t j,
    struct cover *rest, struct cover_by *by)
{
	const struct ir *ir = ci->ir;
	const struct ir_rule *r = &ir->rules[j];
	struct meet_hits near = { 0 };
	struct cover self, bc;
	size_t c, i;
	int rc = 0;

	/* Subtracting writes new boxes, never the old: self may share. */
	cover_rule(a, r, rest);
	self = *rest;
	memset(by, 0, sizeof(*by));
	cover_near(ci, r, &near);
	for (c = 0; c < near.n && near.v[c] < j && rest->n > 0; c++) {
		const struct ir_rule *e = &ir->rules[i = near.v[c]];

		if (e->dir != r->dir)
			continue;
		cover_rule(a, e, &bc);
		if (!meets(a, e, &bc, r, &self))
			continue;
		if (subtract(a, rest, e, &bc, r) < 0) {
			rc = -1;
			break;
		}
		ARENA_PUSH(a, by->v, by->n, by->cap);
		by->v[by->n - 1] = i;
		if (e->action != r->action)
			by->conflict = true;
	}
	meet_hits_free(&near);
	return rc;
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
