// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
/*
 * load: a configuration file (conf.h) replaces the running configuration
 * whole, in one request, or nothing changes.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ipc.h"

#define LOAD_USAGE "Usage: " PROG_NAME " [-n NAME] load {FILE|-}\n"

/*
 * The block page named in @name's line @line: a relative name is relative
 * to the configuration file's directory (to the current one for standard
 * input), so that a file and its page can move together.
 */
static int read_page(const char *name, unsigned int line, const char *page,
		     struct ctl_config *cfg)
{
	char *dir = NULL, *path = NULL;
	int ret = -1;
	size_t n;
	FILE *f;

	if (page[0] != '/' && strcmp(name, "-")) {
		dir = strdup(name);
		if (!dir || asprintf(&path, "%s/%s", dirname(dir), page) < 0)
			path = NULL;
	} else {
		path = strdup(page);
	}
	if (!path) {
		fprintf(stderr, "%s: load: %s\n", PROG_NAME, strerror(ENOMEM));
		goto out;
	}
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: load: %s:%u: cannot open %s: %s\n",
			PROG_NAME, name, line, path, strerror(errno));
		goto out;
	}
	/* One byte more than fits tells a long file from a full one. */
	n = fread(cfg->block_page, 1, sizeof(cfg->block_page), f);
	if (ferror(f))
		fprintf(stderr, "%s: load: %s:%u: cannot read %s: %s\n",
			PROG_NAME, name, line, path, strerror(errno));
	else if (n == sizeof(cfg->block_page) && fgetc(f) != EOF)
		fprintf(stderr, "%s: load: %s:%u: %s is longer than %d bytes\n",
			PROG_NAME, name, line, path, CATOPROXY_BLOCK_PAGE_MAX);
	else
		ret = 0;
	cfg->block_page_len = n;
	fclose(f);
out:
	free(dir);
	free(path);
	return ret;
}

/* The kernel's refusal, at the line of the part it refused when it said. */
static void kernel_error(const char *name, const struct conf *c,
			 const struct ipc_part *bad, const struct ipc_error *e)
{
	unsigned int line = 0;
	char what[512];

	switch (bad->kind) {
	case IPC_PART_SETTING:
		line = c->setting_line[bad->index];
		break;
	case IPC_PART_SITE:
		line = c->site_line[bad->index];
		break;
	case IPC_PART_RULE:
		line = c->rule_line[bad->index];
		break;
	case IPC_PART_NONE:
		break;
	}
	if (line)
		snprintf(what, sizeof(what), "load: %s:%u", name, line);
	else
		snprintf(what, sizeof(what), "load: %s", name);
	ipc_perror(what, e);
}

int load_main(int argc, char *argv[])
{
	const char *name = argc == 2 ? argv[1] : NULL;
	struct ipc_whole_config w;
	struct ipc_part bad;
	char err[PARSE_ERR_MAX];
	static struct conf c;
	struct ipc_error e;
	unsigned int line;
	int ret = EXIT_OK;
	FILE *f;

	/* A file called help is ./help. */
	if (argc == 2 && is_help(argv[1]))
		return print_help(LOAD_USAGE);
	if (!name) {
		if (argc > 2)
			usage_error(LOAD_USAGE, "Unexpected argument `%s'",
				    argv[2]);
		else
			usage_error(LOAD_USAGE,
				    "Missing file name (- for standard input)");
		return EXIT_USAGE;
	}
	f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: load: cannot open %s: %s\n", PROG_NAME,
			name, strerror(errno));
		return EXIT_USAGE;
	}
	if (conf_parse(f, &c, &line, err, sizeof(err))) {
		if (line)
			fprintf(stderr, "%s: load: %s:%u: %s\n", PROG_NAME,
				name, line, err);
		else
			fprintf(stderr, "%s: load: %s: %s\n", PROG_NAME, name,
				err);
		ret = EXIT_USAGE;
		goto out;
	}
	if (c.block_page_file &&
	    read_page(name, c.setting_line[CONFIG_BLOCK_PAGE],
		      c.block_page_file, &c.cfg)) {
		ret = EXIT_USAGE;
		goto out;
	}
	w = (struct ipc_whole_config){
		.cfg = &c.cfg,
		.sites = c.sites,
		.nsites = c.nsites,
		.rules = c.rules,
		.nrules = c.nrules,
	};
	if (ipc_replace_config(&w, &bad, &e)) {
		kernel_error(name, &c, &bad, &e);
		ret = EXIT_RUNTIME;
	}
out:
	if (f != stdin)
		fclose(f);
	conf_free(&c);
	return ret;
}
