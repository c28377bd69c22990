/*
 * shared.c - unit tests for the shared-address audit (pass/shared.c): which
 * pairs of host names it reports and which it leaves alone (same decision,
 * same host, no packet in common: another port, another direction, no
 * source of that family), that the first rule meeting the packets is the
 * one that decides, that one finding gathers every shared address of a pair
 * in address order, and the text it gives, PTR names included.
 */
#include <stdio.h>
#include <string.h>

#include "ir/ir.h"
#include "pass/shared.h"
#include "policy/lock.h"
#include "tap.h"

static struct arena *A;

static u128
ip(const char *s)
{
	enum fam f;
	u128 addr = 0;
	int len;
	bool hb;

	if (addr_parse(s, &f, &addr, &len, &hb) != 0)
		diag("bad test address %s", s);
	return addr;
}

/* A rule naming one host, tcp/PORT, from any source. */
static void
rule(struct ir *ir, const char *name, enum ir_action act, const char *host,
    unsigned port)
{
	struct ir_rule *r = ir_add_rule(ir);
	struct loc l = { "p.yaml", (int)ir->nrules * 10, 9 };

	r->name = name;
	r->action = act;
	r->loc = l;
	aset_any(A, &r->src);
	iset_add(A, &r->svc.p[P_TCP], port, port);
	l.col = 13;
	ir_add_name(ir, r, host, false, &l);
}

static void
host(struct lock *lk, const char *name, const char *const *addrs)
{
	struct lock_host *h = lock_add_host(A, lk, name);

	for (; *addrs != NULL; addrs++) {
		enum fam f = strchr(*addrs, ':') ? FAM_V6 : FAM_V4;

		lock_add_addr(A, h, f, ip(*addrs), NULL, NULL);
	}
}

static struct lock *
zone(void)
{
	struct lock *lk = lock_new(A, "p.lock");
	static const char *const api[] = { "198.18.0.10", "198.18.0.11",
	    "2001:2::10", NULL };
	static const char *const lb[] = { "198.18.0.11", "198.18.0.10",
	    "2001:2::10", "198.18.9.9", NULL };
	static const char *const other[] = { "198.18.7.7", NULL };
	const char *ptr[] = { "lb-1.cloud.test" };

	host(lk, "api.example.com", api);
	host(lk, "lb.example.com", lb);
	host(lk, "other.example.com", other);
	lock_addr_set_ptr(A, lock_host_addr(lock_find(lk, "lb.example.com"),
	    FAM_V4, ip("198.18.0.10")), ptr, 1);
	return lk;
}

static void
test_pairs(void)
{
	struct ir *ir = ir_new(A);
	struct lock *lk = zone();
	struct shared sh = { NULL, 0, 0 };

	rule(ir, "api", IR_ALLOW, "api.example.com", 443);
	rule(ir, "block-lb", IR_DENY, "lb.example.com", 443);
	rule(ir, "block-lb-ssh", IR_DENY, "lb.example.com", 22);
	rule(ir, "api-again", IR_ALLOW, "api.example.com", 443);
	rule(ir, "other", IR_DENY, "other.example.com", 443);
	shared_audit(A, ir, lk, &sh);
	if (!is_int(sh.n, 1, "one finding: another port, the same host and "
	    "no shared address are quiet"))
		for (size_t i = 0; i < sh.n; i++)
			diag("%s", sh.v[i].msg);
	if (sh.n < 1)
		return;
	ok(strcmp(sh.v[0].rule->name, "block-lb") == 0 &&
	    strcmp(sh.v[0].first->name, "api") == 0 &&
	    sh.v[0].name->loc.line == 20 && sh.v[0].first_name->loc.line == 10,
	    "at the later host, against the earlier rule");
	is_int(sh.v[0].naddrs, 3, "every shared address in one finding");
	is_str(sh.v[0].msg, "host 'lb.example.com' (rule 'block-lb', deny) "
	    "shares 3 addresses with host 'api.example.com' (rule 'api', "
	    "allow), which comes first: 198.18.0.10 (PTR lb-1.cloud.test), "
	    "198.18.0.11, 2001:2::10; the deny cannot hold there",
	    "the message: hosts, rules, decisions, addresses in order, PTR");
	is_str(sh.v[0].note, "rule 'api' (allow) names host 'api.example.com' "
	    "here, at the same addresses", "the note");
}

static void
test_first_decides(void)
{
	struct ir *ir = ir_new(A);
	struct lock *lk = zone();
	struct shared sh = { NULL, 0, 0 };

	/* block-lb decides 198.18.0.10 first: api-later cannot hold, and
	 * block-api agrees with the rule that decides. */
	rule(ir, "block-lb", IR_DENY, "lb.example.com", 443);
	rule(ir, "block-api", IR_REJECT, "api.example.com", 443);
	rule(ir, "api-later", IR_ALLOW, "api.example.com", 443);
	shared_audit(A, ir, lk, &sh);
	ok(sh.n == 1 && strcmp(sh.v[0].rule->name, "api-later") == 0 &&
	    strcmp(sh.v[0].first->name, "block-lb") == 0,
	    "the first rule that meets the packets decides; deny and reject "
	    "agree");
	if (sh.n == 1)
		ok(strstr(sh.v[0].msg, "the allow cannot hold there") != NULL,
		    "an allow after a deny cannot hold");
}

static void
test_no_packet(void)
{
	struct ir *ir = ir_new(A);
	struct lock *lk = zone();
	struct shared sh = { NULL, 0, 0 };
	struct ir_rule *r;

	rule(ir, "api", IR_ALLOW, "api.example.com", 443);
	rule(ir, "block-in", IR_DENY, "lb.example.com", 443);
	ir->rules[1].dir = IR_INBOUND;
	rule(ir, "block-v6-src", IR_DENY, "lb.example.com", 443);
	r = &ir->rules[2];
	aset_init(&r->src);
	aset_add_prefix(A, &r->src, FAM_V6, ip("2001:2::"), 32);
	shared_audit(A, ir, lk, &sh);
	ok(sh.n == 1 && strcmp(sh.v[0].rule->name, "block-v6-src") == 0 &&
	    sh.v[0].naddrs == 1 && sh.v[0].addrs[0]->fam == FAM_V6,
	    "another direction is quiet; sources of one family share only "
	    "that family's addresses");
	if (sh.n == 1)
		is_str(sh.v[0].msg, "host 'lb.example.com' (rule "
		    "'block-v6-src', deny) shares address 2001:2::10 with host "
		    "'api.example.com' (rule 'api', allow), which comes first: "
		    "the deny cannot hold there", "one address: singular");
}

int
main(void)
{
	plan_lazy();
	A = arena_new();
	test_pairs();
	test_first_decides();
	test_no_packet();
	arena_free(A);
	return done_testing();
}
