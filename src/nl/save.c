/*
 * save.c - a table as the kernel holds it, turned into the batch that puts
 * it back.  apply --confirm saves the policy's table this way before it
 * replaces it, and the watchdog sends the batch when nobody confirmed.
 *
 * Everything of the table is read through the same GET requests verify
 * uses (sock.c) and kept as the libnftnl objects the kernel sent: the
 * table, its chains, stateful objects, sets with their elements,
 * flowtables and rules.  Written back, each object loses only what names
 * its old incarnation (handles, use counts, positions) and keeps the rest
 * as it was, counters and comments (user data) included, so that
 * `nft list ruleset` after a restore prints what it printed before.  Sets
 * keep their kernel names, anonymous ones too ("__set3"), because rules
 * find their sets by name.
 *
 * The dump is several requests; a commit between two of them would make
 * it a mix of two rulesets, so the generation is read before and after
 * and the whole dump is done again when it moved.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nl/nl-int.h"

#define SAVE_TRIES	5

/* One kind of object: how to make, read, name, write and free it. */
struct kind {
	const char	*what;		/* "the chains", for errors */
	const char	*msg;		/* "NEWCHAIN" */
	int		 get, put;	/* NFT_MSG_GET..., NFT_MSG_NEW... */
	uint16_t	 putflags;
	void		*(*alloc)(void);
	void		 (*free)(void *);
	int		 (*parse)(const struct nlmsghdr *, void *);
	const char	*(*table)(void *);
	void		 (*setup)(void *, const char *table); /* a request */
	void		 (*clean)(void *);	/* before it is written back */
	void		 (*payload)(struct nlmsghdr *, void *);
};

/* Objects of one kind, in the order the kernel listed them. */
struct objs {
	const struct kind	*k;
	void			**v;
	size_t			 n, cap;
};

enum { K_CHAIN, K_OBJ, K_SET, K_FLOWTABLE, K_RULE, K_N };

struct saved {
	struct arena		*a;
	const char		*table;
	struct nftnl_table	*t;	/* NULL: there is no such table */
	struct objs		 o[K_N];
};

/* ---- the kinds -------------------------------------------------------- */

static void *
chain_alloc(void)
{
	return nftnl_chain_alloc();
}

static void
chain_free(void *c)
{
	nftnl_chain_free(c);
}

static int
chain_parse(const struct nlmsghdr *nlh, void *c)
{
	return nftnl_chain_nlmsg_parse(nlh, c);
}

static const char *
chain_table(void *c)
{
	return nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
}

static void
chain_setup(void *c, const char *table)
{
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
}

static void
chain_clean(void *c)
{
	uint32_t flags;

	nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
	nftnl_chain_unset(c, NFTNL_CHAIN_USE);
	nftnl_chain_unset(c, NFTNL_CHAIN_ID);
	/* The kernel sets "base" itself, from the hook. */
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_FLAGS)) {
		flags = nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS) &
		    ~(uint32_t)NFT_CHAIN_BASE;
		if (flags == 0)
			nftnl_chain_unset(c, NFTNL_CHAIN_FLAGS);
		else
			nftnl_chain_set_u32(c, NFTNL_CHAIN_FLAGS, flags);
	}
}

static void *
obj_alloc(void)
{
	return nftnl_obj_alloc();
}

static void
obj_free(void *o)
{
	nftnl_obj_free(o);
}

static int
obj_parse(const struct nlmsghdr *nlh, void *o)
{
	return nftnl_obj_nlmsg_parse(nlh, o);
}

static const char *
obj_table(void *o)
{
	return nftnl_obj_get_str(o, NFTNL_OBJ_TABLE);
}

static void
obj_setup(void *o, const char *table)
{
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
}

/* Nothing: the kernel finds objects by name and ignores a handle in
 * NEWOBJ (and libnftnl 1.2.4 does not export nftnl_obj_unset). */
static void
obj_clean(void *o)
{
	(void)o;
}

static void *
set_alloc(void)
{
	return nftnl_set_alloc();
}

static void
set_free(void *s)
{
	nftnl_set_free(s);
}

static int
set_parse(const struct nlmsghdr *nlh, void *s)
{
	return nftnl_set_nlmsg_parse(nlh, s);
}

static const char *
set_table(void *s)
{
	return nftnl_set_get_str(s, NFTNL_SET_TABLE);
}

static void
set_setup(void *s, const char *table)
{
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
}

static void
set_clean(void *s)
{
	nftnl_set_unset(s, NFTNL_SET_HANDLE);
}

static void *
ft_alloc(void)
{
	return nftnl_flowtable_alloc();
}

static void
ft_free(void *f)
{
	nftnl_flowtable_free(f);
}

static int
ft_parse(const struct nlmsghdr *nlh, void *f)
{
	return nftnl_flowtable_nlmsg_parse(nlh, f);
}

static const char *
ft_table(void *f)
{
	return nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_TABLE);
}

static void
ft_setup(void *f, const char *table)
{
	nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_TABLE, table);
}

static void
ft_clean(void *f)
{
	nftnl_flowtable_unset(f, NFTNL_FLOWTABLE_HANDLE);
	nftnl_flowtable_unset(f, NFTNL_FLOWTABLE_USE);
}

static void *
rule_alloc(void)
{
	return nftnl_rule_alloc();
}

static void
rule_free(void *r)
{
	nftnl_rule_free(r);
}

static int
rule_parse(const struct nlmsghdr *nlh, void *r)
{
	return nftnl_rule_nlmsg_parse(nlh, r);
}

static const char *
rule_table(void *r)
{
	return nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
}

static void
rule_setup(void *r, const char *table)
{
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
}

static void
rule_clean(void *r)
{
	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	nftnl_rule_unset(r, NFTNL_RULE_ID);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION_ID);
}

/*
 * In the order they go back: chains before the rules that jump to them
 * and the maps that name them, objects before the sets and rules that
 * name them, sets before the rules that look them up.
 */
static const struct kind kinds[K_N] = {
	[K_CHAIN] = { "the chains", "NEWCHAIN", NFT_MSG_GETCHAIN,
	    NFT_MSG_NEWCHAIN, NLM_F_CREATE, chain_alloc, chain_free,
	    chain_parse, chain_table, chain_setup, chain_clean, nl_p_chain },
	[K_OBJ] = { "the stateful objects", "NEWOBJ", NFT_MSG_GETOBJ,
	    NFT_MSG_NEWOBJ, NLM_F_CREATE, obj_alloc, obj_free, obj_parse,
	    obj_table, obj_setup, obj_clean, nl_p_obj },
	[K_SET] = { "the sets", "NEWSET", NFT_MSG_GETSET, NFT_MSG_NEWSET,
	    NLM_F_CREATE, set_alloc, set_free, set_parse, set_table,
	    set_setup, set_clean, nl_p_set },
	[K_FLOWTABLE] = { "the flowtables", "NEWFLOWTABLE",
	    NFT_MSG_GETFLOWTABLE, NFT_MSG_NEWFLOWTABLE, NLM_F_CREATE,
	    ft_alloc, ft_free, ft_parse, ft_table, ft_setup, ft_clean,
	    nl_p_flowtable },
	[K_RULE] = { "the rules", "NEWRULE", NFT_MSG_GETRULE,
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, rule_alloc,
	    rule_free, rule_parse, rule_table, rule_setup, rule_clean,
	    nl_p_rule },
};

/* ---- reading ---------------------------------------------------------- */

struct cbarg {
	struct saved	*sv;
	struct objs	*o;
};

/* Dumps are filtered by table in the kernel only since some versions. */
static int
obj_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cbarg *c = arg;
	const struct kind *k = c->o->k;
	void *x = k->alloc();
	const char *t;

	if (k->parse(nlh, x) < 0 || (t = k->table(x)) == NULL ||
	    strcmp(t, c->sv->table) != 0) {
		k->free(x);
		return MNL_CB_OK;
	}
	ARENA_PUSH(c->sv->a, c->o->v, c->o->n, c->o->cap);
	c->o->v[c->o->n - 1] = x;
	return MNL_CB_OK;
}

static int
table_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct saved *sv = arg;
	struct nftnl_table *t = nftnl_table_alloc();

	if (nftnl_table_nlmsg_parse(nlh, t) == 0 && sv->t == NULL &&
	    strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), sv->table) == 0) {
		sv->t = t;
		return MNL_CB_OK;
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* The elements go into the set object itself, message after message. */
static int
elem_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nftnl_set_elems_nlmsg_parse(nlh, arg);
	return MNL_CB_OK;
}

static void
saved_free(struct saved *sv)
{
	size_t k, i;

	if (sv->t != NULL)
		nftnl_table_free(sv->t);
	sv->t = NULL;
	for (k = 0; k < K_N; k++) {
		for (i = 0; i < sv->o[k].n; i++)
			kinds[k].free(sv->o[k].v[i]);
		sv->o[k].n = 0;
	}
}

static int
read_kind(struct nl_sock *s, struct saved *sv, size_t k)
{
	struct cbarg c = { sv, &sv->o[k] };
	void *req = kinds[k].alloc();
	int rc;

	sv->o[k].k = &kinds[k];
	kinds[k].setup(req, sv->table);
	rc = nl_sock_ask(s, kinds[k].get, NLM_F_DUMP, req, kinds[k].payload,
	    obj_cb, &c);
	kinds[k].free(req);
	if (rc < 0 && rc != -ENOENT)
		return nl_read_error(kinds[k].what, rc, "apply");
	return 0;
}

static int
read_table(struct nl_sock *s, struct saved *sv)
{
	size_t k, i;
	int rc;

	rc = nl_ask_table(s, sv->table, table_cb, sv);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return nl_read_error("the table", rc, "apply");
	for (k = 0; k < K_N; k++)
		if ((rc = read_kind(s, sv, k)) < 0)
			return rc;
	for (i = 0; i < sv->o[K_SET].n; i++) {
		struct nftnl_set *st = sv->o[K_SET].v[i];

		rc = nl_ask_elems(s, sv->table, nftnl_set_get_str(st,
		    NFTNL_SET_NAME), elem_cb, st);
		if (rc < 0 && rc != -ENOENT)
			return nl_read_error("set elements", rc, "apply");
	}
	return 0;
}

/* The table and all it holds, read within one generation. */
static int
read_all(struct nl_sock *s, struct saved *sv)
{
	uint32_t g0, g1;
	int tries, rc;

	for (tries = 0; tries < SAVE_TRIES; tries++) {
		if ((rc = nl_sock_genid(s, &g0)) < 0)
			return nl_read_error("the ruleset generation", rc, "apply");
		rc = read_table(s, sv);
		if (rc == 0 && (rc = nl_sock_genid(s, &g1)) < 0)
			return nl_read_error("the ruleset generation", rc, "apply");
		if (rc == 0 && g0 == g1)
			return 0;
		if (rc < 0 && rc != -EINTR)
			return -1;
		saved_free(sv);
	}
	diag_fail(NULL, "table inet %s kept changing while it was read; try "
	    "again", sv->table);
	return -1;
}

/* ---- writing back ----------------------------------------------------- */

static void
put(struct nl_batch *b, int type, uint16_t flags, const char *what,
    void (*payload)(struct nlmsghdr *, void *), void *obj)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), (uint16_t)type,
	    NFPROTO_INET, flags | NLM_F_ACK, b->seq++);
	payload(nlh, obj);
	nl_batch_add(b, nlh, NULL, what);
}

/* add table inet T {} ; delete table inet T: gone, whatever it held. */
static void
put_clear(struct nl_batch *b, const char *table)
{
	struct nftnl_table *t = nftnl_table_alloc();

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	put(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "NEWTABLE", nl_p_table, t);
	nftnl_table_unset(t, NFTNL_TABLE_FLAGS);
	put(b, NFT_MSG_DELTABLE, 0, "DELTABLE", nl_p_table, t);
	nftnl_table_free(t);
}

/*
 * The table as it was.  An owner is a socket of the process that made the
 * table, which the table would die with; the restored one has none.
 */
static void
put_table(struct nl_batch *b, struct nftnl_table *t)
{
	uint32_t flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);

	nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
	nftnl_table_unset(t, NFTNL_TABLE_USE);
	nftnl_table_unset(t, NFTNL_TABLE_OWNER);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, flags & NFT_TABLE_F_DORMANT);
	put(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, "NEWTABLE", nl_p_table, t);
}

/* A set's elements, as many messages as they need. */
static void
put_elems(struct nl_batch *b, struct nftnl_set *st)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(st);
	struct nlmsghdr *nlh;
	int more = 1;

	while (it != NULL && nftnl_set_elems_iter_cur(it) != NULL && more) {
		nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b),
		    NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK,
		    b->seq++);
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		nl_batch_add(b, nlh, NULL, "NEWSETELEM");
	}
	if (it != NULL)
		nftnl_set_elems_iter_destroy(it);
}

static void
put_saved(struct nl_batch *b, struct saved *sv)
{
	size_t k, i;

	nl_batch_begin(b);
	put_clear(b, sv->table);
	if (sv->t != NULL) {
		put_table(b, sv->t);
		for (k = 0; k < K_N; k++)
			for (i = 0; i < sv->o[k].n; i++) {
				void *x = sv->o[k].v[i];

				kinds[k].clean(x);
				/* NEWSET wants an id in the batch, even when
				 * nothing refers to the set by it. */
				if (k == K_SET)
					nftnl_set_set_u32(x, NFTNL_SET_ID,
					    (uint32_t)i + 1);
				put(b, kinds[k].put, kinds[k].putflags,
				    kinds[k].msg, kinds[k].payload, x);
				if (k == K_SET)
					put_elems(b, x);
			}
	}
	nl_batch_end(b);
}

int
nl_save(struct nl_sock *s, struct arena *a, const char *table,
    struct nl_batch *b, bool *existed)
{
	struct saved sv;
	int rc;

	memset(&sv, 0, sizeof(sv));
	sv.a = a;
	sv.table = table;
	rc = read_all(s, &sv);
	nl_batch_init(b, a, s->seq + 1);
	if (rc == 0) {
		put_saved(b, &sv);
		*existed = sv.t != NULL;
		s->seq = b->seq;
	}
	saved_free(&sv);
	return rc;
}
