/*
 * build.c - the table a policy compiles to, as libnftnl objects.
 *
 * For every line the nftables text back end writes (one per rule, family
 * and protocol) this builds the rule nft(8) 1.0.6 would build from that
 * line: the same dependency matches (meta nfproto, meta l4proto), the same
 * payload loads (shortened for byte-aligned prefixes), the same anonymous
 * sets with the same flags, user data and interval end elements, the same
 * verdicts.  Keeping the two paths expression-identical is what lets the
 * cross-check compare `nft -j list` output of both.
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

#include "backend/backend.h"
#include "nl/nl.h"

/* nft's datatype numbers (datatype.h) and payload descriptions (proto.h). */
enum {
	DT_NFPROTO = 2, DT_IPADDR = 7, DT_IP6ADDR = 8, DT_INET_PROTO = 12,
	DT_INET_SERVICE = 13, DT_ICMP_TYPE = 14, DT_IFINDEX = 20,
	DT_CT_STATE = 26, DT_CT_DIR = 27, DT_ICMP6_TYPE = 29,
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
const struct nl_field nl_f_icmp_type = { "icmp type", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFPROTO_IPV4, 1, DT_ICMP_TYPE, 4, 1 };
const struct nl_field nl_f_icmp6_type = { "icmpv6 type", NL_F_PAYLOAD,
    NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFPROTO_IPV6, 58, DT_ICMP6_TYPE,
    14, 1 };

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
e_lookup(struct rb *b, const char *set, uint32_t id)
{
	struct nftnl_expr *e = expr_new("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
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

/* An anonymous set: the NEWSET header; elements come from its iset. */
static struct nl_set *
set_new(struct rb *b, const struct nl_field *f, const struct iset *v,
    bool interval)
{
	struct nl_want *w = b->w;
	struct nl_set *s;
	struct nftnl_udata_buf *ud;
	struct nftnl_udata *n1, *n2;
	uint32_t flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;

	ARENA_PUSH(w->arena, w->sets, w->nsets, w->capsets);
	s = &w->sets[w->nsets - 1];
	memset(s, 0, sizeof(*s));
	s->id = ++set_ids;
	s->field = f;
	s->interval = interval;
	iset_init(&s->v);
	iset_copy(w->arena, &s->v, v);
	s->nelems = nl_set_elems(s, NULL, NULL, NULL, 0);
	if (interval)
		flags |= NFT_SET_INTERVAL;

	s->s = nftnl_set_alloc();
	nftnl_set_set_u32(s->s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s->s, NFTNL_SET_TABLE, w->table);
	nftnl_set_set_str(s->s, NFTNL_SET_NAME, "__set%d");
	nftnl_set_set_u32(s->s, NFTNL_SET_ID, s->id);
	nftnl_set_set_u32(s->s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_TYPE, f->dtype);
	nftnl_set_set_u32(s->s, NFTNL_SET_KEY_LEN, f->len);
	nftnl_set_set_u32(s->s, NFTNL_SET_DESC_SIZE, (uint32_t)s->nelems);

	/* nft's user data: key byte order, automerge, the key's typeof. */
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAX);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
	    NFT_BYTEORDER_BIG);
	if (interval)
		nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_MERGE_ELEMENTS, 1);
	n1 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR, NFT_EXPR_PAYLOAD);
	n2 = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_put_u32(ud, 0 /* KEY_PAYLOAD_DESC */, f->desc);
	nftnl_udata_put_u32(ud, 1 /* KEY_PAYLOAD_TYPE */, f->tmpl);
	nftnl_udata_nest_end(ud, n2);
	nftnl_udata_nest_end(ud, n1);
	nftnl_set_set_data(s->s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return s;
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

/* A set of n elements as the text back end prints them, or one value. */
static void
match_set(struct rb *b, const struct nl_field *f, const struct iset *v,
    size_t n, bool interval)
{
	uint8_t d[16];

	need_deps(b, f);
	if (n > 1) {
		struct nl_set *s = set_new(b, f, v, interval);

		e_load(b, f, f->len);
		e_lookup(b, "__set%d", s->id);
		return;
	}
	e_load(b, f, f->len);
	nl_put_value(d, v->v[0].lo, f->len);
	if (v->v[0].lo == v->v[0].hi) {
		e_cmp(b, NFT_CMP_EQ, d, f->len);
		return;
	}
	/* `lo-hi` */
	e_cmp(b, NFT_CMP_GTE, d, f->len);
	nl_put_value(d, v->v[0].hi, f->len);
	e_cmp(b, NFT_CMP_LTE, d, f->len);
}

/* `ip daddr ADDRS`: the text prints the fewest prefixes. */
static void
match_addrs(struct rb *b, const struct nl_field *f, const struct aset *a,
    enum fam fam)
{
	struct prefix *p;
	size_t n, i;
	int width = fam_bits(fam);
	bool interval = false;
	uint8_t d[16];

	n = aset_prefixes(b->w->arena, a, fam, &p);
	for (i = 0; i < n; i++)
		if (p[i].len < width)
			interval = true;
	if (n != 1 || p[0].len == width) {
		match_set(b, f, &a->f[fam], n, interval);
		return;
	}
	need_deps(b, f);
	if (p[0].len % 8 == 0) {
		/* nft loads only the bytes of a byte-aligned prefix. */
		e_load(b, f, (uint32_t)p[0].len / 8);
		nl_put_value(d, p[0].addr, f->len);
		e_cmp(b, NFT_CMP_EQ, d, (uint32_t)p[0].len / 8);
		return;
	}
	e_load(b, f, f->len);
	nl_put_value(d, p[0].len == 0 ? 0 :
	    (~(u128)0 << (128 - p[0].len)) >> (128 - width), f->len);
	e_bitwise(b, d, f->len);
	nl_put_value(d, p[0].addr, f->len);
	e_cmp(b, NFT_CMP_EQ, d, f->len);
}

/* `tcp dport PORTS`: single ports and lo-hi ranges. */
static void
match_ports(struct rb *b, const struct nl_field *f, const struct iset *v)
{
	size_t i;
	bool interval = false;

	for (i = 0; i < v->n; i++)
		if (v->v[i].lo != v->v[i].hi)
			interval = true;
	match_set(b, f, v, v->n, interval);
}

static struct rb
rule_begin(struct nl_want *w, const struct ir_rule *src)
{
	struct rb b = { w, nftnl_rule_alloc(), 0, -1 };
	struct nl_rule *r;

	nftnl_rule_set_u32(b.r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(b.r, NFTNL_RULE_TABLE, w->table);
	nftnl_rule_set_str(b.r, NFTNL_RULE_CHAIN, w->chains[w->cur].name);
	ARENA_PUSH(w->arena, w->rules, w->nrules, w->caprules);
	r = &w->rules[w->nrules - 1];
	r->r = b.r;
	r->src = src;
	r->chain = w->cur;
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

/* ct state established,related accept; oif "lo" accept (input: iif) */
static void
build_prologue(struct nl_want *w)
{
	struct rb b;
	uint32_t v, zero = 0;

	if (w->chains[w->cur].dir == IR_EGRESS && w->closed) {
		/* oif != "lo" ct direction reply drop */
		uint8_t reply = 1;	/* IP_CT_DIR_REPLY */

		b = rule_begin(w, NULL);
		e_load(&b, &nl_f_oif, 4);
		v = w->lo_index;
		e_cmp(&b, NFT_CMP_NEQ, &v, 4);
		e_load(&b, &nl_f_ctdir, 1);
		e_cmp(&b, NFT_CMP_EQ, &reply, 1);
		e_verdict(&b, NF_DROP);
		rule_end(&b, NULL);
	}
	b = rule_begin(w, NULL);
	e_load(&b, &nl_f_ctstate, 4);
	v = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
	e_bitwise(&b, &v, 4);
	e_cmp(&b, NFT_CMP_NEQ, &zero, 4);
	e_verdict(&b, NF_ACCEPT);
	rule_end(&b, NULL);

	b = rule_begin(w, NULL);
	e_load(&b, w->chains[w->cur].dir == IR_INBOUND ? &nl_f_iif : &nl_f_oif,
	    4);
	v = w->lo_index;
	e_cmp(&b, NFT_CMP_EQ, &v, 4);
	e_verdict(&b, NF_ACCEPT);
	rule_end(&b, NULL);
}

static const struct nl_field *
addr_field(enum fam fam, bool src)
{
	if (fam == FAM_V4)
		return src ? &nl_f_ip_saddr : &nl_f_ip_daddr;
	return src ? &nl_f_ip6_saddr : &nl_f_ip6_daddr;
}

/* `log prefix "egressc NAME "`, then accept, drop or reject. */
static void
build_verdict(struct rb *b, const struct ir_rule *r, const struct be_opts *bo)
{
	struct nftnl_expr *e;

	if (r->log) {
		e = expr_new("log");
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX,
		    arena_printf(b->w->arena, "egressc %s ", r->name));
		add_expr(b, e);
	}
	switch (r->action) {
	case IR_ALLOW:
		e_verdict(b, NF_ACCEPT);
		break;
	case IR_DENY:
		e_verdict(b, NF_DROP);
		break;
	case IR_REJECT:
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

/* One line of the text back end: put_match() in backend/nftables.c. */
static void
build_line(struct nl_want *w, const struct ir_rule *r,
    const struct be_match *m, const struct be_opts *bo, bool fail)
{
	static const uint8_t l4[P_N] = { 6, 17, 1, 58 };
	static const struct nl_field *const pf[P_N] = {
		&nl_f_tcp_dport, &nl_f_udp_dport, &nl_f_icmp_type,
		&nl_f_icmp6_type,
	};
	struct rb b = rule_begin(w, r);

	if (fail) {
		/* Test-only (NL_FAIL_ENV): a set nobody created. */
		e_load(&b, &nl_f_l4proto, 1);
		e_lookup(&b, "__egressc_fail", 0);
	}
	if (m->fam >= 0) {
		enum fam f = (enum fam)m->fam;
		bool sel = false;

		if (!aset_fam_full(&r->src, f)) {
			match_addrs(&b, addr_field(f, true), &r->src, f);
			sel = true;
		}
		if (!aset_fam_full(&r->dst, f)) {
			match_addrs(&b, addr_field(f, false), &r->dst, f);
			sel = true;
		}
		if (!sel) {
			b.nfproto = f == FAM_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
			match_u8(&b, &nl_f_nfproto, (uint8_t)b.nfproto);
		}
	}
	if (m->proto >= 0) {
		if (m->ports == NULL) {
			b.l4proto = l4[m->proto];
			match_u8(&b, &nl_f_l4proto, l4[m->proto]);
		} else
			match_ports(&b, pf[m->proto], m->ports);
	}
	build_verdict(&b, r, bo);
	rule_end(&b, be_rule_comment(bo, r));
}

static void
build_rule(struct nl_want *w, const struct ir_rule *r,
    const struct be_opts *bo, bool fail)
{
	struct be_match m[BE_MAX_MATCHES];
	size_t n, i;

	n = be_matches(r, bo->be->caps, m);
	for (i = 0; i < n; i++)
		build_line(w, r, &m[i], bo, fail && i == 0);
}

/* NL_FAIL_ENV: the rule to sabotage, or -1. */
static long
fail_index(const struct ir *ir)
{
	const char *s = getenv(NL_FAIL_ENV);
	char *end;
	long n;
	size_t i;

	if (s == NULL || *s == '\0')
		return -1;
	n = strtol(s, &end, 10);
	if (*end == '\0' && n >= 1 && (size_t)n <= ir->nrules)
		return n - 1;
	for (i = 0; i < ir->nrules; i++)
		if (strcmp(ir->rules[i].name, s) == 0)
			return (long)i;
	return -1;
}

int
nl_want_build(struct arena *a, const struct ir *ir, bool fail_hook,
    struct nl_want *w)
{
	struct be_opts bo;
	long fail = fail_hook ? fail_index(ir) : -1;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->arena = a;
	w->base = ir->def != IR_DEF_NONE;
	w->closed = ir_closes_inbound(ir);
	w->policy = ir->def == IR_DEF_ACCEPT ? NF_ACCEPT : NF_DROP;
	w->lo_index = if_nametoindex("lo");
	if (w->lo_index == 0)
		w->lo_index = 1;

	memset(&bo, 0, sizeof(bo));
	bo.be = be_find("nftables");
	bo.arena = a;
	if (bo.be == NULL) {
		diag_error(NULL, "the nftables back end is missing");
		return -1;
	}
	/* The same names, checked the same way, as the text back end. */
	w->table = be_option(&bo, ir, "table", ir->name);
	w->chains[0].name = be_option(&bo, ir, "chain", "output");
	w->chains[0].dir = IR_EGRESS;
	w->chains[0].hook = NF_INET_LOCAL_OUT;
	w->nchains = 1;
	if (ir_has_inbound(ir)) {
		/* Only a policy with inbound rules owns the input path. */
		w->chains[1].name = be_option(&bo, ir, "input-chain",
		    "input");
		w->chains[1].dir = IR_INBOUND;
		w->chains[1].hook = NF_INET_LOCAL_IN;
		w->nchains = 2;
		if (w->chains[1].name == NULL)
			return -1;
	}
	if (w->table == NULL || w->chains[0].name == NULL)
		return -1;
	for (w->cur = 0; w->cur < w->nchains; w->cur++) {
		if (w->base)
			build_prologue(w);
		for (i = 0; i < ir->nrules; i++) {
			const struct ir_rule *r = &ir->rules[i];

			if (r->dir == w->chains[w->cur].dir)
				build_rule(w, r, &bo, (long)i == fail);
		}
	}
	return 0;
}

const struct iset *
nl_want_setfn(void *arg, const char *name, uint32_t id,
    const struct nl_field **f)
{
	const struct nl_want *w = arg;
	size_t i;

	(void)name;	/* every set is "__set%d" until the kernel names it */
	for (i = 0; i < w->nsets; i++)
		if (w->sets[i].id == id) {
			*f = w->sets[i].field;
			return &w->sets[i].v;
		}
	return NULL;
}

void
nl_want_free(struct nl_want *w)
{
	size_t i;

	for (i = 0; i < w->nsets; i++)
		nftnl_set_free(w->sets[i].s);
	for (i = 0; i < w->nrules; i++)
		nftnl_rule_free(w->rules[i].r);
	w->nsets = w->nrules = 0;
}
