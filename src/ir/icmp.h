/*
 * icmp.h - ICMP and ICMPv6 messages by name, and the one encoding of a
 * message in the IR: type << 8 | code, so that a set of messages is an
 * ordinary integer set (a type with every code is the interval
 * [type << 8, type << 8 | 255]).
 *
 * The names are those nft(8) knows for `icmp type`, `icmp code`,
 * `icmpv6 type` and `icmpv6 code`, and the spellings iptables-extensions(8)
 * lists for --icmp-type and --icmpv6-type (which name a type, or a type and
 * a code at once).  The front end, explain and every back end read this
 * one table, so a name means the same message everywhere.
 */
#ifndef EGRESSC_ICMP_H
#define EGRESSC_ICMP_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"
#include "ir/iset.h"

#define ICMP_TC(type, code)	((unsigned)(type) << 8 | (unsigned)(code))
#define ICMP_TYPE(tc)		((unsigned)(tc) >> 8)
#define ICMP_CODE(tc)		((unsigned)(tc) & 0xffu)

enum {
	ICMP_NFT	= 1u << 0,	/* nft(8) spells it so */
	ICMP_IPT	= 1u << 1,	/* iptables-extensions(8) does */
};

struct icmp_name {
	const char	*name;		/* "echo-request"; case is ignored */
	int		 type;
	int		 code;		/* -1: the type, with every code */
	unsigned	 from;		/* ICMP_NFT, ICMP_IPT */
};

/* The names of ICMP (FAM_V4) or ICMPv6 (FAM_V6), the first name of each
 * message first; ends with a NULL name. */
const struct icmp_name	*icmp_names(enum fam);

/*
 * One message or a range of them, as a ports: entry writes it after
 * "icmp/" or "icmpv6/": TYPE, LO-HI, TYPE/CODE, TYPE/LO-HI, where a type
 * or a code is a number (0 to 255) or a name; a name of iptables' that
 * says a code too ("port-unreachable") stands for TYPE/CODE.  ranges:
 * LO-HI is allowed.  The values (type << 8 | code) go to *out.  0, or -1
 * with *why set to what is wrong (arena text naming the bad part) and
 * *near to a did-you-mean, or NULL.
 */
int		 icmp_parse(struct arena *, enum fam, const char *s,
		    bool ranges, struct ival *out, const char **why,
		    const char **near);

/* The first name of a type (code -1) or of a type and code, or NULL. */
const char	*icmp_name(enum fam, unsigned type, int code);

/* Is word a name of an ICMP or ICMPv6 message? */
bool		 icmp_is_name(const char *word);

/*
 * A set of messages as a ports: entry writes them, comma-separated: "8",
 * "0-8", "3/4", "3/0-5" (numbers, so the text is the same whatever names
 * the policy used).
 */
struct out;
void		 icmp_format(struct out *, const struct iset *tc);

/*
 * A set of messages as groups: the types that take the same codes,
 * ordered by their first type.  every_code: codes is [0, 255].
 */
struct icmp_group {
	struct iset	 types;
	struct iset	 codes;
	bool		 every_code;
};
size_t		 icmp_groups(struct arena *, const struct iset *tc,
		    struct icmp_group **out);

/*
 * The same messages one by one, in the groups' order, for the syntaxes
 * that take no range of types or codes (pf, Windows): a type of every code
 * once (code -1), else each type and code.
 */
struct icmp_msg {
	unsigned	 type;
	int		 code;		/* -1: every code */
};
size_t		 icmp_messages(struct arena *, const struct iset *tc,
		    struct icmp_msg **out);

#endif
