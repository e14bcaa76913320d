/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_INSPECT_H
#define _CATOPROXY_INSPECT_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"
#include "payload.h"

struct catoproxy_decision;
struct catoproxy_pending;

/* What a connection's first data said, for its decision. */
struct catoproxy_inspect {
	u8 match; /* CATOPROXY_RULE_MATCH_SNI or _HOST: @name; NONE: none */
	/* without a name: the counter saying why (CATOPROXY_STAT_PAYLOAD_*) */
	u8 why;
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
};

/*
 * FORWARD, a new connection whose first rule to match is a payload rule
 * (@d->inspect): when its SYN can be answered and held back, @d becomes
 * full mode to inspect; otherwise the rules decide @d now, without a name.
 */
void catoproxy_inspect_syn(struct net *net, const struct sk_buff *skb, u8 pf,
			   const struct nf_conn *ct,
			   struct catoproxy_decision *d);
/*
 * At confirmation, the SYN of an inspecting connection: its conntrack
 * entry is confirmed, so that the client's later segments find it, and
 * the SYN goes no further.
 */
unsigned int catoproxy_inspect_confirm(struct sk_buff *skb);
/*
 * Under catoproxy_net.pending_lock, after a client segment of @p was held
 * (@full: refused, the segments held are at their bound): gather the bytes
 * now in order and read them. True when the connection is to be decided
 * now, with @r: then the caller calls catoproxy_inspect_decide() once it
 * has released the lock.
 */
bool catoproxy_inspect_feed(struct catoproxy_pending *p, bool full,
			    struct catoproxy_inspect *r);
/*
 * Decide an inspecting connection on what @r says: blocked, the client
 * gets the block page or a reset; else the server half opens on the
 * decided path and the connection goes on as an opening full-mode one.
 */
void catoproxy_inspect_decide(struct net *net, struct nf_conn *ct,
			      struct catoproxy_conn *conn,
			      const struct catoproxy_inspect *r);
/*
 * The client of a connection blocked with the page closes with @th (at
 * @thoff in @skb): acknowledge its FIN, our own ending at @seq, and
 * forget the connection.
 */
void catoproxy_inspect_close(struct net *net, const struct sk_buff *skb,
			     struct nf_conn *ct, const struct tcphdr *th,
			     unsigned int thoff, u32 seq);
/*
 * The half-open table's timer: the client of @ct, blocked with the page
 * (ending at @fin_seq, its FIN included), acknowledged only up to @una:
 * send the rest again, acknowledging @ack.
 */
void catoproxy_inspect_page_again(struct net *net, struct nf_conn *ct,
				  u32 una, u32 ack, u32 fin_seq);
/* The half-open table's timer: @ct's client sent no data in time. */
void catoproxy_inspect_expired(struct net *net, struct nf_conn *ct);

/*
 * PREROUTING, after conntrack and before routing: a client packet of a
 * connection with a path gets its mark; a new connection's SYN gets the
 * path its rule gives it.
 */
void catoproxy_inspect_route(struct net *net, struct sk_buff *skb, u8 pf);
/*
 * FORWARD, a new connection @conn just attached with decision @d: record
 * its path, or count it pinned when its SYN was routed without it.
 */
void catoproxy_inspect_path(struct net *net, const struct sk_buff *skb,
			    u8 pf, struct nf_conn *ct,
			    struct catoproxy_conn *conn,
			    const struct catoproxy_decision *d);

/*
 * FORWARD, a new connection a bypass rule with a path (@d) keeps the
 * module away from: it gets state that holds only its path (mode off,
 * state pass), so that its packets carry it, when its SYN was routed
 * with it; otherwise it is pinned.
 */
void catoproxy_inspect_bypass(struct net *net, const struct sk_buff *skb,
			      u8 pf, struct nf_conn *ct,
			      const struct catoproxy_decision *d);

#endif /* _CATOPROXY_INSPECT_H */
