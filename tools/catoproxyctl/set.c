// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "ctl.h"
#include "ipc.h"

#define SET_USAGE                                                              \
	"Usage: " PROG_NAME " set KEY VALUE [KEY VALUE ...]\n"                 \
	"  mode {full|delayed|adaptive|off}\n"                                 \
	"  tls-inspection {on|off}\n"                                          \
	"  blocked-syn {handshake|drop}\n"                                     \
	"  challenge-ack {allow|strict}\n"                                     \
	"  server-timeout MS (100 to 600000)\n"                                \
	"  syn-backlog N (0 to 1000000)\n"                                     \
	"  force-full-ports {PORT[,PORT...]|none} (at most 16)\n"              \
	"  adaptive-ttl SECONDS (1 to 86400)\n"                                \
	"  adaptive-size N (64 to 262144)\n"

int set_main(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct set_args a;
	struct ipc_error e;

	if (parse_set_args(argc - 1, argv + 1, &a, err, sizeof(err))) {
		usage_error(SET_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	/* One request, so the kernel applies all pairs or none. */
	if (ipc_set_config(&a, &e)) {
		ipc_perror("set", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
