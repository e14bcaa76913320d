// SPDX-License-Identifier: GPL-2.0
/*
 * Rule validation and building the first-match classifier (see rules.h;
 * the set's layout is in ruleset.h, its lookup in lookup.c). No
 * allocation and no locking: callers own the memory and publish a finished
 * set as a whole.
 */

#include "ruleset.h"

/*
 * A rule whose two port ranges cut into more blocks than this (a range cuts
 * into at most 30) is compared one by one rather than spread over tables.
 */
#define EXPAND_MAX 16
#define PORT_BLOCKS_MAX 30

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

static size_t names_size(u32 nrules, u32 npayload)
{
	return npayload ? ((size_t)pow2_at_least(2 * npayload) + nrules) *
				  sizeof(u32) :
			  0;
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
