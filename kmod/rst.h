/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_RST_H
#define _CATOPROXY_RST_H

#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

/*
 * An RST of a connection the module tracks, going @dir, before conntrack
 * sees it: a blind reset (outside the receiver's window, and no answer to a
 * challenge ACK) is counted and dropped here, so that it never moves
 * conntrack's windows; anything else is left to catoproxy_rst_follow().
 */
unsigned int catoproxy_rst_pre(struct net *net, struct nf_conn *ct,
			       enum ip_conntrack_dir dir,
			       const struct catoproxy_conn *conn,
			       const struct tcphdr *th);
/*
 * A segment of a connection the module tracks, after conntrack: drop blind
 * resets, pass (or, strict, drop) the RST that answers a challenge ACK.
 */
unsigned int catoproxy_rst_follow(struct net *net, struct sk_buff *skb,
				  struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo,
				  struct catoproxy_conn *conn);
/*
 * A TCP segment conntrack found invalid: an RST on a connection the module
 * tracks is judged by that connection; anything else on a spliced full
 * connection is dropped.
 */
unsigned int catoproxy_rst_invalid(struct net *net, struct sk_buff *skb,
				   u8 pf);

#endif /* _CATOPROXY_RST_H */
