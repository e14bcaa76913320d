/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of a built rule set and the key helpers that building
 * (rules.c) and lookup (lookup.c) share. Private to those two files:
 * everyone else sees struct catoproxy_ruleset through rules.h only.
 *
 * Layout of a set, one block: the header, the rules in order, the tables
 * in the order of the first rule each holds, the indexes of the rules
 * compared one by one (ascending), every table's slots, then the payload
 * rules' name index: a bucket array and a next link per rule.
 */
#ifndef CATOPROXY_CORE_RULESET_H
#define CATOPROXY_CORE_RULESET_H

#include "rules.h"

/* u32 words of a key: source, destination, then both ports. */
#define KEY_WORDS 9

struct rules_table {
	u32 min_idx; /* the first rule this table holds */
	u32 min_plain; /* the first plain rule it holds; RULE_NONE: none */
	u32 slot_mask; /* slots - 1, a power of two minus one */
	u32 slots; /* index of the first slot in the set's slot array */
	u16 family;
	u32 mask[KEY_WORDS];
};

struct rules_slot {
	u32 idx1; /* rule index + 1; 0: empty */
	u32 plain1; /* the first plain rule with this key + 1; 0: none */
	u32 key[KEY_WORDS];
};

struct catoproxy_ruleset {
	u32 nrules;
	u32 ntables;
	u32 nslow;
	u32 nslots;
	u32 blocks; /* some rule says block */
	u32 active; /* some rule blocks, is a payload rule or has a path */
	u32 npayload; /* payload rules */
	u32 name_mask; /* name index buckets - 1, when there are payload rules */
	/* rules, tables, slow rule indexes, slots, name index: see the top */
	u32 data[];
};

static inline const struct catoproxy_rule *
set_rules_c(const struct catoproxy_ruleset *set)
{
	return (const struct catoproxy_rule *)set->data;
}

static inline size_t off_tables(u32 nrules)
{
	return (size_t)nrules * sizeof(struct catoproxy_rule);
}

static inline size_t off_slow(u32 nrules, u32 ntables)
{
	return off_tables(nrules) + (size_t)ntables * sizeof(struct rules_table);
}

static inline size_t off_slots(u32 nrules, u32 ntables, u32 nslow)
{
	return off_slow(nrules, ntables) + (size_t)nslow * sizeof(u32);
}

/* Bucket heads (rule index + 1, 0: none), then a next link per rule. */
static inline size_t off_names(u32 nrules, u32 ntables, u32 nslow, u32 nslots)
{
	return off_slots(nrules, ntables, nslow) +
	       (size_t)nslots * sizeof(struct rules_slot);
}

static inline const u32 *set_names(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_names(set->nrules, set->ntables, set->nslow,
					set->nslots));
}

static inline const struct rules_table *set_tables(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data + off_tables(set->nrules));
}

static inline const u32 *set_slow(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_slow(set->nrules, set->ntables));
}

static inline const struct rules_slot *set_slots(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_slots(set->nrules, set->ntables, set->nslow));
}

/* ------------------------------------------------------------ keys */

static inline u32 load32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The key of @flow, in the words masks and tables use. */
static inline void flow_key(const struct catoproxy_flow *flow, u32 *key)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		key[i] = load32(flow->saddr + 4 * i);
		key[4 + i] = load32(flow->daddr + 4 * i);
	}
	key[8] = (u32)flow->sport << 16 | flow->dport;
}

static inline u32 rotl(u32 v, unsigned int r)
{
	return v << r | v >> (32 - r);
}

/* Murmur3's mixing: keys are the administrator's, not an attacker's. */
static inline u32 hash_words(const u32 *k, unsigned int n)
{
	u32 h = 0x2545f491;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u32 w = k[i] * 0xcc9e2d51;

		w = rotl(w, 15) * 0x1b873593;
		h ^= w;
		h = rotl(h, 13) * 5 + 0xe6546b64;
	}
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static inline bool key_equal(const u32 *a, const u32 *b)
{
	unsigned int i;

	for (i = 0; i < KEY_WORDS; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* ------------------------------------------------------------ names */

/*
 * A name key: FNV-1a over the name's bytes, lower-cased, from its last
 * byte back, seeded by the match and by whether it is the S of a
 * wildcard "*.S". Backwards, so that one pass over a name seen gives the
 * keys of all its suffixes.
 */
#define NAME_SEED(match, wild) (0x811c9dc5u ^ ((u32)(match) << 1 | (wild)))

static inline u32 name_step(u32 h, char c)
{
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	return (h ^ (u8)c) * 0x01000193u;
}

#endif
