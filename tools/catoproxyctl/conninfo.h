/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A connection as GET_CONN dumps and events describe it, and its two
 * printed forms, shared by `show conns' and `monitor'. No netlink here, so
 * the unit tests can check the exact text.
 */
#ifndef _CATOPROXYCTL_CONNINFO_H
#define _CATOPROXYCTL_CONNINFO_H

#include <stdbool.h>
#include <stdio.h>
#include "json.h"
#include "payload.h"
#include "policy.h"

struct conn_info {
	u16 family; /* AF_INET or AF_INET6 */
	u8 saddr[16];
	u8 daddr[16];
	u16 sport; /* host order */
	u16 dport;
	u8 mode; /* enum catoproxy_mode */
	u8 accel; /* 0 or 1 */
	u8 reason; /* enum catoproxy_reason */
	u8 state; /* enum catoproxy_conn_state */
	u32 site_id; /* 0: none */
	/* "" when the connection has no site or its site was deleted */
	char site_name[CATOPROXY_SITE_NAME_MAX];
	/* events only */
	u8 event; /* enum catoproxy_event */
	u8 cause; /* enum catoproxy_cause */
	bool has_rule_id; /* decision and blocked events */
	u32 rule_id; /* the rule that matched, 0: none */
	u32 path; /* the server half's firewall mark, 0: none */
	/* "" or what an inspected connection's first data named (events) */
	char server_name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	/* monitor -t: when the event was read (CLOCK_REALTIME) */
	bool has_time;
	u64 time_sec;
	u32 time_usec;
};

/* "10.0.1.2:41000", "[fd00:1::2]:41000"; always NUL-terminates. */
#define CONN_ENDPOINT_MAX 64
void conn_format_endpoint(u16 family, const u8 *addr, u16 port, char *buf,
			  size_t len);

/*
 * One line: "decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0
 * reason account state opening", with " site-name NAME" after the site id
 * when the kernel named the site, then " rule ID" when the event names the
 * rule that matched, " path MARK" when the connection has a path,
 * " server-name NAME" when its first data named one, then " cause CAUSE"
 * unless the cause is none. With
 * has_time, the line starts with "[SECONDS.MICROSECONDS] ", as
 * `conntrack -E -o timestamp' prints it.
 */
void conn_print_event(FILE *f, const struct conn_info *c);
/*
 * One JSON object; with @event, "event" first and "cause" last:
 * {"event":...,"family":"ipv4","saddr":...,"sport":...,"daddr":...,
 *  "dport":...,"mode":...,"accel":1,"state":...,"site_id":0,
 *  "reason":...,"cause":...}
 * "site_name" follows "site_id" when the kernel named the site, "rule_id"
 * follows "reason" when the event names a rule, then "path" and
 * "server_name" when there are. With has_time,
 * "timestamp":SECONDS.MICROSECONDS (a number) comes first.
 */
void conn_json(struct json *j, const struct conn_info *c, bool event);
/*
 * A header line and one line per connection, columns aligned; the site's
 * name, when known, ends the line.
 */
void conn_print_table(FILE *f, const struct conn_info *v, size_t n);

/* qsort order: family, source, destination. */
int conn_cmp(const void *a, const void *b);

#endif /* _CATOPROXYCTL_CONNINFO_H */
