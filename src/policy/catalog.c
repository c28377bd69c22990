/*
 * catalog.c - catalogs: what concrete hosts and address ranges stand for a
 * wildcard zone (format in egressc-policy(5)).  catalog_parse() reads one
 * from its YAML tree; catalog_livekit() writes one from the JSON that
 * LiveKit's GET /settings/regions returns, so users refresh their region
 * list with one curl and one command instead of editing by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/catalog.h"
#include "util/clock.h"
#include "util/hostname.h"
#include "util/strset.h"
#include "policy/yaml.h"
#include "util/out.h"

/* description: and a zone's comment: are free text for people (and the
 * JSON Schema in grammar/ allows them); egressc only checks their type. */
static const char *const catalog_keys[] = {
	"egressc-catalog", "name", "description", "source", "checked",
	"regions", "zones", NULL
};
static const char *const zone_keys[] = {
	"hosts", "cidrs", "unlisted", "comment", NULL
};
static const char *const unlisted_names[] = { "error", "any", "omit", NULL };

/* A region code as LiveKit writes them: [a-z0-9]+, one DNS label. */
static bool
region_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* A required string-valued key. */
static const char *
want_key_str(const struct ynode *map, const char *key, const char *what)
{
	const struct ynode *n = ymap_get(map, key);
	const char *s;

	if (n == NULL) {
		diag_error(&map->loc, "%s: missing %s:", what, key);
		return NULL;
	}
	if ((s = y_want_str(n, key)) == NULL)
		return NULL;
	if (*s == '\0') {
		diag_error(&n->loc, "%s: %s: is empty", what, key);
		return NULL;
	}
	return s;
}

static void
parse_checked(struct catalog *c, const struct ynode *n)
{
	long long t, days, now;

	c->checked = y_want_str(n, "checked");
	c->checked_loc = n->loc;
	if (c->checked == NULL)
		return;
	if (clock_parse_date(c->checked, &t) < 0) {
		diag_error(&n->loc, "checked: \"%s\" is not a date YYYY-MM-DD",
		    c->checked);
		c->checked = NULL;
		return;
	}
	days = t / 86400;
	if (clock_now(&now) < 0)
		return;
	now /= 86400;
	/* These lists change under us: say so on every compile. */
	if (now - days > CATALOG_STALE_DAYS)
		diag_warning(&n->loc, "catalog %s was last checked against its "
		    "source %lld days ago (%s, more than %d): compare it with %s "
		    "and update checked:", c->name != NULL ? c->name : c->file,
		    now - days, c->checked, CATALOG_STALE_DAYS,
		    c->source != NULL ? c->source : "its source");
	else if (days - now > 1)
		diag_warning(&n->loc, "checked: %s is in the future",
		    c->checked);
}

static void
parse_regions(struct arena *a, struct catalog *c, const struct ynode *n)
{
	struct ynode **items, *one;
	struct strset seen = { 0 };
	size_t nitems, i, j;

	if (!y_want_list(n, "regions", &items, &nitems, &one))
		return;
	c->regions = arena_alloc(a, (nitems ? nitems : 1) *
	    sizeof(*c->regions));
	for (i = 0; i < nitems; i++) {
		const char *s = y_want_str(items[i], "region");

		if (s == NULL)
			continue;
		if (!region_ok(s)) {
			diag_error(&items[i]->loc, "region \"%s\": a region "
			    "code is lower-case letters and digits", s);
			continue;
		}
		if (!strset_add(a, &seen, s)) {
			struct diag *d = diag_new(DIAG_ERROR, &items[i]->loc,
			    "region %s listed twice", s);

			for (j = 0; strcmp(c->regions[j].s, s) != 0; j++)
				continue;
			diag_also(d, &c->regions[j].loc, "first listed here");
			diag_emit(d);
			continue;
		}
		c->regions[c->nregions].s = s;
		c->regions[c->nregions++].loc = items[i]->loc;
	}
}

/* Hosts are checked in full here when they hold no ${var}; the others
 * once expand_run has substituted them. */
static void
parse_hosts(struct arena *a, struct catalog *c, struct cat_zone *z,
    const struct ynode *n)
{
	struct ynode **items, *one;
	size_t nitems, i;
	const char *why;

	if (!y_want_list(n, "hosts", &items, &nitems, &one))
		return;
	z->hosts = arena_alloc(a, (nitems ? nitems : 1) * sizeof(*z->hosts));
	for (i = 0; i < nitems; i++) {
		const char *s = y_want_str(items[i], "host");
		const struct loc *l = &items[i]->loc;

		if (s == NULL)
			continue;
		if (strstr(s, "${region}") != NULL && c->nregions == 0) {
			diag_error(l, "host %s uses ${region} but the catalog "
			    "lists no regions:", s);
			continue;
		}
		if (strstr(s, "${") == NULL) {
			/* Like policy names, case does not matter. */
			char *lc = arena_strdup(a, s);

			for (char *p = lc; *p != '\0'; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p += 'a' - 'A';
			s = lc;
			if (host_check(s, &why) < 0) {
				diag_error(l, "host \"%s\": %s", s, why);
				continue;
			}
			if (zone_match(z->zone, s) != 1) {
				diag_error(l, "host %s is not under zone %s", s,
				    z->key);
				continue;
			}
		}
		z->hosts[z->nhosts].s = s;
		z->hosts[z->nhosts++].loc = *l;
	}
}

static void
parse_cidrs(struct arena *a, struct cat_zone *z, const struct ynode *n)
{
	struct ynode **items, *one;
	size_t nitems, i;

	if (!y_want_list(n, "cidrs", &items, &nitems, &one))
		return;
	z->cidrs = arena_alloc(a, (nitems ? nitems : 1) * sizeof(*z->cidrs));
	for (i = 0; i < nitems; i++) {
		const char *s = y_want_str(items[i], "cidr");
		struct cat_cidr *cc = &z->cidrs[z->ncidrs];
		bool hostbits = false;
		char buf[ADDR_STRLEN];

		if (s == NULL)
			continue;
		if (addr_parse(s, &cc->fam, &cc->addr, &cc->len,
		    &hostbits) < 0) {
			diag_error(&items[i]->loc, "\"%s\" is not an address "
			    "or CIDR", s);
			continue;
		}
		if (hostbits)
			diag_warning(&items[i]->loc, "%s has host bits set; "
			    "using %s", s, addr_format(buf, cc->fam, cc->addr,
			    cc->len));
		cc->loc = items[i]->loc;
		z->ncidrs++;
	}
}

static void
parse_zone(struct arena *a, struct catalog *c, const struct ynode *key,
    const struct ynode *val)
{
	struct cat_zone *z = &c->zones[c->nzones];
	const struct ynode *n;
	const char *why, *s;
	size_t i;

	if ((z->key = y_want_str(key, "zone")) == NULL)
		return;
	if (wildcard_check(z->key, &why) < 0) {
		diag_error(&key->loc, "zone \"%s\": %s", z->key, why);
		return;
	}
	z->zone = z->key + 2;
	z->loc = key->loc;
	z->unlisted = CAT_UNLISTED_ERROR;
	if (y_is_null(val)) {		/* "*.x.example":  (nothing listed) */
		c->nzones++;
		return;
	}
	if (!y_want_map(val, z->key) ||
	    ymap_check_keys(val, zone_keys, z->key) < 0)
		return;
	if ((n = ymap_get(val, "comment")) != NULL)
		(void)y_want_str(n, "comment");
	if ((n = ymap_get(val, "hosts")) != NULL)
		parse_hosts(a, c, z, n);
	if ((n = ymap_get(val, "cidrs")) != NULL)
		parse_cidrs(a, z, n);
	if ((n = ymap_get(val, "unlisted")) != NULL &&
	    (s = y_want_str(n, "unlisted")) != NULL) {
		for (i = 0; unlisted_names[i] != NULL; i++)
			if (strcmp(s, unlisted_names[i]) == 0)
				break;
		if (unlisted_names[i] == NULL) {
			const char *sug = suggest(s, unlisted_names);

			diag_error(&n->loc, "unlisted: \"%s\" is not error, any "
			    "or omit%s%s%s", s, sug ? " (did you mean " : "",
			    sug ? sug : "", sug ? "?)" : "");
			return;
		}
		z->unlisted = (enum cat_unlisted)i;
		z->has_unlisted = true;
		z->unlisted_loc = n->loc;
	}
	c->nzones++;
}

struct catalog *
catalog_parse(struct arena *a, const struct ynode *root, const char *file)
{
	struct catalog *c;
	const struct ynode *n;
	unsigned long version;
	int nerr = diag_errors();
	size_t i;

	if (!y_want_map(root, "catalog") ||
	    ymap_check_keys(root, catalog_keys, "catalog") < 0)
		return NULL;
	c = arena_alloc(a, sizeof(*c));
	c->file = file;
	c->loc = root->loc;
	if ((n = ymap_get(root, "egressc-catalog")) == NULL)
		diag_error(&root->loc, "missing egressc-catalog: 1");
	else if (y_want_uint(n, "egressc-catalog", 1000, &version) == 0 &&
	    version != 1)
		diag_error(&n->loc, "egressc-catalog: %lu: this egressc reads "
		    "catalog format 1", version);
	c->name = want_key_str(root, "name", "catalog");
	if ((n = ymap_get(root, "description")) != NULL)
		(void)y_want_str(n, "description");
	/* A host list nobody can trace or date cannot be kept current. */
	c->source = want_key_str(root, "source", "catalog");
	if ((n = ymap_get(root, "checked")) == NULL)
		diag_error(&root->loc, "catalog: missing checked: (the date "
		    "someone last compared it with its source, YYYY-MM-DD)");
	else
		parse_checked(c, n);
	if ((n = ymap_get(root, "regions")) != NULL)
		parse_regions(a, c, n);
	if ((n = ymap_get(root, "zones")) == NULL) {
		diag_error(&root->loc, "catalog: missing zones:");
	} else if (y_want_map(n, "zones")) {
		if (n->n == 0)
			diag_error(&n->loc, "catalog lists no zones");
		c->zones = arena_alloc(a, (n->n ? n->n : 1) *
		    sizeof(*c->zones));
		for (i = 0; i < n->n; i++)
			parse_zone(a, c, n->pairs[i].key, n->pairs[i].val);
	}
	return diag_errors() > nerr ? NULL : c;
}

/*
 * catalog livekit
 */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The host of an https:// (or wss://) URL, lower-cased; NULL if none. */
static char *
url_host(struct arena *a, const char *url)
{
	const char *p;
	size_t n;
	char *h;

	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "wss://", 6) == 0)
		p = url + 6;
	else
		return NULL;
	n = strcspn(p, "/:?#");
	if (p[n] != '\0' && p[n] != '/')
		return NULL;	/* a port, query or fragment: not LiveKit's */
	h = arena_strndup(a, p, n);
	for (char *q = h; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q += 'a' - 'A';
	return h;
}

/* One region object: {"region": "...", "url": "...", "distance": "..."}.
 * Keys LiveKit may add later are ignored: only these two matter here. */
static const char *
livekit_region(struct arena *a, const char *project, const struct ynode *it)
{
	const struct ynode *rn, *un;
	const char *region, *url, *why;
	char *host, *want;

	if (!y_want_map(it, "region"))
		return NULL;
	if ((rn = ymap_get(it, "region")) == NULL) {
		diag_error(&it->loc, "region object without \"region\"");
		return NULL;
	}
	if ((region = y_want_str(rn, "region")) == NULL)
		return NULL;
	if (!region_ok(region)) {
		diag_error(&rn->loc, "region \"%s\": a region code is "
		    "lower-case letters and digits", region);
		return NULL;
	}
	if ((un = ymap_get(it, "url")) == NULL) {
		diag_error(&it->loc, "region %s has no \"url\"", region);
		return NULL;
	}
	if ((url = y_want_str(un, "url")) == NULL)
		return NULL;
	if ((host = url_host(a, url)) == NULL) {
		diag_error(&un->loc, "url \"%s\" is not https://HOST", url);
		return NULL;
	}
	if (host_check(host, &why) < 0) {
		diag_error(&un->loc, "url host \"%s\": %s", host, why);
		return NULL;
	}
	/* The catalog writes this host as a pattern over regions, so it
	 * must follow the pattern; a new layout needs a person to look. */
	want = arena_printf(a, "%s.%s.production.livekit.cloud", project,
	    region);
	if (strcmp(host, want) != 0) {
		diag_error(&un->loc, "url host %s is not %s: LiveKit's layout "
		    "has changed or the list is another project's", host,
		    want);
		return NULL;
	}
	return region;
}

/* s as a YAML double-quoted scalar: a URL may hold ": " or " #". */
static void
put_quoted(struct out *o, const char *s)
{
	out_putc(o, '"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			out_printf(o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			out_printf(o, "\\x%02x", ch);
		else
			out_putc(o, ch);
	}
	out_putc(o, '"');
}

/* date: today, YYYY-MM-DD. */
static void
livekit_write(struct out *o, const char *project, const char *source,
    const char *date, const char *const *regions, size_t n)
{
	const char *p = project;
	size_t i;

	out_printf(o,
	    "# LiveKit Cloud catalog for project %s, written by\n"
	    "# `egressc catalog livekit` from the project's own region list.\n"
	    "# Regenerate it rather than edit it ($TOKEN: an access token for\n"
	    "# the project, as LiveKit's client SDKs send):\n"
	    "#   curl -fsS -H \"Authorization: Bearer $TOKEN\" \\\n"
	    "#     https://%s.livekit.cloud/settings/regions >regions.json\n"
	    "#   egressc catalog livekit --project %s --regions regions.json \\\n"
	    "#     -o livekit-cloud.yaml\n"
	    "# The hosts name the project literally: this region list is its\n"
	    "# own, so the policy's ${livekit_project} plays no part here.\n"
	    "egressc-catalog: 1\n"
	    "name: livekit-cloud-%s\n"
	    "source: ", p, p, p, p);
	put_quoted(o, source);
	out_printf(o, "\n"
	    "checked: %s\n"
	    "# The %zu region%s the list returned, sorted: its order and its\n"
	    "# distances depend on where the request came from.\n"
	    "regions:\n", date, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		out_printf(o, "  - %s\n", regions[i]);
	out_printf(o,
	    "zones:\n"
	    "  # Signalling (WSS, TCP 443).  The project URL resolves to the\n"
	    "  # cluster nearest the client; the regional endpoints are the\n"
	    "  # urls the region list hands to clients that fail over.\n"
	    "  \"*.livekit.cloud\":\n"
	    "    hosts:\n"
	    "      - %s.livekit.cloud\n"
	    "      - \"%s.${region}.production.livekit.cloud\"\n"
	    "  # TURN/TLS (TCP 443): the project's TURN host and each region's,\n"
	    "  # as in LiveKit's list for firewalls without wildcards.\n"
	    "  \"*.turn.livekit.cloud\":\n"
	    "    hosts:\n"
	    "      - %s.turn.livekit.cloud\n"
	    "      - \"${region}.turn.livekit.cloud\"\n"
	    "  # TURN/UDP (UDP 3478).  Per-node names (ip-A-B-C-D.host.livekit.cloud)\n"
	    "  # carry the node's address and cannot be listed ahead of time;\n"
	    "  # LiveKit's static ranges stand for them.  Observed node addresses\n"
	    "  # lie in 161.115.160.0/19, and the ranges hold for clients that\n"
	    "  # connect through a regional endpoint\n"
	    "  # (%s.{canada,eu,india,japan,us}.rtc.livekit.cloud).\n"
	    "  # No unlisted: any on purpose: it would open UDP 3478 to every\n"
	    "  # address, and LiveKit's no-wildcard list carries calls to other\n"
	    "  # nodes over TURN/TLS on TCP 443.\n"
	    "  \"*.host.livekit.cloud\":\n"
	    "    cidrs:\n"
	    "      - 143.223.88.0/21\n"
	    "      - 161.115.160.0/19\n"
	    "      - 153.57.128.0/18\n",
	    p, p, p, p);
}

/* --source goes into the catalog as text: UTF-8, and no control
 * character, or the catalog written could not be read back. */
static bool
source_ok(const char *s)
{
	const unsigned char *p;

	if (yaml_utf8_invalid((const unsigned char *)s, strlen(s)) >= 0) {
		diag_error(NULL, "--source: not UTF-8 text (byte %ld)",
		    yaml_utf8_invalid((const unsigned char *)s, strlen(s)) + 1);
		return false;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			diag_error(NULL, "--source: a control character (byte "
			    "%ld, 0x%02x)", (long)(p - (const unsigned char *)s) +
			    1, *p);
			return false;
		}
	if (*s == '\0') {
		diag_error(NULL, "--source: empty");
		return false;
	}
	return true;
}

int
catalog_livekit(struct arena *a, const char *project,
    const char *regions_file, const char *source_url, struct out *out)
{
	const struct ynode *root, *list;
	const char **regions, *why, *r;
	size_t n = 0, u, i;
	int nerr = diag_errors();
	char stamp[CLOCK_TEXT_SIZE];
	long long now;

	out_reset(out);		/* an error leaves nothing to write */
	if (source_url != NULL && !source_ok(source_url))
		return -1;
	if (host_check(arena_printf(a, "%s.livekit.cloud", project),
	    &why) < 0 || strchr(project, '.') != NULL) {
		diag_error(NULL, "--project %s: not a LiveKit project name "
		    "(one DNS label: lower-case letters, digits and '-')",
		    project);
		return -1;
	}
	if ((root = yaml_load(a, regions_file, NULL)) == NULL)
		return -1;
	if (!y_want_map(root, "region list"))
		return -1;
	if ((list = ymap_get(root, "regions")) == NULL) {
		diag_error(&root->loc, "no \"regions\": expected the JSON of "
		    "GET https://%s.livekit.cloud/settings/regions", project);
		return -1;
	}
	if (!y_want_seq(list, "regions"))
		return -1;
	if (list->n == 0) {
		diag_error(&list->loc, "the region list is empty");
		return -1;
	}
	regions = arena_alloc(a, list->n * sizeof(*regions));
	for (i = 0; i < list->n; i++)
		if ((r = livekit_region(a, project, list->items[i])) != NULL)
			regions[n++] = r;
	if (diag_errors() > nerr)
		return -1;
	qsort(regions, n, sizeof(*regions), cmp_str);
	for (i = u = 0; i < n; i++)
		if (u == 0 || strcmp(regions[u - 1], regions[i]) != 0)
			regions[u++] = regions[i];
	if (source_url == NULL)
		source_url = arena_printf(a,
		    "https://%s.livekit.cloud/settings/regions", project);
	if (clock_now(&now) < 0)
		return -1;
	/* The date part of the stamp is the day. */
	clock_format(now, stamp)[10] = '\0';
	livekit_write(out, project, source_url, stamp, regions, u);
	return 0;
}
