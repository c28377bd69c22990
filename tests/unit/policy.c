/*
 * policy.c - unit tests of the front end: YAML text to IR, the located
 * diagnostics, and the hostile-input guards of the YAML reader.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ir/icmp.h"
#include "pass/expand.h"
#include "policy/catalog.h"
#include "util/hostname.h"
#include "policy/policy.h"
#include "policy/yaml.h"
#include "tap.h"
#include "util/atomic_write.h"

static char	 captured[8192];

static void
capture(const char *line, void *arg)
{
	(void)arg;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "\n");
}

/* Write text to a temporary policy file and load it. */
static struct policy *
load(struct arena *a, const char *text, char *path)
{
	strcpy(path, "/tmp/egressc-unit-XXXXXX.yaml");
	int fd = mkstemps(path, 5);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	captured[0] = '\0';
	diag_reset();
	return pol_load(a, path);
}

static void
test_rules(void)
{
	struct arena *a = arena_new();
	char path[64];
	struct policy *p;
	const struct ir_rule *r;
	struct prefix *pf;
	size_t n;

	p = load(a,
	    "egressc: 1\n"
	    "name: unit\n"
	    "vars: {net: 198.51.100.0/24, proj: demo}\n"
	    "networks:\n"
	    "  inner: [\"${net}\", \"2001:db8::/32\"]\n"
	    "  outer: [inner, 192.0.2.1, \"api.${proj}.example\"]\n"
	    "services:\n"
	    "  web: [tcp/80, tcp/443]\n"
	    "  more: [web, udp/50000-60000, icmp/8]\n"
	    "rules:\n"
	    "  - name: one\n"
	    "    tier: minimum\n"
	    "    to: [outer]\n"
	    "    ports: [more]\n"
	    "    action: reject\n"
	    "    log: true\n"
	    "    comment: c ${proj}\n"
	    "  - name: two\n"
	    "    from: [10.0.0.0/8]\n"
	    "    to: any\n", path);
	ok(p != NULL, "a valid policy loads");
	if (p == NULL) {
		diag("%s", captured);
		goto out;
	}
	is_int((int)p->ir->nrules, 5, "two rules, neighbour discovery and "
	    "the two DHCP rules of cisco-ios");
	r = &p->ir->rules[0];
	is_str(r->name, "builtin-ipv6-nd", "default deny: neighbour discovery "
	    "goes first");
	ok(svc_match(&r->svc, FAM_V6, 58, ICMP_TC(135, 0)) &&
	    !svc_match(&r->svc, FAM_V6, 58, ICMP_TC(128, 0)) &&
	    iset_empty(&r->dst.f[FAM_V4]), "...ICMPv6 ND types, IPv6 only");
	ok(r->target == NULL, "...for every target");
	r = &p->ir->rules[1];
	is_str(r->name, "builtin-dhcp", "then DHCP to the router");
	ok(r->target != NULL && strcmp(r->target, "cisco-ios") == 0 &&
	    svc_match(&r->svc, FAM_V4, 17, 67) && !svc_match(&r->svc, FAM_V4, 17, 68) &&
	    iset_empty(&r->dst.f[FAM_V6]), "...udp/67, IPv4, cisco-ios only");
	r = &p->ir->rules[2];
	is_str(r->name, "builtin-dhcpv6", "and DHCPv6");
	ok(r->target != NULL && svc_match(&r->svc, FAM_V6, 17, 547) &&
	    iset_has(&r->dst.f[FAM_V6], ((u128)0xff02 << 112) | 0x10002) &&
	    iset_count(&r->dst.f[FAM_V6]) == 1,
	    "...udp/547 to ff02::1:2 only");
	r = &p->ir->rules[3];
	is_str(r->name, "one", "rule name");
	is_str(r->tier, "minimum", "tier");
	is_str(r->comment, "c demo", "vars substituted in comments");
	ok(r->action == IR_REJECT && r->log, "action and log");
	n = aset_prefixes(a, &r->dst, FAM_V4, &pf);
	is_int((int)n, 2, "nested networks give two IPv4 prefixes");
	ok(iset_has(&r->dst.f[FAM_V4], (u128)0xc0000201), "192.0.2.1 in dst");
	ok(iset_has(&r->dst.f[FAM_V6], (u128)0x20010db8 << 96),
	    "2001:db8:: in dst");
	is_int((int)r->nnames, 1, "one host name kept as a name");
	if (r->nnames == 1)
		is_str(r->names[0].name, "api.demo.example",
		    "host name with a var substituted");
	ok(svc_match(&r->svc, FAM_V4, 6, 443) && svc_match(&r->svc, FAM_V4, 6,
	    80) && !svc_match(&r->svc, FAM_V4, 6, 81),
	    "nested services: tcp 80, 443");
	ok(svc_match(&r->svc, FAM_V4, 17, 50000) && svc_match(&r->svc, FAM_V4,
	    17, 60000) && !svc_match(&r->svc, FAM_V4, 17, 60001),
	    "udp range ends");
	ok(svc_match(&r->svc, FAM_V4, 1, ICMP_TC(8, 0)) &&
	    !svc_match(&r->svc, FAM_V4, 1, ICMP_TC(0, 0)),
	    "icmp type 8 only");
	r = &p->ir->rules[4];
	ok(r->svc.all, "no ports: every protocol");
	ok(aset_fam_full(&r->dst, FAM_V4) && aset_fam_full(&r->dst, FAM_V6),
	    "to: any is both families in full");
	ok(!aset_fam_full(&r->src, FAM_V4) && iset_empty(&r->src.f[FAM_V6]),
	    "from: an IPv4 network leaves IPv6 empty");
	ok(!ir_rule_in_fam(r, FAM_V6), "so the rule is IPv4 only");
out:
	unlink(path);
	arena_free(a);
}

static void
test_errors(void)
{
	struct arena *a = arena_new();
	char path[64], want[256];

	diag_capture(capture, NULL);
	ok(load(a, "egressc: 1\nname: x\nrules:\n  - name: r\n"
	    "    to: [192.0.2.1]\n    ports: [tcp/99999]\n", path) == NULL,
	    "a port over 65535 fails");
	snprintf(want, sizeof(want), "%s:6:13: error: ports: port out of "
	    "range in 'tcp/99999' (at most 65535)\n", path);
	is_str(captured, want, "...at the port's line and column");
	unlink(path);
	ok(load(a, "egressc: 1\nname: x\nrules:\n  - name: r\n"
	    "    to: [192.0.2.1]\n  - name: r\n    to: [192.0.2.2]\n",
	    path) == NULL, "a duplicate rule name fails");
	snprintf(want, sizeof(want), "%s:6:11: error: duplicate rule name "
	    "'r'\n%s:4:11: note: first defined here\n", path, path);
	is_str(captured, want, "...with a note at the first");
	unlink(path);
	ok(load(a, "egressc: 1\nname: x\nrules:\n"
	    "  - {name: a, to: [1.2.3.4/40]}\n"
	    "  - {name: b, to: [nonet]}\n"
	    "  - {name: c, to: [192.0.2.1], action: permit}\n", path) == NULL,
	    "three bad rules fail");
	ok(strstr(captured, "1.2.3.4/40") && strstr(captured, "nonet") &&
	    strstr(captured, "permit"), "...and all three are reported");
	unlink(path);
	diag_capture(NULL, NULL);
	arena_free(a);
}

static void
test_yaml_guards(void)
{
	struct arena *a = arena_new();
	struct ynode *n;
	char buf[4096];
	int i;

	diag_capture(capture, NULL);
	captured[0] = '\0';
	n = yaml_parse(a, "t", "a: &x [1, 2]\nb: *x\n", 19);
	ok(n != NULL && ymap_get(n, "b") != NULL &&
	    ymap_get(n, "b")->n == 2, "an alias stands for its anchor");
	strcpy(buf, "a: &a [x,x,x,x,x,x,x,x,x,x]\n");
	for (i = 0; i < 6; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n",
		    'b' + i, 'b' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i,
		    'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i);
	ok(yaml_parse(a, "t", buf, strlen(buf)) == NULL,
	    "ten million aliased nodes are refused");
	ok(strstr(captured, "once aliases are expanded") != NULL,
	    "...saying why");
	captured[0] = '\0';
	ok(yaml_parse(a, "t", "a: 1\na: 2\n", 10) == NULL,
	    "duplicate keys are refused");
	ok(strstr(captured, "t:2:1: error: duplicate key 'a'") != NULL,
	    "...at the second key");
	captured[0] = '\0';
	ok(yaml_parse(a, "t", "a: *nope\n", 9) == NULL,
	    "an unknown alias is refused");
	memset(buf, '[', 100);
	memset(buf + 100, ']', 100);
	ok(yaml_parse(a, "t", buf, 200) == NULL, "100 levels are refused");
	ok(strcmp(suggest("prots", (const char *const[]){ "ports", "to",
	    NULL }), "ports") == 0, "did-you-mean finds ports for prots");
	ok(suggest("zzzzzz", (const char *const[]){ "ports", NULL }) == NULL,
	    "did-you-mean stays quiet when nothing is close");
	diag_capture(NULL, NULL);
	arena_free(a);
}

int
main(void)
{
	plan_lazy();
	test_rules();
	test_errors();
	test_yaml_guards();
	hostname_cleanup();
	diag_reset();
	return done_testing();
}
