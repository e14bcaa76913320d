/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fuzz target shares: reading its input a byte at a time (past
 * the end, zeros: every input is a whole program) and an invariant check
 * that aborts, which libFuzzer and the replay driver both report.
 */
#ifndef CATOPROXY_FUZZ_H
#define CATOPROXY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "pure.h"

struct input {
	const u8 *data;
	size_t len;
};

static inline u8 take(struct input *in)
{
	u8 b;

	if (!in->len)
		return 0;
	b = *in->data++;
	in->len--;
	return b;
}

static inline u16 take16(struct input *in)
{
	return (u16)(take(in) << 8 | take(in));
}

#define ASSERT(cond)                                                     \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);              \
			abort();                                         \
		}                                                        \
	} while (0)

#endif
