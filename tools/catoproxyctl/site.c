// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ipc.h"

#define SITE_ADD_USAGE                                                         \
	"Usage: " PROG_NAME " site add NAME prefix CIDR [prefix CIDR ...] "    \
	"[mode {full|delayed|adaptive|off|inherit}]\n"
#define SITE_DEL_USAGE "Usage: " PROG_NAME " site del NAME\n"
#define SITE_USAGE SITE_ADD_USAGE "       " PROG_NAME " site del NAME\n"

static int site_add(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct ctl_site a;
	struct ipc_error e;

	if (parse_site_add_args(argc, argv, &a, err, sizeof(err))) {
		usage_error(SITE_ADD_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	if (ipc_add_site(&a, &e)) {
		ipc_perror("site add", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int site_del(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct ipc_error e;
	const char *name;

	if (parse_site_del_args(argc, argv, &name, err, sizeof(err))) {
		usage_error(SITE_DEL_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	if (ipc_del_site(name, &e)) {
		ipc_perror("site del", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int site_main(int argc, char *argv[])
{
	if (argc == 2 && is_help(argv[1]))
		return print_help(SITE_USAGE);
	if (argc < 2) {
		usage_error(SITE_USAGE, "Missing site command: expected add or del");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "add"))
		return site_add(argc - 2, argv + 2);
	if (!strcmp(argv[1], "del"))
		return site_del(argc - 2, argv + 2);
	usage_error(SITE_USAGE, "Invalid site command `%s': expected add or del",
		    argv[1]);
	return EXIT_USAGE;
}
