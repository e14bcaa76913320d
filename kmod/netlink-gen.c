// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/catoproxy.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/catoproxy.h>

/* Integer value ranges */
static const struct netlink_range_validation catoproxy_a_server_timeout_range = {
	.min	= CATOPROXY_SERVER_TIMEOUT_MS_MIN,
	.max	= CATOPROXY_SERVER_TIMEOUT_MS_MAX,
};

static const struct netlink_range_validation catoproxy_a_syn_backlog_range = {
	.max	= CATOPROXY_SYN_BACKLOG_MAX,
};

static const struct netlink_range_validation catoproxy_a_adaptive_ttl_range = {
	.min	= 1ULL,
	.max	= CATOPROXY_ADAPTIVE_TTL_MAX,
};

static const struct netlink_range_validation catoproxy_a_adaptive_size_range = {
	.min	= CATOPROXY_ADAPTIVE_SIZE_MIN,
	.max	= CATOPROXY_ADAPTIVE_SIZE_MAX,
};

static const struct netlink_range_validation catoproxy_a_inspect_timeout_range = {
	.min	= CATOPROXY_INSPECT_TIMEOUT_MS_MIN,
	.max	= CATOPROXY_INSPECT_TIMEOUT_MS_MAX,
};

/* Common nested types */
const struct nla_policy catoproxy_prefix_nl_policy[CATOPROXY_PREFIX_A_PLEN + 1] = {
	[CATOPROXY_PREFIX_A_FAMILY] = { .type = NLA_U16, },
	[CATOPROXY_PREFIX_A_ADDR] = { .type = NLA_BINARY, },
	[CATOPROXY_PREFIX_A_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy catoproxy_prefixes_nl_policy[CATOPROXY_PREFIXES_A_PREFIX + 1] = {
	[CATOPROXY_PREFIXES_A_PREFIX] = NLA_POLICY_NESTED(catoproxy_prefix_nl_policy),
};

const struct nla_policy catoproxy_rule_nl_policy[CATOPROXY_RULE_A_PATH + 1] = {
	[CATOPROXY_RULE_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CATOPROXY_RULE_A_POS] = NLA_POLICY_MIN(NLA_U32, 1),
	[CATOPROXY_RULE_A_SRC] = NLA_POLICY_NESTED(catoproxy_prefix_nl_policy),
	[CATOPROXY_RULE_A_DST] = NLA_POLICY_NESTED(catoproxy_prefix_nl_policy),
	[CATOPROXY_RULE_A_SPORT_MIN] = { .type = NLA_U16, },
	[CATOPROXY_RULE_A_SPORT_MAX] = { .type = NLA_U16, },
	[CATOPROXY_RULE_A_DPORT_MIN] = { .type = NLA_U16, },
	[CATOPROXY_RULE_A_DPORT_MAX] = { .type = NLA_U16, },
	[CATOPROXY_RULE_A_ACTION] = NLA_POLICY_MAX(NLA_U8, 2),
	[CATOPROXY_RULE_A_HITS] = { .type = NLA_U64, },
	[CATOPROXY_RULE_A_SNI] = { .type = NLA_NUL_STRING, .len = 253, },
	[CATOPROXY_RULE_A_HOST] = { .type = NLA_NUL_STRING, .len = 253, },
	[CATOPROXY_RULE_A_PATH] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy catoproxy_site_nl_policy[CATOPROXY_SITE_A_PREFIXES + 1] = {
	[CATOPROXY_SITE_A_ID] = { .type = NLA_U32, },
	[CATOPROXY_SITE_A_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[CATOPROXY_SITE_A_MODE] = NLA_POLICY_MAX(NLA_U8, 4),
	[CATOPROXY_SITE_A_EFFECTIVE_MODE] = NLA_POLICY_MAX(NLA_U8, 4),
	[CATOPROXY_SITE_A_PREFIXES] = NLA_POLICY_NESTED(catoproxy_prefixes_nl_policy),
};

/* CATOPROXY_CMD_SET_CONFIG - do */
static const struct nla_policy catoproxy_set_config_nl_policy[CATOPROXY_A_INSPECT_TIMEOUT + 1] = {
	[CATOPROXY_A_MODE] = NLA_POLICY_RANGE(NLA_U8, 1, 4),
	[CATOPROXY_A_TLS_INSPECTION] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_BLOCKED_SYN] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_CHALLENGE_ACK] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_SITE] = NLA_POLICY_NESTED(catoproxy_site_nl_policy),
	[CATOPROXY_A_SERVER_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_server_timeout_range),
	[CATOPROXY_A_SYN_BACKLOG] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_syn_backlog_range),
	[CATOPROXY_A_FORCE_FULL_PORTS] = { .type = NLA_BINARY, },
	[CATOPROXY_A_ADAPTIVE_TTL] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_adaptive_ttl_range),
	[CATOPROXY_A_ADAPTIVE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_adaptive_size_range),
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(catoproxy_rule_nl_policy),
	[CATOPROXY_A_BLOCK_PAGE_PORTS] = { .type = NLA_BINARY, },
	[CATOPROXY_A_BLOCK_PAGE] = { .type = NLA_BINARY, },
	[CATOPROXY_A_INSPECT_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_inspect_timeout_range),
};

/* CATOPROXY_CMD_ADD_SITE - do */
static const struct nla_policy catoproxy_add_site_nl_policy[CATOPROXY_A_SITE + 1] = {
	[CATOPROXY_A_SITE] = NLA_POLICY_NESTED(catoproxy_site_nl_policy),
};

/* CATOPROXY_CMD_DEL_SITE - do */
static const struct nla_policy catoproxy_del_site_nl_policy[CATOPROXY_A_SITE + 1] = {
	[CATOPROXY_A_SITE] = NLA_POLICY_NESTED(catoproxy_site_nl_policy),
};

/* CATOPROXY_CMD_ADD_RULE - do */
static const struct nla_policy catoproxy_add_rule_nl_policy[CATOPROXY_A_RULE + 1] = {
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(catoproxy_rule_nl_policy),
};

/* CATOPROXY_CMD_DEL_RULE - do */
static const struct nla_policy catoproxy_del_rule_nl_policy[CATOPROXY_A_RULE + 1] = {
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(catoproxy_rule_nl_policy),
};

/* CATOPROXY_CMD_SET_RULES - do */
static const struct nla_policy catoproxy_set_rules_nl_policy[CATOPROXY_A_RULE + 1] = {
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(catoproxy_rule_nl_policy),
};

/* CATOPROXY_CMD_REPLACE_CONFIG - do */
static const struct nla_policy catoproxy_replace_config_nl_policy[CATOPROXY_A_INSPECT_TIMEOUT + 1] = {
	[CATOPROXY_A_MODE] = NLA_POLICY_RANGE(NLA_U8, 1, 4),
	[CATOPROXY_A_TLS_INSPECTION] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_BLOCKED_SYN] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_CHALLENGE_ACK] = NLA_POLICY_MAX(NLA_U8, 1),
	[CATOPROXY_A_SITE] = NLA_POLICY_NESTED(catoproxy_site_nl_policy),
	[CATOPROXY_A_SERVER_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_server_timeout_range),
	[CATOPROXY_A_SYN_BACKLOG] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_syn_backlog_range),
	[CATOPROXY_A_FORCE_FULL_PORTS] = { .type = NLA_BINARY, },
	[CATOPROXY_A_ADAPTIVE_TTL] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_adaptive_ttl_range),
	[CATOPROXY_A_ADAPTIVE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_adaptive_size_range),
	[CATOPROXY_A_RULE] = NLA_POLICY_NESTED(catoproxy_rule_nl_policy),
	[CATOPROXY_A_BLOCK_PAGE_PORTS] = { .type = NLA_BINARY, },
	[CATOPROXY_A_BLOCK_PAGE] = { .type = NLA_BINARY, },
	[CATOPROXY_A_INSPECT_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &catoproxy_a_inspect_timeout_range),
};

/* Ops table for catoproxy */
const struct genl_split_ops catoproxy_nl_ops[12] = {
	{
		.cmd	= CATOPROXY_CMD_GET_CONFIG,
		.doit	= catoproxy_nl_get_config_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CATOPROXY_CMD_SET_CONFIG,
		.doit		= catoproxy_nl_set_config_doit,
		.policy		= catoproxy_set_config_nl_policy,
		.maxattr	= CATOPROXY_A_INSPECT_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CATOPROXY_CMD_GET_STATS,
		.doit	= catoproxy_nl_get_stats_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CATOPROXY_CMD_ADD_SITE,
		.doit		= catoproxy_nl_add_site_doit,
		.policy		= catoproxy_add_site_nl_policy,
		.maxattr	= CATOPROXY_A_SITE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CATOPROXY_CMD_DEL_SITE,
		.doit		= catoproxy_nl_del_site_doit,
		.policy		= catoproxy_del_site_nl_policy,
		.maxattr	= CATOPROXY_A_SITE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CATOPROXY_CMD_GET_SITE,
		.dumpit	= catoproxy_nl_get_site_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= CATOPROXY_CMD_GET_CONN,
		.dumpit	= catoproxy_nl_get_conn_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= CATOPROXY_CMD_ADD_RULE,
		.doit		= catoproxy_nl_add_rule_doit,
		.policy		= catoproxy_add_rule_nl_policy,
		.maxattr	= CATOPROXY_A_RULE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CATOPROXY_CMD_DEL_RULE,
		.doit		= catoproxy_nl_del_rule_doit,
		.policy		= catoproxy_del_rule_nl_policy,
		.maxattr	= CATOPROXY_A_RULE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= CATOPROXY_CMD_SET_RULES,
		.doit		= catoproxy_nl_set_rules_doit,
		.policy		= catoproxy_set_rules_nl_policy,
		.maxattr	= CATOPROXY_A_RULE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= CATOPROXY_CMD_GET_RULE,
		.dumpit	= catoproxy_nl_get_rule_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= CATOPROXY_CMD_REPLACE_CONFIG,
		.doit		= catoproxy_nl_replace_config_doit,
		.policy		= catoproxy_replace_config_nl_policy,
		.maxattr	= CATOPROXY_A_INSPECT_TIMEOUT,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group catoproxy_nl_mcgrps[] = {
	[CATOPROXY_NLGRP_EVENTS] = { "events", },
};
