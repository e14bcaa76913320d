// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for kmod/core/tcp.c: option parsing and building, the
 * timestamp locator and window rescaling.
 */

#include "tcp.h"
#include "unit.h"

static void test_parse(void)
{
	/* A Linux client SYN: MSS 1460, SACK-perm, TS, NOP, WS 7. */
	const u8 linux_syn[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x12, 0x34,
				 0, 0, 0, 0, 1, 3, 3, 7 };
	const u8 ws_big[] = { 3, 3, 20, 0 };
	const u8 eol_stops[] = { 2, 4, 0x02, 0x18, 0, 3, 3, 7 };
	const u8 unknown[] = { 30, 4, 1, 2, 4, 2, 0, 0 };
	const u8 overrun[] = { 2, 4, 5 };
	const u8 zero_len[] = { 30, 0, 1, 1 };
	const u8 bad_mss[] = { 2, 3, 5, 1 };
	const u8 bad_ts[] = { 8, 6, 0, 0, 0, 0 };
	const u8 lone_kind[] = { 1, 1, 1, 2 };
	/* A BGP speaker's SYN: MSS, NOP NOP, TCP-MD5 (16-byte digest), EOL. */
	const u8 md5_syn[] = { 2, 4, 0x05, 0xb4, 1, 1, 19, 18, 1, 2, 3, 4, 5,
			       6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0 };
	/* TCP-AO with a 12-byte MAC (HMAC-SHA-1-96), then SACK-perm. */
	const u8 ao_syn[] = { 29, 16, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
			      12, 4, 2, 1, 1 };
	const u8 both[] = { 19, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    0, 0, 29, 4, 0, 0 };
	const u8 md5_short[] = { 19, 10, 0, 0, 0, 0, 0, 0, 0, 0 };
	const u8 ao_short[] = { 29, 3, 0, 1 };
	/* Fast Open cookie request, MPTCP MP_CAPABLE: skipped, not signed. */
	const u8 tfo_mptcp[] = { 34, 2, 30, 4, 0, 0x81, 1, 1 };
	/* A Fast Open cookie (8 bytes), the experimental form, other 254s. */
	const u8 tfo_cookie[] = { 2, 4, 0x05, 0xb4, 34, 10, 1, 2, 3, 4, 5, 6,
				  7, 8, 1, 1 };
	const u8 tfo_exp[] = { 254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8 };
	const u8 exp_other[] = { 254, 4, 0x12, 0x34, 253, 2, 254, 3, 0xf9, 1,
				 1, 1 };
	const u8 mptcp[] = { 30, 12, 0, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct catoproxy_tcpopts o;

	CHECK(!catoproxy_tcp_parse_opts(linux_syn, sizeof(linux_syn), &o) &&
	      o.mss == 1460 && o.sack_ok && o.ts && o.tsval == 0x1234 &&
	      o.tsecr == 0 && o.wscale == 7, "Linux SYN options");
	CHECK(!catoproxy_tcp_parse_opts(NULL, 0, &o) && !o.mss && !o.sack_ok &&
	      !o.ts && o.wscale == CATOPROXY_TCP_WS_NONE, "no options");
	CHECK(!catoproxy_tcp_parse_opts(ws_big, sizeof(ws_big), &o) && o.wscale == 14,
	      "window scale above 14 is taken as 14");
	CHECK(!catoproxy_tcp_parse_opts(eol_stops, sizeof(eol_stops), &o) &&
	      o.mss == 536 && o.wscale == CATOPROXY_TCP_WS_NONE, "EOL ends the list");
	CHECK(!catoproxy_tcp_parse_opts(unknown, sizeof(unknown), &o) && o.sack_ok,
	      "unknown options are skipped");
	CHECK(catoproxy_tcp_parse_opts(overrun, sizeof(overrun), &o) == -EINVAL,
	      "option running past the end");
	CHECK(catoproxy_tcp_parse_opts(zero_len, sizeof(zero_len), &o) == -EINVAL,
	      "option length 0");
	CHECK(catoproxy_tcp_parse_opts(bad_mss, sizeof(bad_mss), &o) == -EINVAL,
	      "MSS of length 3");
	CHECK(catoproxy_tcp_parse_opts(bad_ts, sizeof(bad_ts), &o) == -EINVAL,
	      "TS of length 6");
	CHECK(catoproxy_tcp_parse_opts(lone_kind, sizeof(lone_kind), &o) == -EINVAL,
	      "kind without length byte");

	CHECK(!catoproxy_tcp_parse_opts(linux_syn, sizeof(linux_syn), &o) &&
	      !o.sig, "an unsigned SYN");
	CHECK(!catoproxy_tcp_parse_opts(md5_syn, sizeof(md5_syn), &o) &&
	      o.sig == CATOPROXY_TCP_SIG_MD5 && o.mss == 1460,
	      "TCP-MD5 signed SYN");
	CHECK(!catoproxy_tcp_parse_opts(ao_syn, sizeof(ao_syn), &o) &&
	      o.sig == CATOPROXY_TCP_SIG_AO && o.sack_ok, "TCP-AO signed SYN");
	CHECK(!catoproxy_tcp_parse_opts(both, sizeof(both), &o) &&
	      o.sig == (CATOPROXY_TCP_SIG_MD5 | CATOPROXY_TCP_SIG_AO),
	      "TCP-MD5 and TCP-AO together");
	CHECK(catoproxy_tcp_parse_opts(md5_short, sizeof(md5_short), &o) ==
	      -EINVAL, "TCP-MD5 of length 10");
	CHECK(catoproxy_tcp_parse_opts(ao_short, sizeof(ao_short), &o) ==
	      -EINVAL, "TCP-AO of length 3");
	CHECK(!catoproxy_tcp_parse_opts(tfo_mptcp, sizeof(tfo_mptcp), &o) &&
	      !o.sig, "Fast Open and MPTCP options are not signatures");

	CHECK(!catoproxy_tcp_parse_opts(linux_syn, sizeof(linux_syn), &o) &&
	      !o.fastopen, "a SYN without Fast Open");
	CHECK(!catoproxy_tcp_parse_opts(tfo_mptcp, sizeof(tfo_mptcp), &o) &&
	      o.fastopen, "a Fast Open cookie request");
	CHECK(!catoproxy_tcp_parse_opts(tfo_cookie, sizeof(tfo_cookie), &o) &&
	      o.fastopen && o.mss == 1460, "a Fast Open cookie");
	CHECK(!catoproxy_tcp_parse_opts(tfo_exp, sizeof(tfo_exp), &o) &&
	      o.fastopen, "the experimental Fast Open option (magic 0xF989)");
	CHECK(!catoproxy_tcp_parse_opts(exp_other, sizeof(exp_other), &o) &&
	      !o.fastopen && !o.sig,
	      "other experimental options, a 254 too short for a magic");
	CHECK(!catoproxy_tcp_parse_opts(mptcp, sizeof(mptcp), &o) &&
	      !o.fastopen && !o.sig, "MPTCP MP_CAPABLE is skipped");
}

static void test_build(void)
{
	struct catoproxy_tcpopts o = { .mss = 1460, .wscale = 7, .sack_ok = true,
				       .ts = true, .tsval = 0xdeadbeef, .tsecr = 42 };
	const u8 linux_synack[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0xde, 0xad, 0xbe,
				    0xef, 0, 0, 0, 42, 1, 3, 3, 7 };
	struct catoproxy_tcpopts back;
	u8 buf[CATOPROXY_TCP_OPTS_MAX];
	unsigned int n, mask;

	n = catoproxy_tcp_build_opts(buf, &o);
	CHECK(n == sizeof(linux_synack) && !memcmp(buf, linux_synack, n),
	      "all four options laid out as Linux does");

	/* Every combination parses back to itself and stays 4-byte aligned. */
	for (mask = 0; mask < 16; mask++) {
		struct catoproxy_tcpopts c = {
			.mss = (mask & 1) ? 1400 : 0,
			.wscale = (mask & 2) ? 9 : CATOPROXY_TCP_WS_NONE,
			.sack_ok = mask & 4,
			.ts = mask & 8,
			.tsval = 7,
			.tsecr = 9,
		};

		n = catoproxy_tcp_build_opts(buf, &c);
		CHECK(n % 4 == 0 && n <= CATOPROXY_TCP_OPTS_MAX &&
		      !catoproxy_tcp_parse_opts(buf, n, &back) &&
		      back.mss == c.mss && back.wscale == c.wscale &&
		      back.sack_ok == c.sack_ok && back.ts == c.ts &&
		      (!c.ts || (back.tsval == 7 && back.tsecr == 9)),
		      "round trip of option set %u (%u bytes)", mask, n);
		CHECK((catoproxy_tcp_find_ts(buf, n) >= 0) == c.ts,
		      "find_ts agrees with parse for set %u", mask);
	}
	o = (struct catoproxy_tcpopts){ .wscale = CATOPROXY_TCP_WS_NONE };
	CHECK(catoproxy_tcp_build_opts(buf, &o) == 0, "nothing to offer: no options");
}

static void test_find_ts(void)
{
	const u8 data_seg[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	const u8 sack_then_ts[] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
				    1, 1, 8, 10, 0, 0, 0, 3, 0, 0, 0, 4 };
	const u8 broken[] = { 1, 1, 8, 12, 0, 0 };

	CHECK(catoproxy_tcp_find_ts(data_seg, sizeof(data_seg)) == 4,
	      "TSval after NOP NOP");
	CHECK(catoproxy_tcp_find_ts(sack_then_ts, sizeof(sack_then_ts)) == 16,
	      "TS found after a SACK block");
	CHECK(catoproxy_tcp_find_ts(broken, sizeof(broken)) == -1,
	      "truncated option: no TS");
}

static void test_rescale(void)
{
	CHECK(catoproxy_tcp_rescale(1000, 7, 7) == 1000, "same scale");
	CHECK(catoproxy_tcp_rescale(1000, 9, 7) == 4000, "server scales more");
	CHECK(catoproxy_tcp_rescale(1001, 7, 9) == 250, "rounds down");
	CHECK(catoproxy_tcp_rescale(65535, CATOPROXY_TCP_WS_NONE, 7) == 511,
	      "unscaled server, scaled client");
	CHECK(catoproxy_tcp_rescale(60000, 14, 0) == 65535, "saturates");
	CHECK(catoproxy_tcp_rescale(3, 0, 14) == 0, "tiny window scaled away");
}

static void test_cookie(void)
{
	struct catoproxy_tcpopts c = { .wscale = 7, .sack_ok = true, .ts = true };
	struct catoproxy_tcpopts d;
	u32 tsval;

	tsval = catoproxy_tcp_cookie_tsval(0x12345678, &c);
	CHECK((tsval & ~0x3fu) == (0x12345678 & ~0x3fu), "clock kept above the low bits");
	catoproxy_tcp_cookie_decode(tsval, &d);
	CHECK(d.wscale == 7 && d.sack_ok, "ws 7 + SACK round trip");
	c = (struct catoproxy_tcpopts){ .wscale = CATOPROXY_TCP_WS_NONE, .ts = true };
	catoproxy_tcp_cookie_decode(catoproxy_tcp_cookie_tsval(0xffffffff, &c), &d);
	CHECK(d.wscale == CATOPROXY_TCP_WS_NONE && !d.sack_ok, "no ws, no SACK round trip");
	c.wscale = 14;
	catoproxy_tcp_cookie_decode(catoproxy_tcp_cookie_tsval(0, &c), &d);
	CHECK(d.wscale == 14, "ws 14 round trip");
	catoproxy_tcp_cookie_decode(0x0e, &d);
	CHECK(d.wscale == 14, "echoed 0xe decodes as ws 14");
}

static struct catoproxy_tcp_follow_seg seg(bool original, u8 flags, u32 seq,
					   u32 ack)
{
	struct catoproxy_tcp_follow_seg g = {
		.original = original, .flags = flags, .seq = seq, .ack = ack,
	};

	return g;
}

static struct catoproxy_tcp_follow_seg rst_in(bool original, u32 seq,
					      u32 rcv_nxt, u32 rcv_end)
{
	struct catoproxy_tcp_follow_seg g = seg(original, CATOPROXY_TCP_RST, seq, 0);

	g.window_known = true;
	g.rcv_nxt = rcv_nxt;
	g.rcv_end = rcv_end;
	return g;
}

static void test_follow(void)
{
	struct catoproxy_tcp_follow_state st = { 0 };
	struct catoproxy_tcp_follow_seg g;

	/* Blind resets against an established flow. */
	g = rst_in(true, 1000, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "exact RST passes");
	g = rst_in(true, 5000, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "in-window RST passes (the endpoint challenges)");
	g = rst_in(true, 66535, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "RST at the window's end passes");
	g = rst_in(true, 66536, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW, "RST past the window dropped");
	g = rst_in(false, 999, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW, "RST before RCV.NXT dropped");
	g = rst_in(true, 0x00000010, 0xfffffff0, 0x00010000);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "window across the 2^32 wrap");
	g = rst_in(true, 0xffffffe0, 0xfffffff0, 0x00010000);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW, "before a wrapped window");
	g = seg(true, CATOPROXY_TCP_RST, 12345, 0);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "unknown window: passes");

	/* RFC 5961 4.2: the client lost its state and reconnects. */
	g = seg(true, CATOPROXY_TCP_SYN, 777, 0);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS && st.flags == CATOPROXY_FOLLOW_F_SYN, "new SYN on the live flow noted");
	g = seg(false, CATOPROXY_TCP_ACK, 500, 1000);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_CHALLENGE_SEEN && st.challenge_ack == 1000, "server's bare ACK is a challenge ACK");
	g = rst_in(true, 4242, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS && st.flags, "an RST at another number is judged by the window");
	g = rst_in(true, 1000, 2000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, true) == CATOPROXY_FOLLOW_RST_CHALLENGE_DROPPED, "strict drops the challenge's RST");
	CHECK(st.flags & CATOPROXY_FOLLOW_F_CHALLENGE, "strict keeps the challenge (the client will retry)");
	g = rst_in(true, 1000, 2000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_RST_CHALLENGE_ALLOWED, "allow passes it even outside the old window");
	CHECK(!st.flags, "and the flow's follow state is clear");
	g = seg(false, CATOPROXY_TCP_RST, 1000, 0);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "no challenge pending: an RST is just an RST");

	/* Only the client's RST answers a challenge. */
	st.flags = 0;
	g = seg(true, CATOPROXY_TCP_SYN, 777, 0);
	catoproxy_tcp_follow(&st, &g, false);
	g = seg(false, CATOPROXY_TCP_ACK, 500, 1000);
	catoproxy_tcp_follow(&st, &g, false);
	g = rst_in(false, 1000, 2000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_RST_OUT_OF_WINDOW, "a server RST at the challenge number is not the answer");

	/* A SYN the server accepts (SYN-ACK) clears the watch. */
	st.flags = 0;
	g = seg(true, CATOPROXY_TCP_SYN, 777, 0);
	catoproxy_tcp_follow(&st, &g, false);
	g = seg(false, CATOPROXY_TCP_SYN | CATOPROXY_TCP_ACK, 9, 778);
	catoproxy_tcp_follow(&st, &g, false);
	CHECK(!st.flags, "SYN-ACK: no challenge pending");
	g = seg(false, CATOPROXY_TCP_ACK, 10, 778);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS && !st.flags, "later server ACKs are not challenges");
	g = seg(false, CATOPROXY_TCP_ACK, 10, 778);
	st.flags = 0;
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "no SYN seen: a server ACK is data");

	/* One challenge per SYN, and a client that still talks ends the watch. */
	st.flags = 0;
	g = seg(true, CATOPROXY_TCP_SYN, 777, 0);
	catoproxy_tcp_follow(&st, &g, false);
	g = seg(false, CATOPROXY_TCP_ACK, 500, 1000);
	catoproxy_tcp_follow(&st, &g, false);
	g = seg(false, CATOPROXY_TCP_ACK, 600, 1000);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS, "a second server segment is not another challenge");
	g = seg(true, CATOPROXY_TCP_ACK, 1000, 600);
	CHECK(catoproxy_tcp_follow(&st, &g, false) == CATOPROXY_FOLLOW_PASS && !st.flags, "client data on the old connection ends the watch");
	g = rst_in(true, 1000, 1000, 66535);
	CHECK(catoproxy_tcp_follow(&st, &g, true) == CATOPROXY_FOLLOW_PASS, "then its RST is an ordinary one, even strict");
}

int main(void)
{
	test_follow();
	test_cookie();
	test_parse();
	test_build();
	test_find_ts();
	test_rescale();
	return unit_done();
}
