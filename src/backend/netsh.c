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
#include <strings.h>

#include "backend/backend.h"
#include "util/strset.h"
#include "backend/windows.h"

/*
 * cmd.exe takes a command line of at most 8191 characters (Microsoft
 * Learn: Command prompt (Cmd.exe) command-line string limitation).  Every
 * list (localip, remoteip, remoteport) goes on several commands with the
 * same name when it is long, a chunk of each per command: Windows ORs
 * within a list and ANDs the lists of a rule, so the commands together
 * match what the one would.  Three chunks of 2400, the for /L of netsh_loops
 * and the rest of a command (name, description of 200) stay under 8191.
 */
#define NETSH_LIST_BUDGET	2400
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
	for (i = from; i < to; i++) {
		if (i > from)
			out_putc(o, ',');
		out_puts(o, l->v[i]);
	}
}

/* Which items of each list one command takes: [from, to). */
struct netsh_cut {
	size_t	lfrom, lto, rfrom, rto, pfrom, pto;
};

static void
netsh_add(struct out *o, const char *name, const struct ir_rule *r,
    const struct win_rule *w, const char *type, const struct netsh_cut *c,
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
	netsh_list(o, "localip", &w->local, c->lfrom, c->lto);
	netsh_list(o, "remoteip", &w->remote, c->rfrom, c->rto);
	netsh_list(o, in ? "localport" : "remoteport", &w->ports, c->pfrom,
	    c->pto);
	out_printf(o, " enable=yes profile=any description=\"%s\"\n", desc);
}

/* The end of the chunk of l that starts at from. */
static size_t
netsh_chunk(const struct win_list *l, size_t from)
{
	size_t to, len = 0;

	for (to = from; to < l->n; to++) {
		len += strlen(l->v[to]) + 1;
		if (len > NETSH_LIST_BUDGET && to > from)
			break;
	}
	return to;
}

static void	netsh_loops(struct out *, const char *);

/*
 * One add command per Windows rule, ICMP message and chunk of each list,
 * into o.  A rule with ICMP messages is made in one first, for netsh_loops
 * to fold its runs of them; the others, nearly all, go to o as they are
 * (folded, their text came out the same, one more pass and copy of it).
 */
static void
netsh_rule(const struct be_opts *opts, struct out *o, struct out *one,
    const char *name, const struct ir_rule *r, const char *desc)
{
	struct win_rule *w;
	struct netsh_cut c;
	struct out *dst = o;
	size_t n, i, t;

	n = win_rules(opts->arena, r, false, &w);
	for (i = 0; i < n && dst == o; i++)
		if (w[i].types.n > 0) {
			out_reset(one);
			dst = one;
		}
	for (i = 0; i < n; i++) {
		c.lfrom = 0;
		do {
			c.lto = netsh_chunk(&w[i].local, c.lfrom);
			c.rfrom = 0;
			do {
				c.rto = netsh_chunk(&w[i].remote, c.rfrom);
				c.pfrom = 0;
				do {
					c.pto = netsh_chunk(&w[i].ports,
					    c.pfrom);
					if (w[i].types.n == 0)
						netsh_add(dst, name, r, &w[i],
						    NULL, &c, desc);
					for (t = 0; t < w[i].types.n; t++)
						netsh_add(dst, name, r, &w[i],
						    w[i].types.v[t], &c, desc);
				} while ((c.pfrom = c.pto) < w[i].ports.n);
			} while ((c.rfrom = c.rto) < w[i].remote.n);
		} while ((c.lfrom = c.lto) < w[i].local.n);
	}
	if (dst == one)
		netsh_loops(o, out_str(one));
}

/*
 * A line's ICMP type: where "protocol=icmpvN:" ends, the number and its
 * length; 0 when the line has no such type.
 */
static size_t
netsh_type_at(const char *line, size_t len, size_t *at, unsigned *type)
{
	const char *p = strstr(line, " protocol=");
	size_t i, n;

	if (p == NULL || (size_t)(p - line) >= len)
		return 0;
	i = (size_t)(p - line) + strlen(" protocol=");
	if (i + 7 > len || (strncasecmp(line + i, "icmpv4:", 7) != 0 &&
	    strncasecmp(line + i, "icmpv6:", 7) != 0))
		return 0;
	i += 7;
	for (n = 0, *type = 0; i + n < len && line[i + n] >= '0' &&
	    line[i + n] <= '9'; n++)
		*type = *type * 10 + (unsigned)(line[i + n] - '0');
	if (n == 0 || i + n >= len || line[i + n] != ',')
		return 0;
	*at = i;
	return n;
}

/*
 * netsh takes one ICMP type per rule, and Windows no range of them, so a
 * rule cut around neighbour discovery holds some 250 types.  Runs of
 * commands that differ only in a type counting up become one line,
 * "for /L %%t in (FROM,1,TO) do COMMAND" (Microsoft Learn: for): as many
 * rules, but one line each run instead of one line each type.
 */
static void
netsh_loops(struct out *dst, const char *text)
{
	const char *line = text, *next;
	size_t len, at, n, at2, n2, run;
	unsigned t, t2;

	for (; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		len = (size_t)(next - line);
		n = netsh_type_at(line, len, &at, &t);
		run = 1;
		while (n > 0) {
			const char *l2 = next;
			const char *e2 = strchr(l2, '\n');
			size_t len2;

			if (*l2 == '\0')
				break;
			e2 = e2 ? e2 + 1 : l2 + strlen(l2);
			len2 = (size_t)(e2 - l2);
			n2 = netsh_type_at(l2, len2, &at2, &t2);
			if (n2 == 0 || t2 != t + run || at2 != at ||
			    len2 - n2 != len - n ||
			    memcmp(l2, line, at) != 0 ||
			    memcmp(l2 + at2 + n2, line + at + n,
			    len - at - n) != 0)
				break;
			next = e2;
			run++;
		}
		if (run < 3) {
			/* Too short to gain: the lines as they were. */
			out_write(dst, line, (size_t)(next - line));
			continue;
		}
		out_printf(dst, "for /L %%%%t in (%u,1,%u) do %.*s%%%%t%.*s",
		    t, t + (unsigned)run - 1, (int)at, line,
		    (int)(len - at - n), line + at + n);
	}
}

static int
netsh_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	const char *prefix = be_option(opts, ir, "prefix",
	    arena_printf(opts->arena, "egressc-%s", ir->name));
	struct out hdr, del, one, rest, *o = &outs[0];
	struct strset deleted = { 0 };
	const char *def = "", **names, *desc;
	/* What one rule needs while it is written: reset after each. */
	struct be_opts rule = { opts->be, arena_new() };
	size_t i;
	int rc;

	out_init(&hdr);
	out_init(&del);
	out_init(&one);
	be_header(opts, ir, "REM ", &hdr);
	/* The names first: their deletions come before the rules. */
	names = arena_alloc(opts->arena, (ir->nrules + 1) * sizeof(*names));
	for (i = 0; i < ir->nrules; i++) {
		names[i] = netsh_name(opts, prefix, &ir->rules[i]);
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

		rc = be_template_split(opts, "netsh", vars, "RULES", o, &rest);
	}
	out_free(&hdr);
	out_free(&del);
	/* The rules straight into the file's text, which may spill as it
	 * grows (out_spill). */
	for (i = 0; rc == 0 && i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		desc = be_rule_comment(&rule, r);
		out_printf(o, "REM %s\n", desc);
		netsh_rule(&rule, o, &one, names[i], r, desc);
		arena_reset(rule.arena);
	}
	if (rc == 0)
		be_template_end(o, &rest);
	out_free(&one);
	arena_free(rule.arena);
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
