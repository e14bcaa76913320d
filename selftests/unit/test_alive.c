// SPDX-License-Identifier: GPL-2.0
/*
 * The adaptive cache's replacement (kmod/core/alive.c): lookups, TTLs, refresh,
 * eviction of the entry refreshed longest ago, forgetting, and the memory
 * bound under a scan of every port.
 */

#include <arpa/inet.h>

#include "alive.h"
#include "unit.h"

static struct catoproxy_alive_key key4(const char *addr, u16 port)
{
	struct catoproxy_alive_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	inet_pton(AF_INET, addr, k.addr);
	k.port = port;
	return k;
}

static struct catoproxy_alive_key key6(const char *addr, u16 port)
{
	struct catoproxy_alive_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET6;
	inet_pton(AF_INET6, addr, k.addr);
	k.port = port;
	return k;
}

static void test_nsets(void)
{
	CHECK(catoproxy_alive_nsets(4096) == 512, "4096 entries: 512 sets of 8");
	CHECK(catoproxy_alive_nsets(100) == 8, "100 entries round down to 64 (8 sets)");
	CHECK(catoproxy_alive_nsets(64) == 8, "64 entries: 8 sets");
	CHECK(catoproxy_alive_nsets(3) == 1, "tiny sizes still get one set");
	CHECK(catoproxy_alive_nsets(CATOPROXY_ADAPTIVE_SIZE_MAX) * CATOPROXY_ALIVE_WAYS == CATOPROXY_ADAPTIVE_SIZE_MAX, "the maximum size is exact");
}

static void test_set(void)
{
	struct catoproxy_alive_slot set[CATOPROXY_ALIVE_WAYS];
	struct catoproxy_alive_key a = key4("10.0.2.2", 8080);
	struct catoproxy_alive_key b = key4("10.0.2.2", 8081);
	struct catoproxy_alive_key c = key6("fd00:2::2", 8080);
	struct catoproxy_alive_key k;
	unsigned int i;

	memset(set, 0, sizeof(set));
	CHECK(!catoproxy_alive_lookup(set, &a, 1000), "empty set knows nothing");
	CHECK(catoproxy_alive_learn(set, &a, 1000, 500) == CATOPROXY_ALIVE_ADDED, "first SYN-ACK adds");
	CHECK(catoproxy_alive_lookup(set, &a, 1000), "alive right away");
	CHECK(catoproxy_alive_lookup(set, &a, 1499), "alive until the TTL ends");
	CHECK(!catoproxy_alive_lookup(set, &a, 1500), "not alive once it ended");
	CHECK(!catoproxy_alive_lookup(set, &b, 1000), "another port of the same host is not alive");
	k = key6("::a00:202", 8080);
	CHECK(!catoproxy_alive_lookup(set, &k, 1000), "an IPv6 address with the same bytes is not the IPv4 one");
	CHECK(catoproxy_alive_learn(set, &a, 1400, 500) == CATOPROXY_ALIVE_REFRESHED, "a later SYN-ACK refreshes");
	CHECK(catoproxy_alive_lookup(set, &a, 1800), "refresh restarts the TTL");
	CHECK(catoproxy_alive_learn(set, &c, 1400, 500) == CATOPROXY_ALIVE_ADDED, "IPv6 key added");
	CHECK(catoproxy_alive_forget(set, &a), "forget a known key");
	CHECK(!catoproxy_alive_lookup(set, &a, 1401), "forgotten: not alive");
	CHECK(!catoproxy_alive_forget(set, &a), "forgetting twice finds nothing");
	CHECK(catoproxy_alive_lookup(set, &c, 1401), "forgetting one key leaves the others");

	/* Fill the set: ports 1..8 learned at times 2000..2007, TTL 100. */
	memset(set, 0, sizeof(set));
	for (i = 0; i < CATOPROXY_ALIVE_WAYS; i++) {
		k = key4("10.0.2.2", (u16)(i + 1));
		catoproxy_alive_learn(set, &k, 2000 + i, 100);
	}
	/* Port 1 refreshed: port 2 is now the one refreshed longest ago. */
	k = key4("10.0.2.2", 1);
	catoproxy_alive_learn(set, &k, 2050, 100);
	k = key4("10.0.2.2", 100);
	CHECK(catoproxy_alive_learn(set, &k, 2060, 100) == CATOPROXY_ALIVE_EVICTED, "a full set evicts a live entry");
	k = key4("10.0.2.2", 2);
	CHECK(!catoproxy_alive_lookup(set, &k, 2061), "the entry refreshed longest ago went");
	k = key4("10.0.2.2", 1);
	CHECK(catoproxy_alive_lookup(set, &k, 2061), "the refreshed entry stayed");
	k = key4("10.0.2.2", 3);
	CHECK(catoproxy_alive_lookup(set, &k, 2061), "the others stayed");
	/* Long after: everything but port 100 has expired and is reused. */
	k = key4("10.0.2.2", 101);
	CHECK(catoproxy_alive_learn(set, &k, 2158, 100) == CATOPROXY_ALIVE_REPLACED, "an expired entry is reused without eviction");
	k = key4("10.0.2.2", 100);
	CHECK(catoproxy_alive_lookup(set, &k, 2158), "the live entry survives reuse of an expired one");
}

/* The bound: a cache of 8 sets under 65535 learned ports holds 64 entries. */
static void test_scan(void)
{
	enum { SETS = 8 };
	struct catoproxy_alive_slot cache[SETS * CATOPROXY_ALIVE_WAYS];
	unsigned int added = 0, evicted = 0, used = 0, i;
	struct catoproxy_alive_key k;
	u32 port;

	memset(cache, 0, sizeof(cache));
	for (port = 1; port <= 65535; port++) {
		k = key4("10.0.2.2", (u16)port);
		switch (catoproxy_alive_learn(&cache[(port % SETS) * CATOPROXY_ALIVE_WAYS], &k, port, 1000000)) {
		case CATOPROXY_ALIVE_ADDED:
			added++;
			break;
		case CATOPROXY_ALIVE_EVICTED:
			evicted++;
			break;
		default:
			break;
		}
	}
	for (i = 0; i < SETS * CATOPROXY_ALIVE_WAYS; i++)
		used += !!cache[i].key.family;
	CHECK(added == 64 && used == 64, "65535 ports fill exactly the 64 slots (added %u, used %u)", added, used);
	CHECK(evicted == 65535 - 64, "every later port evicts one (%u)", evicted);
	k = key4("10.0.2.2", 65535);
	CHECK(catoproxy_alive_lookup(&cache[(65535 % SETS) * CATOPROXY_ALIVE_WAYS], &k, 65536), "the newest port is alive");
	k = key4("10.0.2.2", 1);
	CHECK(!catoproxy_alive_lookup(&cache[(1 % SETS) * CATOPROXY_ALIVE_WAYS], &k, 65536), "the oldest port was evicted");
}

int main(void)
{
	test_nsets();
	test_set();
	test_scan();
	return unit_done();
}
