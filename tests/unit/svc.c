/*
 * svc.c - unit tests for protocol/port sets: names, limits, "all",
 * matching, union and equality.
 */
#include "ir/svc.h"
#include "tap.h"

int
main(void)
{
	struct arena *a;
	struct svc s, t, u;
	int p;

	plan_lazy();
	a = arena_new();

	is_str(proto_name[P_TCP], "tcp", "tcp name");
	is_str(proto_name[P_UDP], "udp", "udp name");
	is_str(proto_name[P_ICMP], "icmp", "icmp name");
	is_str(proto_name[P_ICMP6], "icmpv6", "icmpv6 name");
	ok(proto_max(P_TCP) == 65535 && proto_max(P_UDP) == 65535,
	    "ports go to 65535");
	ok(proto_max(P_ICMP) == 255 && proto_max(P_ICMP6) == 255,
	    "icmp types go to 255");

	svc_init(&s);
	ok(svc_empty(&s), "new svc is empty");
	for (p = 0; p < P_N; p++)
		ok(!svc_has_proto(&s, p) && !svc_match(&s, p, 0),
		    "empty svc matches no %s", proto_name[p]);

	iset_add(a, &s.p[P_TCP], 443, 443);
	iset_add(a, &s.p[P_UDP], 50000, 60000);
	ok(!svc_empty(&s), "not empty after adding ports");
	ok(svc_match(&s, P_TCP, 443) && !svc_match(&s, P_TCP, 444) &&
	    !svc_match(&s, P_UDP, 443), "tcp/443 only for tcp");
	ok(svc_match(&s, P_UDP, 50000) && svc_match(&s, P_UDP, 60000) &&
	    !svc_match(&s, P_UDP, 60001) && !svc_match(&s, P_UDP, 49999),
	    "udp range edges");
	ok(svc_has_proto(&s, P_TCP) && !svc_has_proto(&s, P_ICMP),
	    "has_proto");
	ok(!svc_proto_full(&s, P_TCP), "tcp/443 is not every tcp port");
	ok(!svc_match(&s, P_TCP, 65536 + 443), "a port beyond 65535 never "
	    "matches");

	svc_init(&t);
	iset_add(a, &t.p[P_TCP], 0, 65535);
	iset_add(a, &t.p[P_ICMP], 8, 8);
	ok(svc_proto_full(&t, P_TCP) && !svc_proto_full(&t, P_ICMP),
	    "proto_full per protocol");
	ok(svc_match(&t, P_ICMP, 8) && !svc_match(&t, P_ICMP6, 8),
	    "icmp and icmpv6 are different protocols");

	svc_init(&u);
	svc_union(a, &u, &s);
	ok(svc_equal(&u, &s), "union into empty copies");
	svc_union(a, &u, &t);
	ok(svc_match(&u, P_TCP, 22) && svc_match(&u, P_UDP, 55555) &&
	    svc_match(&u, P_ICMP, 8), "union holds both");
	ok(!svc_equal(&u, &s), "union differs from a part");

	svc_init(&s);
	s.all = true;
	ok(!svc_empty(&s), "all is not empty");
	for (p = 0; p < P_N; p++)
		ok(svc_has_proto(&s, p) && svc_proto_full(&s, p) &&
		    svc_match(&s, p, 0) && svc_match(&s, p, proto_max(p)),
		    "all matches every %s port", proto_name[p]);
	ok(!svc_equal(&s, &t) && !svc_equal(&t, &s), "all != some");
	svc_init(&t);
	t.all = true;
	ok(svc_equal(&s, &t), "all == all");
	svc_init(&u);
	for (p = 0; p < P_N; p++)
		iset_add(a, &u.p[p], 0, proto_max(p));
	ok(!svc_equal(&u, &s),
	    "four full protocols are not all (all covers gre, esp, ...)");
	svc_union(a, &u, &s);
	ok(u.all, "union with all is all");

	arena_free(a);
	return done_testing();
}
