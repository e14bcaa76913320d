/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_PROXY_H
#define _CATOPROXY_PROXY_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

/*
 * FORWARD, first packet of a full-mode connection: would
 * catoproxy_proxy_syn() intercept it (a SYN, and room in the backlog)?
 */
bool catoproxy_proxy_wants(struct net *net, const struct sk_buff *skb);
/*
 * Add the extensions full mode needs to unconfirmed @ct. Must come before
 * the helper's state is attached: adding an extension may move the others.
 */
bool catoproxy_proxy_prepare(struct nf_conn *ct);
/*
 * FORWARD, first packet of a full-mode connection that
 * catoproxy_proxy_prepare() succeeded on: answer its SYN.
 */
unsigned int catoproxy_proxy_syn(struct net *net, struct sk_buff *skb,
				 struct nf_conn *ct, struct catoproxy_conn *conn);
/*
 * FORWARD, a client SYN on a spliced connection: the module is the
 * client's peer and challenges it (RFC 5961 4), rate-limited. Returns the
 * verdict for the SYN (NF_DROP).
 */
unsigned int catoproxy_proxy_live_syn(struct net *net, struct nf_conn *ct,
				      struct catoproxy_conn *conn);
/* FORWARD, a later packet of an intercepted connection. */
unsigned int catoproxy_proxy_forward(struct net *net, struct sk_buff *skb,
				     struct nf_conn *ct,
				     enum ip_conntrack_info ctinfo,
				     struct catoproxy_conn *conn);
/*
 * PREROUTING, before conntrack, while the SYN backlog is full: answer a new
 * full-mode connection's SYN with a cookie and drop it (NF_DROP), so that a
 * flood costs no conntrack entries; NF_ACCEPT for anything else.
 */
unsigned int catoproxy_proxy_flood(struct net *net, struct sk_buff *skb, u8 pf);
/* LOCAL_OUT, after conntrack: attach state to a cookie connection's SYN. */
unsigned int catoproxy_proxy_local_out(struct net *net, struct sk_buff *skb);
/*
 * PREROUTING, before conntrack: hold client segments while opening, and
 * open the server half for an ACK that carries a valid cookie.
 */
unsigned int catoproxy_proxy_hold(struct net *net, struct sk_buff *skb,
				  u8 pf);
/* The conntrack helper's per-packet callback, run at confirmation. */
int catoproxy_proxy_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo);

void catoproxy_proxy_init_net(struct net *net);
/* Stop the namespace's timer and drop every opening connection. */
void catoproxy_proxy_exit_net(struct net *net);

struct nf_conntrack_helper;
/* Before @helper goes: reset joined connections that need the module. */
void catoproxy_proxy_uninit(const struct nf_conntrack_helper *helper);

#endif /* _CATOPROXY_PROXY_H */
