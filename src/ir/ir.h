/*
 * ir.h - the intermediate representation every back end reads.
 *
 * A policy is an ordered list of rules; the first rule that matches a packet
 * decides.  A rule matches a packet when its source and destination address
 * sets hold the packet's addresses (per family) and its svc holds the
 * protocol and port.  Host names and wildcards that a target will resolve
 * itself stay as names (struct ir_name); everything else is addresses.
 */
#ifndef EGRESSC_IR_H
#define EGRESSC_IR_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"
#include "ir/svc.h"
#include "util/diag.h"

enum ir_action { IR_ALLOW, IR_DENY, IR_REJECT };
enum ir_default { IR_DEF_DENY, IR_DEF_ACCEPT, IR_DEF_NONE };
enum ir_dir { IR_EGRESS, IR_INBOUND };
enum ir_wild { IR_WILD_NATIVE, IR_WILD_EXPAND, IR_WILD_FORBID };
enum ir_hosts { IR_HOSTS_RESOLVE, IR_HOSTS_NATIVE };

/* A destination still named, not yet (or never) turned into addresses. */
struct ir_name {
	const char	*name;		/* "api.heygen.com", "*.livekit.cloud" */
	bool		 wildcard;
	struct loc	 loc;
	/* Filled from the lock (lock_apply) for targets that cannot keep the
	 * name; a wildcard never resolves. */
	bool		 resolved;
	struct aset	 addrs;
};

struct ir_rule {
	const char	*name;		/* unique in the policy */
	const char	*tier;		/* "minimum", "recommended", ... */
	const char	*comment;	/* raw user text: back ends sanitise */
	struct loc	 loc;		/* the rule's "- name:" in the policy */
	enum ir_action	 action;
	enum ir_dir	 dir;
	bool		 log;
	/* Lowered: names, and the destination and hosts lowering gives
	 * them, are in the lowered IR's arena; else every set and array of
	 * the rule is its input's (lower_clone). */
	bool		 own;
	struct aset	 src, dst;	/* "any" is 0.0.0.0/0 and ::/0 */
	struct ir_name	*names;		/* destinations kept as names */
	size_t		 nnames, capnames;
	/* Wildcards this rule's hosts were expanded from, for comments. */
	const char	**origins;
	size_t		 norigins, caporigins;
	struct svc	 svc;
	bool		 dst_any;	/* written as "any" in the policy */
	/* allow-private: true — resolved answers may be private, loopback,
	 * documentation ... addresses (resolve refuses them otherwise). */
	bool		 allow_private;
	/* A built-in rule one target needs of its own (cisco-ios: DHCP to
	 * the router its LAN list also filters): that target's name; NULL
	 * for a rule of every target.  lower() keeps it for that target
	 * only, explain with -t TARGET, and it shadows no rule. */
	const char	*target;
	/*
	 * The host names whose locked addresses lowering put into dst, for
	 * a target that keeps them beside the addresses (BE_DYNSETS): its
	 * rule then also admits what DNS says of them later.  Empty before
	 * lowering and for every other target.
	 */
	const char	**hosts;
	size_t		 nhosts, caphosts;
};

/*
 * dynamic: what DNS says after compile.  A target with dynamic sets
 * (nftables) gives every rule with host names a set whose elements expire
 * after timeout unless filled again; refresh clamps each answer's TTL to
 * [min_ttl, max_ttl].  Seconds.
 */
#define IR_DYN_TIMEOUT	3600u		/* 1h */
#define IR_DYN_MIN_TTL	600u		/* 10m: past two refresh timer runs */
#define IR_DYN_MAX_TTL	86400u		/* 1d */
#define IR_DYN_MAX	(23u * 86400u)	/* what every kernel's timer takes */
struct ir_dyn {
	bool		 off;		/* dynamic: false */
	unsigned	 timeout, min_ttl, max_ttl;
	/* Set by the command line, not the policy (--flush-dynamic): a
	 * reload empties the dynamic sets instead of keeping them. */
	bool		 flush;
};

/*
 * targets: { nftables: { table: x } } as written: an entry with key NULL
 * for each target named (loc: the name), then one for each of its keys
 * (key_loc: the key, loc: the value).  The front end does not know the
 * targets; be_check_options() (backend/options.c) judges every entry.
 */
struct ir_topt {
	const char	*target, *key, *value;
	struct loc	 loc, key_loc;
};

struct ir {
	struct arena	*arena;
	const char	*file;		/* the policy's path */
	const char	*name;		/* [a-z0-9][a-z0-9-]* */
	const char	*description;
	enum ir_default	 def;
	enum ir_wild	 wildcards;
	enum ir_hosts	 hosts;
	bool		 inbound_allowed;
	struct ir_rule	*rules;
	size_t		 nrules, caprules;
	struct ir_topt	*topts;
	size_t		 ntopts, captopts;
	/* The tiers in order, each cumulative over those before it: the
	 * policy's tiers: list, else minimum, recommended and the other
	 * words rules use, in order of first use. */
	const char	**tiers;
	size_t		 ntiers, captiers;
	/* Text for a header line: set when the lock holds example addresses. */
	const char	*banner;
	const char	*stamp;		/* --stamp text, else NULL */
	struct ir_dyn	 dyn;
};

struct ir	*ir_new(struct arena *);
struct ir_rule	*ir_add_rule(struct ir *);
void		 ir_add_name(struct ir *, struct ir_rule *, const char *,
		    bool wildcard, const struct loc *);
void		 ir_add_origin(struct ir *, struct ir_rule *, const char *);
/* A deep copy that later passes may change without touching the source. */
struct ir	*ir_clone(const struct ir *);
/* The same, with the copy and all its sets in arena a. */
struct ir	*ir_clone_into(const struct ir *, struct arena *a);
/* The same for a lowered IR, but only the rules that are own have their
 * sets copied: the others' are the input's, which must outlive it. */
struct ir	*ir_clone_owned(const struct ir *, struct arena *a);
/*
 * Normalise every set of the IR in place (members unchanged).  After it,
 * reading the IR writes nothing, so threads may share it, and copies may
 * share its sets.
 */
void		 ir_norm(struct ir *);
/* The value of targets.TARGET.KEY, or dflt. */
const char	*ir_topt(const struct ir *, const char *target, const char *key,
		    const char *dflt);
/* The entry of targets.TARGET.KEY, or NULL. */
const struct ir_topt *ir_topt_find(const struct ir *, const char *target,
		    const char *key);

/* First-match evaluation, for explain and the property tests. */
struct ir_packet {
	enum fam	fam;
	u128		src, dst;
	bool		any_src;	/* match whatever the rule's source is */
	enum ir_dir	dir;		/* egress (the default) or inbound */
	unsigned	proto;		/* the IP protocol number */
	unsigned	port;		/* port, ICMP type << 8 | code, or 0 */
};
/* Index of the deciding rule, or -1 when the default decides. */
long		 ir_decide(const struct ir *, const struct ir_packet *);
/*
 * Keep the built-in rules of one target (ir_rule.target), drop those of
 * every other; target NULL drops them all (the policy as every target
 * sees it).
 */
void		 ir_select_target(struct ir *, const char *target);
/* Does the policy hold inbound rules (and so own the input path)? */
bool		 ir_has_inbound(const struct ir *);
/*
 * Does the policy keep the host closed to connections from outside?  With
 * default: deny and no inbound rules of its own, the egress path refuses
 * to send replies (conntrack's reply direction) on any interface but
 * loopback: the seed's "open no inbound ports", even where nothing else
 * filters the input path.
 */
bool		 ir_closes_inbound(const struct ir *);
/* Does the rule apply in this family (non-empty src and dst)? */
bool		 ir_rule_in_fam(const struct ir_rule *, enum fam);
/*
 * Does rule a match every packet rule b matches (whatever either does with
 * it)?  Same direction, a's services cover b's, a's sources b's, and every
 * destination of b is a's: an address by a's addresses, a name by the same
 * name in a or, once resolved, by a's addresses holding all of its own.
 * A name of a covers nothing but itself: what it resolves to is the
 * target's business.  When a comes first, b can never match.
 */
bool		 ir_rule_covers(const struct ir_rule *a,
		    const struct ir_rule *b);

extern const char *const ir_action_name[];	/* "allow", "deny", "reject" */
extern const char *const ir_default_name[];	/* "deny", "accept", "none" */

#endif
