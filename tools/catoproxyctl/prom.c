// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>

#include "parse.h"
#include "prom.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* After the spec's doc of each counter (Documentation/netlink/specs). */
static const char *const stat_helps[] = {
	[CATOPROXY_STAT_CONN_TRACKED] = "Forwarded TCP connections given per-connection state.",
	[CATOPROXY_STAT_CONN_FULL] = "Tracked connections the policy ran in full mode.",
	[CATOPROXY_STAT_CONN_DELAYED] = "Tracked connections the policy ran in delayed mode.",
	[CATOPROXY_STAT_CONN_ADAPTIVE] = "Tracked connections the policy ran in adaptive mode.",
	[CATOPROXY_STAT_CONN_OFF] = "Forwarded TCP connections left alone because the policy said off.",
	[CATOPROXY_STAT_CONN_HELPER_BUSY] = "Connections left alone because another conntrack helper owns them.",
	[CATOPROXY_STAT_CONN_ATTACH_FAILED] = "Connections left alone because their state could not be allocated.",
	[CATOPROXY_STAT_CONN_RELEASED] = "Per-connection state released together with its conntrack entry.",
	[CATOPROXY_STAT_SYN_INTERCEPTED] = "Full mode: client SYNs answered by the module with state kept.",
	[CATOPROXY_STAT_SYNACK_RETRANSMITTED] = "Retransmitted client SYNs answered again.",
	[CATOPROXY_STAT_SERVER_OPEN_OK] = "Server halves that completed their handshake.",
	[CATOPROXY_STAT_SERVER_OPEN_FAILED] = "Server halves refused by an RST or an ICMP error; the client was reset.",
	[CATOPROXY_STAT_SERVER_TIMEOUT] = "Server halves that never answered in time; the client was reset.",
	[CATOPROXY_STAT_SERVER_SYN_RETRANSMITTED] = "Server SYNs sent again because the server had not answered.",
	[CATOPROXY_STAT_COOKIE_MODE_SYNS] = "Client SYNs answered with a stateless SYN cookie (backlog full).",
	[CATOPROXY_STAT_COOKIE_VALID] = "ACKs carrying a valid cookie, which opened a server half.",
	[CATOPROXY_STAT_COOKIE_INVALID] = "ACKs for an unknown connection whose cookie did not check, dropped.",
	[CATOPROXY_STAT_HELD_SEGMENTS] = "Client segments held until the server half was up.",
	[CATOPROXY_STAT_HELD_DROPPED] = "Client segments dropped while held.",
	[CATOPROXY_STAT_TX_FAILED] = "Packets the module had to send but could not build or route.",
	[CATOPROXY_STAT_CLIENT_TIMEOUT] = "Full mode: clients that never acknowledged the module's SYN-ACK; both ends reset.",
	[CATOPROXY_STAT_DELAYED_ENGAGED] = "Delayed connections whose server's SYN-ACK passed.",
	[CATOPROXY_STAT_ADAPTIVE_FULL] = "Adaptive connections run as full: their server had proved alive.",
	[CATOPROXY_STAT_ADAPTIVE_DELAYED] = "Adaptive connections run as delayed: server unknown or expired.",
	[CATOPROXY_STAT_ADAPTIVE_LEARNED] = "Server addresses and ports added to the adaptive cache by a SYN-ACK.",
	[CATOPROXY_STAT_ADAPTIVE_EVICTED] = "Live adaptive cache entries pushed out for room before their TTL ended.",
	[CATOPROXY_STAT_ADAPTIVE_FORGOTTEN] = "Adaptive cache entries removed because an intercepted connection to them failed.",
	[CATOPROXY_STAT_RST_OUT_OF_WINDOW] = "RSTs outside the receiver's window (blind resets), dropped.",
	[CATOPROXY_STAT_CHALLENGE_ACK_SEEN] = "Server ACKs answering a client's SYN on a live flow (RFC 5961).",
	[CATOPROXY_STAT_RST_CHALLENGE_ALLOWED] = "Client RSTs answering a challenge ACK, passed.",
	[CATOPROXY_STAT_RST_CHALLENGE_DROPPED] = "Client RSTs answering a challenge ACK, dropped (challenge-ack strict).",
	[CATOPROXY_STAT_CHALLENGE_ACK_SENT] = "Full mode: client SYNs on a spliced connection answered with a challenge ACK.",
	[CATOPROXY_STAT_CHALLENGE_ACK_RATELIMITED] = "Client SYNs on a spliced connection dropped unanswered by the challenge ACK rate limit.",
	[CATOPROXY_STAT_SERVER_CHALLENGE_RESET] = "Full mode: servers that answered the module's SYN with a challenge ACK, reset.",
	[CATOPROXY_STAT_INVALID_DROPPED] = "Full mode: segments of a spliced connection outside conntrack's windows, dropped.",
	[CATOPROXY_STAT_CONN_BYPASSED] = "Forwarded TCP connections a bypass rule kept the module away from.",
	[CATOPROXY_STAT_BLOCKED_HANDSHAKE] = "Blocked SYNs answered with the module's SYN-ACK (blocked-syn handshake).",
	[CATOPROXY_STAT_BLOCKED_PAGE_SENT] = "HTTP 403 pages sent on block-page ports, retransmissions included.",
	[CATOPROXY_STAT_BLOCKED_RESET_SENT] = "Resets sent after the handshake of a blocked connection on other ports.",
	[CATOPROXY_STAT_BLOCKED_SYN_DROPPED] = "Blocked SYNs dropped unanswered (blocked-syn drop).",
	[CATOPROXY_STAT_BLOCKED_DROPPED] = "Other segments of blocked connections, dropped.",
	[CATOPROXY_STAT_SYN_PASSED_SIGNED] = "Client SYNs carrying TCP-MD5 or TCP-AO, passed untouched; the connection runs delayed.",
	[CATOPROXY_STAT_SYN_PASSED_FASTOPEN] = "Client SYNs carrying a TCP Fast Open option or data, passed untouched; the connection runs delayed.",
	[CATOPROXY_STAT_PAYLOAD_DECIDED] = "Connections a payload rule inspected, decided on their first data before their server saw anything.",
	[CATOPROXY_STAT_PAYLOAD_INSPECT_TIMEOUT] = "Inspected connections whose client sent no data within inspect-timeout; decided without a name.",
	[CATOPROXY_STAT_PAYLOAD_MALFORMED] = "Inspected connections whose first data was a broken TLS ClientHello or HTTP request.",
	[CATOPROXY_STAT_PAYLOAD_NO_NAME] = "Inspected connections whose first data carried no server name (or was neither TLS nor HTTP).",
	[CATOPROXY_STAT_PAYLOAD_HOLD_FULL] = "Inspected connections decided without a name because the bytes or segments held reached their bound.",
	[CATOPROXY_STAT_PATH_PINNED] = "Connections whose path decision came after their packets went another way; they kept it.",
	[CATOPROXY_STAT_SERVER_SYN_DROPPED] = "Full mode: server SYNs the router dropped after the module answered the client; the client was reset.",
	[CATOPROXY_STAT_PAYLOAD_BYPASSED] = "Inspected connections a bypass rule decided: run spliced on the rule's path, since their handshake was answered.",
	[CATOPROXY_STAT_HELD_LIMIT_CONN] = "Full mode: client segments of opening connections dropped at the memory bound per connection.",
	[CATOPROXY_STAT_HELD_LIMIT_NET] = "Full mode: client segments of opening connections dropped at the memory bound per namespace.",
	[CATOPROXY_STAT_COOKIE_OPEN_REFUSED] = "Full mode: ACKs with a valid cookie dropped because too many connections were opening.",
	[CATOPROXY_STAT_OPENING_RESET] = "Full mode: opening connections reset because the module left the namespace.",
};
_Static_assert(ARRAY_SIZE(stat_helps) == CATOPROXY_STAT_MAX + 1,
	       "every enum catoproxy_stat counter needs a help text");

const char *stat_help(unsigned int type)
{
	return type < ARRAY_SIZE(stat_helps) ? stat_helps[type] : NULL;
}

/* One metric: HELP, TYPE and its sample, names already valid. */
static void metric(FILE *f, const char *name, const char *type,
		   const char *help, uint64_t value)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help,
		name, type, name, value);
}

void print_stats_prometheus(FILE *f, const struct ipc_stats *stats)
{
	char name[64], help[64];

	for (size_t i = 0; i < stats->n; i++) {
		unsigned int type = stats->v[i].type;
		const char *s = stat_name(type), *h = stat_help(type);

		/* Our names are [a-z_]: valid metric names as they are. */
		if (s && h) {
			snprintf(name, sizeof(name), "catoproxy_%s_total", s);
		} else {
			snprintf(name, sizeof(name), "catoproxy_stat_%u_total",
				 type);
			snprintf(help, sizeof(help),
				 "Counter %u, newer than this catoproxyctl.",
				 type);
			h = help;
		}
		metric(f, name, "counter", h, stats->v[i].value);
	}
	if (stats->has_adaptive_entries)
		metric(f, "catoproxy_adaptive_entries", "gauge",
		       "Server addresses and ports the adaptive cache holds now.",
		       stats->adaptive_entries);
}
