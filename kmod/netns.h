/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NETNS_H
#define _CATOPROXY_NETNS_H

#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "names.h"
#include "policy.h"

struct catoproxy_adaptive;
struct catoproxy_rule;
struct catoproxy_rulebase;
struct catoproxy_stats {
	u64 counters[__CATOPROXY_STAT_LAST];
};

struct catoproxy_net {
	/*
	 * Serialises writers of @policy, @rules, @next_rule_id, @generation,
	 * and @hooked.
	 */
	struct mutex lock;
	struct net *net; /* the namespace this is part of */
	/*
	 * The hooks are registered and conntrack is held in the namespace
	 * (hooks.c): while the configuration can make a connection anything
	 * but off, nothing otherwise. Changed under @lock.
	 */
	bool hooked;
	/* Readers: RCU. Writers: replace the whole policy under @lock. */
	struct catoproxy_policy __rcu *policy;
	/*
	 * The rules (rulebase.h), NULL while there is none. Readers: RCU.
	 * Writers: replace the whole rule base under @lock.
	 */
	struct catoproxy_rulebase __rcu *rules;
	u32 next_rule_id; /* rule ids are never reused in a namespace */
	/*
	 * Written, with BHs off, around REPLACE_CONFIG's publishing of both
	 * @policy and @rules, so that a connection's decision (conn.c) reads
	 * one configuration, never the new rules with the old policy.
	 */
	seqcount_t config_seq;
	/* Bumped under @lock on every change; lets dumps detect races. */
	unsigned int generation;
	/* Keys the ISNs of blocked connections' handshakes (block.c). */
	siphash_key_t block_key;
	/* jiffies until which segments may answer such a handshake */
	unsigned long block_until;
	/*
	 * Servers recently proved alive (adaptive.c), NULL while no mode says
	 * adaptive. Readers: RCU. Replaced with @policy, under @lock.
	 */
	struct catoproxy_adaptive __rcu *adaptive;
	struct catoproxy_stats __percpu *stats;

	/*
	 * Full-mode connections whose server half is still opening
	 * (struct catoproxy_pending, halfopen.c). @pending_lock guards the list
	 * and each connection's catoproxy_conn.pending and .state while it
	 * is on it; @npending is read locklessly by the packet path.
	 */
	spinlock_t pending_lock;
	struct list_head pending_list;
	atomic_t npending;
	/*
	 * The truesize of every client segment held on the list (halfopen.c
	 * bounds it); read and changed locklessly.
	 */
	atomic_t held_bytes;
	struct timer_list pending_timer;
	/* jiffies until which ACKs may carry SYN cookies we sent */
	unsigned long cookies_until;
	/* The server names of inspected connections (names.c). */
	struct catoproxy_names names;
};

extern unsigned int catoproxy_net_id;

static inline struct catoproxy_net *catoproxy_net(const struct net *net)
{
	return net_generic(net, catoproxy_net_id);
}

static inline void catoproxy_stat_inc(struct catoproxy_net *cn,
				      enum catoproxy_stat stat)
{
	this_cpu_inc(cn->stats->counters[stat]);
}

void catoproxy_net_stats_sum(struct catoproxy_net *cn,
			     struct catoproxy_stats *sum);

/*
 * Writers: under @lock, which it takes and releases, the policy is copied
 * with room for @extra_sites more sites, @edit changes the copy (@arg is
 * its own) and the copy replaces the policy, or nothing changes when @edit
 * fails (its error is returned). -ENOMEM when the copy cannot be allocated,
 * or when the new policy needs an adaptive cache that cannot be (then @why
 * says so).
 */
int catoproxy_net_policy_edit(struct catoproxy_net *cn, u32 extra_sites,
			      int (*edit)(struct catoproxy_policy *pol,
					  void *arg),
			      void *arg, const char **why);

/*
 * Replace the whole configuration (REPLACE_CONFIG): under @lock, @build
 * fills a new policy, with room for @nsites sites, from the defaults of a
 * new namespace (its next site id that of @cur, the policy it replaces;
 * @arg is its own), and @rules[0..@nrules) (normalised; their ids are
 * written) become the rules (rulebase.h, catoproxy_rulebase_stage()); the
 * two are published together, or nothing changes when @build (its error
 * is returned) or anything else fails (then @why may say why).
 */
int catoproxy_net_replace(struct catoproxy_net *cn, u32 nsites,
			  int (*build)(struct catoproxy_policy *pol,
				       const struct catoproxy_policy *cur,
				       void *arg),
			  void *arg, struct catoproxy_rule *rules, u32 nrules,
			  const char **why);

struct catoproxy_rulebase;
/*
 * Writers of the configuration call these under @lock around publishing a
 * new policy or rule base. Before: @pol and @rb, about to be published,
 * can make a connection anything but off and the namespace is not hooked:
 * it is (an error, with @why set, when that fails: publish nothing). After:
 * what is published decides every connection off: the namespace is
 * released (hooks.c, catoproxy_hooks_release()).
 */
int catoproxy_net_hooks_prepare(struct catoproxy_net *cn,
				const struct catoproxy_policy *pol,
				const struct catoproxy_rulebase *rb,
				const char **why);
void catoproxy_net_hooks_settle(struct catoproxy_net *cn);

int catoproxy_net_init(void);
void catoproxy_net_uninit(void);

#endif /* _CATOPROXY_NETNS_H */
