// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for catoproxyctl's configuration file parser
 * (tools/catoproxyctl/conf.c), which decodes quoted strings in place. Each
 * input byte picks a piece of text from a vocabulary of the file's words,
 * quotes, escapes and separators, so that the lines come close to valid
 * ones. A file the parser refuses must say why and where; one it takes,
 * conf_write() must write so that it reads back the same.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"

static const char *const pieces[] = {
	" ", " ", "\t", "\n", "\n", "#", "\"", "\"", "\\", "\\x", "\\n",
	"\\\"", "\\\\", "0", "f", "fF", "x", "\r", "set", "mode", "full",
	"off", "inherit", "tls-inspection", "on", "server-timeout", "100",
	"force-full-ports", "443,8443", "none", "block-page", "page.html",
	"block-page-ports", "site", "add", "del", "lan", "prefix",
	"10.0.0.0/8", "fd00::/8", "192.0.2.1", "rule", "src", "dst", "dport",
	"80-90", "action", "block", "allow", "bypass", "pos", "1",
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_conf: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	char err[PARSE_ERR_MAX], *text = NULL, *again = NULL;
	size_t tlen = 0, alen = 0, i;
	struct ctl_rule *rules = NULL;
	struct conf c, d;
	unsigned int line;
	FILE *f;

	f = open_memstream(&text, &tlen);
	for (i = 0; i < len; i++)
		fputs(pieces[data[i] % (sizeof(pieces) / sizeof(pieces[0]))], f);
	fclose(f);
	if (!tlen) {
		free(text);
		return 0;
	}

	f = fmemopen(text, tlen, "r");
	err[0] = '\0';
	if (conf_parse(f, &c, &line, err, sizeof(err))) {
		if (!err[0] || !line)
			fail("a refusal without a reason or a line");
		goto out;
	}
	fclose(f);
	/* What conf_write() writes of it reads back the same. */
	rules = calloc(c.nrules + 1, sizeof(*rules));
	for (i = 0; i < c.nrules; i++)
		rules[i].rule = c.rules[i];
	f = open_memstream(&again, &alen);
	conf_write(f, &c.cfg, c.sites, c.nsites, rules, c.nrules);
	fclose(f);
	f = fmemopen(again, alen, "r");
	if (conf_parse(f, &d, &line, err, sizeof(err)))
		fail(err);
	if (memcmp(&d.cfg, &c.cfg, sizeof(c.cfg)) || d.nsites != c.nsites ||
	    d.nrules != c.nrules)
		fail("written and read back, the settings differ");
	for (i = 0; i < c.nsites; i++)
		if (memcmp(&d.sites[i].site, &c.sites[i].site,
			   sizeof(c.sites[i].site)))
			fail("written and read back, a site differs");
	for (i = 0; i < c.nrules; i++)
		if (memcmp(&d.rules[i], &c.rules[i], sizeof(c.rules[i])))
			fail("written and read back, a rule differs");
	conf_free(&d);
out:
	fclose(f);
	conf_free(&c);
	free(rules);
	free(text);
	free(again);
	return 0;
}
