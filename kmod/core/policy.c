// SPDX-License-Identifier: GPL-2.0
/*
 * Policy logic shared by the module, catoproxyctl and the unit tests. No
 * allocation and no locking here: callers own the memory and publish a
 * finished struct catoproxy_policy as a whole.
 */

#include "policy.h"

static const char *const mode_names[] = {
	[CATOPROXY_MODE_INHERIT] = "inherit",
	[CATOPROXY_MODE_FULL] = "full",
	[CATOPROXY_MODE_DELAYED] = "delayed",
	[CATOPROXY_MODE_ADAPTIVE] = "adaptive",
	[CATOPROXY_MODE_OFF] = "off",
};

_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) ==
		       CATOPROXY_MODE_MAX + 1,
	       "every mode needs a name");

const char *catoproxy_policy_mode_name(unsigned int mode)
{
	if (mode > CATOPROXY_MODE_MAX)
		return NULL;
	return mode_names[mode];
}

int catoproxy_policy_mode_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i <= CATOPROXY_MODE_MAX; i++)
		if (!strcmp(name, mode_names[i]))
			return i;
	return -EINVAL;
}

static unsigned int addr_len(u16 family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

/* Does @addr agree with @pfx on the first @plen bits? */
static bool bits_equal(const u8 *pfx, const u8 *addr, unsigned int plen)
{
	unsigned int bytes = plen / 8, rest = plen % 8;
	u8 mask;

	if (memcmp(pfx, addr, bytes))
		return false;
	if (!rest)
		return true;
	mask = (u8)(0xff << (8 - rest));
	return !((pfx[bytes] ^ addr[bytes]) & mask);
}

bool catoproxy_policy_prefix_valid(const struct catoproxy_prefix *p,
				   const char **why)
{
	unsigned int len = addr_len(p->family), i;

	if (!len) {
		*why = "prefix family must be IPv4 or IPv6";
		return false;
	}
	if (p->plen > len * 8) {
		*why = "prefix length too long for the address family";
		return false;
	}
	/* Host bits must be clear so that a prefix has one spelling. */
	for (i = p->plen; i < len * 8; i++) {
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			*why = "prefix has host bits set";
			return false;
		}
	}
	for (i = len; i < sizeof(p->addr); i++) {
		if (p->addr[i]) {
			*why = "IPv4 prefix has bytes beyond its address";
			return false;
		}
	}
	return true;
}

bool catoproxy_policy_prefix_match(const struct catoproxy_prefix *p,
				   u16 family, const u8 *addr)
{
	return p->family == family && bits_equal(p->addr, addr, p->plen);
}

static bool prefix_equal(const struct catoproxy_prefix *a,
			 const struct catoproxy_prefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

size_t catoproxy_policy_size(u32 nsites)
{
	return sizeof(struct catoproxy_policy) +
	       (size_t)nsites * sizeof(struct catoproxy_site);
}

static const char default_page[] =
	"<!DOCTYPE html>\n"
	"<html><head><title>403 Forbidden</title></head>\n"
	"<body><h1>403 Forbidden</h1>\n"
	"<p>This connection is blocked by the network's policy.</p></body></html>\n";

void catoproxy_policy_init(struct catoproxy_policy *pol, u8 mode)
{
	const char *why;

	memset(pol, 0, sizeof(*pol));
	pol->mode = mode;
	pol->tls_inspection = 0;
	pol->blocked_syn = CATOPROXY_BLOCKED_SYN_HANDSHAKE;
	pol->challenge_ack = CATOPROXY_CHALLENGE_ACK_ALLOW;
	pol->server_timeout_ms = CATOPROXY_SERVER_TIMEOUT_MS_DEFAULT;
	pol->syn_backlog = CATOPROXY_SYN_BACKLOG_DEFAULT;
	pol->adaptive_ttl_s = CATOPROXY_ADAPTIVE_TTL_DEFAULT;
	pol->adaptive_size = CATOPROXY_ADAPTIVE_SIZE_DEFAULT;
	pol->inspect_timeout_ms = CATOPROXY_INSPECT_TIMEOUT_MS_DEFAULT;
	/* The port seed 000 says TLS inspection always intercepts. */
	pol->force_ports[0] = CATOPROXY_TLS_PORT;
	pol->nforce_ports = 1;
	/* Seed 000: a block page for the web, a reset for everything else. */
	pol->page_ports[0] = CATOPROXY_HTTP_PORT;
	pol->npage_ports = 1;
	catoproxy_policy_set_block_page(pol, (const u8 *)default_page,
					sizeof(default_page) - 1, &why);
	pol->next_site_id = 1;
}

void catoproxy_policy_copy(struct catoproxy_policy *to,
			   const struct catoproxy_policy *from)
{
	memcpy(to, from, catoproxy_policy_size(from->nsites));
}

const struct catoproxy_site *
catoproxy_policy_find_site(const struct catoproxy_policy *pol,
			   const char *name)
{
	u32 i;

	for (i = 0; i < pol->nsites; i++)
		if (!strcmp(pol->sites[i].name, name))
			return &pol->sites[i];
	return NULL;
}

const struct catoproxy_site *
catoproxy_policy_site_by_id(const struct catoproxy_policy *pol, u32 id)
{
	u32 i;

	for (i = 0; id && i < pol->nsites; i++)
		if (pol->sites[i].id == id)
			return &pol->sites[i];
	return NULL;
}

/* What a port list's errors say: forced ports and block-page ports. */
struct port_list_why {
	const char *too_many, *zero, *twice;
};

static int port_list_check(const u16 *ports, unsigned int n, unsigned int max,
			   const struct port_list_why *w, const char **why)
{
	unsigned int i, j;

	if (n > max) {
		*why = w->too_many;
		return -E2BIG;
	}
	for (i = 0; i < n; i++) {
		if (!ports[i]) {
			*why = w->zero;
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (ports[j] == ports[i]) {
				*why = w->twice;
				return -EINVAL;
			}
		}
	}
	return 0;
}

static bool port_listed(const u16 *ports, unsigned int n, u16 port)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

int catoproxy_policy_set_force_ports(struct catoproxy_policy *pol,
				     const u16 *ports, unsigned int n,
				     const char **why)
{
	static const struct port_list_why w = {
		.too_many = "at most 16 forced ports",
		.zero = "port 0 cannot be forced",
		.twice = "a forced port is listed twice",
	};
	int ret = port_list_check(ports, n, CATOPROXY_FORCE_PORTS_MAX, &w, why);

	if (ret)
		return ret;
	memset(pol->force_ports, 0, sizeof(pol->force_ports));
	if (n)
		memcpy(pol->force_ports, ports, n * sizeof(ports[0]));
	pol->nforce_ports = (u8)n;
	return 0;
}

int catoproxy_policy_set_page_ports(struct catoproxy_policy *pol,
				    const u16 *ports, unsigned int n,
				    const char **why)
{
	static const struct port_list_why w = {
		.too_many = "at most 16 block-page ports",
		.zero = "port 0 cannot serve a block page",
		.twice = "a block-page port is listed twice",
	};
	int ret = port_list_check(ports, n, CATOPROXY_BLOCK_PAGE_PORTS_MAX, &w,
				  why);

	if (ret)
		return ret;
	memset(pol->page_ports, 0, sizeof(pol->page_ports));
	if (n)
		memcpy(pol->page_ports, ports, n * sizeof(ports[0]));
	pol->npage_ports = (u8)n;
	return 0;
}

bool catoproxy_policy_page_port(const struct catoproxy_policy *pol, u16 port)
{
	return port_listed(pol->page_ports, pol->npage_ports, port);
}

/* Append @s to @buf at *@len; the header's bound leaves room for all of it. */
static void put_str(u8 *buf, unsigned int *len, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *len, s, n);
	*len += (unsigned int)n;
}

static void put_uint(u8 *buf, unsigned int *len, unsigned int v)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[(*len)++] = (u8)digits[--n];
}

int catoproxy_policy_set_block_page(struct catoproxy_policy *pol,
				    const u8 *body, unsigned int len,
				    const char **why)
{
	unsigned int n = 0;

	if (len > CATOPROXY_BLOCK_PAGE_MAX) {
		*why = "the block page is longer than 4096 bytes";
		return -E2BIG;
	}
	/* A complete answer: the client must not wait for more. */
	put_str(pol->response, &n,
		"HTTP/1.1 403 Forbidden\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"Content-Length: ");
	put_uint(pol->response, &n, len);
	put_str(pol->response, &n,
		"\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
	if (len)
		memcpy(pol->response + n, body, len);
	pol->page_len = (u16)len;
	pol->response_len = (u16)(n + len);
	return 0;
}

bool catoproxy_policy_uses_adaptive(const struct catoproxy_policy *pol)
{
	u32 i;

	if (pol->mode == CATOPROXY_MODE_ADAPTIVE)
		return true;
	for (i = 0; i < pol->nsites; i++)
		if (pol->sites[i].mode == CATOPROXY_MODE_ADAPTIVE)
			return true;
	return false;
}

bool catoproxy_policy_off(const struct catoproxy_policy *pol)
{
	u32 i;

	if (pol->mode != CATOPROXY_MODE_OFF)
		return false;
	/* Forced ports are full whatever the modes say. */
	if (pol->tls_inspection && pol->nforce_ports)
		return false;
	for (i = 0; i < pol->nsites; i++)
		if (pol->sites[i].mode != CATOPROXY_MODE_OFF &&
		    pol->sites[i].mode != CATOPROXY_MODE_INHERIT)
			return false;
	return true;
}

static bool port_forced(const struct catoproxy_policy *pol, u16 port)
{
	return pol->tls_inspection &&
	       port_listed(pol->force_ports, pol->nforce_ports, port);
}

bool catoproxy_policy_site_name_valid(const char *name, const char **why)
{
	size_t len = strnlen(name, CATOPROXY_SITE_NAME_MAX);
	size_t i;

	if (!len) {
		*why = "must not be empty";
		return false;
	}
	if (len >= CATOPROXY_SITE_NAME_MAX) {
		*why = "longer than 31 bytes";
		return false;
	}
	/* Names appear in events and logs: keep them free of separators. */
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.')) {
			*why = "use only letters, digits, `_', `.' and `-'";
			return false;
		}
	}
	return true;
}

/* Is @p already used, by another site or earlier in @site itself? */
static bool prefix_taken(const struct catoproxy_policy *pol,
			 const struct catoproxy_site *site, unsigned int idx)
{
	const struct catoproxy_prefix *p = &site->prefixes[idx];
	unsigned int i, j;

	for (j = 0; j < idx; j++)
		if (prefix_equal(&site->prefixes[j], p))
			return true;
	for (i = 0; i < pol->nsites; i++)
		for (j = 0; j < pol->sites[i].nprefixes; j++)
			if (prefix_equal(&pol->sites[i].prefixes[j], p))
				return true;
	return false;
}

int catoproxy_policy_add_site(struct catoproxy_policy *pol,
			      const struct catoproxy_site *site,
			      const char **why)
{
	struct catoproxy_site *slot;
	unsigned int i;

	if (pol->nsites >= CATOPROXY_SITES_MAX) {
		*why = "too many sites";
		return -ENOSPC;
	}
	if (!catoproxy_policy_site_name_valid(site->name, why))
		return -EINVAL;
	if (catoproxy_policy_find_site(pol, site->name)) {
		*why = "a site with this name exists";
		return -EEXIST;
	}
	/* A kept id must be one handed out before, and to this site only. */
	if (site->id && (site->id >= pol->next_site_id ||
			 catoproxy_policy_site_by_id(pol, site->id))) {
		*why = "a site cannot keep this id";
		return -EINVAL;
	}
	if (site->mode > CATOPROXY_MODE_MAX) {
		*why = "unknown site mode";
		return -EINVAL;
	}
	if (!site->nprefixes || site->nprefixes > CATOPROXY_SITE_PREFIXES_MAX) {
		*why = "a site needs 1 to 32 prefixes";
		return -EINVAL;
	}
	for (i = 0; i < site->nprefixes; i++) {
		if (!catoproxy_policy_prefix_valid(&site->prefixes[i], why))
			return -EINVAL;
		if (prefix_taken(pol, site, i)) {
			*why = "prefix already belongs to a site";
			return -EEXIST;
		}
	}

	slot = &pol->sites[pol->nsites];
	*slot = *site;
	if (!site->id)
		slot->id = pol->next_site_id++;
	pol->nsites++;
	return 0;
}

int catoproxy_policy_del_site(struct catoproxy_policy *pol, const char *name,
			      const char **why)
{
	const struct catoproxy_site *site = catoproxy_policy_find_site(pol, name);
	u32 idx;

	if (!site) {
		*why = "no site with this name";
		return -ENOENT;
	}
	idx = (u32)(site - pol->sites);
	memmove(&pol->sites[idx], &pol->sites[idx + 1],
		(pol->nsites - idx - 1) * sizeof(pol->sites[0]));
	pol->nsites--;
	return 0;
}

u8 catoproxy_policy_site_mode(const struct catoproxy_policy *pol,
			      const struct catoproxy_site *site)
{
	return site->mode == CATOPROXY_MODE_INHERIT ? pol->mode : site->mode;
}

/* The site whose longest prefix matches @addr, or NULL. */
static const struct catoproxy_site *
site_lookup(const struct catoproxy_policy *pol, u16 family, const u8 *addr)
{
	const struct catoproxy_site *best = NULL;
	int best_plen = -1;
	u32 i, j;

	for (i = 0; i < pol->nsites; i++) {
		const struct catoproxy_site *s = &pol->sites[i];

		for (j = 0; j < s->nprefixes; j++) {
			const struct catoproxy_prefix *p = &s->prefixes[j];

			if (p->plen > best_plen &&
			    catoproxy_policy_prefix_match(p, family, addr)) {
				best = s;
				best_plen = p->plen;
			}
		}
	}
	return best;
}

void catoproxy_policy_decide(const struct catoproxy_policy *pol,
			     const struct catoproxy_flow *flow,
			     struct catoproxy_decision *d)
{
	const struct catoproxy_site *site;

	/*
	 * The connection's site is reported even when TLS inspection or an
	 * inheriting site means its mode did not decide.
	 */
	site = site_lookup(pol, flow->family, flow->saddr);
	d->reason = CATOPROXY_REASON_SITE_SRC;
	if (!site) {
		site = site_lookup(pol, flow->family, flow->daddr);
		d->reason = CATOPROXY_REASON_SITE_DST;
	}
	d->site_id = site ? site->id : 0;
	d->adaptive = false;

	if (port_forced(pol, flow->dport)) {
		d->mode = CATOPROXY_MODE_FULL;
		d->reason = CATOPROXY_REASON_TLS_PORT;
	} else if (site && site->mode != CATOPROXY_MODE_INHERIT) {
		d->mode = site->mode;
	} else {
		d->mode = pol->mode;
		d->reason = CATOPROXY_REASON_ACCOUNT;
	}
}
