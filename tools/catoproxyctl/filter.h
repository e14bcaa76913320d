/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filters of `show conns': which connections of the dump to print.
 * The kernel dumps them all; the words narrow the list here, as
 * `conntrack -L' narrows its own. No I/O, so the unit tests check the
 * exact messages and matches.
 */
#ifndef _CATOPROXYCTL_FILTER_H
#define _CATOPROXYCTL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "conninfo.h"

/* In conn_filter.flags: the filter word was given. */
enum {
	CONN_FILTER_SRC = 1U << 0,
	CONN_FILTER_DST = 1U << 1,
	CONN_FILTER_SPORT = 1U << 2,
	CONN_FILTER_DPORT = 1U << 3,
	CONN_FILTER_STATE = 1U << 4,
	CONN_FILTER_MODE = 1U << 5,
	CONN_FILTER_COUNT = 1U << 6, /* print how many, not which */
};

struct conn_filter {
	unsigned int flags;
	struct catoproxy_prefix src, dst;
	u16 sport_min, sport_max, dport_min, dport_max;
	u8 state; /* enum catoproxy_conn_state */
	u8 mode; /* enum catoproxy_mode */
};

/*
 * argv holds what follows "show conns": [src ADDR[/PLEN]] [dst ADDR[/PLEN]]
 * [sport P[-Q]] [dport P[-Q]] [state STATE] [mode MODE] [count], in any
 * order, each once. -1 with a message in @err for anything else.
 */
int conn_filter_parse(int argc, char *const argv[], struct conn_filter *f,
		      char *err, size_t errlen);
/* Whether @c passes every filter @f has (all of them: AND). */
bool conn_filter_match(const struct conn_filter *f, const struct conn_info *c);

#endif /* _CATOPROXYCTL_FILTER_H */
