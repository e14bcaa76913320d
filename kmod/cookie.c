// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies. Past the backlog a SYN gets a SYN-ACK whose ISN is a kernel
 * SYN cookie and whose TSval carries the client's window scale and SACK
 * offer; nothing is kept. An ACK that arrives later for a connection
 * conntrack does not know is checked against the cookie; if it holds, the
 * module sends the server the SYN the client sent (same ISN, options from
 * the cookie) and the connection goes on as any opening one, serially
 * rather than in parallel. @cookies_until gates the check, so ACKs are only
 * looked at while cookies may be in flight.
 *
 * A signed SYN (TCP-MD5, TCP-AO) gets no cookie: the client would drop
 * the unsigned SYN-ACK. It goes on to conntrack and runs delayed (see
 * catoproxy_intercept_exempt()). A Fast Open SYN gets one like any other,
 * as from a Linux server answering with syncookies: the cookie SYN-ACK
 * acknowledges none of its data, which the client sends again after the
 * handshake, and the server SYN built from the cookie carries neither the
 * data nor the Fast Open option.
 *
 * The SYN never reaches conntrack; the ACK that passes the check opens the
 * server half through the half-open table (halfopen.c). The server SYN
 * takes the way the client's SYN would have (tx.c): through conntrack and
 * the rest of PREROUTING, where it enters the table (hooks.c,
 * catoproxy_hooks_sent()) while cookie_ack_open() sends it, then through
 * routing, every FORWARD chain and POSTROUTING: a firewall that would have
 * dropped the client's SYN drops it.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/addrconf.h>
#include <net/ip6_checksum.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/tcp.h>

#include "cookie.h"
#include "halfopen.h"
#include "intercept.h"
#include "netns.h"
#include "policy.h"
#include "seg.h"
#include "tcp.h"
#include "tx.h"

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

/*
 * Is this packet of a forwarded connection cookies may serve? raw's
 * "notrack" leaves conntrack, and so the module, out. raw's "ct zone set"
 * leaves a template, which the server SYN built from the cookie ACK
 * carries on (cookie_ack_open()), so that conntrack tracks it in that
 * zone; a template with a helper (iptables' CT --helper) would attach
 * that helper to the server SYN's entry, where the module's own cannot
 * go, so its SYNs are left to conntrack. Traffic to the router itself is
 * its own stack's to answer.
 */
static bool cookie_traffic(struct net *net, const struct sk_buff *skb, u8 pf)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *tmpl = nf_ct_get(skb, &ctinfo);

	if (tmpl ? !nf_ct_is_template(tmpl) ||
			   nf_ct_ext_exist(tmpl, NF_CT_EXT_HELPER) :
		   ctinfo == IP_CT_UNTRACKED)
		return false;
	if (pf == NFPROTO_IPV4)
		return inet_addr_type(net, ip_hdr(skb)->daddr) != RTN_LOCAL;
	return !ipv6_chk_addr(net, &ipv6_hdr(skb)->daddr, NULL, 0);
}

/* Would the policy put this packet's connection in full mode? */
static bool cookie_for_full(struct net *net, const struct sk_buff *skb, u8 pf,
			    const struct tcphdr *th)
{
	struct catoproxy_decision d;
	struct catoproxy_flow flow;

	if (!cookie_traffic(net, skb, pf))
		return false;
	catoproxy_conn_skb_flow(skb, pf, th, &flow);
	catoproxy_conn_decide_flow(net, &flow, &d);
	/*
	 * A payload rule's connection is decided on its data, and a path
	 * must route the SYN: neither can wait in a cookie (inspect.c).
	 */
	return d.action == CATOPROXY_ACTION_ALLOW &&
	       d.mode == CATOPROXY_MODE_FULL && !d.inspect && !d.path;
}

unsigned int catoproxy_cookie_flood(struct net *net, struct sk_buff *skb, u8 pf)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct nf_conntrack_tuple_hash *h;
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
	struct catoproxy_seg s;
	u16 mss;

	thoff = catoproxy_seg_tcp(skb, pf);
	if (thoff < 0 || !catoproxy_seg_get(skb, thoff, &s) || !s.th.syn ||
	    tcp_flag_byte(&s.th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN) ||
	    catoproxy_tcp_parse_opts(s.opts, s.optlen, &co) || co.sig ||
	    !cookie_for_full(net, skb, pf, &s.th))
		return NF_ACCEPT;
	/*
	 * A known connection's retransmitted SYN is answered as before, in
	 * the zone conntrack will look it up in.
	 */
	if (!catoproxy_conn_find_pre(net, skb, pf, &h))
		return NF_ACCEPT;
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
	tx.mark = catoproxy_tx_reply_mark(net, skb);
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
 * catoproxy_hooks_sent() attaches it to the conntrack entry that SYN
 * creates.
 */
struct cookie_open {
	struct catoproxy_pending *p;
	const struct catoproxy_tcpopts *co;
	u32 isn;
	bool attached;
};

/*
 * No lock: it is set, read and cleared on one CPU within one softirq call
 * (cookie_ack_open() sends the SYN, PREROUTING runs under it; a SYN
 * queued to userspace there comes back without it and is dropped).
 */
static DEFINE_PER_CPU(struct cookie_open *, cookie_open);

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
	skb_reset_mac_header(skb);
	skb_put_data(skb, skb_network_header(ack), nhlen);
	/* It comes from the client's side, as its ACK did. */
	skb->dev = ack->dev;
	skb->mark = ack->mark;
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
		ip_send_check(ip_hdr(skb));
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

/* An ACK for no known connection that may carry a full-mode cookie. */
static unsigned int cookie_ack_open(struct net *net, struct sk_buff *skb,
				    const struct tcphdr *th,
				    unsigned int thoff)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct cookie_open op = {};
	enum ip_conntrack_info ctinfo;
	struct catoproxy_pending *p;
	struct nf_conn *tmpl;
	struct catoproxy_tcpopts co;
	struct sk_buff *syn;
	unsigned int optlen = th->doff * 4 - sizeof(*th);
	u8 opts[40];
	int mss;

	/* A signed segment answers no cookie: signed SYNs get none. */
	if (!th->ack || th->rst || th->doff < 5 ||
	    skb_copy_bits(skb, thoff + sizeof(*th), opts, optlen) ||
	    catoproxy_tcp_parse_opts(opts, optlen, &co) || co.sig)
		return NF_ACCEPT;
	mss = cookie_check(skb, th);
	if (!mss) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_INVALID);
		return NF_DROP;
	}
	catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_VALID);
	/*
	 * Each opening connection keeps the SYN and what the client sends
	 * meanwhile: bounded like the stateful path, by the backlog, with
	 * room for the clients that proved their address past it. A client
	 * refused sends its next segment (which carries the cookie too)
	 * later, as when a listener's accept queue is full.
	 */
	if (atomic_read(&cn->npending) >=
	    catoproxy_halfopen_cookie_max(rcu_dereference(cn->policy)->syn_backlog)) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_COOKIE_OPEN_REFUSED);
		return NF_DROP;
	}

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
	 * The ACK's zone template (cookie_traffic()) goes with the SYN, which
	 * re-enters PREROUTING after raw. Its retransmissions carry the entry
	 * itself (halfopen.c).
	 */
	tmpl = nf_ct_get(skb, &ctinfo);
	if (tmpl) {
		nf_conntrack_get(&tmpl->ct_general);
		nf_ct_set(syn, tmpl, IP_CT_NEW);
	}

	/*
	 * The ACK (and any data) waits for the server like any held segment.
	 * It is queued before the SYN goes out: once the SYN is sent, the
	 * server's answer may join the halves on another CPU at any moment.
	 */
	skb_dst_drop(skb);
	catoproxy_halfopen_hold(cn, p, skb);

	/*
	 * Sending is synchronous up to the end of PREROUTING, which takes
	 * @op. A FORWARD chain that drops the SYN after that leaves an entry
	 * that is never confirmed: the half-open table's timer frees it.
	 */
	op.p = p;
	op.co = &co;
	op.isn = ntohl(th->ack_seq) - 1;
	this_cpu_write(cookie_open, &op);
	catoproxy_tx_new(net, syn);
	this_cpu_write(cookie_open, NULL);
	if (!op.attached) {
		catoproxy_halfopen_unhold(cn, p, skb);
		goto err_free;
	}
	catoproxy_stat_inc(cn, CATOPROXY_STAT_HELD_SEGMENTS);
	return NF_STOLEN;

err_free:
	kfree_skb(p->syn);
	kfree(p);
	return NF_DROP;
}

unsigned int catoproxy_cookie_ack(struct net *net, struct sk_buff *skb, u8 pf,
				  const struct tcphdr *th, unsigned int thoff)
{
	struct catoproxy_net *cn = catoproxy_net(net);

	if (time_after(jiffies, READ_ONCE(cn->cookies_until)) ||
	    !cookie_for_full(net, skb, pf, th))
		return NF_ACCEPT;
	return cookie_ack_open(net, skb, th, thoff);
}

bool catoproxy_cookie_sending(const struct nf_conn *ct)
{
	struct cookie_open *op = this_cpu_read(cookie_open);

	return op && !op->attached &&
	       ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u.tcp.port ==
		       op->p->syn_sport;
}

void catoproxy_cookie_attach(struct net *net, struct nf_conn *ct,
			     struct catoproxy_conn *conn)
{
	struct cookie_open *op = this_cpu_read(cookie_open);
	struct catoproxy_net *cn = catoproxy_net(net);

	catoproxy_intercept_offer(conn, ct, op->co, op->co->mss);
	conn->flags |= CATOPROXY_CONN_F_COOKIE;
	conn->isn = op->isn;
	catoproxy_halfopen_start(cn, ct, conn, op->p,
				 rcu_dereference(cn->policy));
	op->attached = true;
}
