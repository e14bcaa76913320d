/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CATOPROXY_NAMES_H
#define _CATOPROXY_NAMES_H

#include <linux/rhashtable-types.h>
#include <linux/types.h>

struct net;
struct nf_conn;

/*
 * The server name (TLS SNI or HTTP Host) an inspected connection's first
 * data carried, kept past its decision for the connection dump and its
 * events. The connection's 32 bytes of state (conn.h) have no room for it,
 * so it is in a table of its namespace keyed by the conntrack entry, for
 * the inspected connections that had a name only, and at most
 * CATOPROXY_NAMES_MAX of them (past that a connection's name is only in
 * its decision event). An entry goes with its connection (conn.c's
 * destroy), when the namespace is released (hooks.c) and with the
 * namespace's state (netns.c).
 */
#define CATOPROXY_NAMES_MAX 32768

struct catoproxy_names {
	struct rhashtable table;
	atomic_t count;
};

int catoproxy_names_init(struct catoproxy_names *names);
/* Frees every entry: no reader and no writer may be left. */
void catoproxy_names_destroy(struct catoproxy_names *names);

/* Keep @name for confirmed @ct of @net (packet path, RCU). */
void catoproxy_names_set(struct net *net, const struct nf_conn *ct,
			 const char *name);
/*
 * @ct's name, or NULL. The string lives until the end of the caller's RCU
 * read section.
 */
const char *catoproxy_names_get(struct net *net, const struct nf_conn *ct);
/* @ct dies: forget its name. */
void catoproxy_names_drop(struct net *net, const struct nf_conn *ct);
/* Forget every name of @net: the module let go of its connections. */
void catoproxy_names_flush(struct net *net);

#endif /* _CATOPROXY_NAMES_H */
