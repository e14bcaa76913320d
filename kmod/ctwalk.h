/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_CTWALK_H
#define _CATOPROXY_CTWALK_H

#include <linux/types.h>

struct catoproxy_conn;
struct net;
struct nf_conn;

/* Where a walk stopped, to go on from there: zero to start. */
struct catoproxy_ctwalk {
	unsigned long bucket; /* the bucket to continue with */
	/*
	 * conntrack id of the entry that did not fit in the previous round,
	 * 0 to start the bucket from its head
	 */
	unsigned long last_id;
};

/*
 * Calls @put for each live conntrack entry of @net that carries catoproxy
 * state, from where @w stopped, until @put fails (returns non-zero: no
 * room left), which the walk remembers in @w so that the next call starts
 * with that entry again. Returns true when it stopped for @put, false when
 * the table is done. @put runs under a bucket lock, bottom halves off.
 */
bool catoproxy_ctwalk(struct net *net, struct catoproxy_ctwalk *w,
		      int (*put)(void *arg, const struct nf_conn *ct,
				 const struct catoproxy_conn *conn),
		      void *arg);

#endif /* _CATOPROXY_CTWALK_H */
