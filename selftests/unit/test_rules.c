// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/rules.c: rule validation, and the compiled lookup
 * against the obvious one (every rule in order, first match wins) on rule
 * bases built to cover prefixes, port ranges, families and duplicates.
 */

#include <arpa/inet.h>
#include <stdint.h>

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

int main(void)
{
	test_names();
	test_normalize();
	test_first_match();
	test_random();
	test_large();
	test_slow();
	return unit_done();
}
