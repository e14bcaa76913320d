// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: configuration, sites, counters and the
 * connection dump; event.c sends its notifications. The attribute trees are
 * documented in uapi/linux/catoproxy.h.
 *
 * Every change builds a complete new policy aside and publishes it only when
 * all of the request was valid, so a rejected request changes nothing.
 */

#include <net/genetlink.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/sock.h>

#include "adaptive.h"
#include "conn.h"
#include "netlink.h"
#include "netns.h"
#include "rulebase.h"

static struct genl_family catoproxy_family;

static const struct nla_policy prefix_policy[CATOPROXY_PREFIX_A_MAX + 1] = {
	[CATOPROXY_PREFIX_A_FAMILY] = { .type = NLA_U16 },
	[CATOPROXY_PREFIX_A_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[CATOPROXY_PREFIX_A_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy prefixes_policy[CATOPROXY_PREFIXES_A_MAX + 1] = {
	[CATOPROXY_PREFIXES_A_PREFIX] = NLA_POLICY_NESTED(prefix_policy),
};

/* ID and EFFECTIVE_MODE are output only: strict validation rejects them. */
static const struct nla_policy site_policy[CATOPROXY_SITE_A_MAX + 1] = {
	[CATOPROXY_SITE_A_NAME] = { .type = NLA_NUL_STRING,
				    .len = CATOPROXY_SITE_NAME_MAX - 1 },
	[CATOPROXY_SITE_A_MODE] = NLA_POLICY_MAX(NLA_U8, CATOPROXY_MODE_MAX),
	[CATOPROXY_SITE_A_PREFIXES] = NLA_POLICY_NESTED(prefixes_policy),
};

/* ID is for DEL_RULE, POS for ADD_RULE; HITS is output only. */
static const struct nla_policy rule_policy[CATOPROXY_RULE_A_MAX + 1] = {
	[CATOPROXY_RULE_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CATOPROXY_RULE_A_POS] = NLA_POLICY_MIN(NLA_U32, 1),
	[CATOPROXY_RULE_A_SRC] = NLA_POLICY_NESTED(prefix_policy),
	[CATOPROXY_RULE_A_DST] = NLA_POLICY_NESTED(prefix_policy),
	[CATOPROXY_RULE_A_SPORT_MIN] = { .type = NLA_U16 },
	[CATOPROXY_RULE_A_SPORT_MAX] = { .type = NLA_U16 },
	[CATOPROXY_RULE_A_DPORT_MIN] = { .type = NLA_U16 },
	[CATOPROXY_RULE_A_DPORT_MAX] = { .type = NLA_U16 },
	[CATOPROXY_RULE_A_ACTION] = NLA_POLICY_MAX(NLA_U8, CATOPROXY_ACTION_MAX),
};

/* NLA_POLICY_RANGE() holds s16 bounds: these need the full form. */
static const struct netlink_range_validation server_timeout_range = {
	.min = CATOPROXY_SERVER_TIMEOUT_MS_MIN,
	.max = CATOPROXY_SERVER_TIMEOUT_MS_MAX,
};

static const struct netlink_range_validation syn_backlog_range = {
	.max = CATOPROXY_SYN_BACKLOG_MAX,
};

static const struct netlink_range_validation adaptive_ttl_range = {
	.min = 1,
	.max = CATOPROXY_ADAPTIVE_TTL_MAX,
};

static const struct netlink_range_validation adaptive_size_range = {
	.min = CATOPROXY_ADAPTIVE_SIZE_MIN,
	.max = CATOPROXY_ADAPTIVE_SIZE_MAX,
};

/*
 * SITE_COUNT, STATS, CONN, ADAPTIVE_ENTRIES and RULE_COUNT are output
 * only.
 */
static const struct nla_policy catoproxy_policy[CATOPROXY_A_MAX + 1] = {
	[CATOPROXY_A_MODE] = NLA_POLICY_RANGE(NLA_U8, CATOPROXY_MODE_FULL,
					      CATOPROXY_MODE_MAX),
	[CATOPROXY_A_TLS_INSPECTION] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_BLOCKED_SYN] =
		NLA_POLICY_MAX(NLA_U8, CATOPROXY_BLOCKED_SYN_MAX),
	[CATOPROXY_A_CHALLENGE_ACK] =
		NLA_POLICY_MAX(NLA_U8, CATOPROXY_CHALLENGE_ACK_MAX),
	[CATOPROXY_A_SITE] = NLA_POLICY_NESTED(site_policy),
	[CATOPROXY_A_SERVER_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &server_timeout_range),
	[CATOPROXY_A_SYN_BACKLOG] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &syn_backlog_range),
	[CATOPROXY_A_FORCE_FULL_PORTS] = {
		.type = NLA_BINARY,
		.len = CATOPROXY_FORCE_PORTS_MAX * sizeof(u16),
	},
	[CATOPROXY_A_ADAPTIVE_TTL] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &adaptive_ttl_range),
	[CATOPROXY_A_ADAPTIVE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &adaptive_size_range),
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(rule_policy),
	[CATOPROXY_A_BLOCK_PAGE_PORTS] = {
		.type = NLA_BINARY,
		.len = CATOPROXY_BLOCK_PAGE_PORTS_MAX * sizeof(u16),
	},
	[CATOPROXY_A_BLOCK_PAGE] = {
		.type = NLA_BINARY,
		.len = CATOPROXY_BLOCK_PAGE_MAX,
	},
};

/* Publish @pol; catoproxy_net_policy_commit() can fail for one reason. */
static int commit(struct catoproxy_net *cn, struct catoproxy_policy *pol,
		  struct netlink_ext_ack *extack)
{
	int ret = catoproxy_net_policy_commit(cn, pol);

	if (ret)
		NL_SET_ERR_MSG(extack, "no memory for the adaptive cache");
	return ret;
}

/* policy.c explains itself with static strings; pass them on as extack. */
static void set_why(struct netlink_ext_ack *extack, const char *why)
{
	if (extack)
		extack->_msg = why;
}

/*
 * NL_REQ_ATTR_CHECK() tells a program which attribute is missing; a person
 * reading catoproxyctl's error wants a sentence as well.
 */
static bool missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		    struct nlattr **tb, unsigned int type, const char *why)
{
	if (!NL_REQ_ATTR_CHECK(extack, nest, tb, type))
		return false;
	set_why(extack, why);
	return true;
}

static struct catoproxy_net *info_net(const struct genl_info *info)
{
	return catoproxy_net(genl_info_net(info));
}

static int get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	const struct catoproxy_rulebase *rb;
	const struct catoproxy_policy *pol;
	struct sk_buff *msg;
	void *hdr;

	/* The block page alone may fill a page. */
	msg = genlmsg_new(NLMSG_GOODSIZE + CATOPROXY_BLOCK_PAGE_MAX, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &catoproxy_family, 0,
				CATOPROXY_CMD_GET_CONFIG);
	if (!hdr)
		goto err_msg;

	rcu_read_lock();
	pol = rcu_dereference(cn->policy);
	rb = rcu_dereference(cn->rules);
	if (nla_put_u8(msg, CATOPROXY_A_MODE, pol->mode) ||
	    nla_put_u8(msg, CATOPROXY_A_TLS_INSPECTION, pol->tls_inspection) ||
	    nla_put_u8(msg, CATOPROXY_A_BLOCKED_SYN, pol->blocked_syn) ||
	    nla_put_u8(msg, CATOPROXY_A_CHALLENGE_ACK, pol->challenge_ack) ||
	    nla_put_u32(msg, CATOPROXY_A_SITE_COUNT, pol->nsites) ||
	    nla_put_u32(msg, CATOPROXY_A_SERVER_TIMEOUT,
			pol->server_timeout_ms) ||
	    nla_put_u32(msg, CATOPROXY_A_SYN_BACKLOG, pol->syn_backlog) ||
	    nla_put(msg, CATOPROXY_A_FORCE_FULL_PORTS,
		    pol->nforce_ports * sizeof(pol->force_ports[0]),
		    pol->force_ports) ||
	    nla_put_u32(msg, CATOPROXY_A_ADAPTIVE_TTL, pol->adaptive_ttl_s) ||
	    nla_put_u32(msg, CATOPROXY_A_ADAPTIVE_SIZE, pol->adaptive_size) ||
	    nla_put_u32(msg, CATOPROXY_A_RULE_COUNT,
			rb ? catoproxy_rules_count(rb->set) : 0) ||
	    nla_put(msg, CATOPROXY_A_BLOCK_PAGE_PORTS,
		    pol->npage_ports * sizeof(pol->page_ports[0]),
		    pol->page_ports) ||
	    nla_put(msg, CATOPROXY_A_BLOCK_PAGE, pol->page_len,
		    catoproxy_policy_block_page(pol))) {
		rcu_read_unlock();
		goto err_msg;
	}
	rcu_read_unlock();

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* The attributes SET_CONFIG takes; the others are output only. */
static const unsigned int settable[] = {
	CATOPROXY_A_MODE,	    CATOPROXY_A_TLS_INSPECTION,
	CATOPROXY_A_BLOCKED_SYN,    CATOPROXY_A_CHALLENGE_ACK,
	CATOPROXY_A_SERVER_TIMEOUT, CATOPROXY_A_SYN_BACKLOG,
	CATOPROXY_A_FORCE_FULL_PORTS, CATOPROXY_A_ADAPTIVE_TTL,
	CATOPROXY_A_ADAPTIVE_SIZE, CATOPROXY_A_BLOCK_PAGE_PORTS,
	CATOPROXY_A_BLOCK_PAGE,
};

static void set_why_attr(struct netlink_ext_ack *extack, const char *why,
			 const struct nlattr *attr)
{
	set_why(extack, why);
	if (extack)
		extack->bad_attr = attr;
}

/* A port list attribute (forced ports, block-page ports) into @pol. */
static int set_port_list(struct catoproxy_policy *pol,
			 const struct nlattr *attr,
			 int (*set)(struct catoproxy_policy *pol,
				    const u16 *ports, unsigned int n,
				    const char **why),
			 struct netlink_ext_ack *extack)
{
	u16 ports[CATOPROXY_BLOCK_PAGE_PORTS_MAX];
	const char *why = NULL;
	int len = nla_len(attr), ret;

	BUILD_BUG_ON(CATOPROXY_FORCE_PORTS_MAX > CATOPROXY_BLOCK_PAGE_PORTS_MAX);
	if (len % sizeof(u16)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a port list must be an array of u16");
		return -EINVAL;
	}
	/* The policies bound the lengths: they fit. */
	memcpy(ports, nla_data(attr), len);
	ret = set(pol, ports, len / sizeof(u16), &why);
	if (ret)
		set_why_attr(extack, why, attr);
	return ret;
}

static int set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct nlattr **attrs = info->attrs;
	struct catoproxy_policy *pol;
	bool any = false;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(settable); i++)
		any |= !!attrs[settable[i]];
	if (!any) {
		NL_SET_ERR_MSG(info->extack, "no setting given");
		return -EINVAL;
	}
	if (attrs[CATOPROXY_A_SITE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[CATOPROXY_A_SITE],
				    "sites are changed with ADD_SITE/DEL_SITE");
		return -EINVAL;
	}
	if (attrs[CATOPROXY_A_RULE]) {
		NL_SET_ERR_MSG(info->extack,
			       "rules are changed with ADD_RULE, DEL_RULE and SET_RULES");
		return -EINVAL;
	}

	pol = catoproxy_net_policy_begin(cn, 0);
	if (IS_ERR(pol))
		return PTR_ERR(pol);
	if (attrs[CATOPROXY_A_MODE])
		pol->mode = nla_get_u8(attrs[CATOPROXY_A_MODE]);
	if (attrs[CATOPROXY_A_TLS_INSPECTION])
		pol->tls_inspection = nla_get_u8(attrs[CATOPROXY_A_TLS_INSPECTION]);
	if (attrs[CATOPROXY_A_BLOCKED_SYN])
		pol->blocked_syn = nla_get_u8(attrs[CATOPROXY_A_BLOCKED_SYN]);
	if (attrs[CATOPROXY_A_CHALLENGE_ACK])
		pol->challenge_ack = nla_get_u8(attrs[CATOPROXY_A_CHALLENGE_ACK]);
	if (attrs[CATOPROXY_A_SERVER_TIMEOUT])
		pol->server_timeout_ms =
			nla_get_u32(attrs[CATOPROXY_A_SERVER_TIMEOUT]);
	if (attrs[CATOPROXY_A_SYN_BACKLOG])
		pol->syn_backlog = nla_get_u32(attrs[CATOPROXY_A_SYN_BACKLOG]);
	if (attrs[CATOPROXY_A_ADAPTIVE_TTL])
		pol->adaptive_ttl_s = nla_get_u32(attrs[CATOPROXY_A_ADAPTIVE_TTL]);
	if (attrs[CATOPROXY_A_ADAPTIVE_SIZE])
		pol->adaptive_size = nla_get_u32(attrs[CATOPROXY_A_ADAPTIVE_SIZE]);
	ret = 0;
	if (attrs[CATOPROXY_A_FORCE_FULL_PORTS])
		ret = set_port_list(pol, attrs[CATOPROXY_A_FORCE_FULL_PORTS],
				    catoproxy_policy_set_force_ports,
				    info->extack);
	if (!ret && attrs[CATOPROXY_A_BLOCK_PAGE_PORTS])
		ret = set_port_list(pol, attrs[CATOPROXY_A_BLOCK_PAGE_PORTS],
				    catoproxy_policy_set_page_ports,
				    info->extack);
	if (!ret && attrs[CATOPROXY_A_BLOCK_PAGE]) {
		const struct nlattr *page = attrs[CATOPROXY_A_BLOCK_PAGE];
		const char *why = NULL;

		ret = catoproxy_policy_set_block_page(pol, nla_data(page),
						      nla_len(page), &why);
		if (ret)
			set_why_attr(info->extack, why, page);
	}
	if (ret) {
		catoproxy_net_policy_abort(cn, pol);
		return ret;
	}
	return commit(cn, pol, info->extack);
}

static int get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_stats *sum;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i, ret = -EMSGSIZE;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	catoproxy_net_stats_sum(info_net(info), sum);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &catoproxy_family, 0,
				CATOPROXY_CMD_GET_STATS);
	if (!hdr)
		goto err_msg;
	nest = nla_nest_start(msg, CATOPROXY_A_STATS);
	if (!nest)
		goto err_msg;
	for (i = CATOPROXY_STAT_PAD + 1; i < __CATOPROXY_STAT_LAST; i++)
		if (nla_put_u64_64bit(msg, i, sum->counters[i],
				      CATOPROXY_STAT_PAD))
			goto err_msg;
	nla_nest_end(msg, nest);
	if (nla_put_u32(msg, CATOPROXY_A_ADAPTIVE_ENTRIES,
			catoproxy_adaptive_entries(info_net(info))))
		goto err_msg;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out;

err_msg:
	nlmsg_free(msg);
out:
	kfree(sum);
	return ret;
}

static int parse_prefix(const struct nlattr *attr, struct catoproxy_prefix *p,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CATOPROXY_PREFIX_A_MAX + 1];
	unsigned int len;
	int ret;

	ret = nla_parse_nested(tb, CATOPROXY_PREFIX_A_MAX, attr, prefix_policy,
			       extack);
	if (ret)
		return ret;
	if (missing(extack, attr, tb, CATOPROXY_PREFIX_A_FAMILY,
		    "prefix has no address family") ||
	    missing(extack, attr, tb, CATOPROXY_PREFIX_A_ADDR,
		    "prefix has no address") ||
	    missing(extack, attr, tb, CATOPROXY_PREFIX_A_PLEN,
		    "prefix has no length"))
		return -EINVAL;

	memset(p, 0, sizeof(*p));
	p->family = nla_get_u16(tb[CATOPROXY_PREFIX_A_FAMILY]);
	switch (p->family) {
	case AF_INET:
		len = 4;
		break;
	case AF_INET6:
		len = 16;
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_PREFIX_A_FAMILY],
				    "prefix family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (nla_len(tb[CATOPROXY_PREFIX_A_ADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_PREFIX_A_ADDR],
				    "address length does not match the family");
		return -EINVAL;
	}
	nla_memcpy(p->addr, tb[CATOPROXY_PREFIX_A_ADDR], len);
	p->plen = nla_get_u8(tb[CATOPROXY_PREFIX_A_PLEN]);
	return 0;
}

static int parse_site(const struct nlattr *attr, struct catoproxy_site *site,
		      bool want_prefixes, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CATOPROXY_SITE_A_MAX + 1];
	const struct nlattr *pos;
	int ret, rem;

	ret = nla_parse_nested(tb, CATOPROXY_SITE_A_MAX, attr, site_policy,
			       extack);
	if (ret)
		return ret;
	if (missing(extack, attr, tb, CATOPROXY_SITE_A_NAME, "site has no name"))
		return -EINVAL;

	memset(site, 0, sizeof(*site));
	nla_strscpy(site->name, tb[CATOPROXY_SITE_A_NAME], sizeof(site->name));
	if (!want_prefixes) {
		if (tb[CATOPROXY_SITE_A_MODE] || tb[CATOPROXY_SITE_A_PREFIXES]) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "a site is deleted by name only");
			return -EINVAL;
		}
		return 0;
	}

	if (tb[CATOPROXY_SITE_A_MODE])
		site->mode = nla_get_u8(tb[CATOPROXY_SITE_A_MODE]);
	if (missing(extack, attr, tb, CATOPROXY_SITE_A_PREFIXES,
		    "site has no prefixes"))
		return -EINVAL;
	nla_for_each_nested(pos, tb[CATOPROXY_SITE_A_PREFIXES], rem) {
		if (site->nprefixes == CATOPROXY_SITE_PREFIXES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, pos, "too many prefixes");
			return -E2BIG;
		}
		ret = parse_prefix(pos, &site->prefixes[site->nprefixes],
				   extack);
		if (ret)
			return ret;
		site->nprefixes++;
	}
	return 0;
}

/* ADD_SITE and DEL_SITE: the same transaction around a different edit. */
static int change_site(struct genl_info *info, bool add)
{
	struct catoproxy_net *cn = info_net(info);
	struct catoproxy_policy *pol;
	struct catoproxy_site *site;
	const char *why = NULL;
	int ret;

	if (missing(info->extack, NULL, info->attrs, CATOPROXY_A_SITE,
		    "request has no site"))
		return -EINVAL;
	site = kmalloc(sizeof(*site), GFP_KERNEL);
	if (!site)
		return -ENOMEM;
	ret = parse_site(info->attrs[CATOPROXY_A_SITE], site, add,
			 info->extack);
	if (ret)
		goto out;

	pol = catoproxy_net_policy_begin(cn, add ? 1 : 0);
	if (IS_ERR(pol)) {
		ret = PTR_ERR(pol);
		goto out;
	}
	ret = add ? catoproxy_policy_add_site(pol, site, &why) :
		    catoproxy_policy_del_site(pol, site->name, &why);
	if (ret) {
		set_why(info->extack, why);
		catoproxy_net_policy_abort(cn, pol);
		goto out;
	}
	ret = commit(cn, pol, info->extack);
out:
	kfree(site);
	return ret;
}

static int add_site(struct sk_buff *skb, struct genl_info *info)
{
	return change_site(info, true);
}

static int del_site(struct sk_buff *skb, struct genl_info *info)
{
	return change_site(info, false);
}

/* A CATOPROXY_PREFIX_A_* nest of type @type. */
static int put_prefix(struct sk_buff *skb, int type,
		      const struct catoproxy_prefix *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u16(skb, CATOPROXY_PREFIX_A_FAMILY, p->family) ||
	    nla_put(skb, CATOPROXY_PREFIX_A_ADDR,
		    p->family == AF_INET ? 4 : 16, p->addr) ||
	    nla_put_u8(skb, CATOPROXY_PREFIX_A_PLEN, p->plen)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_site(struct sk_buff *skb, const struct catoproxy_policy *pol,
		    const struct catoproxy_site *site)
{
	struct nlattr *nest, *prefixes;
	unsigned int i;

	nest = nla_nest_start(skb, CATOPROXY_A_SITE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CATOPROXY_SITE_A_ID, site->id) ||
	    nla_put_string(skb, CATOPROXY_SITE_A_NAME, site->name) ||
	    nla_put_u8(skb, CATOPROXY_SITE_A_MODE, site->mode) ||
	    nla_put_u8(skb, CATOPROXY_SITE_A_EFFECTIVE_MODE,
		       catoproxy_policy_site_mode(pol, site)))
		goto err;
	prefixes = nla_nest_start(skb, CATOPROXY_SITE_A_PREFIXES);
	if (!prefixes)
		goto err;
	for (i = 0; i < site->nprefixes; i++)
		if (put_prefix(skb, CATOPROXY_PREFIXES_A_PREFIX,
			       &site->prefixes[i]))
			goto err;
	nla_nest_end(skb, prefixes);
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* cb->args[0]: index of the next site to dump. */
static int dump_sites(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct catoproxy_net *cn = catoproxy_net(sock_net(skb->sk));
	const struct catoproxy_policy *pol;
	unsigned long idx = cb->args[0];
	void *hdr;
	int ret = 0;

	rcu_read_lock();
	pol = rcu_dereference(cn->policy);
	/* The policy and its generation change together under cn->lock. */
	cb->seq = READ_ONCE(cn->generation);
	for (; idx < pol->nsites; idx++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &catoproxy_family,
				  NLM_F_MULTI, CATOPROXY_CMD_GET_SITE);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (put_site(skb, pol, &pol->sites[idx])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();

	if (idx == cb->args[0] && idx < pol->nsites)
		ret = -EMSGSIZE;
	cb->args[0] = idx;
	return ret ?: skb->len;
}

/* ------------------------------------------------------------ rules */

/* A port range: MIN alone is one port, neither is every port. */
static int parse_range(const struct nlattr *lo, const struct nlattr *hi,
		       u16 *min, u16 *max, const char *why,
		       struct netlink_ext_ack *extack)
{
	if (hi && !lo) {
		set_why_attr(extack, why, hi);
		return -EINVAL;
	}
	*min = lo ? nla_get_u16(lo) : 0;
	*max = hi ? nla_get_u16(hi) : lo ? *min : 65535;
	return 0;
}

/*
 * A CATOPROXY_A_RULE nest into @r, checked and normalised; its POS into
 * @pos when @pos is given, else POS is refused.
 */
static int parse_rule(const struct nlattr *attr, struct catoproxy_rule *r,
		      u32 *pos, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CATOPROXY_RULE_A_MAX + 1];
	const char *why = NULL;
	int ret;

	ret = nla_parse_nested(tb, CATOPROXY_RULE_A_MAX, attr, rule_policy,
			       extack);
	if (ret)
		return ret;
	if (tb[CATOPROXY_RULE_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_RULE_A_ID],
				    "rule ids are assigned by the kernel");
		return -EINVAL;
	}
	if (tb[CATOPROXY_RULE_A_POS] && !pos) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_RULE_A_POS],
				    "a whole list has no positions to insert at");
		return -EINVAL;
	}
	if (missing(extack, attr, tb, CATOPROXY_RULE_A_ACTION,
		    "rule has no action"))
		return -EINVAL;

	memset(r, 0, sizeof(*r));
	r->action = nla_get_u8(tb[CATOPROXY_RULE_A_ACTION]);
	if (pos)
		*pos = tb[CATOPROXY_RULE_A_POS] ?
			       nla_get_u32(tb[CATOPROXY_RULE_A_POS]) : 0;
	if (tb[CATOPROXY_RULE_A_SRC]) {
		ret = parse_prefix(tb[CATOPROXY_RULE_A_SRC], &r->src, extack);
		if (ret)
			return ret;
		r->flags |= CATOPROXY_RULE_F_SRC;
	}
	if (tb[CATOPROXY_RULE_A_DST]) {
		ret = parse_prefix(tb[CATOPROXY_RULE_A_DST], &r->dst, extack);
		if (ret)
			return ret;
		r->flags |= CATOPROXY_RULE_F_DST;
	}
	ret = parse_range(tb[CATOPROXY_RULE_A_SPORT_MIN],
			  tb[CATOPROXY_RULE_A_SPORT_MAX], &r->sport_min,
			  &r->sport_max, "source port range has no start",
			  extack) ?:
	      parse_range(tb[CATOPROXY_RULE_A_DPORT_MIN],
			  tb[CATOPROXY_RULE_A_DPORT_MAX], &r->dport_min,
			  &r->dport_max, "destination port range has no start",
			  extack);
	if (ret)
		return ret;
	if (!catoproxy_rule_normalize(r, &why)) {
		set_why_attr(extack, why, attr);
		return -EINVAL;
	}
	return 0;
}

/* The current rules, or none; under cn->lock. */
static const struct catoproxy_rule *
current_rules(struct catoproxy_net *cn, const struct catoproxy_rulebase **rb,
	      u32 *n)
{
	*rb = catoproxy_rulebase_current(cn);
	*n = *rb ? catoproxy_rules_count((*rb)->set) : 0;
	return *rb ? catoproxy_rules_list((*rb)->set) : NULL;
}

/*
 * Publish @rules[0..@n), new ids assigned from @first_new on, and release
 * cn->lock; an empty list is no rule base at all. @rules is freed.
 */
static int publish_rules(struct catoproxy_net *cn, struct catoproxy_rule *rules,
			 u32 n, u32 nnew, const struct catoproxy_rulebase *carry,
			 struct netlink_ext_ack *extack)
{
	struct catoproxy_rulebase *rb = NULL;

	lockdep_assert_held(&cn->lock);
	if (n) {
		rb = catoproxy_rulebase_build(rules, n, carry);
		if (IS_ERR(rb)) {
			mutex_unlock(&cn->lock);
			kvfree(rules);
			NL_SET_ERR_MSG(extack, "no memory for the rules");
			return PTR_ERR(rb);
		}
	}
	kvfree(rules);
	cn->next_rule_id += nnew;
	catoproxy_rulebase_publish(cn, rb);
	mutex_unlock(&cn->lock);
	return 0;
}

/* No id may come back: the counter must not wrap. */
static bool ids_left(struct catoproxy_net *cn, u32 n,
		     struct netlink_ext_ack *extack)
{
	if (cn->next_rule_id <= U32_MAX - n)
		return true;
	NL_SET_ERR_MSG(extack, "rule ids are exhausted in this namespace");
	return false;
}

static int add_rule(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	const struct catoproxy_rulebase *cur;
	const struct catoproxy_rule *old;
	struct catoproxy_rule rule, *rules;
	struct nlattr *nest;
	struct sk_buff *msg;
	u32 n, pos, idx;
	void *hdr;
	int ret;

	if (missing(info->extack, NULL, info->attrs, CATOPROXY_A_RULE,
		    "request has no rule"))
		return -EINVAL;
	ret = parse_rule(info->attrs[CATOPROXY_A_RULE], &rule, &pos,
			 info->extack);
	if (ret)
		return ret;
	/* Ready before the change, so that a change is never left unsaid. */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &catoproxy_family, 0,
				CATOPROXY_CMD_ADD_RULE);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_msg;
	}

	mutex_lock(&cn->lock);
	old = current_rules(cn, &cur, &n);
	ret = -ENOSPC;
	if (n >= CATOPROXY_RULES_MAX) {
		NL_SET_ERR_MSG(info->extack, "too many rules");
		goto err_unlock;
	}
	if (!ids_left(cn, 1, info->extack))
		goto err_unlock;
	ret = -ERANGE;
	if (pos > n + 1) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CATOPROXY_A_RULE],
				    "position is past the end of the list");
		goto err_unlock;
	}
	ret = -ENOMEM;
	rules = kvmalloc_array(n + 1, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		goto err_unlock;
	idx = pos ? pos - 1 : n;
	if (idx)
		memcpy(rules, old, idx * sizeof(*rules));
	rule.id = cn->next_rule_id;
	rules[idx] = rule;
	if (n > idx)
		memcpy(rules + idx + 1, old + idx, (n - idx) * sizeof(*rules));
	ret = publish_rules(cn, rules, n + 1, 1, cur, info->extack);
	if (ret)
		goto err_msg;

	nest = nla_nest_start(msg, CATOPROXY_A_RULE);
	if (!nest || nla_put_u32(msg, CATOPROXY_RULE_A_ID, rule.id)) {
		ret = -EMSGSIZE;
		goto err_msg;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&cn->lock);
err_msg:
	nlmsg_free(msg);
	return ret;
}

static int del_rule(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct nlattr *tb[CATOPROXY_RULE_A_MAX + 1];
	const struct catoproxy_rulebase *cur;
	const struct catoproxy_rule *old;
	struct catoproxy_rule *rules;
	const struct nlattr *attr;
	u32 n, i, id;
	int ret;

	if (missing(info->extack, NULL, info->attrs, CATOPROXY_A_RULE,
		    "request has no rule"))
		return -EINVAL;
	attr = info->attrs[CATOPROXY_A_RULE];
	ret = nla_parse_nested(tb, CATOPROXY_RULE_A_MAX, attr, rule_policy,
			       info->extack);
	if (ret)
		return ret;
	if (missing(info->extack, attr, tb, CATOPROXY_RULE_A_ID,
		    "rule has no id"))
		return -EINVAL;
	for (i = CATOPROXY_RULE_A_UNSPEC + 1; i <= CATOPROXY_RULE_A_MAX; i++) {
		if (i != CATOPROXY_RULE_A_ID && tb[i]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[i],
					    "a rule is deleted by id only");
			return -EINVAL;
		}
	}
	id = nla_get_u32(tb[CATOPROXY_RULE_A_ID]);

	mutex_lock(&cn->lock);
	old = current_rules(cn, &cur, &n);
	for (i = 0; i < n && old[i].id != id; i++)
		;
	if (i == n) {
		mutex_unlock(&cn->lock);
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CATOPROXY_RULE_A_ID],
				    "no rule with this id");
		return -ENOENT;
	}
	rules = kvmalloc_array(n, sizeof(*rules), GFP_KERNEL);
	if (!rules) {
		mutex_unlock(&cn->lock);
		return -ENOMEM;
	}
	memcpy(rules, old, i * sizeof(*rules));
	memcpy(rules + i, old + i + 1, (n - i - 1) * sizeof(*rules));
	return publish_rules(cn, rules, n - 1, 0, cur, info->extack);
}

/* SET_RULES repeats CATOPROXY_A_RULE at the top level: see the UAPI. */
#define for_each_top_attr(pos, info, rem)                       \
	nla_for_each_attr(pos, genlmsg_data((info)->genlhdr),    \
			  genlmsg_len((info)->genlhdr), rem)

static int set_rules(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct catoproxy_rule *rules;
	const struct nlattr *pos;
	u32 n = 0, i = 0;
	int ret, rem;

	for_each_top_attr(pos, info, rem) {
		if (nla_type(pos) != CATOPROXY_A_RULE)
			continue;
		if (++n > CATOPROXY_RULES_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, pos, "too many rules");
			return -E2BIG;
		}
	}
	rules = kvmalloc_array(max(n, 1U), sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	for_each_top_attr(pos, info, rem) {
		if (nla_type(pos) != CATOPROXY_A_RULE)
			continue;
		ret = parse_rule(pos, &rules[i], NULL, info->extack);
		if (ret) {
			kvfree(rules);
			return ret;
		}
		i++;
	}

	mutex_lock(&cn->lock);
	if (!ids_left(cn, n, info->extack)) {
		mutex_unlock(&cn->lock);
		kvfree(rules);
		return -ENOSPC;
	}
	for (i = 0; i < n; i++)
		rules[i].id = cn->next_rule_id + i;
	/* New ids: there are no hits to carry over. */
	return publish_rules(cn, rules, n, n, NULL, info->extack);
}

static int put_rule(struct sk_buff *skb, const struct catoproxy_rulebase *rb,
		    u32 idx)
{
	const struct catoproxy_rule *r = &catoproxy_rules_list(rb->set)[idx];
	struct nlattr *nest;

	nest = nla_nest_start(skb, CATOPROXY_A_RULE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CATOPROXY_RULE_A_ID, r->id) ||
	    nla_put_u32(skb, CATOPROXY_RULE_A_POS, idx + 1) ||
	    ((r->flags & CATOPROXY_RULE_F_SRC) &&
	     put_prefix(skb, CATOPROXY_RULE_A_SRC, &r->src)) ||
	    ((r->flags & CATOPROXY_RULE_F_DST) &&
	     put_prefix(skb, CATOPROXY_RULE_A_DST, &r->dst)) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_SPORT_MIN, r->sport_min) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_SPORT_MAX, r->sport_max) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_DPORT_MIN, r->dport_min) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_DPORT_MAX, r->dport_max) ||
	    nla_put_u8(skb, CATOPROXY_RULE_A_ACTION, r->action) ||
	    nla_put_u64_64bit(skb, CATOPROXY_RULE_A_HITS,
			      atomic64_read(&rb->hits[idx]),
			      CATOPROXY_RULE_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* cb->args[0]: index of the next rule to dump. */
static int dump_rules(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct catoproxy_net *cn = catoproxy_net(sock_net(skb->sk));
	const struct catoproxy_rulebase *rb;
	unsigned long idx = cb->args[0];
	u32 n;
	void *hdr;
	int ret = 0;

	rcu_read_lock();
	rb = rcu_dereference(cn->rules);
	n = rb ? catoproxy_rules_count(rb->set) : 0;
	/* The rules and the generation change together under cn->lock. */
	cb->seq = READ_ONCE(cn->generation);
	for (; idx < n; idx++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &catoproxy_family,
				  NLM_F_MULTI, CATOPROXY_CMD_GET_RULE);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (put_rule(skb, rb, idx)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();

	if (idx == cb->args[0] && idx < n)
		ret = -EMSGSIZE;
	cb->args[0] = idx;
	return ret ?: skb->len;
}

/* The site's current name: sites are renamed only by deleting them. */
static int put_site_name(struct sk_buff *skb, struct net *net, u32 site_id)
{
	const struct catoproxy_site *site;
	int ret = 0;

	if (!site_id)
		return 0;
	rcu_read_lock();
	site = catoproxy_policy_site_by_id(
		rcu_dereference(catoproxy_net(net)->policy), site_id);
	if (site)
		ret = nla_put_string(skb, CATOPROXY_CONN_A_SITE_NAME, site->name);
	rcu_read_unlock();
	return ret;
}

void catoproxy_netlink_conn_of(struct catoproxy_netlink_conn *c,
			       const struct nf_conn *ct,
			       const struct catoproxy_conn *conn)
{
	catoproxy_conn_flow(ct, &c->flow);
	c->site_id = conn->site_id;
	c->mode = catoproxy_conn_mode(conn);
	/* State and flags move on the packet path while we read them. */
	c->accel = !!(READ_ONCE(conn->flags) & CATOPROXY_CONN_F_ACCEL);
	c->reason = conn->reason;
	c->state = READ_ONCE(conn->state);
}

struct nlattr *catoproxy_netlink_put_conn(struct sk_buff *skb, struct net *net,
					  const struct catoproxy_netlink_conn *c)
{
	int len = c->flow.family == AF_INET ? 4 : 16;
	struct nlattr *nest;

	nest = nla_nest_start(skb, CATOPROXY_A_CONN);
	if (!nest)
		return NULL;
	if (nla_put_u16(skb, CATOPROXY_CONN_A_FAMILY, c->flow.family) ||
	    nla_put(skb, CATOPROXY_CONN_A_SADDR, len, c->flow.saddr) ||
	    nla_put(skb, CATOPROXY_CONN_A_DADDR, len, c->flow.daddr) ||
	    nla_put_u16(skb, CATOPROXY_CONN_A_SPORT, c->flow.sport) ||
	    nla_put_u16(skb, CATOPROXY_CONN_A_DPORT, c->flow.dport) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_MODE, c->mode) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_ACCEL, c->accel) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_REASON, c->reason) ||
	    nla_put_u32(skb, CATOPROXY_CONN_A_SITE_ID, c->site_id) ||
	    nla_put_u8(skb, CATOPROXY_CONN_A_STATE, c->state) ||
	    put_site_name(skb, net, c->site_id)) {
		nla_nest_cancel(skb, nest);
		return NULL;
	}
	return nest;
}

static int put_conn_msg(struct sk_buff *skb, struct netlink_callback *cb,
			const struct nf_conn *ct,
			const struct catoproxy_conn *conn)
{
	struct catoproxy_netlink_conn c;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &catoproxy_family, NLM_F_MULTI,
			  CATOPROXY_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	catoproxy_netlink_conn_of(&c, ct, conn);
	nest = catoproxy_netlink_put_conn(skb, nf_ct_net(ct), &c);
	if (!nest) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Walks conntrack's table bucket by bucket under the bucket locks, as
 * ctnetlink_dump_table() does on 6.1 and 6.12 alike: under its lock a
 * bucket's chain is stable, so an entry can be found again by its id.
 *
 * cb->args[0]: the bucket to continue with.
 * cb->args[1]: conntrack id of the entry that did not fit in the previous
 *              skb, 0 to start the bucket from its head.
 */
static int dump_conns(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long last_id = cb->args[1];
	const struct catoproxy_conn *conn;
	struct nf_conntrack_tuple_hash *h;
	struct hlist_nulls_node *n;
	spinlock_t *lockp;
	struct nf_conn *ct;
	bool full = false;

	local_bh_disable();
	for (; cb->args[0] < nf_conntrack_htable_size; cb->args[0]++) {
restart:
		lockp = &nf_conntrack_locks[cb->args[0] % CONNTRACK_LOCKS];
		nf_conntrack_lock(lockp);
		/* Its declaration does not tell sparse that it locks. */
		__acquire(lockp);
		/* The table may have shrunk while we were away. */
		if (cb->args[0] >= nf_conntrack_htable_size) {
			spin_unlock(lockp);
			break;
		}
		hlist_nulls_for_each_entry(h, n,
					   &nf_conntrack_hash[cb->args[0]],
					   hnnode) {
			if (NF_CT_DIRECTION(h) != IP_CT_DIR_ORIGINAL)
				continue;
			ct = nf_ct_tuplehash_to_ctrack(h);
			if (nf_ct_is_expired(ct) || !net_eq(net, nf_ct_net(ct)))
				continue;
			conn = catoproxy_conn_get(ct);
			if (!conn)
				continue;
			if (cb->args[1]) {
				if (nf_ct_get_id(ct) != last_id)
					continue;
				cb->args[1] = 0;
			}
			if (put_conn_msg(skb, cb, ct, conn)) {
				cb->args[1] = nf_ct_get_id(ct);
				full = true;
				spin_unlock(lockp);
				goto out;
			}
		}
		spin_unlock(lockp);
		/*
		 * The entry we stopped at is gone: dump the whole bucket
		 * again rather than lose the rest of it.
		 */
		if (cb->args[1]) {
			cb->args[1] = 0;
			goto restart;
		}
	}
out:
	local_bh_enable();
	/* Returning 0 would end the dump with the entry that did not fit. */
	if (full && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

static const struct genl_small_ops catoproxy_ops[] = {
	{
		.cmd = CATOPROXY_CMD_GET_CONFIG,
		.doit = get_config,
	},
	{
		.cmd = CATOPROXY_CMD_SET_CONFIG,
		.doit = set_config,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_GET_STATS,
		.doit = get_stats,
	},
	{
		.cmd = CATOPROXY_CMD_ADD_SITE,
		.doit = add_site,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_DEL_SITE,
		.doit = del_site,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_GET_SITE,
		.dumpit = dump_sites,
	},
	{
		.cmd = CATOPROXY_CMD_GET_CONN,
		.dumpit = dump_conns,
	},
	{
		.cmd = CATOPROXY_CMD_ADD_RULE,
		.doit = add_rule,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_DEL_RULE,
		.doit = del_rule,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_SET_RULES,
		.doit = set_rules,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = CATOPROXY_CMD_GET_RULE,
		.dumpit = dump_rules,
	},
};

/*
 * The multicast calls take a group's index in the family, not the global
 * id the kernel assigns at registration.
 */
enum {
	NETLINK_MCGRP_EVENTS,
};

static const struct genl_multicast_group catoproxy_mcgrps[] = {
	[NETLINK_MCGRP_EVENTS] = { .name = CATOPROXY_MCGRP_EVENTS },
};

static struct genl_family catoproxy_family __ro_after_init = {
	.name = CATOPROXY_GENL_NAME,
	.version = CATOPROXY_GENL_VERSION,
	.maxattr = CATOPROXY_A_MAX,
	.policy = catoproxy_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = catoproxy_ops,
	.n_small_ops = ARRAY_SIZE(catoproxy_ops),
	.mcgrps = catoproxy_mcgrps,
	.n_mcgrps = ARRAY_SIZE(catoproxy_mcgrps),
};

/* Notifications go out only while the family is registered: see uninit. */
static bool netlink_registered;

bool catoproxy_netlink_has_listeners(struct net *net)
{
	return READ_ONCE(netlink_registered) &&
	       genl_has_listeners(&catoproxy_family, net, NETLINK_MCGRP_EVENTS);
}

void *catoproxy_netlink_event_put(struct sk_buff *skb)
{
	return genlmsg_put(skb, 0, 0, &catoproxy_family, 0,
			   CATOPROXY_CMD_EVENT);
}

void catoproxy_netlink_notify(struct net *net, struct sk_buff *skb)
{
	/* No listener left, or one that overflowed: neither is our error. */
	genlmsg_multicast_netns(&catoproxy_family, net, skb, 0,
				NETLINK_MCGRP_EVENTS, GFP_ATOMIC);
}

int __init catoproxy_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&catoproxy_family);
	if (ret)
		return ret;
	WRITE_ONCE(netlink_registered, true);
	return 0;
}

void catoproxy_netlink_uninit(void)
{
	/*
	 * The packet path outlives the family on unload (the hooks go after
	 * it). Stop its notifications and wait for those already past the
	 * check: once unregistered, our group ids may go to another family.
	 */
	WRITE_ONCE(netlink_registered, false);
	synchronize_net();
	genl_unregister_family(&catoproxy_family);
}
