/*
 * backend.h - the one interface every target implements.
 *
 * A back end sees the IR after lowering (lower.c) for its capabilities and
 * its own targets.<name> options; it never sees YAML and never opens a file
 * (its templates are built in: be_template).  It writes one struct out per
 * output file, in the order of .suffixes.
 */
#ifndef EGRESSC_BACKEND_H
#define EGRESSC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/ir.h"
#include "util/out.h"

/* What a target can express; lower.c turns the IR into what it can take. */
enum {
	BE_SETS		= 1u << 0,	/* many addresses/ports in one rule */
	BE_ADDR_RANGES	= 1u << 1,	/* a-b address ranges, not only CIDR */
	BE_FQDN		= 1u << 2,	/* plain host names (hosts: native) */
	BE_WILDCARD	= 1u << 3,	/* *.zone names (wildcards: native) */
	BE_FIRST_MATCH	= 1u << 4,	/* rule order decides, first match */
	BE_MIXED_FAM	= 1u << 5,	/* IPv4 and IPv6 in one rule */
	BE_REJECT	= 1u << 6,	/* reject distinct from drop */
	BE_LOG		= 1u << 7,
	BE_INBOUND	= 1u << 8,	/* inbound rules (an input chain) */
	BE_SCTP_PORTS	= 1u << 9,	/* sctp/PORT, not only sctp whole */
	/* proto/0 is protocol 0 (iptables and Cisco read 0 as "every
	 * protocol"; pf and Windows are not to be trusted with it). */
	BE_PROTO_ZERO	= 1u << 10,
	/* Names kept hold only what a client looked up itself (dynamic
	 * keywords): a block by name would not stop a client that did not,
	 * so block rules take the lock's addresses instead (lower.c). */
	BE_NAMES_LEARNT	= 1u << 11,
	/* Names lowered to their locked addresses stay known to the rule
	 * (ir_rule.hosts): a floor set of those addresses and a dynamic set
	 * that DNS answers fill later (nftables, dnsmasq). */
	BE_DYNSETS	= 1u << 12,
	/* Writes names as domains that match themselves and every name
	 * below them (dnsmasq's /zone/): a wildcard is its zone's apex and
	 * every depth under it, a host every name under it too. */
	BE_DOMAINS	= 1u << 13,
};

struct backend;

struct be_opts {
	const struct backend	*be;
	struct arena		*arena;		/* scratch for the emit call */
};

/*
 * One key of targets.<name>, declared by the back end that reads it, so
 * that be_check_options() can judge every value the policy sets before
 * any command acts on it.
 */
enum be_optkind {
	BE_OPT_TEXT,	/* anything: the back end makes it safe (be_text) */
	/* An identifier in the output (table, chain, ACL name):
	 * [A-Za-z_][A-Za-z0-9_.-]*, at most maxlen bytes; upper: folded to
	 * upper case when read. */
	BE_OPT_IDENT,
	/* A device word (an interface): a letter, then letters, digits and
	 * the characters of chars, at most maxlen. */
	BE_OPT_WORD,
	BE_OPT_ENUM,	/* one of values */
};

struct be_option {
	const char		*key;		/* "table"; NULL: the end */
	enum be_optkind		 kind;
	size_t			 maxlen;	/* IDENT, WORD */
	bool			 upper;		/* IDENT */
	const char		*chars;		/* WORD */
	const char *const	*values;	/* ENUM; NULL-terminated */
	/* The value when the policy sets none (NULL: the caller's), judged
	 * as the policy's would be. */
	const char		*(*dflt)(const struct be_opts *,
				    const struct ir *);
	/* Values refused as written out (after upper:): the target's own
	 * names and words; NULL-terminated. */
	const char *const	*reserved;
	/* Another key of this target that must not come out the same (the
	 * two chains of one table), set or by default. */
	const char		*distinct;
	bool			 inbound;	/* used only with inbound rules */
};

struct backend {
	const char		*name;		/* "nftables" */
	unsigned		 caps;
	size_t			 comment_max;	/* bytes; 0: no comments */
	const char		*comment_bad;	/* printable ASCII it cannot take */
	const char *const	*suffixes;	/* ".nft"; NULL-terminated */
	const struct be_option	*options;	/* targets.<name> keys */
	/* 0, or -1 after diag_error(). */
	int			(*emit)(const struct ir *, const struct be_opts *,
				    struct out *outs);
};

/* All targets, in the order of egressc(1)'s TARGETS list; NULL-terminated;
 * never more than BE_MAX. */
#define BE_MAX	16
extern const struct backend *const be_all[];
const struct backend	*be_find(const char *name);
size_t			 be_nsuffixes(const struct backend *);

/*
 * Shared helpers (backend/common.c).
 *
 * be_text: text safe to place inside the target's comment or name field:
 * control characters, non-ASCII, quotes and the target's comment_bad are
 * replaced by '_', runs of spaces folded, cut to max bytes (0: comment_max).
 * Nothing a user writes can end the field and start a rule.
 */
const char	*be_text(const struct be_opts *, const char *, size_t max);
/* "NAME: COMMENT [from *.zone]" made safe with be_text. */
const char	*be_rule_comment(const struct be_opts *, const struct ir_rule *);
/* Render templates/<name>.tmpl (built in; $EGRESSC_TEMPLATES/<name>.tmpl
 * when that is set, for template work without a rebuild), replacing @KEY@
 * by vars (KEY, value, ..., NULL).  -1 after diag_error() when the
 * template is missing. */
int		 be_template(const struct be_opts *, const char *name,
		    const char *const *vars, struct out *);
/* The same, with the slot key filled by body, whose buffer becomes out's
 * (the largest part of a file is not copied once more); body is left
 * empty.  out is best empty: else the text is appended to it. */
int		 be_template_take(const struct be_opts *, const char *name,
		    const char *const *vars, const char *key, struct out *body,
		    struct out *out);
/* The text before the slot key (which the template must use once),
 * filled from vars, appended to out, and what follows it to *rest
 * (initialised here): the caller writes the slot's text straight into out,
 * then be_template_end appends rest and frees it, so the largest part of
 * a file is written once, where it stays.  -1 after diag_error(), rest
 * left empty. */
int		 be_template_split(const struct be_opts *, const char *name,
		    const char *const *vars, const char *key, struct out *out,
		    struct out *rest);
void		 be_template_end(struct out *out, struct out *rest);
/* The generated-file header lines (policy name, version, banner, stamp),
 * each prefixed by the target's comment leader ("# ", "! ", "REM "). */
void		 be_header(const struct be_opts *, const struct ir *,
		    const char *leader, struct out *);

/*
 * Target options (backend/options.c).
 *
 * be_check_options: every targets.TARGET.KEY of the policy, judged against
 * the schemas: unknown targets and keys and bad values, each at its place
 * in the policy; then, for every target, the values as they will be
 * written (set or by default): none reserved, none equal to the one it
 * must differ from.  Every command runs it right after reading the policy, so
 * lint and compile agree.  0, or -1 after diag_error().
 */
int		 be_check_options(const struct ir *);
/*
 * The value of targets.<be>.KEY, or dflt (NULL: the declared default) when
 * the policy does not set it; IDENT options folded as declared.  A default is judged as the policy's
 * value would be (it may come from the policy's name), the error then at
 * the policy's first line.  NULL when absent without a default, or after
 * diag_error().
 */
const char	*be_option(const struct be_opts *, const struct ir *,
		    const char *key, const char *dflt);
/* An ENUM option: the index of its value in the declared values, dflt when
 * absent, or -1 after diag_error(). */
int		 be_enum(const struct be_opts *, const struct ir *,
		    const char *key, int dflt);

/*
 * The (family, protocol, ports) combinations a rule matches, in a fixed
 * order: IPv4 before IPv6, then tcp, udp, icmp, icmpv6, sctp and the other
 * protocols by number.  fam -1: both families at once (only with
 * BE_MIXED_FAM and when source and destination are "any" in both); proto
 * -1: every protocol; BE_OTHER: the other protocol ipp, whole; ports NULL:
 * every port or ICMP message of the protocol (messages are
 * type << 8 | code: icmp_groups() splits them).  ICMP goes with IPv4,
 * ICMPv6 and an other protocol that IPv6 takes for an extension header
 * (proto_in_fam, ipp_in_fam) with IPv6 only / IPv4 only.  *out is arena
 * memory.
 */
#define BE_OTHER	P_N
struct be_match {
	int			 fam;
	int			 proto;
	unsigned		 ipp;		/* proto >= 0: its number */
	const struct iset	*ports;
};
size_t		 be_matches(struct arena *, const struct ir_rule *,
		    unsigned caps, struct be_match **out);

/*
 * Split a port set into chunks of at most max "slots", a single port
 * taking one and a range two (iptables multiport: 15).  Returns the count;
 * *out is arena memory.
 */
size_t		 be_chunks(struct arena *, const struct iset *, size_t max,
		    struct iset **out);

#endif
