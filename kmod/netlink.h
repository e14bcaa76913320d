/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NETLINK_H
#define _CATOPROXY_NETLINK_H

#include <linux/types.h>

#include "policy.h"

struct catoproxy_conn;
struct net;
struct nf_conn;
struct nlattr;
struct sk_buff;

/* What a connection dump or an event tells of a connection. */
struct catoproxy_netlink_conn {
	struct catoproxy_flow flow; /* conntrack's original direction */
	u32 site_id;
	u8 mode; /* enum catoproxy_mode, as catoproxy_conn_mode() says */
	u8 accel;
	u8 reason;
	u8 state;
};

/* @c as @ct and its state @conn describe the connection now. */
void catoproxy_netlink_conn_of(struct catoproxy_netlink_conn *c,
			       const struct nf_conn *ct,
			       const struct catoproxy_conn *conn);
/*
 * Opens a CATOPROXY_A_CONN nest in @skb describing @c, a connection of
 * @net; the caller may add to it and closes it with nla_nest_end(). NULL
 * when @skb is full, with nothing added.
 */
struct nlattr *catoproxy_netlink_put_conn(struct sk_buff *skb, struct net *net,
					  const struct catoproxy_netlink_conn *c);

/*
 * Notifications on CATOPROXY_MCGRP_EVENTS, for event.c: whether @net has a
 * listener; the genetlink header of a CATOPROXY_CMD_EVENT message (NULL when
 * @skb is full); sending a finished message, which consumes @skb.
 */
bool catoproxy_netlink_has_listeners(struct net *net);
void *catoproxy_netlink_event_put(struct sk_buff *skb);
void catoproxy_netlink_notify(struct net *net, struct sk_buff *skb);

int catoproxy_netlink_init(void);
void catoproxy_netlink_uninit(void);

#endif /* _CATOPROXY_NETLINK_H */
