/*
 * cover.h - the packets of a rule that the rules before it leave (see
 * cover.c): lint's proof that a rule is shadowed, by the union of the rules
 * before it, with an example packet either way.
 */
#ifndef EGRESSC_COVER_H
#define EGRESSC_COVER_H

#include "ir/ir.h"
#include "pass/rindex.h"

/* One box of packets: family (-1: the host name `name`), protocol (P_*,
 * or P_N for every other IP protocol, whose numbers are then the ports),
 * source, destination and ports. */
struct cover_box {
	int		 fam;
	const char	*name;
	int		 proto;
	struct iset	 src, dst, ports;
};

struct cover {
	struct cover_box	*v;
	size_t			 n, cap;
};

/* The earlier rules that take some of rule j's packets, in order. */
struct cover_by {
	size_t		*v;
	size_t		 n, cap;
	bool		 conflict;	/* one of them decides otherwise */
};

/* Every packet of one rule, as boxes (arena memory). */
void	cover_rule(struct arena *, const struct ir_rule *, struct cover *);
/*
 * What of rule j reaches it: rest (empty: the rule can never match) and
 * the earlier rules that take the rest of its packets.  -1 when the
 * analysis grew past its bound: then nothing is known.  x (may be NULL:
 * every earlier rule) names the earlier rules that could meet rule j.
 */
int	cover_rest(struct arena *, const struct ir *, size_t j,
	    struct rindex *x, struct cover *rest, struct cover_by *by);
/* A packet in the box (its lowest corner); false for boxes no packet
 * names (an unresolved name). */
bool	cover_example(const struct cover_box *, struct ir_packet *);

#endif
