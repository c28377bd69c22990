/*
 * cisco.c - helpers the Cisco IOS and ASA back ends share (see cisco.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "backend/cisco.h"
#include "util/arena.h"
#include "util/diag.h"

void
cis_init(struct cis *c, const struct be_opts *opts, const struct ir *ir)
{
	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->ir = ir;
	c->a = opts->arena ? opts->arena : ir->arena;
}

static const struct ir_topt *
cis_topt(const struct ir *ir, const char *target, const char *key)
{
	size_t i;

	for (i = ir->ntopts; i-- > 0; )
		if (strcmp(ir->topts[i].target, target) == 0 &&
		    strcmp(ir->topts[i].key, key) == 0)
			return &ir->topts[i];
	return NULL;
}

/* Does s hold only characters of ok, start with a letter and fit max? */
static bool
cis_word_ok(const char *s, const char *ok, size_t max)
{
	const char *p;

	if (!isalpha((unsigned char)*s) || strlen(s) > max)
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(ok, *p) == NULL)
			return false;
	return true;
}

const char *
cis_opt_acl(const struct cis *c)
{
	char *d, *p;

	/* EGRESSC-NAME upper-cased, like the iptables chain; a name the
	 * user gives is kept as written (ACL names are case-sensitive). */
	d = arena_printf(c->a, "EGRESSC-%s", c->ir->name);
	if (strlen(d) > CIS_ACL_MAX)
		d[CIS_ACL_MAX] = '\0';
	for (p = d; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return be_ident(c->opts, c->ir, "acl", d, CIS_ACL_MAX, false);
}

const char *
cis_opt_iface(const struct cis *c)
{
	const char *target = c->opts->be->name;
	const struct ir_topt *t;

	t = cis_topt(c->ir, target, "interface");
	if (t == NULL)
		return NULL;
	if (!cis_word_ok(t->value, "_.-/:", CIS_NAME_MAX)) {
		diag_error(&t->loc, "targets.%s.interface: must start with a "
		    "letter and hold only letters, digits, '_', '.', '-', '/' "
		    "and ':' (at most %d characters)", target, CIS_NAME_MAX);
		return NULL;
	}
	return t->value;
}

int
cis_opt_enum(const struct cis *c, const char *key, const char *const *words,
    int dflt)
{
	const char *target = c->opts->be->name;
	const struct ir_topt *t;
	char list[256];
	int i;

	t = cis_topt(c->ir, target, key);
	if (t == NULL)
		return dflt;
	list[0] = '\0';
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], t->value) == 0)
			return i;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i ? ", " : "", words[i]);
	}
	diag_error(&t->loc, "targets.%s.%s: must be one of %s", target, key,
	    list);
	return -1;
}

const char *
cis_objname(struct cis *c, const char *base, const char *part,
    const char *kind)
{
	char *name, *p;
	size_t fixed, room;
	unsigned n;

	/* Keep the base and kind whole; the rule name gives way. */
	fixed = strlen(base) + 1 + 1 + strlen(kind) + 4;
	room = fixed < CIS_NAME_MAX ? CIS_NAME_MAX - fixed : 0;
	name = arena_printf(c->a, "%s-%.*s-%s", base, (int)room, part, kind);
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("_.-", *p) == NULL)
			*p = '_';
	for (n = 2; !strset_add(c->a, &c->used, name); n++)
		name = arena_printf(c->a, "%s-%.*s-%s%u", base, (int)room,
		    part, kind, n);
	return name;
}

const char *
cis_ports(struct cis *c, const struct ival *v)
{
	if (v->lo == v->hi)
		return arena_printf(c->a, " eq %u", (unsigned)v->lo);
	return arena_printf(c->a, " range %u %u", (unsigned)v->lo,
	    (unsigned)v->hi);
}

const char *
cis_addr(struct cis *c, enum fam f, const struct prefix *p, bool wildcard)
{
	char a[ADDR_STRLEN], m[ADDR_STRLEN];

	if (p->len == fam_bits(f))
		return arena_printf(c->a, "host %s",
		    addr_format(a, f, p->addr, p->len));
	if (f == FAM_V6)
		return arena_strdup(c->a, addr_format(a, f, p->addr, p->len));
	addr_format(a, f, p->addr, fam_bits(f));
	return arena_printf(c->a, "%s %s", a,
	    addr_mask4(m, p->len, wildcard));
}

const char *
cis_remark(struct cis *c, const struct ir_rule *r)
{
	const char *s;

	/* be_rule_comment() cuts at comment_max; cut again in case a
	 * back end's comment_max grows past what the CLI takes. */
	s = be_rule_comment(c->opts, r);
	if (strlen(s) > CIS_REMARK_MAX)
		s = arena_strndup(c->a, s, CIS_REMARK_MAX);
	return s;
}

const char *
cis_verb(const struct ir_rule *r)
{
	return r->action == IR_ALLOW ? "permit" : "deny";
}
