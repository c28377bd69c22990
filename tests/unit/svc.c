/*
 * svc.c - unit tests for protocol/port sets: names, limits, "all",
 * matching (by family, protocol number and port or message), union,
 * equality and cover, and the parser of a ports: entry.
 */
#include "ir/icmp.h"
#include "ir/svc.h"
#include "tap.h"

/* Parse one entry into a fresh svc; the parser's return value. */
static int
parse(struct arena *a, const char *s, struct svc *out, const char **why,
    const char **near)
{
	struct svc_item it;
	int rc;

	svc_init(out);
	rc = svc_parse_item(a, s, false, &it, why, near);
	if (rc == 0) {
		svc_add_item(a, out, &it);
		svc_norm(out);
	}
	return rc;
}

static void
names_and_limits(void)
{
	is_str(proto_name[P_TCP], "tcp", "tcp name");
	is_str(proto_name[P_UDP], "udp", "udp name");
	is_str(proto_name[P_ICMP], "icmp", "icmp name");
	is_str(proto_name[P_ICMP6], "icmpv6", "icmpv6 name");
	is_str(proto_name[P_SCTP], "sctp", "sctp name");
	ok(proto_ipp[P_TCP] == 6 && proto_ipp[P_UDP] == 17 &&
	    proto_ipp[P_ICMP] == 1 && proto_ipp[P_ICMP6] == 58 &&
	    proto_ipp[P_SCTP] == 132, "IP protocol numbers");
	ok(proto_of_ipp(132) == P_SCTP && proto_of_ipp(47) == -1,
	    "number to protocol");
	is_str(ipp_name(47), "gre", "47 is gre");
	is_str(ipp_name(51), "ah", "51 is ah");
	ok(ipp_name(99) == NULL, "99 has no word");
	ok(proto_max(P_TCP) == 65535 && proto_max(P_ICMP) == 65535,
	    "ports and messages (type << 8 | code) go to 65535");
	ok(proto_has_ports(P_SCTP) && !proto_has_ports(P_ICMP6),
	    "sctp has ports, icmpv6 messages");
	ok(ipp_in_fam(51, FAM_V4) && !ipp_in_fam(51, FAM_V6) &&
	    ipp_in_fam(50, FAM_V6) && !ipp_in_fam(44, FAM_V6),
	    "AH and fragment are IPv6 extension headers; ESP is not");
	ok(ipp_in_fam(1, FAM_V4) && !ipp_in_fam(1, FAM_V6) &&
	    ipp_in_fam(58, FAM_V6) && !ipp_in_fam(58, FAM_V4),
	    "ICMP with IPv4, ICMPv6 with IPv6");
}

static void
matching(struct arena *a)
{
	struct svc s, t, u;
	int p;

	svc_init(&s);
	ok(svc_empty(&s), "new svc is empty");
	for (p = 0; p < P_N; p++)
		ok(!svc_has_proto(&s, p) && !svc_match(&s, FAM_V4,
		    proto_ipp[p], 0), "empty svc matches no %s",
		    proto_name[p]);

	iset_add(a, &s.p[P_TCP], 443, 443);
	iset_add(a, &s.p[P_UDP], 50000, 60000);
	svc_norm(&s);
	ok(!svc_empty(&s), "not empty after adding ports");
	ok(svc_match(&s, FAM_V4, 6, 443) && !svc_match(&s, FAM_V4, 6, 444) &&
	    !svc_match(&s, FAM_V4, 17, 443), "tcp/443 only for tcp");
	ok(svc_match(&s, FAM_V6, 17, 50000) && svc_match(&s, FAM_V6, 17, 60000)
	    && !svc_match(&s, FAM_V6, 17, 60001) &&
	    !svc_match(&s, FAM_V6, 17, 49999), "udp range edges");
	ok(svc_has_proto(&s, P_TCP) && !svc_has_proto(&s, P_ICMP),
	    "has_proto");
	ok(!svc_proto_full(&s, P_TCP), "tcp/443 is not every tcp port");
	ok(!svc_match(&s, FAM_V4, 6, 65536 + 443), "a port beyond 65535 "
	    "never matches");

	svc_init(&t);
	iset_add(a, &t.p[P_TCP], 0, 65535);
	iset_add(a, &t.p[P_ICMP], ICMP_TC(8, 0), ICMP_TC(8, 255));
	iset_add(a, &t.ipp, 47, 47);
	svc_norm(&t);
	ok(svc_proto_full(&t, P_TCP) && !svc_proto_full(&t, P_ICMP),
	    "proto_full per protocol");
	ok(svc_match(&t, FAM_V4, 1, ICMP_TC(8, 0)) &&
	    svc_match(&t, FAM_V4, 1, ICMP_TC(8, 7)) &&
	    !svc_match(&t, FAM_V4, 1, ICMP_TC(0, 0)) &&
	    !svc_match(&t, FAM_V6, 58, ICMP_TC(8, 0)),
	    "icmp type 8, any code; icmpv6 is another protocol");
	ok(!svc_match(&t, FAM_V6, 1, ICMP_TC(8, 0)), "no ICMP in IPv6");
	ok(svc_match(&t, FAM_V4, 47, 0) && svc_match(&t, FAM_V6, 47, 9) &&
	    !svc_match(&t, FAM_V4, 50, 0) && svc_has_ipp(&t, 47) &&
	    !svc_has_ipp(&t, 6), "gre whole, port ignored; not esp");

	svc_init(&u);
	svc_union(a, &u, &s);
	svc_norm(&u);
	ok(svc_equal(&u, &s), "union into empty copies");
	svc_union(a, &u, &t);
	svc_norm(&u);
	ok(svc_match(&u, FAM_V4, 6, 22) && svc_match(&u, FAM_V4, 17, 55555) &&
	    svc_match(&u, FAM_V4, 1, ICMP_TC(8, 0)) &&
	    svc_match(&u, FAM_V4, 47, 0), "union holds both");
	ok(!svc_equal(&u, &s), "union differs from a part");
	ok(svc_covers(&u, &s) && svc_covers(&u, &t) && !svc_covers(&s, &u),
	    "union covers its parts, not the other way");
	ok(!svc_covers(&s, &t), "ports do not cover gre");
}

static void
everything(struct arena *a)
{
	struct svc s, t, u;
	int p;

	svc_init(&s);
	s.all = true;
	ok(!svc_empty(&s) && svc_full(&s), "all is not empty, and full");
	for (p = 0; p < P_N; p++)
		ok(svc_has_proto(&s, p) && svc_proto_full(&s, p) &&
		    svc_match(&s, FAM_V4, proto_ipp[p], 0) &&
		    svc_match(&s, FAM_V6, proto_ipp[p], proto_max(p)),
		    "all matches every %s port", proto_name[p]);
	ok(svc_match(&s, FAM_V6, 51, 0), "all matches even what no rule of "
	    "a protocol can");
	svc_init(&t);
	iset_add(a, &t.p[P_TCP], 443, 443);
	svc_norm(&t);
	ok(!svc_equal(&s, &t) && !svc_equal(&t, &s), "all != some");
	svc_init(&t);
	t.all = true;
	ok(svc_equal(&s, &t), "all == all");
	svc_init(&u);
	for (p = 0; p < P_N; p++)
		iset_add(a, &u.p[p], 0, proto_max(p));
	svc_norm(&u);
	ok(!svc_equal(&u, &s) && !svc_covers(&u, &s),
	    "five full protocols are not all (all covers gre, esp, ...)");
	ipp_others(a, &u.ipp, FAM_N);
	ok(iset_count(&u.ipp) == 251, "251 other protocols");
	ok(svc_full(&u) && svc_equal(&u, &s) && svc_covers(&u, &s),
	    "every protocol listed is all");
	ipp_others(a, &u.ipp, FAM_V6);
	ok(!iset_has(&u.ipp, 51) && iset_has(&u.ipp, 50),
	    "IPv6's other protocols leave out its extension headers");
	svc_init(&u);
	svc_union(a, &u, &s);
	ok(u.all, "union with all is all");
}

static void
parsing(struct arena *a)
{
	struct svc s;
	const char *why, *near;

	ok(parse(a, "tcp/443", &s, &why, &near) == 0 &&
	    svc_match(&s, FAM_V4, 6, 443) && !svc_match(&s, FAM_V4, 6, 80),
	    "tcp/443");
	ok(parse(a, "sctp/9899-9900", &s, &why, &near) == 0 &&
	    svc_match(&s, FAM_V6, 132, 9900) &&
	    !svc_match(&s, FAM_V6, 132, 9901), "sctp range");
	ok(parse(a, "sctp", &s, &why, &near) == 0 &&
	    svc_proto_full(&s, P_SCTP), "sctp: every port");
	ok(parse(a, "icmp/echo-request", &s, &why, &near) == 0 &&
	    iset_count(&s.p[P_ICMP]) == 256 &&
	    svc_match(&s, FAM_V4, 1, ICMP_TC(8, 0)), "icmp/echo-request: "
	    "type 8, every code");
	ok(parse(a, "icmp/3/4", &s, &why, &near) == 0 &&
	    iset_count(&s.p[P_ICMP]) == 1 &&
	    svc_match(&s, FAM_V4, 1, ICMP_TC(3, 4)), "icmp/3/4");
	ok(parse(a, "icmp/destination-unreachable/fragmentation-needed", &s,
	    &why, &near) == 0 && svc_match(&s, FAM_V4, 1, ICMP_TC(3, 4)) &&
	    iset_count(&s.p[P_ICMP]) == 1, "type and code by name");
	ok(parse(a, "icmpv6/neighbour-solicitation", &s, &why, &near) == 0 &&
	    svc_match(&s, FAM_V6, 58, ICMP_TC(135, 0)), "iptables spelling");
	ok(parse(a, "gre", &s, &why, &near) == 0 && svc_has_ipp(&s, 47) &&
	    iset_count(&s.ipp) == 1, "gre");
	ok(parse(a, "proto/47", &s, &why, &near) == 0 && svc_has_ipp(&s, 47),
	    "proto/47 is gre");
	ok(parse(a, "proto/6", &s, &why, &near) == 0 &&
	    svc_proto_full(&s, P_TCP) && iset_empty(&s.ipp),
	    "proto/6 is tcp, every port");
	ok(parse(a, "proto/0", &s, &why, &near) == 0 && svc_has_ipp(&s, 0),
	    "proto/0");
	ok(parse(a, "web", &s, &why, &near) == 1, "a service name is no "
	    "protocol");

	ok(parse(a, "tcp/echo-request", &s, &why, &near) < 0 &&
	    strstr(why, "is an ICMP message") != NULL, "tcp/echo-request: %s",
	    why);
	ok(parse(a, "tcp/443/1", &s, &why, &near) < 0 &&
	    strstr(why, "only icmp and icmpv6 take a code") != NULL,
	    "a code on tcp: %s", why);
	ok(parse(a, "icmp//4", &s, &why, &near) < 0 &&
	    strstr(why, "needs a type") != NULL, "a code without a type: %s",
	    why);
	ok(parse(a, "icmp/echo-requets", &s, &why, &near) < 0 &&
	    near != NULL && strcmp(near, "echo-request") == 0,
	    "did you mean echo-request: %s", why);
	ok(parse(a, "gre/1", &s, &why, &near) < 0, "gre takes no ports: %s",
	    why);
	ok(parse(a, "proto/256", &s, &why, &near) < 0 &&
	    parse(a, "proto", &s, &why, &near) < 0 &&
	    parse(a, "proto/047", &s, &why, &near) < 0, "proto needs 0-255");
	ok(parse(a, "tcp/0", &s, &why, &near) < 0 &&
	    strcmp(why, "port 0 in 'tcp/0' cannot be matched") == 0,
	    "port 0");
	ok(svc_parse_item(a, "tcp/1-2", true, &(struct svc_item){ 0 }, &why,
	    &near) < 0, "no ranges where one port is needed");
	ok(svc_parse_item(a, "tcp/0", true, &(struct svc_item){ 0 }, &why,
	    &near) == 0, "a packet may have port 0");
}

int
main(void)
{
	struct arena *a;

	plan_lazy();
	a = arena_new();
	names_and_limits();
	matching(a);
	everything(a);
	parsing(a);
	arena_free(a);
	return done_testing();
}
