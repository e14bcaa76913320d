// SPDX-License-Identifier: GPL-2.0
/*
 * A joined full-mode connection. Conntrack's seqadj translates sequence
 * numbers; what it cannot do is done here: timestamps and the server's
 * window scale into the client's terms, the server's retransmitted
 * SYN-ACK (our handshake ACK was lost), and, since the module is the
 * client's peer, the challenge ACK for a client SYN (RFC 5961 4). On unload
 * the connections that need this file to go on are reset.
 */

#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/tcp.h>

#include "netns.h"
#include "seg.h"
#include "splice.h"
#include "tcp.h"
#include "tx.h"

/* Challenge ACKs per connection: one per 2^3 units of 64 ms. */
#define CHALLENGE_UNIT_SHIFT 6
#define CHALLENGE_INTERVAL 8

unsigned int catoproxy_splice_challenge(struct net *net, struct nf_conn *ct,
					struct catoproxy_conn *conn)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	u16 now = (u16)(jiffies_to_msecs(jiffies) >> CHALLENGE_UNIT_SHIFT);
	struct catoproxy_tx tx = {
		.flags = TCPHDR_ACK,
		.window = 0xffff,
	};
	u32 server_next;

	/* The field wraps every 70 minutes: a rare extra suppression. */
	if ((u16)(now - READ_ONCE(conn->challenged)) < CHALLENGE_INTERVAL) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_CHALLENGE_ACK_RATELIMITED);
		return NF_DROP;
	}
	WRITE_ONCE(conn->challenged, now);
	/* The client's RST answering it is judged in rst.c. */
	WRITE_ONCE(conn->follow, CATOPROXY_FOLLOW_F_CHALLENGE);

	/*
	 * Acknowledge what the server has acknowledged of the client: the
	 * client, which no longer knows the connection, answers with an RST
	 * at exactly that number, which rst.c recognises by the same number
	 * (the server's td_maxack) and which is the server's RCV.NXT as far
	 * as the router knows, so that it ends both halves. What the client
	 * sent last (its td_end) would also count data the server never got.
	 * Conntrack keeps the server's numbers untranslated: translate.
	 * ct->lock is conntrack's, over the windows it updates per packet.
	 */
	spin_lock_bh(&ct->lock);
	server_next = ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_end;
	tx.ack = ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_maxack;
	spin_unlock_bh(&ct->lock);
	tx.seq = server_next + nf_ct_seq_offset(ct, IP_CT_DIR_REPLY, server_next);

	catoproxy_tx_between(&tx, ct, true);
	if (catoproxy_tx_segment(net, &tx)) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
		return NF_DROP;
	}
	catoproxy_stat_inc(cn, CATOPROXY_STAT_CHALLENGE_ACK_SENT);
	/* The SYN belongs to a connection the server must not see yet. */
	return NF_DROP;
}

/*
 * The server retransmitted its SYN-ACK after the halves were joined: our
 * handshake ACK was lost. Send it again.
 */
static void server_synack_again(struct net *net, struct nf_conn *ct,
				const struct catoproxy_conn *conn,
				const struct catoproxy_seg *s)
{
	struct catoproxy_tx tx = {
		.seq = ntohl(s->th.ack_seq),
		/* In the client's terms: seqadj maps it back to the server's. */
		.ack = conn->isn + 1,
		.flags = TCPHDR_ACK,
		.track = true,
		.window = 0xffff >> (conn->server_ws == CATOPROXY_TCP_WS_NONE ?
					     0 :
					     conn->client_ws),
	};

	catoproxy_tx_between(&tx, ct, false);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

/* Timestamps and the server's window, into the other side's terms. */
static int translate(struct sk_buff *skb, unsigned int protoff,
		     const struct catoproxy_conn *conn,
		     enum ip_conntrack_dir dir)
{
	bool ts = conn->flags & CATOPROXY_CONN_F_TS;
	bool rescale = conn->flags & (dir == IP_CT_DIR_REPLY ?
					      CATOPROXY_CONN_F_RESCALE :
					      CATOPROXY_CONN_F_RESCALE_ORIG);
	struct tcphdr *th;
	unsigned int thlen;
	int off;

	if (!ts && !rescale)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, protoff + sizeof(*th)))
		return NF_DROP;
	th = (struct tcphdr *)(skb->data + protoff);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || skb_ensure_writable(skb, protoff + thlen))
		return NF_DROP;
	th = (struct tcphdr *)(skb->data + protoff);

	if (ts) {
		off = catoproxy_tcp_find_ts((u8 *)(th + 1), thlen - sizeof(*th));
		if (off >= 0) {
			u8 *p = (u8 *)(th + 1) + off;
			__be32 old, new;
			u32 v;

			/* TSval going to the client, TSecr going to the server. */
			if (dir == IP_CT_DIR_ORIGINAL)
				p += 4;
			v = catoproxy_tcp_get32(p);
			v = dir == IP_CT_DIR_REPLY ? v - conn->ts_off :
						     v + conn->ts_off;
			memcpy(&old, p, 4);
			catoproxy_tcp_put32(p, v);
			memcpy(&new, p, 4);
			inet_proto_csum_replace4(&th->check, skb, old, new,
						 false);
		}
	}
	if (rescale && !th->syn) {
		__be16 win = htons(dir == IP_CT_DIR_REPLY ?
			catoproxy_tcp_rescale(ntohs(th->window),
					      conn->server_ws, conn->told_ws) :
			catoproxy_tcp_rescale(ntohs(th->window),
					      conn->client_ws,
					      CATOPROXY_TCP_WS_NONE));

		inet_proto_csum_replace2(&th->check, skb, th->window, win,
					 false);
		th->window = win;
	}
	return NF_ACCEPT;
}

int catoproxy_splice_help(struct sk_buff *skb, unsigned int protoff,
			  struct nf_conn *ct, enum ip_conntrack_dir dir,
			  struct catoproxy_conn *conn)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	struct catoproxy_seg s;

	/* Every packet of the connection: the flags before the options. */
	th = dir == IP_CT_DIR_REPLY ?
		     skb_header_pointer(skb, protoff, sizeof(_th), &_th) :
		     NULL;
	if (th && th->syn && th->ack && catoproxy_seg_get(skb, protoff, &s)) {
		server_synack_again(nf_ct_net(ct), ct, conn, &s);
		return NF_DROP;
	}
	return translate(skb, protoff, conn, dir);
}

/*
 * Connections to reset are collected under conntrack's bucket locks, where
 * nothing may be sent (a packet of ours could need the same lock), a batch
 * at a time with a reference each, and reset and deleted after.
 */
#define RESET_BATCH 64

struct reset_batch {
	bool (*match)(struct nf_conn *ct, void *data);
	void *data;
	unsigned int n;
	bool more;
	struct nf_conn *ct[RESET_BATCH];
};

static int collect(struct nf_conn *ct, void *arg)
{
	struct reset_batch *b = arg;

	if (nf_ct_is_dying(ct) || !b->match(ct, b->data))
		return 0;
	if (b->n == RESET_BATCH) {
		b->more = true;
		return 0;
	}
	if (refcount_inc_not_zero(&ct->ct_general.use))
		b->ct[b->n++] = ct;
	return 0;
}

/* Reset and delete what the last walk collected; another walk needed? */
static bool reset_collected(struct reset_batch *b)
{
	bool more = b->more;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		/* Deleted, it is dying: the next walk passes it by. */
		if (nf_ct_kill(b->ct[i]))
			catoproxy_splice_reset(b->ct[i]);
		nf_ct_put(b->ct[i]);
	}
	b->n = 0;
	b->more = false;
	return more;
}

void catoproxy_splice_reset_net(struct net *net,
				bool (*match)(struct nf_conn *ct, void *data),
				void *data)
{
	struct reset_batch *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct nf_ct_iter_data d = { .net = net };

	if (!b)
		return;
	b->match = match;
	b->data = data;
	d.data = b;
	do {
		nf_ct_iterate_cleanup_net(collect, &d);
	} while (reset_collected(b));
	kfree(b);
}

/*
 * Unload: a joined connection whose timestamps or windows the module
 * translates cannot outlive it (the client would see the server's clock jump
 * and drop everything as PAWS failures), so both ends get a reset now rather
 * than a silent stall. Connections that need only the sequence offset go on:
 * conntrack's seqadj keeps applying it without us.
 */
static bool spliced_translated(struct nf_conn *ct, void *data)
{
	const struct nf_conn_help *help = nfct_help(ct);
	const struct catoproxy_conn *conn;

	if (!help || rcu_access_pointer(help->helper) != data)
		return false;
	conn = nfct_help_data(ct);
	return READ_ONCE(conn->state) == CATOPROXY_CONN_SPLICED &&
	       (conn->flags & (CATOPROXY_CONN_F_TS | CATOPROXY_CONN_F_RESCALE |
			       CATOPROXY_CONN_F_RESCALE_ORIG));
}

void catoproxy_splice_reset(struct nf_conn *ct)
{
	struct catoproxy_tx tx = { .flags = TCPHDR_RST };
	u32 server_next, client_next;

	/* conntrack's lock over the windows it updates per packet */
	spin_lock_bh(&ct->lock);
	server_next = ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_end;
	client_next = ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].td_end;
	spin_unlock_bh(&ct->lock);

	/* To the client, in the sequence space it knows. */
	catoproxy_tx_between(&tx, ct, true);
	tx.seq = server_next + nf_ct_seq_offset(ct, IP_CT_DIR_REPLY,
						server_next);
	catoproxy_tx_segment(nf_ct_net(ct), &tx);

	catoproxy_tx_between(&tx, ct, false);
	tx.seq = client_next;
	catoproxy_tx_segment(nf_ct_net(ct), &tx);
}

void catoproxy_splice_uninit(const struct nf_conntrack_helper *helper)
{
	struct reset_batch *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return;
	b->match = spliced_translated;
	b->data = (void *)helper;
	/* Every namespace's: no request can add one any more. */
	do {
		nf_ct_iterate_destroy(collect, b);
	} while (reset_collected(b));
	kfree(b);
}
