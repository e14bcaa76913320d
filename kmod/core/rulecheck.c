// SPDX-License-Identifier: GPL-2.0
/*
 * The rule list's lint (catoproxyctl rule check): rules an earlier rule
 * shadows, plain bypass or path rules below a payload rule that overlaps
 * them (field note 001's ordering), and payload rules that say bypass.
 * Plain C (see pure.h), for the
 * tool and the host tests; the module never needs it.
 */
#include "rules.h"

/* Does prefix @a (given or not) hold every address of @b (given or not)? */
static bool prefix_covers(bool has_a, const struct catoproxy_prefix *a,
			  bool has_b, const struct catoproxy_prefix *b)
{
	if (!has_a)
		return true;
	return has_b && a->family == b->family && a->plen <= b->plen &&
	       catoproxy_policy_prefix_match(a, b->family, b->addr);
}

/* Do prefixes @a and @b (given or not, of one family) share an address? */
static bool prefix_overlaps(bool has_a, const struct catoproxy_prefix *a,
			    bool has_b, const struct catoproxy_prefix *b)
{
	if (!has_a || !has_b)
		return true;
	return a->plen <= b->plen ?
		       catoproxy_policy_prefix_match(a, b->family, b->addr) :
		       catoproxy_policy_prefix_match(b, a->family, a->addr);
}

bool catoproxy_rule_covers(const struct catoproxy_rule *a,
			   const struct catoproxy_rule *b)
{
	if (a->family != AF_UNSPEC && a->family != b->family)
		return false;
	return prefix_covers(a->flags & CATOPROXY_RULE_F_SRC, &a->src,
			     b->flags & CATOPROXY_RULE_F_SRC, &b->src) &&
	       prefix_covers(a->flags & CATOPROXY_RULE_F_DST, &a->dst,
			     b->flags & CATOPROXY_RULE_F_DST, &b->dst) &&
	       a->sport_min <= b->sport_min && b->sport_max <= a->sport_max &&
	       a->dport_min <= b->dport_min && b->dport_max <= a->dport_max;
}

bool catoproxy_rule_overlaps(const struct catoproxy_rule *a,
			     const struct catoproxy_rule *b)
{
	if (a->family != AF_UNSPEC && b->family != AF_UNSPEC &&
	    a->family != b->family)
		return false;
	return prefix_overlaps(a->flags & CATOPROXY_RULE_F_SRC, &a->src,
			       b->flags & CATOPROXY_RULE_F_SRC, &b->src) &&
	       prefix_overlaps(a->flags & CATOPROXY_RULE_F_DST, &a->dst,
			       b->flags & CATOPROXY_RULE_F_DST, &b->dst) &&
	       a->sport_min <= b->sport_max && b->sport_min <= a->sport_max &&
	       a->dport_min <= b->dport_max && b->dport_min <= a->dport_max;
}

/* Does pattern @a match every name pattern @b does (both valid, lower)? */
static bool pattern_covers(const char *a, const char *b)
{
	size_t la, lb;

	if (!strcmp(a, b))
		return true;
	if (a[0] != '*' || a[1] != '.')
		return false;
	/* "*.s" covers "x.s" and "*.x.s": @b ends in ".s" after a label. */
	la = strlen(a + 1);
	lb = strlen(b);
	return lb > la && !strcmp(a + 1, b + lb - la);
}

/* Does @a, earlier in the list, decide every connection @b could? */
static bool rule_shadows(const struct catoproxy_rule *a,
			 const struct catoproxy_rule *b)
{
	if (!catoproxy_rule_covers(a, b))
		return false;
	if (!catoproxy_rule_is_payload(a))
		return true;
	return a->match == b->match && pattern_covers(a->name, b->name);
}

/* Is @b a plain rule whose decision must come before the handshake? */
static bool rule_needs_syn(const struct catoproxy_rule *b)
{
	return !catoproxy_rule_is_payload(b) &&
	       (b->action == CATOPROXY_ACTION_BYPASS ||
		(b->flags & CATOPROXY_RULE_F_PATH));
}

u32 catoproxy_rules_check(const struct catoproxy_rule *rules, u32 n,
			  struct catoproxy_rule_finding *out, u32 max)
{
	u32 found = 0, i, j;

	for (j = 0; j < n; j++) {
		const struct catoproxy_rule *b = &rules[j];
		u32 payload = CATOPROXY_RULE_NONE;
		struct catoproxy_rule_finding f;

		for (i = 0; i < j; i++) {
			if (rule_shadows(&rules[i], b))
				break;
			if (payload == CATOPROXY_RULE_NONE &&
			    catoproxy_rule_is_payload(&rules[i]) &&
			    catoproxy_rule_overlaps(&rules[i], b))
				payload = i;
		}
		if (i < j) {
			f.kind = CATOPROXY_RULE_CHECK_SHADOWED;
			f.idx = j;
			f.by = i;
		} else if (payload != CATOPROXY_RULE_NONE && rule_needs_syn(b)) {
			f.kind = CATOPROXY_RULE_CHECK_BELOW_PAYLOAD;
			f.idx = j;
			f.by = payload;
		} else if (catoproxy_rule_is_payload(b) &&
			   b->action == CATOPROXY_ACTION_BYPASS) {
			f.kind = CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS;
			f.idx = j;
			f.by = j;
		} else {
			continue;
		}
		if (found < max)
			out[found] = f;
		found++;
	}
	return found;
}

const char *catoproxy_rules_check_name(unsigned int kind)
{
	switch (kind) {
	case CATOPROXY_RULE_CHECK_SHADOWED:
		return "shadowed";
	case CATOPROXY_RULE_CHECK_BELOW_PAYLOAD:
		return "below-payload";
	case CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS:
		return "payload-bypass";
	}
	return NULL;
}

const char *catoproxy_rules_check_reason(unsigned int kind)
{
	switch (kind) {
	case CATOPROXY_RULE_CHECK_SHADOWED:
		return "the earlier rule decides every connection this rule could match, so this rule never applies";
	case CATOPROXY_RULE_CHECK_BELOW_PAYLOAD:
		return "their addresses and ports overlap: a connection the payload rule holds for its first payload and does not match reaches this rule only after the module answered its handshake, so this rule neither keeps the module away from it (bypass) nor picks its link before the handshake (path); put this rule above the payload rule, or narrow one of them";
	case CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS:
		return "a payload rule's connections had their handshake answered by the module before their first data could be read, so bypass cannot leave them alone: those it decides run as allowed ones, spliced, on its path, counted in payload_bypassed; say allow (with the path) instead, or keep connections away from the module with a plain bypass rule above every payload rule";
	}
	return NULL;
}
