/* lower.c - fit the IR to a target's capabilities (see lower.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/diag.h"

#include "backend/backend.h"
#include "pass/lower.h"
#include "pass/unordered.h"

/*
 * Why a target that keeps names cannot keep this rule's: NULL when it
 * can.  A dynamic keyword (BE_NAMES_LEARNT) holds only the addresses a
 * client looked up itself, so a block by it would not stop a client that
 * did not; and with default: deny a target without rule order blocks
 * everything no allow rule allows (unordered.c, the complement), which no
 * allow rule can beat, so a name could add no address beyond the lock's.
 */
static const char *
cannot_keep(const struct ir *ir, const struct lower_target *be,
    const struct ir_rule *r)
{
	if ((be->caps & BE_NAMES_LEARNT) && r->action != IR_ALLOW)
		return "a dynamic keyword holds only what a client looked up "
		    "itself, so a block by name would not stop a client that "
		    "did not";
	if (!(be->caps & BE_FIRST_MATCH) && ir->def == IR_DEF_DENY)
		return "with default: deny everything no allow rule allows is "
		    "blocked, and on Windows no allow rule can beat a block";
	return NULL;
}

static bool
keeps(const struct ir *ir, const struct lower_target *be,
    const struct ir_rule *r, const struct ir_name *n)
{
	if (cannot_keep(ir, be, r) != NULL)
		return false;
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
	return !any_fam && r->nnames == 0 && r->nhosts == 0;
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

/* "*.a.example as the domain a.example, ..." for the rule's wildcards. */
static const char *
domains(struct arena *a, const struct ir_rule *r)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < r->norigins; i++)
		s = arena_printf(a, "%s%s%s as the domain %s", s, i ? ", " : "",
		    r->origins[i], r->origins[i] + 2);
	return s;
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
			lossy(be, r, strict, (be->caps & BE_DYNSETS) &&
			    !ir->dyn.off ? "cannot match host names: it "
			    "matches the lock's addresses of them (hosts: "
			    "native), and later ones only as egressc refresh or "
			    "dnsmasq add them to its dynamic sets" : "cannot "
			    "match host names: it matches the lock's addresses "
			    "of them instead (hosts: native), and does not "
			    "follow a name that moves");
		else if (ir->hosts == IR_HOSTS_NATIVE && has_host(r) &&
		    cannot_keep(ir, be, r) != NULL)
			lossy(be, r, strict, arena_printf(ir->arena, "matches "
			    "the lock's addresses of its host names (hosts: "
			    "native), which do not follow a name that moves: "
			    "%s", cannot_keep(ir, be, r)));
		if ((be->caps & BE_DOMAINS) && !ir->dyn.off &&
		    r->norigins > 0 && has_host(r))
			lossy(be, r, strict, arena_printf(ir->arena, "matches "
			    "%s: the zone's apex and every name under it at "
			    "any depth, where the policy's wildcard is one or "
			    "more labels below the zone and never the zone "
			    "itself", domains(ir->arena, r)));
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
		r->own = r->nnames > 0;
		if (!r->own)
			continue;
		r->names = arena_alloc(a, r->nnames * sizeof(*r->names));
		memcpy(r->names, in->rules[i].names,
		    r->nnames * sizeof(*r->names));
		r->capnames = r->nnames;
	}
	return ir;
}

/*
 * The share (lower.h).  Each entry is made in an arena of its own by the
 * thread that first needs it, from a copy of the rules it was given, so
 * that nothing of it lives in that target's arena, freed when the target
 * is out; its rules are read, never written, by every target that takes
 * them.  Only what lowering made in that arena is copied (the rules with
 * names, ir_clone_owned): the other rules' sets are the job's IR's, which
 * outlives every target (at 2,000 rules the deep copy was 2.9 MiB, all
 * through both Windows targets).
 */
struct share_ent {
	struct share_ent *next;
	struct arena	*a;
	struct ir	*in;		/* the rules as given, and the default */
	bool		 strict;
	bool		 done;
	int		 rc;
	struct ir_rule	*out;
	size_t		 nout;
	struct diag_log	*log;		/* what making it said */
};

struct lower_share {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct share_ent *ents;
};

struct lower_share *
lower_share_new(void)
{
	struct lower_share *s = xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	return s;
}

void
lower_share_free(struct lower_share *s)
{
	struct share_ent *e, *next;

	if (s == NULL)
		return;
	for (e = s->ents; e != NULL; e = next) {
		next = e->next;
		diag_log_free(e->log);
		arena_free(e->a);
		free(e);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

/* The same rules, field by field: what the rewrite reads or copies. */
static bool
same_rule(const struct ir_rule *x, const struct ir_rule *y)
{
	size_t i;
	int p;

	if (x->name != y->name || x->tier != y->tier ||
	    x->comment != y->comment || x->loc.file != y->loc.file ||
	    x->loc.line != y->loc.line || x->loc.col != y->loc.col ||
	    x->action != y->action || x->dir != y->dir || x->log != y->log ||
	    x->dst_any != y->dst_any || x->allow_private != y->allow_private ||
	    x->target != y->target || x->origins != y->origins ||
	    x->norigins != y->norigins || x->nnames != y->nnames ||
	    x->nhosts != y->nhosts || x->svc.all != y->svc.all ||
	    !aset_equal(&x->src, &y->src) || !aset_equal(&x->dst, &y->dst) ||
	    !iset_equal(&x->svc.ipp, &y->svc.ipp))
		return false;
	for (p = 0; p < P_N; p++)
		if (!iset_equal(&x->svc.p[p], &y->svc.p[p]))
			return false;
	for (i = 0; i < x->nhosts; i++)
		if (x->hosts[i] != y->hosts[i])
			return false;
	for (i = 0; i < x->nnames; i++) {
		const struct ir_name *m = &x->names[i], *n = &y->names[i];

		if (m->name != n->name || m->wildcard != n->wildcard ||
		    m->resolved != n->resolved || m->loc.line != n->loc.line ||
		    m->loc.col != n->loc.col || m->loc.file != n->loc.file ||
		    !aset_equal(&m->addrs, &n->addrs))
			return false;
	}
	return true;
}

static bool
same_input(const struct share_ent *e, const struct ir *ir, bool strict)
{
	size_t i;

	if (e->strict != strict || e->in->def != ir->def ||
	    e->in->nrules != ir->nrules)
		return false;
	for (i = 0; i < ir->nrules; i++)
		if (!same_rule(&e->in->rules[i], &ir->rules[i]))
			return false;
	return true;
}

/* lower_unordered, made once for every target with the same rules. */
static int
unordered(struct ir *ir, const struct lower_target *be)
{
	struct lower_share *s = be->share;
	struct share_ent *e;
	struct diag_log *was;
	struct ir tmp;

	if (s == NULL)
		return lower_unordered(ir, be->strict);
	ir_norm(ir);
	pthread_mutex_lock(&s->mu);
	for (e = s->ents; e != NULL; e = e->next)
		if (same_input(e, ir, be->strict))
			break;
	if (e != NULL) {
		while (!e->done)
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
		arena_release(ir->arena, ir->rules);
	} else {
		e = xmalloc(sizeof(*e));
		memset(e, 0, sizeof(*e));
		e->a = arena_new();
		e->in = ir_clone_owned(ir, e->a);
		e->strict = be->strict;
		e->next = s->ents;
		s->ents = e;
		pthread_mutex_unlock(&s->mu);
		/* The rules given are the entry's now: their array, most of
		 * what lowering made, goes back before the rewrite rather
		 * than with the target. */
		arena_release(ir->arena, ir->rules);

		tmp = *e->in;
		e->log = diag_keep(&was);
		e->rc = lower_unordered(&tmp, be->strict);
		diag_kept(was);
		ir_norm(&tmp);
		e->out = tmp.rules;
		e->nout = tmp.nrules;

		pthread_mutex_lock(&s->mu);
		e->done = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	diag_give(e->log);
	ir->rules = e->out;
	ir->nrules = ir->caprules = e->nout;
	return e->rc < 0 ? -1 : 0;
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

	ir_select_target(ir, be->name);

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

			if (keeps(ir, be, r, n)) {
				r->names[keep++] = *n;
				continue;
			}
			if (n->wildcard && (be->caps & BE_WILDCARD) &&
			    ir->wildcards == IR_WILD_NATIVE) {
				diag_error(&n->loc, "target '%s' cannot keep "
				    "the wildcard '%s' of rule '%s': %s; use "
				    "'wildcards: expand' with a catalog",
				    be->name, n->name, r->name,
				    cannot_keep(ir, be, r));
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
			if ((be->caps & BE_DYNSETS) && !ir->dyn.off) {
				ARENA_PUSH(ir->arena, r->hosts, r->nhosts,
				    r->caphosts);
				r->hosts[r->nhosts - 1] = n->name;
			}
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
	if (!(be->caps & BE_FIRST_MATCH) && unordered(ir, be) < 0)
		return NULL;
	return ir;
}
