// SPDX-License-Identifier: GPL-2.0
/*
 * The first-match classifier's lookups over a set rules.c built (layout in
 * ruleset.h): by address and port, then by the names a connection's first
 * payload carried. Read-only on the set; no allocation, no locking.
 */

#include "ruleset.h"

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
