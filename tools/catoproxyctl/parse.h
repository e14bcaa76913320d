/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Words and arguments of the command line, turned into the values the
 * netlink API carries, and those values back into words. No I/O beyond a
 * FILE * the caller hands in: every parser reports failure as a message in
 * a caller-supplied buffer, so the unit tests can check the exact text a
 * user would see.
 */
#ifndef _CATOPROXYCTL_PARSE_H
#define _CATOPROXYCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "json.h"
#include "model.h"

#define PARSE_ERR_MAX 256

/* The reason a word is refused, printf-style into @err (if any). */
void parse_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Modes come from kmod/core/policy.c so both sides agree on every name. */
int parse_mode(const char *word, bool allow_inherit, char *err, size_t errlen);
int parse_on_off(const char *word);
int parse_blocked_syn(const char *word);
int parse_challenge_ack(const char *word);

/*
 * @name, or "unknown-@value" in @buf for a value newer than us: it still
 * gets a stable, parseable name.
 */
const char *or_unknown(const char *name, unsigned int value, char *buf,
		       size_t len);
/* "full", ... or "unknown-N". */
const char *mode_str(unsigned int mode, char *buf, size_t len);
const char *blocked_syn_name(unsigned int value);
const char *challenge_ack_name(unsigned int value);
/* "conn_tracked", ...; NULL for UNSPEC, PAD and counters newer than us. */
const char *stat_name(unsigned int type);
/* Names of what connections and events carry; NULL for values newer than us. */
const char *reason_name(unsigned int value);
const char *conn_state_name(unsigned int value);
const char *event_name(unsigned int value);
const char *cause_name(unsigned int value);

/* @word in decimal, digits only, from @min to @max; -1 otherwise. */
int parse_u32_range(const char *word, u32 min, u32 max, u32 *v);

/*
 * "443,8443": 1 to CATOPROXY_FORCE_PORTS_MAX distinct ports from 1 to
 * 65535, or "none" for no port. Fills @ports in the order given and
 * returns how many; -1 with a message in @err otherwise.
 */
int parse_port_list(const char *word, const char *key, u16 *ports,
		    char *err, size_t errlen);
/* "443,8443", or "none" for @n == 0; always NUL-terminates. */
#define PORT_LIST_STR_MAX (CATOPROXY_FORCE_PORTS_MAX * 6 + 8)
void format_port_list(const u16 *ports, unsigned int n, char *buf,
		      size_t len);

/* "10.0.0.0/8", "2001:db8::/32"; a bare address is a host prefix. */
int parse_prefix(const char *text, struct catoproxy_prefix *p, char *err,
		 size_t errlen);
/* Always NUL-terminates; needs at least INET6_ADDRSTRLEN + 4 bytes. */
#define PREFIX_STR_MAX 64
void format_prefix(const struct catoproxy_prefix *p, char *buf, size_t len);

int parse_site_name(const char *name, char *err, size_t errlen);

/*
 * One setting, described once: how `set' spells and parses it, which
 * attribute carries it, and how `show config' prints it. The netlink side
 * encodes and decodes the attribute by @type.
 */
enum setting_type {
	SETTING_U8, /* a u8 member */
	SETTING_U32, /* a u32 member */
	SETTING_PORTS, /* u16s back to back, @count members of them */
	SETTING_BYTES, /* bytes, @count the size_t length */
};

struct setting {
	const char *key; /* as `set' takes it and `show config' prints it */
	const char *arg; /* its value in the usage: "MS", "{on|off}" */
	const char *json_key; /* in `show -j config' */
	const char *what; /* in "malformed reply: WHAT"; NULL: @key */
	u16 attr; /* CATOPROXY_A_* */
	enum setting_type type;
	size_t offset; /* of the value in struct ctl_config */
	size_t count; /* SETTING_PORTS, SETTING_BYTES: of the length */
	/* Printed only when the kernel reports it (an older module does not). */
	bool optional;
	/* NULL: the kernel reports it, `set' does not take it. */
	int (*parse)(const struct setting *s, const char *value,
		     struct ctl_config *c, char *err, size_t errlen);
	/* What follows "KEY: " in `show config'; NUL-terminates. */
	void (*text)(const struct setting *s, const struct ctl_config *c,
		     char *buf, size_t len);
	/* The value after json_key() in `show -j config'. */
	void (*json)(const struct setting *s, const struct ctl_config *c,
		     struct json *j);
	/* For the parsers: names by value, the bounds, what a value is. */
	const char *const *names;
	unsigned int nnames;
	u32 min, max;
	const char *expected;
};

extern const struct setting settings[CONFIG_NSETTINGS];

/*
 * A line "@prefixKEY ARG\n" for each key `set' takes, with @bounds
 * " (LOW to HIGH)" or what else bounds the value after ARG; NUL-terminates.
 */
void format_set_usage(char *buf, size_t len, const char *prefix, bool bounds);

/*
 * `show config': a "KEY: VALUE" line per setting, or with @json one object,
 * in the order of settings[]; an optional setting only when @c has it.
 */
void print_config(FILE *f, const struct ctl_config *c, bool json);

/* Enough for what any setting's text() writes. */
#define SETTING_STR_MAX PORT_LIST_STR_MAX
/* argv holds only the key/value words, after "set". */
int parse_set_args(int argc, char *const argv[], struct ctl_config *c,
		   char *err, size_t errlen);

/* argv holds NAME and what follows it, after "site add". */
int parse_site_add_args(int argc, char *const argv[], struct ctl_site *a,
			char *err, size_t errlen);
/*
 * "80" or "1024-65535" (0 to 65535, low to high) for the rule key @key
 * (sport or dport).
 */
int parse_port_range(const char *word, const char *key, u16 *lo, u16 *hi,
		     char *err, size_t errlen);
/* A rule or list position: 1 to 4294967295. */
int parse_rule_number(const char *word, const char *what, u32 *v, char *err,
		      size_t errlen);

/*
 * A rule's path: a firewall mark from 1 to 0xffffffff, decimal or
 * hexadecimal after "0x" (as ip rule's fwmark).
 */
int parse_path_mark(const char *word, u32 *v, char *err, size_t errlen);
/*
 * argv holds what follows "rule add": [pos N] [src CIDR] [dst CIDR]
 * [sport P[-Q]] [dport P[-Q]] [sni NAME | host NAME] [path MARK]
 * action ACTION, in any order, each once; "pos" only when @allow_pos. The
 * rule is checked as the kernel checks it.
 */
int parse_rule_args(int argc, char *const argv[], struct ctl_rule *a,
		    bool allow_pos, char *err, size_t errlen);
/*
 * One line of a rule file: the words of "rule add" without "pos",
 * separated by blanks. Returns 1 for a rule, 0 for a line with none (blank,
 * or a comment from `#' on), -1 with a message in @err. @line is modified.
 */
int parse_rule_line(char *line, struct ctl_rule *a, char *err, size_t errlen);
/*
 * @r in the words "rule add" takes (a catch-all is "action ACTION");
 * always NUL-terminates.
 */
#define RULE_STR_MAX 512
void format_rule(const struct catoproxy_rule *r, char *buf, size_t len);
/* A path mark as format_rule() writes it: "0x10". */
void format_path(u32 path, char *buf, size_t len);
/* "any", "80" or "1024-65535"; always NUL-terminates. */
void format_port_range(u16 lo, u16 hi, char *buf, size_t len);

/* argv holds NAME, after "site del". */
int parse_site_del_args(int argc, char *const argv[], const char **name,
			char *err, size_t errlen);

#endif /* _CATOPROXYCTL_PARSE_H */
