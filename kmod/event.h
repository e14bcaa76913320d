/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_EVENT_H
#define _CATOPROXY_EVENT_H

#include <linux/catoproxy.h>
#include <linux/types.h>

struct catoproxy_conn;
struct catoproxy_decision;
struct catoproxy_flow;
struct net;
struct nf_conn;

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
 * A BLOCKED event for the SYN of @flow, which decision @d blocked; @accel:
 * the module answered it with a handshake.
 */
void catoproxy_event_blocked(struct net *net, const struct catoproxy_flow *flow,
			     const struct catoproxy_decision *d, bool accel);

#endif /* _CATOPROXY_EVENT_H */
