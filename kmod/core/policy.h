/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The namespace's policy: account-wide settings plus sites, and the decision
 * of which mode a new connection gets. Plain C (see pure.h), shared by the
 * module, catoproxyctl and the host unit tests.
 *
 * A struct catoproxy_policy is immutable once published: changes are made
 * on a copy (catoproxy_policy_size() tells how much room a copy with a given
 * number of sites needs) and the copy replaces the original as a whole.
 */
#ifndef _CATOPROXY_POLICY_H
#define _CATOPROXY_POLICY_H

#include "pure.h"

#define CATOPROXY_HTTP_PORT 80
/* The header catoproxy_policy_set_block_page() writes before the body. */
#define CATOPROXY_BLOCK_HEADER_MAX 160
#define CATOPROXY_BLOCK_RESPONSE_MAX \
	(CATOPROXY_BLOCK_HEADER_MAX + CATOPROXY_BLOCK_PAGE_MAX)

struct catoproxy_prefix {
	u8 addr[16];
	u16 family; /* AF_INET or AF_INET6 */
	u8 plen;
};

struct catoproxy_site {
	u32 id;
	u8 mode; /* enum catoproxy_mode, INHERIT allowed */
	u8 nprefixes;
	char name[CATOPROXY_SITE_NAME_MAX];
	struct catoproxy_prefix prefixes[CATOPROXY_SITE_PREFIXES_MAX];
};

struct catoproxy_policy {
	u8 mode; /* enum catoproxy_mode, never INHERIT */
	u8 tls_inspection;
	u8 blocked_syn;
	u8 challenge_ack;
	u32 server_timeout_ms; /* full mode: server half's time to answer */
	u32 syn_backlog; /* half-open full connections before cookies */
	u32 adaptive_ttl_s; /* how long a SYN-ACK proves a server alive */
	u32 adaptive_size; /* entries of the adaptive cache */
	/* a payload rule: how long the client's first data is waited for */
	u32 inspect_timeout_ms;
	/* destination ports forced to full while tls_inspection is on */
	u16 force_ports[CATOPROXY_FORCE_PORTS_MAX];
	u8 nforce_ports;
	/* blocked connections' ports answered with the page, not a reset */
	u8 npage_ports;
	u16 page_ports[CATOPROXY_BLOCK_PAGE_PORTS_MAX];
	u16 page_len; /* of the body, which ends @response */
	u16 response_len; /* HTTP header and body */
	u8 response[CATOPROXY_BLOCK_RESPONSE_MAX];
	u32 next_site_id;
	u32 nsites;
	struct catoproxy_site sites[];
};

/* Addresses in network order, ports in host order. */
struct catoproxy_flow {
	u8 saddr[16];
	u8 daddr[16];
	u16 family;
	u16 sport;
	u16 dport;
};

struct catoproxy_decision {
	u32 rule_id; /* 0: no rule matched */
	u8 action; /* enum catoproxy_action of that rule (ALLOW: none) */
	u32 site_id; /* 0: no site */
	u8 mode; /* never INHERIT */
	u8 reason; /* enum catoproxy_reason (UAPI: events report it) */
	/*
	 * The policy said adaptive and @mode is what the adaptive cache made
	 * of it (full or delayed). Set by the module, not by
	 * catoproxy_policy_decide().
	 */
	bool adaptive;
	/*
	 * Set by the rule base: the first rule matching is a payload rule,
	 * so the connection is decided on its first payload (the module
	 * answers the handshake and holds the data until then).
	 */
	bool inspect;
	u32 path; /* the rule's path mark, 0: none */
};

#define CATOPROXY_TLS_PORT 443
#define CATOPROXY_SERVER_TIMEOUT_MS_DEFAULT 10000
#define CATOPROXY_SYN_BACKLOG_DEFAULT 1024
#define CATOPROXY_ADAPTIVE_TTL_DEFAULT 300
#define CATOPROXY_ADAPTIVE_SIZE_DEFAULT 4096
#define CATOPROXY_INSPECT_TIMEOUT_MS_DEFAULT 5000

/* "full", "delayed", "adaptive", "off", "inherit"; NULL when out of range. */
const char *catoproxy_policy_mode_name(unsigned int mode);
/* The mode called @name, or -EINVAL. */
int catoproxy_policy_mode_parse(const char *name);

/* False, with @why set, when @p is not a canonical prefix. */
bool catoproxy_policy_prefix_valid(const struct catoproxy_prefix *p,
				   const char **why);
bool catoproxy_policy_prefix_match(const struct catoproxy_prefix *p,
				   u16 family, const u8 *addr);

/* False, with @why set, when @name is not a valid site name. */
bool catoproxy_policy_site_name_valid(const char *name, const char **why);

size_t catoproxy_policy_size(u32 nsites);
void catoproxy_policy_init(struct catoproxy_policy *pol, u8 mode);
/* Copies @from into @to, which must have room for @from's sites. */
void catoproxy_policy_copy(struct catoproxy_policy *to,
			   const struct catoproxy_policy *from);

/*
 * Validate @site against @pol and append it with the next id, or with
 * @site->id when that is not 0: a site of a replaced configuration keeps
 * its id (one below @pol->next_site_id, no other site's). @pol must have
 * room for one more site. On error @pol is unchanged and @why says why.
 */
int catoproxy_policy_add_site(struct catoproxy_policy *pol,
			      const struct catoproxy_site *site,
			      const char **why);
int catoproxy_policy_del_site(struct catoproxy_policy *pol, const char *name,
			      const char **why);
const struct catoproxy_site *
catoproxy_policy_find_site(const struct catoproxy_policy *pol,
			   const char *name);
const struct catoproxy_site *
catoproxy_policy_site_by_id(const struct catoproxy_policy *pol, u32 id);
/*
 * Replace the forced ports with @ports[0..@n). On error (too many, zero,
 * repeated) @pol is unchanged and @why says why.
 */
int catoproxy_policy_set_force_ports(struct catoproxy_policy *pol,
				     const u16 *ports, unsigned int n,
				     const char **why);
/* The same for the block-page ports. */
int catoproxy_policy_set_page_ports(struct catoproxy_policy *pol,
				    const u16 *ports, unsigned int n,
				    const char **why);
bool catoproxy_policy_page_port(const struct catoproxy_policy *pol, u16 port);
/*
 * The block page's body becomes @body[0..@len) and the response is built
 * around it. On error (too long) @pol is unchanged and @why says why.
 */
int catoproxy_policy_set_block_page(struct catoproxy_policy *pol,
				    const u8 *body, unsigned int len,
				    const char **why);
/* The body of the block page: @pol->page_len bytes. */
static inline const u8 *
catoproxy_policy_block_page(const struct catoproxy_policy *pol)
{
	return pol->response + pol->response_len - pol->page_len;
}
/* Does any mode of @pol, the namespace's or a site's, say adaptive? */
bool catoproxy_policy_uses_adaptive(const struct catoproxy_policy *pol);
/*
 * Does @pol decide every connection off: the namespace's mode, each site's
 * and TLS inspection's forced ports? (A rule that blocks is the rule
 * base's to say.)
 */
bool catoproxy_policy_off(const struct catoproxy_policy *pol);
/* The mode a connection of @site gets: its own, or the namespace's. */
u8 catoproxy_policy_site_mode(const struct catoproxy_policy *pol,
			      const struct catoproxy_site *site);

void catoproxy_policy_decide(const struct catoproxy_policy *pol,
			     const struct catoproxy_flow *flow,
			     struct catoproxy_decision *d);

#endif /* _CATOPROXY_POLICY_H */
