/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file: what `dump' writes and `load' applies whole. It
 * is the command line's own words, one command a line:
 *
 *   # a comment, from `#' to the end of the line
 *   set KEY VALUE [KEY VALUE ...]
 *   site add NAME prefix CIDR [prefix CIDR ...] [mode MODE]
 *   rule add [src CIDR] [dst CIDR] [sport P[-Q]] [dport P[-Q]]
 *            [sni NAME | host NAME] [path MARK] action ACTION
 *
 * Words are separated by blanks. `set block-page' takes a file name, or
 * the page itself as a string in double quotes with C escapes (\\ \" \n \r
 * \t, and \xHH with exactly two hex digits for any other byte). Each key
 * may be set once; rules keep the order of their lines.
 *
 * Like parse.c, no I/O beyond the FILE * the caller hands in, so the unit
 * tests see exactly what a user would.
 */
#ifndef _CATOPROXYCTL_CONF_H
#define _CATOPROXYCTL_CONF_H

#include <stdio.h>
#include "model.h"

struct conf {
	/* The settings the file gives: CONFIG_HAS() in @cfg.flags. */
	struct ctl_config cfg;
	/* The line of each setting given. */
	unsigned int setting_line[CONFIG_NSETTINGS];
	/*
	 * set block-page FILE: the name as written (malloc'd), for the caller
	 * to read into @cfg.block_page; NULL when the page was given inline
	 * or not at all.
	 */
	char *block_page_file;
	size_t nsites;
	struct ctl_site *sites; /* in the file's order */
	unsigned int *site_line;
	size_t nrules;
	struct catoproxy_rule *rules; /* in order */
	unsigned int *rule_line;
};

void conf_free(struct conf *c);

/*
 * Reads @f to its end into @c (which the caller frees with conf_free(),
 * also on failure). On error returns -1 with the message in @err and the
 * line at fault in *@line (0 when no line is: the file cannot be read, no
 * memory).
 */
int conf_parse(FILE *f, struct conf *c, unsigned int *line, char *err,
	       size_t errlen);

/*
 * Writes the configuration of @cfg (the settings it has, in the order of
 * settings[]), @sites and @rules, so that conf_parse() reads it back
 * exactly; the block page is written inline.
 */
void conf_write(FILE *f, const struct ctl_config *cfg,
		const struct ctl_site *sites, size_t nsites,
		const struct ctl_rule *rules, size_t nrules);

#endif /* _CATOPROXYCTL_CONF_H */
