// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file of `dump' and `load' (tools/catoproxyctl/conf.c):
 * what each line gives, the line and words of each refusal, and that what
 * conf_write() writes conf_parse() reads back exactly.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <string.h>

#include "conf.h"
#include "parse.h"
#include "unit.h"

static char err[PARSE_ERR_MAX];
static unsigned int line;

/* conf_parse() of @text into @c: its return value. */
static int parse(const char *text, struct conf *c)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	err[0] = '\0';
	ret = conf_parse(f, c, &line, err, sizeof(err));
	fclose(f);
	return ret;
}

/* Refused at line @want_line with a message containing @want. */
static void refused(const char *text, unsigned int want_line,
		    const char *want, const char *desc)
{
	struct conf c;
	int ret = parse(text, &c);

	CHECK(ret == -1 && line == want_line && strstr(err, want),
	      "%s: line %u: %s", desc, line, err);
	conf_free(&c);
}

static void test_parse(void)
{
	static const char text[] =
		"# a configuration\n"
		"\n"
		"set mode delayed tls-inspection on   # two at once\n"
		"\tset server-timeout 2000\n"
		"set block-page \"a\\\"b\\\\c\\n\\x00\\xfF#x\" force-full-ports none\n"
		"site add lan prefix 10.0.0.0/8 prefix fd00::/8 mode full\n"
		"site add wan prefix 192.0.2.0/24#no blank needed\n"
		"rule add src 10.1.0.0/16 dport 80 action block\n"
		"rule add action allow";
	static const u8 page[] = "a\"b\\c\n\0\xff#x";
	char buf[PREFIX_STR_MAX];
	struct conf c;

	CHECK(parse(text, &c) == 0, "a file with every kind of line: %s", err);
	CHECK(c.cfg.flags == (CONFIG_HAS(CONFIG_MODE) |
			      CONFIG_HAS(CONFIG_TLS_INSPECTION) |
			      CONFIG_HAS(CONFIG_SERVER_TIMEOUT) |
			      CONFIG_HAS(CONFIG_BLOCK_PAGE) |
			      CONFIG_HAS(CONFIG_FORCE_FULL_PORTS)),
	      "the settings given, only those");
	CHECK(c.cfg.mode == CATOPROXY_MODE_DELAYED && c.cfg.tls_inspection == 1 &&
	      c.cfg.server_timeout_ms == 2000 && c.cfg.nforce_full_ports == 0,
	      "their values");
	CHECK(c.setting_line[CONFIG_MODE] == 3 &&
	      c.setting_line[CONFIG_TLS_INSPECTION] == 3 &&
	      c.setting_line[CONFIG_SERVER_TIMEOUT] == 4 &&
	      c.setting_line[CONFIG_BLOCK_PAGE] == 5, "their lines");
	CHECK(c.cfg.block_page_len == sizeof(page) - 1 &&
	      !memcmp(c.cfg.block_page, page, sizeof(page) - 1) &&
	      !c.block_page_file,
	      "an inline block page: escapes, NUL and `#' included");
	CHECK(c.nsites == 2 && !strcmp(c.sites[0].site.name, "lan") &&
	      c.sites[0].site.nprefixes == 2 &&
	      c.sites[0].site.mode == CATOPROXY_MODE_FULL &&
	      !strcmp(c.sites[1].site.name, "wan") &&
	      !(c.sites[1].flags & SITE_HAS_MODE) &&
	      c.site_line[0] == 6 && c.site_line[1] == 7,
	      "the sites, in order, with their lines");
	format_prefix(&c.sites[1].site.prefixes[0], buf, sizeof(buf));
	CHECK(!strcmp(buf, "192.0.2.0/24"), "a comment right after a word");
	CHECK(c.nrules == 2 && c.rules[0].action == CATOPROXY_ACTION_BLOCK &&
	      c.rules[0].dport_min == 80 && c.rules[0].dport_max == 80 &&
	      c.rules[1].action == CATOPROXY_ACTION_ALLOW &&
	      c.rule_line[0] == 8 && c.rule_line[1] == 9,
	      "the rules, in order, the last line without a newline");
	conf_free(&c);

	CHECK(parse("set block-page pages/blocked.html\n", &c) == 0 &&
	      c.block_page_file &&
	      !strcmp(c.block_page_file, "pages/blocked.html") &&
	      (c.cfg.flags & CONFIG_HAS(CONFIG_BLOCK_PAGE)),
	      "a block page by file name");
	conf_free(&c);
	CHECK(parse("set block-page \"\"\n", &c) == 0 &&
	      c.cfg.block_page_len == 0 && !c.block_page_file,
	      "an empty inline block page");
	conf_free(&c);
	CHECK(parse("", &c) == 0 && !c.cfg.flags && !c.nsites && !c.nrules,
	      "an empty file: every default");
	conf_free(&c);
}

static void test_refused(void)
{
	char big[CATOPROXY_BLOCK_PAGE_MAX + 32];

	refused("set mode full\nset mode off\n", 2,
		"Duplicate setting `mode': already set on line 1",
		"a setting given twice");
	refused("set mode full\nset bogus 1\n", 2, "Invalid key `bogus'",
		"an unknown key");
	refused("set mode fast\n", 1, "Invalid mode `fast'", "a bad mode");
	refused("set server-timeout\n", 1, "Missing value for `server-timeout'",
		"a key without value");
	refused("set\n", 1, "Missing setting", "set alone");
	refused("set block-page a.html block-page b.html\n", 1,
		"Duplicate setting `block-page'", "block-page twice");
	refused("set mode \"full\"\n", 1, "only `set block-page' takes one",
		"a string for another key");
	refused("site add \"x\" prefix 10.0.0.0/8\n", 1,
		"only `set block-page' takes one", "a string in a site");
	refused("set block-page \"abc\n", 1, "Unterminated string",
		"an unterminated string");
	refused("set block-page \"a\\q\"\n", 1, "Invalid escape `\\q'",
		"an unknown escape");
	refused("set block-page \"\\x4\"\n", 1, "two hex digits",
		"a short \\x escape");
	refused("set block-page \"a\"b\n", 1, "right after a string",
		"text glued to a string");
	refused("set mode fu\"ll\"\n", 1, "quote a whole word",
		"a quote inside a word");
	memset(big, 0, sizeof(big));
	strcpy(big, "set block-page \"");
	memset(big + strlen(big), 'p', CATOPROXY_BLOCK_PAGE_MAX + 1);
	strcat(big, "\"\n");
	refused(big, 1, "longer than 4096 bytes", "a page of 4097 bytes");
	refused("\n# fine\nsite add lan prefix 10.0.0.1/8\n", 3,
		"host bits set, did you mean 10.0.0.0/8?", "a site's bad prefix");
	refused("site del lan\n", 1, "a file adds its sites with `site add'",
		"site del");
	refused("rule add pos 1 action block\n", 1, "Invalid argument `pos'",
		"a rule with a position");
	refused("rule flush\n", 1, "a file adds its rules with `rule add'",
		"rule flush");
	refused("rule add dport 90-80 action block\n", 1, "90 is above 80",
		"a bad port range");
	refused("show config\n", 1,
		"Invalid command `show': expected set, site add or rule add",
		"another command");
	refused("\"set\" mode full\n", 1, "Unexpected string", "a quoted command");
}

/* A rule list and sites at their bounds: written, read back the same. */
static void test_round_trip(void)
{
	static struct ctl_config cfg;
	struct ctl_site sites[2] = { 0 };
	struct ctl_rule rules[5] = { 0 };
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	char *text = NULL;
	size_t len = 0;
	struct conf c;
	FILE *f;

	cfg.flags = ~0U & ((1U << CONFIG_NSETTINGS) - 1);
	cfg.mode = CATOPROXY_MODE_ADAPTIVE;
	cfg.tls_inspection = 1;
	cfg.blocked_syn = CATOPROXY_BLOCKED_SYN_DROP;
	cfg.challenge_ack = CATOPROXY_CHALLENGE_ACK_STRICT;
	cfg.site_count = 2;
	cfg.rule_count = 5;
	cfg.server_timeout_ms = 600000;
	cfg.syn_backlog = 0;
	cfg.adaptive_ttl = 86400;
	cfg.adaptive_size = 64;
	cfg.inspect_timeout_ms = 100;
	cfg.nforce_full_ports = 2;
	cfg.force_full_ports[0] = 8443;
	cfg.force_full_ports[1] = 443;
	cfg.nblock_page_ports = 0;
	for (unsigned int i = 0; i < 256; i++)
		cfg.block_page[i] = (u8)i;
	cfg.block_page_len = 256;

	snprintf(sites[0].site.name, sizeof(sites[0].site.name), "a-1_b.c");
	sites[0].site.mode = CATOPROXY_MODE_INHERIT;
	sites[0].site.nprefixes = CATOPROXY_SITE_PREFIXES_MAX;
	for (unsigned int i = 0; i < CATOPROXY_SITE_PREFIXES_MAX; i++) {
		sites[0].site.prefixes[i].family = AF_INET6;
		inet_pton(AF_INET6, "2001:db8::", sites[0].site.prefixes[i].addr);
		sites[0].site.prefixes[i].addr[4] = (u8)i;
		sites[0].site.prefixes[i].plen = 48;
	}
	snprintf(sites[1].site.name, sizeof(sites[1].site.name), "b");
	sites[1].site.mode = CATOPROXY_MODE_OFF;
	sites[1].site.nprefixes = 1;
	sites[1].site.prefixes[0].family = AF_INET;
	sites[1].site.prefixes[0].plen = 0;

	rules[0].rule.flags = CATOPROXY_RULE_F_SRC | CATOPROXY_RULE_F_DST;
	rules[0].rule.family = AF_INET;
	rules[0].rule.src.family = rules[0].rule.dst.family = AF_INET;
	inet_pton(AF_INET, "10.1.0.0", rules[0].rule.src.addr);
	rules[0].rule.src.plen = 16;
	inet_pton(AF_INET, "192.0.2.1", rules[0].rule.dst.addr);
	rules[0].rule.dst.plen = 32;
	rules[0].rule.sport_min = 1024;
	rules[0].rule.sport_max = 65535;
	rules[0].rule.dport_min = rules[0].rule.dport_max = 443;
	rules[0].rule.action = CATOPROXY_ACTION_BYPASS;
	rules[1].rule.sport_max = rules[1].rule.dport_max = 65535;
	rules[1].rule.dport_min = 0;
	rules[1].rule.dport_max = 0;
	rules[1].rule.action = CATOPROXY_ACTION_BLOCK;
	rules[2].rule.sport_max = rules[2].rule.dport_max = 65535;
	rules[2].rule.action = CATOPROXY_ACTION_ALLOW;
	/* Payload rules: the longest name, the largest mark. */
	for (unsigned int i = 0; i < CATOPROXY_PAYLOAD_NAME_MAX; i++)
		name[i] = i % 50 == 49 ? '.' : 'a' + i % 26;
	name[CATOPROXY_PAYLOAD_NAME_MAX] = '\0';
	rules[3].rule.sport_max = rules[3].rule.dport_max = 65535;
	rules[3].rule.match = CATOPROXY_RULE_MATCH_HOST;
	memcpy(rules[3].rule.name, name, sizeof(name));
	rules[3].rule.flags = CATOPROXY_RULE_F_PATH;
	rules[3].rule.path = 0xffffffff;
	rules[3].rule.action = CATOPROXY_ACTION_BYPASS;
	rules[4].rule.sport_max = 65535;
	rules[4].rule.dport_min = rules[4].rule.dport_max = 443;
	rules[4].rule.match = CATOPROXY_RULE_MATCH_SNI;
	strcpy(rules[4].rule.name, "*.example.com");
	rules[4].rule.action = CATOPROXY_ACTION_BLOCK;

	f = open_memstream(&text, &len);
	conf_write(f, &cfg, sites, 2, rules, 5);
	fclose(f);
	CHECK(strstr(text, "set mode adaptive\nset tls-inspection on\nset blocked-syn drop\n"
			   "set challenge-ack strict\nset server-timeout 600000\n"
			   "set syn-backlog 0\nset force-full-ports 8443,443\n"
			   "set adaptive-ttl 86400\nset adaptive-size 64\n"
			   "set block-page-ports none\nset block-page \"\\x00") &&
	      !strstr(text, "set sites") && !strstr(text, "set rules"),
	      "the settings `set' takes, as it takes them, in order");
	CHECK(strstr(text, "\\t\\n\\x0b\\x0c\\r\\x0e") &&
	      strstr(text, " !\\\"#$%&'()") && strstr(text, "[\\\\]") &&
	      strstr(text, "}~\\x7f\\x80") && strstr(text, "\\xff\"\n"),
	      "the page's bytes escaped where they must be");
	CHECK(strstr(text, "site add b prefix 0.0.0.0/0 mode off\n") &&
	      strstr(text, "site add a-1_b.c prefix 2001:db8::/48 prefix 2001:db8:100::/48 "),
	      "sites in the words of site add, mode included");
	CHECK(strstr(text, "rule add src 10.1.0.0/16 dst 192.0.2.1/32 sport 1024-65535 dport 443 action bypass\n"
			   "rule add dport 0 action block\n"
			   "rule add action allow\n"
			   "rule add host ") &&
	      strstr(text, "rule add dport 443 sni *.example.com action block\n") &&
	      strstr(text, " path 0xffffffff action bypass\n"),
	      "rules in the words of rule add, in order, sni, host and path included");

	CHECK(parse(text, &c) == 0, "what conf_write() wrote parses: %s", err);
	CHECK(c.cfg.mode == cfg.mode && c.cfg.tls_inspection == 1 &&
	      c.cfg.blocked_syn == cfg.blocked_syn &&
	      c.cfg.challenge_ack == cfg.challenge_ack &&
	      c.cfg.server_timeout_ms == 600000 && c.cfg.syn_backlog == 0 &&
	      c.cfg.adaptive_ttl == 86400 && c.cfg.adaptive_size == 64 &&
	      c.cfg.inspect_timeout_ms == 100 &&
	      c.cfg.nforce_full_ports == 2 && c.cfg.force_full_ports[0] == 8443 &&
	      c.cfg.force_full_ports[1] == 443 && c.cfg.nblock_page_ports == 0,
	      "settings read back");
	CHECK(c.cfg.block_page_len == 256 &&
	      !memcmp(c.cfg.block_page, cfg.block_page, 256),
	      "every byte of the page read back");
	CHECK(c.nsites == 2 && !memcmp(&c.sites[0].site, &sites[0].site,
				       sizeof(sites[0].site)) &&
	      (c.sites[0].flags & SITE_HAS_MODE) &&
	      !memcmp(&c.sites[1].site, &sites[1].site, sizeof(sites[1].site)),
	      "sites read back, 32 prefixes and an inherit mode included");
	CHECK(c.nrules == 5 && !memcmp(&c.rules[0], &rules[0].rule, sizeof(c.rules[0])) &&
	      !memcmp(&c.rules[1], &rules[1].rule, sizeof(c.rules[1])) &&
	      !memcmp(&c.rules[2], &rules[2].rule, sizeof(c.rules[2])) &&
	      !memcmp(&c.rules[3], &rules[3].rule, sizeof(c.rules[3])) &&
	      !memcmp(&c.rules[4], &rules[4].rule, sizeof(c.rules[4])),
	      "rules read back, a name of 253 bytes included");
	conf_free(&c);
	free(text);
}

int main(void)
{
	test_parse();
	test_refused();
	test_round_trip();
	return unit_done();
}
