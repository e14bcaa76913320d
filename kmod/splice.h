/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_SPLICE_H
#define _CATOPROXY_SPLICE_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"

struct nf_conntrack_helper;

/*
 * At confirmation (the helper callback), every packet of a joined
 * connection in direction @dir: translate it. Returns the verdict.
 */
int catoproxy_splice_help(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_dir dir,
			  struct catoproxy_conn *conn);
/*
 * FORWARD, a client SYN on a spliced connection: the module is the
 * client's peer and challenges it (RFC 5961 4), rate-limited. Returns the
 * verdict for the SYN (NF_DROP).
 */
unsigned int catoproxy_splice_challenge(struct net *net, struct nf_conn *ct,
					struct catoproxy_conn *conn);
/* Reset both ends of spliced @ct, each in the sequence space it knows. */
void catoproxy_splice_reset(struct nf_conn *ct);
/*
 * Reset (catoproxy_splice_reset()) and delete every connection of @net
 * that @match picks. @match runs under conntrack's bucket locks; the
 * resets are sent after. Process context.
 */
void catoproxy_splice_reset_net(struct net *net,
				bool (*match)(struct nf_conn *ct, void *data),
				void *data);
/* Before @helper goes: reset joined connections that need the module. */
void catoproxy_splice_uninit(const struct nf_conntrack_helper *helper);

#endif /* _CATOPROXY_SPLICE_H */
