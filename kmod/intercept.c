// SPDX-License-Identifier: GPL-2.0
/*
 * Full mode: the router answers the client's SYN itself and joins the two
 * halves of the connection with sequence, timestamp and window translation.
 *
 * 1. Client SYN (FORWARD): a SYN-ACK goes back at once, with the module's
 *    ISN and the options the client offered, and the SYN itself goes on to
 *    the server, without its ECN request: both halves open in parallel, so
 *    the proxy costs the client no extra round trip. A signed SYN (TCP-MD5,
 *    TCP-AO) or a Fast Open one (a cookie option, a cookie request, data)
 *    is never answered: its connection runs delayed.
 * 2. While the server has not answered, the client already believes it is
 *    connected and sends. Conntrack would call those segments invalid and the
 *    server would reset them, so a hook in front of conntrack holds them
 *    (bounded) on the connection's struct catoproxy_pending.
 * 3. Server SYN-ACK (the helper callback, at confirmation): the module
 *    completes the server's handshake itself, sets the sequence offset
 *    (conntrack's seqadj applies it to every later packet), records the
 *    timestamp offset and window scales, releases the held segments and
 *    drops the SYN-ACK: the client has had its answer.
 * 4. Server RST, ICMP error, or silence until the server timeout: the client
 *    gets an RST. The server SYN is retransmitted by a per-namespace timer.
 *
 * Conntrack sees the connection as the server sees it: the module's own
 * SYN-ACK and resets towards the client are untracked.
 *
 * This file is steps 1 to 3 and the server's failures; hooks.c says which
 * step a packet takes. The half-open table and its timer are in halfopen.c,
 * the SYN cookies that open a connection when the table is full in
 * cookie.c, what a joined connection needs in splice.c.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/tcp.h>

#include "adaptive.h"
#include "event.h"
#include "halfopen.h"
#include "inspect.h"
#include "intercept.h"
#include "netns.h"
#include "policy.h"
#include "seg.h"
#include "tcp.h"
#include "tx.h"

/* The module's SYN-ACK to the client, for the first SYN or a retransmit. */
static int send_synack(struct net *net, const struct nf_conn *ct,
		       const struct catoproxy_conn *conn,
		       const struct catoproxy_pending *p, u32 mark)
{
	struct catoproxy_tcpopts o = {
		.mss = conn->mss,
		.wscale = conn->told_ws,
		.sack_ok = conn->flags & CATOPROXY_CONN_F_SACK,
		.ts = conn->flags & CATOPROXY_CONN_F_TS,
		.tsval = p->tsval,
		.tsecr = p->client_tsval,
	};
	u8 opts[CATOPROXY_TCP_OPTS_MAX];
	struct catoproxy_tx tx = {
		.seq = conn->isn,
		.ack = p->client_isn + 1,
		.flags = TCPHDR_SYN | TCPHDR_ACK,
		.opts = opts,
		/* What a Linux server offers: 44 segments, unscaled. */
		.window = (u16)min_t(u32, 44U * conn->mss, 65535U),
	};

	catoproxy_tx_between(&tx, ct, true);
	tx.mark = mark;
	tx.optlen = catoproxy_tcp_build_opts(opts, &o);
	return catoproxy_tx_segment(net, &tx);
}

void catoproxy_intercept_offer(struct catoproxy_conn *conn,
			       const struct nf_conn *ct,
			       const struct catoproxy_tcpopts *co,
			       unsigned int mss)
{
	conn->mss = (u16)mss;
	conn->client_ws = co->wscale;
	/* The scale a Linux server picks; replies are rescaled if it differs. */
	conn->told_ws = co->wscale == CATOPROXY_TCP_WS_NONE ?
				CATOPROXY_TCP_WS_NONE : 7;
	conn->server_ws = CATOPROXY_TCP_WS_NONE;
	conn->flags |= CATOPROXY_CONN_F_ACCEL;
	if (co->sack_ok)
		conn->flags |= CATOPROXY_CONN_F_SACK;
	if (co->ts)
		conn->flags |= CATOPROXY_CONN_F_TS;
}

/* The MSS to offer: the client's, within what the route can carry. */
static unsigned int path_mss(const struct nf_conn *ct, unsigned int mtu,
			     unsigned int client_mss)
{
	unsigned int hdrs = (nf_ct_l3num(ct) == NFPROTO_IPV4 ?
				     sizeof(struct iphdr) :
				     sizeof(struct ipv6hdr)) +
			    sizeof(struct tcphdr);

	return min_t(unsigned int, client_mss ? client_mss : 536,
		     mtu > hdrs + 64 ? mtu - hdrs : 536);
}

bool catoproxy_intercept_wants(struct net *net, const struct sk_buff *skb)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct tcphdr *th = NULL;
	struct tcphdr _th;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, ip_hdr(skb)->version == 4 ?
					       NFPROTO_IPV4 :
					       NFPROTO_IPV6);
	if (thoff >= 0)
		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn &&
	       !(tcp_flag_byte(th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN)) &&
	       atomic_read(&cn->npending) <
		       rcu_dereference(cn->policy)->syn_backlog;
}

/* Why the SYN @skb must run delayed: SIGNED, FASTOPEN or 0 (none). */
static u8 exempt_reason(const struct sk_buff *skb, u8 pf)
{
	struct catoproxy_tcpopts co;
	struct catoproxy_seg s;
	int thoff = catoproxy_seg_tcp(skb, pf);

	if (thoff < 0 || !catoproxy_seg_get(skb, thoff, &s) ||
	    !s.th.syn || s.th.ack ||
	    catoproxy_tcp_parse_opts(s.opts, s.optlen, &co))
		return 0;
	if (co.sig)
		return CATOPROXY_REASON_SIGNED;
	if (co.fastopen || skb->len > (unsigned int)thoff + s.th.doff * 4)
		return CATOPROXY_REASON_FASTOPEN;
	return 0;
}

bool catoproxy_intercept_answerable(struct net *net, const struct sk_buff *skb,
				    u8 pf)
{
	return catoproxy_intercept_wants(net, skb) && !exempt_reason(skb, pf);
}

void catoproxy_intercept_exempt(struct net *net, const struct sk_buff *skb,
				u8 pf, struct catoproxy_decision *d)
{
	u8 why = exempt_reason(skb, pf);

	if (why == CATOPROXY_REASON_SIGNED) {
		/*
		 * The signature covers the header and a key only the
		 * endpoints hold: the client drops an unsigned SYN-ACK, and
		 * a SYN with another ISN or options fails at the server.
		 * Delayed mode touches no segment and still follows the
		 * resets.
		 */
		d->mode = CATOPROXY_MODE_DELAYED;
		d->reason = CATOPROXY_REASON_SIGNED;
		catoproxy_stat_inc(catoproxy_net(net),
				   CATOPROXY_STAT_SYN_PASSED_SIGNED);
	} else if (why == CATOPROXY_REASON_FASTOPEN) {
		/*
		 * TCP Fast Open: the server alone issues and checks the
		 * cookie and decides whether the SYN's data is accepted,
		 * which its SYN-ACK says by acknowledging past it. Answered
		 * here, the client would never get a cookie and, once it
		 * has one, the server would acknowledge data the module had
		 * not. End to end, the data is delivered once, as the
		 * server decides.
		 */
		d->mode = CATOPROXY_MODE_DELAYED;
		d->reason = CATOPROXY_REASON_FASTOPEN;
		catoproxy_stat_inc(catoproxy_net(net),
				   CATOPROXY_STAT_SYN_PASSED_FASTOPEN);
	}
}

/* Accurate ECN's AE flag, once NS: not in every kernel's tcp.h. */
#define ECN_FLAG_AE cpu_to_be32(0x01000000)

/*
 * ECN is negotiated by the SYN-ACK (RFC 3168 6.1.1), which the module sends
 * before it knows whether the server will take ECN. It never offers it, so
 * the server must not be asked either: both halves run without ECN. See
 * Documentation/full-proxy.rst for why not the other way round.
 */
static int strip_ecn(struct sk_buff *skb, unsigned int thoff)
{
	struct tcphdr *th;
	__be32 old;

	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return -ENOMEM;
	th = (struct tcphdr *)(skb->data + thoff);
	old = tcp_flag_word(th);
	tcp_flag_word(th) &= ~(TCP_FLAG_ECE | TCP_FLAG_CWR | ECN_FLAG_AE);
	if (tcp_flag_word(th) != old)
		inet_proto_csum_replace4(&th->check, skb, old,
					 tcp_flag_word(th), false);
	return 0;
}

bool catoproxy_intercept_prepare(struct nf_conn *ct)
{
	return nfct_seqadj_ext_add(ct);
}

unsigned int catoproxy_intercept_syn(struct net *net, struct sk_buff *skb,
				     struct nf_conn *ct,
				     struct catoproxy_conn *conn, bool inspect)
{
	/* An inspected SYN that cannot be answered must not reach the server. */
	unsigned int fail = inspect ? NF_DROP : NF_ACCEPT;
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct catoproxy_policy *pol;
	struct catoproxy_tcpopts co;
	struct catoproxy_pending *p;
	struct catoproxy_seg s;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, nf_ct_l3num(ct));
	if (thoff < 0 || !catoproxy_seg_get(skb, thoff, &s) ||
	    tcp_flag_byte(&s.th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN) ||
	    !s.th.syn || catoproxy_tcp_parse_opts(s.opts, s.optlen, &co))
		return fail;

	pol = rcu_dereference(cn->policy);
	if (atomic_read(&cn->npending) >= pol->syn_backlog)
		return fail;

	/* Unwritable: not intercepted, and ECN stays end to end. */
	if (strip_ecn(skb, thoff))
		return fail;
	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return fail;
	/* The server SYN, retransmissions included, asks for no ECN. */
	p->syn = skb_copy(skb, GFP_ATOMIC);
	/* Added before the helper's by the hook: see catoproxy_intercept_prepare(). */
	if (!p->syn || !nfct_seqadj(ct))
		goto err_free;
	/* The copy is resent later along a fresh route, with the ct set then. */
	skb_dst_drop(p->syn);
	nf_reset_ct(p->syn);
	__skb_queue_head_init(&p->held);
	p->client_isn = ntohl(s.th.seq);
	p->client_win = ntohs(s.th.window);
	p->client_tsval = co.tsval;
	p->tsval = (u32)tcp_clock_ms();
	p->inspecting = inspect;

	/* Offer what the client offered, within what the path can carry. */
	catoproxy_intercept_offer(conn, ct, &co,
				  path_mss(ct, dst_mtu(skb_dst(skb)), co.mss));
	conn->isn = get_random_u32();

	/* Answer before publishing: afterwards @p may go at any moment. */
	if (send_synack(net, ct, conn, p, catoproxy_tx_reply_mark(net, skb)))
		catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
	catoproxy_halfopen_start(cn, ct, conn, p, pol);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_SYN_INTERCEPTED);
	/*
	 * The SYN itself goes on: it opens the server half. An inspected
	 * one only as far as conntrack's confirmation (inspect.c).
	 */
	return NF_ACCEPT;

err_free:
	kfree_skb(p->syn);
	kfree(p);
	return fail;
}

unsigned int catoproxy_intercept_forward(struct net *net, struct sk_buff *skb,
				     struct nf_conn *ct,
				     enum ip_conntrack_info ctinfo,
				     struct catoproxy_conn *conn)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;
	struct catoproxy_seg s;
	int ret = -ENOENT;
	int thoff;

	u8 state = READ_ONCE(conn->state);

	if (state != CATOPROXY_CONN_OPENING &&
	    state != CATOPROXY_CONN_INSPECTING)
		return NF_ACCEPT;

	/*
	 * A retransmitted client SYN: our SYN-ACK was lost. Answer it again,
	 * the same way, and let the SYN on as a retransmission to the server,
	 * unless the server is not to see anything yet (inspecting).
	 */
	if (CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return NF_ACCEPT;
	thoff = catoproxy_seg_tcp(skb, nf_ct_l3num(ct));
	if (thoff < 0 || !catoproxy_seg_get(skb, thoff, &s) || !s.th.syn ||
	    s.th.ack)
		return NF_ACCEPT;
	/* The server answers it as the first: without ECN. */
	if (strip_ecn(skb, thoff))
		return NF_DROP;
	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	/*
	 * A client that acknowledged our SYN-ACK has it: this SYN is the
	 * module's own retransmission to the server (halfopen.c), which
	 * passes here like the client's.
	 */
	if (p && ntohl(s.th.seq) == p->client_isn && !p->client_acked)
		ret = send_synack(net, ct, conn, p,
				  catoproxy_tx_reply_mark(net, skb));
	if (p && p->inspecting)
		state = CATOPROXY_CONN_INSPECTING;
	spin_unlock_bh(&cn->pending_lock);
	if (!ret)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_SYNACK_RETRANSMITTED);
	return state == CATOPROXY_CONN_INSPECTING ? NF_DROP : NF_ACCEPT;
}

/*
 * Both halves are up: release the held segments, which start with the
 * client's own handshake ACK and so complete the server's handshake too.
 * They go on from where they were taken, through conntrack, the
 * translation and every FORWARD chain, as forwarded ones do (tx.c).
 */
static void join(struct net *net, struct nf_conn *ct,
		 struct catoproxy_conn *conn, struct catoproxy_pending *p)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct sk_buff *held;

	while ((held = __skb_dequeue(&p->held)))
		if (catoproxy_tx_forward(net, held, ct, true))
			catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);

	catoproxy_stat_inc(cn, CATOPROXY_STAT_SERVER_OPEN_OK);
	catoproxy_event_conn(net, ct, conn, CATOPROXY_EVENT_SPLICED,
			     CATOPROXY_CAUSE_NONE);
	catoproxy_halfopen_free(p);
}

unsigned int catoproxy_intercept_hold(struct net *net, struct sk_buff *skb,
				      struct nf_conn *ct,
				      struct catoproxy_conn *conn,
				      const struct tcphdr *th, unsigned int thoff)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_inspect inspect;
	struct catoproxy_pending *p;
	unsigned int verdict = NF_ACCEPT;
	enum catoproxy_stat why;
	bool decide = false;
	bool handshake;

	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	/*
	 * The client's handshake ACK is held whatever the bounds: without it
	 * the halves are never joined. One per connection.
	 */
	handshake = p && !p->client_acked && th->ack &&
		    ntohl(th->ack_seq) == conn->isn + 1;
	if (!p) {
		/* The server half came up meanwhile: conntrack takes it. */
	} else if (th->rst && p->inspecting) {
		/* The client gave up before the server saw anything. */
		p = catoproxy_halfopen_detach(cn, conn,
					      CATOPROXY_CONN_FAILED);
		spin_unlock_bh(&cn->pending_lock);
		catoproxy_halfopen_free(p);
		nf_ct_kill(ct);
		return NF_DROP;
	} else if (p->blocked) {
		/* Blocked, the page sent: its close ends it, nothing passes. */
		verdict = NF_DROP;
		/* What of the page it has: the timer sends the rest again. */
		if (th->ack && after(ntohl(th->ack_seq), p->page_una) &&
		    !after(ntohl(th->ack_seq), p->fin_seq))
			p->page_una = ntohl(th->ack_seq);
		if (th->fin) {
			u32 seq = p->fin_seq;

			p = catoproxy_halfopen_detach(cn, conn,
						      CATOPROXY_CONN_FAILED);
			spin_unlock_bh(&cn->pending_lock);
			catoproxy_inspect_close(net, skb, ct, th, thoff, seq);
			catoproxy_halfopen_free(p);
			return verdict;
		}
	} else if (th->rst) {
		u32 next = p->client_isn + 1;

		/* Blind: outside the window our SYN-ACK offered the client. */
		if (ntohl(th->seq) - next > min_t(u32, 44U * conn->mss, 65535U)) {
			spin_unlock_bh(&cn->pending_lock);
			catoproxy_stat_inc(cn, CATOPROXY_STAT_RST_OUT_OF_WINDOW);
			return NF_DROP;
		}
		p = catoproxy_halfopen_detach(cn, conn,
					      CATOPROXY_CONN_FAILED);
		spin_unlock_bh(&cn->pending_lock);
		catoproxy_halfopen_free(p);
		/*
		 * The server may hold the half it answered (SYN-RECEIVED) and
		 * would keep answering for a minute. The client's RST speaks
		 * of the module's handshake: its ACK is the module's ISN, its
		 * sequence number counts data the server never got, and the
		 * connection's state is gone once it has passed. The server
		 * gets the reset any stack takes in SYN-RECEIVED instead: no
		 * ACK, at the one sequence number it has acknowledged. A
		 * server that never got the SYN ignores it.
		 */
		catoproxy_halfopen_reset_server(net, ct, next);
		nf_ct_kill(ct);
		return NF_DROP;
	} else if (!handshake && (why = catoproxy_halfopen_room(cn, p, skb))) {
		catoproxy_stat_inc(cn, why);
		verdict = NF_DROP;
		/* Held segments and still no name: decide without one. */
		decide = catoproxy_inspect_feed(p, true, &inspect);
	} else {
		struct catoproxy_tcpopts co;
		u8 opts[40];
		unsigned int optlen = th->doff * 4 - sizeof(*th);

		if (th->doff >= 5 &&
		    !skb_copy_bits(skb, thoff + sizeof(*th), opts, optlen) &&
		    !catoproxy_tcp_parse_opts(opts, optlen, &co) && co.ts)
			p->client_tsval = co.tsval;
		if (handshake)
			p->client_acked = true;
		skb_dst_drop(skb);
		catoproxy_halfopen_hold(cn, p, skb);
		catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_SEGMENTS);
		verdict = NF_STOLEN;
		decide = catoproxy_inspect_feed(p, false, &inspect);
		if (p->server_ready && p->client_acked) {
			p = catoproxy_halfopen_detach(cn, conn,
						      CATOPROXY_CONN_SPLICED);
			spin_unlock_bh(&cn->pending_lock);
			join(net, ct, conn, p);
			return verdict;
		}
	}
	spin_unlock_bh(&cn->pending_lock);
	if (decide)
		catoproxy_inspect_decide(net, ct, conn, &inspect);
	return verdict;
}

/*
 * The server's SYN-ACK: record what the server chose. The halves are
 * joined only once the client has acknowledged our SYN-ACK too: a spoofed
 * SYN must never become an established connection on the server, which
 * completing its handshake ourselves would make it.
 */
static int server_synack(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			 struct catoproxy_conn *conn, const struct catoproxy_seg *s)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_tcpopts so;
	struct catoproxy_pending *p;
	u32 siss = ntohl(s->th.seq);

	if (catoproxy_tcp_parse_opts(s->opts, s->optlen, &so))
		return NF_DROP;

	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	/* A retransmission while we wait for the client changes nothing. */
	if (!p || p->server_ready ||
	    ntohl(s->th.ack_seq) != p->client_isn + 1) {
		spin_unlock_bh(&cn->pending_lock);
		return NF_DROP;
	}
	nf_ct_seqadj_init(ct, ctinfo, conn->isn - siss);
	if ((conn->flags & CATOPROXY_CONN_F_TS) && so.ts)
		conn->ts_off = so.tsval - p->tsval;
	else
		conn->flags &= ~CATOPROXY_CONN_F_TS;
	/* Window scaling is on only if both ends offered it. */
	conn->server_ws = conn->client_ws == CATOPROXY_TCP_WS_NONE ?
				  CATOPROXY_TCP_WS_NONE :
				  so.wscale;
	if (conn->server_ws != conn->told_ws)
		conn->flags |= CATOPROXY_CONN_F_RESCALE;
	/*
	 * The client scales its windows (it was offered scaling); a server
	 * that declined scaling reads them unscaled and would see a window
	 * 128 times too small.
	 */
	if (conn->client_ws != CATOPROXY_TCP_WS_NONE &&
	    so.wscale == CATOPROXY_TCP_WS_NONE)
		conn->flags |= CATOPROXY_CONN_F_RESCALE_ORIG;
	p->server_ready = true;
	if (p->client_acked)
		p = catoproxy_halfopen_detach(cn, conn,
					      CATOPROXY_CONN_SPLICED);
	else
		p = NULL;
	spin_unlock_bh(&cn->pending_lock);

	if (conn->flags & CATOPROXY_CONN_F_ADAPTIVE)
		catoproxy_adaptive_learn(net, ct);
	if (!p)
		return NF_DROP;

	join(net, ct, conn, p);
	/* The client has had its SYN-ACK; this one would confuse it. */
	return NF_DROP;
}

/*
 * The server answered the module's SYN with a bare ACK: it still holds a
 * connection on this tuple that the client has lost, and challenges the SYN
 * (RFC 5961 4). Do what the client's stack would do in SYN-SENT: an RST at
 * the ACK's acknowledgment number, which ends the old connection, then the
 * SYN again at once.
 */
static void server_challenge(struct net *net, struct nf_conn *ct,
			     struct catoproxy_conn *conn, const struct catoproxy_seg *s)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;
	bool reset = false;

	/* Strict: as a firewall that drops the client's answer would. */
	if (rcu_dereference(cn->policy)->challenge_ack ==
	    CATOPROXY_CHALLENGE_ACK_STRICT) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_RST_CHALLENGE_DROPPED);
		return;
	}
	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	if (p && !p->server_ready) {
		/* The timer sends it on its next tick, after the RST. */
		p->retx_at = jiffies;
		reset = true;
	}
	spin_unlock_bh(&cn->pending_lock);
	if (!reset)
		return;
	catoproxy_halfopen_reset_server(net, ct, ntohl(s->th.ack_seq));
	catoproxy_stat_inc(cn, CATOPROXY_STAT_SERVER_CHALLENGE_RESET);
}

int catoproxy_intercept_server(struct net *net, struct sk_buff *skb,
			       unsigned int protoff, struct nf_conn *ct,
			       enum ip_conntrack_info ctinfo,
			       struct catoproxy_conn *conn)
{
	struct catoproxy_seg s;

	if (!catoproxy_seg_get(skb, protoff, &s))
		return NF_DROP;
	if (s.th.rst) {
		catoproxy_halfopen_fail(net, ct, conn,
					CATOPROXY_STAT_SERVER_OPEN_FAILED,
					CATOPROXY_CAUSE_SERVER_RST);
		return NF_DROP;
	}
	if (s.th.syn && s.th.ack)
		return server_synack(net, skb, ct, ctinfo, conn, &s);
	if (s.th.ack)
		server_challenge(net, ct, conn, &s);
	return NF_DROP;
}
