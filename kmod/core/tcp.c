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
	OPT_MD5 = 19, /* RFC 2385 */
	OPT_AO = 29, /* RFC 5925 */
	OPT_FASTOPEN = 34, /* RFC 7413 */
	OPT_EXP = 254, /* RFC 6994: a 16-bit magic follows */
};

/* The experimental Fast Open option's magic (RFC 7413 4.1.1). */
#define EXP_FASTOPEN_MAGIC 0xf989

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
		case OPT_MD5:
			if (olen != 18)
				return -EINVAL;
			o->sig |= CATOPROXY_TCP_SIG_MD5;
			break;
		case OPT_AO:
			/* kind, length, KeyID, RNextKeyID, then the MAC */
			if (olen < 4)
				return -EINVAL;
			o->sig |= CATOPROXY_TCP_SIG_AO;
			break;
		case OPT_FASTOPEN:
			o->fastopen = true;
			break;
		case OPT_EXP:
			if (olen >= 4 && (opt[i + 2] << 8 | opt[i + 3]) ==
						 EXP_FASTOPEN_MAGIC)
				o->fastopen = true;
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

/* Sequence space comparisons, modulo 2^32 (RFC 793). */
static bool seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static enum catoproxy_tcp_follow
follow_rst(struct catoproxy_tcp_follow_state *st,
	   const struct catoproxy_tcp_follow_seg *seg, bool strict)
{
	/*
	 * RFC 5961 4: a client that lost its connection answers the server's
	 * challenge ACK with an RST whose sequence number is that ACK's
	 * acknowledgment number. It is exactly in window for the server, but
	 * a middlebox that judges it by the new SYN sees it out of window.
	 */
	if (seg->original && (st->flags & CATOPROXY_FOLLOW_F_CHALLENGE) &&
	    seg->seq == st->challenge_ack) {
		if (strict)
			return CATOPROXY_FOLLOW_RST_CHALLENGE_DROPPED;
		st->flags = 0;
		return CATOPROXY_FOLLOW_RST_CHALLENGE_ALLOWED;
	}
	/*
	 * RFC 5961 3.2: outside [RCV.NXT, RCV.NXT + RCV.WND] the receiver
	 * ignores it, so nothing is lost by not carrying a blind reset; an
	 * in-window one that is not exact makes the receiver challenge.
	 */
	if (seg->window_known &&
	    (seq_before(seg->seq, seg->rcv_nxt) ||
	     seq_before(seg->rcv_end, seg->seq)))
		return CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW;
	return CATOPROXY_FOLLOW_PASS;
}

enum catoproxy_tcp_follow
catoproxy_tcp_follow(struct catoproxy_tcp_follow_state *st,
		     const struct catoproxy_tcp_follow_seg *seg, bool strict)
{
	u8 f = seg->flags;

	if (f & CATOPROXY_TCP_RST)
		return follow_rst(st, seg, strict);
	if (f & CATOPROXY_TCP_SYN) {
		if (seg->original && !(f & CATOPROXY_TCP_ACK)) {
			/* A new SYN: an older challenge no longer counts. */
			st->flags = CATOPROXY_FOLLOW_F_SYN;
		} else if (!seg->original) {
			/* The server took the SYN: no challenge pending. */
			st->flags = 0;
		}
		return CATOPROXY_FOLLOW_PASS;
	}
	/*
	 * While a client SYN is outstanding, a server segment that is not a
	 * SYN-ACK acknowledges the old connection: it is a challenge ACK,
	 * and the client will answer it with an RST at its ack number. One
	 * per SYN: later server segments are just the old connection's.
	 */
	if (!seg->original && (f & CATOPROXY_TCP_ACK) &&
	    (st->flags & CATOPROXY_FOLLOW_F_SYN)) {
		st->flags = CATOPROXY_FOLLOW_F_CHALLENGE;
		st->challenge_ack = seg->ack;
		return CATOPROXY_FOLLOW_CHALLENGE_SEEN;
	}
	/*
	 * The client still speaks on the old connection: it did not lose
	 * it, and its RSTs are ordinary ones again.
	 */
	if (seg->original && (f & CATOPROXY_TCP_ACK))
		st->flags = 0;
	return CATOPROXY_FOLLOW_PASS;
}
