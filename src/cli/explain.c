/*
 * explain.c - `egressc explain`: which rule of the policy decides a packet
 * (first match, after the lock and tier selection), or the default.
 * --batch reads one "ADDR PROTO/PORT" a line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ir/ir.h"
#include "util/diag.h"

static int
parse_packet(const char *addr, const char *port, const char *from,
    bool inbound, struct ir_packet *pk)
{
	enum fam f;
	int len, p;
	bool hb;
	const char *slash = strchr(port, '/');
	char *end;
	unsigned long v;

	memset(pk, 0, sizeof(*pk));
	if (addr_parse(addr, &pk->fam, &pk->dst, &len, &hb) < 0 ||
	    len != fam_bits(pk->fam)) {
		diag_error(NULL, "explain: bad address '%s'", addr);
		return -1;
	}
	pk->any_src = true;
	if (from != NULL) {
		if (addr_parse(from, &f, &pk->src, &len, &hb) < 0 ||
		    len != fam_bits(f) || f != pk->fam) {
			diag_error(NULL, "explain: bad source '%s' (an address "
			    "of the destination's family)", from);
			return -1;
		}
		pk->any_src = false;
	}
	for (p = 0; p < P_N && slash != NULL; p++)
		if (strlen(proto_name[p]) == (size_t)(slash - port) &&
		    strncmp(port, proto_name[p], (size_t)(slash - port)) == 0)
			break;
	if (slash == NULL || p == P_N) {
		diag_error(NULL, "explain: bad port '%s' (PROTO/PORT: tcp/443, "
		    "udp/3478, icmp/8, icmpv6/128)", port);
		return -1;
	}
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == slash + 1 ||
	    v > (unsigned long)proto_max((enum proto)p)) {
		diag_error(NULL, "explain: bad port '%s'", port);
		return -1;
	}
	pk->proto = (enum proto)p;
	pk->port = (unsigned)v;
	pk->dir = inbound ? IR_INBOUND : IR_EGRESS;
	return 0;
}

static void
print_decision(const struct ir *ir, const struct ir_packet *pk)
{
	long i = ir_decide(ir, pk);
	const struct ir_rule *r;

	if (i < 0) {
		/* A policy without inbound rules leaves inbound alone. */
		printf("%s (default)\n", pk->dir == IR_INBOUND &&
		    !ir_has_inbound(ir) ? "none" : ir_default_name[ir->def]);
		return;
	}
	r = &ir->rules[i];
	printf("%s %s %s:%d:%d\n", ir_action_name[r->action], r->name,
	    r->loc.file, r->loc.line, r->loc.col);
}

int
cmd_explain(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct ir_packet pk;
	struct job j;
	int rc;

	(void)argc;
	if ((o->to == NULL || o->port == NULL) && o->batch == NULL)
		return cli_usage_error("%s needs --to ADDR --port PROTO/PORT "
		    "or --batch FILE", "explain");
	rc = job_load(&j, policy);
	if (rc == 0)
		rc = job_bind(&j, o, false);
	if (rc == 0 && o->batch == NULL) {
		if (parse_packet(o->to, o->port, o->from, o->inbound, &pk) < 0)
			rc = -1;
		else
			print_decision(j.ir, &pk);
	} else if (rc == 0) {
		FILE *f = strcmp(o->batch, "-") == 0 ? stdin :
		    fopen(o->batch, "r");
		char line[512], a[256], p[64];
		int lineno = 0;

		if (f == NULL) {
			diag_error(NULL, "%s: %s", o->batch, strerror(errno));
			rc = -1;
		}
		while (rc == 0 && f != NULL &&
		    fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			if (sscanf(line, "%255s %63s", a, p) != 2) {
				struct loc l = { o->batch, lineno, 1 };

				diag_error(&l, "expected 'ADDR PROTO/PORT'");
				rc = -1;
			} else if (parse_packet(a, p, o->from, o->inbound, &pk) < 0)
				rc = -1;
			else
				print_decision(j.ir, &pk);
		}
		if (f != NULL && f != stdin)
			fclose(f);
	}
	job_free(&j);
	return cli_status(rc);
}
