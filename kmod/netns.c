// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state: the policy, published under RCU, and the counters.
 *
 * The counters must outlive every conntrack entry that may still report to
 * them. A namespace's conntrack entries are flushed after our pernet exit has
 * run (conntrack registered its pernet operations first, so it exits last),
 * which is why conn.c checks check_net() before counting a release, and why
 * the exit below waits for RCU readers before freeing anything.
 */

#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "adaptive.h"
#include "hooks.h"
#include "netns.h"
#include "rulebase.h"

unsigned int catoproxy_net_id __read_mostly;

/*
 * Policies allocated and not yet freed, over all namespaces. It must be zero
 * once every namespace's state is gone; unload says so loudly otherwise, and
 * the selftests watch the log for it.
 */
static atomic_t policies_live = ATOMIC_INIT(0);

static struct catoproxy_policy *policy_alloc(u32 nsites)
{
	struct catoproxy_policy *pol;

	pol = kvmalloc(catoproxy_policy_size(nsites), GFP_KERNEL);
	if (pol)
		atomic_inc(&policies_live);
	return pol;
}

static void policy_free(struct catoproxy_policy *pol)
{
	if (!pol)
		return;
	atomic_dec(&policies_live);
	kvfree(pol);
}

/* Inert until configured: see Documentation/design.rst. */
static unsigned int default_mode = CATOPROXY_MODE_OFF;

static int default_mode_set(const char *val, const struct kernel_param *kp)
{
	char word[16];
	int mode;

	strscpy(word, val, sizeof(word));
	strim(word);
	mode = catoproxy_policy_mode_parse(word);
	if (mode < 0 || mode == CATOPROXY_MODE_INHERIT)
		return -EINVAL;
	*(unsigned int *)kp->arg = mode;
	return 0;
}

static int default_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  catoproxy_policy_mode_name(*(unsigned int *)kp->arg));
}

static const struct kernel_param_ops default_mode_ops = {
	.set = default_mode_set,
	.get = default_mode_get,
};

module_param_cb(default_mode, &default_mode_ops, &default_mode, 0444);
MODULE_PARM_DESC(default_mode,
		 "mode of each network namespace when the module loads and of each new one: full, delayed, adaptive or off (default: off)");

void catoproxy_net_stats_sum(struct catoproxy_net *cn,
			     struct catoproxy_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct catoproxy_stats *s = per_cpu_ptr(cn->stats, cpu);

		for (i = 0; i < __CATOPROXY_STAT_LAST; i++)
			sum->counters[i] += READ_ONCE(s->counters[i]);
	}
}

/* Can @pol and @rb make a connection anything but off? */
static bool config_active(const struct catoproxy_policy *pol,
			  const struct catoproxy_rulebase *rb)
{
	/*
	 * A rule that blocks answers for connections whatever the mode, a
	 * payload rule answers their handshake, a path marks them.
	 */
	return !catoproxy_policy_off(pol) ||
	       (rb && catoproxy_rules_active(rb->set));
}

int catoproxy_net_hooks_prepare(struct catoproxy_net *cn,
				const struct catoproxy_policy *pol,
				const struct catoproxy_rulebase *rb,
				const char **why)
{
	int ret;

	lockdep_assert_held(&cn->lock);
	if (cn->hooked || !config_active(pol, rb))
		return 0;
	ret = catoproxy_hooks_enable(cn->net);
	if (ret) {
		*why = "cannot register the hooks or enable conntrack in this namespace";
		return ret;
	}
	cn->hooked = true;
	return 0;
}

void catoproxy_net_hooks_settle(struct catoproxy_net *cn)
{
	lockdep_assert_held(&cn->lock);
	if (!cn->hooked ||
	    config_active(rcu_dereference_protected(cn->policy,
						    lockdep_is_held(&cn->lock)),
			  rcu_dereference_protected(cn->rules,
						    lockdep_is_held(&cn->lock))))
		return;
	catoproxy_hooks_release(cn->net);
	cn->hooked = false;
}

/* What a change replaced, to be freed once no reader can see it. */
struct net_retired {
	struct catoproxy_policy *policy;
	struct catoproxy_adaptive *cache;
	struct catoproxy_rulebase *rules;
};

/*
 * Under @cn->lock: @pol becomes the namespace's policy and, with
 * @with_rules, the staged rule base @rb of @nrules rules its rules (NULL:
 * none), with the hooks and the adaptive cache they need. On success both
 * are the namespace's and what they replaced is in @old; on error nothing
 * was published.
 */
static int net_publish(struct catoproxy_net *cn, struct catoproxy_policy *pol,
		       bool with_rules, struct catoproxy_rulebase *rb,
		       u32 nrules, struct net_retired *old, const char **why)
{
	int ret;

	lockdep_assert_held(&cn->lock);
	ret = catoproxy_net_hooks_prepare(cn, pol,
					  with_rules ? rb :
					  rcu_dereference_protected(cn->rules,
						lockdep_is_held(&cn->lock)),
					  why);
	if (ret)
		return ret;
	ret = catoproxy_adaptive_fit(cn, pol, &old->cache);
	if (ret) {
		*why = "no memory for the adaptive cache";
		return ret;
	}
	/* A decision reads both: see catoproxy_net.config_seq. */
	local_bh_disable();
	write_seqcount_begin(&cn->config_seq);
	old->policy = rcu_replace_pointer(cn->policy, pol,
					  lockdep_is_held(&cn->lock));
	if (with_rules)
		old->rules = catoproxy_rulebase_commit(cn, rb, nrules);
	write_seqcount_end(&cn->config_seq);
	local_bh_enable();
	cn->generation++;
	return 0;
}

static void net_retire(struct net_retired *old)
{
	if (!old->policy)
		return;
	/* Changes are rare; waiting keeps them all free of an rcu_head. */
	synchronize_rcu();
	policy_free(old->policy);
	catoproxy_adaptive_free(old->cache);
	catoproxy_rulebase_free(old->rules);
}

int catoproxy_net_policy_edit(struct catoproxy_net *cn, u32 extra_sites,
			      int (*edit)(struct catoproxy_policy *pol,
					  void *arg),
			      void *arg, const char **why)
{
	struct net_retired old = {};
	const struct catoproxy_policy *cur;
	struct catoproxy_policy *pol;
	int ret;

	mutex_lock(&cn->lock);
	cur = rcu_dereference_protected(cn->policy, lockdep_is_held(&cn->lock));
	pol = policy_alloc(cur->nsites + extra_sites);
	if (!pol) {
		ret = -ENOMEM;
		goto out;
	}
	catoproxy_policy_copy(pol, cur);
	ret = edit(pol, arg);
	if (!ret)
		ret = net_publish(cn, pol, false, NULL, 0, &old, why);
	if (!ret)
		pol = NULL;
out:
	/* Also when the change failed after the hooks were registered. */
	catoproxy_net_hooks_settle(cn);
	mutex_unlock(&cn->lock);
	policy_free(pol);
	net_retire(&old);
	return ret;
}

int catoproxy_net_replace(struct catoproxy_net *cn, u32 nsites,
			  int (*build)(struct catoproxy_policy *pol,
				       const struct catoproxy_policy *cur,
				       void *arg),
			  void *arg, struct catoproxy_rule *rules, u32 nrules,
			  const char **why)
{
	struct catoproxy_rulebase *rb = NULL;
	struct net_retired old = {};
	const struct catoproxy_policy *cur;
	struct catoproxy_policy *pol;
	bool same;
	int ret;

	pol = policy_alloc(nsites);
	if (!pol)
		return -ENOMEM;
	mutex_lock(&cn->lock);
	cur = rcu_dereference_protected(cn->policy, lockdep_is_held(&cn->lock));
	/* What a new namespace starts with, but site ids are never reused. */
	catoproxy_policy_init(pol, default_mode);
	pol->next_site_id = cur->next_site_id;
	ret = build(pol, cur, arg);
	if (ret)
		goto out;
	ret = catoproxy_rulebase_stage(cn, rules, nrules, &rb, &same, why);
	if (ret)
		goto out;
	/* The same list stays, with its ids and hits. */
	ret = net_publish(cn, pol, !same, rb, nrules, &old, why);
	if (!ret) {
		pol = NULL;
		rb = NULL;
	}
out:
	catoproxy_net_hooks_settle(cn);
	mutex_unlock(&cn->lock);
	policy_free(pol);
	catoproxy_rulebase_free(rb);
	net_retire(&old);
	return ret;
}

static int __net_init catoproxy_net_init_net(struct net *net)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_adaptive *none;
	struct catoproxy_policy *pol;
	int ret;

	mutex_init(&cn->lock);
	cn->net = net;
	cn->hooked = false;
	spin_lock_init(&cn->pending_lock);
	INIT_LIST_HEAD(&cn->pending_list);
	atomic_set(&cn->npending, 0);
	atomic_set(&cn->held_bytes, 0);
	cn->cookies_until = jiffies;
	RCU_INIT_POINTER(cn->rules, NULL);
	cn->next_rule_id = 1;
	seqcount_init(&cn->config_seq);
	get_random_bytes(&cn->block_key, sizeof(cn->block_key));
	cn->block_until = jiffies;
	cn->stats = alloc_percpu(struct catoproxy_stats);
	if (!cn->stats)
		goto err_stats;
	if (catoproxy_names_init(&cn->names))
		goto err_names;
	pol = policy_alloc(0);
	if (!pol)
		goto err_policy;
	catoproxy_policy_init(pol, default_mode);
	RCU_INIT_POINTER(cn->adaptive, NULL);
	mutex_lock(&cn->lock);
	ret = catoproxy_adaptive_fit(cn, pol, &none);
	mutex_unlock(&cn->lock);
	if (ret)
		goto err_adaptive;
	RCU_INIT_POINTER(cn->policy, pol);
	return 0;

err_adaptive:
	policy_free(pol);
err_policy:
	catoproxy_names_destroy(&cn->names);
err_names:
	free_percpu(cn->stats);
err_stats:
	return -ENOMEM;
}

static void __net_exit catoproxy_net_exit_net(struct net *net)
{
	struct catoproxy_net *cn = catoproxy_net(net);

	/*
	 * Hooks are gone (their pernet operations exit first) but a conntrack
	 * release may still be counting: see the comment at the top.
	 */
	synchronize_rcu();
	policy_free(rcu_dereference_protected(cn->policy, true));
	catoproxy_adaptive_free(rcu_dereference_protected(cn->adaptive, true));
	catoproxy_rulebase_free(rcu_dereference_protected(cn->rules, true));
	catoproxy_names_destroy(&cn->names);
	free_percpu(cn->stats);
}

static struct pernet_operations catoproxy_net_ops = {
	.init = catoproxy_net_init_net,
	.exit = catoproxy_net_exit_net,
	.id = &catoproxy_net_id,
	.size = sizeof(struct catoproxy_net),
};

int catoproxy_net_init(void)
{
	return register_pernet_subsys(&catoproxy_net_ops);
}

void catoproxy_net_uninit(void)
{
	unregister_pernet_subsys(&catoproxy_net_ops);
	if (atomic_read(&policies_live))
		pr_err("leak: %d policies still allocated\n",
		       atomic_read(&policies_live));
}
