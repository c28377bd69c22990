/*
 * probe.h - `egressc probe`'s tests and the engine that runs them.
 *
 * A test is one (address, protocol, port) tried from this host, the way
 * the service there is used: a TCP connect, a TLS ClientHello on 443, a
 * STUN Binding Request on UDP 3478, a DNS query on UDP 53, a datagram
 * elsewhere.  The engine runs them all at once within bounds (sockets in
 * flight, a timeout each, a time after which no test starts), with
 * non-blocking sockets and poll(2), and says of each what came back.  It
 * knows nothing of rules: plan.c makes the tests from the IR and says what
 * the policy expects of each.
 */
#ifndef EGRESSC_PROBE_H
#define EGRESSC_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir/aset.h"
#include "ir/svc.h"

/* How a test speaks, from its protocol and port. */
enum probe_kind {
	PK_TCP,		/* connect */
	PK_TLS,		/* connect, ClientHello, a ServerHello back */
	PK_STUN,	/* Binding Request, a Binding Success Response back */
	PK_DNS,		/* a query, any datagram back */
	PK_UDP,		/* a datagram, any datagram back */
};

enum probe_result {
	PR_NONE,	/* not run (yet, or --dry-run) */
	PR_OPEN,	/* connected and (TLS, STUN, UDP) answered */
	PR_REFUSED,	/* a reset, or an ICMP unreachable */
	PR_TIMEOUT,	/* nothing came back: dropped, or a silent server */
	PR_NO_TLS,	/* connected, but the answer to the ClientHello was
			 * no ServerHello (an alert, not TLS, or closed) */
	PR_NO_DNS,	/* the host has no address in the lock */
	PR_NO_ROUTE,	/* this host has no route to the address (no IPv6) */
	PR_SKIPPED,	/* not started: the run's time was up */
	PR_ERROR,	/* a local failure: err says which */
	PR_N
};
extern const char *const probe_result_name[PR_N];
extern const char *const probe_kind_name[];

/* Where a test's address comes from. */
enum probe_via {
	PV_HOST,	/* a host name of the rule, from the lock */
	PV_ADDR,	/* an address of the rule */
	PV_RANGE,	/* an address range of the rule */
	PV_PEER,	/* a stand-in for a rule to any address */
};

struct probe_test {
	size_t			 rule;	/* its index in the IR */
	enum probe_via		 via;
	/* PV_HOST: the host name; PV_ADDR: NULL; PV_RANGE: the range;
	 * PV_PEER: the TURN host the address is of, or NULL (--media-peer). */
	const char		*what;
	const char		*sni;	/* the TLS server name, or NULL */
	bool			 has_addr;	/* false: no-dns */
	enum fam		 fam;
	u128			 addr;
	enum proto		 proto;	/* P_TCP or P_UDP */
	unsigned		 port;
	enum probe_kind		 kind;
	/* Filled by probe_run. */
	enum probe_result	 result;
	unsigned		 ms;	/* from the first packet to the result */
	bool			 has_src;	/* src: this host's address */
	u128			 src;
	int			 err;	/* errno of PR_ERROR */
};

/* The bounds of a run: documented in egressc(1), PROBE. */
#define PROBE_TIMEOUT_MS	3000	/* per test, by default */
#define PROBE_INFLIGHT		32	/* sockets open at once */
#define PROBE_TOTAL_MS		300000	/* no test starts after this */
#define PROBE_MAX_TESTS		4096	/* tests one run makes */

struct probe_opts {
	unsigned	timeout_ms;	/* 0: PROBE_TIMEOUT_MS */
	unsigned	total_ms;	/* 0: PROBE_TOTAL_MS */
	unsigned	inflight;	/* 0: PROBE_INFLIGHT */
};

/* The kind a test of proto/port gets. */
enum probe_kind	probe_kind_for(enum proto, unsigned port);

/*
 * Run every test whose result is PR_NONE.  0, or -1 after diag_fail()
 * when any test failed here rather than on the network (PR_ERROR); the
 * others still ran.
 */
int	probe_run(struct probe_test *, size_t n, const struct probe_opts *);

#endif
