/*
 * probe.c - `egressc probe`: the egress table's connection test, run from
 * the client's own network, one row per rule and destination.
 *
 * A browser's WebRTC check and LiveKit's connection test say whether a
 * call works, not which firewall rule is missing.  probe takes the policy
 * as bound for the selected tiers (explain's view: the lock, wildcards
 * expanded, no rule dropped as shadowed), tries each destination the way
 * its service is used (probe/), and sets what came back against what the
 * policy decides for that packet: an allowed test must be open, a denied
 * or rejected one blocked (else LEAK).  Exit 0 when every test has its
 * expected outcome, 1 when any has not, 3 when a socket failed here.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "ir/ir.h"
#include "probe/plan.h"
#include "probe/probe.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

enum check { C_NONE, C_OK, C_FAIL, C_LEAK, C_ERROR, C_N };
static const char *const check_name[C_N] = { "-", "ok", "FAIL", "LEAK",
	"ERROR" };

struct row {
	const struct probe_test	*t;
	bool			 want_open;
	long			 by;	/* the deciding rule; -1 the default */
	enum check		 check;
};

struct report {
	const struct job	*j;
	const struct opts	*o;
	struct probe_plan	*plan;
	struct row		*rows;
	size_t			 count[C_N];
};

static enum check
judge(const struct probe_test *t, bool want_open)
{
	switch (t->result) {
	case PR_NONE:
		return C_NONE;
	case PR_ERROR:
		return C_ERROR;
	case PR_SKIPPED:
		return C_FAIL;
	case PR_OPEN:
		return want_open ? C_OK : C_LEAK;
	case PR_NO_TLS:		/* the connection got through */
		return want_open ? C_FAIL : C_LEAK;
	default:		/* refused, timeout, no-dns, no-route */
		return want_open ? C_FAIL : C_OK;
	}
}

static const char *
host_text(const struct probe_test *t)
{
	if (t->what != NULL)
		return t->what;
	return t->via == PV_PEER ? "(media-peer)" : "-";
}

static const char *
addr_text(const struct probe_test *t, char buf[ADDR_STRLEN])
{
	if (!t->has_addr)
		return "-";
	return addr_format(buf, t->fam, t->addr, fam_bits(t->fam));
}

static bool
timed(const struct probe_test *t)
{
	return t->result != PR_NONE && t->result != PR_NO_DNS &&
	    t->result != PR_SKIPPED;
}

/* "rule 'a': 2 tests are decided by rule 'b' first": the expectation
 * comes from the rule that matches first, which is not always the rule
 * the test was made for. */
static void
decided_notes(struct report *rp, struct arena *a)
{
	const struct ir *ir = rp->j->ir;
	struct probe_plan *p = rp->plan;
	size_t i, k, n;

	for (i = 0; i < p->n; i++) {
		const struct row *r = &rp->rows[i];

		if (r->by == (long)r->t->rule)
			continue;
		for (k = 0; k < i; k++)
			if (rp->rows[k].t->rule == r->t->rule &&
			    rp->rows[k].by == r->by)
				break;
		if (k < i)
			continue;
		for (n = 0, k = i; k < p->n; k++)
			n += rp->rows[k].t->rule == r->t->rule &&
			    rp->rows[k].by == r->by;
		ARENA_PUSH(a, p->notes, p->nnotes, p->capnotes);
		p->notes[p->nnotes - 1] = r->by < 0 ? arena_printf(a, "rule "
		    "'%s': %zu test%s match%s no rule from this host: the "
		    "default (%s) decides", ir->rules[r->t->rule].name, n,
		    n == 1 ? "" : "s", n == 1 ? "es" : "", ir_default_name[
		    ir->def]) : arena_printf(a, "rule '%s': %zu test%s %s "
		    "decided by rule '%s' first (first match wins)",
		    ir->rules[r->t->rule].name, n, n == 1 ? "" : "s",
		    n == 1 ? "is" : "are", ir->rules[r->by].name);
	}
}

#define NCOL	8
typedef char	cells_t[NCOL][ADDR_STRLEN + 256];

/* The text table's cells of row i (0: the heading). */
static void
cells(const struct report *rp, size_t i, cells_t x)
{
	static const char *const head[NCOL] = { "RULE", "HOST", "ADDRESS",
		"PORT", "EXPECT", "RESULT", "MS", "CHECK" };
	const struct row *r = &rp->rows[i - (i > 0)];
	const struct probe_test *t = r->t;
	char buf[ADDR_STRLEN];
	size_t c;

	if (i == 0) {
		for (c = 0; c < NCOL; c++)
			snprintf(x[c], sizeof(x[c]), "%s", head[c]);
		return;
	}
	snprintf(x[0], sizeof(x[0]), "%s", rp->j->ir->rules[t->rule].name);
	snprintf(x[1], sizeof(x[1]), "%s", host_text(t));
	snprintf(x[2], sizeof(x[2]), "%s", addr_text(t, buf));
	snprintf(x[3], sizeof(x[3]), "%s/%u", proto_name[t->proto], t->port);
	snprintf(x[4], sizeof(x[4]), "%s", r->want_open ? "open" : "blocked");
	snprintf(x[5], sizeof(x[5]), "%s", probe_result_name[t->result]);
	if (timed(t))
		snprintf(x[6], sizeof(x[6]), "%u", t->ms);
	else
		snprintf(x[6], sizeof(x[6]), "-");
	snprintf(x[7], sizeof(x[7]), "%s", check_name[r->check]);
}

/* A note as "# " lines of at most 78 columns, "#   " after the first;
 * a word longer than that has a line of its own. */
static void
note_text(struct out *o, const char *s)
{
	size_t col = 0, w;

	out_puts(o, "#");
	col = 1;
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		w = strcspn(s, " ");
		if (w == 0)
			break;
		if (col > 4 && col + 1 + w > 78) {
			out_puts(o, "\n#  ");
			col = 4;
		}
		out_printf(o, " %.*s", (int)w, s);
		col += 1 + w;
		s += w;
	}
	out_putc(o, '\n');
}

static void
print_text(const struct report *rp, struct out *o)
{
	const struct ir *ir = rp->j->ir;
	const struct probe_plan *p = rp->plan;
	cells_t x;
	int w[NCOL] = { 0 };
	size_t i, c;

	note_text(o, arena_printf(rp->j->a, "probe %s (%s), lock %s, tiers "
	    "%s, timeout %u ms%s", ir->name, ir->file, rp->j->lockfile,
	    rp->o->tiers ? rp->o->tiers : "all", rp->o->ro.timeout_ms,
	    rp->o->dry_run ? ", dry run: nothing sent" : ""));
	for (i = 0; i < p->nnotes; i++)
		note_text(o, p->notes[i]);
	for (i = 0; i <= p->n; i++) {
		cells(rp, i, x);
		for (c = 0; c < NCOL; c++)
			if ((int)strlen(x[c]) > w[c])
				w[c] = (int)strlen(x[c]);
	}
	for (i = 0; i <= p->n; i++) {
		cells(rp, i, x);
		for (c = 0; c < NCOL - 2; c++)
			out_printf(o, "%-*s  ", w[c], x[c]);
		out_printf(o, "%*s  %s\n", w[NCOL - 2], x[NCOL - 2],
		    x[NCOL - 1]);
	}
	if (rp->o->dry_run)
		out_printf(o, "# %zu tests, none sent (--dry-run)\n", p->n);
	else
		out_printf(o, "# %zu tests: %zu ok, %zu FAIL, %zu LEAK, %zu "
		    "ERROR\n", p->n, rp->count[C_OK], rp->count[C_FAIL],
		    rp->count[C_LEAK], rp->count[C_ERROR]);
}

/* "KEY": "s" or "KEY": null */
static void
json_kv(struct out *o, const char *key, const char *s)
{
	out_printf(o, "\"%s\": ", key);
	if (s == NULL)
		out_puts(o, "null");
	else
		out_json_str(o, s);
}

static void
json_row(const struct report *rp, const struct row *r, struct out *o)
{
	static const char *const via[] = { "host", "address", "range",
		"peer" };
	const struct ir *ir = rp->j->ir;
	const struct probe_test *t = r->t;
	const struct ir_rule *ru = &ir->rules[t->rule];
	char buf[ADDR_STRLEN];

	out_puts(o, "    {");
	json_kv(o, "rule", ru->name);
	out_puts(o, ", ");
	json_kv(o, "tier", ru->tier);
	out_printf(o, ", \"action\": \"%s\", ", ir_action_name[ru->action]);
	json_kv(o, "file", ru->loc.file);
	out_printf(o, ", \"line\": %d, \"column\": %d, \"target\": \"%s\", ",
	    ru->loc.line, ru->loc.col, via[t->via]);
	json_kv(o, "host", t->what);
	out_puts(o, ", ");
	json_kv(o, "address", t->has_addr ? addr_text(t, buf) : NULL);
	out_printf(o, ", \"proto\": \"%s\", \"port\": %u, \"probe\": \"%s\", "
	    "\"expect\": \"%s\", ", proto_name[t->proto], t->port,
	    probe_kind_name[t->kind], r->want_open ? "open" : "blocked");
	json_kv(o, "decided_by", r->by >= 0 ? ir->rules[r->by].name : NULL);
	out_puts(o, ", ");
	json_kv(o, "result", t->result == PR_NONE ? NULL :
	    probe_result_name[t->result]);
	if (timed(t))
		out_printf(o, ", \"ms\": %u, ", t->ms);
	else
		out_puts(o, ", \"ms\": null, ");
	json_kv(o, "check", r->check == C_NONE ? NULL : check_name[r->check]);
	out_puts(o, "}");
}

static void
print_json(const struct report *rp, struct out *o)
{
	const struct ir *ir = rp->j->ir;
	const struct probe_plan *p = rp->plan;
	size_t i;

	out_puts(o, "{\n  ");
	json_kv(o, "policy", ir->name);
	out_puts(o, ",\n  ");
	json_kv(o, "file", ir->file);
	out_puts(o, ",\n  ");
	json_kv(o, "lock", rp->j->lockfile);
	out_puts(o, ",\n  ");
	json_kv(o, "tiers", rp->o->tiers);
	out_printf(o, ",\n  \"timeout_ms\": %u,\n  \"dry_run\": %s,\n"
	    "  \"notes\": [", rp->o->ro.timeout_ms, rp->o->dry_run ? "true" :
	    "false");
	for (i = 0; i < p->nnotes; i++) {
		out_puts(o, i ? ",\n    " : "\n    ");
		out_json_str(o, p->notes[i]);
	}
	out_puts(o, p->nnotes ? "\n  ],\n  \"tests\": [" : "],\n  \"tests\": [");
	for (i = 0; i < p->n; i++) {
		out_puts(o, i ? ",\n" : "\n");
		json_row(rp, &rp->rows[i], o);
	}
	out_printf(o, "%s],\n  \"summary\": {\"tests\": %zu, \"ok\": %zu, "
	    "\"fail\": %zu, \"leak\": %zu, \"error\": %zu}\n}\n", p->n ?
	    "\n  " : "", p->n, rp->count[C_OK], rp->count[C_FAIL],
	    rp->count[C_LEAK], rp->count[C_ERROR]);
}

/* --media-peer: addresses only (probe looks nothing up); 0 or -1. */
static int
parse_peers(const struct opts *o, struct probe_peer *pe)
{
	size_t i;
	int len;
	bool hb;

	for (i = 0; i < o->npeers; i++) {
		pe[i].name = NULL;
		if (addr_parse(o->peers[i], &pe[i].fam, &pe[i].addr, &len,
		    &hb) < 0 || len != fam_bits(pe[i].fam)) {
			cli_usage_error("--media-peer: '%s' is not an IPv4 or "
			    "IPv6 address", o->peers[i]);
			return -1;
		}
	}
	return 0;
}

/* Bind the policy as explain does, keeping hosts the lock lacks. */
static int
load(struct job *j, struct opts *o, const char *policy)
{
	if (job_load(j, policy) < 0)
		return -1;
	j->partial_lock = true;
	if (job_bind(j, o, false) < 0)
		return -1;
	/* A client probes what every target's rules say, without the rules
	 * one target adds for itself (cisco-ios: DHCP to the router). */
	ir_select_target(j->ir, NULL);
	/* Documentation addresses answer nothing: every test would fail. */
	if (j->example && !o->dry_run) {
		diag_error(NULL, "%s holds example addresses (documentation "
		    "ranges), not DNS answers: run 'egressc resolve %s' first "
		    "(--dry-run shows the tests without sending them)",
		    j->lockfile, policy);
		return -1;
	}
	return 0;
}

static void
judge_all(struct report *rp)
{
	size_t i;

	for (i = 0; i < rp->plan->n; i++) {
		struct row *r = &rp->rows[i];

		r->t = &rp->plan->t[i];
		r->by = probe_expect(rp->j->ir, r->t, &r->want_open);
		r->check = judge(r->t, r->want_open);
		rp->count[r->check]++;
	}
}

int
cmd_probe(struct opts *o, int argc, char **argv)
{
	struct probe_peer peers[CLI_MAX_PEERS];
	struct probe_plan_opts po = { o->all, peers, o->npeers, 0 };
	struct probe_opts ro = { o->ro.timeout_ms, 0, 0 };
	struct probe_plan plan;
	struct report rp;
	struct job j;
	struct out text;
	int rc;

	(void)argc;
	if (parse_peers(o, peers) < 0)
		return EX_BAD;
	if (o->ro.timeout_ms == 0)
		o->ro.timeout_ms = ro.timeout_ms = PROBE_TIMEOUT_MS;
	if ((rc = load(&j, o, argv[0])) == 0) {
		probe_plan(j.a, j.ir, &po, &plan);
		if (!o->dry_run)
			rc = probe_run(plan.t, plan.n, &ro);
		memset(&rp, 0, sizeof(rp));
		rp.j = &j;
		rp.o = o;
		rp.plan = &plan;
		rp.rows = arena_alloc(j.a, (plan.n + 1) * sizeof(*rp.rows));
		judge_all(&rp);
		decided_notes(&rp, j.a);
		out_init(&text);
		if (o->json)
			print_json(&rp, &text);
		else
			print_text(&rp, &text);
		fwrite(text.buf, 1, text.len, stdout);
		fflush(stdout);
		out_free(&text);
	}
	job_free(&j);
	if (rc < 0)
		return cli_status(rc);
	return rp.count[C_FAIL] + rp.count[C_LEAK] > 0 ? EX_DIFF : EX_OK;
}
