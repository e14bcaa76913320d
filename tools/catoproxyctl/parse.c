// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const blocked_syn_names[] = {
	[CATOPROXY_BLOCKED_SYN_HANDSHAKE] = "handshake",
	[CATOPROXY_BLOCKED_SYN_DROP] = "drop",
};
_Static_assert(ARRAY_SIZE(blocked_syn_names) == CATOPROXY_BLOCKED_SYN_MAX + 1,
	       "every enum catoproxy_blocked_syn value needs a name");

static const char *const challenge_ack_names[] = {
	[CATOPROXY_CHALLENGE_ACK_ALLOW] = "allow",
	[CATOPROXY_CHALLENGE_ACK_STRICT] = "strict",
};
_Static_assert(ARRAY_SIZE(challenge_ack_names) ==
		       CATOPROXY_CHALLENGE_ACK_MAX + 1,
	       "every enum catoproxy_challenge_ack value needs a name");

/*
 * Scripts key on these names (the UAPI fixes the rule: drop the prefix,
 * lower-case the rest). Sized by the last initialiser, so a counter added to
 * the enum without a name here stops the build instead of printing as
 * "stat_N" forever.
 */
static const char *const stat_names[] = {
	[CATOPROXY_STAT_CONN_TRACKED] = "conn_tracked",
	[CATOPROXY_STAT_CONN_FULL] = "conn_full",
	[CATOPROXY_STAT_CONN_DELAYED] = "conn_delayed",
	[CATOPROXY_STAT_CONN_ADAPTIVE] = "conn_adaptive",
	[CATOPROXY_STAT_CONN_OFF] = "conn_off",
	[CATOPROXY_STAT_CONN_HELPER_BUSY] = "conn_helper_busy",
	[CATOPROXY_STAT_CONN_ATTACH_FAILED] = "conn_attach_failed",
	[CATOPROXY_STAT_CONN_RELEASED] = "conn_released",
	[CATOPROXY_STAT_SYN_INTERCEPTED] = "syn_intercepted",
	[CATOPROXY_STAT_SYNACK_RETRANSMITTED] = "synack_retransmitted",
	[CATOPROXY_STAT_SERVER_OPEN_OK] = "server_open_ok",
	[CATOPROXY_STAT_SERVER_OPEN_FAILED] = "server_open_failed",
	[CATOPROXY_STAT_SERVER_TIMEOUT] = "server_timeout",
	[CATOPROXY_STAT_SERVER_SYN_RETRANSMITTED] = "server_syn_retransmitted",
	[CATOPROXY_STAT_COOKIE_MODE_SYNS] = "cookie_mode_syns",
	[CATOPROXY_STAT_COOKIE_VALID] = "cookie_valid",
	[CATOPROXY_STAT_COOKIE_INVALID] = "cookie_invalid",
	[CATOPROXY_STAT_HELD_SEGMENTS] = "held_segments",
	[CATOPROXY_STAT_HELD_DROPPED] = "held_dropped",
	[CATOPROXY_STAT_TX_FAILED] = "tx_failed",
	[CATOPROXY_STAT_CLIENT_TIMEOUT] = "client_timeout",
	[CATOPROXY_STAT_DELAYED_ENGAGED] = "delayed_engaged",
	[CATOPROXY_STAT_ADAPTIVE_FULL] = "adaptive_full",
	[CATOPROXY_STAT_ADAPTIVE_DELAYED] = "adaptive_delayed",
	[CATOPROXY_STAT_ADAPTIVE_LEARNED] = "adaptive_learned",
	[CATOPROXY_STAT_ADAPTIVE_EVICTED] = "adaptive_evicted",
	[CATOPROXY_STAT_ADAPTIVE_FORGOTTEN] = "adaptive_forgotten",
	[CATOPROXY_STAT_RST_OUT_OF_WINDOW] = "rst_out_of_window",
	[CATOPROXY_STAT_CHALLENGE_ACK_SEEN] = "challenge_ack_seen",
	[CATOPROXY_STAT_RST_CHALLENGE_ALLOWED] = "rst_challenge_allowed",
	[CATOPROXY_STAT_RST_CHALLENGE_DROPPED] = "rst_challenge_dropped",
	[CATOPROXY_STAT_CHALLENGE_ACK_SENT] = "challenge_ack_sent",
	[CATOPROXY_STAT_CHALLENGE_ACK_RATELIMITED] = "challenge_ack_ratelimited",
	[CATOPROXY_STAT_SERVER_CHALLENGE_RESET] = "server_challenge_reset",
	[CATOPROXY_STAT_INVALID_DROPPED] = "invalid_dropped",
	[CATOPROXY_STAT_CONN_BYPASSED] = "conn_bypassed",
	[CATOPROXY_STAT_BLOCKED_HANDSHAKE] = "blocked_handshake",
	[CATOPROXY_STAT_BLOCKED_PAGE_SENT] = "blocked_page_sent",
	[CATOPROXY_STAT_BLOCKED_RESET_SENT] = "blocked_reset_sent",
	[CATOPROXY_STAT_BLOCKED_SYN_DROPPED] = "blocked_syn_dropped",
	[CATOPROXY_STAT_BLOCKED_DROPPED] = "blocked_dropped",
	[CATOPROXY_STAT_SYN_PASSED_SIGNED] = "syn_passed_signed",
	[CATOPROXY_STAT_SYN_PASSED_FASTOPEN] = "syn_passed_fastopen",
	[CATOPROXY_STAT_PAYLOAD_DECIDED] = "payload_decided",
	[CATOPROXY_STAT_PAYLOAD_INSPECT_TIMEOUT] = "payload_inspect_timeout",
	[CATOPROXY_STAT_PAYLOAD_MALFORMED] = "payload_malformed",
	[CATOPROXY_STAT_PAYLOAD_NO_NAME] = "payload_no_name",
	[CATOPROXY_STAT_PAYLOAD_HOLD_FULL] = "payload_hold_full",
	[CATOPROXY_STAT_PATH_PINNED] = "path_pinned",
	[CATOPROXY_STAT_SERVER_SYN_DROPPED] = "server_syn_dropped",
	[CATOPROXY_STAT_PAYLOAD_BYPASSED] = "payload_bypassed",
	[CATOPROXY_STAT_HELD_LIMIT_CONN] = "held_limit_conn",
	[CATOPROXY_STAT_HELD_LIMIT_NET] = "held_limit_net",
	[CATOPROXY_STAT_COOKIE_OPEN_REFUSED] = "cookie_open_refused",
	[CATOPROXY_STAT_OPENING_RESET] = "opening_reset",
};
_Static_assert(ARRAY_SIZE(stat_names) == CATOPROXY_STAT_MAX + 1,
	       "every enum catoproxy_stat counter needs a name");

/* What connections and events carry; the same words in text and JSON. */
static const char *const reason_names[] = {
	[CATOPROXY_REASON_ACCOUNT] = "account",
	[CATOPROXY_REASON_SITE_SRC] = "site-src",
	[CATOPROXY_REASON_SITE_DST] = "site-dst",
	[CATOPROXY_REASON_TLS_PORT] = "tls-port",
	[CATOPROXY_REASON_SIGNED] = "signed",
	[CATOPROXY_REASON_FASTOPEN] = "fastopen",
};
_Static_assert(ARRAY_SIZE(reason_names) == CATOPROXY_REASON_MAX + 1,
	       "every enum catoproxy_reason value needs a name");

static const char *const conn_state_names[] = {
	[CATOPROXY_CONN_PASS] = "pass",
	[CATOPROXY_CONN_OPENING] = "opening",
	[CATOPROXY_CONN_SPLICED] = "spliced",
	[CATOPROXY_CONN_FAILED] = "failed",
	[CATOPROXY_CONN_WAITING] = "waiting",
	[CATOPROXY_CONN_ENGAGED] = "engaged",
	[CATOPROXY_CONN_BLOCKED] = "blocked",
	[CATOPROXY_CONN_INSPECTING] = "inspecting",
};
_Static_assert(ARRAY_SIZE(conn_state_names) == CATOPROXY_CONN_STATE_MAX + 1,
	       "every enum catoproxy_conn_state value needs a name");

static const char *const event_names[] = {
	[CATOPROXY_EVENT_DECISION] = "decision",
	[CATOPROXY_EVENT_SPLICED] = "spliced",
	[CATOPROXY_EVENT_FAILED] = "failed",
	[CATOPROXY_EVENT_ENGAGED] = "engaged",
	[CATOPROXY_EVENT_BLOCKED] = "blocked",
	[CATOPROXY_EVENT_PATH_PINNED] = "path-pinned",
};
_Static_assert(ARRAY_SIZE(event_names) == CATOPROXY_EVENT_MAX + 1,
	       "every enum catoproxy_event value needs a name");

static const char *const cause_names[] = {
	[CATOPROXY_CAUSE_NONE] = "none",
	[CATOPROXY_CAUSE_SERVER_RST] = "server-rst",
	[CATOPROXY_CAUSE_SERVER_ICMP] = "server-icmp",
	[CATOPROXY_CAUSE_SERVER_TIMEOUT] = "server-timeout",
	[CATOPROXY_CAUSE_CLIENT_TIMEOUT] = "client-timeout",
	[CATOPROXY_CAUSE_SERVER_SYN_DROPPED] = "server-syn-dropped",
};
_Static_assert(ARRAY_SIZE(cause_names) == CATOPROXY_CAUSE_MAX + 1,
	       "every enum catoproxy_cause value needs a name");

void parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], word))
			return (int)i;
	return -1;
}

const char *or_unknown(const char *name, unsigned int value, char *buf,
		       size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "unknown-%u", value);
	return buf;
}

const char *mode_str(unsigned int mode, char *buf, size_t len)
{
	return or_unknown(catoproxy_policy_mode_name(mode), mode, buf, len);
}

const char *blocked_syn_name(unsigned int value)
{
	return value < ARRAY_SIZE(blocked_syn_names) ? blocked_syn_names[value] :
						       NULL;
}

const char *challenge_ack_name(unsigned int value)
{
	return value < ARRAY_SIZE(challenge_ack_names) ?
		       challenge_ack_names[value] :
		       NULL;
}

const char *stat_name(unsigned int type)
{
	return type < ARRAY_SIZE(stat_names) ? stat_names[type] : NULL;
}

const char *reason_name(unsigned int value)
{
	return value < ARRAY_SIZE(reason_names) ? reason_names[value] : NULL;
}

const char *conn_state_name(unsigned int value)
{
	return value < ARRAY_SIZE(conn_state_names) ? conn_state_names[value] :
						      NULL;
}

const char *event_name(unsigned int value)
{
	return value < ARRAY_SIZE(event_names) ? event_names[value] : NULL;
}

const char *cause_name(unsigned int value)
{
	return value < ARRAY_SIZE(cause_names) ? cause_names[value] : NULL;
}

int parse_blocked_syn(const char *word)
{
	return lookup(blocked_syn_names, ARRAY_SIZE(blocked_syn_names), word);
}

int parse_challenge_ack(const char *word)
{
	return lookup(challenge_ack_names, ARRAY_SIZE(challenge_ack_names),
		      word);
}

int parse_on_off(const char *word)
{
	if (!strcmp(word, "on"))
		return 1;
	if (!strcmp(word, "off"))
		return 0;
	return -1;
}

/* "a, b, c or d", built from the policy's own names. */
static void mode_list(bool allow_inherit, char *buf, size_t len)
{
	unsigned int first = CATOPROXY_MODE_FULL, last = CATOPROXY_MODE_MAX;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int m = first; m <= last + allow_inherit; m++) {
		/* INHERIT is 0, so it goes last when allowed. */
		unsigned int mode = m > last ? CATOPROXY_MODE_INHERIT : m;
		const char *sep = m == first		   ? "" :
				  m == last + allow_inherit ? " or " :
							     ", ";
		int n = snprintf(buf + used, len - used, "%s%s", sep,
				 catoproxy_policy_mode_name(mode));

		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
}

int parse_mode(const char *word, bool allow_inherit, char *err, size_t errlen)
{
	int mode = catoproxy_policy_mode_parse(word);
	char expected[96];

	if (mode >= 0 && mode <= CATOPROXY_MODE_MAX &&
	    (allow_inherit || mode != CATOPROXY_MODE_INHERIT))
		return mode;
	mode_list(allow_inherit, expected, sizeof(expected));
	parse_fail(err, errlen, "Invalid mode `%s': expected %s", word, expected);
	return -1;
}

static int addr_len(u16 family)
{
	return family == AF_INET ? 4 : 16;
}

void format_prefix(const struct catoproxy_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	if ((p->family != AF_INET && p->family != AF_INET6) ||
	    !inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, len, "%s/%u", addr, p->plen);
}

/* Digits only: strtoul would take "+8", " 8" and "0x8". */
static int parse_plen(const char *s)
{
	int v = 0;

	if (!*s || strlen(s) > 3 || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int parse_prefix(const char *text, struct catoproxy_prefix *p, char *err,
		 size_t errlen)
{
	char addr[INET6_ADDRSTRLEN], canonical[PREFIX_STR_MAX];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	struct catoproxy_prefix masked;
	const char *why = NULL;
	int plen, max, bytes;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= sizeof(addr)) {
		parse_fail(err, errlen,
		     "Invalid prefix `%s': expected an IPv4 or IPv6 address/length",
		     text);
		return -1;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	p->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	/* inet_pton refuses what we want refused: 010.0.0.1, 1.2.3, zones. */
	if (inet_pton(p->family, addr, p->addr) != 1) {
		parse_fail(err, errlen, "Invalid prefix `%s': `%s' is not an %s address",
		     text, addr, p->family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	bytes = addr_len(p->family);
	max = bytes * 8;
	plen = slash ? parse_plen(slash + 1) : max;
	if (plen < 0) {
		parse_fail(err, errlen, "Invalid prefix `%s': bad prefix length `%s'",
		     text, slash + 1);
		return -1;
	}
	if (plen > max) {
		parse_fail(err, errlen,
		     "Invalid prefix `%s': prefix length %d exceeds %d for %s",
		     text, plen, max, p->family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	p->plen = plen;

	masked = *p;
	for (int i = 0; i < bytes; i++) {
		int keep = plen - i * 8;

		if (keep <= 0)
			masked.addr[i] = 0;
		else if (keep < 8)
			masked.addr[i] &= (u8)(0xff << (8 - keep));
	}
	if (memcmp(masked.addr, p->addr, sizeof(p->addr))) {
		format_prefix(&masked, canonical, sizeof(canonical));
		parse_fail(err, errlen,
		     "Invalid prefix `%s': host bits set, did you mean %s?", text,
		     canonical);
		return -1;
	}
	/* The kernel's verdict, in case its rules grow beyond the above. */
	if (!catoproxy_policy_prefix_valid(p, &why)) {
		parse_fail(err, errlen, "Invalid prefix `%s': %s", text,
		     why ? why : "rejected by policy");
		return -1;
	}
	return 0;
}

int parse_site_name(const char *name, char *err, size_t errlen)
{
	const char *why;

	if (!catoproxy_policy_site_name_valid(name, &why)) {
		parse_fail(err, errlen, "Invalid site name `%s': %s", name, why);
		return -1;
	}
	return 0;
}

/*
 * Decimal digits only, no sign, no leading zero, at most @max: strtoul
 * would take " 8", "+8", "0x8" and wrap "-1" around.
 */
static int parse_uint(const char *s, u32 max, u32 *v)
{
	unsigned long long n = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -1;
	}
	*v = n;
	return 0;
}

int parse_u32_range(const char *word, u32 min, u32 max, u32 *v)
{
	return parse_uint(word, max, v) || *v < min ? -1 : 0;
}

int parse_port_list(const char *word, const char *key, u16 *ports,
		    char *err, size_t errlen)
{
	const char *p = word;
	unsigned int n = 0;

	if (!strcmp(word, "none"))
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char port[8] = "";
		u32 v = 0;
		int bad = len >= sizeof(port);

		if (!bad) {
			memcpy(port, p, len);
			port[len] = '\0';
			bad = parse_u32_range(port, 1, 65535, &v);
		}
		if (bad) {
			parse_fail(err, errlen,
			     "Invalid port `%.*s' for `%s': expected ports from 1 to 65535 separated by commas, or none",
			     (int)len, p, key);
			return -1;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (ports[i] == v) {
				parse_fail(err, errlen, "Duplicate port %u for `%s'",
				     v, key);
				return -1;
			}
		}
		_Static_assert(CATOPROXY_FORCE_PORTS_MAX ==
				       CATOPROXY_BLOCK_PAGE_PORTS_MAX,
			       "one bound for every port list");
		if (n >= CATOPROXY_FORCE_PORTS_MAX) {
			parse_fail(err, errlen, "Too many ports for `%s': at most %d",
			     key, CATOPROXY_FORCE_PORTS_MAX);
			return -1;
		}
		ports[n++] = v;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

void format_port_list(const u16 *ports, unsigned int n, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!n) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		int k = snprintf(buf + used, len - used, "%s%u", i ? "," : "",
				 ports[i]);

		if (k < 0 || (size_t)k >= len - used)
			return;
		used += k;
	}
}

/* Each setting's parse, text and json, by the kind of value it holds. */

#define FIELD(c, s, type) ((type *)((char *)(c) + (s)->offset))
#define CFIELD(c, s, type) ((const type *)((const char *)(c) + (s)->offset))
#define COUNT(c, s, type) ((type *)((char *)(c) + (s)->count))
#define CCOUNT(c, s, type) ((const type *)((const char *)(c) + (s)->count))

static int parse_mode_setting(const struct setting *s, const char *value,
			      struct ctl_config *c, char *err, size_t errlen)
{
	int v = parse_mode(value, false, err, errlen);

	if (v < 0)
		return -1;
	*FIELD(c, s, u8) = v;
	return 0;
}

/* A word of @s->names: "Invalid value `V' for `KEY': expected ...". */
static int parse_name_setting(const struct setting *s, const char *value,
			      struct ctl_config *c, char *err, size_t errlen)
{
	int v = lookup(s->names, s->nnames, value);

	if (v < 0) {
		parse_fail(err, errlen, "Invalid value `%s' for `%s': expected %s",
		     value, s->key, s->expected);
		return -1;
	}
	*FIELD(c, s, u8) = v;
	return 0;
}

static int parse_u32_setting(const struct setting *s, const char *value,
			     struct ctl_config *c, char *err, size_t errlen)
{
	if (parse_u32_range(value, s->min, s->max, FIELD(c, s, u32))) {
		parse_fail(err, errlen,
		     "Invalid value `%s' for `%s': expected %s from %u to %u",
		     value, s->key, s->expected, s->min, s->max);
		return -1;
	}
	return 0;
}

static int parse_ports_setting(const struct setting *s, const char *value,
			       struct ctl_config *c, char *err, size_t errlen)
{
	int n = parse_port_list(value, s->key, FIELD(c, s, u16), err, errlen);

	if (n < 0)
		return -1;
	*COUNT(c, s, unsigned int) = n;
	return 0;
}

/* Only the name: the caller reads the file into the value. */
static int parse_file_setting(const struct setting *s, const char *value,
			      struct ctl_config *c, char *err, size_t errlen)
{
	if (!*value) {
		parse_fail(err, errlen,
		     "Invalid value `' for `%s': expected a file name, or - for standard input",
		     s->key);
		return -1;
	}
	c->block_page_file = value;
	return 0;
}

static void text_mode(const struct setting *s, const struct ctl_config *c,
		      char *buf, size_t len)
{
	char b[32];

	snprintf(buf, len, "%s", mode_str(*CFIELD(c, s, u8), b, sizeof(b)));
}

static void text_name(const struct setting *s, const struct ctl_config *c,
		      char *buf, size_t len)
{
	unsigned int v = *CFIELD(c, s, u8);
	char b[32];

	snprintf(buf, len, "%s",
		 or_unknown(v < s->nnames ? s->names[v] : NULL, v, b,
			    sizeof(b)));
}

static void text_on_off(const struct setting *s, const struct ctl_config *c,
			char *buf, size_t len)
{
	snprintf(buf, len, "%s", *CFIELD(c, s, u8) ? "on" : "off");
}

static void text_u32(const struct setting *s, const struct ctl_config *c,
		     char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu32, *CFIELD(c, s, u32));
}

/* The same words `set' takes, so a line can be fed back. */
static void text_ports(const struct setting *s, const struct ctl_config *c,
		       char *buf, size_t len)
{
	format_port_list(CFIELD(c, s, u16), *CCOUNT(c, s, unsigned int), buf,
			 len);
}

/* The page itself: `show block-page'. */
static void text_bytes(const struct setting *s, const struct ctl_config *c,
		       char *buf, size_t len)
{
	snprintf(buf, len, "%zu bytes", *CCOUNT(c, s, size_t));
}

/* The words of text(), as a JSON string. */
static void json_text(const struct setting *s, const struct ctl_config *c,
		      struct json *j)
{
	char buf[SETTING_STR_MAX];

	s->text(s, c, buf, sizeof(buf));
	json_string(j, buf);
}

static void json_on_off(const struct setting *s, const struct ctl_config *c,
			struct json *j)
{
	json_bool(j, *CFIELD(c, s, u8));
}

static void json_u32(const struct setting *s, const struct ctl_config *c,
		     struct json *j)
{
	json_u64(j, *CFIELD(c, s, u32));
}

static void json_ports(const struct setting *s, const struct ctl_config *c,
		       struct json *j)
{
	const u16 *ports = CFIELD(c, s, u16);

	json_array_begin(j);
	for (unsigned int i = 0; i < *CCOUNT(c, s, unsigned int); i++)
		json_u64(j, ports[i]);
	json_array_end(j);
}

static void json_bytes_len(const struct setting *s, const struct ctl_config *c,
			   struct json *j)
{
	json_u64(j, *CCOUNT(c, s, size_t));
}

static const char *const on_off_names[] = { "off", "on" };

#define U8_SETTING(member) \
	.type = SETTING_U8, .offset = offsetof(struct ctl_config, member)
#define U32_SETTING(member) \
	.type = SETTING_U32, .offset = offsetof(struct ctl_config, member)
#define PORTS_SETTING(member)                                   \
	.type = SETTING_PORTS,                                  \
	.offset = offsetof(struct ctl_config, member),          \
	.count = offsetof(struct ctl_config, n##member),        \
	.parse = parse_ports_setting, .text = text_ports,       \
	.json = json_ports, .optional = true
#define NAMES(array) .names = (array), .nnames = ARRAY_SIZE(array)

/*
 * Adding a setting: a CONFIG_* in model.h, its member in struct ctl_config
 * and a row here; `set', its usage and the help, the request, the reply and
 * `show config' follow. The man page and the bash completion are prose.
 */
const struct setting settings[CONFIG_NSETTINGS] = {
	[CONFIG_MODE] = {
		.key = "mode", .arg = "{full|delayed|adaptive|off}",
		.json_key = "mode", .attr = CATOPROXY_A_MODE, U8_SETTING(mode),
		.parse = parse_mode_setting, .text = text_mode,
		.json = json_text,
	},
	[CONFIG_TLS_INSPECTION] = {
		.key = "tls-inspection", .arg = "{on|off}",
		.json_key = "tls_inspection",
		.attr = CATOPROXY_A_TLS_INSPECTION, U8_SETTING(tls_inspection),
		.parse = parse_name_setting, .text = text_on_off,
		.json = json_on_off, NAMES(on_off_names),
		.expected = "on or off",
	},
	[CONFIG_BLOCKED_SYN] = {
		.key = "blocked-syn", .arg = "{handshake|drop}",
		.json_key = "blocked_syn", .attr = CATOPROXY_A_BLOCKED_SYN,
		U8_SETTING(blocked_syn), .parse = parse_name_setting,
		.text = text_name, .json = json_text,
		NAMES(blocked_syn_names), .expected = "handshake or drop",
	},
	[CONFIG_CHALLENGE_ACK] = {
		.key = "challenge-ack", .arg = "{allow|strict}",
		.json_key = "challenge_ack", .attr = CATOPROXY_A_CHALLENGE_ACK,
		U8_SETTING(challenge_ack), .parse = parse_name_setting,
		.text = text_name, .json = json_text,
		NAMES(challenge_ack_names), .expected = "allow or strict",
	},
	[CONFIG_SITE_COUNT] = {
		.key = "sites", .json_key = "site_count", .what = "site count",
		.attr = CATOPROXY_A_SITE_COUNT, U32_SETTING(site_count),
		.text = text_u32, .json = json_u32,
	},
	[CONFIG_SERVER_TIMEOUT] = {
		.key = "server-timeout", .arg = "MS",
		.json_key = "server_timeout",
		.attr = CATOPROXY_A_SERVER_TIMEOUT,
		U32_SETTING(server_timeout_ms), .parse = parse_u32_setting,
		.text = text_u32, .json = json_u32,
		.min = CATOPROXY_SERVER_TIMEOUT_MS_MIN,
		.max = CATOPROXY_SERVER_TIMEOUT_MS_MAX,
		.expected = "milliseconds",
	},
	[CONFIG_SYN_BACKLOG] = {
		.key = "syn-backlog", .arg = "N", .json_key = "syn_backlog",
		.attr = CATOPROXY_A_SYN_BACKLOG, U32_SETTING(syn_backlog),
		.parse = parse_u32_setting, .text = text_u32,
		.json = json_u32, .min = 0,
		.max = CATOPROXY_SYN_BACKLOG_MAX, .expected = "a number",
	},
	[CONFIG_FORCE_FULL_PORTS] = {
		.key = "force-full-ports", .arg = "{PORT[,PORT...]|none}",
		.json_key = "force_full_ports",
		.attr = CATOPROXY_A_FORCE_FULL_PORTS,
		PORTS_SETTING(force_full_ports),
	},
	[CONFIG_ADAPTIVE_TTL] = {
		.key = "adaptive-ttl", .arg = "SECONDS",
		.json_key = "adaptive_ttl", .attr = CATOPROXY_A_ADAPTIVE_TTL,
		U32_SETTING(adaptive_ttl), .parse = parse_u32_setting,
		.text = text_u32, .json = json_u32, .optional = true,
		.min = 1, .max = CATOPROXY_ADAPTIVE_TTL_MAX,
		.expected = "seconds",
	},
	[CONFIG_ADAPTIVE_SIZE] = {
		.key = "adaptive-size", .arg = "N", .json_key = "adaptive_size",
		.attr = CATOPROXY_A_ADAPTIVE_SIZE, U32_SETTING(adaptive_size),
		.parse = parse_u32_setting, .text = text_u32,
		.json = json_u32, .optional = true,
		.min = CATOPROXY_ADAPTIVE_SIZE_MIN,
		.max = CATOPROXY_ADAPTIVE_SIZE_MAX,
		.expected = "a number of entries",
	},
	[CONFIG_RULE_COUNT] = {
		.key = "rules", .json_key = "rule_count", .what = "rule count",
		.attr = CATOPROXY_A_RULE_COUNT, U32_SETTING(rule_count),
		.text = text_u32, .json = json_u32, .optional = true,
	},
	[CONFIG_BLOCK_PAGE_PORTS] = {
		.key = "block-page-ports", .arg = "{PORT[,PORT...]|none}",
		.json_key = "block_page_ports",
		.attr = CATOPROXY_A_BLOCK_PAGE_PORTS,
		PORTS_SETTING(block_page_ports),
	},
	[CONFIG_BLOCK_PAGE] = {
		.key = "block-page", .arg = "{FILE|-}",
		.json_key = "block_page_len", .attr = CATOPROXY_A_BLOCK_PAGE,
		.type = SETTING_BYTES,
		.offset = offsetof(struct ctl_config, block_page),
		.count = offsetof(struct ctl_config, block_page_len),
		.parse = parse_file_setting, .text = text_bytes,
		.json = json_bytes_len, .optional = true,
	},
	[CONFIG_INSPECT_TIMEOUT] = {
		.key = "inspect-timeout", .arg = "MS",
		.json_key = "inspect_timeout",
		.attr = CATOPROXY_A_INSPECT_TIMEOUT,
		U32_SETTING(inspect_timeout_ms), .parse = parse_u32_setting,
		.text = text_u32, .json = json_u32, .optional = true,
		.min = CATOPROXY_INSPECT_TIMEOUT_MS_MIN,
		.max = CATOPROXY_INSPECT_TIMEOUT_MS_MAX,
		.expected = "milliseconds",
	},
};

void format_set_usage(char *buf, size_t len, const char *prefix, bool bounds)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++) {
		const struct setting *s = &settings[k];
		char bound[64] = "";
		int n;

		if (!s->parse)
			continue;
		if (bounds && s->type == SETTING_U32)
			snprintf(bound, sizeof(bound), " (%u to %u)", s->min,
				 s->max);
		else if (bounds && s->type == SETTING_PORTS)
			snprintf(bound, sizeof(bound), " (at most %u)",
				 CONFIG_PORTS_MAX);
		else if (bounds && s->type == SETTING_BYTES)
			snprintf(bound, sizeof(bound),
				 " (the page's body, at most %u bytes)",
				 CATOPROXY_BLOCK_PAGE_MAX);
		n = snprintf(buf + used, len - used, "%s%s %s%s\n", prefix,
			     s->key, s->arg, bound);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
	}
}

/* "mode, tls-inspection, ... or block-page": the keys `set' takes. */
static void set_keys(char *buf, size_t len)
{
	unsigned int left = 0;
	size_t used = 0;

	for (unsigned int i = 0; i < CONFIG_NSETTINGS; i++)
		left += settings[i].parse != NULL;
	buf[0] = '\0';
	for (unsigned int i = 0; i < CONFIG_NSETTINGS; i++) {
		const char *sep = !used ? "" : left == 1 ? " or " : ", ";
		int n;

		if (!settings[i].parse)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", sep,
			     settings[i].key);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += n;
		left--;
	}
}

void print_config(FILE *f, const struct ctl_config *c, bool json)
{
	char value[SETTING_STR_MAX];
	struct json j;

	json_init(&j, f);
	if (json)
		json_object_begin(&j);
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++) {
		const struct setting *s = &settings[k];

		if (s->optional && !(c->flags & CONFIG_HAS(k)))
			continue;
		if (json) {
			json_key(&j, s->json_key);
			s->json(s, c, &j);
		} else {
			s->text(s, c, value, sizeof(value));
			fprintf(f, "%s: %s\n", s->key, value);
		}
	}
	if (json) {
		json_object_end(&j);
		json_finish(&j);
	}
}

int parse_set_args(int argc, char *const argv[], struct ctl_config *c,
		   char *err, size_t errlen)
{
	char keys[256];

	memset(c, 0, sizeof(*c));
	if (argc <= 0) {
		set_keys(keys, sizeof(keys));
		parse_fail(err, errlen, "Missing setting: expected %s", keys);
		return -1;
	}
	for (int i = 0; i < argc; i += 2) {
		const char *key = argv[i];
		const struct setting *s = NULL;
		unsigned int k;

		for (k = 0; k < CONFIG_NSETTINGS; k++) {
			if (settings[k].parse && !strcmp(key, settings[k].key)) {
				s = &settings[k];
				break;
			}
		}
		if (!s) {
			set_keys(keys, sizeof(keys));
			parse_fail(err, errlen, "Invalid key `%s': expected %s", key,
			     keys);
			return -1;
		}
		if (c->flags & CONFIG_HAS(k)) {
			parse_fail(err, errlen, "Duplicate key `%s'", key);
			return -1;
		}
		if (i + 1 >= argc) {
			parse_fail(err, errlen, "Missing value for `%s'", key);
			return -1;
		}
		c->flags |= CONFIG_HAS(k);
		if (s->parse(s, argv[i + 1], c, err, errlen))
			return -1;
	}
	return 0;
}

static bool same_prefix(const struct catoproxy_prefix *a,
			const struct catoproxy_prefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, addr_len(a->family));
}

int parse_site_add_args(int argc, char *const argv[], struct ctl_site *a,
			char *err, size_t errlen)
{
	struct catoproxy_site *s = &a->site;

	memset(a, 0, sizeof(*a));
	s->mode = CATOPROXY_MODE_INHERIT;
	if (argc <= 0) {
		parse_fail(err, errlen, "Missing site name");
		return -1;
	}
	if (parse_site_name(argv[0], err, errlen))
		return -1;
	strcpy(s->name, argv[0]);

	for (int i = 1; i < argc; i += 2) {
		const char *key = argv[i], *value;
		bool is_prefix = !strcmp(key, "prefix");
		struct catoproxy_prefix p;
		int v;

		if (!is_prefix && strcmp(key, "mode")) {
			parse_fail(err, errlen,
			     "Invalid argument `%s': expected `prefix CIDR' or `mode MODE'",
			     key);
			return -1;
		}
		if (!is_prefix && (a->flags & SITE_HAS_MODE)) {
			parse_fail(err, errlen, "Duplicate key `mode'");
			return -1;
		}
		if (i + 1 >= argc) {
			parse_fail(err, errlen, "Missing value for `%s'", key);
			return -1;
		}
		value = argv[i + 1];
		if (!is_prefix) {
			v = parse_mode(value, true, err, errlen);
			if (v < 0)
				return -1;
			s->mode = v;
			a->flags |= SITE_HAS_MODE;
			continue;
		}
		if (s->nprefixes >= CATOPROXY_SITE_PREFIXES_MAX) {
			parse_fail(err, errlen, "Too many prefixes: a site has at most %d",
			     CATOPROXY_SITE_PREFIXES_MAX);
			return -1;
		}
		if (parse_prefix(value, &p, err, errlen))
			return -1;
		for (unsigned int j = 0; j < s->nprefixes; j++) {
			if (same_prefix(&s->prefixes[j], &p)) {
				parse_fail(err, errlen, "Duplicate prefix `%s'", value);
				return -1;
			}
		}
		s->prefixes[s->nprefixes++] = p;
	}
	if (!s->nprefixes) {
		parse_fail(err, errlen,
		     "Missing prefix: a site needs at least one `prefix CIDR'");
		return -1;
	}
	return 0;
}

int parse_site_del_args(int argc, char *const argv[], const char **name,
			char *err, size_t errlen)
{
	if (argc <= 0) {
		parse_fail(err, errlen, "Missing site name");
		return -1;
	}
	if (parse_site_name(argv[0], err, errlen))
		return -1;
	if (argc > 1) {
		parse_fail(err, errlen, "Unexpected argument `%s'", argv[1]);
		return -1;
	}
	*name = argv[0];
	return 0;
}

int parse_rule_number(const char *word, const char *what, u32 *v, char *err,
		      size_t errlen)
{
	if (parse_u32_range(word, 1, 0xffffffffu, v)) {
		parse_fail(err, errlen, "Invalid %s `%s': expected a number from 1",
		     what, word);
		return -1;
	}
	return 0;
}

int parse_port_range(const char *word, const char *key, u16 *lo, u16 *hi,
		     char *err, size_t errlen)
{
	const char *dash = strchr(word, '-');
	char first[8] = "";
	size_t len = dash ? (size_t)(dash - word) : strlen(word);
	u32 a = 0, b = 0;

	if (len < sizeof(first)) {
		memcpy(first, word, len);
		first[len] = '\0';
	}
	/* "0" is a port here: a range may start at it. */
	if (len >= sizeof(first) ||
	    (strcmp(first, "0") && parse_u32_range(first, 1, 65535, &a)) ||
	    (dash && strcmp(dash + 1, "0") &&
	     parse_u32_range(dash + 1, 1, 65535, &b))) {
		parse_fail(err, errlen,
		     "Invalid port range `%s' for `%s': expected PORT or LOW-HIGH, ports from 0 to 65535",
		     word, key);
		return -1;
	}
	if (!dash)
		b = a;
	if (a > b) {
		parse_fail(err, errlen,
		     "Invalid port range `%s' for `%s': %u is above %u", word,
		     key, a, b);
		return -1;
	}
	*lo = (u16)a;
	*hi = (u16)b;
	return 0;
}

static const char rule_keys[] =
	"pos, src, dst, sport, dport, sni, host, path or action";

int parse_path_mark(const char *word, u32 *v, char *err, size_t errlen)
{
	unsigned long long m;
	char *end;

	/* Like ip rule's fwmark: decimal, or hexadecimal after 0x. */
	errno = 0;
	m = 0;
	if (!strncmp(word, "0x", 2) || !strncmp(word, "0X", 2)) {
		if (isxdigit((unsigned char)word[2]))
			m = strtoull(word + 2, &end, 16);
		else
			end = (char *)word;
	} else if (word[0] >= '1' && word[0] <= '9') {
		m = strtoull(word, &end, 10);
	} else {
		end = (char *)word;
	}
	if (end == word || *end || errno || !m || m > 0xffffffffull) {
		parse_fail(err, errlen,
			   "Invalid path `%s': expected a firewall mark from 1 to 0xffffffff (decimal, or hexadecimal after 0x)",
			   word);
		return -1;
	}
	*v = (u32)m;
	return 0;
}

/* An sni or host pattern into @r. */
static int parse_payload_name(const char *key, const char *value,
			      struct catoproxy_rule *r, char *err,
			      size_t errlen)
{
	const char *why = NULL;

	if (r->match != CATOPROXY_RULE_MATCH_NONE) {
		parse_fail(err, errlen,
			   "Invalid argument `%s': a rule matches sni or host, not both",
			   key);
		return -1;
	}
	if (strlen(value) > CATOPROXY_PAYLOAD_NAME_MAX ||
	    !catoproxy_payload_pattern_valid(value, &why)) {
		parse_fail(err, errlen, "Invalid %s `%.64s%s': %s", key, value,
			   strlen(value) > 64 ? "..." : "",
			   why ? why : "name is longer than 253 bytes");
		return -1;
	}
	r->match = strcmp(key, "sni") ? CATOPROXY_RULE_MATCH_HOST :
					CATOPROXY_RULE_MATCH_SNI;
	snprintf(r->name, sizeof(r->name), "%s", value);
	return 0;
}

int parse_rule_args(int argc, char *const argv[], struct ctl_rule *a,
		    bool allow_pos, char *err, size_t errlen)
{
	struct catoproxy_rule *r = &a->rule;
	bool seen[9] = { false };
	static const char *const keys[] = { "pos",   "src",  "dst",
					    "sport", "dport", "action",
					    "sni",   "host", "path" };
	const char *why = NULL;

	memset(a, 0, sizeof(*a));
	r->sport_max = 65535;
	r->dport_max = 65535;
	for (int i = 0; i < argc; i += 2) {
		const char *key = argv[i], *value;
		int k = lookup(keys, ARRAY_SIZE(keys), key), v;

		if (k < 0 || (k == 0 && !allow_pos)) {
			parse_fail(err, errlen, "Invalid argument `%s': expected %s", key,
			     allow_pos ? rule_keys :
					 "src, dst, sport, dport, sni, host, path or action");
			return -1;
		}
		if (seen[k]) {
			parse_fail(err, errlen, "Duplicate key `%s'", key);
			return -1;
		}
		seen[k] = true;
		if (i + 1 >= argc) {
			parse_fail(err, errlen, "Missing value for `%s'", key);
			return -1;
		}
		value = argv[i + 1];
		switch (k) {
		case 0:
			if (parse_rule_number(value, "position", &a->pos, err,
					      errlen))
				return -1;
			break;
		case 1:
		case 2:
			if (parse_prefix(value, k == 1 ? &r->src : &r->dst, err,
					 errlen))
				return -1;
			r->flags |= k == 1 ? CATOPROXY_RULE_F_SRC :
					     CATOPROXY_RULE_F_DST;
			break;
		case 3:
			if (parse_port_range(value, key, &r->sport_min,
					     &r->sport_max, err, errlen))
				return -1;
			break;
		case 4:
			if (parse_port_range(value, key, &r->dport_min,
					     &r->dport_max, err, errlen))
				return -1;
			break;
		case 6:
		case 7:
			if (parse_payload_name(key, value, r, err, errlen))
				return -1;
			break;
		case 8:
			if (parse_path_mark(value, &r->path, err, errlen))
				return -1;
			r->flags |= CATOPROXY_RULE_F_PATH;
			break;
		default:
			v = catoproxy_rule_action_parse(value);
			if (v < 0) {
				parse_fail(err, errlen,
				     "Invalid action `%s': expected allow, block or bypass",
				     value);
				return -1;
			}
			r->action = (u8)v;
		}
	}
	if (!seen[5]) {
		parse_fail(err, errlen,
		     "Missing action: expected `action allow|block|bypass'");
		return -1;
	}
	/* What is left to check spans keys: the kernel's own words. */
	if (!catoproxy_rule_normalize(r, &why)) {
		parse_fail(err, errlen, "Invalid rule: %s", why);
		return -1;
	}
	return 0;
}

int parse_rule_line(char *line, struct ctl_rule *a, char *err, size_t errlen)
{
	char *words[16], *hash = strchr(line, '#'), *tok, *save = NULL;
	int n = 0;

	if (hash)
		*hash = '\0';
	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == (int)ARRAY_SIZE(words)) {
			parse_fail(err, errlen, "Too many words for one rule");
			return -1;
		}
		words[n++] = tok;
	}
	if (!n)
		return 0;
	return parse_rule_args(n, words, a, false, err, errlen) ? -1 : 1;
}

void format_path(u32 path, char *buf, size_t len)
{
	snprintf(buf, len, "0x%x", path);
}

void format_port_range(u16 lo, u16 hi, char *buf, size_t len)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, len, "any");
	else if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
}

/* Append "KEY VALUE " to @buf, of @len bytes, at *@used. */
static void append_word(char *buf, size_t len, size_t *used, const char *key,
			const char *value)
{
	int n = snprintf(buf + *used, len - *used, "%s %s ", key, value);

	if (n > 0 && (size_t)n < len - *used)
		*used += n;
}

void format_rule(const struct catoproxy_rule *r, char *buf, size_t len)
{
	const char *action = catoproxy_rule_action_name(r->action);
	char word[PREFIX_STR_MAX];
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (r->flags & CATOPROXY_RULE_F_SRC) {
		format_prefix(&r->src, word, sizeof(word));
		append_word(buf, len, &used, "src", word);
	}
	if (r->flags & CATOPROXY_RULE_F_DST) {
		format_prefix(&r->dst, word, sizeof(word));
		append_word(buf, len, &used, "dst", word);
	}
	if (r->sport_min || r->sport_max != 65535) {
		format_port_range(r->sport_min, r->sport_max, word, sizeof(word));
		append_word(buf, len, &used, "sport", word);
	}
	if (r->dport_min || r->dport_max != 65535) {
		format_port_range(r->dport_min, r->dport_max, word, sizeof(word));
		append_word(buf, len, &used, "dport", word);
	}
	if (r->match == CATOPROXY_RULE_MATCH_SNI)
		append_word(buf, len, &used, "sni", r->name);
	else if (r->match == CATOPROXY_RULE_MATCH_HOST)
		append_word(buf, len, &used, "host", r->name);
	if (r->flags & CATOPROXY_RULE_F_PATH) {
		format_path(r->path, word, sizeof(word));
		append_word(buf, len, &used, "path", word);
	}
	append_word(buf, len, &used, "action", action ? action : "?");
	if (used)
		buf[used - 1] = '\0';
}
