/*
 * cisco_ios.c - the Cisco IOS back end: extended named ACLs, one for IPv4
 * and one for IPv6, meant for the clients' LAN interface inbound.
 *
 * IOS matches first to last and ends every ACL with an implicit deny, so
 * the IR's order carries over as it is.  Address sets of more than one
 * prefix become "object-group network" (IOS 15 and later, IPv4 only: IOS
 * object-groups do not take IPv6), port sets of more than one interval
 * "object-group service"; with object-groups: no, or in the IPv6 ACL,
 * they are written out one entry per member instead; a set that several
 * rules name is one group.  An IOS ACL is stateless: return: established
 * or reflexive adds a second ACL, for the same interface outbound, that
 * admits the replies and ICMP errors.
 */
#include <string.h>

#include "backend/backend.h"
#include "backend/cisco.h"
#include "ir/icmp.h"
#include "util/arena.h"

/* return: and object-groups: values, in the order of the indexes the
 * code compares be_enum() against. */
enum { RET_NONE, RET_ESTABLISHED, RET_REFLEXIVE };
static const char *const ios_returns[] = {
	"none", "established", "reflexive", NULL
};
static const char *const ios_yesno[] = { "no", "yes", NULL };

/* One protocol word and port suffix of an entry. */
struct ios_item {
	const char		*proto;		/* "tcp", "object-group S" */
	const char		*port;		/* " eq 443", "" */
	bool			 tcp;		/* replies come back as tcp */
	bool			 all;		/* ip / ipv6 */
	const struct ival	*iv;		/* tcp ports for the mirror */
	size_t			 niv;		/* 0: every port */
};

/* An object-group written once, for every rule whose set it is. */
struct ios_group {
	const char	*kind;		/* "network", "service" */
	const char	*body;		/* its member lines */
	const char	*name;
};

struct ios {
	struct cis	 c;
	struct ios_group *gv;
	size_t		 ngv, capgv;
	struct strset	 gkeys;		/* "kind body" -> index into gv */
	const char	*acl[FAM_N], *ret[FAM_N], *refl[FAM_N];
	int		 ret_mode;
	bool		 groups;
	struct out	 drop, grp, eg[FAM_N], rt[FAM_N];
	size_t		 neg[FAM_N], nrt[FAM_N];
	bool		 reflected[FAM_N];
	bool		 unreturned[FAM_N];	/* permits established misses */
};

static const char *const ios_fam_ip[FAM_N] = { "ip", "ipv6" };
static const char *const ios_fam_acl[FAM_N] = {
	"ip access-list extended", "ipv6 access-list"
};

/*
 * The name of the object-group of this kind and these members: the one
 * written already, or a new one named after the rule (base-RULE-part)
 * with its removal and its definition.
 */
static const char *
ios_group(struct ios *s, const char *kind, const char *rule,
    const char *part, const char *body)
{
	struct ios_group *g;
	const char *key = arena_printf(s->c.a, "%s %s", kind, body);
	size_t i;

	/* Looked up by a hash: a policy of 16,000 rules has as many. */
	if (!strset_put(s->c.a, &s->gkeys, key, s->ngv, &i))
		return s->gv[i].name;
	ARENA_PUSH(s->c.a, s->gv, s->ngv, s->capgv);
	g = &s->gv[s->ngv - 1];
	g->kind = kind;
	g->body = key + strlen(kind) + 1;
	g->name = cis_objname(&s->c, s->acl[FAM_V4], rule, part);
	out_printf(&s->drop, "no object-group %s %s\n", kind, g->name);
	out_printf(&s->grp, "object-group %s %s\n%s", kind, g->name, body);
	return g->name;
}

/*
 * The source or destination words of a rule in one family: "any", one
 * "host A" / "A WILD" / "A/len", an object-group, or (no groups) one word
 * per prefix.
 */
static size_t
ios_atoms(struct ios *s, const struct ir_rule *r, const struct aset *set,
    enum fam f, const char *kind, const char ***out)
{
	struct arena *a = s->c.t;
	struct prefix *p;
	const char **w;
	const char *name;
	size_t n, i;

	n = aset_prefixes(a, set, f, &p);
	if (n == 1 && p[0].len == 0) {
		w = arena_alloc(a, sizeof(*w));
		w[0] = "any";
		*out = w;
		return 1;
	}
	if (n > 1 && s->groups && f == FAM_V4) {
		struct out body;

		/* IOS object-groups take netmasks, not wildcard masks. */
		out_init(&body);
		for (i = 0; i < n; i++)
			out_printf(&body, " %s\n",
			    cis_addr(&s->c, f, &p[i], false));
		name = ios_group(s, "network", r->name, kind, out_str(&body));
		out_free(&body);
		w = arena_alloc(a, sizeof(*w));
		w[0] = arena_printf(a, "object-group %s", name);
		*out = w;
		return 1;
	}
	w = arena_alloc(a, (n ? n : 1) * sizeof(*w));
	for (i = 0; i < n; i++)
		w[i] = cis_addr(&s->c, f, &p[i], f == FAM_V4);
	*out = w;
	return n;
}

/*
 * The protocol word of an other protocol (Cisco IOS Security Command
 * Reference, "permit (IP)" and "permit (IPv6)"): the IPv4 ACL's keywords
 * gre, esp and ahp, the IPv6 ACL's esp and sctp, else the number.
 */
static const char *
ios_proto_word(struct arena *a, enum fam f, unsigned ipp)
{
	if (ipp == 50)
		return "esp";
	if (f == FAM_V4 && ipp == 47)
		return "gre";
	if (f == FAM_V4 && ipp == 51)
		return "ahp";
	if (f == FAM_V6 && ipp == 132)
		return "sctp";
	return arena_printf(a, "%u", ipp);
}

/* One entry per ICMP type and code: IOS has no ranges of either. */
static size_t
ios_icmp(struct ios *s, const struct iset *ps, struct ios_item **out)
{
	struct arena *a = s->c.t;
	struct icmp_group *g;
	struct ios_item *it = NULL;
	size_t n = 0, cap = 0, ng, i, j, k;
	u128 t, c;

	ng = icmp_groups(a, ps, &g);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].types.n; j++)
			for (t = g[i].types.v[j].lo; t <= g[i].types.v[j].hi;
			    t++) {
				if (g[i].every_code) {
					ARENA_PUSH(a, it, n, cap);
					it[n - 1].proto = "icmp";
					it[n - 1].port = arena_printf(a, " %u",
					    (unsigned)t);
					continue;
				}
				for (k = 0; k < g[i].codes.n; k++)
					for (c = g[i].codes.v[k].lo;
					    c <= g[i].codes.v[k].hi; c++) {
						ARENA_PUSH(a, it, n, cap);
						it[n - 1].proto = "icmp";
						it[n - 1].port = arena_printf(a,
						    " %u %u", (unsigned)t,
						    (unsigned)c);
					}
			}
	for (i = 0; i < n; i++) {
		it[i].tcp = it[i].all = false;
		it[i].iv = NULL;
		it[i].niv = 0;
	}
	*out = it;
	return n;
}

/* The protocol words and port suffixes for one (family, protocol). */
static size_t
ios_items(struct ios *s, const struct ir_rule *r, const struct be_match *m,
    struct ios_item **out)
{
	struct arena *a = s->c.t;
	enum fam f = (enum fam)m->fam;
	struct ios_item *it;
	const struct iset *ps = m->ports;
	const char *pw, *name;
	size_t i;

	if (m->proto < 0) {
		it = arena_alloc(a, sizeof(*it));
		it->proto = ios_fam_ip[f];
		it->port = "";
		it->all = it->tcp = true;
		*out = it;
		return 1;
	}
	if (m->proto == BE_OTHER || m->proto == P_SCTP)
		pw = ios_proto_word(a, f, m->ipp);
	else
		pw = m->proto == P_ICMP6 ? "icmp" : proto_name[m->proto];
	if (ps == NULL) {
		it = arena_alloc(a, sizeof(*it));
		it->proto = pw;
		it->port = "";
		it->tcp = m->proto == P_TCP;
		*out = it;
		return 1;
	}
	if (m->proto == P_ICMP || m->proto == P_ICMP6)
		return ios_icmp(s, ps, out);
	if (ps->n > 1 && s->groups && f == FAM_V4) {
		struct out body;

		out_init(&body);
		for (i = 0; i < ps->n; i++)
			out_printf(&body, " %s%s\n", pw,
			    cis_ports(&s->c, &ps->v[i]));
		name = ios_group(s, "service", r->name, pw, out_str(&body));
		out_free(&body);
		it = arena_alloc(a, sizeof(*it));
		it->proto = arena_printf(a, "object-group %s", name);
		it->port = "";
		it->tcp = m->proto == P_TCP;
		it->iv = ps->v;
		it->niv = ps->n;
		*out = it;
		return 1;
	}
	it = arena_alloc(a, ps->n * sizeof(*it));
	for (i = 0; i < ps->n; i++) {
		it[i].proto = pw;
		it[i].port = cis_ports(&s->c, &ps->v[i]);
		it[i].tcp = m->proto == P_TCP;
		it[i].iv = &ps->v[i];
		it[i].niv = 1;
	}
	*out = it;
	return ps->n;
}

/*
 * The return-ACL entries for one egress entry: TCP replies by
 * "established", with the ports on the source side; the rest by reflect
 * and evaluate (reflexive) or not at all (established).
 */
static void
ios_mirror(struct ios *s, const struct ir_rule *r, enum fam f,
    const char *src, const char *dst, const struct ios_item *it,
    struct out *rt)
{
	size_t i;

	if (!it->tcp || (it->all && r->action == IR_ALLOW &&
	    s->ret_mode == RET_REFLEXIVE))
		return;
	if (it->niv == 0) {
		out_printf(rt, " %s tcp %s %s established\n", cis_verb(r), dst,
		    src);
		s->nrt[f]++;
		return;
	}
	for (i = 0; i < it->niv; i++) {
		out_printf(rt, " %s tcp %s%s %s established\n", cis_verb(r),
		    dst, cis_ports(&s->c, &it->iv[i]), src);
		s->nrt[f]++;
	}
}

/* One egress entry, and its mirror in the return ACL. */
static void
ios_entry(struct ios *s, const struct ir_rule *r, enum fam f,
    const char *src, const char *dst, const struct ios_item *it,
    struct out *eg, struct out *rt)
{
	bool allow = r->action == IR_ALLOW;

	out_printf(eg, " %s %s %s %s%s%s", cis_verb(r), it->proto, src, dst,
	    it->port, r->log ? " log" : "");
	if (s->ret_mode == RET_REFLEXIVE && allow && (it->all || !it->tcp)) {
		out_printf(eg, " reflect %s", s->refl[f]);
		s->reflected[f] = true;
	}
	if (s->ret_mode == RET_ESTABLISHED && allow && !it->tcp)
		s->unreturned[f] = true;
	out_putc(eg, '\n');
	s->neg[f]++;
	if (s->ret_mode != RET_NONE)
		ios_mirror(s, r, f, src, dst, it, rt);
}

static void
ios_rule(struct ios *s, const struct ir_rule *r)
{
	struct be_match *m;
	struct ios_item *it;
	struct out eg, rt;
	const char **src, **dst;
	size_t nm, k, ns, nd, ni, i, j, l;
	int f;

	nm = be_matches(s->c.t, r, s->c.opts->be->caps, &m);
	for (f = 0; f < FAM_N; f++) {
		src = dst = NULL;
		ns = nd = 0;
		out_init(&eg);
		out_init(&rt);
		for (k = 0; k < nm; k++) {
			if (m[k].fam != f)
				continue;
			if (src == NULL) {
				ns = ios_atoms(s, r, &r->src, (enum fam)f,
				    "src", &src);
				nd = ios_atoms(s, r, &r->dst, (enum fam)f,
				    "dst", &dst);
			}
			ni = ios_items(s, r, &m[k], &it);
			for (i = 0; i < ns; i++)
				for (j = 0; j < nd; j++)
					for (l = 0; l < ni; l++)
						ios_entry(s, r, (enum fam)f,
						    src[i], dst[j], &it[l], &eg,
						    &rt);
		}
		/* The remark goes before the rule's entries, never between. */
		if (eg.len > 0)
			out_printf(&s->eg[f], " remark %s\n%s",
			    cis_remark(&s->c, r), out_str(&eg));
		if (rt.len > 0)
			out_printf(&s->rt[f], " remark %s\n%s",
			    cis_remark(&s->c, r), out_str(&rt));
		out_free(&eg);
		out_free(&rt);
	}
}

/* What happens to traffic no rule matched, said and done explicitly. */
static void
ios_default(struct ios *s, enum fam f, struct out *o, size_t *n)
{
	const char *ip = ios_fam_ip[f];

	switch (s->c.ir->def) {
	case IR_DEF_DENY:
		out_printf(o, " remark default: deny everything else\n"
		    " deny %s any any\n", ip);
		(*n)++;
		break;
	case IR_DEF_ACCEPT:
		out_printf(o, " remark default: permit everything else\n"
		    " permit %s any any\n", ip);
		(*n)++;
		break;
	case IR_DEF_NONE:
		break;
	}
}

static void
ios_apply(struct ios *s, const char *iface, bool have[FAM_N],
    bool rhave[FAM_N], struct out *o)
{
	static const char *const grp[FAM_N] = {
		"ip access-group", "ipv6 traffic-filter"
	};
	int f;

	out_printf(o, "! Apply on the clients' LAN interface (not done here, "
	    "so a paste cannot cut you off):\n!   interface %s\n",
	    iface ? iface : "<lan-interface>");
	for (f = 0; f < FAM_N; f++)
		if (have[f])
			out_printf(o, "!    %s %s in\n", grp[f], s->acl[f]);
	for (f = 0; f < FAM_N; f++)
		if (rhave[f])
			out_printf(o, "!    %s %s out\n", grp[f], s->ret[f]);
	out_puts(o, "!\n");
}

/* The target's options into s; -1 after diag_error(). */
static int
ios_options(struct ios *s, const char **iface)
{
	const char *base;
	int f, g, errs = diag_errors();

	base = cis_opt_acl(&s->c);
	*iface = be_option(s->c.opts, s->c.ir, "interface", NULL);
	s->ret_mode = be_enum(s->c.opts, s->c.ir, "return", RET_NONE);
	g = be_enum(s->c.opts, s->c.ir, "object-groups", 1);
	if (diag_errors() != errs)
		return -1;
	s->groups = g == 1;
	s->acl[FAM_V4] = base;
	s->acl[FAM_V6] = arena_printf(s->c.a, "%s-V6", base);
	for (f = 0; f < FAM_N; f++) {
		s->ret[f] = arena_printf(s->c.a, "%s-RETURN", s->acl[f]);
		s->refl[f] = arena_printf(s->c.a, "%s-REFLECT", s->acl[f]);
	}
	return 0;
}

/*
 * The ICMP errors a client must get back: neither `established` nor a
 * reflexive entry admits them, and without packet-too-big (time-exceeded
 * for traceroute, unreachable for a quick failure) path-MTU discovery
 * breaks for the TCP that is permitted.  A stateless list cannot tell
 * which flow an error is about, so every error comes in; errors open
 * nothing.  Numeric types: IPv4 3, 11, 12; IPv6 1, 2, 3, 4.
 */
static void
ios_icmp_errors(struct ios *s, enum fam f)
{
	static const unsigned v4[] = { 3, 11, 12 }, v6[] = { 1, 2, 3, 4 };
	const unsigned *t = f == FAM_V4 ? v4 : v6;
	size_t i, n = f == FAM_V4 ? 3 : 4;

	out_puts(&s->rt[f], " remark ICMP errors: unreachable, packet-too-big, "
	    "time-exceeded, parameter-problem\n");
	for (i = 0; i < n; i++)
		out_printf(&s->rt[f], " permit icmp any any %u\n", t[i]);
	s->nrt[f] += n;
}

/* The egress ACLs, then the return ACLs, each ending in the default. */
static void
ios_lists(struct ios *s, bool have[FAM_N], bool rhave[FAM_N])
{
	int f;

	for (f = 0; f < FAM_N; f++) {
		/* Neighbour discovery, which IOS admits before its own
		 * implicit deny, is the policy's first rule with default:
		 * deny (builtin-ipv6-nd), so the explicit deny cannot cut
		 * it off. */
		ios_default(s, (enum fam)f, &s->eg[f], &s->neg[f]);
		have[f] = s->neg[f] > 0;
	}
	for (f = 0; f < FAM_N; f++) {
		rhave[f] = false;
		if (s->ret_mode == RET_NONE || !have[f])
			continue;
		if (s->unreturned[f])
			out_puts(&s->rt[f], " remark UDP and ICMP replies are "
			    "not admitted: use return: reflexive for them\n");
		if (s->reflected[f]) {
			out_printf(&s->rt[f], " remark replies to the entries "
			    "marked reflect\n evaluate %s\n", s->refl[f]);
			s->nrt[f]++;
		}
		if (s->c.ir->def != IR_DEF_ACCEPT)
			ios_icmp_errors(s, (enum fam)f);
		ios_default(s, (enum fam)f, &s->rt[f], &s->nrt[f]);
		rhave[f] = s->nrt[f] > 0;
	}
}

/* The lists ios_lists finished into o, each freed once written: the
 * egress lists, then the return lists. */
static void
ios_acls(struct ios *s, const bool have[FAM_N], const bool rhave[FAM_N],
    struct out *o)
{
	int f;

	for (f = 0; f < FAM_N; f++) {
		if (have[f])
			out_printf(o, "%s %s\n%s!\n", ios_fam_acl[f],
			    s->acl[f], out_str(&s->eg[f]));
		out_free(&s->eg[f]);
	}
	for (f = 0; f < FAM_N; f++) {
		if (rhave[f])
			out_printf(o, "%s %s\n remark return traffic for %s\n"
			    "%s!\n", ios_fam_acl[f], s->ret[f], s->acl[f],
			    out_str(&s->rt[f]));
		out_free(&s->rt[f]);
	}
}

/*
 * What goes first: every list this target may write, whatever this
 * version's return: is (a return list an earlier version wrote keeps
 * using the object-groups, and IOS refuses to remove a group in use: the
 * group would then be entered again and take the new members beside the
 * old), then the object-groups, so that each is built again from empty.
 */
static void
ios_remove(struct ios *s, struct out *o)
{
	int f;

	for (f = 0; f < FAM_N; f++) {
		out_printf(o, "no %s %s\n", ios_fam_acl[f], s->acl[f]);
		out_printf(o, "no %s %s\n", ios_fam_acl[f], s->ret[f]);
	}
	out_puts(o, out_str(&s->drop));
	out_puts(o, "!\n");
}

static int
ios_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	struct ios s;
	struct out hdr, rm, apply, rest;
	const char *iface;
	bool have[FAM_N], rhave[FAM_N];
	size_t i;
	int f, rc;

	memset(&s, 0, sizeof(s));
	cis_init(&s.c, opts, ir);
	if (ios_options(&s, &iface) < 0)
		return -1;
	cis_rules_begin(&s.c);
	for (i = 0; i < ir->nrules; i++) {
		ios_rule(&s, &ir->rules[i]);
		cis_rule_done(&s.c);
	}
	cis_rules_end(&s.c);
	out_init(&hdr);
	out_init(&rm);
	out_init(&apply);
	be_header(opts, ir, "! ", &hdr);
	ios_lists(&s, have, rhave);
	ios_remove(&s, &rm);
	if (s.grp.len > 0)
		out_puts(&s.grp, "!\n");
	if (have[FAM_V4] || have[FAM_V6])
		ios_apply(&s, iface, have, rhave, &apply);
	{
		const char *vars[] = {
			"HEADER", out_str(&hdr),
			"REMOVE", out_str(&rm),
			"OBJECTS", out_str(&s.grp),
			"APPLY", out_str(&apply),
			NULL
		};

		/* The lists straight into the file: they are most of it,
		 * and were written apart and copied in after. */
		rc = be_template_split(opts, "cisco-ios", vars, "ACLS",
		    &outs[0], &rest);
		if (rc == 0) {
			ios_acls(&s, have, rhave, &outs[0]);
			be_template_end(&outs[0], &rest);
		}
	}
	out_free(&hdr);
	out_free(&rm);
	out_free(&apply);
	out_free(&s.drop);
	out_free(&s.grp);
	for (f = 0; f < FAM_N; f++) {
		out_free(&s.eg[f]);
		out_free(&s.rt[f]);
	}
	return rc;
}

static const char *const ios_suffixes[] = { ".cisco-ios.txt", NULL };
static const struct be_option ios_optdecl[] = {
	CIS_OPT_ACL,
	CIS_OPT_IFACE,
	{ .key = "return", .kind = BE_OPT_ENUM, .values = ios_returns },
	{ .key = "object-groups", .kind = BE_OPT_ENUM, .values = ios_yesno },
	/* Read by the front end, which adds the rules (policy.c, add_dhcp). */
	{ .key = "dhcp", .kind = BE_OPT_ENUM, .values = ios_yesno },
	{ .key = NULL }
};

const struct backend be_cisco_ios = {
	.name = "cisco-ios",
	.caps = BE_SETS | BE_FIRST_MATCH | BE_LOG,
	.comment_max = CIS_REMARK_MAX,
	.comment_bad = CIS_COMMENT_BAD,
	.suffixes = ios_suffixes,
	.options = ios_optdecl,
	.emit = ios_emit,
};
