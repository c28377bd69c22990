/*
 * cisco_asa.c - the Cisco ASA back end: one extended ACL for IPv4 and IPv6
 * together (ASA 9.0 and later), meant for the clients' interface inbound.
 *
 * The ASA matches first to last with an implicit deny at the end, so the
 * IR's order carries over.  It is stateful: replies to permitted traffic
 * come back without a return ACL.  Address sets of more than one member
 * become "object-group network" (netmasks, IPv4 and IPv6 may mix), port
 * sets of more than one interval "object-group service" typed tcp, udp or
 * tcp-udp.  With hosts: native, a host name becomes a pair of "object
 * network" with "fqdn v4" and "fqdn v6", which the ASA resolves itself;
 * wildcards never stay names here.  With interface: the file rebuilds
 * the list beside the bound one and swaps the binding (asa_emit), so a
 * paste never leaves the interface without a list.
 */
#include <string.h>

#include "backend/backend.h"
#include "backend/cisco.h"
#include "ir/icmp.h"
#include "util/arena.h"

struct asa_fqdn {
	const char	*host;
	const char	*obj[FAM_N];
};

struct asa {
	struct cis	 c;
	const char	*acl;
	/* The removals of groups and of objects, kept apart: a group goes
	 * before the objects it holds, which the ASA keeps while in use. */
	struct out	 dropgrp, dropobj, objs, grp, body;
	struct asa_fqdn	*fq;
	size_t		 nfq, capfq;
	size_t		 nent;
};

static const char *const asa_any[FAM_N] = { "any4", "any6" };
static const char *const asa_v[FAM_N] = { "v4", "v6" };

/* The object network pair for a host name, defined on first use. */
static const struct asa_fqdn *
asa_fqdn(struct asa *s, const char *host)
{
	struct asa_fqdn *q;
	size_t i;
	int f;

	for (i = 0; i < s->nfq; i++)
		if (strcmp(s->fq[i].host, host) == 0)
			return &s->fq[i];
	ARENA_PUSH(s->c.a, s->fq, s->nfq, s->capfq);
	q = &s->fq[s->nfq - 1];
	q->host = host;
	for (f = 0; f < FAM_N; f++) {
		q->obj[f] = cis_objname(&s->c, s->acl, host, asa_v[f]);
		out_printf(&s->dropobj, "no object network %s\n", q->obj[f]);
		/* Host names reach here checked by the front end (PCRE2),
		 * so they hold nothing that ends the command. */
		out_printf(&s->objs, "object network %s\n fqdn %s %s\n",
		    q->obj[f], asa_v[f], host);
	}
	return q;
}

/*
 * The address word of a rule's source or destination in the families of
 * mask (1: IPv4, 2: IPv6, 3: both): "any", "any4", "host A", "A MASK",
 * "A/len", "object N", or an object-group, which may mix the families.
 * names: also the rule's host names (destinations only).
 */
static const char *
asa_addr(struct asa *s, const struct ir_rule *r, const struct aset *set,
    unsigned mask, bool names, const char *kind, const char **cache)
{
	static const char *const sfx[4] = { "", "4", "6", "" };
	struct arena *a = s->c.t;
	struct prefix *p[FAM_N];
	size_t n[FAM_N], nn = names ? r->nnames : 0, total = 0, i;
	const char *name, *one = NULL;
	bool full = true;
	int f;

	if (cache[mask] != NULL)
		return cache[mask];
	for (f = 0; f < FAM_N; f++) {
		n[f] = 0;
		if (!(mask & (1u << f)))
			continue;
		n[f] = aset_prefixes(a, set, (enum fam)f, &p[f]);
		if (n[f] != 1 || p[f][0].len != 0)
			full = false;
		total += n[f] + nn;
		if (n[f] == 1)
			one = cis_addr(&s->c, (enum fam)f, &p[f][0], false);
		else if (n[f] == 0 && nn == 1)
			one = arena_printf(a, "object %s",
			    asa_fqdn(s, r->names[0].name)->obj[f]);
	}
	if (full)
		return cache[mask] = mask == 3 ? "any" :
		    asa_any[mask == 1 ? FAM_V4 : FAM_V6];
	if (total == 1)
		return cache[mask] = one;
	name = cis_objname(&s->c, s->acl, r->name,
	    arena_printf(a, "%s%s", kind, sfx[mask]));
	out_printf(&s->dropgrp, "no object-group network %s\n", name);
	out_printf(&s->grp, "object-group network %s\n", name);
	for (f = 0; f < FAM_N; f++) {
		char b[ADDR_STRLEN];

		if (!(mask & (1u << f)))
			continue;
		for (i = 0; i < n[f]; i++)
			if (p[f][i].len == 0)
				/* a whole family next to the other's parts */
				out_printf(&s->grp, " network-object %s\n",
				    f == FAM_V4 ? "0.0.0.0 0.0.0.0" :
				    addr_format(b, FAM_V6, 0, 0));
			else
				out_printf(&s->grp, " network-object %s\n",
				    cis_addr(&s->c, (enum fam)f, &p[f][i],
				    false));
		for (i = 0; i < nn; i++)
			out_printf(&s->grp, " network-object object %s\n",
			    asa_fqdn(s, r->names[i].name)->obj[f]);
	}
	return cache[mask] = arena_printf(a, "object-group %s", name);
}

/*
 * The port suffix for a tcp or udp port set of more than one interval: a
 * service object-group, shared as tcp-udp when both protocols of the rule
 * take the same ports.
 */
static const char *
asa_svcgroup(struct asa *s, const struct ir_rule *r, enum proto p,
    const char *cache[P_N])
{
	const struct iset *ps = &r->svc.p[p];
	const char *type = proto_name[p], *name;
	enum proto other = p == P_TCP ? P_UDP : P_TCP;
	size_t i;

	if (cache[p] != NULL)
		return cache[p];
	if (!svc_proto_full(&r->svc, other) &&
	    iset_equal(ps, &r->svc.p[other]))
		type = "tcp-udp";
	name = cis_objname(&s->c, s->acl, r->name, type);
	out_printf(&s->dropgrp, "no object-group service %s\n", name);
	out_printf(&s->grp, "object-group service %s %s\n", name, type);
	for (i = 0; i < ps->n; i++)
		out_printf(&s->grp, " port-object%s\n",
		    cis_ports(&s->c, &ps->v[i]));
	cache[p] = arena_printf(s->c.t, " object-group %s", name);
	if (strcmp(type, "tcp-udp") == 0)
		cache[other] = cache[p];
	return cache[p];
}

static void
asa_line(struct asa *s, const struct ir_rule *r, struct out *o,
    const char *proto, const char *src, const char *dst, const char *port)
{
	out_printf(o, "access-list %s extended %s %s %s %s%s%s\n", s->acl,
	    cis_verb(r), proto, src, dst, port, r->log ? " log" : "");
	s->nent++;
}

/*
 * The entries of an ICMP set: one per type, or per type and code
 * (access-list extended ... icmp src dst icmp_type [icmp_code]).
 */
static void
asa_icmp(struct asa *s, const struct ir_rule *r, struct out *o,
    const char *pw, const char *sw, const char *dw, const struct iset *ps)
{
	struct icmp_group *g;
	size_t ng, i, j, k;
	u128 t, c;

	ng = icmp_groups(s->c.t, ps, &g);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].types.n; j++)
			for (t = g[i].types.v[j].lo; t <= g[i].types.v[j].hi;
			    t++) {
				if (g[i].every_code) {
					asa_line(s, r, o, pw, sw, dw,
					    arena_printf(s->c.t, " %u",
					    (unsigned)t));
					continue;
				}
				for (k = 0; k < g[i].codes.n; k++)
					for (c = g[i].codes.v[k].lo;
					    c <= g[i].codes.v[k].hi; c++)
						asa_line(s, r, o, pw, sw, dw,
						    arena_printf(s->c.t,
						    " %u %u", (unsigned)t,
						    (unsigned)c));
			}
}

/*
 * The entries of the other protocols, by the ASA's protocol names (Cisco
 * ASA Series Command Reference, access-list extended: ah, esp, gre, ...)
 * or numbers; those IPv6 takes for extension headers with IPv4 only.
 */
static void
asa_others(struct asa *s, const struct ir_rule *r, struct out *o,
    unsigned mask, const char **src, const char **dst)
{
	const struct iset *ps = &r->svc.ipp;
	const char *pw;
	unsigned m;
	size_t i;
	u128 x;

	for (i = 0; i < ps->n; i++)
		for (x = ps->v[i].lo; x <= ps->v[i].hi; x++) {
			m = ipp_in_fam((unsigned)x, FAM_V6) ? mask : mask & 1u;
			if (m == 0)
				continue;
			pw = ipp_name((unsigned)x);
			if (pw == NULL)
				pw = arena_printf(s->c.t, "%u", (unsigned)x);
			asa_line(s, r, o, pw,
			    asa_addr(s, r, &r->src, m, false, "src", src),
			    asa_addr(s, r, &r->dst, m, true, "dst", dst), "");
		}
}

static void
asa_rule(struct asa *s, const struct ir_rule *r)
{
	static const char *const pw[P_N] = { "tcp", "udp", "icmp", "icmp6",
	    "sctp" };
	const char *src[4] = { NULL }, *dst[4] = { NULL };
	const char *svc[P_N] = { NULL };
	const char *sw, *dw;
	const struct iset *ps;
	struct out o;
	unsigned mask = 0, m;
	size_t i;
	int f, p;

	/* The families the rule reaches: a source there, and an address
	 * or a host name (fqdn objects exist in both) to go to. */
	for (f = 0; f < FAM_N; f++)
		if (!iset_empty(&r->src.f[f]) &&
		    (!iset_empty(&r->dst.f[f]) || r->nnames > 0))
			mask |= 1u << f;
	if (mask == 0)
		return;
	out_init(&o);
	if (r->svc.all)
		asa_line(s, r, &o, "ip",
		    asa_addr(s, r, &r->src, mask, false, "src", src),
		    asa_addr(s, r, &r->dst, mask, true, "dst", dst), "");
	for (p = 0; !r->svc.all && p < P_N; p++) {
		if (!svc_has_proto(&r->svc, (enum proto)p))
			continue;
		/* ICMP goes with IPv4 only, ICMPv6 with IPv6 only. */
		m = p == P_ICMP ? mask & 1u : p == P_ICMP6 ? mask & 2u : mask;
		if (m == 0)
			continue;
		sw = asa_addr(s, r, &r->src, m, false, "src", src);
		dw = asa_addr(s, r, &r->dst, m, true, "dst", dst);
		if (svc_proto_full(&r->svc, (enum proto)p)) {
			asa_line(s, r, &o, pw[p], sw, dw, "");
			continue;
		}
		ps = &r->svc.p[p];
		if (p == P_ICMP || p == P_ICMP6) {
			asa_icmp(s, r, &o, pw[p], sw, dw, ps);
			continue;
		}
		/* Service object-groups are typed tcp, udp or tcp-udp: SCTP
		 * ports go one entry each. */
		if (ps->n == 1 || p == P_SCTP)
			for (i = 0; i < ps->n; i++)
				asa_line(s, r, &o, pw[p], sw, dw,
				    cis_ports(&s->c, &ps->v[i]));
		else
			asa_line(s, r, &o, pw[p], sw, dw,
			    asa_svcgroup(s, r, (enum proto)p, svc));
	}
	if (!r->svc.all)
		asa_others(s, r, &o, mask, src, dst);
	/* The remark goes before the rule's entries, never between. */
	if (o.len > 0)
		out_printf(&s->body, "access-list %s remark %s\n%s", s->acl,
		    cis_remark(&s->c, r), out_str(&o));
	out_free(&o);
}

/* The list and its objects under the name acl, for ir. */
static void
asa_build(struct asa *s, const struct be_opts *opts, const struct ir *ir,
    const char *acl)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	cis_init(&s->c, opts, ir);
	s->acl = acl;
	/* Objects and ACLs share the ASA's name space: every object name
	 * is the ACL's name and more, so none can be the ACL's. */
	cis_rules_begin(&s->c);
	for (i = 0; i < ir->nrules; i++) {
		asa_rule(s, &ir->rules[i]);
		cis_rule_done(&s->c);
	}
	cis_rules_end(&s->c);
	switch (ir->def) {
	case IR_DEF_DENY:
		out_printf(&s->body, "access-list %s remark default: deny "
		    "everything else\naccess-list %s extended deny ip any any\n",
		    acl, acl);
		s->nent++;
		break;
	case IR_DEF_ACCEPT:
		out_printf(&s->body, "access-list %s remark default: permit "
		    "everything else\naccess-list %s extended permit ip any "
		    "any\n", acl, acl);
		s->nent++;
		break;
	case IR_DEF_NONE:
		break;
	}
}

static void
asa_free(struct asa *s)
{
	out_free(&s->dropgrp);
	out_free(&s->dropobj);
	out_free(&s->objs);
	out_free(&s->grp);
	out_free(&s->body);
}

/* The list and everything it uses removed: the list first (no group is
 * in use after it), the groups, then the objects the groups held. */
static void
asa_remove(struct asa *s, struct out *o)
{
	out_printf(o, "clear configure access-list %s\n", s->acl);
	out_puts(o, out_str(&s->dropgrp));
	out_puts(o, out_str(&s->dropobj));
	out_puts(o, "!\n");
}

/* Objects, groups, then the list; each block ends in "!". */
static void
asa_define(struct asa *s, struct out *o)
{
	struct out *part[] = { &s->objs, &s->grp, &s->body };
	size_t i;

	for (i = 0; i < 3; i++)
		if (part[i]->len > 0)
			out_printf(o, "%s!\n", out_str(part[i]));
}

static int
asa_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	struct asa s, next;
	struct cis c;
	struct out hdr, rp, rest, *o = &outs[0];
	const char *acl, *iface, *tmp;
	int rc, errs = diag_errors();
	bool swap;

	cis_init(&c, opts, ir);
	acl = cis_opt_acl(&c);
	iface = be_option(opts, ir, "interface", NULL);
	if (diag_errors() != errs)
		return -1;
	tmp = arena_printf(c.a, "%s-NEXT", acl);
	asa_build(&s, opts, ir, acl);
	out_init(&hdr);
	out_init(&rp);
	be_header(opts, ir, "! ", &hdr);
	swap = s.nent > 0 && iface != NULL;
	if (swap) {
		/*
		 * "clear configure access-list" removes every access-group
		 * that names the list too (nothing may name a missing list
		 * without forward-reference): clearing the bound list leaves
		 * the interface without one, and the security levels then
		 * pass inside -> outside.  So the new version is built beside
		 * it, swapped in by one access-group line, the list rebuilt
		 * under its own name and swapped back; the interface always
		 * has a list.
		 */
		asa_build(&next, opts, ir, tmp);
		out_printf(&rp, "! Pasting again is safe: the interface is never "
		    "without a list.\n"
		    "! \"clear configure access-list\" also removes every "
		    "access-group that names\n"
		    "! the list, so the new version is built first beside the "
		    "bound one, with\n"
		    "! objects of its own, and swapped onto the interface in "
		    "one line; then\n"
		    "! the list is rebuilt from empty under its own name, "
		    "swapped back, and\n"
		    "! the one beside it removed:\n"
		    "!   built beside: %s\n"
		    "!   swap:         access-group %s in interface %s\n"
		    "!   bound after:  access-group %s in interface %s\n",
		    tmp, tmp, iface, acl, iface);
	} else {
		if (s.nent > 0)
			out_printf(&rp, "! This file binds no interface "
			    "(targets.cisco-asa.interface is not set).\n"
			    "! Pasting it again where the list is bound leaves "
			    "that interface\n"
			    "! unfiltered: \"clear configure access-list\" also "
			    "removes every\n"
			    "! access-group that names the list, and the ASA then "
			    "passes what the\n"
			    "! security levels allow (inside to outside) until "
			    "this is entered again:\n"
			    "!   access-group %s in interface IF\n"
			    "! Set interface: to have the file swap lists without "
			    "a gap.\n", acl);
		else
			out_printf(&rp, "! No entry: %s is removed, with every "
			    "access-group that names it.\n", acl);
	}
	const char *vars[] = {
		"HEADER", out_str(&hdr),
		"REPASTE", out_str(&rp),
		NULL
	};

	/* The body straight into the file as it is made: it is most of the
	 * file, and it was built apart and copied in after. */
	rc = be_template_split(opts, "cisco-asa", vars, "BODY", o, &rest);
	if (rc == 0 && swap) {
		out_puts(o, "! 1. The new version beside the bound list.\n");
		asa_remove(&next, o);
		asa_define(&next, o);
		out_printf(o, "access-group %s in interface %s\n!\n", tmp,
		    iface);
		out_printf(o, "! 2. %s, no longer bound, rebuilt from empty "
		    "and bound again.\n", acl);
		asa_remove(&s, o);
		asa_define(&s, o);
		out_printf(o, "access-group %s in interface %s\n!\n", acl,
		    iface);
		out_printf(o, "! 3. %s, no longer bound, removed.\n", tmp);
		asa_remove(&next, o);
	} else if (rc == 0) {
		asa_remove(&s, o);
		asa_define(&s, o);
		if (s.nent > 0)
			out_printf(o, "! Apply on the clients' interface:\n"
			    "!   access-group %s in interface <inside-interface>"
			    "\n", acl);
	}
	if (swap)
		asa_free(&next);
	if (rc == 0)
		be_template_end(o, &rest);
	out_free(&hdr);
	out_free(&rp);
	asa_free(&s);
	return rc;
}

static const char *const asa_suffixes[] = { ".cisco-asa.txt", NULL };
static const struct be_option asa_options[] = {
	CIS_OPT_ACL,
	CIS_OPT_IFACE,
	{ .key = NULL }
};

const struct backend be_cisco_asa = {
	.name = "cisco-asa",
	/* SCTP ports: ASA 9.5(2) and later. */
	.caps = BE_SETS | BE_FQDN | BE_FIRST_MATCH | BE_MIXED_FAM | BE_LOG |
	    BE_SCTP_PORTS,
	.comment_max = CIS_REMARK_MAX,
	.comment_bad = CIS_COMMENT_BAD,
	.suffixes = asa_suffixes,
	.options = asa_options,
	.emit = asa_emit,
};
