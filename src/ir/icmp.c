/*
 * icmp.c - the ICMP and ICMPv6 name table and the parser of messages (see
 * icmp.h).  The table is nft 1.0.6's `nft describe icmp type`, `icmp
 * code`, `icmpv6 type` and `icmpv6 code`, then what `iptables -p icmp -h`
 * and `ip6tables -p ipv6-icmp -h` (iptables 1.8.9) list that nft spells
 * otherwise.  nft's code names are those of destination-unreachable, so
 * they belong to that type here; iptables names a code with its type.
 */
#include <ctype.h>
#include <strings.h>
#include <string.h>

#include "ir/icmp.h"
#include "util/out.h"
#include "util/suggest.h"

#define N	ICMP_NFT
#define I	ICMP_IPT
#define B	(ICMP_NFT | ICMP_IPT)

static const struct icmp_name icmp4[] = {
	{ "echo-reply", 0, -1, B },
	{ "destination-unreachable", 3, -1, B },
	{ "source-quench", 4, -1, B },
	{ "redirect", 5, -1, B },
	{ "echo-request", 8, -1, B },
	{ "router-advertisement", 9, -1, B },
	{ "router-solicitation", 10, -1, B },
	{ "time-exceeded", 11, -1, B },
	{ "parameter-problem", 12, -1, B },
	{ "timestamp-request", 13, -1, B },
	{ "timestamp-reply", 14, -1, B },
	{ "info-request", 15, -1, N },
	{ "info-reply", 16, -1, N },
	{ "address-mask-request", 17, -1, B },
	{ "address-mask-reply", 18, -1, B },
	{ "pong", 0, -1, I },
	{ "ping", 8, -1, I },
	{ "ttl-exceeded", 11, -1, I },
	/* destination-unreachable */
	{ "net-unreachable", 3, 0, N },
	{ "host-unreachable", 3, 1, B },
	{ "prot-unreachable", 3, 2, N },
	{ "port-unreachable", 3, 3, B },
	{ "frag-needed", 3, 4, N },
	{ "net-prohibited", 3, 9, N },
	{ "host-prohibited", 3, 10, B },
	{ "admin-prohibited", 3, 13, N },
	{ "network-unreachable", 3, 0, I },
	{ "protocol-unreachable", 3, 2, I },
	{ "fragmentation-needed", 3, 4, I },
	{ "source-route-failed", 3, 5, I },
	{ "network-unknown", 3, 6, I },
	{ "host-unknown", 3, 7, I },
	{ "network-prohibited", 3, 9, I },
	{ "TOS-network-unreachable", 3, 11, I },
	{ "TOS-host-unreachable", 3, 12, I },
	{ "communication-prohibited", 3, 13, I },
	{ "host-precedence-violation", 3, 14, I },
	{ "precedence-cutoff", 3, 15, I },
	/* redirect */
	{ "network-redirect", 5, 0, I },
	{ "host-redirect", 5, 1, I },
	{ "TOS-network-redirect", 5, 2, I },
	{ "TOS-host-redirect", 5, 3, I },
	/* time-exceeded */
	{ "ttl-zero-during-transit", 11, 0, I },
	{ "ttl-zero-during-reassembly", 11, 1, I },
	/* parameter-problem */
	{ "ip-header-bad", 12, 0, I },
	{ "required-option-missing", 12, 1, I },
	{ NULL, 0, 0, 0 }
};

static const struct icmp_name icmp6[] = {
	{ "destination-unreachable", 1, -1, B },
	{ "packet-too-big", 2, -1, B },
	{ "time-exceeded", 3, -1, B },
	{ "parameter-problem", 4, -1, B },
	{ "echo-request", 128, -1, B },
	{ "echo-reply", 129, -1, B },
	{ "mld-listener-query", 130, -1, N },
	{ "mld-listener-report", 131, -1, N },
	{ "mld-listener-done", 132, -1, N },
	{ "mld-listener-reduction", 132, -1, N },
	{ "nd-router-solicit", 133, -1, N },
	{ "nd-router-advert", 134, -1, N },
	{ "nd-neighbor-solicit", 135, -1, N },
	{ "nd-neighbor-advert", 136, -1, N },
	{ "nd-redirect", 137, -1, N },
	{ "router-renumbering", 138, -1, N },
	{ "ind-neighbor-solicit", 141, -1, N },
	{ "ind-neighbor-advert", 142, -1, N },
	{ "mld2-listener-report", 143, -1, N },
	{ "ttl-exceeded", 3, -1, I },
	{ "ping", 128, -1, I },
	{ "pong", 129, -1, I },
	{ "router-solicitation", 133, -1, I },
	{ "router-advertisement", 134, -1, I },
	{ "neighbour-solicitation", 135, -1, I },
	{ "neighbor-solicitation", 135, -1, I },
	{ "neighbour-advertisement", 136, -1, I },
	{ "neighbor-advertisement", 136, -1, I },
	{ "redirect", 137, -1, I },
	/* destination-unreachable */
	{ "no-route", 1, 0, B },
	{ "admin-prohibited", 1, 1, N },
	{ "addr-unreachable", 1, 3, N },
	{ "port-unreachable", 1, 4, B },
	{ "policy-fail", 1, 5, N },
	{ "reject-route", 1, 6, B },
	{ "communication-prohibited", 1, 1, I },
	{ "beyond-scope", 1, 2, I },
	{ "address-unreachable", 1, 3, I },
	{ "failed-policy", 1, 5, I },
	/* time-exceeded */
	{ "ttl-zero-during-transit", 3, 0, I },
	{ "ttl-zero-during-reassembly", 3, 1, I },
	/* parameter-problem */
	{ "bad-header", 4, 0, I },
	{ "unknown-header-type", 4, 1, I },
	{ "unknown-option", 4, 2, I },
	{ NULL, 0, 0, 0 }
};

#undef N
#undef I
#undef B

const struct icmp_name *
icmp_names(enum fam f)
{
	return f == FAM_V6 ? icmp6 : icmp4;
}

const char *
icmp_name(enum fam f, unsigned type, int code)
{
	const struct icmp_name *n;

	for (n = icmp_names(f); n->name != NULL; n++)
		if ((unsigned)n->type == type && n->code == code)
			return n->name;
	return NULL;
}

bool
icmp_is_name(const char *word)
{
	const struct icmp_name *n;
	int f;

	for (f = 0; f < FAM_N; f++)
		for (n = icmp_names((enum fam)f); n->name != NULL; n++)
			if (strcasecmp(n->name, word) == 0)
				return true;
	return false;
}

/* "255" -> 255; -1 when not a number 0-255 without leading zeros. */
static int
icmp_num(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 255 ? v : -2;
}

static bool
icmp_numeric(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return len > 0;
}

/* The names of one position: types (and type/code names) when type < 0,
 * else the codes of that type; NULL-terminated, for suggest(). */
static const char **
icmp_cands(struct arena *a, enum fam f, int type)
{
	const struct icmp_name *n, *v = icmp_names(f);
	const char **c;
	size_t k = 0;

	for (n = v; n->name != NULL; n++)
		k++;
	c = arena_alloc(a, (k + 1) * sizeof(*c));
	k = 0;
	for (n = v; n->name != NULL; n++)
		if (type < 0 || (n->type == type && n->code >= 0))
			c[k++] = n->name;
	c[k] = NULL;
	return c;
}

/*
 * One number, LO-HI or (names) a name, of types (type < 0) or of the codes
 * of type.  Fills lo, hi and, for a name that says a code too, *code.
 */
static int
icmp_part(struct arena *a, enum fam f, const char *s, size_t len, int type,
    bool ranges, int *lo, int *hi, int *code, const char **why,
    const char **near)
{
	const char *what = type < 0 ? "type" : "code";
	const struct icmp_name *n;
	const char *dash, *word = arena_strndup(a, s, len);

	*code = -1;
	if (icmp_numeric(s, len)) {
		dash = memchr(s, '-', len);
		if (dash != NULL && !ranges) {
			*why = arena_printf(a, "one ICMP %s is needed, not the "
			    "range '%s'", what, word);
			return -1;
		}
		*lo = icmp_num(s, dash ? (size_t)(dash - s) : len);
		*hi = dash ? icmp_num(dash + 1, len - (size_t)(dash - s) - 1) :
		    *lo;
		if (*lo == -2 || *hi == -2) {
			*why = arena_printf(a, "ICMP %s '%s' out of range "
			    "(0-255)", what, word);
			return -1;
		}
		if (*lo < 0 || *hi < 0) {
			*why = arena_printf(a, "bad ICMP %s '%s'", what, word);
			return -1;
		}
		if (*lo > *hi) {
			*why = arena_printf(a, "ICMP %s range '%s' runs "
			    "backwards", what, word);
			return -1;
		}
		return 0;
	}
	for (n = icmp_names(f); n->name != NULL; n++) {
		if (strcasecmp(n->name, word) != 0)
			continue;
		if (type >= 0 && (n->type != type || n->code < 0))
			continue;
		*lo = *hi = type < 0 ? n->type : n->code;
		if (type < 0)
			*code = n->code;
		return 0;
	}
	*near = suggest(word, icmp_cands(a, f, type));
	if (type < 0)
		*why = arena_printf(a, "unknown %s type '%s'", f == FAM_V6 ?
		    "ICMPv6" : "ICMP", word);
	else
		*why = arena_printf(a, "unknown %s code '%s' of type %d",
		    f == FAM_V6 ? "ICMPv6" : "ICMP", word, type);
	return -1;
}

int
icmp_parse(struct arena *a, enum fam f, const char *s, bool ranges,
    struct ival *out, const char **why, const char **near)
{
	const char *slash = strchr(s, '/');
	size_t tlen = slash ? (size_t)(slash - s) : strlen(s);
	int tlo, thi, clo = 0, chi = 255, tcode, dummy;

	*why = *near = NULL;
	if (tlen == 0) {
		*why = slash ? "an ICMP code needs a type before it" :
		    "ICMP type missing";
		return -1;
	}
	if (icmp_part(a, f, s, tlen, -1, ranges, &tlo, &thi, &tcode, why,
	    near) < 0)
		return -1;
	if (tcode >= 0)
		clo = chi = tcode;
	if (slash != NULL) {
		if (tcode >= 0) {
			*why = arena_printf(a, "'%.*s' names a code already",
			    (int)tlen, s);
			return -1;
		}
		if (tlo != thi) {
			*why = "a code needs one type, not a range of them";
			return -1;
		}
		if (strchr(slash + 1, '/') != NULL || slash[1] == '\0') {
			*why = slash[1] == '\0' ? "ICMP code missing" :
			    "an ICMP message is TYPE or TYPE/CODE";
			return -1;
		}
		if (icmp_part(a, f, slash + 1, strlen(slash + 1), tlo, ranges,
		    &clo, &chi, &dummy, why, near) < 0)
			return -1;
	}
	out->lo = ICMP_TC(tlo, clo);
	out->hi = ICMP_TC(thi, chi);
	return 0;
}

void
icmp_format(struct out *o, const struct iset *tc)
{
	const char *sep = "";
	unsigned t, t2, c, c2;
	size_t i;
	u128 x;

	for (i = 0; i < tc->n; i++)
		for (x = tc->v[i].lo; x <= tc->v[i].hi; sep = ", ") {
			t = ICMP_TYPE(x);
			c = ICMP_CODE(x);
			if (c == 0 && tc->v[i].hi >= ICMP_TC(t, 255)) {
				for (t2 = t; t2 < 255 &&
				    tc->v[i].hi >= ICMP_TC(t2 + 1, 255); t2++)
					;
				out_printf(o, t2 == t ? "%s%u" : "%s%u-%u",
				    sep, t, t2);
				x = ICMP_TC(t2, 255) + 1;
				continue;
			}
			c2 = ICMP_TYPE(tc->v[i].hi) == t ?
			    ICMP_CODE(tc->v[i].hi) : 255;
			out_printf(o, c2 == c ? "%s%u/%u" : "%s%u/%u-%u", sep,
			    t, c, c2);
			x = ICMP_TC(t, c2) + 1;
		}
}

/* The codes of type t in the set, shifted down to 0-255. */
static void
icmp_codes(struct arena *a, const struct iset *tc, unsigned t,
    struct iset *out)
{
	u128 lo = ICMP_TC(t, 0), hi = ICMP_TC(t, 255);
	size_t i;

	iset_init(out);
	for (i = 0; i < tc->n; i++) {
		u128 x = tc->v[i].lo > lo ? tc->v[i].lo : lo;
		u128 y = tc->v[i].hi < hi ? tc->v[i].hi : hi;

		if (x <= y)
			iset_add(a, out, x - lo, y - lo);
	}
	iset_norm(out);
}

size_t
icmp_groups(struct arena *a, const struct iset *tc, struct icmp_group **out)
{
	struct icmp_group *v = NULL;
	struct iset codes;
	size_t n = 0, cap = 0, g;
	unsigned t;

	for (t = 0; t < 256; t++) {
		icmp_codes(a, tc, t, &codes);
		if (iset_empty(&codes))
			continue;
		for (g = 0; g < n; g++)
			if (iset_equal(&v[g].codes, &codes))
				break;
		if (g == n) {
			ARENA_PUSH(a, v, n, cap);
			iset_init(&v[g].types);
			v[g].codes = codes;
			v[g].every_code = iset_full(&codes, 255);
		}
		iset_add(a, &v[g].types, t, t);
	}
	for (g = 0; g < n; g++)
		iset_norm(&v[g].types);
	*out = v;
	return n;
}

size_t
icmp_messages(struct arena *a, const struct iset *tc, struct icmp_msg **out)
{
	struct icmp_group *g;
	struct icmp_msg *v = NULL;
	size_t ng, i, j, k, n = 0, cap = 0;
	u128 t, c;

	ng = icmp_groups(a, tc, &g);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].types.n; j++)
			for (t = g[i].types.v[j].lo; t <= g[i].types.v[j].hi;
			    t++) {
				if (g[i].every_code) {
					ARENA_PUSH(a, v, n, cap);
					v[n - 1] = (struct icmp_msg){
					    (unsigned)t, -1 };
					continue;
				}
				for (k = 0; k < g[i].codes.n; k++)
					for (c = g[i].codes.v[k].lo;
					    c <= g[i].codes.v[k].hi; c++) {
						ARENA_PUSH(a, v, n, cap);
						v[n - 1] = (struct icmp_msg){
						    (unsigned)t, (int)c };
					}
			}
	*out = v;
	return n;
}
