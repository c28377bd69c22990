/*
 * iptables.c - three files: an ipset restore file, NAME.ipset, with the
 * policy's sets, and two iptables-restore files, IPv4 and IPv6, for
 * `iptables-restore --noflush`: they declare, and so flush, only the
 * policy's own EGRESSC-NAME chains and fill them; the jump from OUTPUT
 * (INPUT) is made once by the command the file's header gives, so that
 * the rules other tools keep in the filter table (Docker, ufw, fail2ban)
 * are never touched.  A rule becomes one line per source prefix,
 * destination, protocol and multiport chunk, a destination being a prefix
 * or a set: a rule with host names looks its destinations up in a floor
 * set and a dynamic set per family (as the nftables model does, nft.h),
 * and one with IPT_SET_MIN destination prefixes or more in a family in a
 * floor set alone.
 *
 * A run of adjacent allow rules of a chain (targets.iptables.merge, on by
 * default) becomes one line in a family: rules of one verdict commute, so
 * the union of what they admit, matched where the first of them stood,
 * decides every packet as they did.  A rule can join when it does not log,
 * has no source restriction and no host names, and admits TCP and UDP
 * ports only: its (prefix, protocol, port) triples go into a hash:net,port
 * ipset, POLICY.STEM_m4 after the run's first rule, matched dst,dst.  A
 * rule with nothing in the family is passed over; any other rule ends the
 * run.  ipset adds a port range as one element per port: a run is closed
 * before it would pass IPT_RUN_MAX elements, ipset's default maxelem.
 */
#include <string.h>

#include "backend/backend.h"
#include "backend/iptables.h"
#include "ir/icmp.h"
#include "nft/nft.h"
#include "util/strset.h"

#define MULTIPORT_MAX	15	/* slots; a range takes two */
#define IPT_SET_MIN	4	/* destination prefixes that take a set */
#define IPSET_NAME_MAX	31	/* ipset(8): IPSET_MAXNAMELEN less the NUL */
#define IPSET_BASE_MAX	(IPSET_NAME_MAX - 3)	/* room for _f4 */
#define IPT_RUN_MAX	65536	/* elements of a merged run's set */
#define IPT_RUN_NAMES	200	/* bytes of rule names in its comment */

/* The sets of one rule, by family: NULL where it has none. */
struct ipt_rsets {
	const char	*floor[FAM_N];
	const char	*tmp[FAM_N];	/* the floor's next content, swapped in */
	const char	*dyn[FAM_N];	/* NULL: floor set alone */
	/* A merged run: every rule of it has merged set; the first has the
	 * run's set (and its twin) and the index past its last rule. */
	bool		 merged[FAM_N];
	const char	*run[FAM_N], *runtmp[FAM_N];
	size_t		 runend[FAM_N];
};

extern const struct backend be_iptables;

struct ipt {
	const struct be_opts	*op;
	struct out		*o;
	const char		*chain;
	enum fam		 fam;
	const struct ir		*ir;
	const struct ipt_rsets	*sets;	/* parallel to ir->rules */
	/* The rule's source and destination words, made once per rule
	 * rather than once per protocol and port chunk. */
	const char		**srcs, **dsts;
	size_t			 ns, nd;
};

static void
put_ports(struct out *o, const struct iset *s, char sep)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		out_printf(o, "%s%u", i ? "," : "", (unsigned)s->v[i].lo);
		if (s->v[i].hi != s->v[i].lo)
			out_printf(o, "%c%u", sep, (unsigned)s->v[i].hi);
	}
}

/*
 * The protocol part of a line: "-p tcp -m multiport --dports 1,2",
 * "-p icmp --icmp-type 3/4" (one message: tc), "-p 47".  Protocols go by
 * the names iptables knows without /etc/protocols, else by number.
 */
static void
put_proto(struct out *o, enum fam f, const struct be_match *m,
    const struct iset *ports, int type, int code)
{
	if (m->proto < 0)
		return;
	if (m->proto == P_ICMP || m->proto == P_ICMP6) {
		out_printf(o, f == FAM_V4 ? " -p icmp" : " -p ipv6-icmp");
		if (type >= 0)
			out_printf(o, f == FAM_V4 ? " --icmp-type %d" :
			    " --icmpv6-type %d", type);
		if (code >= 0)
			out_printf(o, "/%d", code);
		return;
	}
	if (m->proto == BE_OTHER) {
		if (m->ipp == 50 || m->ipp == 51)
			out_printf(o, " -p %s", ipp_name(m->ipp));
		else
			out_printf(o, " -p %u", m->ipp);
		return;
	}
	out_printf(o, " -p %s", proto_name[m->proto]);
	if (ports == NULL)
		return;
	if (ports->n == 1) {
		out_puts(o, " --dport ");
		put_ports(o, ports, ':');
	} else {
		out_puts(o, " -m multiport --dports ");
		put_ports(o, ports, ':');
	}
}

static void
put_line(struct ipt *t, const struct ir_rule *r, const char *src,
    const char *dst, const char *proto, const char *comment)
{
	static const char *const target[] = { "ACCEPT", "DROP", "REJECT" };
	int pass;

	/* A logged rule gets a LOG line with the same match first. */
	for (pass = r->log ? 0 : 1; pass < 2; pass++) {
		out_printf(t->o, "-A %s", t->chain);
		if (src != NULL)
			out_printf(t->o, " -s %s", src);
		if (dst != NULL)
			out_puts(t->o, dst);
		out_puts(t->o, proto);
		out_printf(t->o, " -m comment --comment \"%s\"", comment);
		if (pass == 0)
			out_printf(t->o, " -j LOG --log-prefix \"egressc %.20s \"\n",
			    r->name);
		else if (r->action == IR_REJECT && strstr(proto, "-p tcp"))
			out_puts(t->o, " -j REJECT --reject-with tcp-reset\n");
		else
			out_printf(t->o, " -j %s\n", target[r->action]);
	}
}

/* Prefixes of one side, each after opt (" -d "), or a single NULL entry
 * meaning "any". */
static size_t
side(struct arena *a, const struct aset *s, enum fam f, const char *opt,
    const char ***out)
{
	struct prefix *p;
	size_t n, i;
	char buf[ADDR_STRLEN];

	if (aset_fam_full(s, f)) {
		*out = arena_alloc(a, sizeof(**out));
		return 1;
	}
	n = aset_prefixes(a, s, f, &p);
	*out = arena_alloc(a, (n ? n : 1) * sizeof(**out));
	for (i = 0; i < n; i++)
		(*out)[i] = arena_printf(a, "%s%s", opt, addr_format(buf, f,
		    p[i].addr, p[i].len));
	return n;
}

/* The destinations of a line: the rule's sets in the family (floor, then
 * dynamic), or its prefixes. */
static size_t
dst_side(struct ipt *t, const struct ir_rule *r, const char ***out)
{
	struct arena *a = t->op->arena;
	const struct ipt_rsets *rs = &t->sets[r - t->ir->rules];
	size_t n = 0;

	if (rs->floor[t->fam] == NULL)
		return side(a, &r->dst, t->fam, " -d ", out);
	*out = arena_alloc(a, 2 * sizeof(**out));
	(*out)[n++] = arena_printf(a, " -m set --match-set %s dst",
	    rs->floor[t->fam]);
	if (rs->dyn[t->fam] != NULL)
		(*out)[n++] = arena_printf(a, " -m set --match-set %s dst",
		    rs->dyn[t->fam]);
	return n;
}

/* One line per source, destination and protocol part. */
static void
put_lines(struct ipt *t, const struct ir_rule *r, const struct be_match *m,
    const struct iset *ports, int type, int code, const char *comment)
{
	struct out proto;
	size_t s, d;

	out_init(&proto);
	put_proto(&proto, t->fam, m, ports, type, code);
	for (s = 0; s < t->ns; s++)
		for (d = 0; d < t->nd; d++)
			put_line(t, r, t->srcs[s], t->dsts[d],
			    out_str(&proto), comment);
	out_free(&proto);
}

/* ICMP: one line per type, or per type and code (--icmp-type takes one). */
static void
put_icmp(struct ipt *t, const struct ir_rule *r, const struct be_match *m,
    const char *comment)
{
	struct icmp_group *g;
	size_t ng, i, j, k;
	u128 ty, c;

	ng = icmp_groups(t->op->arena, m->ports, &g);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].types.n; j++)
			for (ty = g[i].types.v[j].lo;
			    ty <= g[i].types.v[j].hi; ty++) {
				if (g[i].every_code) {
					put_lines(t, r, m, NULL, (int)ty, -1,
					    comment);
					continue;
				}
				for (k = 0; k < g[i].codes.n; k++)
					for (c = g[i].codes.v[k].lo;
					    c <= g[i].codes.v[k].hi; c++)
						put_lines(t, r, m, NULL,
						    (int)ty, (int)c, comment);
			}
}

/*
 * A rule with host names has a line in each family it has a source in, as
 * in the nftables model, so that a DNS answer in a family the lock has no
 * address of has a set to go to: its matches are those of the rule with
 * every destination.
 */
static size_t
rule_matches(struct arena *a, const struct ir_rule *r, unsigned caps,
    struct be_match **m)
{
	struct ir_rule *tmp;

	if (r->nhosts == 0)
		return be_matches(a, r, caps, m);
	/* The matches point into the rule: it outlives this call. */
	tmp = arena_alloc(a, sizeof(*tmp));
	*tmp = *r;
	aset_init(&tmp->dst);
	aset_any(a, &tmp->dst);
	return be_matches(a, tmp, caps & ~(unsigned)BE_MIXED_FAM, m);
}

static void
put_rule(struct ipt *t, const struct ir_rule *r)
{
	struct arena *a = t->op->arena;
	struct be_match *m;
	const char *comment;
	struct iset *chunks;
	size_t nm, i, nc, c;

	comment = be_rule_comment(t->op, r);
	nm = rule_matches(a, r, t->op->be->caps, &m);
	t->ns = t->nd = 0;
	for (i = 0; i < nm; i++) {
		if (m[i].fam != (int)t->fam)
			continue;
		if (t->ns == 0) {
			t->ns = side(a, &r->src, t->fam, "", &t->srcs);
			t->nd = dst_side(t, r, &t->dsts);
		}
		if (m[i].ports == NULL) {
			put_lines(t, r, &m[i], NULL, -1, -1, comment);
			continue;
		}
		if (m[i].proto == P_ICMP || m[i].proto == P_ICMP6) {
			put_icmp(t, r, &m[i], comment);
			continue;
		}
		nc = be_chunks(a, m[i].ports, MULTIPORT_MAX, &chunks);
		for (c = 0; c < nc; c++)
			put_lines(t, r, &m[i], &chunks[c], -1, -1, comment);
	}
}

/* The one line of a merged run, its comment the rules' names. */
static void
put_run(struct ipt *t, size_t head)
{
	const struct ipt_rsets *rs = t->sets;
	const struct ir *ir = t->ir;
	struct out names;
	size_t i, n = 0, left = 0;

	out_init(&names);
	for (i = head; i < rs[head].runend[t->fam]; i++) {
		if (!rs[i].merged[t->fam] || ir->rules[i].dir !=
		    ir->rules[head].dir)
			continue;
		if (names.len + strlen(ir->rules[i].name) + 2 > IPT_RUN_NAMES) {
			left++;
			continue;
		}
		out_printf(&names, "%s%s", n++ ? ", " : "", ir->rules[i].name);
	}
	if (left > 0)
		out_printf(&names, " +%zu more", left);
	out_printf(t->o, "-A %s -m set --match-set %s dst,dst -m comment "
	    "--comment \"%s\" -j ACCEPT\n", t->chain, rs[head].run[t->fam],
	    be_text(t->op, arena_printf(t->op->arena, "merged: %s",
	    out_str(&names)), 0));
	out_free(&names);
}

/*
 * One chain.  The jump to it from the built-in chain is not in the file:
 * iptables-restore --noflush cannot make it idempotently (a -D of a rule
 * that is not there fails the whole commit, and an -I adds one each
 * load), so the header gives the command that does: `iptables -C` and,
 * only when that finds no jump, `iptables -I ... 1`.
 */
static void
put_chain(struct ipt *t, enum ir_dir dir)
{
	static const char *const final[] = { "DROP", "ACCEPT", NULL };
	static const char *const lo[] = { "-o", "-i" };
	const struct ir *ir = t->ir;
	const char *chain = t->chain;
	struct out *o = t->o;
	size_t i;

	if (ir->def != IR_DEF_NONE) {
		/* A reply is all a connection opened from outside needs:
		 * refuse to send one (see ir_closes_inbound). */
		if (dir == IR_EGRESS && ir_closes_inbound(ir))
			out_printf(o, "-A %s ! -o lo -m conntrack --ctdir REPLY "
			    "-j DROP\n", chain);
		out_printf(o, "-A %s -m conntrack --ctstate ESTABLISHED,RELATED "
		    "-j ACCEPT\n-A %s %s lo -j ACCEPT\n", chain, chain, lo[dir]);
	}
	for (i = 0; i < ir->nrules; i++) {
		if (ir->rules[i].dir != dir)
			continue;
		if (t->sets[i].run[t->fam] != NULL)
			put_run(t, i);
		else if (!t->sets[i].merged[t->fam])
			put_rule(t, &ir->rules[i]);
	}
	/* The policy's default is the chain's last rule: the built-in
	 * chain's policy belongs to the host, and other tools. */
	if (ir->def != IR_DEF_NONE)
		out_printf(o, "-A %s -m comment --comment \"default %s\" "
		    "-j %s\n", chain, ir_default_name[ir->def], final[ir->def]);
}

/* The header's lines that hook a chain in, once. */
static void
put_hook(struct out *o, const char *cmd, const char *builtin,
    const char *chain)
{
	out_printf(o, "#   %s -C %s -j %s 2>/dev/null ||\n"
	    "#     %s -I %s 1 -j %s\n", cmd, builtin, chain, cmd, builtin,
	    chain);
}

static int
emit_fam(const struct ir *ir, const struct be_opts *op, const char *const *chain,
    const struct ipt_rsets *sets, enum fam f, struct out *o)
{
	const char *cmd = f == FAM_V4 ? "iptables" : "ip6tables";
	struct ipt t = { op, o, NULL, f, ir, sets, NULL, NULL, 0, 0 };
	struct out hdr, hooks, chains, rules;
	const char *vars[11];
	int rc;

	out_init(&hdr);
	out_init(&hooks);
	out_init(&chains);
	out_init(&rules);
	be_header(op, ir, "# ", &hdr);
	hdr.buf[--hdr.len] = '\0';
	if (ir->def == IR_DEF_NONE)
		out_printf(&hooks, "#   (default: none: jump to %s from a chain "
		    "of your own)\n", chain[IR_EGRESS]);
	else
		put_hook(&hooks, cmd, "OUTPUT", chain[IR_EGRESS]);
	if (chain[IR_INBOUND] != NULL && ir->def != IR_DEF_NONE)
		put_hook(&hooks, cmd, "INPUT", chain[IR_INBOUND]);
	out_printf(&chains, ":%s - [0:0]\n", chain[IR_EGRESS]);
	if (chain[IR_INBOUND] != NULL)
		out_printf(&chains, ":%s - [0:0]\n", chain[IR_INBOUND]);
	t.o = &rules;
	t.chain = chain[IR_EGRESS];
	put_chain(&t, IR_EGRESS);
	/* Only a policy with inbound rules owns the input path. */
	if (chain[IR_INBOUND] != NULL) {
		t.chain = chain[IR_INBOUND];
		put_chain(&t, IR_INBOUND);
	}
	vars[0] = "HEADER", vars[1] = out_str(&hdr);
	vars[2] = "RESTORE", vars[3] = f == FAM_V4 ? "iptables-restore" :
	    "ip6tables-restore";
	vars[4] = "CHAINS", vars[5] = out_str(&chains);
	vars[6] = "HOOKS", vars[7] = out_str(&hooks);
	vars[8] = "IPSET", vars[9] = arena_printf(op->arena, "%s.ipset",
	    ir->name);
	vars[10] = NULL;
	rc = be_template_take(op, "iptables", vars, "RULES", &rules, o);
	out_free(&hdr);
	out_free(&hooks);
	out_free(&chains);
	out_free(&rules);
	return rc;
}

/* FNV-1a. */
static unsigned
fnv(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * ipset's names are one namespace for the whole host, at most 31 bytes:
 * POLICY.STEM (STEM as nft_rule_stem gives it) and the set's _f4, _d4,
 * _n4 ...  A POLICY.STEM of more than 28 bytes is cut to 19, the policy's
 * part to 8 bytes or what the stem leaves, and ends in '_' and eight hex
 * digits of the FNV-1a hash of the whole.
 */
static const char *
set_base(struct arena *a, const char *policy, const char *stem)
{
	const char *s = arena_printf(a, "%s.%s", policy, stem);
	int room = IPSET_BASE_MAX - 10, pl, sl = (int)strlen(stem);

	if (strlen(s) <= IPSET_BASE_MAX)
		return s;
	pl = room - sl > 8 ? room - sl : 8;
	if (pl > (int)strlen(policy))
		pl = (int)strlen(policy);
	return arena_printf(a, "%.*s.%.*s_%08x", pl, policy, room - pl, stem,
	    fnv(s));
}

/* Which families of rule i take sets: those of its lines that do not
 * take every destination, and with no names, IPT_SET_MIN prefixes. */
static bool
fam_sets(struct arena *a, const struct ir_rule *r, const struct ipt_rsets *rs,
    enum fam f)
{
	struct be_match *m;
	struct prefix *p;
	size_t n, i;

	if (rs->merged[f] || aset_fam_full(&r->dst, f))
		return false;
	if (r->nhosts == 0)
		return aset_prefixes(a, &r->dst, f, &p) >= IPT_SET_MIN;
	n = rule_matches(a, r, be_iptables.caps, &m);
	for (i = 0; i < n; i++)
		if (m[i].fam == (int)f)
			return true;
	return false;
}

/*
 * Whether rule r can join a merged run in family f: allow, no log, every
 * source, no host names, some destinations but not every one (hash:net
 * takes no /0), TCP and UDP ports only, none of them port 0.  Its
 * elements (prefixes times ports, as ipset expands ranges) in *nel.
 */
static bool
mergeable(struct arena *a, const struct ir_rule *r, enum fam f, u128 *nel)
{
	const struct svc *v = &r->svc;
	struct prefix *p;
	u128 ports = 0;
	int pr;

	if (r->action != IR_ALLOW || r->log || r->nhosts > 0 || r->nnames > 0 ||
	    !aset_fam_full(&r->src, f) || iset_empty(&r->dst.f[f]) ||
	    aset_fam_full(&r->dst, f) || v->all || !iset_empty(&v->ipp))
		return false;
	for (pr = 0; pr < P_N; pr++) {
		if (iset_empty(&v->p[pr]))
			continue;
		if ((pr != P_TCP && pr != P_UDP) || iset_has(&v->p[pr], 0))
			return false;
		ports += iset_count(&v->p[pr]);
	}
	*nel = ports * aset_prefixes(a, &r->dst, (enum fam)f, &p);
	return ports > 0;
}

/* A rule that has no line in family f, which a run passes over. */
static bool
fam_empty(const struct ir_rule *r, enum fam f)
{
	return r->nhosts == 0 && (iset_empty(&r->src.f[f]) ||
	    iset_empty(&r->dst.f[f]));
}

static void
close_run(struct ipt_rsets *rs, size_t head, size_t end, size_t n, enum fam f)
{
	/* A run of one rule keeps the rule's own lines. */
	if (n >= 2)
		rs[head].runend[f] = end;	/* named in make_sets */
	else if (n == 1)
		rs[head].merged[f] = false;
}

/* The merged runs of every chain and family: merged[], and runend[] at
 * each run's first rule (0 elsewhere). */
static void
find_runs(struct arena *a, const struct ir *ir, struct ipt_rsets *rs)
{
	size_t i, head = 0, end = 0, n;
	u128 total, nel;
	int f, dir;

	for (f = 0; f < FAM_N; f++)
		for (dir = IR_EGRESS; dir <= IR_INBOUND; dir++) {
			n = 0;
			total = 0;
			for (i = 0; i < ir->nrules; i++) {
				const struct ir_rule *r = &ir->rules[i];

				if ((int)r->dir != dir || fam_empty(r, (enum fam)f))
					continue;
				if (!mergeable(a, r, (enum fam)f, &nel)) {
					close_run(rs, head, end, n, (enum fam)f);
					n = 0;
					continue;
				}
				if (n > 0 && total + nel <= IPT_RUN_MAX) {
					rs[i].merged[f] = true;
					total += nel;
					end = i + 1;
					n++;
					continue;
				}
				close_run(rs, head, end, n, (enum fam)f);
				n = 0;
				if (nel > IPT_RUN_MAX)
					continue;
				rs[i].merged[f] = true;
				head = i;
				end = i + 1;
				total = nel;
				n = 1;
			}
			close_run(rs, head, end, n, (enum fam)f);
		}
}

/* Every rule's sets, named; NULL after diag_error().  merge: find the
 * merged runs first. */
static struct ipt_rsets *
make_sets(const struct ir *ir, struct arena *a, bool merge)
{
	struct ipt_rsets *rs = arena_alloc(a, (ir->nrules + 1) * sizeof(*rs));
	struct strset given = { 0 };	/* set names of the rules so far */
	const char *stem, *base;
	size_t i;
	int f;

	memset(rs, 0, (ir->nrules + 1) * sizeof(*rs));
	if (merge)
		find_runs(a, ir, rs);
	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		stem = base = NULL;
		for (f = 0; f < FAM_N; f++) {
			if (rs[i].runend[f] == 0)
				continue;
			if (stem == NULL) {
				if ((stem = nft_rule_stem(a, ir, i)) == NULL)
					return NULL;
				base = set_base(a, ir->name, stem);
			}
			rs[i].run[f] = arena_printf(a, "%s_m%c", base,
			    f == FAM_V4 ? '4' : '6');
			rs[i].runtmp[f] = arena_printf(a, "%s_o%c", base,
			    f == FAM_V4 ? '4' : '6');
		}
		stem = base = NULL;
		for (f = 0; f < FAM_N; f++) {
			if (!fam_sets(a, r, &rs[i], (enum fam)f))
				continue;
			if (stem == NULL) {
				if ((stem = nft_rule_stem(a, ir, i)) == NULL)
					return NULL;
				base = set_base(a, ir->name, stem);
			}
			rs[i].floor[f] = nft_set_name(a, base, (enum fam)f,
			    false);
			rs[i].tmp[f] = arena_printf(a, "%s_n%c", base,
			    f == FAM_V4 ? '4' : '6');
			if (r->nhosts > 0)
				rs[i].dyn[f] = nft_set_name(a, base,
				    (enum fam)f, true);
		}
		/* ipset's names are the host's: no two sets one name. */
		for (f = 0; f < FAM_N; f++) {
			const char *nm[] = { rs[i].run[f], rs[i].floor[f],
			    rs[i].dyn[f] };
			size_t k;

			for (k = 0; k < 3; k++)
				if (nm[k] != NULL && !strset_add(a, &given,
				    nm[k])) {
					diag_error(&r->loc, "rule '%s': its "
					    "ipset name %s is another rule's; "
					    "rename one of them", r->name,
					    nm[k]);
					return NULL;
				}
		}
	}
	return rs;
}

/* " 443", " 50000-60000": ipset's proto:port of one interval. */
static void
put_runports(struct out *o, const char *set, const char *net,
    const char *proto, const struct iset *is)
{
	size_t k;

	for (k = 0; k < is->n; k++) {
		out_printf(o, "add %s %s,%s:%u", set, net, proto,
		    (unsigned)is->v[k].lo);
		if (is->v[k].hi != is->v[k].lo)
			out_printf(o, "-%u", (unsigned)is->v[k].hi);
		out_puts(o, " -exist\n");
	}
}

/*
 * A merged run's hash:net,port set, filled through its twin and swapped in
 * as a floor set is.  Two rules of the run may give one element (ipset
 * expands a port range into ports): -exist takes it twice.
 */
static void
put_runset(struct arena *a, const struct ir *ir, const struct ipt_rsets *rs,
    size_t head, enum fam f, struct out *o)
{
	static const char *const family[] = { "inet", "inet6" };
	const char *set = rs[head].run[f], *tmp = rs[head].runtmp[f];
	char buf[ADDR_STRLEN];
	struct prefix *p;
	size_t i, k, n;

	out_printf(o, "create %s hash:net,port family %s -exist\n"
	    "create %s hash:net,port family %s -exist\nflush %s\n", set,
	    family[f], tmp, family[f], tmp);
	for (i = head; i < rs[head].runend[f]; i++) {
		const struct ir_rule *r = &ir->rules[i];

		if (!rs[i].merged[f] || r->dir != ir->rules[head].dir)
			continue;
		n = aset_prefixes(a, &r->dst, f, &p);
		for (k = 0; k < n; k++) {
			addr_format(buf, f, p[k].addr, p[k].len);
			/* ipset reads a bare address as /32 (/128). */
			put_runports(o, tmp, buf, "tcp", &r->svc.p[P_TCP]);
			put_runports(o, tmp, buf, "udp", &r->svc.p[P_UDP]);
		}
	}
	out_printf(o, "swap %s %s\ndestroy %s\n", tmp, set, tmp);
}

/*
 * NAME.ipset, for `ipset restore`: every set created if missing (-exist
 * makes that a no-op for a set that is there, of the same kind).  A floor
 * set's elements go into its _n4 (_n6) twin, which is then swapped with
 * it and destroyed: the floor is never empty while it loads, and a reload
 * replaces it whole.  A dynamic set is only created, so that a reload
 * keeps what DNS answers put in it, unless --flush-dynamic says to empty
 * it.
 */
static int
emit_ipset(const struct ir *ir, const struct be_opts *op,
    const struct ipt_rsets *rs, struct out *o)
{
	static const char *const family[] = { "inet", "inet6" };
	/* A rule's prefixes, while its sets are written: reset after each. */
	struct arena *a = arena_new();
	struct out hdr, rest;
	struct prefix *p;
	const char *vars[7];
	size_t i, n, k, start;
	int f, rc;

	out_init(&hdr);
	be_header(op, ir, "# ", &hdr);
	hdr.buf[--hdr.len] = '\0';
	vars[0] = "HEADER", vars[1] = out_str(&hdr);
	vars[2] = "NAME", vars[3] = ir->name;
	vars[4] = NULL;
	rc = be_template_split(op, "ipset", vars, "SETS", o, &rest);
	out_free(&hdr);
	/* The sets straight into the file's text, which may spill as it
	 * grows (out_spill). */
	start = o->spilled + o->len;
	for (i = 0; rc == 0 && i < ir->nrules; i++) {
		for (f = 0; f < FAM_N; f++) {
			if (rs[i].run[f] != NULL)
				put_runset(a, ir, rs, i, (enum fam)f, o);
			if (rs[i].floor[f] == NULL)
				continue;
			out_printf(o, "create %s hash:net family %s -exist\n"
			    "create %s hash:net family %s -exist\nflush %s\n",
			    rs[i].floor[f], family[f], rs[i].tmp[f], family[f],
			    rs[i].tmp[f]);
			n = aset_prefixes(a, &ir->rules[i].dst, (enum fam)f, &p);
			for (k = 0; k < n; k++) {
				out_printf(o, "add %s ", rs[i].tmp[f]);
				addr_put(o, (enum fam)f, p[k].addr, p[k].len);
				out_putc(o, '\n');
			}
			out_printf(o, "swap %s %s\ndestroy %s\n",
			    rs[i].tmp[f], rs[i].floor[f], rs[i].tmp[f]);
			if (rs[i].dyn[f] == NULL)
				continue;
			out_printf(o, "create %s hash:ip family %s timeout %u "
			    "-exist\n", rs[i].dyn[f], family[f], ir->dyn.timeout);
			if (ir->dyn.flush)
				out_printf(o, "flush %s\n", rs[i].dyn[f]);
		}
		arena_reset(a);
	}
	arena_free(a);
	if (rc < 0)
		return -1;
	if (o->spilled + o->len == start)
		out_puts(o, "# No sets: no rule has host names, or as many "
		    "as 4 destination prefixes in a family, and no run of "
		    "allow rules is merged.\n");
	be_template_end(o, &rest);
	return 0;
}

int
ipt_dynsets(struct arena *a, const struct ir *ir, struct ipt_dynset **out,
    size_t *n)
{
	struct ipt_rsets *rs;
	size_t i, cap = 0;
	int f;

	*out = NULL;
	*n = 0;
	/* Runs hold no rule with host names: their sets are the same. */
	if ((rs = make_sets(ir, a, false)) == NULL)
		return -1;
	for (i = 0; i < ir->nrules; i++)
		for (f = 0; f < FAM_N; f++) {
			if (rs[i].dyn[f] == NULL)
				continue;
			ARENA_PUSH(a, *out, *n, cap);
			(*out)[*n - 1] = (struct ipt_dynset){ rs[i].dyn[f],
			    &ir->rules[i], (enum fam)f };
		}
	return 0;
}

static int
ipt_emit(const struct ir *ir, const struct be_opts *op, struct out *outs)
{
	const char *chain[2] = { NULL, NULL };
	struct ipt_rsets *rs;
	int merge;

	chain[IR_EGRESS] = be_option(op, ir, "chain", NULL);
	if (ir_has_inbound(ir) && (chain[IR_INBOUND] = be_option(op, ir,
	    "input-chain", NULL)) == NULL)
		return -1;
	if (chain[IR_EGRESS] == NULL ||
	    (merge = be_enum(op, ir, "merge", 1)) < 0 ||
	    (rs = make_sets(ir, op->arena, merge == 1)) == NULL)
		return -1;
	if (emit_fam(ir, op, chain, rs, FAM_V4, &outs[0]) < 0 ||
	    emit_fam(ir, op, chain, rs, FAM_V6, &outs[1]) < 0 ||
	    emit_ipset(ir, op, rs, &outs[2]) < 0)
		return -1;
	return 0;
}

/*
 * The chains' names by default: PREFIX and the policy's name, upper case,
 * in iptables' 28 characters.  A name too long is cut, and a hash of the
 * whole name follows a '_' (which no policy name holds): at offset 23 for
 * the egress chain and 22 for the input chain, so the two chains of one
 * policy never clash, cut or not ("in-in-in-in-in-in-in-in" once gave
 * both one name), and names cut alike part by their hash.
 */
#define IPT_CHAIN_MAX	28

static const char *
ipt_chain_name(struct arena *a, const char *prefix, const char *name,
    size_t hashlen)
{
	size_t room = IPT_CHAIN_MAX - strlen(prefix);
	unsigned h = 2166136261u;		/* FNV-1a */
	const char *p;

	if (strlen(name) <= room)
		return arena_printf(a, "%s%s", prefix, name);
	for (p = name; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return arena_printf(a, "%s%.*s_%0*X", prefix, (int)(room - 1 -
	    hashlen), name, (int)hashlen, h & ((1u << (4 * hashlen)) - 1));
}

static const char *
ipt_chain_default(const struct be_opts *o, const struct ir *ir)
{
	return ipt_chain_name(o->arena, "EGRESSC-", ir->name, 4);
}

static const char *
ipt_input_default(const struct be_opts *o, const struct ir *ir)
{
	return ipt_chain_name(o->arena, "EGRESSC-IN-", ir->name, 5);
}

/* Built-in chains and the verdicts and targets -j takes: a chain of one
 * of these names is refused, or shadowed by the target. */
static const char *const ipt_reserved[] = {
	"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING",
	"ACCEPT", "DROP", "RETURN", "QUEUE", "ERROR", "STANDARD",
	"AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK",
	"CONNSECMARK", "CT", "DNAT", "DNPT", "DSCP", "ECN", "HL", "HMARK",
	"IDLETIMER", "LED", "LOG", "MARK", "MASQUERADE", "MIRROR", "NAT",
	"NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST", "REDIRECT",
	"REJECT", "SAME", "SECMARK", "SET", "SNAT", "SNPT", "SYNPROXY",
	"TCPMSS", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL",
	"ULOG", NULL
};

static const char *const ipt_bool[] = { "false", "true", NULL };
static const char *const ipt_suffixes[] = { ".rules.v4", ".rules.v6", ".ipset",
	NULL };
/* iptables takes chain names of at most 28 characters. */
static const struct be_option ipt_options[] = {
	{ .key = "chain", .kind = BE_OPT_IDENT, .maxlen = IPT_CHAIN_MAX,
	    .upper = true, .dflt = ipt_chain_default,
	    .reserved = ipt_reserved },
	{ .key = "input-chain", .kind = BE_OPT_IDENT,
	    .maxlen = IPT_CHAIN_MAX, .upper = true,
	    .dflt = ipt_input_default, .reserved = ipt_reserved,
	    .distinct = "chain", .inbound = true },
	{ .key = "merge", .kind = BE_OPT_ENUM, .values = ipt_bool },
	{ .key = NULL }
};

const struct backend be_iptables = {
	.name = "iptables",
	.caps = BE_FIRST_MATCH | BE_REJECT | BE_LOG | BE_INBOUND |
	    BE_SCTP_PORTS | BE_DYNSETS,
	/* iptables 1.8.9 cuts comments past 255 bytes without a word. */
	.comment_max = 255,
	.comment_bad = "",
	.suffixes = ipt_suffixes,
	.options = ipt_options,
	.emit = ipt_emit,
};
