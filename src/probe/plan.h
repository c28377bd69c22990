/*
 * plan.h - the tests `egressc probe` makes of a bound IR, and what the
 * policy expects of each.
 *
 * Every egress rule with concrete destinations gets tests: each of its
 * host names (with the name as TLS SNI) and address ranges, by default a
 * sample (a host's first address of each family, a range's first host
 * address; the lowest, middle and highest port of each port range), with
 * all set every address and port, up to max_tests in all.  A rule to any
 * address is tried at stand-ins: the peers given (--media-peer), else the
 * addresses of the policy's TURN hosts (names with a "turn" label), since
 * media goes to the relays and SFUs those names lead to.  What cannot be
 * tried (ICMP, inbound rules, wildcards kept as names, any address with no
 * stand-in) is said in the plan's notes, never left out silently.
 */
#ifndef EGRESSC_PLAN_H
#define EGRESSC_PLAN_H

#include "ir/ir.h"
#include "probe/probe.h"

struct probe_peer {
	const char	*name;		/* the TURN host, or NULL (given) */
	enum fam	 fam;
	u128		 addr;
};

struct probe_plan_opts {
	bool				 all;
	const struct probe_peer		*peers;	/* none: the TURN hosts */
	size_t				 npeers;
	size_t				 max_tests;	/* 0: PROBE_MAX_TESTS */
};

struct probe_plan {
	struct probe_test	*t;
	size_t			 n, cap;
	/* What was tried in place of what, and what was not tried. */
	const char		**notes;
	size_t			 nnotes, capnotes;
};

/* The tests of ir's egress rules, in rule order, in arena a. */
void	probe_plan(struct arena *a, const struct ir *ir,
	    const struct probe_plan_opts *, struct probe_plan *);

/*
 * What the policy decides for the test's packet, first match wins, from
 * the source address the test left from (any source when unknown):
 * *open is true when it lets it through.  Returns the deciding rule's
 * index, or -1 when the default decides.  A test without an address
 * (no-dns) is its own rule's.
 */
long	probe_expect(const struct ir *, const struct probe_test *,
	    bool *open);

#endif
