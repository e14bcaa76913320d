// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for kmod/core/payload.c: the TLS server name and HTTP
 * Host parsers on what real clients send (selftests/fuzz/corpus/payload/,
 * captured by its gen_payload.py) and on ClientHellos and requests built
 * here to be split, broken and stretched; names and patterns.
 *
 * Every input is also fed a byte at a time, as increasing prefixes in a
 * buffer of exactly that size (so that ASAN sees any read past the end):
 * the answer must be MORE until the last byte the parser needs, then the
 * final one, and never change after.
 */

#include <stdio.h>

#include "payload.h"
#include "unit.h"

#ifndef CORPUS
#define CORPUS "../fuzz/corpus/payload"
#endif

enum { MORE = CATOPROXY_PAYLOAD_MORE, FOUND = CATOPROXY_PAYLOAD_FOUND,
       NONE = CATOPROXY_PAYLOAD_NONE, MALFORMED = CATOPROXY_PAYLOAD_MALFORMED,
       OTHER = CATOPROXY_PAYLOAD_OTHER };

typedef int (*parser_t)(const u8 *, u32, char *);

static const char *const status_names[] = { "MORE", "FOUND", "NONE",
					     "MALFORMED", "OTHER" };

static int run(parser_t p, const u8 *data, u32 len, char *name)
{
	u8 *copy = malloc(len ? len : 1);
	int res;

	memcpy(copy, data, len);
	res = p(copy, len, name);
	free(copy);
	return res;
}

/*
 * MORE for every prefix of @data shorter than @need (0: @len), @want for
 * every longer one, and @want_name with FOUND.
 */
static bool prefixes(parser_t p, const u8 *data, u32 len, u32 need, int want,
		     const char *want_name)
{
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	u32 i;

	if (!need)
		need = len;
	for (i = 0; i <= len; i++) {
		int res;

		name[0] = '\0';
		res = run(p, data, i, name);
		if (res != (i < need ? MORE : want)) {
			printf("#   prefix %u of %u: %s\n", i, len,
			       status_names[res]);
			return false;
		}
		if (res == FOUND && strcmp(name, want_name)) {
			printf("#   prefix %u: name \"%s\"\n", i, name);
			return false;
		}
	}
	return true;
}

/*
 * Whatever @data's answer is, every prefix gives MORE or the same, and the
 * first that does not give MORE is followed by no MORE.
 */
static bool final(parser_t p, const u8 *data, u32 len)
{
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	int last = MORE, res = run(p, data, len, name);
	u32 i;

	for (i = 0; i <= len; i++) {
		int r = run(p, data, i, name);

		if ((r != MORE && r != res) || (last != MORE && r == MORE)) {
			printf("#   prefix %u of %u: %s\n", i, len,
			       status_names[r]);
			return false;
		}
		last = r;
	}
	return true;
}

static int one(parser_t p, const void *data, u32 len, char *name)
{
	name[0] = '\0';
	return run(p, data, len, name);
}

static u32 load(const char *file, u8 *buf, u32 size)
{
	char path[512];
	FILE *f;
	u32 n;

	snprintf(path, sizeof(path), "%s/%s", CORPUS, file);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 0;
	}
	n = (u32)fread(buf, 1, size, f);
	fclose(f);
	return n;
}

/* ClientHellos built here. */

static u8 *put16(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
	return p + 2;
}

/* An extension: type, length, @n bytes of @data (or of 'x' if NULL). */
static u32 ext(u8 *out, u16 type, const void *data, u32 n)
{
	put16(out, type);
	put16(out + 2, n);
	if (data)
		memcpy(out + 4, data, n);
	else
		memset(out + 4, 'x', n);
	return 4 + n;
}

/* server_name with entries "T:name" (T: the name_type digit). */
static u32 sni_ext(u8 *out, const char *const *entries, u32 count)
{
	u8 *p = out + 6;
	u32 i;

	for (i = 0; i < count; i++) {
		u32 n = (u32)strlen(entries[i]) - 2;

		*p++ = (u8)(entries[i][0] - '0');
		p = put16(p, n);
		memcpy(p, entries[i] + 2, n);
		p += n;
	}
	put16(out, 0);
	put16(out + 2, (u32)(p - out) - 4);
	put16(out + 4, (u32)(p - out) - 6);
	return (u32)(p - out);
}

/*
 * A ClientHello handshake message with @exts (extlen < 0: no extensions
 * block at all), as OpenSSL writes one: version, random, a 32-byte
 * session id, three suites, null compression.
 */
static u32 hello(u8 *out, const u8 *exts, int extlen)
{
	u8 *p = out + 4;
	u32 n;

	p = put16(p, 0x0303);
	memset(p, 0xab, 32);
	p += 32;
	*p++ = 32;
	memset(p, 0xcd, 32);
	p += 32;
	p = put16(p, 6);
	p = put16(p, 0x1301);
	p = put16(p, 0x1302);
	p = put16(p, 0xc02f);
	*p++ = 1;
	*p++ = 0;
	if (extlen >= 0) {
		p = put16(p, (u32)extlen);
		if (extlen)
			memcpy(p, exts, (u32)extlen);
		p += extlen;
	}
	n = (u32)(p - out) - 4;
	out[0] = 1;
	out[1] = (u8)(n >> 16);
	out[2] = (u8)(n >> 8);
	out[3] = (u8)n;
	return n + 4;
}

/*
 * @hs in records of the sizes in @cuts (the last one takes the rest; 0
 * cuts: one record).
 */
static u32 records(u8 *out, const u8 *hs, u32 n, const u32 *cuts, u32 ncuts)
{
	u32 o = 0, i;

	for (i = 0; n; i++) {
		u32 k = i < ncuts && cuts[i] < n ? cuts[i] : n;

		out[o] = 22;
		out[o + 1] = 3;
		out[o + 2] = i ? 3 : 1;
		put16(out + o + 3, k);
		memcpy(out + o + 5, hs, k);
		o += 5 + k;
		hs += k;
		n -= k;
	}
	return o;
}

static u8 hs[40000], rec[40000], exts[40000];

/* One record around a hello with the given extensions. */
static u32 simple(const u8 *e, int elen)
{
	u32 n = hello(hs, e, elen);

	return records(rec, hs, n, NULL, 0);
}

static void test_sni_real(void)
{
	static u8 buf[4096], two[8192];
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	u32 n, m, body;
	u32 cuts[2];

	n = load("tls-openssl.bin", buf, sizeof(buf));
	CHECK(n > 200 && one(catoproxy_payload_sni, buf, n, name) == FOUND &&
	      !strcmp(name, "www.example.com"),
	      "sni: OpenSSL's ClientHello (%u bytes): %s", n, name);
	CHECK(prefixes(catoproxy_payload_sni, buf, n, 0, FOUND,
		       "www.example.com"),
	      "sni: OpenSSL's ClientHello a byte at a time: MORE, then FOUND");
	/* what follows the hello does not matter */
	memcpy(two, buf, n);
	memset(two + n, 0xff, 100);
	CHECK(one(catoproxy_payload_sni, two, n + 100, name) == FOUND &&
	      !strcmp(name, "www.example.com"),
	      "sni: bytes after the ClientHello are not looked at");

	/* The same hello re-cut into three records. */
	body = n - 5;
	cuts[0] = 7;
	cuts[1] = body / 2;
	m = records(two, buf + 5, body, cuts, 2);
	CHECK(m == n + 10 && prefixes(catoproxy_payload_sni, two, m, 0, FOUND,
				      "www.example.com"),
	      "sni: OpenSSL's ClientHello over three records, a byte at a time");

	n = load("tls-openssl-case.bin", buf, sizeof(buf));
	CHECK(n && one(catoproxy_payload_sni, buf, n, name) == FOUND &&
	      !strcmp(name, "mixed.example.org"),
	      "sni: -servername Mixed.Example.ORG is lower-cased: %s", name);
	n = load("tls-openssl-nosni.bin", buf, sizeof(buf));
	CHECK(n && prefixes(catoproxy_payload_sni, buf, n, 0, NONE, ""),
	      "sni: OpenSSL's TLS 1.2 ClientHello without SNI: NONE");
	n = load("tls-curl.bin", buf, sizeof(buf));
	CHECK(n && prefixes(catoproxy_payload_sni, buf, n, 0, FOUND,
			    "api.example.net"),
	      "sni: curl's ClientHello");
	n = load("http-curl.bin", buf, sizeof(buf));
	CHECK(n && one(catoproxy_payload_sni, buf, n, name) == OTHER,
	      "sni: an HTTP request is OTHER");
}

static void test_sni_built(void)
{
	static const char *const several[] = { "1:other-type", "0:first.example",
					       "0:second.example" };
	static const char *const www[] = { "0:www.example.com" };
	static const char *const only_other[] = { "5:opaque" };
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	const char *e1[1];
	char long_name[300];
	u32 n, e;

	e = ext(exts, 10, "\x00\x04\x00\x1d\x00\x17", 6);
	e += ext(exts + e, 43, "\x04\x03\x04\x03\x03", 5);
	n = simple(exts, (int)e);
	CHECK(prefixes(catoproxy_payload_sni, rec, n, 0, NONE, ""),
	      "sni: extensions but no server_name: NONE");
	n = simple(NULL, -1);
	CHECK(prefixes(catoproxy_payload_sni, rec, n, 0, NONE, ""),
	      "sni: no extensions block at all: NONE");
	n = simple(NULL, 0);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == NONE,
	      "sni: an empty extensions block: NONE");

	e = ext(exts, 10, "\x00\x02\x00\x1d", 4);
	e += sni_ext(exts + e, several, 3);
	n = simple(exts, (int)e);
	CHECK(prefixes(catoproxy_payload_sni, rec, n, 0, FOUND,
		       "first.example"),
	      "sni: several names: the first host_name");
	e = sni_ext(exts, only_other, 1);
	n = simple(exts, (int)e);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == NONE,
	      "sni: a server_name without a host_name: NONE");

	/* ECH (draft-ietf-tls-esni): the outer hello's public name */
	e = sni_ext(exts, (const char *const[]){ "0:public.example.com" }, 1);
	e += ext(exts + e, 0xfe0d, NULL, 200);
	e += ext(exts + e, 0x0a0a, NULL, 0); /* GREASE */
	n = simple(exts, (int)e);
	CHECK(prefixes(catoproxy_payload_sni, rec, n, 0, FOUND,
		       "public.example.com"),
	      "sni: ECH: the outer, public name");
	e = ext(exts, 0xfe0d, NULL, 200);
	e += sni_ext(exts + e, (const char *const[]){ "0:cover.example" }, 1);
	n = simple(exts, (int)e);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND &&
	      !strcmp(name, "cover.example"),
	      "sni: ECH before server_name: the outer name");

	e1[0] = "0:WWW.Example.COM.";
	e = sni_ext(exts, e1, 1);
	n = simple(exts, (int)e);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND &&
	      !strcmp(name, "www.example.com"),
	      "sni: lower-cased, trailing dot dropped: %s", name);

	/* 253 characters: four labels of 63 and a dot between */
	memset(long_name, 'a', sizeof(long_name));
	memcpy(long_name, "0:", 2);
	long_name[2 + 63] = long_name[2 + 127] = long_name[2 + 191] = '.';
	long_name[2 + 253] = '\0';
	e1[0] = long_name;
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND &&
	      strlen(name) == 253, "sni: a name of 253 characters");
	long_name[2 + 253] = '.';
	long_name[2 + 254] = '\0';
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND &&
	      strlen(name) == 253, "sni: 253 and a trailing dot");
	long_name[2 + 253] = 'a';
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: a name of 254 characters: MALFORMED");
	e1[0] = "0:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com";
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: a label of 64 characters: MALFORMED");
	e1[0] = "0:*.example.com";
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: '*' in a name: MALFORMED");
	e1[0] = "0:a..b";
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: an empty label: MALFORMED");
	e1[0] = "0:";
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: an empty host_name: MALFORMED");
	e1[0] = "0:a\x01.com";
	n = simple(exts, (int)sni_ext(exts, e1, 1));
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: a control character: MALFORMED");

	e = sni_ext(exts, www, 1);
	e += sni_ext(exts + e, (const char *const[]){ "0:evil.example" }, 1);
	n = simple(exts, (int)e);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: two server_name extensions: MALFORMED");
}

static void test_sni_broken(void)
{
	static const char *const www[] = { "0:www.example.com" };
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	u32 n, e, h, cuts[CATOPROXY_PAYLOAD_TLS_RECORDS_MAX];
	u8 save;

	e = sni_ext(exts, www, 1);
	n = simple(exts, (int)e);

	/* lengths that disagree with their container */
	rec[5 + 4 + 2 + 32 + 1 + 32 + 2 + 6 + 2 + 1]++; /* extensions */
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: extensions block longer than the hello: MALFORMED");
	rec[5 + 4 + 2 + 32 + 1 + 32 + 2 + 6 + 2 + 1]--;
	h = n - e; /* the server_name extension in @rec */
	rec[h + 3]++;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: extension longer than the block: MALFORMED");
	rec[h + 3]--;
	rec[h + 5]--;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: server_name list shorter than the extension: MALFORMED");
	rec[h + 5]++;
	rec[h + 8]++;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: host_name longer than the list: MALFORMED");
	rec[h + 8]--;
	save = rec[5 + 4 + 34];
	rec[5 + 4 + 34] = 33;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: a 33-byte session id: MALFORMED");
	rec[5 + 4 + 34] = save;
	rec[5 + 4 + 2 + 32 + 1 + 32 + 1] = 5;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: an odd cipher_suites length: MALFORMED");
	rec[5 + 4 + 2 + 32 + 1 + 32 + 1] = 6;
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND,
	      "sni: the hello repaired is FOUND again");

	/* truncated: a record shorter than the hello, then the end */
	put16(rec + 3, n - 5 - 10);
	CHECK(one(catoproxy_payload_sni, rec, n - 10, name) == MORE &&
	      one(catoproxy_payload_sni, rec, n, name) == MALFORMED,
	      "sni: record ends before the hello: MORE, then MALFORMED");
	put16(rec + 3, n - 5);

	/* not TLS, not a hello, bad records */
	CHECK(one(catoproxy_payload_sni, "", 0, name) == MORE &&
	      one(catoproxy_payload_sni, "\x16", 1, name) == MORE &&
	      one(catoproxy_payload_sni, "\x16\x03\x01", 3, name) == MORE,
	      "sni: nothing, or a record header's start: MORE");
	CHECK(one(catoproxy_payload_sni, "G", 1, name) == OTHER &&
	      one(catoproxy_payload_sni, "\x16\x02", 2, name) == OTHER &&
	      one(catoproxy_payload_sni, "\x80\x2e\x01\x03\x01", 5, name) ==
		      OTHER &&
	      one(catoproxy_payload_sni, "SSH-2.0-x\r\n", 11, name) == OTHER,
	      "sni: not a TLS handshake record (garbage, SSLv2 hello): OTHER");
	CHECK(one(catoproxy_payload_sni, "\x16\x03\x01\x00\x00\x01", 6, name) ==
		      MALFORMED &&
	      one(catoproxy_payload_sni, "\x16\x03\x01\x40\x01\x01", 6, name) ==
		      MALFORMED,
	      "sni: a record of 0 or 2^14+1 bytes: MALFORMED");
	CHECK(one(catoproxy_payload_sni, "\x16\x03\x03\x00\x04\x02\x00\x00\x46",
		  9, name) == MALFORMED,
	      "sni: a ServerHello: MALFORMED");
	CHECK(one(catoproxy_payload_sni, "\x16\x03\x01\x00\x04\x01\x00\x40\x01",
		  9, name) == MALFORMED &&
	      one(catoproxy_payload_sni, "\x16\x03\x01\x00\x04\x01\x00\x40\x00",
		  9, name) == MORE,
	      "sni: a hello body of 2^14+1 bytes: MALFORMED at once");

	/* another content type between the hello's records */
	n = hello(hs, exts, (int)e);
	cuts[0] = 50;
	n = records(rec, hs, n, cuts, 1);
	rec[5 + 50] = 21;
	CHECK(one(catoproxy_payload_sni, rec, 56, name) == MALFORMED,
	      "sni: an alert record inside the hello: MALFORMED");

	/* one byte per record: more records than the bound */
	n = hello(hs, exts, (int)e);
	for (h = 0; h < CATOPROXY_PAYLOAD_TLS_RECORDS_MAX; h++)
		cuts[h] = 1;
	n = records(rec, hs, n, cuts, CATOPROXY_PAYLOAD_TLS_RECORDS_MAX);
	CHECK(prefixes(catoproxy_payload_sni, rec, n,
		       CATOPROXY_PAYLOAD_TLS_RECORDS_MAX * 6, MALFORMED, ""),
	      "sni: a ninth record: MALFORMED before it arrives");
	n = hello(hs, exts, (int)e);
	n = records(rec, hs, n, cuts, CATOPROXY_PAYLOAD_TLS_RECORDS_MAX - 1);
	CHECK(one(catoproxy_payload_sni, rec, n, name) == FOUND,
	      "sni: eight records: FOUND");
}

/* The bound is tight: the largest hello, in the most records. */
static void test_sni_bound(void)
{
	static const char *const www[] = { "0:www.example.com" };
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	u32 e, n, i, cuts[CATOPROXY_PAYLOAD_TLS_RECORDS_MAX];

	e = sni_ext(exts, www, 1);
	/* padding (RFC 7685) up to the largest body */
	n = hello(hs, exts, (int)e) - 4;
	e += ext(exts + e, 21, NULL,
		 CATOPROXY_PAYLOAD_TLS_BODY_MAX - n - 4);
	n = hello(hs, exts, (int)e);
	for (i = 0; i < CATOPROXY_PAYLOAD_TLS_RECORDS_MAX; i++)
		cuts[i] = 1;
	n = records(rec, hs, n, cuts, CATOPROXY_PAYLOAD_TLS_RECORDS_MAX - 1);
	CHECK(n == CATOPROXY_PAYLOAD_HOLD_MAX &&
	      one(catoproxy_payload_sni, rec, n, name) == FOUND &&
	      one(catoproxy_payload_sni, rec, n - 1, name) == MORE,
	      "sni: %u bytes (HOLD_MAX %u) in 8 records: FOUND, MORE one short",
	      n, CATOPROXY_PAYLOAD_HOLD_MAX);
	/* one byte more in the hello: refused as soon as its length is */
	hs[3]++;
	records(rec, hs, n - 40, cuts, CATOPROXY_PAYLOAD_TLS_RECORDS_MAX - 1);
	CHECK(one(catoproxy_payload_sni, rec, 4 * 6 - 1, name) == MORE &&
	      one(catoproxy_payload_sni, rec, 4 * 6, name) == MALFORMED,
	      "sni: a body one byte over TLS_BODY_MAX: MALFORMED at its length");
}

static void test_http(void)
{
	static u8 buf[4096];
	static u8 big[CATOPROXY_PAYLOAD_HOLD_MAX + 100];
	char name[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	static const struct {
		const char *req;
		int want;
		const char *name;
		const char *what;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", FOUND,
		  "example.com", "plain" },
		{ "get /x?y=1 HTTP/1.0\r\nhOsT:\t  Example.COM \t\r\n"
		  "Accept:  */*\r\n\r\n", FOUND, "example.com",
		  "odd case and whitespace" },
		{ "GET / HTTP/1.1\r\nHost:example.com\r\n\r\n", FOUND,
		  "example.com", "no space after the colon" },
		{ "GET / HTTP/1.1\nUser-Agent: x\nHost: lf.example\n\n", FOUND,
		  "lf.example", "LF line ends" },
		{ "GET / HTTP/1.1\r\nX: y\nHost: mixed.example\r\n\n", FOUND,
		  "mixed.example", "CRLF and LF mixed" },
		{ "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", FOUND,
		  "example.com", "port stripped" },
		{ "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n", FOUND,
		  "example.com", "empty port" },
		{ "GET / HTTP/1.1\r\nHost: example.com.\r\n\r\n", FOUND,
		  "example.com", "trailing dot dropped" },
		{ "GET / HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n", FOUND,
		  "192.0.2.1", "an IPv4 address" },
		{ "GET http://other.example/ HTTP/1.1\r\nHost: www.example\r\n\r\n",
		  FOUND, "www.example", "absolute form: Host decides" },
		{ "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
		  FOUND, "a.example", "CONNECT" },
		{ "GET / HTTP/1.1\r\nHost: x\r\nVia: \xc3\xa9t\xc3\xa9\r\n\r\n",
		  FOUND, "x", "obs-text in another field" },
		{ "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", NONE, "", "no Host" },
		{ "GET / HTTP/1.1\r\n\r\n", NONE, "", "no headers" },
		{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", NONE, "", "empty Host" },
		{ "GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n", NONE, "",
		  "IPv6 literal: NONE" },
		{ "GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.1]\r\n\r\n", NONE, "",
		  "IPv6 literal without port" },
		{ "GET / HTTP/1.1\r\nHosts: a\r\nXHost: b\r\n\r\n", NONE, "",
		  "names that start or end like Host" },
		{ "GET / HTTP/1.1\r\nHost: [2001:db8::1\r\n\r\n", MALFORMED, "",
		  "unclosed literal" },
		{ "GET / HTTP/1.1\r\nHost: [zz]\r\n\r\n", MALFORMED, "",
		  "not an address in brackets" },
		{ "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", MALFORMED, "",
		  "port not digits" },
		{ "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", MALFORMED, "",
		  "port only" },
		{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", MALFORMED, "",
		  "space inside" },
		{ "GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n",
		  MALFORMED, "", "a list" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", MALFORMED, "",
		  "two Host headers" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", MALFORMED, "",
		  "two Host headers, same name" },
		{ "GET / HTTP/1.1\r\nX: y\r\n  folded\r\nHost: a\r\n\r\n",
		  MALFORMED, "", "obs-fold" },
		{ "GET / HTTP/1.1\r\n Host: a\r\n\r\n", MALFORMED, "",
		  "whitespace before the first field" },
		{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", MALFORMED, "",
		  "whitespace before the colon" },
		{ "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", MALFORMED, "",
		  "a field name that is not a token" },
		{ "GET / HTTP/1.1\r\n: a\r\n\r\n", MALFORMED, "",
		  "an empty field name" },
		{ "GET / HTTP/1.1\r\nNoColon\r\n\r\n", MALFORMED, "",
		  "a line without a colon" },
		{ "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", MALFORMED, "",
		  "a bare CR" },
		{ "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", MALFORMED, "",
		  "a control character in a value" },
		{ "GET  / HTTP/1.1\r\n\r\n", MALFORMED, "", "two spaces" },
		{ "GET /\x7f HTTP/1.1\r\n\r\n", MALFORMED, "",
		  "DEL in the target" },
		{ "GET / HTTP/1.x\r\n\r\n", MALFORMED, "", "bad minor version" },
		{ "GET / HTTP/1.1 \r\n\r\n", MALFORMED, "",
		  "space after the version" },
		{ "GET / HTTP/1.1\r\n\rX", MALFORMED, "",
		  "CR, then not LF, at the end" },
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r", MORE, "",
		  "a CR at the end: MORE" },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", OTHER, "",
		  "HTTP/2's preface: OTHER" },
		{ "GET /\r\n", OTHER, "", "HTTP/0.9: OTHER" },
		{ "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", OTHER, "",
		  "an SSH banner: OTHER" },
		{ "\r\nGET / HTTP/1.1\r\n\r\n", OTHER, "",
		  "an empty line first: OTHER" },
		{ " GET / HTTP/1.1\r\n\r\n", OTHER, "", "a space first: OTHER" },
		{ "GET\t/ HTTP/1.1\r\n\r\n", OTHER, "", "a tab after the method" },
		{ "\x16\x03\x01\x02\x00\x01", OTHER, "", "TLS: OTHER" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\n\r\n", OTHER,
		  "", "a 33-character method: OTHER" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\n\r\n", NONE,
		  "", "a 32-character method" },
	};
	u32 i, n, need;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *r = cases[i].req;
		int got;

		n = (u32)strlen(r);
		got = one(catoproxy_payload_host, r, n, name);
		/*
		 * FOUND and NONE need the whole header block; the others
		 * come at the byte that decides.
		 */
		need = cases[i].want == FOUND || cases[i].want == NONE;
		CHECK(got == cases[i].want &&
		      (got != FOUND || !strcmp(name, cases[i].name)) &&
		      final(catoproxy_payload_host, (const u8 *)r, n) &&
		      (!need || prefixes(catoproxy_payload_host, (const u8 *)r,
					 n, n, got, cases[i].name)),
		      "host: %s: %s %s", cases[i].what, status_names[got], name);
	}

	n = load("http-curl.bin", buf, sizeof(buf));
	CHECK(n && prefixes(catoproxy_payload_host, buf, n, 0, FOUND,
			    "www.example.com"),
	      "host: curl's request, a byte at a time");
	memcpy(buf + n, "POST", 4);
	CHECK(one(catoproxy_payload_host, buf, n + 4, name) == FOUND,
	      "host: bytes after the header block are not looked at");
	n = load("tls-openssl.bin", buf, sizeof(buf));
	CHECK(n && one(catoproxy_payload_host, buf, n, name) == OTHER,
	      "host: a ClientHello is OTHER");

	/* the bound: a header block that never ends */
	n = (u32)sizeof(big);
	memset(big, 'a', n);
	memcpy(big, "GET / HTTP/1.1\r\nX-Long: ", 24);
	CHECK(one(catoproxy_payload_host, big,
		  CATOPROXY_PAYLOAD_HOLD_MAX - 1, name) == MORE &&
	      one(catoproxy_payload_host, big, CATOPROXY_PAYLOAD_HOLD_MAX,
		  name) == MALFORMED &&
	      one(catoproxy_payload_host, big, n, name) == MALFORMED,
	      "host: MORE up to HOLD_MAX bytes, MALFORMED from there");
	memcpy(big + CATOPROXY_PAYLOAD_HOLD_MAX - 4, "\r\n\r\n", 4);
	CHECK(one(catoproxy_payload_host, big, n, name) == NONE,
	      "host: a header block of exactly HOLD_MAX bytes: NONE");
	memcpy(big + CATOPROXY_PAYLOAD_HOLD_MAX - 4, "a\r\n\r", 4);
	CHECK(one(catoproxy_payload_host, big, n, name) == MALFORMED,
	      "host: one byte over HOLD_MAX: MALFORMED");
	/* a long target is held, within the bound */
	memcpy(big, "GET /", 5);
	memcpy(big + 8000, " HTTP/1.1\r\nHost: long.example\r\n\r\n", 34);
	CHECK(one(catoproxy_payload_host, big, 8034, name) == FOUND &&
	      !strcmp(name, "long.example"), "host: an 8000-byte target");
}

static void test_patterns(void)
{
	static const char *const valid[] = {
		"example.com", "*.example.com", "Example.COM", "a_b.c-d", "*.com",
		"x", "-a.b", "192.0.2.1",
	};
	static const char *const invalid[] = {
		"", "*", "*.", "**.a", "a.*.com", "*example.com", "example.com.",
		".example.com", "a..b", "ex ample.com", "a/b", "*.*.a",
		"xn--caf\xc3\xa9.example",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
	};
	char p[300];
	const char *why;
	u32 i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		why = NULL;
		CHECK(catoproxy_payload_pattern_valid(valid[i], &why) && !why,
		      "pattern \"%s\" is valid", valid[i]);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		why = NULL;
		CHECK(!catoproxy_payload_pattern_valid(invalid[i], &why) && why,
		      "pattern \"%s\" is refused: %s", invalid[i], why);
	}
	/* 253 in all, with or without "*." */
	memset(p, 'a', sizeof(p));
	p[63] = p[127] = p[191] = '.';
	p[253] = '\0';
	CHECK(catoproxy_payload_pattern_valid(p, &why),
	      "pattern: a name of 253 characters");
	p[253] = 'a';
	p[254] = '\0';
	CHECK(!catoproxy_payload_pattern_valid(p, &why),
	      "pattern: a name of 254 characters is refused: %s", why);
	p[0] = '*';
	p[1] = '.';
	p[253] = '\0';
	CHECK(catoproxy_payload_pattern_valid(p, &why),
	      "pattern: \"*.\" and 251 characters");
	p[253] = 'a';
	CHECK(!catoproxy_payload_pattern_valid(p, &why),
	      "pattern: \"*.\" and 252 characters is refused: %s", why);

	CHECK(catoproxy_payload_name_match("example.com", "example.com") &&
	      catoproxy_payload_name_match("Example.COM", "example.com") &&
	      catoproxy_payload_name_match("example.com", "EXAMPLE.com"),
	      "match: exact, either case");
	CHECK(!catoproxy_payload_name_match("example.com", "www.example.com") &&
	      !catoproxy_payload_name_match("example.com", "example.co") &&
	      !catoproxy_payload_name_match("example.co", "example.com"),
	      "match: exact is exact");
	CHECK(catoproxy_payload_name_match("*.example.com", "www.example.com") &&
	      catoproxy_payload_name_match("*.example.com", "a.b.example.com") &&
	      catoproxy_payload_name_match("*.EXAMPLE.com", "w.example.COM"),
	      "match: *.suffix matches names below it");
	CHECK(!catoproxy_payload_name_match("*.example.com", "example.com") &&
	      !catoproxy_payload_name_match("*.example.com", "badexample.com") &&
	      !catoproxy_payload_name_match("*.example.com", "example.com.evil") &&
	      !catoproxy_payload_name_match("*.example.com", ".example.com"),
	      "match: *.suffix is not the suffix itself, nor a longer label");
}

int main(void)
{
	test_sni_real();
	test_sni_built();
	test_sni_broken();
	test_sni_bound();
	test_http();
	test_patterns();
	return unit_done();
}
