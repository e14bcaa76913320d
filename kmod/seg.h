/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_SEG_H
#define _CATOPROXY_SEG_H

#include <linux/skbuff.h>
#include <linux/tcp.h>

/* What catoproxy_seg_find() found after the IP header(s). */
enum catoproxy_seg_l4 {
	CATOPROXY_SEG_NONE, /* no header to read: truncated, a later fragment */
	CATOPROXY_SEG_TCP, /* a whole fixed TCP header (not its doff) */
	CATOPROXY_SEG_ICMP_ERROR, /* ICMP or ICMPv6, an error message */
	CATOPROXY_SEG_OTHER, /* anything else, other ICMP messages too */
};

/*
 * Where the transport header of @skb, a packet of family @pf (NFPROTO_*)
 * received at a netfilter hook, starts (in *@off, when not NONE): past the
 * IPv4 options or every IPv6 extension header, never skb->transport_header.
 */
enum catoproxy_seg_l4 catoproxy_seg_find(const struct sk_buff *skb, u8 pf,
					 int *off);

/* The TCP header's offset in @skb, or -1 when it is not a TCP segment. */
static inline int catoproxy_seg_tcp(const struct sk_buff *skb, u8 pf)
{
	int off;

	return catoproxy_seg_find(skb, pf, &off) == CATOPROXY_SEG_TCP ? off :
									 -1;
}

/* A received segment's TCP header and options, copied out of the skb. */
struct catoproxy_seg {
	struct tcphdr th;
	u8 opts[40];
	unsigned int optlen;
};

/* Copy the TCP header and options at @thoff; false if truncated. */
static inline bool catoproxy_seg_get(const struct sk_buff *skb,
				     unsigned int thoff,
				     struct catoproxy_seg *s)
{
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(s->th), &s->th);
	if (!th || th->doff < 5)
		return false;
	s->th = *th;
	s->optlen = th->doff * 4 - sizeof(*th);
	return !skb_copy_bits(skb, thoff + sizeof(*th), s->opts, s->optlen);
}

#endif /* _CATOPROXY_SEG_H */
