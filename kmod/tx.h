/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_TX_H
#define _CATOPROXY_TX_H

#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

/* A TCP segment that the module sends on its own. */
struct catoproxy_tx {
	const union nf_inet_addr *saddr;
	const union nf_inet_addr *daddr;
	const u8 *opts; /* multiple of 4 bytes */
	unsigned int optlen;
	const u8 *data; /* payload, if any */
	unsigned int len;
	u32 seq;
	u32 ack;
	__be16 sport;
	__be16 dport;
	u16 family; /* AF_INET or AF_INET6 */
	u16 window;
	u8 flags; /* TCPHDR_* */
	/* its firewall mark, for policy routing (the path towards a server) */
	u32 mark;
	/*
	 * Let conntrack see it as part of the connection (default:
	 * untracked): its state and windows follow, and the helper, seqadj
	 * and NAT apply on the way out, so it is written in the client's
	 * sequence space.
	 */
	bool track;
};

/*
 * The mark of the module's answer to @skb, a client's packet: as the
 * kernel marks its own replies (a reset, an ICMP error), the packet's mark
 * with net.ipv4/ipv6 fwmark_reflect, else none. Policy routing by mark
 * then takes the answer back the way the client came in.
 */
static inline u32 catoproxy_tx_reply_mark(struct net *net,
					  const struct sk_buff *skb)
{
	if (ip_hdr(skb)->version == 4)
		return IP4_REPLY_MARK(net, skb->mark);
	return IP6_REPLY_MARK(net, skb->mark);
}

/*
 * Address @tx as the server talking to the client (@to_client) or as the
 * client talking to the server. Set @tx->track first: a tracked segment
 * carries the original tuple's addresses and NAT translates it on the way
 * out; an untracked one toward the server is addressed as NAT left the
 * connection on the server's side (the reply tuple), since no NAT applies
 * to it.
 */
void catoproxy_tx_between(struct catoproxy_tx *tx, const struct nf_conn *ct,
			  bool to_client);

/* Build and send @t. */
int catoproxy_tx_segment(struct net *net, const struct catoproxy_tx *t);

/*
 * Send @t in the buffer of @skb, a packet received and not yet routed
 * (PREROUTING) that is no longer needed: an answer that costs no
 * allocation. @t must not point into @skb. Consumes @skb.
 */
int catoproxy_tx_reply(struct net *net, struct sk_buff *skb,
		       const struct catoproxy_tx *t);

/*
 * Send @skb, a whole IP packet of @ct's original direction, towards its
 * destination on the client's way through the router: on through
 * PREROUTING from the module's hook (conntrack, destination NAT), routed
 * as received on skb->dev, and forwarded, so that every FORWARD chain
 * judges it and conntrack accounts for every byte the server gets.
 * @hop: the packet was taken in PREROUTING and is as it arrived (a held
 * segment); otherwise it is a copy taken in FORWARD (the client's SYN),
 * whose destination NAT and TTL are undone first. A NULL skb->dev (the
 * device went away) stands for the device the route to the client leaves
 * by. Consumes @skb.
 */
int catoproxy_tx_forward(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, bool hop);

/*
 * Send @skb, a whole IP packet the module built for a client (its server
 * SYN) as the client would have sent it, before any NAT, the same way: as
 * if received on skb->dev (NULL: on the device the route to the client
 * leaves by), with no conntrack entry, so that conntrack gives it a new
 * one, which catoproxy_hooks_sent() sees before routing. Every chain a
 * forwarded packet meets judges it. Consumes @skb.
 */
int catoproxy_tx_new(struct net *net, struct sk_buff *skb);

#endif /* _CATOPROXY_TX_H */
