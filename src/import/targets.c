/*
 * targets.c - what an Aerleon target:: line says that decides packets:
 * the address family its filter covers, the direction it filters, what it
 * does with traffic no term matches, and whether it keeps state.
 *
 * Each Aerleon generator reads its own options.  The ones that host
 * firewalls use (nftables, speedway, iptables, ipset) are read exactly;
 * router and cloud targets by their family and direction words after the
 * filter's name.  The other words of a line (abbreviateterms, noverbose,
 * object-group ...) shape Aerleon's text, not its decisions: they stay in
 * the imported policy's header comment, where the whole line is kept.  A
 * platform not listed here is an error, not a guess.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/aerleon.h"

enum kind { K_NFT, K_IPT, K_ACL };

struct platform {
	const char	*name;
	enum kind	 kind;
	int		 names;		/* option words naming the filter */
	enum aer_fam	 fam;		/* when the line names none */
	enum aer_dflt	 dflt;
	bool		 stateful;
	enum aer_dir	 dir;		/* when the line names none */
};

static const struct platform platforms[] = {
	{ "nftables", K_NFT, 0, AER_MIXED, AER_DFLT_DENY, true,
	    AER_DIR_NONE },
	{ "speedway", K_IPT, 0, AER_V4, AER_DFLT_DENY, true, AER_DIR_NONE },
	{ "iptables", K_IPT, 0, AER_V4, AER_DFLT_UNKNOWN, true,
	    AER_DIR_NONE },
	{ "ipset", K_IPT, 0, AER_V4, AER_DFLT_UNKNOWN, true, AER_DIR_NONE },
	{ "juniper", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "juniperevo", K_ACL, 1, AER_V4, AER_DFLT_DENY, false,
	    AER_DIR_NONE },
	{ "msmpc", K_ACL, 1, AER_MIXED, AER_DFLT_DENY, true, AER_DIR_NONE },
	{ "srx", K_ACL, 4, AER_MIXED, AER_DFLT_DENY, true, AER_DIR_NONE },
	{ "paloalto", K_ACL, 4, AER_MIXED, AER_DFLT_DENY, true,
	    AER_DIR_NONE },
	{ "cisco", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "ciscoxr", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "cisconx", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "ciscoasa", K_ACL, 1, AER_V4, AER_DFLT_DENY, true, AER_DIR_NONE },
	{ "arista", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "brocade", K_ACL, 1, AER_V4, AER_DFLT_DENY, false, AER_DIR_NONE },
	{ "arista_tp", K_ACL, 1, AER_MIXED, AER_DFLT_UNKNOWN, false,
	    AER_DIR_NONE },
	{ "demo", K_ACL, 1, AER_V4, AER_DFLT_UNKNOWN, false, AER_DIR_NONE },
	{ "k8s", K_ACL, 0, AER_MIXED, AER_DFLT_DENY, true, AER_DIR_IN },
	/* GCP: ingress is denied, egress allowed, unless a rule says. */
	{ "gce", K_ACL, 1, AER_V4, AER_DFLT_DENY, true, AER_DIR_IN },
};

const char *
aer_fam_name(enum aer_fam f)
{
	return f == AER_V4 ? "inet" : f == AER_V6 ? "inet6" : "mixed";
}

static int
fam_word(const char *w, enum aer_fam *f)
{
	if (strcmp(w, "inet") == 0)
		*f = AER_V4;
	else if (strcmp(w, "inet6") == 0)
		*f = AER_V6;
	else if (strcmp(w, "mixed") == 0)
		*f = AER_MIXED;
	else
		return -1;
	return 0;
}

/* INPUT, OUTPUT, FORWARD, in any case; -1 for another word. */
static int
hook_word(const char *w, enum aer_dir *d)
{
	if (strcasecmp(w, "INPUT") == 0)
		*d = AER_DIR_IN;
	else if (strcasecmp(w, "OUTPUT") == 0)
		*d = AER_DIR_OUT;
	else if (strcasecmp(w, "FORWARD") == 0)
		*d = AER_DIR_FWD;
	else
		return -1;
	return 0;
}

static bool
number(const char *w, long *v)
{
	char *end;

	if (*w == '\0')
		return false;
	*v = strtol(w, &end, 10);
	return *end == '\0';
}

/* nftables FAMILY HOOK [PRIORITY] [ACCEPT|DROP] [noverbose] */
static int
read_nft(const struct aer_kv *kv, struct aer_target *t)
{
	size_t i;

	if (kv->n < 3 || fam_word(kv->v[1].s, &t->fam) < 0) {
		diag_error(kv->n > 1 ? &kv->v[1].loc : &kv->loc, "nftables "
		    "takes a family first: inet, inet6 or mixed");
		return -1;
	}
	if (hook_word(kv->v[2].s, &t->dir) < 0) {
		diag_error(&kv->v[2].loc, "nftables: the hook is INPUT, OUTPUT "
		    "or FORWARD, not '%s'", kv->v[2].s);
		return -1;
	}
	t->dir_loc = &kv->v[2].loc;
	for (i = 3; i < kv->n; i++) {
		const char *w = kv->v[i].s;

		if (number(w, &t->priority))
			t->prio_loc = &kv->v[i].loc;
		else if (strcmp(w, "ACCEPT") == 0)
			t->dflt = AER_DFLT_ACCEPT;
		else if (strcmp(w, "DROP") == 0)
			t->dflt = AER_DFLT_DENY;
		else if (strcmp(w, "noverbose") != 0) {
			diag_error(&kv->v[i].loc, "nftables: unknown option "
			    "'%s'", w);
			return -1;
		}
	}
	return 0;
}

/* speedway|iptables|ipset CHAIN [ACCEPT|DROP] [inet|inet6] [options] */
static int
read_ipt(const struct aer_kv *kv, struct aer_target *t)
{
	static const char *const opts[] = { "nostate", "abbreviateterms",
	    "truncateterms", "noverbose", "nochainedterms", NULL };
	const char *const *o;
	size_t i;

	if (kv->n < 2) {
		diag_error(&kv->loc, "%s takes a chain: INPUT, OUTPUT, FORWARD "
		    "or a chain of its own", t->platform);
		return -1;
	}
	if (hook_word(kv->v[1].s, &t->dir) == 0)
		t->dir_loc = &kv->v[1].loc;
	else
		t->dflt = AER_DFLT_NONE;	/* returns to who jumped */
	if (t->dir == AER_DIR_FWD && strcmp(t->platform, "iptables") == 0)
		t->dflt = AER_DFLT_DENY;
	for (i = 2; i < kv->n; i++) {
		const char *w = kv->v[i].s;

		if (strcmp(w, "ACCEPT") == 0 || strcmp(w, "DROP") == 0) {
			if (t->dflt != AER_DFLT_NONE)
				t->dflt = w[0] == 'A' ? AER_DFLT_ACCEPT :
				    AER_DFLT_DENY;
			continue;
		}
		if (fam_word(w, &t->fam) == 0 && t->fam != AER_MIXED)
			continue;
		for (o = opts; *o != NULL && strcmp(*o, w) != 0; o++)
			;
		if (*o == NULL) {
			diag_error(&kv->v[i].loc, "%s: unknown option '%s'",
			    t->platform, w);
			return -1;
		}
		if (strcmp(w, "nostate") == 0) {
			t->stateful = false;
			t->nostate_loc = &kv->v[i].loc;
		}
	}
	return 0;
}

/* PLATFORM NAME... then family and direction words among the options. */
static void
read_acl(const struct aer_kv *kv, const struct platform *p,
    struct aer_target *t)
{
	size_t i;

	for (i = 1 + (size_t)p->names; i < kv->n; i++) {
		const char *w = kv->v[i].s;

		if (fam_word(w, &t->fam) == 0)
			continue;
		if (strcmp(w, "extended") == 0 || strcmp(w, "standard") == 0 ||
		    strcmp(w, "object-group") == 0)
			t->fam = AER_V4;
		else if (strcasecmp(w, "ingress") == 0) {
			t->dir = AER_DIR_IN;
			t->dir_loc = &kv->v[i].loc;
		} else if (strcasecmp(w, "egress") == 0) {
			t->dir = AER_DIR_OUT;
			t->dir_loc = &kv->v[i].loc;
		}
	}
	if (strcmp(p->name, "gce") == 0 && t->dir == AER_DIR_OUT)
		t->dflt = AER_DFLT_ACCEPT;
}

int
aer_target_read(const struct aer_kv *kv, struct aer_target *t)
{
	const struct platform *p = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->kv = kv;
	if (kv->n == 0) {
		diag_error(&kv->loc, "target:: names no platform");
		return -1;
	}
	t->platform = kv->v[0].s;
	for (i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (strcmp(platforms[i].name, t->platform) == 0)
			p = &platforms[i];
	if (p == NULL) {
		diag_error(&kv->v[0].loc, "Aerleon target '%s' is not one the "
		    "import knows: it cannot tell which family, direction and "
		    "default its filter has", t->platform);
		return -1;
	}
	t->fam = p->fam;
	t->dflt = p->dflt;
	t->stateful = p->stateful;
	t->dir = p->dir;
	if (p->kind == K_NFT)
		return read_nft(kv, t);
	if (p->kind == K_IPT)
		return read_ipt(kv, t);
	if (kv->n < 1 + (size_t)p->names) {
		diag_error(&kv->v[0].loc, "%s takes %d name%s first",
		    p->name, p->names, p->names == 1 ? "" : "s");
		return -1;
	}
	read_acl(kv, p, t);
	return 0;
}
