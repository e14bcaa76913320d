// SPDX-License-Identifier: GPL-2.0
/*
 * catoproxyctl: configure the catoproxy module of a network namespace over
 * generic netlink.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ipc.h"
#include "netns.h"

bool json_output;
bool timestamp_output;

static const struct {
	const char *subcommand;
	int (*function)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "show", show_main,
	  "Shows the settings (default), the counters, the sites or the connections" },
	{ "set", set_main, "Changes one or more settings at once" },
	{ "site", site_main, "Adds or deletes a site" },
	{ "rule", rule_main, "Adds, deletes, flushes, loads or checks rules" },
	{ "monitor", monitor_main, "Prints connection events as they happen" },
	{ "dump", dump_main, "Prints the whole configuration as a file load takes" },
	{ "load", load_main, "Replaces the whole configuration with a file's, at once" },
};

#define SHORT_USAGE                                                       \
	"Usage: " PROG_NAME " [-j|--json] [-n|--netns NAME] "             \
	"{show|set|site|rule|monitor|dump|load|help} [ARGS]\n"                     \
	"Try `" PROG_NAME " --help' for more information.\n"

static void show_usage(FILE *f)
{
	char set_lines[1024];

	fprintf(f,
		"Usage: " PROG_NAME " [OPTIONS] <cmd> [<args>]\n"
		"\n"
		"Options:\n"
		"  -j, --json          print JSON instead of text\n"
		"  -n, --netns NAME    act on network namespace NAME, as `ip -n' does\n"
		"  -t, --timestamp     monitor: prefix each event with the time\n"
		"  -h, --help          show this help\n"
		"      --version       show the version\n"
		"\n"
		"Available subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-7s %s\n", subcommands[i].subcommand,
			subcommands[i].description);
	fprintf(f,
		"\n"
		"  show [config|stats [prometheus]|sites|rules|block-page]\n"
		"  show conns [src ADDR[/PLEN]] [dst ADDR[/PLEN]] [sport P[-Q]] [dport P[-Q]]\n"
		"             [state STATE] [mode MODE] [count]\n");
	format_set_usage(set_lines, sizeof(set_lines), "  set ", false);
	fputs(set_lines, f);
	fprintf(f,
		"  site add NAME prefix CIDR [prefix CIDR ...] [mode {full|delayed|adaptive|off|inherit}]\n"
		"  site del NAME\n"
		"  rule add [pos N] [src CIDR] [dst CIDR] [sport P[-Q]] [dport P[-Q]]\n"
		"           [sni NAME] [host NAME] [path MARK] action {allow|block|bypass}\n"
		"  rule del ID\n"
		"  rule flush\n"
		"  rule load {FILE|-}\n"
		"  rule check [FILE|-]\n"
		"  monitor [-t|--timestamp]\n"
		"  dump\n"
		"  load {FILE|-}\n"
		"  help [SUBCOMMAND]\n"
		"\n"
		"Several KEY VALUE pairs may follow one `set'; they are applied together.\n"
		"With no subcommand, `show config' is run. `SUBCOMMAND help' shows its usage.\n");
}

void usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage, stderr);
}

bool is_help(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "-h") ||
	       !strcmp(word, "--help");
}

int print_help(const char *usage)
{
	fputs(usage, stdout);
	return EXIT_OK;
}

/* A full disk must not pass for success. */
static int flush_stdout(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write output: %s\n", PROG_NAME,
			strerror(errno));
		return EXIT_RUNTIME;
	}
	return ret;
}

static int run(int argc, char *argv[])
{
	static char *show_config[] = { "show", NULL };
	static char help[] = "help";
	char *sub_help[] = { argv[0], help, NULL };

	if (argc == 0)
		return show_main(1, show_config);
	if (!strcmp(argv[0], "help")) {
		/* `help show' is `show help'. */
		if (argc > 2) {
			usage_error(SHORT_USAGE, "Unexpected argument `%s'",
				    argv[2]);
			return EXIT_USAGE;
		}
		if (argc == 1 || !strcmp(argv[1], "help")) {
			show_usage(stdout);
			return EXIT_OK;
		}
		sub_help[0] = argv[1];
		argv = sub_help;
		argc = 2;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[0], subcommands[i].subcommand))
			return subcommands[i].function(argc, argv);
	usage_error(SHORT_USAGE, "Invalid subcommand: `%s'", argv[0]);
	return EXIT_USAGE;
}

int main(int argc, char *argv[])
{
	const char *netns = NULL;
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "--")) {
			i++;
			break;
		} else if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			json_output = true;
		} else if (!strcmp(opt, "-t") || !strcmp(opt, "--timestamp")) {
			timestamp_output = true;
		} else if (!strcmp(opt, "-n") || !strcmp(opt, "--netns")) {
			if (i + 1 >= argc) {
				usage_error(SHORT_USAGE,
					    "Missing value for `%s'", opt);
				return EXIT_USAGE;
			}
			netns = argv[++i];
		} else if (!strncmp(opt, "--netns=", 8)) {
			netns = opt + 8;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			show_usage(stdout);
			return flush_stdout(EXIT_OK);
		} else if (!strcmp(opt, "--version")) {
			printf("%s %s\n", PROG_NAME, CATOPROXYCTL_VERSION);
			return flush_stdout(EXIT_OK);
		} else {
			usage_error(SHORT_USAGE, "Invalid option `%s'", opt);
			return EXIT_USAGE;
		}
	}
	if (netns) {
		if (!netns_name_valid(netns)) {
			usage_error(SHORT_USAGE,
				    "Invalid network namespace name `%s'",
				    netns);
			return EXIT_USAGE;
		}
		/* Entered only when a request is about to go out, so that a
		 * mistyped command is reported as such first. */
		ipc_set_netns(netns);
	}

	ret = run(argc - i, argv + i);
	/* Scripts tell "not loaded" from a refusal without reading stderr. */
	if (ret == EXIT_RUNTIME && ipc_module_missing())
		ret = EXIT_NO_MODULE;
	return flush_stdout(ret);
}
