/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/catoproxy.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_CATOPROXY_GEN_H
#define _LINUX_CATOPROXY_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/catoproxy.h>

/* Common nested types */
extern const struct nla_policy catoproxy_prefix_nl_policy[CATOPROXY_PREFIX_A_PLEN + 1];
extern const struct nla_policy catoproxy_prefixes_nl_policy[CATOPROXY_PREFIXES_A_PREFIX + 1];
extern const struct nla_policy catoproxy_rule_nl_policy[CATOPROXY_RULE_A_PATH + 1];
extern const struct nla_policy catoproxy_site_nl_policy[CATOPROXY_SITE_A_PREFIXES + 1];

/* Ops table for catoproxy */
extern const struct genl_split_ops catoproxy_nl_ops[12];

int catoproxy_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_add_site_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_del_site_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_get_site_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int catoproxy_nl_get_conn_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int catoproxy_nl_add_rule_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_del_rule_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_set_rules_doit(struct sk_buff *skb, struct genl_info *info);
int catoproxy_nl_get_rule_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int catoproxy_nl_replace_config_doit(struct sk_buff *skb,
				     struct genl_info *info);

enum {
	CATOPROXY_NLGRP_EVENTS,
};

#endif /* _LINUX_CATOPROXY_GEN_H */
