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
	/*
	 * Where in the request the attribute the kernel refused (or the nest
	 * missing one) starts, from the extended ack; 0: it did not say.
	 */
	u32 bad_offset;
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

struct ipc_sites {
	size_t n;
	struct ctl_site *v; /* sorted by id; free() it */
};

struct ipc_rules {
	size_t n;
	struct ctl_rule *v; /* in order; free() it */
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

/* Every setting the kernel reports, with its CONFIG_HAS() flag. */
int ipc_get_config(struct ctl_config *cfg, struct ipc_error *e);
/* The settings flagged in @cfg, in one request: all apply, or none. */
int ipc_set_config(const struct ctl_config *cfg, struct ipc_error *e);
int ipc_get_stats(struct ipc_stats *stats, struct ipc_error *e);
int ipc_add_site(const struct ctl_site *a, struct ipc_error *e);
int ipc_del_site(const char *name, struct ipc_error *e);
int ipc_get_sites(struct ipc_sites *sites, struct ipc_error *e);
int ipc_get_conns(struct ipc_conns *conns, struct ipc_error *e);
/* Adds @a's rule; *@id is the id the kernel gave it. */
int ipc_add_rule(const struct ctl_rule *a, u32 *id, struct ipc_error *e);
int ipc_del_rule(u32 id, struct ipc_error *e);
/* Replaces the whole list with @rules[0..@n), in one request. */
int ipc_set_rules(const struct catoproxy_rule *rules, size_t n,
		  struct ipc_error *e);
int ipc_get_rules(struct ipc_rules *rules, struct ipc_error *e);

/* Everything REPLACE_CONFIG carries. */
struct ipc_whole_config {
	const struct ctl_config *cfg; /* the settings flagged in it */
	const struct ctl_site *sites;
	size_t nsites;
	const struct catoproxy_rule *rules;
	size_t nrules;
};

/* The part of a whole configuration the kernel refused. */
struct ipc_part {
	enum { IPC_PART_NONE, IPC_PART_SETTING, IPC_PART_SITE, IPC_PART_RULE } kind;
	size_t index; /* into settings[], ->sites or ->rules */
};

/*
 * Replaces the namespace's whole configuration with @w in one request: all
 * of it, or nothing. When the kernel refuses it and says which part it
 * refused, that part is in *@bad (else its kind is IPC_PART_NONE).
 */
int ipc_replace_config(const struct ipc_whole_config *w,
		       struct ipc_part *bad, struct ipc_error *e);
/*
 * Joins the events group and hands every event to @cb until @cb returns
 * nonzero or @stop becomes true (a signal handler sets it). Lost events
 * (the socket overflowed) are reported on stderr, and the stream goes on.
 */
int ipc_monitor(ipc_event_cb cb, void *data, volatile int *stop,
		struct ipc_error *e);

/*
 * Whether a request found no catoproxy generic netlink family (the module
 * is not loaded and could not be loaded on demand).
 */
bool ipc_module_missing(void);

/* Reports @e on stderr as "catoproxyctl: @what: ...". */
void ipc_perror(const char *what, const struct ipc_error *e);

#endif /* _CATOPROXYCTL_IPC_H */
