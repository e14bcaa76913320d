// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/rules.c. The input is a rule base (rules
 * written with few distinct values, so that they overlap and repeat) and
 * then flows; each rule is normalised (refused ones must say why and are
 * left out), the base is compiled, and for every flow the compiled lookup
 * must find the rule a linear first-match scan finds. Some rules are
 * payload rules (sni or host, a pattern from a small pool or from the
 * input's bytes) or have a path: for every flow and the names its payload
 * said, lookup then lookup_payload must decide as a linear scan over
 * addresses, ports and names does, and no rule catoproxy_rules_check()
 * calls shadowed may decide any of the flows.
 */

#include "rules.h"
#include "fuzz.h"

/* Addresses from a 2-bit alphabet per byte, at the ends of the address. */
static void take_addr(struct input *in, u16 family, u8 *addr)
{
	u8 b = take(in);

	memset(addr, 0, 16);
	addr[0] = 10;
	addr[1] = (u8)(b & 3);
	addr[(family == AF_INET ? 4 : 16) - 1] = (u8)((b >> 2) & 7);
	if (b & 0x80)
		addr[2] = 0x80;
}

static u16 take_port(struct input *in)
{
	static const u16 ports[] = { 0, 1, 2, 3, 79, 80, 81, 1023, 1024,
				     32767, 32768, 65534, 65535 };
	u8 b = take(in);

	return b < 0xf0 ? ports[b % 13] : take16(in);
}

static void take_prefix(struct input *in, u16 family,
			struct catoproxy_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	take_addr(in, family, p->addr);
	p->plen = take(in) % 140;
	/* Mostly canonical; sometimes host bits, which must be refused. */
	if (take(in) & 7) {
		unsigned int i;

		for (i = p->plen; i < 128; i++)
			p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
	}
}

static const char *const names[] = {
	"example.com", "*.example.com", "a.example.com", "*.a.example.com",
	"b.a.example.com", "EXAMPLE.com", "x", "*.x", "y.x",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* A rule's payload part: none, or a pattern; maybe a path (maybe 0). */
static void take_payload(struct input *in, struct catoproxy_rule *r)
{
	u8 p = take(in);
	unsigned int i, n;

	r->match = p & 3; /* 3: unknown, refused */
	if (p & 4) {
		n = take(in) % 24;
		for (i = 0; i < n; i++) {
			static const char alphabet[] = "ab.*-_X9 \xff";

			r->name[i] = alphabet[take(in) % (sizeof(alphabet) - 1)];
		}
	} else {
		strcpy(r->name, names[(p >> 4) % NNAMES]);
	}
	if (p & 8) {
		r->flags |= CATOPROXY_RULE_F_PATH;
		r->path = (p & 0x80) ? 0 : 1 + take(in) % 3;
	}
}

static const char *take_name(struct input *in)
{
	u8 b = take(in);

	return b & 1 ? NULL : names[(b >> 1) % NNAMES];
}

/* The decision by the obvious scan: addresses, ports, then names. */
static u32 linear_payload(const struct catoproxy_rule *rules, u32 n,
			  const struct catoproxy_flow *f,
			  const struct catoproxy_payload_names *seen)
{
	u32 i;

	for (i = 0; i < n; i++) {
		const char *name;

		if (!catoproxy_rule_match(&rules[i], f))
			continue;
		if (!catoproxy_rule_is_payload(&rules[i]))
			return i;
		name = rules[i].match == CATOPROXY_RULE_MATCH_SNI ? seen->sni :
								     seen->host;
		if (name && catoproxy_payload_name_match(rules[i].name, name))
			return i;
	}
	return CATOPROXY_RULE_NONE;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct catoproxy_rule_finding found[64];
	struct catoproxy_rule rules[64];
	struct input in = { data, len };
	bool shadowed[64];
	u32 nfound;
	struct catoproxy_ruleset *set;
	struct catoproxy_flow f;
	unsigned int want = take(&in) % 65, n = 0, i;
	const char *why;
	void *scratch;
	size_t size;

	while (n < want && in.len) {
		struct catoproxy_rule *r = &rules[n];
		u8 b = take(&in);
		u16 fam = (b & 1) ? AF_INET6 : AF_INET;

		memset(r, 0, sizeof(*r));
		r->id = n + 1;
		r->action = (u8)(take(&in) % (CATOPROXY_ACTION_MAX + 2));
		if (b & 2) {
			take_prefix(&in, fam, &r->src);
			r->flags |= CATOPROXY_RULE_F_SRC;
		}
		if (b & 4) {
			take_prefix(&in, (b & 0x40) ? AF_INET6 + AF_INET - fam : fam,
				    &r->dst);
			r->flags |= CATOPROXY_RULE_F_DST;
		}
		r->sport_min = (b & 8) ? take_port(&in) : 0;
		r->sport_max = (b & 8) ? take_port(&in) : 65535;
		r->dport_min = (b & 16) ? take_port(&in) : 0;
		r->dport_max = (b & 16) ? ((b & 32) ? r->dport_min : take_port(&in)) :
					  65535;
		if (b & 0x80)
			take_payload(&in, r);
		why = NULL;
		if (!catoproxy_rule_normalize(r, &why)) {
			ASSERT(why);
			continue;
		}
		ASSERT(r->family == AF_UNSPEC || r->family == AF_INET ||
		       r->family == AF_INET6);
		ASSERT(r->match <= CATOPROXY_RULE_MATCH_HOST &&
		       !r->name[sizeof(r->name) - 1]);
		ASSERT(!(r->flags & CATOPROXY_RULE_F_PATH) ||
		       (r->path && r->action != CATOPROXY_ACTION_BLOCK));
		ASSERT(catoproxy_rule_is_payload(r) ||
		       !r->name[0]);
		n++;
	}
	nfound = catoproxy_rules_check(rules, n, found, 64);
	ASSERT(nfound <= n);
	memset(shadowed, 0, sizeof(shadowed));
	for (i = 0; i < nfound; i++) {
		ASSERT(found[i].idx < n);
		ASSERT(!i || found[i - 1].idx < found[i].idx);
		if (found[i].kind == CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS) {
			ASSERT(found[i].by == found[i].idx &&
			       catoproxy_rule_is_payload(&rules[found[i].idx]) &&
			       rules[found[i].idx].action ==
				       CATOPROXY_ACTION_BYPASS);
			continue;
		}
		ASSERT(found[i].by < found[i].idx);
		if (found[i].kind == CATOPROXY_RULE_CHECK_SHADOWED)
			shadowed[found[i].idx] = true;
		else
			ASSERT(catoproxy_rule_is_payload(&rules[found[i].by]) &&
			       !catoproxy_rule_is_payload(&rules[found[i].idx]));
	}

	scratch = malloc(catoproxy_rules_scratch_size(rules, n));
	size = catoproxy_rules_size(rules, n, scratch);
	set = malloc(size);
	catoproxy_rules_build(set, rules, n, scratch);
	free(scratch);
	ASSERT(catoproxy_rules_count(set) == n);

	while (in.len) {
		u32 lin = CATOPROXY_RULE_NONE;

		memset(&f, 0, sizeof(f));
		f.family = (take(&in) & 1) ? AF_INET6 : AF_INET;
		take_addr(&in, f.family, f.saddr);
		take_addr(&in, f.family, f.daddr);
		f.sport = take_port(&in);
		f.dport = take_port(&in);
		for (i = 0; i < n; i++) {
			if (catoproxy_rule_match(&rules[i], &f)) {
				lin = i;
				break;
			}
		}
		ASSERT(catoproxy_rules_lookup(set, &f) == lin);
		if (lin != CATOPROXY_RULE_NONE) {
			struct catoproxy_payload_names seen;
			u32 got;

			seen.sni = take_name(&in);
			seen.host = take_name(&in);
			got = catoproxy_rules_lookup_payload(set, &f, lin, &seen);
			ASSERT(got == linear_payload(rules, n, &f, &seen));
			ASSERT(catoproxy_rule_is_payload(&rules[lin]) || got == lin);
			ASSERT(got == CATOPROXY_RULE_NONE || !shadowed[got]);
		}
	}
	free(set);
	return 0;
}
