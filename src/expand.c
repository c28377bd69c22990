/*
 * expand.c - host-name and wildcard validation with PCRE2, and the expand
 * pass: every wildcard (*.zone) in a rule becomes what the policy's
 * wildcards: mode says (forbid: an error; native: kept for targets that
 * match names; expand: the hosts and address ranges a catalog lists for the
 * zone).
 *
 * Patterns are compiled once per process (JIT when the library has it) and
 * share one match block; expand_cleanup() frees them at exit.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "ir/ir.h"
#include "policy/vars.h"

/*
 * One RFC 1123 label: 1-63 of [a-z0-9-], not starting or ending with '-'.
 * A name: two labels or more, 253 characters at most, a last label that is
 * not all digits (1.2.3.4 is an address, not a name).
 */
#define LABEL	"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#define HOST	"(?=.{1,253}\\z)(?:" LABEL "\\.)+(?![0-9]+\\z)" LABEL
#define HOST_RE	"\\A" HOST "\\z"
#define ZONE_HEAD	"\\A(?:" LABEL "\\.)+"	/* then the zone, escaped */
#define WILD_RE	"\\A\\*\\.(?:" HOST ")\\z"

/* A compiled pattern; zone patterns are cached by zone. */
struct pat {
	char		*key;		/* the zone, or NULL for fixed ones */
	pcre2_code	*code;
	struct pat	*next;
};

static struct pat		*host_pat, *wild_pat, *zone_pats;
static pcre2_match_data		*mdata;

static struct pat *
pat_compile(const char *re, const char *key)
{
	struct pat *p;
	pcre2_code *code;
	PCRE2_SIZE off;
	int err;

	/* Our own patterns: a failure is a bug, not a user error. */
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_UTF, &err, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		diag_error(NULL, "internal: pattern %s: %s at %zu", re,
		    (const char *)msg, (size_t)off);
		abort();
	}
	/* JIT is an optimisation: without it pcre2_match interprets. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	if (mdata == NULL) {
		mdata = pcre2_match_data_create(1, NULL);
		if (mdata == NULL)
			abort();
	}
	p = xmalloc(sizeof(*p));
	p->key = key != NULL ? xstrdup(key) : NULL;
	p->code = code;
	p->next = NULL;
	return p;
}

static bool
pat_match(const struct pat *p, const char *s)
{
	return pcre2_match(p->code, (PCRE2_SPTR)s, strlen(s), 0, 0, mdata,
	    NULL) >= 0;
}

static void
pat_free(struct pat *p)
{
	if (p == NULL)
		return;
	pcre2_code_free(p->code);
	free(p->key);
	free(p);
}

void
expand_cleanup(void)
{
	struct pat *p, *next;

	pat_free(host_pat);
	pat_free(wild_pat);
	host_pat = wild_pat = NULL;
	for (p = zone_pats; p != NULL; p = next) {
		next = p->next;
		pat_free(p);
	}
	zone_pats = NULL;
	pcre2_match_data_free(mdata);
	mdata = NULL;
}

/* Why name failed HOST_RE, in words a user can act on. */
static const char *
host_why(const char *name)
{
	size_t len = strlen(name), lab = 0, nlabels = 1;
	const char *p, *last;
	bool digits;

	if (len == 0)
		return "empty name";
	if (len > 253)
		return "longer than 253 characters";
	if (name[len - 1] == '.')
		return "trailing dot";
	for (p = name; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return "upper-case letters";
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.'))
			return "characters other than a-z, 0-9, '-' and '.'";
	}
	last = name;
	for (p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			if (lab == 0)
				return "empty label";
			if (lab > 63)
				return "label longer than 63 characters";
			if (p[-1] == '-' || p[-lab] == '-')
				return "label starts or ends with '-'";
			if (*p == '\0')
				break;
			nlabels++;
			lab = 0;
			last = p + 1;
			continue;
		}
		lab++;
	}
	if (nlabels < 2)
		return "a single label, not a domain name";
	digits = true;
	for (p = last; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			digits = false;
	if (digits)
		return "last label all digits (an address?)";
	return "not a valid host name";
}

int
host_check(const char *name, const char **why)
{
	if (host_pat == NULL)
		host_pat = pat_compile(HOST_RE, NULL);
	if (pat_match(host_pat, name))
		return 0;
	if (why != NULL)
		*why = host_why(name);
	return -1;
}

int
wildcard_check(const char *pattern, const char **why)
{
	const char *w;

	if (wild_pat == NULL)
		wild_pat = pat_compile(WILD_RE, NULL);
	if (pat_match(wild_pat, pattern))
		return 0;
	if (why == NULL)
		return -1;
	if (strncmp(pattern, "*.", 2) != 0)
		*why = "a wildcard must start with \"*.\"";
	else if (strchr(pattern + 2, '*') != NULL)
		*why = "'*' is allowed only as the whole first label";
	else if (host_check(pattern + 2, &w) < 0)
		*why = w;
	else
		*why = "not a valid wildcard";
	return -1;
}

/* The cached pattern for names under zone (zone already checked). */
static struct pat *
zone_pat(const char *zone)
{
	struct pat *p;
	char *re, *q;
	const char *z;

	for (p = zone_pats; p != NULL; p = p->next)
		if (strcmp(p->key, zone) == 0)
			return p;
	/* Only [a-z0-9.-] got here: '.' is the one character to escape. */
	re = xmalloc(sizeof(ZONE_HEAD "\\z") + 2 * strlen(zone));
	memcpy(re, ZONE_HEAD, sizeof(ZONE_HEAD) - 1);
	q = re + sizeof(ZONE_HEAD) - 1;
	for (z = zone; *z != '\0'; z++) {
		if (*z == '.')
			*q++ = '\\';
		*q++ = *z;
	}
	strcpy(q, "\\z");
	p = pat_compile(re, zone);
	free(re);
	p->next = zone_pats;
	zone_pats = p;
	return p;
}

int
zone_match(const char *zone, const char *name)
{
	if (host_check(zone, NULL) < 0)
		return -1;
	/* The pattern's labels are full labels; the whole must be a name. */
	if (host_check(name, NULL) < 0)
		return 0;
	return pat_match(zone_pat(zone), name) ? 1 : 0;
}

/*
 * The expand pass.
 */

/* What one distinct wildcard expands to, worked out once per run so that
 * a catalog mistake is reported once, not once per rule. */
struct wexp {
	const char		*wild;
	const struct catalog	*cat;
	const struct cat_zone	*zone;	/* NULL: no catalog covers it */
	const char		**hosts;
	size_t			 nhosts, caphosts;
	struct strset		 seen;
	bool			 failed;
};

struct xrun {
	struct ir		*ir;
	struct catalog *const	*cats;
	size_t			 ncats;
	const struct vars	*vars;
	struct wexp		*w;
	size_t			 nw, capw;
};

/*
 * The zone that stands for wildcard *.wz: the zone key equal to it, else
 * the longest zone whose names include all of *.wz's (wz under it).
 */
static const struct cat_zone *
zone_find(const struct xrun *x, const char *wild, const struct catalog **catp)
{
	const struct cat_zone *best = NULL, *z;
	size_t i, j;

	for (i = 0; i < x->ncats; i++)
		for (j = 0; j < x->cats[i]->nzones; j++) {
			z = &x->cats[i]->zones[j];
			if (strcmp(z->key, wild) == 0) {
				*catp = x->cats[i];
				return z;
			}
			if (pat_match(zone_pat(z->zone), wild + 2) &&
			    (best == NULL ||
			    strlen(z->zone) > strlen(best->zone))) {
				best = z;
				*catp = x->cats[i];
			}
		}
	return best;
}

static void
wexp_add(struct arena *a, struct wexp *w, const struct cat_str *h,
    const char *s)
{
	const char *why;
	char *lc;

	lc = arena_strdup(a, s);
	for (char *p = lc; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	if (host_check(lc, &why) < 0) {
		diag_error(&h->loc, "host \"%s\" (from %s): %s", lc, h->s, why);
		w->failed = true;
		return;
	}
	/* A broader zone's hosts outside this wildcard are not its. */
	if (!pat_match(zone_pat(w->wild + 2), lc)) {
		if (strcmp(w->zone->key, w->wild) == 0) {
			diag_error(&h->loc, "host %s is not under zone %s", lc,
			    w->zone->key);
			w->failed = true;
		}
		return;
	}
	if (!strset_add(a, &w->seen, lc))
		return;
	ARENA_PUSH(a, w->hosts, w->nhosts, w->caphosts);
	w->hosts[w->nhosts - 1] = lc;
}

/* Substitute every catalog host of w's zone (over regions when it says
 * ${region}) into w->hosts. */
static void
wexp_hosts(struct xrun *x, struct wexp *w)
{
	struct arena *a = x->ir->arena;
	const struct cat_str *h;
	const char *s;
	size_t i, r;

	for (i = 0; i < w->zone->nhosts; i++) {
		h = &w->zone->hosts[i];
		if (strstr(h->s, "${region}") == NULL) {
			s = vars_subst(a, x->vars, h->s, &h->loc, NULL, NULL);
			if (s == NULL)
				w->failed = true;
			else
				wexp_add(a, w, h, s);
			continue;
		}
		for (r = 0; r < w->cat->nregions; r++) {
			s = vars_subst(a, x->vars, h->s, &h->loc, "region",
			    w->cat->regions[r].s);
			if (s == NULL) {
				w->failed = true;
				break;	/* the same error for every region */
			}
			wexp_add(a, w, h, s);
		}
	}
}

static struct wexp *
wexp_get(struct xrun *x, const struct ir_rule *r, const struct ir_name *nm)
{
	struct wexp *w;
	size_t i;

	for (i = 0; i < x->nw; i++)
		if (strcmp(x->w[i].wild, nm->name) == 0)
			return &x->w[i];
	ARENA_PUSH(x->ir->arena, x->w, x->nw, x->capw);
	w = &x->w[x->nw - 1];
	memset(w, 0, sizeof(*w));
	w->wild = nm->name;
	w->zone = zone_find(x, nm->name, &w->cat);
	if (w->zone != NULL) {
		wexp_hosts(x, w);
		if (w->failed)
			diag_note(&nm->loc, "while expanding %s for rule %s",
			    nm->name, r->name);
	}
	return w;
}

/* Replace one wildcard of rule r (already removed from r->names). */
static void
expand_one(struct xrun *x, struct ir_rule *r, const struct ir_name *nm,
    struct strset *names)
{
	struct arena *a = x->ir->arena;
	const struct cat_zone *z;
	struct wexp *w;
	size_t i;

	w = wexp_get(x, r, nm);
	if ((z = w->zone) == NULL) {
		diag_error(&nm->loc, "rule %s: no catalog lists zone %s (include "
		    "a catalog that does, list the hosts instead, or set "
		    "wildcards: native)", r->name, nm->name);
		return;
	}
	if (w->failed)
		return;		/* reported once, at the catalog */
	for (i = 0; i < r->norigins; i++)
		if (strcmp(r->origins[i], nm->name) == 0)
			break;
	if (i == r->norigins)
		ir_add_origin(x->ir, r, nm->name);
	if (z->unlisted == CAT_UNLISTED_ANY) {
		/* Hosts and ranges add nothing to every address. */
		diag_warning(&nm->loc, "rule %s: zone %s (catalog %s) is "
		    "unlisted: any: this rule is open to every address",
		    r->name, z->key, w->cat->name);
		aset_any(a, &r->dst);
		return;
	}
	for (i = 0; i < w->nhosts; i++)
		if (strset_add(a, names, w->hosts[i]))
			ir_add_name(x->ir, r, w->hosts[i], false, &nm->loc);
	for (i = 0; i < z->ncidrs; i++)
		aset_add_prefix(a, &r->dst, z->cidrs[i].fam, z->cidrs[i].addr,
		    z->cidrs[i].len);
	if (z->unlisted == CAT_UNLISTED_OMIT) {
		diag_warning(&nm->loc, "rule %s: names of zone %s that catalog "
		    "%s does not list are left out (unlisted: omit)%s",
		    r->name, z->key, w->cat->name, w->nhosts + z->ncidrs == 0 ?
		    "; it lists none, so the wildcard is dropped" : "");
		return;
	}
	if (w->nhosts + z->ncidrs == 0) {
		diag_error(&nm->loc, "rule %s: catalog %s lists no hosts or "
		    "cidrs for zone %s (the catalog may say unlisted: any or "
		    "omit)", r->name, w->cat->name, nm->name);
		diag_note(&z->loc, "zone %s is here", z->key);
	}
}

static void
expand_rule(struct xrun *x, struct ir_rule *r)
{
	struct ir_name *old = r->names;
	size_t nold = r->nnames, i;
	struct strset names = { 0 };

	/* Rebuild names[] in order: plain names stay where they were, each
	 * wildcard's hosts come after them. */
	r->names = NULL;
	r->nnames = r->capnames = 0;
	for (i = 0; i < nold; i++) {
		if (old[i].wildcard)
			continue;
		ARENA_PUSH(x->ir->arena, r->names, r->nnames, r->capnames);
		r->names[r->nnames - 1] = old[i];
		strset_add(x->ir->arena, &names, old[i].name);
	}
	for (i = 0; i < nold; i++)
		if (old[i].wildcard)
			expand_one(x, r, &old[i], &names);
}

/* The same zone key in two catalogs would make the choice depend on
 * include: order. */
static void
check_dup_zones(const struct xrun *x)
{
	size_t i, j, k, l;

	for (i = 0; i < x->ncats; i++)
		for (j = 0; j < x->cats[i]->nzones; j++)
			for (k = 0; k < i; k++)
				for (l = 0; l < x->cats[k]->nzones; l++)
					if (strcmp(x->cats[i]->zones[j].key,
					    x->cats[k]->zones[l].key) == 0) {
						diag_error(&x->cats[i]->zones[j].loc,
						    "zone %s is in two catalogs",
						    x->cats[i]->zones[j].key);
						diag_note(&x->cats[k]->zones[l].loc,
						    "also here");
					}
}

int
expand_run(struct ir *ir, struct catalog *const *cats, size_t ncats,
    const struct vars *vars)
{
	struct xrun x = { .ir = ir, .cats = cats, .ncats = ncats,
	    .vars = vars };
	int nerr = diag_errors();
	size_t i, j;
	const char *why;

	check_dup_zones(&x);
	for (i = 0; i < ir->nrules; i++) {
		struct ir_rule *r = &ir->rules[i];
		int before = diag_errors();
		bool any = false;

		for (j = 0; j < r->nnames; j++) {
			const struct ir_name *nm = &r->names[j];

			if (!nm->wildcard)
				continue;
			any = true;
			if (wildcard_check(nm->name, &why) < 0)
				diag_error(&nm->loc, "wildcard \"%s\": %s",
				    nm->name, why);
			else if (ir->wildcards == IR_WILD_FORBID)
				diag_error(&nm->loc, "rule %s: wildcard %s, but "
				    "the policy says wildcards: forbid (list "
				    "the hosts, or use wildcards: expand with "
				    "a catalog)", r->name, nm->name);
		}
		if (any && ir->wildcards == IR_WILD_EXPAND &&
		    diag_errors() == before)
			expand_rule(&x, r);
	}
	return diag_errors() > nerr ? -1 : 0;
}
