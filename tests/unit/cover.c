/*
 * cover.c - unit tests for lint's coverage proof (pass/cover.c) against a
 * brute force: small random policies over a universe small enough to list
 * every packet (16 addresses and one outside per family, ports 0 to 9 of
 * tcp and udp, 9 standing for every port past 8, gre for every protocol
 * without ports), so that "earlier rules take all of rule j", which rules
 * take some of it, and whether one decides otherwise are read off the
 * packets themselves.  The rule index (pass/rindex.c) must change none of it.
 */
#include <stdlib.h>
#include <string.h>

#include "pass/cover.h"
#include "pass/rindex.h"
#include "tap.h"

#define MAXR	24
#define NADDR	17		/* 16 in the block, 1 outside */
#define NPORT	10

static struct arena *A;

static u128
base(enum fam f)
{
	return f == FAM_V4 ? 0x0a000000u : (u128)0x20010db8u << 96;
}

/* Address k of the universe: the block's 16, then one outside it. */
static u128
addr(enum fam f, int k)
{
	return k < 16 ? base(f) + (u128)k : base(f) + ((u128)1 << 20);
}

/* A random prefix inside the block, or the whole family. */
static void
rnd_prefix(unsigned *seed, struct aset *s, enum fam f)
{
	int len = 28 + rand_r(seed) % 5;
	u128 a = base(f) + (u128)(rand_r(seed) % 16);

	if (rand_r(seed) % 6 == 0)
		aset_add_prefix(A, s, f, 0, 0);
	else
		aset_add_prefix(A, s, f, a, fam_bits(f) - (32 - len));
}

static void
rnd_rule(unsigned *seed, struct ir *ir, size_t i)
{
	struct ir_rule *r = ir_add_rule(ir);
	int k, n, f;

	r->name = arena_printf(A, "r%zu", i);
	r->action = rand_r(seed) % 3 ? IR_ALLOW : IR_DENY;
	r->dir = rand_r(seed) % 8 ? IR_EGRESS : IR_INBOUND;
	if (rand_r(seed) % 3)
		aset_any(A, &r->src);
	else
		rnd_prefix(seed, &r->src, rand_r(seed) % 2 ? FAM_V6 : FAM_V4);
	n = 1 + rand_r(seed) % 3;
	for (k = 0; k < n; k++) {
		f = rand_r(seed) % 3 == 0 ? FAM_V6 : FAM_V4;
		if (rand_r(seed) % 4 == 0) {
			/* A host name the lock resolved. */
			struct ir_name *nm;

			ir_add_name(ir, r, arena_printf(A, "h%d.example",
			    rand_r(seed) % 3), false, NULL);
			nm = &r->names[r->nnames - 1];
			nm->resolved = true;
			rnd_prefix(seed, &nm->addrs, (enum fam)f);
		} else
			rnd_prefix(seed, &r->dst, (enum fam)f);
	}
	aset_norm(&r->src);
	aset_norm(&r->dst);
	if (rand_r(seed) % 5 == 0) {
		r->svc.all = true;
		return;
	}
	n = 1 + rand_r(seed) % 2;
	for (k = 0; k < n; k++) {
		int p = rand_r(seed) % 2 ? P_TCP : P_UDP;
		unsigned lo = 1 + (unsigned)rand_r(seed) % 8;
		unsigned hi = lo + (unsigned)rand_r(seed) % 3;

		iset_add(A, &r->svc.p[p], lo, hi > 8 ? 8 : hi);
	}
	if (rand_r(seed) % 6 == 0)
		iset_add(A, &r->svc.ipp, 47, 47);
	svc_norm(&r->svc);
}

static bool
has_dst(const struct ir_rule *r, enum fam f, u128 d)
{
	size_t k;

	if (iset_has(&r->dst.f[f], d))
		return true;
	for (k = 0; k < r->nnames; k++)
		if (iset_has(&r->names[k].addrs.f[f], d))
			return true;
	return false;
}

/* Packet number pk of the universe; false past the end. */
static bool
matches(const struct ir_rule *r, int pk)
{
	int f = pk % 2, s = pk / 2 % NADDR, d = pk / 2 / NADDR % NADDR;
	int rest = pk / 2 / NADDR / NADDR, pr = rest / NPORT;
	unsigned port = (unsigned)(rest % NPORT);

	if (!iset_has(&r->src.f[f], addr((enum fam)f, s)) ||
	    !has_dst(r, (enum fam)f, addr((enum fam)f, d)))
		return false;
	if (pr == 2 && port > 0)
		return false;	/* gre has no ports: one packet */
	if (r->svc.all)
		return true;
	if (pr == 2)
		return iset_has(&r->svc.ipp, 47);
	/* Port 9 stands for 9..65535, where no rule's ports reach. */
	return iset_has(&r->svc.p[pr], port);
}

#define NPK	(2 * NADDR * NADDR * 3 * NPORT)

int
main(void)
{
	static bool m[MAXR][NPK];
	unsigned seed = 2026;
	int round, bad = 0, cut = 0, covered = 0, partial = 0;

	plan_lazy();
	A = arena_new();
	for (round = 0; round < 400; round++) {
		struct ir *ir = ir_new(A);
		struct rindex *x;
		size_t n = 1 + (size_t)rand_r(&seed) % MAXR, i, j;
		int pk;

		for (i = 0; i < n; i++)
			rnd_rule(&seed, ir, i);
		for (i = 0; i < n; i++)
			for (pk = 0; pk < NPK; pk++)
				m[i][pk] = matches(&ir->rules[i], pk);
		x = rindex_new(A, ir);
		for (j = 0; j < n; j++) {
			const struct ir_rule *r = &ir->rules[j];
			struct cover rest;
			struct cover_by by;
			size_t want[MAXR], nw = 0, last = j;
			bool left = false, conflict = false;

			/* The earlier rules that meet j, up to the first one
			 * after which none of j's packets is left. */
			for (i = 0; i < j; i++) {
				bool meet = false;

				if (ir->rules[i].dir != r->dir)
					continue;
				for (pk = 0; pk < NPK && !meet; pk++)
					meet = m[i][pk] && m[j][pk];
				if (!meet)
					continue;
				want[nw++] = i;
				conflict |= ir->rules[i].action != r->action;
				left = false;
				for (pk = 0; pk < NPK && !left; pk++) {
					size_t e;
					bool taken = false;

					if (!m[j][pk])
						continue;
					for (e = 0; e <= i && !taken; e++)
						taken = m[e][pk] &&
						    ir->rules[e].dir == r->dir;
					left = !taken;
				}
				if (!left) {
					last = i;
					break;
				}
			}
			if (cover_rest(A, ir, j, x, &rest, &by) < 0) {
				cut++;
				continue;
			}
			if (last == j)
				left = true;
			if (nw == 0)
				left = true;
			covered += !left && nw > 0;
			partial += left && nw > 0;
			/* A rule no earlier one meets: only "none of them". */
			if ((nw > 0 && (rest.n == 0) != !left) ||
			    by.n != nw || (nw > 0 && memcmp(by.v, want,
			    nw * sizeof(*want))) ||
			    (nw > 0 && by.conflict != conflict)) {
				if (bad++ < 3)
					diag("round %d rule %zu: rest %zu "
					    "boxes (want %s), %zu rules (want "
					    "%zu)",
					    round, j, rest.n, left ? "some" :
					    "none", by.n, nw);
			}
		}
	}
	ok(bad == 0, "400 random policies: cover_rest agrees with the "
	    "packets on every rule (%d differ; %d covered, %d partly, %d "
	    "past the bound)", bad, covered, partial, cut);
	arena_free(A);
	return done_testing();
}
