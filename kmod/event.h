/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_EVENT_H
#define _CATOPROXY_EVENT_H

#include <linux/catoproxy.h>
#include <linux/types.h>

#include "policy.h"

struct catoproxy_conn;
struct catoproxy_decision;
struct genl_family;
struct net;
struct nf_conn;
struct nlattr;
struct sk_buff;

/*
 * Tells the listeners of @net's CATOPROXY_MCGRP_EVENTS group that @event
 * happened to @ct, whose state is @conn (already updated: the message
 * carries @conn's state as it is now). @cause says why a FAILED event
 * failed, CATOPROXY_CAUSE_NONE otherwise. Callable from any context,
 * softirq included; costs one check when nobody listens. Best effort: a
 * message that cannot be allocated is not sent.
 */
void catoproxy_event_conn(struct net *net, const struct nf_conn *ct,
			  const struct catoproxy_conn *conn,
			  enum catoproxy_event event, enum catoproxy_cause cause);
/* The DECISION event, which names the rule that matched (0: none). */
void catoproxy_event_decision(struct net *net, const struct nf_conn *ct,
			      const struct catoproxy_conn *conn, u32 rule_id);
/*
 * The same for a connection a payload rule inspected, with the server
 * name or host its first data carried (NULL: none).
 */
void catoproxy_event_decision_name(struct net *net, const struct nf_conn *ct,
				   const struct catoproxy_conn *conn,
				   u32 rule_id, const char *name);
/*
 * A BLOCKED event for the SYN of @flow, which decision @d blocked; @accel:
 * the module answered it with a handshake; @name: the server name its
 * first data carried (inspect.c), or NULL.
 */
void catoproxy_event_blocked(struct net *net, const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d, bool accel,
			     const char *name);

/* What a connection dump or an event tells of a connection. */
struct catoproxy_conn_info {
	struct catoproxy_flow flow; /* conntrack's original direction */
	u32 site_id;
	u8 mode; /* enum catoproxy_mode, as catoproxy_conn_mode() says */
	u8 accel;
	u8 reason;
	u8 state;
	u32 path; /* the server half's firewall mark, 0: none */
	/* what an inspected connection's data said (names.c), or NULL */
	const char *server_name;
};

/*
 * @c as @ct and its state @conn describe the connection now. In an RCU
 * read section, which @c->server_name lives no longer than.
 */
void catoproxy_event_conn_info(struct catoproxy_conn_info *c,
			       const struct nf_conn *ct,
			       const struct catoproxy_conn *conn);
/*
 * Opens a CATOPROXY_A_CONN nest in @skb describing @c, a connection of
 * @net: the encoder events and the connection dump share. The caller may
 * add to it and closes it with nla_nest_end(). NULL when @skb is full,
 * with nothing added.
 */
struct nlattr *catoproxy_event_put_conn(struct sk_buff *skb, struct net *net,
					const struct catoproxy_conn_info *c);

/*
 * Events are sent on @family's multicast group @group once the family is
 * registered (start) and until it is about to be unregistered (stop, which
 * waits for the senders already past their check). Before start and after
 * stop nothing is sent.
 */
void catoproxy_event_start(const struct genl_family *family,
			   unsigned int group);
void catoproxy_event_stop(void);

#endif /* _CATOPROXY_EVENT_H */
