// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection notifications on the "events" multicast group, one message
 * per event: the tree is documented in the family's spec
 * (Documentation/netlink/specs/catoproxy.yaml). This file builds and sends
 * them, and holds the encoder of a connection that the connection dump
 * (netlink.c) uses too; it knows the family only by the pointer netlink.c
 * hands it once registered.
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
#include "netns.h"
#include "payload.h"
#include "policy.h"

/*
 * The registered family, NULL while notifications must not go out. The
 * send path reads it once under RCU: catoproxy_event_stop() waits for it.
 */
static const struct genl_family *event_family;
static unsigned int event_group;

void catoproxy_event_start(const struct genl_family *family,
			   unsigned int group)
{
	event_group = group;
	/* Readers that see the family see its group. */
	smp_store_release(&event_family, family);
}

void catoproxy_event_stop(void)
{
	/*
	 * The packet path outlives the family on unload (the hooks go after
	 * it). Stop its notifications and wait for those already past the
	 * check: once unregistered, our group ids may go to another family.
	 */
	WRITE_ONCE(event_family, NULL);
	synchronize_net();
}

/* The family when @net has a listener, else NULL. */
static const struct genl_family *listened(struct net *net)
{
	/* Pairs with catoproxy_event_start(): the group is set before. */
	const struct genl_family *family = smp_load_acquire(&event_family);

	if (family && genl_has_listeners(family, net, event_group))
		return family;
	return NULL;
}

/* The site's current name: sites are renamed only by deleting them. */
static int put_site_name(struct sk_buff *skb, struct net *net, u32 site_id)
{
	const struct catoproxy_site *site;
	int ret = 0;

	if (!site_id)
		return 0;
	rcu_read_lock();
	site = catoproxy_policy_site_by_id(
		rcu_dereference(catoproxy_net(net)->policy), site_id);
	if (site)
		ret = nla_put_string(skb, CATOPROXY_CONN_A_SITE_NAME, site->name);
	rcu_read_unlock();
	return ret;
}

void catoproxy_event_conn_info(struct catoproxy_conn_info *c,
			       const struct nf_conn *ct,
			       const struct catoproxy_conn *conn)
{
	catoproxy_conn_flow(ct, &c->flow);
	c->site_id = conn->site_id;
	c->mode = catoproxy_conn_mode(conn);
	/* State and flags move on the packet path while we read them. */
	c->accel = !!(READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL);
	c->reason = conn->reason;
	c->state = READ_ONCE(conn->state);
	c->path = catoproxy_conn_path(ct, conn);
	c->server_name = catoproxy_names_get(nf_ct_net(ct), ct);
}

struct nlattr *catoproxy_event_put_conn(struct sk_buff *skb, struct net *net,
					const struct catoproxy_conn_info *c)
{
	int len = c->flow.family == AF_INET ? 4 : 16;
	struct nlattr *nest;

	nest = nla_nest_start(skb, CATOPROXY_A_CONN);
	if (!nest)
		return NULL;
	if (nla_put_u16(skb, CATOPROXY_CONN_A_FAMILY, c->flow.family) ||
	    nla_put(skb, CATOPROXY_CONN_A_SADDR, len, c->flow.saddr) ||
	    nla_put(skb, CATOPROXY_CONN_A_DADDR, len, c->flow.daddr) ||
	    nla_put_u16(skb, CATOPROXY_CONN_A_SPORT, c->flow.sport) ||
	    nla_put_u16(skb, CATOPROXY_CONN_A_DPORT, c->flow.dport) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_MODE, c->mode) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_ACCEL, c->accel) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_REASON, c->reason) ||
	    nla_put_u32(skb, CATOPROXY_CONN_A_SITE_ID, c->site_id) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_STATE, c->state) ||
	    (c->path && nla_put_u32(skb, CATOPROXY_CONN_A_PATH, c->path)) ||
	    (c->server_name &&
	     nla_put_string(skb, CATOPROXY_CONN_A_SERVER_NAME,
			    c->server_name)) ||
	    put_site_name(skb, net, c->site_id)) {
		nla_nest_cancel(skb, nest);
		return NULL;
	}
	return nest;
}

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
	       nla_total_size(sizeof(u32)) * 2 + /* RULE_ID, PATH */
	       nla_total_size(CATOPROXY_PAYLOAD_NAME_MAX + 1); /* SERVER_NAME */
}

static void event_send(struct net *net, const struct catoproxy_conn_info *c,
		       enum catoproxy_event event, enum catoproxy_cause cause,
		       u32 rule_id)
{
	const struct genl_family *family;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	/* Keeps the family registered from the check to the send. */
	rcu_read_lock();
	family = listened(net);
	if (!family)
		goto out;

	msg = genlmsg_new(event_size(), GFP_ATOMIC);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, family, 0, CATOPROXY_CMD_EVENT);
	if (!hdr)
		goto err_msg;
	nest = catoproxy_event_put_conn(msg, net, c);
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
	/* No listener left, or one that overflowed: neither is our error. */
	genlmsg_multicast_netns(family, net, msg, 0, event_group, GFP_ATOMIC);
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
	struct catoproxy_conn_info c;

	/* Nobody listens, as a rule: spare the copy too. */
	if (!listened(net))
		return;
	catoproxy_event_conn_info(&c, ct, conn);
	event_send(net, &c, event, cause, 0);
}

void catoproxy_event_decision(struct net *net, const struct nf_conn *ct,
			      const struct catoproxy_conn *conn, u32 rule_id)
{
	struct catoproxy_conn_info c;

	if (!listened(net))
		return;
	catoproxy_event_conn_info(&c, ct, conn);
	event_send(net, &c, CATOPROXY_EVENT_DECISION, CATOPROXY_CAUSE_NONE,
		   rule_id);
}

void catoproxy_event_decision_name(struct net *net, const struct nf_conn *ct,
				   const struct catoproxy_conn *conn,
				   u32 rule_id, const char *name)
{
	struct catoproxy_conn_info c;

	if (!listened(net))
		return;
	catoproxy_event_conn_info(&c, ct, conn);
	c.server_name = name;
	event_send(net, &c, CATOPROXY_EVENT_DECISION, CATOPROXY_CAUSE_NONE,
		   rule_id);
}

void catoproxy_event_blocked(struct net *net, const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d, bool accel,
			     const char *name)
{
	struct catoproxy_conn_info c = {
		.flow = *flow,
		.site_id = d->site_id,
		.mode = d->adaptive ? CATOPROXY_MODE_ADAPTIVE : d->mode,
		.accel = accel,
		.reason = d->reason,
		.state = CATOPROXY_CONN_BLOCKED,
		.server_name = name,
	};

	event_send(net, &c, CATOPROXY_EVENT_BLOCKED, CATOPROXY_CAUSE_NONE,
		   d->rule_id);
}
