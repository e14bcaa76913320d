// SPDX-License-Identifier: GPL-2.0
/*
 * Payload rules and paths (Documentation/payload-rules.rst).
 *
 * A connection whose first matching rule is a payload rule is decided on
 * the client's first data, and its server sees nothing before that: the
 * module answers the client's SYN as in full mode (intercept.c), but the
 * SYN stops at conntrack's confirmation (the entry is confirmed, so the
 * client's later segments find it, and the SYN dropped). The connection
 * is INSPECTING, in the half-open table (halfopen.c) with its SYN saved;
 * the client's segments are held before conntrack as for an opening one,
 * and after each the bytes held so far, in sequence order, are read by
 * the parsers (core/payload.c). Once they say enough, or the bytes or
 * segments held reach their bound, or inspect-timeout passes without data
 * (halfopen.c's timer), the rules decide with the name seen, if any:
 * blocked, the client gets the block page or a reset; otherwise the saved
 * SYN goes to the server now, on the decided path, and the connection is
 * an opening full-mode one from there on.
 *
 * A path is a firewall mark on the server half's packets in the client's
 * direction, so that policy routing (ip rule fwmark) picks the link. It is
 * kept as the entry's conntrack mark (CATOPROXY_CONN_F_PATH says it is
 * ours) and put on each packet at PREROUTING before routing; the packets
 * the module sends towards the server are routed with it (tx.c). A path
 * is never changed once a SYN has left towards the server.
 */

#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/tcp.h>

#include "event.h"
#include "halfopen.h"
#include "inspect.h"
#include "intercept.h"
#include "netns.h"
#include "policy.h"
#include "rulebase.h"
#include "seg.h"
#include "tx.h"

/* The first allocation for the bytes held; doubled up to HOLD_MAX. */
#define BUF_MIN 2048

void catoproxy_inspect_syn(struct net *net, const struct sk_buff *skb, u8 pf,
			   const struct nf_conn *ct,
			   struct catoproxy_decision *d)
{
	static const struct catoproxy_payload_names none = {};
	struct catoproxy_flow flow;

	if (catoproxy_intercept_answerable(net, skb, pf)) {
		/* Whatever the policy says, the module answers it. */
		d->mode = CATOPROXY_MODE_FULL;
		d->adaptive = false;
		return;
	}
	/* Its SYN goes on as it is: the rules cannot wait for the data. */
	catoproxy_conn_flow(ct, &flow);
	catoproxy_rulebase_decide_payload(net, &flow, &none, d);
}

unsigned int catoproxy_inspect_confirm(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/*
	 * In the table now, or refused as a clash with another CPU's copy
	 * of the SYN, which made the entry: either way the SYN ends here.
	 */
	if (ct && !nf_ct_is_confirmed(ct))
		nf_conntrack_confirm(skb);
	return NF_DROP;
}

/* Where @skb's data starts, its sequence number and length. */
static bool seg_data(const struct sk_buff *skb, u32 *seq, unsigned int *off,
		     unsigned int *len)
{
	u8 pf = ip_hdr(skb)->version == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	const struct tcphdr *th;
	struct tcphdr _th;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, pf);
	if (thoff < 0)
		return false;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->doff < 5 || th->syn || th->rst ||
	    skb->len < thoff + th->doff * 4U)
		return false;
	*off = thoff + th->doff * 4;
	*len = skb->len - *off;
	*seq = ntohl(th->seq);
	return true;
}

/* Room in @p->buf for @want bytes in all, up to HOLD_MAX. */
static bool buf_room(struct catoproxy_pending *p, u32 want, u32 *cap)
{
	u32 size = BUF_MIN;
	u8 *buf;

	while (size < want && size < CATOPROXY_PAYLOAD_HOLD_MAX)
		size *= 2;
	size = min_t(u32, size, CATOPROXY_PAYLOAD_HOLD_MAX);
	if (p->buf && ksize(p->buf) >= size) {
		*cap = size;
		return true;
	}
	buf = krealloc(p->buf, size, GFP_ATOMIC);
	if (!buf)
		return false;
	p->buf = buf;
	*cap = size;
	return true;
}

/*
 * Append to @p->buf what the held segments have right after it, until no
 * segment adds anything: segments may have come out of order, and
 * retransmissions overlap. Bytes past a gap wait for the gap.
 */
static void gather(struct catoproxy_pending *p)
{
	unsigned int off, len, skip, n;
	struct sk_buff *skb;
	bool more;
	u32 seq, next, cap;

	do {
		more = false;
		skb_queue_walk(&p->held, skb) {
			if (p->buf_len >= CATOPROXY_PAYLOAD_HOLD_MAX)
				return;
			if (!seg_data(skb, &seq, &off, &len) || !len)
				continue;
			next = p->client_isn + 1 + p->buf_len;
			skip = next - seq;
			if ((s32)(seq - next) > 0 || skip >= len)
				continue;
			n = min_t(u32, len - skip,
				  CATOPROXY_PAYLOAD_HOLD_MAX - p->buf_len);
			if (!buf_room(p, p->buf_len + n, &cap))
				return;
			n = min_t(u32, n, cap - p->buf_len);
			if (skb_copy_bits(skb, off + skip, p->buf + p->buf_len,
					  n))
				continue;
			p->buf_len += n;
			more = true;
		}
	} while (more);
}

bool catoproxy_inspect_feed(struct catoproxy_pending *p, bool full,
			    struct catoproxy_inspect *r)
{
	int sni, host;
	u32 before;

	if (!p->inspecting || p->deciding)
		return false;
	before = p->buf_len;
	gather(p);
	r->match = CATOPROXY_RULE_MATCH_NONE;
	r->name[0] = '\0';
	if (p->buf_len == before && !full)
		return false;
	if (p->buf_len) {
		sni = catoproxy_payload_sni(p->buf, p->buf_len, r->name);
		if (sni == CATOPROXY_PAYLOAD_FOUND) {
			r->match = CATOPROXY_RULE_MATCH_SNI;
			goto decide;
		}
		host = catoproxy_payload_host(p->buf, p->buf_len, r->name);
		if (host == CATOPROXY_PAYLOAD_FOUND) {
			r->match = CATOPROXY_RULE_MATCH_HOST;
			goto decide;
		}
		r->name[0] = '\0';
		r->why = sni == CATOPROXY_PAYLOAD_MALFORMED ||
					 host == CATOPROXY_PAYLOAD_MALFORMED ?
				 CATOPROXY_STAT_PAYLOAD_MALFORMED :
				 CATOPROXY_STAT_PAYLOAD_NO_NAME;
		if (sni != CATOPROXY_PAYLOAD_MORE &&
		    host != CATOPROXY_PAYLOAD_MORE)
			goto decide;
	}
	if (!full && p->buf_len < CATOPROXY_PAYLOAD_HOLD_MAX)
		return false;
	r->why = CATOPROXY_STAT_PAYLOAD_HOLD_FULL;
decide:
	/* One decision: later segments are only held meanwhile. */
	p->deciding = true;
	return true;
}

/* The client's next sequence number, past the data held in order. */
static u32 client_next(const struct catoproxy_pending *p)
{
	return p->client_isn + 1 + p->buf_len;
}

/* Blocked on its payload, without the page: a reset. */
static void block_reset(struct net *net, const struct nf_conn *ct,
			const struct catoproxy_conn *conn, u32 ack)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_tx tx = {
		.seq = conn->isn + 1,
		.ack = ack,
		.flags = TCPHDR_RST | TCPHDR_ACK,
	};

	catoproxy_tx_between(&tx, ct, true);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
	catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_RESET_SENT);
}

/*
 * Blocked on its payload, an HTTP request on a block-page port: the page,
 * acknowledging the request (@ack), ending with a FIN, from byte @from on
 * (0 the first time; the half-open table's timer sends what the client
 * did not acknowledge again).
 */
static void block_page(struct net *net, const struct nf_conn *ct,
		       const struct catoproxy_conn *conn, u32 ack, u32 from)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	const struct catoproxy_policy *pol = rcu_dereference(cn->policy);
	struct catoproxy_tx tx = { .ack = ack, .window = 65535 };
	u32 len = pol->response_len, mss = conn->mss ?: 536;

	if (from > len)
		return;
	catoproxy_tx_between(&tx, ct, true);
	do {
		u32 n = min(mss, len - from);

		tx.seq = conn->isn + 1 + from;
		tx.data = pol->response + from;
		tx.len = n;
		tx.flags = TCPHDR_ACK | (n ? TCPHDR_PSH : 0);
		if (from + n == len)
			tx.flags |= TCPHDR_FIN;
		if (catoproxy_tx_segment(net, &tx))
			catoproxy_stat_inc(cn, CATOPROXY_STAT_TX_FAILED);
		from += n;
	} while (from < len);
}

void catoproxy_inspect_page_again(struct net *net, struct nf_conn *ct,
				  u32 una, u32 ack, u32 fin_seq)
{
	const struct catoproxy_policy *pol;
	struct catoproxy_conn *conn;

	rcu_read_lock();
	conn = catoproxy_conn_get(ct);
	pol = rcu_dereference(catoproxy_net(net)->policy);
	/* A page changed since (set block-page) is not mixed with the old. */
	if (conn && fin_seq == conn->isn + 1 + pol->response_len + 1)
		block_page(net, ct, conn, ack, una - (conn->isn + 1));
	rcu_read_unlock();
}

void catoproxy_inspect_close(struct net *net, const struct sk_buff *skb,
			     struct nf_conn *ct, const struct tcphdr *th,
			     unsigned int thoff, u32 seq)
{
	struct catoproxy_tx tx = {
		.seq = seq,
		.ack = ntohl(th->seq) + (skb->len - thoff - th->doff * 4) + 1,
		.flags = TCPHDR_ACK,
		.window = 65535,
	};

	catoproxy_tx_between(&tx, ct, true);
	if (catoproxy_tx_segment(net, &tx))
		catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_TX_FAILED);
	nf_ct_kill(ct);
}

void catoproxy_inspect_decide(struct net *net, struct nf_conn *ct,
			      struct catoproxy_conn *conn,
			      const struct catoproxy_inspect *r)
{
	struct catoproxy_net *cn = catoproxy_net(net);
	struct catoproxy_payload_names names = {};
	struct catoproxy_decision d = {};
	struct catoproxy_pending *p;
	struct catoproxy_flow flow;
	struct sk_buff *syn = NULL;
	bool acked, opened = false, page = false;
	u32 ack = 0, path;

	if (r->match == CATOPROXY_RULE_MATCH_SNI)
		names.sni = r->name;
	else if (r->match == CATOPROXY_RULE_MATCH_HOST)
		names.host = r->name;
	catoproxy_conn_flow(ct, &flow);
	/* Site and mode stay what the SYN's decision made them. */
	d.site_id = conn->site_id;
	d.mode = conn->mode;
	d.reason = conn->reason;
	catoproxy_rulebase_decide_payload(net, &flow, &names, &d);
	path = d.action == CATOPROXY_ACTION_BLOCK ? 0 : d.path;
	/* An HTTP request on a block-page port gets the page. */
	if (d.action == CATOPROXY_ACTION_BLOCK &&
	    r->match == CATOPROXY_RULE_MATCH_HOST &&
	    catoproxy_policy_page_port(rcu_dereference(cn->policy),
				       flow.dport))
		page = true;

	spin_lock_bh(&cn->pending_lock);
	p = conn->pending;
	if (!p || !p->inspecting) {
		/* Gone meanwhile: the client reset, or the table went. */
		spin_unlock_bh(&cn->pending_lock);
		return;
	}
	acked = p->client_acked;
	if (d.action != CATOPROXY_ACTION_BLOCK && acked) {
		/*
		 * The server half opens now, on its path: from here on the
		 * connection is an opening full-mode one, and the server's
		 * time starts.
		 */
		syn = skb_copy(p->syn, GFP_ATOMIC);
		p->inspecting = false;
		p->deadline = jiffies + msecs_to_jiffies(
			rcu_dereference(cn->policy)->server_timeout_ms);
		p->retx_at = jiffies + HZ;
		if (path) {
			WRITE_ONCE(ct->mark, path);
			WRITE_ONCE(conn->flags, conn->flags | CATOPROXY_CONN_F_PATH);
		}
		WRITE_ONCE(conn->state, CATOPROXY_CONN_OPENING);
		opened = true;
	} else if (page) {
		/*
		 * It stays in the table, so that its segments are still
		 * found and dropped, until the client closes or the server's
		 * time passes (halfopen.c).
		 */
		ack = client_next(p);
		p->blocked = true;
		p->fin_seq = conn->isn + 1 +
			     rcu_dereference(cn->policy)->response_len + 1;
		p->page_una = conn->isn + 1;
		p->retx = 0;
		p->retx_at = jiffies + HZ;
		p->deadline = jiffies + msecs_to_jiffies(
			rcu_dereference(cn->policy)->server_timeout_ms);
		p = NULL;
	} else {
		ack = client_next(p);
		p = catoproxy_halfopen_detach(cn, conn, CATOPROXY_CONN_FAILED);
	}
	spin_unlock_bh(&cn->pending_lock);

	catoproxy_stat_inc(cn, CATOPROXY_STAT_PAYLOAD_DECIDED);
	if (r->match == CATOPROXY_RULE_MATCH_NONE)
		catoproxy_stat_inc(cn, r->why);
	/*
	 * Its handshake was answered: a bypass cannot leave it alone any
	 * more, so it runs as allowed, spliced, on the rule's path.
	 */
	if (opened && d.action == CATOPROXY_ACTION_BYPASS)
		catoproxy_stat_inc(cn, CATOPROXY_STAT_PAYLOAD_BYPASSED);
	if (opened) {
		/* Kept for the connection dump and its later events. */
		if (r->match != CATOPROXY_RULE_MATCH_NONE)
			catoproxy_names_set(net, ct, r->name);
		catoproxy_event_decision_name(net, ct, conn, d.rule_id,
					      r->match ? r->name : NULL);
		/* Lost: the timer sends it again, as any server SYN. */
		if (syn) {
			syn->mark = path;
			if (catoproxy_tx_forward(net, syn, ct, false))
				catoproxy_stat_inc(cn,
						   CATOPROXY_STAT_TX_FAILED);
		}
		return;
	}
	if (d.action == CATOPROXY_ACTION_BLOCK) {
		catoproxy_event_blocked(net, &flow, &d, true,
					r->match ? r->name : NULL);
		if (page) {
			block_page(net, ct, conn, ack, 0);
			catoproxy_stat_inc(cn, CATOPROXY_STAT_BLOCKED_PAGE_SENT);
			return;
		}
		block_reset(net, ct, conn, ack);
	}
	/*
	 * Blocked, or a client that never acknowledged the SYN-ACK (a SYN
	 * from a spoofed address, say): the server never hears of it.
	 */
	nf_ct_kill(ct);
	catoproxy_halfopen_free(p);
}

void catoproxy_inspect_expired(struct net *net, struct nf_conn *ct)
{
	struct catoproxy_inspect r = {
		.match = CATOPROXY_RULE_MATCH_NONE,
		.why = CATOPROXY_STAT_PAYLOAD_INSPECT_TIMEOUT,
	};
	struct catoproxy_conn *conn;

	rcu_read_lock();
	conn = catoproxy_conn_get(ct);
	if (conn)
		catoproxy_inspect_decide(net, ct, conn, &r);
	rcu_read_unlock();
}

void catoproxy_inspect_route(struct net *net, struct sk_buff *skb, u8 pf)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
	const struct catoproxy_conn *conn;
	struct catoproxy_decision d;
	struct catoproxy_flow flow;
	const struct tcphdr *th;
	struct tcphdr _th;
	u32 path;
	int thoff;

	if (!ct || nf_ct_is_template(ct) || nf_ct_protonum(ct) != IPPROTO_TCP ||
	    CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return;
	if (nf_ct_is_confirmed(ct)) {
		/* A path is a mark: without one, no lookup (conn.c's table). */
		if (!READ_ONCE(ct->mark))
			return;
		conn = catoproxy_conn_get(ct);
		path = conn ? catoproxy_conn_path(ct, conn) : 0;
		if (path)
			skb->mark = path;
		return;
	}
	/* A new connection: its SYN takes the path its rule gives it. */
	if (!rcu_access_pointer(catoproxy_net(net)->rules))
		return;
	thoff = catoproxy_seg_tcp(skb, pf);
	th = thoff < 0 ? NULL :
			 skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !th->syn ||
	    tcp_flag_byte(th) & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_FIN))
		return;
	catoproxy_conn_flow(ct, &flow);
	catoproxy_rulebase_decide(net, &flow, &d, false);
	/* An inspected SYN goes no further than confirmation. */
	if (d.action != CATOPROXY_ACTION_BLOCK && !d.inspect && d.path)
		skb->mark = d.path;
}

/* Was @skb, @ct's first packet, routed with @path: a SYN that starts it? */
static bool routed_with(const struct sk_buff *skb, u8 pf, u32 path)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int thoff;

	thoff = catoproxy_seg_tcp(skb, pf);
	th = thoff < 0 ? NULL :
			 skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn && !th->ack && skb->mark == path;
}

static void pinned(struct net *net, struct nf_conn *ct,
		   const struct catoproxy_conn *conn)
{
	catoproxy_stat_inc(catoproxy_net(net), CATOPROXY_STAT_PATH_PINNED);
	if (conn)
		catoproxy_event_conn(net, ct, conn, CATOPROXY_EVENT_PATH_PINNED,
				     CATOPROXY_CAUSE_NONE);
}

void catoproxy_inspect_bypass(struct net *net, const struct sk_buff *skb,
			      u8 pf, struct nf_conn *ct,
			      const struct catoproxy_decision *d)
{
	if (!routed_with(skb, pf, d->path)) {
		pinned(net, ct, NULL);
		return;
	}
	if (catoproxy_conn_attach_path(net, ct, d))
		WRITE_ONCE(ct->mark, d->path);
}

void catoproxy_inspect_path(struct net *net, const struct sk_buff *skb,
			    u8 pf, struct nf_conn *ct,
			    struct catoproxy_conn *conn,
			    const struct catoproxy_decision *d)
{
	if (!d->path || d->inspect)
		return;
	/*
	 * Routed with its path (catoproxy_inspect_route()): a SYN that
	 * starts the connection. Otherwise (picked up mid-stream, a payload
	 * rule that could not hold the SYN, the rules changed in between)
	 * its packets already go another way: it keeps that one.
	 */
	if (routed_with(skb, pf, d->path)) {
		WRITE_ONCE(ct->mark, d->path);
		conn->flags |= CATOPROXY_CONN_F_PATH;
		return;
	}
	pinned(net, ct, conn);
}
