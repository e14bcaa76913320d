/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the host unit tests: one "ok N - name" or
 * "not ok N - name" line per check, a plan at the end, exit status 1 if any
 * check failed.
 */
#ifndef _CATOPROXY_UNIT_H
#define _CATOPROXY_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_run, unit_failed;

#define CHECK(cond, ...)                                                 \
	do {                                                             \
		int ok_ = !!(cond);                                      \
		unit_run++;                                              \
		if (!ok_)                                                \
			unit_failed++;                                   \
		printf("%sok %d - ", ok_ ? "" : "not ", unit_run);       \
		printf(__VA_ARGS__);                                     \
		printf("\n");                                            \
		if (!ok_)                                                \
			printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, \
			       __LINE__);                                \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_run);
	return unit_failed ? 1 : 0;
}

#endif /* _CATOPROXY_UNIT_H */
