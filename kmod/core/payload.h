/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names carried by a connection's first payload: the server_name of a TLS
 * ClientHello and the Host header of an HTTP/1.x request. Plain C (see
 * pure.h), shared by the module, catoproxyctl and the host unit tests and
 * fuzzers.
 *
 * The parsers see the client's bytes held so far, in order, and nothing
 * else: they never read past @data[@len), and they say whether more bytes
 * could still change the answer, so that the module holds no more than it
 * needs to decide.
 */
#ifndef _CATOPROXY_PAYLOAD_H
#define _CATOPROXY_PAYLOAD_H

#include "pure.h"

/* A DNS name's text form without the trailing dot. */
#define CATOPROXY_PAYLOAD_NAME_MAX 253
#define CATOPROXY_PAYLOAD_LABEL_MAX 63

/*
 * How much a parser ever needs. A ClientHello's handshake body longer than
 * TLS_BODY_MAX, or carried in more than TLS_RECORDS_MAX records, is
 * MALFORMED; so is an HTTP request line and header block longer than
 * HOLD_MAX. Hence neither parser answers MORE once @len >= HOLD_MAX: the
 * data path holds at most HOLD_MAX bytes to decide.
 */
#define CATOPROXY_PAYLOAD_TLS_BODY_MAX 16384
#define CATOPROXY_PAYLOAD_TLS_RECORDS_MAX 8
#define CATOPROXY_PAYLOAD_HOLD_MAX                                 \
	(4 + CATOPROXY_PAYLOAD_TLS_BODY_MAX +                      \
	 5 * CATOPROXY_PAYLOAD_TLS_RECORDS_MAX)

/*
 * The answer is final: once a parser says anything but MORE for some bytes,
 * it says the same for those bytes followed by any others.
 */
enum catoproxy_payload_status {
	/* could still be one: the answer needs more bytes */
	CATOPROXY_PAYLOAD_MORE,
	/* complete, and @name holds the name, in lower case */
	CATOPROXY_PAYLOAD_FOUND,
	/* complete, and it carries no name */
	CATOPROXY_PAYLOAD_NONE,
	/* it claims to be one (record/method) and is broken or too long */
	CATOPROXY_PAYLOAD_MALFORMED,
	/* not this protocol at all */
	CATOPROXY_PAYLOAD_OTHER,
};

/*
 * The first host_name of the server_name extension of the TLS ClientHello
 * at the start of @data[0..@len) (which may span several records).
 *
 * The answer waits for the whole ClientHello, so that a broken one is never
 * FOUND. OTHER: the first record's header is not a TLS handshake record
 * (content type 22, version 3.x; an SSLv2-style hello is OTHER). MALFORMED:
 * the first handshake message is not a ClientHello, a length disagrees
 * with its container, a record of another type comes before the hello's
 * end, two server_name extensions, an empty or invalid host_name, or the
 * bounds above. NONE: no server_name extension, or one without a
 * host_name. With encrypted_client_hello (ECH) this is the outer, public
 * name: the only one visible.
 *
 * A name is letters, digits, '-' and '_' in dot-separated labels of 1 to
 * LABEL_MAX characters, at most NAME_MAX in all; one trailing dot is
 * dropped ("example.com." is "example.com"), so that a rule cannot be
 * dodged with it. An IPv4 address passes as a name.
 */
int catoproxy_payload_sni(const u8 *data, u32 len,
			  char name[CATOPROXY_PAYLOAD_NAME_MAX + 1]);
/*
 * The Host header of the HTTP/1.x request at the start of @data[0..@len),
 * without its port.
 *
 * The answer waits for the end of the header block (an empty line), so
 * that a second Host header, which servers refuse and which could
 * otherwise carry the name the server uses, is MALFORMED and never FOUND.
 * Lines end in CRLF or LF. OTHER: the data does not start with a method
 * token (at most 32 characters) and SP, or the request line has no
 * HTTP/1.x version (HTTP/0.9, HTTP/2's preface). MALFORMED: bad
 * characters in the target or in a header, whitespace before a colon,
 * obs-fold (a line starting with whitespace), a bare CR, an invalid name
 * or port, more than one Host, or more than HOLD_MAX bytes. NONE: no
 * Host header, an empty one, or an IP literal ("[2001:db8::1]:8080": an
 * address, not a name; rules match addresses by prefix). The Host header
 * decides even when the target is in absolute form ("GET http://other/
 * HTTP/1.1").
 */
int catoproxy_payload_host(const u8 *data, u32 len,
			   char name[CATOPROXY_PAYLOAD_NAME_MAX + 1]);

/*
 * False, with @why set, when @pattern is not a name a rule accepts: a name
 * ("example.com") or "*." and a name ("*.example.com": any name below it).
 * Names as the parsers accept them, in either case, but with no trailing
 * dot (a pattern has one spelling) and at most NAME_MAX characters with
 * the "*.": a name below "*.suffix" is at least that long.
 */
bool catoproxy_payload_pattern_valid(const char *pattern, const char **why);
/*
 * Does @pattern (valid) match @name (as the parsers give it)? ASCII
 * case-insensitive. "*.example.com" matches "www.example.com" and
 * "a.b.example.com", not "example.com" itself.
 */
bool catoproxy_payload_name_match(const char *pattern, const char *name);

#endif /* _CATOPROXY_PAYLOAD_H */
