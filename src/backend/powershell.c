/*
 * powershell.c - Windows Defender Firewall back end: NAME.ps1, a
 * PowerShell script of NetSecurity cmdlets.
 *
 * Like netsh.c it writes rules lowered by lower_unordered() (Windows has
 * no rule order; a block rule beats every allow rule), through the rule
 * split of windows.c.  Unlike netsh it can keep host names and wildcards
 * in allow rules: each becomes an AutoResolve dynamic keyword address,
 * which holds what Defender's Network Protection saw this client resolve
 * (the script stops first unless that can happen), with an Id derived
 * from the policy name and the keyword (a name-based UUID, RFC 4122
 * version 5) so a re-run replaces it instead of adding one.  All rules
 * share one group, which the script deletes first.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/windows.h"

#define PS_GROUP_MAX	48

/* ---- SHA-1 (FIPS 180-4), only for the keyword Ids ---- */

struct ps_sha1 {
	uint32_t	h[5];
	uint64_t	len;		/* bytes */
	unsigned char	buf[64];
};

static uint32_t
ps_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
ps_sha1_block(struct ps_sha1 *c, const unsigned char *p)
{
	uint32_t w[80], a, b, d, e, f, k, t, cc;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ps_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (b & cc) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ cc ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & cc) | (b & d) | (cc & d), k = 0x8f1bbcdc;
		else
			f = b ^ cc ^ d, k = 0xca62c1d6;
		t = ps_rol(a, 5) + f + e + k + w[i];
		e = d, d = cc, cc = ps_rol(b, 30), b = a, a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void
ps_sha1_update(struct ps_sha1 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n-- > 0) {
		c->buf[c->len++ % 64] = *p++;
		if (c->len % 64 == 0)
			ps_sha1_block(c, c->buf);
	}
}

static void
ps_sha1(const void *data, size_t n, const void *data2, size_t n2,
    unsigned char md[20])
{
	struct ps_sha1 c = {
		{ 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 },
		0, { 0 }
	};
	uint64_t bits;
	unsigned char pad = 0x80, z = 0, lenb[8];
	int i;

	ps_sha1_update(&c, data, n);
	ps_sha1_update(&c, data2, n2);
	bits = c.len * 8;
	ps_sha1_update(&c, &pad, 1);
	while (c.len % 64 != 56)
		ps_sha1_update(&c, &z, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = bits >> (56 - 8 * i);
	ps_sha1_update(&c, lenb, 8);
	for (i = 0; i < 20; i++)
		md[i] = c.h[i / 4] >> (24 - 8 * (i % 4));
}

/*
 * UUID v5 in the URL namespace (RFC 4122 appendix C) of
 * "egressc:POLICY:KEYWORD"; Python's uuid.uuid5(uuid.NAMESPACE_URL, ...)
 * gives the same.
 */
static const char *
ps_keyword_id(struct arena *a, const char *policy, const char *keyword)
{
	static const unsigned char ns_url[16] = {
		0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
		0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
	};
	const char *name = arena_printf(a, "egressc:%s:%s", policy, keyword);
	unsigned char md[20];
	char *s, *p;
	int i;

	ps_sha1(ns_url, sizeof(ns_url), name, strlen(name), md);
	md[6] = (md[6] & 0x0f) | 0x50;		/* version 5 */
	md[8] = (md[8] & 0x3f) | 0x80;		/* RFC 4122 variant */
	s = p = arena_alloc(a, 40);
	*p++ = '{';
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", md[i]);
	}
	*p++ = '}';
	return s;
}

/* ---- the script ---- */

/*
 * A single-quoted PowerShell string.  ' is doubled; PowerShell also takes
 * U+2018..U+201B as quotes, so no non-ASCII byte (nor a control
 * character) is written at all.  Callers pass be_text() output or a
 * validated host name, so this is a second fence, not the first.
 */
/* s quoted, straight into o. */
static void
ps_put_quoted(struct out *o, const char *s)
{
	const char *run;

	out_putc(o, '\'');
	while (*s != '\0') {
		unsigned char c;

		/* The bytes that go as they are, as one write. */
		for (run = s; (c = (unsigned char)*s) >= 0x20 && c < 0x7f &&
		    c != '\''; s++)
			;
		if (s > run)
			out_write(o, run, (size_t)(s - run));
		if (c == '\0')
			break;
		out_puts(o, c == '\'' ? "''" : "_");
		s++;
	}
	out_putc(o, '\'');
}

static const char *
ps_quote(struct arena *a, const char *s)
{
	struct out o;
	const char *r;

	out_init(&o);
	ps_put_quoted(&o, s);
	r = arena_strdup(a, out_str(&o));
	out_free(&o);
	return r;
}

/* Every address of a rule goes through here: quoted in place, not
 * through a copy of its own. */
static void
ps_list(struct out *o, const char *param, const struct win_list *l)
{
	size_t i;

	if (l->n == 0)
		return;
	out_printf(o, " -%s @(", param);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			out_putc(o, ',');
		ps_put_quoted(o, l->v[i]);
	}
	out_putc(o, ')');
}

struct ps {
	const struct be_opts	*opts;
	const struct ir		*ir;
	const char		*group, *qgroup;	/* qgroup: quoted */
	struct be_opts		 rule;	/* its arena: one rule's, reset */
	struct out		 kw, *rules;
	struct ps_kw {
		const char	*name, *id;
	}			*kws;		/* keywords declared so far */
	size_t			 nkws, capkws;
};

/* The Id of a name's keyword, declared on first use. */
static const char *
ps_keyword(struct ps *ps, const char *name)
{
	struct arena *a = ps->opts->arena;
	const char *id;
	size_t i;

	/* Each name is asked for twice (declared before the rules, then by
	 * its rules): its Id, a SHA-1, is made once. */
	for (i = 0; i < ps->nkws; i++)
		if (strcmp(ps->kws[i].name, name) == 0)
			return ps->kws[i].id;
	id = ps_keyword_id(a, ps->ir->name, name);
	ARENA_PUSH(a, ps->kws, ps->nkws, ps->capkws);
	ps->kws[ps->nkws - 1] = (struct ps_kw){ name, id };
	out_printf(&ps->kw, "Remove-NetFirewallDynamicKeywordAddress -Id %s "
	    "-ErrorAction SilentlyContinue\n", ps_quote(a, id));
	out_printf(&ps->kw, "New-NetFirewallDynamicKeywordAddress -Id %s "
	    "-Keyword %s -AutoResolve $true | Out-Null\n", ps_quote(a, id),
	    ps_quote(a, name));
	return id;
}

static void
ps_rule(struct ps *ps, const struct ir_rule *r)
{
	struct arena *a = ps->rule.arena;
	const char *dname, *text = be_rule_comment(&ps->rule, r), *desc;
	struct win_list ids = { 0 };
	struct win_rule *w;
	bool in = r->dir == IR_INBOUND;
	size_t n, i, k;
	int part;

	/* The group is cut already; the rule's name (an identifier)
	 * survives whole. */
	dname = arena_printf(a, "%s-%s", ps->group, r->name);
	dname = ps_quote(a, dname);
	desc = ps_quote(a, text);
	for (k = 0; k < r->nnames; k++) {
		ARENA_PUSH(a, ids.v, ids.n, ids.cap);
		ids.v[ids.n - 1] = ps_keyword(ps, r->names[k].name);
	}
	out_printf(ps->rules, "# %s\n", text);
	/* Addresses and keywords are separate rules: on one rule Windows
	 * would require both to match. */
	for (part = 0; part < 2; part++) {
		n = win_rules(a, r, part == 1, &w);
		for (i = 0; i < n; i++) {
			struct out *o = ps->rules;

			out_printf(o, "New-NetFirewallRule -DisplayName %s "
			    "-Group %s -Direction %s -Action %s",
			    dname, ps->qgroup, in ? "Inbound" : "Outbound",
			    r->action == IR_ALLOW ? "Allow" : "Block");
			out_printf(o, " -Protocol %s",
			    w[i].proto ? w[i].proto : "Any");
			ps_list(o, "IcmpType", &w[i].types);
			ps_list(o, "LocalAddress", &w[i].local);
			if (part == 1)
				ps_list(o, "RemoteDynamicKeywordAddresses",
				    &ids);
			else
				ps_list(o, "RemoteAddress", &w[i].remote);
			ps_list(o, in ? "LocalPort" : "RemotePort",
			    &w[i].ports);
			out_printf(o, " -Description %s | Out-Null\n", desc);
		}
	}
}

static int
ps_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	struct ps ps;
	struct out hdr, pre, rest;
	const char *def = "";
	size_t i, k;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.opts = opts;
	ps.ir = ir;
	ps.group = be_text(opts, be_option(opts, ir, "group",
	    arena_printf(opts->arena, "egressc-%s", ir->name)), PS_GROUP_MAX);
	ps.qgroup = ps_quote(opts->arena, ps.group);
	out_init(&hdr);
	out_init(&ps.kw);
	be_header(opts, ir, "# ", &hdr);
	/* The keywords first, in the order the rules name them: they are
	 * declared before the rules. */
	for (i = 0; i < ir->nrules; i++)
		for (k = 0; k < ir->rules[i].nnames; k++)
			ps_keyword(&ps, ir->rules[i].names[k].name);
	if (ir->def == IR_DEF_DENY)
		def = "Set-NetFirewallProfile -All -DefaultInboundAction Block "
		    "-DefaultOutboundAction Block\n";
	else if (ir->def == IR_DEF_ACCEPT)
		def = "Set-NetFirewallProfile -All -DefaultInboundAction Block "
		    "-DefaultOutboundAction Allow\n";
	else
		def = "# (the profiles' default actions are left as they are)\n";
	if (ps.kw.len > 0) {
		struct out kw;

		out_init(&kw);
		out_puts(&kw, "\n# Host names and wildcards as dynamic "
		    "keywords, filled by what this client resolves.\n");
		out_puts(&kw, out_str(&ps.kw));
		out_free(&ps.kw);
		ps.kw = kw;
	}
	/* Keywords stop the script before it changes anything unless the
	 * client can fill them (templates/powershell-keywords.tmpl). */
	out_init(&pre);
	rc = ps.nkws > 0 ? be_template(opts, "powershell-keywords",
	    (const char *const[]){ NULL }, &pre) : 0;
	if (rc == 0) {
		const char *vars[] = {
			"HEADER", out_str(&hdr),
			"PREREQ", out_str(&pre),
			"GROUP", ps.qgroup,
			"KEYWORDS", out_str(&ps.kw),
			"DEFAULT", def,
			"DEFAULT_NAME", ir_default_name[ir->def],
			NULL,
		};

		rc = be_template_split(opts, "powershell", vars, "RULES",
		    &outs[0], &rest);
	}
	out_free(&hdr);
	out_free(&pre);
	out_free(&ps.kw);
	if (rc < 0)
		return -1;
	/* The rules straight into the file's text, which may spill as it
	 * grows (out_spill). */
	ps.rules = &outs[0];
	ps.rule.be = opts->be;
	ps.rule.arena = arena_new();
	for (i = 0; i < ir->nrules; i++) {
		ps_rule(&ps, &ir->rules[i]);
		arena_reset(ps.rule.arena);
	}
	arena_free(ps.rule.arena);
	be_template_end(&outs[0], &rest);
	return 0;
}

static const char *const ps_suffixes[] = { ".ps1", NULL };
static const struct be_option ps_options[] = {
	{ .key = "group", .kind = BE_OPT_TEXT },
	{ .key = NULL }
};

const struct backend be_powershell = {
	.name = "powershell",
	.caps = BE_SETS | BE_ADDR_RANGES | BE_MIXED_FAM | BE_FQDN |
	    BE_WILDCARD | BE_NAMES_LEARNT,
	.comment_max = 200,
	/* be_text replaces quotes already; a backtick is PowerShell's
	 * escape character outside '...', so it goes too. */
	.comment_bad = "`",
	.suffixes = ps_suffixes,
	.options = ps_options,
	.emit = ps_emit,
};
