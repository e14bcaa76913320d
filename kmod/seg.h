/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_SEG_H
#define _CATOPROXY_SEG_H

#include <linux/skbuff.h>
#include <linux/tcp.h>

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
