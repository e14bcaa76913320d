// SPDX-License-Identifier: GPL-2.0
/*
 * The rules' commands of the generic netlink family: ADD_RULE, DEL_RULE,
 * SET_RULES and the GET_RULE dump. rulebase.c builds and publishes the
 * lists; this file parses and encodes them.
 */

#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink-gen.h"
#include "netlink-priv.h"
#include "netns.h"
#include "rulebase.h"

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

/* SNI or HOST, and PATH, into @r, whose action is set. */
static int parse_payload(struct nlattr **tb, struct catoproxy_rule *r,
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *name = tb[CATOPROXY_RULE_A_SNI];
	const char *why = NULL;

	if (name && tb[CATOPROXY_RULE_A_HOST]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_RULE_A_HOST],
				    "a rule matches sni or host, not both");
		return -EINVAL;
	}
	if (name) {
		r->match = CATOPROXY_RULE_MATCH_SNI;
	} else if (tb[CATOPROXY_RULE_A_HOST]) {
		name = tb[CATOPROXY_RULE_A_HOST];
		r->match = CATOPROXY_RULE_MATCH_HOST;
	}
	if (name) {
		/* The policy bounds it to CATOPROXY_PAYLOAD_NAME_MAX. */
		nla_strscpy(r->name, name, sizeof(r->name));
		if (!catoproxy_payload_pattern_valid(r->name, &why)) {
			set_why_attr(extack, why, name);
			return -EINVAL;
		}
	}
	if (tb[CATOPROXY_RULE_A_PATH]) {
		if (r->action == CATOPROXY_ACTION_BLOCK) {
			NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_RULE_A_PATH],
					    "a rule that blocks has no path");
			return -EINVAL;
		}
		r->path = nla_get_u32(tb[CATOPROXY_RULE_A_PATH]);
		r->flags |= CATOPROXY_RULE_F_PATH;
	}
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

	ret = nla_parse_nested(tb, CATOPROXY_RULE_A_MAX, attr,
			       catoproxy_rule_nl_policy, extack);
	if (ret)
		return ret;
	/* The policy is the dump's too: it knows HITS. */
	if (tb[CATOPROXY_RULE_A_HITS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_RULE_A_HITS],
				    "rule hits are counted by the kernel");
		return -EINVAL;
	}
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
		ret = catoproxy_nl_parse_prefix(tb[CATOPROXY_RULE_A_SRC],
						&r->src, extack);
		if (ret)
			return ret;
		r->flags |= CATOPROXY_RULE_F_SRC;
	}
	if (tb[CATOPROXY_RULE_A_DST]) {
		ret = catoproxy_nl_parse_prefix(tb[CATOPROXY_RULE_A_DST],
						&r->dst, extack);
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
	ret = parse_payload(tb, r, extack);
	if (ret)
		return ret;
	if (!catoproxy_rule_normalize(r, &why)) {
		set_why_attr(extack, why, attr);
		return -EINVAL;
	}
	return 0;
}

int catoproxy_nl_add_rule_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct catoproxy_rule rule;
	const char *why = NULL;
	struct nlattr *nest;
	struct sk_buff *msg;
	u32 pos, id;
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

	ret = catoproxy_rulebase_add(cn, &rule, pos, &id, &why);
	if (ret == -ERANGE) {
		set_why_attr(info->extack, why, info->attrs[CATOPROXY_A_RULE]);
		goto err_msg;
	}
	if (ret) {
		set_why(info->extack, why);
		goto err_msg;
	}

	nest = nla_nest_start(msg, CATOPROXY_A_RULE);
	if (!nest || nla_put_u32(msg, CATOPROXY_RULE_A_ID, id)) {
		ret = -EMSGSIZE;
		goto err_msg;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return ret;
}

int catoproxy_nl_del_rule_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct nlattr *tb[CATOPROXY_RULE_A_MAX + 1];
	const struct nlattr *attr;
	const char *why = NULL;
	unsigned int i;
	int ret;

	if (missing(info->extack, NULL, info->attrs, CATOPROXY_A_RULE,
		    "request has no rule"))
		return -EINVAL;
	attr = info->attrs[CATOPROXY_A_RULE];
	ret = nla_parse_nested(tb, CATOPROXY_RULE_A_MAX, attr,
			       catoproxy_rule_nl_policy, info->extack);
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

	ret = catoproxy_rulebase_del(cn, nla_get_u32(tb[CATOPROXY_RULE_A_ID]),
				     &why);
	if (ret == -ENOENT)
		set_why_attr(info->extack, why, tb[CATOPROXY_RULE_A_ID]);
	else if (ret)
		set_why(info->extack, why);
	return ret;
}

/* See netlink-priv.h. */
int catoproxy_nl_parse_rules(struct genl_info *info,
			     struct catoproxy_rule **rulesp, u32 *np)
{
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
	*rulesp = rules;
	*np = n;
	return 0;
}

int catoproxy_nl_set_rules_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct catoproxy_rule *rules;
	const char *why = NULL;
	u32 n;
	int ret;

	ret = catoproxy_nl_parse_rules(info, &rules, &n);
	if (ret)
		return ret;
	ret = catoproxy_rulebase_replace(cn, rules, n, &why);
	if (ret)
		set_why(info->extack, why);
	kvfree(rules);
	return ret;
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
	     catoproxy_nl_put_prefix(skb, CATOPROXY_RULE_A_SRC, &r->src)) ||
	    ((r->flags & CATOPROXY_RULE_F_DST) &&
	     catoproxy_nl_put_prefix(skb, CATOPROXY_RULE_A_DST, &r->dst)) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_SPORT_MIN, r->sport_min) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_SPORT_MAX, r->sport_max) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_DPORT_MIN, r->dport_min) ||
	    nla_put_u16(skb, CATOPROXY_RULE_A_DPORT_MAX, r->dport_max) ||
	    nla_put_u8(skb, CATOPROXY_RULE_A_ACTION, r->action) ||
	    (r->match == CATOPROXY_RULE_MATCH_SNI &&
	     nla_put_string(skb, CATOPROXY_RULE_A_SNI, r->name)) ||
	    (r->match == CATOPROXY_RULE_MATCH_HOST &&
	     nla_put_string(skb, CATOPROXY_RULE_A_HOST, r->name)) ||
	    ((r->flags & CATOPROXY_RULE_F_PATH) &&
	     nla_put_u32(skb, CATOPROXY_RULE_A_PATH, r->path)) ||
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
int catoproxy_nl_get_rule_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
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
