// SPDX-License-Identifier: GPL-2.0
/*
 * TCP option parsing and building. A proxy that answers the client's SYN
 * itself must offer the options the connection will really have, so the
 * layout matches what a Linux server would send and nothing is invented.
 */

#include "tcp.h"

enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WS = 3,
	OPT_SACK_PERM = 4,
	OPT_TS = 8,
};

int catoproxy_tcp_parse_opts(const u8 *opt, unsigned int len,
			     struct catoproxy_tcpopts *o)
{
	unsigned int i = 0, olen;

	memset(o, 0, sizeof(*o));
	o->wscale = CATOPROXY_TCP_WS_NONE;
	while (i < len) {
		switch (opt[i]) {
		case OPT_EOL:
			return 0;
		case OPT_NOP:
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		switch (opt[i]) {
		case OPT_MSS:
			if (olen != 4)
				return -EINVAL;
			o->mss = (u16)(opt[i + 2] << 8 | opt[i + 3]);
			break;
		case OPT_WS:
			if (olen != 3)
				return -EINVAL;
			/* RFC 7323 2.3: larger shifts are treated as 14. */
			o->wscale = opt[i + 2] > CATOPROXY_TCP_WS_MAX ?
					    CATOPROXY_TCP_WS_MAX :
					    opt[i + 2];
			break;
		case OPT_SACK_PERM:
			if (olen != 2)
				return -EINVAL;
			o->sack_ok = true;
			break;
		case OPT_TS:
			if (olen != 10)
				return -EINVAL;
			o->ts = true;
			o->tsval = catoproxy_tcp_get32(&opt[i + 2]);
			o->tsecr = catoproxy_tcp_get32(&opt[i + 6]);
			break;
		}
		i += olen;
	}
	return 0;
}

unsigned int catoproxy_tcp_build_opts(u8 *buf, const struct catoproxy_tcpopts *o)
{
	unsigned int n = 0;

	if (o->mss) {
		buf[n++] = OPT_MSS;
		buf[n++] = 4;
		buf[n++] = (u8)(o->mss >> 8);
		buf[n++] = (u8)o->mss;
	}
	if (o->ts) {
		if (o->sack_ok) {
			buf[n++] = OPT_SACK_PERM;
			buf[n++] = 2;
		} else {
			buf[n++] = OPT_NOP;
			buf[n++] = OPT_NOP;
		}
		buf[n++] = OPT_TS;
		buf[n++] = 10;
		catoproxy_tcp_put32(&buf[n], o->tsval);
		catoproxy_tcp_put32(&buf[n + 4], o->tsecr);
		n += 8;
	} else if (o->sack_ok) {
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_SACK_PERM;
		buf[n++] = 2;
	}
	if (o->wscale != CATOPROXY_TCP_WS_NONE) {
		buf[n++] = OPT_NOP;
		buf[n++] = OPT_WS;
		buf[n++] = 3;
		buf[n++] = o->wscale;
	}
	return n;
}

int catoproxy_tcp_find_ts(const u8 *opt, unsigned int len)
{
	unsigned int i = 0, olen;
	int found = -1;

	/* The last one counts, as in catoproxy_tcp_parse_opts() and Linux. */
	while (i < len) {
		if (opt[i] == OPT_EOL)
			break;
		if (opt[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		if (opt[i] == OPT_TS && olen == 10)
			found = (int)i + 2;
		i += olen;
	}
	return found;
}

u16 catoproxy_tcp_rescale(u16 win, u8 from_ws, u8 to_ws)
{
	u64 bytes;

	if (from_ws == CATOPROXY_TCP_WS_NONE)
		from_ws = 0;
	if (to_ws == CATOPROXY_TCP_WS_NONE)
		to_ws = 0;
	bytes = (u64)win << from_ws;
	bytes >>= to_ws;
	return bytes > 0xffff ? 0xffff : (u16)bytes;
}

#define COOKIE_WS_MASK 0xfu
#define COOKIE_SACK 0x10u
#define COOKIE_BITS 0x3fu

u32 catoproxy_tcp_cookie_tsval(u32 clock, const struct catoproxy_tcpopts *client)
{
	u32 tsval = clock & ~COOKIE_BITS;

	tsval |= client->wscale == CATOPROXY_TCP_WS_NONE ? COOKIE_WS_MASK :
							    client->wscale;
	if (client->sack_ok)
		tsval |= COOKIE_SACK;
	return tsval;
}

void catoproxy_tcp_cookie_decode(u32 tsecr, struct catoproxy_tcpopts *o)
{
	u32 ws = tsecr & COOKIE_WS_MASK;

	o->wscale = ws == COOKIE_WS_MASK ? CATOPROXY_TCP_WS_NONE :
		    ws > CATOPROXY_TCP_WS_MAX ? CATOPROXY_TCP_WS_MAX : (u8)ws;
	o->sack_ok = tsecr & COOKIE_SACK;
}
