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
 */
int catoproxy_payload_sni(const u8 *data, u32 len,
			  char name[CATOPROXY_PAYLOAD_NAME_MAX + 1]);
/*
 * The Host header of the HTTP/1.x request at the start of @data[0..@len),
 * without its port.
 */
int catoproxy_payload_host(const u8 *data, u32 len,
			   char name[CATOPROXY_PAYLOAD_NAME_MAX + 1]);

/*
 * False, with @why set, when @pattern is not a name a rule accepts: a name
 * ("example.com") or "*." and a name ("*.example.com": any name below it).
 */
bool catoproxy_payload_pattern_valid(const char *pattern, const char **why);
/* Does @pattern (valid) match @name? ASCII case-insensitive. */
bool catoproxy_payload_name_match(const char *pattern, const char *name);

#endif /* _CATOPROXY_PAYLOAD_H */
