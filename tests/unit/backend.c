/*
 * backend.c - unit tests of the shared back-end helpers and of the
 * nftables and iptables back ends on an IR built by hand (no YAML).
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "pass/lower.h"
#include "tap.h"

static const struct be_opts *
opts(struct arena *a, const char *target)
{
	struct be_opts *o = arena_alloc(a, sizeof(*o));

	o->be = be_find(target);
	o->arena = a;
	o->tmpldir = getenv("EGRESSC_TEMPLATES") ? getenv("EGRESSC_TEMPLATES") :
	    "templates";
	return o;
}

static void
test_text(struct arena *a)
{
	const struct be_opts *o = opts(a, "nftables");
	const char *t;
	char big[400];

	is_str(be_text(o, "plain text, ok", 0), "plain text, ok", "plain text kept");
	is_str(be_text(o, "a\"b\\c", 0), "a_b_c", "quotes and backslashes replaced");
	is_str(be_text(o, "one\ntwo\r\nthree", 0), "one two three",
	    "newlines become single spaces");
	is_str(be_text(o, "caf\xc3\xa9 \xe2\x80\x98x\xe2\x80\x99", 0), "caf_ _x_",
	    "one '_' per non-ASCII character");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t = be_text(o, big, 0);
	is_int((int)strlen(t), 128, "cut to the nftables comment limit");
	t = be_text(opts(a, "iptables"), big, 0);
	is_int((int)strlen(t), 255, "cut to the iptables comment limit");
	is_str(be_text(o, "  lead  and  trail  ", 0), "lead and trail",
	    "spaces folded and trimmed");
}

static void
test_chunks(struct arena *a)
{
	struct iset s, *c;
	size_t n;
	int i;

	iset_init(&s);
	for (i = 1; i <= 20; i++)
		iset_add(a, &s, (u128)(i * 10), (u128)(i * 10));
	iset_norm(&s);
	n = be_chunks(a, &s, 15, &c);
	is_int((int)n, 2, "20 single ports: two multiport chunks");
	is_int((int)c[0].n, 15, "the first holds 15");
	iset_init(&s);
	for (i = 1; i <= 8; i++)
		iset_add(a, &s, (u128)(i * 100), (u128)(i * 100 + 5));
	iset_norm(&s);
	n = be_chunks(a, &s, 15, &c);
	is_int((int)n, 2, "8 ranges (16 slots): two chunks");
	is_int((int)c[0].n, 7, "a range takes two slots: 7 in the first");
}

/* One rule: 192.0.2.0/24 and 2001:db8::1, tcp 443 and udp 3478. */
static struct ir *
one_rule(struct arena *a, bool any)
{
	struct ir *ir = ir_new(a);
	struct ir_rule *r = ir_add_rule(ir);

	ir->name = "unit";
	ir->file = "unit.yaml";
	r->name = "r1";
	r->comment = "say \"hi\"\nhere";
	aset_any(a, &r->src);
	if (any)
		aset_any(a, &r->dst);
	else {
		aset_add_prefix(a, &r->dst, FAM_V4, (u128)0xc0000200, 24);
		aset_add_prefix(a, &r->dst, FAM_V6, ((u128)0x20010db8 << 96) | 1,
		    128);
	}
	iset_add(a, &r->svc.p[P_TCP], 443, 443);
	iset_add(a, &r->svc.p[P_UDP], 3478, 3478);
	iset_norm(&r->svc.p[P_TCP]);
	iset_norm(&r->svc.p[P_UDP]);
	aset_norm(&r->dst);
	return ir;
}

static void
test_matches(struct arena *a)
{
	struct be_match m[BE_MAX_MATCHES];
	struct ir *ir = one_rule(a, false);
	size_t n;

	n = be_matches(&ir->rules[0], BE_MIXED_FAM, m);
	is_int((int)n, 4, "two families x two protocols");
	ok(m[0].fam == FAM_V4 && m[0].proto == P_TCP && m[3].fam == FAM_V6 &&
	    m[3].proto == P_UDP, "IPv4 first, tcp before udp");
	ir = one_rule(a, true);
	n = be_matches(&ir->rules[0], BE_MIXED_FAM, m);
	is_int((int)n, 2, "any/any with mixed families: one line per protocol");
	ok(m[0].fam == -1, "...for both families at once");
	n = be_matches(&ir->rules[0], 0, m);
	is_int((int)n, 4, "without mixed families: per family");
}

static void
test_nft(struct arena *a)
{
	const struct be_opts *o = opts(a, "nftables");
	struct ir *ir = one_rule(a, false);
	struct out out;

	out_init(&out);
	ok(o->be->emit(ir, o, &out) == 0, "nftables emits");
	ok(strstr(out.buf, "\t\tip daddr 192.0.2.0/24 tcp dport 443 accept "
	    "comment \"r1: say _hi_ here\"\n") != NULL,
	    "an IPv4 tcp line with a safe comment");
	ok(strstr(out.buf, "\t\tip6 daddr 2001:db8::1 udp dport 3478 accept")
	    != NULL, "an IPv6 udp line");
	ok(strstr(out.buf, "policy drop;") != NULL, "default deny: policy drop");
	out_free(&out);
	o = opts(a, "iptables");
	{
		struct out two[2];

		out_init(&two[0]);
		out_init(&two[1]);
		ok(o->be->emit(ir, o, two) == 0, "iptables emits");
		ok(strstr(two[0].buf, "-A EGRESSC-UNIT -d 192.0.2.0/24 -p tcp "
		    "--dport 443 -m comment --comment \"r1: say _hi_ here\" "
		    "-j ACCEPT\n") != NULL, "an IPv4 line");
		ok(strstr(two[0].buf, "2001:db8") == NULL &&
		    strstr(two[1].buf, "-d 2001:db8::1 -p udp --dport 3478")
		    != NULL, "IPv6 only in the IPv6 file");
		ok(strstr(two[0].buf, "-j DROP\nCOMMIT\n") != NULL,
		    "default deny ends the chain with DROP");
		out_free(&two[0]);
		out_free(&two[1]);
	}
}

int
main(void)
{
	struct arena *a = arena_new();

	plan_lazy();
	test_text(a);
	test_chunks(a);
	test_matches(a);
	test_nft(a);
	arena_free(a);
	return done_testing();
}
