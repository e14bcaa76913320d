// SPDX-License-Identifier: GPL-2.0
/*
 * Full mode: the router answers the client's SYN itself and joins the two
 * halves of the connection with sequence, timestamp and window translation.
 *
 * 1. Client SYN (FORWARD): a SYN-ACK goes back at once, with the module's
 *    ISN and the options the client offered, and the SYN itself goes on to
 *    the server: both halves open in parallel, so the proxy costs the client
 *    no extra round trip.
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
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/tcp.h>

#include "adaptive.h"
#include "event.h"
#include "netns.h"
#include "policy.h"
#include "proxy.h"
#include "tcp.h"
#include "tx.h"

/* Client segments held per opening connection; more are dropped. */
#define HOLD_MAX 64
#define TIMER_TICK (HZ / 10)

struct catoproxy_pending {
	struct list_head node; /* on catoproxy_net.pending_list */
	struct nf_conn *ct; /* a reference */
	struct sk_buff *syn; /* the client's SYN, for retransmission */
	struct sk_buff_head held; /* client segments, oldest first */
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
};

struct seg {
	struct tcphdr th;
	u8 opts[40];
	unsigned int optlen;
};

/* Copy the TCP header and options at @thoff; false if truncated. */
static bool seg_get(const struct sk_buff *skb, unsigned int thoff,
		    struct seg *s)
{
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(s->th), &s->th);
	if (!th || th->doff < 5)
		return false;
	s->th = *th;
	s->optlen = th->doff * 4 - sizeof(*th);
	return !skb_copy_bits(skb, thoff + sizeof(*th), s->opts, s->optlen);
}

static u16 ct_family(const struct nf_conn *ct)
{
	return nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

static const struct nf_conntrack_tuple *orig(const struct nf_conn *ct)
{
	return &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
}

static unsigned int cookie_ack(struct net *net, struct sk_buff *skb,
			       const struct tcphdr *th, unsigned int thoff);
static void join(struct net *net, struct nf_conn *ct,
		 struct catoproxy_conn *conn, struct catoproxy_pending *p);
static bool cookie_for_full(struct net *net, const struct sk_buff *skb, u8 pf,
			    const struct tcphdr *th);

/*
 * Address @tx as the server talking to the client (@to_client) or as the
 * client talking to the server, from @ct's original tuple.
 */
static void tx_between(struct catoproxy_tx *tx, const struct nf_conn *ct,
		       bool to_client)
{
	const struct nf_conntrack_tuple *t = orig(ct);

	tx->family = ct_family(ct);
	if (to_client) {
		tx->saddr = &t->dst.u3;
		tx->daddr = &t->src.u3;
		tx->sport = t->dst.u.tcp.port;
		tx->dport = t->src.u.tcp.port;
	} else {
		tx->saddr = &t->src.u3;
		tx->daddr = &t->dst.u3;
		tx->sport = t->src.u.tcp.port;
		tx->dport = t->dst.u.tcp.port;
	}
}

/* The module's SYN-ACK to the client, for the first SYN or a retransmit. */
static int send_synack(struct net *net, const struct nf_conn *ct,
		       const struct catoproxy_conn *conn,
		       const struct catoproxy_pending *p)
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

	tx_between(&tx, ct, true);
	tx.optlen = catoproxy_tcp_build_opts(opts, &o);
	return catoproxy_tx_segment(net, &tx);
}

/* Reset the client's half: it was told the connection is up. */
static void reset_client(struct net *net, const struct nf_conn *ct,
			 const struct catoproxy_conn *conn, u32 client_next)
{
	struct catoproxy_tx tx = {
		.seq = conn->isn + 1,
		.ack = client_next,
		.flags = TCPHDR_RST | TCPHDR_ACK,
	};

	tx_between(&tx, ct, true);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

/* Reset the server's half; @seq is in its terms (= the client's). */
static void reset_server(struct net *net, const struct nf_conn *ct, u32 seq)
{
	struct catoproxy_tx tx = {
		.seq = seq,
		.flags = TCPHDR_RST,
	};

	tx_between(&tx, ct, false);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

static void pending_free(struct catoproxy_pending *p)
{
	__skb_queue_purge(&p->held);
	kfree_skb(p->syn);
	nf_ct_put(p->ct);
	kfree(p);
}

/* Take @conn's pending state off the list. Caller holds pending_lock. */
static struct catoproxy_pending *pending_detach(struct catoproxy_net *cn,
						struct catoproxy_conn *conn,
						u8 new_state)
{
	struct catoproxy_pending *p = conn->pending;

	lockdep_assert_held(&cn->pending_lock);
	if (!p)
		return NULL;
	list_del(&p->node);
	atomic_dec(&cn->npending);
	conn->pending = NULL;
	WRITE_ONCE(conn->state, new_state);
	return p;
}

/* The server half failed: reset the client and forget the connection. */
static void open_failed(struct net *net, struct nf_conn *ct,
			struct catoproxy_conn *conn,
			enum catoproxy_stat stat, enum catoproxy_cause cause)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;

	spin_lock_bh(&cn->pending_lock);
	p = pending_detach(cn, conn, CATOPROXY_CONN_FAILED);
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
	pending_free(p);
}

/* Fill @conn from the client's options, as the SYN-ACK will offer them. */
static void conn_offer(struct catoproxy_conn *conn, const struct nf_conn *ct,
		       const struct catoproxy_tcpopts *co, unsigned int mss)
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

/* Publish @p as @conn's opening server half. */
static void pending_start(struct catoproxy_net *cn, struct nf_conn *ct,
			  struct catoproxy_conn *conn,
			  struct catoproxy_pending *p,
			  const struct catoproxy_policy *pol)
{
	nf_conntrack_get(&ct->ct_general);
	p->ct = ct;
	p->deadline = jiffies + msecs_to_jiffies(pol->server_timeout_ms);
	p->retx_at = jiffies + HZ;
	conn->state = CATOPROXY_CONN_OPENING;

	spin_lock_bh(&cn->pending_lock);
	conn->pending = p;
	list_add_tail(&p->node, &cn->pending_list);
	atomic_inc(&cn->npending);
	if (!timer_pending(&cn->pending_timer))
		mod_timer(&cn->pending_timer, jiffies + TIMER_TICK);
	spin_unlock_bh(&cn->pending_lock);
}

/* The MSS to offer: the client's, within what the route can carry. */
static unsigned int path_mss(const struct nf_conn *ct, unsigned int mtu,
			     unsigned int client_mss)
{
	unsigned int hdrs = (ct_family(ct) == AF_INET ?
				     sizeof(struct iphdr) :
				     sizeof(struct ipv6hdr)) +
			    sizeof(struct tcphdr);

	return min_t(unsigned int, client_mss ? client_mss : 536,
		     mtu > hdrs + 64 ? mtu - hdrs : 536);
}

bool catoproxy_proxy_wants(struct net *net, const struct sk_buff *skb)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct tcphdr *th;
	struct tcphdr _th;

	th = skb_header_pointer(skb, skb_transport_offset(skb), sizeof(_th),
				&_th);
	return th && th->syn &&
	       !(tcp_flag_byte(th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN)) &&
	       atomic_read(&cn->npending) <
		       rcu_dereference(cn->policy)->syn_backlog;
}

bool catoproxy_proxy_prepare(struct nf_conn *ct)
{
	return nfct_seqadj_ext_add(ct);
}

unsigned int catoproxy_proxy_syn(struct net *net, struct sk_buff *skb,
				 struct nf_conn *ct, struct catoproxy_conn *conn)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct catoproxy_policy *pol;
	struct catoproxy_tcpopts co;
	struct catoproxy_pending *p;
	struct seg s;

	if (!seg_get(skb, skb_transport_offset(skb), &s) ||
	    tcp_flag_byte(&s.th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN) ||
	    !s.th.syn || catoproxy_tcp_parse_opts(s.opts, s.optlen, &co))
		return NF_ACCEPT;

	pol = rcu_dereference(cn->policy);
	if (atomic_read(&cn->npending) >= pol->syn_backlog)
		return NF_ACCEPT;

	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return NF_ACCEPT;
	p->syn = skb_copy(skb, GFP_ATOMIC);
	/* Added before the helper's by the hook: see catoproxy_proxy_prepare(). */
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

	/* Offer what the client offered, within what the path can carry. */
	conn_offer(conn, ct, &co,
		   path_mss(ct, dst_mtu(skb_dst(skb)), co.mss));
	conn->isn = get_random_u32();

	/* Answer before publishing: afterwards @p may go at any moment. */
	if (send_synack(net, ct, conn, p))
		catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
	pending_start(cn, ct, conn, p, pol);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_SYN_INTERCEPTED);
	/* The SYN itself goes on: it opens the server half. */
	return NF_ACCEPT;

err_free:
	kfree_skb(p->syn);
	kfree(p);
	return NF_ACCEPT;
}

unsigned int catoproxy_proxy_forward(struct net *net, struct sk_buff *skb,
				     struct nf_conn *ct,
				     enum ip_conntrack_info ctinfo,
				     struct catoproxy_conn *conn)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;
	struct seg s;
	int ret = -ENOENT;

	if (READ_ONCE(conn->state) != CATOPROXY_CONN_OPENING)
		return NF_ACCEPT;

	/* An ICMP error about the server SYN: the server half failed. */
	if (ctinfo == IP_CT_RELATED_REPLY) {
		open_failed(net, ct, conn, CATOPROXY_STAT_SERVER_OPEN_FAILED,
			    CATOPROXY_CAUSE_SERVER_ICMP);
		return NF_DROP;
	}

	/*
	 * A retransmitted client SYN: our SYN-ACK was lost. Answer it again,
	 * the same way, and let the SYN on as a retransmission to the server.
	 */
	if (CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL ||
	    !seg_get(skb, skb_transport_offset(skb), &s) || !s.th.syn ||
	    s.th.ack)
		return NF_ACCEPT;
	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	if (p && ntohl(s.th.seq) == p->client_isn)
		ret = send_synack(net, ct, conn, p);
	spin_unlock_bh(&cn->pending_lock);
	if (!ret)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_SYNACK_RETRANSMITTED);
	return NF_ACCEPT;
}

unsigned int catoproxy_proxy_hold(struct net *net, struct sk_buff *skb, u8 pf)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	struct catoproxy_conn *conn;
	struct catoproxy_pending *p;
	struct tcphdr _th;
	const struct tcphdr *th;
	struct nf_conn *ct;
	unsigned int verdict = NF_ACCEPT;
	int thoff;

	thoff = catoproxy_tx_tcp_offset(skb, pf);
	if (thoff < 0)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->syn)
		return NF_ACCEPT;

	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), pf, net, &tuple))
		return NF_ACCEPT;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (!h) {
		if (time_after(jiffies, READ_ONCE(cn->cookies_until)) ||
		    !cookie_for_full(net, skb, pf, th))
			return NF_ACCEPT;
		return cookie_ack(net, skb, th, thoff);
	}
	ct = nf_ct_tuplehash_to_ctrack(h);
	conn = catoproxy_conn_get(ct);
	if (NF_CT_DIRECTION(h) != IP_CT_DIR_ORIGINAL || !conn ||
	    READ_ONCE(conn->state) != CATOPROXY_CONN_OPENING)
		goto out;

	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	if (!p) {
		/* The server half came up meanwhile: conntrack takes it. */
	} else if (th->rst) {
		/* The client gave up; its RST goes on and ends the server half. */
		p = pending_detach(cn, conn, CATOPROXY_CONN_FAILED);
		spin_unlock_bh(&cn->pending_lock);
		pending_free(p);
		goto out;
	} else if (skb_queue_len(&p->held) >= HOLD_MAX) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_DROPPED);
		verdict = NF_DROP;
	} else {
		struct catoproxy_tcpopts co;
		u8 opts[40];
		unsigned int optlen = th->doff * 4 - sizeof(*th);

		if (th->doff >= 5 &&
		    !skb_copy_bits(skb, thoff + sizeof(*th), opts, optlen) &&
		    !catoproxy_tcp_parse_opts(opts, optlen, &co) && co.ts)
			p->client_tsval = co.tsval;
		if (th->ack && ntohl(th->ack_seq) == conn->isn + 1)
			p->client_acked = true;
		skb_dst_drop(skb);
		__skb_queue_tail(&p->held, skb);
		catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_SEGMENTS);
		verdict = NF_STOLEN;
		if (p->server_ready && p->client_acked) {
			p = pending_detach(cn, conn, CATOPROXY_CONN_SPLICED);
			spin_unlock_bh(&cn->pending_lock);
			join(net, ct, conn, p);
			goto out;
		}
	}
	spin_unlock_bh(&cn->pending_lock);
out:
	nf_ct_put(ct);
	return verdict;
}

/*
 * SYN cookies. Past the backlog a SYN gets a SYN-ACK whose ISN is a kernel
 * SYN cookie and whose TSval carries the client's window scale and SACK
 * offer; nothing is kept. An ACK that arrives later for a connection
 * conntrack does not know is checked against the cookie; if it holds, the
 * module sends the server the SYN the client sent (same ISN, options from
 * the cookie) and the connection goes on as any opening one, serially
 * rather than in parallel. @cookies_until gates the check, so ACKs are only
 * looked at while cookies may be in flight.
 */
#define COOKIE_WINDOW (2 * 60 * HZ)

static u32 cookie_isn(const struct sk_buff *skb, const struct tcphdr *th,
		      u16 *mss)
{
	if (ip_hdr(skb)->version == 4)
		return __cookie_v4_init_sequence(ip_hdr(skb), th, mss);
	return __cookie_v6_init_sequence(ipv6_hdr(skb), th, mss);
}

/* The MSS the cookie in @th's ACK number encodes, 0 if it is not ours. */
static int cookie_check(const struct sk_buff *skb, const struct tcphdr *th)
{
	if (ip_hdr(skb)->version == 4)
		return __cookie_v4_check(ip_hdr(skb), th);
	return __cookie_v6_check(ipv6_hdr(skb), th);
}

unsigned int catoproxy_proxy_flood(struct net *net, struct sk_buff *skb, u8 pf)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple tuple;
	union nf_inet_addr saddr = {}, daddr = {};
	struct catoproxy_tcpopts co, so;
	u8 opts[CATOPROXY_TCP_OPTS_MAX];
	struct catoproxy_tx tx = {
		.saddr = &daddr,
		.daddr = &saddr,
		.flags = TCPHDR_SYN | TCPHDR_ACK,
		.opts = opts,
	};
	unsigned long until;
	unsigned int hdrs;
	int thoff;
	struct seg s;
	u16 mss;

	thoff = catoproxy_tx_tcp_offset(skb, pf);
	if (thoff < 0 || !seg_get(skb, thoff, &s) || !s.th.syn ||
	    tcp_flag_byte(&s.th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN) ||
	    catoproxy_tcp_parse_opts(s.opts, s.optlen, &co) ||
	    !cookie_for_full(net, skb, pf, &s.th))
		return NF_ACCEPT;
	/* A known connection's retransmitted SYN is answered as before. */
	if (!nf_ct_get_tuplepr(skb, skb_network_offset(skb), pf, net, &tuple))
		return NF_ACCEPT;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &tuple);
	if (h) {
		nf_ct_put(nf_ct_tuplehash_to_ctrack(h));
		return NF_ACCEPT;
	}

	if (pf == NFPROTO_IPV4) {
		tx.family = AF_INET;
		saddr.ip = ip_hdr(skb)->saddr;
		daddr.ip = ip_hdr(skb)->daddr;
		hdrs = sizeof(struct iphdr);
	} else {
		tx.family = AF_INET6;
		saddr.in6 = ipv6_hdr(skb)->saddr;
		daddr.in6 = ipv6_hdr(skb)->daddr;
		hdrs = sizeof(struct ipv6hdr);
	}
	tx.sport = s.th.dest;
	tx.dport = s.th.source;
	/*
	 * Before routing the way out is unknown: the link it came in on
	 * stands for the path, as it does on most routers.
	 */
	hdrs += sizeof(struct tcphdr);
	mss = co.mss ? co.mss : 536;
	if (skb->dev && skb->dev->mtu > hdrs + 64)
		mss = (u16)min_t(unsigned int, mss, skb->dev->mtu - hdrs);

	so = (struct catoproxy_tcpopts){ .wscale = CATOPROXY_TCP_WS_NONE };
	tx.seq = cookie_isn(skb, &s.th, &mss);
	tx.ack = ntohl(s.th.seq) + 1;
	tx.window = (u16)min_t(u32, 44U * mss, 65535U);
	so.mss = mss;
	/* Without timestamps there is nowhere to keep the other options. */
	if (co.ts) {
		so.ts = true;
		so.tsval = catoproxy_tcp_cookie_tsval((u32)tcp_clock_ms(), &co);
		so.tsecr = co.tsval;
		so.sack_ok = co.sack_ok;
		if (co.wscale != CATOPROXY_TCP_WS_NONE)
			so.wscale = 7;
	}
	tx.optlen = catoproxy_tcp_build_opts(opts, &so);

	/*
	 * Written at most once a jiffy: every packet reads this line, and a
	 * store per SYN would bounce it between the CPUs a flood keeps busy.
	 */
	until = jiffies + COOKIE_WINDOW;
	if (READ_ONCE(cn->cookies_until) != until)
		WRITE_ONCE(cn->cookies_until, until);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_MODE_SYNS);
	/*
	 * The SYN becomes its own answer: a flood costs no allocation, and
	 * conntrack never sees it, so it costs no entries either.
	 */
	if (catoproxy_tx_reply(net, skb, &tx))
		catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
	return NF_STOLEN;
}

/*
 * The cookie connection whose server SYN this CPU is sending right now:
 * LOCAL_OUT attaches it to the conntrack entry that SYN creates.
 */
struct cookie_open {
	struct catoproxy_pending *p;
	const struct catoproxy_tcpopts *co;
	u32 isn;
	bool attached;
};

static DEFINE_PER_CPU(struct cookie_open *, cookie_open);

unsigned int catoproxy_proxy_local_out(struct net *net, struct sk_buff *skb)
{
	struct cookie_open *op = this_cpu_read(cookie_open);
	struct catoproxy_net *cn = catoproxy_net(net);
	enum ip_conntrack_info ctinfo;
	struct catoproxy_decision d;
	struct catoproxy_conn *conn;
	struct nf_conn *ct;

	if (!op || op->attached)
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct) ||
	    nf_ct_protonum(ct) != IPPROTO_TCP ||
	    orig(ct)->src.u.tcp.port != op->p->syn_sport)
		return NF_ACCEPT;

	catoproxy_conn_decide(net, ct, &d);
	/* The client already has its answer: whatever the policy says now. */
	d.mode = CATOPROXY_MODE_FULL;
	if (!catoproxy_proxy_prepare(ct))
		return NF_DROP;
	conn = catoproxy_conn_attach(net, ct, &d);
	if (!conn)
		return NF_DROP;
	conn_offer(conn, ct, op->co, op->co->mss);
	conn->flags |= CATOPROXY_CONN_F_COOKIE;
	conn->isn = op->isn;
	pending_start(cn, ct, conn, op->p, rcu_dereference(cn->policy));
	op->attached = true;
	catoproxy_event_decision(net, ct, conn, d.rule_id);
	return NF_ACCEPT;
}

/* Build the client's SYN again from its cookie ACK, to open the server. */
static struct sk_buff *cookie_server_syn(const struct sk_buff *ack,
					 const struct tcphdr *th,
					 const struct catoproxy_tcpopts *co)
{
	unsigned int nhlen = ip_hdr(ack)->version == 4 ? sizeof(struct iphdr) :
							 sizeof(struct ipv6hdr);
	struct catoproxy_tcpopts so = *co;
	u8 opts[CATOPROXY_TCP_OPTS_MAX];
	unsigned int optlen, thlen;
	struct sk_buff *skb;
	struct tcphdr *nth;

	so.tsecr = 0;
	optlen = catoproxy_tcp_build_opts(opts, &so);
	thlen = sizeof(*nth) + optlen;
	skb = alloc_skb(MAX_TCP_HEADER + nhlen + thlen, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_TCP_HEADER);
	skb_reset_network_header(skb);
	skb_put_data(skb, skb_network_header(ack), nhlen);
	skb->protocol = ack->protocol;
	if (nhlen == sizeof(struct iphdr)) {
		ip_hdr(skb)->ihl = 5;
		ip_hdr(skb)->protocol = IPPROTO_TCP;
	} else {
		ipv6_hdr(skb)->nexthdr = IPPROTO_TCP;
	}
	skb_reset_transport_header(skb);
	nth = skb_put_zero(skb, thlen);
	nth->source = th->source;
	nth->dest = th->dest;
	nth->seq = htonl(ntohl(th->seq) - 1);
	tcp_flag_byte(nth) = TCPHDR_SYN;
	nth->doff = thlen / 4;
	nth->window = htons(65535);
	memcpy(nth + 1, opts, optlen);
	if (nhlen == sizeof(struct iphdr)) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		nth->check = ~tcp_v4_check(thlen, ip_hdr(skb)->saddr,
					   ip_hdr(skb)->daddr, 0);
	} else {
		ipv6_hdr(skb)->payload_len = htons(thlen);
		nth->check = ~tcp_v6_check(thlen, &ipv6_hdr(skb)->saddr,
					   &ipv6_hdr(skb)->daddr, 0);
	}
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (unsigned char *)nth - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	return skb;
}

/* Would the policy put this packet's connection in full mode? */
static bool cookie_for_full(struct net *net, const struct sk_buff *skb, u8 pf,
			    const struct tcphdr *th)
{
	struct catoproxy_decision d;
	struct catoproxy_flow flow;

	catoproxy_conn_skb_flow(skb, pf, th, &flow);
	catoproxy_conn_decide_flow(net, &flow, &d);
	return d.action == CATOPROXY_ACTION_ALLOW &&
	       d.mode == CATOPROXY_MODE_FULL;
}

/* An ACK for no known connection while cookies may be out. */
static unsigned int cookie_ack(struct net *net, struct sk_buff *skb,
			       const struct tcphdr *th, unsigned int thoff)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct cookie_open op = {};
	struct catoproxy_pending *p;
	struct catoproxy_tcpopts co;
	struct sk_buff *syn;
	unsigned int optlen = th->doff * 4 - sizeof(*th);
	u8 opts[40];
	int mss;

	if (!th->ack || th->rst || th->doff < 5 ||
	    skb_copy_bits(skb, thoff + sizeof(*th), opts, optlen) ||
	    catoproxy_tcp_parse_opts(opts, optlen, &co))
		return NF_ACCEPT;
	mss = cookie_check(skb, th);
	if (!mss) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_INVALID);
		return NF_DROP;
	}
	catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_VALID);

	co.mss = (u16)mss;
	if (co.ts) {
		catoproxy_tcp_cookie_decode(co.tsecr, &co);
	} else {
		co.wscale = CATOPROXY_TCP_WS_NONE;
		co.sack_ok = false;
	}

	p = kzalloc(sizeof(*p), GFP_ATOMIC);
	if (!p)
		return NF_DROP;
	__skb_queue_head_init(&p->held);
	p->client_isn = ntohl(th->seq) - 1;
	p->client_win = 65535;
	p->client_tsval = co.tsval;
	p->tsval = co.tsecr;
	p->syn_sport = th->source;
	p->client_acked = true;
	p->syn = cookie_server_syn(skb, th, &co);
	syn = p->syn ? skb_copy(p->syn, GFP_ATOMIC) : NULL;
	if (!syn)
		goto err_free;

	/*
	 * The ACK (and any data) waits for the server like any held segment.
	 * It is queued before the SYN goes out: once the SYN is sent, the
	 * server's answer may join the halves on another CPU at any moment.
	 */
	skb_dst_drop(skb);
	__skb_queue_tail(&p->held, skb);

	/* Sending is synchronous up to LOCAL_OUT, which takes @op. */
	op.p = p;
	op.co = &co;
	op.isn = ntohl(th->ack_seq) - 1;
	this_cpu_write(cookie_open, &op);
	catoproxy_tx_new(net, syn);
	this_cpu_write(cookie_open, NULL);
	if (!op.attached) {
		__skb_unlink(skb, &p->held);
		goto err_free;
	}
	catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_SEGMENTS);
	return NF_STOLEN;

err_free:
	kfree_skb(p->syn);
	kfree(p);
	return NF_DROP;
}

/*
 * Both halves are up: release the held segments, which start with the
 * client's own handshake ACK and so complete the server's handshake too.
 * They leave through conntrack and the translation like forwarded ones.
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
	pending_free(p);
}

/*
 * The server's SYN-ACK: record what the server chose. The halves are
 * joined only once the client has acknowledged our SYN-ACK too: a spoofed
 * SYN must never become an established connection on the server, which
 * completing its handshake ourselves would make it.
 */
static int server_synack(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			 struct catoproxy_conn *conn, const struct seg *s)
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
		p = pending_detach(cn, conn, CATOPROXY_CONN_SPLICED);
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
			     struct catoproxy_conn *conn, const struct seg *s)
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
	reset_server(net, ct, ntohl(s->th.ack_seq));
	catoproxy_stat_inc(cn, CATOPROXY_STAT_SERVER_CHALLENGE_RESET);
}

/* Challenge ACKs per connection: one per 2^3 units of 64 ms. */
#define CHALLENGE_UNIT_SHIFT 6
#define CHALLENGE_INTERVAL 8

unsigned int catoproxy_proxy_live_syn(struct net *net, struct nf_conn *ct,
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
	 * Acknowledge what the server has of the client; the client, which
	 * no longer knows the connection, answers with an RST at exactly
	 * that number, which passes as an exact match and ends both halves.
	 * Conntrack keeps the server's numbers untranslated: translate.
	 */
	spin_lock_bh(&ct->lock);
	server_next = ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_end;
	tx.ack = ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].td_end;
	spin_unlock_bh(&ct->lock);
	tx.seq = server_next + nf_ct_seq_offset(ct, IP_CT_DIR_REPLY, server_next);

	tx_between(&tx, ct, true);
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
				const struct seg *s)
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

	tx_between(&tx, ct, false);
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

int catoproxy_proxy_help(struct sk_buff *skb, unsigned int protoff,
			 struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	struct catoproxy_conn *conn = nfct_help_data(ct);
	enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
	struct net *net = nf_ct_net(ct);
	const struct tcphdr *th;
	struct tcphdr _th;
	struct seg s;

	switch (READ_ONCE(conn->state)) {
	case CATOPROXY_CONN_SPLICED:
		/* Every packet of the connection: the flags before the options. */
		th = dir == IP_CT_DIR_REPLY ?
			     skb_header_pointer(skb, protoff, sizeof(_th), &_th) :
			     NULL;
		if (th && th->syn && th->ack && seg_get(skb, protoff, &s)) {
			server_synack_again(net, ct, conn, &s);
			return NF_DROP;
		}
		return translate(skb, protoff, conn, dir);
	case CATOPROXY_CONN_OPENING:
		/* The client's SYN and its retransmissions go to the server. */
		if (dir == IP_CT_DIR_ORIGINAL)
			return NF_ACCEPT;
		if (!seg_get(skb, protoff, &s))
			return NF_DROP;
		if (s.th.rst) {
			open_failed(net, ct, conn,
				    CATOPROXY_STAT_SERVER_OPEN_FAILED,
				    CATOPROXY_CAUSE_SERVER_RST);
			return NF_DROP;
		}
		if (s.th.syn && s.th.ack)
			return server_synack(net, skb, ct, ctinfo, conn, &s);
		if (s.th.ack)
			server_challenge(net, ct, conn, &s);
		return NF_DROP;
	case CATOPROXY_CONN_FAILED:
		return NF_DROP;
	case CATOPROXY_CONN_WAITING:
		if (dir == IP_CT_DIR_REPLY && seg_get(skb, protoff, &s) &&
		    s.th.syn && s.th.ack)
			catoproxy_conn_engage(net, ct, conn);
		return NF_ACCEPT;
	}
	return NF_ACCEPT;
}

static void pending_timer(struct timer_list *timer)
{
	struct catoproxy_net *cn = from_timer(cn, timer, pending_timer);
	struct catoproxy_pending *p, *tmp;
	struct sk_buff_head retx;
	LIST_HEAD(expired);
	LIST_HEAD(gone);
	unsigned long now = jiffies;
	struct sk_buff *skb;

	__skb_queue_head_init(&retx);
	spin_lock_bh(&cn->pending_lock);
	list_for_each_entry_safe(p, tmp, &cn->pending_list, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);

		if (!conn) {
			/* The entry's extensions went stale before confirmation. */
			list_del(&p->node);
			atomic_dec(&cn->npending);
			list_add_tail(&p->node, &gone);
			continue;
		}
		if (nf_ct_is_dying(p->ct) || time_after_eq(now, p->deadline)) {
			pending_detach(cn, conn, CATOPROXY_CONN_FAILED);
			list_add_tail(&p->node, &expired);
			continue;
		}
		if (!p->server_ready && time_after_eq(now, p->retx_at)) {
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
	if (!list_empty(&cn->pending_list))
		mod_timer(&cn->pending_timer, now + TIMER_TICK);
	spin_unlock_bh(&cn->pending_lock);

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
		pending_free(p);
	}
	list_for_each_entry_safe(p, tmp, &expired, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);
		struct net *net = nf_ct_net(p->ct);

		list_del(&p->node);
		/*
		 * An entry that was never confirmed is in no table, so there
		 * is nothing to kill, and nobody to reset: its server SYN was
		 * dropped before confirmation, as when conntrack refuses it
		 * as a clash with the same flow's entry: a client's handshake
		 * ACK and its request can reach two CPUs at once, both carry
		 * a valid cookie and both open the server half; the one that
		 * entered the table is the connection, and must live on.
		 */
		if (!nf_ct_is_confirmed(p->ct)) {
			net_dbg_ratelimited("catoproxy: dropping a half-open connection that never entered the conntrack table\n");
		} else if (conn && !nf_ct_is_dying(p->ct)) {
			reset_client(net, p->ct, conn, p->client_isn + 1);
			if (p->server_ready) {
				/* Free the server's half-open connection. */
				reset_server(net, p->ct, p->client_isn + 1);
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
		pending_free(p);
	}
}

/*
 * Unload: a joined connection whose timestamps or windows the module
 * translates cannot outlive it (the client would see the server's clock jump
 * and drop everything as PAWS failures), so both ends get a reset now rather
 * than a silent stall. Connections that need only the sequence offset go on:
 * conntrack's seqadj keeps applying it without us.
 */
static int reset_spliced(struct nf_conn *ct, void *data)
{
	const struct nf_conn_help *help = nfct_help(ct);
	const struct catoproxy_conn *conn;
	struct catoproxy_tx tx = { .flags = TCPHDR_RST };
	u32 server_next, client_next;

	if (!help || rcu_access_pointer(help->helper) != data)
		return 0;
	conn = nfct_help_data(ct);
	if (conn->state != CATOPROXY_CONN_SPLICED ||
	    !(conn->flags & (CATOPROXY_CONN_F_TS | CATOPROXY_CONN_F_RESCALE |
			     CATOPROXY_CONN_F_RESCALE_ORIG)))
		return 0;

	spin_lock_bh(&ct->lock);
	server_next = ct->proto.tcp.seen[IP_CT_DIR_REPLY].td_end;
	client_next = ct->proto.tcp.seen[IP_CT_DIR_ORIGINAL].td_end;
	spin_unlock_bh(&ct->lock);

	/* To the client, in the sequence space it knows. */
	tx_between(&tx, ct, true);
	tx.seq = server_next + nf_ct_seq_offset(ct, IP_CT_DIR_REPLY,
						server_next);
	catoproxy_tx_segment(nf_ct_net(ct), &tx);

	tx_between(&tx, ct, false);
	tx.seq = client_next;
	catoproxy_tx_segment(nf_ct_net(ct), &tx);
	return 1;
}

void catoproxy_proxy_uninit(const struct nf_conntrack_helper *helper)
{
	nf_ct_iterate_destroy(reset_spliced, (void *)helper);
}

void catoproxy_proxy_init_net(struct net *net)
{
	timer_setup(&catoproxy_net(net)->pending_timer, pending_timer, 0);
}

void catoproxy_proxy_exit_net(struct net *net)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p, *tmp;
	LIST_HEAD(list);

	/* No hook can add to the list any more; the timer could re-arm. */
	timer_shutdown_sync(&cn->pending_timer);
	spin_lock_bh(&cn->pending_lock);
	list_for_each_entry_safe(p, tmp, &cn->pending_list, node) {
		struct catoproxy_conn *conn = catoproxy_conn_get(p->ct);

		if (conn) {
			pending_detach(cn, conn, CATOPROXY_CONN_FAILED);
		} else {
			list_del(&p->node);
			atomic_dec(&cn->npending);
		}
		list_add_tail(&p->node, &list);
	}
	spin_unlock_bh(&cn->pending_lock);

	list_for_each_entry_safe(p, tmp, &list, node) {
		list_del(&p->node);
		pending_free(p);
	}
}
