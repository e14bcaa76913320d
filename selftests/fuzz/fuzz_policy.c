// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/policy.c. The input is a program of operations
 * (add site, delete site, change the account settings, decide a flow) run
 * against one policy; after each one the policy's invariants are checked
 * against a brute-force oracle, and any violation aborts.
 */

#include "policy.h"
#include "fuzz.h"

/* Few distinct values, so that names and prefixes collide often. */
static void take_prefix(struct input *in, struct catoproxy_prefix *p)
{
	u8 f = take(in), i;

	memset(p, 0, sizeof(*p));
	p->family = (f & 1) ? AF_INET6 : AF_INET;
	if (f & 0x80)
		p->family = take(in);
	p->plen = take(in) % 140;
	for (i = 0; i < 4; i++)
		p->addr[i] = take(in) & 0xf0;
	if (p->family == AF_INET6)
		p->addr[15] = take(in) & 3;
}

static void take_addr(struct input *in, u16 family, u8 *addr)
{
	unsigned int i;

	memset(addr, 0, 16);
	for (i = 0; i < 4; i++)
		addr[i] = take(in) & 0xf1;
	if (family == AF_INET6)
		addr[15] = take(in) & 3;
}

static void check_policy(const struct catoproxy_policy *pol)
{
	const char *why;
	u32 i, j, k, l;

	ASSERT(pol->nsites <= CATOPROXY_SITES_MAX);
	ASSERT(pol->mode != CATOPROXY_MODE_INHERIT && pol->mode <= CATOPROXY_MODE_MAX);
	for (i = 0; i < pol->nsites; i++) {
		const struct catoproxy_site *s = &pol->sites[i];

		ASSERT(s->id && s->id < pol->next_site_id);
		ASSERT(catoproxy_policy_site_name_valid(s->name, &why));
		ASSERT(catoproxy_policy_find_site(pol, s->name) == s);
		ASSERT(s->nprefixes >= 1 && s->nprefixes <= CATOPROXY_SITE_PREFIXES_MAX);
		for (j = 0; j < s->nprefixes; j++) {
			ASSERT(catoproxy_policy_prefix_valid(&s->prefixes[j], &why));
			for (k = i; k < pol->nsites; k++)
				for (l = (k == i ? j + 1 : 0); l < pol->sites[k].nprefixes; l++)
					ASSERT(memcmp(&s->prefixes[j], &pol->sites[k].prefixes[l],
						      sizeof(s->prefixes[j])));
		}
		if (i)
			ASSERT(pol->sites[i - 1].id < s->id);
	}
}

/* The longest match over all sites, the slow way. */
static int oracle_plen(const struct catoproxy_policy *pol, u16 family,
		       const u8 *addr, u32 *site_id)
{
	int best = -1;
	u32 i, j;

	*site_id = 0;
	for (i = 0; i < pol->nsites; i++)
		for (j = 0; j < pol->sites[i].nprefixes; j++) {
			const struct catoproxy_prefix *p = &pol->sites[i].prefixes[j];

			if (catoproxy_policy_prefix_match(p, family, addr) && p->plen > best) {
				best = p->plen;
				*site_id = pol->sites[i].id;
			}
		}
	return best;
}

static void check_decision(const struct catoproxy_policy *pol,
			   const struct catoproxy_flow *f)
{
	struct catoproxy_decision d;
	u32 src_site, dst_site, want;

	catoproxy_policy_decide(pol, f, &d);
	ASSERT(d.mode != CATOPROXY_MODE_INHERIT && d.mode <= CATOPROXY_MODE_MAX);
	oracle_plen(pol, f->family, f->saddr, &src_site);
	oracle_plen(pol, f->family, f->daddr, &dst_site);
	want = src_site ? src_site : dst_site;
	ASSERT(d.site_id == want);
	if (pol->tls_inspection && f->dport == CATOPROXY_TLS_PORT)
		ASSERT(d.mode == CATOPROXY_MODE_FULL);
	else if (!want)
		ASSERT(d.mode == pol->mode);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	size_t size = catoproxy_policy_size(CATOPROXY_SITES_MAX);
	struct catoproxy_policy *pol = malloc(size), *before = malloc(size);
	struct input in = { data, len };
	struct catoproxy_site site;
	struct catoproxy_flow f;
	const char *why;
	unsigned int i, n;
	int ret;

	catoproxy_policy_init(pol, CATOPROXY_MODE_FULL);
	while (in.len) {
		switch (take(&in) % 4) {
		case 0:
			memset(&site, 0, sizeof(site));
			n = take(&in) % 4;
			for (i = 0; i < n; i++)
				site.name[i] = "ab.-_ Z"[take(&in) % 7];
			if (take(&in) == 0xff)
				memset(site.name, 'x', sizeof(site.name));
			site.mode = take(&in) % (CATOPROXY_MODE_MAX + 2);
			site.nprefixes = take(&in) % 5;
			for (i = 0; i < site.nprefixes; i++)
				take_prefix(&in, &site.prefixes[i]);
			catoproxy_policy_copy(before, pol);
			ret = catoproxy_policy_add_site(pol, &site, &why);
			if (ret) {
				ASSERT(why && ret < 0);
				ASSERT(!memcmp(before, pol, catoproxy_policy_size(pol->nsites)));
			} else {
				ASSERT(pol->nsites == before->nsites + 1);
				ASSERT(!strcmp(pol->sites[pol->nsites - 1].name, site.name));
			}
			break;
		case 1:
			if (!pol->nsites)
				break;
			n = take(&in) % pol->nsites;
			memcpy(site.name, pol->sites[n].name, sizeof(site.name));
			ASSERT(!catoproxy_policy_del_site(pol, site.name, &why));
			ASSERT(!catoproxy_policy_find_site(pol, site.name));
			ASSERT(catoproxy_policy_del_site(pol, site.name, &why) == -ENOENT);
			break;
		case 2:
			pol->mode = 1 + take(&in) % CATOPROXY_MODE_MAX;
			pol->tls_inspection = take(&in) & 1;
			break;
		case 3:
			memset(&f, 0, sizeof(f));
			f.family = (take(&in) & 1) ? AF_INET6 : AF_INET;
			take_addr(&in, f.family, f.saddr);
			take_addr(&in, f.family, f.daddr);
			f.dport = (take(&in) & 1) ? CATOPROXY_TLS_PORT : 80;
			check_decision(pol, &f);
			break;
		}
		check_policy(pol);
	}
	free(before);
	free(pol);
	return 0;
}
