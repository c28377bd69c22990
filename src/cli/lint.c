/*
 * lint.c - `egressc lint`: the policy read and checked as compile would,
 * then judged.  Findings, each at the rule it is about:
 *
 *	redundant	every packet of the rule is taken by earlier rules that
 *			decide the same way: it can go
 *	conflict	earlier rules take every packet and decide otherwise:
 *			a deny that can never act, say
 *	allow-all	an allow of every port to every address
 *	empty		the rule matches nothing
 *	partial		(--verbose) earlier rules take some of its packets
 *	shared-address	a host of the rule has an address of a host of an
 *			earlier rule that decides otherwise (pass/shared.c)
 *
 * Shadowing is proved against the union of every earlier rule (pass/
 * cover.c), with an example packet and a note at the earlier rules.
 * Findings are warnings (exit 0; 1 with --strict) printed as diagnostics,
 * or as JSON or SARIF 2.1.0 (--format) for pipelines that annotate code.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "ir/icmp.h"
#include "ir/ir.h"
#include "pass/cover.h"
#include "pass/lower.h"
#include "pass/shared.h"
#include "pass/tiers.h"
#include "policy/lock.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

#define LINT_MAX_NOTES	5

struct related {
	struct loc	 loc;
	const char	*msg;
};

struct finding {
	const char	*kind;
	struct loc	 loc;
	const char	*rule;
	const char	*msg;
	struct related	*rel;
	size_t		 nrel, caprel;
};

struct findings {
	struct finding	*v;
	size_t		 n, cap;
};

static struct finding *
add(struct arena *a, struct findings *fs, const char *kind,
    const struct ir_rule *r, const char *msg)
{
	struct finding *f;

	ARENA_PUSH(a, fs->v, fs->n, fs->cap);
	f = &fs->v[fs->n - 1];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->loc = r->loc;
	f->rule = r->name;
	f->msg = msg;
	return f;
}

static void
relate(struct arena *a, struct finding *f, const struct loc *loc,
    const char *msg)
{
	ARENA_PUSH(a, f->rel, f->nrel, f->caprel);
	f->rel[f->nrel - 1].loc = *loc;
	f->rel[f->nrel - 1].msg = msg;
}

/* "tcp 10.0.0.1 -> 192.0.2.1:443", "icmp 10.0.0.1 -> 192.0.2.1 type 8
 * code 0", "gre 10.0.0.1 -> 192.0.2.1", "proto 99 10.0.0.1 -> ..." */
static const char *
packet_text(struct arena *a, const struct ir_packet *pk)
{
	char s[ADDR_STRLEN], d[ADDR_STRLEN];
	int bits = fam_bits(pk->fam), p = proto_of_ipp(pk->proto);
	const char *name = ipp_name(pk->proto);

	addr_format(s, pk->fam, pk->src, bits);
	addr_format(d, pk->fam, pk->dst, bits);
	if (name == NULL)
		name = arena_printf(a, "proto %u", pk->proto);
	if (p == P_ICMP || p == P_ICMP6)
		return arena_printf(a, "%s %s -> %s type %u code %u", name, s,
		    d, ICMP_TYPE(pk->port), ICMP_CODE(pk->port));
	if (p < 0)
		return arena_printf(a, "%s %s -> %s", name, s, d);
	return arena_printf(a, pk->fam == FAM_V6 ? "%s %s -> [%s]:%u" :
	    "%s %s -> %s:%u", name, s, d, pk->port);
}

/* An example packet of rule j and who decides it: " e.g. ..." or "". */
static const char *
example(struct arena *a, const struct ir *ir, size_t j,
    const struct cover *boxes, bool reaches)
{
	struct ir_packet pk;
	size_t i;
	long by;

	for (i = 0; i < boxes->n; i++) {
		if (!cover_example(&boxes->v[i], &pk))
			continue;
		pk.dir = ir->rules[j].dir;
		if (reaches)
			return arena_printf(a, "; e.g. %s still reaches it",
			    packet_text(a, &pk));
		by = ir_decide(ir, &pk);
		if (by < 0 || (size_t)by == j)
			continue;
		return arena_printf(a, "; e.g. %s is decided by rule '%s' (%s) "
		    "at line %d", packet_text(a, &pk), ir->rules[by].name,
		    ir_action_name[ir->rules[by].action],
		    ir->rules[by].loc.line);
	}
	return "";
}

/* The findings go to arena a, the work to tmp, which the caller frees
 * after each rule. */
static void
shadowing(struct arena *a, struct arena *tmp, const struct cover_index *ci,
    size_t j, bool verbose, struct findings *fs)
{
	const struct ir *ir = ci->ir;
	const struct ir_rule *r = &ir->rules[j];
	struct cover rest, all;
	struct cover_by by;
	struct finding *f;
	size_t k;

	if (cover_rest(tmp, ci, j, &rest, &by) < 0 || by.n == 0)
		return;
	if (rest.n == 0) {
		cover_rule(tmp, r, &all);
		f = add(a, fs, by.conflict ? "conflict" : "redundant", r,
		    by.conflict ? arena_printf(a, "rule '%s' (%s) can never "
		    "act: earlier rules decide all its packets otherwise%s",
		    r->name, ir_action_name[r->action],
		    example(a, ir, j, &all, false)) :
		    arena_printf(a, "rule '%s' is redundant: earlier rules "
		    "that also %s take all its packets%s", r->name,
		    ir_action_name[r->action], example(a, ir, j, &all, false)));
	} else if (verbose)
		f = add(a, fs, "partial", r, arena_printf(a, "rule '%s' is "
		    "partly shadowed by %zu earlier rule%s%s", r->name, by.n,
		    by.n == 1 ? "" : "s", example(a, ir, j, &rest, true)));
	else
		return;
	for (k = 0; k < by.n && k < LINT_MAX_NOTES; k++) {
		const struct ir_rule *e = &ir->rules[by.v[k]];

		relate(a, f, &e->loc, arena_printf(a, "rule '%s' (%s) takes "
		    "packets of '%s' here", e->name, ir_action_name[e->action],
		    r->name));
	}
	if (by.n > LINT_MAX_NOTES)
		relate(a, f, &ir->rules[by.v[k]].loc, arena_printf(a, "and %zu "
		    "more rules", by.n - LINT_MAX_NOTES));
}

static void
judge(struct arena *a, const struct ir *ir, bool verbose, struct findings *fs)
{
	struct cover_index ci;
	struct arena *tmp;
	size_t i;

	cover_index(ir, &ci);
	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		if (lower_rule_empty(r)) {
			add(a, fs, "empty", r, arena_printf(a, "rule '%s' "
			    "matches nothing (no destination, no port or no "
			    "common address family)", r->name));
			continue;
		}
		tmp = arena_new();
		shadowing(a, tmp, &ci, i, verbose, fs);
		arena_free(tmp);
		if (r->action == IR_ALLOW && r->svc.all &&
		    aset_fam_full(&r->dst, FAM_V4) &&
		    aset_fam_full(&r->dst, FAM_V6))
			add(a, fs, "allow-all", r, arena_printf(a, "rule '%s' "
			    "allows everything to any address: add ports:",
			    r->name));
	}
	cover_index_free(&ci);
}

/* With a lock: hosts of rules that decide otherwise at one address. */
static void
shared(struct arena *a, const struct ir *ir, const struct lock *lk,
    struct findings *fs)
{
	struct shared sh = { NULL, 0, 0 };
	size_t i;

	if (lk == NULL)
		return;
	shared_audit(a, ir, lk, &sh);
	for (i = 0; i < sh.n; i++) {
		struct finding *f = add(a, fs, "shared-address", sh.v[i].rule,
		    sh.v[i].msg);

		f->loc = sh.v[i].name->loc;
		relate(a, f, &sh.v[i].first_name->loc, sh.v[i].note);
	}
}

static void
json_loc(struct out *o, const struct loc *l)
{
	out_puts(o, "{\"file\": ");
	out_json_str(o, l->file ? l->file : "");
	out_printf(o, ", \"line\": %d, \"column\": %d}", l->line, l->col);
}

static void
print_json(const struct findings *fs, struct out *o)
{
	size_t i, k;

	out_puts(o, "{\"findings\": [");
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];

		out_puts(o, i ? ",\n  {" : "\n  {");
		out_puts(o, "\"kind\": ");
		out_json_str(o, f->kind);
		out_puts(o, ", \"level\": \"warning\", \"rule\": ");
		out_json_str(o, f->rule);
		out_puts(o, ", \"location\": ");
		json_loc(o, &f->loc);
		out_puts(o, ", \"message\": ");
		out_json_str(o, f->msg);
		out_puts(o, ", \"related\": [");
		for (k = 0; k < f->nrel; k++) {
			out_puts(o, k ? ", {\"location\": " : "{\"location\": ");
			json_loc(o, &f->rel[k].loc);
			out_puts(o, ", \"message\": ");
			out_json_str(o, f->rel[k].msg);
			out_putc(o, '}');
		}
		out_puts(o, "]}");
	}
	out_puts(o, fs->n ? "\n]}\n" : "]}\n");
}

static void
sarif_loc(struct out *o, const struct loc *l, const char *msg, int id)
{
	out_puts(o, "{");
	if (id >= 0)
		out_printf(o, "\"id\": %d, ", id);
	out_puts(o, "\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
	out_json_str(o, l->file ? l->file : "");
	out_printf(o, "}, \"region\": {\"startLine\": %d, \"startColumn\": "
	    "%d}}", l->line, l->col);
	if (msg != NULL) {
		out_puts(o, ", \"message\": {\"text\": ");
		out_json_str(o, msg);
		out_putc(o, '}');
	}
	out_putc(o, '}');
}

/* SARIF 2.1.0: one run, one rule descriptor per kind of finding. */
static void
print_sarif(const struct findings *fs, struct out *o)
{
	static const char *const kinds[][2] = {
		{ "redundant", "Earlier rules with the same decision take every "
		    "packet of this rule." },
		{ "conflict", "Earlier rules take every packet of this rule and "
		    "decide otherwise." },
		{ "partial", "Earlier rules take some packets of this rule." },
		{ "allow-all", "The rule allows every port to every address." },
		{ "empty", "The rule matches nothing." },
		{ "shared-address", "A host of this rule shares an address with "
		    "a host of an earlier rule that decides otherwise." },
	};
	size_t i, k;

	out_puts(o, "{\n\"$schema\": \"https://json.schemastore.org/"
	    "sarif-2.1.0.json\",\n\"version\": \"2.1.0\",\n\"runs\": [{\n"
	    "\"tool\": {\"driver\": {\"name\": \"egressc\", \"version\": \""
	    EGRESSC_VERSION "\", \"informationUri\": "
	    "\"https://manpages.debian.org/egressc\", \"rules\": [");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		out_printf(o, "%s\n  {\"id\": \"%s\", \"shortDescription\": "
		    "{\"text\": ", k ? "," : "", kinds[k][0]);
		out_json_str(o, kinds[k][1]);
		out_puts(o, "}}");
	}
	out_puts(o, "]}},\n\"results\": [");
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];

		out_printf(o, "%s\n  {\"ruleId\": \"%s\", \"level\": "
		    "\"warning\", \"message\": {\"text\": ", i ? "," : "",
		    f->kind);
		out_json_str(o, f->msg);
		out_puts(o, "}, \"locations\": [");
		sarif_loc(o, &f->loc, NULL, -1);
		out_puts(o, "]");
		if (f->nrel > 0) {
			out_puts(o, ", \"relatedLocations\": [");
			for (k = 0; k < f->nrel; k++) {
				if (k)
					out_puts(o, ", ");
				sarif_loc(o, &f->rel[k].loc, f->rel[k].msg,
				    (int)k + 1);
			}
			out_puts(o, "]");
		}
		out_puts(o, "}");
	}
	out_puts(o, fs->n ? "\n]\n}]\n}\n" : "]\n}]\n}\n");
}

int
cmd_lint(struct opts *o, int argc, char **argv)
{
	const char *policy = argv[0];
	struct findings fs = { NULL, 0, 0 };
	struct out text;
	struct job j;
	size_t i, k;
	int rc;

	(void)argc;
	if (o->format != NULL && strcmp(o->format, "text") != 0 &&
	    strcmp(o->format, "json") != 0 && strcmp(o->format, "sarif") != 0)
		return cli_usage_error("--format takes text, json or sarif, "
		    "not '%s'", o->format);
	rc = job_load(&j, policy);
	/* Lint reads the lock when there is one; without it, host names are
	 * compared as names (a policy is lintable before its first resolve). */
	if (rc == 0 && (o->lock != NULL ||
	    access(lock_path(j.a, policy), F_OK) == 0))
		rc = job_bind(&j, o, false);
	else if (rc == 0 && o->tiers != NULL)
		rc = tiers_select(j.ir, o->tiers);
	if (rc < 0) {
		job_free(&j);
		return cli_status(rc);
	}
	judge(j.a, j.ir, o->verbose, &fs);
	shared(j.a, j.ir, j.lock, &fs);
	if (o->format == NULL || strcmp(o->format, "text") == 0) {
		for (i = 0; i < fs.n; i++) {
			struct diag *d = diag_new(DIAG_WARNING, &fs.v[i].loc,
			    "%s", fs.v[i].msg);

			for (k = 0; k < fs.v[i].nrel; k++)
				diag_also(d, &fs.v[i].rel[k].loc, "%s",
				    fs.v[i].rel[k].msg);
			diag_emit(d);
		}
	} else {
		out_init(&text);
		if (strcmp(o->format, "json") == 0)
			print_json(&fs, &text);
		else
			print_sarif(&fs, &text);
		fwrite(text.buf, 1, text.len, stdout);
		out_free(&text);
	}
	/* A partial overlap is information, not a defect. */
	for (i = k = 0; i < fs.n; i++)
		if (strcmp(fs.v[i].kind, "partial") != 0)
			k++;
	rc = k > 0 && o->strict ? EX_DIFF : EX_OK;
	job_free(&j);
	return rc;
}
