/*
 * netsh.c - Windows Defender Firewall back end: NAME.netsh.cmd, a cmd.exe
 * script of `netsh advfirewall` commands.
 *
 * Windows has no rule order (a block rule beats every allow rule), so
 * lower.c has already run lower_unordered() on the IR: each rule here says
 * what it decides under that model, and order is only for the reader.
 * What to write per rule comes from windows.c, shared with powershell.c.
 */
#include <string.h>

#include "backend/backend.h"
#include "util/strset.h"
#include "backend/windows.h"

/*
 * cmd.exe reads a script line by line, up to 8191 characters; long
 * address lists go on several commands with the same name.
 */
#define NETSH_LIST_BUDGET	6000
#define NETSH_PREFIX_MAX	48

/*
 * "PREFIX-RULE": the prefix is the user's free text, made safe and cut so
 * that the rule's own name (an identifier) always survives whole.
 */
static const char *
netsh_name(const struct be_opts *opts, const char *prefix,
    const struct ir_rule *r)
{
	return arena_printf(opts->arena, "%s-%s",
	    be_text(opts, prefix, NETSH_PREFIX_MAX), r->name);
}

static void
netsh_list(struct out *o, const char *key, const struct win_list *l,
    size_t from, size_t to)
{
	size_t i;

	if (l->n == 0)
		return;
	out_printf(o, " %s=", key);
	for (i = from; i < to; i++)
		out_printf(o, "%s%s", i > from ? "," : "", l->v[i]);
}

static void
netsh_add(struct out *o, const char *name, const struct ir_rule *r,
    const struct win_rule *w, const char *type, size_t from, size_t to,
    const char *desc)
{
	bool in = r->dir == IR_INBOUND;

	out_printf(o, "netsh advfirewall firewall add rule name=\"%s\" "
	    "dir=%s action=%s", name, in ? "in" : "out",
	    r->action == IR_ALLOW ? "allow" : "block");
	if (w->proto == NULL)
		out_puts(o, " protocol=any");
	else if (type != NULL && strchr(type, ':') != NULL)
		/* protocol=icmpv4:TYPE,CODE */
		out_printf(o, " protocol=%s:%.*s,%s", w->proto,
		    (int)(strchr(type, ':') - type), type,
		    strchr(type, ':') + 1);
	else if (type != NULL)
		out_printf(o, " protocol=%s:%s,any", w->proto, type);
	else
		out_printf(o, " protocol=%s", w->proto);
	netsh_list(o, "localip", &w->local, 0, w->local.n);
	if (w->remote.n > 0)
		netsh_list(o, "remoteip", &w->remote, from, to);
	netsh_list(o, in ? "localport" : "remoteport", &w->ports, 0,
	    w->ports.n);
	out_printf(o, " enable=yes profile=any description=\"%s\"\n", desc);
}

/* One add command per Windows rule, ICMP message and address chunk. */
static void
netsh_rule(const struct be_opts *opts, struct out *o, const char *name,
    const struct ir_rule *r)
{
	const char *desc = be_rule_comment(opts, r);
	struct win_rule *w;
	size_t n, i, t, from, to, len;

	n = win_rules(opts->arena, r, false, &w);
	for (i = 0; i < n; i++) {
		from = 0;
		do {
			len = 0;
			for (to = from; to < w[i].remote.n; to++) {
				len += strlen(w[i].remote.v[to]) + 1;
				if (len > NETSH_LIST_BUDGET && to > from)
					break;
			}
			if (w[i].types.n == 0)
				netsh_add(o, name, r, &w[i], NULL, from, to,
				    desc);
			for (t = 0; t < w[i].types.n; t++)
				netsh_add(o, name, r, &w[i], w[i].types.v[t],
				    from, to, desc);
			from = to;
		} while (from < w[i].remote.n);
	}
}

static int
netsh_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	const char *prefix = be_option(opts, ir, "prefix",
	    arena_printf(opts->arena, "egressc-%s", ir->name));
	struct out hdr, del, rules;
	struct strset deleted = { 0 };
	const char *def = "", **names;
	size_t i;
	int rc;

	out_init(&hdr);
	out_init(&del);
	out_init(&rules);
	be_header(opts, ir, "REM ", &hdr);
	names = arena_alloc(opts->arena, (ir->nrules + 1) * sizeof(*names));
	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		names[i] = netsh_name(opts, prefix, r);
		out_printf(&rules, "REM %s\n", be_rule_comment(opts, r));
		netsh_rule(opts, &rules, names[i], r);
		/* Rule names can repeat once made safe; delete each once. */
		if (strset_add(opts->arena, &deleted, names[i]))
			out_printf(&del, "netsh advfirewall firewall delete "
			    "rule name=\"%s\" >nul 2>&1\n", names[i]);
	}
	if (ir->def == IR_DEF_DENY)
		def = "netsh advfirewall set allprofiles firewallpolicy "
		    "blockinbound,blockoutbound\n";
	else if (ir->def == IR_DEF_ACCEPT)
		def = "netsh advfirewall set allprofiles firewallpolicy "
		    "blockinbound,allowoutbound\n";
	else
		def = "REM (the profiles' default actions are left as they are)\n";
	{
		const char *vars[] = {
			"HEADER", out_str(&hdr),
			"DELETE", out_str(&del),
			"DEFAULT", def,
			"DEFAULT_NAME", ir_default_name[ir->def],
			NULL,
		};

		rc = be_template_take(opts, "netsh", vars, "RULES", &rules,
		    &outs[0]);
	}
	out_free(&hdr);
	out_free(&del);
	out_free(&rules);
	return rc;
}

static const char *const netsh_suffixes[] = { ".netsh.cmd", NULL };
static const struct be_option netsh_options[] = {
	{ .key = "prefix", .kind = BE_OPT_TEXT },
	{ .key = NULL }
};

const struct backend be_netsh = {
	.name = "netsh",
	.caps = BE_SETS | BE_ADDR_RANGES | BE_MIXED_FAM,
	.comment_max = 200,
	/* cmd.exe would act on these even inside "..." (%, !) or after a
	 * quote it could not see (the rest). */
	.comment_bad = "&|<>^%\"!",
	.suffixes = netsh_suffixes,
	.options = netsh_options,
	.emit = netsh_emit,
};
