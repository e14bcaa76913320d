// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "filter.h"
#include "ipc.h"
#include "json.h"
#include "prom.h"

#define SHOW_CONNS_USAGE                                                     \
	"Usage: " PROG_NAME " [-j] [-n NAME] show conns [src ADDR[/PLEN]] "   \
	"[dst ADDR[/PLEN]]\n"                                                 \
	"           [sport P[-Q]] [dport P[-Q]] [state STATE] [mode MODE] "  \
	"[count]\n"
#define SHOW_STATS_USAGE \
	"Usage: " PROG_NAME " [-j] [-n NAME] show stats [prometheus]\n"
#define SHOW_USAGE                                                           \
	"Usage: " PROG_NAME " [-j] [-n NAME] show "                           \
	"[config|stats [prometheus]|sites|rules|block-page]\n"                \
	"       " PROG_NAME " [-j] [-n NAME] show conns [src ADDR[/PLEN]] "   \
	"[dst ADDR[/PLEN]]\n"                                                 \
	"           [sport P[-Q]] [dport P[-Q]] [state STATE] [mode MODE] "  \
	"[count]\n"

static int show_config(void)
{
	struct ctl_config cfg;
	struct ipc_error e;

	if (ipc_get_config(&cfg, &e)) {
		ipc_perror("show config", &e);
		return EXIT_RUNTIME;
	}
	print_config(stdout, &cfg, json_output);
	return EXIT_OK;
}

static int show_stats(int argc, char *argv[])
{
	bool prometheus = false;
	struct ipc_stats stats;
	struct ipc_error e;
	struct json j;
	char buf[32];

	if (argc == 1 && is_help(argv[0]))
		return print_help(SHOW_STATS_USAGE);
	if (argc > 1) {
		usage_error(SHOW_STATS_USAGE, "Unexpected argument `%s'",
			    argv[1]);
		return EXIT_USAGE;
	}
	if (argc == 1) {
		if (strcmp(argv[0], "prometheus")) {
			usage_error(SHOW_STATS_USAGE,
				    "Invalid format `%s': expected prometheus",
				    argv[0]);
			return EXIT_USAGE;
		}
		if (json_output) {
			usage_error(SHOW_STATS_USAGE,
				    "-j and prometheus are two formats: give one");
			return EXIT_USAGE;
		}
		prometheus = true;
	}
	if (ipc_get_stats(&stats, &e)) {
		ipc_perror("show stats", &e);
		return EXIT_RUNTIME;
	}
	if (prometheus) {
		print_stats_prometheus(stdout, &stats);
		free(stats.v);
		return EXIT_OK;
	}
	json_init(&j, stdout);
	if (json_output)
		json_object_begin(&j);
	for (size_t i = 0; i < stats.n; i++) {
		const char *name = stat_name(stats.v[i].type);

		if (!name) {
			snprintf(buf, sizeof(buf), "stat_%u", stats.v[i].type);
			name = buf;
		}
		if (json_output) {
			json_key(&j, name);
			json_u64(&j, stats.v[i].value);
		} else {
			printf("%s: %" PRIu64 "\n", name, stats.v[i].value);
		}
	}
	/* A gauge after the counters, in the same flat form. */
	if (stats.has_adaptive_entries) {
		if (json_output) {
			json_key(&j, "adaptive_entries");
			json_u64(&j, stats.adaptive_entries);
		} else {
			printf("adaptive_entries: %" PRIu32 "\n",
			       stats.adaptive_entries);
		}
	}
	if (json_output) {
		json_object_end(&j);
		json_finish(&j);
	}
	free(stats.v);
	return EXIT_OK;
}

/* Names come from the kernel: keep terminal control bytes off the screen. */
static void print_safe(const char *s, int width)
{
	int n = 0;

	for (; *s; s++, n++)
		putchar(*s > 0x20 && *s < 0x7f ? *s : '?');
	for (; n < width; n++)
		putchar(' ');
}

static void show_sites_text(const struct ipc_sites *sites)
{
	int wname = strlen("NAME"), wid = strlen("ID");
	char b1[32], b2[32], prefix[PREFIX_STR_MAX];

	for (size_t i = 0; i < sites->n; i++) {
		int n = strlen(sites->v[i].site.name);
		int idw = snprintf(NULL, 0, "%" PRIu32, sites->v[i].site.id);

		if (n > wname)
			wname = n;
		if (idw > wid)
			wid = idw;
	}
	printf("%-*s  %-*s  %-8s  %-9s  %s\n", wname, "NAME", wid, "ID", "MODE",
	       "EFFECTIVE", "PREFIXES");
	for (size_t i = 0; i < sites->n; i++) {
		const struct ctl_site *s = &sites->v[i];

		print_safe(s->site.name, wname);
		printf("  %-*" PRIu32 "  %-8s  %-9s  ", wid, s->site.id,
		       mode_str(s->site.mode, b1, sizeof(b1)),
		       mode_str(s->effective_mode, b2, sizeof(b2)));
		for (unsigned int k = 0; k < s->site.nprefixes; k++) {
			format_prefix(&s->site.prefixes[k], prefix,
				      sizeof(prefix));
			printf("%s%s", k ? "," : "", prefix);
		}
		putchar('\n');
	}
}

static void show_sites_json(const struct ipc_sites *sites)
{
	char b1[32], prefix[PREFIX_STR_MAX];
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < sites->n; i++) {
		const struct ctl_site *s = &sites->v[i];

		json_object_begin(&j);
		json_key(&j, "id");
		json_u64(&j, s->site.id);
		json_key(&j, "name");
		json_string(&j, s->site.name);
		json_key(&j, "mode");
		json_string(&j, mode_str(s->site.mode, b1, sizeof(b1)));
		json_key(&j, "effective_mode");
		json_string(&j, mode_str(s->effective_mode, b1, sizeof(b1)));
		/* One element for each `prefix' that `site add' takes. */
		json_key(&j, "prefix");
		json_array_begin(&j);
		for (unsigned int k = 0; k < s->site.nprefixes; k++) {
			format_prefix(&s->site.prefixes[k], prefix,
				      sizeof(prefix));
			json_string(&j, prefix);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_finish(&j);
}

static int show_sites(void)
{
	struct ipc_sites sites;
	struct ipc_error e;

	if (ipc_get_sites(&sites, &e)) {
		ipc_perror("show sites", &e);
		return EXIT_RUNTIME;
	}
	if (json_output)
		show_sites_json(&sites);
	else
		show_sites_text(&sites);
	free(sites.v);
	return EXIT_OK;
}

static int show_conns(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct conn_filter f;
	struct ipc_conns conns;
	struct ipc_error e;
	struct json j;
	size_t n = 0;

	if (argc == 1 && is_help(argv[0]))
		return print_help(SHOW_CONNS_USAGE);
	if (conn_filter_parse(argc, argv, &f, err, sizeof(err))) {
		usage_error(SHOW_CONNS_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	if (ipc_get_conns(&conns, &e)) {
		ipc_perror("show conns", &e);
		return EXIT_RUNTIME;
	}
	/* The kernel dumps every connection: the filters apply here. */
	for (size_t i = 0; i < conns.n; i++)
		if (conn_filter_match(&f, &conns.v[i]))
			conns.v[n++] = conns.v[i];
	conns.n = n;
	if (f.flags & CONN_FILTER_COUNT) {
		if (json_output) {
			json_init(&j, stdout);
			json_object_begin(&j);
			json_key(&j, "count");
			json_u64(&j, conns.n);
			json_object_end(&j);
			json_finish(&j);
		} else {
			printf("%zu\n", conns.n);
		}
	} else if (json_output) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (size_t i = 0; i < conns.n; i++)
			conn_json(&j, &conns.v[i], false);
		json_array_end(&j);
		json_finish(&j);
	} else {
		conn_print_table(stdout, conns.v, conns.n);
	}
	free(conns.v);
	return EXIT_OK;
}

static void rule_words(const struct catoproxy_rule *r, char *src, char *dst,
		       char *sp, char *dp, size_t len)
{
	snprintf(src, len, "any");
	snprintf(dst, len, "any");
	if (r->flags & CATOPROXY_RULE_F_SRC)
		format_prefix(&r->src, src, len);
	if (r->flags & CATOPROXY_RULE_F_DST)
		format_prefix(&r->dst, dst, len);
	format_port_range(r->sport_min, r->sport_max, sp, len);
	format_port_range(r->dport_min, r->dport_max, dp, len);
}

static void show_rules_text(const struct ipc_rules *rules)
{
	char src[PREFIX_STR_MAX], dst[PREFIX_STR_MAX], sp[PREFIX_STR_MAX],
		dp[PREFIX_STR_MAX], b[32];
	int wsrc = 3, wdst = 3;

	for (size_t i = 0; i < rules->n; i++) {
		rule_words(&rules->v[i].rule, src, dst, sp, dp, sizeof(src));
		if ((int)strlen(src) > wsrc)
			wsrc = strlen(src);
		if ((int)strlen(dst) > wdst)
			wdst = strlen(dst);
	}
	/* The payload match last: a name is up to 253 bytes. */
	printf("%-5s  %-6s  %-*s  %-*s  %-11s  %-11s  %-6s  %-10s  %-10s  %s\n",
	       "POS", "ID", wsrc, "SRC", wdst, "DST", "SPORT", "DPORT",
	       "ACTION", "HITS", "PATH", "MATCH");
	for (size_t i = 0; i < rules->n; i++) {
		const struct ctl_rule *r = &rules->v[i];
		char path[16] = "-";

		rule_words(&r->rule, src, dst, sp, dp, sizeof(src));
		if (r->rule.flags & CATOPROXY_RULE_F_PATH)
			format_path(r->rule.path, path, sizeof(path));
		printf("%-5" PRIu32 "  %-6" PRIu32 "  %-*s  %-*s  %-11s  %-11s  %-6s  %-10" PRIu64 "  %-10s  %s%s\n",
		       r->pos, r->rule.id, wsrc, src, wdst, dst, sp, dp,
		       or_unknown(catoproxy_rule_action_name(r->rule.action),
				  r->rule.action, b, sizeof(b)),
		       r->hits, path,
		       r->rule.match == CATOPROXY_RULE_MATCH_SNI ? "sni " :
		       r->rule.match == CATOPROXY_RULE_MATCH_HOST ? "host " :
								    "-",
		       r->rule.match ? r->rule.name : "");
	}
}

static void json_port_range(struct json *j, u16 lo, u16 hi)
{
	char b[PREFIX_STR_MAX];

	if (!lo && hi == 65535) {
		json_null(j);
		return;
	}
	format_port_range(lo, hi, b, sizeof(b));
	json_string(j, b);
}

static void show_rules_json(const struct ipc_rules *rules)
{
	char prefix[PREFIX_STR_MAX], b[32];
	struct json j;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (size_t i = 0; i < rules->n; i++) {
		const struct ctl_rule *r = &rules->v[i];

		json_object_begin(&j);
		json_key(&j, "pos");
		json_u64(&j, r->pos);
		json_key(&j, "id");
		json_u64(&j, r->rule.id);
		json_key(&j, "family");
		json_string(&j, r->rule.family == AF_INET ? "ipv4" :
				r->rule.family == AF_INET6 ? "ipv6" :
							     "any");
		json_key(&j, "src");
		if (r->rule.flags & CATOPROXY_RULE_F_SRC) {
			format_prefix(&r->rule.src, prefix, sizeof(prefix));
			json_string(&j, prefix);
		} else {
			json_null(&j);
		}
		json_key(&j, "dst");
		if (r->rule.flags & CATOPROXY_RULE_F_DST) {
			format_prefix(&r->rule.dst, prefix, sizeof(prefix));
			json_string(&j, prefix);
		} else {
			json_null(&j);
		}
		/* The words `rule add' takes: "80", "1024-65535", null for any. */
		json_key(&j, "sport");
		json_port_range(&j, r->rule.sport_min, r->rule.sport_max);
		json_key(&j, "dport");
		json_port_range(&j, r->rule.dport_min, r->rule.dport_max);
		json_key(&j, "action");
		json_string(&j, or_unknown(catoproxy_rule_action_name(r->rule.action),
					   r->rule.action, b, sizeof(b)));
		json_key(&j, "hits");
		json_u64(&j, r->hits);
		/* The words `rule add' takes; null when the rule has none. */
		json_key(&j, "sni");
		if (r->rule.match == CATOPROXY_RULE_MATCH_SNI)
			json_string(&j, r->rule.name);
		else
			json_null(&j);
		json_key(&j, "host");
		if (r->rule.match == CATOPROXY_RULE_MATCH_HOST)
			json_string(&j, r->rule.name);
		else
			json_null(&j);
		json_key(&j, "path");
		if (r->rule.flags & CATOPROXY_RULE_F_PATH)
			json_u64(&j, r->rule.path);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_finish(&j);
}

static int show_rules(void)
{
	struct ipc_rules rules;
	struct ipc_error e;

	if (ipc_get_rules(&rules, &e)) {
		ipc_perror("show rules", &e);
		return EXIT_RUNTIME;
	}
	if (json_output)
		show_rules_json(&rules);
	else
		show_rules_text(&rules);
	free(rules.v);
	return EXIT_OK;
}

/* The body as it was set, byte for byte, for `set block-page' to take. */
static int show_block_page(void)
{
	struct ctl_config cfg;
	struct ipc_error e;

	if (ipc_get_config(&cfg, &e)) {
		ipc_perror("show block-page", &e);
		return EXIT_RUNTIME;
	}
	if (json_output) {
		struct json j;

		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "block_page");
		json_string_len(&j, (const char *)cfg.block_page,
				cfg.block_page_len);
		json_object_end(&j);
		json_finish(&j);
	} else {
		fwrite(cfg.block_page, 1, cfg.block_page_len, stdout);
	}
	return EXIT_OK;
}

int show_main(int argc, char *argv[])
{
	const char *what = argc > 1 ? argv[1] : "config";

	if (is_help(what))
		return print_help(SHOW_USAGE);
	/* The targets that take words of their own. */
	if (!strcmp(what, "stats"))
		return show_stats(argc - 2, argv + 2);
	if (!strcmp(what, "conns"))
		return show_conns(argc - 2, argv + 2);
	if (argc > 2) {
		usage_error(SHOW_USAGE, "Unexpected argument `%s'", argv[2]);
		return EXIT_USAGE;
	}
	if (!strcmp(what, "config"))
		return show_config();
	if (!strcmp(what, "sites"))
		return show_sites();
	if (!strcmp(what, "rules"))
		return show_rules();
	if (!strcmp(what, "block-page"))
		return show_block_page();
	usage_error(SHOW_USAGE,
		    "Invalid show target `%s': expected config, stats, sites, conns, rules or block-page",
		    what);
	return EXIT_USAGE;
}
