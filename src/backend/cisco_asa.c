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
 * wildcards never stay names here.
 */
#include <string.h>

#include "backend/backend.h"
#include "backend/cisco.h"
#include "util/arena.h"

struct asa_fqdn {
	const char	*host;
	const char	*obj[FAM_N];
};

struct asa {
	struct cis	 c;
	const char	*acl;
	struct out	 drop, objs, grp, body;
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
		out_printf(&s->drop, "no object network %s\n", q->obj[f]);
		/* Host names reach here checked by the front end (PCRE2),
		 * so they hold nothing that ends the command. */
		out_printf(&s->objs, "object network %s\n fqdn %s %s\n",
		    q->obj[f], asa_v[f], host);
	}
	return q;
}

/*
 * The address word of a rule's source or destination in one family:
 * "any4", "host A", "A MASK", "A/len", "object N" or an object-group.
 * names: also the rule's host names (destinations only).
 */
static const char *
asa_addr(struct asa *s, const struct ir_rule *r, const struct aset *set,
    enum fam f, bool names, const char *kind, const char **cache)
{
	struct arena *a = s->c.a;
	struct prefix *p;
	const struct asa_fqdn *q;
	const char *name;
	size_t n, i, nn = names ? r->nnames : 0;

	if (*cache != NULL)
		return *cache;
	n = aset_prefixes(a, set, f, &p);
	if (n == 1 && p[0].len == 0)
		return *cache = asa_any[f];
	if (n == 1 && nn == 0)
		return *cache = cis_addr(&s->c, f, &p[0], false);
	if (n == 0 && nn == 1)
		return *cache = arena_printf(a, "object %s",
		    asa_fqdn(s, r->names[0].name)->obj[f]);
	name = cis_objname(&s->c, s->acl, r->name, kind);
	out_printf(&s->drop, "no object-group network %s\n", name);
	out_printf(&s->grp, "object-group network %s\n", name);
	for (i = 0; i < n; i++)
		out_printf(&s->grp, " network-object %s\n",
		    cis_addr(&s->c, f, &p[i], false));
	for (i = 0; i < nn; i++) {
		q = asa_fqdn(s, r->names[i].name);
		out_printf(&s->grp, " network-object object %s\n", q->obj[f]);
	}
	return *cache = arena_printf(a, "object-group %s", name);
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
	out_printf(&s->drop, "no object-group service %s\n", name);
	out_printf(&s->grp, "object-group service %s %s\n", name, type);
	for (i = 0; i < ps->n; i++)
		out_printf(&s->grp, " port-object%s\n",
		    cis_ports(&s->c, &ps->v[i]));
	cache[p] = arena_printf(s->c.a, " object-group %s", name);
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

static void
asa_rule(struct asa *s, const struct ir_rule *r)
{
	static const char *const pw[P_N] = { "tcp", "udp", "icmp", "icmp6" };
	struct be_match m[BE_MAX_MATCHES];
	struct ir_rule probe;
	struct out o;
	const char *src[FAM_N] = { NULL }, *dst[FAM_N] = { NULL };
	const char *svc[P_N] = { NULL };
	const char *sw, *dw, *proto;
	size_t nm, k, i;
	int f, fam;
	u128 t;

	/*
	 * be_matches() knows a family by the rule's addresses; host names
	 * kept as fqdn objects count for both families, so show it a rule
	 * whose destination has a member in each.
	 */
	probe = *r;
	if (r->nnames > 0) {
		aset_init(&probe.dst);
		aset_union(s->c.a, &probe.dst, &r->dst);
		for (f = 0; f < FAM_N; f++)
			aset_add_prefix(s->c.a, &probe.dst, (enum fam)f, 0,
			    fam_bits((enum fam)f));
		aset_norm(&probe.dst);
	}
	nm = be_matches(&probe, s->c.opts->be->caps, m);
	out_init(&o);
	for (k = 0; k < nm; k++) {
		fam = m[k].fam;
		if (fam < 0) {
			sw = dw = "any";
		} else {
			sw = asa_addr(s, r, &r->src, (enum fam)fam, false,
			    fam == FAM_V4 ? "src4" : "src6", &src[fam]);
			dw = asa_addr(s, r, &r->dst, (enum fam)fam, true,
			    fam == FAM_V4 ? "dst4" : "dst6", &dst[fam]);
		}
		if (m[k].proto < 0) {
			asa_line(s, r, &o, "ip", sw, dw, "");
			continue;
		}
		proto = pw[m[k].proto];
		if (m[k].ports == NULL) {
			asa_line(s, r, &o, proto, sw, dw, "");
			continue;
		}
		if (m[k].proto == P_ICMP || m[k].proto == P_ICMP6) {
			/* One entry per ICMP type. */
			for (i = 0; i < m[k].ports->n; i++)
				for (t = m[k].ports->v[i].lo;
				    t <= m[k].ports->v[i].hi; t++)
					asa_line(s, r, &o, proto, sw, dw,
					    arena_printf(s->c.a, " %u",
					    (unsigned)t));
			continue;
		}
		if (m[k].ports->n == 1)
			asa_line(s, r, &o, proto, sw, dw,
			    cis_ports(&s->c, &m[k].ports->v[0]));
		else
			asa_line(s, r, &o, proto, sw, dw, asa_svcgroup(s, r,
			    (enum proto)m[k].proto, svc));
	}
	/* The remark goes before the rule's entries, never between. */
	if (o.len > 0)
		out_printf(&s->body, "access-list %s remark %s\n%s", s->acl,
		    cis_remark(&s->c, r), out_str(&o));
	out_free(&o);
}

static int
asa_emit(const struct ir *ir, const struct be_opts *opts, struct out *outs)
{
	struct asa s;
	struct out hdr, rm, apply;
	const char *iface;
	size_t i;
	int rc, errs = diag_errors();

	memset(&s, 0, sizeof(s));
	cis_init(&s.c, opts, ir);
	s.acl = cis_opt_acl(&s.c);
	iface = cis_opt_iface(&s.c);
	if (diag_errors() != errs)
		return -1;
	/* Objects and ACLs share the ASA's name space. */
	cis_objname(&s.c, s.acl, "", "");
	for (i = 0; i < ir->nrules; i++)
		asa_rule(&s, &ir->rules[i]);
	switch (ir->def) {
	case IR_DEF_DENY:
		out_printf(&s.body, "access-list %s remark default: deny "
		    "everything else\naccess-list %s extended deny ip any any\n",
		    s.acl, s.acl);
		s.nent++;
		break;
	case IR_DEF_ACCEPT:
		out_printf(&s.body, "access-list %s remark default: permit "
		    "everything else\naccess-list %s extended permit ip any "
		    "any\n", s.acl, s.acl);
		s.nent++;
		break;
	case IR_DEF_NONE:
		break;
	}

	out_init(&hdr);
	out_init(&rm);
	out_init(&apply);
	be_header(opts, ir, "! ", &hdr);
	/* The ACL goes first so that no object is in use when it goes. */
	out_printf(&rm, "clear configure access-list %s\n%s!\n", s.acl,
	    out_str(&s.drop));
	if (s.objs.len > 0)
		out_puts(&s.objs, "!\n");
	if (s.grp.len > 0)
		out_puts(&s.grp, "!\n");
	if (s.body.len > 0)
		out_puts(&s.body, "!\n");
	if (s.nent > 0 && iface != NULL)
		out_printf(&apply, "access-group %s in interface %s\n", s.acl,
		    iface);
	else if (s.nent > 0)
		out_printf(&apply, "! Apply on the clients' interface:\n"
		    "!   access-group %s in interface <inside-interface>\n",
		    s.acl);
	{
		const char *vars[] = {
			"HEADER", out_str(&hdr),
			"REMOVE", out_str(&rm),
			"OBJECTS", out_str(&s.objs),
			"GROUPS", out_str(&s.grp),
			"ACL", out_str(&s.body),
			"APPLY", out_str(&apply),
			NULL
		};

		rc = be_template(opts, "cisco-asa", vars, &outs[0]);
	}
	out_free(&hdr);
	out_free(&rm);
	out_free(&apply);
	out_free(&s.drop);
	out_free(&s.objs);
	out_free(&s.grp);
	out_free(&s.body);
	return rc;
}

static const char *const asa_suffixes[] = { ".cisco-asa.txt", NULL };
static const char *const asa_options[] = { "acl", "interface", NULL };

const struct backend be_cisco_asa = {
	.name = "cisco-asa",
	.caps = BE_SETS | BE_FQDN | BE_FIRST_MATCH | BE_MIXED_FAM | BE_LOG,
	.comment_max = CIS_REMARK_MAX,
	.comment_bad = CIS_COMMENT_BAD,
	.suffixes = asa_suffixes,
	.options = asa_options,
	.emit = asa_emit,
};
