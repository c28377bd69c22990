/*
 * nft.c - unit tests of the nftables model builder.  Both the text back
 * end and egressc apply write down whatever the model holds, so the
 * model's structure is checked here directly: the chains, the prologue
 * of base chains, one rule per family and protocol pointing back at its
 * policy rule (ICMP: per group of types with the same codes), values
 * against sets, other protocols by number, and the name checks.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "ir/icmp.h"
#include "nft/nft.h"
#include "pass/lower.h"
#include "tap.h"

static char	 captured[4096];

static void
capture(const char *line, void *arg)
{
	(void)arg;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "\n");
}

static struct ir_rule *
add_rule(struct ir *ir, const char *name, enum ir_dir dir)
{
	struct ir_rule *r = ir_add_rule(ir);

	r->name = name;
	r->dir = dir;
	aset_any(ir->arena, &r->src);
	return r;
}

static void
add_topt(struct ir *ir, const char *key, const char *value)
{
	struct ir_topt *t;

	ARENA_PUSH(ir->arena, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	memset(t, 0, sizeof(*t));
	t->target = "nftables";
	t->key = key;
	t->value = value;
	t->loc.file = ir->file;
	t->loc.line = 1;
	t->loc.col = 1;
}

/*
 * web: 192.0.2.0/24 and 2001:db8::1, tcp 443 and udp 3478.
 * many: three IPv4 addresses (two prefixes, a set), tcp 80 and 8000-8100.
 * logged: deny everything, logged.
 */
static struct ir *
policy(struct arena *a, enum ir_default def)
{
	struct ir *ir = ir_new(a);
	struct ir_rule *r;

	ir->name = "unit";
	ir->file = "unit.yaml";
	ir->def = def;
	r = add_rule(ir, "web", IR_EGRESS);
	r->comment = "the web";
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc0000200, 24);
	aset_add_prefix(a, &r->dst, FAM_V6, ((u128)0x20010db8 << 96) | 1, 128);
	aset_norm(&r->dst);
	iset_add(a, &r->svc.p[P_TCP], 443, 443);
	iset_add(a, &r->svc.p[P_UDP], 3478, 3478);
	iset_norm(&r->svc.p[P_TCP]);
	iset_norm(&r->svc.p[P_UDP]);

	r = add_rule(ir, "many", IR_EGRESS);
	r->action = IR_REJECT;
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc6336400, 32);
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc6336401, 32);
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc6336402, 32);
	aset_norm(&r->dst);
	iset_add(a, &r->svc.p[P_TCP], 80, 80);
	iset_add(a, &r->svc.p[P_TCP], 8000, 8100);
	iset_norm(&r->svc.p[P_TCP]);

	r = add_rule(ir, "logged", IR_EGRESS);
	r->action = IR_DENY;
	r->log = true;
	aset_any(a, &r->dst);
	r->svc.all = true;
	return ir;
}

static struct ir *
lowered(struct ir *ir)
{
	const struct backend *be = be_find("nftables");
	struct lower_target to = { be->name, be->caps, false, NULL };

	return lower(ir, &to, ir->arena);
}

static bool
is_prologue(const struct nft_rule *r, enum nft_field f, bool neg,
    enum nft_verdict v)
{
	return r->src == NULL && r->nm >= 1 && r->m[0].field == f &&
	    r->m[0].neg == neg && r->verdict == v && r->comment == NULL;
}

static void
test_egress(struct arena *a)
{
	struct ir *ir = lowered(policy(a, IR_DEF_DENY));
	struct nft_table t;
	const struct nft_chain *c;
	const struct nft_rule *r;
	const struct nft_match *m;
	size_t i;

	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "a deny policy builds"))
		return;
	is_str(t.name, "unit", "the table is named after the policy");
	is_int((int)t.nchains, 1, "egress only: one chain");
	c = &t.chains[0];
	is_str(c->name, "output", "the chain's default name");
	ok(c->base && c->hook == NFT_H_OUTPUT && c->prio == 0 &&
	    c->policy == NFT_V_DROP, "a base chain on output, policy drop");

	/* Closed to inbound: replies refused, then conntrack and loopback. */
	if (!ok(c->nrules >= 3, "at least the prologue"))
		return;
	r = &c->rules[0];
	ok(is_prologue(r, NFT_F_OIF, true, NFT_V_DROP) && r->nm == 2 &&
	    strcmp(r->m[0].ifname, "lo") == 0 && r->m[1].field == NFT_F_CTDIR &&
	    iset_has(&r->m[1].val.v, NFT_CT_DIR_REPLY),
	    "prologue 1: oif != lo ct direction reply drop");
	r = &c->rules[1];
	ok(is_prologue(r, NFT_F_CTSTATE, false, NFT_V_ACCEPT) && r->nm == 1 &&
	    iset_has(&r->m[0].val.v, NFT_CT_ESTABLISHED) &&
	    iset_has(&r->m[0].val.v, NFT_CT_RELATED) && r->m[0].val.v.n == 2,
	    "prologue 2: ct state established,related accept");
	r = &c->rules[2];
	ok(is_prologue(r, NFT_F_OIF, false, NFT_V_ACCEPT) && r->nm == 1 &&
	    strcmp(r->m[0].ifname, "lo") == 0,
	    "prologue 3: oif lo accept");

	/* web: 2 families x 2 protocols; many: 1 x 1; logged: 1. */
	is_int((int)c->nrules, 3 + 4 + 1 + 1, "prologue and six lines");
	for (i = 3; i < 7; i++)
		if (c->rules[i].src != &ir->rules[0])
			break;
	is_int((int)i, 7, "four lines point at rule web");
	ok(c->rules[7].src == &ir->rules[1] && c->rules[8].src ==
	    &ir->rules[2], "then many, then logged");

	r = &c->rules[3];
	ok(r->nm == 2 && r->m[0].field == NFT_F_IP_DADDR &&
	    r->m[0].set == NULL && r->m[0].val.npfx == 1 &&
	    r->m[0].val.pfx[0].len == 24 && r->m[1].field == NFT_F_TCP_DPORT &&
	    r->m[1].set == NULL && r->m[1].val.v.n == 1 &&
	    r->m[1].val.v.v[0].lo == 443, "web line 1: ip daddr /24 tcp dport 443");
	is_str(r->comment, "web: the web", "the rule comment");
	ok(r->log_prefix == NULL && r->verdict == NFT_V_ACCEPT,
	    "not logged, accept");
	r = &c->rules[6];
	ok(r->m[0].field == NFT_F_IP6_DADDR && r->m[1].field ==
	    NFT_F_UDP_DPORT, "web line 4: IPv6 udp");

	/* many: both matches are anonymous sets. */
	r = &c->rules[7];
	m = &r->m[0];
	ok(r->nm == 2 && m->field == NFT_F_IP_DADDR && m->set != NULL &&
	    m->set->name == NULL && m->set->nkeys == 1 &&
	    m->set->key[0] == NFT_F_IP_DADDR && m->set->elems.npfx == 2 &&
	    (m->set->flags & NFT_SETF_INTERVAL),
	    "three addresses: an interval set of two prefixes");
	m = &r->m[1];
	ok(m->set != NULL && m->set->elems.v.n == 2 &&
	    (m->set->flags & NFT_SETF_INTERVAL), "80 and 8000-8100: an interval set");
	ok(r->verdict == NFT_V_REJECT, "reject");
	is_int((int)t.nsets, 2, "the table lists both sets");
	ok(t.nsets == 2 && t.sets[0] == r->m[0].set && t.sets[1] ==
	    r->m[1].set, "in rule order");

	/* logged: any, every protocol, both families at once. */
	r = &c->rules[8];
	ok(r->nm == 0 && r->verdict == NFT_V_DROP && r->log_prefix != NULL &&
	    strcmp(r->log_prefix, "egressc logged ") == 0,
	    "logged: no match, a log prefix, drop");
}

static void
test_inbound(struct arena *a)
{
	struct ir *ir = policy(a, IR_DEF_ACCEPT);
	struct ir_rule *r;
	struct nft_table t;
	const struct nft_chain *c;

	ir->inbound_allowed = true;
	r = add_rule(ir, "ssh", IR_INBOUND);
	aset_any(a, &r->dst);
	iset_add(a, &r->svc.p[P_TCP], 22, 22);
	iset_norm(&r->svc.p[P_TCP]);
	add_topt(ir, "input-chain", "in");
	ir = lowered(ir);
	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "an accept policy with an inbound rule builds"))
		return;
	is_int((int)t.nchains, 2, "two chains");
	c = &t.chains[0];
	ok(c->policy == NFT_V_ACCEPT && c->nrules >= 2 &&
	    is_prologue(&c->rules[0], NFT_F_CTSTATE, false, NFT_V_ACCEPT),
	    "not closed to inbound: output starts with ct state");
	c = &t.chains[1];
	is_str(c->name, "in", "input-chain names the input chain");
	ok(c->base && c->hook == NFT_H_INPUT && c->dir == IR_INBOUND,
	    "a base chain on input");
	ok(c->nrules == 3 && is_prologue(&c->rules[1], NFT_F_IIF, false,
	    NFT_V_ACCEPT) && c->rules[2].src == &ir->rules[ir->nrules - 1],
	    "input: ct state, iif lo, then the ssh rule");
}

static void
test_none(struct arena *a)
{
	struct ir *ir = lowered(policy(a, IR_DEF_NONE));
	struct nft_table t;

	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "default none builds"))
		return;
	ok(!t.chains[0].base && t.chains[0].nrules == 6 &&
	    t.chains[0].rules[0].src == &ir->rules[0],
	    "a regular chain, no prologue");
}

static void
test_names(struct arena *a)
{
	struct ir *ir = policy(a, IR_DEF_DENY);
	struct nft_table t;

	add_topt(ir, "table", "9lives");
	add_topt(ir, "chain", "a b");
	ir = lowered(ir);
	captured[0] = '\0';
	diag_capture(capture, NULL);
	ok(nft_model_build(a, ir, &t) == -1, "bad names: -1");
	diag_capture(NULL, NULL);
	ok(strstr(captured, "unit.yaml:1:1: error: targets.nftables.table: "
	    "'9lives' is not a usable name") != NULL &&
	    strstr(captured, "targets.nftables.chain: 'a b'") != NULL,
	    "both names reported at their option");
	diag_reset();
}

/* ICMP 0, 8 whole and 3, 5 with code 4; gre: three lines, then one. */
static void
test_icmp(struct arena *a)
{
	struct ir *ir = ir_new(a);
	struct ir_rule *r;
	struct nft_table t;
	const struct nft_chain *c;
	const struct nft_rule *l;
	size_t i;

	ir->name = "unit";
	ir->file = "unit.yaml";
	ir->def = IR_DEF_NONE;
	r = add_rule(ir, "icmp", IR_EGRESS);
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc0000200, 24);
	aset_norm(&r->dst);
	iset_add(a, &r->svc.p[P_ICMP], ICMP_TC(0, 0), ICMP_TC(0, 255));
	iset_add(a, &r->svc.p[P_ICMP], ICMP_TC(8, 0), ICMP_TC(8, 255));
	iset_add(a, &r->svc.p[P_ICMP], ICMP_TC(3, 4), ICMP_TC(3, 4));
	iset_add(a, &r->svc.p[P_ICMP], ICMP_TC(5, 4), ICMP_TC(5, 4));
	iset_add(a, &r->svc.ipp, 47, 47);
	svc_norm(&r->svc);
	ir = lowered(ir);
	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "ICMP types and codes, gre: builds"))
		return;
	c = &t.chains[0];
	is_int((int)c->nrules, 3, "two ICMP lines, one gre line");
	l = &c->rules[0];
	ok(c->nrules == 3 && l->nm == 2 && l->m[1].field == NFT_F_ICMP_TYPE &&
	    l->m[1].set != NULL && l->m[1].set->elems.v.n == 2,
	    "ip daddr ... icmp type { 0, 8 }, no code");
	l = &c->rules[1];
	ok(c->nrules == 3 && l->nm == 3 && l->m[1].field == NFT_F_ICMP_TYPE &&
	    l->m[1].set != NULL && l->m[2].field == NFT_F_ICMP_CODE &&
	    l->m[2].set == NULL && l->m[2].val.v.v[0].lo == 4,
	    "ip daddr ... icmp type { 3, 5 } icmp code 4");
	l = &c->rules[2];
	for (i = 0; c->nrules == 3 && i < l->nm; i++)
		if (l->m[i].field == NFT_F_L4PROTO)
			break;
	ok(c->nrules == 3 && i < l->nm && l->m[i].val.v.v[0].lo == 47,
	    "meta l4proto 47");
}

static struct ir_rule *
tcp_rule(struct ir *ir, const char *name, enum ir_action act, u128 addr,
    int len, unsigned lo, unsigned hi)
{
	struct arena *a = ir->arena;
	struct ir_rule *r = add_rule(ir, name, IR_EGRESS);

	r->action = act;
	if (len >= 0)
		aset_add_prefix(a, &r->dst, FAM_V4, addr, len);
	else
		aset_any(a, &r->dst);
	aset_norm(&r->dst);
	iset_add(a, &r->svc.p[P_TCP], lo, hi);
	iset_norm(&r->svc.p[P_TCP]);
	return r;
}

/*
 * a443 allow, deny-a deny, a80 allow (all 192.0.2.1), b allow, ping
 * (ICMP: cannot merge), c, d (overlaps c), e (tcp 443 anywhere), logged:
 * runs are {a80, b} and {c, d, e}; a443 stays apart from a80 because a
 * rule of another verdict is between them, so first match is kept.
 */
static struct ir *
merge_policy(struct arena *a)
{
	struct ir *ir = ir_new(a);
	struct ir_rule *r;

	ir->name = "unit";
	ir->file = "unit.yaml";
	ir->def = IR_DEF_DENY;
	tcp_rule(ir, "a443", IR_ALLOW, 0xc0000201, 32, 443, 443);
	tcp_rule(ir, "deny-a", IR_DENY, 0xc0000201, 32, 1, 65535);
	tcp_rule(ir, "a80", IR_ALLOW, 0xc0000201, 32, 80, 80);
	tcp_rule(ir, "b", IR_ALLOW, 0xc6336400, 24, 80, 80);
	r = add_rule(ir, "ping", IR_EGRESS);
	aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc6336401, 32);
	aset_norm(&r->dst);
	iset_add(a, &r->svc.p[P_ICMP], ICMP_TC(8, 0), ICMP_TC(8, 255));
	svc_norm(&r->svc);
	r = tcp_rule(ir, "c", IR_ALLOW, 0xcb007100, 24, 22, 22);
	iset_add(a, &r->svc.p[P_UDP], 53, 53);
	iset_norm(&r->svc.p[P_UDP]);
	tcp_rule(ir, "d", IR_ALLOW, 0xcb007180, 25, 20, 30);
	tcp_rule(ir, "e", IR_ALLOW, 0, -1, 443, 443);
	r = tcp_rule(ir, "logged", IR_ALLOW, 0xcb007100, 24, 8080, 8080);
	r->log = true;
	tcp_rule(ir, "f", IR_ALLOW, 0xcb007100, 24, 9090, 9090);
	return ir;
}

static bool
elem_is(const struct nft_elem *e, u128 alo, u128 ahi, unsigned proto,
    unsigned plo, unsigned phi, const char *rule)
{
	struct ival a = nft_elem_key(e, 0), l4 = nft_elem_key(e, 1);
	struct ival port = nft_elem_key(e, 2);

	return a.lo == alo && a.hi == ahi && l4.lo == proto &&
	    l4.hi == proto && port.lo == plo && port.hi == phi &&
	    strcmp(e->rule->name, rule) == 0 && e->comment != NULL &&
	    strcmp(e->comment, rule) == 0;
}

static void
test_merge(struct arena *a)
{
	struct ir *ir = lowered(merge_policy(a));
	struct nft_table t;
	const struct nft_chain *c;
	const struct nft_rule *r;
	const struct nft_set *s;
	size_t i, n;

	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "merge: builds"))
		return;
	ok(t.merge, "merge is on by default");
	c = &t.chains[0];
	/* prologue 3; a443, deny-a; run 1; ping; run 2 (v4, v6); logged;
	 * f (alone after logged: not a run). */
	if (!is_int((int)c->nrules, 3 + 2 + 1 + 1 + 2 + 1 + 1,
	    "merge: prologue and nine rules"))
		return;
	r = &c->rules[3];
	ok(r->src == &ir->rules[0] && r->run == NULL && r->comment != NULL &&
	    strcmp(r->comment, "a443") == 0,
	    "a443 stays a rule of its own, with its comment");
	r = &c->rules[4];
	ok(r->src == &ir->rules[1] && r->run == NULL &&
	    r->verdict == NFT_V_DROP, "deny-a breaks the run: a rule of its own");
	r = &c->rules[5];
	s = r->run;
	ok(s != NULL && r->src == &ir->rules[2] && r->last == &ir->rules[3] &&
	    r->nm == 1 && r->m[0].set == s && r->comment == NULL &&
	    r->verdict == NFT_V_ACCEPT, "a80 and b: one lookup, accept");
	ok(s != NULL && strcmp(s->name, "run_1_v4") == 0 && s->nkeys == 3 &&
	    s->key[0] == NFT_F_IP_DADDR && s->key[1] == NFT_F_L4PROTO &&
	    s->key[2] == NFT_F_TH_DPORT && (s->flags & NFT_SETF_INTERVAL) &&
	    s->ntv == 2 && elem_is(&s->tv[0], 0xc0000201, 0xc0000201, 6, 80,
	    80, "a80") && elem_is(&s->tv[1], 0xc6336400, 0xc63364ff, 6, 80, 80,
	    "b"), "run_1_v4: address . tcp . port, one element per rule");
	r = &c->rules[6];
	ok(r->src == &ir->rules[4] && r->run == NULL,
	    "ping (ICMP) cannot merge: a rule of its own");
	r = &c->rules[7];
	s = r->run;
	ok(s != NULL && strcmp(s->name, "run_2_v4") == 0 &&
	    r->src == &ir->rules[5] && r->last == &ir->rules[7],
	    "c, d and e: one IPv4 lookup");
	if (s != NULL && is_int((int)s->ntv, 5, "run_2_v4: five elements"))
		ok(elem_is(&s->tv[0], 0xcb007100, 0xcb0071ff, 6, 22, 22, "c") &&
		    elem_is(&s->tv[1], 0xcb007100, 0xcb0071ff, 17, 53, 53,
		    "c") && elem_is(&s->tv[2], 0xcb007180, 0xcb0071ff, 6, 20,
		    21, "d") && elem_is(&s->tv[3], 0xcb007180, 0xcb0071ff, 6,
		    23, 30, "d") && elem_is(&s->tv[4], 0, 0xffffffff, 6, 443,
		    443, "e"), "d leaves out c's port 22: the first rule to "
		    "match names each element");
	r = &c->rules[8];
	s = r->run;
	ok(s != NULL && strcmp(s->name, "run_2_v6") == 0 && s->ntv == 1 &&
	    s->tv[0].addr.lo == 0 && s->tv[0].addr.hi == ~(u128)0 &&
	    strcmp(s->tv[0].rule->name, "e") == 0,
	    "e takes both families: run_2_v6 holds ::/0 . tcp . 443");
	ok(c->rules[9].run == NULL && c->rules[9].log_prefix != NULL &&
	    c->rules[10].run == NULL && c->rules[10].src == &ir->rules[9],
	    "a logged rule cannot merge; f after it is alone: no run");
	for (i = n = 0; i < t.nsets; i++)
		n += NFT_SET_RUN(t.sets[i]);
	is_int((int)n, 3, "the table lists the three runs' sets");
	is_int((int)t.nruns, 2, "two runs");

	ir = merge_policy(a);
	add_topt(ir, "merge", "false");
	ir = lowered(ir);
	if (!ok(ir != NULL && nft_model_build(a, ir, &t) == 0,
	    "merge: false builds"))
		return;
	c = &t.chains[0];
	for (i = n = 0; i < c->nrules; i++)
		n += c->rules[i].run != NULL;
	ok(!t.merge && t.nruns == 0 && n == 0 && c->nrules == 3 + 11,
	    "merge: false: a rule per line, as before");
}

int
main(void)
{
	struct arena *a = arena_new();

	plan_lazy();
	test_egress(a);
	test_inbound(a);
	test_none(a);
	test_names(a);
	test_icmp(a);
	test_merge(a);
	arena_free(a);
	return done_testing();
}
