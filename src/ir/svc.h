/*
 * svc.h - what a rule matches above the network layer: a port set per
 * protocol (tcp, udp), ICMP types for IPv4 and IPv6, or everything.
 */
#ifndef EGRESSC_SVC_H
#define EGRESSC_SVC_H

#include <stdbool.h>

#include "ir/iset.h"

enum proto { P_TCP, P_UDP, P_ICMP, P_ICMP6, P_N };

struct svc {
	bool		all;		/* any protocol, any port */
	struct iset	p[P_N];		/* ports 0..65535; icmp types 0..255 */
};

extern const char *const proto_name[P_N];	/* "tcp", "udp", "icmp", "icmpv6" */

void	svc_init(struct svc *);
u128	proto_max(enum proto);		/* 65535 or 255 */
void	svc_union(struct arena *, struct svc *dst, const struct svc *);
bool	svc_empty(const struct svc *);
/* Does the rule match this protocol at all (all, or a non-empty set)? */
bool	svc_has_proto(const struct svc *, enum proto);
/* Does it match every port/type of this protocol? */
bool	svc_proto_full(const struct svc *, enum proto);
bool	svc_match(const struct svc *, enum proto, unsigned port);
bool	svc_equal(const struct svc *, const struct svc *);
/* Does a match every protocol and port (or type) that b does? */
bool	svc_covers(const struct svc *a, const struct svc *b);

#endif
