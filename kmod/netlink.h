/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NETLINK_H
#define _CATOPROXY_NETLINK_H

#include <linux/types.h>

struct catoproxy_conn;
struct net;
struct nf_conn;
struct nlattr;
struct sk_buff;

/*
 * Opens a CATOPROXY_A_CONN nest in @skb describing @ct (its original tuple)
 * and @conn; the caller may add to it and closes it with nla_nest_end().
 * NULL when @skb is full, with nothing added.
 */
struct nlattr *catoproxy_netlink_put_conn(struct sk_buff *skb,
					  const struct nf_conn *ct,
					  const struct catoproxy_conn *conn);

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
