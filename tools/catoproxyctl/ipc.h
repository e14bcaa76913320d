/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only part of catoproxyctl that speaks netlink. Each call opens its own
 * socket, does one exchange with the kernel and closes it again.
 */
#ifndef _CATOPROXYCTL_IPC_H
#define _CATOPROXYCTL_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include "conninfo.h"
#include "parse.h"

enum ipc_error_kind {
	IPC_ERR_NONE,
	IPC_ERR_KERNEL, /* the kernel answered with an error */
	IPC_ERR_NO_FAMILY, /* the module is not loaded */
	IPC_ERR_NETNS, /* could not enter the requested namespace */
	IPC_ERR_NETLINK, /* socket trouble or a reply we cannot read */
};

struct ipc_error {
	enum ipc_error_kind kind;
	int err; /* positive errno */
	char msg[256]; /* the kernel's extended-ack text, or our own detail */
};

struct ipc_config {
	u8 mode;
	u8 tls_inspection;
	u8 blocked_syn;
	u8 challenge_ack;
	u32 site_count;
	u32 server_timeout_ms;
	u32 syn_backlog;
	/* Only shown when the kernel reports them (an older module does not). */
	bool has_force_full_ports, has_adaptive_ttl, has_adaptive_size;
	unsigned int nforce_full_ports;
	u16 force_full_ports[CATOPROXY_FORCE_PORTS_MAX];
	u32 adaptive_ttl;
	u32 adaptive_size;
	bool has_rule_count, has_block_page_ports, has_block_page;
	u32 rule_count;
	unsigned int nblock_page_ports;
	u16 block_page_ports[CATOPROXY_BLOCK_PAGE_PORTS_MAX];
	size_t block_page_len;
	u8 block_page[CATOPROXY_BLOCK_PAGE_MAX];
};

struct ipc_stat {
	u16 type;
	u64 value;
};

struct ipc_stats {
	size_t n;
	struct ipc_stat *v; /* sorted by type; free() it */
	/* The adaptive cache's size now: a gauge, not a counter. */
	bool has_adaptive_entries;
	u32 adaptive_entries;
};

struct ipc_site {
	struct catoproxy_site site;
	u8 effective_mode;
};

struct ipc_sites {
	size_t n;
	struct ipc_site *v; /* sorted by id; free() it */
};

struct ipc_rule {
	struct catoproxy_rule rule;
	u32 pos; /* 1 for the first */
	u64 hits;
};

struct ipc_rules {
	size_t n;
	struct ipc_rule *v; /* in order; free() it */
};

struct ipc_conns {
	size_t n;
	struct conn_info *v; /* sorted by conn_cmp(); free() it */
};

/*
 * Called once per event; a nonzero return ends ipc_monitor() with that
 * value.
 */
typedef int (*ipc_event_cb)(const struct conn_info *c, void *data);

/* Every later call works in /run/netns/@name; NULL for our own. */
void ipc_set_netns(const char *name);

int ipc_get_config(struct ipc_config *cfg, struct ipc_error *e);
int ipc_set_config(const struct set_args *a, struct ipc_error *e);
int ipc_get_stats(struct ipc_stats *stats, struct ipc_error *e);
int ipc_add_site(const struct site_add_args *a, struct ipc_error *e);
int ipc_del_site(const char *name, struct ipc_error *e);
int ipc_get_sites(struct ipc_sites *sites, struct ipc_error *e);
int ipc_get_conns(struct ipc_conns *conns, struct ipc_error *e);
/* Adds @a's rule; *@id is the id the kernel gave it. */
int ipc_add_rule(const struct rule_args *a, u32 *id, struct ipc_error *e);
int ipc_del_rule(u32 id, struct ipc_error *e);
/* Replaces the whole list with @rules[0..@n), in one request. */
int ipc_set_rules(const struct catoproxy_rule *rules, size_t n,
		  struct ipc_error *e);
int ipc_get_rules(struct ipc_rules *rules, struct ipc_error *e);
/*
 * Joins the events group and hands every event to @cb until @cb returns
 * nonzero or @stop becomes true (a signal handler sets it). Lost events
 * (the socket overflowed) are reported on stderr, and the stream goes on.
 */
int ipc_monitor(ipc_event_cb cb, void *data, volatile int *stop,
		struct ipc_error *e);

/* Reports @e on stderr as "catoproxyctl: @what: ...". */
void ipc_perror(const char *what, const struct ipc_error *e);

#endif /* _CATOPROXYCTL_IPC_H */
