/*
 * verify.c - egressc verify: is the live table the one the policy compiles
 * to?  Drift detection for pipelines: exit 0 when it is, 1 with a list of
 * differences, 3 when the kernel cannot be asked.
 *
 * The table, its chains, its sets with their elements and the rules of
 * the policy's chain are dumped (NFT_MSG_GETTABLE/GETCHAIN/GETSET/
 * GETSETELEM/GETRULE) and every rule, ours and the kernel's, is decoded
 * into matches and statements (decode.c).  A table that does nothing is
 * no match either: its flags (dormant) and each chain's type, hook,
 * priority and policy are compared as well as its rules.  The two rule lists are aligned
 * by their longest common subsequence; what is left over is reported as a
 * changed rule (same comment or same shape: the values that were added
 * and removed), a missing rule, an extra rule, or a rule out of order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nl/nl-int.h"
#include "util/out.h"

/* An element's key, and whether it ends an interval. */
struct elem {
	u128	k;
	bool	end;
};

/* A set as dumped: its name, key and values. */
struct live_set {
	const char		*name;
	uint32_t		 flags;
	uint64_t		 timeout_ms;
	const struct nl_field	*key;
	struct iset		 v;
	struct elem		*ev;	/* elements as dumped */
	size_t			 nev, capev;
	struct nl_celems	 ce;	/* a run's set: its elements, sorted */
	size_t			 capce;
};

struct live {
	struct arena		*a;
	const char		*table;
	bool			 have_table;
	uint32_t		 table_flags;
	struct nftnl_chain	**chains;
	size_t			 nchains, capchains;
	struct live_set		*sets;
	size_t			 nsets, capsets;
	struct nftnl_rule	**rules;
	size_t			 nrules, caprules;
	struct live_set		*cur;	/* set whose elements we read */
};

struct report {
	struct arena	*a;
	const struct ir	*ir;
	struct out	 o;
	int		 n;
};

static void
say(struct report *rp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct report *rp, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out_printf(&rp->o, "%s\n", buf);
}

/* ---- dumping ---------------------------------------------------------- */

static int
table_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct live *l = arg;
	struct nftnl_table *t = nftnl_table_alloc();

	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), l->table) == 0) {
		l->have_table = true;
		l->table_flags = nftnl_table_is_set(t, NFTNL_TABLE_FLAGS) ?
		    nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) : 0;
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int
chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct live *l = arg;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), l->table) != 0) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	ARENA_PUSH(l->a, l->chains, l->nchains, l->capchains);
	l->chains[l->nchains - 1] = c;
	return MNL_CB_OK;
}

static const struct nl_field *
key_field(uint32_t dtype, uint32_t len)
{
	static const struct nl_field *const f[] = {
		&nl_f_ip_daddr, &nl_f_ip6_daddr, &nl_f_tcp_dport,
		&nl_f_icmp_type, &nl_f_icmp6_type, &nl_f_icmp_code,
		&nl_f_icmp6_code, &nl_f_run4, &nl_f_run6,
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i]->dtype == dtype && f[i]->len == len)
			return f[i];
	return NULL;
}

static int
set_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct live *l = arg;
	struct nftnl_set *s = nftnl_set_alloc();
	struct live_set *ls;

	if (nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), l->table) != 0) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	ARENA_PUSH(l->a, l->sets, l->nsets, l->capsets);
	ls = &l->sets[l->nsets - 1];
	memset(ls, 0, sizeof(*ls));
	ls->name = arena_strdup(l->a, nftnl_set_get_str(s, NFTNL_SET_NAME));
	ls->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	ls->key = key_field(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN));
	if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
		ls->timeout_ms = nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT);
	iset_init(&ls->v);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int
elem_cmp(const void *x, const void *y)
{
	const struct elem *a = x, *b = y;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	/* An interval's end before the next one's start at the same key:
	 * a named set keeps adjacent prefixes apart. */
	return (int)b->end - (int)a->end;
}

static int
elem_comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **c = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT &&
	    nftnl_udata_len(attr) > 0) {
		const char *s = nftnl_udata_get(attr);

		if (s[nftnl_udata_len(attr) - 1] == '\0')
			*c = s;
	}
	return 0;
}

/* An element of a run's set: each part's interval from the key and its
 * end (none: the key alone), and its comment. */
static void
run_elem(struct arena *a, struct live_set *ls, struct nftnl_set_elem *e,
    const uint8_t *k)
{
	const struct nl_field *part[NFT_CONCAT_MAX];
	size_t n = nl_concat_parts(ls->key, part), i;
	const uint8_t *end = k;
	const char *comment = NULL;
	struct nl_celem *ce;
	uint32_t len, off = 0;

	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END)) {
		end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &len);
		if (len != ls->key->len)
			end = k;
	}
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA)) {
		const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA,
		    &len);

		nftnl_udata_parse(ud, len, elem_comment_cb, &comment);
	}
	ARENA_PUSH(a, ls->ce.e, ls->ce.n, ls->capce);
	ce = &ls->ce.e[ls->ce.n - 1];
	memset(ce, 0, sizeof(*ce));
	for (i = 0; i < n; i++) {
		ce->lo[i] = nl_get_value(k + off, part[i]->len);
		ce->hi[i] = nl_get_value(end + off, part[i]->len);
		off += (part[i]->len + 3) & ~3u;
	}
	ce->comment = comment != NULL ? arena_strdup(a, comment) : NULL;
}

/* A dump may come in several messages: collect, decode in set_finish(). */
static int
elem_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct live *l = arg;
	struct live_set *ls = l->cur;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;

	if (ls->key == NULL || nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	it = nftnl_set_elems_iter_create(s);
	while (it != NULL && (e = nftnl_set_elems_iter_next(it)) != NULL) {
		uint32_t len;
		const uint8_t *k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY,
		    &len);
		struct elem *x;

		if (k != NULL && len == ls->key->len &&
		    ls->key->kind == NL_F_CONCAT) {
			run_elem(l->a, ls, e, k);
			continue;
		}
		if (k == NULL || len != ls->key->len)
			continue;
		ARENA_PUSH(l->a, ls->ev, ls->nev, ls->capev);
		x = &ls->ev[ls->nev - 1];
		x->k = nl_get_value(k, len);
		x->end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
		    NFT_SET_ELEM_INTERVAL_END);
	}
	if (it != NULL)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/*
 * The set's values: in an interval set each start element runs to the
 * next end element minus one (or to the top when none follows); in other
 * sets each key is a value.
 */
static void
set_finish(struct arena *a, struct live_set *ls)
{
	struct elem *v = ls->ev;
	size_t n = ls->nev, i;
	u128 max;

	if (ls->key == NULL)
		return;
	if (ls->key->kind == NL_F_CONCAT) {
		nl_celems_sort(&ls->ce);
		return;
	}
	max = ls->key->len >= 16 ? ~(u128)0 :
	    ((u128)1 << (8 * ls->key->len)) - 1;
	/* An empty set (a dynamic one) has no array at all. */
	if (n > 1)
		qsort(v, n, sizeof(*v), elem_cmp);
	iset_init(&ls->v);
	for (i = 0; i < n; i++) {
		if (v[i].end)
			continue;
		if (!(ls->flags & NFT_SET_INTERVAL))
			iset_add(a, &ls->v, v[i].k, v[i].k);
		else if (i + 1 < n && v[i + 1].end)
			iset_add(a, &ls->v, v[i].k, v[i + 1].k - 1);
		else if (i + 1 < n)
			iset_add(a, &ls->v, v[i].k, v[i].k);
		else
			iset_add(a, &ls->v, v[i].k, max);
	}
	iset_norm(&ls->v);
}

static int
rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct live *l = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), l->table) != 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	ARENA_PUSH(l->a, l->rules, l->nrules, l->caprules);
	l->rules[l->nrules - 1] = r;
	return MNL_CB_OK;
}

static int
dump_live(struct nl_sock *s, struct live *l)
{
	size_t i;
	int rc;

	/* -EINTR: dump_live() starts over (nl_read_error). */
	rc = nl_ask_table(s, l->table, table_cb, l);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return nl_read_error("the table", rc, "verify");
	if ((rc = nl_ask_chains(s, l->table, chain_cb, l)) < 0)
		return nl_read_error("the chains", rc, "verify");
	if ((rc = nl_ask_sets(s, l->table, set_cb, l)) < 0)
		return nl_read_error("the sets", rc, "verify");
	for (i = 0; i < l->nsets; i++) {
		l->cur = &l->sets[i];
		rc = nl_ask_elems(s, l->table, l->sets[i].name, elem_cb, l);
		if (rc < 0)
			return nl_read_error("set elements", rc, "verify");
		set_finish(l->a, &l->sets[i]);
	}
	rc = nl_ask_rules(s, l->table, rule_cb, l);
	if (rc < 0 && rc != -ENOENT)
		return nl_read_error("the rules", rc, "verify");
	return 0;
}

static const struct iset no_elems;

static const struct iset *
live_set(void *arg, const char *name, uint32_t id, const struct nl_field **f,
    const struct nl_celems **ce)
{
	struct live *l = arg;
	size_t i;

	(void)id;
	for (i = 0; name != NULL && i < l->nsets; i++)
		if (strcmp(l->sets[i].name, name) == 0) {
			*f = l->sets[i].key;
			/* What a dynamic set holds is DNS's to say, not the
			 * policy's: compared as empty, like the policy's. */
			if (l->sets[i].flags & NFT_SET_TIMEOUT)
				return &no_elems;
			if (l->sets[i].key != NULL &&
			    l->sets[i].key->kind == NL_F_CONCAT)
				*ce = &l->sets[i].ce;
			return &l->sets[i].v;
		}
	return NULL;
}

/* ---- comparing -------------------------------------------------------- */

static const char *
rule_label(struct report *rp, const struct nl_rule *r)
{
	if (r->src == NULL)
		return "built-in rule";
	if (r->run != NULL)
		return arena_printf(rp->a, "rules %s (%s:%d:%d) to %s, set %s",
		    r->src->name, r->src->loc.file ? r->src->loc.file :
		    rp->ir->file, r->src->loc.line, r->src->loc.col,
		    r->last->name, r->run);
	return arena_printf(rp->a, "rule %s (%s:%d:%d)", r->src->name,
	    r->src->loc.file ? r->src->loc.file : rp->ir->file,
	    r->src->loc.line, r->src->loc.col);
}

/* How many elements of a run's set a report lists; then a count. */
#define RUN_SAY_MAX	20

/* The elements of a that b has not (both sorted), each with the policy
 * rule its comment names: "removed" from the policy's, "added". */
static void
say_celems(struct report *rp, const struct nl_match *m,
    const struct nl_celems *a, const struct nl_celems *b, const char *what)
{
	size_t i, j, n = 0;
	int c;

	for (i = j = 0; i < a->n; i++) {
		c = -1;
		while (j < b->n && (c = nl_celem_cmp(&b->e[j], &a->e[i])) < 0)
			j++;
		if (j < b->n && c == 0) {
			j++;
			continue;
		}
		if (n++ < RUN_SAY_MAX)
			say(rp, "      %s: %s %s (comment \"%s\")", m->raw, what,
			    nl_celem_text(rp->a, m->f, &a->e[i]),
			    a->e[i].comment != NULL ? a->e[i].comment : "");
	}
	if (n > RUN_SAY_MAX)
		say(rp, "      %s: and %zu more %s", m->raw, n - RUN_SAY_MAX,
		    what);
}

/* "ip daddr: added 10.0.0.1; removed 192.0.2.1" for each changed field;
 * a run's set: each element added or removed, with the rule it names. */
static void
say_changes(struct report *rp, const struct nl_drule *e,
    const struct nl_drule *g)
{
	size_t i;

	for (i = 0; i < e->nm; i++) {
		const struct nl_match *x = &e->m[i], *y = &g->m[i];
		struct iset add, del;

		if (x->f != NULL && x->f->kind == NL_F_CONCAT) {
			say_celems(rp, x, &x->ce, &y->ce, "missing");
			say_celems(rp, x, &y->ce, &x->ce, "extra");
			continue;
		}
		if (x->f == NULL || iset_equal(&x->v, &y->v))
			continue;
		iset_init(&add);
		iset_init(&del);
		iset_diff(rp->a, &add, &y->v, &x->v);
		iset_diff(rp->a, &del, &x->v, &y->v);
		say(rp, "      %s:%s%s%s%s", x->f->name,
		    add.n ? " added " : "",
		    add.n ? nl_values_text(rp->a, x->f, &add) : "",
		    add.n && del.n ? ";" : "",
		    del.n ? arena_printf(rp->a, " removed %s",
		    nl_values_text(rp->a, x->f, &del)) : "");
	}
}

static void
compare_chain(struct report *rp, const struct nl_chain *ch,
    const struct nftnl_chain *c)
{
	static const char *const pol[] = { "drop", "accept" };
	bool base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	const char *hook = ch->dir == IR_INBOUND ? "input" : "output";

	if (base != ch->base) {
		say(rp, "chain %s: %s, the policy wants %s", ch->name,
		    base ? "a base chain" : "a regular chain",
		    ch->base ? "a base chain" : "a regular chain");
		rp->n++;
		return;
	}
	if (!base)
		return;
	if (nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != ch->hook ||
	    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE), "filter") != 0 ||
	    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO) != ch->prio) {
		say(rp, "chain %s: type %s hook %u priority %d, the policy "
		    "wants type filter hook %s priority %d", ch->name,
		    nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE),
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
		    nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), hook, ch->prio);
		rp->n++;
	}
	if (nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) != ch->policy) {
		say(rp, "chain %s: policy %s, the policy wants %s", ch->name,
		    pol[nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_ACCEPT],
		    pol[ch->policy == NF_ACCEPT]);
		rp->n++;
	}
}

/* Largest LCS table we build; beyond it, a greedy alignment. */
#define LCS_MAX_CELLS	(4u << 20)

/*
 * Pair equal rules in order (eu/gu mark the paired ones): the common head
 * and tail first, then the longest common subsequence of what is between,
 * which is small unless the table drifted a lot.
 */
static void
align(const struct nl_drule *e, size_t ne, const struct nl_drule *g,
    size_t ng, bool *eu, bool *gu)
{
	size_t lo = 0, he = ne, hg = ng, n, m, i, j;
	uint32_t *t;

	while (lo < ne && lo < ng && nl_drule_equal(&e[lo], &g[lo])) {
		eu[lo] = gu[lo] = true;
		lo++;
	}
	while (he > lo && hg > lo && nl_drule_equal(&e[he - 1], &g[hg - 1])) {
		eu[--he] = gu[--hg] = true;
	}
	n = he - lo;
	m = hg - lo;
	if (n == 0 || m == 0)
		return;
	if ((n + 1) * (m + 1) > LCS_MAX_CELLS) {
		for (i = lo, j = lo; i < he && j < hg; i++) {
			size_t k;

			for (k = j; k < hg && !nl_drule_equal(&e[i], &g[k]); k++)
				;
			if (k < hg) {
				eu[i] = gu[k] = true;
				j = k + 1;
			}
		}
		return;
	}
	t = xmalloc((n + 1) * (m + 1) * sizeof(*t));
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (i = n + 1; i-- > 0;)
		for (j = m + 1; j-- > 0;) {
			if (i == n || j == m)
				T(i, j) = 0;
			else if (nl_drule_equal(&e[lo + i], &g[lo + j]))
				T(i, j) = T(i + 1, j + 1) + 1;
			else
				T(i, j) = T(i + 1, j) > T(i, j + 1) ?
				    T(i + 1, j) : T(i, j + 1);
		}
	for (i = 0, j = 0; i < n && j < m;) {
		if (nl_drule_equal(&e[lo + i], &g[lo + j]) &&
		    T(i, j) == T(i + 1, j + 1) + 1) {
			eu[lo + i++] = gu[lo + j++] = true;
		} else if (T(i + 1, j) >= T(i, j + 1))
			i++;
		else
			j++;
	}
#undef T
	free(t);
}

static void
compare_rules(struct report *rp, const char *chain,
    const struct nl_rule *const *wr,
    const struct nl_drule *e, size_t ne, const struct nl_drule *g, size_t ng)
{
	bool *eu = xmalloc(ne + 1), *gu = xmalloc(ng + 1);
	size_t i, j, k;

	memset(eu, 0, ne + 1);
	memset(gu, 0, ng + 1);
	align(e, ne, g, ng, eu, gu);

	/* What is left: the same rule elsewhere, changed, missing, extra. */
	for (i = 0; i < ne; i++) {
		if (eu[i])
			continue;
		for (k = 0; k < ng; k++)
			if (!gu[k] && nl_drule_equal(&e[i], &g[k]))
				break;
		if (k < ng) {
			say(rp, "%s: out of order (handle %llu): %s",
			    rule_label(rp, wr[i]),
			    (unsigned long long)g[k].handle,
			    nl_drule_text(rp->a, &e[i]));
			eu[i] = gu[k] = true;
			rp->n++;
			continue;
		}
		for (k = 0; k < ng; k++)
			if (!gu[k] && nl_drule_alike(&e[i], &g[k]))
				break;
		if (k < ng) {
			say(rp, "%s: changed (handle %llu): %s",
			    rule_label(rp, wr[i]),
			    (unsigned long long)g[k].handle,
			    nl_drule_text(rp->a, &e[i]));
			say_changes(rp, &e[i], &g[k]);
			eu[i] = gu[k] = true;
			rp->n++;
			continue;
		}
		for (k = 0; k < ng; k++)
			if (!gu[k] && e[i].comment != NULL &&
			    g[k].comment != NULL &&
			    strcmp(e[i].comment, g[k].comment) == 0)
				break;
		if (k < ng) {
			say(rp, "%s: changed (handle %llu)",
			    rule_label(rp, wr[i]),
			    (unsigned long long)g[k].handle);
			say(rp, "      policy: %s", nl_drule_text(rp->a, &e[i]));
			say(rp, "      kernel: %s", nl_drule_text(rp->a, &g[k]));
			eu[i] = gu[k] = true;
			rp->n++;
			continue;
		}
		say(rp, "%s: missing: %s", rule_label(rp, wr[i]),
		    nl_drule_text(rp->a, &e[i]));
		rp->n++;
	}
	for (j = 0; j < ng; j++)
		if (!gu[j]) {
			say(rp, "extra rule in chain %s (handle %llu): %s",
			    chain, (unsigned long long)g[j].handle,
			    nl_drule_text(rp->a, &g[j]));
			rp->n++;
		}
	free(eu);
	free(gu);
}

/* A table's flags in nft's words ("dormant", "owner"). */
static const char *
flags_text(struct arena *a, uint32_t f)
{
	static const struct {
		uint32_t	 bit;
		const char	*name;
	} names[] = {
		{ NFT_TABLE_F_DORMANT, "dormant" },
		{ 2, "owner" },		/* NFT_TABLE_F_OWNER, Linux 5.12 */
		{ 4, "persist" },	/* NFT_TABLE_F_PERSIST, Linux 6.9 */
	};
	const char *s = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit) {
			s = arena_printf(a, "%s%s%s", s, *s ? "," : "",
			    names[i].name);
			f &= ~names[i].bit;
		}
	if (f != 0)
		s = arena_printf(a, "%s%s0x%x", s, *s ? "," : "", f);
	return s;
}

/*
 * Is the kernel's set one of the policy's floor or dynamic sets?  Then say
 * how it differs in kind (its elements are compared through the rules
 * that look it up); false when the policy has no set of that name.
 */
static bool
named_set(struct report *rp, const struct live *l, const struct live_set *ls,
    const struct nl_want *w)
{
	const struct nl_set *s = NULL;
	uint32_t want, kind = NFT_SET_INTERVAL | NFT_SET_TIMEOUT |
	    NFT_SET_CONSTANT | NFT_SET_MAP;
	size_t i;

	(void)l;
	for (i = 0; i < w->nnamed; i++)
		if (strcmp(w->named[i].name, ls->name) == 0)
			s = &w->named[i];
	if (s == NULL)
		return false;
	want = s->dynamic ? NFT_SET_TIMEOUT : NFT_SET_INTERVAL;
	if (s->field->kind == NL_F_CONCAT &&
	    ((ls->flags & kind) != want || ls->key != s->field)) {
		say(rp, "set %s: not an interval set of %s", ls->name,
		    s->field->name);
		rp->n++;
	} else if ((ls->flags & kind) != want || ls->key != s->field) {
		say(rp, "set %s: not a %s set of %s addresses", ls->name,
		    s->dynamic ? "timeout" : "interval", s->field->len == 4 ?
		    "IPv4" : "IPv6");
		rp->n++;
	} else if (s->dynamic && ls->timeout_ms != s->timeout_ms) {
		say(rp, "set %s: timeout %llus, the policy says %llus",
		    ls->name, (unsigned long long)(ls->timeout_ms / 1000),
		    (unsigned long long)(s->timeout_ms / 1000));
		rp->n++;
	}
	return true;
}

static int
compare(struct report *rp, struct live *l, const struct nl_want *w)
{
	size_t c, i, ne, ng;

	if (!l->have_table) {
		say(rp, "table inet %s: missing (run `egressc apply`)",
		    w->table);
		rp->n++;
		return 0;
	}
	if (l->table_flags != 0) {
		say(rp, "table inet %s: flags %s, the policy wants none%s",
		    w->table, flags_text(rp->a, l->table_flags),
		    l->table_flags & NFT_TABLE_F_DORMANT ? " (a dormant table "
		    "filters nothing)" : "");
		rp->n++;
	}
	for (i = 0; i < l->nchains; i++) {
		const char *name = nftnl_chain_get_str(l->chains[i],
		    NFTNL_CHAIN_NAME);

		for (c = 0; c < w->nchains; c++)
			if (strcmp(name, w->chains[c].name) == 0)
				break;
		if (c == w->nchains) {
			say(rp, "chain %s: not in the policy", name);
			rp->n++;
		}
	}
	for (i = 0; i < l->nsets; i++)
		if (!(l->sets[i].flags & NFT_SET_ANONYMOUS) &&
		    !named_set(rp, l, &l->sets[i], w)) {
			say(rp, "set %s: not in the policy", l->sets[i].name);
			rp->n++;
		}
	for (i = 0; i < w->nnamed; i++) {
		size_t k;

		for (k = 0; k < l->nsets; k++)
			if (strcmp(l->sets[k].name, w->named[i].name) == 0)
				break;
		if (k == l->nsets) {
			say(rp, "set %s: missing", w->named[i].name);
			rp->n++;
		}
	}
	for (c = 0; c < w->nchains; c++) {
		const struct nl_chain *ch = &w->chains[c];
		const struct nftnl_chain *live = NULL;
		const struct nl_rule **wr;
		struct nl_drule *e, *g;

		for (i = 0; i < l->nchains; i++)
			if (strcmp(nftnl_chain_get_str(l->chains[i],
			    NFTNL_CHAIN_NAME), ch->name) == 0)
				live = l->chains[i];
		if (live == NULL) {
			for (i = ne = 0; i < w->nrules; i++)
				ne += w->rules[i].chain == c;
			say(rp, "chain %s: missing, and with it %zu rules",
			    ch->name, ne);
			rp->n++;
			continue;
		}
		compare_chain(rp, ch, live);
		wr = arena_alloc(rp->a, (w->nrules + 1) * sizeof(*wr));
		e = arena_alloc(rp->a, (w->nrules + 1) * sizeof(*e));
		g = arena_alloc(rp->a, (l->nrules + 1) * sizeof(*g));
		for (i = ne = 0; i < w->nrules; i++)
			if (w->rules[i].chain == c) {
				wr[ne] = &w->rules[i];
				nl_decode(rp->a, w->rules[i].r, nl_want_setfn,
				    (void *)w, &e[ne++]);
			}
		for (i = ng = 0; i < l->nrules; i++)
			if (strcmp(nftnl_rule_get_str(l->rules[i],
			    NFTNL_RULE_CHAIN), ch->name) == 0)
				nl_decode(rp->a, l->rules[i], live_set, l,
				    &g[ng++]);
		compare_rules(rp, ch->name, wr, e, ne, g, ng);
	}
	return 0;
}

static void
live_free(struct live *l)
{
	size_t i;

	for (i = 0; i < l->nchains; i++)
		nftnl_chain_free(l->chains[i]);
	for (i = 0; i < l->nrules; i++)
		nftnl_rule_free(l->rules[i]);
	l->nchains = l->nsets = l->nrules = 0;
	l->have_table = false;
	l->table_flags = 0;
}

int
nl_verify(const struct ir *ir, const struct nl_opts *o)
{
	struct arena *a = arena_new();
	struct nft_table t;
	struct nl_want w;
	struct live l;
	struct report rp;
	struct nl_sock s;
	int rc, tries;

	/* The namespace first: "lo" is looked up in it. */
	if (nl_enter_netns(o->netns) < 0) {
		arena_free(a);
		return -1;
	}
	if (nft_model_build(a, ir, &t) < 0) {
		arena_free(a);
		return -1;
	}
	nl_want_build(a, &t, false, &w);
	memset(&l, 0, sizeof(l));
	l.a = a;
	l.table = w.table;
	if ((rc = nl_sock_open(&s)) == 0) {
		/* A dump the kernel flags as interrupted (the ruleset changed
		 * meanwhile) may be inconsistent: read everything again. */
		for (tries = 0; tries < 5; tries++) {
			rc = dump_live(&s, &l);
			if (rc != -EINTR)
				break;
			live_free(&l);
		}
		if (rc == -EINTR) {
			diag_fail(NULL, "the ruleset kept changing while it "
			    "was read; try again");
			rc = -1;
		}
		nl_sock_close(&s);
	}
	if (rc == 0) {
		memset(&rp, 0, sizeof(rp));
		rp.a = a;
		rp.ir = ir;
		out_init(&rp.o);
		compare(&rp, &l, &w);
		if (rp.n > 0) {
			printf("table inet %s differs from %s (%d difference%s):"
			    "\n%s", w.table, ir->file, rp.n, rp.n == 1 ? "" :
			    "s", out_str(&rp.o));
			rc = 1;
		}
		out_free(&rp.o);
	}
	live_free(&l);
	nl_want_free(&w);
	arena_free(a);
	return rc;
}
