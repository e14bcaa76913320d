// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace's rule base: compiled by rules.c into memory allocated
 * here, published under RCU and replaced as a whole, so that every
 * connection is decided by one complete list.
 */

#include <linux/bsearch.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "netns.h"
#include "rulebase.h"

void catoproxy_rulebase_free(struct catoproxy_rulebase *rb)
{
	if (!rb)
		return;
	kvfree(rb->hits);
	kvfree(rb->set);
	kfree(rb);
}

/* (id, index) pairs of the old base, sorted by id, to carry hits over. */
struct id_idx {
	u32 id;
	u32 idx;
};

static int id_cmp(const void *a, const void *b)
{
	const struct id_idx *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void carry_hits(struct catoproxy_rulebase *rb,
		       const struct catoproxy_rulebase *old)
{
	const struct catoproxy_rule *was = catoproxy_rules_list(old->set);
	const struct catoproxy_rule *now = catoproxy_rules_list(rb->set);
	u32 nold = catoproxy_rules_count(old->set), i;
	u32 n = catoproxy_rules_count(rb->set);
	struct id_idx *map, key;

	map = kvmalloc_array(nold, sizeof(*map), GFP_KERNEL);
	/* Counters are statistics: without memory they start from zero. */
	if (!map)
		return;
	for (i = 0; i < nold; i++) {
		map[i].id = was[i].id;
		map[i].idx = i;
	}
	sort(map, nold, sizeof(*map), id_cmp, NULL);
	for (i = 0; i < n; i++) {
		const struct id_idx *hit;

		key.id = now[i].id;
		hit = bsearch(&key, map, nold, sizeof(*map), id_cmp);
		/*
		 * The old base may still be counting: a connection decided
		 * during the change can be missed here.
		 */
		if (hit)
			atomic64_set(&rb->hits[i],
				     atomic64_read(&old->hits[hit->idx]));
	}
	kvfree(map);
}

struct catoproxy_rulebase *
catoproxy_rulebase_build(const struct catoproxy_rule *rules, u32 n,
			 const struct catoproxy_rulebase *carry)
{
	struct catoproxy_rulebase *rb;
	void *scratch;
	size_t size;

	rb = kzalloc(sizeof(*rb), GFP_KERNEL);
	if (!rb)
		return ERR_PTR(-ENOMEM);
	scratch = kvmalloc(catoproxy_rules_scratch_size(rules, n), GFP_KERNEL);
	if (!scratch)
		goto err_scratch;
	size = catoproxy_rules_size(rules, n, scratch);
	rb->set = kvmalloc(size, GFP_KERNEL);
	rb->hits = kvcalloc(max(n, 1U), sizeof(*rb->hits), GFP_KERNEL);
	if (!rb->set || !rb->hits)
		goto err_set;
	catoproxy_rules_build(rb->set, rules, n, scratch);
	kvfree(scratch);
	if (carry)
		carry_hits(rb, carry);
	return rb;

err_set:
	kvfree(scratch);
err_scratch:
	catoproxy_rulebase_free(rb);
	return ERR_PTR(-ENOMEM);
}

/*
 * The first rule deciding @flow in @net. @names: what its first payload
 * said, NULL on the SYN, where a payload rule decides nothing yet and only
 * sets @d->inspect (its hit is counted by the rule that decides, later).
 * Once the payload is read, the list may have changed since the SYN: the
 * current one decides, from its own first match, which need not be a
 * payload rule any more (then it is that rule).
 */
static void decide(struct net *net, const struct catoproxy_flow *flow,
		   const struct catoproxy_payload_names *names,
		   struct catoproxy_decision *d, bool count)
{
	const struct catoproxy_rulebase *rb;
	const struct catoproxy_rule *r;
	u32 idx;

	d->rule_id = 0;
	d->action = CATOPROXY_ACTION_ALLOW;
	d->inspect = false;
	d->path = 0;
	rb = rcu_dereference(catoproxy_net(net)->rules);
	if (!rb)
		return;
	idx = catoproxy_rules_lookup(rb->set, flow);
	if (idx != CATOPROXY_RULE_NONE && names)
		idx = catoproxy_rules_lookup_payload(rb->set, flow, idx, names);
	if (idx == CATOPROXY_RULE_NONE)
		return;
	r = &catoproxy_rules_list(rb->set)[idx];
	d->rule_id = r->id;
	if (!names && catoproxy_rule_is_payload(r)) {
		d->inspect = true;
		return;
	}
	d->action = r->action;
	d->path = r->path;
	if (count)
		atomic64_inc(&rb->hits[idx]);
}

void catoproxy_rulebase_decide(struct net *net,
			       const struct catoproxy_flow *flow,
			       struct catoproxy_decision *d, bool count)
{
	decide(net, flow, NULL, d, count);
}

void catoproxy_rulebase_decide_payload(struct net *net,
				       const struct catoproxy_flow *flow,
				       const struct catoproxy_payload_names *names,
				       struct catoproxy_decision *d)
{
	decide(net, flow, names, d, true);
}

bool catoproxy_rulebase_blocks(struct net *net)
{
	const struct catoproxy_rulebase *rb;

	rb = rcu_dereference(catoproxy_net(net)->rules);
	return rb && catoproxy_rules_blocks(rb->set);
}

/* The current rule base, NULL when there is no rule. */
static const struct catoproxy_rulebase *current_base(struct catoproxy_net *cn)
{
	return rcu_dereference_protected(cn->rules, lockdep_is_held(&cn->lock));
}

/*
 * Publish @rb (NULL: no rule); frees the one it replaces. When the
 * namespace cannot be hooked for it, frees @rb instead.
 */
static int publish(struct catoproxy_net *cn, struct catoproxy_rulebase *rb,
		   const char **why)
{
	struct catoproxy_rulebase *old;
	int ret;

	lockdep_assert_held(&cn->lock);
	ret = catoproxy_net_hooks_prepare(cn,
					  rcu_dereference_protected(cn->policy,
						lockdep_is_held(&cn->lock)),
					  rb, why);
	if (ret) {
		catoproxy_rulebase_free(rb);
		return ret;
	}
	old = rcu_replace_pointer(cn->rules, rb, lockdep_is_held(&cn->lock));
	cn->generation++;
	catoproxy_net_hooks_settle(cn);
	/*
	 * Under the lock, so that the next change carries hits over from
	 * this one; changes are rare, and a grace period is short.
	 */
	synchronize_rcu();
	catoproxy_rulebase_free(old);
	return 0;
}

/* The current rules and their number; none: NULL and 0. */
static const struct catoproxy_rule *
current_rules(struct catoproxy_net *cn, const struct catoproxy_rulebase **rb,
	      u32 *n)
{
	*rb = current_base(cn);
	*n = *rb ? catoproxy_rules_count((*rb)->set) : 0;
	return *rb ? catoproxy_rules_list((*rb)->set) : NULL;
}

/*
 * Publish @rules[0..@n), @nnew new ids among them; an empty list is no
 * rule base at all. Hit counts of the rules @carry holds too go along.
 */
static int publish_rules(struct catoproxy_net *cn,
			 const struct catoproxy_rule *rules, u32 n, u32 nnew,
			 const struct catoproxy_rulebase *carry,
			 const char **why)
{
	struct catoproxy_rulebase *rb = NULL;
	int ret;

	lockdep_assert_held(&cn->lock);
	if (n) {
		rb = catoproxy_rulebase_build(rules, n, carry);
		if (IS_ERR(rb)) {
			*why = "no memory for the rules";
			return PTR_ERR(rb);
		}
	}
	ret = publish(cn, rb, why);
	if (!ret)
		cn->next_rule_id += nnew;
	return ret;
}

/* No id may come back: the counter must not wrap. */
static bool ids_left(struct catoproxy_net *cn, u32 n, const char **why)
{
	if (cn->next_rule_id <= U32_MAX - n)
		return true;
	*why = "rule ids are exhausted in this namespace";
	return false;
}

int catoproxy_rulebase_add(struct catoproxy_net *cn,
			   const struct catoproxy_rule *rule, u32 pos, u32 *id,
			   const char **why)
{
	const struct catoproxy_rulebase *cur;
	const struct catoproxy_rule *old;
	struct catoproxy_rule *rules;
	u32 n, idx;
	int ret;

	mutex_lock(&cn->lock);
	old = current_rules(cn, &cur, &n);
	ret = -ENOSPC;
	if (n >= CATOPROXY_RULES_MAX) {
		*why = "too many rules";
		goto out;
	}
	if (!ids_left(cn, 1, why))
		goto out;
	ret = -ERANGE;
	if (pos > n + 1) {
		*why = "position is past the end of the list";
		goto out;
	}
	ret = -ENOMEM;
	rules = kvmalloc_array(n + 1, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		goto out;
	idx = pos ? pos - 1 : n;
	if (idx)
		memcpy(rules, old, idx * sizeof(*rules));
	rules[idx] = *rule;
	rules[idx].id = cn->next_rule_id;
	if (n > idx)
		memcpy(rules + idx + 1, old + idx, (n - idx) * sizeof(*rules));
	*id = rules[idx].id;
	ret = publish_rules(cn, rules, n + 1, 1, cur, why);
	kvfree(rules);
out:
	mutex_unlock(&cn->lock);
	return ret;
}

int catoproxy_rulebase_del(struct catoproxy_net *cn, u32 id, const char **why)
{
	const struct catoproxy_rulebase *cur;
	const struct catoproxy_rule *old;
	struct catoproxy_rule *rules;
	u32 n, i;
	int ret;

	mutex_lock(&cn->lock);
	old = current_rules(cn, &cur, &n);
	for (i = 0; i < n && old[i].id != id; i++)
		;
	ret = -ENOENT;
	if (i == n) {
		*why = "no rule with this id";
		goto out;
	}
	ret = -ENOMEM;
	rules = kvmalloc_array(n, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		goto out;
	memcpy(rules, old, i * sizeof(*rules));
	memcpy(rules + i, old + i + 1, (n - i - 1) * sizeof(*rules));
	ret = publish_rules(cn, rules, n - 1, 0, cur, why);
	kvfree(rules);
out:
	mutex_unlock(&cn->lock);
	return ret;
}

int catoproxy_rulebase_replace(struct catoproxy_net *cn,
			       struct catoproxy_rule *rules, u32 n,
			       const char **why)
{
	u32 i;
	int ret;

	mutex_lock(&cn->lock);
	ret = -ENOSPC;
	if (!ids_left(cn, n, why))
		goto out;
	for (i = 0; i < n; i++)
		rules[i].id = cn->next_rule_id + i;
	/* New ids: there are no hits to carry over. */
	ret = publish_rules(cn, rules, n, n, NULL, why);
out:
	mutex_unlock(&cn->lock);
	return ret;
}

static bool prefix_same(const struct catoproxy_prefix *a,
			const struct catoproxy_prefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Do @a and @b match the same connections the same way? Ids aside. */
static bool rule_same(const struct catoproxy_rule *a,
		      const struct catoproxy_rule *b)
{
	return a->family == b->family && a->action == b->action &&
	       a->flags == b->flags &&
	       (!(a->flags & CATOPROXY_RULE_F_SRC) ||
		prefix_same(&a->src, &b->src)) &&
	       (!(a->flags & CATOPROXY_RULE_F_DST) ||
		prefix_same(&a->dst, &b->dst)) &&
	       a->sport_min == b->sport_min && a->sport_max == b->sport_max &&
	       a->dport_min == b->dport_min && a->dport_max == b->dport_max &&
	       a->match == b->match && a->path == b->path &&
	       !strcmp(a->name, b->name);
}

int catoproxy_rulebase_stage(struct catoproxy_net *cn,
			     struct catoproxy_rule *rules, u32 n,
			     struct catoproxy_rulebase **rb, bool *same,
			     const char **why)
{
	const struct catoproxy_rulebase *cur;
	const struct catoproxy_rule *old;
	u32 nold, i;

	lockdep_assert_held(&cn->lock);
	*rb = NULL;
	old = current_rules(cn, &cur, &nold);
	for (i = 0; nold == n && i < n && rule_same(&old[i], &rules[i]); i++)
		;
	*same = nold == n && i == n;
	if (*same || !n)
		return 0;
	if (!ids_left(cn, n, why))
		return -ENOSPC;
	for (i = 0; i < n; i++)
		rules[i].id = cn->next_rule_id + i;
	/* New ids: there are no hits to carry over. */
	*rb = catoproxy_rulebase_build(rules, n, NULL);
	if (IS_ERR(*rb)) {
		*rb = NULL;
		*why = "no memory for the rules";
		return -ENOMEM;
	}
	return 0;
}

struct catoproxy_rulebase *
catoproxy_rulebase_commit(struct catoproxy_net *cn,
			  struct catoproxy_rulebase *rb, u32 n)
{
	lockdep_assert_held(&cn->lock);
	cn->next_rule_id += n;
	return rcu_replace_pointer(cn->rules, rb, lockdep_is_held(&cn->lock));
}
