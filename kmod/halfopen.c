// SPDX-License-Identifier: GPL-2.0
/*
 * The half-open table: full-mode connections whose client half the module
 * has answered and whose server half is still opening. Each one keeps the
 * client's SYN (to retransmit) and the client segments held meanwhile
 * (intercept.c). A per-namespace timer retransmits the server SYN and gives
 * up on servers and clients that stay silent; an entry leaves the table
 * when the halves are joined, when either side fails, or with its
 * namespace.
 *
 * catoproxy_net.pending_lock guards the table's list and, for a connection
 * on it, catoproxy_conn.pending and .state and the entry's fields: the
 * packet path on any CPU and the timer race for the same entry. Whoever
 * detaches an entry owns it; it is freed, and packets sent for it, after
 * the lock is released.
 *
 * Held segments and the saved SYN keep, in skb->dev, the device they came
 * in on (the forward path's view of them: a ruleset's iifname), without a
 * reference: one held per segment for up to server-timeout would stall the
 * device's removal that long ("waiting for r0 to become free"). Instead a
 * device that goes away takes its held segments with it (held_dropped; a
 * client still there sends them again, and otherwise nobody wants them),
 * and the SYN forgets it, to be resent as from nowhere. The netdev core's
 * synchronize_net() after NETDEV_UNREGISTER waits for any CPU still
 * sending a copy taken before; nothing received on the device can arrive
 * after it (it is closed and its backlogs flushed by then).
 */

#include <linux/netdevice.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/tcp.h>

#include "adaptive.h"
#include "event.h"
#include "halfopen.h"
#include "inspect.h"
#include "tx.h"

#define TIMER_TICK (HZ / 10)
/*
 * Entries the timer looks at per tick, from the head of the list, which
 * each then leaves for its tail: the lock is held for a bounded time
 * however long the list (syn-backlog goes up to a million), and an entry
 * is looked at once per tick while fewer are opening, once every
 * n / TIMER_BUDGET ticks past that (its retransmission and deadlines late
 * by as much).
 */
#define TIMER_BUDGET 256
/* Inspected connections decided per tick at most; the rest on the next. */
#define INSPECT_DUE_MAX 16

/* Reset the client's half: it was told the connection is up. */
static void reset_client(struct net *net, const struct nf_conn *ct,
			 const struct catoproxy_conn *conn, u32 client_next)
{
	struct catoproxy_tx tx = {
		.seq = conn->isn + 1,
		.ack = client_next,
		.flags = TCPHDR_RST | TCPHDR_ACK,
	};

	catoproxy_tx_between(&tx, ct, true);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

void catoproxy_halfopen_reset_server(struct net *net, const struct nf_conn *ct,
				     u32 seq)
{
	struct catoproxy_tx tx = {
		.seq = seq,
		.flags = TCPHDR_RST,
	};

	catoproxy_tx_between(&tx, ct, false);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

enum catoproxy_stat catoproxy_halfopen_room(struct catoproxy_net *cn,
					    const struct catoproxy_pending *p,
					    const struct sk_buff *skb)
{
	if (skb_queue_len(&p->held) >= CATOPROXY_HOLD_MAX)
		return CATOPROXY_STAT_HELD_DROPPED;
	if (p->held_bytes + skb->truesize > CATOPROXY_HOLD_CONN_BYTES)
		return CATOPROXY_STAT_HELD_LIMIT_CONN;
	if ((unsigned int)atomic_read(&cn->held_bytes) + skb->truesize >
	    CATOPROXY_HOLD_NET_BYTES)
		return CATOPROXY_STAT_HELD_LIMIT_NET;
	return 0;
}

void catoproxy_halfopen_hold(struct catoproxy_net *cn,
			     struct catoproxy_pending *p, struct sk_buff *skb)
{
	__skb_queue_tail(&p->held, skb);
	p->held_bytes += skb->truesize;
	atomic_add(skb->truesize, &cn->held_bytes);
}

void catoproxy_halfopen_unhold(struct catoproxy_net *cn,
			       struct catoproxy_pending *p,
			       struct sk_buff *skb)
{
	__skb_unlink(skb, &p->held);
	p->held_bytes -= skb->truesize;
	atomic_sub(skb->truesize, &cn->held_bytes);
}

/*
 * Take @p off the list. Its held segments no longer count against the
 * namespace: whoever took it sends or frees them next.
 */
static void unlist(struct catoproxy_net *cn, struct catoproxy_pending *p)
	__must_hold(&cn->pending_lock)
{
	list_del(&p->node);
	atomic_dec(&cn->npending);
	atomic_sub(p->held_bytes, &cn->held_bytes);
	p->held_bytes = 0;
}

void catoproxy_halfopen_free(struct catoproxy_pending *p)
{
	__skb_queue_purge(&p->held);
	kfree(p->buf);
	kfree_skb(p->syn);
	nf_ct_put(p->ct);
	kfree(p);
}

struct catoproxy_pending *catoproxy_halfopen_detach(struct catoproxy_net *cn,
						   struct catoproxy_conn *conn,
						   u8 new_state)
	__must_hold(&cn->pending_lock)
{
	struct catoproxy_pending *p = conn->pending;

	lockdep_assert_held(&cn->pending_lock);
	if (!p)
		return NULL;
	unlist(cn, p);
	conn->pending = NULL;
	WRITE_ONCE(conn->state, new_state);
	return p;
}

void catoproxy_halfopen_fail(struct net *net, struct nf_conn *ct,
			     struct catoproxy_conn *conn,
			     enum catoproxy_stat stat,
			     enum catoproxy_cause cause)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;

	spin_lock_bh(&cn->pending_lock);
	p = catoproxy_halfopen_detach(cn, conn, CATOPROXY_CONN_FAILED);
	spin_unlock_bh(&cn->pending_lock);
	if (!p)
		return;

	reset_client(net, ct, conn, p->client_isn + 1);
	catoproxy_stat_inc(cn, stat);
	/* Intercepting it again would answer for a server that is gone. */
	if (conn->flags & CATOPROXY_CONN_F_ADAPTIVE)
		catoproxy_adaptive_forget(net, ct);
	catoproxy_event_conn(net, ct, conn, CATOPROXY_EVENT_FAILED, cause);
	nf_ct_kill(ct);
	catoproxy_halfopen_free(p);
}

void catoproxy_halfopen_start(struct catoproxy_net *cn, struct nf_conn *ct,
			      struct catoproxy_conn *conn,
			      struct catoproxy_pending *p,
			      const struct catoproxy_policy *pol)
{
	nf_conntrack_get(&ct->ct_general);
	p->ct = ct;
	p->deadline = jiffies + msecs_to_jiffies(pol->server_timeout_ms);
	p->retx_at = jiffies + HZ;
	conn->state = CATOPROXY_CONN_OPENING;
	if (p->inspecting) {
		/* The server's time starts once its SYN leaves (inspect.c). */
		p->inspect_until = jiffies +
				   msecs_to_jiffies(pol->inspect_timeout_ms);
		p->deadline += p->inspect_until - jiffies;
		conn->state = CATOPROXY_CONN_INSPECTING;
	}

	spin_lock_bh(&cn->pending_lock);
	conn->pending = p;
	list_add_tail(&p->node, &cn->pending_list);
	atomic_inc(&cn->npending);
	if (!timer_pending(&cn->pending_timer))
		mod_timer(&cn->pending_timer, jiffies + TIMER_TICK);
	spin_unlock_bh(&cn->pending_lock);
}

/*
 * The server SYN was dropped before conntrack confirmed its entry (by a
 * later chain, by NAT out of ports, as a clash), or never reached the table
 * before the server timeout: nothing but the half-open table refers to the
 * entry any more, and no packet can ever confirm it. An unconfirmed entry
 * is in no table and holds none of the table's references, so it is never
 * given to nf_ct_kill(), which would unlink it from a list it is not on
 * and drop a reference it does not have; dropping ours frees it.
 */
static bool syn_lost(struct nf_conn *ct)
{
	if (refcount_read(&ct->ct_general.use) != 1)
		return false;
	/*
	 * Whoever dropped the last other reference had confirmed the entry
	 * before, if at all: the reference's release orders it.
	 */
	smp_rmb();
	return !nf_ct_is_confirmed(ct);
}

/*
 * The client of such an entry holds the module's SYN-ACK and would wait for
 * a server that never hears of it: it is reset, unless the entry lost a
 * clash to a live one that gave the client the same answer (a cookie's
 * handshake ACK and its request opened the server half on two CPUs at
 * once). A reset carries this entry's ISN, so a client that took another
 * answer ignores it.
 */
static void syn_dropped(struct net *net, struct catoproxy_net *cn,
			const struct catoproxy_pending *p,
			struct catoproxy_conn *conn)
{
	const struct nf_conntrack_tuple_hash *h;
	const struct catoproxy_conn *live;
	bool same = false;

	h = nf_conntrack_find_get(net, nf_ct_zone(p->ct),
				  &p->ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	if (h) {
		struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);

		live = catoproxy_conn_get(ct);
		same = live && (live->flags & CATOPROXY_CONN_F_ACCEL) &&
		       READ_ONCE(live->isn) == conn->isn;
		nf_ct_put(ct);
	}
	if (same) {
		net_dbg_ratelimited("catoproxy: a half-open connection lost a clash with its own flow\n");
		return;
	}
	reset_client(net, p->ct, conn, p->client_isn + 1);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_SERVER_SYN_DROPPED);
	if (conn->flags & CATOPROXY_CONN_F_ADAPTIVE) {
		rcu_read_lock();
		catoproxy_adaptive_forget(net, p->ct);
		rcu_read_unlock();
	}
	catoproxy_event_conn(net, p->ct, conn, CATOPROXY_EVENT_FAILED,
			     CATOPROXY_CAUSE_SERVER_SYN_DROPPED);
}

static void pending_timer(struct timer_list *timer)
{
	struct catoproxy_net *cn = from_timer(cn, timer, pending_timer);
	struct catoproxy_pending *p, *tmp;
	struct nf_conn *due[INSPECT_DUE_MAX];
	struct {
		struct nf_conn *ct;
		u32 una, ack, fin_seq;
	} page[INSPECT_DUE_MAX];
	unsigned int ndue = 0, npage = 0, budget, i;
	struct sk_buff_head retx;
	LIST_HEAD(expired);
	LIST_HEAD(gone);
	LIST_HEAD(seen);
	unsigned long now = jiffies;
	struct sk_buff *skb;

	__skb_queue_head_init(&retx);
	spin_lock_bh(&cn->pending_lock);
	for (budget = TIMER_BUDGET;
	     budget && !list_empty(&cn->pending_list); budget--) {
		struct catoproxy_conn *conn;

		p = list_first_entry(&cn->pending_list, struct catoproxy_pending,
				     node);
		conn = catoproxy_conn_get(p->ct);
		if (!conn) {
			/* The entry's extensions went stale before confirmation. */
			unlist(cn, p);
			list_add_tail(&p->node, &gone);
			continue;
		}
		if (nf_ct_is_dying(p->ct) || time_after_eq(now, p->deadline) ||
		    syn_lost(p->ct)) {
			catoproxy_halfopen_detach(cn, conn,
						  CATOPROXY_CONN_FAILED);
			list_add_tail(&p->node, &expired);
			continue;
		}
		/* Looked at: to the tail, behind those not yet looked at. */
		list_move_tail(&p->node, &seen);
		if (p->blocked) {
			/* Part of the block page is not acknowledged. */
			if (before(p->page_una, p->fin_seq) &&
			    npage < INSPECT_DUE_MAX &&
			    time_after_eq(now, p->retx_at)) {
				nf_conntrack_get(&p->ct->ct_general);
				page[npage].ct = p->ct;
				page[npage].una = p->page_una;
				page[npage].ack = p->client_isn + 1 + p->buf_len;
				page[npage].fin_seq = p->fin_seq;
				npage++;
				p->retx++;
				p->retx_at = now + (HZ << min(p->retx, 5U));
			}
			continue;
		}
		if (p->inspecting) {
			/* No data in time: the rules decide without a name. */
			if (!p->deciding && ndue < INSPECT_DUE_MAX &&
			    time_after_eq(now, p->inspect_until)) {
				p->deciding = true;
				nf_conntrack_get(&p->ct->ct_general);
				due[ndue++] = p->ct;
			}
			continue;
		}
		/*
		 * Only a SYN the forward path let through is sent again: one
		 * still on its way (in a queue) is not lost, and one a later
		 * chain dropped must stay dropped.
		 */
		if (!p->server_ready && nf_ct_is_confirmed(p->ct) &&
		    time_after_eq(now, p->retx_at)) {
			skb = skb_copy(p->syn, GFP_ATOMIC);
			if (skb) {
				/* The ct travels in the skb's cb until sent. */
				*(struct nf_conn **)skb->cb = p->ct;
				nf_conntrack_get(&p->ct->ct_general);
				__skb_queue_tail(&retx, skb);
			}
			p->retx++;
			p->retx_at = now + (HZ << min(p->retx, 5U));
		}
	}
	list_splice_tail(&seen, &cn->pending_list);
	if (!list_empty(&cn->pending_list))
		mod_timer(&cn->pending_timer, now + TIMER_TICK);
	spin_unlock_bh(&cn->pending_lock);

	for (i = 0; i < ndue; i++) {
		catoproxy_inspect_expired(nf_ct_net(due[i]), due[i]);
		nf_ct_put(due[i]);
	}
	for (i = 0; i < npage; i++) {
		catoproxy_inspect_page_again(nf_ct_net(page[i].ct), page[i].ct,
					     page[i].una, page[i].ack,
					     page[i].fin_seq);
		nf_ct_put(page[i].ct);
	}
	while ((skb = __skb_dequeue(&retx))) {
		struct nf_conn *ct = *(struct nf_conn **)skb->cb;

		if (catoproxy_tx_forward(nf_ct_net(ct), skb, ct, false))
			catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
		else
			catoproxy_stat_inc(cn,
					   CATOPROXY_STAT_SERVER_SYN_RETRANSMITTED);
		nf_ct_put(ct);
	}

	list_for_each_entry_safe(p, tmp, &gone, node) {
		list_del(&p->node);
		catoproxy_halfopen_free(p);
	}
	list_for_each_entry_safe(p, tmp, &expired, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);
		struct net *net = nf_ct_net(p->ct);

		list_del(&p->node);
		if (p->blocked) {
			/* A block page whose client never closed: forget it. */
			nf_ct_kill(p->ct);
		} else if (!nf_ct_is_confirmed(p->ct)) {
			if (conn)
				syn_dropped(net, cn, p, conn);
		} else if (conn && !nf_ct_is_dying(p->ct)) {
			reset_client(net, p->ct, conn, p->client_isn + 1);
			if (p->server_ready) {
				/* Free the server's half-open connection. */
				catoproxy_halfopen_reset_server(net, p->ct,
								p->client_isn + 1);
				catoproxy_stat_inc(cn,
						   CATOPROXY_STAT_CLIENT_TIMEOUT);
				catoproxy_event_conn(net, p->ct, conn,
						     CATOPROXY_EVENT_FAILED,
						     CATOPROXY_CAUSE_CLIENT_TIMEOUT);
			} else {
				catoproxy_stat_inc(cn,
						   CATOPROXY_STAT_SERVER_TIMEOUT);
				/* A silent server is no longer alive either. */
				if (conn->flags & CATOPROXY_CONN_F_ADAPTIVE) {
					rcu_read_lock();
					catoproxy_adaptive_forget(net, p->ct);
					rcu_read_unlock();
				}
				catoproxy_event_conn(net, p->ct, conn,
						     CATOPROXY_EVENT_FAILED,
						     CATOPROXY_CAUSE_SERVER_TIMEOUT);
			}
			nf_ct_kill(p->ct);
		}
		catoproxy_halfopen_free(p);
	}
}

static int halfopen_netdev_event(struct notifier_block *nb,
				 unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct catoproxy_net *cn;
	struct catoproxy_pending *p;
	struct sk_buff *skb, *tmp;
	struct sk_buff_head gone;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	cn = catoproxy_net(dev_net(dev));
	__skb_queue_head_init(&gone);
	spin_lock_bh(&cn->pending_lock);
	list_for_each_entry(p, &cn->pending_list, node) {
		skb_queue_walk_safe(&p->held, skb, tmp) {
			if (skb->dev != dev)
				continue;
			catoproxy_halfopen_unhold(cn, p, skb);
			__skb_queue_tail(&gone, skb);
		}
		if (p->syn && p->syn->dev == dev)
			p->syn->dev = NULL;
	}
	spin_unlock_bh(&cn->pending_lock);

	while ((skb = __skb_dequeue(&gone))) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_DROPPED);
		kfree_skb(skb);
	}
	return NOTIFY_DONE;
}

static struct notifier_block halfopen_netdev_notifier = {
	.notifier_call = halfopen_netdev_event,
};

int catoproxy_halfopen_init(void)
{
	return register_netdevice_notifier(&halfopen_netdev_notifier);
}

void catoproxy_halfopen_uninit(void)
{
	unregister_netdevice_notifier(&halfopen_netdev_notifier);
}

void catoproxy_halfopen_init_net(struct net *net)
{
	timer_setup(&catoproxy_net(net)->pending_timer, pending_timer, 0);
}

/*
 * Take every entry off the list; with @reset, end each connection the
 * client was told is up (its entry confirmed: the SYN went on) with a
 * reset to the client and to the server, which may hold it half-open
 * (a server that got no SYN ignores a reset), as when the timer gives up,
 * without an event. Returns the number reset.
 */
static unsigned int end_all(struct net *net, bool reset)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p, *tmp;
	unsigned int n = 0;
	LIST_HEAD(list);

	spin_lock_bh(&cn->pending_lock);
	list_for_each_entry_safe(p, tmp, &cn->pending_list, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);

		if (conn)
			catoproxy_halfopen_detach(cn, conn,
						  CATOPROXY_CONN_FAILED);
		else
			unlist(cn, p);
		list_add_tail(&p->node, &list);
	}
	spin_unlock_bh(&cn->pending_lock);

	list_for_each_entry_safe(p, tmp, &list, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);

		list_del(&p->node);
		if (reset && conn && nf_ct_is_confirmed(p->ct) &&
		    !nf_ct_is_dying(p->ct)) {
			reset_client(net, p->ct, conn, p->client_isn + 1);
			if (!p->inspecting && !p->blocked)
				catoproxy_halfopen_reset_server(net, p->ct,
								p->client_isn + 1);
			catoproxy_stat_inc(cn, CATOPROXY_STAT_OPENING_RESET);
			nf_ct_kill(p->ct);
			n++;
		}
		catoproxy_halfopen_free(p);
	}
	return n;
}

void catoproxy_halfopen_release_net(struct net *net)
{
	/* Only the timer itself re-arms it now, which this waits out. */
	timer_delete_sync(&catoproxy_net(net)->pending_timer);
	end_all(net, true);
}

void catoproxy_halfopen_exit_net(struct net *net)
{
	unsigned int n;

	/* No hook can add to the list any more; the timer could re-arm. */
	timer_shutdown_sync(&catoproxy_net(net)->pending_timer);
	/*
	 * A namespace still alive is left by the module's unload: its
	 * clients hold connections only the module could open, reset them.
	 * A namespace going away takes its clients' routes with it.
	 */
	n = end_all(net, check_net(net));
	if (n)
		pr_info("unload: %u opening connections reset\n", n);
}
