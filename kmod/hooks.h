/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_HOOKS_H
#define _CATOPROXY_HOOKS_H

#include <linux/netfilter.h>
#include <net/netfilter/nf_conntrack.h>

/* The conntrack helper's per-packet callback, run at confirmation. */
int catoproxy_hooks_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo);

/*
 * Where a packet the module sends for a client enters PREROUTING's hook
 * list @e: the index after the module's hook that takes client segments
 * (0 when it is not in @e).
 */
unsigned int catoproxy_hooks_pre_next(const struct nf_hook_entries *e);
/*
 * Such a packet has passed PREROUTING (tx.c): the cookie path's server SYN
 * gets its state. False: drop it.
 */
bool catoproxy_hooks_sent(struct net *net, struct sk_buff *skb);

/*
 * Register the hooks in @net and hold conntrack on there. Under the
 * namespace's lock (catoproxy_net.lock), from catoproxy_net_hooks_prepare().
 */
int catoproxy_hooks_enable(struct net *net);
/*
 * The configuration of @net says off again: unregister the hooks, end the
 * connections the module is a party to and detach it from the others, and
 * release conntrack. Under the namespace's lock, from
 * catoproxy_net_hooks_settle().
 */
void catoproxy_hooks_release(struct net *net);

int catoproxy_hooks_init(void);
void catoproxy_hooks_uninit(void);

#endif /* _CATOPROXY_HOOKS_H */
