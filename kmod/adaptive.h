/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_ADAPTIVE_H
#define _CATOPROXY_ADAPTIVE_H

#include <net/netfilter/nf_conntrack.h>

#include "netns.h"
#include "policy.h"

struct catoproxy_adaptive;

/* Has @flow's server ip:port answered a SYN-ACK within the TTL? */
bool catoproxy_adaptive_alive(struct net *net,
			      const struct catoproxy_flow *flow);
/* @ct's server answered its SYN: it is alive for another TTL. */
void catoproxy_adaptive_learn(struct net *net, const struct nf_conn *ct);
/* @ct's server failed an intercepted open: stop intercepting it. */
void catoproxy_adaptive_forget(struct net *net, const struct nf_conn *ct);
/* Entries in the namespace's cache now, expired ones included. */
u32 catoproxy_adaptive_entries(struct catoproxy_net *cn);

/*
 * Make the namespace's cache fit policy @pol, which is about to replace the
 * current one: a cache exists while some mode says adaptive, with
 * @pol->adaptive_size entries (a new size starts empty). Caller holds
 * cn->lock. On success *@old is the cache to free, once no reader can see
 * it any more, with catoproxy_adaptive_free().
 */
int catoproxy_adaptive_fit(struct catoproxy_net *cn,
			   const struct catoproxy_policy *pol,
			   struct catoproxy_adaptive **old);
void catoproxy_adaptive_free(struct catoproxy_adaptive *cache);

#endif /* _CATOPROXY_ADAPTIVE_H */
