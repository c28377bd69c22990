/*
 * expand.c - catalogs and the expand pass, driven on IRs built by hand:
 * the shipped LiveKit catalog's expansion counts and region substitution,
 * zone choice (exact key, else the longest covering zone), unlisted:
 * any/omit/error, wildcards: forbid/native, the stale checked: warning,
 * catalog errors with their exact FILE:LINE:COL, and `catalog livekit`
 * byte for byte against tests/catalog/livekit-expected.yaml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pass/expand.h"
#include "policy/catalog.h"
#include "util/hostname.h"
#include "ir/ir.h"
#include "policy/vars.h"
#include "policy/yaml.h"
#include "util/atomic_write.h"
#include "util/out.h"
#include "tap.h"

#define PROJECT	"heygen-feapbkvq"
#define HEAD	"egressc-catalog: 1\nname: t\nsource: s\nchecked: 2026-11-01\n"

static struct arena	*A;
static char		 root[4096];	/* the repository, from __FILE__ */

/* Captured diagnostics, one line each ("FILE:L:C: error: MSG"). */
static char	*msgs[64];
static int	 nmsgs;

static void
capture(const char *line, void *arg)
{
	if (nmsgs < 64)
		msgs[nmsgs++] = arena_strdup(A, line);
}

static void
msgs_reset(void)
{
	nmsgs = 0;
	diag_reset();
}

/* Is there a captured line that starts with want? */
static bool
have_msg(const char *want)
{
	int i;

	for (i = 0; i < nmsgs; i++)
		if (strncmp(msgs[i], want, strlen(want)) == 0)
			return true;
	diag("wanted: %s", want);
	for (i = 0; i < nmsgs; i++)
		diag("got:    %s", msgs[i]);
	return false;
}

static const char *
path(const char *rel)
{
	return arena_printf(A, "%s/%s", root, rel);
}

static struct catalog *
cat_text(const char *name, const char *text)
{
	struct ynode *y = yaml_parse(A, name, text, strlen(text));

	return y == NULL ? NULL : catalog_parse(A, y, name);
}

static struct catalog *
cat_file(const char *file)
{
	struct ynode *y = yaml_load(A, file, NULL);

	return y == NULL ? NULL : catalog_parse(A, y, file);
}

static struct vars *
project_vars(const char *project)
{
	struct vars *v = arena_alloc(A, sizeof(*v));
	struct loc l = { "policy.yaml", 3, 20 };

	vars_set(A, v, "livekit_project", project, &l);
	return v;
}

/* An IR with one rule to `to` (a comma list; "*." entries are
 * wildcards), each entry at policy.yaml:10+i:9. */
static struct ir *
ir_to(enum ir_wild mode, const char *to)
{
	struct ir *ir = ir_new(A);
	struct ir_rule *r;
	char *list = arena_strdup(A, to), *s, *save = NULL;
	int line = 10;

	ir->file = "policy.yaml";
	ir->name = "test";
	ir->wildcards = mode;
	r = ir_add_rule(ir);
	r->name = "r1";
	r->loc = (struct loc){ "policy.yaml", 9, 5 };
	for (s = strtok_r(list, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save)) {
		struct loc l = { "policy.yaml", line++, 9 };

		ir_add_name(ir, r, s, s[0] == '*', &l);
	}
	return ir;
}

static size_t
count_names(const struct ir_rule *r, bool wildcard)
{
	size_t i, n = 0;

	for (i = 0; i < r->nnames; i++)
		n += r->names[i].wildcard == wildcard;
	return n;
}

static bool
has_name(const struct ir_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i].name, name) == 0)
			return true;
	return false;
}

static size_t
count_prefixes(const struct aset *s, enum fam f)
{
	struct prefix *p;

	return aset_prefixes(A, s, f, &p);
}

static void
test_shipped(void)
{
	struct catalog *c;
	struct ir *ir;
	struct ir_rule *r;
	struct prefix *p;
	char buf[ADDR_STRLEN];
	size_t n;

	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", "1795737600", 1);	/* 2026-11-27 */
	c = cat_file(path("policies/catalogs/livekit-cloud.yaml"));
	if (!ok(c != NULL, "the shipped catalog parses"))
		return;
	is_int(nmsgs, 0, "... without a diagnostic");
	is_int((int)c->nregions, 43, "43 regions, as on LiveKit's page");
	is_str(c->regions[0].s, "sfo3", "in the page's order: sfo3 first");
	is_str(c->regions[42].s, "ozurich1b", "... ozurich1b last");
	is_int((int)c->nzones, 3, "three zones");
	is_str(c->checked, "2026-11-24", "checked: 2026-11-24");
	is_str(c->source, "https://docs.livekit.io/home/cloud/firewall/",
	    "source: the firewall page");

	ir = ir_to(IR_WILD_EXPAND, "api.heygen.com,*.livekit.cloud");
	is_int(expand_run(ir, &c, 1, project_vars(PROJECT)), 0,
	    "*.livekit.cloud expands");
	r = &ir->rules[0];
	is_int((int)count_names(r, true), 0, "no wildcard left");
	is_int((int)r->nnames, 1 + 1 + 43,
	    "api.heygen.com, the project URL and 43 regional endpoints");
	is_str(r->names[0].name, "api.heygen.com", "plain names stay first");
	is_str(r->names[1].name, PROJECT ".livekit.cloud",
	    "then the project URL, ${livekit_project} substituted");
	is_str(r->names[2].name, PROJECT ".sfo3.production.livekit.cloud",
	    "then the regions in catalog order");
	ok(has_name(r, PROJECT ".omumbai1a.production.livekit.cloud"),
	    "${region} substituted: omumbai1a");
	is_int(r->names[2].loc.line, 11, "expanded hosts carry the "
	    "wildcard's location");
	ok(!r->names[2].wildcard, "... and are plain names");
	is_int((int)r->norigins, 1, "one origin recorded");
	is_str(r->origins[0], "*.livekit.cloud", "origin *.livekit.cloud");
	ok(aset_empty(&r->dst), "no addresses added for *.livekit.cloud");

	ir = ir_to(IR_WILD_EXPAND, "*.turn.livekit.cloud");
	is_int(expand_run(ir, &c, 1, project_vars(PROJECT)), 0,
	    "*.turn.livekit.cloud expands");
	r = &ir->rules[0];
	is_int((int)r->nnames, 1 + 43, "project TURN host + 43 regions");
	ok(has_name(r, PROJECT ".turn.livekit.cloud"), "project TURN host");
	ok(has_name(r, "oashburn1b.turn.livekit.cloud"), "regional TURN host");
	ok(!has_name(r, PROJECT ".livekit.cloud"),
	    "the exact zone wins over *.livekit.cloud");

	ir = ir_to(IR_WILD_EXPAND, "*.host.livekit.cloud");
	is_int(expand_run(ir, &c, 1, project_vars(PROJECT)), 0,
	    "*.host.livekit.cloud expands");
	r = &ir->rules[0];
	is_int((int)r->nnames, 0, "to no names");
	n = aset_prefixes(A, &r->dst, FAM_V4, &p);
	is_int((int)n, 3, "but to LiveKit's three static ranges");
	if (n == 3) {
		is_str(addr_format(buf, FAM_V4, p[0].addr, p[0].len),
		    "143.223.88.0/21", "143.223.88.0/21");
		is_str(addr_format(buf, FAM_V4, p[1].addr, p[1].len),
		    "153.57.128.0/18", "153.57.128.0/18");
		is_str(addr_format(buf, FAM_V4, p[2].addr, p[2].len),
		    "161.115.160.0/19", "161.115.160.0/19");
	}
	is_int((int)count_prefixes(&r->dst, FAM_V6), 0, "no IPv6 range");
	is_str(r->norigins ? r->origins[0] : NULL, "*.host.livekit.cloud",
	    "origin recorded for a cidrs-only zone");
	is_int(nmsgs, 0, "the shipped catalog expands silently");

	/* A wildcard narrower than every zone takes the longest covering
	 * zone's hosts that lie under it. */
	ir = ir_to(IR_WILD_EXPAND, "*.production.livekit.cloud");
	is_int(expand_run(ir, &c, 1, project_vars(PROJECT)), 0,
	    "*.production.livekit.cloud uses *.livekit.cloud");
	r = &ir->rules[0];
	is_int((int)r->nnames, 43, "only the 43 regional endpoints");
	ok(!has_name(r, PROJECT ".livekit.cloud"),
	    "not the project URL, which is not under it");
}

static const char cat_zones[] =
    "egressc-catalog: 1\n"
    "name: test\n"
    "source: https://example.com/list\n"
    "checked: 2026-11-01\n"
    "regions: [r1, r2, r3]\n"
    "zones:\n"
    "  \"*.example.com\":\n"
    "    hosts: [a.example.com, \"${region}.example.com\", A.Example.com,\n"
    "            \"x.${region}.other.example.com\"]\n"
    "  \"*.turn.example.com\":\n"
    "    hosts: [\"${p}.turn.example.com\", \"${p}.turn.example.com\"]\n"
    "  \"*.any.example.com\":\n"
    "    hosts: [h.any.example.com]\n"
    "    unlisted: any\n"
    "  \"*.omit.example.com\":\n"
    "    unlisted: omit\n"
    "  \"*.some.example.com\":\n"
    "    hosts: [s.some.example.com]\n"
    "    cidrs: [\"2001:db8::/32\"]\n"
    "    unlisted: omit\n"
    "  \"*.empty.example.com\":\n"
    "  \"*.err.example.com\":\n"
    "    unlisted: error\n";

static struct vars *
p_vars(const char *p)
{
	struct vars *v = arena_alloc(A, sizeof(*v));

	vars_set(A, v, "p", p, NULL);
	return v;
}

static void
test_zones(void)
{
	struct catalog *c;
	struct ir *ir;
	struct ir_rule *r;

	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", "1795737600", 1);
	c = cat_text("cat.yaml", cat_zones);
	if (!ok(c != NULL, "the test catalog parses"))
		return;

	ir = ir_to(IR_WILD_EXPAND, "*.example.com,r2.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("P")), 0, "*.example.com");
	r = &ir->rules[0];
	is_int((int)r->nnames, 1 + 1 + 2 + 3,
	    "r2 kept, a, r1 and r3 added, 3 under other: duplicates gone");
	is_str(r->names[0].name, "r2.example.com", "the plain name first");
	ok(has_name(r, "x.r3.other.example.com"), "deeper names kept");

	ir = ir_to(IR_WILD_EXPAND, "*.turn.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("Proj")), 0,
	    "*.turn.example.com");
	r = &ir->rules[0];
	is_int((int)r->nnames, 1, "one host from two equal entries");
	is_str(r->nnames ? r->names[0].name : NULL, "proj.turn.example.com",
	    "substituted, then lower-cased");

	ir = ir_to(IR_WILD_EXPAND, "*.other.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), 0,
	    "*.other.example.com takes *.example.com's hosts under it");
	is_int((int)ir->rules[0].nnames, 3, "the three x.R.other hosts");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.any.example.com,b.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), 0, "unlisted: any");
	r = &ir->rules[0];
	ok(aset_fam_full(&r->dst, FAM_V4) && aset_fam_full(&r->dst, FAM_V6),
	    "makes the destination any address");
	ok(have_msg("policy.yaml:10:9: warning: rule r1: zone "
	    "*.any.example.com (catalog test) is unlisted: any: this rule is "
	    "open to every address"), "and warns naming the zone");
	ok(has_name(r, "b.example.com"), "other names stay");
	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.any.example.com");
	expand_run(ir, &c, 1, p_vars("p"));
	is_int(nmsgs, 1, "the warning comes on every run");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "b.example.com,*.omit.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), 0, "unlisted: omit");
	r = &ir->rules[0];
	is_int((int)r->nnames, 1, "drops the wildcard");
	ok(aset_empty(&r->dst), "and adds no address");
	ok(have_msg("policy.yaml:11:9: warning: rule r1: names of zone "
	    "*.omit.example.com that catalog test does not list are left out "
	    "(unlisted: omit); it lists none, so the wildcard is dropped"),
	    "with a warning naming the zone");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.some.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), 0,
	    "unlisted: omit with hosts and cidrs");
	r = &ir->rules[0];
	is_int((int)r->nnames, 1, "keeps the listed host");
	is_int((int)count_prefixes(&r->dst, FAM_V6), 1, "and the v6 range");
	ok(have_msg("policy.yaml:10:9: warning: rule r1: names of zone "
	    "*.some.example.com that catalog test does not list are left out "
	    "(unlisted: omit)"), "and still warns");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.empty.example.com,*.err.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), -1,
	    "a zone with nothing listed is an error");
	ok(have_msg("policy.yaml:10:9: error: rule r1: catalog test lists "
	    "no hosts or cidrs for zone *.empty.example.com"),
	    "naming the rule and the zone (default unlisted)");
	ok(have_msg("cat.yaml:21:3: note: zone *.empty.example.com is here"),
	    "with a note at the zone");
	ok(have_msg("policy.yaml:11:9: error: rule r1: catalog test lists "
	    "no hosts or cidrs for zone *.err.example.com"),
	    "and for unlisted: error");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.nowhere.example.net");
	is_int(expand_run(ir, &c, 1, p_vars("p")), -1,
	    "a zone no catalog lists is an error");
	ok(have_msg("policy.yaml:10:9: error: rule r1: no catalog lists "
	    "zone *.nowhere.example.net"), "naming the zone");
	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.example.com");
	is_int(expand_run(ir, NULL, 0, p_vars("p")), -1,
	    "expand with no catalog at all is an error");

	msgs_reset();
	ir = ir_to(IR_WILD_FORBID, "a.example.com,*.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), -1, "wildcards: forbid");
	ok(have_msg("policy.yaml:11:9: error: rule r1: wildcard "
	    "*.example.com, but the policy says wildcards: forbid"),
	    "errs at the wildcard");

	msgs_reset();
	ir = ir_to(IR_WILD_NATIVE, "a.example.com,*.example.com");
	is_int(expand_run(ir, &c, 1, p_vars("p")), 0, "wildcards: native");
	r = &ir->rules[0];
	is_int((int)r->nnames, 2, "keeps both names");
	ok(r->nnames == 2 && r->names[1].wildcard &&
	    strcmp(r->names[1].name, "*.example.com") == 0,
	    "the wildcard unchanged");
	is_int((int)r->norigins, 0, "no origin: nothing was expanded");
	is_int(nmsgs, 0, "silently");
}

/* Several catalogs: an exact key in a later one beats a broader zone in
 * an earlier one; the same key in two is an error at the second. */
static void
test_two_catalogs(void)
{
	struct catalog *c[2], *d[2];
	struct ir *ir;

	msgs_reset();
	c[0] = cat_text("one.yaml", HEAD "zones:\n"
	    "  \"*.example.com\": {hosts: [a.b.example.com]}\n");
	c[1] = cat_text("two.yaml", HEAD "zones:\n"
	    "  \"*.b.example.com\": {hosts: [c.b.example.com]}\n");
	if (!ok(c[0] != NULL && c[1] != NULL, "two catalogs parse"))
		return;
	ir = ir_to(IR_WILD_EXPAND, "*.b.example.com");
	is_int(expand_run(ir, c, 2, p_vars("p")), 0, "*.b.example.com");
	ok(ir->rules[0].nnames == 1 &&
	    strcmp(ir->rules[0].names[0].name, "c.b.example.com") == 0,
	    "takes the exact zone of the second catalog");
	d[0] = c[0];
	d[1] = cat_text("three.yaml", HEAD "zones:\n"
	    "  \"*.example.com\": {hosts: [x.example.com]}\n");
	ir = ir_to(IR_WILD_EXPAND, "*.b.example.com");
	is_int(expand_run(ir, d, 2, p_vars("p")), -1,
	    "one zone in two catalogs is an error");
	ok(have_msg("three.yaml:6:3: error: zone *.example.com is in two "
	    "catalogs"), "at the second");
	ok(have_msg("one.yaml:6:3: note: also here"), "noting the first");
}

/* Catalog mistakes are reported once per run at the catalog. */
static void
test_subst_errors(void)
{
	struct catalog *c;
	struct ir *ir;

	msgs_reset();
	c = cat_text("sub.yaml",
	    "egressc-catalog: 1\n"
	    "name: sub\n"
	    "source: s\n"
	    "checked: 2026-11-01\n"
	    "regions: [r1, r2]\n"
	    "zones:\n"
	    "  \"*.example.com\":\n"
	    "    hosts: [\"${nope}.${region}.example.com\"]\n"
	    "  \"*.example.org\":\n"
	    "    hosts: [\"${p}.example.org\"]\n");
	if (!ok(c != NULL, "a catalog with ${vars} parses"))
		return;
	ir = ir_to(IR_WILD_EXPAND, "*.example.com");
	ir_add_rule(ir)->name = "r2";
	ir_add_name(ir, &ir->rules[1], "*.example.com", true,
	    &(struct loc){ "policy.yaml", 20, 9 });
	is_int(expand_run(ir, &c, 1, p_vars("p")), -1,
	    "an unknown ${var} is an error");
	is_int(diag_errors(), 1, "once, though two rules and two regions "
	    "use it");
	ok(have_msg("sub.yaml:8:13: error:"), "at the catalog host");
	ok(have_msg("policy.yaml:10:9: note: while expanding *.example.com "
	    "for rule r1"), "with a note at the wildcard that needed it");

	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.example.org");
	is_int(expand_run(ir, &c, 1, p_vars("evil.example.com.")), -1,
	    "a var that makes an invalid host is an error");
	ok(have_msg("sub.yaml:10:13: error: host "
	    "\"evil.example.com..example.org\" (from ${p}.example.org): "
	    "empty label"), "at the host, saying why");
	msgs_reset();
	ir = ir_to(IR_WILD_EXPAND, "*.example.org");
	is_int(expand_run(ir, &c, 1, p_vars("x.example.com#")), -1,
	    "a var with a bad character is an error");
}

struct bad {
	const char	*text;
	const char	*want;		/* a captured line starts with it */
};

static const struct bad bads[] = {
	{ HEAD "zones:\n  \"*.a.example\":\n    hostz: [x.a.example]\n",
	  "bad.yaml:7:5: error:" },
	{ HEAD "colour: red\nzones: {\"*.a.example\": {hosts: [b.a.example]}}\n",
	  "bad.yaml:5:1: error:" },
	{ HEAD "zones:\n  \"a.example\":\n    hosts: [x.a.example]\n",
	  "bad.yaml:6:3: error: zone \"a.example\": a wildcard must start "
	  "with \"*.\"" },
	{ HEAD "zones:\n  \"*.example\":\n    hosts: [x.example]\n",
	  "bad.yaml:6:3: error: zone \"*.example\": a single label, not a "
	  "domain name" },
	{ HEAD "zones:\n  \"*.a.example\":\n    hosts: [x.b.example]\n",
	  "bad.yaml:7:13: error: host x.b.example is not under zone "
	  "*.a.example" },
	{ HEAD "zones:\n  \"*.a.example\":\n    hosts: [a.example]\n",
	  "bad.yaml:7:13: error: host a.example is not under zone "
	  "*.a.example" },
	{ HEAD "zones:\n  \"*.a.example\":\n    hosts: [x_y.a.example]\n",
	  "bad.yaml:7:13: error: host \"x_y.a.example\": characters other "
	  "than a-z, 0-9, '-' and '.'" },
	{ HEAD "zones:\n  \"*.a.example\":\n    hosts: [\"${region}.a.example\"]\n",
	  "bad.yaml:7:13: error: host ${region}.a.example uses ${region} "
	  "but the catalog lists no regions:" },
	{ HEAD "zones:\n  \"*.a.example\":\n    cidrs: [10.0.0.0/33]\n",
	  "bad.yaml:7:13: error: \"10.0.0.0/33\" is not an address or CIDR" },
	{ HEAD "zones:\n  \"*.a.example\":\n    unlisted: maybe\n",
	  "bad.yaml:7:15: error: unlisted: \"maybe\" is not error, any or "
	  "omit" },
	{ HEAD "regions: [r1, R2]\nzones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:5:15: error: region \"R2\": a region code is lower-case "
	  "letters and digits" },
	{ HEAD "regions: [r1, r2, r1]\nzones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:5:19: error: region r1 listed twice" },
	{ HEAD "regions: [r1, r2, r1]\nzones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:5:11: note: first listed here" },
	{ "egressc-catalog: 1\nname: t\nsource: s\nchecked: 2026-02-30\n"
	  "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:4:10: error: checked: \"2026-02-30\" is not a date "
	  "YYYY-MM-DD" },
	{ "egressc-catalog: 1\nname: t\nsource: s\nchecked: 26-11-01\n"
	  "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:4:10: error: checked: \"26-11-01\" is not a date "
	  "YYYY-MM-DD" },
	{ "egressc-catalog: 1\nname: t\nsource: s\n"
	  "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:1:1: error: catalog: missing checked: (the date someone "
	  "last compared it with its source, YYYY-MM-DD)" },
	{ "egressc-catalog: 1\nname: t\nchecked: 2026-11-01\n"
	  "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:1:1: error: catalog: missing source:" },
	{ "egressc-catalog: 2\nname: t\nsource: s\nchecked: 2026-11-01\n"
	  "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n",
	  "bad.yaml:1:18: error: egressc-catalog: 2: this egressc reads "
	  "catalog format 1" },
	{ HEAD "zones: {}\n", "bad.yaml:5:8: error: catalog lists no zones" },
	{ HEAD "zones: [\"*.a.example\"]\n", "bad.yaml:5:8: error:" },
	{ HEAD "zones:\n  \"*.a.example\": [x.a.example]\n",
	  "bad.yaml:6:18: error:" },
};

static void
test_parse_errors(void)
{
	size_t i;

	setenv("SOURCE_DATE_EPOCH", "1795737600", 1);
	msgs_reset();
	ok(cat_text("ok.yaml", HEAD "description: free text\nzones:\n"
	    "  \"*.a.example\": {cidrs: [10.0.0.0/8], comment: why}\n") !=
	    NULL && nmsgs == 0, "description: and a zone's comment: are "
	    "allowed (as in grammar/catalog.schema.json)");
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		msgs_reset();
		ok(cat_text("bad.yaml", bads[i].text) == NULL &&
		    have_msg(bads[i].want), "bad catalog %zu: %s", i,
		    bads[i].want);
	}
}

static void
test_stale(void)
{
	static const char text[] = HEAD
	    "zones: {\"*.a.example\": {cidrs: [10.0.0.0/8]}}\n";

	/* checked 2026-11-01 = day 20393; 180 days later is 2027-04-30. */
	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", "1798761600", 1);	/* 2027-01-01 */
	ok(cat_text("old.yaml", text) != NULL && nmsgs == 0,
	    "a checked: date in the past half-year: no warning");
	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", arena_printf(A, "%ld",
	    (20758L + 180) * 86400 + 86399), 1);
	ok(cat_text("old.yaml", text) != NULL && nmsgs == 0,
	    "exactly 180 days: no warning");
	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", arena_printf(A, "%ld",
	    (20758L + 181) * 86400), 1);
	ok(cat_text("old.yaml", text) != NULL, "181 days: still parses");
	ok(have_msg("old.yaml:4:10: warning: catalog t was last checked "
	    "against its source 181 days ago (2026-11-01, more than 180): "
	    "compare it with s and update checked:"),
	    "181 days: a warning at checked:");
	is_int(diag_errors(), 0, "a warning, not an error");
	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", "garbage", 1);
	ok(cat_text("old.yaml", text) == NULL,
	    "an invalid SOURCE_DATE_EPOCH fails, not the clock instead");
	ok(have_msg("egressc: error: SOURCE_DATE_EPOCH 'garbage' is not a "
	    "time"), "...saying so");
	setenv("SOURCE_DATE_EPOCH", "1795737600", 1);
}

/* 20000 regions: duplicates are removed by hashing, not by scanning. */
static void
test_many_regions(void)
{
	struct out o;
	struct catalog *c;
	struct ir *ir;
	int i;

	out_init(&o);
	out_puts(&o, HEAD "regions:\n");
	for (i = 0; i < 20000; i++)
		out_printf(&o, "  - r%d\n", i);
	out_puts(&o, "zones:\n  \"*.a.example\":\n    hosts:\n"
	    "      - \"${region}.a.example\"\n"
	    "      - \"x.${region}.a.example\"\n"
	    "      - \"${region}.a.example\"\n");
	msgs_reset();
	c = cat_text("many.yaml", out_str(&o));
	ok(c != NULL && c->nregions == 20000, "a catalog of 20000 regions");
	ir = ir_to(IR_WILD_EXPAND, "r7.a.example,*.a.example");
	if (c != NULL)
		is_int(expand_run(ir, &c, 1, p_vars("p")), 0, "expands");
	is_int((int)ir->rules[0].nnames, 40000,
	    "to 40000 distinct names (r7.a.example once)");
	out_free(&o);
}

static char *
slurp(const char *file)
{
	size_t len;

	return read_file(file, 1 << 20, &len, NULL);
}

static void
test_livekit(void)
{
	struct out o;
	char *want, *tmp;
	struct catalog *c;
	struct ir *ir;

	out_init(&o);
	msgs_reset();
	setenv("SOURCE_DATE_EPOCH", "1795737600", 1);
	is_int(catalog_livekit(A, PROJECT, path("tests/catalog/regions.json"),
	    NULL, &o), 0, "catalog livekit from the fixture JSON");
	want = slurp(path("tests/catalog/livekit-expected.yaml"));
	if (!ok(want != NULL && strcmp(out_str(&o), want) == 0,
	    "output byte for byte as tests/catalog/livekit-expected.yaml"))
		diag("got:\n%s", out_str(&o));
	free(want);

	/* What it writes is a catalog that expands like the shipped one. */
	tmp = arena_printf(A, "/tmp/egressc-expand-%d.yaml", (int)getpid());
	atomic_write(tmp, o.buf, o.len, 0644);
	c = cat_file(tmp);
	unlink(tmp);
	if (ok(c != NULL, "the written catalog parses")) {
		is_int((int)c->nregions, 5, "five regions: duplicates gone");
		ir = ir_to(IR_WILD_EXPAND, "*.livekit.cloud,*.turn.livekit.cloud");
		is_int(expand_run(ir, &c, 1, project_vars("ignored")), 0,
		    "and expands");
		is_int((int)ir->rules[0].nnames, 2 * (1 + 5),
		    "to 12 hosts");
		ok(has_name(&ir->rules[0],
		    PROJECT ".oashburn1b.production.livekit.cloud"),
		    "the project written literally");
	}
	is_int(nmsgs, 0, "no diagnostics");
	out_free(&o);
}

struct lkbad {
	const char	*json;
	const char	*want;
};

static const struct lkbad lkbads[] = {
	{ "{\"regions\": [{\"region\": \"omumbai1a\",\n"
	  "  \"url\": \"https://" PROJECT ".omumbai1a.production.livekit.cloud\"",
	  "bad.json:" },				/* truncated */
	{ "[1, 2]", "bad.json:1:1: error:" },
	{ "{\"regionz\": []}", "bad.json:1:1: error: no \"regions\": expected "
	  "the JSON of GET https://" PROJECT ".livekit.cloud/settings/regions" },
	{ "{\"regions\": {}}", "bad.json:1:13: error:" },
	{ "{\"regions\": []}", "bad.json:1:13: error: the region list is "
	  "empty" },
	{ "{\"regions\": [\n {\"url\": \"https://x.livekit.cloud\"}]}",
	  "bad.json:2:2: error: region object without \"region\"" },
	{ "{\"regions\": [\n {\"region\": \"oMumbai1a\", \"url\": "
	  "\"https://" PROJECT ".omumbai1a.production.livekit.cloud\"}]}",
	  "bad.json:2:13: error: region \"oMumbai1a\": a region code is "
	  "lower-case letters and digits" },
	{ "{\"regions\": [\n {\"region\": \"a.b\", \"url\": "
	  "\"https://" PROJECT ".a.b.production.livekit.cloud\"}]}",
	  "bad.json:2:13: error: region \"a.b\": a region code is lower-case "
	  "letters and digits" },
	{ "{\"regions\": [\n {\"region\": \"omumbai1a\"}]}",
	  "bad.json:2:2: error: region omumbai1a has no \"url\"" },
	{ "{\"regions\": [\n {\"region\": \"omumbai1a\",\n  \"url\": "
	  "\"http://" PROJECT ".omumbai1a.production.livekit.cloud\"}]}",
	  "bad.json:3:10: error: url \"http://" PROJECT ".omumbai1a."
	  "production.livekit.cloud\" is not https://HOST" },
	{ "{\"regions\": [\n {\"region\": \"omumbai1a\",\n  \"url\": "
	  "\"https://evil.example.com\"}]}",
	  "bad.json:3:10: error: url host evil.example.com is not " PROJECT
	  ".omumbai1a.production.livekit.cloud" },
	{ "{\"regions\": [\n {\"region\": \"omumbai1a\",\n  \"url\": "
	  "\"https://" PROJECT ".omumbai1a.production.livekit.cloud.evil.com\"}]}",
	  "bad.json:3:10: error: url host " PROJECT ".omumbai1a.production."
	  "livekit.cloud.evil.com is not" },
	{ "{\"regions\": [\n {\"region\": \"omumbai1a\",\n  \"url\": "
	  "\"https://bad_host.livekit.cloud\"}]}",
	  "bad.json:3:10: error: url host \"bad_host.livekit.cloud\": "
	  "characters other than a-z, 0-9, '-' and '.'" },
	{ "{\"regions\": [\n {\"region\": [\"x\"], \"url\": \"https://a.b\"}]}",
	  "bad.json:2:13: error:" },
};

static void
test_livekit_errors(void)
{
	struct out o;
	size_t i;
	char *file = arena_printf(A, "/tmp/egressc-lk-%d", (int)getpid());
	char *bad = arena_printf(A, "%s/bad.json", file);

	mkdir(file, 0700);
	out_init(&o);
	for (i = 0; i < sizeof(lkbads) / sizeof(lkbads[0]); i++) {
		const char *want = arena_printf(A, "%s/%s", file, lkbads[i].want);

		msgs_reset();
		atomic_write(bad, lkbads[i].json, strlen(lkbads[i].json), 0644);
		out_puts(&o, "stale");
		ok(catalog_livekit(A, PROJECT, bad, NULL, &o) == -1 &&
		    have_msg(want), "bad region list %zu: %s", i,
		    lkbads[i].want);
		is_int((int)o.len, 0, "... and no output");
	}
	msgs_reset();
	ok(catalog_livekit(A, PROJECT, arena_printf(A, "%s/missing.json",
	    file), NULL, &o) == -1 && nmsgs == 1,
	    "a missing file is one error");
	msgs_reset();
	ok(catalog_livekit(A, "Bad.Project", path("tests/catalog/regions.json"),
	    NULL, &o) == -1 && have_msg("egressc: error: --project "
	    "Bad.Project: not a LiveKit project name"),
	    "a bad --project is an error");
	unlink(bad);
	rmdir(file);
	out_free(&o);
}

int
main(void)
{
	char *slash;

	plan_lazy();
	/* __FILE__ is tests/unit/expand.c, relative to the repository or
	 * absolute; the tests read the repository's files. */
	snprintf(root, sizeof(root), "%s", __FILE__);
	if ((slash = strstr(root, "tests/unit/expand.c")) != NULL &&
	    slash > root)
		slash[-1] = '\0';
	else
		snprintf(root, sizeof(root), ".");
	A = arena_new();
	diag_capture(capture, NULL);
	test_shipped();
	test_zones();
	test_subst_errors();
	test_two_catalogs();
	test_parse_errors();
	test_stale();
	test_many_regions();
	test_livekit();
	test_livekit_errors();
	diag_capture(NULL, NULL);
	diag_reset();
	hostname_cleanup();
	arena_free(A);
	return done_testing();
}
