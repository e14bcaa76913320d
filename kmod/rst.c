// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 5961 for the connections the module tracks: blind (out-of-window)
 * resets are dropped, and the client's RST that answers a server's
 * challenge ACK is let through, or dropped when challenge-ack is strict.
 * The decisions are tcp.c's catoproxy_tcp_follow(); this file feeds it
 * segments and conntrack's view of the windows.
 *
 * Conntrack keeps each direction's window in that direction's own
 * sequence space (it undoes seqadj itself), so the same check holds for
 * spliced full-mode connections, whose halves are translated.
 *
 * Blind resets are dropped before conntrack sees them
 * (catoproxy_rst_pre()): conntrack takes an RST up to a window above the
 * receiver's as a sender's overshoot and moves the sender's end to it, after
 * which the peer's genuine segments look like "ACK under lower bound" and
 * its acknowledgments of them invalid; a spliced connection, whose invalid
 * segments the module drops, and any connection behind a "ct state invalid
 * drop" rule would die of one such RST. The rest of the decision (the
 * answer to a challenge ACK) is taken after conntrack, which knows the
 * direction of every segment; segments conntrack found invalid carry no
 * entry and are looked up, in the default zone only. Segments the ruleset
 * chose not to track are left alone.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_l4proto.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/tcp.h>

#include "netns.h"
#include "rst.h"
#include "seg.h"
#include "splice.h"
#include "tcp.h"
#include "tx.h"

/* The TCP header at @thoff, or NULL. */
static const struct tcphdr *rst_th(const struct sk_buff *skb,
				   unsigned int thoff, struct tcphdr *buf)
{
	return skb_header_pointer(skb, thoff, sizeof(*buf), buf);
}

/*
 * What catoproxy_tcp_follow() says of @th on @ct, going @dir, from @conn's
 * state, into @st; the windows it was judged against in @seg.
 */
static enum catoproxy_tcp_follow
follow(struct catoproxy_net *cn, struct nf_conn *ct, enum ip_conntrack_dir dir,
       const struct catoproxy_conn *conn, const struct tcphdr *th,
       struct catoproxy_tcp_follow_state *st,
       struct catoproxy_tcp_follow_seg *seg)
{
	bool accel = READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL;
	const struct ip_ct_tcp_state *snd, *rcv;

	*seg = (struct catoproxy_tcp_follow_seg){
		.original = dir == IP_CT_DIR_ORIGINAL,
		.flags = tcp_flag_byte(th),
		.seq = ntohl(th->seq),
		.ack = ntohl(th->ack_seq),
	};
	if (th->rst) {
		/* conntrack's lock over the windows it updates per packet */
		spin_lock_bh(&ct->lock);
		snd = &ct->proto.tcp.seen[dir];
		rcv = &ct->proto.tcp.seen[!dir];
		/*
		 * A flow picked up mid-stream has windows conntrack itself
		 * does not trust (be-liberal): neither do we.
		 */
		seg->window_known = nf_conntrack_tcp_established(ct) &&
				    (rcv->flags & IP_CT_TCP_FLAG_MAXACK_SET) &&
				    !((snd->flags | rcv->flags) &
				      IP_CT_TCP_FLAG_BE_LIBERAL);
		seg->rcv_nxt = rcv->td_maxack;
		seg->rcv_end = snd->td_maxend;
		spin_unlock_bh(&ct->lock);
	}
	/*
	 * Both directions may run on two CPUs at once: a lost update only
	 * misses a challenge, which then looks like an ordinary RST.
	 */
	st->flags = READ_ONCE(conn->follow);
	if (!accel)
		st->challenge_ack = READ_ONCE(conn->challenge_ack);
	else
		/*
		 * An accelerated connection's isn is not ours to reuse; its
		 * challenges are the module's own (splice.c), which
		 * acknowledge exactly what the server has received.
		 */
		st->challenge_ack = seg->rcv_nxt;
	return catoproxy_tcp_follow(st, seg,
				    rcu_dereference(cn->policy)->challenge_ack ==
					    CATOPROXY_CHALLENGE_ACK_STRICT);
}

/* A blind reset: counted and dropped. */
static unsigned int out_of_window(struct catoproxy_net *cn,
				  const struct catoproxy_tcp_follow_seg *seg)
{
	catoproxy_stat_inc(cn, CATOPROXY_STAT_RST_OUT_OF_WINDOW);
	net_dbg_ratelimited("catoproxy: out-of-window RST seq %u, window %u-%u\n",
			    seg->seq, seg->rcv_nxt, seg->rcv_end);
	return NF_DROP;
}

static unsigned int judge(struct net *net, struct nf_conn *ct,
			  enum ip_conntrack_dir dir,
			  struct catoproxy_conn *conn, const struct tcphdr *th)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	bool accel = READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL;
	struct catoproxy_tcp_follow_state st;
	struct catoproxy_tcp_follow_seg seg;
	enum catoproxy_tcp_follow what;

	what = follow(cn, ct, dir, conn, th, &st, &seg);
	if (!accel)
		WRITE_ONCE(conn->challenge_ack, st.challenge_ack);
	WRITE_ONCE(conn->follow, st.flags);

	switch (what) {
	case CATOPROXY_FOLLOW_PASS:
		break;
	case CATOPROXY_FOLLOW_CHALLENGE_SEEN:
		catoproxy_stat_inc(cn, CATOPROXY_STAT_CHALLENGE_ACK_SEEN);
		break;
	case CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW:
		return out_of_window(cn, &seg);
	case CATOPROXY_FOLLOW_RST_CHALLENGE_ALLOWED:
		catoproxy_stat_inc(cn, CATOPROXY_STAT_RST_CHALLENGE_ALLOWED);
		/*
		 * The server drops the old connection on this RST; so do we,
		 * so that the client's next SYN gets a fresh entry and a
		 * fresh policy decision.
		 */
		nf_ct_kill(ct);
		break;
	case CATOPROXY_FOLLOW_RST_CHALLENGE_DROPPED:
		catoproxy_stat_inc(cn, CATOPROXY_STAT_RST_CHALLENGE_DROPPED);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

unsigned int catoproxy_rst_pre(struct net *net, struct nf_conn *ct,
			       enum ip_conntrack_dir dir,
			       const struct catoproxy_conn *conn,
			       const struct tcphdr *th)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_tcp_follow_state st;
	struct catoproxy_tcp_follow_seg seg;

	/*
	 * Judged on a copy of the state: whatever else the RST is (the
	 * answer to a challenge ACK, an in-window one the receiver will
	 * challenge) is decided after conntrack, by catoproxy_rst_follow().
	 */
	if (follow(cn, ct, dir, conn, th, &st, &seg) !=
	    CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW)
		return NF_ACCEPT;
	return out_of_window(cn, &seg);
}

unsigned int catoproxy_rst_follow(struct net *net, struct sk_buff *skb,
				  struct nf_conn *ct,
				  enum ip_conntrack_info ctinfo,
				  struct catoproxy_conn *conn)
{
	const struct tcphdr *th;
	struct tcphdr buf;
	int thoff;

	/*
	 * Only TCP segments are judged: an ICMP error about the connection
	 * (conntrack relates it to the entry) is none, whatever its bytes
	 * would say read as a TCP header.
	 */
	thoff = catoproxy_seg_tcp(skb, nf_ct_l3num(ct));
	if (thoff < 0)
		return NF_ACCEPT;
	th = rst_th(skb, thoff, &buf);
	if (!th)
		return NF_ACCEPT;
	/* Plain data with no SYN outstanding: nothing to follow. */
	if (!th->rst && !th->syn && !READ_ONCE(conn->follow))
		return NF_ACCEPT;
	/* Towards the client, an intercepted connection's peer is us. */
	if (th->syn && !th->ack && CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL &&
	    (READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL) &&
	    READ_ONCE(conn->state) == CATOPROXY_CONN_SPLICED)
		return catoproxy_splice_challenge(net, ct, conn);
	return judge(net, ct, CTINFO2DIR(ctinfo), conn, th);
}

unsigned int catoproxy_rst_invalid(struct net *net, struct sk_buff *skb,
				   u8 pf)
{
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	struct catoproxy_conn *conn;
	const struct tcphdr *th;
	unsigned int verdict = NF_ACCEPT;
	struct tcphdr buf;
	struct nf_conn *ct;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, pf);
	if (thoff < 0)
		return NF_ACCEPT;
	th = rst_th(skb, thoff, &buf);
	if (!th)
		return NF_ACCEPT;

	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), pf, net, &tuple))
		return NF_ACCEPT;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (!h)
		return NF_ACCEPT;
	ct = nf_ct_tuplehash_to_ctrack(h);
	conn = catoproxy_conn_get(ct);
	if (!conn)
		goto out;
	if (th->rst) {
		verdict = judge(net, ct, NF_CT_DIRECTION(h), conn, th);
	} else if ((READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL) &&
		   READ_ONCE(conn->state) == CATOPROXY_CONN_SPLICED) {
		/*
		 * The module is each side's peer: what neither window admits
		 * would be ignored (or challenged) by an endpoint, so it goes
		 * no further.
		 */
		catoproxy_stat_inc(catoproxy_net(net),
				   CATOPROXY_STAT_INVALID_DROPPED);
		verdict = NF_DROP;
	}
out:
	nf_ct_put(ct);
	return verdict;
}
