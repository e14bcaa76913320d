// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for kmod/core/policy.c: prefix validity and matching, site
 * management, and the mode decision.
 */

#include <arpa/inet.h>
#include <stdlib.h>

#include "policy.h"
#include "unit.h"

static struct catoproxy_prefix pfx(const char *addr, unsigned int plen)
{
	struct catoproxy_prefix p = { .plen = (u8)plen };

	if (strchr(addr, ':')) {
		p.family = AF_INET6;
		inet_pton(AF_INET6, addr, p.addr);
	} else {
		p.family = AF_INET;
		inet_pton(AF_INET, addr, p.addr);
	}
	return p;
}

static struct catoproxy_flow flow(const char *src, const char *dst, u16 dport)
{
	struct catoproxy_flow f = { .sport = 40000, .dport = dport };

	f.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	inet_pton(f.family, src, f.saddr);
	inet_pton(f.family, dst, f.daddr);
	return f;
}

static struct catoproxy_site site(const char *name, u8 mode, const char *a,
				  unsigned int plen)
{
	struct catoproxy_site s = { .mode = mode, .nprefixes = 1 };

	snprintf(s.name, sizeof(s.name), "%s", name);
	s.prefixes[0] = pfx(a, plen);
	return s;
}

static struct catoproxy_policy *policy_new(u8 mode)
{
	struct catoproxy_policy *pol = calloc(1, catoproxy_policy_size(CATOPROXY_SITES_MAX));

	catoproxy_policy_init(pol, mode);
	return pol;
}

static void test_modes(void)
{
	CHECK(!strcmp(catoproxy_policy_mode_name(CATOPROXY_MODE_FULL), "full"), "mode name full");
	CHECK(!strcmp(catoproxy_policy_mode_name(CATOPROXY_MODE_INHERIT), "inherit"), "mode name inherit");
	CHECK(catoproxy_policy_mode_name(CATOPROXY_MODE_MAX + 1) == NULL, "mode name out of range is NULL");
	CHECK(catoproxy_policy_mode_parse("delayed") == CATOPROXY_MODE_DELAYED, "parse delayed");
	CHECK(catoproxy_policy_mode_parse("adaptive") == CATOPROXY_MODE_ADAPTIVE, "parse adaptive");
	CHECK(catoproxy_policy_mode_parse("off") == CATOPROXY_MODE_OFF, "parse off");
	CHECK(catoproxy_policy_mode_parse("Full") == -EINVAL, "parse is case-sensitive");
	CHECK(catoproxy_policy_mode_parse("") == -EINVAL, "parse empty");
	CHECK(catoproxy_policy_mode_parse("fullx") == -EINVAL, "parse trailing junk");
}

static void test_prefixes(void)
{
	struct catoproxy_prefix p;
	const char *why = NULL;
	u8 a[16];

	p = pfx("10.0.0.0", 8);
	CHECK(catoproxy_policy_prefix_valid(&p, &why), "10.0.0.0/8 valid");
	p = pfx("10.0.0.1", 24);
	CHECK(!catoproxy_policy_prefix_valid(&p, &why) && strstr(why, "host bits"), "10.0.0.1/24 has host bits");
	p = pfx("10.0.0.1", 32);
	CHECK(catoproxy_policy_prefix_valid(&p, &why), "host /32 valid");
	p = pfx("0.0.0.0", 0);
	CHECK(catoproxy_policy_prefix_valid(&p, &why), "0.0.0.0/0 valid");
	p = pfx("10.0.0.0", 33);
	CHECK(!catoproxy_policy_prefix_valid(&p, &why) && strstr(why, "too long"), "/33 rejected");
	p = pfx("2001:db8::", 32);
	CHECK(catoproxy_policy_prefix_valid(&p, &why), "2001:db8::/32 valid");
	p = pfx("2001:db8::", 129);
	CHECK(!catoproxy_policy_prefix_valid(&p, &why), "/129 rejected");
	p = pfx("2001:db8::1", 127);
	CHECK(!catoproxy_policy_prefix_valid(&p, &why), "v6 host bits rejected");
	p = pfx("10.0.0.0", 8);
	p.family = 99;
	CHECK(!catoproxy_policy_prefix_valid(&p, &why) && strstr(why, "family"), "unknown family rejected");
	p = pfx("10.0.0.0", 8);
	p.addr[7] = 1;
	CHECK(!catoproxy_policy_prefix_valid(&p, &why), "IPv4 prefix with bytes past 4 rejected");

	p = pfx("10.1.0.0", 16);
	inet_pton(AF_INET, "10.1.255.7", a);
	CHECK(catoproxy_policy_prefix_match(&p, AF_INET, a), "10.1.255.7 in 10.1/16");
	inet_pton(AF_INET, "10.2.0.1", a);
	CHECK(!catoproxy_policy_prefix_match(&p, AF_INET, a), "10.2.0.1 not in 10.1/16");
	p = pfx("10.1.128.0", 17);
	inet_pton(AF_INET, "10.1.127.255", a);
	CHECK(!catoproxy_policy_prefix_match(&p, AF_INET, a), "odd plen: 10.1.127.255 not in 10.1.128/17");
	inet_pton(AF_INET, "10.1.128.0", a);
	CHECK(catoproxy_policy_prefix_match(&p, AF_INET, a), "odd plen: 10.1.128.0 in 10.1.128/17");
	CHECK(!catoproxy_policy_prefix_match(&p, AF_INET6, a), "family must agree");
	p = pfx("0.0.0.0", 0);
	CHECK(catoproxy_policy_prefix_match(&p, AF_INET, a), "/0 matches all of its family");
	p = pfx("2001:db8:1::", 48);
	inet_pton(AF_INET6, "2001:db8:1:ffff::1", a);
	CHECK(catoproxy_policy_prefix_match(&p, AF_INET6, a), "v6 match");
	inet_pton(AF_INET6, "2001:db8:2::1", a);
	CHECK(!catoproxy_policy_prefix_match(&p, AF_INET6, a), "v6 mismatch");
}

static void test_sites(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_FULL);
	struct catoproxy_site s;
	const char *why = NULL;
	char name[40];
	int ret, i;

	s = site("a", CATOPROXY_MODE_INHERIT, "10.1.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == 0, "add site a");
	CHECK(pol->nsites == 1 && pol->sites[0].id == 1, "site a has id 1");
	s = site("a", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EEXIST && strstr(why, "name"), "duplicate name rejected");
	s = site("b", CATOPROXY_MODE_OFF, "10.1.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EEXIST && strstr(why, "prefix"), "prefix of another site rejected");
	s = site("b", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	s.prefixes[1] = s.prefixes[0];
	s.nprefixes = 2;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EEXIST, "prefix twice in one site rejected");
	s = site("b", CATOPROXY_MODE_OFF, "10.2.0.1", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL && strstr(why, "host bits"), "host bits rejected");
	s = site("", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "empty name rejected");
	s = site("b c", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "space in name rejected");
	s = site("b", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	memset(s.name, 'x', sizeof(s.name));
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "unterminated name rejected");
	s = site("b", CATOPROXY_MODE_MAX + 1, "10.2.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "bad mode rejected");
	s = site("b", CATOPROXY_MODE_OFF, "10.2.0.0", 16);
	s.nprefixes = 0;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "site without prefix rejected");
	s.nprefixes = CATOPROXY_SITE_PREFIXES_MAX + 1;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "too many prefixes rejected");
	CHECK(pol->nsites == 1 && pol->next_site_id == 2, "failed adds changed nothing");

	s = site("b", CATOPROXY_MODE_DELAYED, "2001:db8::", 32);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == 0 && pol->sites[1].id == 2, "add v6 site b, id 2");
	CHECK(catoproxy_policy_site_mode(pol, &pol->sites[0]) == CATOPROXY_MODE_FULL, "inherit site follows account");
	CHECK(catoproxy_policy_site_mode(pol, &pol->sites[1]) == CATOPROXY_MODE_DELAYED, "own mode wins");
	CHECK(catoproxy_policy_del_site(pol, "a", &why) == 0 && pol->nsites == 1, "del a");
	CHECK(!strcmp(pol->sites[0].name, "b") && pol->sites[0].id == 2, "b moved down, keeps its id");
	CHECK(catoproxy_policy_del_site(pol, "a", &why) == -ENOENT && why, "del unknown site");
	s = site("a", CATOPROXY_MODE_INHERIT, "10.1.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == 0 && pol->sites[1].id == 3, "ids are not reused");
	s = site("kept", CATOPROXY_MODE_OFF, "10.3.0.0", 16);
	s.id = 4;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "an id not handed out yet cannot be kept");
	s.id = 3;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -EINVAL, "another site's id cannot be kept");
	s.id = 1;
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == 0 && pol->sites[2].id == 1 && pol->next_site_id == 4, "a site keeps the id it had");
	CHECK(catoproxy_policy_del_site(pol, "kept", &why) == 0, "del kept");

	for (i = pol->nsites, ret = 0; i < CATOPROXY_SITES_MAX && !ret; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		s = site(name, CATOPROXY_MODE_OFF, "10.200.0.0", 32);
		s.prefixes[0].addr[2] = (u8)(i >> 8);
		s.prefixes[0].addr[3] = (u8)i;
		ret = catoproxy_policy_add_site(pol, &s, &why);
	}
	CHECK(!ret && pol->nsites == CATOPROXY_SITES_MAX, "fill to CATOPROXY_SITES_MAX");
	s = site("overflow", CATOPROXY_MODE_OFF, "10.201.0.0", 16);
	CHECK(catoproxy_policy_add_site(pol, &s, &why) == -ENOSPC, "one more site rejected");
	free(pol);
}

static void test_decide(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_FULL);
	struct catoproxy_decision d;
	struct catoproxy_flow f;
	struct catoproxy_site s;
	const char *why;

	f = flow("10.0.1.2", "10.0.2.2", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_FULL && d.reason == CATOPROXY_REASON_ACCOUNT && !d.site_id, "no sites: account mode");

	s = site("branch", CATOPROXY_MODE_DELAYED, "10.0.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	s = site("lab", CATOPROXY_MODE_OFF, "10.0.1.0", 24);
	catoproxy_policy_add_site(pol, &s, &why);
	s = site("dc", CATOPROXY_MODE_ADAPTIVE, "10.9.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	s = site("v6", CATOPROXY_MODE_INHERIT, "fd00:1::", 64);
	catoproxy_policy_add_site(pol, &s, &why);

	f = flow("10.0.1.2", "10.0.2.2", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_OFF && d.site_id == 2 && d.reason == CATOPROXY_REASON_SITE_SRC, "longest source prefix wins (/24 over /16)");
	f = flow("10.0.7.2", "10.0.2.2", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED && d.site_id == 1, "outer site when the inner does not match");
	f = flow("192.168.0.1", "10.9.3.3", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_ADAPTIVE && d.site_id == 3 && d.reason == CATOPROXY_REASON_SITE_DST, "destination site when no source site");
	f = flow("10.0.7.2", "10.9.3.3", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED && d.site_id == 1, "source site beats destination site");
	f = flow("192.168.0.1", "192.168.0.2", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_FULL && !d.site_id && d.reason == CATOPROXY_REASON_ACCOUNT, "no matching site: account");
	f = flow("fd00:1::2", "fd00:2::2", 80);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_FULL && d.site_id == 4 && d.reason == CATOPROXY_REASON_ACCOUNT, "inherit site: account mode, site still named");
	pol->mode = CATOPROXY_MODE_DELAYED;
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED, "inherit follows a changed account mode");
	f = flow("10.0.1.2", "10.0.2.2", 443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_OFF, "443 without TLS inspection follows the site");
	pol->tls_inspection = 1;
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_FULL && d.reason == CATOPROXY_REASON_TLS_PORT && d.site_id == 2, "TLS inspection forces full on 443");
	f = flow("10.0.1.2", "10.0.2.2", 8443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_OFF, "TLS inspection leaves other ports alone");
	f = flow("10.0.1.2", "10.0.2.2", 443);
	f.family = AF_INET6;
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.site_id == 0, "IPv4 bytes in an IPv6 flow match no IPv4 site");
	free(pol);
}

static void test_force_ports(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_DELAYED);
	u16 ports[CATOPROXY_FORCE_PORTS_MAX + 1];
	struct catoproxy_decision d;
	struct catoproxy_flow f;
	const char *why = NULL;
	unsigned int i;

	CHECK(pol->nforce_ports == 1 && pol->force_ports[0] == 443, "443 is forced by default");
	pol->tls_inspection = 1;
	ports[0] = 8443;
	ports[1] = 9443;
	CHECK(!catoproxy_policy_set_force_ports(pol, ports, 2, &why), "set 8443,9443");
	f = flow("10.0.1.2", "10.0.2.2", 9443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_FULL && d.reason == CATOPROXY_REASON_TLS_PORT, "a configured port is forced");
	f = flow("10.0.1.2", "10.0.2.2", 443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED && d.reason == CATOPROXY_REASON_ACCOUNT, "443 no longer forced once left out");
	pol->tls_inspection = 0;
	f = flow("10.0.1.2", "10.0.2.2", 9443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED, "nothing forced with TLS inspection off");

	ports[0] = 80;
	ports[1] = 0;
	why = NULL;
	CHECK(catoproxy_policy_set_force_ports(pol, ports, 2, &why) == -EINVAL && why, "port 0 rejected: %s", why);
	CHECK(pol->nforce_ports == 2 && pol->force_ports[0] == 8443, "a rejected list changes nothing");
	ports[1] = 80;
	why = NULL;
	CHECK(catoproxy_policy_set_force_ports(pol, ports, 2, &why) == -EINVAL && why, "repeated port rejected: %s", why);
	for (i = 0; i <= CATOPROXY_FORCE_PORTS_MAX; i++)
		ports[i] = (u16)(1000 + i);
	why = NULL;
	CHECK(catoproxy_policy_set_force_ports(pol, ports, CATOPROXY_FORCE_PORTS_MAX + 1, &why) == -E2BIG && why, "17 ports rejected: %s", why);
	CHECK(!catoproxy_policy_set_force_ports(pol, ports, CATOPROXY_FORCE_PORTS_MAX, &why) && pol->nforce_ports == CATOPROXY_FORCE_PORTS_MAX, "16 ports accepted");
	CHECK(!catoproxy_policy_set_force_ports(pol, ports, 0, &why) && !pol->nforce_ports, "an empty list forces nothing");
	pol->tls_inspection = 1;
	f = flow("10.0.1.2", "10.0.2.2", 443);
	catoproxy_policy_decide(pol, &f, &d);
	CHECK(d.mode == CATOPROXY_MODE_DELAYED, "empty list: 443 follows the policy");
	free(pol);
}

static void test_adaptive_use(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_FULL);
	const struct catoproxy_site *found;
	struct catoproxy_site s;
	const char *why;

	CHECK(!catoproxy_policy_uses_adaptive(pol), "full account: no adaptive");
	s = site("a", CATOPROXY_MODE_DELAYED, "10.0.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	s = site("b", CATOPROXY_MODE_ADAPTIVE, "10.1.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	CHECK(catoproxy_policy_uses_adaptive(pol), "an adaptive site uses it");
	found = catoproxy_policy_site_by_id(pol, 2);
	CHECK(found && !strcmp(found->name, "b"), "site by id");
	CHECK(!catoproxy_policy_site_by_id(pol, 0), "id 0 is no site");
	catoproxy_policy_del_site(pol, "b", &why);
	CHECK(!catoproxy_policy_uses_adaptive(pol), "not after deleting it");
	CHECK(!catoproxy_policy_site_by_id(pol, 2), "a deleted site's id finds nothing");
	pol->mode = CATOPROXY_MODE_ADAPTIVE;
	CHECK(catoproxy_policy_uses_adaptive(pol), "adaptive account uses it");
	free(pol);
}

static void test_off(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_OFF);
	static const u16 port443 = 443;
	struct catoproxy_site s;
	const char *why;

	CHECK(catoproxy_policy_off(pol), "mode off, nothing else: off");
	s = site("i", CATOPROXY_MODE_INHERIT, "10.0.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	s = site("o", CATOPROXY_MODE_OFF, "10.1.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	CHECK(catoproxy_policy_off(pol), "inheriting and off sites: off");
	s = site("d", CATOPROXY_MODE_DELAYED, "10.2.0.0", 16);
	catoproxy_policy_add_site(pol, &s, &why);
	CHECK(!catoproxy_policy_off(pol), "a delayed site: not off");
	catoproxy_policy_del_site(pol, "d", &why);
	CHECK(catoproxy_policy_off(pol), "off again without it");
	pol->tls_inspection = 1;
	catoproxy_policy_set_force_ports(pol, &port443, 0, &why);
	CHECK(catoproxy_policy_off(pol), "TLS inspection without forced ports: off");
	catoproxy_policy_set_force_ports(pol, &port443, 1, &why);
	CHECK(!catoproxy_policy_off(pol), "TLS inspection forcing 443: not off");
	pol->tls_inspection = 0;
	CHECK(catoproxy_policy_off(pol), "forced ports without TLS inspection: off");
	pol->mode = CATOPROXY_MODE_ADAPTIVE;
	CHECK(!catoproxy_policy_off(pol), "mode adaptive: not off");
	free(pol);
}

static void test_block_page(void)
{
	struct catoproxy_policy *pol = policy_new(CATOPROXY_MODE_FULL);
	static u8 big[CATOPROXY_BLOCK_PAGE_MAX + 1];
	const char *why = NULL, *text;
	u16 ports[17];
	unsigned int i;

	CHECK(pol->npage_ports == 1 && pol->page_ports[0] == 80 &&
		      catoproxy_policy_page_port(pol, 80) &&
		      !catoproxy_policy_page_port(pol, 8080),
	      "port 80 gets the page by default");
	text = (const char *)pol->response;
	CHECK(pol->page_len > 0 && pol->response_len > pol->page_len &&
		      !strncmp(text, "HTTP/1.1 403 Forbidden\r\n", 24) &&
		      strstr(text, "\r\n\r\n<!DOCTYPE html>") &&
		      !memcmp(catoproxy_policy_block_page(pol),
			      "<!DOCTYPE html>", 15),
	      "the default response: a 403 header, then the page");

	CHECK(!catoproxy_policy_set_block_page(pol, (const u8 *)"blocked\n", 8,
					       &why) &&
		      pol->page_len == 8 &&
		      pol->response_len ==
			      strlen("HTTP/1.1 403 Forbidden\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n") + 8 &&
		      !memcmp(pol->response,
			      "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nblocked\n",
			      pol->response_len),
	      "a page of 8 bytes: Content-Length 8, the body after the header");
	memset(big, 'x', sizeof(big));
	CHECK(!catoproxy_policy_set_block_page(pol, big, CATOPROXY_BLOCK_PAGE_MAX,
					       &why) &&
		      pol->page_len == CATOPROXY_BLOCK_PAGE_MAX &&
		      pol->response_len <= CATOPROXY_BLOCK_RESPONSE_MAX &&
		      strstr((const char *)pol->response, "Content-Length: 4096\r\n"),
	      "a page of 4096 bytes fits");
	why = NULL;
	CHECK(catoproxy_policy_set_block_page(pol, big, sizeof(big), &why) ==
			      -E2BIG &&
		      why && pol->page_len == CATOPROXY_BLOCK_PAGE_MAX,
	      "4097 bytes are refused, the page stays: %s", why);
	CHECK(!catoproxy_policy_set_block_page(pol, big, 0, &why) &&
		      pol->page_len == 0 &&
		      strstr((const char *)pol->response, "Content-Length: 0\r\n"),
	      "an empty page");

	ports[0] = 80;
	ports[1] = 8080;
	CHECK(!catoproxy_policy_set_page_ports(pol, ports, 2, &why) &&
		      catoproxy_policy_page_port(pol, 8080),
	      "set 80,8080");
	ports[1] = 80;
	why = NULL;
	CHECK(catoproxy_policy_set_page_ports(pol, ports, 2, &why) == -EINVAL &&
		      why && !strcmp(why, "a block-page port is listed twice") &&
		      pol->npage_ports == 2 && pol->page_ports[1] == 8080,
	      "a repeated port is refused, the list stays: %s", why);
	for (i = 0; i < 17; i++)
		ports[i] = (u16)(i + 1);
	why = NULL;
	CHECK(catoproxy_policy_set_page_ports(pol, ports, 17, &why) == -E2BIG &&
		      why && !strcmp(why, "at most 16 block-page ports"),
	      "17 ports are refused: %s", why);
	CHECK(!catoproxy_policy_set_page_ports(pol, ports, 0, &why) &&
		      !catoproxy_policy_page_port(pol, 80),
	      "no port gets the page");
	free(pol);
}

int main(void)
{
	test_modes();
	test_prefixes();
	test_sites();
	test_decide();
	test_force_ports();
	test_adaptive_use();
	test_off();
	test_block_page();
	return unit_done();
}
