/*
 * hostname.c - host-name and wildcard validation with PCRE2: what the
 * policy, catalog and lock readers accept as a name, and which names a
 * wildcard's zone covers.
 *
 * Patterns are compiled once per process (JIT when the library has it);
 * each thread matches with a match block of its own, made at its first
 * match.  hostname_cleanup() frees them at exit.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdbool.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/hostname.h"

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
static _Thread_local pcre2_match_data	*mdata;

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
	p = xmalloc(sizeof(*p));
	p->key = key != NULL ? xstrdup(key) : NULL;
	p->code = code;
	p->next = NULL;
	return p;
}

static bool
pat_match(const struct pat *p, const char *s)
{
	if (mdata == NULL && (mdata = pcre2_match_data_create(1, NULL)) ==
	    NULL) {
		fputs("egressc: out of memory\n", stderr);
		abort();
	}
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
hostname_cleanup(void)
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
	hostname_thread_done();
}

/* A fixed pattern, compiled at its first use. */
static struct pat *
fixed(struct pat **p, const char *re)
{
	if (*p == NULL)
		*p = pat_compile(re, NULL);
	return *p;
}

void
hostname_ready(void)
{
	fixed(&host_pat, HOST_RE);
	fixed(&wild_pat, WILD_RE);
}

void
hostname_thread_done(void)
{
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
			/* p - lab, not p[-lab]: lab is unsigned, and -lab
			 * as an index is an overflowing pointer. */
			if (p[-1] == '-' || *(p - lab) == '-')
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
	if (pat_match(fixed(&host_pat, HOST_RE), name))
		return 0;
	if (why != NULL)
		*why = host_why(name);
	return -1;
}

int
wildcard_check(const char *pattern, const char **why)
{
	const char *w;

	if (pat_match(fixed(&wild_pat, WILD_RE), pattern))
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
