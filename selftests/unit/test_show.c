// SPDX-License-Identifier: GPL-2.0
/*
 * What `show conns' filters and `show stats prometheus' prints, on the
 * host: the filter words and their messages word for word, which
 * connections pass, and the exposition text byte for byte.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "parse.h"
#include "prom.h"
#include "unit.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char err[PARSE_ERR_MAX];

static struct conn_info conn(const char *src, unsigned int sport,
			     const char *dst, unsigned int dport, u8 state,
			     u8 mode)
{
	struct conn_info c = { .sport = sport, .dport = dport,
			       .state = state, .mode = mode };

	c.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, src, c.saddr);
	inet_pton(c.family, dst, c.daddr);
	return c;
}

/* Parses @argv as "show conns" would; the number of @v's that match. */
static int matches(int argc, char **argv, const struct conn_info *v,
		   size_t n, struct conn_filter *f)
{
	int hits = 0;

	if (conn_filter_parse(argc, argv, f, err, sizeof(err)))
		return -1;
	for (size_t i = 0; i < n; i++)
		hits += conn_filter_match(f, &v[i]);
	return hits;
}

static void refused(int argc, char **argv, const char *want)
{
	struct conn_filter f;
	int ret = conn_filter_parse(argc, argv, &f, err, sizeof(err));

	CHECK(ret == -1 && !strcmp(err, want), "refused: %s (got: %s)", want,
	      ret ? err : "accepted");
}

static void test_filter(void)
{
	const struct conn_info v[] = {
		conn("10.0.1.2", 41000, "10.0.2.2", 80, CATOPROXY_CONN_SPLICED,
		     CATOPROXY_MODE_FULL),
		conn("10.0.1.3", 41001, "10.0.2.2", 443, CATOPROXY_CONN_OPENING,
		     CATOPROXY_MODE_FULL),
		conn("10.0.9.2", 50000, "10.0.2.9", 80, CATOPROXY_CONN_ENGAGED,
		     CATOPROXY_MODE_DELAYED),
		conn("fd00:1::2", 41000, "fd00:2::2", 80,
		     CATOPROXY_CONN_WAITING, CATOPROXY_MODE_ADAPTIVE),
		conn("fd00:1::3", 60000, "fd00:2::3", 8080,
		     CATOPROXY_CONN_SPLICED, CATOPROXY_MODE_FULL),
	};
	const size_t n = sizeof(v) / sizeof(v[0]);
	struct conn_filter f;
	char *none[] = { NULL };
	char *count[] = { "count" };
	char *src24[] = { "src", "10.0.1.0/24" };
	char *src_host[] = { "src", "10.0.1.3" };
	char *src6[] = { "src", "fd00:1::/64" };
	char *all4[] = { "src", "0.0.0.0/0" };
	char *all6[] = { "dst", "::/0" };
	char *dst_port[] = { "dst", "10.0.2.2", "dport", "80" };
	char *sport_range[] = { "sport", "41000-50000" };
	char *dport_80[] = { "dport", "80" };
	char *state[] = { "state", "spliced" };
	char *mode[] = { "mode", "full", "count" };
	char *and[] = { "count", "mode", "full", "state", "spliced", "src",
			"fd00:1::/64", "dport", "8080", "sport", "60000" };
	char *and_miss[] = { "mode", "full", "state", "spliced", "dst",
			     "10.0.2.2", "dport", "443" };
	char *blocked[] = { "state", "blocked" };

	CHECK(matches(0, none, v, n, &f) == 5 && !f.flags,
	      "no filter: every connection");
	CHECK(matches(ARGC(count), count, v, n, &f) == 5 &&
		      f.flags == CONN_FILTER_COUNT,
	      "count alone filters nothing");
	CHECK(matches(ARGC(src24), src24, v, n, &f) == 2, "src 10.0.1.0/24");
	CHECK(matches(ARGC(src_host), src_host, v, n, &f) == 1,
	      "src with a bare address: that host");
	CHECK(matches(ARGC(src6), src6, v, n, &f) == 2, "src fd00:1::/64");
	CHECK(matches(ARGC(all4), all4, v, n, &f) == 3,
	      "src 0.0.0.0/0: IPv4 only");
	CHECK(matches(ARGC(all6), all6, v, n, &f) == 2, "dst ::/0: IPv6 only");
	CHECK(matches(ARGC(dst_port), dst_port, v, n, &f) == 1,
	      "dst 10.0.2.2 dport 80");
	CHECK(matches(ARGC(sport_range), sport_range, v, n, &f) == 4,
	      "sport 41000-50000: both ends included");
	CHECK(matches(ARGC(dport_80), dport_80, v, n, &f) == 3, "dport 80");
	CHECK(matches(ARGC(state), state, v, n, &f) == 2, "state spliced");
	CHECK(matches(ARGC(mode), mode, v, n, &f) == 3 &&
		      (f.flags & CONN_FILTER_COUNT),
	      "mode full, count after it");
	CHECK(matches(ARGC(and), and, v, n, &f) == 1,
	      "five filters and count, in any order: AND");
	CHECK(matches(ARGC(and_miss), and_miss, v, n, &f) == 0,
	      "every filter must match: none does all four");
	CHECK(matches(ARGC(blocked), blocked, v, n, &f) == 0,
	      "state blocked: none");

	{
		char *a[] = { "source", "10.0.0.0/8" };
		refused(ARGC(a), a,
			"Invalid argument `source': expected src, dst, sport, dport, state, mode or count");
	}
	{
		char *a[] = { "src", "10.0.0.0/8", "src", "10.0.0.0/8" };
		refused(ARGC(a), a, "Duplicate key `src'");
	}
	{
		char *a[] = { "count", "count" };
		refused(ARGC(a), a, "Duplicate key `count'");
	}
	{
		char *a[] = { "dport" };
		refused(ARGC(a), a, "Missing value for `dport'");
	}
	{
		char *a[] = { "src", "10.0.1.2/24" };
		refused(ARGC(a), a,
			"Invalid prefix `10.0.1.2/24': host bits set, did you mean 10.0.1.0/24?");
	}
	{
		char *a[] = { "dst", "10.0.0.256" };
		refused(ARGC(a), a,
			"Invalid prefix `10.0.0.256': `10.0.0.256' is not an IPv4 address");
	}
	{
		char *a[] = { "sport", "9-8" };
		refused(ARGC(a), a, "Invalid port range `9-8' for `sport': 9 is above 8");
	}
	{
		char *a[] = { "dport", "65536" };
		refused(ARGC(a), a,
			"Invalid port range `65536' for `dport': expected PORT or LOW-HIGH, ports from 0 to 65535");
	}
	{
		char *a[] = { "state", "established" };
		refused(ARGC(a), a,
			"Invalid state `established': expected pass, opening, spliced, failed, waiting, engaged, blocked or inspecting");
	}
	{
		char *a[] = { "mode", "inherit" };
		refused(ARGC(a), a,
			"Invalid mode `inherit': expected full, delayed, adaptive or off");
	}
}

static void write_prom(FILE *f, const void *arg)
{
	print_stats_prometheus(f, arg);
}

static char *capture(const struct ipc_stats *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	write_prom(f, s);
	fclose(f);
	return out;
}

/*
 * Every line of @text a HELP, a TYPE or a sample of the metric they name,
 * in that order, names [a-zA-Z_:][a-zA-Z0-9_:]*, each metric once.
 */
static int prom_lines_valid(const char *text, int *nmetrics)
{
	char name[128] = "", seen[8192] = " ";
	const char *p = text;
	int state = 0; /* 0: HELP next, 1: TYPE, 2: the sample */

	*nmetrics = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[512], word[160], type[16];
		size_t len;
		unsigned long long v;
		int used = 0;

		if (!nl || (size_t)(nl - p) >= sizeof(line))
			return 0;
		len = nl - p;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (state == 0) {
			if (sscanf(line, "# HELP %127s %n", name, &used) != 1 ||
			    !used || !line[used])
				return 0;
			if (!isalpha((unsigned char)name[0]) && name[0] != '_')
				return 0;
			for (const char *c = name; *c; c++)
				if (!isalnum((unsigned char)*c) && *c != '_' &&
				    *c != ':')
					return 0;
			snprintf(word, sizeof(word), " %s ", name);
			if (strstr(seen, word))
				return 0;
			strncat(seen, word + 1, sizeof(seen) - strlen(seen) - 1);
		} else if (state == 1) {
			if (sscanf(line, "# TYPE %127s %15s", word, type) != 2 ||
			    strcmp(word, name) ||
			    (strcmp(type, "counter") && strcmp(type, "gauge")))
				return 0;
			/* counters end in _total, gauges do not */
			len = strlen(name);
			if (!strcmp(type, "counter") !=
			    (len > 6 && !strcmp(name + len - 6, "_total")))
				return 0;
		} else {
			if (sscanf(line, "%127s %llu%n", word, &v, &used) != 2 ||
			    strcmp(word, name) || line[used])
				return 0;
			(*nmetrics)++;
		}
		state = (state + 1) % 3;
	}
	return state == 0;
}

static void test_prometheus(void)
{
	struct ipc_stat v[] = {
		{ CATOPROXY_STAT_CONN_TRACKED, 12 },
		{ CATOPROXY_STAT_SERVER_TIMEOUT, 18446744073709551615ULL },
		{ CATOPROXY_STAT_MAX + 1, 7 },
	};
	struct ipc_stats s = { .n = 3, .v = v, .has_adaptive_entries = true,
			       .adaptive_entries = 3 };
	struct ipc_stat all[CATOPROXY_STAT_MAX + 1];
	struct ipc_stats every = { .v = all };
	char *out = capture(&s), want[1024];
	int n;

	/* The counter after our last one is named by its number. */
	snprintf(want, sizeof(want),
		 "# HELP catoproxy_conn_tracked_total Forwarded TCP connections given per-connection state.\n"
		 "# TYPE catoproxy_conn_tracked_total counter\n"
		 "catoproxy_conn_tracked_total 12\n"
		 "# HELP catoproxy_server_timeout_total Server halves that never answered in time; the client was reset.\n"
		 "# TYPE catoproxy_server_timeout_total counter\n"
		 "catoproxy_server_timeout_total 18446744073709551615\n"
		 "# HELP catoproxy_stat_%1$d_total Counter %1$d, newer than this catoproxyctl.\n"
		 "# TYPE catoproxy_stat_%1$d_total counter\n"
		 "catoproxy_stat_%1$d_total 7\n"
		 "# HELP catoproxy_adaptive_entries Server addresses and ports the adaptive cache holds now.\n"
		 "# TYPE catoproxy_adaptive_entries gauge\n"
		 "catoproxy_adaptive_entries 3\n",
		 CATOPROXY_STAT_MAX + 1);
	CHECK(out && !strcmp(out, want),
	      "prometheus: counters, one newer than us, the gauge");
	free(out);

	s.has_adaptive_entries = false;
	s.n = 0;
	out = capture(&s);
	CHECK(out && !strcmp(out, ""), "prometheus: no counter, no gauge");
	free(out);

	for (unsigned int t = CATOPROXY_STAT_CONN_TRACKED;
	     t <= CATOPROXY_STAT_MAX; t++) {
		CHECK(stat_name(t) && stat_help(t) && stat_help(t)[0] &&
			      !strchr(stat_help(t), '\\') &&
			      !strchr(stat_help(t), '\n'),
		      "counter %u (%s) has a one-line help text", t,
		      stat_name(t));
		all[every.n++] = (struct ipc_stat){ t, t };
	}
	CHECK(!stat_help(CATOPROXY_STAT_PAD) &&
		      !stat_help(CATOPROXY_STAT_MAX + 1),
	      "no help for the pad or a counter newer than us");
	every.has_adaptive_entries = true;
	out = capture(&every);
	CHECK(out && prom_lines_valid(out, &n) &&
		      n == CATOPROXY_STAT_MAX - CATOPROXY_STAT_CONN_TRACKED + 2,
	      "every counter and the gauge: valid exposition lines, %d metrics",
	      n);
	free(out);
	CHECK(!prom_lines_valid("# HELP a_total x\n# TYPE a_total gauge\na_total 1\n", &n),
	      "the checker refuses a gauge named _total");
	CHECK(!prom_lines_valid("# HELP a x\n# TYPE a counter\na 1\n", &n),
	      "the checker refuses a counter without _total");
}

int main(void)
{
	test_filter();
	test_prometheus();
	return unit_done();
}
