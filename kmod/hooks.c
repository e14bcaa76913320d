// SPDX-License-Identifier: GPL-2.0
/*
 * Every way a packet enters the module: the netfilter hooks, registered in
 * every namespace, and the conntrack helper's callback (conn.c registers
 * the helper). They stay thin: find the connection, dispatch on its state
 * to the file of its stage. In the order a full-mode connection meets them:
 *
 *   PREROUTING   hooks_pre()        SYN flood past the backlog: cookie.c
 *                                   ACK with a cookie, no entry: cookie.c
 *                                   client segment while OPENING or
 *                                   INSPECTING: intercept.c, inspect.c
 *   PREROUTING   hooks_pre_route()  after conntrack: a path's mark, inspect.c
 *   after PREROUTING  catoproxy_hooks_sent()  the server SYN the module
 *                                   sends for a cookie ACK: attach
 *                                   blind reset: rst.c
 *   FORWARD      hooks_forward_early()  blocked handshakes: block.c
 *   FORWARD      hooks_forward()    new entry: decide, attach (conn.c), and
 *                                   for full mode intercept the SYN
 *                                   a related ICMP error: icmp.c
 *                                   OPENING: retransmitted SYN, intercept.c
 *                                   WAITING (delayed): engage, conn.c
 *                                   otherwise: RST following, rst.c, which
 *                                   hands a SPLICED client SYN to splice.c
 *   POSTROUTING  hooks_post()       an ICMP error leaves seqadj's way: icmp.c
 *   confirmation catoproxy_hooks_help()  OPENING: the server's answer,
 *                                   intercept.c; INSPECTING: its SYN
 *                                   stops, inspect.c; SPLICED: splice.c
 *
 * The one entry outside this file is the half-open table's timer
 * (halfopen.c), which retransmits server SYNs and gives up on silent ends.
 *
 * What the module sends for a client (tx.c) comes back through these
 * hooks as the client's packets do, from the hook after hooks_pre() on,
 * and through every chain of the user's: catoproxy_hooks_sent() attaches
 * a cookie's server SYN between PREROUTING and routing, before any FORWARD
 * chain judges it.
 *
 * Hooks have their own pernet operations, registered after the conntrack
 * helper and unregistered before it, so that no hook can attach the helper
 * to a connection once conntrack has started detaching it on unload. A
 * namespace has the hooks only while its configuration can make a
 * connection anything but off (netns.c): until then the module is inert
 * there, and conntrack is not even asked to track it.
 */

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "block.h"
#include "conn.h"
#include "cookie.h"
#include "event.h"
#include "halfopen.h"
#include "hooks.h"
#include "icmp.h"
#include "inspect.h"
#include "intercept.h"
#include "netns.h"
#include "policy.h"
#include "rst.h"
#include "seg.h"
#include "splice.h"
#include "tx.h"

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
		/* Bypassed, with a path (inspect.c): nothing else to do. */
		if (!conn || conn->mode == CATOPROXY_MODE_OFF)
			return NF_ACCEPT;
		if (catoproxy_icmp_related(ctinfo))
			return catoproxy_icmp_forward(state->net, skb, state->pf,
						      ct, ctinfo, conn);
		/* An opening full connection answers for itself. */
		if (READ_ONCE(conn->state) == CATOPROXY_CONN_OPENING ||
		    READ_ONCE(conn->state) == CATOPROXY_CONN_INSPECTING)
			return catoproxy_intercept_forward(state->net, skb, ct,
							   ctinfo, conn);
		catoproxy_conn_forward(state->net, skb, ct, ctinfo, conn);
		return catoproxy_rst_follow(state->net, skb, ct, ctinfo, conn);
	}

	/*
	 * A server SYN the module sent for a cookie, attached before FORWARD
	 * (catoproxy_hooks_sent()), or that SYN again after a queue.
	 */
	if (catoproxy_conn_get(ct))
		return NF_ACCEPT;
	/*
	 * The rules and the policy are decided once, on the packet that
	 * creates the entry.
	 */
	catoproxy_conn_decide(state->net, ct, &d);
	/* A payload rule: decided on the first data, if it can be held. */
	if (d.inspect)
		catoproxy_inspect_syn(state->net, skb, state->pf, ct, &d);
	if (d.action == CATOPROXY_ACTION_BYPASS) {
		catoproxy_stat_inc(catoproxy_net(state->net),
				   CATOPROXY_STAT_CONN_BYPASSED);
		/* Untouched, but for the path its rule gives it. */
		if (d.path)
			catoproxy_inspect_bypass(state->net, skb, state->pf, ct,
						 &d);
		return NF_ACCEPT;
	}
	if (d.action == CATOPROXY_ACTION_BLOCK) {
		struct catoproxy_flow flow;

		catoproxy_conn_flow(ct, &flow);
		return catoproxy_block(state->net, skb, state->pf, &flow, &d);
	}
	/* A path needs the connection's state: an off one is followed. */
	if (d.mode == CATOPROXY_MODE_OFF && d.path)
		d.mode = CATOPROXY_MODE_DELAYED;
	if (d.mode == CATOPROXY_MODE_OFF) {
		catoproxy_stat_inc(catoproxy_net(state->net),
				   CATOPROXY_STAT_CONN_OFF);
		return NF_ACCEPT;
	}
	catoproxy_intercept_exempt(state->net, skb, state->pf, &d);
	/*
	 * Without its extensions a full connection is tracked, not proxied;
	 * one that will not be intercepted is spared them.
	 */
	if (d.mode == CATOPROXY_MODE_FULL &&
	    catoproxy_intercept_wants(state->net, skb))
		intercept = catoproxy_intercept_prepare(ct);
	/* Never on to the server undecided: the client sends it again. */
	if (d.inspect && !intercept)
		return NF_DROP;
	conn = catoproxy_conn_attach(state->net, ct, &d, intercept);
	if (!conn)
		return d.inspect ? NF_DROP : NF_ACCEPT;
	catoproxy_inspect_path(state->net, skb, state->pf, ct, conn, &d);
	if (intercept)
		verdict = catoproxy_intercept_syn(state->net, skb, ct, conn,
						  d.inspect);
	/* An inspected one's decision is taken, and told, on its data. */
	if (!d.inspect)
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
 * opening would be invalid to conntrack and to the server, a SYN flood
 * past the backlog must not cost conntrack entries, and a blind reset must
 * not move conntrack's windows (rst.c). Costs one atomic read and a look
 * at the TCP flags while no connection is opening.
 */
static unsigned int hooks_pre(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct catoproxy_net *cn = catoproxy_net(state->net);
	unsigned int opening = atomic_read(&cn->npending);
	const struct nf_conntrack_tuple_hash *h;
	enum ip_conntrack_info ctinfo;
	struct catoproxy_conn *conn;
	const struct nf_conn *tmpl;
	const struct tcphdr *th;
	unsigned int verdict;
	struct tcphdr _th;
	struct nf_conn *ct;
	bool quiet;
	int thoff;

	/* raw's notrack: conntrack, and so the module, stays away. */
	tmpl = nf_ct_get(skb, &ctinfo);
	if (!tmpl && ctinfo == IP_CT_UNTRACKED)
		return NF_ACCEPT;
	/* Past the SYN backlog, answer statelessly and keep nothing. */
	if (opening >= rcu_dereference(cn->policy)->syn_backlog) {
		verdict = catoproxy_cookie_flood(state->net, skb, state->pf);
		if (verdict != NF_ACCEPT)
			return verdict;
	}
	/* Nothing opening, no cookie in flight: only RSTs are of interest. */
	quiet = !opening && time_after(jiffies, READ_ONCE(cn->cookies_until));

	thoff = catoproxy_seg_tcp(skb, state->pf);
	if (thoff < 0)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->syn || (quiet && !th->rst))
		return NF_ACCEPT;
	if (!catoproxy_conn_find_pre(state->net, skb, state->pf, &h))
		return NF_ACCEPT;
	if (!h)
		return quiet ? NF_ACCEPT :
			       catoproxy_cookie_ack(state->net, skb, state->pf,
						    th, thoff);
	ct = nf_ct_tuplehash_to_ctrack(h);
	conn = catoproxy_conn_get(ct);
	verdict = NF_ACCEPT;
	if (!conn) {
		/* not ours */
	} else if (READ_ONCE(conn->state) == CATOPROXY_CONN_OPENING ||
		   READ_ONCE(conn->state) == CATOPROXY_CONN_INSPECTING) {
		if (NF_CT_DIRECTION(h) == IP_CT_DIR_ORIGINAL)
			verdict = catoproxy_intercept_hold(state->net, skb, ct,
							   conn, th, thoff);
	} else if (th->rst) {
		verdict = catoproxy_rst_pre(state->net, ct, NF_CT_DIRECTION(h),
					    conn, th);
	}
	nf_ct_put(ct);
	return verdict;
}

/* A SYN that opens a connection (no ACK)? */
static bool opening_syn(const struct sk_buff *skb, u8 pf)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int thoff = catoproxy_seg_tcp(skb, pf);

	if (thoff < 0)
		return false;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn && !th->ack;
}

unsigned int catoproxy_hooks_pre_next(const struct nf_hook_entries *e)
{
	unsigned int i;

	for (i = 0; i < e->num_hook_entries; i++)
		if (e->hooks[i].hook == hooks_pre)
			return i + 1;
	return 0;
}

/*
 * After conntrack, before routing (and before NAT and mangle): a
 * connection's path is a firewall mark, which routing must see.
 */
static unsigned int hooks_pre_route(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	catoproxy_inspect_route(state->net, skb, state->pf);
	return NF_ACCEPT;
}

/*
 * A packet the module sends for a client (tx.c) is past PREROUTING,
 * conntrack included, and not yet routed. The server SYN of a cookie ACK
 * has just created its entry: it enters full mode here, whatever the
 * policy says now (the client already has its answer), before any FORWARD
 * chain sees it.
 */
bool catoproxy_hooks_sent(struct net *net, struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	struct catoproxy_decision d;
	struct catoproxy_conn *conn;

	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    nf_ct_protonum(ct) != IPPROTO_TCP || catoproxy_conn_get(ct))
		return true;
	if (!catoproxy_cookie_sending(ct))
		/*
		 * A held segment whose entry went meanwhile is new to
		 * conntrack, and the filter's to judge. A SYN the module
		 * sent for a cookie comes back here without its sender only
		 * from a queue (NFQUEUE in PREROUTING), when the sender gave
		 * the connection up: nobody would track it.
		 */
		return !opening_syn(skb, nf_ct_l3num(ct));

	catoproxy_conn_decide(net, ct, &d);
	d.mode = CATOPROXY_MODE_FULL;
	if (!catoproxy_intercept_prepare(ct))
		return false;
	conn = catoproxy_conn_attach(net, ct, &d, true);
	if (!conn)
		return false;
	catoproxy_cookie_attach(net, ct, conn);
	catoproxy_event_decision(net, ct, conn, d.rule_id);
	return true;
}

/*
 * Last before conntrack's confirmation, after NAT: an ICMP error travelling
 * towards a server. Confirmation would hand it to seqadj (icmp.c).
 */
static unsigned int hooks_post(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct && ctinfo == IP_CT_RELATED && nf_ct_is_confirmed(ct) &&
	    nf_ct_protonum(ct) == IPPROTO_TCP && catoproxy_conn_translated(ct))
		catoproxy_icmp_leave(skb, state->pf, ct);
	return NF_ACCEPT;
}

/*
 * Conntrack calls the helper for every packet of a connection the module
 * tracks, at confirmation: after conntrack has judged the packet, before
 * seqadj translates it.
 */
int catoproxy_hooks_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct catoproxy_conn *conn = nfct_help_data(ct);
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);

	/* An ICMP error has no TCP header at @protoff (icmp.c). */
	if (catoproxy_icmp_related(ctinfo))
		return NF_ACCEPT;
	switch (READ_ONCE(conn->state)) {
	case CATOPROXY_CONN_SPLICED:
		return catoproxy_splice_help(skb, protoff, ct, dir, conn);
	case CATOPROXY_CONN_OPENING:
		/* The client's SYN and its retransmissions go to the server. */
		if (dir == IP_CT_DIR_ORIGINAL)
			return NF_ACCEPT;
		return catoproxy_intercept_server(nf_ct_net(ct), skb, protoff,
						  ct, ctinfo, conn);
	case CATOPROXY_CONN_INSPECTING:
		/* Its SYN is confirmed and goes no further; nothing else. */
		if (dir == IP_CT_DIR_ORIGINAL && !nf_ct_is_confirmed(ct))
			return catoproxy_inspect_confirm(skb);
		return NF_DROP;
	case CATOPROXY_CONN_FAILED:
		return NF_DROP;
	}
	return NF_ACCEPT;
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
		.hook = hooks_pre_route,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_pre_route,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK + 1,
	},
	{
		.hook = hooks_post,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK_CONFIRM - 1,
	},
	{
		.hook = hooks_post,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_LAST - 1,
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

int catoproxy_hooks_enable(struct net *net)
{
	int ret;

	/* Conntrack only tracks a namespace once somebody asks it to. */
	ret = nf_ct_netns_get(net, NFPROTO_INET);
	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, hooks_ops, ARRAY_SIZE(hooks_ops));
	if (ret)
		nf_ct_netns_put(net, NFPROTO_INET);
	return ret;
}

void catoproxy_hooks_release(struct net *net)
{
	nf_unregister_net_hooks(net, hooks_ops, ARRAY_SIZE(hooks_ops));
	/*
	 * Unregistering does not wait: once this returns no hook runs, so
	 * no connection gets our state and none joins the half-open table.
	 */
	synchronize_net();
	catoproxy_halfopen_release_net(net);
	catoproxy_conn_release_net(net);
	/* The connections left have no destroy callback to drop theirs. */
	catoproxy_names_flush(net);
	nf_ct_netns_put(net, NFPROTO_INET);
}

/*
 * A namespace is hooked only while its configuration needs it (netns.c):
 * from the start when default_mode says so.
 */
static int __net_init hooks_init_net(struct net *net)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const char *why = NULL;
	int ret;

	catoproxy_halfopen_init_net(net);
	mutex_lock(&cn->lock);
	ret = catoproxy_net_hooks_prepare(cn,
					  rcu_dereference_protected(cn->policy,
						lockdep_is_held(&cn->lock)),
					  rcu_dereference_protected(cn->rules,
						lockdep_is_held(&cn->lock)),
					  &why);
	mutex_unlock(&cn->lock);
	return ret;
}

/*
 * The namespace goes, or the module: no request can change the
 * configuration any more (the family is unregistered first on unload).
 * Live connections are left to conntrack and to unload (conn.c), as they
 * always were.
 */
static void __net_exit hooks_exit_net(struct net *net)
{
	struct catoproxy_net *cn = catoproxy_net(net);

	mutex_lock(&cn->lock);
	if (cn->hooked) {
		nf_unregister_net_hooks(net, hooks_ops, ARRAY_SIZE(hooks_ops));
		synchronize_net();
	}
	catoproxy_halfopen_exit_net(net);
	if (cn->hooked) {
		catoproxy_conn_exit_net(net);
		nf_ct_netns_put(net, NFPROTO_INET);
	}
	cn->hooked = false;
	mutex_unlock(&cn->lock);
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
