// SPDX-License-Identifier: GPL-2.0
/*
 * Where the transport header of a packet received at a netfilter hook is.
 *
 * skb_transport_offset() is no answer there: for IPv6 the stack leaves it
 * after the fixed header or hop-by-hop options, so any other extension
 * header (Destination Options, a routing header) comes first; for an ICMP
 * error that conntrack relates to a TCP connection it is the ICMP header.
 * Every stage that reads a received packet's TCP header finds it here.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "seg.h"

/* The transport header of @skb at @off has @len bytes in the packet. */
static bool fits(const struct sk_buff *skb, int off, unsigned int len)
{
	return off >= 0 && skb->len >= len && off <= skb->len - len;
}

enum catoproxy_seg_l4 catoproxy_seg_find(const struct sk_buff *skb, u8 pf,
					 int *off)
{
	u8 proto, type, _type;
	const u8 *tp;
	int thoff;

	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		/* Only the first fragment has a transport header. */
		if (iph->frag_off & htons(IP_OFFSET))
			return CATOPROXY_SEG_NONE;
		proto = iph->protocol;
		thoff = skb_network_offset(skb) + ip_hdrlen(skb);
	} else {
		__be16 frag_off;

		proto = ipv6_hdr(skb)->nexthdr;
		thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
					 sizeof(struct ipv6hdr), &proto,
					 &frag_off);
		if (thoff < 0 || (frag_off & htons(~0x7)))
			return CATOPROXY_SEG_NONE;
	}

	*off = thoff;
	switch (proto) {
	case IPPROTO_TCP:
		return fits(skb, thoff, sizeof(struct tcphdr)) ?
			       CATOPROXY_SEG_TCP :
			       CATOPROXY_SEG_NONE;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (proto != (pf == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
			break;
		/* Errors quote the packet they are about after 8 bytes. */
		if (!fits(skb, thoff, 8))
			return CATOPROXY_SEG_NONE;
		tp = skb_header_pointer(skb, thoff, 1, &_type);
		if (!tp)
			return CATOPROXY_SEG_NONE;
		type = *tp;
		if (proto == IPPROTO_ICMP ? icmp_is_err(type) :
					    icmpv6_is_err(type))
			return CATOPROXY_SEG_ICMP_ERROR;
		break;
	}
	return CATOPROXY_SEG_OTHER;
}
