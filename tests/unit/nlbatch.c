/*
 * nlbatch.c - unit tests of nl_batch_load, the reader of the batch a
 * state file of apply --confirm keeps.  The watchdog sends that batch as
 * root minutes after it was written, so the reader must take exactly what
 * a saved table is (BATCH_BEGIN; new-table, delete-table and new-object
 * messages of family inet about the one table; BATCH_END) and nothing
 * else: another table, another family, another kind of message, bytes
 * after the end, a cut-off message.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>

#include "nl/nl-int.h"
#include "tap.h"

/* A message about table `table` in the batch. */
static void
put(struct nl_batch *b, int type, int family, const char *table)
{
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(nl_batch_room(b), (uint16_t)type,
	    (uint16_t)family, NLM_F_CREATE | NLM_F_ACK, b->seq++);
	if (type == NFT_MSG_NEWCHAIN || type == NFT_MSG_DELCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "output");
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
	} else {
		struct nftnl_table *t = nftnl_table_alloc();

		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_table_free(t);
	}
	nl_batch_add(b, nlh, NULL, "x");
}

/* A saved table, the nth message changed as asked; its load result. */
enum twist { NONE, OTHER_TABLE, OTHER_FAMILY, OTHER_TYPE, NO_END,
    AFTER_END, CUT, NO_BEGIN };

static int
load(struct arena *a, enum twist tw, size_t *nrecs)
{
	struct nl_batch b, r;
	size_t len;
	int rc;

	nl_batch_init(&b, a, 1);
	if (tw != NO_BEGIN)
		nl_batch_begin(&b);
	put(&b, NFT_MSG_NEWTABLE, NFPROTO_INET, "mixed");
	put(&b, NFT_MSG_DELTABLE, NFPROTO_INET, "mixed");
	put(&b, NFT_MSG_NEWTABLE, tw == OTHER_FAMILY ? NFPROTO_IPV4 :
	    NFPROTO_INET, "mixed");
	put(&b, tw == OTHER_TYPE ? NFT_MSG_DELCHAIN : NFT_MSG_NEWCHAIN,
	    NFPROTO_INET, tw == OTHER_TABLE ? "other" : "mixed");
	if (tw != NO_END)
		nl_batch_end(&b);
	if (tw == AFTER_END)
		put(&b, NFT_MSG_NEWCHAIN, NFPROTO_INET, "mixed");
	len = tw == CUT ? b.len - 6 : b.len;
	nl_batch_init(&r, a, 0);
	rc = nl_batch_load(&r, b.buf, len, "mixed");
	*nrecs = r.nrecs;
	if (rc == 0 && r.check_len != b.check_len)
		rc = -2;
	nl_batch_free(&b);
	nl_batch_free(&r);
	return rc;
}

int
main(void)
{
	static const struct {
		enum twist	 tw;
		const char	*what;
	} bad[] = {
		{ OTHER_TABLE, "a message about another table" },
		{ OTHER_FAMILY, "a message of another family" },
		{ OTHER_TYPE, "a kind of message a restore never sends" },
		{ NO_END, "no BATCH_END" },
		{ AFTER_END, "a message after BATCH_END" },
		{ CUT, "a message cut off" },
		{ NO_BEGIN, "no BATCH_BEGIN" },
	};
	struct arena *a = arena_new();
	size_t i, n;

	plan_lazy();
	is_int(load(a, NONE, &n), 0, "a saved table loads");
	is_int((int)n, 4, "...with a record per message inside the batch");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(load(a, bad[i].tw, &n) == -1, "refused: %s", bad[i].what);
	arena_free(a);
	return done_testing();
}
