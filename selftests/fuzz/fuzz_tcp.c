// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/tcp.c: any option block either parses or is
 * refused, never read out of bounds; what parses rebuilds into a block that
 * parses to the same options; the timestamp locator agrees with the parser;
 * rescaling never claims more bytes than the original window.
 */

#include "tcp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct catoproxy_tcpopts o, back;
	u8 buf[CATOPROXY_TCP_OPTS_MAX];
	unsigned int n;
	u8 *copy;
	int off;

	if (len > 40)
		len = 40;
	/* An exact-size heap copy lets ASan catch any overread. */
	copy = malloc(len ? len : 1);
	memcpy(copy, data, len);

	off = catoproxy_tcp_find_ts(copy, (unsigned int)len);
	if (!catoproxy_tcp_parse_opts(copy, (unsigned int)len, &o)) {
		/* Translation edits what the parser read. */
		ASSERT((off >= 0) == o.ts);
		ASSERT(off < 0 || o.tsval == catoproxy_tcp_get32(copy + off));
		ASSERT(o.wscale == CATOPROXY_TCP_WS_NONE ||
		       o.wscale <= CATOPROXY_TCP_WS_MAX);
		n = catoproxy_tcp_build_opts(buf, &o);
		ASSERT(n % 4 == 0 && n <= CATOPROXY_TCP_OPTS_MAX);
		ASSERT(!catoproxy_tcp_parse_opts(buf, n, &back));
		ASSERT(back.mss == o.mss && back.wscale == o.wscale &&
		       back.sack_ok == o.sack_ok && back.ts == o.ts);
		ASSERT(!o.ts || (back.tsval == o.tsval && back.tsecr == o.tsecr));
		/* A signature is only ever the endpoints': never built. */
		ASSERT(!back.sig);
	}
	if (len >= 4) {
		u16 win = (u16)(copy[0] << 8 | copy[1]);
		u8 from = copy[2] % 16, to = copy[3] % 16;
		u16 r = catoproxy_tcp_rescale(win, from, to);

		/* Never more bytes than the sender allowed. */
		ASSERT(((u64)r << to) <= ((u64)win << from) || r == 0);
	}
	free(copy);
	return 0;
}
