/*
 * policy.c - YAML policy (format 1) to IR.
 *
 * Reads the policy and its includes, checks every key and value against the
 * format, resolves named networks and services (which may name each other;
 * cycles are errors), substitutes ${vars} and builds the IR's rules.  It
 * reports every error it can find in one run, each at its file:line:col.
 * What a network, service or rule gains by naming others is spent from the
 * compilation's budget (util/budget.h) at the place that names them.
 * targets: it only records: which targets, keys and values exist is for
 * the targets' own schemas to say, after it (be_check_options).
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ir/icmp.h"
#include "policy/catalog.h"
#include "util/hostname.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "util/budget.h"
#include "util/cpus.h"
#include "util/strset.h"

#define MAX_INCLUDE_DEPTH	16

enum { UNSEEN, VISITING, DONE };

/* What a list of to:/from: entries or a named network stands for.  Each
 * name is there once (byname, once there are many): a network that names
 * another ten times holds its names once, not ten times. */
struct dests {
	struct aset	 a;
	struct ir_name	*names;
	size_t		 n, cap;
	struct strset	 byname;
	bool		 any;
};

/* Names are hashed once a list has this many; below, a scan is cheaper. */
#define HASH_FROM	16

struct netdef {
	const char		*name;
	const struct ynode	*node;		/* the list */
	struct loc		 loc;
	int			 state;
	struct dests		 d;
};

struct svcdef {
	const char		*name;
	const struct ynode	*node;
	struct loc		 loc;
	int			 state;
	struct svc		 svc;
};

struct fe {
	struct arena	*a;
	/* The YAML trees, freed once read: the IR keeps their strings (in
	 * a), never a node. */
	struct arena	*tree;
	struct policy	*pol;
	struct ir	*ir;
	struct netdef	*nets;
	size_t		 nnets, capnets;
	struct svcdef	*svcs;
	size_t		 nsvcs, capsvcs;
	/* Names to their index in nets, svcs, ir->rules and ir->tiers, so
	 * that a policy of 100,000 of them reads in linear time. */
	struct strset	 netidx, svcidx, ruleidx, tieridx;
	/* The files being read, outermost first, and the include: entry
	 * that brought each in (no file for the policy itself). */
	const char	*incstack[MAX_INCLUDE_DEPTH];
	struct loc	 incfrom[MAX_INCLUDE_DEPTH];
	int		 incdepth;
	/* Every file read so far, by device and inode ("DEV:INO" -> index
	 * into readfrom, the include: that read it). */
	struct strset	 read;
	struct loc	*readfrom;
	size_t		 nread, capread;
	bool		 tiers_listed;	/* tiers: given; rules must use them */
	/* On the thread that parses the second half of the rules: its
	 * half (parse_rules), else NULL. */
	struct rules_half *half;
};

/* The rules from the end back, parsed beside the others (parse_rules). */
struct rules_half {
	struct fe		 fe;	/* its view: its arena, IR and tiers */
	struct ir		 ir;	/* a list of one: the rule's slot */
	struct ir		*rules;	/* the IR whose slots it fills */
	const struct ynode	*seq;
	size_t			 base;	/* slot of rule 0 */
	struct rules_claim	*claim;
	struct diag_log		*log;
	struct budget_tally	 tally;
	bool			 bail;	/* its work is to be done again */
};

#define RULES_SPLIT_MIN	256
#define BUILTIN_RULES	4	/* add_dhcp's two, add_nd's two */

static const char *const top_keys[] = {
	"egressc", "name", "description", "vars", "include", "wildcards",
	"hosts", "default", "inbound", "networks", "services", "rules",
	"targets", "tiers", "max-lock-age", "dynamic", NULL
};
static const char *const frag_keys[] = {
	"egressc", "description", "vars", "include", "networks", "services",
	NULL
};
static const char *const rule_keys[] = {
	"name", "tier", "to", "from", "ports", "action", "log", "comment",
	"direction", "allow-private", NULL
};

static void	resolve_net(struct fe *, struct netdef *);
static void	resolve_svc(struct fe *, struct svcdef *);

/* [a-z0-9][a-z0-9_-]* up to 63 bytes: policy, rule, network names. */
static bool
ident_ok(const char *s, bool underscore)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    (underscore && s[i] == '_')))
			return false;
	return i <= 63;
}

/* One of words, or an error naming the choices. */
static int
want_enum(const struct ynode *n, const char *what, const char *const *words)
{
	const char *s = y_want_str(n, what);
	const char *near;
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], s) == 0)
			return i;
	near = suggest(s, words);
	if (near != NULL)
		diag_error(&n->loc, "%s: '%s' is not allowed; did you mean "
		    "'%s'?", what, s, near);
	else {
		char buf[256] = "";

		for (i = 0; words[i] != NULL; i++) {
			strncat(buf, i ? ", " : "", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, words[i], sizeof(buf) - strlen(buf) - 1);
		}
		diag_error(&n->loc, "%s: '%s' is not allowed (one of: %s)",
		    what, s, buf);
	}
	return -1;
}

static const char *
subst(struct fe *fe, const struct ynode *n, const char *what)
{
	const char *s = y_want_str(n, what);

	if (s == NULL)
		return NULL;
	/* The tree's text lives in fe->a, like the IR. */
	return vars_subst(fe->a, &fe->pol->vars, s, &n->loc, NULL, NULL);
}

static struct netdef *
find_net(struct fe *fe, const char *name)
{
	size_t i;

	return strset_get(&fe->netidx, name, &i) ? &fe->nets[i] : NULL;
}

static struct svcdef *
find_svc(struct fe *fe, const char *name)
{
	size_t i;

	return strset_get(&fe->svcidx, name, &i) ? &fe->svcs[i] : NULL;
}

/* A did-you-mean over the names of networks or services. */
static const char *
near_name(struct fe *fe, const char *word, bool nets)
{
	const char **cands;
	size_t i, n = nets ? fe->nnets : fe->nsvcs;

	cands = arena_alloc(fe->a, (n + 1) * sizeof(*cands));
	for (i = 0; i < n; i++)
		cands[i] = nets ? fe->nets[i].name : fe->svcs[i].name;
	cands[n] = NULL;
	return suggest(word, cands);
}

/* Add a name unless d has it; at: the entry that brings it in. */
static void
dests_add_name(struct fe *fe, struct dests *d, const char *name,
    bool wildcard, const struct loc *loc, const struct loc *at)
{
	size_t i;

	if (d->n < HASH_FROM) {
		for (i = 0; i < d->n; i++)
			if (strcmp(d->names[i].name, name) == 0)
				return;
	} else {
		if (d->byname.n == 0)
			for (i = 0; i < d->n; i++)
				strset_add(fe->a, &d->byname, d->names[i].name);
		if (!strset_add(fe->a, &d->byname, name))
			return;
	}
	if (budget_spend(at, BUDGET_NAME) < 0)
		return;
	ARENA_PUSH(fe->a, d->names, d->n, d->cap);
	d->names[d->n - 1].name = name;
	d->names[d->n - 1].wildcard = wildcard;
	d->names[d->n - 1].loc = *loc;
	aset_init(&d->names[d->n - 1].addrs);
}

/* d gains what s stands for, at the entry at that names s. */
static void
dests_union(struct fe *fe, struct dests *d, const struct dests *s,
    const struct loc *at)
{
	size_t i;

	if (budget_spend(at, s->a.f[FAM_V4].n + s->a.f[FAM_V6].n) < 0)
		return;
	aset_union(fe->a, &d->a, &s->a);
	d->any = d->any || s->any;
	for (i = 0; i < s->n && !budget_exhausted(); i++)
		dests_add_name(fe, d, s->names[i].name, s->names[i].wildcard,
		    &s->names[i].loc, at);
}

static bool
looks_like_address(const char *s)
{
	if (strchr(s, ':') != NULL)
		return true;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '.' && *s != '/')
			return false;
	return true;
}

/*
 * dest -> ADDRESS | CIDR | HOST | '*.' ZONE | NETWORK-NAME | 'any'
 * One to:/from:/network entry.  names_ok: host names and wildcards are
 * allowed (not in from:).
 */
static void
parse_dest(struct fe *fe, const struct ynode *n, struct dests *d,
    bool names_ok, const char *what)
{
	const char *s, *why;
	char *low;
	enum fam fam;
	u128 addr;
	int len;
	bool hostbits;
	struct netdef *nd;
	size_t i;

	s = subst(fe, n, what);
	if (s == NULL)
		return;
	if (strcmp(s, "any") == 0) {
		d->any = true;
		return;
	}
	if (strncmp(s, "*.", 2) == 0) {
		if (!names_ok) {
			diag_error(&n->loc, "%s: a wildcard ('%s') cannot be "
			    "a source", what, s);
			return;
		}
		low = arena_strdup(fe->a, s);
		for (i = 0; low[i] != '\0'; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		if (wildcard_check(low, &why) < 0) {
			diag_error(&n->loc, "%s: bad wildcard '%s': %s", what,
			    s, why);
			return;
		}
		if (fe->ir->wildcards == IR_WILD_FORBID) {
			diag_error(&n->loc, "wildcard '%s' is not allowed: the "
			    "policy says 'wildcards: forbid'", s);
			return;
		}
		dests_add_name(fe, d, low, true, &n->loc, &n->loc);
		return;
	}
	if (looks_like_address(s)) {
		if (addr_parse(s, &fam, &addr, &len, &hostbits) < 0) {
			diag_error(&n->loc, "%s: bad address or CIDR '%s'",
			    what, s);
			return;
		}
		if (hostbits) {
			char buf[ADDR_STRLEN];

			diag_warning(&n->loc, "'%s' has host bits set; using "
			    "%s", s, addr_format(buf, fam, addr, len));
		}
		if (budget_spend(&n->loc, 1) < 0)
			return;
		aset_add_prefix(fe->a, &d->a, fam, addr, len);
		return;
	}
	if (strchr(s, '.') != NULL) {
		if (!names_ok) {
			diag_error(&n->loc, "%s: a host name ('%s') cannot be "
			    "a source; use addresses or a network", what, s);
			return;
		}
		low = arena_strdup(fe->a, s);
		for (i = 0; low[i] != '\0'; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		if (host_check(low, &why) < 0) {
			diag_error(&n->loc, "%s: bad host name '%s': %s", what,
			    s, why);
			return;
		}
		dests_add_name(fe, d, low, false, &n->loc, &n->loc);
		return;
	}
	nd = find_net(fe, s);
	if (nd == NULL) {
		const char *near = near_name(fe, s, true);

		if (near != NULL)
			diag_error(&n->loc, "%s: unknown network '%s'; did you "
			    "mean '%s'?", what, s, near);
		else
			diag_error(&n->loc, "%s: unknown network '%s'", what, s);
		return;
	}
	resolve_net(fe, nd);
	if (nd->state != DONE)
		return;
	if (!names_ok && nd->d.n > 0) {
		diag_error(&n->loc, "%s: network '%s' holds host names, which "
		    "cannot be a source", what, s);
		return;
	}
	dests_union(fe, d, &nd->d, &n->loc);
}

/* dests -> dest | '[' dest {',' dest} ']' */
static void
parse_dests(struct fe *fe, const struct ynode *n, struct dests *d,
    bool names_ok, const char *what)
{
	struct ynode **items, *one;
	size_t cnt, i, nf[FAM_N] = { 0, 0 };
	int f;

	aset_init(&d->a);
	if (!y_want_list(n, what, &items, &cnt, &one))
		return;
	/* Room for an interval per item of its family at once: growing by
	 * doubling left each smaller copy in the arena, as much again as
	 * the destinations themselves.  (A ':' is IPv6; a name or network
	 * only takes room it may not use.) */
	for (i = 0; cnt > 1 && i < cnt; i++)
		if (items[i]->kind == Y_SCALAR)
			nf[strchr(items[i]->str, ':') != NULL ? FAM_V6 :
			    FAM_V4]++;
	for (f = 0; f < FAM_N; f++)
		if (nf[f] > 1)
			iset_reserve(fe->a, &d->a.f[f], nf[f]);
	for (i = 0; i < cnt; i++)
		parse_dest(fe, items[i], d, names_ok, what);
}

static void
resolve_net(struct fe *fe, struct netdef *nd)
{
	if (nd->state == DONE)
		return;
	if (nd->state == VISITING) {
		diag_error(&nd->loc, "network '%s' contains itself", nd->name);
		return;
	}
	nd->state = VISITING;
	parse_dests(fe, nd->node, &nd->d, true, "networks");
	if (nd->state == VISITING)
		nd->state = DONE;
}

/* The intervals of a service, what naming it costs. */
static size_t
svc_size(const struct svc *s)
{
	size_t n = 1 + s->ipp.n;
	int p;

	for (p = 0; p < P_N; p++)
		n += s->p[p].n;
	return n;
}

/* Neither a protocol nor a service: say what it looks like. */
static void
unknown_port(struct fe *fe, const struct ynode *n, const char *s)
{
	const char *slash = strchr(s, '/'), *near;
	char *word;

	if (strspn(s, "0123456789") == strlen(s)) {
		diag_error(&n->loc, "ports: '%s' needs a protocol: write "
		    "tcp/%s or udp/%s", s, s, s);
		return;
	}
	if (icmp_is_name(s)) {
		diag_error(&n->loc, "ports: '%s' is an ICMP message: write "
		    "icmp/%s or icmpv6/%s", s, s, s);
		return;
	}
	if (slash != NULL) {
		word = arena_strndup(fe->a, s, (size_t)(slash - s));
		near = suggest(word, svc_proto_words);
		if (near != NULL)
			diag_error(&n->loc, "ports: unknown protocol in '%s'; "
			    "did you mean '%s'?", s, near);
		else
			diag_error(&n->loc, "ports: unknown protocol in '%s' "
			    "(tcp, udp, sctp, icmp, icmpv6, gre, esp, ah, "
			    "proto/N)", s);
		return;
	}
	near = near_name(fe, s, false);
	if (near == NULL)
		near = suggest(s, svc_proto_words);
	if (near != NULL)
		diag_error(&n->loc, "ports: unknown service '%s'; did you mean "
		    "'%s'?", s, near);
	else
		diag_error(&n->loc, "ports: unknown service '%s'", s);
}

/*
 * port -> PROTO '/' PORT | PROTO '/' LO '-' HI | PROTO
 *	 | ICMP '/' MESSAGE | 'gre' | 'esp' | 'ah' | 'proto/' NUMBER
 *	 | SERVICE-NAME | 'any'
 * PROTO is tcp, udp or sctp, ICMP icmp or icmpv6, MESSAGE what icmp_parse
 * takes: "tcp/443", "udp/50000-60000", "icmp/echo-request", "icmp/3/4",
 * "proto/47" or a service name.
 */
static void
parse_port(struct fe *fe, const struct ynode *n, struct svc *svc)
{
	const char *s, *why, *near;
	struct svc_item it;
	struct svcdef *sd;
	int rc;

	s = subst(fe, n, "ports");
	if (s == NULL)
		return;
	if (strcmp(s, "any") == 0) {
		svc->all = true;
		return;
	}
	rc = svc_parse_item(fe->a, s, false, &it, &why, &near);
	if (rc < 0 && near != NULL)
		diag_error(&n->loc, "ports: %s; did you mean '%s'?", why, near);
	else if (rc < 0)
		diag_error(&n->loc, "ports: %s", why);
	if (rc == 0)
		svc_add_item(fe->a, svc, &it);
	if (rc <= 0)
		return;
	if (strchr(s, '/') == NULL && (sd = find_svc(fe, s)) != NULL) {
		resolve_svc(fe, sd);
		if (sd->state == DONE && budget_spend(&n->loc,
		    svc_size(&sd->svc)) == 0)
			svc_union(fe->a, svc, &sd->svc);
		return;
	}
	unknown_port(fe, n, s);
}

/* ports -> port | '[' port {',' port} ']' */
static void
parse_ports(struct fe *fe, const struct ynode *n, struct svc *svc)
{
	struct ynode **items, *one;
	size_t cnt, i;

	if (!y_want_list(n, "ports", &items, &cnt, &one))
		return;
	for (i = 0; i < cnt; i++)
		parse_port(fe, items[i], svc);
}

static void
resolve_svc(struct fe *fe, struct svcdef *sd)
{
	if (sd->state == DONE)
		return;
	if (sd->state == VISITING) {
		diag_error(&sd->loc, "service '%s' contains itself", sd->name);
		return;
	}
	sd->state = VISITING;
	svc_init(&sd->svc);
	parse_ports(fe, sd->node, &sd->svc);
	if (sd->state == VISITING)
		sd->state = DONE;
}

static void
collect_vars(struct fe *fe, const struct ynode *n)
{
	const struct var *first;
	struct diag *d;
	size_t i;

	if (!y_want_map(n, "vars"))
		return;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
		const char *s;

		if (!ident_ok(k->str, true)) {
			diag_error(&k->loc, "vars: bad variable name '%s'",
			    k->str);
			continue;
		}
		if ((first = vars_find(&fe->pol->vars, k->str)) != NULL) {
			d = diag_new(DIAG_ERROR, &k->loc, "variable '%s' is "
			    "defined twice", k->str);
			diag_also(d, &first->loc, "first defined here");
			diag_emit(d);
			continue;
		}
		if ((s = y_want_str(v, "vars")) != NULL)
			vars_set(fe->a, &fe->pol->vars, k->str, s, &k->loc);
	}
}

/* A protocol word cannot name a service: the protocol would win. */
static bool
is_proto_word(const char *s)
{
	size_t i;

	for (i = 0; svc_proto_words[i] != NULL; i++)
		if (strcmp(svc_proto_words[i], s) == 0)
			return true;
	return false;
}

/* networks: and services: only record definitions; use resolves them. */
static void
collect_defs(struct fe *fe, const struct ynode *n, bool nets)
{
	const char *what = nets ? "networks" : "services";
	const struct netdef *nd;
	const struct svcdef *sd;
	struct diag *d;
	size_t i;

	if (!y_want_map(n, what))
		return;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = n->pairs[i].key;

		if (!ident_ok(k->str, true) || strcmp(k->str, "any") == 0 ||
		    (!nets && is_proto_word(k->str))) {
			diag_error(&k->loc, "%s: bad name '%s' (a-z, 0-9, '-' "
			    "and '_'; not a keyword)", what, k->str);
			continue;
		}
		if (nets ? (nd = find_net(fe, k->str)) != NULL :
		    (sd = find_svc(fe, k->str)) != NULL) {
			d = diag_new(DIAG_ERROR, &k->loc, "%s: '%s' is defined "
			    "twice", what, k->str);
			diag_also(d, nets ? &nd->loc : &sd->loc,
			    "first defined here");
			diag_emit(d);
			continue;
		}
		if (nets) {
			ARENA_PUSH(fe->a, fe->nets, fe->nnets, fe->capnets);
			fe->nets[fe->nnets - 1].name = k->str;
			fe->nets[fe->nnets - 1].node = n->pairs[i].val;
			fe->nets[fe->nnets - 1].loc = k->loc;
			strset_put(fe->a, &fe->netidx, k->str, fe->nnets - 1,
			    NULL);
		} else {
			ARENA_PUSH(fe->a, fe->svcs, fe->nsvcs, fe->capsvcs);
			fe->svcs[fe->nsvcs - 1].name = k->str;
			fe->svcs[fe->nsvcs - 1].node = n->pairs[i].val;
			fe->svcs[fe->nsvcs - 1].loc = k->loc;
			strset_put(fe->a, &fe->svcidx, k->str, fe->nsvcs - 1,
			    NULL);
		}
	}
}

static const struct ynode *load_file(struct fe *, const char *path,
		    const struct loc *, bool top);

/* include -> FILE | '[' FILE {',' FILE} ']'	(relative to this file) */
static void
do_includes(struct fe *fe, const struct ynode *n, const char *from)
{
	struct ynode **items, *one;
	size_t cnt, i;
	const char *slash;

	if (!y_want_list(n, "include", &items, &cnt, &one))
		return;
	slash = strrchr(from, '/');
	for (i = 0; i < cnt; i++) {
		const char *s = y_want_str(items[i], "include");
		char *path;

		if (s == NULL)
			continue;
		if (s[0] == '/' || slash == NULL)
			path = arena_strdup(fe->a, s);
		else
			path = arena_printf(fe->a, "%.*s/%s",
			    (int)(slash - from), from, s);
		load_file(fe, path, &items[i]->loc, false);
	}
}

static void
check_version(const struct ynode *root, const char *key, const char *what)
{
	const struct ynode *v = ymap_get(root, key);

	if (v == NULL) {
		diag_error(&root->loc, "%s: missing '%s: 1'", what, key);
		return;
	}
	if (v->kind != Y_SCALAR || strcmp(v->str, "1") != 0)
		diag_error(&v->loc, "%s: unsupported format version (this "
		    "egressc reads '%s: 1')", what, key);
}

static void
load_fragment(struct fe *fe, const struct ynode *root, const char *path)
{
	const struct ynode *v;

	check_version(root, "egressc", "policy");
	if ((v = ymap_get(root, "vars")) != NULL)
		collect_vars(fe, v);
	if ((v = ymap_get(root, "include")) != NULL)
		do_includes(fe, v, path);
	if ((v = ymap_get(root, "networks")) != NULL)
		collect_defs(fe, v, true);
	if ((v = ymap_get(root, "services")) != NULL)
		collect_defs(fe, v, false);
}

/*
 * A file is read once.  Read twice, its vars, networks and services would
 * be defined twice, and a catalog's zones be in two catalogs; and includes
 * that include the next file ten times each would read it 10^16 times.
 * The same file is the same device and inode, whatever path names it.
 */
static bool
read_once(struct fe *fe, const char *path, const struct loc *from)
{
	struct stat st;
	struct diag *d;
	const char *key;
	size_t first;

	if (stat(path, &st) < 0)
		return true;		/* yaml_load says why */
	key = arena_printf(fe->a, "%ju:%ju", (uintmax_t)st.st_dev,
	    (uintmax_t)st.st_ino);
	if (strset_put(fe->a, &fe->read, key, fe->nread, &first)) {
		ARENA_PUSH(fe->a, fe->readfrom, fe->nread, fe->capread);
		fe->readfrom[fe->nread - 1] = from != NULL ? *from :
		    (struct loc){ NULL, 0, 0 };
		return true;
	}
	d = diag_new(DIAG_ERROR, from, "'%s' is included twice: a file is "
	    "read once", path);
	if (fe->readfrom[first].file != NULL)
		diag_also(d, &fe->readfrom[first], "first included here");
	diag_emit(d);
	return false;
}

/* Read one file of the policy; returns its root (a mapping) or NULL. */
static const struct ynode *
load_file(struct fe *fe, const char *path, const struct loc *from, bool top)
{
	struct ynode *root;
	char *real;
	int i;

	real = realpath(path, NULL);
	if (real == NULL) {
		diag_error(from, "cannot read '%s'", path);
		return NULL;
	}
	for (i = 0; i < fe->incdepth; i++)
		if (strcmp(fe->incstack[i], real) == 0) {
			struct diag *d = diag_new(DIAG_ERROR, from, "include "
			    "cycle: '%s' includes itself", path);

			if (fe->incfrom[i].file != NULL)
				diag_also(d, &fe->incfrom[i], "'%s' is first "
				    "included here", path);
			diag_emit(d);
			free(real);
			return NULL;
		}
	if (fe->incdepth == MAX_INCLUDE_DEPTH) {
		diag_error(from, "includes nested deeper than %d",
		    MAX_INCLUDE_DEPTH);
		free(real);
		return NULL;
	}
	if (!read_once(fe, path, from)) {
		free(real);
		return NULL;
	}
	fe->incfrom[fe->incdepth] = from != NULL ? *from :
	    (struct loc){ NULL, 0, 0 };
	fe->incstack[fe->incdepth++] = arena_strdup(fe->a, real);
	free(real);
	root = yaml_load_split(fe->tree, fe->a, path, from);
	if (root != NULL && !y_want_map(root, top ? "policy" : "include"))
		root = NULL;
	if (root != NULL && !top && ymap_get(root, "egressc-catalog") != NULL) {
		struct catalog *c = catalog_parse(fe->a, root, path);

		if (c != NULL) {
			ARENA_PUSH(fe->a, fe->pol->cats, fe->pol->ncats,
			    fe->pol->capcats);
			fe->pol->cats[fe->pol->ncats - 1] = c;
		}
	} else if (root != NULL) {
		ymap_check_keys(root, top ? top_keys : frag_keys, top ?
		    "the policy" : "an included policy");
		load_fragment(fe, root, path);
	}
	fe->incdepth--;
	return root;
}

/* Is tier one of the IR's tiers? */
static bool
tier_known(const struct fe *fe, const char *tier)
{
	return strset_has(&fe->tieridx, tier);
}

static void
tier_add(struct fe *fe, const char *tier)
{
	struct ir *ir = fe->ir;

	ARENA_PUSH(fe->a, ir->tiers, ir->ntiers, ir->captiers);
	ir->tiers[ir->ntiers - 1] = tier;
	strset_add(fe->a, &fe->tieridx, tier);
}

/*
 * tiers -> '[' NAME {',' NAME} ']'
 * The order is the order of accumulation: --tier T keeps T and every tier
 * listed before it.  Without tiers:, minimum comes before recommended
 * (the seed table's order) and other words follow in order of first use.
 */
static void
parse_tiers(struct fe *fe, const struct ynode *n)
{
	struct ynode **items, *one;
	size_t cnt, i;

	fe->tiers_listed = true;
	if (!y_want_list(n, "tiers", &items, &cnt, &one))
		return;
	for (i = 0; i < cnt; i++) {
		const char *t = y_want_str(items[i], "tiers");

		if (t == NULL)
			continue;
		if (!ident_ok(t, true))
			diag_error(&items[i]->loc, "bad tier '%s' (a-z, 0-9, "
			    "'-', '_')", t);
		else if (tier_known(fe, t))
			diag_error(&items[i]->loc, "tier '%s' is listed twice",
			    t);
		else
			tier_add(fe, t);
	}
}

/* A rule's tier: one the policy lists, or (no tiers:) any word. */
static void
rule_tier(struct fe *fe, const struct ynode *v, const char *tier)
{
	if (!ident_ok(tier, true)) {
		diag_error(&v->loc, "bad tier '%s' (a-z, 0-9, '-', '_')", tier);
		return;
	}
	if (tier_known(fe, tier))
		return;
	/* A tier's first use, or an error: the calling thread's to say. */
	if (fe->half != NULL) {
		fe->half->bail = true;
		return;
	}
	if (fe->tiers_listed) {
		const char **names = arena_alloc(fe->a, (fe->ir->ntiers + 1) *
		    sizeof(*names));
		const char *near;

		/* tiers: [] lists none: no array to copy from. */
		if (fe->ir->ntiers > 0)
			memcpy(names, fe->ir->tiers, fe->ir->ntiers *
			    sizeof(*names));
		names[fe->ir->ntiers] = NULL;
		near = suggest(tier, names);
		if (near != NULL)
			diag_error(&v->loc, "tier '%s' is not in the policy's "
			    "tiers:; did you mean '%s'?", tier, near);
		else
			diag_error(&v->loc, "tier '%s' is not in the policy's "
			    "tiers: list", tier);
		return;
	}
	tier_add(fe, tier);
}

/* Rule k's name is the first rule of that name, or an error at loc. */
static void
rule_name_once(struct fe *fe, size_t k, const struct loc *loc)
{
	struct diag *dg;
	size_t i;

	if (strset_put(fe->a, &fe->ruleidx, fe->ir->rules[k].name, k, &i))
		return;
	dg = diag_new(DIAG_ERROR, loc, "duplicate rule name '%s'",
	    fe->ir->rules[k].name);
	diag_also(dg, &fe->ir->rules[i].loc, "first defined here");
	diag_emit(dg);
}

/*
 * rule -> '{' 'name:' NAME [tier: NAME] [to: dests] [from: dests]
 *	   [ports: ports] [action: allow|deny|reject] [log: BOOL]
 *	   [comment: TEXT] [direction: egress|inbound] [allow-private: BOOL] '}'
 */
static void
parse_rule(struct fe *fe, const struct ynode *n, size_t idx)
{
	static const char *const actions[] = { "allow", "deny", "reject",
	    NULL };
	static const char *const dirs[] = { "egress", "inbound", NULL };
	struct ir_rule *r;
	const struct ynode *v;
	struct dests d;
	size_t i;
	int x;

	if (!y_want_map(n, "rules"))
		return;
	ymap_check_keys(n, rule_keys, "a rule");
	if (budget_spend(&n->loc, BUDGET_NAME) < 0)
		return;
	r = ir_add_rule(fe->ir);
	r->loc = n->loc;
	r->action = IR_ALLOW;
	r->dir = IR_EGRESS;
	if ((v = ymap_get(n, "name")) == NULL)
		diag_error(&n->loc, "rule %zu has no 'name'", idx + 1);
	else if ((r->name = y_want_str(v, "name")) != NULL) {
		if (!ident_ok(r->name, true))
			diag_error(&v->loc, "bad rule name '%s' (a-z, 0-9, "
			    "'-', '_'; at most 63)", r->name);
		/* The second half's names are checked as they join. */
		if (fe->half == NULL)
			rule_name_once(fe, fe->ir->nrules - 1, &v->loc);
		r->loc = v->loc;
	}
	if ((v = ymap_get(n, "tier")) != NULL &&
	    (r->tier = y_want_str(v, "tier")) != NULL)
		rule_tier(fe, v, r->tier);
	if ((v = ymap_get(n, "action")) != NULL &&
	    (x = want_enum(v, "action", actions)) >= 0)
		r->action = (enum ir_action)x;
	if ((v = ymap_get(n, "direction")) != NULL &&
	    (x = want_enum(v, "direction", dirs)) >= 0) {
		r->dir = (enum ir_dir)x;
		if (r->dir == IR_INBOUND && !fe->ir->inbound_allowed)
			diag_error(&v->loc, "inbound rule '%s' needs "
			    "'inbound: allow' at the top of the policy: egress "
			    "clients should open no inbound ports",
			    r->name ? r->name : "?");
	}
	if ((v = ymap_get(n, "log")) != NULL)
		y_want_bool(v, "log", &r->log);
	if ((v = ymap_get(n, "allow-private")) != NULL)
		y_want_bool(v, "allow-private", &r->allow_private);
	if ((v = ymap_get(n, "comment")) != NULL)
		r->comment = subst(fe, v, "comment");
	memset(&d, 0, sizeof(d));
	if ((v = ymap_get(n, "to")) == NULL) {
		/* An inbound rule's destination is this host: any of it. */
		if (r->dir == IR_INBOUND)
			d.any = true;
		else
			diag_error(&n->loc, "rule '%s' has no 'to'", r->name ?
			    r->name : "?");
	} else
		parse_dests(fe, v, &d, true, "to");
	if (d.any) {
		aset_any(fe->a, &r->dst);
		r->dst_any = true;
	} else
		r->dst = d.a;
	/* d holds each name once. */
	if (!d.any && d.n > 0 && budget_spend(&v->loc, BUDGET_NAME *
	    (unsigned long long)d.n) < 0)
		d.n = 0;
	for (i = 0; i < d.n && !d.any; i++)
		ir_add_name(fe->ir, r, d.names[i].name, d.names[i].wildcard,
		    &d.names[i].loc);
	memset(&d, 0, sizeof(d));
	if ((v = ymap_get(n, "from")) != NULL) {
		parse_dests(fe, v, &d, false, "from");
		if (d.any)
			aset_any(fe->a, &r->src);
		else
			r->src = d.a;
	} else
		aset_any(fe->a, &r->src);
	svc_init(&r->svc);
	if ((v = ymap_get(n, "ports")) != NULL)
		parse_ports(fe, v, &r->svc);
	else
		r->svc.all = true;
	svc_norm(&r->svc);
	aset_norm(&r->dst);
	aset_norm(&r->src);
}

/*
 * A policy of many rules is read into the IR on two threads.  The calling
 * thread parses rules from the first on, another from the last back, a
 * chunk at a time, until they meet: the second thread's are the rules
 * from there to the end.  It writes each into its own slot of the IR's
 * array of rules, made big enough for all of them at the start, from an
 * arena of its own, its messages deferred and its budget tallied
 * (budget_tally).  Only the rules' names and tiers tie rules together:
 * each rule's name is unique in the policy, and a tier's first use adds
 * it to the tiers in order.  So the second thread checks its tiers
 * against those known when it started, and its names as they join.
 *
 * The join is the one-thread parse exactly when the second thread said
 * nothing (no error, no warning), met no tier the first did not know, and
 * its tally fits what the first left of the budget: then its rules follow
 * the first thread's, each name checked in order (a duplicate is the only
 * message such a rule can have), and the tally is spent at once.  Else
 * the calling thread parses its rules again, saying what one thread would
 * say, in the same order.  Claiming from both ends, neither waits for the
 * other: the second thread may start late (a millisecond, on this
 * project's machine, at 2,000 rules) or not at all.
 */
#define RULES_CHUNK	32

/* rules_half's mutex and the rules neither thread has claimed. */
struct rules_claim {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* the second thread claimed */
	size_t		 lo, hi;	/* [lo, hi) */
	size_t		 front, back;	/* rules a claim takes */
	bool		 once;		/* the second thread claims once */
	bool		 claimed;	/* ... or ended */
};

static void *
rules_worker(void *arg)
{
	struct rules_half *h = arg;
	struct ir *ir = h->rules;
	size_t i, from, to;

	h->log = diag_defer();
	budget_tally(&h->tally);
	for (;;) {
		pthread_mutex_lock(&h->claim->mu);
		if (h->bail || h->claim->hi <= h->claim->lo ||
		    (h->claim->once && h->claim->claimed)) {
			pthread_mutex_unlock(&h->claim->mu);
			break;
		}
		from = h->claim->hi - h->claim->lo > h->claim->back ?
		    h->claim->hi - h->claim->back : h->claim->lo;
		to = h->claim->hi;
		h->claim->hi = from;
		h->claim->claimed = true;
		pthread_cond_signal(&h->claim->cv);
		pthread_mutex_unlock(&h->claim->mu);
		for (i = from; i < to && !h->bail; i++) {
			/* Rule i into its slot: a list of one. */
			h->ir.rules = &ir->rules[h->base + i];
			h->ir.nrules = 0;
			h->ir.caprules = 1;
			parse_rule(&h->fe, h->seq->items[i], i);
			if (h->ir.nrules != 1 || h->tally.over ||
			    diag_errors() > 0 || diag_warnings() > 0)
				h->bail = true;
		}
	}
	pthread_mutex_lock(&h->claim->mu);
	h->claim->claimed = true;
	pthread_cond_signal(&h->claim->cv);
	pthread_mutex_unlock(&h->claim->mu);
	budget_tally(NULL);
	diag_defer_end();
	hostname_thread_done();
	return NULL;
}

/* The calling thread's next chunk [*from, *to); false when none is left. */
static bool
rules_take(struct rules_claim *c, size_t *from, size_t *to)
{
	bool some;

	pthread_mutex_lock(&c->mu);
	*from = c->lo;
	*to = c->hi - c->lo > c->front ? c->lo + c->front : c->hi;
	c->lo = *to;
	some = *from < *to;
	pthread_mutex_unlock(&c->mu);
	return some;
}

/* rules -> '[' rule ... ']' */
static void
parse_rules(struct fe *fe, const struct ynode *seq)
{
	struct ir *ir = fe->ir;
	struct rules_claim c;
	struct rules_half h;
	pthread_t th;
	size_t i, from, to, n = seq->n, mid;
	bool kept, started, trace = getenv(POL_TRACE_SPLIT_ENV) != NULL;

	if (n < RULES_SPLIT_MIN || cpu_threads() < 2) {
		for (i = 0; i < n; i++)
			parse_rule(fe, seq->items[i], i);
		return;
	}
	/* Room for every rule, a slot each that stays where it is, and the
	 * built-in ones that follow (add_dhcp, add_nd). */
	ir->rules = arena_grow(ir->arena, ir->rules, ir->caprules *
	    sizeof(*ir->rules), (ir->nrules + n + BUILTIN_RULES) *
	    sizeof(*ir->rules));
	ir->caprules = ir->nrules + n + BUILTIN_RULES;
	memset(&h, 0, sizeof(h));
	h.fe = *fe;
	h.fe.a = arena_new();
	h.fe.half = &h;
	h.rules = ir;
	h.ir = *ir;
	h.ir.arena = h.fe.a;
	h.fe.ir = &h.ir;
	memset(&h.fe.ruleidx, 0, sizeof(h.fe.ruleidx));
	memset(&h.fe.tieridx, 0, sizeof(h.fe.tieridx));
	for (i = 0; i < ir->ntiers; i++)
		strset_add(h.fe.a, &h.fe.tieridx, ir->tiers[i]);
	h.seq = seq;
	/* Slots are counted from the first rule this parse adds. */
	h.base = ir->nrules;
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	c.claimed = false;
	c.lo = 0;
	c.hi = n;
	/* Traced, the second thread's claim is the second half, the whole
	 * of its share: the tests know where the threads meet. */
	c.front = trace ? n / 2 : RULES_CHUNK;
	c.back = trace ? n - n / 2 : RULES_CHUNK;
	c.once = trace;
	h.claim = &c;
	hostname_ready();
	started = cpu_thread_start(&th, rules_worker, &h, 0) == 0;
	/* Traced, it claims first. */
	if (trace && started) {
		pthread_mutex_lock(&c.mu);
		while (!c.claimed)
			pthread_cond_wait(&c.cv, &c.mu);
		pthread_mutex_unlock(&c.mu);
	}
	while (rules_take(&c, &from, &to))
		for (i = from; i < to; i++)
			parse_rule(fe, seq->items[i], i);
	if (started)
		pthread_join(th, NULL);
	pthread_mutex_destroy(&c.mu);
	pthread_cond_destroy(&c.cv);
	mid = c.hi;
	diag_log_free(h.log);
	kept = !h.bail && !budget_exhausted() &&
	    h.tally.spent <= budget_max() - budget_used();
	if (trace && mid < n)
		fprintf(stderr, "egressc: trace: rules %zu to %zu parsed on a "
		    "second thread, %s\n", mid + 1, n, kept ? "kept" :
		    "parsed again");
	if (!kept) {
		arena_free(h.fe.a);
		for (i = mid; i < n; i++)
			parse_rule(fe, seq->items[i], i);
		return;
	}
	arena_adopt(fe->a, h.fe.a);
	(void)budget_spend(mid < n ? &seq->items[mid]->loc : &seq->loc,
	    h.tally.spent);
	/* Rules the first thread could not add leave a gap before them. */
	if (ir->nrules < h.base + mid)
		memmove(&ir->rules[ir->nrules], &ir->rules[h.base + mid],
		    (n - mid) * sizeof(*ir->rules));
	for (i = mid; i < n; i++) {
		from = ir->nrules++;
		rule_name_once(fe, from, &ir->rules[from].loc);
	}
}

/*
 * IPv6 needs neighbour discovery: a host that may not send router and
 * neighbour solicitations and neighbour advertisements has no IPv6 at all.
 * With default: deny, a rule that allows them goes first, as a rule of the
 * IR, so every target writes it and explain knows it; when the policy
 * owns the input path, router adverts and the neighbour messages are let
 * in the same way.  It is named, so a user rule cannot take its name.
 */
#define ND_RULE		"builtin-ipv6-nd"
#define ND_RULE_IN	"builtin-ipv6-nd-in"

static void
add_nd(struct fe *fe, const struct loc *loc)
{
	static const unsigned out_types[] = { 133, 135, 136 };
	static const unsigned in_types[] = { 134, 135, 136 };
	struct ir *ir = fe->ir;
	size_t i, k, n = ir->nrules;
	bool inbound = ir_has_inbound(ir);
	int d;

	for (i = 0; i < n; i++)
		if (ir->rules[i].name != NULL &&
		    (strcmp(ir->rules[i].name, ND_RULE) == 0 ||
		    strcmp(ir->rules[i].name, ND_RULE_IN) == 0)) {
			diag_error(&ir->rules[i].loc, "the rule name '%s' is "
			    "egressc's own (IPv6 neighbour discovery)",
			    ir->rules[i].name);
			return;
		}
	for (d = inbound ? 1 : 0; d >= 0; d--) {
		const unsigned *t = d ? in_types : out_types;
		struct ir_rule *r = ir_add_rule(ir), nd;

		r->name = d ? ND_RULE_IN : ND_RULE;
		r->comment = d ? "IPv6 router adverts and neighbour discovery" :
		    "IPv6 router and neighbour discovery";
		r->loc = *loc;
		r->dir = d ? IR_INBOUND : IR_EGRESS;
		aset_add_prefix(ir->arena, &r->dst, FAM_V6, 0, 0);
		aset_add_prefix(ir->arena, &r->src, FAM_V6, 0, 0);
		for (k = 0; k < 3; k++)
			iset_add(ir->arena, &r->svc.p[P_ICMP6],
			    ICMP_TC(t[k], 0), ICMP_TC(t[k], 255));
		iset_norm(&r->svc.p[P_ICMP6]);
		/* First: no rule of the policy can cut IPv6 off. */
		nd = *r;
		memmove(&ir->rules[1], &ir->rules[0], (ir->nrules - 1) *
		    sizeof(*ir->rules));
		ir->rules[0] = nd;
	}
}

/*
 * A router's LAN list is bound inbound, and an inbound list also filters
 * what reaches the router itself: one ending in a deny stops the clients'
 * DHCP (udp 68 -> 67, broadcast) and DHCPv6 (udp 546 -> ff02::1:2 port
 * 547) to a router that serves or relays it.  So with default: deny,
 * cisco-ios gets built-in rules for them after neighbour discovery,
 * rules of the IR for that target alone (explain -t cisco-ios knows them),
 * unless targets.cisco-ios.dhcp is no.  The option's value is judged by
 * be_check_options(), which every command runs right after this.
 */
#define DHCP_RULE	"builtin-dhcp"
#define DHCP6_RULE	"builtin-dhcpv6"

static void
add_dhcp(struct fe *fe, const struct loc *loc)
{
	static const u128 all_dhcp6 = ((u128)0xff02 << 112) | 0x10002;
	struct ir *ir = fe->ir;
	struct ir_rule *r, v[2];
	size_t i;
	int k;

	for (i = 0; i < ir->nrules; i++)
		if (ir->rules[i].name != NULL &&
		    (strcmp(ir->rules[i].name, DHCP_RULE) == 0 ||
		    strcmp(ir->rules[i].name, DHCP6_RULE) == 0)) {
			diag_error(&ir->rules[i].loc, "the rule name '%s' is "
			    "egressc's own (DHCP to a Cisco IOS router)",
			    ir->rules[i].name);
			return;
		}
	if (strcmp(ir_topt(ir, "cisco-ios", "dhcp", "yes"), "no") == 0)
		return;
	for (k = 0; k < 2; k++) {
		r = ir_add_rule(ir);
		r->name = k == 0 ? DHCP_RULE : DHCP6_RULE;
		r->comment = k == 0 ? "DHCP to the router (cisco-ios)" :
		    "DHCPv6 to the router (cisco-ios)";
		r->loc = *loc;
		r->dir = IR_EGRESS;
		r->target = "cisco-ios";
		if (k == 0) {
			aset_add_prefix(ir->arena, &r->src, FAM_V4, 0, 0);
			aset_add_prefix(ir->arena, &r->dst, FAM_V4, 0, 0);
		} else {
			aset_add_prefix(ir->arena, &r->src, FAM_V6, 0, 0);
			aset_add_prefix(ir->arena, &r->dst, FAM_V6, all_dhcp6,
			    128);
		}
		iset_add(ir->arena, &r->svc.p[P_UDP], k == 0 ? 67 : 547,
		    k == 0 ? 67 : 547);
		iset_norm(&r->svc.p[P_UDP]);
		v[k] = *r;
	}
	/* First, before every rule of the policy (neighbour discovery goes
	 * before them next). */
	memmove(&ir->rules[2], &ir->rules[0], (ir->nrules - 2) *
	    sizeof(*ir->rules));
	ir->rules[0] = v[0];
	ir->rules[1] = v[1];
}

/*
 * targets -> '{' TARGET ':' '{' KEY ':' SCALAR ... '}' ... '}'
 * targets: recorded as written; which targets and keys exist, and what
 * their values may be, is the back ends' to say (be_check_options).
 */
static void
parse_targets(struct fe *fe, const struct ynode *n)
{
	size_t i, j;
	struct ir_topt *t;

	if (!y_want_map(n, "targets"))
		return;
	for (i = 0; i < n->n; i++) {
		const struct ynode *k = n->pairs[i].key, *m = n->pairs[i].val;

		ARENA_PUSH(fe->a, fe->ir->topts, fe->ir->ntopts,
		    fe->ir->captopts);
		t = &fe->ir->topts[fe->ir->ntopts - 1];
		memset(t, 0, sizeof(*t));
		t->target = k->str;
		t->loc = k->loc;
		if (!y_want_map(m, k->str))
			continue;
		for (j = 0; j < m->n; j++) {
			const char *s = y_want_str(m->pairs[j].val,
			    m->pairs[j].key->str);

			if (s == NULL)
				continue;
			ARENA_PUSH(fe->a, fe->ir->topts, fe->ir->ntopts,
			    fe->ir->captopts);
			t = &fe->ir->topts[fe->ir->ntopts - 1];
			t->target = k->str;
			t->key = m->pairs[j].key->str;
			t->key_loc = m->pairs[j].key->loc;
			t->value = vars_subst(fe->a, &fe->pol->vars, s,
			    &m->pairs[j].val->loc, NULL, NULL);
			t->loc = m->pairs[j].val->loc;
		}
	}
}

/* max-lock-age -> DAYS 'd' (1 to 36500): past it, compile warns. */
static void
parse_max_lock_age(struct fe *fe, const struct ynode *n)
{
	const char *s = y_want_str(n, "max-lock-age");
	unsigned long days = 0;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 6; i++)
		days = days * 10 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[0] == '0' || strcmp(s + i, "d") != 0 ||
	    days > 36500) {
		diag_error(&n->loc, "max-lock-age: '%s' is not a number of "
		    "days from 1 to 36500 followed by d, like 30d", s);
		return;
	}
	fe->pol->max_lock_age = (unsigned)days;
	fe->pol->max_lock_age_loc = n->loc;
}

/*
 * A duration: N, Ns, Nm, Nh or Nd (seconds, minutes, hours, days), from
 * 1s to IR_DYN_MAX.  0, or -1 after an error at the node.
 */
static int
parse_duration(const struct ynode *n, const char *what, unsigned *out)
{
	const char *s = y_want_str(n, what);
	unsigned long v = 0, mul = 0;
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 9; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (s[i] == '\0' || (s[i + 1] == '\0' && s[i] == 's'))
		mul = 1;
	else if (s[i + 1] == '\0')
		mul = s[i] == 'm' ? 60 : s[i] == 'h' ? 3600 : s[i] == 'd' ?
		    86400 : 0;
	if (i == 0 || mul == 0 || v == 0 || v > IR_DYN_MAX / mul) {
		diag_error(&n->loc, "%s: '%s' is not a duration from 1s to "
		    "23d (a number with s, m, h or d after it, like 1h)", what,
		    s);
		return -1;
	}
	*out = (unsigned)(v * mul);
	return 0;
}

/*
 * dynamic -> 'false' | '{' [timeout: DURATION] [min-ttl: DURATION]
 *	      [max-ttl: DURATION] '}'
 */
static void
parse_dynamic(struct fe *fe, const struct ynode *n)
{
	static const char *const keys[] = { "timeout", "min-ttl", "max-ttl",
	    NULL };
	struct ir_dyn *d = &fe->ir->dyn;
	const struct ynode *v;
	bool on = true;

	if (n->kind == Y_SCALAR) {
		if (y_want_bool(n, "dynamic", &on) == 0 && on)
			diag_error(&n->loc, "dynamic: true is the default; "
			    "write false to turn dynamic sets off, or a map "
			    "{timeout, min-ttl, max-ttl}");
		d->off = !on;
		return;
	}
	if (!y_want_map(n, "dynamic"))
		return;
	ymap_check_keys(n, keys, "dynamic");
	if ((v = ymap_get(n, "timeout")) != NULL)
		parse_duration(v, "timeout", &d->timeout);
	if ((v = ymap_get(n, "min-ttl")) != NULL)
		parse_duration(v, "min-ttl", &d->min_ttl);
	if ((v = ymap_get(n, "max-ttl")) != NULL)
		parse_duration(v, "max-ttl", &d->max_ttl);
	if (d->min_ttl > d->max_ttl)
		diag_error(&n->loc, "dynamic: min-ttl (%us) is longer than "
		    "max-ttl (%us)", d->min_ttl, d->max_ttl);
}

/*
 * policy -> '{' 'egressc: 1' 'name:' NAME [description: TEXT]
 *	     [vars: '{' NAME ':' SCALAR ... '}'] [include: include]
 *	     [wildcards: native|expand|forbid] [hosts: resolve|native]
 *	     [default: deny|accept|none] [inbound: deny|allow] [tiers: tiers]
 *	     [networks: '{' NAME ':' dests ... '}']
 *	     [services: '{' NAME ':' ports ... '}'] [rules: '[' rule ... ']']
 *	     [targets: targets] [max-lock-age: DAYS 'd'] [dynamic: dynamic]
 *	     '}'
 */
static void
parse_top(struct fe *fe, const struct ynode *root)
{
	static const char *const defs[] = { "deny", "accept", "none", NULL };
	static const char *const wilds[] = { "native", "expand", "forbid",
	    NULL };
	static const char *const hosts[] = { "resolve", "native", NULL };
	static const char *const inb[] = { "deny", "allow", NULL };
	struct ir *ir = fe->ir;
	const struct ynode *v;
	size_t i;
	int x;

	if ((v = ymap_get(root, "name")) == NULL)
		diag_error(&root->loc, "policy has no 'name'");
	else if ((ir->name = y_want_str(v, "name")) != NULL &&
	    !ident_ok(ir->name, false))
		diag_error(&v->loc, "bad policy name '%s' ([a-z0-9][a-z0-9-]*, "
		    "at most 63)", ir->name);
	if ((v = ymap_get(root, "description")) != NULL)
		ir->description = subst(fe, v, "description");
	if ((v = ymap_get(root, "default")) != NULL &&
	    (x = want_enum(v, "default", defs)) >= 0)
		ir->def = (enum ir_default)x;
	if ((v = ymap_get(root, "wildcards")) != NULL &&
	    (x = want_enum(v, "wildcards", wilds)) >= 0)
		ir->wildcards = (enum ir_wild)x;
	if ((v = ymap_get(root, "hosts")) != NULL &&
	    (x = want_enum(v, "hosts", hosts)) >= 0)
		ir->hosts = (enum ir_hosts)x;
	if ((v = ymap_get(root, "inbound")) != NULL &&
	    (x = want_enum(v, "inbound", inb)) >= 0)
		ir->inbound_allowed = x == 1;
	if ((v = ymap_get(root, "targets")) != NULL)
		parse_targets(fe, v);
	if ((v = ymap_get(root, "max-lock-age")) != NULL)
		parse_max_lock_age(fe, v);
	if ((v = ymap_get(root, "dynamic")) != NULL)
		parse_dynamic(fe, v);
	if ((v = ymap_get(root, "tiers")) != NULL)
		parse_tiers(fe, v);
	else {
		tier_add(fe, "minimum");
		tier_add(fe, "recommended");
	}
	/* Definitions are checked even when no rule uses them. */
	for (i = 0; i < fe->nnets; i++)
		resolve_net(fe, &fe->nets[i]);
	for (i = 0; i < fe->nsvcs; i++)
		resolve_svc(fe, &fe->svcs[i]);
	/* No rules is a policy too: with default deny, a lockdown. */
	if ((v = ymap_get(root, "rules")) != NULL && !y_is_null(v) &&
	    y_want_seq(v, "rules"))
		parse_rules(fe, v);
	if (ir->def == IR_DEF_DENY) {
		const struct loc *dl = ymap_get(root, "default") ?
		    &ymap_get(root, "default")->loc : &root->loc;

		add_dhcp(fe, dl);
		add_nd(fe, dl);
	}
}

struct policy *
pol_load(struct arena *a, const char *path)
{
	struct fe fe;
	struct policy *pol;
	const struct ynode *root;
	int errs = diag_errors();
	struct loc here = { NULL, 0, 0 };

	memset(&fe, 0, sizeof(fe));
	fe.a = a;
	fe.tree = arena_new();
	pol = arena_alloc(a, sizeof(*pol));
	pol->ir = ir_new(a);
	pol->ir->wildcards = IR_WILD_EXPAND;
	pol->ir->hosts = IR_HOSTS_RESOLVE;
	pol->ir->def = IR_DEF_DENY;
	pol->ir->file = arena_strdup(a, path);
	fe.pol = pol;
	fe.ir = pol->ir;
	root = load_file(&fe, path, &here, true);
	if (root != NULL)
		parse_top(&fe, root);
	arena_free(fe.tree);
	return diag_errors() == errs ? pol : NULL;
}
