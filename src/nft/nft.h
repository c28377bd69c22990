/*
 * nft.h - the nftables model: the one table a policy compiles to, as
 * nftables itself sees it (chains, sets, rules of matches and statements).
 *
 * Two back ends load a policy into nftables: the text for nft -f
 * (backend/nftables.c) and the netlink batch of egressc apply (nl/build.c).
 * They must agree rule for rule, so what the table holds is decided once,
 * here, from the lowered IR and the targets.nftables options; each back end
 * only writes the model down in its own form.  Values are nftables' own
 * (protocol numbers, ct state bits, addresses), not the IR's enums, so that
 * neither writer has to know how the IR says things.
 */
#ifndef EGRESSC_NFT_H
#define EGRESSC_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir/ir.h"

/* What a match looks at. */
enum nft_field {
	NFT_F_NFPROTO,		/* meta nfproto: 2 ipv4, 10 ipv6 */
	NFT_F_L4PROTO,		/* meta l4proto: an IP protocol number */
	NFT_F_OIF,		/* oif: an interface, by name (ifname) */
	NFT_F_IIF,		/* iif */
	NFT_F_CTSTATE,		/* ct state: bits; a match is "any of" */
	NFT_F_CTDIR,		/* ct direction: 0 original, 1 reply */
	NFT_F_IP_SADDR,
	NFT_F_IP_DADDR,
	NFT_F_IP6_SADDR,
	NFT_F_IP6_DADDR,
	NFT_F_TCP_DPORT,
	NFT_F_UDP_DPORT,
	NFT_F_SCTP_DPORT,
	NFT_F_ICMP_TYPE,
	NFT_F_ICMP_CODE,	/* always after its NFT_F_ICMP_TYPE */
	NFT_F_ICMP6_TYPE,
	NFT_F_ICMP6_CODE,
	NFT_F_TH_DPORT,		/* th dport: in a run's concatenation only */
	NFT_F_N
};
/* "meta nfproto", "ip saddr", "tcp dport", ... as nft writes them. */
extern const char *const nft_field_name[NFT_F_N];

/* ct state bits (the kernel's NF_CT_STATE_BIT values). */
#define NFT_CT_ESTABLISHED	2u
#define NFT_CT_RELATED		4u
#define NFT_CT_DIR_REPLY	1u

enum nft_family { NFT_FAM_INET };
enum nft_hook { NFT_H_OUTPUT, NFT_H_INPUT };
enum nft_verdict { NFT_V_ACCEPT, NFT_V_DROP, NFT_V_REJECT };

/*
 * Values of one field: intervals, and for addresses also the fewest
 * prefixes that cover them, which is how they are written (and how the
 * kernel path decides between a masked compare and a set).
 */
struct nft_vals {
	struct iset	 v;
	struct prefix	*pfx;		/* addresses only; else NULL */
	size_t		 npfx;
};

enum {
	NFT_SETF_CONSTANT	= 1u << 0,
	NFT_SETF_INTERVAL	= 1u << 1,	/* holds ranges or prefixes */
	NFT_SETF_TIMEOUT	= 1u << 2,	/* elements expire (named sets) */
};
#define NFT_CONCAT_MAX	4
#define NFT_ELEM_KEYS	3	/* a run's: address . protocol . port */

/*
 * One element of a run's set (nkeys > 1): an interval of each key (a
 * range of addresses, a protocol, a range of ports) and the policy rule
 * that decides the packets in it, whose comment the element carries.
 * The elements of a set never overlap: where rules of a run overlap, the
 * later one's element leaves out what an earlier one already holds, so
 * each element names the rule that decides first.
 */
struct nft_elem {
	struct ival		 addr;		/* the first key */
	/* The others (a protocol, a port range) fit 32 bits: an element
	 * is 64 bytes, not 144, and a run of 2,000 rules has 40,000. */
	uint32_t		 lo[NFT_ELEM_KEYS - 1], hi[NFT_ELEM_KEYS - 1];
	const struct ir_rule	*rule;
	const char		*comment;
};
_Static_assert(NFT_ELEM_KEYS <= NFT_CONCAT_MAX, "a run's keys concatenate");

/* Key k of element e, whichever of its fields holds it. */
static inline struct ival
nft_elem_key(const struct nft_elem *e, size_t k)
{
	struct ival v = e->addr;

	if (k > 0) {
		v.lo = e->lo[k - 1];
		v.hi = e->hi[k - 1];
	}
	return v;
}

/*
 * A set a rule looks its field up in.  Most are anonymous (name NULL:
 * written inline as { ... }, one key, constant).  A rule whose
 * destinations include host names (ir_rule.hosts) looks its destination
 * up in two named sets per family instead: the floor (NFT_SETF_INTERVAL:
 * every destination address of the rule, the lock's addresses of its
 * names included), which each load replaces, and the dynamic set
 * (NFT_SETF_TIMEOUT, empty in the model), which DNS answers fill later
 * (egressc refresh, dnsmasq's nftset) and a reload keeps.  Named sets are
 * listed in nft_table.sets for the writers to declare.
 *
 * A run's set (run > 0; merge, on by default) is named too: run_N_v4 or
 * run_N_v6, over the concatenation ip daddr . meta l4proto . th dport
 * (nkeys 3, NFT_SETF_INTERVAL), its elements in tv, not elems; see
 * nft_model_build.
 */
struct nft_set {
	const char	*name;		/* NULL: anonymous */
	enum nft_field	 key[NFT_CONCAT_MAX];
	size_t		 nkeys;
	unsigned	 flags;		/* NFT_SETF_* */
	uint64_t	 timeout_ms;	/* NFT_SETF_TIMEOUT: the default */
	struct nft_vals	 elems;		/* nkeys == 1: the members */
	/* Named sets: the policy rule (a run's: its first) and family they
	 * are of. */
	const struct ir_rule *rule;
	enum fam	 fam;
	size_t		 run;		/* a run's set: its number; else 0 */
	struct nft_elem	*tv;		/* a run's set: its elements */
	size_t		 ntv, captv;
};
#define NFT_SET_RUN(s)		((s)->run > 0)
#define NFT_SET_DYNAMIC(s)	(((s)->flags & NFT_SETF_TIMEOUT) != 0)
#define NFT_SET_FLOOR(s)	((s)->name != NULL && !NFT_SET_DYNAMIC(s))

/*
 * One match: field == value (a value, a range lo-hi or a prefix), or
 * field in set; neg turns either into "not".  A lookup in a concatenated
 * set stands for every key of the set; field is then key[0].
 */
struct nft_match {
	enum nft_field	 field;
	bool		 neg;
	struct nft_vals	 val;		/* set == NULL; ct state: all bits */
	const char	*ifname;	/* NFT_F_OIF, NFT_F_IIF */
	struct nft_set	*set;		/* non-NULL: a lookup */
};

/* A rule: every match in order, then log, verdict and comment. */
struct nft_rule {
	struct nft_match	*m;
	size_t			 nm, capm;
	const char		*log_prefix;	/* NULL: no log statement */
	enum nft_verdict	 verdict;
	const char		*comment;	/* NULL: none */
	/* The policy rule this line is one (family, protocol) of; NULL for
	 * the chain's own prologue (conntrack, loopback).  A run's lookup
	 * stands for the policy rules src to last (a run: set non-NULL). */
	const struct ir_rule	*src;
	const struct ir_rule	*last;
	struct nft_set		*run;
};

struct nft_chain {
	const char		*name;
	enum ir_dir		 dir;		/* the IR rules it holds */
	bool			 base;		/* hooked; else a regular chain */
	enum nft_hook		 hook;
	int			 prio;		/* 0: priority filter */
	enum nft_verdict	 policy;	/* NFT_V_ACCEPT or NFT_V_DROP */
	struct nft_rule		*rules;
	size_t			 nrules, caprules;
};

struct nft_table {
	const char		*name;
	enum nft_family		 family;
	/* Output first; input only when the policy has inbound rules. */
	struct nft_chain	*chains;
	size_t			 nchains, capchains;
	/* Every set, in the order of the rules that use them. */
	struct nft_set		**sets;
	size_t			 nsets, capsets;
	size_t			 ndynamic;	/* named sets with a timeout */
	/* A load keeps what the dynamic sets hold: there are some, and
	 * --flush-dynamic was not given.  Else it replaces the table. */
	bool			 keep;
	/* targets.nftables.merge: runs of rules become set lookups. */
	bool			 merge;
	size_t			 nruns;
	/* The lowered IR the model was built from: src pointers lead into
	 * its rules, and diagnostics name its file. */
	const struct ir		*ir;
};

/*
 * Build the model of a lowered IR (lower() for the nftables back end's
 * capabilities), with the targets.nftables table, chain and input-chain
 * names checked.  Memory from the arena.  0, or -1 after diag_error().
 *
 * Unless targets.nftables.merge is no, each run of adjacent lines of a
 * chain that share their verdict and can be one element of a set (a
 * destination, a protocol that has ports and its ports, nothing else:
 * no source, no log, no host names, no ICMP, not every protocol) and
 * that come from two or more policy rules becomes one rule per family:
 * `ip daddr . meta l4proto . th dport @run_N_v4 VERDICT`.  Lines of the
 * same verdict commute, so first match is kept; a line of another
 * verdict or one that cannot merge ends the run.  A line for every port
 * of tcp, udp or sctp merges as ports 0-65535 in a base chain only, whose
 * conntrack prologue means packets are reassembled, so th dport can
 * always be read.
 */
int	nft_model_build(struct arena *, const struct ir *, struct nft_table *);
/* The same without runs: enough for what names the floor and dynamic
 * sets (the dnsmasq back end, refresh), which runs never touch. */
int	nft_model_sets(struct arena *, const struct ir *, struct nft_table *);

/*
 * The stem of the named sets of each rule of a lowered IR that has host
 * names (NULL for the others), parallel to ir->rules: the rule's name when
 * it starts with a letter, else "r" and the name, and then, only when that
 * is some other rule's name, "_" and eight hex digits of a hash of the
 * rule's name.  The sets are STEM_f4, STEM_d4, STEM_f6 and STEM_d6 (floor
 * and dynamic, IPv4 and IPv6), so that other tools can name them (the
 * dnsmasq back end does).  NULL after diag_error().
 */
const char	**nft_set_stems(struct arena *, const struct ir *);
/* The stem rule i would have, host names or not (the iptables back end
 * names its address sets so too); NULL after diag_error(). */
const char	*nft_rule_stem(struct arena *, const struct ir *, size_t i);
/* STEM_d4, STEM_f6, ...: the name of one set of a stem. */
const char	*nft_set_name(struct arena *, const char *stem, enum fam,
		    bool dynamic);

#endif
