// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection state, in one of two places (Documentation/design.rst):
 *
 * - A connection the module translates (full mode, intercepted) keeps it in
 *   the conntrack helper extension. Out-of-tree code cannot register a
 *   conntrack extension type, but a conntrack helper gets a 32-byte private
 *   area on every entry it is attached to, is told when the entry dies, and
 *   on unregistration is detached from every entry by conntrack itself.
 *
 * - A connection it only follows (delayed, adaptive that ran delayed, full
 *   that was not intercepted, a bypass with a path) keeps it in a table
 *   keyed by the entry, because an entry with a helper extension is never
 *   offloaded to a flowtable and an extension cannot be removed once added.
 *   The table holds a reference to the entry; its collector drops the
 *   entries conntrack has let go (dying, or never confirmed), so that an
 *   entry lives at most one collection longer than it would have.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "adaptive.h"
#include "conn.h"
#include "event.h"
#include "hooks.h"
#include "tcp.h"
#include "netns.h"
#include "rulebase.h"
#include "seg.h"
#include "splice.h"

/* A followed connection's state, keyed by its conntrack entry. */
struct conn_entry {
	struct rhash_head node;
	struct nf_conn *ct; /* the key; holds a reference */
	struct catoproxy_conn conn;
	struct rcu_head rcu;
};

static const struct rhashtable_params conn_table_params = {
	.head_offset = offsetof(struct conn_entry, node),
	.key_offset = offsetof(struct conn_entry, ct),
	.key_len = sizeof(struct nf_conn *),
	.automatic_shrinking = true,
};

static struct rhashtable conn_table;

/* How often the collector looks for entries conntrack let go. */
#define CONN_GC_INTERVAL HZ

static void conn_gc(struct work_struct *work);
static DECLARE_DELAYED_WORK(conn_gc_work, conn_gc);

static void conn_destroy(struct nf_conn *ct)
{
	struct net *net = nf_ct_net(ct);

	/*
	 * A dying namespace flushes its conntrack entries after our pernet
	 * exit freed the counters and the names (see netns.c), which waits
	 * for RCU readers first.
	 */
	rcu_read_lock();
	if (check_net(net)) {
		catoproxy_names_drop(net, ct);
		catoproxy_stat_inc(catoproxy_net(net),
				   CATOPROXY_STAT_CONN_RELEASED);
	}
	rcu_read_unlock();
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

struct catoproxy_conn *catoproxy_conn_translated(const struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (!help || rcu_access_pointer(help->helper) != &conn_helper)
		return NULL;
	return nfct_help_data(ct);
}

struct catoproxy_conn *catoproxy_conn_get(const struct nf_conn *ct)
{
	struct catoproxy_conn *conn = catoproxy_conn_translated(ct);
	struct conn_entry *e;

	if (conn)
		return conn;
	e = rhashtable_lookup_fast(&conn_table, &ct, conn_table_params);
	return e ? &e->conn : NULL;
}

bool catoproxy_conn_find_pre(struct net *net, const struct sk_buff *skb,
			     u8 pf, const struct nf_conntrack_tuple_hash **h)
{
	struct nf_conntrack_zone zone_tmp;
	struct nf_conntrack_tuple tuple;
	enum ip_conntrack_info ctinfo;

	*h = NULL;
	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), pf, net, &tuple))
		return false;
	*h = nf_conntrack_find_get(net,
				   nf_ct_zone_tmpl(nf_ct_get(skb, &ctinfo), skb,
						   &zone_tmp),
				   &tuple);
	return true;
}

static void entry_free(struct conn_entry *e)
{
	nf_ct_put(e->ct);
	kfree_rcu(e, rcu);
}

/* Take @e out of the table; false when someone else already did. */
static bool entry_remove(struct conn_entry *e)
{
	if (rhashtable_remove_fast(&conn_table, &e->node, conn_table_params))
		return false;
	entry_free(e);
	return true;
}

/*
 * Conntrack let @ct go: deleted (dying), or never confirmed and only our
 * reference left (its first packet was dropped, or lost a clash).
 */
static bool entry_dead(const struct nf_conn *ct)
{
	return nf_ct_is_dying(ct) ||
	       (!nf_ct_is_confirmed(ct) &&
		refcount_read(&ct->ct_general.use) == 1);
}

/*
 * Walk the table: drop the entries @net's (every one for NULL) or, with
 * @dead, those conntrack let go, counting them released.
 */
static void table_walk(const struct net *net, bool dead)
{
	struct rhashtable_iter iter;
	struct conn_entry *e;

	rhashtable_walk_enter(&conn_table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		struct net *ctnet;

		if (IS_ERR(e)) {
			/* A resize: entries may be seen twice, none lost. */
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		ctnet = nf_ct_net(e->ct);
		if (dead ? !entry_dead(e->ct) : net && !net_eq(ctnet, net))
			continue;
		/*
		 * A dying namespace's counters may be freed after a grace
		 * period (netns.c): we are inside one.
		 */
		if (entry_remove(e) && dead && check_net(ctnet))
			catoproxy_stat_inc(catoproxy_net(ctnet),
					   CATOPROXY_STAT_CONN_RELEASED);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/*
 * Runs while the table holds entries: an inert module has no timer. An
 * entry added after the check below queues the next run itself.
 */
static void conn_gc(struct work_struct *work)
{
	table_walk(NULL, true);
	if (atomic_read(&conn_table.nelems))
		queue_delayed_work(system_power_efficient_wq, &conn_gc_work,
				   CONN_GC_INTERVAL);
}

/* Follow @ct with state @c outside the helper area, or NULL. */
static struct catoproxy_conn *follow_attach(struct nf_conn *ct,
					    const struct catoproxy_conn *c)
{
	struct conn_entry *e = kzalloc(sizeof(*e), GFP_ATOMIC);

	if (!e)
		return NULL;
	nf_conntrack_get(&ct->ct_general);
	e->ct = ct;
	e->conn = *c;
	if (rhashtable_lookup_insert_fast(&conn_table, &e->node,
					  conn_table_params)) {
		nf_ct_put(ct);
		kfree(e);
		return NULL;
	}
	/* Read first: most connections find the collector queued. */
	if (!delayed_work_pending(&conn_gc_work))
		queue_delayed_work(system_power_efficient_wq, &conn_gc_work,
				   CONN_GC_INTERVAL);
	return &e->conn;
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

/* Attach the helper to @ct with state @c; NULL when it cannot. */
static struct catoproxy_conn *helper_attach(struct nf_conn *ct,
					    const struct catoproxy_conn *c)
{
	struct catoproxy_conn *conn;
	struct nf_conn_help *help;

	help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return NULL;
	conn = nfct_help_data(ct);
	*conn = *c;
	rcu_assign_pointer(help->helper, &conn_helper);
	return conn;
}

struct catoproxy_conn *catoproxy_conn_attach(struct net *net, struct nf_conn *ct,
					     const struct catoproxy_decision *d,
					     bool translate)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_conn c = {
		.site_id = d->site_id,
		.mode = d->mode,
		.reason = d->reason,
	};
	struct catoproxy_conn *conn;

	if (d->adaptive)
		c.flags |= CATOPROXY_CONN_F_ADAPTIVE;
	/*
	 * A delayed connection that starts with a SYN waits for the server's
	 * answer; one picked up mid-stream has nothing to wait for.
	 */
	if (d->mode == CATOPROXY_MODE_DELAYED &&
	    ct->proto.tcp.state == TCP_CONNTRACK_SYN_SENT) {
		c.state = CATOPROXY_CONN_WAITING;
		/* A bare ACK answering this SYN would be a challenge ACK. */
		c.follow = CATOPROXY_FOLLOW_F_SYN;
	}
	if (translate) {
		/*
		 * Someone else's helper (ftp, sip, a ct rule) keeps the
		 * connection. One the module only follows may have one.
		 */
		if (test_bit(IPS_HELPER_BIT, &ct->status) || nfct_help(ct)) {
			catoproxy_stat_inc(cn, CATOPROXY_STAT_CONN_HELPER_BUSY);
			return NULL;
		}
		conn = helper_attach(ct, &c);
	} else {
		conn = follow_attach(ct, &c);
	}
	if (!conn) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_CONN_ATTACH_FAILED);
		return NULL;
	}

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
	struct catoproxy_conn c = {
		.site_id = d->site_id,
		.mode = CATOPROXY_MODE_OFF,
		.reason = d->reason,
		.flags = CATOPROXY_CONN_F_PATH,
	};

	if (follow_attach(ct, &c))
		return true;
	catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_CONN_ATTACH_FAILED);
	return false;
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

void catoproxy_conn_forward(struct net *net, const struct sk_buff *skb,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct catoproxy_conn *conn)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int thoff;

	if (READ_ONCE(conn->state) != CATOPROXY_CONN_WAITING ||
	    CTINFO2DIR(ctinfo) != IP_CT_DIR_REPLY)
		return;
	thoff = catoproxy_seg_tcp(skb, nf_ct_l3num(ct));
	th = thoff < 0 ? NULL :
			 skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (th && th->syn && th->ack)
		catoproxy_conn_engage(net, ct, conn);
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
	catoproxy_conn_exit_net(net);
	/* Packets that found the helper still attached are through. */
	synchronize_rcu();
}

void catoproxy_conn_exit_net(struct net *net)
{
	table_walk(net, false);
}

int catoproxy_conn_init(void)
{
	int ret;

	NF_CT_HELPER_BUILD_BUG_ON(sizeof(struct catoproxy_conn));
	ret = rhashtable_init(&conn_table, &conn_table_params);
	if (ret)
		return ret;
	ret = nf_conntrack_helper_register(&conn_helper);
	if (ret) {
		rhashtable_destroy(&conn_table);
		return ret;
	}
	return 0;
}

static void entry_destroy(void *ptr, void *arg)
{
	entry_free(ptr);
}

void catoproxy_conn_uninit(void)
{
	catoproxy_splice_uninit(&conn_helper);
	nf_conntrack_helper_unregister(&conn_helper);
	/* Every namespace's hooks are gone and their entries dropped. */
	cancel_delayed_work_sync(&conn_gc_work);
	rhashtable_free_and_destroy(&conn_table, entry_destroy, NULL);
	/* kfree_rcu() callbacks run before the module's text goes. */
	rcu_barrier();
}
