// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of conntrack's table behind the connection dump: bucket by
 * bucket under the bucket locks, as ctnetlink_dump_table() does on 6.1 and
 * 6.12 alike. Under its lock a bucket's chain is stable, so an entry can be
 * found again by its id.
 */

#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "conn.h"
#include "ctwalk.h"

bool catoproxy_ctwalk(struct net *net, struct catoproxy_ctwalk *w,
		      int (*put)(void *arg, const struct nf_conn *ct,
				 const struct catoproxy_conn *conn),
		      void *arg)
{
	const struct catoproxy_conn *conn;
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *n;
	spinlock_t *lockp;
	struct nf_conn *ct;
	bool full = false;

	local_bh_disable();
	for (; w->bucket < nf_conntrack_htable_size; w->bucket++) {
restart:
		lockp = &nf_conntrack_locks[w->bucket % CONNTRACK_LOCKS];
		nf_conntrack_lock(lockp);
		/* Its declaration does not tell sparse that it locks. */
		__acquire(lockp);
		/* The table may have shrunk while we were away. */
		if (w->bucket >= nf_conntrack_htable_size) {
			spin_unlock(lockp);
			break;
		}
		hlist_nulls_for_each_entry(h, n, &nf_conntrack_hash[w->bucket],
					   hnnode) {
			if (NF_CT_DIRECTION(h) != IP_CT_DIR_ORIGINAL)
				continue;
			ct = nf_ct_tuplehash_to_ctrack(h);
			if (nf_ct_is_expired(ct) || !net_eq(net, nf_ct_net(ct)))
				continue;
			conn = catoproxy_conn_get(ct);
			if (!conn)
				continue;
			if (w->last_id) {
				if (nf_ct_get_id(ct) != w->last_id)
					continue;
				w->last_id = 0;
			}
			if (put(arg, ct, conn)) {
				w->last_id = nf_ct_get_id(ct);
				full = true;
				spin_unlock(lockp);
				goto out;
			}
		}
		spin_unlock(lockp);
		/*
		 * The entry we stopped at is gone: walk the whole bucket
		 * again rather than lose the rest of it.
		 */
		if (w->last_id) {
			w->last_id = 0;
			goto restart;
		}
	}
out:
	local_bh_enable();
	return full;
}
