/*
 * svc.h - what a rule matches above the network layer: a port set per
 * protocol with ports (tcp, udp, sctp), ICMP and ICMPv6 messages (type and
 * code, see icmp.h), other IP protocols taken whole (gre, esp, proto/N),
 * or everything.
 */
#ifndef EGRESSC_SVC_H
#define EGRESSC_SVC_H

#include <stdbool.h>

#include "ir/aset.h"
#include "ir/iset.h"

/* The protocols a rule can say more of than their number.  Their order is
 * the order every target writes them in. */
enum proto { P_TCP, P_UDP, P_ICMP, P_ICMP6, P_SCTP, P_N };

struct svc {
	bool		all;		/* any protocol, any port */
	/* tcp, udp, sctp: ports 0..65535; icmp, icmpv6: type << 8 | code */
	struct iset	p[P_N];
	/* Other IP protocols, whole, by number (0..255): never the number
	 * of one of p[] (proto/6 is tcp, every port). */
	struct iset	ipp;
};

extern const char *const proto_name[P_N];	/* "tcp", ..., "sctp" */
extern const unsigned proto_ipp[P_N];		/* 6, 17, 1, 58, 132 */

void	svc_init(struct svc *);
u128	proto_max(enum proto);		/* 65535: a port or a message */
/* Does the protocol have ports (tcp, udp, sctp), not ICMP messages? */
bool	proto_has_ports(enum proto);
/* The P_* of an IP protocol number, or -1 for another protocol. */
int	proto_of_ipp(unsigned ipp);
/*
 * Can a packet of the family carry the protocol as its last header?  ICMP
 * goes with IPv4, ICMPv6 with IPv6; in IPv6, hop-by-hop, routing,
 * fragment, AH, no-next-header and destination options are extension
 * headers, which nftables, ip6tables and pf look past to the protocol
 * after them.
 */
bool	proto_in_fam(enum proto, enum fam);
bool	ipp_in_fam(unsigned ipp, enum fam);
/* "tcp", ..., "gre", "esp", "ah", or NULL: the word a policy uses. */
const char *ipp_name(unsigned ipp);
/* The numbers of every other protocol (not one of P_*) of a family, or of
 * either (FAM_N), into out. */
void	ipp_others(struct arena *, struct iset *out, enum fam);

void	svc_union(struct arena *, struct svc *dst, const struct svc *);
void	svc_norm(struct svc *);
bool	svc_empty(const struct svc *);
/* Does it match every protocol and port, with or without the flag? */
bool	svc_full(const struct svc *);
/* Does the rule match this protocol at all (all, or a non-empty set)? */
bool	svc_has_proto(const struct svc *, enum proto);
/* Does it match every port/message of this protocol? */
bool	svc_proto_full(const struct svc *, enum proto);
/* Does it match the other protocol ipp (not one of P_*)? */
bool	svc_has_ipp(const struct svc *, unsigned ipp);
/* A packet of the family, IP protocol ipp, port (or type << 8 | code;
 * ignored for other protocols). */
bool	svc_match(const struct svc *, enum fam, unsigned ipp, unsigned port);
bool	svc_equal(const struct svc *, const struct svc *);
/* Does a match every protocol and port (or message) that b does? */
bool	svc_covers(const struct svc *a, const struct svc *b);

/*
 * One ports: entry or explain --port, as written: "tcp/443",
 * "udp/50000-60000", "sctp", "icmp/echo-request", "icmp/3/4",
 * "icmpv6/nd-neighbor-solicit", "gre", "esp", "ah", "proto/47".
 */
struct svc_item {
	int		 proto;		/* P_*, or P_N: another protocol */
	unsigned	 ipp;		/* the IP protocol number */
	bool		 whole;		/* every port or message */
	struct ival	 v;		/* !whole: ports or messages */
};
/*
 * Parse s.  packet: what one packet carries (explain): one port, which may
 * be 0, or one message, not ranges.  0; 1 when s does not start with a
 * protocol word at all (a service name, say); -1 with *why (what is wrong,
 * naming s) and *near (a did-you-mean, or NULL).
 */
int	svc_parse_item(struct arena *, const char *s, bool packet,
	    struct svc_item *, const char **why, const char **near);
/* The protocol words, NULL-terminated, for did-you-means. */
extern const char *const svc_proto_words[];
void	svc_add_item(struct arena *, struct svc *, const struct svc_item *);

#endif
