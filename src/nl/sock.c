/*
 * sock.c - the netlink side: entering the network namespace asked for,
 * opening the NETLINK_NETFILTER socket, and request/dump round trips.
 * Batches (batch.c) use the same socket.  verify and the save of a table
 * before a guarded apply (save.c) read the kernel through the same GET
 * requests here.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nl/nl-int.h"
#include "util/diag.h"

int
nl_enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (name == NULL)
		return 0;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		diag_error(NULL, "--netns: empty or invalid namespace name");
		return -1;
	}
	/* A bare name is an ip-netns(8) namespace; a path is used as is. */
	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_fail(NULL, "network namespace %s: %s: %s", name, path,
		    strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(fd);
		diag_fail(NULL, "cannot enter network namespace %s: %s%s",
		    name, strerror(e), e == EPERM ?
		    " (needs CAP_SYS_ADMIN: run as root)" : "");
		return -1;
	}
	close(fd);
	return 0;
}

int
nl_netns(const char *name)
{
	return nl_enter_netns(name);
}

int
nl_sock_open(struct nl_sock *s)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (s->nl == NULL) {
		diag_fail(NULL, "netlink socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		diag_fail(NULL, "netlink bind: %s", strerror(errno));
		mnl_socket_close(s->nl);
		s->nl = NULL;
		return -1;
	}
	/* Short acks, and the kernel's own words on errors when it has any. */
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void
nl_sock_close(struct nl_sock *s)
{
	if (s->nl != NULL)
		mnl_socket_close(s->nl);
	s->nl = NULL;
}

int
nl_sock_talk(struct nl_sock *s, struct nlmsghdr *nlh,
    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	static char buf[1 << 16];
	uint32_t seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)ret, seq, s->portid, cb, arg);
		if (ret < 0)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

int
nl_sock_ask(struct nl_sock *s, int type, uint16_t flags, void *obj,
    void (*payload)(struct nlmsghdr *, void *),
    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, (uint16_t)type, NFPROTO_INET,
	    flags | NLM_F_ACK, ++s->seq);
	if (payload != NULL)
		payload(nlh, obj);
	return nl_sock_talk(s, nlh, cb, arg);
}

/* The table named, answered to cb (no dump: one table or -ENOENT). */
int
nl_ask_table(struct nl_sock *s, const char *table, nl_cb cb, void *arg)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int rc;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	rc = nl_sock_ask(s, NFT_MSG_GETTABLE, 0, t, nl_p_table, cb, arg);
	nftnl_table_free(t);
	return rc;
}

int
nl_ask_chains(struct nl_sock *s, const char *table, nl_cb cb, void *arg)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	int rc;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	rc = nl_sock_ask(s, NFT_MSG_GETCHAIN, NLM_F_DUMP, c, nl_p_chain, cb,
	    arg);
	nftnl_chain_free(c);
	return rc;
}

int
nl_ask_sets(struct nl_sock *s, const char *table, nl_cb cb, void *arg)
{
	struct nftnl_set *t = nftnl_set_alloc();
	int rc;

	nftnl_set_set_str(t, NFTNL_SET_TABLE, table);
	rc = nl_sock_ask(s, NFT_MSG_GETSET, NLM_F_DUMP, t, nl_p_set, cb, arg);
	nftnl_set_free(t);
	return rc;
}

int
nl_ask_elems(struct nl_sock *s, const char *table, const char *set,
    nl_cb cb, void *arg)
{
	struct nftnl_set *t = nftnl_set_alloc();
	int rc;

	nftnl_set_set_str(t, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(t, NFTNL_SET_NAME, set);
	rc = nl_sock_ask(s, NFT_MSG_GETSETELEM, NLM_F_DUMP, t, nl_p_elems, cb,
	    arg);
	nftnl_set_free(t);
	return rc;
}

int
nl_ask_rules(struct nl_sock *s, const char *table, nl_cb cb, void *arg)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int rc;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	rc = nl_sock_ask(s, NFT_MSG_GETRULE, NLM_F_DUMP, r, nl_p_rule, cb,
	    arg);
	nftnl_rule_free(r);
	return rc;
}

int
nl_read_error(const char *what, int rc, const char *who)
{
	if (rc == -EINTR)
		return -EINTR;
	diag_fail(NULL, "reading %s from the kernel: %s%s%s%s", what,
	    strerror(-rc), rc == -EPERM ? ": " : "", rc == -EPERM ? who : "",
	    rc == -EPERM ? " needs CAP_NET_ADMIN (run it as root)" : "");
	return -1;
}

void
nl_p_table(struct nlmsghdr *nlh, void *o)
{
	nftnl_table_nlmsg_build_payload(nlh, o);
}

void
nl_p_chain(struct nlmsghdr *nlh, void *o)
{
	nftnl_chain_nlmsg_build_payload(nlh, o);
}

void
nl_p_set(struct nlmsghdr *nlh, void *o)
{
	nftnl_set_nlmsg_build_payload(nlh, o);
}

void
nl_p_elems(struct nlmsghdr *nlh, void *o)
{
	nftnl_set_elems_nlmsg_build_payload(nlh, o);
}

void
nl_p_rule(struct nlmsghdr *nlh, void *o)
{
	nftnl_rule_nlmsg_build_payload(nlh, o);
}

void
nl_p_obj(struct nlmsghdr *nlh, void *o)
{
	nftnl_obj_nlmsg_build_payload(nlh, o);
}

void
nl_p_flowtable(struct nlmsghdr *nlh, void *o)
{
	nftnl_flowtable_nlmsg_build_payload(nlh, o);
}

static int
gen_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*(uint32_t *)arg = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

int
nl_sock_genid(struct nl_sock *s, uint32_t *id)
{
	*id = 0;
	return nl_sock_ask(s, NFT_MSG_GETGEN, 0, NULL, NULL, gen_cb, id);
}
