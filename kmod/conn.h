/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_CONN_H
#define _CATOPROXY_CONN_H

#include <net/netfilter/nf_conntrack.h>

/*
 * Per-connection state. It lives in the private area of the conntrack
 * helper extension (see Documentation/design.rst): conntrack owns its
 * lifetime, namespace and garbage collection.
 */
struct catoproxy_conn {
	u32 site_id;
	u8 mode; /* enum catoproxy_mode chosen on the first packet */
	u8 reason; /* enum catoproxy_reason */
};

struct catoproxy_conn *catoproxy_conn_get(const struct nf_conn *ct);
/* Decide the policy for a new forwarded TCP connection and attach state. */
void catoproxy_conn_new(struct net *net, struct nf_conn *ct);

int catoproxy_conn_init(void);
void catoproxy_conn_uninit(void);

#endif /* _CATOPROXY_CONN_H */
