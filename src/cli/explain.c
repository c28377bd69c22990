/*
 * explain.c - `egressc explain`: which rule of the policy decides a packet
 * (first match, after the lock and tier selection), or the default.
 * --to takes an address or a host name of the policy (each of its locked
 * addresses is decided); --batch reads one "ADDR PROTO/PORT" a line;
 * --json prints one JSON object per decision; -t TARGET decides with
 * the built-in rules that target adds of its own (cisco-ios: DHCP).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "ir/ir.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

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

/* A host's addresses decided at most (a name is a handful, not a range). */
#define EXPLAIN_MAX_ADDRS	256

static void
json_str(const char *s)
{
	struct out o;

	out_init(&o);
	out_json_str(&o, s);
	fwrite(o.buf, 1, o.len, stdout);
	out_free(&o);
}

/* One decision: "ACTION RULE FILE:LINE:COL" or "ACTION (default)", with
 * "(HOST ADDR)" after it when the packet's address came from a host;
 * --json: one object a line. */
static void
print_decision(const struct ir *ir, const struct ir_packet *pk,
    const char *host, const char *port, bool json)
{
	long i = ir_decide(ir, pk);
	const struct ir_rule *r = i >= 0 ? &ir->rules[i] : NULL;
	/* A policy without inbound rules leaves inbound alone. */
	const char *dflt = pk->dir == IR_INBOUND && !ir_has_inbound(ir) ?
	    "none" : ir_default_name[ir->def];
	char buf[ADDR_STRLEN];

	addr_format(buf, pk->fam, pk->dst, fam_bits(pk->fam));
	if (json) {
		printf("{\"to\": \"%s\", \"host\": ", buf);
		if (host != NULL)
			json_str(host);
		else
			fputs("null", stdout);
		printf(", \"port\": ");
		json_str(port);
		printf(", \"direction\": \"%s\", \"decision\": \"%s\", ",
		    pk->dir == IR_INBOUND ? "inbound" : "egress",
		    r ? ir_action_name[r->action] : dflt);
		if (r == NULL)
			printf("\"rule\": null, \"default\": true}\n");
		else {
			printf("\"rule\": ");
			json_str(r->name);
			printf(", \"default\": false, \"file\": ");
			json_str(r->loc.file);
			printf(", \"line\": %d, \"column\": %d}\n", r->loc.line,
			    r->loc.col);
		}
		return;
	}
	if (r == NULL)
		printf("%s (default)", dflt);
	else
		printf("%s %s %s:%d:%d", ir_action_name[r->action], r->name,
		    r->loc.file, r->loc.line, r->loc.col);
	if (host != NULL)
		printf(" (%s %s)", host, buf);
	putchar('\n');
}

/*
 * The packet(s) to decide: --to an address, or a host name of the policy
 * with its locked addresses, one packet each (the decision can differ
 * between a host's addresses when another rule names one of them).
 */
static int
explain(const struct ir *ir, const char *to, const char *port,
    const struct opts *o)
{
	struct ir_packet pk;
	enum fam fam;
	u128 addr;
	size_t i, k, x, found = 0;
	int len, f;
	bool hb;

	if (addr_parse(to, &fam, &addr, &len, &hb) == 0 || strchr(to, '.') ==
	    NULL || strchr(to, '/') != NULL) {
		if (parse_packet(to, port, o->from, o->inbound, &pk) < 0)
			return -1;
		print_decision(ir, &pk, NULL, port, o->json);
		return 0;
	}
	for (i = 0; i < ir->nrules && found == 0; i++)
		for (k = 0; k < ir->rules[i].nnames && found == 0; k++) {
			const struct ir_name *nm = &ir->rules[i].names[k];

			if (strcmp(nm->name, to) != 0 || !nm->resolved)
				continue;
			/* Each address: a host's are few, and a /31 of two
			 * may be decided twice differently. */
			for (f = 0; f < FAM_N; f++)
				for (x = 0; x < nm->addrs.f[f].n; x++) {
					const struct ival *iv =
					    &nm->addrs.f[f].v[x];
					u128 v = iv->lo;

					do {
						char buf[ADDR_STRLEN];

						addr_format(buf, (enum fam)f, v,
						    fam_bits((enum fam)f));
						if (parse_packet(buf, port,
						    o->from, o->inbound, &pk) < 0)
							return -1;
						print_decision(ir, &pk, to,
						    port, o->json);
						found++;
					} while (v++ != iv->hi &&
					    found < EXPLAIN_MAX_ADDRS);
				}
		}
	if (found == 0) {
		diag_error(NULL, "explain: '%s' is no address and no host of "
		    "the policy's lock", to);
		return -1;
	}
	return 0;
}

int
cmd_explain(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct job j;
	int rc;

	(void)argc;
	if ((o->to == NULL || o->port == NULL) && o->batch == NULL)
		return cli_usage_error("%s needs --to ADDR --port PROTO/PORT "
		    "or --batch FILE", "explain");
	if (o->targets != NULL && (strchr(o->targets, ',') != NULL ||
	    strcmp(o->targets, "all") == 0 || be_find(o->targets) == NULL))
		return cli_usage_error("explain -t takes one target, not '%s'",
		    o->targets);
	rc = job_load(&j, policy);
	if (rc == 0)
		rc = job_bind(&j, o, false);
	/* Decide as that target's output does: with its built-in rules. */
	if (rc == 0)
		ir_select_target(j.ir, o->targets);
	if (rc == 0 && o->batch == NULL) {
		rc = explain(j.ir, o->to, o->port, o);
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
			} else if (explain(j.ir, a, p, o) < 0)
				rc = -1;
		}
		if (f != NULL && f != stdin)
			fclose(f);
	}
	job_free(&j);
	return cli_status(rc);
}
