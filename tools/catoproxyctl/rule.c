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
	"[sport P[-Q]] [dport P[-Q]] [sni NAME] [host NAME] [path MARK] "     \
	"action {allow|block|bypass}\n"
#define RULE_DEL_USAGE "Usage: " PROG_NAME " rule del ID\n"
#define RULE_FLUSH_USAGE "Usage: " PROG_NAME " rule flush\n"
#define RULE_LOAD_USAGE "Usage: " PROG_NAME " rule load {FILE|-}\n"
#define RULE_CHECK_USAGE "Usage: " PROG_NAME " rule check [FILE|-]\n"
#define RULE_USAGE                                                            \
	RULE_ADD_USAGE "       " PROG_NAME " rule del ID\n"                   \
	"       " PROG_NAME " rule flush\n"                                   \
	"       " PROG_NAME " rule load {FILE|-}\n"                           \
	"       " PROG_NAME " rule check [FILE|-]\n"

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
	if (catoproxy_rule_is_payload(&a.rule) &&
	    a.rule.action == CATOPROXY_ACTION_BYPASS)
		fprintf(stderr,
			"%s: rule add: note: rule %" PRIu32 " is a payload rule: the module answers the handshake of the connections it holds, so those it decides are not left alone but run spliced, as allowed ones, on its path (counted in payload_bypassed)\n",
			PROG_NAME, id);
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
 * A rule file: one rule per line, in the words of `rule add' without
 * `pos'. Reads @name ("-": standard input) into *@rulesp (and the line of
 * each rule into *@linesp when it is given); @cmd names the command in
 * messages. Returns EXIT_OK, or an exit code after a message.
 */
static int read_rule_file(const char *cmd, const char *name,
			  struct catoproxy_rule **rulesp, u32 **linesp,
			  size_t *np)
{
	struct catoproxy_rule *rules = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char err[PARSE_ERR_MAX], *line = NULL;
	size_t linecap = 0;
	struct ctl_rule a;
	int ret = EXIT_OK;
	u32 *lines = NULL;
	FILE *f;

	f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: %s: cannot open %s: %s\n", PROG_NAME, cmd,
			name, strerror(errno));
		return EXIT_USAGE;
	}
	while (getline(&line, &linecap, f) >= 0) {
		int got;

		lineno++;
		got = parse_rule_line(line, &a, err, sizeof(err));
		if (got < 0) {
			fprintf(stderr, "%s: %s: %s:%zu: %s\n", PROG_NAME, cmd,
				name, lineno, err);
			ret = EXIT_USAGE;
			goto out;
		}
		if (!got)
			continue;
		if (n == CATOPROXY_RULES_MAX) {
			fprintf(stderr, "%s: %s: %s:%zu: more than %d rules\n",
				PROG_NAME, cmd, name, lineno,
				CATOPROXY_RULES_MAX);
			ret = EXIT_USAGE;
			goto out;
		}
		if (n == cap) {
			struct catoproxy_rule *v;
			u32 *l;

			cap = cap ? 2 * cap : 64;
			v = realloc(rules, cap * sizeof(*v));
			if (v)
				rules = v;
			l = linesp ? realloc(lines, cap * sizeof(*l)) : NULL;
			if (l)
				lines = l;
			if (!v || (linesp && !l)) {
				fprintf(stderr, "%s: %s: %s\n", PROG_NAME, cmd,
					strerror(ENOMEM));
				ret = EXIT_RUNTIME;
				goto out;
			}
		}
		if (linesp)
			lines[n] = (u32)lineno;
		rules[n++] = a.rule;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: cannot read %s: %s\n", PROG_NAME, cmd,
			name, strerror(errno));
		ret = EXIT_RUNTIME;
	}
out:
	if (f != stdin)
		fclose(f);
	free(line);
	if (ret) {
		free(rules);
		free(lines);
		return ret;
	}
	*rulesp = rules;
	if (linesp)
		*linesp = lines;
	*np = n;
	return EXIT_OK;
}

/* The whole file replaces the list in one request, or nothing changes. */
static int rule_load(int argc, char *argv[])
{
	struct catoproxy_rule *rules;
	struct ipc_error e;
	int ret;
	size_t n;

	if (argc != 1) {
		if (argc)
			usage_error(RULE_LOAD_USAGE, "Unexpected argument `%s'",
				    argv[1]);
		else
			usage_error(RULE_LOAD_USAGE,
				    "Missing file name (- for standard input)");
		return EXIT_USAGE;
	}
	ret = read_rule_file("rule load", argv[0], &rules, NULL, &n);
	if (ret)
		return ret;
	if (ipc_set_rules(rules, n, &e)) {
		ipc_perror("rule load", &e);
		ret = EXIT_RUNTIME;
	}
	free(rules);
	return ret;
}

/* How `rule check' names a rule: its id and position, or its line. */
struct check_names {
	const struct ctl_rule *active; /* the active list, else NULL */
	const u32 *lines; /* a file's line of each rule */
};

static void check_name(const struct check_names *c, u32 idx, char *buf,
		       size_t len)
{
	if (c->active)
		snprintf(buf, len, "rule %" PRIu32 " (pos %" PRIu32 ")",
			 c->active[idx].rule.id, c->active[idx].pos);
	else
		snprintf(buf, len, "line %" PRIu32, c->lines[idx]);
}

/* "rule" and "pos" (@by: "by" and "by_pos"), or "line" ("by_line"). */
static void check_json_ref(struct json *j, const struct check_names *c,
			   bool by, u32 idx)
{
	if (c->active) {
		json_key(j, by ? "by" : "rule");
		json_u64(j, c->active[idx].rule.id);
		json_key(j, by ? "by_pos" : "pos");
		json_u64(j, c->active[idx].pos);
	} else {
		json_key(j, by ? "by_line" : "line");
		json_u64(j, c->lines[idx]);
	}
}

static void check_report(const struct catoproxy_rule *rules,
			 const struct check_names *c,
			 const struct catoproxy_rule_finding *f, u32 nf)
{
	char this[64], by[64], words[RULE_STR_MAX], bywords[RULE_STR_MAX];
	struct json j;

	if (json_output) {
		json_init(&j, stdout);
		json_array_begin(&j);
	}
	for (u32 i = 0; i < nf; i++) {
		const char *kind = catoproxy_rules_check_name(f[i].kind);
		const char *why = catoproxy_rules_check_reason(f[i].kind);

		format_rule(&rules[f[i].idx], words, sizeof(words));
		format_rule(&rules[f[i].by], bywords, sizeof(bywords));
		if (json_output) {
			json_object_begin(&j);
			check_json_ref(&j, c, false, f[i].idx);
			json_key(&j, "kind");
			json_string(&j, kind);
			check_json_ref(&j, c, true, f[i].by);
			json_key(&j, "words");
			json_string(&j, words);
			json_key(&j, "by_words");
			json_string(&j, bywords);
			json_key(&j, "reason");
			json_string(&j, why);
			json_object_end(&j);
			continue;
		}
		check_name(c, f[i].idx, this, sizeof(this));
		check_name(c, f[i].by, by, sizeof(by));
		if (f[i].kind == CATOPROXY_RULE_CHECK_PAYLOAD_BYPASS) {
			printf("%s: %s\n    payload rule that says bypass\n    %s\n",
			       this, words, why);
			continue;
		}
		printf("%s: %s\n    %s %s: %s\n    %s\n", this, words,
		       f[i].kind == CATOPROXY_RULE_CHECK_SHADOWED ?
			       "shadowed by" : "below payload rule",
		       by, bywords, why);
	}
	if (json_output) {
		json_array_end(&j);
		json_finish(&j);
	}
}

/*
 * The lint of catoproxy_rules_check() over the active list or a rule
 * file: exit 1 when it finds anything.
 */
static int rule_check(int argc, char *argv[])
{
	struct catoproxy_rule_finding *f = NULL;
	struct check_names c = { 0 };
	struct catoproxy_rule *rules = NULL;
	struct ipc_rules active = { 0 };
	struct ipc_error e;
	u32 *lines = NULL, nf;
	size_t n;
	int ret;

	if (argc > 1) {
		usage_error(RULE_CHECK_USAGE, "Unexpected argument `%s'",
			    argv[1]);
		return EXIT_USAGE;
	}
	if (argc) {
		ret = read_rule_file("rule check", argv[0], &rules, &lines, &n);
		if (ret)
			return ret;
		c.lines = lines;
	} else {
		if (ipc_get_rules(&active, &e)) {
			ipc_perror("rule check", &e);
			return EXIT_RUNTIME;
		}
		n = active.n;
		rules = calloc(n ? n : 1, sizeof(*rules));
		if (!rules) {
			fprintf(stderr, "%s: rule check: %s\n", PROG_NAME,
				strerror(ENOMEM));
			free(active.v);
			return EXIT_RUNTIME;
		}
		for (size_t i = 0; i < n; i++)
			rules[i] = active.v[i].rule;
		c.active = active.v;
	}
	/* A rule is reported once at most. */
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f) {
		fprintf(stderr, "%s: rule check: %s\n", PROG_NAME,
			strerror(ENOMEM));
		ret = EXIT_RUNTIME;
		goto out;
	}
	nf = catoproxy_rules_check(rules, (u32)n, f, (u32)n);
	check_report(rules, &c, f, nf);
	ret = nf ? EXIT_USAGE : EXIT_OK;
out:
	free(f);
	free(rules);
	free(lines);
	free(active.v);
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
		{ "check", rule_check },
	};

	if (argc == 2 && is_help(argv[1]))
		return print_help(RULE_USAGE);
	if (argc < 2) {
		usage_error(RULE_USAGE,
			    "Missing rule command: expected add, del, flush, load or check");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	usage_error(RULE_USAGE,
		    "Invalid rule command `%s': expected add, del, flush, load or check",
		    argv[1]);
	return EXIT_USAGE;
}
