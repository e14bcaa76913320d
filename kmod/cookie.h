/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_COOKIE_H
#define _CATOPROXY_COOKIE_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

struct tcphdr;

/*
 * PREROUTING, before conntrack, while the SYN backlog is full: answer a new
 * full-mode connection's SYN with a cookie and drop it (NF_STOLEN), so that
 * a flood costs no conntrack entries; NF_ACCEPT for anything else.
 */
unsigned int catoproxy_cookie_flood(struct net *net, struct sk_buff *skb,
				    u8 pf);
/*
 * PREROUTING, before conntrack: a segment (@th at @thoff, no SYN) that
 * conntrack has no entry for. While cookies may be out, an ACK carrying a
 * valid one opens the server half and is held (NF_STOLEN); one carrying an
 * invalid one is dropped.
 */
unsigned int catoproxy_cookie_ack(struct net *net, struct sk_buff *skb, u8 pf,
				  const struct tcphdr *th, unsigned int thoff);
/*
 * After PREROUTING (catoproxy_hooks_sent()): is unconfirmed @ct the one the
 * server SYN that this CPU is sending for a cookie ACK has just created?
 */
bool catoproxy_cookie_sending(const struct nf_conn *ct);
/*
 * ... then, once the hook has attached @conn to it: fill @conn from the
 * cookie and put the connection in the half-open table.
 */
void catoproxy_cookie_attach(struct net *net, struct nf_conn *ct,
			     struct catoproxy_conn *conn);

#endif /* _CATOPROXY_COOKIE_H */
