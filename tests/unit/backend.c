/*
 * backend.c - unit tests of the shared back-end helpers, the target
 * options, the built-in templates and of the nftables and iptables back
 * ends on an IR built by hand (no YAML).
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/templates.h"
#include "pass/lower.h"
#include "util/atomic_write.h"
#include "tap.h"

static const struct be_opts *
opts(struct arena *a, const char *target)
{
	struct be_opts *o = arena_alloc(a, sizeof(*o));

	o->be = be_find(target);
	o->arena = a;
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
	struct be_match *m;
	struct ir *ir = one_rule(a, false);
	struct ir_rule *r;
	size_t n;

	n = be_matches(a, &ir->rules[0], BE_MIXED_FAM, &m);
	is_int((int)n, 4, "two families x two protocols");
	ok(m[0].fam == FAM_V4 && m[0].proto == P_TCP && m[0].ipp == 6 &&
	    m[3].fam == FAM_V6 && m[3].proto == P_UDP,
	    "IPv4 first, tcp before udp");
	ir = one_rule(a, true);
	n = be_matches(a, &ir->rules[0], BE_MIXED_FAM, &m);
	is_int((int)n, 2, "any/any with mixed families: one line per protocol");
	ok(m[0].fam == -1, "...for both families at once");
	n = be_matches(a, &ir->rules[0], 0, &m);
	is_int((int)n, 4, "without mixed families: per family");

	/* gre and ah, whole: one match each; AH is IPv4's alone. */
	r = &ir->rules[0];
	svc_init(&r->svc);
	iset_add(a, &r->svc.ipp, 47, 47);
	iset_add(a, &r->svc.ipp, 51, 51);
	iset_add(a, &r->svc.p[P_ICMP6], 0, 65535);
	svc_norm(&r->svc);
	n = be_matches(a, r, BE_MIXED_FAM, &m);
	is_int((int)n, 3, "icmpv6, gre, ah");
	ok(n == 3 && m[0].proto == P_ICMP6 && m[0].fam == FAM_V6 &&
	    m[1].proto == BE_OTHER && m[1].ipp == 47 && m[1].fam == -1 &&
	    m[2].ipp == 51 && m[2].fam == FAM_V4 && m[2].ports == NULL,
	    "icmpv6 with IPv6, gre with both, ah with IPv4");
	n = be_matches(a, r, 0, &m);
	ok(n == 4 && m[0].fam == FAM_V4 && m[0].ipp == 47 && m[1].ipp == 51 &&
	    m[2].fam == FAM_V6 && m[2].proto == P_ICMP6 && m[3].ipp == 47 &&
	    m[3].fam == FAM_V6, "per family: no AH in IPv6");
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
		/* NAME.rules.v4, NAME.rules.v6, NAME.ipset */
		struct out outs[3];

		out_init(&outs[0]);
		out_init(&outs[1]);
		out_init(&outs[2]);
		ok(o->be->emit(ir, o, outs) == 0, "iptables emits");
		ok(strstr(outs[0].buf, "-A EGRESSC-UNIT -d 192.0.2.0/24 -p tcp "
		    "--dport 443 -m comment --comment \"r1: say _hi_ here\" "
		    "-j ACCEPT\n") != NULL, "an IPv4 line");
		ok(strstr(outs[0].buf, "2001:db8") == NULL &&
		    strstr(outs[1].buf, "-d 2001:db8::1 -p udp --dport 3478")
		    != NULL, "IPv6 only in the IPv6 file");
		ok(strstr(outs[0].buf, "-j DROP\nCOMMIT\n") != NULL,
		    "default deny ends the chain with DROP");
		out_free(&outs[0]);
		out_free(&outs[1]);
		out_free(&outs[2]);
	}
}

static void
add_topt(struct ir *ir, const char *target, const char *key,
    const char *value, int line)
{
	struct ir_topt *t;

	ARENA_PUSH(ir->arena, ir->topts, ir->ntopts, ir->captopts);
	t = &ir->topts[ir->ntopts - 1];
	memset(t, 0, sizeof(*t));
	t->target = target;
	t->key = key;
	t->value = value;
	t->loc.file = ir->file;
	t->loc.line = line;
	t->loc.col = 1;
	t->key_loc = t->loc;
}

static void
test_options(struct arena *a)
{
	struct ir *ir = one_rule(a, false);
	size_t i, k;
	int errs;

	for (i = 0; be_all[i] != NULL; i++) {
		for (k = 0; be_all[i]->options[k].key != NULL; k++)
			if (be_all[i]->options[k].kind == BE_OPT_ENUM &&
			    be_all[i]->options[k].values == NULL)
				break;
		ok(be_all[i]->options[k].key == NULL, "%s: every enum option "
		    "lists its values", be_all[i]->name);
	}
	add_topt(ir, "iptables", NULL, NULL, 1);
	add_topt(ir, "iptables", "chain", "out-1", 2);
	add_topt(ir, "cisco-ios", NULL, NULL, 3);
	add_topt(ir, "cisco-ios", "return", "reflexive", 4);
	add_topt(ir, "cisco-ios", "interface", "Gi0/1.100", 5);
	is_int(be_check_options(ir), 0, "good options pass");
	is_str(be_option(opts(a, "iptables"), ir, "chain", NULL), "OUT-1",
	    "an upper-case identifier is folded when read");
	is_str(be_option(opts(a, "iptables"), ir, "input-chain", "in"), "IN",
	    "...and so is its default");
	is_int(be_enum(opts(a, "cisco-ios"), ir, "return", 0), 2,
	    "an enum reads as the index of its value");
	is_int(be_enum(opts(a, "cisco-ios"), ir, "object-groups", 1), 1,
	    "...or the default when absent");
	ok(be_option(opts(a, "cisco-asa"), ir, "interface", NULL) == NULL,
	    "absent without a default: NULL");
	is_str(be_option(opts(a, "nftables"), ir, "table", NULL), "unit",
	    "absent with a declared default: the default");

	errs = diag_errors();
	add_topt(ir, "cisco-ios", "object-groups", "maybe", 6);
	add_topt(ir, "pfx", NULL, NULL, 7);
	add_topt(ir, "pfx", "table-prefix", "x", 8);
	add_topt(ir, "netsh", NULL, NULL, 9);
	add_topt(ir, "netsh", "perfix", "x", 10);
	is_int(be_check_options(ir), -1, "bad options fail");
	/* One error for the unknown target, none for its key. */
	is_int(diag_errors() - errs, 3, "...one error each");
	errs = diag_errors();
	is_int(be_enum(opts(a, "cisco-ios"), ir, "object-groups", 1), -1,
	    "a bad enum read for emit is an error too");
	is_int(diag_errors() - errs, 1, "...reported");
}

/* What the binary holds is templates/NAME.tmpl, byte for byte, for every
 * template in the tree. */
static void
test_templates(struct arena *a)
{
	const struct be_tmpl *t;
	size_t n = 0;
	glob_t g;

	for (t = be_templates; t->name != NULL; t++, n++) {
		char *path = arena_printf(a, "templates/%s.tmpl", t->name);
		size_t len = 0;
		char *text = read_file(path, 1024 * 1024, &len, NULL);

		ok(text != NULL && len == strlen(t->text) &&
		    memcmp(text, t->text, len) == 0,
		    "%s: built in byte for byte", path);
		free(text);
	}
	ok(glob("templates/*.tmpl", 0, NULL, &g) == 0 && g.gl_pathc == n,
	    "every templates/*.tmpl is built in (%zu)", n);
	globfree(&g);
}

/* The names a back end derives from the policy's name. */
static const char *
derived(struct arena *a, const char *be, const char *policy, const char *key,
    bool inbound)
{
	struct ir *ir = one_rule(a, false);

	ir->name = policy;
	if (inbound) {
		ir->inbound_allowed = true;
		ir->rules[0].dir = IR_INBOUND;
	}
	return be_option(opts(a, be), ir, key, NULL);
}

/*
 * The two iptables chains of a policy never clash: a long policy name is
 * cut and a hash of it follows a '_' at a place of its own for each chain;
 * and nft table names are names nft can read.
 */
static void
test_names(struct arena *a)
{
	static const char *const pols[] = {
		"web", "in-in-in-in-in-in-in-in", "in-web", "a234567890123456789",
		"a2345678901234567890", "a23456789012345678901",
		"in-in-in-in-in-in-in-in-in", "in-in-in-in-in-in-in-in-x",
	};
	size_t i, bad = 0, n = sizeof(pols) / sizeof(pols[0]);
	const char *c, *d;
	char *name;

	is_str(derived(a, "iptables", "in-in-in-in-in-in-in-in", "chain",
	    true), "EGRESSC-IN-IN-IN-IN-IN-_62EA", "a cut egress chain");
	ok(strcmp(derived(a, "iptables", "in-in-in-in-in-in-in-in", "chain",
	    true), derived(a, "iptables", "in-in-in-in-in-in-in-in",
	    "input-chain", true)) != 0,
	    "in-in-in-in-in-in-in-in: two chains, two names");
	for (i = 0; i < n + 2000; i++) {
		name = i < n ? (char *)pols[i] : arena_printf(a,
		    "in-%zu-in-in-in-in-in-in-in-%zu", i % 7, i);
		c = derived(a, "iptables", name, "chain", true);
		d = derived(a, "iptables", name, "input-chain", true);
		if (c == NULL || d == NULL || strlen(c) > 28 || strlen(d) > 28 ||
		    strcmp(c, d) == 0)
			bad++;
	}
	is_int((int)bad, 0, "2,008 policies: each one's two iptables chains "
	    "differ, neither past 28 characters");
	is_str(derived(a, "nftables", "1web", "table", false), "egressc-1web",
	    "a policy name starting with a digit: nftables table egressc-NAME");
	is_str(derived(a, "nftables", "accept", "table", false),
	    "egressc-accept", "...and one that is an nft keyword");
	is_str(derived(a, "nftables", "web", "table", false), "web",
	    "...else the policy's name");
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
	test_options(a);
	test_names(a);
	test_templates(a);
	arena_free(a);
	return done_testing();
}
