// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ipc.h"
#include "json.h"

#define RULE_ADD_USAGE                                                        \
	"Usage: " PROG_NAME " rule add [pos N] [src CIDR] [dst CIDR] "        \
	"[sport P[-Q]] [dport P[-Q]] action {allow|block|bypass}\n"
#define RULE_DEL_USAGE "Usage: " PROG_NAME " rule del ID\n"
#define RULE_FLUSH_USAGE "Usage: " PROG_NAME " rule flush\n"
#define RULE_LOAD_USAGE "Usage: " PROG_NAME " rule load {FILE|-}\n"
#define RULE_USAGE                                                            \
	RULE_ADD_USAGE "       " PROG_NAME " rule del ID\n"                   \
	"       " PROG_NAME " rule flush\n"                                   \
	"       " PROG_NAME " rule load {FILE|-}\n"

static int rule_add(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct ctl_rule a;
	struct ipc_error e;
	struct json j;
	u32 id;

	if (parse_rule_args(argc, argv, &a, true, err, sizeof(err))) {
		usage_error(RULE_ADD_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	if (ipc_add_rule(&a, &id, &e)) {
		ipc_perror("rule add", &e);
		return EXIT_RUNTIME;
	}
	/* The id is what `rule del' takes: scripts need it. */
	if (json_output) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "id");
		json_u64(&j, id);
		json_object_end(&j);
		json_finish(&j);
	} else {
		printf("%" PRIu32 "\n", id);
	}
	return EXIT_OK;
}

static int rule_del(int argc, char *argv[])
{
	char err[PARSE_ERR_MAX];
	struct ipc_error e;
	u32 id;

	if (argc != 1) {
		if (argc)
			usage_error(RULE_DEL_USAGE, "Unexpected argument `%s'",
				    argv[1]);
		else
			usage_error(RULE_DEL_USAGE, "Missing rule id");
		return EXIT_USAGE;
	}
	if (parse_rule_number(argv[0], "rule id", &id, err, sizeof(err))) {
		usage_error(RULE_DEL_USAGE, "%s", err);
		return EXIT_USAGE;
	}
	if (ipc_del_rule(id, &e)) {
		ipc_perror("rule del", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int rule_flush(int argc, char *argv[])
{
	struct ipc_error e;

	if (argc) {
		usage_error(RULE_FLUSH_USAGE, "Unexpected argument `%s'",
			    argv[0]);
		return EXIT_USAGE;
	}
	if (ipc_set_rules(NULL, 0, &e)) {
		ipc_perror("rule flush", &e);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/*
 * One rule per line, in the words of `rule add' without `pos'; the whole
 * file replaces the list in one request, or nothing changes.
 */
static int rule_load(int argc, char *argv[])
{
	const char *name = argc == 1 ? argv[0] : NULL;
	struct catoproxy_rule *rules = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char err[PARSE_ERR_MAX], *line = NULL;
	size_t linecap = 0;
	struct ipc_error e;
	struct ctl_rule a;
	int ret = EXIT_OK;
	FILE *f;

	if (!name) {
		if (argc)
			usage_error(RULE_LOAD_USAGE, "Unexpected argument `%s'",
				    argv[1]);
		else
			usage_error(RULE_LOAD_USAGE,
				    "Missing file name (- for standard input)");
		return EXIT_USAGE;
	}
	f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: rule load: cannot open %s: %s\n",
			PROG_NAME, name, strerror(errno));
		return EXIT_USAGE;
	}
	while (getline(&line, &linecap, f) >= 0) {
		int got;

		lineno++;
		got = parse_rule_line(line, &a, err, sizeof(err));
		if (got < 0) {
			fprintf(stderr, "%s: rule load: %s:%zu: %s\n", PROG_NAME,
				name, lineno, err);
			ret = EXIT_USAGE;
			goto out;
		}
		if (!got)
			continue;
		if (n == CATOPROXY_RULES_MAX) {
			fprintf(stderr,
				"%s: rule load: %s:%zu: more than %d rules\n",
				PROG_NAME, name, lineno, CATOPROXY_RULES_MAX);
			ret = EXIT_USAGE;
			goto out;
		}
		if (n == cap) {
			struct catoproxy_rule *v;

			cap = cap ? 2 * cap : 64;
			v = realloc(rules, cap * sizeof(*v));
			if (!v) {
				fprintf(stderr, "%s: rule load: %s\n",
					PROG_NAME, strerror(ENOMEM));
				ret = EXIT_RUNTIME;
				goto out;
			}
			rules = v;
		}
		rules[n++] = a.rule;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: rule load: cannot read %s: %s\n",
			PROG_NAME, name, strerror(errno));
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (ipc_set_rules(rules, n, &e)) {
		ipc_perror("rule load", &e);
		ret = EXIT_RUNTIME;
	}
out:
	if (f != stdin)
		fclose(f);
	free(line);
	free(rules);
	return ret;
}

int rule_main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char *argv[]);
	} cmds[] = {
		{ "add", rule_add },
		{ "del", rule_del },
		{ "flush", rule_flush },
		{ "load", rule_load },
	};

	if (argc == 2 && is_help(argv[1]))
		return print_help(RULE_USAGE);
	if (argc < 2) {
		usage_error(RULE_USAGE,
			    "Missing rule command: expected add, del, flush or load");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	usage_error(RULE_USAGE,
		    "Invalid rule command `%s': expected add, del, flush or load",
		    argv[1]);
	return EXIT_USAGE;
}
