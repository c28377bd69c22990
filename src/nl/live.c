/*
 * live.c - what a table holds now, as far as a load that keeps the
 * dynamic sets and egressc refresh need to know: whether it exists, its
 * chains with their hooks, its named sets with their flags and timeouts,
 * and, for the sets asked for, their elements with the time each has
 * left.  Read within one ruleset generation, so that a commit in the
 * middle of the dump cannot give a mix of two rulesets.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nl/nl-int.h"

#define LIVE_TRIES	5

static int
table_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_live *l = arg;
	struct nftnl_table *t = nftnl_table_alloc();

	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), l->table) == 0)
		l->exists = true;
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int
chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_live *l = arg;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nl_lchain *lc;

	if (nftnl_chain_nlmsg_parse(nlh, c) == 0 &&
	    strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), l->table) == 0) {
		ARENA_PUSH(l->a, l->chains, l->nchains, l->capchains);
		lc = &l->chains[l->nchains - 1];
		memset(lc, 0, sizeof(*lc));
		lc->name = arena_strdup(l->a, nftnl_chain_get_str(c,
		    NFTNL_CHAIN_NAME));
		lc->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
		if (lc->base) {
			lc->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
			lc->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
			lc->type = arena_strdup(l->a, nftnl_chain_get_str(c,
			    NFTNL_CHAIN_TYPE));
		}
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int
set_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_live *l = arg;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nl_lset *ls;

	if (nftnl_set_nlmsg_parse(nlh, s) == 0 &&
	    strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), l->table) == 0) {
		ARENA_PUSH(l->a, l->sets, l->nsets, l->capsets);
		ls = &l->sets[l->nsets - 1];
		memset(ls, 0, sizeof(*ls));
		ls->name = arena_strdup(l->a, nftnl_set_get_str(s,
		    NFTNL_SET_NAME));
		ls->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		ls->ktype = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
		ls->klen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
			ls->timeout_ms = nftnl_set_get_u64(s,
			    NFTNL_SET_TIMEOUT);
	}
	nftnl_set_free(s);
	return MNL_CB_OK;
}

struct elemarg {
	struct nl_live	*l;
	struct nl_lset	*s;
};

static int
elem_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct elemarg *x = arg;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	struct nl_lelem *le;
	const uint8_t *k;
	uint32_t len;

	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	it = nftnl_set_elems_iter_create(s);
	while (it != NULL && (e = nftnl_set_elems_iter_next(it)) != NULL) {
		k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		if (k == NULL || len > 16)
			continue;
		ARENA_PUSH(x->l->a, x->s->e, x->s->ne, x->s->cape);
		le = &x->s->e[x->s->ne - 1];
		memset(le, 0, sizeof(*le));
		le->key = nl_get_value(k, len);
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
			le->expires_ms = nftnl_set_elem_get_u64(e,
			    NFTNL_SET_ELEM_EXPIRATION);
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
			le->timeout_ms = nftnl_set_elem_get_u64(e,
			    NFTNL_SET_ELEM_TIMEOUT);
	}
	if (it != NULL)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int
live_once(struct nl_sock *s, struct nl_live *l,
    bool (*want)(const char *, void *), void *arg)
{
	struct elemarg ea = { l, NULL };
	size_t i;
	int rc;

	l->exists = false;
	l->nchains = l->nsets = 0;
	rc = nl_ask_table(s, l->table, table_cb, l);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return nl_read_error("the table", rc, "this");
	rc = nl_ask_chains(s, l->table, chain_cb, l);
	if (rc < 0 && rc != -ENOENT)
		return nl_read_error("the chains", rc, "this");
	rc = nl_ask_sets(s, l->table, set_cb, l);
	if (rc < 0 && rc != -ENOENT)
		return nl_read_error("the sets", rc, "this");
	for (i = 0; want != NULL && i < l->nsets; i++) {
		if (!want(l->sets[i].name, arg))
			continue;
		ea.s = &l->sets[i];
		ea.s->elems_read = true;
		rc = nl_ask_elems(s, l->table, l->sets[i].name, elem_cb, &ea);
		if (rc < 0 && rc != -ENOENT)
			return nl_read_error("set elements", rc, "this");
	}
	return 0;
}

int
nl_live_read(struct nl_sock *s, struct arena *a, const char *table,
    bool (*want)(const char *, void *), void *arg, struct nl_live *l)
{
	uint32_t g0, g1;
	int tries, rc;

	memset(l, 0, sizeof(*l));
	l->a = a;
	l->table = table;
	for (tries = 0; tries < LIVE_TRIES; tries++) {
		if ((rc = nl_sock_genid(s, &g0)) < 0)
			return nl_read_error("the ruleset generation", rc, "this");
		rc = live_once(s, l, want, arg);
		if (rc == 0 && (rc = nl_sock_genid(s, &g1)) < 0)
			return nl_read_error("the ruleset generation", rc, "this");
		if (rc == 0 && g0 == g1)
			return 0;
		if (rc < 0 && rc != -EINTR)
			return -1;
	}
	diag_fail(NULL, "table inet %s kept changing while it was read; try "
	    "again", table);
	return -1;
}

const struct nl_lset *
nl_live_set(const struct nl_live *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nsets; i++)
		if (strcmp(l->sets[i].name, name) == 0)
			return &l->sets[i];
	return NULL;
}
