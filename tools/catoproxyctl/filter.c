// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "parse.h"

static const char filter_keys[] =
	"src, dst, sport, dport, state, mode or count";

/* The words of every state, from the printer's own names. */
static int parse_state(const char *word, char *err, size_t errlen)
{
	char expected[128] = "";
	size_t used = 0;

	for (unsigned int v = 0; v <= CATOPROXY_CONN_STATE_MAX; v++)
		if (!strcmp(word, conn_state_name(v)))
			return v;
	for (unsigned int v = 0; v <= CATOPROXY_CONN_STATE_MAX; v++) {
		const char *sep = !v ? "" :
				  v == CATOPROXY_CONN_STATE_MAX ? " or " : ", ";
		int n = snprintf(expected + used, sizeof(expected) - used,
				 "%s%s", sep, conn_state_name(v));

		if (n < 0 || (size_t)n >= sizeof(expected) - used)
			break;
		used += n;
	}
	parse_fail(err, errlen, "Invalid state `%s': expected %s", word, expected);
	return -1;
}

int conn_filter_parse(int argc, char *const argv[], struct conn_filter *f,
		      char *err, size_t errlen)
{
	/* In the order of the CONN_FILTER_* bits. */
	static const char *const keys[] = { "src", "dst", "sport", "dport",
					    "state", "mode", "count" };

	memset(f, 0, sizeof(*f));
	f->sport_max = f->dport_max = 65535;
	for (int i = 0; i < argc; i++) {
		const char *key = argv[i], *value;
		unsigned int bit = 0;
		int k, v;

		for (k = 0; k < (int)(sizeof(keys) / sizeof(keys[0])); k++)
			if (!strcmp(key, keys[k]))
				break;
		if (k == (int)(sizeof(keys) / sizeof(keys[0]))) {
			parse_fail(err, errlen, "Invalid argument `%s': expected %s",
			     key, filter_keys);
			return -1;
		}
		bit = 1U << k;
		if (f->flags & bit) {
			parse_fail(err, errlen, "Duplicate key `%s'", key);
			return -1;
		}
		f->flags |= bit;
		if (bit == CONN_FILTER_COUNT)
			continue;
		if (i + 1 >= argc) {
			parse_fail(err, errlen, "Missing value for `%s'", key);
			return -1;
		}
		value = argv[++i];
		switch (bit) {
		case CONN_FILTER_SRC:
		case CONN_FILTER_DST:
			if (parse_prefix(value,
					 bit == CONN_FILTER_SRC ? &f->src : &f->dst,
					 err, errlen))
				return -1;
			break;
		case CONN_FILTER_SPORT:
			if (parse_port_range(value, key, &f->sport_min,
					     &f->sport_max, err, errlen))
				return -1;
			break;
		case CONN_FILTER_DPORT:
			if (parse_port_range(value, key, &f->dport_min,
					     &f->dport_max, err, errlen))
				return -1;
			break;
		case CONN_FILTER_STATE:
			v = parse_state(value, err, errlen);
			if (v < 0)
				return -1;
			f->state = v;
			break;
		case CONN_FILTER_MODE:
			v = parse_mode(value, false, err, errlen);
			if (v < 0)
				return -1;
			f->mode = v;
			break;
		}
	}
	return 0;
}

bool conn_filter_match(const struct conn_filter *f, const struct conn_info *c)
{
	if ((f->flags & CONN_FILTER_SRC) &&
	    !catoproxy_policy_prefix_match(&f->src, c->family, c->saddr))
		return false;
	if ((f->flags & CONN_FILTER_DST) &&
	    !catoproxy_policy_prefix_match(&f->dst, c->family, c->daddr))
		return false;
	if (c->sport < f->sport_min || c->sport > f->sport_max)
		return false;
	if (c->dport < f->dport_min || c->dport > f->dport_max)
		return false;
	if ((f->flags & CONN_FILTER_STATE) && c->state != f->state)
		return false;
	if ((f->flags & CONN_FILTER_MODE) && c->mode != f->mode)
		return false;
	return true;
}
