// SPDX-License-Identifier: GPL-2.0
/*
 * Sending packets on behalf of one side of a connection, two ways:
 *
 * - what the module answers itself (the SYN-ACK and resets towards the
 *   client, resets towards the server) leaves as the router's own packets
 *   do, through LOCAL_OUT and POSTROUTING, routed here with a foreign
 *   source address from hook or timer context alike;
 * - what it sends for the client (the server SYN of a cookie, the client's
 *   SYN retransmitted, the client segments held while the server half was
 *   opening) takes the client's own way through the router, forwarded:
 *   see inject().
 */

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "conn.h"
#include "hooks.h"
#include "seg.h"
#include "tx.h"

static struct dst_entry *route4(struct net *net, __be32 saddr, __be32 daddr,
			       u32 mark)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_mark = mark,
		.flowi4_proto = IPPROTO_TCP,
		/* The source belongs to a peer, not to this host. */
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return NULL;
	return &rt->dst;
}

static struct dst_entry *route6(struct net *net, const struct in6_addr *saddr,
				const struct in6_addr *daddr, u32 mark)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,
		.flowi6_mark = mark,
		.flowi6_proto = IPPROTO_TCP,
	};
	struct dst_entry *dst;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	return dst;
}

/* @mark: the packet's firewall mark, which policy routing may read. */
static struct dst_entry *route(struct net *net, u16 family,
			       const union nf_inet_addr *saddr,
			       const union nf_inet_addr *daddr, u32 mark)
{
	if (family == AF_INET)
		return route4(net, saddr->ip, daddr->ip, mark);
	return route6(net, &saddr->in6, &daddr->in6, mark);
}

static int output(struct net *net, u16 family, struct sk_buff *skb)
{
	if (family == AF_INET)
		return ip_local_out(net, NULL, skb);
	return ip6_local_out(net, NULL, skb);
}

/* Write @t's headers into @skb, empty and with room for them. */
static void fill(struct net *net, struct sk_buff *skb,
		 const struct catoproxy_tx *t)
{
	unsigned int thlen = sizeof(struct tcphdr) + t->optlen;
	struct tcphdr *th;

	skb_reset_network_header(skb);
	if (t->family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = sizeof(*iph) / 4;
		iph->frag_off = htons(IP_DF);
		iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
		iph->protocol = IPPROTO_TCP;
		iph->saddr = t->saddr->ip;
		iph->daddr = t->daddr->ip;
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->saddr = t->saddr->in6;
		ip6h->daddr = t->daddr->in6;
		skb->protocol = htons(ETH_P_IPV6);
	}

	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, thlen);
	th->source = t->sport;
	th->dest = t->dport;
	th->seq = htonl(t->seq);
	th->ack_seq = htonl(t->ack);
	tcp_flag_byte(th) = t->flags;
	th->doff = thlen / 4;
	th->window = htons(t->window);
	memcpy(th + 1, t->opts, t->optlen);
	if (t->len)
		skb_put_data(skb, t->data, t->len);

	if (t->family == AF_INET)
		th->check = ~tcp_v4_check(thlen + t->len, t->saddr->ip,
					  t->daddr->ip, 0);
	else
		th->check = ~tcp_v6_check(thlen + t->len, &t->saddr->in6,
					  &t->daddr->in6, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
}

static unsigned int tx_len(const struct catoproxy_tx *t)
{
	return (t->family == AF_INET ? sizeof(struct iphdr) :
				       sizeof(struct ipv6hdr)) +
	       sizeof(struct tcphdr) + t->optlen + t->len;
}

/* Route and send @skb, built by fill(). Consumes @skb. */
static int send(struct net *net, struct sk_buff *skb,
		const struct catoproxy_tx *t)
{
	struct dst_entry *dst;

	dst = route(net, t->family, t->saddr, t->daddr, t->mark);
	if (!dst) {
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	skb->mark = t->mark;
	skb_dst_set(skb, dst);
	if (!t->track)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	output(net, t->family, skb);
	return 0;
}

void catoproxy_tx_between(struct catoproxy_tx *tx, const struct nf_conn *ct,
			  bool to_client)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	tx->family = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	if (to_client) {
		tx->saddr = &t->dst.u3;
		tx->daddr = &t->src.u3;
		tx->sport = t->dst.u.tcp.port;
		tx->dport = t->src.u.tcp.port;
	} else {
		const struct catoproxy_conn *conn = catoproxy_conn_get(ct);
		const struct nf_conntrack_tuple *r =
			&ct->tuplehash[IP_CT_DIR_REPLY].tuple;

		if (tx->track) {
			tx->saddr = &t->src.u3;
			tx->daddr = &t->dst.u3;
			tx->sport = t->src.u.tcp.port;
			tx->dport = t->dst.u.tcp.port;
		} else {
			/*
			 * Past SNAT, masquerade or DNAT the server knows
			 * the connection by the reply tuple only: a reset
			 * from the original one would reach nobody, or the
			 * router itself.
			 */
			tx->saddr = &r->dst.u3;
			tx->daddr = &r->src.u3;
			tx->sport = r->dst.u.tcp.port;
			tx->dport = r->src.u.tcp.port;
		}
		/* Towards the server: on its path. */
		tx->mark = conn ? catoproxy_conn_path(ct, conn) : 0;
	}
}

int catoproxy_tx_segment(struct net *net, const struct catoproxy_tx *t)
{
	struct sk_buff *skb;

	skb = alloc_skb(MAX_TCP_HEADER + tx_len(t), GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, MAX_TCP_HEADER);
	fill(net, skb, t);
	return send(net, skb, t);
}

int catoproxy_tx_reply(struct net *net, struct sk_buff *skb,
		       const struct catoproxy_tx *t)
{
	unsigned int len = tx_len(t);

	/*
	 * Received and not yet routed, the packet is ours alone once it is
	 * linear and unshared; a clone (a packet socket watching, say) is
	 * copied, which costs what a new buffer would.
	 */
	if (unlikely(skb_network_offset(skb))) {
		/* Not as PREROUTING leaves it: build a new one after all. */
		consume_skb(skb);
		return catoproxy_tx_segment(net, t);
	}
	if (skb_linearize_cow(skb))
		goto drop;
	__skb_trim(skb, 0);
	if (skb_tailroom(skb) < len &&
	    pskb_expand_head(skb, 0, len - skb_tailroom(skb), GFP_ATOMIC))
		goto drop;

	/* Nothing of the way in may steer or account the way out. */
	skb_orphan(skb);
	skb_scrub_packet(skb, true);
	skb_clear_hash(skb);
	skb_gso_reset(skb);
	__vlan_hwaccel_clear_tag(skb);
	memset(skb->cb, 0, sizeof(skb->cb));
	skb->encapsulation = 0;
	skb->priority = 0;
	skb->dev = NULL;

	fill(net, skb, t);
	return send(net, skb, t);

drop:
	kfree_skb(skb);
	return -ENOMEM;
}

/*
 * Packets the module sends for the client (the server SYN, its
 * retransmissions, the segments held while the server half opened) take
 * the way a client packet takes through the router, not the way of a
 * packet the router sends itself: they continue through PREROUTING from
 * the hook after the one that took the client's packets (hooks.c), so
 * conntrack, the user's prerouting chains and destination NAT see them;
 * they are routed as received from the client's side; and they are
 * forwarded by the kernel's own ip_forward()/ip6_forward(), so every
 * FORWARD chain, at any priority, judges them, and POSTROUTING follows.
 * A verdict that queues them to userspace (NFQUEUE) resumes them later
 * through received() or the kernel's own continuation.
 */

/* Route @skb as received on skb->dev; 0 when it has a route. */
static int route_in(struct net *net, struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		return ip_route_input_noref(skb, iph->daddr, iph->saddr,
					    iph->tos, skb->dev);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		/* What ip6_route_input() asks, which is not exported. */
		struct flowi6 fl6 = {
			.flowi6_iif = skb->dev->ifindex,
			.daddr = ip6h->daddr,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = ip6h->nexthdr,
		};

		skb_dst_set(skb, ip6_route_input_lookup(net, skb->dev, &fl6,
							skb,
							RT6_LOOKUP_F_HAS_SADDR));
		return 0;
	}
}

/*
 * The okfn of PREROUTING: what ip_rcv_finish() or ip6_rcv_finish() would
 * do next. Synchronously from inject(), or later from a queue's verdict.
 */
static int received(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	u8 pf = ip_hdr(skb)->version == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;

	if (!catoproxy_hooks_sent(net, skb) || route_in(net, skb, pf)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	/* Forwarded, delivered locally or answered unreachable. */
	return dst_input(skb);
}

/*
 * The device a packet from @saddr would come in on: the one the route back
 * to it leaves by.
 */
static struct net_device *dev_towards(struct net *net, u16 family,
				      const union nf_inet_addr *saddr,
				      const union nf_inet_addr *daddr)
{
	struct net_device *dev;
	struct dst_entry *dst;

	dst = route(net, family, daddr, saddr, 0);
	if (!dst)
		return NULL;
	dev = dst->dev;
	dst_release(dst);
	return dev;
}

/*
 * Send @skb, an IP packet of the client's as it arrived (or as it would
 * have), on the way a received client packet takes from the module's
 * PREROUTING hook on. @in: the device it comes in on. Consumes @skb.
 */
static int inject(struct net *net, struct sk_buff *skb, struct net_device *in)
{
	u8 pf = ip_hdr(skb)->version == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	const struct nf_hook_entries *e;
	struct nf_hook_state state;
	unsigned int i;
	int ret = 1;

	skb_dst_drop(skb);
	skb->dev = in;
	skb->pkt_type = PACKET_HOST;
	if (!skb_mac_header_was_set(skb))
		/* No link-layer header: a log rule prints none. */
		skb_reset_mac_header(skb);

	nf_hook_state_init(&state, NF_INET_PRE_ROUTING, pf, in, NULL, NULL,
			   net, received);
	/* As a received packet: BHs off, whether a timer or a hook sends. */
	local_bh_disable();
	rcu_read_lock();
	if (pf == NFPROTO_IPV4)
		e = rcu_dereference(net->nf.hooks_ipv4[NF_INET_PRE_ROUTING]);
	else
		e = rcu_dereference(net->nf.hooks_ipv6[NF_INET_PRE_ROUTING]);
	if (e) {
		i = catoproxy_hooks_pre_next(e);
		if (i < e->num_hook_entries)
			/* 1: accepted; otherwise dropped, stolen or queued. */
			ret = nf_hook_slow(skb, &state, e, i);
	}
	if (ret == 1)
		received(net, NULL, skb);
	rcu_read_unlock();
	local_bh_enable();
	return 0;
}

/* A packet the module built: it has not been received, as inject() needs. */
static void as_received(struct sk_buff *skb, struct net_device *in, u8 pf)
{
	memset(skb->cb, 0, sizeof(skb->cb));
	skb->skb_iif = in->ifindex;
	if (pf == NFPROTO_IPV4) {
		IPCB(skb)->iif = in->ifindex;
	} else {
		IP6CB(skb)->iif = in->ifindex;
		IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
	}
}

/*
 * @skb, a copy of the client's SYN taken in FORWARD, becomes the SYN as it
 * arrived: the addresses and ports of @ct's original tuple (destination
 * NAT undone: PREROUTING applies it again) and the TTL or hop limit
 * ip_forward() took.
 */
static int unforward(struct sk_buff *skb, const struct nf_conn *ct, u8 pf)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	struct tcphdr *th;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, pf);
	if (thoff < 0 || skb_ensure_writable(skb, thoff + sizeof(*th)))
		return -EINVAL;
	th = (struct tcphdr *)(skb->data + thoff);
	if (pf == NFPROTO_IPV4) {
		struct iphdr *iph = ip_hdr(skb);

		inet_proto_csum_replace4(&th->check, skb, iph->saddr,
					 t->src.u3.ip, true);
		inet_proto_csum_replace4(&th->check, skb, iph->daddr,
					 t->dst.u3.ip, true);
		iph->saddr = t->src.u3.ip;
		iph->daddr = t->dst.u3.ip;
		iph->ttl++;
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		inet_proto_csum_replace16(&th->check, skb, ip6h->saddr.s6_addr32,
					  t->src.u3.in6.s6_addr32, true);
		inet_proto_csum_replace16(&th->check, skb, ip6h->daddr.s6_addr32,
					  t->dst.u3.in6.s6_addr32, true);
		ip6h->saddr = t->src.u3.in6;
		ip6h->daddr = t->dst.u3.in6;
		ip6h->hop_limit++;
	}
	inet_proto_csum_replace2(&th->check, skb, th->source,
				 t->src.u.tcp.port, false);
	inet_proto_csum_replace2(&th->check, skb, th->dest,
				 t->dst.u.tcp.port, false);
	th->source = t->src.u.tcp.port;
	th->dest = t->dst.u.tcp.port;
	return 0;
}

/*
 * A packet sent again from PREROUTING after raw (inject()) misses raw's
 * "ct zone set": a template of @ct's zone stands in for it, as raw's would
 * have, so that conntrack finds @ct and not a new entry in the default zone.
 */
static int zone_again(struct sk_buff *skb, const struct nf_conn *ct)
{
	const struct nf_conntrack_zone *zone = nf_ct_zone(ct);
	struct nf_conn *tmpl;

	if (zone->id == NF_CT_DEFAULT_ZONE_ID &&
	    zone->dir == NF_CT_DEFAULT_ZONE_DIR)
		return 0;
	tmpl = nf_ct_tmpl_alloc(nf_ct_net(ct), zone, GFP_ATOMIC);
	if (!tmpl)
		return -ENOMEM;
	/* As nft's and xt_CT's: a template is never confirmed into the hash. */
	__set_bit(IPS_CONFIRMED_BIT, &tmpl->status);
	nf_ct_set(skb, tmpl, IP_CT_NEW);
	return 0;
}

int catoproxy_tx_forward(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, bool hop)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	u16 family = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	const struct catoproxy_conn *conn = catoproxy_conn_get(ct);
	u8 pf = nf_ct_l3num(ct);
	struct net_device *in = skb->dev;

	/*
	 * A connection with a path: every packet to the server takes it,
	 * routed as received by its mark.
	 */
	if (conn && catoproxy_conn_path(ct, conn))
		skb->mark = catoproxy_conn_path(ct, conn);
	if (!hop) {
		/* Forwarded once already: the client's packet again. */
		if (unforward(skb, ct, pf))
			goto drop;
		nf_reset_ct(skb);
		if (zone_again(skb, ct))
			goto drop;
	}
	/* Its device went away (halfopen.c): the client's side now. */
	if (!in)
		in = dev_towards(net, family, &t->src.u3, &t->dst.u3);
	if (!in)
		goto drop;
	if (!hop)
		as_received(skb, in, pf);
	/*
	 * A held segment is as PREROUTING left it at the module's hook,
	 * conntrack not yet passed: its control block is ip_rcv()'s.
	 */
	return inject(net, skb, in);

drop:
	kfree_skb(skb);
	return -EHOSTUNREACH;
}

int catoproxy_tx_new(struct net *net, struct sk_buff *skb)
{
	union nf_inet_addr saddr = {}, daddr = {};
	struct net_device *in = skb->dev;
	u16 family;
	u8 pf;

	if (ip_hdr(skb)->version == 4) {
		family = AF_INET;
		pf = NFPROTO_IPV4;
		saddr.ip = ip_hdr(skb)->saddr;
		daddr.ip = ip_hdr(skb)->daddr;
	} else {
		family = AF_INET6;
		pf = NFPROTO_IPV6;
		saddr.in6 = ipv6_hdr(skb)->saddr;
		daddr.in6 = ipv6_hdr(skb)->daddr;
	}
	if (!in)
		in = dev_towards(net, family, &saddr, &daddr);
	if (!in) {
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	as_received(skb, in, pf);
	return inject(net, skb, in);
}
