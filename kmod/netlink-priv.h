/* SPDX-License-Identifier: GPL-2.0 */
/* What netlink.c and netlink-rule.c share; nothing else includes this. */
#ifndef _CATOPROXY_NETLINK_PRIV_H
#define _CATOPROXY_NETLINK_PRIV_H

#include <net/genetlink.h>

#include "netns.h"

extern struct genl_family catoproxy_family;

/* policy.c explains itself with static strings; pass them on as extack. */
static inline void set_why(struct netlink_ext_ack *extack, const char *why)
{
	if (extack)
		extack->_msg = why;
}

static inline void set_why_attr(struct netlink_ext_ack *extack,
				const char *why, const struct nlattr *attr)
{
	set_why(extack, why);
	if (extack)
		extack->bad_attr = attr;
}

/*
 * NL_REQ_ATTR_CHECK() tells a program which attribute is missing; a person
 * reading catoproxyctl's error wants a sentence as well.
 */
static inline bool missing(struct netlink_ext_ack *extack,
			   const struct nlattr *nest, struct nlattr **tb,
			   unsigned int type, const char *why)
{
	if (!NL_REQ_ATTR_CHECK(extack, nest, tb, type))
		return false;
	set_why(extack, why);
	return true;
}

static inline struct catoproxy_net *info_net(const struct genl_info *info)
{
	return catoproxy_net(genl_info_net(info));
}

/*
 * The 6.12 generator cannot bound a binary attribute's length (checks:
 * max-len): the bounds the policies had are checked by hand, as the policy
 * would have, before anything else looks at the attribute.
 */
int catoproxy_nl_check_len(const struct nlattr *attr, int max,
			   struct netlink_ext_ack *extack);
/* A CATOPROXY_PREFIX_A_* nest into @p, checked. */
int catoproxy_nl_parse_prefix(const struct nlattr *attr,
			      struct catoproxy_prefix *p,
			      struct netlink_ext_ack *extack);
/*
 * SET_RULES and REPLACE_CONFIG repeat CATOPROXY_A_RULE (and SITE) at the
 * top level: see the spec.
 */
#define for_each_top_attr(pos, info, rem)                       \
	nla_for_each_attr(pos, genlmsg_data((info)->genlhdr),    \
			  genlmsg_len((info)->genlhdr), rem)

struct catoproxy_rule;
/*
 * The RULEs of @info's request, checked and normalised, in order, into a
 * new array of *@np (kvfree() it, also when empty); an error, with the
 * extack set, when one is refused.
 */
int catoproxy_nl_parse_rules(struct genl_info *info,
			     struct catoproxy_rule **rulesp, u32 *np);
/* A CATOPROXY_PREFIX_A_* nest of type @type describing @p. */
int catoproxy_nl_put_prefix(struct sk_buff *skb, int type,
			    const struct catoproxy_prefix *p);

#endif /* _CATOPROXY_NETLINK_PRIV_H */
