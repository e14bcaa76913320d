// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ctl.h"
#include "ipc.h"
#include "netns.h"

/*
 * Big enough for a dump message full of sites: the kernel sizes dump skbs
 * after our receive buffer, and libmnl treats a truncated read as an error.
 */
#define IPC_BUF_SIZE 32768
/* A dump that keeps racing with changes is reported, not retried forever. */
#define IPC_DUMP_TRIES 3

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	u16 family;
	u32 events_group; /* CATOPROXY_MCGRP_EVENTS's id, 0: none */
	char buf[IPC_BUF_SIZE];
};

/* What the control-message callbacks need besides the caller's data. */
struct talk {
	mnl_cb_t cb;
	void *data;
	struct ipc_error *e;
};

static const char *netns_name;
static bool module_missing;

void ipc_set_netns(const char *name)
{
	netns_name = name;
}

static int set_error(struct ipc_error *e, enum ipc_error_kind kind, int err)
{
	e->kind = kind;
	e->err = err;
	return -err;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ipc_error *e = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(e->msg, sizeof(e->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
	case NLMSGERR_ATTR_MISS_NEST:
		/* The attribute refused, or the nest missing one. */
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			e->bad_offset = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		/* Required-attribute checks send no text; a MSG wins. */
		if (!e->msg[0] && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			snprintf(e->msg, sizeof(e->msg),
				 "missing attribute %u", mnl_attr_get_u32(attr));
		break;
	}
	return MNL_CB_OK;
}

/* Extended-ack attributes start @offset bytes into the payload. */
static void parse_extack(const struct nlmsghdr *nlh, size_t offset,
			 struct ipc_error *e)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, offset, extack_attr_cb, e);
}

static void warn_extack(struct ipc_error *e)
{
	/* A message on success is a warning, as iproute2 shows it. */
	if (e->msg[0]) {
		fprintf(stderr, "%s: warning: %s\n", PROG_NAME, e->msg);
		e->msg[0] = '\0';
	}
}

static int cb_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += MNL_ALIGN(err->msg.nlmsg_len) -
			  MNL_ALIGN(sizeof(struct nlmsghdr));
	parse_extack(nlh, offset, t->e);
	if (err->error == 0) {
		warn_extack(t->e);
		return MNL_CB_STOP;
	}
	t->e->kind = IPC_ERR_KERNEL;
	t->e->err = err->error < 0 ? -err->error : err->error;
	errno = t->e->err;
	return MNL_CB_ERROR;
}

/* A dump ends with DONE, which carries the dump's own error if it failed. */
static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	parse_extack(nlh, MNL_ALIGN(sizeof(error)), t->e);
	if (error == 0) {
		warn_extack(t->e);
		return MNL_CB_STOP;
	}
	t->e->kind = IPC_ERR_KERNEL;
	t->e->err = error < 0 ? -error : error;
	errno = t->e->err;
	return MNL_CB_ERROR;
}

static int cb_overrun(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static mnl_cb_t cb_ctl[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = cb_noop,
	[NLMSG_ERROR] = cb_error,
	[NLMSG_DONE] = cb_done,
	[NLMSG_OVERRUN] = cb_overrun,
};

/* A request header in @buf, of @len bytes. */
static struct nlmsghdr *nl_msg_in(struct nl *nl, void *buf, size_t len,
				  u16 type, u8 cmd, u8 version, u16 flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* libmnl leaves attribute padding as it finds it; send no leftovers. */
	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static struct nlmsghdr *nl_msg(struct nl *nl, u16 type, u8 cmd, u8 version,
			       u16 flags)
{
	return nl_msg_in(nl, nl->buf, sizeof(nl->buf), type, cmd, version,
			 flags);
}

/*
 * Sends @nlh and feeds every reply to @cb until the kernel's ACK, error or
 * DONE. On failure @e says what went wrong.
 */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data, struct ipc_error *e, bool *dump_intr)
{
	struct talk t = { .cb = cb, .data = data, .e = e };
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return set_error(e, IPC_ERR_NETLINK, errno);
	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return set_error(e, IPC_ERR_NETLINK, errno);
		ret = mnl_cb_run2(nl->buf, len, seq, nl->portid, cb_data, &t,
				  cb_ctl, NLMSG_MIN_TYPE);
	} while (ret > 0);
	/*
	 * libmnl stops at the first message flagged NLM_F_DUMP_INTR; the
	 * caller starts over on a fresh socket, so the rest can stay unread.
	 */
	if (ret < 0 && errno == EINTR && e->kind == IPC_ERR_NONE && dump_intr) {
		*dump_intr = true;
		return 0;
	}
	if (ret < 0) {
		if (e->kind == IPC_ERR_NONE)
			return set_error(e, IPC_ERR_NETLINK, errno ? errno : EIO);
		return -e->err;
	}
	if (dump_intr)
		*dump_intr = false;
	return 0;
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, each a name and an id. */
static void mcast_groups(const struct nlattr *groups, struct nl *nl)
{
	const struct nlattr *grp, *attr;

	mnl_attr_for_each_nested(grp, groups) {
		const char *name = NULL;
		u32 id = 0;

		mnl_attr_for_each_nested(attr, grp) {
			switch (mnl_attr_get_type(attr)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (mnl_attr_validate(attr,
						      MNL_TYPE_NUL_STRING) >= 0)
					name = mnl_attr_get_str(attr);
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
					id = mnl_attr_get_u32(attr);
				break;
			}
		}
		if (name && !strcmp(name, CATOPROXY_MCGRP_EVENTS))
			nl->events_group = id;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
				nl->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
				mcast_groups(attr, nl);
			break;
		}
	}
	return MNL_CB_OK;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

static int nl_open(struct nl **out, struct ipc_error *e)
{
	static bool in_netns;
	struct nlmsghdr *nlh;
	struct nl *nl;
	int one = 1, ret;

	memset(e, 0, sizeof(*e));
	*out = NULL;
	if (netns_name && !in_netns) {
		ret = netns_enter(netns_name);
		if (ret < 0) {
			snprintf(e->msg, sizeof(e->msg),
				 "cannot enter network namespace \"%s\"",
				 netns_name);
			return set_error(e, IPC_ERR_NETNS, -ret);
		}
		in_netns = true;
	}

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return set_error(e, IPC_ERR_NETLINK, ENOMEM);
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = set_error(e, IPC_ERR_NETLINK, errno);
		nl_close(nl);
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/*
	 * Extended ACKs carry the kernel's reason for a refusal; capped ACKs
	 * keep it from echoing our request back. Old kernels lack both, and
	 * then we simply have no reason to print.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = nl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CATOPROXY_GENL_NAME);
	ret = nl_talk(nl, nlh, family_cb, nl, e, NULL);
	if (ret == -ENOENT) {
		e->kind = IPC_ERR_NO_FAMILY;
		module_missing = true;
	} else if (!ret && !nl->family) {
		snprintf(e->msg, sizeof(e->msg), "no family id in reply");
		ret = set_error(e, IPC_ERR_NETLINK, EBADMSG);
	}
	if (ret) {
		nl_close(nl);
		return ret;
	}
	*out = nl;
	return 0;
}

static struct nlmsghdr *catoproxy_msg(struct nl *nl, u8 cmd, u16 flags)
{
	return nl_msg(nl, nl->family, cmd, CATOPROXY_GENL_VERSION, flags);
}

/* One request, one reply or dump, with the socket's whole life around it. */
static int request(u8 cmd, u16 flags,
		   void (*fill)(struct nlmsghdr *nlh, const void *arg),
		   const void *arg, mnl_cb_t cb, void *data,
		   struct ipc_error *e, bool *dump_intr)
{
	struct nlmsghdr *nlh;
	struct nl *nl;
	int ret;

	ret = nl_open(&nl, e);
	if (ret)
		return ret;
	nlh = catoproxy_msg(nl, cmd, flags);
	if (fill)
		fill(nlh, arg);
	ret = nl_talk(nl, nlh, cb, data, e, dump_intr);
	nl_close(nl);
	return ret;
}

/* Replies we cannot read are our bug or a newer kernel's: say so plainly. */
static int bad_reply(struct ipc_error *e, const char *what)
{
	snprintf(e->msg, sizeof(e->msg), "malformed reply: %s", what);
	e->kind = IPC_ERR_NETLINK;
	e->err = EBADMSG;
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int out_of_memory(struct ipc_error *e)
{
	e->kind = IPC_ERR_NETLINK;
	e->err = errno = ENOMEM;
	return MNL_CB_ERROR;
}

/*
 * A zeroed element of @size bytes appended to the list of *@n elements at
 * @vp, the address of a T * (copied in and out as bytes, so that a T **
 * need not pass for a void **); NULL when out of memory. The element
 * counts from then on: a reply that fails to parse frees the whole list.
 */
static void *list_push(void *vp, size_t *n, size_t size)
{
	char *v, *grown;

	memcpy(&v, vp, sizeof(v));
	grown = realloc(v, (*n + 1) * size);
	if (!grown)
		return NULL;
	memcpy(vp, &grown, sizeof(grown));
	grown += (*n)++ * size;
	memset(grown, 0, size);
	return grown;
}

/* The same for @arr, one of the { size_t n; T *v; } lists of ipc.h. */
#define LIST_PUSH(arr)                                                   \
	((typeof((arr)->v))list_push(&(arr)->v, &(arr)->n, sizeof(*(arr)->v)))

/*
 * A dump read into one of those lists: each @attr nest of each message
 * becomes an element, read by @parse (MNL_CB_OK, or the error it reported
 * in @e).
 */
struct dump_ctx {
	void *vp; /* the list's T **, as list_push() takes it */
	size_t *n;
	size_t size;
	u16 attr;
	const char *what; /* "malformed reply: WHAT" for a nest that is none */
	int (*parse)(const struct nlattr *nest, void *elem,
		     struct ipc_error *e);
	struct ipc_error *e;
};

#define DUMP_CTX(arr, attr_, what_, parse_, e_)                          \
	{ .vp = &(arr)->v, .n = &(arr)->n, .size = sizeof(*(arr)->v),     \
	  .attr = (attr_), .what = (what_), .parse = (parse_), .e = (e_) }

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		void *v;
		int ret;

		if (mnl_attr_get_type(attr) != c->attr)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return bad_reply(c->e, c->what);
		v = list_push(c->vp, c->n, c->size);
		if (!v)
			return out_of_memory(c->e);
		ret = c->parse(attr, v, c->e);
		if (ret != MNL_CB_OK)
			return ret;
	}
	return MNL_CB_OK;
}

static void dump_clear(struct dump_ctx *c)
{
	void *v, *none = NULL;

	memcpy(&v, c->vp, sizeof(v));
	free(v);
	memcpy(c->vp, &none, sizeof(none));
	*c->n = 0;
}

/*
 * A dump into @c's list, tried again while it races with a change (the
 * list is emptied between tries), so that what is shown was true at one
 * moment.
 */
static int dump_stable(u8 cmd, struct dump_ctx *c, const char *what)
{
	struct ipc_error *e = c->e;
	int ret;

	for (int tries = 0; tries < IPC_DUMP_TRIES; tries++) {
		bool intr = false;

		ret = request(cmd, NLM_F_DUMP, NULL, NULL, dump_cb, c, e, &intr);
		if (!ret && !intr)
			return 0;
		dump_clear(c);
		if (ret)
			return ret;
	}
	snprintf(e->msg, sizeof(e->msg), "%s kept changing while being listed",
		 what);
	return set_error(e, IPC_ERR_NETLINK, EAGAIN);
}

struct config_ctx {
	struct ctl_config *cfg;
	struct ipc_error *e;
};

/* The row of settings[] that @attr carries; NULL for one newer than us. */
static const struct setting *setting_of(u16 attr)
{
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++)
		if (settings[k].attr == attr)
			return &settings[k];
	return NULL;
}

/* One setting of a GET_CONFIG reply into @cfg, as @s->type says. */
static int get_setting(const struct setting *s, const struct nlattr *attr,
		       struct ctl_config *cfg)
{
	size_t len = mnl_attr_get_payload_len(attr);
	char *value = (char *)cfg + s->offset;

	switch (s->type) {
	case SETTING_U8:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return -1;
		*(u8 *)value = mnl_attr_get_u8(attr);
		break;
	case SETTING_U32:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -1;
		*(u32 *)value = mnl_attr_get_u32(attr);
		break;
	case SETTING_PORTS:
		if (len % sizeof(u16) || len / sizeof(u16) > CONFIG_PORTS_MAX)
			return -1;
		*(unsigned int *)((char *)cfg + s->count) = len / sizeof(u16);
		/* The payload is only 4-byte aligned: copy it out. */
		memcpy(value, mnl_attr_get_payload(attr), len);
		break;
	case SETTING_BYTES:
		if (len > CATOPROXY_BLOCK_PAGE_MAX)
			return -1;
		*(size_t *)((char *)cfg + s->count) = len;
		memcpy(value, mnl_attr_get_payload(attr), len);
		break;
	}
	return 0;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct config_ctx *c = data;
	const struct setting *s;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		s = setting_of(mnl_attr_get_type(attr));
		if (!s)
			continue;
		if (get_setting(s, attr, c->cfg))
			return bad_reply(c->e, s->what ? s->what : s->key);
		c->cfg->flags |= CONFIG_HAS(s - settings);
	}
	return MNL_CB_OK;
}

int ipc_get_config(struct ctl_config *cfg, struct ipc_error *e)
{
	struct config_ctx c = { .cfg = cfg, .e = e };
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = request(CATOPROXY_CMD_GET_CONFIG, NLM_F_ACK, NULL, NULL,
		      config_cb, &c, e, NULL);
	if (!ret && !(cfg->flags & CONFIG_HAS(CONFIG_MODE))) {
		bad_reply(e, "no mode");
		ret = -e->err;
	}
	return ret;
}

/* One setting of a SET_CONFIG request, as @s->type says. */
static void put_setting(struct nlmsghdr *nlh, const struct setting *s,
			const struct ctl_config *cfg)
{
	const char *value = (const char *)cfg + s->offset;
	const char *count = (const char *)cfg + s->count;

	switch (s->type) {
	case SETTING_U8:
		mnl_attr_put_u8(nlh, s->attr, *(const u8 *)value);
		break;
	case SETTING_U32:
		mnl_attr_put_u32(nlh, s->attr, *(const u32 *)value);
		break;
	case SETTING_PORTS:
		/* Host-order u16s back to back; an empty list clears it. */
		mnl_attr_put(nlh, s->attr,
			     *(const unsigned int *)count * sizeof(u16), value);
		break;
	case SETTING_BYTES:
		mnl_attr_put(nlh, s->attr, *(const size_t *)count, value);
		break;
	}
}

static void fill_set_config(struct nlmsghdr *nlh, const void *arg)
{
	const struct ctl_config *cfg = arg;

	/* Only what `set' takes: the rest is the kernel's to report. */
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++)
		if (settings[k].parse && (cfg->flags & CONFIG_HAS(k)))
			put_setting(nlh, &settings[k], cfg);
}

int ipc_set_config(const struct ctl_config *cfg, struct ipc_error *e)
{
	return request(CATOPROXY_CMD_SET_CONFIG, NLM_F_ACK, fill_set_config,
		       cfg, NULL, NULL, e, NULL);
}

struct stats_ctx {
	struct ipc_stats *stats;
	struct ipc_error *e;
	bool seen;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_ctx *c = data;
	struct nlattr *attr, *nested;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CATOPROXY_A_ADAPTIVE_ENTRIES) {
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return bad_reply(c->e, "adaptive entries");
			c->stats->adaptive_entries = mnl_attr_get_u32(attr);
			c->stats->has_adaptive_entries = true;
			continue;
		}
		if (mnl_attr_get_type(attr) != CATOPROXY_A_STATS)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return bad_reply(c->e, "stats");
		c->seen = true;
		mnl_attr_for_each_nested(nested, attr) {
			u16 type = mnl_attr_get_type(nested);
			struct ipc_stat *v;

			/* PAD only aligns the u64s that follow it. */
			if (type == CATOPROXY_STAT_UNSPEC ||
			    type == CATOPROXY_STAT_PAD)
				continue;
			if (mnl_attr_validate(nested, MNL_TYPE_U64) < 0)
				return bad_reply(c->e, "counter");
			v = LIST_PUSH(c->stats);
			if (!v)
				return out_of_memory(c->e);
			v->type = type;
			v->value = mnl_attr_get_u64(nested);
		}
	}
	return MNL_CB_OK;
}

static int stat_cmp(const void *a, const void *b)
{
	const struct ipc_stat *x = a, *y = b;

	return (x->type > y->type) - (x->type < y->type);
}

int ipc_get_stats(struct ipc_stats *stats, struct ipc_error *e)
{
	struct stats_ctx c = { .stats = stats, .e = e };
	int ret;

	memset(stats, 0, sizeof(*stats));
	ret = request(CATOPROXY_CMD_GET_STATS, NLM_F_ACK, NULL, NULL,
		      stats_cb, &c, e, NULL);
	if (!ret && !c.seen) {
		bad_reply(e, "no counters");
		ret = -e->err;
	}
	if (ret) {
		free(stats->v);
		memset(stats, 0, sizeof(*stats));
		return ret;
	}
	qsort(stats->v, stats->n, sizeof(*stats->v), stat_cmp);
	return 0;
}

static void put_prefix_nest(struct nlmsghdr *nlh, u16 type,
			    const struct catoproxy_prefix *p)
{
	struct nlattr *nest;

	/* Strict kernel validation wants NLA_F_NESTED on every nest. */
	nest = mnl_attr_nest_start(nlh, type | NLA_F_NESTED);
	mnl_attr_put_u16(nlh, CATOPROXY_PREFIX_A_FAMILY, p->family);
	mnl_attr_put(nlh, CATOPROXY_PREFIX_A_ADDR,
		     p->family == AF_INET ? 4 : 16, p->addr);
	mnl_attr_put_u8(nlh, CATOPROXY_PREFIX_A_PLEN, p->plen);
	mnl_attr_nest_end(nlh, nest);
}

static void fill_add_site(struct nlmsghdr *nlh, const void *arg)
{
	const struct ctl_site *a = arg;
	struct nlattr *site, *prefixes;

	site = mnl_attr_nest_start(nlh, CATOPROXY_A_SITE | NLA_F_NESTED);
	mnl_attr_put_strz(nlh, CATOPROXY_SITE_A_NAME, a->site.name);
	if (a->flags & SITE_HAS_MODE)
		mnl_attr_put_u8(nlh, CATOPROXY_SITE_A_MODE, a->site.mode);
	prefixes = mnl_attr_nest_start(nlh, CATOPROXY_SITE_A_PREFIXES |
						    NLA_F_NESTED);
	for (unsigned int i = 0; i < a->site.nprefixes; i++)
		put_prefix_nest(nlh, CATOPROXY_PREFIXES_A_PREFIX,
				&a->site.prefixes[i]);
	mnl_attr_nest_end(nlh, prefixes);
	mnl_attr_nest_end(nlh, site);
}

int ipc_add_site(const struct ctl_site *a, struct ipc_error *e)
{
	return request(CATOPROXY_CMD_ADD_SITE, NLM_F_ACK, fill_add_site, a,
		       NULL, NULL, e, NULL);
}

static void fill_del_site(struct nlmsghdr *nlh, const void *arg)
{
	struct nlattr *site;

	site = mnl_attr_nest_start(nlh, CATOPROXY_A_SITE | NLA_F_NESTED);
	mnl_attr_put_strz(nlh, CATOPROXY_SITE_A_NAME, arg);
	mnl_attr_nest_end(nlh, site);
}

int ipc_del_site(const char *name, struct ipc_error *e)
{
	return request(CATOPROXY_CMD_DEL_SITE, NLM_F_ACK, fill_del_site, name,
		       NULL, NULL, e, NULL);
}

static int parse_prefix_attr(const struct nlattr *nest,
			     struct catoproxy_prefix *p)
{
	const struct nlattr *attr;
	size_t alen = 0;
	bool have_plen = false;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case CATOPROXY_PREFIX_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -1;
			p->family = mnl_attr_get_u16(attr);
			break;
		case CATOPROXY_PREFIX_A_ADDR:
			alen = mnl_attr_get_payload_len(attr);
			if (alen != 4 && alen != 16)
				return -1;
			memcpy(p->addr, mnl_attr_get_payload(attr), alen);
			break;
		case CATOPROXY_PREFIX_A_PLEN:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			p->plen = mnl_attr_get_u8(attr);
			have_plen = true;
			break;
		}
	}
	if (!have_plen || !((p->family == AF_INET && alen == 4) ||
			    (p->family == AF_INET6 && alen == 16)))
		return -1;
	return 0;
}

static int parse_site_attr(const struct nlattr *nest, void *elem,
			   struct ipc_error *e)
{
	struct ctl_site *s = elem;
	const struct nlattr *attr, *prefix;
	bool have_name = false;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case CATOPROXY_SITE_A_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return bad_reply(e, "site id");
			s->site.id = mnl_attr_get_u32(attr);
			break;
		case CATOPROXY_SITE_A_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return bad_reply(e, "site name");
			snprintf(s->site.name, sizeof(s->site.name), "%s",
				 mnl_attr_get_str(attr));
			have_name = true;
			break;
		case CATOPROXY_SITE_A_MODE:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return bad_reply(e, "site mode");
			s->site.mode = mnl_attr_get_u8(attr);
			s->flags |= SITE_HAS_MODE;
			break;
		case CATOPROXY_SITE_A_EFFECTIVE_MODE:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return bad_reply(e, "site effective mode");
			s->effective_mode = mnl_attr_get_u8(attr);
			s->flags |= SITE_HAS_EFFECTIVE_MODE;
			break;
		case CATOPROXY_SITE_A_PREFIXES:
			mnl_attr_for_each_nested(prefix, attr) {
				if (mnl_attr_get_type(prefix) !=
				    CATOPROXY_PREFIXES_A_PREFIX)
					continue;
				/* The UAPI bounds this; a kernel that raised
				 * the bound is newer than we can show. */
				if (s->site.nprefixes >=
				    CATOPROXY_SITE_PREFIXES_MAX)
					break;
				if (parse_prefix_attr(
					    prefix,
					    &s->site.prefixes[s->site.nprefixes]))
					return bad_reply(e, "site prefix");
				s->site.nprefixes++;
			}
			break;
		}
	}
	if (!have_name)
		return bad_reply(e, "site without a name");
	return MNL_CB_OK;
}

static int site_cmp(const void *a, const void *b)
{
	const struct ctl_site *x = a, *y = b;

	return (x->site.id > y->site.id) - (x->site.id < y->site.id);
}

int ipc_get_sites(struct ipc_sites *sites, struct ipc_error *e)
{
	struct dump_ctx c = DUMP_CTX(sites, CATOPROXY_A_SITE, "site",
				     parse_site_attr, e);
	int ret;

	memset(sites, 0, sizeof(*sites));
	ret = dump_stable(CATOPROXY_CMD_GET_SITE, &c, "sites");
	if (!ret)
		qsort(sites->v, sites->n, sizeof(*sites->v), site_cmp);
	return ret;
}

static u8 *conn_u8_field(struct conn_info *c, u16 type)
{
	switch (type) {
	case CATOPROXY_CONN_A_MODE:
		return &c->mode;
	case CATOPROXY_CONN_A_ACCEL:
		return &c->accel;
	case CATOPROXY_CONN_A_REASON:
		return &c->reason;
	case CATOPROXY_CONN_A_STATE:
		return &c->state;
	case CATOPROXY_CONN_A_EVENT:
		return &c->event;
	case CATOPROXY_CONN_A_CAUSE:
		return &c->cause;
	}
	return NULL;
}

/* The CATOPROXY_A_CONN nest of a dump message or an event. */
static int parse_conn_attr(const struct nlattr *nest, struct conn_info *c)
{
	const struct nlattr *attr;
	size_t slen = 0, dlen = 0;
	u8 *field;

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each_nested(attr, nest) {
		u16 type = mnl_attr_get_type(attr);
		size_t len = mnl_attr_get_payload_len(attr);

		switch (type) {
		case CATOPROXY_CONN_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -1;
			c->family = mnl_attr_get_u16(attr);
			break;
		case CATOPROXY_CONN_A_SADDR:
			if (len != 4 && len != 16)
				return -1;
			memcpy(c->saddr, mnl_attr_get_payload(attr), len);
			slen = len;
			break;
		case CATOPROXY_CONN_A_DADDR:
			if (len != 4 && len != 16)
				return -1;
			memcpy(c->daddr, mnl_attr_get_payload(attr), len);
			dlen = len;
			break;
		case CATOPROXY_CONN_A_SPORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -1;
			c->sport = mnl_attr_get_u16(attr);
			break;
		case CATOPROXY_CONN_A_DPORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -1;
			c->dport = mnl_attr_get_u16(attr);
			break;
		case CATOPROXY_CONN_A_SITE_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			c->site_id = mnl_attr_get_u32(attr);
			break;
		case CATOPROXY_CONN_A_RULE_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			c->rule_id = mnl_attr_get_u32(attr);
			c->has_rule_id = true;
			break;
		case CATOPROXY_CONN_A_SITE_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			snprintf(c->site_name, sizeof(c->site_name), "%s",
				 mnl_attr_get_str(attr));
			break;
		case CATOPROXY_CONN_A_PATH:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			c->path = mnl_attr_get_u32(attr);
			break;
		case CATOPROXY_CONN_A_SERVER_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -1;
			snprintf(c->server_name, sizeof(c->server_name), "%s",
				 mnl_attr_get_str(attr));
			break;
		default:
			field = conn_u8_field(c, type);
			if (!field)
				break; /* newer than us */
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			*field = mnl_attr_get_u8(attr);
			break;
		}
	}
	if (!((c->family == AF_INET && slen == 4 && dlen == 4) ||
	      (c->family == AF_INET6 && slen == 16 && dlen == 16)))
		return -1;
	return 0;
}

/* An element of GET_CONN's list. */
static int conn_elem(const struct nlattr *nest, void *elem,
		     struct ipc_error *e)
{
	return parse_conn_attr(nest, elem) ? bad_reply(e, "connection") :
					     MNL_CB_OK;
}

int ipc_get_conns(struct ipc_conns *conns, struct ipc_error *e)
{
	struct dump_ctx c = DUMP_CTX(conns, CATOPROXY_A_CONN, "connection",
				     conn_elem, e);
	int ret;

	memset(conns, 0, sizeof(*conns));
	ret = request(CATOPROXY_CMD_GET_CONN, NLM_F_DUMP, NULL, NULL, dump_cb,
		      &c, e, NULL);
	if (ret) {
		dump_clear(&c);
		return ret;
	}
	qsort(conns->v, conns->n, sizeof(*conns->v), conn_cmp);
	return 0;
}

/* Bytes put_rule() may write for one rule, IPv6 prefixes and all. */
#define RULE_ATTR_MAX (160 + NLA_ALIGN(4 + CATOPROXY_PAYLOAD_NAME_MAX + 1) + 8)

/* A CATOPROXY_A_RULE nest; ports only when they narrow the rule. */
static void put_rule(struct nlmsghdr *nlh, const struct catoproxy_rule *r,
		     u32 pos)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, CATOPROXY_A_RULE | NLA_F_NESTED);
	if (pos)
		mnl_attr_put_u32(nlh, CATOPROXY_RULE_A_POS, pos);
	if (r->flags & CATOPROXY_RULE_F_SRC)
		put_prefix_nest(nlh, CATOPROXY_RULE_A_SRC, &r->src);
	if (r->flags & CATOPROXY_RULE_F_DST)
		put_prefix_nest(nlh, CATOPROXY_RULE_A_DST, &r->dst);
	if (r->sport_min || r->sport_max != 65535) {
		mnl_attr_put_u16(nlh, CATOPROXY_RULE_A_SPORT_MIN, r->sport_min);
		mnl_attr_put_u16(nlh, CATOPROXY_RULE_A_SPORT_MAX, r->sport_max);
	}
	if (r->dport_min || r->dport_max != 65535) {
		mnl_attr_put_u16(nlh, CATOPROXY_RULE_A_DPORT_MIN, r->dport_min);
		mnl_attr_put_u16(nlh, CATOPROXY_RULE_A_DPORT_MAX, r->dport_max);
	}
	mnl_attr_put_u8(nlh, CATOPROXY_RULE_A_ACTION, r->action);
	if (r->match == CATOPROXY_RULE_MATCH_SNI)
		mnl_attr_put_strz(nlh, CATOPROXY_RULE_A_SNI, r->name);
	else if (r->match == CATOPROXY_RULE_MATCH_HOST)
		mnl_attr_put_strz(nlh, CATOPROXY_RULE_A_HOST, r->name);
	if (r->flags & CATOPROXY_RULE_F_PATH)
		mnl_attr_put_u32(nlh, CATOPROXY_RULE_A_PATH, r->path);
	mnl_attr_nest_end(nlh, nest);
}

struct rule_id_ctx {
	u32 *id;
	bool seen;
};

static int rule_id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_id_ctx *c = data;
	struct nlattr *attr, *in;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CATOPROXY_A_RULE)
			continue;
		mnl_attr_for_each_nested(in, attr) {
			if (mnl_attr_get_type(in) == CATOPROXY_RULE_A_ID &&
			    mnl_attr_validate(in, MNL_TYPE_U32) >= 0) {
				*c->id = mnl_attr_get_u32(in);
				c->seen = true;
			}
		}
	}
	return MNL_CB_OK;
}

static void fill_add_rule(struct nlmsghdr *nlh, const void *arg)
{
	const struct ctl_rule *a = arg;

	put_rule(nlh, &a->rule, a->pos);
}

int ipc_add_rule(const struct ctl_rule *a, u32 *id, struct ipc_error *e)
{
	struct rule_id_ctx c = { .id = id };
	int ret;

	ret = request(CATOPROXY_CMD_ADD_RULE, NLM_F_ACK, fill_add_rule, a,
		      rule_id_cb, &c, e, NULL);
	if (!ret && !c.seen) {
		bad_reply(e, "no rule id");
		ret = -e->err;
	}
	return ret;
}

static void fill_del_rule(struct nlmsghdr *nlh, const void *arg)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, CATOPROXY_A_RULE | NLA_F_NESTED);
	mnl_attr_put_u32(nlh, CATOPROXY_RULE_A_ID, *(const u32 *)arg);
	mnl_attr_nest_end(nlh, nest);
}

int ipc_del_rule(u32 id, struct ipc_error *e)
{
	return request(CATOPROXY_CMD_DEL_RULE, NLM_F_ACK, fill_del_rule, &id,
		       NULL, NULL, e, NULL);
}

/*
 * A socket and a buffer of @size bytes for one request too big for nl->buf
 * (a whole rule list), with a send buffer that holds it.
 */
static int big_open(size_t size, struct nl **nl, void **buf,
		    struct ipc_error *e)
{
	int sndbuf = size + 4096 > (size_t)(1 << 30) ? 1 << 30 : (int)size + 4096;
	int ret;

	ret = nl_open(nl, e);
	if (ret)
		return ret;
	*buf = malloc(size);
	if (!*buf) {
		nl_close(*nl);
		return set_error(e, IPC_ERR_NETLINK, ENOMEM);
	}
	/* Past net.core.wmem_max only with the privilege the change needs. */
	if (setsockopt(mnl_socket_get_fd((*nl)->sock), SOL_SOCKET,
		       SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		setsockopt(mnl_socket_get_fd((*nl)->sock), SOL_SOCKET,
			   SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return 0;
}

/* The request is one message: say what to do when it does not fit. */
static int big_talk(struct nl *nl, struct nlmsghdr *nlh, size_t nrules,
		    struct ipc_error *e)
{
	int ret = nl_talk(nl, nlh, NULL, NULL, e, NULL);

	if (ret == -EMSGSIZE && e->kind == IPC_ERR_NETLINK)
		snprintf(e->msg, sizeof(e->msg),
			 "%zu rules do not fit in one request (raise net.core.wmem_max)",
			 nrules);
	return ret;
}

int ipc_set_rules(const struct catoproxy_rule *rules, size_t n,
		  struct ipc_error *e)
{
	size_t size = MNL_NLMSG_HDRLEN + 64 + n * RULE_ATTR_MAX;
	struct nlmsghdr *nlh;
	struct nl *nl;
	void *buf;
	int ret;

	ret = big_open(size, &nl, &buf, e);
	if (ret)
		return ret;
	nlh = nl_msg_in(nl, buf, size, nl->family, CATOPROXY_CMD_SET_RULES,
			CATOPROXY_GENL_VERSION, NLM_F_ACK);
	for (size_t i = 0; i < n; i++)
		put_rule(nlh, &rules[i], 0);
	ret = big_talk(nl, nlh, n, e);
	free(buf);
	nl_close(nl);
	return ret;
}

/* Bytes fill_add_site() may write for one site, every prefix IPv6. */
#define SITE_ATTR_MAX \
	(64 + CATOPROXY_SITE_NAME_MAX + CATOPROXY_SITE_PREFIXES_MAX * 48)
/* The settings, the block page and its ports included. */
#define SETTINGS_ATTR_MAX (1024 + CATOPROXY_BLOCK_PAGE_MAX)

/* Which part of @w the top-level attribute at @offset of @nlh carries. */
static void find_part(const struct nlmsghdr *nlh, u32 offset,
		      struct ipc_part *bad)
{
	const struct nlattr *attr;
	size_t nsites = 0, nrules = 0;

	bad->kind = IPC_PART_NONE;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		u32 start = (const char *)attr - (const char *)nlh;
		u16 type = mnl_attr_get_type(attr);
		const struct setting *s = setting_of(type);
		bool hit = offset >= start && offset < start + attr->nla_len;

		if (type == CATOPROXY_A_SITE && !hit)
			nsites++;
		else if (type == CATOPROXY_A_RULE && !hit)
			nrules++;
		if (!hit)
			continue;
		if (type == CATOPROXY_A_SITE) {
			bad->kind = IPC_PART_SITE;
			bad->index = nsites;
		} else if (type == CATOPROXY_A_RULE) {
			bad->kind = IPC_PART_RULE;
			bad->index = nrules;
		} else if (s) {
			bad->kind = IPC_PART_SETTING;
			bad->index = s - settings;
		}
		return;
	}
}

int ipc_replace_config(const struct ipc_whole_config *w,
		       struct ipc_part *bad, struct ipc_error *e)
{
	size_t size = MNL_NLMSG_HDRLEN + SETTINGS_ATTR_MAX +
		      w->nsites * SITE_ATTR_MAX + w->nrules * RULE_ATTR_MAX;
	struct nlmsghdr *nlh;
	struct nl *nl;
	void *buf;
	int ret;

	bad->kind = IPC_PART_NONE;
	ret = big_open(size, &nl, &buf, e);
	if (ret)
		return ret;
	nlh = nl_msg_in(nl, buf, size, nl->family,
			CATOPROXY_CMD_REPLACE_CONFIG, CATOPROXY_GENL_VERSION,
			NLM_F_ACK);
	fill_set_config(nlh, w->cfg);
	for (size_t i = 0; i < w->nsites; i++)
		fill_add_site(nlh, &w->sites[i]);
	for (size_t i = 0; i < w->nrules; i++)
		put_rule(nlh, &w->rules[i], 0);
	ret = big_talk(nl, nlh, w->nrules, e);
	if (ret && e->kind == IPC_ERR_KERNEL && e->bad_offset)
		find_part(nlh, e->bad_offset, bad);
	free(buf);
	nl_close(nl);
	return ret;
}

static int parse_rule_attr(const struct nlattr *nest, struct ctl_rule *r)
{
	const struct nlattr *attr;
	bool have_action = false;

	memset(r, 0, sizeof(*r));
	r->rule.sport_max = r->rule.dport_max = 65535;
	mnl_attr_for_each_nested(attr, nest) {
		u16 type = mnl_attr_get_type(attr);
		u16 *port = NULL;

		switch (type) {
		case CATOPROXY_RULE_A_ID:
		case CATOPROXY_RULE_A_POS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			if (type == CATOPROXY_RULE_A_ID)
				r->rule.id = mnl_attr_get_u32(attr);
			else
				r->pos = mnl_attr_get_u32(attr);
			break;
		case CATOPROXY_RULE_A_SRC:
			if (parse_prefix_attr(attr, &r->rule.src))
				return -1;
			r->rule.flags |= CATOPROXY_RULE_F_SRC;
			break;
		case CATOPROXY_RULE_A_DST:
			if (parse_prefix_attr(attr, &r->rule.dst))
				return -1;
			r->rule.flags |= CATOPROXY_RULE_F_DST;
			break;
		case CATOPROXY_RULE_A_SPORT_MIN:
			port = &r->rule.sport_min;
			break;
		case CATOPROXY_RULE_A_SPORT_MAX:
			port = &r->rule.sport_max;
			break;
		case CATOPROXY_RULE_A_DPORT_MIN:
			port = &r->rule.dport_min;
			break;
		case CATOPROXY_RULE_A_DPORT_MAX:
			port = &r->rule.dport_max;
			break;
		case CATOPROXY_RULE_A_ACTION:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			r->rule.action = mnl_attr_get_u8(attr);
			have_action = true;
			break;
		case CATOPROXY_RULE_A_HITS:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -1;
			r->hits = mnl_attr_get_u64(attr);
			break;
		case CATOPROXY_RULE_A_SNI:
		case CATOPROXY_RULE_A_HOST:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
			    mnl_attr_get_payload_len(attr) > sizeof(r->rule.name))
				return -1;
			r->rule.match = type == CATOPROXY_RULE_A_SNI ?
						CATOPROXY_RULE_MATCH_SNI :
						CATOPROXY_RULE_MATCH_HOST;
			memcpy(r->rule.name, mnl_attr_get_str(attr),
			       mnl_attr_get_payload_len(attr));
			break;
		case CATOPROXY_RULE_A_PATH:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -1;
			r->rule.path = mnl_attr_get_u32(attr);
			r->rule.flags |= CATOPROXY_RULE_F_PATH;
			break;
		}
		if (port) {
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return -1;
			*port = mnl_attr_get_u16(attr);
		}
	}
	if (r->rule.flags & CATOPROXY_RULE_F_SRC)
		r->rule.family = r->rule.src.family;
	else if (r->rule.flags & CATOPROXY_RULE_F_DST)
		r->rule.family = r->rule.dst.family;
	return have_action && r->rule.id ? 0 : -1;
}

/* An element of GET_RULE's list. */
static int rule_elem(const struct nlattr *nest, void *elem,
		     struct ipc_error *e)
{
	return parse_rule_attr(nest, elem) ? bad_reply(e, "rule") : MNL_CB_OK;
}

int ipc_get_rules(struct ipc_rules *rules, struct ipc_error *e)
{
	struct dump_ctx c = DUMP_CTX(rules, CATOPROXY_A_RULE, "rule",
				     rule_elem, e);

	memset(rules, 0, sizeof(*rules));
	return dump_stable(CATOPROXY_CMD_GET_RULE, &c, "rules");
}

struct monitor_ctx {
	struct nl *nl;
	ipc_event_cb cb;
	void *data;
	struct ipc_error *e;
	int ret;
};

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor_ctx *m = data;
	const struct genlmsghdr *genl;
	struct nlattr *attr;
	struct conn_info c;

	/* The group carries only our family's messages; be sure anyway. */
	if (nlh->nlmsg_type != m->nl->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != CATOPROXY_CMD_EVENT)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		if (mnl_attr_get_type(attr) != CATOPROXY_A_CONN)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    parse_conn_attr(attr, &c))
			return bad_reply(m->e, "event");
		m->ret = m->cb(&c, m->data);
		if (m->ret)
			return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

int ipc_monitor(ipc_event_cb cb, void *data, volatile int *stop,
		struct ipc_error *e)
{
	struct monitor_ctx m = { .cb = cb, .data = data, .e = e };
	/* Bursts of new connections come faster than a terminal scrolls. */
	int rcvbuf = 1 << 20, rcvbuf_force = 16 << 20;
	struct nl *nl;
	ssize_t len;
	int ret;

	ret = nl_open(&nl, e);
	if (ret)
		return ret;
	m.nl = nl;
	if (!nl->events_group) {
		snprintf(e->msg, sizeof(e->msg), "no \"%s\" multicast group",
			 CATOPROXY_MCGRP_EVENTS);
		ret = set_error(e, IPC_ERR_NETLINK, ENOENT);
		goto out;
	}
	/*
	 * Past net.core.rmem_max when privileged: a burst must not cost
	 * events, and a test that checks every connection's event needs all.
	 */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf_force, sizeof(rcvbuf_force)))
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_group,
				  sizeof(nl->events_group)) < 0) {
		ret = set_error(e, IPC_ERR_NETLINK, errno);
		goto out;
	}
	while (!*stop) {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == ENOBUFS) {
			fprintf(stderr,
				"%s: monitor: events lost: receive buffer overflowed\n",
				PROG_NAME);
			continue;
		}
		if (len < 0) {
			ret = set_error(e, IPC_ERR_NETLINK, errno);
			goto out;
		}
		/* Notifications: any sequence number, sent by the kernel. */
		if (mnl_cb_run(nl->buf, len, 0, 0, monitor_cb, &m) < 0 &&
		    e->kind != IPC_ERR_NONE) {
			ret = -e->err;
			goto out;
		}
		if (m.ret) {
			ret = m.ret;
			goto out;
		}
	}
	ret = 0;
out:
	nl_close(nl);
	return ret;
}

bool ipc_module_missing(void)
{
	return module_missing;
}

void ipc_perror(const char *what, const struct ipc_error *e)
{
	/* What the kernel wants, as conntrack's and nft's users know it. */
	const char *hint = e->err == EPERM ?
		" (needs CAP_NET_ADMIN in the network namespace)" : "";

	switch (e->kind) {
	case IPC_ERR_NO_FAMILY:
		fprintf(stderr,
			"%s: catoproxy module not loaded (generic netlink family \"%s\" not found)\n",
			PROG_NAME, CATOPROXY_GENL_NAME);
		return;
	case IPC_ERR_NETNS:
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, e->msg,
			strerror(e->err));
		return;
	case IPC_ERR_NETLINK:
		if (e->msg[0])
			fprintf(stderr, "%s: %s: netlink: %s (%s)%s\n",
				PROG_NAME, what, e->msg, strerror(e->err),
				hint);
		else
			fprintf(stderr, "%s: %s: netlink: %s%s\n", PROG_NAME,
				what, strerror(e->err), hint);
		return;
	default:
		if (e->msg[0])
			fprintf(stderr, "%s: %s: %s (%s)%s\n", PROG_NAME, what,
				e->msg, strerror(e->err), hint);
		else
			fprintf(stderr, "%s: %s: %s%s\n", PROG_NAME, what,
				strerror(e->err), hint);
	}
}
