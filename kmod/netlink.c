// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: configuration, sites, rules, counters and the
 * connection dump. The family is described in
 * Documentation/netlink/specs/catoproxy.yaml, from which the UAPI header and
 * netlink-gen.[ch] (each operation's policy and the op table) are generated.
 * This file and netlink-rule.c (the rules' commands) parse requests, call
 * the mechanisms (netns.c, rulebase.c, ctwalk.c) and encode replies;
 * event.c sends the notifications and encodes a connection for both.
 *
 * Every change builds a complete new policy aside and publishes it only when
 * all of the request was valid, so a rejected request changes nothing.
 */

#include <net/genetlink.h>
#include <net/sock.h>

#include "adaptive.h"
#include "ctwalk.h"
#include "event.h"
#include "netlink-gen.h"
#include "netlink-priv.h"
#include "netlink.h"
#include "netns.h"
#include "rulebase.h"

/* See netlink-priv.h. */
int catoproxy_nl_check_len(const struct nlattr *attr, int max,
			   struct netlink_ext_ack *extack)
{
	if (!attr || nla_len(attr) <= max)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "Attribute failed policy validation");
	return -ERANGE;
}

int catoproxy_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info)
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
		    catoproxy_policy_block_page(pol)) ||
	    nla_put_u32(msg, CATOPROXY_A_INSPECT_TIMEOUT,
			pol->inspect_timeout_ms)) {
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
	CATOPROXY_A_BLOCK_PAGE,	    CATOPROXY_A_INSPECT_TIMEOUT,
};

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

/* The edit of SET_CONFIG: @arg is the request. */
static int edit_config(struct catoproxy_policy *pol, void *arg)
{
	struct genl_info *info = arg;
	struct nlattr **attrs = info->attrs;
	int ret = 0;

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
	if (attrs[CATOPROXY_A_INSPECT_TIMEOUT])
		pol->inspect_timeout_ms =
			nla_get_u32(attrs[CATOPROXY_A_INSPECT_TIMEOUT]);
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
	return ret;
}

/* The bounds of the settings the policies could not express. */
static int check_config_lens(struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;

	return catoproxy_nl_check_len(attrs[CATOPROXY_A_FORCE_FULL_PORTS],
				      CATOPROXY_FORCE_PORTS_MAX * sizeof(u16),
				      info->extack) ?:
	       catoproxy_nl_check_len(attrs[CATOPROXY_A_BLOCK_PAGE_PORTS],
				      CATOPROXY_BLOCK_PAGE_PORTS_MAX * sizeof(u16),
				      info->extack) ?:
	       catoproxy_nl_check_len(attrs[CATOPROXY_A_BLOCK_PAGE],
				      CATOPROXY_BLOCK_PAGE_MAX, info->extack);
}

int catoproxy_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct catoproxy_net *cn = info_net(info);
	struct nlattr **attrs = info->attrs;
	const char *why = NULL;
	bool any = false;
	unsigned int i;
	int ret;

	ret = check_config_lens(info);
	if (ret)
		return ret;
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

	ret = catoproxy_net_policy_edit(cn, 0, edit_config, info, &why);
	if (ret && why)
		set_why(info->extack, why);
	return ret;
}

int catoproxy_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
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

int catoproxy_nl_parse_prefix(const struct nlattr *attr,
			      struct catoproxy_prefix *p,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CATOPROXY_PREFIX_A_MAX + 1];
	unsigned int len;
	int ret;

	ret = nla_parse_nested(tb, CATOPROXY_PREFIX_A_MAX, attr,
			       catoproxy_prefix_nl_policy, extack) ?:
	      catoproxy_nl_check_len(tb[CATOPROXY_PREFIX_A_ADDR], 16, extack);
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

	ret = nla_parse_nested(tb, CATOPROXY_SITE_A_MAX, attr,
			       catoproxy_site_nl_policy, extack);
	if (ret)
		return ret;
	/* The policy is the dump's too: it knows these. */
	if (tb[CATOPROXY_SITE_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_SITE_A_ID],
				    "site ids are assigned by the kernel");
		return -EINVAL;
	}
	if (tb[CATOPROXY_SITE_A_EFFECTIVE_MODE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CATOPROXY_SITE_A_EFFECTIVE_MODE],
				    "a site's effective mode follows from the configuration");
		return -EINVAL;
	}
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
		ret = catoproxy_nl_parse_prefix(pos,
						&site->prefixes[site->nprefixes],
						extack);
		if (ret)
			return ret;
		site->nprefixes++;
	}
	return 0;
}

/* The edit of ADD_SITE and DEL_SITE. */
struct site_edit {
	const struct catoproxy_site *site;
	bool add;
	struct netlink_ext_ack *extack;
};

static int edit_site(struct catoproxy_policy *pol, void *arg)
{
	const struct site_edit *e = arg;
	const char *why = NULL;
	int ret;

	ret = e->add ? catoproxy_policy_add_site(pol, e->site, &why) :
		       catoproxy_policy_del_site(pol, e->site->name, &why);
	if (ret)
		set_why(e->extack, why);
	return ret;
}

/* ADD_SITE and DEL_SITE: the same transaction around a different edit. */
static int change_site(struct genl_info *info, bool add)
{
	struct catoproxy_net *cn = info_net(info);
	struct catoproxy_site *site;
	struct site_edit e;
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

	e = (struct site_edit){ .site = site, .add = add,
				.extack = info->extack };
	ret = catoproxy_net_policy_edit(cn, add ? 1 : 0, edit_site, &e, &why);
	if (ret && why)
		set_why(info->extack, why);
out:
	kfree(site);
	return ret;
}

int catoproxy_nl_add_site_doit(struct sk_buff *skb, struct genl_info *info)
{
	return change_site(info, true);
}

int catoproxy_nl_del_site_doit(struct sk_buff *skb, struct genl_info *info)
{
	return change_site(info, false);
}

/* What REPLACE_CONFIG's build of the new policy needs. */
struct config_build {
	struct genl_info *info;
	struct catoproxy_site *site; /* room for parsing one */
};

/*
 * REPLACE_CONFIG's new policy: the settings given over the defaults, then
 * the sites in order, each keeping the id of the current site of its name.
 */
static int build_config(struct catoproxy_policy *pol,
			const struct catoproxy_policy *cur, void *arg)
{
	const struct config_build *b = arg;
	struct netlink_ext_ack *extack = b->info->extack;
	const struct catoproxy_site *was;
	const struct nlattr *pos;
	const char *why = NULL;
	int ret, rem;

	ret = edit_config(pol, b->info);
	if (ret)
		return ret;
	for_each_top_attr(pos, b->info, rem) {
		if (nla_type(pos) != CATOPROXY_A_SITE)
			continue;
		ret = parse_site(pos, b->site, true, extack);
		if (ret)
			return ret;
		was = catoproxy_policy_find_site(cur, b->site->name);
		b->site->id = was ? was->id : 0;
		ret = catoproxy_policy_add_site(pol, b->site, &why);
		if (ret) {
			set_why_attr(extack, why, pos);
			return ret;
		}
	}
	return 0;
}

int catoproxy_nl_replace_config_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct config_build b = { .info = info };
	struct catoproxy_rule *rules;
	const struct nlattr *pos;
	const char *why = NULL;
	u32 nsites = 0, nrules;
	int ret, rem;

	ret = check_config_lens(info);
	if (ret)
		return ret;
	for_each_top_attr(pos, info, rem) {
		if (nla_type(pos) == CATOPROXY_A_SITE &&
		    ++nsites > CATOPROXY_SITES_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, pos, "too many sites");
			return -E2BIG;
		}
	}
	ret = catoproxy_nl_parse_rules(info, &rules, &nrules);
	if (ret)
		return ret;
	b.site = kmalloc(sizeof(*b.site), GFP_KERNEL);
	if (!b.site) {
		ret = -ENOMEM;
		goto out;
	}
	ret = catoproxy_net_replace(info_net(info), nsites, build_config, &b,
				    rules, nrules, &why);
	if (ret && why)
		set_why(info->extack, why);
out:
	kfree(b.site);
	kvfree(rules);
	return ret;
}

int catoproxy_nl_put_prefix(struct sk_buff *skb, int type,
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
		if (catoproxy_nl_put_prefix(skb, CATOPROXY_PREFIXES_A_PREFIX,
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
int catoproxy_nl_get_site_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct catoproxy_net *cn = catoproxy_net(sock_net(skb->sk));
	const struct catoproxy_policy *pol;
	unsigned long idx = cb->args[0];
	bool full;
	void *hdr;

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
	/* Not a site fits: too big for any message. @pol goes with the lock. */
	full = idx == cb->args[0] && idx < pol->nsites;
	rcu_read_unlock();

	if (full)
		return -EMSGSIZE;
	cb->args[0] = idx;
	return skb->len;
}

/* Where a GET_CONN dump writes. */
struct conn_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

/* One GET_CONN message; @arg is the dump's struct conn_dump. */
static int put_conn_msg(void *arg, const struct nf_conn *ct,
			const struct catoproxy_conn *conn)
{
	const struct conn_dump *d = arg;
	struct netlink_callback *cb = d->cb;
	struct sk_buff *skb = d->skb;
	struct catoproxy_conn_info c;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &catoproxy_family, NLM_F_MULTI,
			  CATOPROXY_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	/* The server name (names.c) lives as long as this section. */
	rcu_read_lock();
	catoproxy_event_conn_info(&c, ct, conn);
	nest = catoproxy_event_put_conn(skb, nf_ct_net(ct), &c);
	rcu_read_unlock();
	if (!nest) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * cb->args[0] and cb->args[1]: where the walk stopped (struct
 * catoproxy_ctwalk).
 */
int catoproxy_nl_get_conn_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct catoproxy_ctwalk w = {
		.bucket = cb->args[0],
		.last_id = cb->args[1],
	};
	struct conn_dump d = { .skb = skb, .cb = cb };
	bool full;

	full = catoproxy_ctwalk(sock_net(skb->sk), &w, put_conn_msg, &d);
	cb->args[0] = w.bucket;
	cb->args[1] = w.last_id;
	/* Returning 0 would end the dump with the entry that did not fit. */
	if (full && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

/* Like conntrack's events: joining needs CAP_NET_ADMIN in the namespace. */
static const struct genl_multicast_group catoproxy_mcgrps[] = {
	[CATOPROXY_NLGRP_EVENTS] = {
		.name = CATOPROXY_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* Each operation's policy and handler come from the spec (netlink-gen.c). */
struct genl_family catoproxy_family __ro_after_init = {
	.name = CATOPROXY_GENL_NAME,
	.version = CATOPROXY_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.split_ops = catoproxy_nl_ops,
	.n_split_ops = ARRAY_SIZE(catoproxy_nl_ops),
	.mcgrps = catoproxy_mcgrps,
	.n_mcgrps = ARRAY_SIZE(catoproxy_mcgrps),
};

int __init catoproxy_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&catoproxy_family);
	if (ret)
		return ret;
	catoproxy_event_start(&catoproxy_family, CATOPROXY_NLGRP_EVENTS);
	return 0;
}

void catoproxy_netlink_uninit(void)
{
	catoproxy_event_stop();
	genl_unregister_family(&catoproxy_family);
}
