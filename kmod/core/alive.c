// SPDX-License-Identifier: GPL-2.0
/*
 * Adaptive cache replacement (see alive.h). No allocation, no locking, no
 * clock: the caller owns all three.
 */

#include "alive.h"

u32 catoproxy_alive_nsets(u32 size)
{
	u32 sets = size / CATOPROXY_ALIVE_WAYS, pow = 1;

	while (pow * 2 <= sets)
		pow *= 2;
	return pow;
}

/* Keys are compared whole: callers zero the bytes an IPv4 address leaves. */
static bool key_equal(const struct catoproxy_alive_key *a,
		      const struct catoproxy_alive_key *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static struct catoproxy_alive_slot *
find(const struct catoproxy_alive_slot *set,
     const struct catoproxy_alive_key *key)
{
	unsigned int i;

	for (i = 0; i < CATOPROXY_ALIVE_WAYS; i++)
		if (set[i].key.family && key_equal(&set[i].key, key))
			return (struct catoproxy_alive_slot *)&set[i];
	return NULL;
}

bool catoproxy_alive_lookup(const struct catoproxy_alive_slot *set,
			    const struct catoproxy_alive_key *key, u64 now)
{
	const struct catoproxy_alive_slot *slot = find(set, key);

	return slot && slot->expires > now;
}

enum catoproxy_alive_learned
catoproxy_alive_learn(struct catoproxy_alive_slot *set,
		      const struct catoproxy_alive_key *key, u64 now,
		      u64 ttl_ms)
{
	struct catoproxy_alive_slot *slot = find(set, key), *oldest = NULL;
	enum catoproxy_alive_learned how;
	unsigned int i;

	if (slot) {
		slot->expires = now + ttl_ms;
		return CATOPROXY_ALIVE_REFRESHED;
	}
	/* A free slot first, else the one that expires first. */
	for (i = 0; i < CATOPROXY_ALIVE_WAYS; i++) {
		if (!set[i].key.family) {
			slot = &set[i];
			break;
		}
		if (!oldest || set[i].expires < oldest->expires)
			oldest = &set[i];
	}
	if (slot)
		how = CATOPROXY_ALIVE_ADDED;
	else if (oldest->expires <= now)
		how = CATOPROXY_ALIVE_REPLACED;
	else
		how = CATOPROXY_ALIVE_EVICTED;
	if (!slot)
		slot = oldest;
	slot->key = *key;
	slot->expires = now + ttl_ms;
	return how;
}

bool catoproxy_alive_forget(struct catoproxy_alive_slot *set,
			    const struct catoproxy_alive_key *key)
{
	struct catoproxy_alive_slot *slot = find(set, key);

	if (!slot)
		return false;
	memset(slot, 0, sizeof(*slot));
	return true;
}
