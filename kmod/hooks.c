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

#include "conn.h"
#include "hooks.h"

static unsigned int hooks_forward(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/* The policy is decided once, on the packet that creates the entry. */
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    nf_ct_protonum(ct) != IPPROTO_TCP)
		return NF_ACCEPT;

	catoproxy_conn_new(state->net, ct);
	return NF_ACCEPT;
}

/* After the filter table, so that connections it drops are not counted. */
static const struct nf_hook_ops hooks_ops[] = {
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
