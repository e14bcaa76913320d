// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ipc.h"
#include "json.h"

#define MONITOR_USAGE                                                  \
	"Usage: " PROG_NAME " [-j] [-n NAME] monitor [-t|--timestamp]\n"

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Readers follow the stream line by line: each event goes out at once.
 * With @data, each carries the time it was read, as `ip -t monitor' and
 * `conntrack -E -o timestamp' print it: the kernel's events have none.
 */
static int print_event(const struct conn_info *c, void *data)
{
	struct conn_info stamped;
	struct timespec now;
	struct json j;

	if (data) {
		clock_gettime(CLOCK_REALTIME, &now);
		stamped = *c;
		stamped.has_time = true;
		stamped.time_sec = now.tv_sec;
		stamped.time_usec = now.tv_nsec / 1000;
		c = &stamped;
	}
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
	bool timestamp = timestamp_output;
	struct ipc_error e;
	int ret;

	if (argc == 2 && is_help(argv[1]))
		return print_help(MONITOR_USAGE);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") && strcmp(argv[i], "--timestamp")) {
			usage_error(MONITOR_USAGE, "Unexpected argument `%s'",
				    argv[i]);
			return EXIT_USAGE;
		}
		timestamp = true;
	}
	/*
	 * Without SA_RESTART the wait for the next event returns, so that
	 * an interrupt ends the stream as a normal end, exit status 0.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Any non-NULL pointer asks for timestamps. */
	ret = ipc_monitor(print_event, timestamp ? &timestamp : NULL, &stop,
			  &e);
	if (ret < 0) {
		ipc_perror("monitor", &e);
		return EXIT_RUNTIME;
	}
	return ret;
}
