/*
 * nl.h - egressc apply and verify: the nftables ruleset of a policy built
 * as libnftnl objects and sent to the kernel over netlink (libmnl) in one
 * atomic batch, or read back from the kernel and compared with the policy.
 *
 * The IR handed in is already lowered for the nftables back end's
 * capabilities; the table is the nftables model of it (nft/nft.h), the same
 * one the text back end prints.  The objects mirror, expression for
 * expression, what nft(8) makes of that text, so both ways of loading a
 * policy leave the same ruleset behind.  A guarded apply (--confirm) puts
 * the previous table back unless it is confirmed in time.  This header is
 * what the command line calls; the rest is in nl-int.h.
 */
#ifndef EGRESSC_NL_H
#define EGRESSC_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/ir.h"

struct nl_opts {
	bool		 dry_run;	/* print the batch, send nothing */
	const char	*netns;		/* NULL: current; else /run/netns/NAME */
	unsigned	 confirm;	/* seconds to the rollback; 0: none */
	const char	*confirm_cmd;	/* the command that confirms, shown */
	bool		 verbose;	/* refresh: print the elements sent */
};

/*
 * 0, or -1 after diag_error() (the policy cannot be loaded as it is: a bad
 * table or chain name, an empty --netns) or diag_fail() (the world said
 * no: the kernel refused, no CAP_NET_ADMIN, no such namespace).
 */
int	nl_apply(const struct ir *, const struct nl_opts *);
/* 0 same, 1 different (the differences on stdout), -1 as nl_apply. */
int	nl_verify(const struct ir *, const struct nl_opts *);

/*
 * apply --confirm: nl_apply with o->confirm set first saves the table as
 * it is (or its absence) in a state file and starts a detached watchdog
 * that puts it back after o->confirm seconds; nl_confirm (apply
 * --confirmed) cancels that.  Both refuse with diag_error() what there is
 * nothing to do for: a second apply while one is pending, a confirmation
 * with nothing pending.
 */
int	nl_confirm(const struct ir *, const struct nl_opts *);

/*
 * egressc refresh: the answers (sorted by host, as resolve_answers gives
 * them) added to the dynamic sets of the loaded table: only the elements
 * that are new or need a longer timeout, in one batch; a line "+N
 * addresses in M sets, K unchanged" on stdout.  0, or -1 as nl_apply
 * (the table is not loaded: diag_fail()).
 */
struct nl_addr {
	enum fam	 fam;
	u128		 addr;
};
struct nl_answer {
	const char		*host;
	unsigned		 ttl;
	const struct nl_addr	*addrs;
	size_t			 naddrs;
};
int	nl_refresh(const struct ir *, const struct nl_opts *,
	    const struct nl_answer *, size_t);
/* Move this process into network namespace name (NULL: stay), for work
 * that must happen there before netlink: refresh asks DNS from inside.
 * 0, or -1 after diag_error() or diag_fail(). */
int	nl_netns(const char *name);

/* The state directory, and the variable that moves it (tests). */
#define NL_RUNDIR	"/run/egressc"
#define NL_RUNDIR_ENV	"EGRESSC_RUNDIR"

/*
 * Test-only: EGRESSC_NL_FAIL_RULE=N (a 1-based rule index or a rule name)
 * makes apply add to that rule an expression that names a set that does
 * not exist, so the kernel rejects the batch at that rule.  The atomicity
 * test uses it; nothing else should.
 */
#define NL_FAIL_ENV	"EGRESSC_NL_FAIL_RULE"

#endif
