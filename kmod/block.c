// SPDX-License-Identifier: GPL-2.0
/*
 * Blocked connections (a rule says block), answered without keeping
 * anything: no conntrack entry, no memory, nothing to free on unload, and a
 * flood of blocked SYNs costs no more than the answers.
 *
 * blocked-syn drop: every segment is dropped and nothing is answered, so a
 * scanner sees the port filtered.
 *
 * blocked-syn handshake: the module is the server. The SYN gets a SYN-ACK
 * whose ISN is a keyed hash of the connection and the time (a new secret
 * slot every 64 s) in its low 30 bits, with the MSS to use in the top two
 * bits: every later segment of the client tells, by its acknowledgment
 * number, whether it answers that SYN-ACK and how much of the module's
 * data it has received (the data is at most 4 KiB and some, far below
 * 2^30). Then:
 *
 * - on a block-page port the handshake ACK is taken in silently; the first
 *   segment with data (the request) is answered with the whole response,
 *   an HTTP 403 page ending with a FIN. The response does not acknowledge
 *   the request: the client keeps it on its retransmission timer until it
 *   has acknowledged all of the response, and only then does the module
 *   acknowledge it. So a lost segment of the response, wherever it was, is
 *   recovered by the client itself: it sends the request again, and the
 *   rest of the response (from what it acknowledged) follows again. A
 *   segment that answers nothing new (a pure ACK) gets no answer;
 * - on any other port the handshake ACK is answered with a reset.
 *
 * Nothing of it reaches the destination: every segment is dropped once
 * answered. A segment that answers one of these SYN-ACKs stays the
 * module's whatever the rules have become since: a connection is decided
 * on its SYN, once.
 */

#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/tcp.h>

#include "block.h"
#include "conn.h"
#include "event.h"
#include "netns.h"
#include "policy.h"
#include "rulebase.h"
#include "seg.h"
#include "tcp.h"
#include "tx.h"

#define ISN_SLOT_SHIFT 6 /* seconds */
/* How long an answered SYN may have later segments: the last two slots. */
#define ANSWER_WINDOW ((2 << ISN_SLOT_SHIFT) * HZ)
#define ISN_HASH_BITS 30
#define ISN_HASH_MASK ((1U << ISN_HASH_BITS) - 1)
/* What the top two bits of the ISN say: the segment size to use. */
static const u16 block_mss[] = { 536, 1220, 1440, 1460 };
#define BLOCK_WINDOW 65535

struct isn_input {
	struct catoproxy_flow flow;
	u32 slot;
} __aligned(SIPHASH_ALIGNMENT);

static u32 isn_hash(const struct catoproxy_net *cn,
		    const struct catoproxy_flow *flow, u32 slot)
{
	struct isn_input in;

	/* Padding too: the hash reads every byte. */
	memset(&in, 0, sizeof(in));
	in.flow = *flow;
	in.slot = slot;
	return (u32)siphash(&in, sizeof(in), &cn->block_key) & ISN_HASH_MASK;
}

static u32 isn_slot(void)
{
	return (u32)(ktime_get_seconds() >> ISN_SLOT_SHIFT);
}

/* Address @tx from the destination of @flow back to its source. */
static void tx_reply_to(struct catoproxy_tx *tx, const struct catoproxy_flow *flow,
			union nf_inet_addr *saddr, union nf_inet_addr *daddr)
{
	memcpy(saddr, flow->daddr, sizeof(*saddr));
	memcpy(daddr, flow->saddr, sizeof(*daddr));
	tx->saddr = saddr;
	tx->daddr = daddr;
	tx->family = flow->family;
	tx->sport = htons(flow->dport);
	tx->dport = htons(flow->sport);
	tx->window = BLOCK_WINDOW;
}

static void send_or_count(struct net *net, const struct catoproxy_tx *tx)
{
	if (catoproxy_tx_segment(net, tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
}

/* The SYN-ACK, the same for every copy of the SYN within a slot. */
static void answer_syn(struct net *net, struct catoproxy_net *cn,
		       const struct sk_buff *skb, unsigned int thoff,
		       const struct tcphdr *th,
		       const struct catoproxy_flow *flow)
{
	union nf_inet_addr saddr, daddr;
	struct catoproxy_tcpopts co = {}, so = {
		.wscale = CATOPROXY_TCP_WS_NONE,
	};
	u8 opts[CATOPROXY_TCP_OPTS_MAX], in[40];
	unsigned int optlen = th->doff * 4 - sizeof(*th), mss, idx, hdrs;
	struct catoproxy_tx tx = {
		.flags = TCPHDR_SYN | TCPHDR_ACK,
		.ack = ntohl(th->seq) + 1,
		.opts = opts,
	};

	/* A malformed option block leaves the client's MSS unknown: 536. */
	if (skb_copy_bits(skb, thoff + sizeof(*th), in, optlen) ||
	    catoproxy_tcp_parse_opts(in, optlen, &co))
		co.mss = 0;
	mss = co.mss ?: 536;
	/* The link it came in on stands for the path back, as in cookie.c. */
	hdrs = (flow->family == AF_INET ? sizeof(struct iphdr) :
					  sizeof(struct ipv6hdr)) +
	       sizeof(struct tcphdr);
	if (skb->dev && skb->dev->mtu > hdrs + 536)
		mss = min(mss, skb->dev->mtu - hdrs);
	for (idx = ARRAY_SIZE(block_mss) - 1; idx && block_mss[idx] > mss; idx--)
		;

	/* Only the MSS: nothing the module would have to honour later. */
	so.mss = block_mss[idx];
	tx.optlen = catoproxy_tcp_build_opts(opts, &so);
	tx_reply_to(&tx, flow, &saddr, &daddr);
	tx.seq = isn_hash(cn, flow, isn_slot()) + (idx << ISN_HASH_BITS);
	send_or_count(net, &tx);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_HANDSHAKE);
	/* Once a jiffy at most: every forwarded new flow reads it. */
	if (READ_ONCE(cn->block_until) != jiffies + ANSWER_WINDOW)
		WRITE_ONCE(cn->block_until, jiffies + ANSWER_WINDOW);
}

/*
 * Which of our SYN-ACKs @ack acknowledges (a byte past @isn's) and how
 * much of what followed it: false when none of the last two slots' ISNs
 * explains it within @max bytes.
 */
static bool answered(const struct catoproxy_net *cn,
		     const struct catoproxy_flow *flow, u32 ack, u32 max,
		     u32 *isn, u32 *acked)
{
	u32 slot = isn_slot(), i;

	for (i = 0; i < 2; i++) {
		u32 base = isn_hash(cn, flow, slot - i);
		u32 v = ack - 1 - base;

		if ((v & ISN_HASH_MASK) <= max) {
			*acked = v & ISN_HASH_MASK;
			*isn = base + (v & ~ISN_HASH_MASK);
			return true;
		}
	}
	return false;
}

static void send_reset(struct net *net, struct catoproxy_net *cn,
		       const struct catoproxy_flow *flow, u32 seq)
{
	union nf_inet_addr saddr, daddr;
	struct catoproxy_tx tx = {
		.flags = TCPHDR_RST,
		.seq = seq,
	};

	tx_reply_to(&tx, flow, &saddr, &daddr);
	tx.window = 0;
	send_or_count(net, &tx);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_RESET_SENT);
}

/*
 * Send the response from byte @from to its end, the FIN with its last
 * byte, acknowledging @ack: not the request itself (see the top).
 */
static void send_page(struct net *net, const struct catoproxy_policy *pol,
		      const struct catoproxy_flow *flow, u32 isn, u32 mss,
		      u32 from, u32 ack)
{
	union nf_inet_addr saddr, daddr;
	struct catoproxy_tx tx = { .ack = ack };
	u32 len = pol->response_len;

	tx_reply_to(&tx, flow, &saddr, &daddr);
	do {
		u32 n = min(mss, len - from);

		tx.seq = isn + 1 + from;
		tx.data = pol->response + from;
		tx.len = n;
		tx.flags = TCPHDR_ACK | (n ? TCPHDR_PSH : 0);
		if (from + n == len)
			tx.flags |= TCPHDR_FIN;
		send_or_count(net, &tx);
		from += n;
	} while (from < len);
}

/* A segment after the SYN, of a blocked connection that got a handshake. */
static void answer_segment(struct net *net, struct catoproxy_net *cn,
			   const struct sk_buff *skb, unsigned int thoff,
			   const struct tcphdr *th,
			   const struct catoproxy_flow *flow)
{
	const struct catoproxy_policy *pol = rcu_dereference(cn->policy);
	bool page = catoproxy_policy_page_port(pol, flow->dport);
	u32 len = pol->response_len, isn, acked, payload, seq;
	union nf_inet_addr saddr, daddr;
	struct catoproxy_tx tx = {};

	payload = skb->len - thoff - th->doff * 4;
	/* Only the handshake ACK is ours on a port that gets a reset. */
	if (th->rst || th->syn || !th->ack ||
	    !answered(cn, flow, ntohl(th->ack_seq), page ? len + 1 : 0, &isn,
		      &acked)) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_DROPPED);
		return;
	}
	seq = ntohl(th->seq);
	if (!page || (!acked && !payload && th->fin)) {
		/* No page here, or the client left without asking. */
		send_reset(net, cn, flow, isn + 1 + acked);
		return;
	}
	/*
	 * The handshake ACK, or an ACK of part of the response: nothing to
	 * answer. A loss is the client's to recover, by sending again.
	 */
	if (!payload && !th->fin && acked <= len)
		return;
	if (acked <= len) {
		if (!acked)
			catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_PAGE_SENT);
		send_page(net, pol, flow, isn, block_mss[isn >> ISN_HASH_BITS],
			  acked, seq);
		return;
	}
	/*
	 * The client has all of it, FIN included: now acknowledge what it
	 * sent, the request and its FIN.
	 */
	tx_reply_to(&tx, flow, &saddr, &daddr);
	tx.flags = TCPHDR_ACK;
	tx.seq = isn + 1 + len + 1;
	tx.ack = seq + payload + th->fin;
	send_or_count(net, &tx);
}

unsigned int catoproxy_block(struct net *net, struct sk_buff *skb, u8 pf,
			     const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct tcphdr *th;
	struct tcphdr _th;
	bool syn, drop;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, pf);
	th = thoff < 0 ? NULL :
			 skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->doff < 5 || skb->len < thoff + th->doff * 4) {
		catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_DROPPED);
		return NF_DROP;
	}
	syn = th->syn && !(tcp_flag_byte(th) &
			   (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN));
	drop = rcu_dereference(cn->policy)->blocked_syn ==
	       CATOPROXY_BLOCKED_SYN_DROP;

	if (!syn) {
		if (drop)
			catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_DROPPED);
		else
			answer_segment(net, cn, skb, thoff, th, flow);
		return NF_DROP;
	}
	if (drop)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_SYN_DROPPED);
	else
		answer_syn(net, cn, skb, thoff, th, flow);
	catoproxy_event_blocked(net, flow, d, !drop, NULL);
	return NF_DROP;
}

unsigned int catoproxy_block_early(struct net *net, struct sk_buff *skb, u8 pf,
				   bool new_ct)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_decision d = {};
	bool answering = time_before(jiffies, READ_ONCE(cn->block_until));
	struct catoproxy_flow flow;
	const struct tcphdr *th;
	struct tcphdr _th;
	u32 isn, acked;
	int thoff;

	if (!answering && !catoproxy_rulebase_blocks(net))
		return NF_ACCEPT;
	thoff = catoproxy_seg_tcp(skb, pf);
	if (thoff < 0)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	if (new_ct && th->syn &&
	    !(tcp_flag_byte(th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN)))
		return NF_ACCEPT;
	catoproxy_conn_skb_flow(skb, pf, th, &flow);
	/* It follows a handshake the module answered: see the top. */
	if (answering && th->ack && !th->syn &&
	    answered(cn, &flow, ntohl(th->ack_seq),
		     CATOPROXY_BLOCK_RESPONSE_MAX + 1, &isn, &acked)) {
		d.action = CATOPROXY_ACTION_BLOCK;
		return catoproxy_block(net, skb, pf, &flow, &d);
	}
	catoproxy_conn_decide_flow(net, &flow, &d);
	if (d.action != CATOPROXY_ACTION_BLOCK)
		return NF_ACCEPT;
	return catoproxy_block(net, skb, pf, &flow, &d);
}
