/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What catoproxyctl knows of each object the kernel holds, one struct per
 * object: the parsers fill it for a request, the netlink side fills it from
 * a reply, and the printers read it. Members the request or reply may leave
 * out are marked in a flags word.
 */
#ifndef _CATOPROXYCTL_MODEL_H
#define _CATOPROXYCTL_MODEL_H

#include <stddef.h>
#include "policy.h"
#include "rules.h"

/*
 * The settings of a namespace, in the order `show config' prints them;
 * each is one row of settings[] (parse.h).
 */
enum config_setting {
	CONFIG_MODE,
	CONFIG_TLS_INSPECTION,
	CONFIG_BLOCKED_SYN,
	CONFIG_CHALLENGE_ACK,
	CONFIG_SITE_COUNT,
	CONFIG_SERVER_TIMEOUT,
	CONFIG_SYN_BACKLOG,
	CONFIG_FORCE_FULL_PORTS,
	CONFIG_ADAPTIVE_TTL,
	CONFIG_ADAPTIVE_SIZE,
	CONFIG_RULE_COUNT,
	CONFIG_BLOCK_PAGE_PORTS,
	CONFIG_BLOCK_PAGE,
	CONFIG_INSPECT_TIMEOUT,
	CONFIG_NSETTINGS,
};

/* In ctl_config.flags: the setting is in the request, or was in the reply. */
#define CONFIG_HAS(setting) (1U << (setting))

_Static_assert(CATOPROXY_FORCE_PORTS_MAX == CATOPROXY_BLOCK_PAGE_PORTS_MAX,
	       "one bound for every port list");
#define CONFIG_PORTS_MAX CATOPROXY_FORCE_PORTS_MAX

/* What `set' sends and what `show config' receives. */
struct ctl_config {
	unsigned int flags; /* CONFIG_HAS() of each setting present */
	u8 mode, tls_inspection, blocked_syn, challenge_ack;
	u32 site_count, server_timeout_ms, syn_backlog;
	u32 adaptive_ttl, adaptive_size, rule_count;
	u32 inspect_timeout_ms;
	/* In the order given; a count of 0 is an empty list, "none". */
	unsigned int nforce_full_ports;
	u16 force_full_ports[CONFIG_PORTS_MAX];
	unsigned int nblock_page_ports;
	u16 block_page_ports[CONFIG_PORTS_MAX];
	/*
	 * block-page FILE: the parser leaves the name, the caller reads the
	 * file into @block_page.
	 */
	const char *block_page_file;
	size_t block_page_len;
	u8 block_page[CATOPROXY_BLOCK_PAGE_MAX];
};

/* In ctl_site.flags. */
enum {
	/* Without it `site add' leaves the attribute out: the kernel's default. */
	SITE_HAS_MODE = 1U << 0,
	SITE_HAS_EFFECTIVE_MODE = 1U << 1, /* replies only */
};

/* What `site add' sends and what `show sites' receives. */
struct ctl_site {
	unsigned int flags;
	struct catoproxy_site site; /* site.id: the kernel assigns it */
	u8 effective_mode; /* enum catoproxy_mode, never INHERIT */
};

/* What `rule add' sends and what `show rules' receives. */
struct ctl_rule {
	struct catoproxy_rule rule; /* rule.id: the kernel assigns it */
	u32 pos; /* 1 for the first; 0 in a request: after the last */
	u64 hits; /* replies only */
};

#endif /* _CATOPROXYCTL_MODEL_H */
