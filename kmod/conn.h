/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_CONN_H
#define _CATOPROXY_CONN_H

#include <linux/catoproxy.h>
#include <net/netfilter/nf_conntrack.h>

struct catoproxy_pending;

/*
 * enum catoproxy_conn_state (CATOPROXY_CONN_PASS, ...) is in the UAPI:
 * events and connection dumps report it.
 */

#define CATOPROXY_CONN_F_ACCEL 0x01 /* the module answered the client's SYN */
#define CATOPROXY_CONN_F_TS 0x02 /* timestamps on both halves */
#define CATOPROXY_CONN_F_SACK 0x04 /* SACK offered to the client */
#define CATOPROXY_CONN_F_RESCALE 0x08 /* server window scale differs */
#define CATOPROXY_CONN_F_COOKIE 0x10 /* opened from a SYN cookie */
#define CATOPROXY_CONN_F_RESCALE_ORIG 0x20 /* the server reads windows unscaled */
#define CATOPROXY_CONN_F_ADAPTIVE 0x40 /* the policy said adaptive */
/* the server half has a path: its firewall mark is the entry's ct->mark */
#define CATOPROXY_CONN_F_PATH 0x80

/*
 * Per-connection state (see Documentation/design.rst). A connection the
 * module translates keeps it in the private area of the conntrack helper
 * extension, whose lifetime, namespace and garbage collection are
 * conntrack's; one it only follows keeps it in conn.c's table, keyed by the
 * entry and dropped with it, so that a flowtable may offload the entry as
 * if the module were not there. Fields other than @pending
 * are written before the state is published or under the namespace's
 * pending lock, and read on the packet path under RCU.
 */
struct catoproxy_conn {
	u32 site_id;
	/*
	 * enum catoproxy_mode the connection runs in, chosen on its first
	 * packet: FULL or DELAYED for an adaptive one (F_ADAPTIVE)
	 */
	u8 mode;
	u8 reason; /* enum catoproxy_reason */
	u8 state; /* enum catoproxy_conn_state */
	u8 flags; /* CATOPROXY_CONN_F_* */
	union {
		u32 isn; /* accel: ISN of the module's SYN-ACK to the client */
		/* not accel: the server's challenge ACK (rst.c, tcp.h) */
		u32 challenge_ack;
	};
	u32 ts_off; /* server TSval minus the module's TSval */
	union {
		/* MSS offered to the client, until the halves are joined */
		u16 mss;
		/* spliced: last challenge ACK to the client, 64 ms units */
		u16 challenged;
	};
	u8 client_ws; /* client's window scale, 0xff: none */
	u8 told_ws; /* window scale offered to the client, 0xff: none */
	u8 server_ws; /* server's window scale, 0xff: none */
	u8 follow; /* CATOPROXY_FOLLOW_F_* (rst.c) */
	/* full mode while opening: held segments and timers (halfopen.c) */
	struct catoproxy_pending *pending;
};

/* The mode the policy chose, as events and dumps report it. */
static inline u8 catoproxy_conn_mode(const struct catoproxy_conn *conn)
{
	return conn->flags & CATOPROXY_CONN_F_ADAPTIVE ?
		       CATOPROXY_MODE_ADAPTIVE :
		       conn->mode;
}

/*
 * @ct's state, NULL when the module neither translates nor follows it.
 * The caller is in an RCU read-side section (the packet path is).
 */
struct catoproxy_conn *catoproxy_conn_get(const struct nf_conn *ct);
/* The same, for a connection the module translates (the helper's). */
struct catoproxy_conn *catoproxy_conn_translated(const struct nf_conn *ct);
struct nf_conntrack_tuple_hash;
/*
 * Before conntrack's hook: into @h (with a reference, or NULL) the entry
 * conntrack will find for @skb, in the zone raw's template gives it. False
 * when @skb has no tuple conntrack could look up.
 */
bool catoproxy_conn_find_pre(struct net *net, const struct sk_buff *skb,
			     u8 pf, const struct nf_conntrack_tuple_hash **h);

/* The firewall mark of @ct's server half (its path), 0 for none. */
static inline u32 catoproxy_conn_path(const struct nf_conn *ct,
				      const struct catoproxy_conn *conn)
{
	return READ_ONCE(conn->flags) & CATOPROXY_CONN_F_PATH ?
		       READ_ONCE(ct->mark) :
		       0;
}
struct catoproxy_decision;
struct catoproxy_flow;
/* @ct's original tuple, as the policy and the rules read it. */
void catoproxy_conn_flow(const struct nf_conn *ct, struct catoproxy_flow *flow);
struct tcphdr;
/* The same from a TCP segment's headers (@th: its TCP header). */
void catoproxy_conn_skb_flow(const struct sk_buff *skb, u8 pf,
			    const struct tcphdr *th, struct catoproxy_flow *flow);
/*
 * The decision for a new connection @flow: the rule that matched and its
 * action (rulebase.h), and the policy's mode, with adaptive made into full
 * or delayed by the adaptive cache (d->adaptive set) for an allowed
 * connection. A mode the policy gives a blocked or bypassed connection is
 * only reported.
 */
void catoproxy_conn_decide_flow(struct net *net,
				const struct catoproxy_flow *flow,
				struct catoproxy_decision *d);
/*
 * The same, from the connection's conntrack tuple, for the packet that
 * creates its entry: it counts as a hit of the rule.
 */
void catoproxy_conn_decide(struct net *net, const struct nf_conn *ct,
			   struct catoproxy_decision *d);
/*
 * Attach state for decision @d (never off) to unconfirmed @ct, or NULL:
 * with @translate (full mode, intercepted) in the helper extension, else in
 * the table of followed connections, which leaves @ct free to be offloaded.
 */
struct catoproxy_conn *catoproxy_conn_attach(struct net *net, struct nf_conn *ct,
					     const struct catoproxy_decision *d,
					     bool translate);

/*
 * Attach state to unconfirmed @ct that only carries the path of decision
 * @d, a bypass rule's (inspect.c): mode off, state pass, flag F_PATH, and
 * no counter. False when it cannot.
 */
bool catoproxy_conn_attach_path(struct net *net, struct nf_conn *ct,
				const struct catoproxy_decision *d);

/*
 * A waiting delayed connection's server answered its SYN with a SYN-ACK:
 * the module engages (still accel 0) and an adaptive one's server is alive.
 */
void catoproxy_conn_engage(struct net *net, struct nf_conn *ct,
			   struct catoproxy_conn *conn);
/*
 * A packet of followed connection @ct at FORWARD: engage a waiting one on
 * its server's SYN-ACK.
 */
void catoproxy_conn_forward(struct net *net, const struct sk_buff *skb,
			    struct nf_conn *ct, enum ip_conntrack_info ctinfo,
			    struct catoproxy_conn *conn);

/*
 * @net is released (hooks.c): end its spliced connections with a reset to
 * both ends and detach the module from every other one. The hooks must be
 * gone and the half-open table empty.
 */
void catoproxy_conn_release_net(struct net *net);
/*
 * @net is going, or released: forget the connections it follows (their
 * entries live on as plain connections). The hooks must be gone.
 */
void catoproxy_conn_exit_net(struct net *net);

int catoproxy_conn_init(void);
void catoproxy_conn_uninit(void);

#endif /* _CATOPROXY_CONN_H */
