/* lower.c - fit the IR to a target's capabilities (see lower.h). */
#include <string.h>

#include "backend/backend.h"
#include "pass/lower.h"
#include "pass/unordered.h"

static bool
keeps(const struct ir *ir, const struct lower_target *be, const struct ir_name *n)
{
	if (n->wildcard)
		return (be->caps & BE_WILDCARD) && ir->wildcards ==
		    IR_WILD_NATIVE;
	return (be->caps & BE_FQDN) && ir->hosts == IR_HOSTS_NATIVE;
}

bool
lower_rule_empty(const struct ir_rule *r)
{
	int f;
	bool any_fam = false;

	if (!r->svc.all && svc_empty(&r->svc))
		return true;
	for (f = 0; f < FAM_N; f++)
		if (ir_rule_in_fam(r, (enum fam)f))
			any_fam = true;
	return !any_fam && r->nnames == 0;
}

/*
 * Say aloud where the target's text will not be exactly the policy: once
 * per rule and target (lowering runs once per target), at the rule; with
 * strict, as an error.
 */
static void
lossy(const struct lower_target *be, const struct ir_rule *r, bool strict,
    const char *what)
{
	if (strict)
		diag_error(&r->loc, "rule '%s': target '%s' %s (--strict)",
		    r->name, be->name, what);
	else
		diag_warning(&r->loc, "rule '%s': target '%s' %s", r->name,
		    be->name, what);
}

static bool
has_host(const struct ir_rule *r)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (!r->names[i].wildcard)
			return true;
	return false;
}

static void
say_losses(const struct ir *ir, const struct lower_target *be, bool strict)
{
	size_t i;

	for (i = 0; i < ir->nrules; i++) {
		const struct ir_rule *r = &ir->rules[i];

		if (r->log && !(be->caps & BE_LOG))
			lossy(be, r, strict, "has no per-rule logging: 'log' "
			    "is dropped");
		if (r->action == IR_REJECT && !(be->caps & BE_REJECT))
			lossy(be, r, strict, "cannot reject: the rule blocks "
			    "silently (no RST or ICMP unreachable)");
		if (ir->hosts == IR_HOSTS_NATIVE && !(be->caps & BE_FQDN) &&
		    has_host(r))
			lossy(be, r, strict, "cannot match host names: it "
			    "matches the lock's addresses of them instead "
			    "(hosts: native), and does not follow a name that "
			    "moves");
	}
}

/*
 * The copy lowering changes: the rule array and each rule's names, which
 * are filtered in place.  Sets are shared with the input (normalised
 * first, so that no reader writes them) and copied only where a rule
 * gains its names' addresses: lowering runs once per target, and a deep
 * copy of a large policy per target was most of its cost.
 */
static struct ir *
lower_clone(const struct ir *in, struct arena *a)
{
	struct ir *ir = arena_alloc(a, sizeof(*ir));
	struct ir_rule *r;
	size_t i;

	ir_norm((struct ir *)in);	/* members unchanged; see iset.c */
	*ir = *in;
	ir->arena = a;
	ir->rules = NULL;
	ir->nrules = ir->caprules = 0;
	if (in->nrules == 0)
		return ir;
	ir->rules = arena_alloc(a, in->nrules * sizeof(*ir->rules));
	memcpy(ir->rules, in->rules, in->nrules * sizeof(*ir->rules));
	ir->nrules = ir->caprules = in->nrules;
	for (i = 0; i < ir->nrules; i++) {
		r = &ir->rules[i];
		if (r->nnames == 0)
			continue;
		r->names = arena_alloc(a, r->nnames * sizeof(*r->names));
		memcpy(r->names, in->rules[i].names,
		    r->nnames * sizeof(*r->names));
		r->capnames = r->nnames;
	}
	return ir;
}

/* Rule r's destination, in storage of its own before it grows. */
static void
own_dst(struct arena *a, struct ir_rule *r, bool *owned)
{
	struct aset d;
	int f;

	if (*owned)
		return;
	for (f = 0; f < FAM_N; f++)
		iset_copy(a, &d.f[f], &r->dst.f[f]);
	r->dst = d;
	*owned = true;
}

struct ir *
lower(const struct ir *in, const struct lower_target *be, struct arena *a)
{
	struct ir *ir = lower_clone(in, a);
	size_t i, j, k, keep;
	int errs = diag_errors();

	for (i = 0; i < ir->nrules; i++) {
		struct ir_rule *r = &ir->rules[i];

		if (r->dir == IR_INBOUND && !(be->caps & BE_INBOUND)) {
			diag_error(&r->loc, "rule '%s': target '%s' takes no "
			    "inbound rules; compile it for nftables or iptables, "
			    "or leave the rule out",
			    r->name, be->name);
			continue;
		}
		if (!(be->caps & BE_SCTP_PORTS) &&
		    svc_has_proto(&r->svc, P_SCTP) &&
		    !svc_proto_full(&r->svc, P_SCTP))
			diag_error(&r->loc, "rule '%s': target '%s' cannot "
			    "match SCTP ports; write 'sctp' for every SCTP port, "
			    "or leave the rule out", r->name, be->name);
		if (!(be->caps & BE_PROTO_ZERO) && iset_has(&r->svc.ipp, 0))
			diag_error(&r->loc, "rule '%s': target '%s' cannot "
			    "match proto/0 (it reads protocol 0 as every "
			    "protocol, or refuses it)", r->name, be->name);
		bool owned = false;

		for (j = keep = 0; j < r->nnames; j++) {
			struct ir_name *n = &r->names[j];

			if (keeps(ir, be, n)) {
				r->names[keep++] = *n;
				continue;
			}
			if (n->wildcard) {
				diag_error(&n->loc, "target '%s' cannot match "
				    "the wildcard '%s' of rule '%s'; use "
				    "'wildcards: expand' with a catalog",
				    be->name, n->name, r->name);
				continue;
			}
			own_dst(ir->arena, r, &owned);
			aset_union(ir->arena, &r->dst, &n->addrs);
		}
		r->nnames = keep;
		aset_norm(&r->dst);
	}
	say_losses(in, be, be->strict);
	if (diag_errors() != errs)
		return NULL;
	/* Rules that can match nothing (a name with no addresses, say). */
	for (i = k = 0; i < ir->nrules; i++)
		if (!lower_rule_empty(&ir->rules[i]))
			ir->rules[k++] = ir->rules[i];
	ir->nrules = k;
	/* Windows: no rule order, a block rule beats every allow rule. */
	if (!(be->caps & BE_FIRST_MATCH) && lower_unordered(ir, be->strict) < 0)
		return NULL;
	return ir;
}
