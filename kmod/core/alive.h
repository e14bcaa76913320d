/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The adaptive cache's replacement logic: which server ip:ports have
 * recently proved alive with a SYN-ACK. Plain C (see pure.h), shared by the
 * module and the host unit tests.
 *
 * The cache is set-associative: a key hashes to one set of
 * CATOPROXY_ALIVE_WAYS slots and lives in one of them. A full set gives up
 * the slot refreshed longest ago, so memory is fixed by the number of sets
 * and a scan of many destinations costs each set at most its ways. Hashing
 * and locking are the caller's: every function here works on one set, which
 * the caller keeps from changing meanwhile.
 */
#ifndef _CATOPROXY_ALIVE_H
#define _CATOPROXY_ALIVE_H

#include "pure.h"

#define CATOPROXY_ALIVE_WAYS 8

struct catoproxy_alive_key {
	u8 addr[16]; /* network order, IPv4 in the first 4 bytes */
	u16 family; /* AF_INET or AF_INET6; 0 marks a free slot */
	u16 port; /* host order */
};

struct catoproxy_alive_slot {
	struct catoproxy_alive_key key;
	u64 expires; /* caller's clock, milliseconds */
};

enum catoproxy_alive_learned {
	CATOPROXY_ALIVE_REFRESHED, /* the key was there: its TTL restarts */
	CATOPROXY_ALIVE_ADDED, /* into a free slot: one more entry */
	CATOPROXY_ALIVE_REPLACED, /* over an expired entry */
	CATOPROXY_ALIVE_EVICTED, /* over the live entry refreshed longest ago */
};

/* Sets for a cache of at most @size entries: a power of two, at least 1. */
u32 catoproxy_alive_nsets(u32 size);

/* Is @key in @set and alive at @now? */
bool catoproxy_alive_lookup(const struct catoproxy_alive_slot *set,
			    const struct catoproxy_alive_key *key, u64 now);

/* Record that @key answered at @now, alive until @now + @ttl_ms. */
enum catoproxy_alive_learned
catoproxy_alive_learn(struct catoproxy_alive_slot *set,
		      const struct catoproxy_alive_key *key, u64 now,
		      u64 ttl_ms);

/* Remove @key from @set; true if it was there. */
bool catoproxy_alive_forget(struct catoproxy_alive_slot *set,
			    const struct catoproxy_alive_key *key);

#endif /* _CATOPROXY_ALIVE_H */
