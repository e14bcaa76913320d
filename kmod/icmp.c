// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about the connections the module tracks.
 *
 * Conntrack relates an error to the connection whose segment it quotes and
 * hands it to that connection's stages (icmp.h), but it is no TCP segment:
 * past the ICMP header come the quoted IP header and the first bytes of
 * the quoted TCP header, which the endpoint the error goes to matches
 * against its socket (the tuple, and the sequence number between snd_una
 * and snd_nxt: tcp_v4_err(), tcp_v6_err(), RFC 5927 4.1). So:
 *
 * - An opening connection's server half ends only on a hard error that
 *   quotes the server SYN: what the client's own stack would accept in
 *   SYN-SENT. Path MTU messages, redirects and source quench are no
 *   failures; anything else goes on to the client, which judges it.
 * - A spliced connection's halves have different sequence numbers, and an
 *   error from beyond the router quotes the segment as it left the router,
 *   in the terms of the other half: the quoted sequence and acknowledgment
 *   numbers are translated back (the way conntrack's NAT translates the
 *   quoted addresses, nf_nat_icmp_reply_translation()), or the sender's
 *   stack would not find the segment and Path MTU Discovery of that half
 *   would fail. Errors the router sends itself quote the segment as it
 *   came in, before seqadj, and never pass FORWARD: they need nothing.
 * - Conntrack's confirmation hands an error travelling towards the server
 *   (IP_CT_RELATED) to the helper and to seqadj, which has no ICMP support
 *   and would rewrite the error's bytes as a TCP header's; the error
 *   leaves the entry just before (catoproxy_icmp_leave()). Confirmation
 *   skips errors travelling towards the client, and the helper skips every
 *   error (hooks.c).
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include "halfopen.h"
#include "icmp.h"
#include "netns.h"
#include "seg.h"

/* Both ICMP headers are 8 bytes, the quoted packet follows. */
#define ICMP_HDR_LEN 8

/* The quoted TCP header of an ICMP error. */
struct quote {
	unsigned int icmpoff; /* the ICMP header */
	unsigned int thoff; /* the quoted TCP header */
	unsigned int len; /* bytes of it quoted, at most a fixed header */
	bool hard; /* ends a connection in SYN-SENT */
};

/*
 * Hard errors as Linux's TCP takes them in SYN-SENT: every unreachable
 * but Fragmentation Needed, time exceeded, parameter problem. Source
 * quench and redirects only inform.
 */
static bool hard_v4(u8 type, u8 code)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		return code != ICMP_FRAG_NEEDED && code <= NR_ICMP_UNREACH;
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	}
	return false;
}

/* The same for ICMPv6: not Packet Too Big (redirects are no errors). */
static bool hard_v6(u8 type)
{
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_TIME_EXCEED ||
	       type == ICMPV6_PARAMPROB;
}

/* The TCP header quoted by ICMP error @skb, if it quotes one. */
static bool quote_find(const struct sk_buff *skb, u8 pf, struct quote *q)
{
	const u8 *tc;
	u8 _tc[2];
	int off;

	if (catoproxy_seg_find(skb, pf, &off) != CATOPROXY_SEG_ICMP_ERROR)
		return false;
	tc = skb_header_pointer(skb, off, sizeof(_tc), _tc);
	if (!tc)
		return false;
	q->icmpoff = off;
	off += ICMP_HDR_LEN;
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		off += iph->ihl * 4;
		q->hard = hard_v4(tc[0], tc[1]);
	} else {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		__be16 frag_off;
		u8 nexthdr;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return false;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, off + sizeof(_ip6h), &nexthdr,
				       &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP ||
		    (frag_off & htons(~0x7)))
			return false;
		q->hard = hard_v6(tc[0]);
	}
	/* Every error quotes at least the ports and the sequence number. */
	if (off > skb->len || skb->len - off < 8)
		return false;
	q->thoff = off;
	q->len = min_t(unsigned int, skb->len - off, sizeof(struct tcphdr));
	return true;
}

/*
 * The server half of an opening connection has sent one segment, its SYN,
 * at the client's ISN; errors towards the server quote nothing of ours.
 */
static unsigned int opening(struct net *net, struct sk_buff *skb,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct catoproxy_conn *conn, const struct quote *q)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_pending *p;
	const __be32 *seq;
	__be32 _seq;
	bool syn;

	if (ctinfo != IP_CT_RELATED_REPLY || !q->hard)
		return NF_ACCEPT;
	seq = skb_header_pointer(skb, q->thoff + offsetof(struct tcphdr, seq),
				 sizeof(_seq), &_seq);
	if (!seq)
		return NF_ACCEPT;
	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	syn = p && ntohl(*seq) == p->client_isn;
	spin_unlock_bh(&cn->pending_lock);
	if (!syn)
		return NF_ACCEPT;
	catoproxy_halfopen_fail(net, ct, conn, CATOPROXY_STAT_SERVER_OPEN_FAILED,
				CATOPROXY_CAUSE_SERVER_ICMP);
	/* The client, told the connection is up, gets an RST instead. */
	return NF_DROP;
}

/*
 * Rewrite the quoted 32-bit @field to @val: the quoted TCP checksum, when
 * quoted, and the ICMP checksum follow (neither covers addresses that
 * change, so no pseudo-header is involved).
 */
static void quote_put32(struct sk_buff *skb, __sum16 *icmp_check,
			__sum16 *tcp_check, __be32 *field, u32 val)
{
	__be32 old = *field, new = htonl(val);

	if (old == new)
		return;
	*field = new;
	inet_proto_csum_replace4(icmp_check, skb, old, new, false);
	if (tcp_check) {
		__sum16 before = *tcp_check;

		csum_replace4(tcp_check, old, new);
		inet_proto_csum_replace2(icmp_check, skb, (__force __be16)before,
					 (__force __be16)*tcp_check, false);
	}
}

/*
 * A spliced connection's error: the quoted segment crossed the router in
 * direction @quoted and seqadj added its offset to the sequence number
 * and took the other direction's from the acknowledgment number. Undo
 * both. Unwritable: it goes on as it is, as it always did.
 */
static void spliced(struct sk_buff *skb, struct nf_conn *ct,
		    enum ip_conntrack_info ctinfo, const struct quote *q)
{
	enum ip_conntrack_dir quoted = CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
					       IP_CT_DIR_REPLY :
					       IP_CT_DIR_ORIGINAL;
	enum ip_conntrack_dir other = quoted == IP_CT_DIR_ORIGINAL ?
					      IP_CT_DIR_REPLY :
					      IP_CT_DIR_ORIGINAL;
	__sum16 *icmp_check, *tcp_check = NULL;
	struct tcphdr *th;
	u32 v;

	if (!test_bit(IPS_SEQ_ADJUST_BIT, &ct->status) || !nfct_seqadj(ct) ||
	    skb_ensure_writable(skb, q->thoff + q->len))
		return;
	/* Both checksum fields are at offset 2 of their header. */
	icmp_check = (__sum16 *)(skb->data + q->icmpoff + 2);
	th = (struct tcphdr *)(skb->data + q->thoff);
	if (q->len >= offsetof(struct tcphdr, urg_ptr))
		tcp_check = &th->check;

	v = ntohl(th->seq);
	quote_put32(skb, icmp_check, tcp_check, &th->seq,
		    v - nf_ct_seq_offset(ct, quoted, v));
	/* The acknowledgment number, if the quoted flags say it is one. */
	if (q->len >= offsetof(struct tcphdr, window) && th->ack) {
		v = ntohl(th->ack_seq);
		quote_put32(skb, icmp_check, tcp_check, &th->ack_seq,
			    v + nf_ct_seq_offset(ct, other, v));
	}
}

unsigned int catoproxy_icmp_forward(struct net *net, struct sk_buff *skb,
				    u8 pf, struct nf_conn *ct,
				    enum ip_conntrack_info ctinfo,
				    struct catoproxy_conn *conn)
{
	struct quote q;

	if (!quote_find(skb, pf, &q))
		return NF_ACCEPT;
	switch (READ_ONCE(conn->state)) {
	case CATOPROXY_CONN_OPENING:
		return opening(net, skb, ct, ctinfo, conn, &q);
	case CATOPROXY_CONN_SPLICED:
		spliced(skb, ct, ctinfo, &q);
		break;
	}
	return NF_ACCEPT;
}

void catoproxy_icmp_leave(struct sk_buff *skb, u8 pf, struct nf_conn *ct)
{
	int off;

	if (test_bit(IPS_SEQ_ADJUST_BIT, &ct->status) &&
	    catoproxy_seg_find(skb, pf, &off) == CATOPROXY_SEG_ICMP_ERROR)
		nf_reset_ct(skb);
}
