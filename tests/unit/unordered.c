/*
 * unordered.c - unit tests for lower_unordered(): after it, "any matching
 * block rule wins, else any allow, else the default" must decide every
 * packet (tcp, udp, ICMP types and codes, other IP protocols) as first
 * match decided it on the input, but for the other protocols of a block
 * of every protocol where the pass warns it cannot; pieces are named r,
 * r-2, ... without clashing with existing names; empty pieces go; reject
 * stays reject; an allow is cut only by a block that takes all its ports;
 * with default: deny, what no allow rule allows is blocked by rules too
 * (builtin-default-deny), so that no allow rule of someone else's can let
 * it out.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/icmp.h"
#include "pass/unordered.h"
#include "tap.h"

static struct arena *A;

static void
addp(struct aset *s, const char *str)
{
	enum fam f;
	u128 addr;
	int len;
	bool hb;

	if (addr_parse(str, &f, &addr, &len, &hb) != 0) {
		diag("bad test prefix %s", str);
		return;
	}
	aset_add_prefix(A, s, f, addr, len);
	aset_norm(s);
}

static struct ir_rule *
rule(struct ir *ir, const char *name, enum ir_action act, const char *dst,
    enum proto p, unsigned lo, unsigned hi)
{
	struct ir_rule *r = ir_add_rule(ir);

	r->name = name;
	r->action = act;
	aset_any(A, &r->src);
	aset_norm(&r->src);
	if (dst != NULL)
		addp(&r->dst, dst);
	if (p == P_N)
		r->svc.all = true;
	else if (p == P_SCTP)
		/* stands for "another protocol": lo-hi of 47, 50, 51 */
		iset_add(A, &r->svc.ipp, 47 + lo % 3, 47 + hi % 3 < 47 +
		    lo % 3 ? 47 + lo % 3 : 47 + hi % 3);
	else
		iset_add(A, &r->svc.p[p], lo, hi);
	svc_norm(&r->svc);
	return r;
}

/* Block beats allow: -2 block, -3 allow, -1 nothing matched. */
static int
unordered_decide(const struct ir *ir, const struct ir_packet *pk)
{
	struct ir one = *ir;
	size_t i;
	int res = -1;

	for (i = 0; i < ir->nrules; i++) {
		one.rules = &ir->rules[i];
		one.nrules = 1;
		if (ir_decide(&one, pk) != 0)
			continue;
		if (ir->rules[i].action != IR_ALLOW)
			return -2;
		res = -3;
	}
	return res;
}

static int
first_decide(const struct ir *ir, const struct ir_packet *pk)
{
	long i = ir_decide(ir, pk);

	if (i < 0)
		return -1;
	return ir->rules[i].action != IR_ALLOW ? -2 : -3;
}

/* Does any rule block everything but what the allow rules allow?  (A
 * packet no allow rule takes meets a block rule.) */
static int
unmatched(const struct ir *ir, unsigned seed)
{
	struct ir_packet pk;
	int left = 0, i;

	srand(seed);
	for (i = 0; i < 20000; i++) {
		memset(&pk, 0, sizeof(pk));
		pk.fam = FAM_V4;
		pk.any_src = false;
		pk.src = ((u128)10 << 24) | (u128)(rand() % 1024);
		pk.dst = (u128)rand();
		pk.proto = proto_ipp[rand() % 3];
		pk.port = (unsigned)(rand() % 2000);
		if (pk.proto == 1)	/* ICMP: type << 8 | code */
			pk.port = (pk.port % 256) << 8;
		if (unordered_decide(ir, &pk) == -1)
			left++;
	}
	return left;
}

/* What the default makes of "nothing matched". */
static int
by_default(const struct ir *ir, int d)
{
	if (d != -1)
		return d;
	return ir->def == IR_DEF_DENY ? -2 : ir->def == IR_DEF_ACCEPT ? -3 :
	    -1;
}

/*
 * Random packets near 10.0.0.0/24 and ports 1000..1100: where rules cut.
 * warned: lower_unordered said it could not block every other protocol
 * (gre, esp, ...) where a block must leave ports to an allow: those
 * packets are not compared then.
 */
static int
compare(const struct ir *before, const struct ir *after, unsigned seed,
    bool warned)
{
	struct ir_packet pk;
	int bad = 0, i;

	srand(seed);
	for (i = 0; i < 20000; i++) {
		memset(&pk, 0, sizeof(pk));
		pk.fam = FAM_V4;
		pk.any_src = false;
		pk.src = ((u128)10 << 24) | (u128)(rand() % 1024);
		pk.dst = ((u128)10 << 24) | (u128)(rand() % 1024);
		switch (rand() % 4) {
		case 0:
			pk.proto = 6;
			break;
		case 1:
			pk.proto = 17;
			break;
		case 2:
			pk.proto = 1;
			break;
		default:
			pk.proto = 47 + (unsigned)(rand() % 4);	/* 47..50 */
			break;
		}
		/* ICMP: types 0-11 with codes 0-3 */
		pk.port = pk.proto == 1 ? ICMP_TC(rand() % 12, rand() % 4) :
		    990 + (unsigned)(rand() % 130);
		if (warned && pk.proto >= 47)
			continue;
		if (by_default(before, first_decide(before, &pk)) !=
		    by_default(before, unordered_decide(after, &pk)))
			bad++;
	}
	return bad;
}

static void
random_rules(struct ir *ir, unsigned seed)
{
	static const char *const names[] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
	};
	size_t i, n;

	srand(seed);
	n = 3 + rand() % 10;
	for (i = 0; i < n; i++) {
		struct ir_rule *r;
		char *dst;
		int len = 22 + rand() % 11;
		unsigned a = (unsigned)(rand() % 1024);
		/* P_SCTP: other protocols here (see rule()) */
		enum proto p = rand() % 4 == 0 ? P_N : rand() % 5 == 0 ?
		    P_SCTP : rand() % 3;
		unsigned lo = p == P_ICMP ? (unsigned)(rand() % 12) :
		    1000 + (unsigned)(rand() % 100);
		unsigned hi = lo + (unsigned)(rand() % (p == P_ICMP ? 3 : 40));

		/* ICMP: whole types, or one type with some codes */
		if (p == P_ICMP && rand() % 2 == 0) {
			hi = ICMP_TC(lo, 255);
			lo = ICMP_TC(lo, 0);
		} else if (p == P_ICMP) {
			lo = ICMP_TC(lo, rand() % 4);
			hi = lo + (unsigned)(rand() % 2);
		}

		a &= ~((1u << (32 - len)) - 1) & 1023;
		dst = arena_printf(A, "10.0.%u.%u/%d", a >> 8, a & 255, len);
		r = rule(ir, names[i], rand() % 3 == 0 ? IR_DENY :
		    rand() % 4 == 0 ? IR_REJECT : IR_ALLOW, dst, p, lo, hi);
		if (rand() % 4 == 0) {
			aset_init(&r->src);
			addp(&r->src, arena_printf(A, "10.0.%u.0/%d",
			    (unsigned)(rand() % 4), 23 + rand() % 3));
		}
	}
}

int
main(void)
{
	struct ir *ir, *orig;
	unsigned seed;
	int worst = 0, bad, warns, w;

	plan_lazy();
	A = arena_new();
	diag_quiet_warnings(1);

	/* A deny after an allow loses the allow's part; names stay unique. */
	ir = ir_new(A);
	ir->def = IR_DEF_ACCEPT;
	rule(ir, "web", IR_ALLOW, "10.0.0.0/24", P_TCP, 443, 443);
	rule(ir, "deny-rest", IR_DENY, "10.0.0.0/16", P_N, 0, 0);
	rule(ir, "deny-rest-2", IR_REJECT, "10.1.0.0/16", P_TCP, 1, 10);
	orig = ir_clone(ir);
	w = diag_warnings();
	is_int(lower_unordered(ir, false), 0, "lower_unordered succeeds");
	/* default: accept, and deny-rest keeps tcp/443 to web: Windows
	 * cannot block the other protocols of 10.0.0.0/24 then, and says so
	 * (the default, accept, takes them). */
	ok(diag_warnings() > w, "...and says it cannot block every protocol");
	is_int((int)ir->nrules, 4, "deny-rest splits in two, others stay");
	is_str(ir->rules[0].name, "web", "first rule keeps its name");
	is_str(ir->rules[1].name, "deny-rest", "first piece keeps the name");
	is_str(ir->rules[2].name, "deny-rest-3",
	    "second piece skips a name the policy uses");
	is_str(ir->rules[3].name, "deny-rest-2", "the user's rule follows");
	ok(ir->rules[3].action == IR_REJECT, "reject stays reject");
	ok(!ir->rules[2].svc.all &&
	    !iset_has(&ir->rules[2].svc.p[P_TCP], 443) &&
	    iset_has(&ir->rules[2].svc.p[P_TCP], 444) &&
	    iset_full(&ir->rules[2].svc.p[P_UDP], 65535),
	    "the overlap keeps every port but the allowed one");
	is_int(compare(orig, ir, 1, true), 0, "decisions unchanged (but for "
	    "the other protocols it warned about)");

	/* An allow wholly under an earlier block disappears. */
	ir = ir_new(A);
	ir->def = IR_DEF_ACCEPT;
	rule(ir, "block", IR_DENY, "10.0.0.0/16", P_N, 0, 0);
	rule(ir, "hidden", IR_ALLOW, "10.0.1.0/24", P_UDP, 1000, 2000);
	lower_unordered(ir, false);
	is_int((int)ir->nrules, 1, "a shadowed allow is dropped");

	/* A block taking only some ports leaves the allow whole. */
	ir = ir_new(A);
	ir->def = IR_DEF_ACCEPT;
	rule(ir, "block", IR_DENY, "10.0.0.0/24", P_UDP, 1000, 1010);
	rule(ir, "media", IR_ALLOW, "10.0.0.0/16", P_UDP, 1000, 2000);
	orig = ir_clone(ir);
	lower_unordered(ir, false);
	is_int((int)ir->nrules, 2, "a partial block does not split the allow");
	ok(aset_equal(&ir->rules[1].dst, &orig->rules[1].dst) &&
	    svc_equal(&ir->rules[1].svc, &orig->rules[1].svc),
	    "the allow is unchanged");

	/* default: deny: the rest is blocked by rules of its own. */
	ir = ir_new(A);
	rule(ir, "web", IR_ALLOW, "10.0.0.0/24", P_TCP, 443, 443);
	lower_unordered(ir, false);
	ok(ir->nrules > 1 && strcmp(ir->rules[1].name,
	    "builtin-default-deny") == 0 && ir->rules[1].action == IR_DENY,
	    "default: deny adds builtin-default-deny block rules");
	is_int(unmatched(ir, 7), 0, "...and every packet the allow does not "
	    "take meets one");

	/* Random overlapping rule lists, sources included, every default. */
	for (seed = 1; seed <= 1000; seed++) {
		ir = ir_new(A);
		ir->def = seed % 3 == 0 ? IR_DEF_ACCEPT : seed % 3 == 1 ?
		    IR_DEF_DENY : IR_DEF_NONE;
		random_rules(ir, seed);
		orig = ir_clone(ir);
		warns = diag_warnings();
		lower_unordered(ir, false);
		bad = compare(orig, ir, seed, diag_warnings() != warns);
		if (ir->def == IR_DEF_DENY && unmatched(ir, seed) > 0)
			bad++;
		if (bad > worst)
			worst = bad;
		if (bad)
			diag("seed %u: %d packets differ", seed, bad);
	}
	is_int(worst, 0, "1000 random rule lists decide alike after lowering, "
	    "and with default: deny leave nothing to the default");
	arena_free(A);
	return done_testing();
}
