/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule base: an ordered list of rules matched against a connection's
 * first packet, first match wins. Plain C (see pure.h), shared by the
 * module, catoproxyctl and the host unit tests.
 *
 * A list is compiled into a struct catoproxy_ruleset, one block of memory
 * the caller allocates, which is immutable once built and is replaced as a
 * whole. Lookup does not scan the rules: rules are grouped by the shape of
 * what they match (address family, prefix lengths, and port ranges cut into
 * aligned power-of-two blocks), and each shape is an exact-match hash table
 * of masked keys holding the first rule with that key. A lookup probes one
 * table per shape, in the order of the first rule each holds, and stops as
 * soon as no later table can hold an earlier rule than the one found. Its
 * cost follows the number of shapes, which real rule bases keep small,
 * rather than the number of rules. Rules whose port ranges would cut into
 * too many blocks are kept aside and compared one by one.
 *
 * Building a set takes three steps, so that no allocation happens here:
 * catoproxy_rules_scratch_size() says how much scratch memory the build
 * needs, catoproxy_rules_size() (with that scratch) how big the set is, and
 * catoproxy_rules_build() fills it.
 */
#ifndef _CATOPROXY_RULES_H
#define _CATOPROXY_RULES_H

#include "policy.h"
#include "payload.h"

/* What a rule matches; an absent prefix is one of length 0. */
struct catoproxy_rule {
	u32 id; /* assigned by the kernel, never reused in a namespace */
	/* AF_INET or AF_INET6 when a prefix is given, else AF_UNSPEC: both */
	u16 family;
	u8 action; /* enum catoproxy_action */
	u8 flags; /* CATOPROXY_RULE_F_* */
	struct catoproxy_prefix src, dst;
	u16 sport_min, sport_max; /* 0-65535: any */
	u16 dport_min, dport_max;
	/*
	 * A payload rule (@match not NONE) is decided on the connection's
	 * first payload: its address/port part matches as above, then
	 * @name must match the TLS server name or the HTTP host seen.
	 */
	u8 match; /* CATOPROXY_RULE_MATCH_* */
	u32 path; /* with F_PATH: the server half's firewall mark */
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1]; /* pattern, with @match */
};

#define CATOPROXY_RULE_F_SRC 0x01 /* @src was given */
#define CATOPROXY_RULE_F_DST 0x02 /* @dst was given */
#define CATOPROXY_RULE_F_PATH 0x04 /* @path was given */

#define CATOPROXY_RULE_MATCH_NONE 0 /* a plain rule */
#define CATOPROXY_RULE_MATCH_SNI 1 /* @name: the TLS server name */
#define CATOPROXY_RULE_MATCH_HOST 2 /* @name: the HTTP Host header */

/* What a connection's first payload said; NULL: not seen. */
struct catoproxy_payload_names {
	const char *sni;
	const char *host;
};

static inline bool catoproxy_rule_is_payload(const struct catoproxy_rule *r)
{
	return r->match != CATOPROXY_RULE_MATCH_NONE;
}

/* No rule matched. */
#define CATOPROXY_RULE_NONE 0xffffffffu

/* "allow", "block", "bypass"; NULL when out of range. */
const char *catoproxy_rule_action_name(unsigned int action);
/* The action called @name, or -EINVAL. */
int catoproxy_rule_action_parse(const char *name);

/*
 * Checks @r (its id aside) and sets its family from its prefixes. False,
 * with @why set, when it is not a rule the kernel accepts.
 */
bool catoproxy_rule_normalize(struct catoproxy_rule *r, const char **why);

/* Does @r match @flow? What the compiled lookup must agree with. */
bool catoproxy_rule_match(const struct catoproxy_rule *r,
			  const struct catoproxy_flow *flow);

struct catoproxy_ruleset;

/* Scratch bytes catoproxy_rules_size() and _build() need for @rules. */
size_t catoproxy_rules_scratch_size(const struct catoproxy_rule *rules, u32 n);
/*
 * Bytes of the set compiled from @rules[0..@n), which must all have passed
 * catoproxy_rule_normalize(). Leaves in @scratch what _build() reads.
 */
size_t catoproxy_rules_size(const struct catoproxy_rule *rules, u32 n,
			    void *scratch);
/*
 * Compile @rules[0..@n) into @set, of the size catoproxy_rules_size()
 * returned for them with the same @scratch.
 */
void catoproxy_rules_build(struct catoproxy_ruleset *set,
			   const struct catoproxy_rule *rules, u32 n,
			   void *scratch);

u32 catoproxy_rules_count(const struct catoproxy_ruleset *set);
/* Rules in order; catoproxy_rules_count() of them. */
const struct catoproxy_rule *
catoproxy_rules_list(const struct catoproxy_ruleset *set);
/* Number of exact-match tables (shapes) and of rules compared one by one. */
u32 catoproxy_rules_tables(const struct catoproxy_ruleset *set);
u32 catoproxy_rules_slow(const struct catoproxy_ruleset *set);
/* Does any rule say block? */
bool catoproxy_rules_blocks(const struct catoproxy_ruleset *set);
/*
 * Does any rule need the module whatever the mode: it blocks, is decided
 * on the payload (the module answers the handshake) or has a path?
 */
bool catoproxy_rules_active(const struct catoproxy_ruleset *set);

/*
 * Index (position - 1) of the first rule matching @flow, or RULE_NONE. A
 * payload rule matches by its address/port part alone: when the index
 * returned is a payload rule's, the connection is decided on its payload
 * by catoproxy_rules_lookup_payload().
 */
u32 catoproxy_rules_lookup(const struct catoproxy_ruleset *set,
			   const struct catoproxy_flow *flow);
/*
 * The first rule from index @from (what catoproxy_rules_lookup() returned)
 * on that matches @flow and is plain or matches @names. RULE_NONE: none.
 */
u32 catoproxy_rules_lookup_payload(const struct catoproxy_ruleset *set,
				   const struct catoproxy_flow *flow, u32 from,
				   const struct catoproxy_payload_names *names);

/*
 * The rule list's lint (catoproxyctl rule check), for @rules[0..@n)
 * (normalised). A rule is reported once, for the first of:
 *
 * SHADOWED: one earlier rule decides every connection it could match,
 * so it never decides any: a plain rule whose addresses and ports cover
 * its addresses and ports (catoproxy_rule_covers()), or a payload rule
 * of the same kind (sni, host) that covers them and whose pattern covers
 * its pattern (equal, or "*.S" over any name or pattern below S). Sets of
 * earlier rules that only cover it together are not looked for.
 *
 * BELOW_PAYLOAD: a plain rule that says bypass or has a path, below a
 * payload rule whose addresses and ports overlap its own
 * (catoproxy_rule_overlaps()): the connections of the overlap that the
 * payload rule's name does not match come to it only after the module
 * answered their handshake (field note 001's ordering).
 *
 * PAYLOAD_BYPASS: a payload rule that says bypass. The module answered
 * the handshake of every connection it decides (to read its first data),
 * so it cannot leave them alone: they run as allowed ones, spliced, on
 * the rule's path (counted in payload_bypassed).
 *
 * @by is the earlier rule: the first shadowing one, or the first
 * overlapping payload rule; for PAYLOAD_BYPASS, the rule itself. Writes up
 * to @max findings into @out, in list order, and returns how many there
 * are. Cost: O(n^2) rule comparisons.
 */
enum {
	CATOPROXY_RULE_CHECK_SHADOWED,
	CATOPROXY_RULE_CHECK_BELOW_PAYLOAD,
	CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS,
};

struct catoproxy_rule_finding {
	u32 kind; /* CATOPROXY_RULE_CHECK_* */
	u32 idx; /* the rule reported, an index into the list */
	u32 by; /* the earlier rule that causes it */
};

u32 catoproxy_rules_check(const struct catoproxy_rule *rules, u32 n,
			  struct catoproxy_rule_finding *out, u32 max);
/* "shadowed", "below-payload", "payload-bypass"; NULL: unknown. */
const char *catoproxy_rules_check_name(unsigned int kind);
/*
 * Why a rule is reported, a sentence about "this rule" and "the earlier
 * rule" (or "the payload rule"); NULL: unknown.
 */
const char *catoproxy_rules_check_reason(unsigned int kind);

/* Does every connection @b's addresses and ports match match @a's? */
bool catoproxy_rule_covers(const struct catoproxy_rule *a,
			   const struct catoproxy_rule *b);
/* Could a connection match the addresses and ports of both? */
bool catoproxy_rule_overlaps(const struct catoproxy_rule *a,
			     const struct catoproxy_rule *b);

#endif /* _CATOPROXY_RULES_H */
