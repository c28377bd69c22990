/*
 * windows.h - what the two Windows Firewall back ends (netsh.c,
 * powershell.c) share: turning one lowered IR rule into the Windows rules
 * that express it.  A Windows rule has one protocol, comma lists of
 * remote/local addresses (single, CIDR or a-b range, IPv4 and IPv6 mixed)
 * and of ports (n or lo-hi) or ICMP types (and codes); the two back ends
 * differ only in how they spell it.
 */
#ifndef EGRESSC_WINDOWS_H
#define EGRESSC_WINDOWS_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/ir.h"

struct win_list {
	const char	**v;
	size_t		  n, cap;	/* n == 0: "any" */
};

struct win_rule {
	/* "TCP" "UDP" "ICMPv4" "ICMPv6", a protocol number ("47"); NULL:
	 * any */
	const char	*proto;
	struct win_list	 ports;		/* remote port (egress) or local */
	struct win_list	 types;		/* ICMP messages: "8", "3:4" */
	struct win_list	 remote, local;	/* addresses */
};

/*
 * The Windows rules for r's addresses (names == false) or for its host
 * names (names == true: remote left empty for the caller's keywords).
 * Rules whose destination is empty in every family they could match are
 * left out.  Returns the count; *out is arena memory.
 */
size_t	win_rules(struct arena *, const struct ir_rule *, bool names,
	    struct win_rule **out);

#endif
