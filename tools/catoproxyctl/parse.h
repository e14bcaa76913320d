/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Words and arguments of the command line, turned into the values the
 * netlink API carries. No I/O here: every parser reports failure as a
 * message in a caller-supplied buffer, so the unit tests can check the
 * exact text a user would see.
 */
#ifndef _CATOPROXYCTL_PARSE_H
#define _CATOPROXYCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "policy.h"
#include "rules.h"

#define PARSE_ERR_MAX 256

/* Modes come from kmod/policy.c so both sides agree on every name. */
int parse_mode(const char *word, bool allow_inherit, char *err, size_t errlen);
int parse_on_off(const char *word);
int parse_blocked_syn(const char *word);
int parse_challenge_ack(const char *word);

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

struct set_args {
	bool has_mode, has_tls_inspection, has_blocked_syn, has_challenge_ack;
	bool has_server_timeout, has_syn_backlog;
	bool has_force_full_ports, has_adaptive_ttl, has_adaptive_size;
	bool has_block_page_ports, has_block_page;
	u8 mode, tls_inspection, blocked_syn, challenge_ack;
	u32 server_timeout_ms, syn_backlog;
	u32 adaptive_ttl, adaptive_size;
	/* In the order given; nforce_full_ports 0 sends an empty list. */
	unsigned int nforce_full_ports;
	u16 force_full_ports[CATOPROXY_FORCE_PORTS_MAX];
	unsigned int nblock_page_ports;
	u16 block_page_ports[CATOPROXY_BLOCK_PAGE_PORTS_MAX];
	/*
	 * block-page FILE: the parser leaves the name, the caller reads the
	 * file into @block_page (at most CATOPROXY_BLOCK_PAGE_MAX bytes).
	 */
	const char *block_page_file;
	const u8 *block_page;
	size_t block_page_len;
};

/* argv holds only the key/value words, after "set". */
int parse_set_args(int argc, char *const argv[], struct set_args *a,
		   char *err, size_t errlen);

struct site_add_args {
	/* site.id is unused: the kernel assigns it. */
	struct catoproxy_site site;
	/* Without it the attribute is left out and the kernel's default applies. */
	bool has_mode;
};

/* argv holds NAME and what follows it, after "site add". */
int parse_site_add_args(int argc, char *const argv[], struct site_add_args *a,
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

struct rule_args {
	struct catoproxy_rule rule; /* id unused: the kernel assigns it */
	u32 pos; /* 0: after the last rule */
};

/*
 * argv holds what follows "rule add": [pos N] [src CIDR] [dst CIDR]
 * [sport P[-Q]] [dport P[-Q]] action ACTION, in any order, each once;
 * "pos" only when @allow_pos. The rule is checked as the kernel checks it.
 */
int parse_rule_args(int argc, char *const argv[], struct rule_args *a,
		    bool allow_pos, char *err, size_t errlen);
/*
 * One line of a rule file: the words of "rule add" without "pos",
 * separated by blanks. Returns 1 for a rule, 0 for a line with none (blank,
 * or a comment from `#' on), -1 with a message in @err. @line is modified.
 */
int parse_rule_line(char *line, struct rule_args *a, char *err, size_t errlen);
/*
 * @r in the words "rule add" takes (a catch-all is "action ACTION");
 * always NUL-terminates.
 */
#define RULE_STR_MAX 256
void format_rule(const struct catoproxy_rule *r, char *buf, size_t len);
/* "any", "80" or "1024-65535"; always NUL-terminates. */
void format_port_range(u16 lo, u16 hi, char *buf, size_t len);

/* argv holds NAME, after "site del". */
int parse_site_del_args(int argc, char *const argv[], const char **name,
			char *err, size_t errlen);

#endif /* _CATOPROXYCTL_PARSE_H */
