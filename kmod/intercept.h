/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_INTERCEPT_H
#define _CATOPROXY_INTERCEPT_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

struct catoproxy_decision;
struct catoproxy_tcpopts;
struct tcphdr;

/*
 * FORWARD, first packet of a full-mode connection: would
 * catoproxy_intercept_syn() intercept it (a SYN, and room in the backlog)?
 */
bool catoproxy_intercept_wants(struct net *net, const struct sk_buff *skb);
/*
 * FORWARD, first packet of a connection the module tracks (any mode but
 * off), before it is attached: a SYN only its endpoints can answer makes
 * decision @d delayed, and is counted. Signed with TCP-MD5 or TCP-AO
 * (reason signed): nobody else can answer for or rewrite it. With a TCP
 * Fast Open option or data (reason fastopen): only the server can issue a
 * cookie or accept the data.
 */
void catoproxy_intercept_exempt(struct net *net, const struct sk_buff *skb,
				u8 pf, struct catoproxy_decision *d);
/*
 * Would full mode answer the SYN @skb itself: catoproxy_intercept_wants()
 * and nothing that makes catoproxy_intercept_exempt() run it delayed?
 */
bool catoproxy_intercept_answerable(struct net *net, const struct sk_buff *skb,
				    u8 pf);
/*
 * Add the extensions full mode needs to unconfirmed @ct. Must come before
 * the helper's state is attached: adding an extension may move the others.
 */
bool catoproxy_intercept_prepare(struct nf_conn *ct);
/*
 * FORWARD, first packet of a full-mode connection that
 * catoproxy_intercept_prepare() succeeded on: answer its SYN. @inspect: a
 * payload rule's connection, whose SYN goes no further than conntrack's
 * confirmation until its first data is read (inspect.c); when it cannot
 * be answered it is dropped (the client sends it again).
 */
unsigned int catoproxy_intercept_syn(struct net *net, struct sk_buff *skb,
				     struct nf_conn *ct,
				     struct catoproxy_conn *conn, bool inspect);
/* Fill @conn from the client's options @co, as the SYN-ACK offers them. */
void catoproxy_intercept_offer(struct catoproxy_conn *conn,
			       const struct nf_conn *ct,
			       const struct catoproxy_tcpopts *co,
			       unsigned int mss);
/*
 * FORWARD, a later packet of an opening connection: a retransmitted client
 * SYN (ICMP errors about the server SYN are icmp.c's).
 */
unsigned int catoproxy_intercept_forward(struct net *net, struct sk_buff *skb,
					 struct nf_conn *ct,
					 enum ip_conntrack_info ctinfo,
					 struct catoproxy_conn *conn);
/*
 * PREROUTING, before conntrack: a client segment (@th at @thoff, no SYN)
 * of opening connection @ct, found in the original direction. Held until
 * the halves are joined (NF_STOLEN), or dropped past the bound.
 */
unsigned int catoproxy_intercept_hold(struct net *net, struct sk_buff *skb,
				      struct nf_conn *ct,
				      struct catoproxy_conn *conn,
				      const struct tcphdr *th,
				      unsigned int thoff);
/*
 * At confirmation (the helper callback), a server segment of an opening
 * connection: its SYN-ACK, RST or challenge ACK. Returns the verdict.
 */
int catoproxy_intercept_server(struct net *net, struct sk_buff *skb,
			       unsigned int protoff, struct nf_conn *ct,
			       enum ip_conntrack_info ctinfo,
			       struct catoproxy_conn *conn);

#endif /* _CATOPROXY_INTERCEPT_H */
