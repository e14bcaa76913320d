// SPDX-License-Identifier: GPL-2.0
/*
 * Rule validation and the first-match classifier (see rules.h). No
 * allocation and no locking: callers own the memory and publish a finished
 * set as a whole.
 *
 * Layout of a set, one block: the header, the rules in order, the tables
 * in the order of the first rule each holds, the indexes of the rules
 * compared one by one (ascending), every table's slots, then the payload
 * rules' name index: a bucket array and a next link per rule.
 */

#include "rules.h"

/*
 * A rule whose two port ranges cut into more blocks than this (a range cuts
 * into at most 30) is compared one by one rather than spread over tables.
 */
#define EXPAND_MAX 16
/* u32 words of a key: source, destination, then both ports. */
#define KEY_WORDS 9
#define PORT_BLOCKS_MAX 30

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

static const char *const action_names[] = {
	[CATOPROXY_ACTION_ALLOW] = "allow",
	[CATOPROXY_ACTION_BLOCK] = "block",
	[CATOPROXY_ACTION_BYPASS] = "bypass",
};

_Static_assert(sizeof(action_names) / sizeof(action_names[0]) ==
		       CATOPROXY_ACTION_MAX + 1,
	       "every action needs a name");

const char *catoproxy_rule_action_name(unsigned int action)
{
	if (action > CATOPROXY_ACTION_MAX)
		return NULL;
	return action_names[action];
}

int catoproxy_rule_action_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i <= CATOPROXY_ACTION_MAX; i++)
		if (!strcmp(name, action_names[i]))
			return i;
	return -EINVAL;
}

/*
 * The payload part: a valid pattern, lower-cased and zero-padded so that
 * equal rules are equal bytes, and a path only where one can be taken.
 */
static bool normalize_payload(struct catoproxy_rule *r, const char **why)
{
	size_t len, i;

	if (r->match > CATOPROXY_RULE_MATCH_HOST) {
		*why = "unknown payload match";
		return false;
	}
	if (r->match == CATOPROXY_RULE_MATCH_NONE) {
		memset(r->name, 0, sizeof(r->name));
	} else {
		if (!memchr(r->name, 0, sizeof(r->name))) {
			*why = "name is longer than 253 bytes";
			return false;
		}
		if (!catoproxy_payload_pattern_valid(r->name, why))
			return false;
		len = strlen(r->name);
		for (i = 0; i < len; i++)
			if (r->name[i] >= 'A' && r->name[i] <= 'Z')
				r->name[i] += 'a' - 'A';
		memset(r->name + len, 0, sizeof(r->name) - len);
	}
	if (!(r->flags & CATOPROXY_RULE_F_PATH)) {
		r->path = 0;
		return true;
	}
	if (!r->path) {
		*why = "path mark 0 is no path";
		return false;
	}
	if (r->action == CATOPROXY_ACTION_BLOCK) {
		*why = "a rule that blocks has no path";
		return false;
	}
	return true;
}

bool catoproxy_rule_normalize(struct catoproxy_rule *r, const char **why)
{
	if (r->action > CATOPROXY_ACTION_MAX) {
		*why = "unknown rule action";
		return false;
	}
	if (r->flags & ~(CATOPROXY_RULE_F_SRC | CATOPROXY_RULE_F_DST |
			 CATOPROXY_RULE_F_PATH)) {
		*why = "unknown rule flags";
		return false;
	}
	if (!normalize_payload(r, why))
		return false;
	if (r->flags & CATOPROXY_RULE_F_SRC) {
		if (!catoproxy_policy_prefix_valid(&r->src, why))
			return false;
	} else {
		memset(&r->src, 0, sizeof(r->src));
	}
	if (r->flags & CATOPROXY_RULE_F_DST) {
		if (!catoproxy_policy_prefix_valid(&r->dst, why))
			return false;
	} else {
		memset(&r->dst, 0, sizeof(r->dst));
	}
	if ((r->flags & CATOPROXY_RULE_F_SRC) &&
	    (r->flags & CATOPROXY_RULE_F_DST) &&
	    r->src.family != r->dst.family) {
		*why = "source and destination prefixes are of different families";
		return false;
	}
	if (r->sport_min > r->sport_max) {
		*why = "source port range is inverted";
		return false;
	}
	if (r->dport_min > r->dport_max) {
		*why = "destination port range is inverted";
		return false;
	}
	if (r->flags & CATOPROXY_RULE_F_SRC)
		r->family = r->src.family;
	else if (r->flags & CATOPROXY_RULE_F_DST)
		r->family = r->dst.family;
	else
		r->family = AF_UNSPEC;
	return true;
}

bool catoproxy_rule_match(const struct catoproxy_rule *r,
			  const struct catoproxy_flow *flow)
{
	if (r->family != AF_UNSPEC && r->family != flow->family)
		return false;
	if ((r->flags & CATOPROXY_RULE_F_SRC) &&
	    !catoproxy_policy_prefix_match(&r->src, flow->family, flow->saddr))
		return false;
	if ((r->flags & CATOPROXY_RULE_F_DST) &&
	    !catoproxy_policy_prefix_match(&r->dst, flow->family, flow->daddr))
		return false;
	return flow->sport >= r->sport_min && flow->sport <= r->sport_max &&
	       flow->dport >= r->dport_min && flow->dport <= r->dport_max;
}

/* ------------------------------------------------------------ set layout */

static u32 pow2_at_least(u32 n);

static struct catoproxy_rule *set_rules(struct catoproxy_ruleset *set)
{
	return (struct catoproxy_rule *)set->data;
}

static const struct catoproxy_rule *
set_rules_c(const struct catoproxy_ruleset *set)
{
	return (const struct catoproxy_rule *)set->data;
}

static size_t off_tables(u32 nrules)
{
	return (size_t)nrules * sizeof(struct catoproxy_rule);
}

static size_t off_slow(u32 nrules, u32 ntables)
{
	return off_tables(nrules) + (size_t)ntables * sizeof(struct rules_table);
}

static size_t off_slots(u32 nrules, u32 ntables, u32 nslow)
{
	return off_slow(nrules, ntables) + (size_t)nslow * sizeof(u32);
}

/* Bucket heads (rule index + 1, 0: none), then a next link per rule. */
static size_t off_names(u32 nrules, u32 ntables, u32 nslow, u32 nslots)
{
	return off_slots(nrules, ntables, nslow) +
	       (size_t)nslots * sizeof(struct rules_slot);
}

static size_t names_size(u32 nrules, u32 npayload)
{
	return npayload ? ((size_t)pow2_at_least(2 * npayload) + nrules) *
				  sizeof(u32) :
			  0;
}

static const u32 *set_names(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_names(set->nrules, set->ntables, set->nslow,
					set->nslots));
}

static const struct rules_table *set_tables(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data + off_tables(set->nrules));
}

static const u32 *set_slow(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_slow(set->nrules, set->ntables));
}

static const struct rules_slot *set_slots(const struct catoproxy_ruleset *set)
{
	return (const void *)((const u8 *)set->data +
			      off_slots(set->nrules, set->ntables, set->nslow));
}

u32 catoproxy_rules_count(const struct catoproxy_ruleset *set)
{
	return set->nrules;
}

const struct catoproxy_rule *
catoproxy_rules_list(const struct catoproxy_ruleset *set)
{
	return set_rules_c(set);
}

u32 catoproxy_rules_tables(const struct catoproxy_ruleset *set)
{
	return set->ntables;
}

u32 catoproxy_rules_slow(const struct catoproxy_ruleset *set)
{
	return set->nslow;
}

bool catoproxy_rules_blocks(const struct catoproxy_ruleset *set)
{
	return set->blocks;
}

bool catoproxy_rules_active(const struct catoproxy_ruleset *set)
{
	return set->active;
}

/* ------------------------------------------------------------ keys */

struct port_block {
	u16 base;
	u8 plen; /* of 16 bits */
};

/* Cut [@lo, @hi] into the fewest aligned power-of-two blocks. */
static unsigned int port_blocks(u16 lo, u16 hi, struct port_block *out)
{
	u32 v = lo, end = (u32)hi + 1;
	unsigned int n = 0;

	while (v < end) {
		unsigned int k = 0;

		/* The largest block aligned at @v that ends within the range. */
		while (k < 16 && !(v & (1u << k)) && v + (2u << k) <= end)
			k++;
		out[n].base = (u16)v;
		out[n].plen = (u8)(16 - k);
		n++;
		v += 1u << k;
	}
	return n;
}

static u32 load32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The key of @flow, in the words masks and tables use. */
static void flow_key(const struct catoproxy_flow *flow, u32 *key)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		key[i] = load32(flow->saddr + 4 * i);
		key[4 + i] = load32(flow->daddr + 4 * i);
	}
	key[8] = (u32)flow->sport << 16 | flow->dport;
}

/* Mask words of an address prefix of @plen bits (in memory order). */
static void prefix_mask(unsigned int plen, u32 *mask)
{
	u8 bytes[16] = { 0 };
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8) {
			bytes[i] = 0xff;
			plen -= 8;
		} else {
			bytes[i] = (u8)(0xff00 >> plen);
			plen = 0;
		}
	}
	for (i = 0; i < 4; i++)
		mask[i] = load32(bytes + 4 * i);
}

static u16 port_mask(unsigned int plen)
{
	return (u16)(0xffff0000u >> plen);
}

/* What one table matches: the shape of a rule's key. */
struct shape {
	u16 family;
	u8 src_plen, dst_plen, sport_plen, dport_plen;
};

static u32 shape_code(const struct shape *s)
{
	return (u32)(s->family == AF_INET6) << 26 | (u32)s->src_plen << 18 |
	       (u32)s->dst_plen << 10 | (u32)s->sport_plen << 5 | s->dport_plen;
}

static void shape_mask(const struct shape *s, u32 *mask)
{
	prefix_mask(s->src_plen, mask);
	prefix_mask(s->dst_plen, mask + 4);
	mask[8] = (u32)port_mask(s->sport_plen) << 16 | port_mask(s->dport_plen);
}

static u32 rotl(u32 v, unsigned int r)
{
	return v << r | v >> (32 - r);
}

/* Murmur3's mixing: keys are the administrator's, not an attacker's. */
static u32 hash_words(const u32 *k, unsigned int n)
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

static bool key_equal(const u32 *a, const u32 *b)
{
	unsigned int i;

	for (i = 0; i < KEY_WORDS; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* ------------------------------------------------------------ building */

/*
 * The scratch memory: a header, one struct build_table per possible table
 * (at most one per key), and a hash map from shape codes to them.
 */
struct build_table {
	struct shape shape;
	u32 min_idx;
	u32 nkeys; /* keys added, an upper bound of distinct ones */
};

struct build_scratch {
	u32 ntables;
	u32 nslow;
	u32 map_mask; /* map slots - 1 */
	u32 max_tables;
	/* struct build_table tables[max_tables], then u32 map[map_mask + 1] */
	u32 data[];
};

static struct build_table *scratch_tables(struct build_scratch *bs)
{
	return (struct build_table *)bs->data;
}

static u32 *scratch_map(struct build_scratch *bs)
{
	return (u32 *)((u8 *)bs->data +
		       (size_t)bs->max_tables * sizeof(struct build_table));
}

static u32 pow2_at_least(u32 n)
{
	u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* How many keys @r spreads over tables; 0 when it is compared one by one. */
static u32 rule_keys(const struct catoproxy_rule *r, struct port_block *sp,
		     unsigned int *nsp, struct port_block *dp,
		     unsigned int *ndp)
{
	u32 n;

	*nsp = port_blocks(r->sport_min, r->sport_max, sp);
	*ndp = port_blocks(r->dport_min, r->dport_max, dp);
	n = *nsp * *ndp;
	if (n > EXPAND_MAX)
		return 0;
	return r->family == AF_UNSPEC ? 2 * n : n;
}

size_t catoproxy_rules_scratch_size(const struct catoproxy_rule *rules, u32 n)
{
	struct port_block sp[PORT_BLOCKS_MAX], dp[PORT_BLOCKS_MAX];
	unsigned int nsp, ndp;
	size_t keys = 0;
	u32 i;

	for (i = 0; i < n; i++)
		keys += rule_keys(&rules[i], sp, &nsp, dp, &ndp);
	return sizeof(struct build_scratch) +
	       keys * sizeof(struct build_table) +
	       (size_t)pow2_at_least((u32)(2 * keys + 2)) * sizeof(u32);
}

/* The families @r covers. */
static unsigned int rule_families(const struct catoproxy_rule *r, u16 *fam)
{
	if (r->family != AF_UNSPEC) {
		fam[0] = r->family;
		return 1;
	}
	fam[0] = AF_INET;
	fam[1] = AF_INET6;
	return 2;
}

/*
 * Visit every key of rule @idx: @fn gets its shape and masked key. Returns
 * false when the rule is compared one by one.
 */
static bool rule_for_each_key(const struct catoproxy_rule *r, u32 idx,
			      void (*fn)(void *arg, u32 idx,
					 const struct shape *s, const u32 *key),
			      void *arg)
{
	struct port_block sp[PORT_BLOCKS_MAX], dp[PORT_BLOCKS_MAX];
	unsigned int nsp, ndp, f, nf, i, j, w;
	u32 key[KEY_WORDS], mask[KEY_WORDS];
	u16 fam[2];

	if (!rule_keys(r, sp, &nsp, dp, &ndp))
		return false;
	nf = rule_families(r, fam);
	for (f = 0; f < nf; f++) {
		for (i = 0; i < nsp; i++) {
			for (j = 0; j < ndp; j++) {
				struct shape s = {
					.family = fam[f],
					.src_plen = r->src.plen,
					.dst_plen = r->dst.plen,
					.sport_plen = sp[i].plen,
					.dport_plen = dp[j].plen,
				};

				for (w = 0; w < 4; w++) {
					key[w] = load32(r->src.addr + 4 * w);
					key[4 + w] = load32(r->dst.addr + 4 * w);
				}
				key[8] = (u32)sp[i].base << 16 | dp[j].base;
				shape_mask(&s, mask);
				for (w = 0; w < KEY_WORDS; w++)
					key[w] &= mask[w];
				fn(arg, idx, &s, key);
			}
		}
	}
	return true;
}

static struct build_table *scratch_find(struct build_scratch *bs,
					const struct shape *s, bool add,
					u32 idx)
{
	u32 code = shape_code(s), *map = scratch_map(bs);
	struct build_table *t = scratch_tables(bs);
	u32 i;

	for (i = hash_words(&code, 1) & bs->map_mask;;
	     i = (i + 1) & bs->map_mask) {
		if (!map[i]) {
			if (!add)
				return NULL;
			/* Tables appear in the order of their first rule. */
			t = &t[bs->ntables];
			t->shape = *s;
			t->min_idx = idx;
			t->nkeys = 0;
			map[i] = ++bs->ntables;
			return t;
		}
		if (shape_code(&t[map[i] - 1].shape) == code)
			return &t[map[i] - 1];
	}
}

static void count_key(void *arg, u32 idx, const struct shape *s,
		      const u32 *key)
{
	(void)key;
	scratch_find(arg, s, true, idx)->nkeys++;
}

size_t catoproxy_rules_size(const struct catoproxy_rule *rules, u32 n,
			    void *scratch)
{
	struct port_block sp[PORT_BLOCKS_MAX], dp[PORT_BLOCKS_MAX];
	struct build_scratch *bs = scratch;
	unsigned int nsp, ndp;
	size_t keys = 0, slots = 0;
	u32 i, npayload = 0;

	for (i = 0; i < n; i++)
		keys += rule_keys(&rules[i], sp, &nsp, dp, &ndp);
	bs->ntables = 0;
	bs->nslow = 0;
	bs->max_tables = (u32)keys;
	bs->map_mask = pow2_at_least((u32)(2 * keys + 2)) - 1;
	memset(scratch_map(bs), 0, ((size_t)bs->map_mask + 1) * sizeof(u32));

	for (i = 0; i < n; i++)
		if (!rule_for_each_key(&rules[i], i, count_key, bs))
			bs->nslow++;
	for (i = 0; i < bs->ntables; i++)
		slots += pow2_at_least(2 * scratch_tables(bs)[i].nkeys);
	for (i = 0; i < n; i++)
		npayload += catoproxy_rule_is_payload(&rules[i]);
	return sizeof(struct catoproxy_ruleset) +
	       off_names(n, bs->ntables, bs->nslow, (u32)slots) +
	       names_size(n, npayload);
}

struct build_ctx {
	struct build_scratch *bs;
	struct catoproxy_ruleset *set;
	const struct catoproxy_rule *rules;
	struct rules_table *tables;
	struct rules_slot *slots;
};

static void insert_key(void *arg, u32 idx, const struct shape *s,
		       const u32 *key)
{
	struct build_ctx *c = arg;
	struct build_table *bt = scratch_find(c->bs, s, false, idx);
	struct rules_table *t = &c->tables[bt - scratch_tables(c->bs)];
	bool plain = !catoproxy_rule_is_payload(&c->rules[idx]);
	struct rules_slot *slot;
	u32 i;

	if (plain && idx < t->min_plain)
		t->min_plain = idx;
	for (i = hash_words(key, KEY_WORDS) & t->slot_mask;;
	     i = (i + 1) & t->slot_mask) {
		slot = &c->slots[t->slots + i];
		if (!slot->idx1)
			break;
		/* Rules come in order: the one already there comes first. */
		if (key_equal(slot->key, key)) {
			if (plain && !slot->plain1)
				slot->plain1 = idx + 1;
			return;
		}
	}
	slot->idx1 = idx + 1;
	slot->plain1 = plain ? idx + 1 : 0;
	memcpy(slot->key, key, sizeof(slot->key));
}

/* ------------------------------------------------------------ names */

/*
 * A name key: FNV-1a over the name's bytes, lower-cased, from its last
 * byte back, seeded by the match and by whether it is the S of a
 * wildcard "*.S". Backwards, so that one pass over a name seen gives the
 * keys of all its suffixes.
 */
#define NAME_SEED(match, wild) (0x811c9dc5u ^ ((u32)(match) << 1 | (wild)))

static u32 name_step(u32 h, char c)
{
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	return (h ^ (u8)c) * 0x01000193u;
}

static u32 pattern_key(const struct catoproxy_rule *r)
{
	bool wild = r->name[0] == '*' && r->name[1] == '.';
	const char *s = wild ? r->name + 2 : r->name;
	u32 h = NAME_SEED(r->match, wild);
	size_t i = strlen(s);

	while (i)
		h = name_step(h, s[--i]);
	return h;
}

/*
 * Each payload rule in the bucket of its pattern's key, the rules of a
 * bucket in ascending order (linked from the last one back).
 */
static void build_names(struct catoproxy_ruleset *set,
			const struct catoproxy_rule *rules)
{
	u32 *head, *next, i, n = set->nrules, npayload = 0;

	for (i = 0; i < n; i++)
		npayload += catoproxy_rule_is_payload(&rules[i]);
	set->npayload = npayload;
	set->name_mask = npayload ? pow2_at_least(2 * npayload) - 1 : 0;
	if (!npayload)
		return;
	head = (u32 *)((u8 *)set->data + off_names(n, set->ntables, set->nslow,
						   set->nslots));
	next = head + set->name_mask + 1;
	memset(head, 0, ((size_t)set->name_mask + 1) * sizeof(u32));
	for (i = n; i--;) {
		u32 b;

		next[i] = 0;
		if (!catoproxy_rule_is_payload(&rules[i]))
			continue;
		b = pattern_key(&rules[i]) & set->name_mask;
		next[i] = head[b];
		head[b] = i + 1;
	}
}

void catoproxy_rules_build(struct catoproxy_ruleset *set,
			   const struct catoproxy_rule *rules, u32 n,
			   void *scratch)
{
	struct build_scratch *bs = scratch;
	struct build_ctx c = { .bs = bs, .set = set, .rules = rules };
	u32 *slow, i, nslots = 0, k = 0;

	set->nrules = n;
	set->ntables = bs->ntables;
	set->nslow = bs->nslow;
	set->blocks = 0;
	set->active = 0;
	if (n)
		memcpy(set_rules(set), rules, n * sizeof(*rules));
	for (i = 0; i < n; i++) {
		if (rules[i].action == CATOPROXY_ACTION_BLOCK)
			set->blocks = 1;
		if (rules[i].action == CATOPROXY_ACTION_BLOCK ||
		    catoproxy_rule_is_payload(&rules[i]) ||
		    (rules[i].flags & CATOPROXY_RULE_F_PATH))
			set->active = 1;
	}

	c.tables = (struct rules_table *)((u8 *)set->data + off_tables(n));
	for (i = 0; i < bs->ntables; i++) {
		const struct build_table *bt = &scratch_tables(bs)[i];
		struct rules_table *t = &c.tables[i];
		u32 size = pow2_at_least(2 * bt->nkeys);

		t->min_idx = bt->min_idx;
		t->min_plain = CATOPROXY_RULE_NONE;
		t->slot_mask = size - 1;
		t->slots = nslots;
		t->family = bt->shape.family;
		shape_mask(&bt->shape, t->mask);
		nslots += size;
	}
	set->nslots = nslots;
	c.slots = (struct rules_slot *)((u8 *)set->data +
					off_slots(n, bs->ntables, bs->nslow));
	memset(c.slots, 0, (size_t)nslots * sizeof(*c.slots));

	slow = (u32 *)((u8 *)set->data + off_slow(n, bs->ntables));
	for (i = 0; i < n; i++)
		if (!rule_for_each_key(&rules[i], i, insert_key, &c))
			slow[k++] = i;
	build_names(set, rules);
}

/* ------------------------------------------------------------ lookup */

/* The slot of @tb holding @key under the table's mask, or NULL. */
static const struct rules_slot *table_find(const struct catoproxy_ruleset *set,
					   const struct rules_table *tb,
					   const u32 *key)
{
	const struct rules_slot *slots = set_slots(set);
	u32 masked[KEY_WORDS], i, w;

	for (w = 0; w < KEY_WORDS; w++)
		masked[w] = key[w] & tb->mask[w];
	for (i = hash_words(masked, KEY_WORDS) & tb->slot_mask;;
	     i = (i + 1) & tb->slot_mask) {
		const struct rules_slot *s = &slots[tb->slots + i];

		if (!s->idx1)
			return NULL;
		if (key_equal(s->key, masked))
			return s;
	}
}

u32 catoproxy_rules_lookup(const struct catoproxy_ruleset *set,
			   const struct catoproxy_flow *flow)
{
	const struct rules_table *tables = set_tables(set);
	const u32 *slow = set_slow(set);
	u32 best = CATOPROXY_RULE_NONE, t, i;
	u32 key[KEY_WORDS];

	if (!set->nrules)
		return best;
	flow_key(flow, key);
	for (t = 0; t < set->ntables; t++) {
		const struct rules_table *tb = &tables[t];
		const struct rules_slot *s;

		/* Tables come in the order of their first rule. */
		if (tb->min_idx >= best)
			break;
		if (tb->family != flow->family)
			continue;
		s = table_find(set, tb, key);
		if (s && s->idx1 - 1 < best)
			best = s->idx1 - 1;
	}
	for (i = 0; i < set->nslow && slow[i] < best; i++) {
		if (catoproxy_rule_match(&set_rules_c(set)[slow[i]], flow)) {
			best = slow[i];
			break;
		}
	}
	return best;
}

/* Does @r match @names, the names a connection's first payload carried? */
static bool payload_match(const struct catoproxy_rule *r,
			  const struct catoproxy_payload_names *names)
{
	const char *name;

	name = r->match == CATOPROXY_RULE_MATCH_SNI ? names->sni : names->host;
	return name && catoproxy_payload_name_match(r->name, name);
}

/*
 * The first plain rule that matches @flow, wherever it is: the tables keep
 * the first plain rule of each key besides the first rule.
 */
static u32 lookup_plain(const struct catoproxy_ruleset *set,
			const struct catoproxy_flow *flow)
{
	const struct rules_table *tables = set_tables(set);
	const u32 *slow = set_slow(set);
	u32 best = CATOPROXY_RULE_NONE, t, i;
	u32 key[KEY_WORDS];

	flow_key(flow, key);
	for (t = 0; t < set->ntables; t++) {
		const struct rules_table *tb = &tables[t];
		const struct rules_slot *s;

		if (tb->min_plain >= best || tb->family != flow->family)
			continue;
		s = table_find(set, tb, key);
		if (s && s->plain1 && s->plain1 - 1 < best)
			best = s->plain1 - 1;
	}
	for (i = 0; i < set->nslow && slow[i] < best; i++) {
		const struct catoproxy_rule *r = &set_rules_c(set)[slow[i]];

		if (!catoproxy_rule_is_payload(r) &&
		    catoproxy_rule_match(r, flow)) {
			best = slow[i];
			break;
		}
	}
	return best;
}

/*
 * The first payload rule of bucket @key at or after @from and before
 * @best that matches @flow and @names; else @best.
 */
static u32 bucket_first(const struct catoproxy_ruleset *set, u32 key,
			const struct catoproxy_flow *flow, u32 from, u32 best,
			const struct catoproxy_payload_names *names)
{
	const struct catoproxy_rule *rules = set_rules_c(set);
	const u32 *head = set_names(set), *next = head + set->name_mask + 1;
	u32 i1;

	for (i1 = head[key & set->name_mask]; i1 && i1 - 1 < best;
	     i1 = next[i1 - 1]) {
		const struct catoproxy_rule *r = &rules[i1 - 1];

		if (i1 - 1 >= from && payload_match(r, names) &&
		    catoproxy_rule_match(r, flow))
			return i1 - 1;
	}
	return best;
}

/*
 * The payload rules whose pattern could match @name: the exact name's
 * bucket and, for each dot, the bucket of a wildcard over what follows.
 */
static u32 names_first(const struct catoproxy_ruleset *set, u8 match,
		       const char *name, const struct catoproxy_flow *flow,
		       u32 from, u32 best,
		       const struct catoproxy_payload_names *names)
{
	u32 exact = NAME_SEED(match, 0), wild = NAME_SEED(match, 1);
	size_t i = strlen(name);

	while (i) {
		i--;
		exact = name_step(exact, name[i]);
		wild = name_step(wild, name[i]);
		if (i && name[i - 1] == '.')
			best = bucket_first(set, wild, flow, from, best, names);
	}
	return bucket_first(set, exact, flow, from, best, names);
}

/*
 * The first plain rule matching @flow from the tables, and the payload
 * rules whose name could match from the name index: its cost follows the
 * number of tables and the dots of the names, not the number of rules.
 */
u32 catoproxy_rules_lookup_payload(const struct catoproxy_ruleset *set,
				   const struct catoproxy_flow *flow, u32 from,
				   const struct catoproxy_payload_names *names)
{
	const struct catoproxy_rule *rules = set_rules_c(set);
	u32 best, i;

	if (from >= set->nrules)
		return CATOPROXY_RULE_NONE;
	best = lookup_plain(set, flow);
	if (best < from) {
		/*
		 * Not from a lookup's answer (no plain rule before it
		 * matches): walk the plain rules from @from.
		 */
		for (best = CATOPROXY_RULE_NONE, i = from; i < set->nrules; i++) {
			if (!catoproxy_rule_is_payload(&rules[i]) &&
			    catoproxy_rule_match(&rules[i], flow)) {
				best = i;
				break;
			}
		}
	}
	if (!set->npayload)
		return best;
	if (names->sni)
		best = names_first(set, CATOPROXY_RULE_MATCH_SNI, names->sni,
				   flow, from, best, names);
	if (names->host)
		best = names_first(set, CATOPROXY_RULE_MATCH_HOST, names->host,
				   flow, from, best, names);
	return best;
}
