// SPDX-License-Identifier: GPL-2.0
/*
 * The adaptive cache of a namespace: server ip:ports that recently answered
 * a SYN with a SYN-ACK. Adaptive mode intercepts (runs full) only those, so
 * a scanner never sees a port "open" that nothing behind the router would
 * have opened.
 *
 * Replacement is alive.c's; this file adds the memory, the hash, the locks
 * and the clock. The table is allocated whole when a policy first asks for
 * adaptive, never on the packet path, so its memory is fixed by
 * adaptive-size whatever the traffic.
 */

#include <linux/jiffies.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "adaptive.h"
#include "alive.h"

/* Lock stripes: sets share a lock, the packet path rarely waits. */
#define ADAPTIVE_LOCKS 64

struct catoproxy_adaptive {
	/* Random per table, so that nobody can aim many keys at one set. */
	siphash_key_t hash_key;
	/* Slots in use; changes under the lock of the set that changed. */
	atomic_t entries;
	u32 size; /* as configured; @nsets sets of CATOPROXY_ALIVE_WAYS */
	u32 nsets;
	/* @locks[i] guards every set whose index is i modulo ADAPTIVE_LOCKS. */
	spinlock_t locks[ADAPTIVE_LOCKS];
	struct catoproxy_alive_slot slots[];
};

static u64 now_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

static u32 key_set(const struct catoproxy_adaptive *c,
		   const struct catoproxy_alive_key *key)
{
	return (u32)siphash(key, sizeof(*key), &c->hash_key) & (c->nsets - 1);
}

static void key_from_flow(struct catoproxy_alive_key *key,
			  const struct catoproxy_flow *flow)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->addr, flow->daddr, sizeof(key->addr));
	key->family = flow->family;
	key->port = flow->dport;
}

/* The server of @ct as the client addressed it, before any NAT. */
static void key_from_ct(struct catoproxy_alive_key *key,
			const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	memset(key, 0, sizeof(*key));
	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		key->family = AF_INET;
		memcpy(key->addr, &t->dst.u3.ip, sizeof(t->dst.u3.ip));
	} else {
		key->family = AF_INET6;
		memcpy(key->addr, &t->dst.u3.in6, sizeof(t->dst.u3.in6));
	}
	key->port = ntohs(t->dst.u.tcp.port);
}

bool catoproxy_adaptive_alive(struct net *net,
			      const struct catoproxy_flow *flow)
{
	struct catoproxy_adaptive *c;
	struct catoproxy_alive_key key;
	bool alive;
	u32 set;

	c = rcu_dereference(catoproxy_net(net)->adaptive);
	if (!c)
		return false;
	key_from_flow(&key, flow);
	set = key_set(c, &key);
	spin_lock_bh(&c->locks[set % ADAPTIVE_LOCKS]);
	alive = catoproxy_alive_lookup(&c->slots[set * CATOPROXY_ALIVE_WAYS],
				       &key, now_ms());
	spin_unlock_bh(&c->locks[set % ADAPTIVE_LOCKS]);
	return alive;
}

void catoproxy_adaptive_learn(struct net *net, const struct nf_conn *ct)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	enum catoproxy_alive_learned how;
	struct catoproxy_alive_key key;
	struct catoproxy_adaptive *c;
	u64 ttl_ms;
	u32 set;

	c = rcu_dereference(cn->adaptive);
	if (!c)
		return;
	ttl_ms = (u64)rcu_dereference(cn->policy)->adaptive_ttl_s * 1000;
	key_from_ct(&key, ct);
	set = key_set(c, &key);
	spin_lock_bh(&c->locks[set % ADAPTIVE_LOCKS]);
	how = catoproxy_alive_learn(&c->slots[set * CATOPROXY_ALIVE_WAYS],
				    &key, now_ms(), ttl_ms);
	if (how == CATOPROXY_ALIVE_ADDED)
		atomic_inc(&c->entries);
	spin_unlock_bh(&c->locks[set % ADAPTIVE_LOCKS]);

	if (how == CATOPROXY_ALIVE_REFRESHED)
		return;
	catoproxy_stat_inc(cn, CATOPROXY_STAT_ADAPTIVE_LEARNED);
	if (how == CATOPROXY_ALIVE_EVICTED)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_ADAPTIVE_EVICTED);
}

void catoproxy_adaptive_forget(struct net *net, const struct nf_conn *ct)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_alive_key key;
	struct catoproxy_adaptive *c;
	bool gone;
	u32 set;

	c = rcu_dereference(cn->adaptive);
	if (!c)
		return;
	key_from_ct(&key, ct);
	set = key_set(c, &key);
	spin_lock_bh(&c->locks[set % ADAPTIVE_LOCKS]);
	gone = catoproxy_alive_forget(&c->slots[set * CATOPROXY_ALIVE_WAYS],
				      &key);
	if (gone)
		atomic_dec(&c->entries);
	spin_unlock_bh(&c->locks[set % ADAPTIVE_LOCKS]);
	if (gone)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_ADAPTIVE_FORGOTTEN);
}

u32 catoproxy_adaptive_entries(struct catoproxy_net *cn)
{
	struct catoproxy_adaptive *c;
	u32 n = 0;

	rcu_read_lock();
	c = rcu_dereference(cn->adaptive);
	if (c)
		n = (u32)atomic_read(&c->entries);
	rcu_read_unlock();
	return n;
}

static struct catoproxy_adaptive *adaptive_alloc(u32 size)
{
	u32 nsets = catoproxy_alive_nsets(size), i;
	struct catoproxy_adaptive *c;

	c = kvzalloc(struct_size(c, slots, (size_t)nsets * CATOPROXY_ALIVE_WAYS),
		     GFP_KERNEL);
	if (!c)
		return NULL;
	get_random_bytes(&c->hash_key, sizeof(c->hash_key));
	atomic_set(&c->entries, 0);
	c->size = size;
	c->nsets = nsets;
	for (i = 0; i < ADAPTIVE_LOCKS; i++)
		spin_lock_init(&c->locks[i]);
	return c;
}

int catoproxy_adaptive_fit(struct catoproxy_net *cn,
			   const struct catoproxy_policy *pol,
			   struct catoproxy_adaptive **old)
{
	struct catoproxy_adaptive *cur, *c = NULL;

	lockdep_assert_held(&cn->lock);
	cur = rcu_dereference_protected(cn->adaptive, lockdep_is_held(&cn->lock));
	*old = NULL;
	if (catoproxy_policy_uses_adaptive(pol)) {
		if (cur && cur->size == pol->adaptive_size)
			return 0;
		c = adaptive_alloc(pol->adaptive_size);
		if (!c)
			return -ENOMEM;
	} else if (!cur) {
		return 0;
	}
	rcu_assign_pointer(cn->adaptive, c);
	*old = cur;
	return 0;
}

void catoproxy_adaptive_free(struct catoproxy_adaptive *cache)
{
	kvfree(cache);
}
