/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_BLOCK_H
#define _CATOPROXY_BLOCK_H

#include <linux/skbuff.h>

struct catoproxy_decision;
struct catoproxy_flow;
struct net;

/*
 * FORWARD: @skb, a TCP segment of connection @flow, which decision @d
 * blocks. Answers it as blocked-syn says and returns NF_DROP: nothing of a
 * blocked connection goes on.
 */
unsigned int catoproxy_block(struct net *net, struct sk_buff *skb, u8 pf,
			     const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d);

/*
 * FORWARD, before the filter: @skb has no confirmed conntrack entry (a new
 * one when @new_ct, else none: conntrack found it invalid). The segments
 * that follow a blocked connection's handshake look like that; when a rule
 * blocks @skb's connection it is answered here, before a ruleset could drop
 * it as new or invalid. A new entry's SYN is left to the decision after the
 * filter. NF_ACCEPT for everything else.
 */
unsigned int catoproxy_block_early(struct net *net, struct sk_buff *skb, u8 pf,
				   bool new_ct);

#endif /* _CATOPROXY_BLOCK_H */
