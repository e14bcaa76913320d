// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ipc.h"
#include "json.h"

#define MONITOR_USAGE "Usage: " PROG_NAME " [-j] [-n NAME] monitor\n"

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Readers follow the stream line by line: each event goes out at once. */
static int print_event(const struct conn_info *c, void *data)
{
	struct json j;

	(void)data;
	if (json_output) {
		json_init(&j, stdout);
		conn_json(&j, c, true);
		json_finish(&j);
	} else {
		conn_print_event(stdout, c);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write output: %s\n", PROG_NAME,
			strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ipc_error e;
	int ret;

	if (argc > 1) {
		usage_error(MONITOR_USAGE, "Unexpected argument `%s'", argv[1]);
		return EXIT_USAGE;
	}
	/*
	 * Without SA_RESTART the wait for the next event returns, so that
	 * an interrupt ends the stream as a normal end, exit status 0.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = ipc_monitor(print_event, NULL, &stop, &e);
	if (ret < 0) {
		ipc_perror("monitor", &e);
		return EXIT_RUNTIME;
	}
	return ret;
}
