// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/rules.c: rule validation, and the compiled lookup
 * against the obvious one (every rule in order, first match wins) on rule
 * bases built to cover prefixes, port ranges, families and duplicates.
 */

#include <arpa/inet.h>
#include <stdint.h>
#include <strings.h>

#include "rules.h"
#include "unit.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static struct catoproxy_ruleset *compile(const struct catoproxy_rule *r, u32 n)
{
	void *scratch = malloc(catoproxy_rules_scratch_size(r, n));
	size_t size = catoproxy_rules_size(r, n, scratch);
	struct catoproxy_ruleset *set = malloc(size);

	catoproxy_rules_build(set, r, n, scratch);
	free(scratch);
	return set;
}

static u32 linear(const struct catoproxy_rule *r, u32 n,
		  const struct catoproxy_flow *f)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (catoproxy_rule_match(&r[i], f))
			return i;
	return CATOPROXY_RULE_NONE;
}

static struct catoproxy_prefix pfx(const char *text, unsigned int plen)
{
	struct catoproxy_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(p.family, text, p.addr);
	p.plen = (u8)plen;
	return p;
}

static struct catoproxy_flow flow(const char *src, const char *dst, u16 sport,
				  u16 dport)
{
	struct catoproxy_flow f;

	memset(&f, 0, sizeof(f));
	f.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	inet_pton(f.family, src, f.saddr);
	inet_pton(f.family, dst, f.daddr);
	f.sport = sport;
	f.dport = dport;
	return f;
}

static struct catoproxy_rule any_rule(u8 action)
{
	struct catoproxy_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.sport_max = 65535;
	r.dport_max = 65535;
	return r;
}

static void test_names(void)
{
	CHECK(!strcmp(catoproxy_rule_action_name(CATOPROXY_ACTION_BLOCK),
		      "block"),
	      "action names");
	CHECK(catoproxy_rule_action_parse("bypass") == CATOPROXY_ACTION_BYPASS &&
		      catoproxy_rule_action_parse("allow") ==
			      CATOPROXY_ACTION_ALLOW,
	      "action parse");
	CHECK(catoproxy_rule_action_parse("deny") == -EINVAL &&
		      !catoproxy_rule_action_name(CATOPROXY_ACTION_MAX + 1),
	      "unknown actions are refused");
}

static void test_normalize(void)
{
	struct catoproxy_rule r = any_rule(CATOPROXY_ACTION_BLOCK);
	const char *why = NULL;

	CHECK(catoproxy_rule_normalize(&r, &why) && r.family == AF_UNSPEC,
	      "a rule without prefixes covers both families");

	r.src = pfx("10.1.0.0", 16);
	r.flags = CATOPROXY_RULE_F_SRC;
	CHECK(catoproxy_rule_normalize(&r, &why) && r.family == AF_INET,
	      "a source prefix sets the family");

	r.dst = pfx("fd00::", 8);
	r.flags |= CATOPROXY_RULE_F_DST;
	why = NULL;
	CHECK(!catoproxy_rule_normalize(&r, &why) && why &&
		      !strcmp(why, "source and destination prefixes are of different families"),
	      "mixed families are refused: %s", why ? why : "");

	r = any_rule(CATOPROXY_ACTION_ALLOW);
	r.dst = pfx("10.1.2.3", 24);
	r.flags = CATOPROXY_RULE_F_DST;
	why = NULL;
	CHECK(!catoproxy_rule_normalize(&r, &why) && why &&
		      !strcmp(why, "prefix has host bits set"),
	      "host bits are refused: %s", why ? why : "");

	r = any_rule(CATOPROXY_ACTION_ALLOW);
	r.dport_min = 90;
	r.dport_max = 80;
	why = NULL;
	CHECK(!catoproxy_rule_normalize(&r, &why) && why &&
		      !strcmp(why, "destination port range is inverted"),
	      "an inverted destination range is refused");
	r = any_rule(CATOPROXY_ACTION_ALLOW);
	r.sport_min = 2;
	r.sport_max = 1;
	why = NULL;
	CHECK(!catoproxy_rule_normalize(&r, &why) && why &&
		      !strcmp(why, "source port range is inverted"),
	      "an inverted source range is refused");

	r = any_rule(CATOPROXY_ACTION_MAX + 1);
	why = NULL;
	CHECK(!catoproxy_rule_normalize(&r, &why) && why &&
		      !strcmp(why, "unknown rule action"),
	      "an unknown action is refused");

	/* A prefix that was not given is cleared, whatever it held. */
	r = any_rule(CATOPROXY_ACTION_ALLOW);
	r.src = pfx("10.0.0.1", 32);
	CHECK(catoproxy_rule_normalize(&r, &why) && r.src.plen == 0 &&
		      r.src.family == 0 && r.family == AF_UNSPEC,
	      "an absent prefix matches everything");
}

static void test_first_match(void)
{
	struct catoproxy_rule r[4];
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	const char *why;
	int i;

	r[0] = any_rule(CATOPROXY_ACTION_BYPASS);
	r[0].dst = pfx("10.0.2.2", 32);
	r[0].flags = CATOPROXY_RULE_F_DST;
	r[0].dport_min = r[0].dport_max = 22;
	r[1] = any_rule(CATOPROXY_ACTION_BLOCK);
	r[1].dport_min = 1;
	r[1].dport_max = 1023;
	r[2] = any_rule(CATOPROXY_ACTION_ALLOW);
	r[2].src = pfx("fd00:1::", 64);
	r[2].flags = CATOPROXY_RULE_F_SRC;
	r[3] = any_rule(CATOPROXY_ACTION_BLOCK);
	for (i = 0; i < 4; i++)
		catoproxy_rule_normalize(&r[i], &why);
	set = compile(r, 4);

	f = flow("10.0.1.2", "10.0.2.2", 40000, 22);
	CHECK(catoproxy_rules_lookup(set, &f) == 0, "the first rule wins");
	f.dport = 80;
	CHECK(catoproxy_rules_lookup(set, &f) == 1, "a range matches");
	f.dport = 1024;
	CHECK(catoproxy_rules_lookup(set, &f) == 3,
	      "past the range, the catch-all");
	f = flow("fd00:1::2", "fd00:2::2", 40000, 8080);
	CHECK(catoproxy_rules_lookup(set, &f) == 2, "IPv6 source prefix");
	f.dport = 443;
	CHECK(catoproxy_rules_lookup(set, &f) == 1,
	      "a rule without prefixes matches IPv6 too");
	f = flow("fd00:3::2", "fd00:2::2", 40000, 8080);
	CHECK(catoproxy_rules_lookup(set, &f) == 3, "IPv6 catch-all");
	CHECK(catoproxy_rules_blocks(set) && catoproxy_rules_count(set) == 4,
	      "set facts");
	free(set);

	set = compile(r, 0);
	CHECK(catoproxy_rules_lookup(set, &f) == CATOPROXY_RULE_NONE &&
		      !catoproxy_rules_blocks(set),
	      "an empty set matches nothing");
	free(set);
}

/* Values from a small pool, so that rules overlap and flows hit them. */
static const char *const pool4[] = { "10.0.0.0", "10.0.1.0", "10.0.1.2",
				     "10.0.2.2", "192.168.0.0", "10.128.0.0" };
static const char *const pool6[] = { "fd00::", "fd00:1::", "fd00:1::2",
				     "fd00:2::2", "2001:db8::", "fd00:8000::" };
static const u16 port_pool[] = { 0, 1, 22, 80, 443, 1023, 1024, 8080,
				 32768, 65534, 65535 };

static struct catoproxy_prefix random_prefix(u16 family)
{
	struct catoproxy_prefix p;
	unsigned int max = family == AF_INET ? 32 : 128, i;
	const char *base = family == AF_INET ? pool4[rnd() % 6] :
					       pool6[rnd() % 6];

	p = pfx(base, 0);
	p.plen = (u8)(rnd() % 4 ? (rnd() % 3 ? max - (rnd() % 3) * 8 : rnd() % (max + 1)) : 0);
	for (i = p.plen; i < max; i++)
		p.addr[i / 8] &= (u8)~(0x80 >> (i % 8));
	return p;
}

static void random_range(u16 *lo, u16 *hi)
{
	u16 a, b;

	switch (rnd() % 4) {
	case 0:
		*lo = 0;
		*hi = 65535;
		return;
	case 1:
		*lo = *hi = port_pool[rnd() % 11];
		return;
	default:
		a = rnd() % 3 ? port_pool[rnd() % 11] : (u16)rnd();
		b = rnd() % 3 ? port_pool[rnd() % 11] : (u16)rnd();
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
	}
}

/* @narrow: never a catch-all, so that later rules get their turn. */
static struct catoproxy_rule random_rule(bool narrow)
{
	struct catoproxy_rule r = any_rule((u8)(rnd() % 3));
	u16 family = rnd() % 2 ? AF_INET : AF_INET6;
	const char *why;

	if (rnd() % 3) {
		r.src = random_prefix(family);
		r.flags |= CATOPROXY_RULE_F_SRC;
	}
	if (narrow || rnd() % 3) {
		r.dst = random_prefix(family);
		r.flags |= CATOPROXY_RULE_F_DST;
		if (narrow && r.dst.plen < 8)
			r.dst = pfx(family == AF_INET ? "10.0.2.2" : "fd00:2::2",
				    family == AF_INET ? 32 : 128);
	}
	if (rnd() % 2)
		random_range(&r.sport_min, &r.sport_max);
	if (narrow || rnd() % 4)
		random_range(&r.dport_min, &r.dport_max);
	if (narrow && r.dport_min == 0 && r.dport_max == 65535)
		r.dport_min = r.dport_max = port_pool[rnd() % 11];
	if (!catoproxy_rule_normalize(&r, &why)) {
		fprintf(stderr, "random rule refused: %s\n", why);
		abort();
	}
	return r;
}

static struct catoproxy_flow random_flow(void)
{
	struct catoproxy_flow f;
	unsigned int i;

	memset(&f, 0, sizeof(f));
	f.family = rnd() % 2 ? AF_INET : AF_INET6;
	inet_pton(f.family, f.family == AF_INET ? pool4[rnd() % 6] : pool6[rnd() % 6],
		  f.saddr);
	inet_pton(f.family, f.family == AF_INET ? pool4[rnd() % 6] : pool6[rnd() % 6],
		  f.daddr);
	/* Flip a few low bits, so that prefixes of every length split them. */
	for (i = 0; i < 2; i++) {
		f.saddr[(f.family == AF_INET ? 4 : 16) - 1 - rnd() % 3] ^= (u8)rnd();
		f.daddr[(f.family == AF_INET ? 4 : 16) - 1 - rnd() % 3] ^= (u8)rnd();
	}
	f.sport = rnd() % 2 ? port_pool[rnd() % 11] : (u16)rnd();
	f.dport = rnd() % 2 ? port_pool[rnd() % 11] : (u16)rnd();
	if (rnd() % 4 == 0)
		f.dport = (u16)(f.dport + rnd() % 3 - 1);
	return f;
}

/*
 * @sets random rule bases of @n rules each, @flows flows against each:
 * the compiled lookup must agree with the linear scan on every one.
 */
static void random_bases(u32 n, u32 sets, u32 flows, bool narrow)
{
	u32 i, s, k, bad = 0, hits = 0, tables = 0, slow = 0;
	unsigned long long depth = 0;
	struct catoproxy_rule *r = malloc(n * sizeof(*r));

	for (s = 0; s < sets; s++) {
		struct catoproxy_ruleset *set;

		for (i = 0; i < n; i++) {
			/* Some exact duplicates with another action. */
			if (i && rnd() % 8 == 0) {
				r[i] = r[rnd() % i];
				r[i].action = (u8)((r[i].action + 1) % 3);
			} else {
				r[i] = random_rule(narrow);
			}
			r[i].id = i + 1;
		}
		set = compile(r, n);
		tables += catoproxy_rules_tables(set);
		slow += catoproxy_rules_slow(set);
		for (k = 0; k < flows; k++) {
			struct catoproxy_flow f = random_flow();
			u32 want = linear(r, n, &f), got;

			got = catoproxy_rules_lookup(set, &f);
			if (want != CATOPROXY_RULE_NONE) {
				hits++;
				depth += want;
			}
			if (got != want && bad++ < 3)
				printf("#   %u rules: flow dport %u: got %u, want %u\n",
				       n, f.dport, got, want);
		}
		free(set);
	}
	CHECK(!bad && hits > sets * flows / 20,
	      "%u bases of %u random %srules (%u tables, %u compared one by one in all): %u flows agree with a linear scan (%u matched at rule %llu on average, %u differ)",
	      sets, n, narrow ? "narrow " : "", tables, slow, sets * flows,
	      hits, hits ? depth / hits + 1 : 0, bad);
	free(r);
}

static void test_random(void)
{
	random_bases(1, 2000, 50, false);
	random_bases(2, 1000, 100, false);
	random_bases(5, 500, 200, false);
	random_bases(17, 100, 1000, false);
	random_bases(100, 20, 2000, false);
	random_bases(1000, 3, 10000, false);
	random_bases(4000, 1, 20000, false);
	random_bases(30, 100, 1000, true);
	random_bases(1000, 3, 5000, true);
}

/*
 * A large rule base of common rules: host and /24 destinations on single
 * ports and a few ranges. It must stay a handful of tables, which is what
 * keeps lookups cheap.
 */
static void test_large(void)
{
	u32 n = 10000, i;
	struct catoproxy_rule *r = malloc(n * sizeof(*r));
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	const char *why;
	char addr[32];

	for (i = 0; i < n; i++) {
		r[i] = any_rule(i % 2 ? CATOPROXY_ACTION_BLOCK :
					CATOPROXY_ACTION_ALLOW);
		snprintf(addr, sizeof(addr), "10.%u.%u.%u", 100 + i / 65536,
			 (i >> 8) & 255, i & 255);
		r[i].dst = pfx(addr, i % 3 ? 32 : 24);
		if (i % 3 == 0)
			r[i].dst.addr[3] = 0;
		r[i].flags = CATOPROXY_RULE_F_DST;
		if (i % 5)
			r[i].dport_min = r[i].dport_max = (u16)(1000 + i % 7);
		else {
			r[i].dport_min = 8000;
			r[i].dport_max = 8099;
		}
		catoproxy_rule_normalize(&r[i], &why);
	}
	set = compile(r, n);
	f = flow("10.0.1.2", "10.0.2.2", 40000, 8080);
	CHECK(catoproxy_rules_lookup(set, &f) == CATOPROXY_RULE_NONE,
	      "10000 rules: a flow none matches");
	f = flow("10.0.1.2", "10.100.39.16", 40000, 1000 + 9999 % 7);
	CHECK(catoproxy_rules_lookup(set, &f) == linear(r, n, &f) &&
		      linear(r, n, &f) == 9999,
	      "10000 rules: the last one is found");
	CHECK(catoproxy_rules_tables(set) <= 12 && catoproxy_rules_slow(set) == 0,
	      "10000 rules of 6 shapes make %u tables, %u slow",
	      catoproxy_rules_tables(set), catoproxy_rules_slow(set));
	free(set);
	free(r);
}

/* Wide ranges on both ports are too many blocks: compared one by one. */
static void test_slow(void)
{
	struct catoproxy_rule r[3];
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	const char *why;
	int i;

	r[0] = any_rule(CATOPROXY_ACTION_ALLOW);
	r[0].sport_min = 1;
	r[0].sport_max = 65534;
	r[0].dport_min = 3;
	r[0].dport_max = 65533;
	r[1] = any_rule(CATOPROXY_ACTION_BLOCK);
	r[1].dport_min = r[1].dport_max = 80;
	r[2] = r[0];
	r[2].action = CATOPROXY_ACTION_BYPASS;
	r[2].sport_min = 0;
	for (i = 0; i < 3; i++)
		catoproxy_rule_normalize(&r[i], &why);
	set = compile(r, 3);
	CHECK(catoproxy_rules_slow(set) == 2, "two rules compared one by one");
	f = flow("10.0.1.2", "10.0.2.2", 0, 80);
	CHECK(catoproxy_rules_lookup(set, &f) == 1, "a table rule between slow ones");
	f.sport = 5;
	CHECK(catoproxy_rules_lookup(set, &f) == 0, "a slow rule first");
	f.sport = 0;
	f.dport = 81;
	CHECK(catoproxy_rules_lookup(set, &f) == 2, "the second slow rule");
	f.dport = 65534;
	CHECK(catoproxy_rules_lookup(set, &f) == CATOPROXY_RULE_NONE,
	      "outside every range");
	free(set);
}

/* ------------------------------------------------------------ payload rules */

static struct catoproxy_rule payload_rule(u8 action, u8 match, const char *name)
{
	struct catoproxy_rule r = any_rule(action);

	r.match = match;
	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

static bool refused(struct catoproxy_rule r, const char *want)
{
	const char *why = NULL;

	if (catoproxy_rule_normalize(&r, &why))
		return false;
	if (!why || strcmp(why, want)) {
		printf("#   refused with \"%s\", not \"%s\"\n", why ? why : "",
		       want);
		return false;
	}
	return true;
}

static void test_payload_normalize(void)
{
	struct catoproxy_rule r;
	const char *why = NULL;
	char longname[300];
	unsigned int i;

	r = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI,
			 "WWW.Example.COM");
	memset(r.name + 16, 'x', sizeof(r.name) - 16);
	r.name[15] = 0;
	CHECK(catoproxy_rule_normalize(&r, &why) &&
		      !strcmp(r.name, "www.example.com") &&
		      !r.name[sizeof(r.name) - 1] && !r.name[16],
	      "an sni pattern is lower-cased and zero-padded");
	r = payload_rule(CATOPROXY_ACTION_BLOCK, CATOPROXY_RULE_MATCH_HOST,
			 "*.example.com");
	CHECK(catoproxy_rule_normalize(&r, &why), "a host wildcard that blocks");
	r = payload_rule(CATOPROXY_ACTION_BYPASS, CATOPROXY_RULE_MATCH_SNI,
			 "a.b");
	r.flags = CATOPROXY_RULE_F_PATH;
	r.path = 0x10;
	CHECK(catoproxy_rule_normalize(&r, &why) && r.path == 0x10,
	      "a payload rule that bypasses on a path");

	r = any_rule(CATOPROXY_ACTION_ALLOW);
	strcpy(r.name, "left over");
	r.path = 5;
	CHECK(catoproxy_rule_normalize(&r, &why) && !r.name[0] && !r.path,
	      "a plain rule's name and an ungiven path are cleared");

	CHECK(refused(payload_rule(CATOPROXY_ACTION_ALLOW,
				   CATOPROXY_RULE_MATCH_HOST + 1, "a.b"),
		      "unknown payload match"),
	      "an unknown match is refused");
	r = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI, "");
	memset(r.name, 'a', sizeof(r.name));
	CHECK(refused(r, "name is longer than 253 bytes"),
	      "an unterminated name is refused");
	memset(longname, 0, sizeof(longname));
	for (i = 0; i < 254; i++)
		longname[i] = i % 60 == 59 ? '.' : 'a';
	r = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI, "");
	memcpy(r.name, longname, 253);
	CHECK(catoproxy_rule_normalize(&r, &why),
	      "a name of 253 bytes is accepted: %s", why);
	CHECK(refused(payload_rule(CATOPROXY_ACTION_ALLOW,
				   CATOPROXY_RULE_MATCH_SNI, ""),
		      "empty name"),
	      "an empty name is refused");
	CHECK(!catoproxy_rule_normalize(&(struct catoproxy_rule){
						.match = CATOPROXY_RULE_MATCH_SNI,
						.name = "a..b",
						.sport_max = 65535,
						.dport_max = 65535 },
					&why),
	      "an empty label is refused: %s", why);
	CHECK(!catoproxy_rule_normalize(&(struct catoproxy_rule){
						.match = CATOPROXY_RULE_MATCH_HOST,
						.name = "a.*.b",
						.sport_max = 65535,
						.dport_max = 65535 },
					&why),
	      "a wildcard inside a name is refused: %s", why);

	r = any_rule(CATOPROXY_ACTION_ALLOW);
	r.flags = CATOPROXY_RULE_F_PATH;
	CHECK(refused(r, "path mark 0 is no path"), "path 0 is refused");
	r = payload_rule(CATOPROXY_ACTION_BLOCK, CATOPROXY_RULE_MATCH_SNI, "a.b");
	r.flags = CATOPROXY_RULE_F_PATH;
	r.path = 1;
	CHECK(refused(r, "a rule that blocks has no path"),
	      "a path on a blocking rule is refused");
}

static void test_payload_lookup(void)
{
	struct catoproxy_payload_names names = { 0 };
	struct catoproxy_rule r[4];
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	const char *why;
	int i;

	/* The field note's list, in the order that works. */
	r[0] = payload_rule(CATOPROXY_ACTION_BLOCK, CATOPROXY_RULE_MATCH_SNI,
			    "*.example.com");
	r[0].dport_min = r[0].dport_max = 443;
	r[1] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_HOST,
			    "www.example.org");
	r[1].flags = CATOPROXY_RULE_F_PATH;
	r[1].path = 2;
	r[2] = any_rule(CATOPROXY_ACTION_BYPASS);
	r[2].dport_min = r[2].dport_max = 443;
	r[2].flags = CATOPROXY_RULE_F_PATH;
	r[2].path = 7;
	r[3] = any_rule(CATOPROXY_ACTION_BLOCK);
	r[3].dport_min = r[3].dport_max = 25;
	for (i = 0; i < 4; i++) {
		CHECK(catoproxy_rule_normalize(&r[i], &why), "rule %d", i);
		r[i].id = i + 1;
	}
	set = compile(r, 4);
	CHECK(catoproxy_rules_active(set), "rules that block are active");
	free(set);
	set = compile(r + 1, 1);
	CHECK(catoproxy_rules_active(set) && !catoproxy_rules_blocks(set),
	      "a payload rule that allows is active");
	free(set);
	set = compile(r + 2, 1);
	CHECK(catoproxy_rules_active(set), "a plain bypass rule with a path is active");
	free(set);
	r[2].flags = 0;
	r[2].path = 0;
	set = compile(r + 2, 1);
	CHECK(!catoproxy_rules_active(set), "a plain bypass rule is not");
	free(set);
	r[2].flags = CATOPROXY_RULE_F_PATH;
	r[2].path = 7;
	set = compile(r, 4);

	f = flow("10.0.1.2", "10.0.2.2", 40000, 443);
	CHECK(catoproxy_rules_lookup(set, &f) == 0,
	      "a payload rule is found by its address/port part");
	names.sni = "www.example.com";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 0,
	      "its name matches: it decides");
	names.sni = "example.com";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 2,
	      "\"*.example.com\" is not example.com itself: the next plain rule");
	names.sni = NULL;
	names.host = "www.example.com";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 2,
	      "a Host header does not match an sni rule");
	names.host = "WWW.example.org";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 1,
	      "a host rule below, case-insensitive");
	names.host = NULL;
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 2,
	      "no name seen: the first plain rule");
	f.dport = 80;
	CHECK(catoproxy_rules_lookup(set, &f) == 1,
	      "port 80: the host rule");
	CHECK(catoproxy_rules_lookup_payload(set, &f, 1, &names) ==
		      CATOPROXY_RULE_NONE,
	      "no name, no plain rule after it: none decides");
	f.dport = 25;
	CHECK(catoproxy_rules_lookup(set, &f) == 1 &&
		      catoproxy_rules_lookup_payload(set, &f, 1, &names) == 3,
	      "port 25: a plain rule after the host rule");
	CHECK(catoproxy_rules_lookup_payload(set, &f, 3, &names) == 3 &&
		      catoproxy_rules_lookup_payload(set, &f, 4, &names) ==
			      CATOPROXY_RULE_NONE &&
		      catoproxy_rules_lookup_payload(set, &f, CATOPROXY_RULE_NONE,
						     &names) == CATOPROXY_RULE_NONE,
	      "from a plain rule: that rule; from the end: none");
	free(set);
}

static const char *const name_pool[] = {
	"example.com", "www.example.com", "a.b.example.com", "example.org",
	"www.example.org", "test", "x.test", "mail.x.test",
};
#define NAME_POOL 8
static const char *const pattern_pool[] = {
	"example.com", "*.example.com", "www.example.com", "*.b.example.com",
	"*.org", "www.example.org", "test", "*.test", "*.x.test",
};
#define PATTERN_POOL 9

/* The reference: "*.s" matches a name ending in ".s" after a label. */
static bool ref_name_match(const char *pattern, const char *name)
{
	size_t lp, ln;

	if (strncmp(pattern, "*.", 2))
		return !strcasecmp(pattern, name);
	lp = strlen(pattern + 1);
	ln = strlen(name);
	return ln > lp && !strcasecmp(pattern + 1, name + ln - lp);
}

/* The obvious decision: the first rule matching addresses, ports and names. */
static u32 ref_decide(const struct catoproxy_rule *r, u32 n,
		      const struct catoproxy_flow *f,
		      const struct catoproxy_payload_names *names)
{
	u32 i;

	for (i = 0; i < n; i++) {
		const char *name;

		if (!catoproxy_rule_match(&r[i], f))
			continue;
		if (r[i].match == CATOPROXY_RULE_MATCH_NONE)
			return i;
		name = r[i].match == CATOPROXY_RULE_MATCH_SNI ? names->sni :
								 names->host;
		if (name && ref_name_match(r[i].name, name))
			return i;
	}
	return CATOPROXY_RULE_NONE;
}

static void random_payload_rule(struct catoproxy_rule *r, unsigned int percent)
{
	const char *why;

	if (rnd() % 100 >= percent)
		return;
	r->match = rnd() % 3 ? CATOPROXY_RULE_MATCH_SNI :
			       CATOPROXY_RULE_MATCH_HOST;
	snprintf(r->name, sizeof(r->name), "%s",
		 pattern_pool[rnd() % PATTERN_POOL]);
	if (rnd() % 4 == 0)
		r->name[strlen(r->name) - 1] -= 'a' - 'A';
	if (r->action != CATOPROXY_ACTION_BLOCK && rnd() % 3 == 0) {
		r->flags |= CATOPROXY_RULE_F_PATH;
		r->path = 1 + rnd() % 4;
	}
	if (!catoproxy_rule_normalize(r, &why)) {
		fprintf(stderr, "random payload rule refused: %s\n", why);
		abort();
	}
}

static void random_names(struct catoproxy_payload_names *names)
{
	names->sni = rnd() % 4 ? name_pool[rnd() % NAME_POOL] : NULL;
	names->host = rnd() % 4 ? name_pool[rnd() % NAME_POOL] : NULL;
}

/*
 * What the module does: lookup() on the SYN and, when that finds a payload
 * rule, lookup_payload() from there; it must decide as ref_decide() on
 * random lists where @percent of the rules are payload rules.
 */
static void random_payload_bases(u32 n, u32 sets, u32 flows,
				 unsigned int percent)
{
	u32 i, s, k, bad = 0, inspected = 0, decided = 0;
	struct catoproxy_rule *r = malloc(n * sizeof(*r));

	for (s = 0; s < sets; s++) {
		struct catoproxy_ruleset *set;

		for (i = 0; i < n; i++) {
			if (i && rnd() % 8 == 0)
				r[i] = r[rnd() % i];
			else
				r[i] = random_rule(true);
			random_payload_rule(&r[i], percent);
			r[i].id = i + 1;
		}
		set = compile(r, n);
		for (k = 0; k < flows; k++) {
			struct catoproxy_flow f = random_flow();
			struct catoproxy_payload_names names;
			u32 first, got, want, from, want_from;

			random_names(&names);
			want = ref_decide(r, n, &f, &names);
			first = catoproxy_rules_lookup(set, &f);
			got = first;
			if (first != CATOPROXY_RULE_NONE &&
			    catoproxy_rule_is_payload(&r[first])) {
				inspected++;
				got = catoproxy_rules_lookup_payload(set, &f,
								     first,
								     &names);
			}
			if (first != linear(r, n, &f) ||
			    (first != CATOPROXY_RULE_NONE &&
			     catoproxy_rules_lookup_payload(set, &f, first,
							    &names) != got))
				got = CATOPROXY_RULE_NONE - 1;
			/* Any @from: the same as the scan from there. */
			from = rnd() % (n + 1);
			want_from = ref_decide(r + from, n - from, &f, &names);
			if (want_from != CATOPROXY_RULE_NONE)
				want_from += from;
			if (catoproxy_rules_lookup_payload(set, &f, from, &names) !=
			    want_from && bad++ < 3)
				printf("#   %u rules: from %u: got %u, want %u\n", n,
				       from,
				       catoproxy_rules_lookup_payload(set, &f, from,
								      &names),
				       want_from);
			if (want != CATOPROXY_RULE_NONE)
				decided++;
			if (got != want && bad++ < 3)
				printf("#   %u rules: got %u, want %u\n", n, got,
				       want);
		}
		free(set);
	}
	CHECK(!bad && inspected > sets * flows / 1000,
	      "%u bases of %u rules, %u%% payload rules: %u flows (%u inspected, %u decided) agree with the reference, from the first match and from anywhere, %u differ",
	      sets, n, percent, sets * flows, inspected, decided, bad);
	free(r);
}

static void test_payload_random(void)
{
	random_payload_bases(3, 1000, 100, 50);
	random_payload_bases(30, 300, 500, 50);
	random_payload_bases(300, 20, 5000, 80);
	random_payload_bases(2000, 3, 10000, 95);
}

/* 10,000 sni rules: the last one still decides, and nothing else does. */
static void test_payload_large(void)
{
	u32 n = 10000, i;
	struct catoproxy_rule *r = malloc((n + 1) * sizeof(*r));
	struct catoproxy_payload_names names = { 0 };
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	char name[64];
	const char *why;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), i % 2 ? "host%u.example.com" :
						     "*.d%u.example.net", i);
		r[i] = payload_rule(i % 3 ? CATOPROXY_ACTION_ALLOW :
					    CATOPROXY_ACTION_BLOCK,
				    CATOPROXY_RULE_MATCH_SNI, name);
		r[i].dport_min = r[i].dport_max = 443;
		catoproxy_rule_normalize(&r[i], &why);
	}
	r[n] = any_rule(CATOPROXY_ACTION_BYPASS);
	catoproxy_rule_normalize(&r[n], &why);
	set = compile(r, n + 1);
	f = flow("10.0.1.2", "10.0.2.2", 40000, 443);
	CHECK(catoproxy_rules_lookup(set, &f) == 0 &&
		      catoproxy_rules_tables(set) == 4,
	      "10000 sni rules on one port and a catch-all: the first, %u tables",
	      catoproxy_rules_tables(set));
	names.sni = "host9999.example.com";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 9999,
	      "the last sni rule decides its name");
	names.sni = "a.d9998.example.net";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == 9998,
	      "and a wildcard one below");
	names.sni = "host10000.example.com";
	CHECK(catoproxy_rules_lookup_payload(set, &f, 0, &names) == n,
	      "a name none matches: the plain rule after them");
	free(set);
	free(r);
}

/* ------------------------------------------------------------ check */

static u32 check(const struct catoproxy_rule *r, u32 n,
		 struct catoproxy_rule_finding *out)
{
	return catoproxy_rules_check(r, n, out, 8);
}

static void test_check(void)
{
	struct catoproxy_rule_finding f[8];
	struct catoproxy_rule r[6];
	const char *why;
	u32 i;

	/* Field note 001: sni rule above a bypass and a path rule. */
	r[0] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI,
			    "app.example.com");
	r[0].dport_min = r[0].dport_max = 443;
	r[1] = any_rule(CATOPROXY_ACTION_BYPASS);
	r[1].dst = pfx("192.0.2.0", 24);
	r[1].flags = CATOPROXY_RULE_F_DST;
	r[2] = any_rule(CATOPROXY_ACTION_ALLOW);
	r[2].dport_min = 400;
	r[2].dport_max = 500;
	r[2].dst = pfx("198.51.100.0", 24);
	r[2].flags = CATOPROXY_RULE_F_DST | CATOPROXY_RULE_F_PATH;
	r[2].path = 3;
	/* Plain allow and block below it are fine. */
	r[3] = any_rule(CATOPROXY_ACTION_BLOCK);
	r[3].dport_min = r[3].dport_max = 443;
	r[3].src = pfx("10.9.0.0", 16);
	r[3].flags = CATOPROXY_RULE_F_SRC;
	/* A bypass that cannot meet the sni rule's connections. */
	r[4] = any_rule(CATOPROXY_ACTION_BYPASS);
	r[4].dport_min = r[4].dport_max = 22;
	for (i = 0; i < 5; i++)
		catoproxy_rule_normalize(&r[i], &why);
	CHECK(check(r, 5, f) == 2 &&
		      f[0].kind == CATOPROXY_RULE_CHECK_BELOW_PAYLOAD &&
		      f[0].idx == 1 && f[0].by == 0 &&
		      f[1].kind == CATOPROXY_RULE_CHECK_BELOW_PAYLOAD &&
		      f[1].idx == 2 && f[1].by == 0,
	      "the field note's ordering: a bypass and a path rule below an sni rule");
	CHECK(catoproxy_rules_check(r, 5, f, 1) == 2 && f[0].idx == 1,
	      "findings past @max are counted, not written");
	CHECK(check(r + 1, 4, f) == 0, "the same without the sni rule: clean");

	/* Reordered as it should be: clean. */
	r[5] = r[0];
	CHECK(check(r + 1, 5, f) == 0, "the sni rule last: clean");

	/* Shadowed: a plain superset above. */
	r[0] = any_rule(CATOPROXY_ACTION_ALLOW);
	r[0].dst = pfx("192.0.0.0", 16);
	r[0].flags = CATOPROXY_RULE_F_DST;
	catoproxy_rule_normalize(&r[0], &why);
	CHECK(check(r, 2, f) == 1 && f[0].kind == CATOPROXY_RULE_CHECK_SHADOWED &&
		      f[0].idx == 1 && f[0].by == 0 &&
		      catoproxy_rules_check_reason(f[0].kind),
	      "a /24 below a /16 of every port: shadowed");
	r[0].dport_min = 1;
	CHECK(check(r, 2, f) == 0, "not when the earlier rule misses port 0");

	/* Payload rules: a pattern covering another, same kind. */
	r[0] = payload_rule(CATOPROXY_ACTION_BLOCK, CATOPROXY_RULE_MATCH_SNI,
			    "*.example.com");
	r[1] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI,
			    "*.a.example.com");
	r[1].dport_min = r[1].dport_max = 443;
	r[2] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_HOST,
			    "www.example.com");
	r[3] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_SNI,
			    "example.com");
	r[4] = any_rule(CATOPROXY_ACTION_ALLOW);
	r[5] = payload_rule(CATOPROXY_ACTION_ALLOW, CATOPROXY_RULE_MATCH_HOST,
			    "x.y");
	for (i = 0; i < 6; i++)
		catoproxy_rule_normalize(&r[i], &why);
	CHECK(check(r, 6, f) == 2 && f[0].idx == 1 && f[0].by == 0 &&
		      f[0].kind == CATOPROXY_RULE_CHECK_SHADOWED && f[1].idx == 5 &&
		      f[1].by == 4,
	      "*.example.com shadows *.a.example.com; not host rules, not example.com; a plain catch-all shadows all below");
	r[0].dport_min = 80;
	r[0].dport_max = 80;
	CHECK(check(r, 4, f) == 0,
	      "not when the wider pattern has the narrower ports");

	/* A payload rule that says bypass: reported on its own. */
	r[0] = payload_rule(CATOPROXY_ACTION_BYPASS, CATOPROXY_RULE_MATCH_SNI,
			    "a.example");
	r[1] = any_rule(CATOPROXY_ACTION_ALLOW);
	catoproxy_rule_normalize(&r[0], &why);
	CHECK(check(r, 2, f) == 1 &&
		      f[0].kind == CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS &&
		      f[0].idx == 0 && f[0].by == 0 &&
		      !strcmp(catoproxy_rules_check_name(f[0].kind),
			      "payload-bypass") &&
		      catoproxy_rules_check_reason(f[0].kind),
	      "a payload rule that says bypass: payload-bypass");
}

/*
 * A rule check() calls shadowed never decides a connection, whatever its
 * names: on random lists, no random flow ends at one.
 */
static void test_check_random(void)
{
	u32 n = 40, sets = 200, flows = 3000, s, i, k, nf, shadowed = 0;
	u32 below = 0, bad = 0;
	struct catoproxy_rule r[40];
	struct catoproxy_rule_finding f[40];
	bool never[40];

	for (s = 0; s < sets; s++) {
		for (i = 0; i < n; i++) {
			r[i] = random_rule(rnd() % 2);
			random_payload_rule(&r[i], 40);
		}
		nf = catoproxy_rules_check(r, n, f, n);
		memset(never, 0, sizeof(never));
		for (i = 0; i < nf && i < n; i++) {
			if (f[i].kind == CATOPROXY_RULE_CHECK_SHADOWED) {
				never[f[i].idx] = true;
				shadowed++;
			} else if (f[i].kind ==
				   CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS) {
				if (f[i].by != f[i].idx ||
				    !catoproxy_rule_is_payload(&r[f[i].idx]) ||
				    r[f[i].idx].action !=
					    CATOPROXY_ACTION_BYPASS)
					bad++;
				continue;
			} else {
				below++;
				if (!catoproxy_rule_is_payload(&r[f[i].by]) ||
				    catoproxy_rule_is_payload(&r[f[i].idx]) ||
				    !catoproxy_rule_overlaps(&r[f[i].by],
							     &r[f[i].idx]))
					bad++;
			}
			if (f[i].by >= f[i].idx)
				bad++;
		}
		for (k = 0; k < flows; k++) {
			struct catoproxy_flow fl = random_flow();
			struct catoproxy_payload_names names;
			u32 d;

			random_names(&names);
			d = ref_decide(r, n, &fl, &names);
			if (d != CATOPROXY_RULE_NONE && never[d] && bad++ < 3)
				printf("#   rule %u called shadowed decides a flow\n",
				       d);
		}
	}
	CHECK(!bad && shadowed > sets && below > sets / 4,
	      "%u random lists: %u rules called shadowed never decide any of %u flows each, %u below a payload rule, %u wrong",
	      sets, shadowed, flows, below, bad);
}

int main(void)
{
	test_names();
	test_normalize();
	test_first_match();
	test_random();
	test_large();
	test_slow();
	test_payload_normalize();
	test_payload_lookup();
	test_payload_random();
	test_payload_large();
	test_check();
	test_check_random();
	return unit_done();
}
