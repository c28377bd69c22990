/*
 * cisco.c - helpers the Cisco IOS and ASA back ends share (see cisco.h).
 */
#include <ctype.h>
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

void
cis_rules_begin(struct cis *c)
{
	c->t = arena_new();
	c->ro.be = c->opts->be;
	c->ro.arena = c->t;
}

void
cis_rule_done(struct cis *c)
{
	arena_reset(c->t);
}

void
cis_rules_end(struct cis *c)
{
	arena_free(c->t);
	c->t = NULL;
}

/* Where a word for the rule being written goes. */
static struct arena *
rule_arena(const struct cis *c)
{
	return c->t != NULL ? c->t : c->a;
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
	return be_option(c->opts, c->ir, "acl", d);
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
		return arena_printf(rule_arena(c), " eq %u", (unsigned)v->lo);
	return arena_printf(rule_arena(c), " range %u %u", (unsigned)v->lo,
	    (unsigned)v->hi);
}

const char *
cis_addr(struct cis *c, enum fam f, const struct prefix *p, bool wildcard)
{
	char a[5 + 2 * ADDR_STRLEN];
	size_t n;

	if (p->len == fam_bits(f)) {
		memcpy(a, "host ", 5);
		n = 5 + addr_write(a + 5, f, p->addr, p->len);
	} else if (f == FAM_V6)
		n = addr_write(a, f, p->addr, p->len);
	else {
		n = addr_write(a, f, p->addr, fam_bits(f));
		a[n++] = ' ';
		addr_mask4(a + n, p->len, wildcard);
		n += strlen(a + n);
	}
	return arena_strndup(rule_arena(c), a, n);
}

const char *
cis_remark(struct cis *c, const struct ir_rule *r)
{
	const char *s;

	/* be_rule_comment() cuts at comment_max; cut again in case a
	 * back end's comment_max grows past what the CLI takes. */
	s = be_rule_comment(c->t != NULL ? &c->ro : c->opts, r);
	if (strlen(s) > CIS_REMARK_MAX)
		s = arena_strndup(rule_arena(c), s, CIS_REMARK_MAX);
	return s;
}

const char *
cis_verb(const struct ir_rule *r)
{
	return r->action == IR_ALLOW ? "permit" : "deny";
}
