// SPDX-License-Identifier: GPL-2.0
/*
 * dump: the running configuration as a file `load' applies (conf.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "ctl.h"
#include "ipc.h"

#define DUMP_USAGE "Usage: " PROG_NAME " [-n NAME] dump\n"
/* Reads that keep racing with changes are reported, not retried forever. */
#define DUMP_TRIES 3

int dump_main(int argc, char *argv[])
{
	struct ipc_sites sites = { 0 };
	struct ipc_rules rules = { 0 };
	struct ctl_config cfg;
	struct ipc_error e;
	int tries;

	if (argc == 2 && is_help(argv[1]))
		return print_help(DUMP_USAGE);
	if (argc > 1) {
		usage_error(DUMP_USAGE, "Unexpected argument `%s'", argv[1]);
		return EXIT_USAGE;
	}
	/*
	 * Three requests: the counts the configuration reports after the
	 * lists tell a change in between (mostly) from none.
	 */
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		if (ipc_get_sites(&sites, &e)) {
			ipc_perror("dump", &e);
			return EXIT_RUNTIME;
		}
		if (ipc_get_rules(&rules, &e)) {
			free(sites.v);
			ipc_perror("dump", &e);
			return EXIT_RUNTIME;
		}
		if (ipc_get_config(&cfg, &e)) {
			free(sites.v);
			free(rules.v);
			ipc_perror("dump", &e);
			return EXIT_RUNTIME;
		}
		if (cfg.site_count == sites.n &&
		    (!(cfg.flags & CONFIG_HAS(CONFIG_RULE_COUNT)) ||
		     cfg.rule_count == rules.n))
			break;
		free(sites.v);
		free(rules.v);
	}
	if (tries == DUMP_TRIES) {
		fprintf(stderr,
			"%s: dump: the configuration kept changing while being read\n",
			PROG_NAME);
		return EXIT_RUNTIME;
	}
	conf_write(stdout, &cfg, sites.v, sites.n, rules.v, rules.n);
	free(sites.v);
	free(rules.v);
	return EXIT_OK;
}
