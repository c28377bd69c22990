/*
 * explain.c - `egressc explain`: which rule of the policy decides a packet
 * (first match, after the lock and tier selection), or the default.
 * --to takes an address or a host name of the policy (each of its locked
 * addresses is decided); --batch reads one "ADDR PROTO/PORT" a line, of
 * any length, and says FILE:LINE:COL of what it cannot read; --json prints
 * one JSON object per decision; -t TARGET decides with the built-in rules
 * that target adds of its own (cisco-ios: DHCP).
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

/* Where a --batch line's address and port are (NULL: from --to/--port). */
struct where {
	const struct loc	*addr, *port;
};

static int
parse_packet(struct arena *a, const char *addr, const char *port,
    const char *from, bool inbound, const struct where *w,
    struct ir_packet *pk)
{
	enum fam f;
	int len;
	bool hb;
	struct svc_item it;
	const char *why, *near;

	memset(pk, 0, sizeof(*pk));
	if (addr_parse(addr, &pk->fam, &pk->dst, &len, &hb) < 0 ||
	    len != fam_bits(pk->fam)) {
		diag_error(w->addr, "explain: bad address '%s'", addr);
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
	switch (svc_parse_item(a, port, true, &it, &why, &near)) {
	case 0:
		if (!it.whole || it.proto == P_N)
			break;
		why = arena_printf(a, "a packet has one port or ICMP type, "
		    "not every one of '%s'", port);
		/* FALLTHROUGH */
	case -1:
		diag_error(w->port, "explain: bad port '%s': %s%s%s%s", port, why,
		    near ? "; did you mean '" : "", near ? near : "",
		    near ? "'?" : "");
		return -1;
	default:
		diag_error(w->port, "explain: bad port '%s' (tcp/443, udp/3478, "
		    "sctp/9899, icmp/echo-request, icmp/3/4, icmpv6/128, gre, "
		    "proto/47)", port);
		return -1;
	}
	pk->proto = it.ipp;
	/* A packet has one message: icmp/8 is type 8, code 0. */
	pk->port = it.proto == P_N ? 0 : (unsigned)it.v.lo;
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
    const struct opts *o, const struct where *w)
{
	struct ir_packet pk;
	enum fam fam;
	u128 addr;
	size_t i, k, x, found = 0;
	int len, f;
	bool hb;

	if (addr_parse(to, &fam, &addr, &len, &hb) == 0 || strchr(to, '.') ==
	    NULL || strchr(to, '/') != NULL) {
		if (parse_packet(ir->arena, to, port, o->from, o->inbound, w,
		    &pk) < 0)
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
						if (parse_packet(ir->arena, buf,
						    port, o->from, o->inbound, w,
						    &pk) < 0)
							return -1;
						print_decision(ir, &pk, to,
						    port, o->json);
						found++;
					} while (v++ != iv->hi &&
					    found < EXPLAIN_MAX_ADDRS);
				}
		}
	if (found == 0) {
		diag_error(w->addr, "explain: '%s' is no address and no host "
		    "of the policy's lock", to);
		return -1;
	}
	return 0;
}

/* The run of s that is not blank: its length; *at its start. */
static size_t
word(const char *s, size_t *at)
{
	size_t i = *at, n = 0;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	*at = i;
	while (s[i + n] != '\0' && s[i + n] != ' ' && s[i + n] != '\t')
		n++;
	return n;
}

/*
 * One --batch line, "ADDR PROTO/PORT" with blanks around: each error at
 * its line and column.  Lines of any length are read whole (getline), so
 * a long one is one error at its own line, not several at others.
 */
static int
batch_line(const struct ir *ir, const struct opts *o, char *line, int lineno)
{
	struct loc la = { o->batch, lineno, 1 }, lp = la, lx = la;
	struct where w = { &la, &lp };
	size_t at = 0, na, np, ap, pp, len = strlen(line);
	char *a, *p;
	int rc;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	na = word(line, &at);
	ap = at;
	at += na;
	np = word(line, &at);
	pp = at;
	at += np;
	la.col = (int)ap + 1;
	lp.col = (int)pp + 1;
	if (na == 0 || np == 0) {
		diag_error(na == 0 ? &la : &lp, "expected 'ADDR PROTO/PORT'");
		return -1;
	}
	while (line[at] == ' ' || line[at] == '\t')
		at++;
	if (line[at] != '\0') {
		lx.col = (int)at + 1;
		diag_error(&lx, "trailing text after '%.*s'", (int)np,
		    line + pp);
		return -1;
	}
	a = strndup(line + ap, na);
	p = strndup(line + pp, np);
	if (a == NULL || p == NULL) {
		free(a);
		free(p);
		diag_fail(&la, "out of memory");
		return -1;
	}
	rc = explain(ir, a, p, o, &w);
	free(a);
	free(p);
	return rc;
}

static int
batch(const struct ir *ir, const struct opts *o)
{
	FILE *f = strcmp(o->batch, "-") == 0 ? stdin : fopen(o->batch, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;

	if (f == NULL) {
		diag_error(NULL, "%s: %s", o->batch, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		/* A NUL inside the line: strlen is shorter than n. */
		if ((size_t)n != strlen(line)) {
			struct loc l = { o->batch, lineno, (int)strlen(line) + 1 };

			diag_error(&l, "a NUL byte in the line");
			rc = -1;
		} else if (batch_line(ir, o, line, lineno) < 0)
			rc = -1;
	}
	if (ferror(f)) {
		diag_fail(NULL, "%s: %s", o->batch, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
cmd_explain(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	const struct where none = { NULL, NULL };
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
	if (rc == 0 && o->batch == NULL)
		rc = explain(j.ir, o->to, o->port, o, &none);
	else if (rc == 0)
		rc = batch(j.ir, o);
	job_free(&j);
	return cli_status(rc);
}
