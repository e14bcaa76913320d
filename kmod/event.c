// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection notifications on the "events" multicast group, one message
 * per event: the tree is documented in uapi/linux/catoproxy.h.
 *
 * Events come from the packet path, so they never wait: the check for
 * listeners comes first (no listener, no allocation), the message is
 * allocated atomically, and a message that cannot be allocated or that a
 * listener has no room for is lost, which a listener sees as ENOBUFS.
 */

#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>

#include "conn.h"
#include "event.h"
#include "netlink.h"
#include "policy.h"

/* Room for the largest message: an IPv6 connection. */
static size_t event_size(void)
{
	return nla_total_size(0) + /* CATOPROXY_A_CONN */
	       nla_total_size(sizeof(u16)) * 3 + /* FAMILY, SPORT, DPORT */
	       nla_total_size(sizeof(struct in6_addr)) * 2 + /* SADDR, DADDR */
	       nla_total_size(sizeof(u32)) + /* SITE_ID */
	       nla_total_size(CATOPROXY_SITE_NAME_MAX) + /* SITE_NAME */
	       /* MODE, ACCEL, REASON, STATE, EVENT, CAUSE */
	       nla_total_size(sizeof(u8)) * 6 +
	       nla_total_size(sizeof(u32)); /* RULE_ID */
}

static void event_send(struct net *net, const struct catoproxy_netlink_conn *c,
		       enum catoproxy_event event, enum catoproxy_cause cause,
		       u32 rule_id)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	/* Keeps the family registered from the check to the send. */
	rcu_read_lock();
	if (!catoproxy_netlink_has_listeners(net))
		goto out;

	msg = genlmsg_new(event_size(), GFP_ATOMIC);
	if (!msg)
		goto out;
	hdr = catoproxy_netlink_event_put(msg);
	if (!hdr)
		goto err_msg;
	nest = catoproxy_netlink_put_conn(msg, net, c);
	if (!nest)
		goto err_msg;
	if (nla_put_u8(msg, CATOPROXY_CONN_A_EVENT, event) ||
	    nla_put_u8(msg, CATOPROXY_CONN_A_CAUSE, cause) ||
	    ((event == CATOPROXY_EVENT_DECISION ||
	      event == CATOPROXY_EVENT_BLOCKED) &&
	     nla_put_u32(msg, CATOPROXY_CONN_A_RULE_ID, rule_id)))
		goto err_msg;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	catoproxy_netlink_notify(net, msg);
	goto out;

err_msg:
	/* event_size() is too small: a bug, but not one to crash over. */
	WARN_ON_ONCE(1);
	nlmsg_free(msg);
out:
	rcu_read_unlock();
}

void catoproxy_event_conn(struct net *net, const struct nf_conn *ct,
			  const struct catoproxy_conn *conn,
			  enum catoproxy_event event, enum catoproxy_cause cause)
{
	struct catoproxy_netlink_conn c;

	/* Nobody listens, as a rule: spare the copy too. */
	if (!catoproxy_netlink_has_listeners(net))
		return;
	catoproxy_netlink_conn_of(&c, ct, conn);
	event_send(net, &c, event, cause, 0);
}

void catoproxy_event_decision(struct net *net, const struct nf_conn *ct,
			      const struct catoproxy_conn *conn, u32 rule_id)
{
	struct catoproxy_netlink_conn c;

	if (!catoproxy_netlink_has_listeners(net))
		return;
	catoproxy_netlink_conn_of(&c, ct, conn);
	event_send(net, &c, CATOPROXY_EVENT_DECISION, CATOPROXY_CAUSE_NONE,
		   rule_id);
}

void catoproxy_event_blocked(struct net *net, const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d, bool accel)
{
	struct catoproxy_netlink_conn c = {
		.flow = *flow,
		.site_id = d->site_id,
		.mode = d->adaptive ? CATOPROXY_MODE_ADAPTIVE : d->mode,
		.accel = accel,
		.reason = d->reason,
		.state = CATOPROXY_CONN_BLOCKED,
	};

	event_send(net, &c, CATOPROXY_EVENT_BLOCKED, CATOPROXY_CAUSE_NONE,
		   d->rule_id);
}
