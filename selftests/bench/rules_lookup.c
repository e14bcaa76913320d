// SPDX-License-Identifier: GPL-2.0
/*
 * rules_lookup: the benchmark's rule bases, and what a lookup in them costs
 * on the host, compiled (kmod/core/rules.c) and as a linear first-match scan.
 *
 *   rules_lookup -w N FILE    write the rule base of N rules to FILE, in
 *                             the words of `catoproxyctl rule load'
 *   rules_lookup [N...]       for each N (default 10 10000): build the base,
 *                             then print one line
 *     rules=N tables=T slow=S compiled_ns=.. linear_ns=.. miss_compiled_ns=..
 *     miss_linear_ns=..
 *                             the time of one lookup of a flow the last rule
 *                             matches (the benchmark's connections), and of
 *                             one no rule matches, each the best of 5 runs
 *
 *   rules_lookup -p [N...]    for each N (default 10 10000): the cost of
 *                             classifying a connection a payload rule's
 *                             address/port part matches, with N sni rules;
 *                             one line
 *     sni_rules=N syn_ns=.. payload_last_ns=.. payload_none_ns=..
 *                             syn_ns: catoproxy_rules_lookup() on the SYN;
 *                             payload_last_ns: that and lookup_payload()
 *                             for the name of the last sni rule;
 *                             payload_none_ns: the same for a name no rule
 *                             has, decided by the plain rule after them
 *
 * The base: N - 1 rules of eight common shapes (host and /24 destinations
 * on a port, a port range, IPv6 /48 sources and /64 destinations, a source
 * host to a /16, a bare port), none of which matches the benchmark's
 * traffic, then "dst 10.0.2.2/32 dport 8080 action allow", which does.
 * The sni base: N rules "dport 443 sni NAME" (NAME host<i>.example.com and
 * *.d<i>.example.net in turn, actions in turn), then "dport 443 action
 * allow".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rules.h"

static struct catoproxy_prefix pfx(const char *text, unsigned int plen)
{
	struct catoproxy_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p.family, text, p.addr) != 1)
		abort();
	p.plen = (u8)plen;
	return p;
}

static struct catoproxy_rule rule_at(unsigned int i, unsigned int n)
{
	struct catoproxy_rule r = { .sport_max = 65535, .dport_max = 65535 };
	unsigned int x = (i / 8) >> 8 & 255, y = (i / 8) & 255;
	char a[64];
	const char *why;

	if (i == n - 1) {
		r.dst = pfx("10.0.2.2", 32);
		r.flags = CATOPROXY_RULE_F_DST;
		r.dport_min = r.dport_max = 8080;
		r.action = CATOPROXY_ACTION_ALLOW;
		goto out;
	}
	r.action = (u8)(i % 3);
	switch (i % 8) {
	case 0:
		snprintf(a, sizeof(a), "10.100.%u.%u", x, y);
		r.dst = pfx(a, 32);
		r.flags = CATOPROXY_RULE_F_DST;
		r.dport_min = r.dport_max = 443;
		break;
	case 1:
		snprintf(a, sizeof(a), "10.101.%u.0", y);
		r.dst = pfx(a, 24);
		r.dst.addr[1] = (u8)(101 + x);
		r.flags = CATOPROXY_RULE_F_DST;
		r.dport_min = r.dport_max = 80;
		break;
	case 2:
		snprintf(a, sizeof(a), "10.102.%u.0", y);
		r.src = pfx(a, 24);
		r.src.addr[1] = (u8)(102 + x);
		r.flags = CATOPROXY_RULE_F_SRC;
		r.dport_min = r.dport_max = 22;
		break;
	case 3:
		snprintf(a, sizeof(a), "10.103.%u.%u", x, y);
		r.dst = pfx(a, 32);
		r.flags = CATOPROXY_RULE_F_DST;
		r.dport_min = 8000;
		r.dport_max = 8063;
		break;
	case 4:
		snprintf(a, sizeof(a), "fd00:100:%x::", (x << 8) | y);
		r.src = pfx(a, 48);
		r.flags = CATOPROXY_RULE_F_SRC;
		r.dport_min = r.dport_max = 443;
		break;
	case 5:
		snprintf(a, sizeof(a), "fd00:101:%x:%x::", x, y);
		r.dst = pfx(a, 64);
		r.flags = CATOPROXY_RULE_F_DST;
		break;
	case 6:
		snprintf(a, sizeof(a), "10.104.%u.%u", x, y);
		r.src = pfx(a, 32);
		r.dst = pfx("10.105.0.0", 16);
		r.flags = CATOPROXY_RULE_F_SRC | CATOPROXY_RULE_F_DST;
		break;
	default:
		r.dport_min = r.dport_max = (u16)(20000 + i % 1000);
	}
out:
	r.id = i + 1;
	if (!catoproxy_rule_normalize(&r, &why)) {
		fprintf(stderr, "rule %u: %s\n", i, why);
		abort();
	}
	return r;
}

static void write_prefix(FILE *f, const char *key,
			 const struct catoproxy_prefix *p)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	fprintf(f, "%s %s/%u ", key, a, p->plen);
}

static int write_base(unsigned int n, const char *path)
{
	static const char *const act[] = { "allow", "block", "bypass" };
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct catoproxy_rule r = rule_at(i, n);

		if (r.flags & CATOPROXY_RULE_F_SRC)
			write_prefix(f, "src", &r.src);
		if (r.flags & CATOPROXY_RULE_F_DST)
			write_prefix(f, "dst", &r.dst);
		if (r.dport_min == r.dport_max)
			fprintf(f, "dport %u ", r.dport_min);
		else if (r.dport_min || r.dport_max != 65535)
			fprintf(f, "dport %u-%u ", r.dport_min, r.dport_max);
		fprintf(f, "action %s\n", act[r.action]);
	}
	return fclose(f) ? 1 : 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile u32 sink;

/* ns per lookup of @f, the best of 5 runs of @iters. */
static double time_lookup(const struct catoproxy_ruleset *set,
			  const struct catoproxy_rule *rules, u32 n,
			  const struct catoproxy_flow *f, bool linear,
			  unsigned long iters)
{
	double best = 1e18;
	int run;

	for (run = 0; run < 5; run++) {
		double t0 = now_ns();
		unsigned long k;

		for (k = 0; k < iters; k++) {
			u32 hit = CATOPROXY_RULE_NONE, i;

			if (!linear) {
				hit = catoproxy_rules_lookup(set, f);
			} else {
				for (i = 0; i < n; i++) {
					if (catoproxy_rule_match(&rules[i], f)) {
						hit = i;
						break;
					}
				}
			}
			sink = hit;
		}
		if ((now_ns() - t0) / iters < best)
			best = (now_ns() - t0) / iters;
	}
	return best;
}

static int measure(unsigned int n)
{
	struct catoproxy_rule *rules = calloc(n, sizeof(*rules));
	struct catoproxy_flow hit = { .family = AF_INET, .sport = 40000,
				      .dport = 8080 };
	struct catoproxy_flow miss = hit;
	struct catoproxy_ruleset *set;
	unsigned long iters;
	void *scratch;
	unsigned int i;

	for (i = 0; i < n; i++)
		rules[i] = rule_at(i, n);
	scratch = malloc(catoproxy_rules_scratch_size(rules, n));
	set = malloc(catoproxy_rules_size(rules, n, scratch));
	catoproxy_rules_build(set, rules, n, scratch);
	free(scratch);
	inet_pton(AF_INET, "10.0.1.2", hit.saddr);
	inet_pton(AF_INET, "10.0.2.2", hit.daddr);
	miss = hit;
	miss.dport = 8081;
	if (catoproxy_rules_lookup(set, &hit) != n - 1 ||
	    catoproxy_rules_lookup(set, &miss) != CATOPROXY_RULE_NONE) {
		fprintf(stderr, "rules_lookup: the base does not decide as it should\n");
		return 1;
	}
	/* About 0.1 s of the slowest lookup per run. */
	iters = n > 1000 ? 2000 : 200000;
	printf("rules=%u tables=%u slow=%u compiled_ns=%.1f linear_ns=%.1f miss_compiled_ns=%.1f miss_linear_ns=%.1f\n",
	       n, catoproxy_rules_tables(set), catoproxy_rules_slow(set),
	       time_lookup(set, rules, n, &hit, false, 200000),
	       time_lookup(set, rules, n, &hit, true, iters),
	       time_lookup(set, rules, n, &miss, false, 200000),
	       time_lookup(set, rules, n, &miss, true, iters));
	free(set);
	free(rules);
	return 0;
}

/* ns per classification of @f with @names, the best of 5 runs of @iters. */
static double time_payload(const struct catoproxy_ruleset *set,
			   const struct catoproxy_flow *f,
			   const struct catoproxy_payload_names *names,
			   unsigned long iters)
{
	double best = 1e18;
	int run;

	for (run = 0; run < 5; run++) {
		double t0 = now_ns();
		unsigned long k;

		for (k = 0; k < iters; k++) {
			u32 first = catoproxy_rules_lookup(set, f);

			sink = names ? catoproxy_rules_lookup_payload(set, f, first,
								      names) :
				       first;
		}
		if ((now_ns() - t0) / iters < best)
			best = (now_ns() - t0) / iters;
	}
	return best;
}

static int measure_payload(unsigned int n)
{
	struct catoproxy_rule *rules = calloc(n + 1, sizeof(*rules));
	struct catoproxy_flow f = { .family = AF_INET, .sport = 40000,
				    .dport = 443 };
	struct catoproxy_payload_names last = { 0 }, none = { 0 };
	struct catoproxy_ruleset *set;
	char lastname[64];
	unsigned long iters;
	const char *why;
	void *scratch;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		struct catoproxy_rule *r = &rules[i];

		r->id = i + 1;
		r->sport_max = 65535;
		r->dport_min = r->dport_max = 443;
		r->action = (u8)(i % 3);
		if (i < n) {
			r->match = CATOPROXY_RULE_MATCH_SNI;
			snprintf(r->name, sizeof(r->name),
				 i % 2 ? "*.d%u.example.net" : "host%u.example.com",
				 i);
		} else {
			r->action = CATOPROXY_ACTION_ALLOW;
		}
		if (!catoproxy_rule_normalize(r, &why)) {
			fprintf(stderr, "rule %u: %s\n", i, why);
			return 1;
		}
	}
	scratch = malloc(catoproxy_rules_scratch_size(rules, n + 1));
	set = malloc(catoproxy_rules_size(rules, n + 1, scratch));
	catoproxy_rules_build(set, rules, n + 1, scratch);
	free(scratch);
	inet_pton(AF_INET, "10.0.1.2", f.saddr);
	inet_pton(AF_INET, "10.0.2.2", f.daddr);
	/* The last sni rule; its name in another case, as a ClientHello may. */
	if ((n - 1) % 2)
		snprintf(lastname, sizeof(lastname), "www.D%u.example.net", n - 1);
	else
		snprintf(lastname, sizeof(lastname), "HOST%u.example.com", n - 1);
	last.sni = lastname;
	none.sni = "www.example.org";
	if (catoproxy_rules_lookup(set, &f) != 0 ||
	    catoproxy_rules_lookup_payload(set, &f, 0, &last) != n - 1 ||
	    catoproxy_rules_lookup_payload(set, &f, 0, &none) != n) {
		fprintf(stderr, "rules_lookup: the sni base does not decide as it should\n");
		return 1;
	}
	iters = n > 1000 ? 500 : 200000;
	printf("sni_rules=%u syn_ns=%.1f payload_last_ns=%.1f payload_none_ns=%.1f\n",
	       n, time_payload(set, &f, NULL, 200000),
	       time_payload(set, &f, &last, iters),
	       time_payload(set, &f, &none, iters));
	free(set);
	free(rules);
	return 0;
}

int main(int argc, char **argv)
{
	int i, ret = 0;

	if (argc >= 2 && !strcmp(argv[1], "-p")) {
		if (argc == 2)
			return measure_payload(10) || measure_payload(10000);
		for (i = 2; i < argc; i++)
			ret |= measure_payload((unsigned int)strtoul(argv[i], NULL, 10));
		return ret;
	}
	if (argc == 4 && !strcmp(argv[1], "-w"))
		return write_base((unsigned int)strtoul(argv[2], NULL, 10), argv[3]);
	if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "usage: rules_lookup [-w N FILE | -p [N...] | N...]\n");
		return 2;
	}
	if (argc == 1)
		return measure(10) || measure(10000);
	for (i = 1; i < argc; i++)
		ret |= measure((unsigned int)strtoul(argv[i], NULL, 10));
	return ret;
}
