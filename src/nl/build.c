/*
 * build.c - the nftables model (nft/nft.h) as libnftnl objects.
 *
 * The model says what the table holds; the text back end prints it and
 * nft(8) 1.0.6 turns that text into expressions.  For every rule of the
 * model this builds the expressions nft would: the same dependency
 * matches (meta nfproto, meta l4proto), the same payload loads (shortened
 * for byte-aligned prefixes), the same anonymous sets with the same flags,
 * user data and interval end elements, the same verdicts; a run's set is
 * declared and filled as nft does a concatenated interval set (key and key
 * end per element, each part in a 32-bit register).  Keeping the two
 * paths expression-identical is what lets the cross-check compare
 * `nft -j list` output of both.
 */
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "nl/nl-int.h"

/* nft's datatype numbers (datatype.h) and payload descriptions (proto.h). */
enum {
	DT_NFPROTO = 2, DT_IPADDR = 7, DT_IP6ADDR = 8, DT_INET_PROTO = 12,
	DT_INET_SERVICE = 13, DT_ICMP_TYPE = 14, DT_IFINDEX = 20,
	DT_CT_STATE = 26, DT_CT_DIR = 27, DT_ICMP6_TYPE = 29,
	DT_ICMP_CODE = 32, DT_ICMP6_CODE = 33,
};
#define NFT_EXPR_PAYLOAD	7	/* enum expr_types: typeof user data */
#define NFT_BYTEORDER_BIG	2	/* enum byteorder */
#define NFT_USERDATA_MAX	256

const struct nl_field nl_f_nfproto = { "meta nfproto", NL_F_META,
    NFT_META_NFPROTO, 0, 1, 0, -1, DT_NFPROTO, 0, 0 };
const struct nl_field nl_f_l4proto = { "meta l4proto", NL_F_META,
    NFT_META_L4PROTO, 0, 1, 0, -1, DT_INET_PROTO, 0, 0 };
const struct nl_field nl_f_oif = { "oif", NL_F_META,
    NFT_META_OIF, 0, 4, 0, -1, DT_IFINDEX, 0, 0 };
const struct nl_field nl_f_iif = { "iif", NL_F_META,
    NFT_META_IIF, 0, 4, 0, -1, DT_IFINDEX, 0, 0 };
const struct nl_field nl_f_ctstate = { "ct state", NL_F_CT,
    NFT_CT_STATE, 0, 4, 0, -1, DT_CT_STATE, 0, 0 };
const struct nl_field nl_f_ctdir = { "ct direction", NL_F_CT,
    NFT_CT_DIRECTION, 0, 1, 0, -1, DT_CT_DIR, 0, 0 };
const struct nl_field nl_f_ip_saddr = { "ip saddr", NL_F_PAYLOAD,
    NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFPROTO_IPV4, -1, DT_IPADDR, 12, 11 };
const struct nl_field nl_f_ip_daddr = { "ip daddr", NL_F_PAYLOAD,
    NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFPROTO_IPV4, -1, DT_IPADDR, 12, 12 };
const struct nl_field nl_f_ip6_saddr = { "ip6 saddr", NL_F_PAYLOAD,
    NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFPROTO_IPV6, -1, DT_IP6ADDR, 13, 8 };
const struct nl_field nl_f_ip6_daddr = { "ip6 daddr", NL_F_PAYLOAD,
    NFT_PAYLOAD_NETWORK_HEADER, 24, 16, NFPROTO_IPV6, -1, DT_IP6ADDR, 13, 9 };
const struct nl_field nl_f_tcp_dport = { "tcp dport", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 0, 6, DT_INET_SERVICE, 8, 2 };
const struct nl_field nl_f_udp_dport = { "udp dport", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 0, 17, DT_INET_SERVICE, 6, 2 };
const struct nl_field nl_f_sctp_dport = { "sctp dport", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 0, 132, DT_INET_SERVICE, 10, 2 };
const struct nl_field nl_f_icmp_type = { "icmp type", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFPROTO_IPV4, 1, DT_ICMP_TYPE, 4, 1 };
const struct nl_field nl_f_icmp_code = { "icmp code", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, NFPROTO_IPV4, 1, DT_ICMP_CODE, 4, 2 };
const struct nl_field nl_f_icmp6_type = { "icmpv6 type", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFPROTO_IPV6, 58, DT_ICMP6_TYPE,
    14, 1 };
const struct nl_field nl_f_icmp6_code = { "icmpv6 code", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 1, 1, NFPROTO_IPV6, 58, DT_ICMP6_CODE,
    14, 2 };
/* `icmp type T icmp code C`, which nft loads as one: (T << 8 | C). */
const struct nl_field nl_f_icmp_tc = { "icmp type . code", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFPROTO_IPV4, 1, 0, 4, 0 };
const struct nl_field nl_f_icmp6_tc = { "icmpv6 type . code", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFPROTO_IPV6, 58, 0, 14, 0 };

/* th dport: what a run's concatenation loads, with no dependency. */
const struct nl_field nl_f_th_dport = { "th dport", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, 0, -1, DT_INET_SERVICE, 0, 0 };
/* A run's key: nft's concatenated type is each part's datatype, 6 bits
 * each, the first one highest (concat_type_alloc). */
#define DT_CONCAT3(a, b, c)	(((a) << 12) | ((b) << 6) | (c))
const struct nl_field nl_f_run4 = { "ip daddr . meta l4proto . th dport",
    NL_F_CONCAT, 0, 0, 12, NFPROTO_IPV4, -1,
    DT_CONCAT3(DT_IPADDR, DT_INET_PROTO, DT_INET_SERVICE), 0, 0 };
const struct nl_field nl_f_run6 = { "ip6 daddr . meta l4proto . th dport",
    NL_F_CONCAT, 0, 0, 24, NFPROTO_IPV6, -1,
    DT_CONCAT3(DT_IP6ADDR, DT_INET_PROTO, DT_INET_SERVICE), 0, 0 };
#define NFT_EXPR_CONCAT		13	/* enum expr_types, nft 1.0.6 */

size_t
nl_concat_parts(const struct nl_field *f,
    const struct nl_field *part[NFT_CONCAT_MAX])
{
	if (f != &nl_f_run4 && f != &nl_f_run6)
		return 0;
	part[0] = f == &nl_f_run4 ? &nl_f_ip_daddr : &nl_f_ip6_daddr;
	part[1] = &nl_f_l4proto;
	part[2] = &nl_f_th_dport;
	return 3;
}

uint32_t
nl_celem_key(const struct nl_field *f, const struct nl_celem *e, bool end,
    uint8_t *buf)
{
	const struct nl_field *part[NFT_CONCAT_MAX];
	size_t n = nl_concat_parts(f, part), i;
	uint32_t off = 0;

	for (i = 0; i < n; i++) {
		/* Each part in a register of its own: padded to 4 bytes. */
		uint32_t len = part[i]->len, pad = (len + 3) & ~3u;

		memset(buf + off, 0, pad);
		nl_put_value(buf + off, end ? e->hi[i] : e->lo[i], len);
		off += pad;
	}
	return off;
}

int
nl_celem_cmp(const void *x, const void *y)
{
	const struct nl_celem *a = x, *b = y;
	size_t i;

	for (i = 0; i < NFT_CONCAT_MAX; i++) {
		if (a->lo[i] != b->lo[i])
			return a->lo[i] < b->lo[i] ? -1 : 1;
		if (a->hi[i] != b->hi[i])
			return a->hi[i] < b->hi[i] ? -1 : 1;
	}
	if (a->comment == NULL || b->comment == NULL)
		return (a->comment != NULL) - (b->comment != NULL);
	return strcmp(a->comment, b->comment);
}

void
nl_celems_sort(struct nl_celems *c)
{
	if (c->n > 1)
		qsort(c->e, c->n, sizeof(*c->e), nl_celem_cmp);
}

bool
nl_celems_equal(const struct nl_celems *a, const struct nl_celems *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (nl_celem_cmp(&a->e[i], &b->e[i]) != 0)
			return false;
	return true;
}

/* Per-rule build state: which dependencies the rule already matched. */
struct rb {
	struct nl_want		*w;
	struct nftnl_rule	*r;
	int			 nfproto;	/* matched so far, 0: none */
	int			 l4proto;	/* -1: none */
};

static uint32_t	set_ids;

void
nl_put_value(uint8_t *buf, u128 v, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[len - 1 - i] = (uint8_t)(v >> (8 * i));
}

u128
nl_get_value(const uint8_t *buf, uint32_t len)
{
	u128 v = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		v = (v << 8) | buf[i];
	return v;
}

static u128
field_max(const struct nl_field *f)
{
	return f->len >= 16 ? ~(u128)0 : ((u128)1 << (8 * f->len)) - 1;
}

static void
add_expr(struct rb *b, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(b->r, e);
}

static struct nftnl_expr *
expr_new(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e == NULL) {
		fprintf(stderr, "egressc: out of memory\n");
		abort();
	}
	return e;
}

static void
e_load(struct rb *b, const struct nl_field *f, uint32_t len)
{
	struct nftnl_expr *e;

	switch (f->kind) {
	case NL_F_META:
		e = expr_new("meta");
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, f->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
		break;
	case NL_F_CT:
		e = expr_new("ct");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, f->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		break;
	default:
		e = expr_new("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, f->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, f->off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
		break;
	}
	add_expr(b, e);
}

static void
e_cmp(struct rb *b, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_new("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(b, e);
}

static void
e_bitwise(struct rb *b, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = expr_new("bitwise");
	uint8_t zero[16] = { 0 };

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	add_expr(b, e);
}

static void
e_lookup(struct rb *b, const char *set, uint32_t id, bool neg)
{
	struct nftnl_expr *e = expr_new("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	if (neg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
		    NFT_LOOKUP_F_INV);
	add_expr(b, e);
}

/* `FIELD != lo-hi`: nft's range expression. */
static void
e_range_neq(struct rb *b, const void *from, const void *to, uint32_t len)
{
	struct nftnl_expr *e = expr_new("range");

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_NEQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, from, len);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, to, len);
	add_expr(b, e);
}

static void
e_verdict(struct rb *b, int verdict)
{
	struct nftnl_expr *e = expr_new("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	add_expr(b, e);
}

/* `FIELD == value` on a one-byte or host-order field (meta, ct). */
static void
match_u8(struct rb *b, const struct nl_field *f, uint8_t v)
{
	e_load(b, f, f->len);
	e_cmp(b, NFT_CMP_EQ, &v, 1);
}

/* The dependencies nft adds in front of a field of an inet table. */
static void
need_deps(struct rb *b, const struct nl_field *f)
{
	if (f->nfproto != 0 && b->nfproto != f->nfproto &&
	    (f->l4proto < 0 || b->l4proto != f->l4proto)) {
		/* icmp type after `meta l4proto icmp` needs no nfproto;
		 * nft only adds it when nothing says the family yet. */
		if (b->nfproto == 0) {
			match_u8(b, &nl_f_nfproto, (uint8_t)f->nfproto);
			b->nfproto = f->nfproto;
		}
	}
	if (f->l4proto >= 0 && b->l4proto != f->l4proto) {
		match_u8(b, &nl_f_l4proto, (uint8_t)f->l4proto);
		b->l4proto = f->l4proto;
	}
}

/* The NEWSET header of a set; elements come from its iset.  Named sets
 * are as nft declares `set NAME { type ...; flags ...; timeout ...; }`. */
static void
set_init(struct nl_want *w, struct nl_set *s, const struct nl_field *f,
    const struct iset *v, bool interval, const struct nft_set *named)
{
	struct nftnl_udata_buf *ud;
	struct nftnl_udata *n1, *n2;
	uint32_t flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;

	memset(s, 0, sizeof(*s));
	s->id = ++set_ids;
	s->field = f;
	s->interval = interval;
	s->name = "__set%d";
	iset_init(&s->v);
	iset_copy(w->arena, &s->v, v);
	if (named != NULL && interval) {
		s->pfx = named->elems.pfx;
		s->npfx = named->elems.npfx;
	}
	s->nelems = nl_set_elems(s, NULL, NULL, NULL, 0);
	if (named != NULL) {
		s->name = named->name;
		s->m = named;
		s->dynamic = NFT_SET_DYNAMIC(named);
		s->timeout_ms = named->timeout_ms;
		flags = s->dynamic ? NFT_SET_TIMEOUT : 0;
	}
	if (interval)
		flags |= NFT_SET_INTERVAL;

	s->s = nftnl_set_alloc();
	nftnl_set_set_u32(s->s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s->s, NFTNL_SET_TABLE, w->table);
	nftnl_set_set_str(s->s, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(s->s, NFTNL_SET_ID, s->id);
	nftnl_set_set_u32(s->s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_TYPE, f->dtype);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_LEN, f->len);
	if (s->dynamic)
		nftnl_set_set_u64(s->s, NFTNL_SET_TIMEOUT, s->timeout_ms);
	if (named == NULL)
		nftnl_set_set_u32(s->s, NFTNL_SET_DESC_SIZE,
		    (uint32_t)s->nelems);

	/* nft's user data: key byte order; for anonymous sets automerge
	 * and the key's typeof too. */
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAX);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
	    NFT_BYTEORDER_BIG);
	if (named == NULL) {
		if (interval)
			nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_MERGE_ELEMENTS,
			    1);
		n1 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
		    NFT_EXPR_PAYLOAD);
		n2 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
		nftnl_udata_put_u32(ud, 0 /* KEY_PAYLOAD_DESC */, f->desc);
		nftnl_udata_put_u32(ud, 1 /* KEY_PAYLOAD_TYPE */, f->tmpl);
		nftnl_udata_nest_end(ud, n2);
		nftnl_udata_nest_end(ud, n1);
	}
	nftnl_set_set_data(s->s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

/*
 * A run's set, as nft 1.0.6 declares `set NAME { type ipv4_addr .
 * inet_proto . inet_service; flags interval; }`: flags interval and
 * concat, the concatenated type, each part's length in the description,
 * and user data of key byte order 0 (a concatenation has none) and a
 * typeof of an empty concatenation.
 */
static void
run_set_init(struct nl_want *w, struct nl_set *s, const struct nft_set *ms)
{
	const struct nl_field *part[NFT_CONCAT_MAX];
	uint8_t lens[NFT_CONCAT_MAX + 1];	/* libnftnl's are bytes */
	struct nftnl_udata_buf *ud;
	struct nftnl_udata *n1, *n2;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	s->id = ++set_ids;
	s->field = ms->fam == FAM_V4 ? &nl_f_run4 : &nl_f_run6;
	s->interval = true;
	s->name = ms->name;
	s->m = ms;
	iset_init(&s->v);
	s->nelems = ms->ntv;
	s->ce.n = s->cs.n = ms->ntv;
	s->ce.e = arena_alloc(w->arena, (ms->ntv + 1) * sizeof(*s->ce.e));
	s->cs.e = arena_alloc(w->arena, (ms->ntv + 1) * sizeof(*s->cs.e));
	for (i = 0; i < ms->ntv; i++) {
		struct nl_celem *e = &s->ce.e[i];
		size_t k;

		memset(e, 0, sizeof(*e));
		for (k = 0; k < ms->nkeys; k++) {
			struct ival v = nft_elem_key(&ms->tv[i], k);

			e->lo[k] = v.lo;
			e->hi[k] = v.hi;
		}
		e->comment = ms->tv[i].comment;
	}
	memcpy(s->cs.e, s->ce.e, ms->ntv * sizeof(*s->ce.e));
	nl_celems_sort(&s->cs);

	s->s = nftnl_set_alloc();
	nftnl_set_set_u32(s->s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s->s, NFTNL_SET_TABLE, w->table);
	nftnl_set_set_str(s->s, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(s->s, NFTNL_SET_ID, s->id);
	nftnl_set_set_u32(s->s, NFTNL_SET_FLAGS, NFT_SET_INTERVAL |
	    NFT_SET_CONCAT);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_TYPE, s->field->dtype);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_LEN, s->field->len);
	n = nl_concat_parts(s->field, part);
	memset(lens, 0, sizeof(lens));
	for (i = 0; i < n; i++)
		lens[i] = (uint8_t)part[i]->len;
	nftnl_set_set_data(s->s, NFTNL_SET_DESC_CONCAT, lens,
	    (uint32_t)(n * sizeof(lens[0])));
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAX);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, 0);
	n1 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR, NFT_EXPR_CONCAT);
	n2 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_nest_end(ud, n2);
	nftnl_udata_nest_end(ud, n1);
	nftnl_set_set_data(s->s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
}

/* An anonymous set of the rule being built. */
static struct nl_set *
set_new(struct rb *b, const struct nl_field *f, const struct iset *v,
    bool interval)
{
	struct nl_want *w = b->w;

	ARENA_PUSH(w->arena, w->sets, w->nsets, w->capsets);
	set_init(w, &w->sets[w->nsets - 1], f, v, interval, NULL);
	return &w->sets[w->nsets - 1];
}

size_t
nl_set_elems(const struct nl_set *s, uint8_t (*keys)[16], uint32_t *flags,
    bool *open, size_t max)
{
	const struct nl_field *f = s->field;
	u128 fmax = field_max(f);
	size_t i, n = 0;

#define EMIT(val, fl, op) do {						\
	if (n < max) {							\
		memset(keys[n], 0, 16);					\
		nl_put_value(keys[n], (val), f->len);			\
		flags[n] = (fl);					\
		open[n] = (op);						\
	}								\
	n++;								\
} while (0)

	if (!s->interval) {
		for (i = 0; i < s->v.n; i++) {
			u128 x;

			for (x = s->v.v[i].lo;; x++) {
				EMIT(x, 0, false);
				if (x == s->v.v[i].hi)
					break;
			}
		}
		return n;
	}
	if (s->pfx != NULL) {
		/* A named set keeps each prefix apart: start, then the end
		 * one past it, which may be the next one's start. */
		int width = (int)f->len * 8;

		if (s->npfx > 0 && s->pfx[0].addr != 0)
			EMIT(0, NFT_SET_ELEM_INTERVAL_END, false);
		for (i = 0; i < s->npfx; i++) {
			u128 host = s->pfx[i].len == 0 ? fmax : (((u128)1 <<
			    (width - s->pfx[i].len)) - 1);
			u128 hi = (s->pfx[i].addr | host) & fmax;
			bool top = hi == fmax;

			EMIT(s->pfx[i].addr, 0, top);
			if (!top)
				EMIT(hi + 1, NFT_SET_ELEM_INTERVAL_END, false);
		}
		return n;
	}
	/* nft's set_to_intervals: a leading end element at 0 for anonymous
	 * sets, then each interval's start and the end one past it. */
	if (s->v.n > 0 && s->v.v[0].lo != 0)
		EMIT(0, NFT_SET_ELEM_INTERVAL_END, false);
	for (i = 0; i < s->v.n; i++) {
		bool top = s->v.v[i].hi == fmax;

		EMIT(s->v.v[i].lo, 0, top);
		if (!top)
			EMIT(s->v.v[i].hi + 1, NFT_SET_ELEM_INTERVAL_END, false);
	}
#undef EMIT
	return n;
}

/* The model's fields as registers are loaded. */
static const struct nl_field *const fields[NFT_F_N] = {
	[NFT_F_NFPROTO] = &nl_f_nfproto, [NFT_F_L4PROTO] = &nl_f_l4proto,
	[NFT_F_OIF] = &nl_f_oif, [NFT_F_IIF] = &nl_f_iif,
	[NFT_F_CTSTATE] = &nl_f_ctstate, [NFT_F_CTDIR] = &nl_f_ctdir,
	[NFT_F_IP_SADDR] = &nl_f_ip_saddr, [NFT_F_IP_DADDR] = &nl_f_ip_daddr,
	[NFT_F_IP6_SADDR] = &nl_f_ip6_saddr,
	[NFT_F_IP6_DADDR] = &nl_f_ip6_daddr,
	[NFT_F_TCP_DPORT] = &nl_f_tcp_dport,
	[NFT_F_UDP_DPORT] = &nl_f_udp_dport,
	[NFT_F_SCTP_DPORT] = &nl_f_sctp_dport,
	[NFT_F_ICMP_TYPE] = &nl_f_icmp_type,
	[NFT_F_ICMP_CODE] = &nl_f_icmp_code,
	[NFT_F_ICMP6_TYPE] = &nl_f_icmp6_type,
	[NFT_F_ICMP6_CODE] = &nl_f_icmp6_code,
	[NFT_F_TH_DPORT] = &nl_f_th_dport,
};

/* The register a part of a concatenation goes to: nft names a 32-bit
 * register by its 128-bit one where it starts one. */
static uint32_t
concat_reg(uint32_t slot)
{
	return slot % 4 == 0 ? NFT_REG_1 + slot / 4 : NFT_REG32_00 + slot;
}

/*
 * `ip daddr . meta l4proto . th dport @run_N_v4`, as nft builds it: the
 * family, each part loaded to the next free 32-bit register, the protocol
 * byte put in network order (a no-op nft emits), the lookup from reg 1.
 */
static void
match_run(struct rb *b, const struct nl_set *s)
{
	const struct nl_field *part[NFT_CONCAT_MAX] = { NULL };
	size_t n = nl_concat_parts(s->field, part), i;
	uint32_t slot = 0;
	struct nftnl_expr *e;

	need_deps(b, part[0]);
	for (i = 0; i < n; i++) {
		uint32_t reg = concat_reg(slot);

		if (part[i]->kind == NL_F_META) {
			e = expr_new("meta");
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, part[i]->key);
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
			add_expr(b, e);
			e = expr_new("byteorder");
			nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, reg);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, reg);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP,
			    NFT_BYTEORDER_HTON);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 1);
			nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
			add_expr(b, e);
		} else {
			e = expr_new("payload");
			nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
			nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
			    part[i]->key);
			nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET,
			    part[i]->off);
			nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN,
			    part[i]->len);
			add_expr(b, e);
		}
		slot += (part[i]->len + 3) / 4;
	}
	e_lookup(b, s->name, s->id, false);
}

/* `FIELD { ... }`: an anonymous set and a lookup in it; `FIELD @NAME`: a
 * lookup in a named set of the model. */
static void
match_lookup(struct rb *b, const struct nl_field *f, const struct nft_set *ms,
    bool neg)
{
	struct nl_set *s = NULL;
	size_t i;

	for (i = 0; ms->name != NULL && i < b->w->nnamed; i++)
		if (b->w->named[i].m == ms)
			s = &b->w->named[i];
	if (s != NULL && s->field->kind == NL_F_CONCAT) {
		match_run(b, s);
		return;
	}
	need_deps(b, f);
	if (s == NULL)
		s = set_new(b, f, &ms->elems.v,
		    (ms->flags & NFT_SETF_INTERVAL) != 0);
	e_load(b, f, f->len);
	e_lookup(b, s->name, s->id, neg);
}

/* `FIELD value` or `FIELD lo-hi`. */
static void
match_one(struct rb *b, const struct nl_field *f, const struct ival *x,
    bool neg)
{
	uint8_t lo[16], hi[16];

	need_deps(b, f);
	e_load(b, f, f->len);
	nl_put_value(lo, x->lo, f->len);
	if (x->lo == x->hi) {
		e_cmp(b, neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, f->len);
		return;
	}
	nl_put_value(hi, x->hi, f->len);
	if (neg) {
		e_range_neq(b, lo, hi, f->len);
		return;
	}
	e_cmp(b, NFT_CMP_GTE, lo, f->len);
	e_cmp(b, NFT_CMP_LTE, hi, f->len);
}

/* `ip daddr PREFIX`: as a value when it is one address. */
static void
match_prefix(struct rb *b, const struct nl_field *f, const struct prefix *p,
    enum fam fam, bool neg)
{
	int width = fam_bits(fam);
	uint32_t op = neg ? NFT_CMP_NEQ : NFT_CMP_EQ;
	uint8_t d[16];

	if (p->len == width) {
		struct ival x = { p->addr, p->addr };

		match_one(b, f, &x, neg);
		return;
	}
	need_deps(b, f);
	if (p->len % 8 == 0) {
		/* nft loads only the bytes of a byte-aligned prefix. */
		e_load(b, f, (uint32_t)p->len / 8);
		nl_put_value(d, p->addr, f->len);
		e_cmp(b, op, d, (uint32_t)p->len / 8);
		return;
	}
	e_load(b, f, f->len);
	nl_put_value(d, p->len == 0 ? 0 :
	    (~(u128)0 << (128 - p->len)) >> (128 - width), f->len);
	e_bitwise(b, d, f->len);
	nl_put_value(d, p->addr, f->len);
	e_cmp(b, op, d, f->len);
}

static uint32_t
ifindex(const struct nl_want *w, const char *name)
{
	if (strcmp(name, "lo") == 0)
		return w->lo_index;
	return if_nametoindex(name);
}

static void
match(struct rb *b, const struct nft_match *m)
{
	const struct nl_field *f = fields[m->field];
	const struct iset *v = &m->val.v;
	uint32_t op = m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, u32, zero = 0;
	u128 x;
	size_t i;
	uint8_t u8;

	if (m->ifname != NULL) {
		u32 = ifindex(b->w, m->ifname);
		e_load(b, f, 4);
		e_cmp(b, op, &u32, 4);
		return;
	}
	if (m->set != NULL) {
		match_lookup(b, f, m->set, m->neg);
		return;
	}
	switch (m->field) {
	case NFT_F_NFPROTO:
	case NFT_F_L4PROTO:
	case NFT_F_CTDIR:
		/* What the rule says itself, nft does not add again. */
		u8 = (uint8_t)v->v[0].lo;
		if (!m->neg && m->field == NFT_F_NFPROTO)
			b->nfproto = u8;
		if (!m->neg && m->field == NFT_F_L4PROTO)
			b->l4proto = u8;
		e_load(b, f, f->len);
		e_cmp(b, op, &u8, 1);
		break;
	case NFT_F_CTSTATE:
		/* Any of the bits: (ct state & mask) != 0. */
		u32 = 0;
		for (i = 0; i < v->n; i++)
			for (x = v->v[i].lo;; x++) {
				u32 |= (uint32_t)x;
				if (x == v->v[i].hi)
					break;
			}
		e_load(b, f, 4);
		e_bitwise(b, &u32, 4);
		e_cmp(b, m->neg ? NFT_CMP_EQ : NFT_CMP_NEQ, &zero, 4);
		break;
	case NFT_F_IP_SADDR:
	case NFT_F_IP_DADDR:
		match_prefix(b, f, &m->val.pfx[0], FAM_V4, m->neg);
		break;
	case NFT_F_IP6_SADDR:
	case NFT_F_IP6_DADDR:
		match_prefix(b, f, &m->val.pfx[0], FAM_V6, m->neg);
		break;
	default:
		match_one(b, f, &v->v[0], m->neg);
		break;
	}
}

static struct rb
rule_begin(struct nl_want *w, size_t chain, const struct ir_rule *src)
{
	struct rb b = { w, nftnl_rule_alloc(), 0, -1 };
	struct nl_rule *r;

	nftnl_rule_set_u32(b.r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(b.r, NFTNL_RULE_TABLE, w->table);
	nftnl_rule_set_str(b.r, NFTNL_RULE_CHAIN, w->chains[chain].name);
	ARENA_PUSH(w->arena, w->rules, w->nrules, w->caprules);
	r = &w->rules[w->nrules - 1];
	r->r = b.r;
	r->src = src;
	r->chain = chain;
	r->set0 = w->nsets;
	r->nsets = 0;
	return b;
}

static void
rule_end(struct rb *b, const char *comment)
{
	struct nl_rule *r = &b->w->rules[b->w->nrules - 1];

	r->nsets = b->w->nsets - r->set0;
	if (comment != NULL && *comment != '\0') {
		struct nftnl_udata_buf *ud;

		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAX);
		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(b->r, NFTNL_RULE_USERDATA,
		    nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
}

/* `log prefix "..."`, then accept, drop or reject. */
static void
statements(struct rb *b, const struct nft_rule *r)
{
	struct nftnl_expr *e;

	if (r->log_prefix != NULL) {
		e = expr_new("log");
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, r->log_prefix);
		add_expr(b, e);
	}
	switch (r->verdict) {
	case NFT_V_ACCEPT:
		e_verdict(b, NF_ACCEPT);
		break;
	case NFT_V_DROP:
		e_verdict(b, NF_DROP);
		break;
	case NFT_V_REJECT:
		e = expr_new("reject");
		/* Without a family, nft's inet reject is ICMPX. */
		if (b->nfproto == 0) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE,
			    NFT_REJECT_ICMPX_UNREACH);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
			    NFT_REJECT_ICMPX_PORT_UNREACH);
		} else {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE,
			    NFT_REJECT_ICMP_UNREACH);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
			    b->nfproto == NFPROTO_IPV6 ? 4 : 3);
		}
		add_expr(b, e);
		break;
	}
}

/* A plain `FIELD value`: no set, no negation, no range. */
static bool
one_value(const struct nft_match *m, enum nft_field f)
{
	return m->field == f && m->set == NULL && !m->neg &&
	    m->ifname == NULL && m->val.v.n == 1 &&
	    m->val.v.v[0].lo == m->val.v.v[0].hi;
}

/*
 * `icmp type T icmp code C`: nft merges the two adjacent one-byte loads of
 * equal values into one two-byte load and compare; so does this.
 */
static bool
match_type_code(struct rb *b, const struct nft_match *m)
{
	bool v6 = m[0].field == NFT_F_ICMP6_TYPE;
	const struct nl_field *f = v6 ? &nl_f_icmp6_tc : &nl_f_icmp_tc;
	uint8_t d[2];

	if (!one_value(&m[0], v6 ? NFT_F_ICMP6_TYPE : NFT_F_ICMP_TYPE) ||
	    !one_value(&m[1], v6 ? NFT_F_ICMP6_CODE : NFT_F_ICMP_CODE))
		return false;
	need_deps(b, f);
	e_load(b, f, 2);
	d[0] = (uint8_t)m[0].val.v.v[0].lo;
	d[1] = (uint8_t)m[1].val.v.v[0].lo;
	e_cmp(b, NFT_CMP_EQ, d, 2);
	return true;
}

static void
rule(struct nl_want *w, size_t chain, const struct nft_rule *r, bool fail)
{
	struct rb b = rule_begin(w, chain, r->src);
	size_t i;

	if (fail) {
		/* Test-only (NL_FAIL_ENV): a set nobody created. */
		e_load(&b, &nl_f_l4proto, 1);
		e_lookup(&b, "__egressc_fail", 0, false);
	}
	for (i = 0; i < r->nm; i++) {
		if (i + 1 < r->nm && match_type_code(&b, &r->m[i])) {
			i++;
			continue;
		}
		match(&b, &r->m[i]);
	}
	statements(&b, r);
	rule_end(&b, r->comment);
}

/* NL_FAIL_ENV: the policy rule to sabotage, or NULL. */
static const struct ir_rule *
fail_rule(const struct ir *ir)
{
	const char *s = getenv(NL_FAIL_ENV);
	char *end;
	long n;
	size_t i;

	if (s == NULL || *s == '\0')
		return NULL;
	n = strtol(s, &end, 10);
	if (*end == '\0' && n >= 1 && (size_t)n <= ir->nrules)
		return &ir->rules[n - 1];
	for (i = 0; i < ir->nrules; i++)
		if (strcmp(ir->rules[i].name, s) == 0)
			return &ir->rules[i];
	return NULL;
}

void
nl_want_build(struct arena *a, const struct nft_table *t, bool fail_hook,
    struct nl_want *w)
{
	const struct ir_rule *fail = fail_hook ? fail_rule(t->ir) : NULL;
	size_t c, i;

	memset(w, 0, sizeof(*w));
	w->arena = a;
	w->table = t->name;
	w->lo_index = if_nametoindex("lo");
	if (w->lo_index == 0)
		w->lo_index = 1;
	w->nchains = t->nchains;
	w->chains = arena_alloc(a, (t->nchains + 1) * sizeof(*w->chains));
	for (c = 0; c < t->nchains; c++) {
		const struct nft_chain *mc = &t->chains[c];
		struct nl_chain *ch = &w->chains[c];

		ch->name = mc->name;
		ch->dir = mc->dir;
		ch->base = mc->base;
		ch->hook = mc->hook == NFT_H_INPUT ? NF_INET_LOCAL_IN :
		    NF_INET_LOCAL_OUT;
		ch->prio = mc->prio;
		ch->policy = mc->policy == NFT_V_ACCEPT ? NF_ACCEPT : NF_DROP;
	}
	w->keep = t->keep;
	w->named = arena_alloc(a, (t->nsets + 1) * sizeof(*w->named));
	for (i = 0; i < t->nsets; i++) {
		const struct nft_set *ms = t->sets[i];

		if (NFT_SET_RUN(ms))
			run_set_init(w, &w->named[w->nnamed++], ms);
		else if (ms->name != NULL)
			set_init(w, &w->named[w->nnamed++],
			    fields[ms->key[0]], &ms->elems.v,
			    (ms->flags & NFT_SETF_INTERVAL) != 0, ms);
	}
	for (c = 0; c < t->nchains; c++)
		for (i = 0; i < t->chains[c].nrules; i++) {
			const struct nft_rule *r = &t->chains[c].rules[i];

			/* Only the first line of the policy rule. */
			rule(w, c, r, fail != NULL && r->src == fail);
			if (r->run != NULL) {
				w->rules[w->nrules - 1].last = r->last;
				w->rules[w->nrules - 1].run = r->run->name;
			}
			if (fail != NULL && r->src == fail)
				fail = NULL;
		}
}

const struct iset *
nl_want_setfn(void *arg, const char *name, uint32_t id,
    const struct nl_field **f, const struct nl_celems **ce)
{
	const struct nl_want *w = arg;
	size_t i;

	(void)name;	/* every set is "__set%d" until the kernel names it */
	for (i = 0; i < w->nsets; i++)
		if (w->sets[i].id == id) {
			*f = w->sets[i].field;
			return &w->sets[i].v;
		}
	/* A dynamic set's elements are not the policy's to say: verify
	 * sees them empty on both sides. */
	for (i = 0; i < w->nnamed; i++)
		if (w->named[i].id == id) {
			*f = w->named[i].field;
			if (w->named[i].field->kind == NL_F_CONCAT)
				*ce = &w->named[i].cs;
			return &w->named[i].v;
		}
	return NULL;
}

void
nl_want_free(struct nl_want *w)
{
	size_t i;

	for (i = 0; i < w->nsets; i++)
		nftnl_set_free(w->sets[i].s);
	for (i = 0; i < w->nnamed; i++)
		nftnl_set_free(w->named[i].s);
	for (i = 0; i < w->nrules; i++)
		nftnl_rule_free(w->rules[i].r);
	w->nsets = w->nnamed = w->nrules = 0;
}
