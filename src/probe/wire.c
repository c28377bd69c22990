/*
 * wire.c - the bytes of probe's TLS, STUN and DNS messages (wire.h).
 *
 * The ClientHello is written by hand rather than by a TLS library because
 * probe needs only its first reply: the server's choice of version and
 * suite is enough to know that TLS for this name got through the
 * firewall, and a library would add a dependency and certificate checks
 * that answer another question.  It offers what current servers accept
 * (RFC 8446 section 4.1.2, with the TLS 1.2 fields kept for 1.2 servers).
 */
#include <string.h>

#include "probe/wire.h"

/* A writer that stops at the end of its buffer and remembers it did. */
struct wb {
	unsigned char	*p;
	size_t		 n, cap;
	bool		 full;
};

static void
put(struct wb *w, const void *b, size_t n)
{
	if (w->full || n > w->cap - w->n) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->n, b, n);
	w->n += n;
}

static void
put8(struct wb *w, unsigned v)
{
	unsigned char b = (unsigned char)v;

	put(w, &b, 1);
}

static void
put16(struct wb *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v);
}

/* Fill a length written earlier at off, of width bytes, with the count of
 * bytes after it. */
static void
patch(struct wb *w, size_t off, size_t width)
{
	size_t len = w->n - off - width, i;

	if (w->full)
		return;
	for (i = 0; i < width; i++)
		w->p[off + i] = (unsigned char)(len >> (8 * (width - 1 - i)));
}

/* Start a length field of width bytes; patch() it once the body is in. */
static size_t
open_len(struct wb *w, size_t width)
{
	size_t off = w->n;

	while (width-- > 0)
		put8(w, 0);
	return off;
}

static const unsigned suites[] = {
	0x1301, 0x1302, 0x1303,			/* TLS 1.3 */
	0xc02b, 0xc02f, 0xc02c, 0xc030,		/* ECDHE AES-GCM */
	0xcca9, 0xcca8,				/* ECDHE ChaCha20 */
	0xc009, 0xc013, 0xc00a, 0xc014,		/* ECDHE AES-CBC */
	0x009c, 0x009d, 0x002f, 0x0035,		/* RSA, for old servers */
};
static const unsigned groups[] = { 0x001d, 0x0017, 0x0018 };
static const unsigned sigalgs[] = {
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
	0x0201,
};

static void
ext_sni(struct wb *w, const char *sni)
{
	size_t e, l, nl = strlen(sni);

	put16(w, 0x0000);
	e = open_len(w, 2);
	l = open_len(w, 2);
	put8(w, 0);			/* host_name */
	put16(w, (unsigned)nl);
	put(w, sni, nl);
	patch(w, l, 2);
	patch(w, e, 2);
}

static void
ext_list16(struct wb *w, unsigned type, const unsigned *v, size_t n)
{
	size_t e, l, i;

	put16(w, type);
	e = open_len(w, 2);
	l = open_len(w, 2);
	for (i = 0; i < n; i++)
		put16(w, v[i]);
	patch(w, l, 2);
	patch(w, e, 2);
}

static void
extensions(struct wb *w, const char *sni, const unsigned char *share)
{
	static const unsigned char points[] = { 0x00, 0x0b, 0x00, 0x02, 0x01,
		0x00 };
	static const unsigned char versions[] = { 0x00, 0x2b, 0x00, 0x05, 0x04,
		0x03, 0x04, 0x03, 0x03 };
	static const unsigned char pskmodes[] = { 0x00, 0x2d, 0x00, 0x02, 0x01,
		0x01 };
	static const unsigned char ems[] = { 0x00, 0x17, 0x00, 0x00 };
	static const unsigned char reneg[] = { 0xff, 0x01, 0x00, 0x01, 0x00 };
	size_t e, l;

	if (sni != NULL)
		ext_sni(w, sni);
	ext_list16(w, 0x000a, groups, sizeof(groups) / sizeof(groups[0]));
	put(w, points, sizeof(points));
	ext_list16(w, 0x000d, sigalgs, sizeof(sigalgs) / sizeof(sigalgs[0]));
	put(w, versions, sizeof(versions));
	put(w, pskmodes, sizeof(pskmodes));
	put(w, ems, sizeof(ems));
	put(w, reneg, sizeof(reneg));
	/* key_share: one X25519 share.  Any 32 bytes are a valid X25519
	 * public key, and probe never computes the secret. */
	put16(w, 0x0033);
	e = open_len(w, 2);
	l = open_len(w, 2);
	put16(w, 0x001d);
	put16(w, 32);
	put(w, share, 32);
	patch(w, l, 2);
	patch(w, e, 2);
}

size_t
wire_tls_hello(unsigned char *buf, size_t cap, const char *sni,
    const unsigned char rnd[WIRE_HELLO_RANDOM])
{
	struct wb w = { buf, 0, cap, false };
	size_t rec, hs, ext, i;

	if (sni != NULL && (sni[0] == '\0' || strlen(sni) > 253))
		return 0;
	put8(&w, 0x16);			/* handshake record */
	put16(&w, 0x0301);		/* record version, as RFC 8446 says */
	rec = open_len(&w, 2);
	put8(&w, 0x01);			/* ClientHello */
	hs = open_len(&w, 3);
	put16(&w, 0x0303);		/* legacy_version: TLS 1.2 */
	put(&w, rnd, 32);
	put8(&w, 32);			/* legacy_session_id (middlebox */
	put(&w, rnd + 32, 32);		/* compatibility mode) */
	put16(&w, (unsigned)(2 * (sizeof(suites) / sizeof(suites[0]))));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put16(&w, suites[i]);
	put8(&w, 1);			/* compression: null only */
	put8(&w, 0);
	ext = open_len(&w, 2);
	extensions(&w, sni, rnd + 64);
	patch(&w, ext, 2);
	patch(&w, hs, 3);
	patch(&w, rec, 2);
	return w.full ? 0 : w.n;
}

enum wire_tls
wire_tls_reply(const unsigned char *b, size_t n)
{
	/* Record type handshake (22), version 3.x, then a handshake
	 * message of type ServerHello (2). */
	if (n >= 1 && b[0] != 0x16)
		return WT_OTHER;
	if (n >= 2 && b[1] != 0x03)
		return WT_OTHER;
	if (n < WIRE_TLS_DECIDE)
		return WT_MORE;
	return b[5] == 0x02 ? WT_SERVER_HELLO : WT_OTHER;
}

#define STUN_COOKIE	0x2112a442u

void
wire_stun_request(unsigned char buf[WIRE_STUN_LEN],
    const unsigned char txid[WIRE_STUN_TXID])
{
	buf[0] = 0x00;			/* Binding Request: 0x0001 */
	buf[1] = 0x01;
	buf[2] = buf[3] = 0;		/* no attributes */
	buf[4] = (unsigned char)(STUN_COOKIE >> 24);
	buf[5] = (unsigned char)(STUN_COOKIE >> 16);
	buf[6] = (unsigned char)(STUN_COOKIE >> 8);
	buf[7] = (unsigned char)STUN_COOKIE;
	memcpy(buf + 8, txid, WIRE_STUN_TXID);
}

bool
wire_stun_success(const unsigned char *b, size_t n,
    const unsigned char txid[WIRE_STUN_TXID])
{
	size_t len;

	if (n < WIRE_STUN_LEN)
		return false;
	len = (size_t)b[2] << 8 | b[3];
	/* Binding Success Response (0x0101), attributes padded to four
	 * bytes and all within the datagram, the cookie, our txid. */
	return b[0] == 0x01 && b[1] == 0x01 && len % 4 == 0 &&
	    len <= n - WIRE_STUN_LEN &&
	    b[4] == (unsigned char)(STUN_COOKIE >> 24) &&
	    b[5] == (unsigned char)(STUN_COOKIE >> 16) &&
	    b[6] == (unsigned char)(STUN_COOKIE >> 8) &&
	    b[7] == (unsigned char)STUN_COOKIE &&
	    memcmp(b + 8, txid, WIRE_STUN_TXID) == 0;
}

void
wire_dns_query(unsigned char buf[WIRE_DNS_LEN], unsigned id)
{
	static const unsigned char q[] = {
		0x00, 0x00,		/* flags: a standard query, RD off */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* QD 1 */
		0x00,			/* the root */
		0x00, 0x02, 0x00, 0x01,	/* NS, IN */
	};

	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	memcpy(buf + 2, q, sizeof(q));
}
