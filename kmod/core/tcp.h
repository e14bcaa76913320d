/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP header and option arithmetic for the proxy: plain C (see pure.h),
 * shared by the module, the unit tests and the fuzz target. Everything works
 * on byte arrays in network order.
 */
#ifndef _CATOPROXY_TCP_H
#define _CATOPROXY_TCP_H

#include "pure.h"

#define CATOPROXY_TCP_WS_NONE 0xff
#define CATOPROXY_TCP_WS_MAX 14
/* The longest option block we build: MSS, SACK-permitted + TS, NOP + WS. */
#define CATOPROXY_TCP_OPTS_MAX 20

/*
 * Options that sign the segment (RFC 2385 TCP-MD5, RFC 5925 TCP-AO): the
 * signature covers the header, so only the endpoints can answer or rewrite
 * such a segment.
 */
#define CATOPROXY_TCP_SIG_MD5 0x01
#define CATOPROXY_TCP_SIG_AO 0x02

struct catoproxy_tcpopts {
	u16 mss; /* 0: absent */
	u8 wscale; /* CATOPROXY_TCP_WS_NONE: absent */
	bool sack_ok;
	bool ts;
	u8 sig; /* CATOPROXY_TCP_SIG_*; never built */
	/*
	 * A TCP Fast Open option (RFC 7413, kind 34, or the experimental
	 * kind 254 with magic 0xF989): a cookie or a request for one, which
	 * only the server can issue or check; never built
	 */
	bool fastopen;
	u32 tsval;
	u32 tsecr;
};

/*
 * Parse the options of a TCP header (@opt points after the fixed 20 bytes).
 * Returns 0, or -EINVAL for a malformed block (an option running past the
 * end, a length below 2, a known option with the wrong length); unknown
 * well-formed options are skipped. A TCP-MD5 option must be 18 bytes, a
 * TCP-AO one at least 4 (its MAC length is the endpoints' business). A Fast
 * Open option of any well-formed length counts (the server judges it).
 */
int catoproxy_tcp_parse_opts(const u8 *opt, unsigned int len,
			     struct catoproxy_tcpopts *o);

/*
 * Write the options of a SYN or SYN-ACK carrying @o into @buf, laid out as
 * Linux lays them out, and return their length: a multiple of 4, at most
 * CATOPROXY_TCP_OPTS_MAX.
 */
unsigned int catoproxy_tcp_build_opts(u8 *buf, const struct catoproxy_tcpopts *o);

/*
 * Offset of the (last) timestamp option's TSval in @opt, or -1 if there is
 * none or the block is malformed.
 */
int catoproxy_tcp_find_ts(const u8 *opt, unsigned int len);

/*
 * A window field scaled by @from_ws as the peer scaled by @to_ws must read it
 * to mean no more bytes (CATOPROXY_TCP_WS_NONE counts as 0). Rounds down,
 * saturates at 65535.
 */
u16 catoproxy_tcp_rescale(u16 win, u8 from_ws, u8 to_ws);

/*
 * SYN-cookie mode keeps no state between the SYN-ACK and the client's ACK,
 * so what the client offered rides in the low six bits of the SYN-ACK's
 * TSval (window scale, 0xf for none; SACK-permitted) and comes back in the
 * client's TSecr. Only possible when the client offered timestamps.
 */
u32 catoproxy_tcp_cookie_tsval(u32 clock, const struct catoproxy_tcpopts *client);
/* Recover window scale and SACK-permitted from an echoed cookie TSval. */
void catoproxy_tcp_cookie_decode(u32 tsecr, struct catoproxy_tcpopts *o);

/*
 * Following a live flow for RFC 5961 (challenge ACKs and blind resets), as
 * a middlebox sees it. One struct per connection; catoproxy_tcp_follow()
 * sees every segment of the flow that may matter (SYN, RST, and the
 * server's segments while a SYN is outstanding) and says what to do.
 */
#define CATOPROXY_FOLLOW_F_SYN 0x01 /* the client sent a SYN on this flow */
#define CATOPROXY_FOLLOW_F_CHALLENGE 0x02 /* @challenge_ack is the server's */

struct catoproxy_tcp_follow_state {
	u8 flags; /* CATOPROXY_FOLLOW_F_* */
	u32 challenge_ack; /* ack number of the server's latest challenge ACK */
};

struct catoproxy_tcp_follow_seg {
	bool original; /* from the client (conntrack's original direction) */
	u8 flags; /* TCP flag byte: FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 */
	u32 seq;
	u32 ack;
	/*
	 * What the segment's receiver will accept, when known (an
	 * established flow): @rcv_nxt is what it has acknowledged, @rcv_end
	 * the highest sequence number it has let the sender reach.
	 */
	bool window_known;
	u32 rcv_nxt;
	u32 rcv_end;
};

enum catoproxy_tcp_follow {
	CATOPROXY_FOLLOW_PASS,
	/* pass: the server answered the client's SYN with a bare ACK */
	CATOPROXY_FOLLOW_CHALLENGE_SEEN,
	/* drop: an RST outside the receiver's window (a blind reset) */
	CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW,
	/* pass: the client's RST answering a challenge ACK; the flow ends */
	CATOPROXY_FOLLOW_RST_CHALLENGE_ALLOWED,
	/* drop: the same RST, because challenge-ack is strict */
	CATOPROXY_FOLLOW_RST_CHALLENGE_DROPPED,
};

#define CATOPROXY_TCP_FIN 0x01
#define CATOPROXY_TCP_SYN 0x02
#define CATOPROXY_TCP_RST 0x04
#define CATOPROXY_TCP_ACK 0x10

/*
 * Update @st with @seg and say what to do with it. @strict: drop the RST
 * that answers a challenge ACK, as many firewalls do.
 */
enum catoproxy_tcp_follow
catoproxy_tcp_follow(struct catoproxy_tcp_follow_state *st,
		     const struct catoproxy_tcp_follow_seg *seg, bool strict);

static inline u32 catoproxy_tcp_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void catoproxy_tcp_put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

#endif /* _CATOPROXY_TCP_H */
