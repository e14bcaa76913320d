/* SPDX-License-Identifier: GPL-2.0 */
/* What the subcommands share with main(). */
#ifndef _CATOPROXYCTL_CTL_H
#define _CATOPROXYCTL_CTL_H

#include <stdbool.h>

/* Fixed rather than argv[0] so that scripts can match our messages. */
#define PROG_NAME "catoproxyctl"
#define CATOPROXYCTL_VERSION "0.1.0"

enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1, /* we refused the command line */
	EXIT_RUNTIME = 2, /* the kernel or netlink refused the request */
	EXIT_NO_MODULE = 3, /* no catoproxy generic netlink family */
};

extern bool json_output;
/* -t, --timestamp: monitor stamps each event. */
extern bool timestamp_output;

int show_main(int argc, char *argv[]);
int set_main(int argc, char *argv[]);
int site_main(int argc, char *argv[]);
int rule_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int dump_main(int argc, char *argv[]);
int load_main(int argc, char *argv[]);

/* "Invalid ..." lines go first, then the usage of what was mistyped. */
void usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "help", "-h" or "--help": asks for the usage, which goes to stdout. */
bool is_help(const char *word);
/* @usage on stdout; EXIT_OK. */
int print_help(const char *usage);

#endif /* _CATOPROXYCTL_CTL_H */
