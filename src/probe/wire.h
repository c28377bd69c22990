/*
 * wire.h - the few bytes `egressc probe` puts on the wire and reads back.
 *
 * A TCP connect says a port is open; it does not say that what answers on
 * 443 speaks TLS for the host, which is what a browser needs and what a
 * firewall filtering by SNI decides on.  A UDP port says nothing at all
 * unless something answers, so each probe sends what the service there
 * answers: a TLS ClientHello naming the host, a STUN Binding Request
 * (RFC 8489), a DNS query.  Only as much of a reply is read as tells the
 * answer apart: the record and handshake type of TLS (no certificate is
 * looked at), the type, cookie and transaction id of STUN.  Random bytes
 * come from the caller, so the encoders are pure and testable.
 */
#ifndef EGRESSC_WIRE_H
#define EGRESSC_WIRE_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a ClientHello with the longest host name (253 bytes). */
#define WIRE_HELLO_MAX		640
/* The random bytes one ClientHello takes: client random, session id and
 * an X25519 key share, 32 each. */
#define WIRE_HELLO_RANDOM	96
/* Bytes of a reply that decide what it is: the record header (5) and
 * the handshake type (1). */
#define WIRE_TLS_DECIDE		6

/*
 * A TLS ClientHello record that a TLS 1.2 or 1.3 server answers with a
 * ServerHello: TLS 1.3 and ECDHE suites, supported_versions 1.3 and 1.2,
 * an X25519 key share, and the server_name extension when sni is not NULL.
 * Returns its length, or 0 when sni is too long or cap too small.
 */
size_t	wire_tls_hello(unsigned char *buf, size_t cap, const char *sni,
	    const unsigned char rnd[WIRE_HELLO_RANDOM]);

enum wire_tls {
	WT_MORE,		/* too few bytes yet to tell */
	WT_SERVER_HELLO,	/* a handshake record holding a ServerHello
				 * (a HelloRetryRequest is one too) */
	WT_OTHER,		/* an alert, or not TLS */
};
/* What the first n bytes the server sent are. */
enum wire_tls	wire_tls_reply(const unsigned char *, size_t n);

#define WIRE_STUN_LEN		20
#define WIRE_STUN_TXID		12
/* A Binding Request: no attributes, the magic cookie, txid. */
void	wire_stun_request(unsigned char buf[WIRE_STUN_LEN],
	    const unsigned char txid[WIRE_STUN_TXID]);
/* Is the datagram a Binding Success Response to the request with txid? */
bool	wire_stun_success(const unsigned char *, size_t n,
	    const unsigned char txid[WIRE_STUN_TXID]);

#define WIRE_DNS_LEN		17
/* A query for the root's NS records with id: every DNS server answers
 * it, if only with REFUSED. */
void	wire_dns_query(unsigned char buf[WIRE_DNS_LEN], unsigned id);

#endif
