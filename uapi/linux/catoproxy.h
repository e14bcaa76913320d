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
 *    CATOPROXY_A_SERVER_TIMEOUT: NLA_U32, milliseconds a full-mode server
 *                                half may take to answer before the client
 *                                is reset
 *    CATOPROXY_A_SYN_BACKLOG: NLA_U32, half-open full-mode connections
 *                             above which SYNs are answered with stateless
 *                             cookies
 *    CATOPROXY_A_FORCE_FULL_PORTS: NLA_BINARY, array of u16 (host order),
 *                                  0 to CATOPROXY_FORCE_PORTS_MAX distinct
 *                                  non-zero destination ports that get mode
 *                                  full whatever the policy says, while
 *                                  TLS inspection is on; default { 443 }
 *    CATOPROXY_A_ADAPTIVE_TTL: NLA_U32, seconds a server ip:port stays
 *                              "alive" for adaptive mode after its last
 *                              SYN-ACK
 *    CATOPROXY_A_ADAPTIVE_SIZE: NLA_U32, entries of the namespace's
 *                               adaptive cache (its memory bound)
 *    CATOPROXY_A_RULE_COUNT: NLA_U32, number of rules
 *    CATOPROXY_A_BLOCK_PAGE_PORTS: NLA_BINARY, array of u16 (host order),
 *                                  0 to CATOPROXY_BLOCK_PAGE_PORTS_MAX
 *                                  distinct non-zero destination ports on
 *                                  which a blocked connection that got a
 *                                  handshake is answered with an HTTP 403
 *                                  page rather than a reset; default { 80 }
 *    CATOPROXY_A_BLOCK_PAGE: NLA_BINARY, 0 to CATOPROXY_BLOCK_PAGE_MAX
 *                            bytes, the body of that page (the module adds
 *                            the HTTP header)
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
 *    CATOPROXY_A_SERVER_TIMEOUT: NLA_U32, 100 to 600000
 *    CATOPROXY_A_SYN_BACKLOG: NLA_U32, 0 (always cookies) to 1000000
 *    CATOPROXY_A_FORCE_FULL_PORTS: NLA_BINARY, as above (empty: none)
 *    CATOPROXY_A_ADAPTIVE_TTL: NLA_U32, 1 to CATOPROXY_ADAPTIVE_TTL_MAX
 *    CATOPROXY_A_ADAPTIVE_SIZE: NLA_U32, CATOPROXY_ADAPTIVE_SIZE_MIN to
 *                               CATOPROXY_ADAPTIVE_SIZE_MAX; a new size
 *                               starts an empty cache
 *    CATOPROXY_A_BLOCK_PAGE_PORTS: NLA_BINARY, as above (empty: none)
 *    CATOPROXY_A_BLOCK_PAGE: NLA_BINARY, as above
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
 *    CATOPROXY_A_ADAPTIVE_ENTRIES: NLA_U32, server ip:ports the adaptive
 *                                  cache holds now (expired ones included
 *                                  until reused)
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
 * CATOPROXY_CMD_GET_CONN (dump)
 * -----------------------------
 *
 * One message per live connection of the namespace that carries catoproxy
 * state (a conntrack entry the policy did not turn off), each:
 *
 *    CATOPROXY_A_CONN: NLA_NESTED
 *        CATOPROXY_CONN_A_FAMILY: NLA_U16, AF_INET or AF_INET6
 *        CATOPROXY_CONN_A_SADDR: NLA_BINARY, 4 or 16 bytes, network order
 *        CATOPROXY_CONN_A_DADDR: NLA_BINARY, 4 or 16 bytes, network order
 *        CATOPROXY_CONN_A_SPORT: NLA_U16, host order
 *        CATOPROXY_CONN_A_DPORT: NLA_U16, host order
 *        CATOPROXY_CONN_A_MODE: NLA_U8, enum catoproxy_mode (never INHERIT
 *                               or OFF)
 *        CATOPROXY_CONN_A_ACCEL: NLA_U8, 1 when the module answered the
 *                                client's SYN itself, else 0
 *        CATOPROXY_CONN_A_REASON: NLA_U8, enum catoproxy_reason
 *        CATOPROXY_CONN_A_SITE_ID: NLA_U32, the site the connection belongs
 *                                  to, 0 for none
 *        CATOPROXY_CONN_A_STATE: NLA_U8, enum catoproxy_conn_state
 *        CATOPROXY_CONN_A_SITE_NAME: NLA_NUL_STRING, the site's name, absent
 *                                    when there is no site or it has been
 *                                    deleted since
 *
 * MODE is the mode the policy chose. An ADAPTIVE connection runs as FULL
 * (ACCEL 1) when its server ip:port had recently proved alive, else as
 * DELAYED (ACCEL 0).
 *
 * Addresses and ports are those of the client's first packet (conntrack's
 * original direction), before any NAT. Like `conntrack -L`, the dump walks
 * conntrack's table one bucket at a time: a connection that starts or ends
 * meanwhile may or may not be listed, and one can occasionally be listed
 * twice.
 *
 * CATOPROXY_CMD_ADD_RULE
 * ----------------------
 *
 *    CATOPROXY_A_RULE: NLA_NESTED
 *        CATOPROXY_RULE_A_POS: NLA_U32, optional: the rule becomes the one
 *                              at this position (1 is the first), the
 *                              rules from there on move down; default:
 *                              after the last one
 *        CATOPROXY_RULE_A_SRC: NLA_NESTED, optional: the source prefix
 *            CATOPROXY_PREFIX_A_FAMILY: NLA_U16, AF_INET or AF_INET6
 *            CATOPROXY_PREFIX_A_ADDR: NLA_BINARY, 4 or 16 bytes, host bits
 *                                     clear
 *            CATOPROXY_PREFIX_A_PLEN: NLA_U8, at most 32 or 128
 *        CATOPROXY_RULE_A_DST: NLA_NESTED, optional: the destination
 *                              prefix, as SRC and of the same family
 *        CATOPROXY_RULE_A_SPORT_MIN: NLA_U16, optional, default 0
 *        CATOPROXY_RULE_A_SPORT_MAX: NLA_U16, optional, default SPORT_MIN
 *                                    when that is given, else 65535; never
 *                                    below SPORT_MIN
 *        CATOPROXY_RULE_A_DPORT_MIN: NLA_U16, as SPORT_MIN
 *        CATOPROXY_RULE_A_DPORT_MAX: NLA_U16, as SPORT_MAX
 *        CATOPROXY_RULE_A_ACTION: NLA_U8, enum catoproxy_action, required
 *
 * The reply carries the new rule's id:
 *
 *    CATOPROXY_A_RULE: NLA_NESTED
 *        CATOPROXY_RULE_A_ID: NLA_U32, assigned by the kernel, never
 *                             reused within a namespace
 *
 * Rules are matched against the first packet of a forwarded TCP
 * connection (its SYN), in order; the first that matches decides. A rule
 * without prefixes matches IPv4 and IPv6. ALLOW leaves the decision to the
 * policy (account, site, port), BLOCK blocks the connection (see
 * CATOPROXY_A_BLOCKED_SYN), BYPASS keeps the module away from it entirely:
 * no state, no translation, no event. A connection no rule matches is
 * allowed. A new list applies to connections that start after it; every
 * connection is decided by one whole list, the old or the new one.
 *
 * CATOPROXY_CMD_DEL_RULE
 * ----------------------
 *
 *    CATOPROXY_A_RULE: NLA_NESTED
 *        CATOPROXY_RULE_A_ID: NLA_U32
 *
 * CATOPROXY_CMD_SET_RULES
 * -----------------------
 *
 * Replaces the whole list at once:
 *
 *    CATOPROXY_A_RULE: NLA_NESTED, repeated 0 to CATOPROXY_RULES_MAX times,
 *                      the rules in order, each as in ADD_RULE without POS
 *
 * A request without any empties the list. Each rule gets a new id, in
 * order. The attribute is repeated at the top level, not nested in a list,
 * because a nest holds at most 64 KiB and a long list is bigger: the
 * request is one message, so the sender's socket buffer must hold it.
 *
 * CATOPROXY_CMD_GET_RULE (dump)
 * -----------------------------
 *
 * One message per rule, in order, each:
 *
 *    CATOPROXY_A_RULE: NLA_NESTED
 *        CATOPROXY_RULE_A_ID: NLA_U32
 *        CATOPROXY_RULE_A_POS: NLA_U32, 1 for the first rule
 *        CATOPROXY_RULE_A_SRC, CATOPROXY_RULE_A_DST: as in ADD_RULE, when
 *                                                    the rule has them
 *        CATOPROXY_RULE_A_SPORT_MIN, CATOPROXY_RULE_A_SPORT_MAX,
 *        CATOPROXY_RULE_A_DPORT_MIN, CATOPROXY_RULE_A_DPORT_MAX: NLA_U16,
 *                                                                always
 *        CATOPROXY_RULE_A_ACTION: NLA_U8
 *        CATOPROXY_RULE_A_HITS: NLA_U64, connections the rule decided
 *                               (a blocked SYN counts each time it comes);
 *                               kept across ADD_RULE and DEL_RULE
 *
 * A dump that races with a change is flagged NLM_F_DUMP_INTR.
 *
 * Multicast group CATOPROXY_MCGRP_EVENTS: CATOPROXY_CMD_EVENT
 * ----------------------------------------------------------
 *
 * One notification per connection event, sent to the listeners of the
 * connection's namespace; joining the group needs no privilege. Each:
 *
 *    CATOPROXY_A_CONN: NLA_NESTED, as in GET_CONN, plus
 *        CATOPROXY_CONN_A_EVENT: NLA_U8, enum catoproxy_event
 *        CATOPROXY_CONN_A_CAUSE: NLA_U8, enum catoproxy_cause, why a FAILED
 *                                event failed; NONE for the others
 *        CATOPROXY_CONN_A_RULE_ID: NLA_U32, DECISION and BLOCKED events:
 *                                  the rule that matched, 0 for none
 *
 * A BLOCKED event reports a blocked connection's SYN: ACCEL 1 when the
 * module answered it with a handshake, 0 when it dropped it; MODE and
 * REASON are what the policy would have chosen. Nothing is kept of a
 * blocked connection: a retransmitted SYN is reported again.
 *
 * The state is the one after the event. Events are sent from the packet
 * path with atomic allocations: a listener that falls behind sees its
 * socket overflow (ENOBUFS) and loses events, it never slows traffic.
 * Userspace must skip attributes and enum values it does not know: new
 * ones are appended.
 */

#ifndef _UAPI_LINUX_CATOPROXY_H
#define _UAPI_LINUX_CATOPROXY_H

#define CATOPROXY_GENL_NAME "catoproxy"
#define CATOPROXY_GENL_VERSION 1
#define CATOPROXY_MCGRP_EVENTS "events"

#define CATOPROXY_SITE_NAME_MAX 32
#define CATOPROXY_SITES_MAX 256
#define CATOPROXY_SITE_PREFIXES_MAX 32
/* Bounds of CATOPROXY_A_SERVER_TIMEOUT and CATOPROXY_A_SYN_BACKLOG. */
#define CATOPROXY_SERVER_TIMEOUT_MS_MIN 100
#define CATOPROXY_SERVER_TIMEOUT_MS_MAX 600000
#define CATOPROXY_SYN_BACKLOG_MAX 1000000
/* Bounds of CATOPROXY_A_FORCE_FULL_PORTS and the adaptive cache. */
#define CATOPROXY_FORCE_PORTS_MAX 16
#define CATOPROXY_ADAPTIVE_TTL_MAX 86400
#define CATOPROXY_ADAPTIVE_SIZE_MIN 64
#define CATOPROXY_ADAPTIVE_SIZE_MAX 262144
/* Bounds of the rule list and of the block page. */
#define CATOPROXY_RULES_MAX 65536
#define CATOPROXY_BLOCK_PAGE_PORTS_MAX 16
#define CATOPROXY_BLOCK_PAGE_MAX 4096

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
	CATOPROXY_CMD_EVENT, /* notification only, never a request */
	CATOPROXY_CMD_GET_CONN,
	CATOPROXY_CMD_ADD_RULE,
	CATOPROXY_CMD_DEL_RULE,
	CATOPROXY_CMD_SET_RULES,
	CATOPROXY_CMD_GET_RULE,
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
	CATOPROXY_A_SERVER_TIMEOUT,
	CATOPROXY_A_SYN_BACKLOG,
	CATOPROXY_A_CONN,
	CATOPROXY_A_FORCE_FULL_PORTS,
	CATOPROXY_A_ADAPTIVE_TTL,
	CATOPROXY_A_ADAPTIVE_SIZE,
	CATOPROXY_A_ADAPTIVE_ENTRIES,
	CATOPROXY_A_RULE,
	CATOPROXY_A_RULE_COUNT,
	CATOPROXY_A_BLOCK_PAGE_PORTS,
	CATOPROXY_A_BLOCK_PAGE,
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

enum catoproxy_conn_attr {
	CATOPROXY_CONN_A_UNSPEC,
	CATOPROXY_CONN_A_FAMILY,
	CATOPROXY_CONN_A_SADDR,
	CATOPROXY_CONN_A_DADDR,
	CATOPROXY_CONN_A_SPORT,
	CATOPROXY_CONN_A_DPORT,
	CATOPROXY_CONN_A_MODE,
	CATOPROXY_CONN_A_ACCEL,
	CATOPROXY_CONN_A_REASON,
	CATOPROXY_CONN_A_SITE_ID,
	CATOPROXY_CONN_A_STATE,
	CATOPROXY_CONN_A_EVENT,
	CATOPROXY_CONN_A_CAUSE,
	CATOPROXY_CONN_A_SITE_NAME,
	CATOPROXY_CONN_A_RULE_ID,
	__CATOPROXY_CONN_A_LAST
};
#define CATOPROXY_CONN_A_MAX (__CATOPROXY_CONN_A_LAST - 1)

enum catoproxy_rule_attr {
	CATOPROXY_RULE_A_UNSPEC,
	CATOPROXY_RULE_A_ID,
	CATOPROXY_RULE_A_POS,
	CATOPROXY_RULE_A_SRC,
	CATOPROXY_RULE_A_DST,
	CATOPROXY_RULE_A_SPORT_MIN,
	CATOPROXY_RULE_A_SPORT_MAX,
	CATOPROXY_RULE_A_DPORT_MIN,
	CATOPROXY_RULE_A_DPORT_MAX,
	CATOPROXY_RULE_A_ACTION,
	CATOPROXY_RULE_A_HITS,
	CATOPROXY_RULE_A_PAD,
	__CATOPROXY_RULE_A_LAST
};
#define CATOPROXY_RULE_A_MAX (__CATOPROXY_RULE_A_LAST - 1)

enum catoproxy_action {
	CATOPROXY_ACTION_ALLOW, /* the policy decides the mode */
	CATOPROXY_ACTION_BLOCK, /* see enum catoproxy_blocked_syn */
	CATOPROXY_ACTION_BYPASS, /* the module never touches the connection */
	__CATOPROXY_ACTION_LAST
};
#define CATOPROXY_ACTION_MAX (__CATOPROXY_ACTION_LAST - 1)

/* Why a connection got its mode (see the decision in design.rst). */
enum catoproxy_reason {
	CATOPROXY_REASON_ACCOUNT, /* the namespace's mode */
	CATOPROXY_REASON_SITE_SRC, /* the mode of the source address's site */
	CATOPROXY_REASON_SITE_DST, /* the mode of the destination's site */
	/* TLS inspection forces full on this port (force-full-ports) */
	CATOPROXY_REASON_TLS_PORT,
	__CATOPROXY_REASON_LAST
};
#define CATOPROXY_REASON_MAX (__CATOPROXY_REASON_LAST - 1)

enum catoproxy_conn_state {
	CATOPROXY_CONN_PASS, /* tracked, packets pass untouched */
	CATOPROXY_CONN_OPENING, /* full: client answered, server half opening */
	CATOPROXY_CONN_SPLICED, /* full: both halves up, translated */
	CATOPROXY_CONN_FAILED, /* full: server refused or timed out */
	CATOPROXY_CONN_WAITING, /* delayed: SYN passed, no SYN-ACK yet */
	CATOPROXY_CONN_ENGAGED, /* delayed: the server answered, module follows */
	CATOPROXY_CONN_BLOCKED, /* events only: a rule blocked the connection */
	__CATOPROXY_CONN_STATE_LAST
};
#define CATOPROXY_CONN_STATE_MAX (__CATOPROXY_CONN_STATE_LAST - 1)

enum catoproxy_event {
	/* the policy decided the connection's mode on its first packet */
	CATOPROXY_EVENT_DECISION,
	/* full: the server half is up and joined to the client half */
	CATOPROXY_EVENT_SPLICED,
	/* full: the server half could not be opened; the client was reset */
	CATOPROXY_EVENT_FAILED,
	/* delayed: the server's SYN-ACK passed, the module engaged (accel 0) */
	CATOPROXY_EVENT_ENGAGED,
	/* a rule blocked the connection's SYN (see CATOPROXY_A_BLOCKED_SYN) */
	CATOPROXY_EVENT_BLOCKED,
	__CATOPROXY_EVENT_LAST
};
#define CATOPROXY_EVENT_MAX (__CATOPROXY_EVENT_LAST - 1)

enum catoproxy_cause {
	CATOPROXY_CAUSE_NONE,
	CATOPROXY_CAUSE_SERVER_RST, /* the server answered the SYN with an RST */
	CATOPROXY_CAUSE_SERVER_ICMP, /* an ICMP error came back for the SYN */
	CATOPROXY_CAUSE_SERVER_TIMEOUT, /* no answer within server-timeout */
	/* the server answered, the client never completed its handshake */
	CATOPROXY_CAUSE_CLIENT_TIMEOUT,
	__CATOPROXY_CAUSE_LAST
};
#define CATOPROXY_CAUSE_MAX (__CATOPROXY_CAUSE_LAST - 1)

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
	/* full mode: client SYNs answered by the module with state kept */
	CATOPROXY_STAT_SYN_INTERCEPTED,
	/* retransmitted client SYNs answered again */
	CATOPROXY_STAT_SYNACK_RETRANSMITTED,
	/* server halves that completed their handshake */
	CATOPROXY_STAT_SERVER_OPEN_OK,
	/* server halves refused by an RST or an ICMP error: client reset */
	CATOPROXY_STAT_SERVER_OPEN_FAILED,
	/* server halves that never answered in time: client reset */
	CATOPROXY_STAT_SERVER_TIMEOUT,
	/* server SYNs sent again because the server had not answered */
	CATOPROXY_STAT_SERVER_SYN_RETRANSMITTED,
	/* client SYNs answered with a stateless SYN cookie (backlog full) */
	CATOPROXY_STAT_COOKIE_MODE_SYNS,
	/* ACKs carrying a valid cookie, which opened a server half */
	CATOPROXY_STAT_COOKIE_VALID,
	/* ACKs for an unknown connection whose cookie did not check: dropped */
	CATOPROXY_STAT_COOKIE_INVALID,
	/* client segments held until the server half was up */
	CATOPROXY_STAT_HELD_SEGMENTS,
	/* client segments dropped because the hold queue was full */
	CATOPROXY_STAT_HELD_DROPPED,
	/* packets the module had to send but could not build or route */
	CATOPROXY_STAT_TX_FAILED,
	/*
	 * full mode: the server answered but the client never acknowledged
	 * the module's SYN-ACK (a spoofed SYN): both ends reset
	 */
	CATOPROXY_STAT_CLIENT_TIMEOUT,
	/* delayed (and adaptive run as delayed): the server's SYN-ACK passed */
	CATOPROXY_STAT_DELAYED_ENGAGED,
	/* adaptive connections run as full: their server had proved alive */
	CATOPROXY_STAT_ADAPTIVE_FULL,
	/* adaptive connections run as delayed: server unknown or expired */
	CATOPROXY_STAT_ADAPTIVE_DELAYED,
	/* server ip:ports added to the adaptive cache by a SYN-ACK */
	CATOPROXY_STAT_ADAPTIVE_LEARNED,
	/* live cache entries pushed out for room before their TTL ended */
	CATOPROXY_STAT_ADAPTIVE_EVICTED,
	/* entries removed because an intercepted connection to them failed */
	CATOPROXY_STAT_ADAPTIVE_FORGOTTEN,
	/* RSTs outside the receiver's window (blind resets): dropped */
	CATOPROXY_STAT_RST_OUT_OF_WINDOW,
	/* server ACKs answering a client's SYN on a live flow (RFC 5961) */
	CATOPROXY_STAT_CHALLENGE_ACK_SEEN,
	/* client RSTs answering a challenge ACK, passed (challenge-ack allow) */
	CATOPROXY_STAT_RST_CHALLENGE_ALLOWED,
	/* the same RSTs, dropped because challenge-ack is strict */
	CATOPROXY_STAT_RST_CHALLENGE_DROPPED,
	/*
	 * full: client SYNs on a spliced connection answered with the
	 * module's own challenge ACK (the SYN itself is dropped)
	 */
	CATOPROXY_STAT_CHALLENGE_ACK_SENT,
	/* ... and dropped unanswered: one challenge per 0.5 s and connection */
	CATOPROXY_STAT_CHALLENGE_ACK_RATELIMITED,
	/*
	 * full: servers that answered the module's SYN with a challenge ACK
	 * (the client had lost the connection): reset, and the SYN sent again
	 */
	CATOPROXY_STAT_SERVER_CHALLENGE_RESET,
	/*
	 * full: segments of a spliced connection that conntrack found
	 * outside its windows (out-of-window data or flags): dropped
	 */
	CATOPROXY_STAT_INVALID_DROPPED,
	/* forwarded TCP connections a bypass rule kept the module away from */
	CATOPROXY_STAT_CONN_BYPASSED,
	/*
	 * blocked SYNs answered with the module's SYN-ACK (blocked-syn
	 * handshake); nothing reaches the destination
	 */
	CATOPROXY_STAT_BLOCKED_HANDSHAKE,
	/* HTTP 403 pages sent on block-page ports, retransmissions included */
	CATOPROXY_STAT_BLOCKED_PAGE_SENT,
	/* resets sent after the handshake on other ports */
	CATOPROXY_STAT_BLOCKED_RESET_SENT,
	/* blocked SYNs dropped unanswered (blocked-syn drop) */
	CATOPROXY_STAT_BLOCKED_SYN_DROPPED,
	/*
	 * other segments of blocked connections dropped: resets, segments
	 * of a handshake the module did not answer (or no longer would
	 * recognise), everything in blocked-syn drop
	 */
	CATOPROXY_STAT_BLOCKED_DROPPED,
	__CATOPROXY_STAT_LAST
};
#define CATOPROXY_STAT_MAX (__CATOPROXY_STAT_LAST - 1)

#endif /* _UAPI_LINUX_CATOPROXY_H */
