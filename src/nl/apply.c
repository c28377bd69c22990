/*
 * apply.c - egressc apply: the policy's table in one netlink batch.
 *
 * The batch adds the table (so that deleting it cannot fail), deletes it,
 * and adds it again with its chain, sets and rules, exactly as nft -f does
 * with the text back end's file.  The kernel commits a batch all or
 * nothing.  Every message asks for an acknowledgement, and each message's
 * sequence number is remembered with the policy rule it came from, so a
 * kernel error is reported at that rule's line in the policy.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

#define MSG_ROOM	(128 * 1024)	/* free space before each message */
#define ELEMS_PER_MSG	512		/* keeps a message far below 64 KiB */

/* Who sent a message: for mapping a kernel error back. */
struct rec {
	uint32_t		 seq;
	size_t			 index;	/* 1-based, in the batch */
	const struct nl_rule	*rule;	/* NULL: table or chain */
	const char		*what;	/* "NEWRULE", ... */
};

struct batch {
	char		*buf;
	size_t		 len, cap;
	struct rec	*recs;
	size_t		 nrecs, caprecs;
	uint32_t	 seq;
	struct arena	*a;
};

static char *
b_begin(struct batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		size_t nc = b->cap * 2 + MSG_ROOM;

		b->buf = xrealloc(b->buf, nc);
		memset(b->buf + b->cap, 0, nc - b->cap);
		b->cap = nc;
	}
	return b->buf + b->len;
}

static void
b_end(struct batch *b, struct nlmsghdr *nlh, const struct nl_rule *r,
    const char *what)
{
	struct rec *rc;

	b->len += MNL_ALIGN(nlh->nlmsg_len);
	if (what == NULL)
		return;
	ARENA_PUSH(b->a, b->recs, b->nrecs, b->caprecs);
	rc = &b->recs[b->nrecs - 1];
	rc->seq = nlh->nlmsg_seq;
	rc->index = b->nrecs;
	rc->rule = r;
	rc->what = what;
}

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
put_table(struct batch *b, const struct nl_want *w, int type, uint16_t flags)
{
	struct nftnl_table *t = table_obj(w);
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(b_begin(b), (uint16_t)type, NFPROTO_INET,
	    flags | NLM_F_ACK, b->seq++);
	if (type == NFT_MSG_DELTABLE)
		nftnl_table_unset(t, NFTNL_TABLE_FLAGS);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	b_end(b, nlh, NULL, type == NFT_MSG_DELTABLE ? "DELTABLE" : "NEWTABLE");
}

static void
put_chain(struct batch *b, const struct nl_want *w, const struct nl_chain *ch)
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
	nlh = nftnl_nlmsg_build_hdr(b_begin(b), NFT_MSG_NEWCHAIN, NFPROTO_INET,
	    NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	b_end(b, nlh, NULL, "NEWCHAIN");
}

static void
put_set(struct batch *b, const struct nl_want *w, const struct nl_set *s,
    const struct nl_rule *r)
{
	struct nlmsghdr *nlh;
	uint8_t (*keys)[16];
	uint32_t *flags;
	bool *open;
	size_t n, i, j;

	nlh = nftnl_nlmsg_build_hdr(b_begin(b), NFT_MSG_NEWSET, NFPROTO_INET,
	    NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_set_nlmsg_build_payload(nlh, s->s);
	b_end(b, nlh, r, "NEWSET");

	n = s->nelems;
	keys = xmalloc(n * sizeof(*keys) + 1);
	flags = xmalloc(n * sizeof(*flags) + 1);
	open = xmalloc(n * sizeof(*open) + 1);
	nl_set_elems(s, keys, flags, open, n);
	for (i = 0; i < n; i += ELEMS_PER_MSG) {
		struct nftnl_set *t = nftnl_set_alloc();

		nftnl_set_set_u32(t, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(t, NFTNL_SET_TABLE, w->table);
		nftnl_set_set_str(t, NFTNL_SET_NAME, "__set%d");
		nftnl_set_set_u32(t, NFTNL_SET_ID, s->id);
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
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA,
				    nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
				nftnl_udata_buf_free(ud);
			}
			nftnl_set_elem_add(t, e);
		}
		nlh = nftnl_nlmsg_build_hdr(b_begin(b), NFT_MSG_NEWSETELEM,
		    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, b->seq++);
		nftnl_set_elems_nlmsg_build_payload(nlh, t);
		nftnl_set_free(t);
		b_end(b, nlh, r, "NEWSETELEM");
	}
	free(keys);
	free(flags);
	free(open);
}

static void
build_batch(struct batch *b, const struct nl_want *w)
{
	struct nlmsghdr *nlh;
	size_t c, i, j;

	nlh = nftnl_batch_begin(b_begin(b), b->seq++);
	b_end(b, nlh, NULL, NULL);
	/* table inet T {} ; delete table inet T ; table inet T { ... } */
	put_table(b, w, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_table(b, w, NFT_MSG_DELTABLE, 0);
	put_table(b, w, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	/* Each chain, then its rules, in the text back end's order. */
	for (c = 0; c < w->nchains; c++) {
		put_chain(b, w, &w->chains[c]);
		for (i = 0; i < w->nrules; i++) {
			const struct nl_rule *r = &w->rules[i];

			if (r->chain != c)
				continue;
			for (j = 0; j < r->nsets; j++)
				put_set(b, w, &w->sets[r->set0 + j], r);
			nlh = nftnl_nlmsg_build_hdr(b_begin(b), NFT_MSG_NEWRULE,
			    NFPROTO_INET, NLM_F_CREATE | NLM_F_APPEND |
			    NLM_F_ACK, b->seq++);
			nftnl_rule_nlmsg_build_payload(nlh, r->r);
			b_end(b, nlh, r, "NEWRULE");
		}
	}
	nlh = nftnl_batch_end(b_begin(b), b->seq++);
	b_end(b, nlh, NULL, NULL);
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
	size_t c, i;

	fprintf(fp, "# egressc apply --dry-run: one batch, nothing sent%s%s\n",
	    o->netns ? "; network namespace " : "", o->netns ? o->netns : "");
	fprintf(fp, "add table inet %s\n", w->table);
	fprintf(fp, "delete table inet %s\n", w->table);
	fprintf(fp, "add table inet %s\n", w->table);
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

/* ---- sending and reading the acknowledgements ------------------------- */

static const struct rec *
find_rec(const struct batch *b, uint32_t seq)
{
	size_t i;

	for (i = 0; i < b->nrecs; i++)
		if (b->recs[i].seq == seq)
			return &b->recs[i];
	return NULL;
}

/* The kernel's extended-ack text, if it sent one. */
static const char *
extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (MNL_ALIGN(off) + sizeof(struct nlmsghdr) > nlh->nlmsg_len)
		return NULL;
	mnl_attr_for_each(attr, nlh, MNL_ALIGN(off)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static void
report(const struct batch *b, const struct ir *ir, uint32_t seq, int e,
    const char *ext)
{
	const struct rec *rc = find_rec(b, seq);
	const char *why = strerror(e);
	const char *sep = ext != NULL ? ": " : "";

	if (ext == NULL)
		ext = "";
	if (rc != NULL && rc->rule != NULL && rc->rule->src != NULL) {
		const struct ir_rule *r = rc->rule->src;

		diag_fail(&r->loc, "the kernel rejected rule '%s': %s%s%s "
		    "(netlink message %zu of %zu, %s); nothing was changed",
		    r->name, why, sep, ext, rc->index, b->nrecs, rc->what);
		return;
	}
	diag_fail(NULL, "%s: the kernel rejected the batch: %s%s%s (netlink "
	    "message %zu of %zu, %s); nothing was changed", ir->file,
	    why, sep, ext, rc != NULL ? rc->index : 0, b->nrecs,
	    rc != NULL ? rc->what : "?");
}

/* Is seq the batch's first message about the table itself? */
static bool
table_msg(const struct batch *b, uint32_t seq)
{
	const struct rec *rc = find_rec(b, seq);

	return rc != NULL && rc->what != NULL &&
	    strcmp(rc->what, "NEWTABLE") == 0 && rc->index == 1;
}

static void
bigger_buffers(struct nl_sock *s, size_t sndlen, size_t nmsgs)
{
	int fd = mnl_socket_get_fd(s->nl);
	int snd = (int)(sndlen + 65536);
	int rcv = (int)(nmsgs * 2048 + (1 << 20));

	/* FORCE works as root and lifts the sysctl limits; else best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

static int
send_batch(struct nl_sock *s, const struct batch *b, const struct ir *ir,
    const char *table)
{
	static char rbuf[1 << 16];
	int fd = mnl_socket_get_fd(s->nl), nerr = 0, acks = 0;
	bool eperm = false, owned = false;
	ssize_t n;

	bigger_buffers(s, b->len, b->nrecs);
	if (mnl_socket_sendto(s->nl, b->buf, b->len) < 0) {
		diag_fail(NULL, "sending the batch to the kernel: %s",
		    strerror(errno));
		return -1;
	}
	/* The kernel handled the batch inside sendto(): every answer is
	 * already queued, so read until the socket is empty. */
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		const struct nlmsghdr *nlh;
		int len;

		if (poll(&pfd, 1, 0) <= 0)
			break;
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			diag_fail(NULL, "reading the kernel's answers: %s%s",
			    strerror(errno), errno == ENOBUFS ? " (answers "
			    "were lost: run `egressc verify`)" : "");
			return -1;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *err;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			err = mnl_nlmsg_get_payload(nlh);
			if (err->error == 0) {
				acks++;
				continue;
			}
			/* Without CAP_NET_ADMIN nfnetlink refuses the batch
			 * as a whole, at its BATCH_BEGIN (no record of ours);
			 * an EPERM at one message is that message's own. */
			if (-err->error == EPERM &&
			    find_rec(b, err->msg.nlmsg_seq) == NULL) {
				if (!eperm)
					diag_fail(NULL, "cannot load table "
					    "inet %s: %s: apply needs "
					    "CAP_NET_ADMIN (run it as root)",
					    table, strerror(EPERM));
				eperm = true;
			} else if (-err->error == EPERM && (owned ||
			    (nerr == 0 && table_msg(b, err->msg.nlmsg_seq)))) {
				/* A table with flags owner refuses every
				 * message of a batch not its owner's: say
				 * so once, not once per rule. */
				if (!owned)
					diag_fail(NULL, "cannot load table "
					    "inet %s: another process owns it "
					    "(flags owner) and only it may change "
					    "it; nothing was changed", table);
				owned = true;
			} else
				report(b, ir, err->msg.nlmsg_seq, -err->error,
				    extack_msg(nlh));
			nerr++;
		}
	}
	if (nerr > 0)
		return -1;
	if ((size_t)acks != b->nrecs) {
		diag_fail(NULL, "the kernel acknowledged %d of %zu messages; "
		    "check the table with `egressc verify`", acks, b->nrecs);
		return -1;
	}
	return 0;
}

int
nl_apply(const struct ir *ir, const struct nl_opts *o)
{
	struct arena *a = arena_new();
	struct nft_table t;
	struct nl_want w;
	struct batch b;
	struct nl_sock s;
	int rc;

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
	if (o->dry_run) {
		print_batch(&w, o, stdout);
		nl_want_free(&w);
		arena_free(a);
		return 0;
	}
	memset(&b, 0, sizeof(b));
	b.a = a;
	b.seq = 1;
	if ((rc = nl_sock_open(&s)) == 0) {
		b.seq = s.seq;
		build_batch(&b, &w);
		rc = send_batch(&s, &b, ir, w.table);
		nl_sock_close(&s);
	}
	free(b.buf);
	nl_want_free(&w);
	arena_free(a);
	return rc;
}
