/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_RULEBASE_H
#define _CATOPROXY_RULEBASE_H

#include <linux/atomic.h>

#include "rules.h"

struct catoproxy_net;
struct net;

/*
 * A namespace's rules: the compiled set (rules.h) and a hit counter per
 * rule. Immutable once published, except for the counters. The counters
 * are shared atomics, not per-CPU ones: a rule is hit once per connection,
 * not per packet, and a per-CPU block cannot hold 65536 of them.
 */
struct catoproxy_rulebase {
	struct catoproxy_ruleset *set;
	atomic64_t *hits; /* indexed like the set's rules */
};

/*
 * Compile @rules[0..@n) (normalised, ids assigned) into a new rule base.
 * Hit counts of rules that @carry holds too (by id) are carried over.
 * ERR_PTR(-ENOMEM) when it does not fit in memory.
 */
struct catoproxy_rulebase *
catoproxy_rulebase_build(const struct catoproxy_rule *rules, u32 n,
			 const struct catoproxy_rulebase *carry);
void catoproxy_rulebase_free(struct catoproxy_rulebase *rb);

/*
 * The rule that decides @flow in @net: sets @d's rule_id (0: none), action
 * (ALLOW when no rule matched) and path (the rule's mark, 0: none).
 * @count: the flow is a connection being decided, which counts as a hit.
 * Under RCU.
 *
 * When the first rule matching is a payload rule, nothing is decided yet:
 * @d->inspect is set, rule_id is that payload rule's, action ALLOW, path
 * 0, and no hit is counted (the rule that decides counts it, in
 * _decide_payload()).
 */
void catoproxy_rulebase_decide(struct net *net,
			       const struct catoproxy_flow *flow,
			       struct catoproxy_decision *d, bool count);
/*
 * The same once the connection's first payload said @names (after a
 * decision that set @d->inspect), with the rule base current now: the
 * first rule from the first one matching @flow on that is plain or whose
 * name matches @names (rule_id 0, action ALLOW when none). Sets rule_id,
 * action and path; @d->inspect ends false. Counts a hit of the rule that
 * decided. Under RCU.
 */
void catoproxy_rulebase_decide_payload(struct net *net,
				       const struct catoproxy_flow *flow,
				       const struct catoproxy_payload_names *names,
				       struct catoproxy_decision *d);
/* Does a rule of @net say block? Under RCU; one load when there is none. */
bool catoproxy_rulebase_blocks(struct net *net);

/*
 * Writers: each builds the new list aside and publishes it whole under the
 * namespace's lock (catoproxy_net.lock), which it takes and releases; the
 * rule base replaced is freed once no reader can see it. On failure nothing
 * changed and @why may say why (a static string, else left alone).
 *
 * add: @rule (normalised) becomes the one at position @pos (1 is the first;
 * 0: after the last one) with a new id, returned in @id. -ENOSPC: the list
 * is full or ids are exhausted; -ERANGE: @pos is past the end.
 *
 * del: the rule with id @id goes. -ENOENT: there is none.
 *
 * replace: @rules[0..@n) (normalised) become the whole list, with new ids
 * in order, written into @rules; 0 rules: none. -ENOSPC: ids are exhausted.
 */
int catoproxy_rulebase_add(struct catoproxy_net *cn,
			   const struct catoproxy_rule *rule, u32 pos, u32 *id,
			   const char **why);
int catoproxy_rulebase_del(struct catoproxy_net *cn, u32 id, const char **why);
int catoproxy_rulebase_replace(struct catoproxy_net *cn,
			       struct catoproxy_rule *rules, u32 n,
			       const char **why);

/*
 * A whole new list in two steps, for catoproxy_net_replace(), which
 * publishes it together with a new policy; both under the namespace's lock.
 *
 * stage: @rules[0..@n) (normalised) get the ids they would have and are
 * compiled into *@rb (NULL for no rule), unless they equal the current
 * list, ids aside: then *@same is set and the current base, its ids and
 * hits, is to stay. On error nothing changed and @why says why.
 *
 * commit: publishes *@rb from a stage of @n rules, which did not find them
 * the same, and returns the base it replaces, to be freed once no reader
 * can see it.
 */
int catoproxy_rulebase_stage(struct catoproxy_net *cn,
			     struct catoproxy_rule *rules, u32 n,
			     struct catoproxy_rulebase **rb, bool *same,
			     const char **why);
struct catoproxy_rulebase *
catoproxy_rulebase_commit(struct catoproxy_net *cn,
			  struct catoproxy_rulebase *rb, u32 n);

#endif /* _CATOPROXY_RULEBASE_H */
