/*
 * ir.c - building, copying, filtering and evaluating the IR.
 *
 * Everything lives in the IR's arena.  ir_decide is the reference meaning
 * of a policy (first match wins); explain and the property tests use it to
 * check what the back ends emit.
 */
#include <string.h>

#include "ir/ir.h"

const char *const ir_action_name[] = { "allow", "deny", "reject" };
const char *const ir_default_name[] = { "deny", "accept", "none" };

struct ir *
ir_new(struct arena *a)
{
	struct ir *ir = arena_alloc(a, sizeof(*ir));

	ir->arena = a;
	ir->def = IR_DEF_DENY;
	ir->wildcards = IR_WILD_EXPAND;
	ir->hosts = IR_HOSTS_RESOLVE;
	ir->inbound_allowed = false;
	ir->dyn.timeout = IR_DYN_TIMEOUT;
	ir->dyn.min_ttl = IR_DYN_MIN_TTL;
	ir->dyn.max_ttl = IR_DYN_MAX_TTL;
	return ir;
}

/* Pointers to earlier rules do not survive the next ir_add_rule. */
struct ir_rule *
ir_add_rule(struct ir *ir)
{
	struct ir_rule *r;

	ARENA_PUSH(ir->arena, ir->rules, ir->nrules, ir->caprules);
	r = &ir->rules[ir->nrules - 1];
	memset(r, 0, sizeof(*r));
	r->action = IR_ALLOW;
	r->dir = IR_EGRESS;
	aset_init(&r->src);
	aset_init(&r->dst);
	svc_init(&r->svc);
	return r;
}

void
ir_add_name(struct ir *ir, struct ir_rule *r, const char *name, bool wildcard,
    const struct loc *loc)
{
	struct ir_name *n;

	ARENA_PUSH(ir->arena, r->names, r->nnames, r->capnames);
	n = &r->names[r->nnames - 1];
	memset(n, 0, sizeof(*n));
	n->name = arena_strdup(ir->arena, name);
	n->wildcard = wildcard;
	if (loc != NULL)
		n->loc = *loc;
	n->resolved = false;
	aset_init(&n->addrs);
}

void
ir_add_origin(struct ir *ir, struct ir_rule *r, const char *origin)
{
	size_t i;

	for (i = 0; i < r->norigins; i++)
		if (strcmp(r->origins[i], origin) == 0)
			return;
	ARENA_PUSH(ir->arena, r->origins, r->norigins, r->caporigins);
	r->origins[r->norigins - 1] = arena_strdup(ir->arena, origin);
}

static void
aset_clone(struct arena *a, struct aset *dst, const struct aset *src)
{
	int f;

	for (f = 0; f < FAM_N; f++)
		iset_copy(a, &dst->f[f], &src->f[f]);
}

/* Copy an array of n elements of size sz; cap becomes n. */
static void *
dup_array(struct arena *a, const void *v, size_t n, size_t sz)
{
	if (n == 0 || v == NULL)
		return NULL;
	return memcpy(arena_alloc(a, n * sz), v, n * sz);
}

/* Strings are never changed in place, so the clone shares them. */
struct ir *
ir_clone(const struct ir *src)
{
	return ir_clone_into(src, src->arena);
}

static struct ir *
clone(const struct ir *src, struct arena *a, bool all)
{
	struct ir *ir = arena_alloc(a, sizeof(*ir));
	struct ir_rule *r;
	const struct ir_rule *sr;
	size_t i, j;
	int p;

	*ir = *src;
	ir->arena = a;
	ir->rules = dup_array(a, src->rules, src->nrules, sizeof(*src->rules));
	ir->caprules = ir->nrules = ir->rules != NULL ? src->nrules : 0;
	ir->topts = dup_array(a, src->topts, src->ntopts, sizeof(*src->topts));
	ir->captopts = ir->ntopts = ir->topts != NULL ? src->ntopts : 0;
	for (i = 0; i < ir->nrules; i++) {
		r = &ir->rules[i];
		sr = &src->rules[i];
		if (!all && !sr->own)
			continue;
		aset_clone(a, &r->src, &sr->src);
		aset_clone(a, &r->dst, &sr->dst);
		for (p = 0; p < P_N; p++)
			iset_copy(a, &r->svc.p[p], &sr->svc.p[p]);
		iset_copy(a, &r->svc.ipp, &sr->svc.ipp);
		r->names = dup_array(a, sr->names, sr->nnames,
		    sizeof(*sr->names));
		r->capnames = r->nnames = r->names != NULL ? sr->nnames : 0;
		for (j = 0; j < r->nnames; j++)
			aset_clone(a, &r->names[j].addrs, &sr->names[j].addrs);
		r->origins = dup_array(a, sr->origins, sr->norigins,
		    sizeof(*sr->origins));
		r->caporigins = r->norigins =
		    r->origins != NULL ? sr->norigins : 0;
		r->hosts = dup_array(a, sr->hosts, sr->nhosts,
		    sizeof(*sr->hosts));
		r->caphosts = r->nhosts = r->hosts != NULL ? sr->nhosts : 0;
	}
	return ir;
}

struct ir *
ir_clone_into(const struct ir *src, struct arena *a)
{
	return clone(src, a, true);
}

struct ir *
ir_clone_owned(const struct ir *src, struct arena *a)
{
	return clone(src, a, false);
}

void
ir_norm(struct ir *ir)
{
	struct ir_rule *r;
	size_t i, k;

	for (i = 0; i < ir->nrules; i++) {
		r = &ir->rules[i];
		aset_norm(&r->src);
		aset_norm(&r->dst);
		svc_norm(&r->svc);
		for (k = 0; k < r->nnames; k++)
			aset_norm(&r->names[k].addrs);
	}
}

const struct ir_topt *
ir_topt_find(const struct ir *ir, const char *target, const char *key)
{
	size_t i;

	/* The last entry wins, as a later YAML key overrides an earlier one. */
	for (i = ir->ntopts; i-- > 0;)
		if (ir->topts[i].key != NULL &&
		    strcmp(ir->topts[i].target, target) == 0 &&
		    strcmp(ir->topts[i].key, key) == 0)
			return &ir->topts[i];
	return NULL;
}

const char *
ir_topt(const struct ir *ir, const char *target, const char *key,
    const char *dflt)
{
	const struct ir_topt *t = ir_topt_find(ir, target, key);

	return t != NULL ? t->value : dflt;
}

bool
ir_rule_in_fam(const struct ir_rule *r, enum fam f)
{
	size_t i;

	if (iset_empty(&r->src.f[f]))
		return false;
	if (!iset_empty(&r->dst.f[f]))
		return true;
	for (i = 0; i < r->nnames; i++)
		if (r->names[i].resolved &&
		    !iset_empty(&r->names[i].addrs.f[f]))
			return true;
	return false;
}

/* Is every destination of b a destination of a? */
static bool
dst_covers(const struct ir_rule *a, const struct ir_rule *b)
{
	size_t i, j;
	int f;

	for (f = 0; f < FAM_N; f++)
		if (!iset_subset(&b->dst.f[f], &a->dst.f[f]))
			return false;
	for (i = 0; i < b->nnames; i++) {
		const struct ir_name *n = &b->names[i];
		bool ok = false;

		for (j = 0; j < a->nnames && !ok; j++)
			ok = strcmp(a->names[j].name, n->name) == 0;
		if (!ok && n->resolved) {
			ok = true;
			for (f = 0; f < FAM_N && ok; f++)
				ok = iset_subset(&n->addrs.f[f], &a->dst.f[f]);
		}
		if (!ok)
			return false;
	}
	return true;
}

bool
ir_rule_covers(const struct ir_rule *a, const struct ir_rule *b)
{
	int f;

	/* One target's built-in rule leaves the others' rules alone. */
	if (a->target != NULL)
		return false;
	if (a->dir != b->dir || !svc_covers(&a->svc, &b->svc))
		return false;
	for (f = 0; f < FAM_N; f++)
		if (!iset_subset(&b->src.f[f], &a->src.f[f]))
			return false;
	return dst_covers(a, b);
}

static bool
rule_has_dst(const struct ir_rule *r, enum fam f, u128 dst)
{
	size_t i;

	if (iset_has(&r->dst.f[f], dst))
		return true;
	for (i = 0; i < r->nnames; i++)
		if (r->names[i].resolved &&
		    iset_has(&r->names[i].addrs.f[f], dst))
			return true;
	return false;
}

long
ir_decide(const struct ir *ir, const struct ir_packet *pk)
{
	const struct ir_rule *r;
	size_t i;

	if ((unsigned)pk->fam >= FAM_N)
		return -1;
	for (i = 0; i < ir->nrules; i++) {
		r = &ir->rules[i];
		if (r->dir != pk->dir || !ir_rule_in_fam(r, pk->fam))
			continue;
		if (!pk->any_src && !iset_has(&r->src.f[pk->fam], pk->src))
			continue;
		if (!rule_has_dst(r, pk->fam, pk->dst))
			continue;
		if (!svc_match(&r->svc, pk->fam, pk->proto, pk->port))
			continue;
		return (long)i;
	}
	return -1;
}

void
ir_select_target(struct ir *ir, const char *target)
{
	size_t i, k;

	for (i = k = 0; i < ir->nrules; i++)
		if (ir->rules[i].target == NULL || (target != NULL &&
		    strcmp(ir->rules[i].target, target) == 0))
			ir->rules[k++] = ir->rules[i];
	ir->nrules = k;
}

bool
ir_has_inbound(const struct ir *ir)
{
	size_t i;

	for (i = 0; i < ir->nrules; i++)
		if (ir->rules[i].dir == IR_INBOUND)
			return true;
	return false;
}

bool
ir_closes_inbound(const struct ir *ir)
{
	return ir->def == IR_DEF_DENY && !ir_has_inbound(ir);
}
