/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_HALFOPEN_H
#define _CATOPROXY_HALFOPEN_H

#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"
#include "netns.h"

/*
 * A full-mode connection while its server half opens. On
 * catoproxy_net.pending_list from catoproxy_halfopen_start() until
 * catoproxy_halfopen_detach(); the fields after @ct are written under
 * catoproxy_net.pending_lock once the entry is on the list.
 */
struct catoproxy_pending {
	struct list_head node; /* on catoproxy_net.pending_list */
	struct nf_conn *ct; /* a reference */
	struct sk_buff *syn; /* the client's SYN, for retransmission */
	struct sk_buff_head held; /* client segments, oldest first */
	/* their truesize, part of catoproxy_net.held_bytes while listed */
	unsigned int held_bytes;
	unsigned long deadline; /* jiffies: the server is given up */
	unsigned long retx_at; /* jiffies: resend the SYN */
	unsigned int retx;
	u32 client_isn;
	u32 client_tsval; /* newest TSval from the client */
	u32 tsval; /* the module's TSval in its SYN-ACK */
	u16 client_win; /* the client SYN's (unscaled) window */
	__be16 syn_sport; /* cookie connections: to find the SYN we send */
	bool server_ready; /* the server's SYN-ACK is in, offsets are set */
	bool client_acked; /* the client acknowledged our SYN-ACK */
	/*
	 * A payload rule's connection (inspect.c): its SYN has not gone on
	 * yet, and @buf[0..@buf_len) are the client's first bytes, in order,
	 * gathered from the held segments until @inspect_until.
	 */
	bool inspecting;
	bool deciding; /* the decision is being taken: feed nothing more */
	/*
	 * Blocked on its payload, the block page sent (with its FIN, up to
	 * @fin_seq): the client's segments are dropped until its close. The
	 * client acknowledged up to @page_una; the rest is sent again at
	 * @retx_at (backing off, as the server SYN) until it is acknowledged.
	 */
	bool blocked;
	u32 fin_seq;
	u32 page_una;
	u8 *buf;
	u32 buf_len;
	unsigned long inspect_until;
};

/* Publish @p as @conn's opening server half; the table takes @ct's ref. */
void catoproxy_halfopen_start(struct catoproxy_net *cn, struct nf_conn *ct,
			      struct catoproxy_conn *conn,
			      struct catoproxy_pending *p,
			      const struct catoproxy_policy *pol);
/*
 * Take @conn's entry off the table and set its state to @new_state; NULL
 * if it has none. The caller holds @cn->pending_lock and frees the entry
 * after releasing it.
 */
struct catoproxy_pending *catoproxy_halfopen_detach(struct catoproxy_net *cn,
						   struct catoproxy_conn *conn,
						   u8 new_state)
	__must_hold(&cn->pending_lock);
/*
 * Held client segments are bounded in number (catoproxy_halfopen_room())
 * and in memory: their truesize, per connection and per namespace.
 */
#define CATOPROXY_HOLD_MAX 64
#define CATOPROXY_HOLD_CONN_BYTES (256U << 10)
#define CATOPROXY_HOLD_NET_BYTES (16U << 20)
/*
 * Is there room on @p for @skb? 0 if so, else the counter of the bound it
 * would pass (held_dropped: the number; held_limit_conn, held_limit_net:
 * memory). The namespace's bound may be passed by a segment per CPU.
 */
enum catoproxy_stat catoproxy_halfopen_room(struct catoproxy_net *cn,
					    const struct catoproxy_pending *p,
					    const struct sk_buff *skb);
/*
 * Queue @skb on @p's held segments and account for it. The caller owns
 * @p: it holds @cn->pending_lock or @p is not yet published.
 */
void catoproxy_halfopen_hold(struct catoproxy_net *cn,
			     struct catoproxy_pending *p, struct sk_buff *skb);
/* Take @skb off @p's held segments again (the same ownership). */
void catoproxy_halfopen_unhold(struct catoproxy_net *cn,
			       struct catoproxy_pending *p,
			       struct sk_buff *skb);
/*
 * Cookie ACKs may open server halves while fewer than this many
 * connections are opening: twice @backlog, and at least 256 past it.
 */
static inline u32 catoproxy_halfopen_cookie_max(u32 backlog)
{
	return backlog + max(backlog, 256U);
}
/* Free a detached entry, its held segments and its conntrack reference. */
void catoproxy_halfopen_free(struct catoproxy_pending *p);
/* The server half failed: reset the client and forget the connection. */
void catoproxy_halfopen_fail(struct net *net, struct nf_conn *ct,
			     struct catoproxy_conn *conn,
			     enum catoproxy_stat stat,
			     enum catoproxy_cause cause);
/* Reset the server's half; @seq is in its terms (= the client's). */
void catoproxy_halfopen_reset_server(struct net *net, const struct nf_conn *ct,
				     u32 seq);

/*
 * Drop held segments of a device that goes away (see halfopen.c). After
 * the namespaces' state exists (catoproxy_net_init()), for its lifetime.
 */
int catoproxy_halfopen_init(void);
void catoproxy_halfopen_uninit(void);

void catoproxy_halfopen_init_net(struct net *net);
/*
 * The namespace's hooks are gone for good (its policy went off): stop the
 * timer and end every opening connection, resetting both ends.
 */
void catoproxy_halfopen_release_net(struct net *net);
/* Stop the namespace's timer and drop every opening connection. */
void catoproxy_halfopen_exit_net(struct net *net);

#endif /* _CATOPROXY_HALFOPEN_H */
