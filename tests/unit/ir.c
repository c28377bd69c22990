/*
 * ir.c - unit tests for the IR helpers: building rules, names and origins,
 * deep cloning, tier selection, target options, and first-match evaluation
 * (order, family, any source, resolved names, services), and when one rule
 * covers another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/icmp.h"
#include "ir/ir.h"
#include "pass/optimise.h"
#include "pass/tiers.h"
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
}

static struct ir_rule *
rule(struct ir *ir, const char *name, enum ir_action act, const char *dst,
    enum proto p, unsigned lo, unsigned hi)
{
	struct ir_rule *r = ir_add_rule(ir);

	r->name = name;
	r->action = act;
	aset_any(A, &r->src);
	if (dst != NULL)
		addp(&r->dst, dst);
	if (p == P_N)
		r->svc.all = true;
	else if (!proto_has_ports(p))
		/* ICMP types, every code */
		iset_add(A, &r->svc.p[p], ICMP_TC(lo, 0), ICMP_TC(hi, 255));
	else
		iset_add(A, &r->svc.p[p], lo, hi);
	return r;
}

static long
decide(const struct ir *ir, enum fam f, const char *src, const char *dst,
    enum proto p, unsigned port)
{
	struct ir_packet pk;

	memset(&pk, 0, sizeof(pk));
	pk.fam = f;
	pk.any_src = src == NULL;
	pk.src = src != NULL ? ip(src) : 0;
	pk.dst = ip(dst);
	pk.proto = proto_ipp[p];
	/* ICMP: type port, code 0 */
	pk.port = proto_has_ports(p) ? port : ICMP_TC(port, 0);
	return ir_decide(ir, &pk);
}

static void
test_build(void)
{
	struct ir *ir = ir_new(A);
	struct ir_rule *r;
	struct loc l = { "p.yaml", 3, 7 };
	char nm[] = "api.example.com";
	int i;

	is_int(ir->nrules, 0, "new IR has no rules");
	ok(ir->def == IR_DEF_DENY && ir->wildcards == IR_WILD_EXPAND &&
	    ir->hosts == IR_HOSTS_RESOLVE, "defaults: deny, expand, resolve");
	for (i = 0; i < 20; i++) {
		r = ir_add_rule(ir);
		r->name = arena_printf(A, "r%d", i);
	}
	is_int(ir->nrules, 20, "20 rules after growing the array");
	is_str(ir->rules[0].name, "r0", "first rule survives growth");
	is_str(ir->rules[19].name, "r19", "last rule");
	r = &ir->rules[19];
	ok(r->action == IR_ALLOW && aset_empty(&r->src) &&
	    aset_empty(&r->dst) && svc_empty(&r->svc) && r->nnames == 0 &&
	    r->tier == NULL, "a new rule is zeroed");

	ir_add_name(ir, r, nm, false, &l);
	ir_add_name(ir, r, "*.zone.example", true, NULL);
	nm[0] = 'X';
	is_int(r->nnames, 2, "two names");
	is_str(r->names[0].name, "api.example.com", "name is copied");
	ok(!r->names[0].wildcard && r->names[1].wildcard, "wildcard flag");
	ok(r->names[0].loc.line == 3 && r->names[0].loc.col == 7 &&
	    r->names[1].loc.file == NULL, "name locations");
	ok(!r->names[0].resolved && aset_empty(&r->names[0].addrs),
	    "a new name is unresolved");

	ir_add_origin(ir, r, "*.a.example");
	ir_add_origin(ir, r, "*.b.example");
	ir_add_origin(ir, r, "*.a.example");
	is_int(r->norigins, 2, "origins have no duplicates");
	is_str(r->origins[1], "*.b.example", "origin order kept");

	is_str(ir_action_name[IR_ALLOW], "allow", "allow");
	is_str(ir_action_name[IR_DENY], "deny", "deny");
	is_str(ir_action_name[IR_REJECT], "reject", "reject");
	is_str(ir_default_name[IR_DEF_DENY], "deny", "default deny");
	is_str(ir_default_name[IR_DEF_ACCEPT], "accept", "default accept");
	is_str(ir_default_name[IR_DEF_NONE], "none", "default none");
}

static void
test_clone(void)
{
	struct ir *ir = ir_new(A), *c;
	struct ir_rule *r;
	struct aset tmp;

	r = rule(ir, "web", IR_ALLOW, "192.0.2.0/24", P_TCP, 443, 443);
	ir_add_name(ir, r, "h.example", false, NULL);
	r->names[0].resolved = true;
	addp(&r->names[0].addrs, "198.51.100.1");
	ir_add_origin(ir, r, "*.example");
	rule(ir, "dns", IR_ALLOW, "2001:db8::53", P_UDP, 53, 53);

	c = ir_clone(ir);
	ok(c != ir && c->nrules == 2 && c->rules != ir->rules,
	    "clone has its own rules");
	r = &c->rules[0];
	/* Change everything in the clone ... */
	aset_diff(A, &tmp, &r->dst, &r->dst);
	r->dst = tmp;
	iset_add(A, &r->svc.p[P_TCP], 80, 80);
	addp(&r->names[0].addrs, "203.0.113.9");
	r->names[0].name = "other";
	ir_add_name(c, r, "new.example", false, NULL);
	ir_add_origin(c, r, "*.new");
	r = ir_add_rule(c);
	r->name = "added";
	/* ... and the source is untouched. */
	r = &ir->rules[0];
	ok(iset_has(&r->dst.f[FAM_V4], ip("192.0.2.9")),
	    "source dst untouched");
	ok(!svc_match(&r->svc, FAM_V4, 6, 80), "source svc untouched");
	ok(!iset_has(&r->names[0].addrs.f[FAM_V4], ip("203.0.113.9")),
	    "source name addrs untouched");
	is_str(r->names[0].name, "h.example", "source name untouched");
	ok(r->nnames == 1 && r->norigins == 1 && ir->nrules == 2,
	    "source arrays untouched");
	ok(c->nrules == 3 && c->rules[0].nnames == 2 &&
	    c->rules[0].norigins == 2, "clone arrays grew");
	ok(decide(c, FAM_V4, NULL, "198.51.100.1", P_TCP, 443) == 0 &&
	    decide(c, FAM_V6, NULL, "2001:db8::53", P_UDP, 53) == 1,
	    "clone decides like the source");
}

static void
test_tiers_topts(void)
{
	struct ir *ir = ir_new(A), *c;
	struct ir_rule *r;
	struct ir_topt *t;

	r = ir_add_rule(ir);
	r->name = "a";
	r->tier = "minimum";
	r = ir_add_rule(ir);
	r->name = "b";
	r = ir_add_rule(ir);
	r->name = "c";
	r->tier = "recommended";
	r = ir_add_rule(ir);
	r->name = "d";
	r->tier = "full";

	/* The order: minimum, recommended, full (cumulative). */
	ir->file = "p.yaml";
	ARENA_PUSH(A, ir->tiers, ir->ntiers, ir->captiers);
	ir->tiers[0] = "minimum";
	ARENA_PUSH(A, ir->tiers, ir->ntiers, ir->captiers);
	ir->tiers[1] = "recommended";
	ARENA_PUSH(A, ir->tiers, ir->ntiers, ir->captiers);
	ir->tiers[2] = "full";

	c = ir_clone(ir);
	is_int(tiers_select(c, NULL), 0, "NULL selects");
	is_int(c->nrules, 4, "NULL keeps every rule");
	is_int(tiers_select(c, "all"), 0, "all selects");
	is_int(c->nrules, 4, "all keeps every rule");
	tiers_select(c, "minimum");
	ok(c->nrules == 2 && strcmp(c->rules[0].name, "a") == 0 &&
	    strcmp(c->rules[1].name, "b") == 0,
	    "minimum keeps its rules and untiered ones, in order");
	c = ir_clone(ir);
	tiers_select(c, "recommended");
	ok(c->nrules == 3 && strcmp(c->rules[0].name, "a") == 0 &&
	    strcmp(c->rules[2].name, "c") == 0,
	    "recommended is the minimum table plus its own rules");
	c = ir_clone(ir);
	tiers_select(c, "full");
	is_int(c->nrules, 4, "the last tier keeps every tier before it");
	c = ir_clone(ir);
	tiers_select(c, "full,recommended");
	ok(c->nrules == 3 && strcmp(c->rules[0].name, "b") == 0 &&
	    strcmp(c->rules[1].name, "c") == 0 &&
	    strcmp(c->rules[2].name, "d") == 0, "a comma list is that set");
	c = ir_clone(ir);
	is_int(tiers_select(c, "min"), -1, "a tier name prefix is no tier");
	is_int(c->nrules, 4, "...and nothing is dropped");
	c = ir_clone(ir);
	is_int(tiers_select(c, "minimun"), -1, "a typo is an error");
	c = ir_clone(ir);
	is_int(tiers_select(c, "minimum,"), 0, "an empty list item is skipped");
	is_int(c->nrules, 2, "...and minimum, is the set {minimum}");
	c = ir_clone(ir);
	is_int(tiers_select(c, ","), -1, "no tier at all is an error");

	ok(strcmp(ir_topt(ir, "nftables", "table", "dflt"), "dflt") == 0,
	    "no options: the default");
	ok(ir_topt(ir, "nftables", "table", NULL) == NULL, "NULL default");
	/* The target's own entry, as the front end writes it first. */
	ARENA_PUSH(A, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	t->target = "nftables", t->key = NULL, t->value = NULL;
	ok(ir_topt_find(ir, "nftables", "table") == NULL,
	    "a target's own entry is no key's");
	ARENA_PUSH(A, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	t->target = "nftables", t->key = "table", t->value = "one";
	ARENA_PUSH(A, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	t->target = "iptables", t->key = "chain", t->value = "X";
	ARENA_PUSH(A, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	t->target = "nftables", t->key = "table", t->value = "two";
	is_str(ir_topt(ir, "nftables", "table", "d"), "two",
	    "the last entry wins");
	is_str(ir_topt(ir, "iptables", "chain", "d"), "X", "other target");
	is_str(ir_topt(ir, "nftables", "chain", "output"), "output",
	    "key absent: default");
	is_str(ir_topt(ir, "pf", "table", "d"), "d", "target absent: default");
}

static void
test_decide(void)
{
	struct ir *ir = ir_new(A);
	struct ir_rule *r;

	rule(ir, "deny-one", IR_DENY, "192.0.2.66", P_N, 0, 0);
	rule(ir, "web", IR_ALLOW, "192.0.2.0/24", P_TCP, 443, 443);
	rule(ir, "rej", IR_REJECT, "0.0.0.0/0", P_TCP, 25, 25);
	r = rule(ir, "v6dns", IR_ALLOW, "2001:db8::/32", P_UDP, 53, 53);
	r = rule(ir, "from-lan", IR_ALLOW, "203.0.113.0/24", P_N, 0, 0);
	aset_init(&r->src);
	addp(&r->src, "10.0.0.0/8");
	r = rule(ir, "named", IR_ALLOW, NULL, P_TCP, 8443, 8443);
	ir_add_name(ir, r, "h.example", false, NULL);
	r->names[0].resolved = true;
	addp(&r->names[0].addrs, "198.51.100.7");
	addp(&r->names[0].addrs, "2001:db8:1::7");
	ir_add_name(ir, r, "unresolved.example", false, NULL);
	addp(&r->names[1].addrs, "198.51.100.8");
	r = rule(ir, "wild", IR_ALLOW, NULL, P_N, 0, 0);
	ir_add_name(ir, r, "*.zone.example", true, NULL);
	r = rule(ir, "icmp", IR_ALLOW, "0.0.0.0/0", P_ICMP, 8, 8);

	is_int(decide(ir, FAM_V4, NULL, "192.0.2.66", P_TCP, 443), 0,
	    "an earlier deny wins over a later allow");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.67", P_TCP, 443), 1,
	    "the allow decides for its other addresses");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.67", P_TCP, 444), -1,
	    "wrong port: the default decides");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.67", P_UDP, 443), -1,
	    "wrong protocol: the default decides");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.67", P_TCP, 25), 2,
	    "the reject");
	is_int(decide(ir, FAM_V6, NULL, "2001:db8::1", P_UDP, 53), 3,
	    "a v6 rule matches v6");
	is_int(decide(ir, FAM_V6, NULL, "::c000:242", P_TCP, 443), -1,
	    "a v4 rule does not match the same number in v6");
	is_int(decide(ir, FAM_V6, NULL, "2001:db8::1", P_TCP, 25), -1,
	    "0.0.0.0/0 does not cover v6");
	is_int(decide(ir, FAM_V4, "10.1.1.1", "203.0.113.5", P_TCP, 1), 4,
	    "source inside the rule's source");
	is_int(decide(ir, FAM_V4, "192.168.1.1", "203.0.113.5", P_TCP, 1), -1,
	    "source outside the rule's source");
	is_int(decide(ir, FAM_V4, NULL, "203.0.113.5", P_TCP, 1), 4,
	    "any_src ignores the rule's source");
	is_int(decide(ir, FAM_V6, NULL, "2001:db8:ffff::1", P_UDP, 53), 3,
	    "v6 any_src");
	is_int(decide(ir, FAM_V4, NULL, "198.51.100.7", P_TCP, 8443), 5,
	    "a resolved name's v4 address");
	is_int(decide(ir, FAM_V6, NULL, "2001:db8:1::7", P_TCP, 8443), 5,
	    "a resolved name's v6 address");
	is_int(decide(ir, FAM_V4, NULL, "198.51.100.8", P_TCP, 8443), -1,
	    "an unresolved name's addresses do not count");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.1", P_ICMP, 8), 7,
	    "icmp echo");
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.1", P_ICMP, 0), -1,
	    "icmp other type");

	ok(ir_rule_in_fam(&ir->rules[1], FAM_V4) &&
	    !ir_rule_in_fam(&ir->rules[1], FAM_V6), "in_fam: v4 rule");
	ok(!ir_rule_in_fam(&ir->rules[4], FAM_V6),
	    "in_fam: a v4-only source keeps the rule out of v6");
	ok(ir_rule_in_fam(&ir->rules[5], FAM_V4) &&
	    ir_rule_in_fam(&ir->rules[5], FAM_V6),
	    "in_fam: resolved names count");
	ok(!ir_rule_in_fam(&ir->rules[6], FAM_V4) &&
	    !ir_rule_in_fam(&ir->rules[6], FAM_V6),
	    "in_fam: a bare wildcard is in no family");

	r = &ir->rules[0];
	aset_init(&r->src);
	is_int(decide(ir, FAM_V4, NULL, "192.0.2.66", P_TCP, 443), 1,
	    "a rule with an empty source never applies, even for any_src");
}

/*
 * A rule from words: "in" (inbound), "deny", "src=P,P", "dst=P,P",
 * "name=HOST" (unresolved) or "name=HOST@ADDR|ADDR" (resolved), "all",
 * PROTO/N or PROTO/LO-HI.  No src= is any source.
 */
static void
spec_rule(struct ir *ir, struct ir_rule *r, const char *spec)
{
	char *copy = strdup(spec), *w, *save = NULL, *p, *save2 = NULL;
	int k;

	aset_any(A, &r->src);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "in") == 0)
			r->dir = IR_INBOUND;
		else if (strcmp(w, "deny") == 0)
			r->action = IR_DENY;
		else if (strcmp(w, "all") == 0)
			r->svc.all = true;
		else if (strncmp(w, "src=", 4) == 0 ||
		    strncmp(w, "dst=", 4) == 0) {
			struct aset *s = w[0] == 's' ? &r->src : &r->dst;

			aset_init(s);
			for (p = strtok_r(w + 4, ",", &save2); p != NULL;
			    p = strtok_r(NULL, ",", &save2))
				addp(s, p);
		} else if (strncmp(w, "name=", 5) == 0) {
			char *at = strchr(w + 5, '@');
			struct ir_name *n;

			if (at != NULL)
				*at++ = '\0';
			ir_add_name(ir, r, w + 5, false, NULL);
			n = &r->names[r->nnames - 1];
			n->resolved = at != NULL;
			for (p = at ? strtok_r(at, "|", &save2) : NULL;
			    p != NULL; p = strtok_r(NULL, "|", &save2))
				addp(&n->addrs, p);
		} else {
			unsigned lo, hi;
			int n;

			for (k = 0; k < P_N; k++)
				if (strncmp(w, proto_name[k],
				    strlen(proto_name[k])) == 0 &&
				    w[strlen(proto_name[k])] == '/')
					break;
			p = k < P_N ? w + strlen(proto_name[k]) + 1 : w;
			n = sscanf(p, "%u-%u", &lo, &hi);
			if (k == P_N || n < 1) {
				diag("bad test word '%s'", w);
				continue;
			}
			iset_add(A, &r->svc.p[k], lo, n == 2 ? hi : lo);
		}
	}
	free(copy);
}

static const struct {
	const char	*a, *b;
	bool		 covers;
} cover_cases[] = {
	{ "dst=10.0.0.0/8 tcp/443", "dst=10.0.0.0/8 tcp/443", true },
	{ "dst=10.0.0.0/8 tcp/443", "dst=10.1.0.0/16 tcp/443", true },
	{ "dst=10.1.0.0/16 tcp/443", "dst=10.0.0.0/8 tcp/443", false },
	{ "dst=10.0.0.0/8 tcp/1-1024", "dst=10.0.0.1 tcp/443", true },
	{ "dst=10.0.0.0/8 tcp/1-1024", "dst=10.0.0.1 tcp/443 udp/53", false },
	{ "dst=10.0.0.0/8 tcp/443", "dst=10.0.0.1 udp/443", false },
	{ "dst=10.0.0.0/8 all", "dst=10.0.0.1 tcp/443 icmp/8", true },
	/* four full protocols still miss the others all matches */
	{ "dst=10.0.0.0/8 tcp/0-65535 udp/0-65535 icmp/0-255 icmpv6/0-255",
	  "dst=10.0.0.1 all", false },
	{ "dst=10.0.0.0/8 all", "dst=10.0.0.1 all", true },
	{ "dst=10.0.0.0/8 tcp/443", "dst=10.0.0.1", true },	/* no port */
	{ "dst=10.0.0.0/8 tcp/443", "in dst=10.0.0.1 tcp/443", false },
	{ "in dst=10.0.0.0/8 tcp/443", "in dst=10.0.0.1 tcp/443", true },
	{ "deny dst=10.0.0.0/8 tcp/443", "dst=10.0.0.1 tcp/443", true },
	{ "src=192.0.2.0/24 dst=10.0.0.0/8 all", "dst=10.0.0.1 all", false },
	{ "dst=10.0.0.0/8 all", "src=192.0.2.0/24 dst=10.0.0.1 all", true },
	{ "src=192.0.2.0/24 dst=10.0.0.0/8 all",
	  "src=192.0.2.0/25 dst=10.0.0.1 all", true },
	{ "dst=0.0.0.0/0 all", "dst=2001:db8::1 all", false },
	{ "dst=0.0.0.0/0,::/0 all", "dst=2001:db8::1,10.0.0.1 all", true },
	{ "dst=0.0.0.0/0 all", "dst=10.0.0.1,2001:db8::1 all", false },
	/* names: covered by the same name, or by address once resolved */
	{ "name=api.example tcp/443", "name=api.example tcp/443", true },
	{ "dst=10.0.0.0/8 tcp/443", "name=api.example tcp/443", false },
	{ "dst=10.0.0.0/8 tcp/443", "name=api.example@10.1.2.3 tcp/443",
	  true },
	{ "dst=10.0.0.0/8 tcp/443",
	  "name=api.example@10.1.2.3|2001:db8::3 tcp/443", false },
	{ "name=api.example@10.1.2.3 tcp/443", "dst=10.1.2.3 tcp/443",
	  false },
	{ "name=api.example tcp/443", "name=other.example tcp/443", false },
	{ "name=api.example name=other.example tcp/443",
	  "dst=10.0.0.1 name=other.example tcp/443", false },
	{ "dst=10.0.0.0/8 name=api.example name=other.example tcp/443",
	  "dst=10.0.0.1 name=other.example tcp/443", true },
};

/* ir_rule_covers over a table; the optimiser's shadowing is the same test. */
static void
test_covers(void)
{
	size_t i;

	for (i = 0; i < sizeof(cover_cases) / sizeof(cover_cases[0]); i++) {
		struct ir *ir = ir_new(A);
		struct ir_rule *a, *b;

		spec_rule(ir, ir_add_rule(ir), cover_cases[i].a);
		spec_rule(ir, ir_add_rule(ir), cover_cases[i].b);
		a = &ir->rules[0];
		b = &ir->rules[1];
		ok(ir_rule_covers(a, b) == cover_cases[i].covers,
		    "'%s' %s '%s'", cover_cases[i].a, cover_cases[i].covers ?
		    "covers" : "does not cover", cover_cases[i].b);
		is_int((int)opt_shadowed_by(ir, 1), cover_cases[i].covers ?
		    0 : -1, "...and opt_shadowed_by agrees");
	}
}

/* Random rule words from small pools, so that rules cover each other
 * often: by address, by union, by name, by locked address. */
static const char *
random_spec(unsigned *seed)
{
	static const char *const dst[] = { "dst=10.0.0.0/8", "dst=10.1.0.0/16",
		"dst=10.1.2.0/24", "dst=10.1.2.3", "dst=192.0.2.0/24",
		"dst=2001:db8::/32", "dst=2001:db8::1", "dst=0.0.0.0/0,::/0",
		"dst=10.1.2.3,2001:db8::1", "name=www.example",
		"name=api.example@10.1.2.3", "name=web.example@2001:db8::1",
		"name=none.example@", "", "dst=10.0.0.0/8 name=www.example" };
	static const char *const svc[] = { "tcp/443", "tcp/1-1024", "udp/53",
		"all", "tcp/443 udp/53", "icmp/8", "" };
	static const char *const src[] = { "", "", "src=192.0.2.0/24",
		"src=192.0.2.0/25" };
	const char *d = dst[rand_r(seed) % (sizeof(dst) / sizeof(dst[0]))];

	/* "name=HOST@" with nothing after: locked, without addresses.  A
	 * name is resolved the same in every rule (one lock), as in a
	 * policy: www.example never, api.example always. */
	return arena_printf(A, "%s%s %s %s", rand_r(seed) % 8 ? "" : "in ",
	    src[rand_r(seed) % 4], d,
	    svc[rand_r(seed) % (sizeof(svc) / sizeof(svc[0]))]);
}

struct lines {
	char	buf[1 << 16];
	size_t	len;
};

static void
grab(const char *line, void *arg)
{
	struct lines *l = arg;
	size_t n = strlen(line);

	if (l->len + n + 2 < sizeof(l->buf)) {
		memcpy(l->buf + l->len, line, n);
		l->len += n;
		l->buf[l->len++] = '\n';
		l->buf[l->len] = '\0';
	}
}

/* opt_run finds candidates by index; it must drop exactly the rules, and
 * name exactly the shadowing rules, that a scan of every earlier rule
 * does. */
static void
test_opt_random(void)
{
	unsigned seed = 7;
	int round, bad = 0;

	for (round = 0; round < 300; round++) {
		struct ir *ir = ir_new(A), *ref;
		static struct lines got, want;
		size_t n = 1 + (size_t)rand_r(&seed) % 40, i;

		for (i = 0; i < n; i++) {
			spec_rule(ir, ir_add_rule(ir), random_spec(&seed));
			ir->rules[i].name = arena_printf(A, "r%zu", i);
		}
		ref = ir_clone(ir);
		want.len = got.len = 0;
		want.buf[0] = got.buf[0] = '\0';
		for (i = 0; i < n; i++) {
			long by = opt_shadowed_by(ref, i);

			if (by >= 0)
				want.len += (size_t)snprintf(want.buf +
				    want.len, sizeof(want.buf) - want.len,
				    "%s %s\n", ref->rules[i].name,
				    ref->rules[by].name);
		}
		diag_reset();
		diag_capture(grab, &got);
		opt_run(ir);
		diag_capture(NULL, NULL);
		/* "... rule 'rJ' can never match: rule 'rI' ..." */
		{
			struct lines mine = { .len = 0 };
			char *p = got.buf, *q;
			char a[32], b[32];

			mine.buf[0] = '\0';
			while ((q = strstr(p, "warning: rule '")) != NULL &&
			    sscanf(q, "warning: rule '%31[^']' can never "
			    "match: rule '%31[^']'", a, b) == 2) {
				mine.len += (size_t)snprintf(mine.buf +
				    mine.len, sizeof(mine.buf) - mine.len,
				    "%s %s\n", a, b);
				p = q + 1;
			}
			if (strcmp(mine.buf, want.buf) != 0) {
				if (bad++ == 0)
					diag("round %d: got\n%s want\n%s",
					    round, mine.buf, want.buf);
			}
		}
	}
	ok(bad == 0, "opt_run on 300 random policies drops what a scan drops, "
	    "shadowed by the same rules (%d differ)", bad);
}

int
main(void)
{
	plan_lazy();
	A = arena_new();
	test_build();
	test_clone();
	test_tiers_topts();
	test_decide();
	test_covers();
	test_opt_random();
	arena_free(A);
	return done_testing();
}
