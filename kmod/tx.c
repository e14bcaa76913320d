// SPDX-License-Identifier: GPL-2.0
/*
 * Sending packets on behalf of one side of a connection: the SYN-ACK and
 * resets towards the client, the final handshake ACK towards the server,
 * and client segments held while the server half was opening.
 *
 * Everything is routed here with a foreign source address, from hook or
 * timer context alike, so the routes are looked up directly rather than
 * derived from a packet being processed.
 */

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "conn.h"
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

		tx->saddr = &t->src.u3;
		tx->daddr = &t->dst.u3;
		tx->sport = t->src.u.tcp.port;
		tx->dport = t->dst.u.tcp.port;
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

int catoproxy_tx_forward(struct net *net, struct sk_buff *skb,
			 struct nf_conn *ct, bool hop)
{
	const struct nf_conntrack_tuple *tuple =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	u16 family = nf_ct_l3num(ct) == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	const struct catoproxy_conn *conn = catoproxy_conn_get(ct);
	u32 path = conn ? catoproxy_conn_path(ct, conn) : 0;
	struct dst_entry *dst;

	/* A connection with a path: every packet to the server takes it. */
	if (path)
		skb->mark = path;
	dst = route(net, family, &tuple->src.u3, &tuple->dst.u3, skb->mark);
	if (!dst)
		goto drop;
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);

	if (hop) {
		/*
		 * As ip_forward() does: the header is about to be written, and
		 * a held segment may share its data with a clone (a packet
		 * socket on the way in); room for the link layer comes with it.
		 */
		if (skb_cow(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len))
			goto drop;
		if (family == AF_INET) {
			if (ip_hdr(skb)->ttl <= 1)
				goto drop;
			ip_decrease_ttl(ip_hdr(skb));
		} else {
			if (ipv6_hdr(skb)->hop_limit <= 1)
				goto drop;
			ipv6_hdr(skb)->hop_limit--;
		}
	}
	/* As ip_forward() does: the receive checksum no longer applies. */
	skb_forward_csum(skb);
	skb->tstamp = 0;

	nf_reset_ct(skb);
	output(net, family, skb);
	return 0;

drop:
	kfree_skb(skb);
	return -EHOSTUNREACH;
}

int catoproxy_tx_new(struct net *net, struct sk_buff *skb)
{
	union nf_inet_addr saddr = {}, daddr = {};
	u16 family;
	struct dst_entry *dst;

	if (ip_hdr(skb)->version == 4) {
		family = AF_INET;
		saddr.ip = ip_hdr(skb)->saddr;
		daddr.ip = ip_hdr(skb)->daddr;
	} else {
		family = AF_INET6;
		saddr.in6 = ipv6_hdr(skb)->saddr;
		daddr.in6 = ipv6_hdr(skb)->daddr;
	}
	dst = route(net, family, &saddr, &daddr, skb->mark);
	if (!dst) {
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	skb_dst_set(skb, dst);
	output(net, family, skb);
	return 0;
}
