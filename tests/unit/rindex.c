/*
 * rindex.c - unit tests for the rule index (pass/rindex.c) and the string
 * set's numbers (util/strset.c): on random policies of addresses, host
 * names (resolved or not), protocols and ports, the index must never leave
 * out a rule that matters.  optimise asked through it finds the same
 * shadowing rule as asking every earlier rule (opt_shadowed_by), and
 * lint's analysis (cover_rest) finds the same rules and the same rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/cover.h"
#include "pass/optimise.h"
#include "pass/rindex.h"
#include "util/strset.h"
#include "tap.h"

static struct arena *A;
static unsigned long seed = 2026;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((seed >> 33) % n);
}

static const char *const hosts[] = { "a.example", "b.example", "c.example" };
/* Per round, which host names the lock resolves: bind resolves a name in
 * every rule or in none. */
static bool resolves[3];
static struct aset addrs[3];

/* Destinations from a small world, so that rules meet and cover often. */
static void
random_rule(struct ir *ir, size_t i)
{
	struct ir_rule *r = ir_add_rule(ir);
	unsigned k, n;

	r->name = arena_printf(A, "r%zu", i);
	r->action = rnd(3) == 0 ? IR_DENY : IR_ALLOW;
	r->dir = rnd(8) == 0 ? IR_INBOUND : IR_EGRESS;
	aset_any(A, &r->src);
	if (rnd(10) == 0)
		aset_any(A, &r->dst);
	for (n = rnd(3), k = 0; k < n; k++) {
		u128 base = 0x0a000000 + (rnd(16) << 4);

		aset_add_prefix(A, &r->dst, FAM_V4, base, 28 + (int)rnd(5));
	}
	if (rnd(4) == 0)
		aset_add_prefix(A, &r->dst, FAM_V6, (u128)0x20010db8 << 96 |
		    rnd(8), 126 + (int)rnd(3));
	if (rnd(4) == 0) {
		unsigned h = rnd(3);
		struct ir_name *nm;

		ir_add_name(ir, r, hosts[h], false, &r->loc);
		nm = &r->names[r->nnames - 1];
		nm->resolved = resolves[h];
		if (resolves[h])
			nm->addrs = addrs[h];
	}
	if (rnd(5) == 0)
		r->svc.all = true;
	else {
		iset_add(A, &r->svc.p[rnd(2) ? P_TCP : P_UDP], 440 + rnd(8),
		    444 + rnd(8));
		iset_norm(&r->svc.p[P_TCP]);
		iset_norm(&r->svc.p[P_UDP]);
	}
	aset_norm(&r->dst);
	aset_norm(&r->src);
}

static bool
same_cover(const struct cover *x, const struct cover *y)
{
	size_t i;

	if (x->n != y->n)
		return false;
	for (i = 0; i < x->n; i++)
		if (x->v[i].fam != y->v[i].fam ||
		    x->v[i].proto != y->v[i].proto ||
		    !iset_equal(&x->v[i].src, &y->v[i].src) ||
		    !iset_equal(&x->v[i].dst, &y->v[i].dst) ||
		    !iset_equal(&x->v[i].ports, &y->v[i].ports))
			return false;
	return true;
}

static void
policy_agrees(unsigned round)
{
	struct ir *ir = ir_new(A);
	struct rindex *x;
	size_t i, c, n, bad_opt = 0, bad_lint = 0, asked = 0, rules = 120;
	const size_t *cand;

	for (i = 0; i < 3; i++) {
		resolves[i] = rnd(2);
		aset_init(&addrs[i]);
		aset_add_prefix(A, &addrs[i], FAM_V4, 0x0a000000 + rnd(256), 32);
	}
	for (i = 0; i < rules; i++)
		random_rule(ir, i);
	x = rindex_new(A, ir);
	for (i = 0; i < ir->nrules; i++) {
		long want = opt_shadowed_by(ir, i), got = -1;
		struct cover r1, r2;
		struct cover_by b1, b2;
		int rc1, rc2;

		n = rindex_covering(x, i, &cand);
		asked += n;
		for (c = 0; c < n && got < 0; c++)
			if (ir_rule_covers(&ir->rules[cand[c]], &ir->rules[i]))
				got = (long)cand[c];
		if (got != want) {
			bad_opt++;
			if (getenv("DBG")) {
				const struct ir_rule *a = &ir->rules[want >= 0 ? want : 0], *b = &ir->rules[i];
				diag("j=%zu want=%ld got=%ld b.nnames=%zu b.dst4n=%u b.dst6n=%u a.nnames=%zu a.dst4n=%u a.dir=%d b.dir=%d", i, want, got, b->nnames, b->dst.f[0].n, b->dst.f[1].n, a->nnames, a->dst.f[0].n, a->dir, b->dir);
				if (b->nnames) diag("b name %s res %d n4=%u", b->names[0].name, b->names[0].resolved, b->names[0].addrs.f[0].n);
				if (a->nnames) diag("a name %s res %d n4=%u", a->names[0].name, a->names[0].resolved, a->names[0].addrs.f[0].n);
			}
		}
		rc1 = cover_rest(A, ir, i, NULL, &r1, &b1);
		rc2 = cover_rest(A, ir, i, x, &r2, &b2);
		if (rc1 != rc2 || (rc1 == 0 && (b1.n != b2.n ||
		    b1.conflict != b2.conflict || (b1.n > 0 &&
		    memcmp(b1.v, b2.v, b1.n * sizeof(*b1.v)) != 0) ||
		    !same_cover(&r1, &r2))))
			bad_lint++;
	}
	ok(bad_opt == 0, "round %u: the index finds every covering rule "
	    "optimise would (%zu differ)", round, bad_opt);
	ok(bad_lint == 0, "round %u: lint's analysis is the same through the "
	    "index (%zu differ)", round, bad_lint);
	ok(asked < rules * rules / 2, "round %u: and asks fewer rules (%zu "
	    "of %zu pairs)", round, asked, rules * (rules - 1) / 2);
}

static void
strset_numbers(void)
{
	struct strset s = { 0 };
	char *names[1000];
	size_t i, v, bad = 0;

	for (i = 0; i < 1000; i++) {
		names[i] = arena_printf(A, "n%zu", i);
		if (!strset_put(A, &s, names[i], i * 3, NULL))
			bad++;
	}
	is_int((int)bad, 0, "strset_put: 1000 new names");
	ok(!strset_put(A, &s, "n17", 5, &v) && v == 51,
	    "strset_put: a name already there keeps its number");
	for (i = 0, bad = 0; i < 1000; i++)
		if (!strset_get(&s, names[i], &v) || v != i * 3)
			bad++;
	is_int((int)bad, 0, "strset_get: every number back, after growing");
	ok(!strset_get(&s, "n1000", &v) && strset_has(&s, "n999") &&
	    !strset_add(A, &s, "n0"), "absent names are absent");
}

int
main(void)
{
	unsigned round;

	plan_lazy();
	A = arena_new();
	strset_numbers();
	for (round = 0; round < 20; round++)
		policy_agrees(round);
	arena_free(A);
	return done_testing();
}
