// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "conninfo.h"
#include "parse.h"

/* A value from a newer kernel still gets a stable, parseable name. */
static const char *named(const char *name, unsigned int value, char *buf,
			 size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "unknown-%u", value);
	return buf;
}

static const char *family_name(u16 family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "?";
}

static void format_addr(u16 family, const u8 *addr, char *buf, size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
}

void conn_format_endpoint(u16 family, const u8 *addr, u16 port, char *buf,
			  size_t len)
{
	char a[INET6_ADDRSTRLEN];

	format_addr(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* The words of one connection, each in its own buffer. */
struct conn_words {
	char src[CONN_ENDPOINT_MAX], dst[CONN_ENDPOINT_MAX];
	/* the site's name, terminal control bytes and blanks replaced */
	char site_name[CATOPROXY_SITE_NAME_MAX];
	char server_name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	char b_mode[32], b_reason[32], b_state[32], b_event[32], b_cause[32];
	const char *mode, *reason, *state, *event, *cause;
};

/* Names come from the kernel: keep a text line one word per field. */
static void safe_word(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
}

static void conn_words(const struct conn_info *c, struct conn_words *w)
{
	safe_word(c->site_name, w->site_name, sizeof(w->site_name));
	safe_word(c->server_name, w->server_name, sizeof(w->server_name));
	conn_format_endpoint(c->family, c->saddr, c->sport, w->src,
			     sizeof(w->src));
	conn_format_endpoint(c->family, c->daddr, c->dport, w->dst,
			     sizeof(w->dst));
	w->mode = named(catoproxy_policy_mode_name(c->mode), c->mode,
			w->b_mode, sizeof(w->b_mode));
	w->reason = named(reason_name(c->reason), c->reason, w->b_reason,
			  sizeof(w->b_reason));
	w->state = named(conn_state_name(c->state), c->state, w->b_state,
			 sizeof(w->b_state));
	w->event = named(event_name(c->event), c->event, w->b_event,
			 sizeof(w->b_event));
	w->cause = named(cause_name(c->cause), c->cause, w->b_cause,
			 sizeof(w->b_cause));
}

void conn_print_event(FILE *f, const struct conn_info *c)
{
	struct conn_words w;

	conn_words(c, &w);
	if (c->has_time)
		fprintf(f, "[%" PRIu64 ".%06" PRIu32 "] ", c->time_sec,
			c->time_usec);
	fprintf(f, "%s %s -> %s mode %s accel %u site %" PRIu32, w.event,
		w.src, w.dst, w.mode, c->accel, c->site_id);
	if (w.site_name[0])
		fprintf(f, " site-name %s", w.site_name);
	fprintf(f, " reason %s state %s", w.reason, w.state);
	if (c->has_rule_id)
		fprintf(f, " rule %" PRIu32, c->rule_id);
	if (c->path)
		fprintf(f, " path %" PRIu32, c->path);
	if (w.server_name[0])
		fprintf(f, " server-name %s", w.server_name);
	if (c->cause != CATOPROXY_CAUSE_NONE)
		fprintf(f, " cause %s", w.cause);
	fputc('\n', f);
}

void conn_json(struct json *j, const struct conn_info *c, bool event)
{
	char addr[INET6_ADDRSTRLEN];
	struct conn_words w;

	conn_words(c, &w);
	json_object_begin(j);
	if (c->has_time) {
		json_key(j, "timestamp");
		json_decimal(j, c->time_sec, c->time_usec, 6);
	}
	if (event) {
		json_key(j, "event");
		json_string(j, w.event);
	}
	json_key(j, "family");
	json_string(j, family_name(c->family));
	format_addr(c->family, c->saddr, addr, sizeof(addr));
	json_key(j, "saddr");
	json_string(j, addr);
	json_key(j, "sport");
	json_u64(j, c->sport);
	format_addr(c->family, c->daddr, addr, sizeof(addr));
	json_key(j, "daddr");
	json_string(j, addr);
	json_key(j, "dport");
	json_u64(j, c->dport);
	json_key(j, "mode");
	json_string(j, w.mode);
	json_key(j, "accel");
	json_u64(j, c->accel);
	json_key(j, "state");
	json_string(j, w.state);
	json_key(j, "site_id");
	json_u64(j, c->site_id);
	if (c->site_name[0]) {
		json_key(j, "site_name");
		json_string(j, c->site_name);
	}
	json_key(j, "reason");
	json_string(j, w.reason);
	if (c->has_rule_id) {
		json_key(j, "rule_id");
		json_u64(j, c->rule_id);
	}
	if (c->path) {
		json_key(j, "path");
		json_u64(j, c->path);
	}
	if (c->server_name[0]) {
		json_key(j, "server_name");
		json_string(j, c->server_name);
	}
	if (event) {
		json_key(j, "cause");
		json_string(j, w.cause);
	}
	json_object_end(j);
}

/*
 * The PATH and SERVER-NAME columns are there when a connection listed has
 * a path or a server name (a payload rule's, Documentation/payload-rules.rst).
 */
void conn_print_table(FILE *f, const struct conn_info *v, size_t n)
{
	int wsrc = strlen("SOURCE"), wdst = strlen("DESTINATION");
	int wsite = strlen("SITE-NAME");
	struct conn_words w;
	bool paths = false;

	for (size_t i = 0; i < n; i++) {
		int a, b, s;

		conn_words(&v[i], &w);
		a = strlen(w.src);
		b = strlen(w.dst);
		s = strlen(w.site_name);
		if (a > wsrc)
			wsrc = a;
		if (b > wdst)
			wdst = b;
		if (s > wsite)
			wsite = s;
		if (v[i].path || w.server_name[0])
			paths = true;
	}
	fprintf(f, "%-*s  %-*s  %-8s  %-5s  %-7s  %-4s  %-8s  ", wsrc,
		"SOURCE", wdst, "DESTINATION", "MODE", "ACCEL", "STATE", "SITE",
		"REASON");
	if (paths)
		fprintf(f, "%-*s  %-10s  %s\n", wsite, "SITE-NAME", "PATH",
			"SERVER-NAME");
	else
		fprintf(f, "%s\n", "SITE-NAME");
	for (size_t i = 0; i < n; i++) {
		conn_words(&v[i], &w);
		fprintf(f, "%-*s  %-*s  %-8s  %-5u  %-7s  %-4" PRIu32 "  ", wsrc,
			w.src, wdst, w.dst, w.mode, v[i].accel, w.state,
			v[i].site_id);
		if (paths) {
			char path[16] = "-";

			if (v[i].path)
				snprintf(path, sizeof(path), "%" PRIu32,
					 v[i].path);
			fprintf(f, "%-8s  %-*s  %-10s  %s\n", w.reason, wsite,
				w.site_name[0] ? w.site_name : "-", path,
				w.server_name[0] ? w.server_name : "-");
		} else if (w.site_name[0]) {
			/* No trailing blanks when the line ends with the reason. */
			fprintf(f, "%-8s  %s\n", w.reason, w.site_name);
		} else {
			fprintf(f, "%s\n", w.reason);
		}
	}
}

static int cmp_u(unsigned int a, unsigned int b)
{
	return (a > b) - (a < b);
}

int conn_cmp(const void *a, const void *b)
{
	const struct conn_info *x = a, *y = b;
	int r;

	if ((r = cmp_u(x->family, y->family)))
		return r;
	if ((r = memcmp(x->saddr, y->saddr, sizeof(x->saddr))))
		return r;
	if ((r = cmp_u(x->sport, y->sport)))
		return r;
	if ((r = memcmp(x->daddr, y->daddr, sizeof(x->daddr))))
		return r;
	return cmp_u(x->dport, y->dport);
}
