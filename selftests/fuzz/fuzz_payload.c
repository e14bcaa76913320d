// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/payload.c. The input is a client's first
 * bytes, given to both parsers (seeds: corpus/payload/, what OpenSSL and
 * curl sent), and, up to its first NUL, a rule's name pattern.
 *
 * Invariants: a name FOUND is lower case, at most NAME_MAX long, a valid
 * pattern and matched by itself and by "*." and its parent; the answer is
 * final (every prefix gives MORE or the same answer, and the same name);
 * HOLD_MAX bytes always decide; and, with ASAN, no read past the bytes
 * given (they are copied to a buffer of exactly their size).
 */

#include "payload.h"
#include "fuzz.h"

typedef int (*parser_t)(const u8 *, u32, char *);

static void check_name(const char *name)
{
	char pattern[CATOPROXY_PAYLOAD_NAME_MAX + 3];
	const char *why = NULL, *dot;
	size_t n = strlen(name), i;

	ASSERT(n >= 1 && n <= CATOPROXY_PAYLOAD_NAME_MAX);
	for (i = 0; i < n; i++)
		ASSERT(name[i] < 'A' || name[i] > 'Z');
	ASSERT(catoproxy_payload_pattern_valid(name, &why) && !why);
	ASSERT(catoproxy_payload_name_match(name, name));
	dot = strchr(name, '.');
	if (dot) {
		snprintf(pattern, sizeof(pattern), "*%s", dot);
		ASSERT(catoproxy_payload_pattern_valid(pattern, &why));
		ASSERT(catoproxy_payload_name_match(pattern, name));
		ASSERT(!catoproxy_payload_name_match(pattern, dot + 1));
	}
}

static u8 *copy(const u8 *data, u32 len)
{
	u8 *p = malloc(len ? len : 1);

	memcpy(p, data, len);
	return p;
}

static int parse(parser_t p, const u8 *data, u32 len, char *name)
{
	u8 *c = copy(data, len);
	int res;

	/* a sentinel, so that a FOUND that writes no name is seen */
	name[0] = 'X';
	name[1] = '\0';
	res = p(c, len, name);
	free(c);
	return res;
}

static void check_parser(parser_t p, const u8 *data, u32 len)
{
	char *name = malloc(CATOPROXY_PAYLOAD_NAME_MAX + 1);
	char *pname = malloc(CATOPROXY_PAYLOAD_NAME_MAX + 1);
	int res = parse(p, data, len, name), r;
	u32 i, step = len <= 512 ? 1 : len / 128;
	u8 *big;

	ASSERT(res >= CATOPROXY_PAYLOAD_MORE &&
	       res <= CATOPROXY_PAYLOAD_OTHER);
	if (res == CATOPROXY_PAYLOAD_FOUND)
		check_name(name);
	/* Final answers: every prefix gives MORE or the same. */
	for (i = 0; i < len; i += step) {
		r = parse(p, data, i, pname);
		ASSERT(r == CATOPROXY_PAYLOAD_MORE || r == res);
		if (r == CATOPROXY_PAYLOAD_FOUND)
			ASSERT(!strcmp(pname, name));
	}
	/* The bound: the input repeated to HOLD_MAX bytes is decided. */
	if (len && res == CATOPROXY_PAYLOAD_MORE) {
		big = malloc(CATOPROXY_PAYLOAD_HOLD_MAX);
		for (i = 0; i < CATOPROXY_PAYLOAD_HOLD_MAX; i++)
			big[i] = data[i % len];
		r = p(big, CATOPROXY_PAYLOAD_HOLD_MAX, pname);
		ASSERT(r != CATOPROXY_PAYLOAD_MORE);
		if (r == CATOPROXY_PAYLOAD_FOUND)
			check_name(pname);
		free(big);
	}
	free(name);
	free(pname);
}

static void check_pattern(const u8 *data, size_t len)
{
	char s[CATOPROXY_PAYLOAD_NAME_MAX + 40], t[sizeof(s)];
	const char *why = NULL;
	size_t n = 0, i;

	while (n < len && n < sizeof(s) - 1 && data[n])
		n++;
	memcpy(s, data, n);
	s[n] = '\0';
	if (!catoproxy_payload_pattern_valid(s, &why)) {
		ASSERT(why);
		return;
	}
	ASSERT(!why && n <= CATOPROXY_PAYLOAD_NAME_MAX);
	for (i = 0; i <= n; i++)
		t[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
	if (s[0] != '*') {
		/* a name the parsers could give, matched in any case */
		ASSERT(catoproxy_payload_name_match(s, t));
		ASSERT(catoproxy_payload_name_match(t, s));
		return;
	}
	/* "*.suffix": not the suffix, but a label below it */
	ASSERT(!catoproxy_payload_name_match(s, t + 2));
	t[0] = 'a';
	ASSERT(catoproxy_payload_name_match(s, t));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len);

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	if (len > 2 * CATOPROXY_PAYLOAD_HOLD_MAX)
		return 0;
	check_parser(catoproxy_payload_sni, data, (u32)len);
	check_parser(catoproxy_payload_host, data, (u32)len);
	check_pattern(data, len);
	return 0;
}
