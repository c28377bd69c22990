/*
 * batch.c - one nfnetlink transaction: messages gathered in a buffer,
 * sent in one sendto(), answered one acknowledgement each.
 *
 * apply sends the policy's table this way, and a guarded apply (confirm.c)
 * also sends the batch that puts the previous table back, first as a
 * check and later for real, possibly from a file written minutes before.
 * Every message is remembered with its sequence number and, when it has
 * one, the policy rule it came from, so whichever batch the kernel refuses
 * is reported at the message it refused.
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
#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include "nl/nl-int.h"

#define MSG_ROOM	(128 * 1024)	/* free space before each message */

void
nl_batch_init(struct nl_batch *b, struct arena *a, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
	b->seq = seq;
}

void
nl_batch_free(struct nl_batch *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

char *
nl_batch_room(struct nl_batch *b)
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
remember(struct nl_batch *b, uint32_t seq, const struct nl_rule *r,
    const char *what)
{
	struct nl_rec *rc;

	ARENA_PUSH(b->a, b->recs, b->nrecs, b->caprecs);
	rc = &b->recs[b->nrecs - 1];
	rc->seq = seq;
	rc->index = b->nrecs;
	rc->rule = r;
	rc->what = what;
}

void
nl_batch_add(struct nl_batch *b, struct nlmsghdr *nlh, const struct nl_rule *r,
    const char *what)
{
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	if (what != NULL)
		remember(b, nlh->nlmsg_seq, r, what);
}

void
nl_batch_add_elems(struct nl_batch *b, struct nftnl_set *t,
    const struct nl_rule *r)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), NFT_MSG_NEWSETELEM,
	    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, b->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, t);
	nftnl_set_free(t);
	nl_batch_add(b, nlh, r, "NEWSETELEM");
}

void
nl_batch_begin(struct nl_batch *b)
{
	nl_batch_add(b, nftnl_batch_begin(nl_batch_room(b), b->seq++), NULL,
	    NULL);
}

void
nl_batch_end(struct nl_batch *b)
{
	b->check_len = b->len;
	nl_batch_add(b, nftnl_batch_end(nl_batch_room(b), b->seq++), NULL,
	    NULL);
}

/* ---- a batch read back from a file ------------------------------------ */

static const char *
msg_name(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:		return "NEWTABLE";
	case NFT_MSG_DELTABLE:		return "DELTABLE";
	case NFT_MSG_NEWCHAIN:		return "NEWCHAIN";
	case NFT_MSG_NEWRULE:		return "NEWRULE";
	case NFT_MSG_NEWSET:		return "NEWSET";
	case NFT_MSG_NEWSETELEM:	return "NEWSETELEM";
	case NFT_MSG_NEWOBJ:		return "NEWOBJ";
	case NFT_MSG_NEWFLOWTABLE:	return "NEWFLOWTABLE";
	}
	return NULL;
}

/*
 * Every message must be one a restore sends, in family inet, about table
 * `table` only: attribute 1 is the table's name in each of them
 * (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_SET_TABLE, ...).
 */
static int
check_msg(const struct nlmsghdr *nlh, const char *table, const char **what)
{
	const struct nfgenmsg *g;
	const struct nlattr *attr;
	bool named = false;

	if (nlh->nlmsg_type >> 8 != NFNL_SUBSYS_NFTABLES ||
	    (*what = msg_name(nlh->nlmsg_type & 0xff)) == NULL ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*g))
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family != NFPROTO_INET)
		return -1;
	mnl_attr_for_each(attr, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(attr) != 1)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    strcmp(mnl_attr_get_str(attr), table) != 0)
			return -1;
		named = true;
	}
	return named ? 0 : -1;
}

int
nl_batch_load(struct nl_batch *b, const void *buf, size_t len,
    const char *table)
{
	const struct nlmsghdr *nlh;
	int left = (int)len;
	bool begun = false, ended = false;
	const char *what;

	if (len > (size_t)1 << 30)
		return -1;
	b->buf = xmalloc(len + 1);
	memcpy(b->buf, buf, len);
	b->len = b->cap = len;
	for (nlh = (const struct nlmsghdr *)b->buf; mnl_nlmsg_ok(nlh, left);
	    nlh = mnl_nlmsg_next(nlh, &left)) {
		if (ended)
			return -1;	/* nothing after the end */
		if (!begun) {
			if (nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN)
				return -1;
			begun = true;
		} else if (nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
			ended = true;
			b->check_len = (size_t)((const char *)nlh - b->buf);
		} else if (check_msg(nlh, table, &what) < 0)
			return -1;
		else
			remember(b, nlh->nlmsg_seq, NULL, what);
	}
	return left == 0 && ended ? 0 : -1;
}

/* ---- sending and reading the acknowledgements ------------------------- */

static const struct nl_rec *
find_rec(const struct nl_batch *b, uint32_t seq)
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
report(const struct nl_batch *b, const struct nl_send *how, uint32_t seq,
    int e, const char *ext)
{
	const struct nl_rec *rc = find_rec(b, seq);
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
	diag_fail(NULL, "%s: the kernel rejected %s: %s%s%s (netlink "
	    "message %zu of %zu, %s); nothing was changed", how->origin,
	    how->what, why, sep, ext, rc != NULL ? rc->index : 0, b->nrecs,
	    rc != NULL ? rc->what : "?");
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

/* Is seq the batch's first message about the table itself? */
static bool
table_msg(const struct nl_batch *b, uint32_t seq)
{
	const struct nl_rec *rc = find_rec(b, seq);

	return rc != NULL && rc->what != NULL &&
	    strcmp(rc->what, "NEWTABLE") == 0 && rc->index == 1;
}

/* What the answers said so far, to say each kind of refusal once. */
struct answers {
	int	acks, nerr;
	bool	eperm, owned;
};

/* One acknowledgement or error, counted into a. */
static void
answer(const struct nl_batch *b, const struct nl_send *how,
    const struct nlmsghdr *nlh, struct answers *a)
{
	const struct nlmsgerr *err;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error == 0) {
		a->acks++;
		return;
	}
	/* Without CAP_NET_ADMIN nfnetlink refuses the batch as a whole, at
	 * its BATCH_BEGIN (no record of ours); an EPERM at one message is
	 * that message's own. */
	if (-err->error == EPERM && find_rec(b, err->msg.nlmsg_seq) == NULL) {
		if (!a->eperm)
			diag_fail(NULL, "cannot load table inet %s: %s: apply "
			    "needs CAP_NET_ADMIN (run it as root)", how->table,
			    strerror(EPERM));
		a->eperm = true;
	} else if (-err->error == EPERM && (a->owned || (a->nerr == 0 &&
	    table_msg(b, err->msg.nlmsg_seq)))) {
		/* A table with flags owner refuses every message of a batch
		 * not its owner's: say so once, not once per rule. */
		if (!a->owned)
			diag_fail(NULL, "cannot load table inet %s: another "
			    "process owns it (flags owner) and only it may "
			    "change it; nothing was changed", how->table);
		a->owned = true;
	} else
		report(b, how, err->msg.nlmsg_seq, -err->error,
		    extack_msg(nlh));
	a->nerr++;
}

int
nl_batch_send(struct nl_sock *s, const struct nl_batch *b,
    const struct nl_send *how)
{
	static char rbuf[1 << 16];
	int fd = mnl_socket_get_fd(s->nl);
	size_t len = how->check ? b->check_len : b->len;
	struct answers a = { 0, 0, false, false };
	ssize_t n;

	bigger_buffers(s, b->len, b->nrecs);
	/* Without its BATCH_END the kernel runs the whole batch, answers
	 * every message, and then aborts it (what `nft -c` does). */
	if (mnl_socket_sendto(s->nl, b->buf, len) < 0) {
		diag_fail(NULL, "sending the batch to the kernel: %s",
		    strerror(errno));
		return -1;
	}
	/* The kernel handled the batch inside sendto(): every answer is
	 * already queued, so read until the socket is empty. */
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		const struct nlmsghdr *nlh;
		int left;

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
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh,
		    left); nlh = mnl_nlmsg_next(nlh, &left))
			answer(b, how, nlh, &a);
	}
	if (a.nerr > 0)
		return -1;
	if ((size_t)a.acks != b->nrecs) {
		diag_fail(NULL, "the kernel acknowledged %d of %zu messages; "
		    "check the table with `egressc verify`", a.acks, b->nrecs);
		return -1;
	}
	return 0;
}
