/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_HOOKS_H
#define _CATOPROXY_HOOKS_H

#include <net/netfilter/nf_conntrack.h>

/* The conntrack helper's per-packet callback, run at confirmation. */
int catoproxy_hooks_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo);

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
