/*
 * dynsets.c - unit tests of floor and dynamic sets in the nftables model:
 * lowering keeps the names it turned into addresses (BE_DYNSETS) and
 * drops them for other targets and with dynamic: false; the set stems
 * (a rule's name, "r" before a digit, a hash only on a clash); the model's
 * named sets, their order, flags, timeout and floor elements; the lines of
 * a rule with names (floor, then dynamic, per family where it has a
 * source); and the libnftnl form of a named interval set, which keeps each
 * prefix apart as nft does without auto-merge.
 */
#include <string.h>

#include "backend/backend.h"
#include "nft/nft.h"
#include "nl/nl-int.h"
#include "pass/lower.h"
#include "tap.h"

static struct ir_rule *
rule(struct ir *ir, const char *name, const char *host, u128 v4)
{
	struct ir_rule *r = ir_add_rule(ir);
	struct loc l = { "unit.yaml", 1, 1 };

	r->name = name;
	aset_any(ir->arena, &r->src);
	iset_add(ir->arena, &r->svc.p[P_TCP], 443, 443);
	iset_norm(&r->svc.p[P_TCP]);
	if (host == NULL) {
		aset_add_prefix(ir->arena, &r->dst, FAM_V4, v4, 32);
		aset_norm(&r->dst);
		return r;
	}
	ir_add_name(ir, r, host, false, &l);
	r = &ir->rules[ir->nrules - 1];
	aset_init(&r->names[0].addrs);
	aset_add_prefix(ir->arena, &r->names[0].addrs, FAM_V4, v4, 32);
	aset_add_prefix(ir->arena, &r->names[0].addrs, FAM_V4, v4 + 1, 32);
	aset_norm(&r->names[0].addrs);
	r->names[0].resolved = true;
	return r;
}

static struct ir *
policy(struct arena *a)
{
	struct ir *ir = ir_new(a);

	ir->name = "unit";
	ir->file = "unit.yaml";
	ir->def = IR_DEF_DENY;
	rule(ir, "api", "api.example.com", 0xc0000210);	/* .16, .17 */
	rule(ir, "9x", "x.example.com", 0xc0000220);
	rule(ir, "r9x", "y.example.com", 0xc0000230);
	rule(ir, "plain", NULL, 0xc0000240);
	return ir;
}

static struct ir *
lowered(struct arena *a, const struct ir *ir, const char *target)
{
	const struct backend *be = be_find(target);
	struct lower_target to = { be->name, be->caps, false, NULL };

	return lower(ir, &to, a);
}

int
main(void)
{
	struct arena *a = arena_new();
	struct ir *ir = policy(a), *low, *off;
	struct nft_table t;
	const char **stem;
	struct nl_want w;
	uint8_t keys[16][16];
	uint32_t flags[16];
	bool open[16];
	size_t i, n, lines;

	plan_lazy();
	low = lowered(a, ir, "nftables");
	ok(low != NULL, "lowered for nftables");
	is_int((int)low->rules[0].nhosts, 1, "nftables keeps the name behind "
	    "dst");
	is_str(low->rules[0].hosts[0], "api.example.com", "...its name");
	is_int((int)low->rules[0].nnames, 0, "...and no name is left named");
	is_int((int)lowered(a, ir, "iptables")->rules[0].nhosts, 1,
	    "iptables keeps it too (its ipset dynamic sets)");
	is_int((int)lowered(a, ir, "pf")->rules[0].nhosts, 1,
	    "pf keeps it too (its persist tables)");
	is_int((int)lowered(a, ir, "netsh")->rules[0].nhosts, 0,
	    "netsh keeps no names");
	ir->dyn.off = true;
	off = lowered(a, ir, "nftables");
	ir->dyn.off = false;
	is_int((int)off->rules[0].nhosts, 0, "dynamic: false keeps no names");

	stem = nft_set_stems(a, low);
	is_str(stem[0], "api", "a rule's stem is its name");
	ok(strncmp(stem[1], "r9x_", 4) == 0 && strlen(stem[1]) == 12,
	    "a digit first: r and the name, and a hash where that is another "
	    "rule's name (%s)", stem[1]);
	is_str(stem[2], "r9x", "the other rule keeps its own name");
	ok(stem[3] == NULL, "a rule without names has no stem");
	is_str(nft_set_name(a, "api", FAM_V6, true), "api_d6", "STEM_d6");

	ok(nft_model_build(a, low, &t) == 0, "the model builds");
	is_int((int)t.ndynamic, 6, "two dynamic sets for each rule with names");
	ok(t.keep, "a load keeps them");
	is_str(t.sets[0]->name, "api_f4", "floor IPv4 first");
	is_str(t.sets[1]->name, "api_d4", "then dynamic IPv4");
	is_str(t.sets[2]->name, "api_f6", "then floor IPv6");
	is_str(t.sets[3]->name, "api_d6", "then dynamic IPv6");
	ok(t.sets[0]->flags == NFT_SETF_INTERVAL && t.sets[0]->elems.npfx == 1 &&
	    t.sets[0]->elems.pfx[0].len == 31, "the floor: interval, the "
	    "locked addresses as one prefix");
	ok(t.sets[1]->flags == NFT_SETF_TIMEOUT && t.sets[1]->timeout_ms ==
	    3600000 && t.sets[1]->elems.v.n == 0, "the dynamic set: timeout "
	    "1h, empty");
	ok(t.sets[2]->elems.npfx == 0, "no locked IPv6 address: an empty "
	    "floor, still there");
	for (i = lines = 0; i < t.chains[0].nrules; i++)
		if (t.chains[0].rules[i].src == &low->rules[0])
			lines++;
	is_int((int)lines, 4, "rule api: floor and dynamic lines, per family");
	ok(t.chains[0].rules[t.chains[0].nrules - 1].m[0].set == NULL &&
	    t.chains[0].rules[t.chains[0].nrules - 1].m[0].field ==
	    NFT_F_IP_DADDR, "rule plain: its address as a value, no named set");
	low->dyn.flush = true;
	ok(nft_model_build(a, low, &t) == 0 && !t.keep,
	    "--flush-dynamic: a load replaces the table");
	low->dyn.flush = false;

	/* The floor of 9x: 192.0.2.32/31 and, say, a neighbour prefix. */
	nft_model_build(a, low, &t);
	nl_want_build(a, &t, false, &w);
	is_int((int)w.nnamed, 12, "libnftnl: every named set");
	is_str(w.named[0].name, "api_f4", "...by its name");
	n = nl_set_elems(&w.named[0], keys, flags, open, 16);
	is_int((int)n, 3, "a floor's elements: the end at 0, the start, the end");
	ok(flags[0] != 0 && flags[1] == 0 && flags[2] != 0 &&
	    keys[1][3] == 0x10 && keys[2][3] == 0x12,
	    "...192.0.2.16 to 192.0.2.18, as nft sends them");
	ok(w.named[1].dynamic && w.named[1].timeout_ms == 3600000 &&
	    w.named[1].nelems == 0, "the dynamic set: timeout, no elements");
	nl_want_free(&w);
	arena_free(a);
	return done_testing();
}
