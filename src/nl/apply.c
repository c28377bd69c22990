/*
 * apply.c - egressc apply: the policy's table in one netlink batch.
 *
 * The batch adds the table (so that deleting it cannot fail), deletes it,
 * and adds it again with its chain, sets and rules, exactly as nft -f does
 * with the text back end's file.  When the policy has dynamic sets and the
 * table is there already, deleting it would empty them, so the batch
 * instead deletes every rule of the table, the chains and sets the policy
 * does not have (or has otherwise: another hook, another key) and the
 * floor sets' elements, keeps the dynamic sets as they are (a new timeout
 * is sent as nft sends it, which the kernel applies in place where it
 * can), and adds the rest again, as the text back end's file does (and more thoroughly: nft
 * -f cannot name what it does not know).  The kernel commits a batch all
 * or nothing.  Every message asks for an acknowledgement, and each message's
 * sequence number is remembered with the policy rule it came from
 * (batch.c), so a kernel error is reported at that rule's line in the
 * policy.  A guarded apply (--confirm) arms its rollback first
 * (confirm.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "nl/nl-int.h"
#include "util/out.h"

#define ELEMS_PER_MSG	512		/* keeps a message far below 64 KiB */
/* A run's element: two keys of up to 24 bytes and a comment of up to 128. */
#define RUN_ELEMS_PER_MSG 128
#define NFT_USERDATA_MAXLEN 256

static struct nftnl_table *
table_obj(const struct nl_want *w)
{
	struct nftnl_table *t = nftnl_table_alloc();

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, w->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	return t;
}

static void
put_table(struct nl_batch *b, const struct nl_want *w, int type, uint16_t flags)
{
	struct nftnl_table *t = table_obj(w);
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), (uint16_t)type, NFPROTO_INET,
	    flags | NLM_F_ACK, b->seq++);
	if (type == NFT_MSG_DELTABLE)
		nftnl_table_unset(t, NFTNL_TABLE_FLAGS);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nl_batch_add(b, nlh, NULL, type == NFT_MSG_DELTABLE ? "DELTABLE" : "NEWTABLE");
}

static void
put_chain(struct nl_batch *b, const struct nl_want *w, const struct nl_chain *ch)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, w->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, ch->name);
	if (ch->base) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, ch->hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, ch->prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, ch->policy);
	}
	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), NFT_MSG_NEWCHAIN, NFPROTO_INET,
	    NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	nl_batch_add(b, nlh, NULL, "NEWCHAIN");
}

/* The NEWSET of a set; with what, a message that names it. */
static void
put_set_head(struct nl_batch *b, const struct nl_set *s,
    const struct nl_rule *r)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), NFT_MSG_NEWSET, NFPROTO_INET,
	    NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_set_nlmsg_build_payload(nlh, s->s);
	nl_batch_add(b, nlh, r, "NEWSET");
}

/* One message of a set's elements: the set they go to (see
 * nl_batch_add_elems). */
static struct nftnl_set *
elems_begin(const struct nl_want *w, const struct nl_set *s)
{
	struct nftnl_set *t = nftnl_set_alloc();

	nftnl_set_set_u32(t, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(t, NFTNL_SET_TABLE, w->table);
	nftnl_set_set_str(t, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(t, NFTNL_SET_ID, s->id);
	return t;
}

/* An element's user data (what nft keeps beside it), ud freed. */
static void
elem_udata(struct nftnl_set_elem *e, struct nftnl_udata_buf *ud)
{
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

/* A run's elements as nft sends them: key, key end and the comment. */
static void
put_run_elems(struct nl_batch *b, const struct nl_want *w,
    const struct nl_set *s, const struct nl_rule *r)
{
	uint8_t key[64];
	uint32_t len;
	size_t i, j;

	for (i = 0; i < s->ce.n; i += RUN_ELEMS_PER_MSG) {
		struct nftnl_set *t = elems_begin(w, s);

		for (j = i; j < s->ce.n && j < i + RUN_ELEMS_PER_MSG; j++) {
			const struct nl_celem *ce = &s->ce.e[j];
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			len = nl_celem_key(s->field, ce, false, key);
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
			len = nl_celem_key(s->field, ce, true, key);
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, key, len);
			if (ce->comment != NULL) {
				struct nftnl_udata_buf *ud;

				ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
				nftnl_udata_put_strz(ud,
				    NFTNL_UDATA_SET_ELEM_COMMENT, ce->comment);
				elem_udata(e, ud);
			}
			nftnl_set_elem_add(t, e);
		}
		nl_batch_add_elems(b, t, r);
	}
}

/* The elements of a set of the batch, as many messages as they take. */
static void
put_elems(struct nl_batch *b, const struct nl_want *w, const struct nl_set *s,
    const struct nl_rule *r)
{
	uint8_t (*keys)[16];
	uint32_t *flags;
	bool *open;
	size_t n, i, j;

	if (s->field->kind == NL_F_CONCAT) {
		put_run_elems(b, w, s, r);
		return;
	}
	n = s->nelems;
	keys = xmalloc(n * sizeof(*keys) + 1);
	flags = xmalloc(n * sizeof(*flags) + 1);
	open = xmalloc(n * sizeof(*open) + 1);
	nl_set_elems(s, keys, flags, open, n);
	for (i = 0; i < n; i += ELEMS_PER_MSG) {
		struct nftnl_set *t = elems_begin(w, s);

		for (j = i; j < n && j < i + ELEMS_PER_MSG; j++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys[j],
			    s->field->len);
			if (flags[j] != 0)
				nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				    flags[j]);
			if (open[j]) {
				/* nft marks an interval running to the top. */
				struct nftnl_udata_buf *ud;

				ud = nftnl_udata_buf_alloc(64);
				nftnl_udata_put_u32(ud,
				    NFTNL_UDATA_SET_ELEM_FLAGS,
				    NFTNL_SET_ELEM_F_INTERVAL_OPEN);
				elem_udata(e, ud);
			}
			nftnl_set_elem_add(t, e);
		}
		nl_batch_add_elems(b, t, r);
	}
	free(keys);
	free(flags);
	free(open);
}

static void
put_set(struct nl_batch *b, const struct nl_want *w, const struct nl_set *s,
    const struct nl_rule *r)
{
	put_set_head(b, s, r);
	put_elems(b, w, s, r);
}

/* A DEL message of one object of the table: every rule (name NULL), a
 * chain, a set, or a set's elements. */
static void
put_del(struct nl_batch *b, const struct nl_want *w, int type,
    const char *name)
{
	struct nlmsghdr *nlh;
	const char *what = "DELRULE";

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), (uint16_t)type,
	    NFPROTO_INET, NLM_F_ACK, b->seq++);
	if (type == NFT_MSG_DELRULE) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, w->table);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else if (type == NFT_MSG_DELCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, w->table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
		what = "DELCHAIN";
	} else {
		struct nftnl_set *t = nftnl_set_alloc();

		nftnl_set_set_u32(t, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(t, NFTNL_SET_TABLE, w->table);
		nftnl_set_set_str(t, NFTNL_SET_NAME, name);
		if (type == NFT_MSG_DELSET) {
			nftnl_set_nlmsg_build_payload(nlh, t);
			what = "DELSET";
		} else {
			/* No elements: all of them. */
			nftnl_set_elems_nlmsg_build_payload(nlh, t);
			what = "DELSETELEM";
		}
		nftnl_set_free(t);
	}
	nl_batch_add(b, nlh, NULL, what);
}

static bool
chain_same(const struct nl_lchain *lc, const struct nl_chain *ch)
{
	if (lc->base != ch->base)
		return false;
	return !ch->base || (lc->hook == ch->hook && lc->prio == ch->prio &&
	    lc->type != NULL && strcmp(lc->type, "filter") == 0);
}

#define SET_KIND_FLAGS	(NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | \
	NFT_SET_INTERVAL | NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_OBJECT | \
	NFT_SET_CONCAT)

/* Would the set the kernel has do as the policy's?  Its timeout aside:
 * that NEWSET changes in place, as nft does. */
static bool
set_same(const struct nl_lset *ls, const struct nl_set *s)
{
	uint32_t want = (s->dynamic ? NFT_SET_TIMEOUT : 0) |
	    (s->interval ? NFT_SET_INTERVAL : 0);

	return (ls->flags & SET_KIND_FLAGS) == want &&
	    ls->ktype == s->field->dtype && ls->klen == s->field->len;
}

/*
 * The table is there and the policy has dynamic sets: empty it of all but
 * them, and put back the floor sets.
 */
static void
keep_table(struct nl_batch *b, const struct nl_want *w,
    const struct nl_live *l)
{
	size_t i, c, k;

	put_table(b, w, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_del(b, w, NFT_MSG_DELRULE, NULL);
	/* Sets before chains: a verdict map's elements hold its chains. */
	for (i = 0; i < l->nsets; i++) {
		const struct nl_lset *ls = &l->sets[i];

		/* Anonymous sets go with the rules that hold them. */
		if (ls->flags & NFT_SET_ANONYMOUS)
			continue;
		for (k = 0; k < w->nnamed; k++)
			if (strcmp(ls->name, w->named[k].name) == 0)
				break;
		if (k < w->nnamed && set_same(ls, &w->named[k]))
			continue;
		if (k < w->nnamed && w->named[k].dynamic)
			diag_warning(&w->named[k].m->rule->loc, "set %s of "
			    "table inet %s is not a timeout set of %s addresses: "
			    "it is made again, empty", ls->name, w->table,
			    w->named[k].field->len == 4 ? "IPv4" : "IPv6");
		put_del(b, w, NFT_MSG_DELSET, ls->name);
	}
	for (i = 0; i < l->nchains; i++) {
		for (c = 0; c < w->nchains; c++)
			if (strcmp(l->chains[i].name, w->chains[c].name) == 0)
				break;
		if (c == w->nchains || !chain_same(&l->chains[i],
		    &w->chains[c]))
			put_del(b, w, NFT_MSG_DELCHAIN, l->chains[i].name);
	}
	for (k = 0; k < w->nnamed; k++) {
		const struct nl_set *s = &w->named[k];
		const struct nl_lset *ls = nl_live_set(l, s->name);

		if (ls == NULL || !set_same(ls, s) ||
		    (s->dynamic && ls->timeout_ms != s->timeout_ms))
			put_set_head(b, s, NULL);
		else if (!s->dynamic)
			put_del(b, w, NFT_MSG_DELSETELEM, s->name);
		if (!s->dynamic)
			put_elems(b, w, s, NULL);
	}
}

static void
build_batch(struct nl_batch *b, const struct nl_want *w,
    const struct nl_live *l)
{
	struct nlmsghdr *nlh;
	size_t c, i, j;

	nl_batch_begin(b);
	if (l != NULL && l->exists)
		keep_table(b, w, l);
	else {
		/* table inet T {} ; delete table inet T ; table inet T {...} */
		put_table(b, w, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		put_table(b, w, NFT_MSG_DELTABLE, 0);
		put_table(b, w, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		for (i = 0; i < w->nnamed; i++)
			put_set(b, w, &w->named[i], NULL);
	}
	/* Each chain, then its rules, in the text back end's order. */
	for (c = 0; c < w->nchains; c++) {
		put_chain(b, w, &w->chains[c]);
		for (i = 0; i < w->nrules; i++) {
			const struct nl_rule *r = &w->rules[i];

			if (r->chain != c)
				continue;
			for (j = 0; j < r->nsets; j++)
				put_set(b, w, &w->sets[r->set0 + j], r);
			nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b),
			    NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE |
			    NLM_F_APPEND | NLM_F_ACK, b->seq++);
			nftnl_rule_nlmsg_build_payload(nlh, r->r);
			nl_batch_add(b, nlh, r, "NEWRULE");
		}
	}
	nl_batch_end(b);
}

/* ---- --dry-run: the batch as text ------------------------------------- */

static const char *
dtype_name(uint32_t dt)
{
	switch (dt) {
	case 7:		return "ipv4_addr";
	case 8:		return "ipv6_addr";
	case 13:	return "inet_service";
	case 14:	return "icmp_type";
	case 29:	return "icmpv6_type";
	}
	if (dt == nl_f_run4.dtype)
		return "ipv4_addr . inet_proto . inet_service";
	if (dt == nl_f_run6.dtype)
		return "ipv6_addr . inet_proto . inet_service";
	return "integer";
}

/* A rule's sets, the rule as nft would list it, and its expressions. */
static void
print_rule(const struct nl_want *w, const struct nl_rule *r, FILE *fp)
{
	struct arena *a = w->arena;
	struct nl_drule d;
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char buf[4096];
	size_t j;

	for (j = 0; j < r->nsets; j++) {
		const struct nl_set *s = &w->sets[r->set0 + j];

		fprintf(fp, "add set inet %s __set%%d { type %s; flags "
		    "constant%s; }  # id %u, %zu elements sent\n", w->table,
		    dtype_name(s->field->dtype), s->interval ? ",interval" : "",
		    s->id, s->nelems);
		fprintf(fp, "add element inet %s __set%%d %s\n", w->table,
		    nl_values_text(a, s->field, &s->v));
	}
	nl_decode(a, r->r, nl_want_setfn, (void *)w, &d);
	fprintf(fp, "add rule inet %s %s %s\n", w->table,
	    w->chains[r->chain].name, nl_drule_text(a, &d));
	it = nftnl_expr_iter_create(r->r);
	while (it != NULL && (e = nftnl_expr_iter_next(it)) != NULL) {
		nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT,
		    0);
		fprintf(fp, "#\t[ %s %s ]\n", nftnl_expr_get_str(e,
		    NFTNL_EXPR_NAME), buf);
	}
	if (it != NULL)
		nftnl_expr_iter_destroy(it);
}

static void
print_batch(const struct nl_want *w, const struct nl_opts *o, FILE *fp)
{
	static const char *const pol[] = { "drop", "accept" };
	size_t c, i, k;

	fprintf(fp, "# egressc apply --dry-run: one batch, nothing sent%s%s\n",
	    o->netns ? "; network namespace " : "", o->netns ? o->netns : "");
	fprintf(fp, "add table inet %s\n", w->table);
	if (w->keep) {
		fprintf(fp, "# the table kept, if it is there: its chains and "
		    "sets the policy does not have are deleted, its dynamic "
		    "sets keep their elements\n");
		fprintf(fp, "flush table inet %s\n", w->table);
	} else {
		fprintf(fp, "delete table inet %s\n", w->table);
		fprintf(fp, "add table inet %s\n", w->table);
	}
	for (i = 0; i < w->nnamed; i++) {
		const struct nl_set *s = &w->named[i];

		fprintf(fp, "add set inet %s %s { type %s; flags %s;", w->table,
		    s->name, dtype_name(s->field->dtype), s->dynamic ?
		    "timeout" : "interval");
		if (s->dynamic)
			fprintf(fp, " timeout %llus;", (unsigned long long)
			    (s->timeout_ms / 1000));
		fprintf(fp, " }\n");
		if (s->dynamic)
			continue;
		if (w->keep)
			fprintf(fp, "flush set inet %s %s\n", w->table,
			    s->name);
		for (k = 0; k < s->ce.n; k++)
			fprintf(fp, "add element inet %s %s { %s comment "
			    "\"%s\" }\n", w->table, s->name,
			    nl_celem_text(w->arena, s->field, &s->ce.e[k]),
			    s->ce.e[k].comment);
		if (s->v.n > 0)
			fprintf(fp, "add element inet %s %s %s  # %zu elements "
			    "sent\n", w->table, s->name,
			    nl_values_text(w->arena, s->field, &s->v),
			    s->nelems);
	}
	for (c = 0; c < w->nchains; c++) {
		const struct nl_chain *ch = &w->chains[c];

		if (ch->base)
			fprintf(fp, "add chain inet %s %s { type filter hook %s "
			    "priority filter; policy %s; }\n", w->table,
			    ch->name, ch->dir == IR_INBOUND ? "input" : "output",
			    pol[ch->policy == NF_ACCEPT]);
		else
			fprintf(fp, "add chain inet %s %s\n", w->table,
			    ch->name);
		for (i = 0; i < w->nrules; i++)
			if (w->rules[i].chain == c)
				print_rule(w, &w->rules[i], fp);
	}
}

/*
 * The batch, sent.  With --confirm the guard is armed first (the table
 * saved, the watchdog started), so that there is never a moment when the
 * new table is loaded and nothing would put the old one back.
 */
static int
load(struct nl_guard *g, const struct ir *ir, const struct nl_want *w,
    const struct nl_opts *o)
{
	struct nl_send how = { ir->file, "the batch", w->table, false };
	struct nl_batch b;
	struct nl_sock s;
	struct nl_live l;
	int rc;

	if (nl_sock_open(&s) < 0)
		return -1;
	rc = w->keep ? nl_live_read(&s, w->arena, w->table, NULL, NULL, &l) :
	    0;
	if (rc == 0 && o->confirm > 0)
		rc = nl_guard_arm(g, &s, ir, o);
	if (rc == 0) {
		nl_batch_init(&b, w->arena, s.seq);
		build_batch(&b, w, w->keep ? &l : NULL);
		rc = nl_batch_send(&s, &b, &how);
		nl_batch_free(&b);
		if (o->confirm > 0 && rc == 0)
			nl_guard_done(g, o);
		else if (o->confirm > 0)
			nl_guard_disarm(g);
	}
	nl_sock_close(&s);
	return rc;
}

int
nl_apply(const struct ir *ir, const struct nl_opts *o)
{
	struct arena *a = arena_new();
	struct nft_table t;
	struct nl_want w;
	struct nl_guard g;
	int rc = 0;

	/* The namespace first: "lo" is looked up in it. */
	if (!o->dry_run && nl_enter_netns(o->netns) < 0) {
		arena_free(a);
		return -1;
	}
	if (nft_model_build(a, ir, &t) < 0) {
		arena_free(a);
		return -1;
	}
	nl_want_build(a, &t, true, &w);
	if (o->dry_run)
		print_batch(&w, o, stdout);
	else if ((rc = nl_guard_open(&g, a, w.table, o->confirm > 0)) == 0) {
		rc = load(&g, ir, &w, o);
		nl_guard_close(&g);
	}
	nl_want_free(&w);
	arena_free(a);
	return rc;
}
