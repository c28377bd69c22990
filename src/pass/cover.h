/*
 * cover.h - the packets of a rule that the rules before it leave (see
 * cover.c): lint's proof that a rule is shadowed, by the union of the rules
 * before it, with an example packet either way.
 */
#ifndef EGRESSC_COVER_H
#define EGRESSC_COVER_H

#include "ir/ir.h"
#include "ir/meet.h"

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
/* The policy's destinations, indexed once for every cover_rest(). */
struct cover_index {
	const struct ir		*ir;
	struct meet_index	 x;
};
void	cover_index(const struct ir *, struct cover_index *);
void	cover_index_free(struct cover_index *);
/*
 * What of rule j reaches it: rest (empty: the rule can never match) and
 * the earlier rules that take the rest of its packets.  -1 when the
 * analysis grew past its bound: then nothing is known.  All of it, and
 * the work, in arena a (scratch: one per rule keeps memory flat).
 */
int	cover_rest(struct arena *a, const struct cover_index *, size_t j,
	    struct cover *rest, struct cover_by *by);
/* A packet in the box (its lowest corner); false for boxes no packet
 * names (an unresolved name). */
bool	cover_example(const struct cover_box *, struct ir_packet *);

#endif
