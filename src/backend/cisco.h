/*
 * cisco.h - what the Cisco IOS and ASA back ends share: their options,
 * object and object-group names, address and port words, remarks.
 *
 * IOS writes IPv4 wildcard masks ("0.0.0.255") in ACL entries and netmasks
 * in object-groups; the ASA writes netmasks everywhere.  Both take the same
 * "eq N" / "range A B" port words, the same 100-character remark and the
 * same 64-character object names, so all of that lives here once.
 */
#ifndef EGRESSC_CISCO_H
#define EGRESSC_CISCO_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/backend.h"
#include "util/strset.h"

/* Both platforms cut remarks at 100 characters and take object names of
 * at most 64. */
#define CIS_REMARK_MAX	100
#define CIS_NAME_MAX	64
/* ACL names leave room for the suffixes derived from them. */
#define CIS_ACL_MAX	40

/* Characters the Cisco CLI cannot take in a remark: '?' asks for help. */
#define CIS_COMMENT_BAD	"?"

/* The options both platforms take (struct be_option initialisers): names
 * that cannot end the command or start another. */
#define CIS_OPT_ACL	{ .key = "acl", .kind = BE_OPT_IDENT,		\
			  .maxlen = CIS_ACL_MAX }
#define CIS_OPT_IFACE	{ .key = "interface", .kind = BE_OPT_WORD,	\
			  .maxlen = CIS_NAME_MAX, .chars = "_.-/:" }

/* The state of one emit call: the names taken so far. */
struct cis {
	const struct be_opts	*opts;
	const struct ir		*ir;
	struct arena		*a;
	struct strset		 used;		/* object names given out */
	/* Between cis_rules_begin and cis_rules_end: what one rule needs
	 * while it is written (the words of cis_addr, cis_ports and
	 * cis_remark, the back end's own), freed by cis_rule_done after
	 * each rule; what outlives the rule (object names, groups) goes
	 * to a. */
	struct arena		*t;
	struct be_opts		 ro;		/* be_opts with t */
};

void		 cis_init(struct cis *, const struct be_opts *,
		    const struct ir *);
void		 cis_rules_begin(struct cis *);
void		 cis_rule_done(struct cis *);
void		 cis_rules_end(struct cis *);

/* The ACL name: targets.<name>.acl, by default EGRESSC-NAME upper-cased
 * (be_option()).  NULL after diag_error(). */
const char	*cis_opt_acl(const struct cis *);

/*
 * A unique object name "BASE-PART-KIND" of at most CIS_NAME_MAX
 * characters: characters outside [A-Za-z0-9_.-] become '_', PART is cut
 * to fit, and a counter is added when the name is taken.
 */
const char	*cis_objname(struct cis *, const char *base, const char *part,
		    const char *kind);

/* " eq 443" or " range 50000 60000" for one port interval. */
const char	*cis_ports(struct cis *, const struct ival *);

/*
 * An address word for one prefix: "host A", "A MASK" with an IPv4
 * wildcard mask (IOS entries) or netmask (ASA, IOS object-groups), and
 * "A/len" for IPv6.  "any" for a whole family is the caller's business:
 * the platforms spell it differently.
 */
const char	*cis_addr(struct cis *, enum fam, const struct prefix *,
		    bool wildcard);

/* The rule's remark text: be_rule_comment(), at most CIS_REMARK_MAX. */
const char	*cis_remark(struct cis *, const struct ir_rule *);

/* Rules that a target lacking BE_REJECT sends as deny. */
const char	*cis_verb(const struct ir_rule *);

#endif
