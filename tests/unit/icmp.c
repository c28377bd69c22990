/*
 * icmp.c - unit tests for the ICMP and ICMPv6 names: the table holds
 * nft's and iptables' words for the right messages, the parser takes
 * numbers, names, TYPE/CODE and ranges and says what is wrong with the
 * rest, groups and the dump text are right, and every name of the table
 * is in the PORTS section of man/egressc-policy.5 (and no other name is
 * listed there), so the page cannot fall behind the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ir/icmp.h"
#include "util/out.h"
#include "tap.h"

static struct arena *A;

/* The message a name gives in type position: type << 8 | code, or -1. */
static long
one(enum fam f, const char *s)
{
	struct ival v;
	const char *why, *near;

	if (icmp_parse(A, f, s, true, &v, &why, &near) < 0)
		return -1;
	if (v.lo != v.hi)
		return ICMP_CODE(v.lo) == 0 && ICMP_CODE(v.hi) == 255 &&
		    ICMP_TYPE(v.lo) == ICMP_TYPE(v.hi) ?
		    (long)ICMP_TYPE(v.lo) + 100000 : -2;
	return (long)v.lo;
}

static void
table(void)
{
	/* `nft describe icmp type`, `nft describe icmpv6 type` */
	is_int(one(FAM_V4, "echo-request"), 100008, "echo-request is 8");
	is_int(one(FAM_V4, "echo-reply"), 100000, "echo-reply is 0");
	is_int(one(FAM_V4, "destination-unreachable"), 100003,
	    "destination-unreachable is 3");
	is_int(one(FAM_V4, "time-exceeded"), 100011, "time-exceeded is 11");
	is_int(one(FAM_V4, "address-mask-reply"), 100018,
	    "address-mask-reply is 18");
	is_int(one(FAM_V6, "destination-unreachable"), 100001,
	    "ICMPv6 destination-unreachable is 1");
	is_int(one(FAM_V6, "packet-too-big"), 100002, "packet-too-big is 2");
	is_int(one(FAM_V6, "nd-neighbor-solicit"), 100135,
	    "nd-neighbor-solicit is 135");
	is_int(one(FAM_V6, "mld-listener-query"), 100130,
	    "mld-listener-query is 130");
	is_int(one(FAM_V6, "mld2-listener-report"), 100143,
	    "mld2-listener-report is 143");
	/* iptables' spellings */
	is_int(one(FAM_V6, "neighbour-solicitation"), 100135,
	    "neighbour-solicitation");
	is_int(one(FAM_V6, "neighbor-solicitation"), 100135,
	    "neighbor-solicitation");
	is_int(one(FAM_V6, "router-advertisement"), 100134,
	    "ICMPv6 router-advertisement is 134");
	is_int(one(FAM_V4, "router-advertisement"), 100009,
	    "ICMP router-advertisement is 9");
	is_int(one(FAM_V4, "ping"), 100008, "ping");
	is_int(one(FAM_V4, "PING"), 100008, "names ignore case");
	/* iptables' names of a type and a code */
	is_int(one(FAM_V4, "port-unreachable"), (long)ICMP_TC(3, 3),
	    "port-unreachable is 3/3");
	is_int(one(FAM_V4, "fragmentation-needed"), (long)ICMP_TC(3, 4),
	    "fragmentation-needed is 3/4");
	is_int(one(FAM_V4, "TOS-host-redirect"), (long)ICMP_TC(5, 3),
	    "TOS-host-redirect is 5/3");
	is_int(one(FAM_V6, "port-unreachable"), (long)ICMP_TC(1, 4),
	    "ICMPv6 port-unreachable is 1/4");
	is_int(one(FAM_V6, "unknown-option"), (long)ICMP_TC(4, 2),
	    "unknown-option is 4/2");
	/* `nft describe icmp code`, `nft describe icmpv6 code` */
	is_int(one(FAM_V4, "3/frag-needed"), (long)ICMP_TC(3, 4),
	    "3/frag-needed");
	is_int(one(FAM_V4, "destination-unreachable/admin-prohibited"),
	    (long)ICMP_TC(3, 13), "admin-prohibited is 13");
	is_int(one(FAM_V6, "destination-unreachable/admin-prohibited"),
	    (long)ICMP_TC(1, 1), "ICMPv6 admin-prohibited is 1");
	is_int(one(FAM_V6, "1/reject-route"), (long)ICMP_TC(1, 6),
	    "reject-route is 6");
	is_int(one(FAM_V4, "time-exceeded/ttl-zero-during-reassembly"),
	    (long)ICMP_TC(11, 1), "a code of time-exceeded");
	is_int(one(FAM_V4, "nd-neighbor-solicit"), -1,
	    "an ICMPv6 name is no ICMP name");
	is_str(icmp_name(FAM_V6, 135, -1), "nd-neighbor-solicit",
	    "nft's name comes first");
	is_str(icmp_name(FAM_V4, 3, 4), "frag-needed", "and for codes");
	ok(icmp_name(FAM_V4, 200, -1) == NULL, "no name for type 200");
	ok(icmp_is_name("neighbour-advertisement") &&
	    !icmp_is_name("https"), "icmp_is_name");
}

static void
parser(void)
{
	struct ival v;
	const char *why, *near;

	ok(icmp_parse(A, FAM_V4, "0-8", true, &v, &why, &near) == 0 &&
	    v.lo == ICMP_TC(0, 0) && v.hi == ICMP_TC(8, 255), "0-8");
	ok(icmp_parse(A, FAM_V4, "3/0-5", true, &v, &why, &near) == 0 &&
	    v.lo == ICMP_TC(3, 0) && v.hi == ICMP_TC(3, 5), "3/0-5");
	ok(icmp_parse(A, FAM_V4, "255/255", true, &v, &why, &near) == 0 &&
	    v.lo == 65535, "255/255");
	ok(icmp_parse(A, FAM_V4, "0-8", false, &v, &why, &near) < 0 &&
	    strstr(why, "one ICMP type") != NULL, "no range where one "
	    "message is needed: %s", why);
	ok(icmp_parse(A, FAM_V4, "echo-requets", true, &v, &why, &near) < 0 &&
	    strcmp(why, "unknown ICMP type 'echo-requets'") == 0 &&
	    near != NULL && strcmp(near, "echo-request") == 0,
	    "did you mean echo-request");
	ok(icmp_parse(A, FAM_V6, "nd-neighbour-solicit", true, &v, &why,
	    &near) < 0 && near != NULL &&
	    strcmp(near, "nd-neighbor-solicit") == 0, "ICMPv6 did you mean");
	ok(icmp_parse(A, FAM_V4, "3/frag-neded", true, &v, &why, &near) < 0 &&
	    strcmp(why, "unknown ICMP code 'frag-neded' of type 3") == 0 &&
	    near != NULL && strcmp(near, "frag-needed") == 0,
	    "a code's did you mean is among the codes of its type");
	ok(icmp_parse(A, FAM_V4, "11/port-unreachable", true, &v, &why,
	    &near) < 0, "port-unreachable is no code of time-exceeded");
	ok(icmp_parse(A, FAM_V4, "/4", true, &v, &why, &near) < 0 &&
	    strstr(why, "needs a type") != NULL, "a code without a type");
	ok(icmp_parse(A, FAM_V4, "3/", true, &v, &why, &near) < 0,
	    "a slash without a code");
	ok(icmp_parse(A, FAM_V4, "0-8/1", true, &v, &why, &near) < 0,
	    "a code of a range of types");
	ok(icmp_parse(A, FAM_V4, "port-unreachable/3", true, &v, &why,
	    &near) < 0 && strstr(why, "names a code already") != NULL,
	    "a code after a name of a code");
	ok(icmp_parse(A, FAM_V4, "256", true, &v, &why, &near) < 0 &&
	    strstr(why, "out of range") != NULL, "256: %s", why);
	ok(icmp_parse(A, FAM_V4, "3/256", true, &v, &why, &near) < 0,
	    "code 256");
	ok(icmp_parse(A, FAM_V4, "08", true, &v, &why, &near) < 0,
	    "no leading zeros");
	ok(icmp_parse(A, FAM_V4, "8-0", true, &v, &why, &near) < 0 &&
	    strstr(why, "backwards") != NULL, "a backward range");
	ok(icmp_parse(A, FAM_V4, "3/4/5", true, &v, &why, &near) < 0,
	    "TYPE/CODE/more");
}

static void
groups(void)
{
	struct iset s;
	struct icmp_group *g;
	struct out o;
	size_t n;

	iset_init(&s);
	iset_add(A, &s, ICMP_TC(0, 0), ICMP_TC(0, 255));
	iset_add(A, &s, ICMP_TC(8, 0), ICMP_TC(8, 255));
	iset_add(A, &s, ICMP_TC(3, 4), ICMP_TC(3, 4));
	iset_add(A, &s, ICMP_TC(5, 4), ICMP_TC(5, 4));
	iset_add(A, &s, ICMP_TC(11, 0), ICMP_TC(11, 1));
	iset_norm(&s);
	n = icmp_groups(A, &s, &g);
	is_int((int)n, 3, "three groups of codes");
	ok(n == 3 && g[0].every_code && iset_has(&g[0].types, 0) &&
	    iset_has(&g[0].types, 8) && iset_count(&g[0].types) == 2,
	    "0 and 8 with every code");
	ok(n == 3 && !g[1].every_code && iset_count(&g[1].types) == 2 &&
	    iset_has(&g[1].types, 3) && iset_has(&g[1].types, 5) &&
	    iset_count(&g[1].codes) == 1 && iset_has(&g[1].codes, 4),
	    "3 and 5 with code 4");
	ok(n == 3 && iset_count(&g[2].codes) == 2 &&
	    iset_has(&g[2].types, 11), "11 with codes 0-1");
	{
		struct icmp_msg *m;
		char buf[128];
		size_t k, len = 0;

		n = icmp_messages(A, &s, &m);
		buf[0] = '\0';
		for (k = 0; k < n; k++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s%u/%d", k ? " " : "", m[k].type, m[k].code);
		is_str(buf, "0/-1 8/-1 3/4 5/4 11/0 11/1", "one by one, in the "
		    "groups' order: a type of every code once");
	}
	out_init(&o);
	icmp_format(&o, &s);
	is_str(out_str(&o), "0, 3/4, 5/4, 8, 11/0-1", "as the dump writes it");
	out_reset(&o);
	iset_init(&s);
	iset_add(A, &s, ICMP_TC(3, 4), ICMP_TC(6, 255));
	iset_add(A, &s, ICMP_TC(133, 0), ICMP_TC(133, 255));
	iset_add(A, &s, ICMP_TC(135, 0), ICMP_TC(136, 255));
	iset_norm(&s);
	icmp_format(&o, &s);
	is_str(out_str(&o), "3/4-255, 4-6, 133, 135-136",
	    "an interval across types");
	out_free(&o);
}

/* The text of the PORTS section of the policy page, or NULL. */
static char *
ports_section(void)
{
	static char buf[1 << 18];
	FILE *f = fopen("man/egressc-policy.5", "r");
	size_t n;
	char *s, *e;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((s = strstr(buf, "\n.Ss PORTS\n")) == NULL)
		return NULL;
	if ((e = strstr(s + 1, "\n.Ss ")) != NULL)
		*e = '\0';
	return s;
}

static void
man_page(void)
{
	const struct icmp_name *n;
	char *sec = ports_section(), *p, *q;
	int f, missing = 0, extra = 0;

	if (!ok(sec != NULL, "man/egressc-policy.5 has a PORTS section (run "
	    "from the top of the tree)"))
		return;
	for (f = 0; f < FAM_N; f++)
		for (n = icmp_names((enum fam)f); n->name != NULL; n++) {
			char want[80];

			snprintf(want, sizeof(want), "Li %s ", n->name);
			if (strstr(sec, want) == NULL) {
				diag("%s is not in the PORTS section",
				    n->name);
				missing++;
			}
		}
	is_int(missing, 0, "every name of the table is in the page");
	/* Lines ".It Li NAME Ta ..." of the name lists: each a name. */
	for (p = sec; (p = strstr(p, "\n.It Li ")) != NULL; p = q) {
		char name[80];

		p += strlen("\n.It Li ");
		q = strchr(p, '\n');
		if (q == NULL || strstr(p, " Ta ") == NULL ||
		    strstr(p, " Ta ") > q)
			break;
		snprintf(name, sizeof(name), "%.*s",
		    (int)(strstr(p, " Ta ") - p), p);
		if (!icmp_is_name(name)) {
			diag("the page lists '%s', which the table has not",
			    name);
			extra++;
		}
	}
	is_int(extra, 0, "the page lists no name the table lacks");
}

int
main(void)
{
	plan_lazy();
	A = arena_new();
	table();
	parser();
	groups();
	man_page();
	arena_free(A);
	return done_testing();
}
