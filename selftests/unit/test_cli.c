// SPDX-License-Identifier: GPL-2.0
/*
 * catoproxyctl's argument parsers and JSON printer, on the host. The
 * messages are checked word for word: they are what a user reads, and the
 * shell selftests match on them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "json.h"
#include "parse.h"
#include "unit.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Whether `set' was given the setting CONFIG_@s. */
#define HAS(a, s) (((a).flags & CONFIG_HAS(CONFIG_##s)) != 0)

static char err[PARSE_ERR_MAX];

static void test_modes(void)
{
	static const struct {
		const char *word;
		int mode;
	} ok[] = {
		{ "full", CATOPROXY_MODE_FULL },
		{ "delayed", CATOPROXY_MODE_DELAYED },
		{ "adaptive", CATOPROXY_MODE_ADAPTIVE },
		{ "off", CATOPROXY_MODE_OFF },
	};
	static const char *const bad[] = { "", "FULL", "Full", "full ", " full",
					   "on", "1", "fulll", "inherit!" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK(parse_mode(ok[i].word, false, err, sizeof(err)) ==
			      ok[i].mode,
		      "mode `%s' parses for set", ok[i].word);
		CHECK(parse_mode(ok[i].word, true, err, sizeof(err)) ==
			      ok[i].mode,
		      "mode `%s' parses for a site", ok[i].word);
	}
	CHECK(parse_mode("inherit", true, err, sizeof(err)) ==
		      CATOPROXY_MODE_INHERIT,
	      "inherit is a site mode");

	err[0] = '\0';
	CHECK(parse_mode("inherit", false, err, sizeof(err)) == -1,
	      "inherit is not a namespace mode");
	CHECK(!strcmp(err,
		      "Invalid mode `inherit': expected full, delayed, adaptive or off"),
	      "inherit refused with the namespace's list: %s", err);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_mode(bad[i], true, err, sizeof(err)) == -1,
		      "mode `%s' refused", bad[i]);
	CHECK(!strcmp(err,
		      "Invalid mode `inherit!': expected full, delayed, adaptive, off or inherit"),
	      "site mode error lists inherit last: %s", err);

	CHECK(parse_mode("x", false, err, 20) == -1 && strlen(err) == 19,
	      "message truncated to the buffer");
	CHECK(parse_mode("x", false, NULL, 0) == -1, "no error buffer is fine");
}

static void test_words(void)
{
	CHECK(parse_on_off("on") == 1, "on");
	CHECK(parse_on_off("off") == 0, "off");
	CHECK(parse_on_off("ON") == -1, "ON refused");
	CHECK(parse_on_off("yes") == -1, "yes refused");
	CHECK(parse_on_off("1") == -1, "1 refused");
	CHECK(parse_on_off("") == -1, "empty refused");
	CHECK(parse_on_off("onn") == -1, "onn refused");

	CHECK(parse_blocked_syn("handshake") == CATOPROXY_BLOCKED_SYN_HANDSHAKE,
	      "blocked-syn handshake");
	CHECK(parse_blocked_syn("drop") == CATOPROXY_BLOCKED_SYN_DROP,
	      "blocked-syn drop");
	CHECK(parse_blocked_syn("reset") == -1, "blocked-syn reset refused");
	CHECK(parse_challenge_ack("allow") == CATOPROXY_CHALLENGE_ACK_ALLOW,
	      "challenge-ack allow");
	CHECK(parse_challenge_ack("strict") == CATOPROXY_CHALLENGE_ACK_STRICT,
	      "challenge-ack strict");
	CHECK(parse_challenge_ack("") == -1, "challenge-ack empty refused");

	CHECK(!strcmp(blocked_syn_name(CATOPROXY_BLOCKED_SYN_DROP), "drop"),
	      "blocked-syn name");
	CHECK(blocked_syn_name(CATOPROXY_BLOCKED_SYN_MAX + 1) == NULL,
	      "unknown blocked-syn has no name");
	CHECK(!strcmp(challenge_ack_name(CATOPROXY_CHALLENGE_ACK_STRICT),
		      "strict"),
	      "challenge-ack name");
	CHECK(challenge_ack_name(99) == NULL,
	      "unknown challenge-ack has no name");

	CHECK(stat_name(CATOPROXY_STAT_UNSPEC) == NULL, "UNSPEC has no name");
	CHECK(stat_name(CATOPROXY_STAT_PAD) == NULL, "PAD has no name");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_CONN_TRACKED), "conn_tracked"),
	      "conn_tracked");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_CONN_ATTACH_FAILED),
		      "conn_attach_failed"),
	      "conn_attach_failed");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_CONN_RELEASED), "conn_released"),
	      "conn_released");
	CHECK(stat_name(CATOPROXY_STAT_MAX + 1) == NULL,
	      "a newer counter has no name");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_SYN_INTERCEPTED),
		      "syn_intercepted"),
	      "syn_intercepted");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_SERVER_SYN_RETRANSMITTED),
		      "server_syn_retransmitted"),
	      "server_syn_retransmitted");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_TX_FAILED), "tx_failed"),
	      "tx_failed");
	CHECK(!strcmp(stat_name(CATOPROXY_STAT_DELAYED_ENGAGED),
		      "delayed_engaged") &&
		      !strcmp(stat_name(CATOPROXY_STAT_ADAPTIVE_FULL),
			      "adaptive_full") &&
		      !strcmp(stat_name(CATOPROXY_STAT_ADAPTIVE_DELAYED),
			      "adaptive_delayed") &&
		      !strcmp(stat_name(CATOPROXY_STAT_ADAPTIVE_LEARNED),
			      "adaptive_learned") &&
		      !strcmp(stat_name(CATOPROXY_STAT_ADAPTIVE_EVICTED),
			      "adaptive_evicted") &&
		      !strcmp(stat_name(CATOPROXY_STAT_ADAPTIVE_FORGOTTEN),
			      "adaptive_forgotten"),
	      "delayed and adaptive counter names");
	/* The UAPI's naming rule: lower-case, underscores, nothing else. */
	for (unsigned int i = CATOPROXY_STAT_PAD + 1; i <= CATOPROXY_STAT_MAX;
	     i++) {
		const char *n = stat_name(i);

		CHECK(n && strspn(n, "abcdefghijklmnopqrstuvwxyz_") == strlen(n),
		      "counter %u named %s", i, n);
	}

	CHECK(!strcmp(reason_name(CATOPROXY_REASON_ACCOUNT), "account") &&
		      !strcmp(reason_name(CATOPROXY_REASON_SITE_SRC),
			      "site-src") &&
		      !strcmp(reason_name(CATOPROXY_REASON_SITE_DST),
			      "site-dst") &&
		      !strcmp(reason_name(CATOPROXY_REASON_TLS_PORT),
			      "tls-port") &&
		      !strcmp(reason_name(CATOPROXY_REASON_SIGNED), "signed") &&
		      !strcmp(reason_name(CATOPROXY_REASON_FASTOPEN),
			      "fastopen"),
	      "reason names");
	CHECK(reason_name(CATOPROXY_REASON_MAX + 1) == NULL,
	      "a newer reason has no name");
	CHECK(!strcmp(conn_state_name(CATOPROXY_CONN_PASS), "pass") &&
		      !strcmp(conn_state_name(CATOPROXY_CONN_OPENING),
			      "opening") &&
		      !strcmp(conn_state_name(CATOPROXY_CONN_SPLICED),
			      "spliced") &&
		      !strcmp(conn_state_name(CATOPROXY_CONN_FAILED), "failed") &&
		      !strcmp(conn_state_name(CATOPROXY_CONN_WAITING),
			      "waiting") &&
		      !strcmp(conn_state_name(CATOPROXY_CONN_ENGAGED),
			      "engaged"),
	      "connection state names");
	CHECK(conn_state_name(CATOPROXY_CONN_STATE_MAX + 1) == NULL,
	      "a newer state has no name");
	CHECK(!strcmp(event_name(CATOPROXY_EVENT_DECISION), "decision") &&
		      !strcmp(event_name(CATOPROXY_EVENT_SPLICED), "spliced") &&
		      !strcmp(event_name(CATOPROXY_EVENT_FAILED), "failed") &&
		      !strcmp(event_name(CATOPROXY_EVENT_ENGAGED), "engaged"),
	      "event names");
	CHECK(event_name(CATOPROXY_EVENT_MAX + 1) == NULL,
	      "a newer event has no name");
	CHECK(!strcmp(cause_name(CATOPROXY_CAUSE_NONE), "none") &&
		      !strcmp(cause_name(CATOPROXY_CAUSE_SERVER_RST),
			      "server-rst") &&
		      !strcmp(cause_name(CATOPROXY_CAUSE_SERVER_ICMP),
			      "server-icmp") &&
		      !strcmp(cause_name(CATOPROXY_CAUSE_SERVER_TIMEOUT),
			      "server-timeout"),
	      "cause names");
	CHECK(cause_name(CATOPROXY_CAUSE_MAX + 1) == NULL,
	      "a newer cause has no name");
}

static void test_u32_range(void)
{
	static const struct {
		const char *word;
		u32 min, max;
		int ret;
		u32 v;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -1, 0 },
		{ "100", 100, 600000, 0, 100 },
		{ "99", 100, 600000, -1, 0 },
		{ "600000", 100, 600000, 0, 600000 },
		{ "600001", 100, 600000, -1, 0 },
		{ "4294967295", 0, 4294967295u, 0, 4294967295u },
		{ "4294967296", 0, 4294967295u, -1, 0 },
		{ "99999999999999999999999", 0, 4294967295u, -1, 0 },
		{ "", 0, 10, -1, 0 },
		{ "-1", 0, 10, -1, 0 },
		{ "+1", 0, 10, -1, 0 },
		{ " 1", 0, 10, -1, 0 },
		{ "1 ", 0, 10, -1, 0 },
		{ "01", 0, 10, -1, 0 },
		{ "0x1", 0, 10, -1, 0 },
		{ "1e3", 0, 10000, -1, 0 },
		{ "1.5", 0, 10, -1, 0 },
		{ "1s", 0, 10, -1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u32 v = 12345;
		int ret = parse_u32_range(cases[i].word, cases[i].min,
					  cases[i].max, &v);

		CHECK(ret == cases[i].ret && (ret || v == cases[i].v),
		      "`%s' in %u..%u: %s", cases[i].word, cases[i].min,
		      cases[i].max, cases[i].ret ? "refused" : "accepted");
	}
}

static void prefix_ok(const char *text, u16 family, unsigned int plen,
		      const char *canonical)
{
	struct catoproxy_prefix p;
	char buf[PREFIX_STR_MAX];
	int ret;

	memset(&p, 0xaa, sizeof(p));
	err[0] = '\0';
	ret = parse_prefix(text, &p, err, sizeof(err));
	CHECK(ret == 0, "prefix `%s' accepted%s%s", text, err[0] ? ": " : "",
	      err);
	if (ret)
		return;
	format_prefix(&p, buf, sizeof(buf));
	CHECK(p.family == family && p.plen == plen && !strcmp(buf, canonical),
	      "prefix `%s' is %s (got family %u, %s)", text, canonical,
	      p.family, buf);
	if (family == AF_INET)
		CHECK(!memcmp(p.addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12),
		      "prefix `%s' leaves the IPv6 tail zero", text);
}

static void prefix_bad(const char *text, const char *message)
{
	struct catoproxy_prefix p;

	err[0] = '\0';
	CHECK(parse_prefix(text, &p, err, sizeof(err)) == -1,
	      "prefix `%s' refused", text);
	CHECK(!strcmp(err, message), "prefix `%s': %s", text, err);
}

static void test_prefixes(void)
{
	struct catoproxy_prefix p;

	prefix_ok("10.0.0.0/8", AF_INET, 8, "10.0.0.0/8");
	prefix_ok("10.1.0.0/16", AF_INET, 16, "10.1.0.0/16");
	prefix_ok("192.0.2.1", AF_INET, 32, "192.0.2.1/32");
	prefix_ok("192.0.2.1/32", AF_INET, 32, "192.0.2.1/32");
	prefix_ok("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	prefix_ok("255.255.255.254/31", AF_INET, 31, "255.255.255.254/31");
	prefix_ok("2001:db8:1::/48", AF_INET6, 48, "2001:db8:1::/48");
	prefix_ok("2001:DB8::/32", AF_INET6, 32, "2001:db8::/32");
	prefix_ok("2001:db8::1", AF_INET6, 128, "2001:db8::1/128");
	prefix_ok("::/0", AF_INET6, 0, "::/0");
	prefix_ok("::1/128", AF_INET6, 128, "::1/128");
	prefix_ok("fe80::/10", AF_INET6, 10, "fe80::/10");
	prefix_ok("::ffff:10.0.0.0/104", AF_INET6, 104, "::ffff:10.0.0.0/104");

	prefix_bad("10.0.0.1/24",
		   "Invalid prefix `10.0.0.1/24': host bits set, did you mean 10.0.0.0/24?");
	prefix_bad("10.1.2.3/0",
		   "Invalid prefix `10.1.2.3/0': host bits set, did you mean 0.0.0.0/0?");
	prefix_bad("10.255.0.0/9",
		   "Invalid prefix `10.255.0.0/9': host bits set, did you mean 10.128.0.0/9?");
	prefix_bad("2001:db8::1/64",
		   "Invalid prefix `2001:db8::1/64': host bits set, did you mean 2001:db8::/64?");
	prefix_bad("10.0.0.0/33",
		   "Invalid prefix `10.0.0.0/33': prefix length 33 exceeds 32 for IPv4");
	prefix_bad("::/129",
		   "Invalid prefix `::/129': prefix length 129 exceeds 128 for IPv6");
	prefix_bad("10.0.0.0/999",
		   "Invalid prefix `10.0.0.0/999': prefix length 999 exceeds 32 for IPv4");
	prefix_bad("10.0.0.0/1000",
		   "Invalid prefix `10.0.0.0/1000': bad prefix length `1000'");
	prefix_bad("10.0.0.0/",
		   "Invalid prefix `10.0.0.0/': bad prefix length `'");
	prefix_bad("10.0.0.0/8x",
		   "Invalid prefix `10.0.0.0/8x': bad prefix length `8x'");
	prefix_bad("10.0.0.0/+8",
		   "Invalid prefix `10.0.0.0/+8': bad prefix length `+8'");
	prefix_bad("10.0.0.0/-1",
		   "Invalid prefix `10.0.0.0/-1': bad prefix length `-1'");
	prefix_bad("10.0.0.0/ 8",
		   "Invalid prefix `10.0.0.0/ 8': bad prefix length ` 8'");
	prefix_bad("10.0.0.0/08",
		   "Invalid prefix `10.0.0.0/08': bad prefix length `08'");
	prefix_bad("10.0.0.0/8/8",
		   "Invalid prefix `10.0.0.0/8/8': bad prefix length `8/8'");
	prefix_bad("", "Invalid prefix `': expected an IPv4 or IPv6 address/length");
	prefix_bad("/8",
		   "Invalid prefix `/8': expected an IPv4 or IPv6 address/length");
	prefix_bad("garbage",
		   "Invalid prefix `garbage': `garbage' is not an IPv4 address");
	prefix_bad("010.0.0.1",
		   "Invalid prefix `010.0.0.1': `010.0.0.1' is not an IPv4 address");
	prefix_bad("10.0.0",
		   "Invalid prefix `10.0.0': `10.0.0' is not an IPv4 address");
	prefix_bad("10.0.0.256",
		   "Invalid prefix `10.0.0.256': `10.0.0.256' is not an IPv4 address");
	prefix_bad(" 10.0.0.0/8",
		   "Invalid prefix ` 10.0.0.0/8': ` 10.0.0.0' is not an IPv4 address");
	prefix_bad("10.0.0.0 /8",
		   "Invalid prefix `10.0.0.0 /8': `10.0.0.0 ' is not an IPv4 address");
	prefix_bad("2001:db8::g/32",
		   "Invalid prefix `2001:db8::g/32': `2001:db8::g' is not an IPv6 address");
	prefix_bad("fe80::1%eth0",
		   "Invalid prefix `fe80::1%eth0': `fe80::1%eth0' is not an IPv6 address");
	prefix_bad("1:2:3:4:5:6:7:8:9",
		   "Invalid prefix `1:2:3:4:5:6:7:8:9': `1:2:3:4:5:6:7:8:9' is not an IPv6 address");
	prefix_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/64",
		   "Invalid prefix `1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/64': expected an IPv4 or IPv6 address/length");

	/* Whatever we accept, the kernel's own check must accept too. */
	if (!parse_prefix("172.16.0.0/12", &p, NULL, 0)) {
		const char *why = NULL;

		CHECK(catoproxy_policy_prefix_valid(&p, &why),
		      "policy agrees with a parsed prefix");
	}
}

static void test_site_names(void)
{
	static const char name31[] = "abcdefghijklmnopqrstuvwxyz01234";
	static const char name32[] = "abcdefghijklmnopqrstuvwxyz012345";

	CHECK(strlen(name31) == 31 && strlen(name32) == 32, "name fixtures");
	CHECK(parse_site_name("branch-a", err, sizeof(err)) == 0, "branch-a");
	CHECK(parse_site_name("A.b_c-9", err, sizeof(err)) == 0, "A.b_c-9");
	CHECK(parse_site_name("x", err, sizeof(err)) == 0, "one byte");
	CHECK(parse_site_name(name31, err, sizeof(err)) == 0, "31 bytes");

	CHECK(parse_site_name(name32, err, sizeof(err)) == -1, "32 bytes refused");
	CHECK(!strcmp(err, "Invalid site name `abcdefghijklmnopqrstuvwxyz012345': longer than 31 bytes"),
	      "32 bytes: %s", err);
	CHECK(parse_site_name("", err, sizeof(err)) == -1, "empty refused");
	CHECK(!strcmp(err, "Invalid site name `': must not be empty"),
	      "empty: %s", err);

	static const char *const bad[] = { "a b", "a/b", "a:b", "ä", "a\n",
					   "a*", "tab\t", "x,y" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_site_name(bad[i], err, sizeof(err)) == -1,
		      "bad name %zu refused", i);
	parse_site_name("a b", err, sizeof(err));
	CHECK(!strcmp(err, "Invalid site name `a b': use only letters, digits, `_', `.' and `-'"),
	      "bad char: %s", err);
}

static int set(int argc, char *argv[], struct ctl_config *a)
{
	err[0] = '\0';
	return parse_set_args(argc, argv, a, err, sizeof(err));
}

static void test_set_args(void)
{
	struct ctl_config a;

	{
		char *v[] = { "mode", "delayed" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, MODE) &&
			      a.mode == CATOPROXY_MODE_DELAYED &&
			      !HAS(a, TLS_INSPECTION) && !HAS(a, BLOCKED_SYN) &&
			      !HAS(a, CHALLENGE_ACK),
		      "set mode delayed");
	}
	{
		char *v[] = { "mode", "full", "tls-inspection", "on",
			      "blocked-syn", "drop", "challenge-ack", "strict" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, MODE) &&
			      a.mode == CATOPROXY_MODE_FULL &&
			      HAS(a, TLS_INSPECTION) && a.tls_inspection == 1 &&
			      HAS(a, BLOCKED_SYN) &&
			      a.blocked_syn == CATOPROXY_BLOCKED_SYN_DROP &&
			      HAS(a, CHALLENGE_ACK) &&
			      a.challenge_ack == CATOPROXY_CHALLENGE_ACK_STRICT,
		      "all four keys at once");
	}
	{
		char *v[] = { "tls-inspection", "off", "challenge-ack", "allow" };

		CHECK(set(ARGC(v), v, &a) == 0 && !HAS(a, MODE) &&
			      HAS(a, TLS_INSPECTION) && a.tls_inspection == 0 &&
			      !HAS(a, BLOCKED_SYN) && HAS(a, CHALLENGE_ACK) &&
			      a.challenge_ack == CATOPROXY_CHALLENGE_ACK_ALLOW,
		      "two keys, any order");
	}
	CHECK(set(0, NULL, &a) == -1 &&
		      !strcmp(err, "Missing setting: expected mode, tls-inspection, blocked-syn, challenge-ack, server-timeout, syn-backlog, force-full-ports, adaptive-ttl, adaptive-size, block-page-ports, block-page or inspect-timeout"),
	      "nothing to set: %s", err);
	{
		char *v[] = { "mode" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing value for `mode'"),
		      "missing value: %s", err);
	}
	{
		char *v[] = { "mode", "full", "tls-inspection" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing value for `tls-inspection'"),
		      "missing second value: %s", err);
	}
	{
		char *v[] = { "mode", "full", "mode", "off" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `mode'"),
		      "duplicate key: %s", err);
	}
	{
		char *v[] = { "blocked-syn", "drop", "blocked-syn" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `blocked-syn'"),
		      "duplicate key without value: %s", err);
	}
	{
		char *v[] = { "colour", "on" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid key `colour': expected mode, tls-inspection, blocked-syn, challenge-ack, server-timeout, syn-backlog, force-full-ports, adaptive-ttl, adaptive-size, block-page-ports, block-page or inspect-timeout"),
		      "unknown key: %s", err);
	}
	{
		char *v[] = { "mode", "inherit" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid mode `inherit': expected full, delayed, adaptive or off"),
		      "set mode inherit: %s", err);
	}
	{
		char *v[] = { "tls-inspection", "yes" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid value `yes' for `tls-inspection': expected on or off"),
		      "bad on/off: %s", err);
	}
	{
		char *v[] = { "blocked-syn", "reset" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid value `reset' for `blocked-syn': expected handshake or drop"),
		      "bad blocked-syn: %s", err);
	}
	{
		char *v[] = { "challenge-ack", "loose" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid value `loose' for `challenge-ack': expected allow or strict"),
		      "bad challenge-ack: %s", err);
	}
	{
		char *v[] = { "server-timeout", "250", "syn-backlog", "0" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, SERVER_TIMEOUT) &&
			      a.server_timeout_ms == 250 && HAS(a, SYN_BACKLOG) &&
			      a.syn_backlog == 0 && !HAS(a, MODE),
		      "server-timeout 250 syn-backlog 0");
	}
	{
		char *v[] = { "syn-backlog", "1000000", "mode", "off",
			      "server-timeout", "600000" };

		CHECK(set(ARGC(v), v, &a) == 0 && a.syn_backlog == 1000000 &&
			      a.server_timeout_ms == 600000 &&
			      a.mode == CATOPROXY_MODE_OFF,
		      "upper bounds, mixed with mode");
	}
	{
		static const char *const bad[] = { "99", "600001", "ten", "",
						   "-100", "1000ms", "0100" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "server-timeout", (char *)bad[i] };
			char want[PARSE_ERR_MAX];

			snprintf(want, sizeof(want),
				 "Invalid value `%s' for `server-timeout': expected milliseconds from 100 to 600000",
				 bad[i]);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "server-timeout `%s' refused: %s", bad[i], err);
		}
	}
	{
		static const char *const bad[] = { "1000001", "x", "-1", "1k",
						   "00" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "syn-backlog", (char *)bad[i] };
			char want[PARSE_ERR_MAX];

			snprintf(want, sizeof(want),
				 "Invalid value `%s' for `syn-backlog': expected a number from 0 to 1000000",
				 bad[i]);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "syn-backlog `%s' refused: %s", bad[i], err);
		}
	}
	{
		char *v[] = { "syn-backlog", "5", "syn-backlog", "6" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `syn-backlog'"),
		      "duplicate syn-backlog: %s", err);
	}
}

static void test_force_full_ports(void)
{
	static const char ports_msg[] =
		"Invalid port `%s' for `force-full-ports': expected ports from 1 to 65535 separated by commas, or none";
	struct ctl_config a;
	u16 ports[CATOPROXY_FORCE_PORTS_MAX];
	char buf[PORT_LIST_STR_MAX], list[128], want[PARSE_ERR_MAX];

	{
		char *v[] = { "force-full-ports", "443,8443" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, FORCE_FULL_PORTS) &&
			      a.nforce_full_ports == 2 &&
			      a.force_full_ports[0] == 443 &&
			      a.force_full_ports[1] == 8443 && !HAS(a, MODE) &&
			      !HAS(a, ADAPTIVE_TTL) && !HAS(a, ADAPTIVE_SIZE),
		      "force-full-ports 443,8443: %s", err);
	}
	{
		char *v[] = { "force-full-ports", "8443,1,65535" };

		CHECK(set(ARGC(v), v, &a) == 0 && a.nforce_full_ports == 3 &&
			      a.force_full_ports[0] == 8443 &&
			      a.force_full_ports[1] == 1 &&
			      a.force_full_ports[2] == 65535,
		      "force-full-ports keeps the order, 1 and 65535: %s", err);
	}
	{
		char *v[] = { "mode", "delayed", "force-full-ports", "none",
			      "tls-inspection", "on" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, FORCE_FULL_PORTS) &&
			      a.nforce_full_ports == 0 && HAS(a, MODE) &&
			      a.tls_inspection == 1,
		      "force-full-ports none: an empty list, sent: %s", err);
	}
	/* 16 ports is the limit, 17 too many */
	list[0] = '\0';
	for (int i = 1; i <= CATOPROXY_FORCE_PORTS_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%d", i > 1 ? "," : "", 1000 + i);
	{
		char *v[] = { "force-full-ports", list };

		CHECK(set(ARGC(v), v, &a) == 0 &&
			      a.nforce_full_ports == CATOPROXY_FORCE_PORTS_MAX &&
			      a.force_full_ports[15] == 1016,
		      "16 ports accepted: %s", err);
	}
	strcat(list, ",2000");
	{
		char *v[] = { "force-full-ports", list };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Too many ports for `force-full-ports': at most 16"),
		      "17 ports refused: %s", err);
	}
	{
		char *v[] = { "force-full-ports", "443,80,443" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate port 443 for `force-full-ports'"),
		      "duplicate port: %s", err);
	}
	{
		static const struct {
			const char *list, *bad;
		} bad[] = {
			{ "0", "0" },
			{ "443,0", "0" },
			{ "65536", "65536" },
			{ "99999999999", "99999999999" },
			{ "", "" },
			{ "443,", "" },
			{ ",443", "" },
			{ "443,,80", "" },
			{ "443 ,80", "443 " },
			{ " 443", " 443" },
			{ "+443", "+443" },
			{ "0443", "0443" },
			{ "-1", "-1" },
			{ "0x1bb", "0x1bb" },
			{ "https", "https" },
			{ "none,443", "none" },
			{ "443;80", "443;80" },
			{ "NONE", "NONE" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "force-full-ports", (char *)bad[i].list };

			snprintf(want, sizeof(want), ports_msg, bad[i].bad);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "force-full-ports `%s' refused: %s", bad[i].list,
			      err);
		}
	}
	{
		char *v[] = { "force-full-ports", "443", "force-full-ports",
			      "none" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `force-full-ports'"),
		      "duplicate force-full-ports: %s", err);
	}
	{
		char *v[] = { "force-full-ports" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing value for `force-full-ports'"),
		      "force-full-ports without a value: %s", err);
	}

	CHECK(parse_port_list("22,443", "k", ports, NULL, 0) == 2 &&
		      ports[0] == 22 && ports[1] == 443,
	      "parse_port_list without an error buffer");
	ports[0] = 443;
	ports[1] = 8443;
	ports[2] = 1;
	format_port_list(ports, 3, buf, sizeof(buf));
	CHECK(!strcmp(buf, "443,8443,1"), "port list printed: %s", buf);
	format_port_list(ports, 0, buf, sizeof(buf));
	CHECK(!strcmp(buf, "none"), "empty port list printed: %s", buf);
	for (int i = 0; i < CATOPROXY_FORCE_PORTS_MAX; i++)
		ports[i] = 65535 - i;
	format_port_list(ports, CATOPROXY_FORCE_PORTS_MAX, buf, sizeof(buf));
	CHECK(strlen(buf) == 16 * 6 - 1 && !strncmp(buf, "65535,65534,", 12),
	      "16 five-digit ports fit: %s", buf);
	format_port_list(ports, 3, buf, 8);
	CHECK(!strcmp(buf, "65535,6"), "port list truncated: %s", buf);
}

static void test_adaptive_args(void)
{
	struct ctl_config a;
	char want[PARSE_ERR_MAX];

	{
		char *v[] = { "adaptive-ttl", "1", "adaptive-size", "64" };

		CHECK(set(ARGC(v), v, &a) == 0 && HAS(a, ADAPTIVE_TTL) &&
			      a.adaptive_ttl == 1 && HAS(a, ADAPTIVE_SIZE) &&
			      a.adaptive_size == 64 && !HAS(a, FORCE_FULL_PORTS),
		      "adaptive-ttl 1 adaptive-size 64: %s", err);
	}
	{
		char *v[] = { "adaptive-size", "262144", "mode", "adaptive",
			      "adaptive-ttl", "86400" };

		CHECK(set(ARGC(v), v, &a) == 0 && a.adaptive_ttl == 86400 &&
			      a.adaptive_size == 262144 &&
			      a.mode == CATOPROXY_MODE_ADAPTIVE,
		      "upper bounds, mixed with mode: %s", err);
	}
	{
		static const char *const bad[] = { "0", "86401", "", "-1",
						   "5s", "010", "1e3" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "adaptive-ttl", (char *)bad[i] };

			snprintf(want, sizeof(want),
				 "Invalid value `%s' for `adaptive-ttl': expected seconds from 1 to 86400",
				 bad[i]);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "adaptive-ttl `%s' refused: %s", bad[i], err);
		}
	}
	{
		static const char *const bad[] = { "63", "0", "262145", "4k",
						   "", "04096" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "adaptive-size", (char *)bad[i] };

			snprintf(want, sizeof(want),
				 "Invalid value `%s' for `adaptive-size': expected a number of entries from 64 to 262144",
				 bad[i]);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "adaptive-size `%s' refused: %s", bad[i], err);
		}
	}
	{
		char *v[] = { "adaptive-ttl", "5", "adaptive-ttl", "6" };

		CHECK(set(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `adaptive-ttl'"),
		      "duplicate adaptive-ttl: %s", err);
	}
}

static int site_add(int argc, char *argv[], struct ctl_site *a)
{
	err[0] = '\0';
	return parse_site_add_args(argc, argv, a, err, sizeof(err));
}

static void test_site_add_args(void)
{
	struct ctl_site a;
	char buf[PREFIX_STR_MAX];

	{
		char *v[] = { "branch-a", "prefix", "10.1.0.0/16" };

		CHECK(site_add(ARGC(v), v, &a) == 0 &&
			      !strcmp(a.site.name, "branch-a") && !(a.flags & SITE_HAS_MODE) &&
			      a.site.mode == CATOPROXY_MODE_INHERIT &&
			      a.site.nprefixes == 1,
		      "one prefix, no mode: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.1.0.0/16", "mode", "off",
			      "prefix", "2001:db8:1::/48" };

		CHECK(site_add(ARGC(v), v, &a) == 0 && (a.flags & SITE_HAS_MODE) &&
			      a.site.mode == CATOPROXY_MODE_OFF &&
			      a.site.nprefixes == 2,
		      "mode between prefixes: %s", err);
		format_prefix(&a.site.prefixes[1], buf, sizeof(buf));
		CHECK(a.site.prefixes[0].family == AF_INET &&
			      a.site.prefixes[1].family == AF_INET6 &&
			      !strcmp(buf, "2001:db8:1::/48"),
		      "prefixes kept in order");
	}
	{
		char *v[] = { "b", "mode", "inherit", "prefix", "10.0.0.0/8" };

		CHECK(site_add(ARGC(v), v, &a) == 0 && (a.flags & SITE_HAS_MODE) &&
			      a.site.mode == CATOPROXY_MODE_INHERIT,
		      "explicit inherit: %s", err);
	}
	{
		char *v[2 * CATOPROXY_SITE_PREFIXES_MAX + 3];
		char cidr[CATOPROXY_SITE_PREFIXES_MAX + 1][24];
		int n = 0;

		v[n++] = "many";
		for (int i = 0; i <= CATOPROXY_SITE_PREFIXES_MAX; i++) {
			snprintf(cidr[i], sizeof(cidr[i]), "10.%d.0.0/16", i);
			v[n++] = "prefix";
			v[n++] = cidr[i];
		}
		CHECK(site_add(n - 2, v, &a) == 0 &&
			      a.site.nprefixes == CATOPROXY_SITE_PREFIXES_MAX,
		      "%d prefixes accepted: %s", CATOPROXY_SITE_PREFIXES_MAX,
		      err);
		CHECK(site_add(n, v, &a) == -1 &&
			      !strcmp(err, "Too many prefixes: a site has at most 32"),
		      "%d prefixes refused: %s",
		      CATOPROXY_SITE_PREFIXES_MAX + 1, err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.0/8", "prefix", "10.0.0.0/8" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate prefix `10.0.0.0/8'"),
		      "same prefix twice: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.0/8", "prefix", "10.0.0.0/9" };

		CHECK(site_add(ARGC(v), v, &a) == 0 && a.site.nprefixes == 2,
		      "nested prefixes are distinct: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.0/8", "mode", "full", "mode",
			      "off" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Duplicate key `mode'"),
		      "duplicate mode: %s", err);
	}
	{
		char *v[] = { "b", "mode", "full" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing prefix: a site needs at least one `prefix CIDR'"),
		      "no prefix: %s", err);
	}
	{
		char *v[] = { "b" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing prefix: a site needs at least one `prefix CIDR'"),
		      "name only: %s", err);
	}
	CHECK(site_add(0, NULL, &a) == -1 && !strcmp(err, "Missing site name"),
	      "no name: %s", err);
	{
		char *v[] = { "b", "prefix" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing value for `prefix'"),
		      "prefix without value: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.0/8", "mode" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Missing value for `mode'"),
		      "mode without value: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.0/8", "mode", "bogus" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid mode `bogus': expected full, delayed, adaptive, off or inherit"),
		      "bad site mode: %s", err);
	}
	{
		char *v[] = { "b", "prefix", "10.0.0.1/8" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid prefix `10.0.0.1/8': host bits set, did you mean 10.0.0.0/8?"),
		      "bad prefix passed on: %s", err);
	}
	{
		char *v[] = { "b", "10.0.0.0/8" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid argument `10.0.0.0/8': expected `prefix CIDR' or `mode MODE'"),
		      "bare CIDR: %s", err);
	}
	{
		char *v[] = { "bad name", "prefix", "10.0.0.0/8" };

		CHECK(site_add(ARGC(v), v, &a) == -1 &&
			      !strcmp(err, "Invalid site name `bad name': use only letters, digits, `_', `.' and `-'"),
		      "bad name: %s", err);
	}

	{
		const char *name = NULL;
		char *v[] = { "branch-a" };
		char *w[] = { "branch-a", "extra" };

		CHECK(parse_site_del_args(ARGC(v), v, &name, err, sizeof(err)) == 0 &&
			      name && !strcmp(name, "branch-a"),
		      "site del NAME");
		CHECK(parse_site_del_args(ARGC(w), w, &name, err, sizeof(err)) == -1 &&
			      !strcmp(err, "Unexpected argument `extra'"),
		      "site del extra: %s", err);
		CHECK(parse_site_del_args(0, NULL, &name, err, sizeof(err)) == -1 &&
			      !strcmp(err, "Missing site name"),
		      "site del without name: %s", err);
	}
}

/* Runs @fn on a memory stream and returns what it printed. */
static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	fn(f, arg);
	fclose(f);
	return out;
}

static void write_string(FILE *f, const void *arg)
{
	json_write_string(f, arg);
}

static void json_escape(const char *in, const char *want)
{
	char *out = capture(write_string, in);

	CHECK(out && !strcmp(out, want), "json %s (got %s)", want, out);
	free(out);
}

static void write_doc(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_init(&j, f);
	json_array_begin(&j);
	json_object_begin(&j);
	json_key(&j, "id");
	json_u64(&j, 18446744073709551615ULL);
	json_key(&j, "name");
	json_string(&j, "a\"b");
	json_key(&j, "on");
	json_bool(&j, true);
	json_key(&j, "list");
	json_array_begin(&j);
	json_string(&j, "x");
	json_string(&j, "y");
	json_array_end(&j);
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "obj");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	json_object_begin(&j);
	json_key(&j, "off");
	json_bool(&j, false);
	json_object_end(&j);
	json_array_end(&j);
	json_finish(&j);
}

static void write_empty(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_init(&j, f);
	json_array_begin(&j);
	json_array_end(&j);
	json_finish(&j);
}

static void test_json(void)
{
	static const char doc[] =
		"[{\"id\":18446744073709551615,\"name\":\"a\\\"b\",\"on\":true,"
		"\"list\":[\"x\",\"y\"],\"empty\":[],\"obj\":{}},{\"off\":false}]\n";
	char *out;

	json_escape("", "\"\"");
	json_escape("branch-a", "\"branch-a\"");
	json_escape("a\"b", "\"a\\\"b\"");
	json_escape("a\\b", "\"a\\\\b\"");
	json_escape("/", "\"/\"");
	json_escape("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	json_escape("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	json_escape("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	json_escape("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	json_escape("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	json_escape("a\xffz", "\"a\\ufffdz\"");
	json_escape("\xc3", "\"\\ufffd\"");
	json_escape("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	json_escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	json_escape("\xe2\x82", "\"\\ufffd\\ufffd\"");

	out = capture(write_doc, NULL);
	CHECK(out && !strcmp(out, doc), "json document");
	if (out && strcmp(out, doc))
		printf("#   got: %s", out);
	free(out);
	out = capture(write_empty, NULL);
	CHECK(out && !strcmp(out, "[]\n"), "empty json list");
	free(out);
}

static struct conn_info conn4(void)
{
	struct conn_info c = {
		.family = AF_INET,
		.sport = 41000,
		.dport = 80,
		.mode = CATOPROXY_MODE_FULL,
		.accel = 1,
		.reason = CATOPROXY_REASON_ACCOUNT,
		.state = CATOPROXY_CONN_OPENING,
		.event = CATOPROXY_EVENT_DECISION,
		.cause = CATOPROXY_CAUSE_NONE,
	};

	inet_pton(AF_INET, "10.0.1.2", c.saddr);
	inet_pton(AF_INET, "10.0.2.2", c.daddr);
	return c;
}

static struct conn_info conn6(void)
{
	struct conn_info c = {
		.family = AF_INET6,
		.sport = 50001,
		.dport = 8080,
		.mode = CATOPROXY_MODE_DELAYED,
		.reason = CATOPROXY_REASON_SITE_SRC,
		.site_id = 7,
		.state = CATOPROXY_CONN_FAILED,
		.event = CATOPROXY_EVENT_FAILED,
		.cause = CATOPROXY_CAUSE_SERVER_TIMEOUT,
	};

	inet_pton(AF_INET6, "fd00:1::2", c.saddr);
	inet_pton(AF_INET6, "fd00:2::2", c.daddr);
	return c;
}

static void write_event(FILE *f, const void *arg)
{
	conn_print_event(f, arg);
}

static void write_event_json(FILE *f, const void *arg)
{
	struct json j;

	json_init(&j, f);
	conn_json(&j, arg, true);
	json_finish(&j);
}

static void write_conn_json(FILE *f, const void *arg)
{
	struct json j;

	json_init(&j, f);
	conn_json(&j, arg, false);
	json_finish(&j);
}

static void write_table(FILE *f, const void *arg)
{
	conn_print_table(f, arg, 2);
}

static void expect_output(void (*fn)(FILE *f, const void *arg),
			  const void *arg, const char *want, const char *what)
{
	char *out = capture(fn, arg);

	CHECK(out && !strcmp(out, want), "%s", what);
	if (out && strcmp(out, want))
		printf("#   got:  %s#   want: %s", out, want);
	free(out);
}

static void test_conn(void)
{
	struct conn_info v[2] = { conn6(), conn4() }, c;
	char buf[CONN_ENDPOINT_MAX];

	c = conn4();
	expect_output(write_event, &c,
		      "decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state opening\n",
		      "IPv4 event, text");
	expect_output(write_event_json, &c,
		      "{\"event\":\"decision\",\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"full\",\"accel\":1,\"state\":\"opening\",\"site_id\":0,\"reason\":\"account\",\"cause\":\"none\"}\n",
		      "IPv4 event, JSON");
	expect_output(write_conn_json, &c,
		      "{\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"full\",\"accel\":1,\"state\":\"opening\",\"site_id\":0,\"reason\":\"account\"}\n",
		      "IPv4 connection, JSON: no event, no cause");

	c = conn6();
	expect_output(write_event, &c,
		      "failed [fd00:1::2]:50001 -> [fd00:2::2]:8080 mode delayed accel 0 site 7 reason site-src state failed cause server-timeout\n",
		      "IPv6 failed event, text, with its cause");
	expect_output(write_event_json, &c,
		      "{\"event\":\"failed\",\"family\":\"ipv6\",\"saddr\":\"fd00:1::2\",\"sport\":50001,\"daddr\":\"fd00:2::2\",\"dport\":8080,\"mode\":\"delayed\",\"accel\":0,\"state\":\"failed\",\"site_id\":7,\"reason\":\"site-src\",\"cause\":\"server-timeout\"}\n",
		      "IPv6 failed event, JSON");

	/* Values from a newer kernel keep a parseable name. */
	c = conn4();
	c.event = 99;
	c.state = 200;
	c.reason = 77;
	c.cause = 98;
	expect_output(write_event, &c,
		      "unknown-99 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason unknown-77 state unknown-200 cause unknown-98\n",
		      "unknown values, text");

	/* delayed and adaptive: the states and the event they add */
	c = conn4();
	c.mode = CATOPROXY_MODE_ADAPTIVE;
	c.accel = 0;
	c.state = CATOPROXY_CONN_WAITING;
	expect_output(write_event, &c,
		      "decision 10.0.1.2:41000 -> 10.0.2.2:80 mode adaptive accel 0 site 0 reason account state waiting\n",
		      "adaptive decision, state waiting, text");
	c.event = CATOPROXY_EVENT_ENGAGED;
	c.state = CATOPROXY_CONN_ENGAGED;
	expect_output(write_event_json, &c,
		      "{\"event\":\"engaged\",\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"adaptive\",\"accel\":0,\"state\":\"engaged\",\"site_id\":0,\"reason\":\"account\",\"cause\":\"none\"}\n",
		      "engaged event, JSON");

	/* the site's name: after the id in both forms, absent without one */
	c = conn6();
	strcpy(c.site_name, "branch-a");
	expect_output(write_event, &c,
		      "failed [fd00:1::2]:50001 -> [fd00:2::2]:8080 mode delayed accel 0 site 7 site-name branch-a reason site-src state failed cause server-timeout\n",
		      "site name, text");
	expect_output(write_event_json, &c,
		      "{\"event\":\"failed\",\"family\":\"ipv6\",\"saddr\":\"fd00:1::2\",\"sport\":50001,\"daddr\":\"fd00:2::2\",\"dport\":8080,\"mode\":\"delayed\",\"accel\":0,\"state\":\"failed\",\"site_id\":7,\"site_name\":\"branch-a\",\"reason\":\"site-src\",\"cause\":\"server-timeout\"}\n",
		      "site name, JSON event");
	expect_output(write_conn_json, &c,
		      "{\"family\":\"ipv6\",\"saddr\":\"fd00:1::2\",\"sport\":50001,\"daddr\":\"fd00:2::2\",\"dport\":8080,\"mode\":\"delayed\",\"accel\":0,\"state\":\"failed\",\"site_id\":7,\"site_name\":\"branch-a\",\"reason\":\"site-src\"}\n",
		      "site name, JSON connection");
	/* a name is one word on a text line whatever the kernel sends */
	strcpy(c.site_name, "a b\n\x1b");
	c.cause = CATOPROXY_CAUSE_NONE;
	expect_output(write_event, &c,
		      "failed [fd00:1::2]:50001 -> [fd00:2::2]:8080 mode delayed accel 0 site 7 site-name a?b?? reason site-src state failed\n",
		      "control bytes in a site name, text");
	expect_output(write_conn_json, &c,
		      "{\"family\":\"ipv6\",\"saddr\":\"fd00:1::2\",\"sport\":50001,\"daddr\":\"fd00:2::2\",\"dport\":8080,\"mode\":\"delayed\",\"accel\":0,\"state\":\"failed\",\"site_id\":7,\"site_name\":\"a b\\n\\u001b\",\"reason\":\"site-src\"}\n",
		      "control bytes in a site name, JSON");

	/* decision and blocked events name the rule that matched */
	c = conn4();
	c.event = CATOPROXY_EVENT_BLOCKED;
	c.state = CATOPROXY_CONN_BLOCKED;
	c.has_rule_id = true;
	c.rule_id = 12;
	expect_output(write_event, &c,
		      "blocked 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state blocked rule 12\n",
		      "blocked event, text, with its rule");
	expect_output(write_event_json, &c,
		      "{\"event\":\"blocked\",\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"full\",\"accel\":1,\"state\":\"blocked\",\"site_id\":0,\"reason\":\"account\",\"rule_id\":12,\"cause\":\"none\"}\n",
		      "blocked event, JSON, with its rule");
	c.event = CATOPROXY_EVENT_DECISION;
	c.state = CATOPROXY_CONN_OPENING;
	c.rule_id = 0;
	expect_output(write_event, &c,
		      "decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state opening rule 0\n",
		      "decision no rule matched: rule 0");
	/* an inspected connection's decision: its path and server name */
	c.rule_id = 3;
	c.path = 2;
	strcpy(c.server_name, "www.example.com");
	expect_output(write_event, &c,
		      "decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state opening rule 3 path 2 server-name www.example.com\n",
		      "decision with a path and a server name, text");
	expect_output(write_event_json, &c,
		      "{\"event\":\"decision\",\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"full\",\"accel\":1,\"state\":\"opening\",\"site_id\":0,\"reason\":\"account\",\"rule_id\":3,\"path\":2,\"server_name\":\"www.example.com\",\"cause\":\"none\"}\n",
		      "decision with a path and a server name, JSON");

	/* monitor -t: the time first, microseconds zero-padded */
	c = conn4();
	c.has_time = true;
	c.time_sec = 1712345678;
	c.time_usec = 42;
	expect_output(write_event, &c,
		      "[1712345678.000042] decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state opening\n",
		      "timestamped event, text");
	expect_output(write_event_json, &c,
		      "{\"timestamp\":1712345678.000042,\"event\":\"decision\",\"family\":\"ipv4\",\"saddr\":\"10.0.1.2\",\"sport\":41000,\"daddr\":\"10.0.2.2\",\"dport\":80,\"mode\":\"full\",\"accel\":1,\"state\":\"opening\",\"site_id\":0,\"reason\":\"account\",\"cause\":\"none\"}\n",
		      "timestamped event, JSON: a number, first");
	c.time_sec = 0;
	c.time_usec = 999999;
	expect_output(write_event, &c,
		      "[0.999999] decision 10.0.1.2:41000 -> 10.0.2.2:80 mode full accel 1 site 0 reason account state opening\n",
		      "timestamp below one second");

	conn_format_endpoint(AF_INET6, v[0].saddr, 1, buf, 12);
	CHECK(strlen(buf) == 11, "endpoint truncated to the buffer");

	qsort(v, 2, sizeof(v[0]), conn_cmp);
	CHECK(v[0].family == AF_INET && v[1].family == AF_INET6,
	      "IPv4 sorts before IPv6");
	expect_output(write_table, v,
		      "SOURCE             DESTINATION       MODE      ACCEL  STATE    SITE  REASON    SITE-NAME\n"
		      "10.0.1.2:41000     10.0.2.2:80       full      1      opening  0     account\n"
		      "[fd00:1::2]:50001  [fd00:2::2]:8080  delayed   0      failed   7     site-src\n",
		      "connection table");
	v[0].mode = CATOPROXY_MODE_ADAPTIVE;
	v[0].state = CATOPROXY_CONN_ENGAGED;
	v[0].accel = 0;
	strcpy(v[1].site_name, "hq_2.x");
	v[1].state = CATOPROXY_CONN_WAITING;
	expect_output(write_table, v,
		      "SOURCE             DESTINATION       MODE      ACCEL  STATE    SITE  REASON    SITE-NAME\n"
		      "10.0.1.2:41000     10.0.2.2:80       adaptive  0      engaged  0     account\n"
		      "[fd00:1::2]:50001  [fd00:2::2]:8080  delayed   0      waiting  7     site-src  hq_2.x\n",
		      "connection table: adaptive, waiting, engaged, a site name");
}

static void test_block_page_args(void)
{
	struct ctl_config a;

	{
		char *v[] = { "block-page-ports", "80,8080", "block-page",
			      "/tmp/page.html" };

		CHECK(parse_set_args(ARGC(v), v, &a, err, sizeof(err)) == 0 &&
			      HAS(a, BLOCK_PAGE_PORTS) && a.nblock_page_ports == 2 &&
			      a.block_page_ports[0] == 80 &&
			      a.block_page_ports[1] == 8080 && HAS(a, BLOCK_PAGE) &&
			      !strcmp(a.block_page_file, "/tmp/page.html") &&
			      !HAS(a, FORCE_FULL_PORTS),
		      "block-page-ports and block-page");
	}
	{
		char *v[] = { "block-page-ports", "none" };

		CHECK(parse_set_args(ARGC(v), v, &a, err, sizeof(err)) == 0 &&
			      HAS(a, BLOCK_PAGE_PORTS) && a.nblock_page_ports == 0,
		      "block-page-ports none");
	}
	{
		char *v[] = { "block-page-ports", "80,0" };

		CHECK(parse_set_args(ARGC(v), v, &a, err, sizeof(err)) == -1 &&
			      !strcmp(err, "Invalid port `0' for `block-page-ports': expected ports from 1 to 65535 separated by commas, or none"),
		      "block-page-ports 0: %s", err);
	}
	{
		char *v[] = { "block-page", "" };

		CHECK(parse_set_args(ARGC(v), v, &a, err, sizeof(err)) == -1 &&
			      !strcmp(err, "Invalid value `' for `block-page': expected a file name, or - for standard input"),
		      "block-page without a name: %s", err);
	}
}

/* Every row of settings[], through the paths every setting shares. */
static void test_settings_table(void)
{
	/* A value each settable key takes, and a word none of them takes. */
	static const struct {
		unsigned int k;
		const char *value;
	} ok[] = {
		{ CONFIG_MODE, "adaptive" },
		{ CONFIG_TLS_INSPECTION, "on" },
		{ CONFIG_BLOCKED_SYN, "handshake" },
		{ CONFIG_CHALLENGE_ACK, "allow" },
		{ CONFIG_SERVER_TIMEOUT, "100" },
		{ CONFIG_SYN_BACKLOG, "7" },
		{ CONFIG_FORCE_FULL_PORTS, "443" },
		{ CONFIG_ADAPTIVE_TTL, "86400" },
		{ CONFIG_ADAPTIVE_SIZE, "262144" },
		{ CONFIG_BLOCK_PAGE_PORTS, "80" },
		{ CONFIG_BLOCK_PAGE, "-" },
		{ CONFIG_INSPECT_TIMEOUT, "60000" },
	};
	struct ctl_config a;
	unsigned int settable = 0;

	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++) {
		const struct setting *s = &settings[k];

		CHECK(s->key && s->json_key && s->attr && s->text && s->json &&
			      (!s->parse || s->arg),
		      "settings[%u] (%s) is complete", k, s->key);
		for (unsigned int o = 0; o < k; o++)
			CHECK(strcmp(s->key, settings[o].key) &&
				      strcmp(s->json_key, settings[o].json_key) &&
				      s->attr != settings[o].attr,
			      "%s and %s differ", s->key, settings[o].key);
		settable += s->parse != NULL;
		/* -j spells what `set' takes as `set' does, `_' for `-'. */
		if (s->parse) {
			char want[64];
			size_t i;

			for (i = 0; s->key[i] && i + 1 < sizeof(want); i++)
				want[i] = s->key[i] == '-' ? '_' : s->key[i];
			want[i] = '\0';
			/* block-page: -j shows its length, not the file */
			if (k == CONFIG_BLOCK_PAGE)
				snprintf(want, sizeof(want), "block_page_len");
			CHECK(!strcmp(s->json_key, want),
			      "JSON key of `set %s' is %s", s->key,
			      s->json_key);
		}
		if (!s->parse) {
			char *v[] = { (char *)s->key, "1" };
			char want[PARSE_ERR_MAX];

			snprintf(want, sizeof(want),
				 "Invalid key `%s': expected mode, tls-inspection, blocked-syn, challenge-ack, server-timeout, syn-backlog, force-full-ports, adaptive-ttl, adaptive-size, block-page-ports, block-page or inspect-timeout",
				 s->key);
			CHECK(set(ARGC(v), v, &a) == -1 && !strcmp(err, want),
			      "`set %s' refused, the kernel reports it: %s",
			      s->key, err);
		}
	}
	CHECK(settable == ARGC(ok), "a sample value for each of %u keys",
	      settable);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const struct setting *s = &settings[ok[i].k];
		char *one[] = { (char *)s->key, (char *)ok[i].value };
		char *twice[] = { (char *)s->key, (char *)ok[i].value,
				  (char *)s->key, (char *)ok[i].value };
		char *bare[] = { (char *)s->key };
		char want[PARSE_ERR_MAX];

		CHECK(s->parse && set(ARGC(one), one, &a) == 0 &&
			      a.flags == CONFIG_HAS(ok[i].k),
		      "set %s %s: that flag alone", s->key, ok[i].value);
		snprintf(want, sizeof(want), "Duplicate key `%s'", s->key);
		CHECK(set(ARGC(twice), twice, &a) == -1 && !strcmp(err, want),
		      "set %s twice: %s", s->key, err);
		snprintf(want, sizeof(want), "Missing value for `%s'", s->key);
		CHECK(set(ARGC(bare), bare, &a) == -1 && !strcmp(err, want),
		      "set %s without a value: %s", s->key, err);
	}
}

static void test_set_usage(void)
{
	char buf[1024];

	format_set_usage(buf, sizeof(buf), "  ", true);
	CHECK(!strcmp(buf,
		      "  mode {full|delayed|adaptive|off}\n"
		      "  tls-inspection {on|off}\n"
		      "  blocked-syn {handshake|drop}\n"
		      "  challenge-ack {allow|strict}\n"
		      "  server-timeout MS (100 to 600000)\n"
		      "  syn-backlog N (0 to 1000000)\n"
		      "  force-full-ports {PORT[,PORT...]|none} (at most 16)\n"
		      "  adaptive-ttl SECONDS (1 to 86400)\n"
		      "  adaptive-size N (64 to 262144)\n"
		      "  block-page-ports {PORT[,PORT...]|none} (at most 16)\n"
		      "  block-page {FILE|-} (the page's body, at most 4096 bytes)\n"
		      "  inspect-timeout MS (100 to 60000)\n"),
	      "set's usage, with bounds");
	format_set_usage(buf, sizeof(buf), "  set ", false);
	CHECK(!strcmp(buf,
		      "  set mode {full|delayed|adaptive|off}\n"
		      "  set tls-inspection {on|off}\n"
		      "  set blocked-syn {handshake|drop}\n"
		      "  set challenge-ack {allow|strict}\n"
		      "  set server-timeout MS\n"
		      "  set syn-backlog N\n"
		      "  set force-full-ports {PORT[,PORT...]|none}\n"
		      "  set adaptive-ttl SECONDS\n"
		      "  set adaptive-size N\n"
		      "  set block-page-ports {PORT[,PORT...]|none}\n"
		      "  set block-page {FILE|-}\n"
		      "  set inspect-timeout MS\n"),
	      "set's lines in the help");
}

static void write_config(FILE *f, const void *arg)
{
	print_config(f, arg, false);
}

static void write_config_json(FILE *f, const void *arg)
{
	print_config(f, arg, true);
}

static void config_prints(const struct ctl_config *c, const char *text,
			  const char *json, const char *what)
{
	char *out = capture(write_config, c);

	CHECK(out && !strcmp(out, text), "show config: %s", what);
	if (out && strcmp(out, text))
		printf("#   got:\n%s", out);
	free(out);
	out = capture(write_config_json, c);
	CHECK(out && !strcmp(out, json), "show -j config: %s", what);
	if (out && strcmp(out, json))
		printf("#   got: %s", out);
	free(out);
}

static void test_print_config(void)
{
	static struct ctl_config c;

	c.flags = ~0U;
	c.mode = CATOPROXY_MODE_DELAYED;
	c.tls_inspection = 1;
	c.blocked_syn = CATOPROXY_BLOCKED_SYN_DROP;
	c.challenge_ack = CATOPROXY_CHALLENGE_ACK_STRICT;
	c.site_count = 2;
	c.server_timeout_ms = 3000;
	c.syn_backlog = 1024;
	c.nforce_full_ports = 2;
	c.force_full_ports[0] = 443;
	c.force_full_ports[1] = 8443;
	c.adaptive_ttl = 600;
	c.adaptive_size = 4096;
	c.rule_count = 5;
	c.nblock_page_ports = 0;
	c.block_page_len = 12;
	c.inspect_timeout_ms = 2500;
	config_prints(&c,
		      "mode: delayed\n"
		      "tls-inspection: on\n"
		      "blocked-syn: drop\n"
		      "challenge-ack: strict\n"
		      "sites: 2\n"
		      "server-timeout: 3000\n"
		      "syn-backlog: 1024\n"
		      "force-full-ports: 443,8443\n"
		      "adaptive-ttl: 600\n"
		      "adaptive-size: 4096\n"
		      "rules: 5\n"
		      "block-page-ports: none\n"
		      "block-page: 12 bytes\n"
		      "inspect-timeout: 2500\n",
		      "{\"mode\":\"delayed\",\"tls_inspection\":true,"
		      "\"blocked_syn\":\"drop\",\"challenge_ack\":\"strict\","
		      "\"site_count\":2,\"server_timeout\":3000,"
		      "\"syn_backlog\":1024,\"force_full_ports\":[443,8443],"
		      "\"adaptive_ttl\":600,\"adaptive_size\":4096,"
		      "\"rule_count\":5,\"block_page_ports\":[],"
		      "\"block_page_len\":12,\"inspect_timeout\":2500}\n",
		      "every setting");

	/* An older module: no optional settings; a newer one: new values. */
	memset(&c, 0, sizeof(c));
	c.flags = CONFIG_HAS(CONFIG_MODE);
	c.mode = 9;
	c.tls_inspection = 2;
	c.blocked_syn = 7;
	c.challenge_ack = CATOPROXY_CHALLENGE_ACK_ALLOW;
	config_prints(&c,
		      "mode: unknown-9\n"
		      "tls-inspection: on\n"
		      "blocked-syn: unknown-7\n"
		      "challenge-ack: allow\n"
		      "sites: 0\n"
		      "server-timeout: 0\n"
		      "syn-backlog: 0\n",
		      "{\"mode\":\"unknown-9\",\"tls_inspection\":true,"
		      "\"blocked_syn\":\"unknown-7\",\"challenge_ack\":\"allow\","
		      "\"site_count\":0,\"server_timeout\":0,"
		      "\"syn_backlog\":0}\n",
		      "older module, newer values");
}

static int rule(int argc, char **argv, struct ctl_rule *a, bool pos)
{
	err[0] = '\0';
	return parse_rule_args(argc, argv, a, pos, err, sizeof(err));
}

static void test_rule_args(void)
{
	char text[RULE_STR_MAX], line[128];
	struct ctl_rule a;
	u16 lo, hi;

	CHECK(parse_port_range("80", "dport", &lo, &hi, err, sizeof(err)) == 0 &&
		      lo == 80 && hi == 80,
	      "one port");
	CHECK(parse_port_range("0-1023", "sport", &lo, &hi, err, sizeof(err)) == 0 &&
		      lo == 0 && hi == 1023,
	      "a range from 0");
	CHECK(parse_port_range("90-80", "dport", &lo, &hi, err, sizeof(err)) == -1 &&
		      !strcmp(err, "Invalid port range `90-80' for `dport': 90 is above 80"),
	      "inverted range: %s", err);
	CHECK(parse_port_range("80-", "dport", &lo, &hi, err, sizeof(err)) == -1 &&
		      !strcmp(err, "Invalid port range `80-' for `dport': expected PORT or LOW-HIGH, ports from 0 to 65535"),
	      "half a range: %s", err);
	CHECK(parse_port_range("65536", "dport", &lo, &hi, err, sizeof(err)) == -1,
	      "port 65536");
	CHECK(parse_port_range("+80", "dport", &lo, &hi, err, sizeof(err)) == -1 &&
		      parse_port_range("08", "dport", &lo, &hi, err, sizeof(err)) == -1,
	      "signs and leading zeros");

	{
		char *v[] = { "pos", "2", "src", "10.0.1.0/24", "dst",
			      "10.0.2.2", "sport", "1024-65535", "dport", "80",
			      "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == 0 && a.pos == 2 &&
			      a.rule.action == CATOPROXY_ACTION_BLOCK &&
			      a.rule.family == AF_INET &&
			      a.rule.flags == (CATOPROXY_RULE_F_SRC | CATOPROXY_RULE_F_DST) &&
			      a.rule.src.plen == 24 && a.rule.dst.plen == 32 &&
			      a.rule.sport_min == 1024 && a.rule.sport_max == 65535 &&
			      a.rule.dport_min == 80 && a.rule.dport_max == 80,
		      "every key");
		format_rule(&a.rule, text, sizeof(text));
		CHECK(!strcmp(text, "src 10.0.1.0/24 dst 10.0.2.2/32 sport 1024-65535 dport 80 action block"),
		      "format_rule: %s", text);
	}
	{
		char *v[] = { "action", "bypass" };

		CHECK(rule(ARGC(v), v, &a, true) == 0 && a.pos == 0 &&
			      a.rule.family == AF_UNSPEC && !a.rule.flags &&
			      a.rule.sport_min == 0 && a.rule.dport_max == 65535,
		      "a catch-all");
		format_rule(&a.rule, text, sizeof(text));
		CHECK(!strcmp(text, "action bypass"), "a catch-all's words: %s", text);
	}
	{
		char *v[] = { "dst", "fd00:2::/64", "action", "allow" };

		CHECK(rule(ARGC(v), v, &a, false) == 0 &&
			      a.rule.family == AF_INET6,
		      "IPv6 destination");
	}
	{
		char *v[] = { "dst", "10.0.2.0/24" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Missing action: expected `action allow|block|bypass'"),
		      "missing action: %s", err);
	}
	{
		char *v[] = { "action", "deny" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid action `deny': expected allow, block or bypass"),
		      "unknown action: %s", err);
	}
	{
		char *v[] = { "src", "10.0.1.300/24", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid prefix `10.0.1.300/24': `10.0.1.300' is not an IPv4 address"),
		      "bad CIDR: %s", err);
	}
	{
		char *v[] = { "src", "10.0.1.2/24", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid prefix `10.0.1.2/24': host bits set, did you mean 10.0.1.0/24?"),
		      "host bits: %s", err);
	}
	{
		char *v[] = { "src", "10.0.1.0/24", "dst", "fd00::/8", "action",
			      "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid rule: source and destination prefixes are of different families"),
		      "mixed families: %s", err);
	}
	{
		char *v[] = { "dport", "80", "dport", "81", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Duplicate key `dport'"),
		      "duplicate key: %s", err);
	}
	{
		char *v[] = { "pos", "0", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid position `0': expected a number from 1"),
		      "position 0: %s", err);
	}
	{
		char *v[] = { "pos", "1", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, false) == -1 &&
			      !strcmp(err, "Invalid argument `pos': expected src, dst, sport, dport, sni, host, path or action"),
		      "no position in a list: %s", err);
	}
	{
		char *v[] = { "port", "80", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid argument `port': expected pos, src, dst, sport, dport, sni, host, path or action"),
		      "unknown key: %s", err);
	}
	{
		char *v[] = { "action" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Missing value for `action'"),
		      "action without value: %s", err);
	}

	{
		char *v[] = { "dport", "443", "sni", "*.Example.COM", "path",
			      "0x10", "action", "allow" };

		CHECK(rule(ARGC(v), v, &a, true) == 0 &&
			      a.rule.match == CATOPROXY_RULE_MATCH_SNI &&
			      !strcmp(a.rule.name, "*.example.com") &&
			      a.rule.flags == CATOPROXY_RULE_F_PATH &&
			      a.rule.path == 16,
		      "sni and a hexadecimal path: %s", err);
		format_rule(&a.rule, text, sizeof(text));
		CHECK(!strcmp(text, "dport 443 sni *.example.com path 0x10 action allow"),
		      "format_rule with sni and path: %s", text);
	}
	{
		char *v[] = { "host", "www.example.org", "path", "4294967295",
			      "action", "bypass" };

		CHECK(rule(ARGC(v), v, &a, true) == 0 &&
			      a.rule.match == CATOPROXY_RULE_MATCH_HOST &&
			      a.rule.path == 0xffffffff,
		      "host and a decimal path: %s", err);
		format_rule(&a.rule, text, sizeof(text));
		CHECK(!strcmp(text, "host www.example.org path 0xffffffff action bypass"),
		      "format_rule with host: %s", text);
	}
	{
		static const char *const bad[][2] = {
			{ "0", "Invalid path `0': expected a firewall mark from 1 to 0xffffffff (decimal, or hexadecimal after 0x)" },
			{ "0x0", "Invalid path `0x0'" },
			{ "0x100000000", "Invalid path `0x100000000'" },
			{ "4294967296", "Invalid path `4294967296'" },
			{ "-1", "Invalid path `-1'" },
			{ "0x", "Invalid path `0x'" },
			{ "010", "Invalid path `010'" },
			{ "1k", "Invalid path `1k'" },
			{ "", "Invalid path `'" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *v[] = { "path", (char *)bad[i][0], "action",
				      "allow" };

			CHECK(rule(ARGC(v), v, &a, true) == -1 &&
				      !strncmp(err, bad[i][1], strlen(bad[i][1])),
			      "path `%s' refused: %s", bad[i][0], err);
		}
	}
	{
		char *v[] = { "sni", "a.b", "host", "a.b", "action", "allow" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid argument `host': a rule matches sni or host, not both"),
		      "sni and host: %s", err);
	}
	{
		char *v[] = { "sni", "a.*.b", "action", "allow" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strncmp(err, "Invalid sni `a.*.b': ", 21),
		      "a wildcard inside a name: %s", err);
	}
	{
		char name[300];
		char *v[] = { "host", name, "action", "allow" };

		memset(name, 'a', sizeof(name));
		name[254] = '\0';
		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      strstr(err, "...': name is longer than 253 bytes"),
		      "a name of 254 bytes: %s", err);
	}
	{
		char *v[] = { "sni", "a.b", "path", "7", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Invalid rule: a rule that blocks has no path"),
		      "a path on a blocking rule: %s", err);
	}
	{
		char *v[] = { "sni", "a.b", "sni", "c.d", "action", "block" };

		CHECK(rule(ARGC(v), v, &a, true) == -1 &&
			      !strcmp(err, "Duplicate key `sni'"),
		      "sni twice: %s", err);
	}

	strcpy(line, "  dst 10.0.2.0/24\tdport 80-81 action block # web\n");
	CHECK(parse_rule_line(line, &a, err, sizeof(err)) == 1 &&
		      a.rule.dport_min == 80 && a.rule.dport_max == 81,
	      "a rule line with blanks and a comment");
	strcpy(line, "   # only a comment\n");
	CHECK(parse_rule_line(line, &a, err, sizeof(err)) == 0, "a comment line");
	strcpy(line, "\n");
	CHECK(parse_rule_line(line, &a, err, sizeof(err)) == 0, "an empty line");
	strcpy(line, "dport 80\n");
	CHECK(parse_rule_line(line, &a, err, sizeof(err)) == -1 &&
		      !strcmp(err, "Missing action: expected `action allow|block|bypass'"),
	      "a line without an action: %s", err);
	/* what show prints, load takes back */
	{
		char *v[] = { "src", "fd00:1::/64", "sport", "7", "action",
			      "allow" };
		struct ctl_rule b;

		rule(ARGC(v), v, &a, false);
		format_rule(&a.rule, line, sizeof(line));
		CHECK(parse_rule_line(line, &b, err, sizeof(err)) == 1 &&
			      !memcmp(&a.rule, &b.rule, sizeof(a.rule)),
		      "format_rule round-trips through parse_rule_line");
	}
	{
		char *v[] = { "src", "fd00:1::/64", "dst", "fd00:2::/64",
			      "sport", "1-2", "dport", "3-4", "host", "",
			      "path", "0xfedcba98", "action", "bypass" };
		char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
		struct ctl_rule b;

		for (unsigned int i = 0; i < CATOPROXY_PAYLOAD_NAME_MAX; i++)
			name[i] = i % 50 == 49 ? '.' : 'z';
		name[0] = '*';
		name[1] = '.';
		name[CATOPROXY_PAYLOAD_NAME_MAX] = '\0';
		v[9] = name;
		CHECK(rule(ARGC(v), v, &a, false) == 0, "the longest rule: %s", err);
		format_rule(&a.rule, text, sizeof(text));
		CHECK(parse_rule_line(text, &b, err, sizeof(err)) == 1 &&
			      !memcmp(&a.rule, &b.rule, sizeof(a.rule)),
		      "the longest rule round-trips through parse_rule_line");
	}
}

int main(void)
{
	test_modes();
	test_words();
	test_prefixes();
	test_site_names();
	test_u32_range();
	test_set_args();
	test_force_full_ports();
	test_adaptive_args();
	test_site_add_args();
	test_json();
	test_conn();
	test_block_page_args();
	test_settings_table();
	test_print_config();
	test_set_usage();
	test_rule_args();
	return unit_done();
}
