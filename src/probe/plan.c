/*
 * plan.c - from the bound IR to probe's tests (plan.h), and what the
 * policy expects of each.
 *
 * The expectation is the policy's own decision for the test's packet
 * (ir_decide, first match wins), not the action of the rule the test came
 * from: a host that an earlier deny also names is expected blocked, as
 * every back end would make it.
 */
#include <string.h>

#include "probe/plan.h"
#include "util/arena.h"
#include "util/out.h"

struct pport {
	enum proto	proto;
	unsigned	port;
};

struct pctx {
	struct arena			*a;
	const struct ir			*ir;
	const struct probe_plan_opts	*o;
	struct probe_plan		*p;
	size_t				 max;
	bool				 capped;
	size_t				 rule;
	/* The current rule's ports. */
	struct pport			*ports;
	size_t				 nports, capports;
	/* Stand-ins for any address: the given peers, or the TURN hosts. */
	struct probe_peer		*peers;
	size_t				 npeers, cappeers;
	bool				 turn;
	struct out			 anyrules;	/* "a, b" */
	size_t				 nany;
	long				 lastany;
};

static void
note(struct pctx *c, const char *text)
{
	ARENA_PUSH(c->a, c->p->notes, c->p->nnotes, c->p->capnotes);
	c->p->notes[c->p->nnotes - 1] = arena_strdup(c->a, text);
}

static const char *
rule_name(const struct pctx *c)
{
	return c->ir->rules[c->rule].name;
}

/* One test; false once the plan is full (said once, in a note). */
static bool
add(struct pctx *c, enum probe_via via, const char *what, const char *sni,
    bool has_addr, enum fam f, u128 addr, const struct pport *pp)
{
	struct probe_test *t;

	if (c->p->n >= c->max) {
		if (!c->capped)
			note(c, arena_printf(c->a, "stopped at %zu tests, the "
			    "most one run makes: rule '%s' is tried in part, "
			    "the rules after it not at all", c->max,
			    rule_name(c)));
		c->capped = true;
		return false;
	}
	ARENA_PUSH(c->a, c->p->t, c->p->n, c->p->cap);
	t = &c->p->t[c->p->n - 1];
	memset(t, 0, sizeof(*t));
	t->rule = c->rule;
	t->via = via;
	t->what = what;
	t->sni = sni;
	t->has_addr = has_addr;
	t->fam = f;
	t->addr = addr;
	t->proto = pp->proto;
	t->port = pp->port;
	t->kind = probe_kind_for(pp->proto, pp->port);
	t->result = has_addr ? PR_NONE : PR_NO_DNS;
	return true;
}

/* One address, every port of the rule. */
static bool
add_ports(struct pctx *c, enum probe_via via, const char *what,
    const char *sni, bool has_addr, enum fam f, u128 addr)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (!add(c, via, what, sni, has_addr, f, addr, &c->ports[i]))
			return false;
	return true;
}

static void
push_port(struct pctx *c, enum proto p, unsigned port)
{
	ARENA_PUSH(c->a, c->ports, c->nports, c->capports);
	c->ports[c->nports - 1] = (struct pport){ p, port };
}

/* The lowest, middle and highest port of [lo, hi], or all of them (no
 * more than a plan can hold).  Port 0 cannot be connected to. */
static void
sample_ports(struct pctx *c, enum proto p, unsigned lo, unsigned hi)
{
	unsigned mid, x;

	if (lo == 0)
		lo = 1;
	if (lo > hi)
		return;
	if (c->o->all) {
		for (x = lo; x <= hi && c->nports <= c->max; x++)
			push_port(c, p, x);
		return;
	}
	push_port(c, p, lo);
	mid = lo + (hi - lo) / 2;
	if (mid != lo && mid != hi)
		push_port(c, p, mid);
	if (hi != lo)
		push_port(c, p, hi);
}

/* The rule's TCP and UDP ports to try; notes what is not tried. */
static void
rule_ports(struct pctx *c, const struct ir_rule *r)
{
	static const enum proto ps[] = { P_TCP, P_UDP };
	size_t i, k;

	c->nports = 0;
	for (i = 0; i < 2; i++) {
		const struct iset *s = &r->svc.p[ps[i]];

		if (r->svc.all)
			sample_ports(c, ps[i], 1, 65535);
		else
			for (k = 0; k < s->n; k++)
				sample_ports(c, ps[i], (unsigned)s->v[k].lo,
				    (unsigned)s->v[k].hi);
	}
	if (r->svc.all || !iset_empty(&r->svc.p[P_ICMP]) ||
	    !iset_empty(&r->svc.p[P_ICMP6]))
		note(c, arena_printf(c->a, "rule '%s': ICMP is not tried "
		    "(probe sends TCP and UDP only)", r->name));
}

/* Is label one of the dot-separated labels of name? */
static bool
has_label(const char *name, const char *label)
{
	size_t n = strlen(label);
	const char *p = name;

	for (;;) {
		if (strncmp(p, label, n) == 0 && (p[n] == '.' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, '.')) == NULL)
			return false;
		p++;
	}
}

/* A TURN host's addresses as stand-ins: its first of each family, or
 * with all every one (no more than a plan can hold). */
static void
push_peers(struct pctx *c, const char *name, const struct aset *as)
{
	int f;
	size_t k;

	for (f = 0; f < FAM_N; f++)
		for (k = 0; k < as->f[f].n; k++) {
			u128 v = as->f[f].v[k].lo;

			do {
				ARENA_PUSH(c->a, c->peers, c->npeers,
				    c->cappeers);
				c->peers[c->npeers - 1] = (struct probe_peer){
					name, (enum fam)f, v };
			} while (c->o->all && v++ != as->f[f].v[k].hi &&
			    c->npeers <= c->max);
			if (!c->o->all)
				break;
		}
}

/* The TURN hosts the policy names, in rule order, once each. */
static void
turn_peers(struct pctx *c)
{
	size_t i, k, x;

	for (i = 0; i < c->ir->nrules; i++) {
		const struct ir_rule *r = &c->ir->rules[i];

		for (k = 0; r->dir == IR_EGRESS && k < r->nnames; k++) {
			const struct ir_name *nm = &r->names[k];
			bool seen = false;

			if (nm->wildcard || !nm->resolved ||
			    !has_label(nm->name, "turn"))
				continue;
			for (x = 0; x < c->npeers && !seen; x++)
				seen = strcmp(c->peers[x].name, nm->name) == 0;
			if (!seen)
				push_peers(c, nm->name, &nm->addrs);
		}
	}
}

/* A rule to any address of family f: its tests at the stand-ins. */
static bool
any_dst(struct pctx *c, const struct ir_rule *r, enum fam f)
{
	size_t i, n = 0;

	if (c->lastany != (long)c->rule) {
		out_printf(&c->anyrules, "%s%s", c->nany ? ", " : "", r->name);
		c->nany++;
		c->lastany = (long)c->rule;
	}
	for (i = 0; i < c->npeers; i++) {
		if (c->peers[i].fam != f)
			continue;
		n++;
		if (!add_ports(c, PV_PEER, c->peers[i].name, c->peers[i].name,
		    true, f, c->peers[i].addr))
			return false;
	}
	if (n == 0)
		note(c, arena_printf(c->a, "rule '%s': any %s address: no "
		    "stand-in of that family (%s), not tried", r->name,
		    f == FAM_V4 ? "IPv4" : "IPv6", c->turn ? "no TURN host "
		    "has one; --media-peer ADDR names one" : "no --media-peer "
		    "of it"));
	return true;
}

/* Intervals of at most this many addresses are tried whole: the IR
 * merges addresses a rule lists one by one into such intervals. */
#define SMALL_RANGE	4

/* "192.0.2.0/28" for an interval that is one prefix, else "lo-hi". */
static const char *
range_text(struct pctx *c, enum fam f, const struct ival *iv)
{
	char b1[ADDR_STRLEN], b2[ADDR_STRLEN];
	u128 size = iv->hi - iv->lo + 1;
	int host = 0;

	while (host < fam_bits(f) && ((u128)1 << host) < size)
		host++;
	if (size != 0 && ((u128)1 << host) == size &&
	    (iv->lo & (size - 1)) == 0)
		return arena_strdup(c->a, addr_format(b1, f, iv->lo,
		    fam_bits(f) - host));
	return arena_printf(c->a, "%s-%s", addr_format(b1, f, iv->lo,
	    fam_bits(f)), addr_format(b2, f, iv->hi, fam_bits(f)));
}

/* Addresses of the rule: a small interval address by address, a wider
 * one at its first host address (the lowest but one), or with all every
 * address. */
static bool
range_dst(struct pctx *c, enum fam f, const struct ival *iv)
{
	bool each = c->o->all || iv->hi - iv->lo < SMALL_RANGE;
	const char *what = iv->hi - iv->lo < SMALL_RANGE ? NULL :
	    range_text(c, f, iv);
	u128 v = each ? iv->lo : iv->lo + 1;

	do
		if (!add_ports(c, what ? PV_RANGE : PV_ADDR, what, NULL, true,
		    f, v))
			return false;
	while (each && v++ != iv->hi);
	return true;
}

static bool
name_dst(struct pctx *c, const struct ir_rule *r, const struct ir_name *nm)
{
	int f;
	size_t k;

	if (nm->wildcard && !nm->resolved) {
		note(c, arena_printf(c->a, "rule '%s': %s is kept as a name "
		    "for the firewall to match; no address to try", r->name,
		    nm->name));
		return true;
	}
	if (!nm->resolved || aset_empty(&nm->addrs))
		return add_ports(c, PV_HOST, nm->name, NULL, false, FAM_V4, 0);
	for (f = 0; f < FAM_N; f++)
		for (k = 0; k < nm->addrs.f[f].n; k++) {
			u128 v = nm->addrs.f[f].v[k].lo;

			do
				if (!add_ports(c, PV_HOST, nm->name, nm->name,
				    true, (enum fam)f, v))
					return false;
			while (c->o->all && v++ != nm->addrs.f[f].v[k].hi);
			if (!c->o->all)
				break;
		}
	return true;
}

/* Every destination of one rule; false once the plan is full. */
static bool
rule_tests(struct pctx *c, const struct ir_rule *r)
{
	size_t i, k;
	int f;

	if (r->dir != IR_EGRESS) {
		note(c, arena_printf(c->a, "rule '%s': inbound, not tried "
		    "(probe tries what leaves this host)", r->name));
		return true;
	}
	rule_ports(c, r);
	if (c->nports == 0)
		return true;
	for (i = 0; i < r->nnames; i++)
		if (!name_dst(c, r, &r->names[i]))
			return false;
	for (f = 0; f < FAM_N; f++) {
		if (aset_fam_full(&r->dst, (enum fam)f)) {
			if (!any_dst(c, r, (enum fam)f))
				return false;
			continue;
		}
		for (k = 0; k < r->dst.f[f].n; k++)
			if (!range_dst(c, (enum fam)f, &r->dst.f[f].v[k]))
				return false;
	}
	return true;
}

/* The note that says where "any address" was tried, and where not. */
static void
any_note(struct pctx *c)
{
	struct out o;
	char buf[ADDR_STRLEN];
	size_t i, nhosts = 0;

	if (c->nany == 0)
		return;
	out_init(&o);
	out_printf(&o, "any address (rule%s %s): ", c->nany > 1 ? "s" : "",
	    out_str(&c->anyrules));
	for (i = 0; c->turn && i < c->npeers; i++)
		nhosts += i == 0 || strcmp(c->peers[i].name,
		    c->peers[i - 1].name) != 0;
	if (c->npeers == 0)
		out_puts(&o, "no TURN host in the policy and no --media-peer: "
		    "not tried");
	else if (c->turn)
		out_printf(&o, "tried at %s of the %zu TURN host%s the policy "
		    "names (HOST says which), which need not answer on these "
		    "ports; no other address was tried (--media-peer ADDR "
		    "names one that does)", c->o->all ? "every address" :
		    "the first IPv4 and IPv6 address", nhosts,
		    nhosts == 1 ? "" : "s");
	else {
		out_puts(&o, "tried at --media-peer");
		for (i = 0; i < c->npeers; i++)
			out_printf(&o, "%s%s", i ? ", " : " ",
			    addr_format(buf, c->peers[i].fam,
			    c->peers[i].addr, fam_bits(c->peers[i].fam)));
		out_puts(&o, "; no other address was tried");
	}
	note(c, out_str(&o));
	out_free(&o);
}

void
probe_plan(struct arena *a, const struct ir *ir,
    const struct probe_plan_opts *o, struct probe_plan *p)
{
	struct pctx c;
	size_t i;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.ir = ir;
	c.o = o;
	c.p = p;
	c.max = o->max_tests ? o->max_tests : PROBE_MAX_TESTS;
	out_init(&c.anyrules);
	c.lastany = -1;
	for (i = 0; i < o->npeers; i++) {
		ARENA_PUSH(a, c.peers, c.npeers, c.cappeers);
		c.peers[i] = o->peers[i];
	}
	if (o->npeers == 0) {
		c.turn = true;
		turn_peers(&c);
	}
	for (i = 0; i < ir->nrules; i++) {
		/* One target's own rules (cisco-ios: DHCP to the router)
		 * are no traffic of the client's. */
		if (ir->rules[i].target != NULL)
			continue;
		c.rule = i;
		if (!rule_tests(&c, &ir->rules[i]))
			break;
	}
	any_note(&c);
	out_free(&c.anyrules);
}

long
probe_expect(const struct ir *ir, const struct probe_test *t, bool *open)
{
	struct ir_packet pk;
	long i;

	if (!t->has_addr) {
		*open = ir->rules[t->rule].action == IR_ALLOW;
		return (long)t->rule;
	}
	memset(&pk, 0, sizeof(pk));
	pk.fam = t->fam;
	pk.dst = t->addr;
	pk.src = t->src;
	pk.any_src = !t->has_src;
	pk.dir = IR_EGRESS;
	pk.proto = proto_ipp[t->proto];	/* the IR decides by IP protocol number */
	pk.port = t->port;
	i = ir_decide(ir, &pk);
	if (i >= 0)
		*open = ir->rules[i].action == IR_ALLOW;
	else
		*open = ir->def != IR_DEF_DENY;
	return i;
}
