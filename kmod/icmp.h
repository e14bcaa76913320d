/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_ICMP_H
#define _CATOPROXY_ICMP_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

/*
 * Conntrack relates an ICMP error to the connection it quotes and gives it
 * that connection's entry, with ctinfo IP_CT_RELATED (the error travels
 * towards the server, about a segment the server sent) or
 * IP_CT_RELATED_REPLY (towards the client). A TCP segment of the
 * connection itself never has either.
 */
static inline bool catoproxy_icmp_related(enum ip_conntrack_info ctinfo)
{
	return ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY;
}

/*
 * FORWARD: an ICMP error related to tracked connection @ct. It ends an
 * opening connection only if it is a hard error about the server SYN; one
 * about a spliced connection gets the quoted sequence numbers translated
 * into the terms of the endpoint it goes to. Never dropped otherwise.
 */
unsigned int catoproxy_icmp_forward(struct net *net, struct sk_buff *skb,
				    u8 pf, struct nf_conn *ct,
				    enum ip_conntrack_info ctinfo,
				    struct catoproxy_conn *conn);

/*
 * POSTROUTING, just before conntrack confirms: an ICMP error travelling
 * towards the server of a connection whose sequence numbers conntrack
 * translates leaves the entry here, so that seqadj does not rewrite it as
 * if it were a TCP segment.
 */
void catoproxy_icmp_leave(struct sk_buff *skb, u8 pf, struct nf_conn *ct);

#endif /* _CATOPROXY_ICMP_H */
