/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_HOOKS_H
#define _CATOPROXY_HOOKS_H

#include <net/netfilter/nf_conntrack.h>

/* The conntrack helper's per-packet callback, run at confirmation. */
int catoproxy_hooks_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo);

int catoproxy_hooks_init(void);
void catoproxy_hooks_uninit(void);

#endif /* _CATOPROXY_HOOKS_H */
