/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * catoproxy: policy-driven TCP proxy front-end for forwarding Linux routers.
 *
 * Configuration and statistics travel over the generic netlink family
 * CATOPROXY_GENL_NAME, one configuration per network namespace. Reads are
 * open to everyone; changes need CAP_NET_ADMIN over the namespace's user
 * namespace. A rejected change leaves the configuration exactly as it was and
 * carries an extended-ack message saying why.
 *
 * CATOPROXY_CMD_GET_CONFIG
 * ------------------------
 *
 * Request carries no attributes. The reply is:
 *
 *    CATOPROXY_A_MODE: NLA_U8, enum catoproxy_mode (never INHERIT)
 *    CATOPROXY_A_TLS_INSPECTION: NLA_U8, 0 or 1
 *    CATOPROXY_A_BLOCKED_SYN: NLA_U8, enum catoproxy_blocked_syn
 *    CATOPROXY_A_CHALLENGE_ACK: NLA_U8, enum catoproxy_challenge_ack
 *    CATOPROXY_A_SITE_COUNT: NLA_U32, number of configured sites
 *
 * CATOPROXY_CMD_SET_CONFIG
 * ------------------------
 *
 * Any non-empty subset of the writable attributes of GET_CONFIG:
 *
 *    CATOPROXY_A_MODE: NLA_U8, FULL, DELAYED, ADAPTIVE or OFF
 *    CATOPROXY_A_TLS_INSPECTION: NLA_U8, 0 or 1
 *    CATOPROXY_A_BLOCKED_SYN: NLA_U8
 *    CATOPROXY_A_CHALLENGE_ACK: NLA_U8
 *
 * All attributes are applied together or none is. A new mode applies to
 * connections that start after the change; live connections keep theirs.
 *
 * CATOPROXY_CMD_GET_STATS
 * -----------------------
 *
 * Request carries no attributes. The reply is:
 *
 *    CATOPROXY_A_STATS: NLA_NESTED
 *        CATOPROXY_STAT_*: NLA_U64, one attribute per counter, summed over
 *                          all CPUs; counters only grow.
 *
 * Userspace must skip counters it does not know: new ones are appended.
 *
 * CATOPROXY_CMD_ADD_SITE
 * ----------------------
 *
 *    CATOPROXY_A_SITE: NLA_NESTED
 *        CATOPROXY_SITE_A_NAME: NLA_NUL_STRING, 1 to CATOPROXY_SITE_NAME_MAX - 1
 *                               bytes, unique in the namespace
 *        CATOPROXY_SITE_A_MODE: NLA_U8, enum catoproxy_mode, optional,
 *                               default CATOPROXY_MODE_INHERIT
 *        CATOPROXY_SITE_A_PREFIXES: NLA_NESTED, 1 to
 *                                   CATOPROXY_SITE_PREFIXES_MAX entries
 *            CATOPROXY_PREFIXES_A_PREFIX: NLA_NESTED, repeated
 *                CATOPROXY_PREFIX_A_FAMILY: NLA_U16, AF_INET or AF_INET6
 *                CATOPROXY_PREFIX_A_ADDR: NLA_BINARY, 4 or 16 bytes, host
 *                                         bits clear
 *                CATOPROXY_PREFIX_A_PLEN: NLA_U8, at most 32 or 128
 *
 * A prefix may belong to one site only. A connection belongs to the site
 * with the longest prefix matching its source address or, failing that, its
 * destination address.
 *
 * CATOPROXY_CMD_DEL_SITE
 * ----------------------
 *
 *    CATOPROXY_A_SITE: NLA_NESTED
 *        CATOPROXY_SITE_A_NAME: NLA_NUL_STRING
 *
 * CATOPROXY_CMD_GET_SITE (dump)
 * -----------------------------
 *
 * One message per site, each:
 *
 *    CATOPROXY_A_SITE: NLA_NESTED
 *        CATOPROXY_SITE_A_ID: NLA_U32, assigned by the kernel, never reused
 *                             within a namespace
 *        CATOPROXY_SITE_A_NAME: NLA_NUL_STRING
 *        CATOPROXY_SITE_A_MODE: NLA_U8, as configured (may be INHERIT)
 *        CATOPROXY_SITE_A_EFFECTIVE_MODE: NLA_U8, the mode new connections
 *                                         of this site get (never INHERIT)
 *        CATOPROXY_SITE_A_PREFIXES: NLA_NESTED, as in ADD_SITE
 *
 * A dump that races with a change is flagged NLM_F_DUMP_INTR.
 *
 * Multicast group CATOPROXY_MCGRP_EVENTS
 * --------------------------------------
 *
 * Reserved for per-connection decision events; joining it needs no
 * privilege.
 */

#ifndef _UAPI_LINUX_CATOPROXY_H
#define _UAPI_LINUX_CATOPROXY_H

#define CATOPROXY_GENL_NAME "catoproxy"
#define CATOPROXY_GENL_VERSION 1
#define CATOPROXY_MCGRP_EVENTS "events"

#define CATOPROXY_SITE_NAME_MAX 32
#define CATOPROXY_SITES_MAX 256
#define CATOPROXY_SITE_PREFIXES_MAX 32

enum catoproxy_mode {
	CATOPROXY_MODE_INHERIT, /* sites only: follow the namespace's mode */
	CATOPROXY_MODE_FULL, /* answer the client's SYN at once */
	CATOPROXY_MODE_DELAYED, /* engage after the server's SYN-ACK */
	CATOPROXY_MODE_ADAPTIVE, /* full for recently alive servers, else delayed */
	CATOPROXY_MODE_OFF, /* leave the connection alone */
	__CATOPROXY_MODE_LAST
};
#define CATOPROXY_MODE_MAX (__CATOPROXY_MODE_LAST - 1)

enum catoproxy_blocked_syn {
	CATOPROXY_BLOCKED_SYN_HANDSHAKE, /* complete the handshake, then block */
	CATOPROXY_BLOCKED_SYN_DROP, /* drop the SYN, answer nothing */
	__CATOPROXY_BLOCKED_SYN_LAST
};
#define CATOPROXY_BLOCKED_SYN_MAX (__CATOPROXY_BLOCKED_SYN_LAST - 1)

enum catoproxy_challenge_ack {
	CATOPROXY_CHALLENGE_ACK_ALLOW, /* pass the RST that answers a challenge ACK */
	CATOPROXY_CHALLENGE_ACK_STRICT, /* drop it, as many firewalls do */
	__CATOPROXY_CHALLENGE_ACK_LAST
};
#define CATOPROXY_CHALLENGE_ACK_MAX (__CATOPROXY_CHALLENGE_ACK_LAST - 1)

enum catoproxy_cmd {
	CATOPROXY_CMD_UNSPEC,
	CATOPROXY_CMD_GET_CONFIG,
	CATOPROXY_CMD_SET_CONFIG,
	CATOPROXY_CMD_GET_STATS,
	CATOPROXY_CMD_ADD_SITE,
	CATOPROXY_CMD_DEL_SITE,
	CATOPROXY_CMD_GET_SITE,
	__CATOPROXY_CMD_LAST
};
#define CATOPROXY_CMD_MAX (__CATOPROXY_CMD_LAST - 1)

enum catoproxy_attr {
	CATOPROXY_A_UNSPEC,
	CATOPROXY_A_MODE,
	CATOPROXY_A_TLS_INSPECTION,
	CATOPROXY_A_BLOCKED_SYN,
	CATOPROXY_A_CHALLENGE_ACK,
	CATOPROXY_A_SITE_COUNT,
	CATOPROXY_A_STATS,
	CATOPROXY_A_SITE,
	__CATOPROXY_A_LAST
};
#define CATOPROXY_A_MAX (__CATOPROXY_A_LAST - 1)

enum catoproxy_site_attr {
	CATOPROXY_SITE_A_UNSPEC,
	CATOPROXY_SITE_A_ID,
	CATOPROXY_SITE_A_NAME,
	CATOPROXY_SITE_A_MODE,
	CATOPROXY_SITE_A_EFFECTIVE_MODE,
	CATOPROXY_SITE_A_PREFIXES,
	__CATOPROXY_SITE_A_LAST
};
#define CATOPROXY_SITE_A_MAX (__CATOPROXY_SITE_A_LAST - 1)

enum catoproxy_prefixes_attr {
	CATOPROXY_PREFIXES_A_UNSPEC,
	CATOPROXY_PREFIXES_A_PREFIX,
	__CATOPROXY_PREFIXES_A_LAST
};
#define CATOPROXY_PREFIXES_A_MAX (__CATOPROXY_PREFIXES_A_LAST - 1)

enum catoproxy_prefix_attr {
	CATOPROXY_PREFIX_A_UNSPEC,
	CATOPROXY_PREFIX_A_FAMILY,
	CATOPROXY_PREFIX_A_ADDR,
	CATOPROXY_PREFIX_A_PLEN,
	__CATOPROXY_PREFIX_A_LAST
};
#define CATOPROXY_PREFIX_A_MAX (__CATOPROXY_PREFIX_A_LAST - 1)

/*
 * Counters, per namespace. Userspace names them by dropping the
 * CATOPROXY_STAT_ prefix and lower-casing the rest.
 */
enum catoproxy_stat {
	CATOPROXY_STAT_UNSPEC,
	CATOPROXY_STAT_PAD,
	/* forwarded TCP connections given per-connection state */
	CATOPROXY_STAT_CONN_TRACKED,
	/* ... of which, by the mode the policy chose */
	CATOPROXY_STAT_CONN_FULL,
	CATOPROXY_STAT_CONN_DELAYED,
	CATOPROXY_STAT_CONN_ADAPTIVE,
	/* forwarded TCP connections left alone because the policy said off */
	CATOPROXY_STAT_CONN_OFF,
	/* left alone because another conntrack helper already owns them */
	CATOPROXY_STAT_CONN_HELPER_BUSY,
	/* left alone because the state could not be allocated */
	CATOPROXY_STAT_CONN_ATTACH_FAILED,
	/* per-connection state released together with its conntrack entry */
	CATOPROXY_STAT_CONN_RELEASED,
	__CATOPROXY_STAT_LAST
};
#define CATOPROXY_STAT_MAX (__CATOPROXY_STAT_LAST - 1)

#endif /* _UAPI_LINUX_CATOPROXY_H */
