/*
 * dump.c - print the IR as text (see dump.h), one block a rule:
 *
 *	egressc-ir 1 policy NAME default D wildcards W hosts H [target T]
 *	tiers T1, T2 ...		(in order; each adds to those before)
 *	rule N NAME at FILE:LINE:COL
 *	  ACTION DIRECTION tier T|- log yes|no
 *	  from ADDRS
 *	  to ADDRS
 *	  name HOST|*.ZONE [-> ADDRS]	(destinations still named)
 *	  via *.ZONE			(wildcards the hosts came from)
 *	  ports any | PROTO SET; PROTO SET; proto SET
 *	  comment "TEXT"
 *
 * ADDRS is "any" (every address of both families), "none", or per family
 * "ip4 P, P" and "ip6 P, P" joined by "; ", each the fewest CIDR prefixes.
 * SET is "any" or "N, LO-HI, ..."; an ICMP message is TYPE or TYPE/CODE
 * (icmp_format); proto SET are the other IP protocols a rule takes whole,
 * by number.  Nothing depends on memory layout or
 * time, so the same IR always prints the same bytes.
 */
#include <stdio.h>

#include "ir/dump.h"
#include "ir/icmp.h"
#include "ir/ir.h"
#include "util/arena.h"
#include "util/out.h"

static void
put_addrs(struct arena *a, struct out *o, const struct aset *s)
{
	static const char *const fam[FAM_N] = { "ip4", "ip6" };
	char buf[ADDR_STRLEN];
	struct prefix *p;
	size_t n, i;
	bool first = true;
	int f;

	if (aset_fam_full(s, FAM_V4) && aset_fam_full(s, FAM_V6)) {
		out_puts(o, "any");
		return;
	}
	for (f = 0; f < FAM_N; f++) {
		n = aset_prefixes(a, s, (enum fam)f, &p);
		if (n == 0)
			continue;
		out_printf(o, "%s%s ", first ? "" : "; ", fam[f]);
		for (i = 0; i < n; i++)
			out_printf(o, "%s%s", i ? ", " : "", addr_format(buf,
			    (enum fam)f, p[i].addr, p[i].len));
		first = false;
	}
	if (first)
		out_puts(o, "none");
}

static void
put_iset(struct out *o, const struct iset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		out_printf(o, "%s%u", i ? ", " : "", (unsigned)s->v[i].lo);
		if (s->v[i].hi != s->v[i].lo)
			out_printf(o, "-%u", (unsigned)s->v[i].hi);
	}
}

static void
put_svc(struct out *o, const struct svc *svc)
{
	bool first = true;
	int p;

	if (svc->all) {
		out_puts(o, "any");
		return;
	}
	for (p = 0; p < P_N; p++) {
		if (!svc_has_proto(svc, (enum proto)p))
			continue;
		out_printf(o, "%s%s ", first ? "" : "; ", proto_name[p]);
		if (svc_proto_full(svc, (enum proto)p))
			out_puts(o, "any");
		else if (p == P_ICMP || p == P_ICMP6)
			icmp_format(o, &svc->p[p]);
		else
			put_iset(o, &svc->p[p]);
		first = false;
	}
	if (!iset_empty(&svc->ipp)) {
		out_printf(o, "%sproto ", first ? "" : "; ");
		put_iset(o, &svc->ipp);
		first = false;
	}
	if (first)
		out_puts(o, "none");
}

/* Text in double quotes with C escapes: a comment cannot break a line. */
static void
put_quoted(struct out *o, const char *s)
{
	out_putc(o, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			out_printf(o, "\\x%02x", c);
		else
			out_putc(o, (char)c);
	}
	out_putc(o, '"');
}

void
ir_dump(const struct ir *ir, const char *target, struct out *o)
{
	static const char *const wild[] = { "native", "expand", "forbid" };
	static const char *const hosts[] = { "resolve", "native" };
	static const char *const dir[] = { "egress", "inbound" };
	struct arena *a = arena_new();
	size_t i, k;

	out_printf(o, "egressc-ir 1 policy %s default %s wildcards %s hosts %s",
	    ir->name, ir_default_name[ir->def], wild[ir->wildcards],
	    hosts[ir->hosts]);
	if (target != NULL)
		out_printf(o, " target %s", target);
	out_puts(o, "\ntiers");
	for (i = 0; i < ir->ntiers; i++)
		out_printf(o, "%s %s", i ? "," : "", ir->tiers[i]);
	out_putc(o, '\n');
	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		out_printf(o, "rule %zu %s at %s:%d:%d\n", i + 1, r->name,
		    r->loc.file ? r->loc.file : "-", r->loc.line, r->loc.col);
		out_printf(o, "  %s %s tier %s log %s\n",
		    ir_action_name[r->action], dir[r->dir],
		    r->tier ? r->tier : "-", r->log ? "yes" : "no");
		out_puts(o, "  from ");
		put_addrs(a, o, &r->src);
		out_puts(o, "\n  to ");
		put_addrs(a, o, &r->dst);
		out_putc(o, '\n');
		for (k = 0; k < r->nnames; k++) {
			out_printf(o, "  name %s", r->names[k].name);
			if (r->names[k].resolved) {
				out_puts(o, " -> ");
				put_addrs(a, o, &r->names[k].addrs);
			}
			out_putc(o, '\n');
		}
		for (k = 0; k < r->norigins; k++)
			out_printf(o, "  via %s\n", r->origins[k]);
		if (r->target != NULL)
			out_printf(o, "  only %s\n", r->target);
		/* Lowered for dynamic sets: the names behind dst. */
		for (k = 0; k < r->nhosts; k++)
			out_printf(o, "  host %s\n", r->hosts[k]);
		out_puts(o, "  ports ");
		put_svc(o, &r->svc);
		out_putc(o, '\n');
		if (r->comment != NULL) {
			out_puts(o, "  comment ");
			put_quoted(o, r->comment);
			out_putc(o, '\n');
		}
	}
	arena_free(a);
}
