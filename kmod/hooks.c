// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks, registered in every namespace. They stay thin: find the
 * connection, hand it to conn.c.
 *
 * Hooks have their own pernet operations, registered after the conntrack
 * helper and unregistered before it, so that no hook can attach the helper
 * to a connection once conntrack has started detaching it on unload.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "block.h"
#include "conn.h"
#include "event.h"
#include "hooks.h"
#include "netns.h"
#include "policy.h"
#include "proxy.h"
#include "rst.h"

static unsigned int hooks_forward(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	struct catoproxy_decision d;
	struct catoproxy_conn *conn;
	unsigned int verdict = NF_ACCEPT;
	bool intercept = false;

	/* Conntrack found it invalid: a blind reset, perhaps. */
	if (!ct) {
		if (ctinfo == IP_CT_UNTRACKED)
			return NF_ACCEPT;
		return catoproxy_rst_invalid(state->net, skb, state->pf);
	}
	if (nf_ct_is_template(ct) || nf_ct_protonum(ct) != IPPROTO_TCP)
		return NF_ACCEPT;

	if (nf_ct_is_confirmed(ct)) {
		conn = catoproxy_conn_get(ct);
		if (!conn)
			return NF_ACCEPT;
		/* An opening full connection answers for itself (proxy.c). */
		if (READ_ONCE(conn->state) == CATOPROXY_CONN_OPENING)
			return catoproxy_proxy_forward(state->net, skb, ct,
						       ctinfo, conn);
		return catoproxy_rst_follow(state->net, skb, ct, ctinfo, conn);
	}

	/*
	 * The rules and the policy are decided once, on the packet that
	 * creates the entry.
	 */
	catoproxy_conn_decide(state->net, ct, &d);
	if (d.action == CATOPROXY_ACTION_BYPASS) {
		catoproxy_stat_inc(catoproxy_net(state->net),
				   CATOPROXY_STAT_CONN_BYPASSED);
		return NF_ACCEPT;
	}
	if (d.action == CATOPROXY_ACTION_BLOCK) {
		struct catoproxy_flow flow;

		catoproxy_conn_flow(ct, &flow);
		return catoproxy_block(state->net, skb, state->pf, &flow, &d);
	}
	if (d.mode == CATOPROXY_MODE_OFF) {
		catoproxy_stat_inc(catoproxy_net(state->net),
				   CATOPROXY_STAT_CONN_OFF);
		return NF_ACCEPT;
	}
	/*
	 * Without its extensions a full connection is tracked, not proxied;
	 * one that will not be intercepted is spared them.
	 */
	if (d.mode == CATOPROXY_MODE_FULL &&
	    catoproxy_proxy_wants(state->net, skb))
		intercept = catoproxy_proxy_prepare(ct);
	conn = catoproxy_conn_attach(state->net, ct, &d);
	if (!conn)
		return NF_ACCEPT;
	if (intercept)
		verdict = catoproxy_proxy_syn(state->net, skb, ct, conn);
	catoproxy_event_decision(state->net, ct, conn, d.rule_id);
	return verdict;
}

/*
 * Before the filter: packets with no confirmed entry (a new one, or none at
 * all when conntrack found them invalid) may follow a blocked connection's
 * handshake (block.c). Established connections leave at the first test.
 */
static unsigned int hooks_forward_early(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct ? nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) :
		 ctinfo == IP_CT_UNTRACKED)
		return NF_ACCEPT;
	return catoproxy_block_early(state->net, skb, state->pf, ct != NULL);
}

/*
 * Before conntrack: segments of a connection whose server half is still
 * opening would be invalid to conntrack and to the server, and a SYN flood
 * past the backlog must not cost conntrack entries. Costs one atomic read
 * while no connection is opening.
 */
static unsigned int hooks_pre(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct catoproxy_net *cn = catoproxy_net(state->net);
	unsigned int opening = atomic_read(&cn->npending);
	unsigned int verdict;

	/* Past the SYN backlog, answer statelessly and keep nothing. */
	if (opening >= rcu_dereference(cn->policy)->syn_backlog) {
		verdict = catoproxy_proxy_flood(state->net, skb, state->pf);
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	if (!opening && time_after(jiffies, READ_ONCE(cn->cookies_until)))
		return NF_ACCEPT;
	return catoproxy_proxy_hold(state->net, skb, state->pf);
}

/* After conntrack: a server SYN the module sent for a cookie connection. */
static unsigned int hooks_local_out(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return catoproxy_proxy_local_out(state->net, skb);
}

/*
 * Decisions come after the filter table, so that connections it drops are
 * not counted; what answers for a blocked connection comes before it.
 */
static const struct nf_hook_ops hooks_ops[] = {
	{
		.hook = hooks_pre,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook = hooks_pre,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK - 1,
	},
	{
		.hook = hooks_local_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_local_out,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_forward_early,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_forward_early,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_forward,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER + 1,
	},
	{
		.hook = hooks_forward,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER + 1,
	},
};

static int __net_init hooks_init_net(struct net *net)
{
	int ret;

	/* Conntrack only tracks a namespace once somebody asks it to. */
	catoproxy_proxy_init_net(net);
	ret = nf_ct_netns_get(net, NFPROTO_INET);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, hooks_ops, ARRAY_SIZE(hooks_ops));
	if (ret)
		goto err_hooks;
	return 0;

err_hooks:
	nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

static void __net_exit hooks_exit_net(struct net *net)
{
	nf_unregister_net_hooks(net, hooks_ops, ARRAY_SIZE(hooks_ops));
	catoproxy_proxy_exit_net(net);
	nf_ct_netns_put(net, NFPROTO_INET);
}

static struct pernet_operations hooks_net_ops = {
	.init = hooks_init_net,
	.exit = hooks_exit_net,
};

int catoproxy_hooks_init(void)
{
	return register_pernet_subsys(&hooks_net_ops);
}

void catoproxy_hooks_uninit(void)
{
	unregister_pernet_subsys(&hooks_net_ops);
}
