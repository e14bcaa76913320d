// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection state in the conntrack helper extension.
 *
 * Out-of-tree code cannot register a conntrack extension type, but a
 * conntrack helper gets a 32-byte private area on every entry it is attached
 * to, is told when the entry dies, and on unregistration is detached from
 * every entry by conntrack itself. We register one helper that never looks
 * at payload and attach it from our own hook to the new connections the
 * policy wants.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "adaptive.h"
#include "conn.h"
#include "event.h"
#include "hooks.h"
#include "tcp.h"
#include "netns.h"
#include "rulebase.h"
#include "splice.h"

static void conn_destroy(struct nf_conn *ct)
{
	struct net *net = nf_ct_net(ct);

	/*
	 * A dying namespace flushes its conntrack entries after our pernet
	 * exit freed the counters (see netns.c).
	 */
	if (!check_net(net))
		return;
	catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_CONN_RELEASED);
}

static const struct nf_conntrack_expect_policy conn_expect_policy = {
	.name = "catoproxy",
};

static struct nf_conntrack_helper conn_helper __read_mostly = {
	.name = "catoproxy",
	.me = THIS_MODULE,
	.tuple.src.l3num = NFPROTO_UNSPEC,
	.tuple.dst.protonum = IPPROTO_TCP,
	.help = catoproxy_hooks_help,
	.destroy = conn_destroy,
	.expect_policy = &conn_expect_policy,
};

struct catoproxy_conn *catoproxy_conn_get(const struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (!help || rcu_access_pointer(help->helper) != &conn_helper)
		return NULL;
	return nfct_help_data(ct);
}

void catoproxy_conn_flow(const struct nf_conn *ct, struct catoproxy_flow *flow)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	size_t len;

	memset(flow, 0, sizeof(*flow));
	if (nf_ct_l3num(ct) == NFPROTO_IPV4) {
		flow->family = AF_INET;
		len = sizeof(t->src.u3.ip);
	} else {
		flow->family = AF_INET6;
		len = sizeof(t->src.u3.in6);
	}
	memcpy(flow->saddr, &t->src.u3, len);
	memcpy(flow->daddr, &t->dst.u3, len);
	flow->sport = ntohs(t->src.u.tcp.port);
	flow->dport = ntohs(t->dst.u.tcp.port);
}

void catoproxy_conn_skb_flow(const struct sk_buff *skb, u8 pf,
			    const struct tcphdr *th, struct catoproxy_flow *flow)
{
	memset(flow, 0, sizeof(*flow));
	if (pf == NFPROTO_IPV4) {
		flow->family = AF_INET;
		memcpy(flow->saddr, &ip_hdr(skb)->saddr, 4);
		memcpy(flow->daddr, &ip_hdr(skb)->daddr, 4);
	} else {
		flow->family = AF_INET6;
		memcpy(flow->saddr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(flow->daddr, &ipv6_hdr(skb)->daddr, 16);
	}
	flow->sport = ntohs(th->source);
	flow->dport = ntohs(th->dest);
}

static const enum catoproxy_stat mode_stat[] = {
	[CATOPROXY_MODE_FULL] = CATOPROXY_STAT_CONN_FULL,
	[CATOPROXY_MODE_DELAYED] = CATOPROXY_STAT_CONN_DELAYED,
	[CATOPROXY_MODE_ADAPTIVE] = CATOPROXY_STAT_CONN_ADAPTIVE,
};

static void decide(struct net *net, const struct catoproxy_flow *flow,
		   struct catoproxy_decision *d, bool count)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	unsigned int seq;

	/*
	 * One configuration decides, never half of a REPLACE_CONFIG. A retry
	 * may count a hit twice, on the replaced rules only: their ids and
	 * hits go with them.
	 */
	do {
		seq = read_seqcount_begin(&cn->config_seq);
		catoproxy_rulebase_decide(net, flow, d, count);
		catoproxy_policy_decide(rcu_dereference(cn->policy), flow, d);
	} while (read_seqcount_retry(&cn->config_seq, seq));
	/* A connection a rule blocks or bypasses never asks the cache. */
	if (d->mode != CATOPROXY_MODE_ADAPTIVE ||
	    d->action != CATOPROXY_ACTION_ALLOW)
		return;
	d->adaptive = true;
	d->mode = catoproxy_adaptive_alive(net, flow) ? CATOPROXY_MODE_FULL :
							CATOPROXY_MODE_DELAYED;
}

void catoproxy_conn_decide_flow(struct net *net,
				const struct catoproxy_flow *flow,
				struct catoproxy_decision *d)
{
	decide(net, flow, d, false);
}

void catoproxy_conn_decide(struct net *net, const struct nf_conn *ct,
			   struct catoproxy_decision *d)
{
	struct catoproxy_flow flow;

	catoproxy_conn_flow(ct, &flow);
	decide(net, &flow, d, true);
}

struct catoproxy_conn *catoproxy_conn_attach(struct net *net, struct nf_conn *ct,
					     const struct catoproxy_decision *d)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_conn *conn;
	struct nf_conn_help *help;

	/* Someone else's helper (ftp, sip, a ct rule) keeps the connection. */
	if (test_bit(IPS_HELPER_BIT, &ct->status) || nfct_help(ct)) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_CONN_HELPER_BUSY);
		return NULL;
	}

	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_CONN_ATTACH_FAILED);
		return NULL;
	}
	conn = nfct_help_data(ct);
	conn->site_id = d->site_id;
	conn->mode = d->mode;
	conn->reason = d->reason;
	if (d->adaptive)
		conn->flags |= CATOPROXY_CONN_F_ADAPTIVE;
	/*
	 * A delayed connection that starts with a SYN waits for the server's
	 * answer; one picked up mid-stream has nothing to wait for.
	 */
	if (d->mode == CATOPROXY_MODE_DELAYED &&
	    ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT) {
		conn->state = CATOPROXY_CONN_WAITING;
		/* A bare ACK answering this SYN would be a challenge ACK. */
		conn->follow = CATOPROXY_FOLLOW_F_SYN;
	}
	rcu_assign_pointer(help->helper, &conn_helper);

	catoproxy_stat_inc(cn, CATOPROXY_STAT_CONN_TRACKED);
	catoproxy_stat_inc(cn, mode_stat[catoproxy_conn_mode(conn)]);
	if (d->adaptive)
		catoproxy_stat_inc(cn, d->mode == CATOPROXY_MODE_FULL ?
					       CATOPROXY_STAT_ADAPTIVE_FULL :
					       CATOPROXY_STAT_ADAPTIVE_DELAYED);
	return conn;
}

bool catoproxy_conn_attach_path(struct net *net, struct nf_conn *ct,
				const struct catoproxy_decision *d)
{
	struct catoproxy_conn *conn;
	struct nf_conn_help *help;

	if (test_bit(IPS_HELPER_BIT, &ct->status) || nfct_help(ct))
		return false;
	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help) {
		catoproxy_stat_inc(catoproxy_net(net),
				   CATOPROXY_STAT_CONN_ATTACH_FAILED);
		return false;
	}
	conn = nfct_help_data(ct);
	conn->site_id = d->site_id;
	conn->mode = CATOPROXY_MODE_OFF;
	conn->reason = d->reason;
	conn->flags = CATOPROXY_CONN_F_PATH;
	rcu_assign_pointer(help->helper, &conn_helper);
	return true;
}

void catoproxy_conn_engage(struct net *net, struct nf_conn *ct,
			   struct catoproxy_conn *conn)
{
	struct catoproxy_net *cn = catoproxy_net(net);

	/* Retransmitted SYN-ACKs race here on several CPUs: engage once. */
	if (cmpxchg(&conn->state, CATOPROXY_CONN_WAITING,
		    CATOPROXY_CONN_ENGAGED) != CATOPROXY_CONN_WAITING)
		return;
	catoproxy_stat_inc(cn, CATOPROXY_STAT_DELAYED_ENGAGED);
	if (conn->flags & CATOPROXY_CONN_F_ADAPTIVE)
		catoproxy_adaptive_learn(net, ct);
	catoproxy_event_conn(net, ct, conn, CATOPROXY_EVENT_ENGAGED,
			     CATOPROXY_CAUSE_NONE);
}

/*
 * A connection of a namespace being released (catoproxy_conn_release_net()):
 * a spliced one, whose two halves only conntrack's seqadj and this module
 * hold together, is reset and deleted; any other is left to conntrack
 * alone, as when a helper goes away.
 */
static bool release_conn(struct nf_conn *ct, void *data)
{
	struct nf_conn_help *help = nfct_help(ct);
	const struct catoproxy_conn *conn;

	if (!help || rcu_access_pointer(help->helper) != &conn_helper)
		return false;
	conn = nfct_help_data(ct);
	if (READ_ONCE(conn->state) == CATOPROXY_CONN_SPLICED)
		return true;
	RCU_INIT_POINTER(help->helper, NULL);
	return false;
}

void catoproxy_conn_release_net(struct net *net)
{
	catoproxy_splice_reset_net(net, release_conn, NULL);
	/* Packets that found the helper still attached are through. */
	synchronize_rcu();
}

int catoproxy_conn_init(void)
{
	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct catoproxy_conn));
	return nf_conntrack_helper_register(&conn_helper);
}

void catoproxy_conn_uninit(void)
{
	catoproxy_splice_uninit(&conn_helper);
	nf_conntrack_helper_unregister(&conn_helper);
}
