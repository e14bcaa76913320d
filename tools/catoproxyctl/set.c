// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ipc.h"

/*
 * The usage line, then a line for each key, from settings[]: after @err on
 * stderr, or without one on stdout.
 */
static int usage(const char *err)
{
	static const char head[] =
		"Usage: " PROG_NAME " set KEY VALUE [KEY VALUE ...]\n";
	char text[1024];

	snprintf(text, sizeof(text), "%s", head);
	format_set_usage(text + strlen(head), sizeof(text) - strlen(head),
			 "  ", true);
	if (!err)
		return print_help(text);
	usage_error(text, "%s", err);
	return EXIT_USAGE;
}

/* The block page's body, from a file or standard input, into @buf. */
static int read_page(const char *name, u8 *buf, size_t *len)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: set: cannot open %s: %s\n", PROG_NAME, name,
			strerror(errno));
		return -1;
	}
	/* One byte more than fits tells a long file from a full one. */
	n = fread(buf, 1, CATOPROXY_BLOCK_PAGE_MAX + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "%s: set: cannot read %s: %s\n", PROG_NAME, name,
			strerror(errno));
		n = (size_t)-1;
	} else if (n > CATOPROXY_BLOCK_PAGE_MAX) {
		fprintf(stderr, "%s: set: %s is longer than %d bytes\n",
			PROG_NAME, name, CATOPROXY_BLOCK_PAGE_MAX);
		n = (size_t)-1;
	}
	if (f != stdin)
		fclose(f);
	if (n == (size_t)-1)
		return -1;
	*len = n;
	return 0;
}

int set_main(int argc, char *argv[])
{
	static u8 page[CATOPROXY_BLOCK_PAGE_MAX + 1];
	char err[PARSE_ERR_MAX];
	static struct ctl_config cfg;
	struct ipc_error e;

	if (argc == 2 && is_help(argv[1]))
		return usage(NULL);
	if (parse_set_args(argc - 1, argv + 1, &cfg, err, sizeof(err)))
		return usage(err);
	if (cfg.flags & CONFIG_HAS(CONFIG_BLOCK_PAGE)) {
		if (read_page(cfg.block_page_file, page, &cfg.block_page_len))
			return EXIT_USAGE;
		memcpy(cfg.block_page, page, cfg.block_page_len);
	}
	/* One request, so the kernel applies all pairs or none. */
	if (ipc_set_config(&cfg, &e)) {
		ipc_perror("set", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}
