/*
 * decode.c - read a rule's expressions back as matches and statements.
 *
 * verify compares what the kernel holds with what the policy compiles to,
 * and it should do so by meaning: `ip daddr 10.0.0.0/8` is one match on
 * one field with one set of values whether the bytes say "payload, cmp"
 * or "payload, lookup", and a set is its values, not its element order or
 * kernel name.  Both sides (the objects build.c made and the ones a dump
 * returned) go through the same decoder; whatever it does not understand
 * is kept as libnftnl's text, so it still compares, just not by meaning.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>

#include "nl/nl-int.h"
#include "util/out.h"

/* What register 1 holds while we walk a rule. */
struct reg {
	const struct nl_field	*f;	/* NULL: nothing we know */
	uint32_t		 len;	/* bytes loaded */
	bool			 masked;
	u128			 mask;
	bool			 gte;	/* saw `cmp gte`, waiting for lte */
	u128			 lo;
};

struct dec {
	struct arena	*a;
	struct nl_drule	*d;
	struct reg	 reg;
	int		 nfproto, l4proto;
	nl_setfn	 setfn;
	void		*setarg;
	struct out	 stmt;
	/* A concatenation being loaded: its parts so far (the first in
	 * reg 1), the next free 32-bit register, each part's register. */
	const struct nl_field *cat[NFT_CONCAT_MAX];
	uint32_t	 catreg[NFT_CONCAT_MAX];
	size_t		 ncat;
	uint32_t	 catnext;
};

/* A field loaded whole or in part; the type before the type and code
 * loaded at once (the first field that fits is taken). */
static const struct nl_field *const payload_fields[] = {
	&nl_f_ip_saddr, &nl_f_ip_daddr, &nl_f_ip6_saddr, &nl_f_ip6_daddr,
	&nl_f_tcp_dport, &nl_f_udp_dport, &nl_f_sctp_dport, &nl_f_icmp_type,
	&nl_f_icmp_code, &nl_f_icmp6_type, &nl_f_icmp6_code, &nl_f_icmp_tc,
	&nl_f_icmp6_tc, &nl_f_th_dport,
};

static u128
width_max(uint32_t len)
{
	return len >= 16 ? ~(u128)0 : ((u128)1 << (8 * len)) - 1;
}

/* meta and ct values are in host byte order; payloads in network order. */
static u128
field_value(const struct nl_field *f, const uint8_t *data, uint32_t len)
{
	if (f->kind != NL_F_PAYLOAD && len == 4) {
		uint32_t v;

		memcpy(&v, data, 4);
		return v;
	}
	return nl_get_value(data, len);
}

static struct nl_match *
push_match(struct dec *x, const struct nl_field *f)
{
	struct nl_match *m;

	ARENA_PUSH(x->a, x->d->m, x->d->nm, x->d->capm);
	m = &x->d->m[x->d->nm - 1];
	memset(m, 0, sizeof(*m));
	m->f = f;
	iset_init(&m->v);
	return m;
}

static void
push_raw(struct dec *x, const struct nftnl_expr *e)
{
	char buf[1024];
	struct nl_match *m;

	nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	m = push_match(x, NULL);
	m->raw = arena_printf(x->a, "[ %s %s ]",
	    nftnl_expr_get_str(e, NFTNL_EXPR_NAME), buf);
	x->reg.f = NULL;
}

static const struct nl_field *
payload_field(const struct dec *x, const struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	size_t i;

	for (i = 0; i < sizeof(payload_fields) / sizeof(payload_fields[0]);
	    i++) {
		const struct nl_field *f = payload_fields[i];

		if (f->key != base || f->off != off || len > f->len ||
		    len == 0)
			continue;
		if (f->nfproto != 0 && f->nfproto != x->nfproto &&
		    !(f->l4proto >= 0 && f->l4proto == x->l4proto &&
		    x->nfproto == 0))
			continue;
		if (f->l4proto >= 0 && f->l4proto != x->l4proto)
			continue;
		return f;
	}
	return NULL;
}

/* A load to reg 1 starts what may become a concatenation. */
static void
cat_start(struct dec *x)
{
	x->ncat = 0;
	if (x->reg.f == NULL)
		return;
	x->cat[0] = x->reg.f;
	x->catreg[0] = NFT_REG_1;
	x->ncat = 1;
	x->catnext = (x->reg.len + 3) / 4;
}

/*
 * A load of a whole field f (NULL: none we know) to another register
 * than reg 1: the next part of the concatenation when it goes to the
 * next free 32-bit register (reg 1 to 4 are 128-bit names of 8, 12, ...).
 */
static void
cat_part(struct dec *x, const struct nftnl_expr *e, const struct nl_field *f,
    uint32_t reg, uint32_t len)
{
	uint32_t slot = reg >= NFT_REG32_00 ? reg - NFT_REG32_00 :
	    reg >= NFT_REG_1 && reg <= NFT_REG_4 ? (reg - NFT_REG_1) * 4 :
	    ~0u;

	if (f == NULL || x->ncat == 0 || x->ncat == NFT_CONCAT_MAX ||
	    slot != x->catnext || len != f->len) {
		x->ncat = 0;
		push_raw(x, e);
		return;
	}
	x->cat[x->ncat] = f;
	x->catreg[x->ncat++] = reg;
	x->catnext += (len + 3) / 4;
}

static void
load_payload(struct dec *x, const struct nftnl_expr *e)
{
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG);
	const struct nl_field *f = payload_field(x, e);

	if (dreg != NFT_REG_1) {
		cat_part(x, e, f, dreg, len);
		return;
	}
	memset(&x->reg, 0, sizeof(x->reg));
	if (f == NULL) {
		x->ncat = 0;
		push_raw(x, e);
		return;
	}
	x->reg.f = f;
	x->reg.len = len;
	cat_start(x);
}

/*
 * `byteorder reg R = hton(reg R, 2, 1)`: what nft emits after loading
 * meta l4proto into a concatenation, which changes nothing.
 */
static void
do_byteorder(struct dec *x, const struct nftnl_expr *e)
{
	uint32_t r = x->ncat > 1 ? x->catreg[x->ncat - 1] : 0;

	if (x->ncat > 1 && x->cat[x->ncat - 1] == &nl_f_l4proto &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG) == r &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_DREG) == r &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_OP) ==
	    NFT_BYTEORDER_HTON &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN) == 1 &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE) == 2)
		return;
	x->ncat = 0;
	push_raw(x, e);
}

static void
do_cmp(struct dec *x, const struct nftnl_expr *e)
{
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	const struct nl_field *f = x->reg.f;
	struct nl_match *m;
	u128 v, lo, hi;

	if (f == NULL || data == NULL || len != x->reg.len) {
		push_raw(x, e);
		return;
	}
	v = field_value(f, data, len);
	if (op == NFT_CMP_GTE && !x->reg.masked && len == f->len) {
		x->reg.gte = true;
		x->reg.lo = v;
		return;
	}
	if (op == NFT_CMP_LTE && x->reg.gte) {
		m = push_match(x, f);
		iset_add(x->a, &m->v, x->reg.lo, v);
		x->reg.gte = false;
		return;
	}
	if (f == &nl_f_ctstate && op == NFT_CMP_NEQ && x->reg.masked &&
	    v == 0) {
		/* `ct state a,b`: any of the mask's bits. */
		m = push_match(x, f);
		iset_add(x->a, &m->v, x->reg.mask, x->reg.mask);
		return;
	}
	if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) {
		push_raw(x, e);
		return;
	}
	if (len < f->len) {
		/* A byte-aligned prefix: nft loaded only its bytes. */
		lo = v << (8 * (f->len - len));
		hi = lo | (width_max(f->len) >> (8 * len));
	} else if (x->reg.masked) {
		lo = v & x->reg.mask;
		hi = lo | (~x->reg.mask & width_max(f->len));
	} else
		lo = hi = v;
	m = push_match(x, f);
	m->neg = op == NFT_CMP_NEQ;
	iset_add(x->a, &m->v, lo, hi);
	iset_norm(&m->v);
	if (f == &nl_f_nfproto && !m->neg)
		x->nfproto = (int)v;
	if (f == &nl_f_l4proto && !m->neg)
		x->l4proto = (int)v;
}

static void
do_bitwise(struct dec *x, const struct nftnl_expr *e)
{
	uint32_t mlen, xlen, i;
	const uint8_t *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	const uint8_t *xr = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xlen);

	if (x->reg.f == NULL || x->reg.masked || mask == NULL || xr == NULL ||
	    mlen != x->reg.len || xlen != mlen ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL)) {
		push_raw(x, e);
		return;
	}
	for (i = 0; i < xlen; i++)
		if (xr[i] != 0) {
			push_raw(x, e);
			return;
		}
	x->reg.masked = true;
	x->reg.mask = field_value(x->reg.f, mask, mlen);
}

static void
do_lookup(struct dec *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	uint32_t id = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET_ID) ?
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID) : 0;
	const struct nl_field *key = NULL, *part[NFT_CONCAT_MAX];
	const struct nl_celems *ce = NULL;
	const struct iset *v;
	struct nl_match *m;
	size_t i, n;

	if (x->ncat > 1) {
		v = x->setfn(x->setarg, name, id, &key, &ce);
		n = key != NULL ? nl_concat_parts(key, part) : 0;
		for (i = 0; i < n && n == x->ncat; i++)
			if (part[i] != x->cat[i])
				break;
		x->ncat = 0;
		if (v == NULL || ce == NULL || n == 0 || i != n) {
			push_raw(x, e);
			return;
		}
		m = push_match(x, key);
		m->neg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
		    (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) &
		    NFT_LOOKUP_F_INV);
		m->raw = arena_strdup(x->a, name != NULL ? name : "?");
		m->ce = *ce;
		return;
	}
	v = x->reg.f == NULL || x->reg.masked || x->reg.len != x->reg.f->len ?
	    NULL : x->setfn(x->setarg, name, id, &key, &ce);
	if (v == NULL || key == NULL || key->dtype != x->reg.f->dtype ||
	    key->len != x->reg.f->len) {
		push_raw(x, e);
		return;
	}
	m = push_match(x, x->reg.f);
	m->neg = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
	    (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV);
	iset_copy(x->a, &m->v, v);
}

static void
stmt_add(struct dec *x, const char *s)
{
	if (x->stmt.len > 0)
		out_putc(&x->stmt, ' ');
	out_puts(&x->stmt, s);
}

static void
do_stmt(struct dec *x, const struct nftnl_expr *e, const char *name)
{
	char buf[1024];

	if (strcmp(name, "immediate") == 0 &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT &&
	    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
		int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		if (v == NF_ACCEPT)
			stmt_add(x, "accept");
		else if (v == NF_DROP)
			stmt_add(x, "drop");
		else if (v == NFT_RETURN)
			stmt_add(x, "return");
		else if (nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
			snprintf(buf, sizeof(buf), "%s %s", v == NFT_JUMP ?
			    "jump" : "goto",
			    nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
			stmt_add(x, buf);
		} else {
			snprintf(buf, sizeof(buf), "verdict %d", v);
			stmt_add(x, buf);
		}
		return;
	}
	if (strcmp(name, "reject") == 0) {
		uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE);
		unsigned code = nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE);

		if ((type == NFT_REJECT_ICMPX_UNREACH &&
		    code == NFT_REJECT_ICMPX_PORT_UNREACH) ||
		    (type == NFT_REJECT_ICMP_UNREACH &&
		    ((x->nfproto == NFPROTO_IPV4 && code == 3) ||
		    (x->nfproto == NFPROTO_IPV6 && code == 4))))
			stmt_add(x, "reject");
		else if (type == NFT_REJECT_TCP_RST)
			stmt_add(x, "reject with tcp reset");
		else {
			snprintf(buf, sizeof(buf), "reject type %u code %u",
			    type, code);
			stmt_add(x, buf);
		}
		return;
	}
	if (strcmp(name, "log") == 0) {
		out_puts(&x->stmt, x->stmt.len ? " log" : "log");
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
			out_printf(&x->stmt, " prefix \"%s\"",
			    nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX));
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP))
			out_printf(&x->stmt, " group %u",
			    nftnl_expr_get_u16(e, NFTNL_EXPR_LOG_GROUP));
		/* The kernel reports the default level (warn) it filled in. */
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL) != 4)
			out_printf(&x->stmt, " level %u",
			    nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL));
		if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_FLAGS) != 0)
			out_printf(&x->stmt, " flags %u",
			    nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_FLAGS));
		return;
	}
	if (strcmp(name, "counter") == 0) {
		/* Counts change by themselves: only the counter matters. */
		stmt_add(x, "counter");
		return;
	}
	nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
	stmt_add(x, arena_printf(x->a, "[ %s %s ]", name, buf));
}

static int
comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **c = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT &&
	    nftnl_udata_len(attr) > 0) {
		const char *s = nftnl_udata_get(attr);

		if (s[nftnl_udata_len(attr) - 1] == '\0')
			*c = s;
	}
	return 0;
}

void
nl_decode(struct arena *a, const struct nftnl_rule *r, nl_setfn setfn,
    void *setarg, struct nl_drule *d)
{
	struct dec x;
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	memset(d, 0, sizeof(*d));
	memset(&x, 0, sizeof(x));
	x.a = a;
	x.d = d;
	x.l4proto = -1;
	x.setfn = setfn;
	x.setarg = setarg;
	out_init(&x.stmt);

	it = nftnl_expr_iter_create(r);
	while (it != NULL && (e = nftnl_expr_iter_next(it)) != NULL) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		bool to_reg1 = false;

		if (strcmp(name, "meta") == 0 &&
		    nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
			uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

			const struct nl_field *f =
			    key == NFT_META_NFPROTO ? &nl_f_nfproto :
			    key == NFT_META_L4PROTO ? &nl_f_l4proto :
			    key == NFT_META_OIF ? &nl_f_oif :
			    key == NFT_META_IIF ? &nl_f_iif : NULL;
			uint32_t dreg = nftnl_expr_get_u32(e,
			    NFTNL_EXPR_META_DREG);

			to_reg1 = dreg == NFT_REG_1;
			if (!to_reg1) {
				cat_part(&x, e, f, dreg, f != NULL ? f->len : 0);
				continue;
			}
			memset(&x.reg, 0, sizeof(x.reg));
			x.reg.f = f;
			if (x.reg.f == NULL)
				push_raw(&x, e);
			else
				x.reg.len = x.reg.f->len;
			cat_start(&x);
		} else if (strcmp(name, "ct") == 0 &&
		    nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG) == NFT_REG_1 &&
		    (nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) == NFT_CT_STATE ||
		    nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) ==
		    NFT_CT_DIRECTION) &&
		    !nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR)) {
			memset(&x.reg, 0, sizeof(x.reg));
			x.reg.f = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) ==
			    NFT_CT_STATE ? &nl_f_ctstate : &nl_f_ctdir;
			x.reg.len = x.reg.f->len;
			x.ncat = 0;
		} else if (strcmp(name, "payload") == 0 &&
		    nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG))
			load_payload(&x, e);
		else if (strcmp(name, "byteorder") == 0)
			do_byteorder(&x, e);
		else if (strcmp(name, "cmp") == 0 &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) == NFT_REG_1)
			do_cmp(&x, e);
		else if (strcmp(name, "bitwise") == 0 &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG) ==
		    NFT_REG_1 &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG) == NFT_REG_1)
			do_bitwise(&x, e);
		else if (strcmp(name, "lookup") == 0 &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG) == NFT_REG_1 &&
		    !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG))
			do_lookup(&x, e);
		else if (strcmp(name, "immediate") == 0 ||
		    strcmp(name, "reject") == 0 || strcmp(name, "log") == 0 ||
		    strcmp(name, "counter") == 0)
			do_stmt(&x, e, name);
		else
			push_raw(&x, e);
	}
	if (it != NULL)
		nftnl_expr_iter_destroy(it);
	if (x.reg.gte) {
		struct nl_match *m = push_match(&x, NULL);

		m->raw = "[ cmp gte without lte ]";
	}
	d->stmt = arena_strdup(a, x.stmt.len ? out_str(&x.stmt) : "");
	out_free(&x.stmt);

	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA,
		    &len);
		const char *c = NULL;

		nftnl_udata_parse(ud, len, comment_cb, &c);
		if (c != NULL)
			d->comment = arena_strdup(a, c);
	}
	if (nftnl_rule_is_set(r, NFTNL_RULE_HANDLE))
		d->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
}

static bool
match_alike(const struct nl_match *a, const struct nl_match *b)
{
	if (a->f != b->f || a->neg != b->neg)
		return false;
	if (a->f == NULL)
		return strcmp(a->raw, b->raw) == 0;
	if (a->f->kind == NL_F_CONCAT)
		return strcmp(a->raw, b->raw) == 0;
	/* The dependencies are part of a rule's shape, not its values. */
	if (a->f == &nl_f_nfproto || a->f == &nl_f_l4proto)
		return iset_equal(&a->v, &b->v);
	return true;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
nl_drule_alike(const struct nl_drule *a, const struct nl_drule *b)
{
	size_t i;

	if (a->nm != b->nm || !str_eq(a->stmt, b->stmt) ||
	    !str_eq(a->comment, b->comment))
		return false;
	for (i = 0; i < a->nm; i++)
		if (!match_alike(&a->m[i], &b->m[i]))
			return false;
	return true;
}

bool
nl_drule_equal(const struct nl_drule *a, const struct nl_drule *b)
{
	size_t i;

	if (!nl_drule_alike(a, b))
		return false;
	for (i = 0; i < a->nm; i++) {
		if (a->m[i].f == NULL)
			continue;
		if (a->m[i].f->kind == NL_F_CONCAT) {
			if (!nl_celems_equal(&a->m[i].ce, &b->m[i].ce))
				return false;
		} else if (!iset_equal(&a->m[i].v, &b->m[i].v))
			return false;
	}
	return true;
}

static void
put_value(struct out *o, const struct nl_field *f, u128 lo, u128 hi)
{
	char buf[ADDR_STRLEN], name[IF_NAMESIZE];
	enum fam fam = f->len == 16 ? FAM_V6 : FAM_V4;
	int width = (int)f->len * 8, k;

	if (f == &nl_f_ip_saddr || f == &nl_f_ip_daddr ||
	    f == &nl_f_ip6_saddr || f == &nl_f_ip6_daddr) {
		/* A prefix when [lo, hi] is one, else a range. */
		for (k = 0; k <= width; k++) {
			u128 host = k == 128 ? ~(u128)0 : ((u128)1 << k) - 1;

			if ((lo & host) != 0)
				break;
			if ((lo | host) == hi) {
				out_puts(o, addr_format(buf, fam, lo, width - k));
				return;
			}
		}
		out_printf(o, "%s-", addr_format(buf, fam, lo, width));
		out_puts(o, addr_format(buf, fam, hi, width));
		return;
	}
	if (f == &nl_f_nfproto && lo == hi && (lo == NFPROTO_IPV4 ||
	    lo == NFPROTO_IPV6)) {
		out_puts(o, lo == NFPROTO_IPV4 ? "ipv4" : "ipv6");
		return;
	}
	if (f == &nl_f_l4proto && lo == hi) {
		static const struct { unsigned n; const char *s; } p[] = {
			{ 1, "icmp" }, { 6, "tcp" }, { 17, "udp" },
			{ 50, "esp" }, { 51, "ah" }, { 58, "ipv6-icmp" },
			{ 132, "sctp" },
		};
		size_t i;

		for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
			if (p[i].n == (unsigned)lo) {
				out_puts(o, p[i].s);
				return;
			}
	}
	if ((f == &nl_f_icmp_tc || f == &nl_f_icmp6_tc) && lo == hi) {
		out_printf(o, "%u . %u", (unsigned)(lo >> 8),
		    (unsigned)(lo & 0xff));
		return;
	}
	if (f == &nl_f_ctdir && lo == hi && lo <= 1) {
		out_puts(o, lo == 0 ? "original" : "reply");
		return;
	}
	if (f == &nl_f_ctstate && lo == hi) {
		static const char *const st[] = { "invalid", "established",
		    "related", "new", "untracked" };
		bool first = true;
		int i;

		for (i = 0; i < 5; i++)
			if ((unsigned)lo & (1u << i)) {
				out_printf(o, "%s%s", first ? "" : ",", st[i]);
				first = false;
			}
		return;
	}
	if ((f == &nl_f_oif || f == &nl_f_iif) && lo == hi &&
	    if_indextoname((unsigned)lo, name)) {
		out_printf(o, "\"%s\"", name);
		return;
	}
	out_printf(o, "%llu", (unsigned long long)lo);
	if (hi != lo)
		out_printf(o, "-%llu", (unsigned long long)hi);
}

const char *
nl_celem_text(struct arena *a, const struct nl_field *f,
    const struct nl_celem *e)
{
	const struct nl_field *part[NFT_CONCAT_MAX];
	size_t n = nl_concat_parts(f, part), i;
	struct out o;
	const char *res;

	out_init(&o);
	for (i = 0; i < n; i++) {
		if (i > 0)
			out_puts(&o, " . ");
		put_value(&o, part[i], e->lo[i], e->hi[i]);
	}
	res = arena_strdup(a, out_str(&o));
	out_free(&o);
	return res;
}

const char *
nl_values_text(struct arena *a, const struct nl_field *f, const struct iset *v)
{
	struct out o;
	const char *res;
	size_t i;

	out_init(&o);
	if (v->n != 1 || f == &nl_f_ctstate)
		out_puts(&o, v->n == 1 ? "" : "{ ");
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			out_puts(&o, ", ");
		put_value(&o, f, v->v[i].lo, v->v[i].hi);
	}
	if (v->n != 1)
		out_puts(&o, " }");
	res = arena_strdup(a, out_str(&o));
	out_free(&o);
	return res;
}

const char *
nl_drule_text(struct arena *a, const struct nl_drule *d)
{
	struct out o;
	const char *res;
	size_t i, j;

	out_init(&o);
	for (i = 0; i < d->nm; i++) {
		const struct nl_match *m = &d->m[i];
		bool dep = false;

		if (m->f == NULL) {
			out_printf(&o, "%s%s", o.len ? " " : "", m->raw);
			continue;
		}
		/* Leave out the dependencies nft adds and hides itself. */
		for (j = i + 1; j < d->nm && !m->neg && m->v.n == 1; j++) {
			const struct nl_field *g = d->m[j].f;

			if (g == NULL)
				break;
			if (m->f == &nl_f_nfproto && g->nfproto != 0 &&
			    (u128)g->nfproto == m->v.v[0].lo)
				dep = true;
			if (m->f == &nl_f_l4proto && j == i + 1 &&
			    g->l4proto >= 0 && (u128)g->l4proto == m->v.v[0].lo)
				dep = true;
		}
		if (dep)
			continue;
		if (m->f->kind == NL_F_CONCAT) {
			out_printf(&o, "%s%s %s@%s", o.len ? " " : "",
			    m->f->name, m->neg ? "!= " : "", m->raw);
			continue;
		}
		out_printf(&o, "%s%s %s%s", o.len ? " " : "", m->f->name,
		    m->neg ? "!= " : "", nl_values_text(a, m->f, &m->v));
	}
	if (d->stmt != NULL && *d->stmt != '\0')
		out_printf(&o, "%s%s", o.len ? " " : "", d->stmt);
	if (d->comment != NULL)
		out_printf(&o, " comment \"%s\"", d->comment);
	/* Whatever the kernel held, print no control characters. */
	for (i = 0; i < o.len; i++)
		if ((unsigned char)o.buf[i] < 0x20 || o.buf[i] == 0x7f)
			o.buf[i] = '?';
	res = arena_strdup(a, out_str(&o));
	out_free(&o);
	return res;
}
