// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/rules.c. The input is a rule base (rules
 * written with few distinct values, so that they overlap and repeat) and
 * then flows; each rule is normalised (refused ones must say why and are
 * left out), the base is compiled, and for every flow the compiled lookup
 * must find the rule a linear first-match scan finds.
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

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct catoproxy_rule rules[64];
	struct input in = { data, len };
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
		why = NULL;
		if (!catoproxy_rule_normalize(r, &why)) {
			ASSERT(why);
			continue;
		}
		ASSERT(r->family == AF_UNSPEC || r->family == AF_INET ||
		       r->family == AF_INET6);
		n++;
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
	}
	free(set);
	return 0;
}
