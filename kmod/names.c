// SPDX-License-Identifier: GPL-2.0
/*
 * The server names of inspected connections, past their decision (names.h).
 *
 * The key is the conntrack entry's address. Entries are allocated
 * SLAB_TYPESAFE_BY_RCU, so an address comes back for another connection:
 * an entry must be gone before its connection's memory can be reused. It
 * is removed by the helper's destroy callback, which conntrack calls for a
 * confirmed entry after marking it dying and before freeing it; every
 * other way the helper leaves an entry (the namespace released, the
 * module unloaded) removes all of the namespace's names (hooks.c, netns.c).
 */

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>

#include "names.h"
#include "netns.h"
#include "payload.h"

struct catoproxy_name {
	struct rhash_head node;
	const struct nf_conn *ct; /* the key */
	struct rcu_head rcu;
	char name[];
};

static const struct rhashtable_params names_params = {
	.key_len = sizeof(const struct nf_conn *),
	.key_offset = offsetof(struct catoproxy_name, ct),
	.head_offset = offsetof(struct catoproxy_name, node),
	.automatic_shrinking = true,
};

int catoproxy_names_init(struct catoproxy_names *names)
{
	atomic_set(&names->count, 0);
	return rhashtable_init(&names->table, &names_params);
}

static void name_free(void *ptr, void *arg)
{
	kfree(ptr);
}

void catoproxy_names_destroy(struct catoproxy_names *names)
{
	rhashtable_free_and_destroy(&names->table, name_free, NULL);
}

/* Unlink @e; the one caller that does frees it. */
static void name_remove(struct catoproxy_names *names,
			struct catoproxy_name *e)
{
	if (rhashtable_remove_fast(&names->table, &e->node, names_params))
		return;
	atomic_dec(&names->count);
	kfree_rcu(e, rcu);
}

void catoproxy_names_set(struct net *net, const struct nf_conn *ct,
			 const char *name)
{
	struct catoproxy_names *names = &catoproxy_net(net)->names;
	size_t len = strnlen(name, CATOPROXY_PAYLOAD_NAME_MAX);
	struct catoproxy_name *e;

	if (atomic_inc_return(&names->count) > CATOPROXY_NAMES_MAX)
		goto out;
	e = kmalloc(struct_size(e, name, len + 1), GFP_ATOMIC);
	if (!e)
		goto out;
	e->ct = ct;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	if (rhashtable_lookup_insert_fast(&names->table, &e->node,
					  names_params)) {
		kfree(e);
		goto out;
	}
	/*
	 * A connection killed meanwhile may have had its destroy look before
	 * the entry was there. conntrack sets the dying bit (a full barrier)
	 * before calling it; we look at the bit after inserting: one of the
	 * two sees the other.
	 */
	smp_mb();
	if (nf_ct_is_dying(ct))
		name_remove(names, e);
	return;
out:
	atomic_dec(&names->count);
}

const char *catoproxy_names_get(struct net *net, const struct nf_conn *ct)
{
	struct catoproxy_names *names = &catoproxy_net(net)->names;
	struct catoproxy_name *e;

	if (!atomic_read(&names->count))
		return NULL;
	e = rhashtable_lookup(&names->table, &ct, names_params);
	return e ? e->name : NULL;
}

void catoproxy_names_drop(struct net *net, const struct nf_conn *ct)
{
	struct catoproxy_names *names = &catoproxy_net(net)->names;
	struct catoproxy_name *e;

	if (!atomic_read(&names->count))
		return;
	rcu_read_lock();
	e = rhashtable_lookup(&names->table, &ct, names_params);
	if (e)
		name_remove(names, e);
	rcu_read_unlock();
}

void catoproxy_names_flush(struct net *net)
{
	struct catoproxy_names *names = &catoproxy_net(net)->names;
	struct rhashtable_iter iter;
	struct catoproxy_name *e;

	rhashtable_walk_enter(&names->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			/* A resize: the walk starts over, which is fine. */
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		name_remove(names, e);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}
