/*
 * nl-int.h - what the files of src/nl/ share and nothing else may use: the
 * libnftnl form of the nftables model (build.c), decoded rules (decode.c),
 * the netlink socket (sock.c), batches (batch.c), the saved form of a
 * table (save.c) and the guard of apply --confirm (confirm.c).  Kept
 * apart from nl.h so that the command line sees only apply, verify and
 * confirm, and these can change freely.
 */
#ifndef EGRESSC_NL_INT_H
#define EGRESSC_NL_INT_H

#include "nft/nft.h"
#include "nl/nl.h"

struct nftnl_rule;
struct nftnl_set;
struct nftnl_expr;

/* What a register or a set key holds: one field a rule can match. */
struct nl_field {
	const char	*name;		/* "ip daddr", "tcp dport", "meta l4proto" */
	int		 kind;		/* NL_F_* */
	uint32_t	 key;		/* meta/ct key, or payload base */
	uint32_t	 off, len;	/* payload offset and length, bytes */
	int		 nfproto;	/* family it needs, 0: none */
	int		 l4proto;	/* transport protocol it needs, -1: none */
	uint32_t	 dtype;		/* nft datatype number (set key type) */
	uint32_t	 desc, tmpl;	/* nft payload proto desc and template */
};
/* NL_F_CONCAT: the key of a run's set, ip daddr . meta l4proto . th
 * dport (nl_f_run4, nl_f_run6), each part padded to 4 bytes. */
enum { NL_F_META, NL_F_PAYLOAD, NL_F_CT, NL_F_CONCAT };

extern const struct nl_field nl_f_nfproto, nl_f_l4proto, nl_f_oif,
    nl_f_iif, nl_f_ctstate, nl_f_ctdir, nl_f_ip_saddr, nl_f_ip_daddr, nl_f_ip6_saddr,
    nl_f_ip6_daddr, nl_f_tcp_dport, nl_f_udp_dport, nl_f_sctp_dport,
    nl_f_icmp_type, nl_f_icmp_code, nl_f_icmp6_type, nl_f_icmp6_code,
    nl_f_icmp_tc, nl_f_icmp6_tc, nl_f_th_dport, nl_f_run4, nl_f_run6;
/* The parts of a concatenated key (nl_f_run4: ip daddr, meta l4proto, th
 * dport); 0 for other fields. */
size_t	nl_concat_parts(const struct nl_field *,
	    const struct nl_field *part[NFT_CONCAT_MAX]);

/* An element of a run's set: each part's interval, and the comment that
 * names the policy rule deciding it. */
struct nl_celem {
	u128		 lo[NFT_CONCAT_MAX], hi[NFT_CONCAT_MAX];
	const char	*comment;
};
/* A run's elements, sorted (nl_celems_sort) so that two compare. */
struct nl_celems {
	struct nl_celem	*e;
	size_t		 n;
};
void	nl_celems_sort(struct nl_celems *);
int	nl_celem_cmp(const void *, const void *);
bool	nl_celems_equal(const struct nl_celems *, const struct nl_celems *);
/* "10.0.0.0/8 . tcp . 443" */
const char *nl_celem_text(struct arena *, const struct nl_field *,
	    const struct nl_celem *);
/* An element's key and end as the kernel holds them; their length. */
uint32_t nl_celem_key(const struct nl_field *, const struct nl_celem *,
	    bool end, uint8_t *buf);

/* An anonymous set as nft builds it for `FIELD { ... }`, or a named set
 * of the model (a floor or dynamic set) as nft builds it for its
 * declaration. */
struct nl_set {
	uint32_t		 id;		/* NFTA_SET_ID in the batch */
	const struct nl_field	*field;
	bool			 interval;
	struct iset		 v;		/* the values */
	size_t			 nelems;	/* elements sent (with ends) */
	struct nftnl_set	*s;		/* header only (no elements) */
	const char		*name;		/* "__set%d": anonymous */
	const struct nft_set	*m;		/* named: the model's */
	/* A named interval set: its prefixes, each its own interval as nft
	 * sends them without auto-merge; NULL: v's intervals, merged. */
	const struct prefix	*pfx;
	size_t			 npfx;
	bool			 dynamic;	/* flags timeout */
	uint64_t		 timeout_ms;
	/* A run's set (NL_F_CONCAT): its elements as sent, and sorted. */
	struct nl_celems	 ce, cs;
};

/* One nftables rule and where it comes from. */
struct nl_rule {
	struct nftnl_rule	*r;
	const struct ir_rule	*src;		/* NULL: a chain's prologue */
	size_t			 chain;		/* in want.chains */
	size_t			 set0, nsets;	/* its sets in want.sets */
	/* A run's lookup: its last policy rule and its set's name. */
	const struct ir_rule	*last;
	const char		*run;
};

/* A chain of the model, in the kernel's numbers. */
struct nl_chain {
	const char	*name;
	enum ir_dir	 dir;
	bool		 base;		/* with a hook; else a regular chain */
	uint32_t	 hook;		/* NF_INET_LOCAL_OUT, NF_INET_LOCAL_IN */
	int32_t		 prio;
	uint32_t	 policy;	/* NF_DROP, NF_ACCEPT */
};

/* The table a policy compiles to: the model as libnftnl objects. */
struct nl_want {
	struct arena	*arena;
	const char	*table;
	struct nl_chain	*chains;
	size_t		 nchains;
	struct nl_set	*sets;
	size_t		 nsets, capsets;
	/* The model's named sets, in its order; sent before the chains. */
	struct nl_set	*named;
	size_t		 nnamed;
	bool		 keep;		/* nft_table.keep */
	struct nl_rule	*rules;
	size_t		 nrules, caprules;
	unsigned	 lo_index;	/* ifindex of "lo" where we load */
};

/* build.c: the model linearized.  fail_hook: honour NL_FAIL_ENV. */
void	nl_want_build(struct arena *, const struct nft_table *, bool fail_hook,
	    struct nl_want *);
void	nl_want_free(struct nl_want *);
/* The element keys nft sends for a set (interval ends included). */
size_t	nl_set_elems(const struct nl_set *, uint8_t (*keys)[16],
	    uint32_t *flags, bool *open, size_t max);
void	nl_put_value(uint8_t *buf, u128 v, uint32_t len);
u128	nl_get_value(const uint8_t *buf, uint32_t len);

/* decode.c: a rule's expressions read back as matches and statements. */
struct nl_match {
	const struct nl_field	*f;	/* NULL: raw (undecodable) text */
	struct iset		 v;
	bool			 neg;
	const char		*raw;	/* f NL_F_CONCAT: the set's name */
	struct nl_celems	 ce;	/* f NL_F_CONCAT: its elements */
};
struct nl_drule {
	struct nl_match	*m;
	size_t		 nm, capm;
	const char	*stmt;		/* "log prefix \"x\" drop", "accept" */
	const char	*comment;	/* NULL: none */
	uint64_t	 handle;
};
/* Finds the values of a lookup's set; a run's set: its elements in *ce. */
typedef const struct iset *(*nl_setfn)(void *, const char *name, uint32_t id,
    const struct nl_field **, const struct nl_celems **ce);
void	nl_decode(struct arena *, const struct nftnl_rule *, nl_setfn, void *,
	    struct nl_drule *);
/* An nl_setfn over the sets of a struct nl_want, by set id (build.c). */
const struct iset *nl_want_setfn(void *, const char *name, uint32_t id,
	    const struct nl_field **, const struct nl_celems **);
bool	nl_drule_equal(const struct nl_drule *, const struct nl_drule *);
/* Same fields and statements; only values may differ. */
bool	nl_drule_alike(const struct nl_drule *, const struct nl_drule *);
/* nft-like text: "ip daddr { 192.0.2.1, 10.0.0.0/8 } tcp dport 443 accept" */
const char *nl_drule_text(struct arena *, const struct nl_drule *);
const char *nl_values_text(struct arena *, const struct nl_field *,
	    const struct iset *);

/* sock.c: the netlink socket, in the namespace asked for. */
struct mnl_socket;
struct nl_sock {
	struct mnl_socket	*nl;
	unsigned		 portid;
	uint32_t		 seq;
};
/* 0, or -1 after diag_error() (a bad name) or diag_fail(). */
int	nl_enter_netns(const char *name);
/* 0, or -1 after diag_fail(). */
int	nl_sock_open(struct nl_sock *);
void	nl_sock_close(struct nl_sock *);
/* Send one request and run cb on every answer; 0 or -errno. */
struct nlmsghdr;
int	nl_sock_talk(struct nl_sock *, struct nlmsghdr *,
	    int (*cb)(const struct nlmsghdr *, void *), void *);
/*
 * One GET request of family inet, obj put in by payload (NULL: none);
 * 0 or -errno, -EINTR when the ruleset changed under a dump.
 */
int	nl_sock_ask(struct nl_sock *, int type, uint16_t flags, void *obj,
	    void (*payload)(struct nlmsghdr *, void *),
	    int (*cb)(const struct nlmsghdr *, void *), void *);
/*
 * The GETs of reading a table back (live.c, verify.c, save.c): the table
 * named, or every chain, set or rule of it, or one set's elements, each
 * answer to cb; 0 or -errno as nl_sock_ask.
 */
typedef int (*nl_cb)(const struct nlmsghdr *, void *);
int	nl_ask_table(struct nl_sock *, const char *table, nl_cb, void *);
int	nl_ask_chains(struct nl_sock *, const char *table, nl_cb, void *);
int	nl_ask_sets(struct nl_sock *, const char *table, nl_cb, void *);
int	nl_ask_elems(struct nl_sock *, const char *table, const char *set,
	    nl_cb, void *);
int	nl_ask_rules(struct nl_sock *, const char *table, nl_cb, void *);
/* A failed read said: -EINTR passed on (the ruleset changed under a
 * dump: start over), else diag_fail() naming what, and for EPERM that
 * `who` ("verify") needs CAP_NET_ADMIN; -1. */
int	nl_read_error(const char *what, int rc, const char *who);
/* Payload writers for nl_sock_ask, one per libnftnl object type. */
void	nl_p_table(struct nlmsghdr *, void *);
void	nl_p_chain(struct nlmsghdr *, void *);
void	nl_p_set(struct nlmsghdr *, void *);
void	nl_p_elems(struct nlmsghdr *, void *);
void	nl_p_rule(struct nlmsghdr *, void *);
void	nl_p_obj(struct nlmsghdr *, void *);
void	nl_p_flowtable(struct nlmsghdr *, void *);
/* The ruleset's generation: it changes with every commit.  0 or -errno. */
int	nl_sock_genid(struct nl_sock *, uint32_t *);

/* batch.c: one nfnetlink transaction and who sent each of its messages. */
struct nl_rec {
	uint32_t		 seq;
	size_t			 index;	/* 1-based, in the batch */
	const struct nl_rule	*rule;	/* NULL: not a policy rule's */
	const char		*what;	/* "NEWRULE", ... */
};
struct nl_batch {
	char		*buf;
	size_t		 len, cap;
	size_t		 check_len;	/* all but the BATCH_END */
	struct nl_rec	*recs;
	size_t		 nrecs, caprecs;
	uint32_t	 seq;		/* the next message's */
	struct arena	*a;		/* the records */
};
/* How a send names things when the kernel says no. */
struct nl_send {
	const char	*origin;	/* a file, for errors at no rule */
	const char	*what;		/* "the batch" */
	const char	*table;
	bool		 check;		/* run it and abort: change nothing */
};
void	nl_batch_init(struct nl_batch *, struct arena *, uint32_t seq);
void	nl_batch_free(struct nl_batch *);
/* Where the next message goes: room for any one message. */
char	*nl_batch_room(struct nl_batch *);
/* The message just built at nl_batch_room(); what NULL: not answered. */
void	nl_batch_add(struct nl_batch *, struct nlmsghdr *,
	    const struct nl_rule *, const char *what);
/* A NEWSETELEM of set t's elements (t freed); r: the rule it is for. */
void	nl_batch_add_elems(struct nl_batch *, struct nftnl_set *,
	    const struct nl_rule *);
void	nl_batch_begin(struct nl_batch *);
void	nl_batch_end(struct nl_batch *);
/*
 * A batch as bytes (from a state file): 0 when it is BATCH_BEGIN, then
 * only messages that make table inet `table` and its contents, then
 * BATCH_END; else -1.
 */
int	nl_batch_load(struct nl_batch *, const void *, size_t,
	    const char *table);
/* 0, or -1 after diag_fail() naming the message the kernel refused. */
int	nl_batch_send(struct nl_sock *, const struct nl_batch *,
	    const struct nl_send *);

/*
 * save.c: table inet `table` as the kernel holds it now, read in one
 * generation, as a batch that puts it back exactly: add the table, delete
 * it, and (when it existed: *existed) add it again with its chains,
 * objects, sets and their elements, flowtables and rules.  b is
 * initialized here.  0, or -1 after diag_fail().
 */
int	nl_save(struct nl_sock *, struct arena *, const char *table,
	    struct nl_batch *b, bool *existed);

/*
 * live.c: what table inet `table` holds now: its chains, its named and
 * anonymous sets and, for the sets want() says yes to, their elements
 * with what each has left (expires_ms: 0 when it has no timeout).
 * exists false: no such table.  0, or -1 after diag_fail().
 */
struct nl_lchain {
	const char	*name;
	bool		 base;
	uint32_t	 hook;
	int32_t		 prio;
	const char	*type;
};
struct nl_lelem {
	u128		 key;
	uint64_t	 expires_ms, timeout_ms;
};
struct nl_lset {
	const char	*name;
	uint32_t	 flags, ktype, klen;
	uint64_t	 timeout_ms;	/* the set's default; 0: none */
	bool		 elems_read;
	struct nl_lelem	*e;
	size_t		 ne, cape;
};
struct nl_live {
	struct arena	*a;
	const char	*table;
	bool		 exists;
	struct nl_lchain *chains;
	size_t		 nchains, capchains;
	struct nl_lset	*sets;
	size_t		 nsets, capsets;
};
int	nl_live_read(struct nl_sock *, struct arena *, const char *table,
	    bool (*want)(const char *set, void *), void *arg,
	    struct nl_live *);
const struct nl_lset *nl_live_set(const struct nl_live *, const char *name);

/*
 * confirm.c: the guard of apply.  nl_guard_open takes the lock of the
 * state directory and refuses (diag_error, -1) while a guarded apply of
 * the table is pending in this network namespace; with arm, it makes the
 * directory.  nl_guard_arm saves the table, checks the kernel would take
 * the saved form back, starts the watchdog and writes the state file;
 * nl_guard_disarm undoes that when the apply failed, nl_guard_done says
 * how to confirm; nl_guard_close drops the lock.
 */
struct nl_guard {
	struct arena	*a;
	const char	*table;
	const char	*dir;		/* NULL: no state directory */
	const char	*pending;	/* DIR/netINODE-TABLE.pending */
	const char	*log;		/* DIR/netINODE-TABLE.log */
	unsigned long	 nsino;		/* the network namespace's inode */
	int		 lockfd;
	int		 pid;		/* the watchdog; 0: none */
	bool		 existed;	/* a previous table was saved */
	long long	 deadline;	/* wall clock, for people */
	const char	*confirm;	/* the command that confirms */
	const char	*netns;		/* its ip-netns name; NULL: none */
};
int	nl_guard_open(struct nl_guard *, struct arena *, const char *table,
	    bool arm);
int	nl_guard_arm(struct nl_guard *, struct nl_sock *, const struct ir *,
	    const struct nl_opts *);
void	nl_guard_disarm(struct nl_guard *);
void	nl_guard_done(struct nl_guard *, const struct nl_opts *);
void	nl_guard_close(struct nl_guard *);

#endif
