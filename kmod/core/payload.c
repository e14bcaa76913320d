// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS server name and HTTP Host parsers (see payload.h). Both read the
 * bytes in order, once, and stop at the first one that decides; every read
 * is checked against @len first, and nothing is allocated.
 *
 * The answers are final by construction: a parser looks at byte i only
 * after bytes 0..i-1, and each of its decisions depends only on the bytes
 * it has looked at, so running out of bytes (MORE) is the only answer that
 * more bytes can change.
 */

#include "payload.h"

#define TLS_CONTENT_HANDSHAKE 22
#define TLS_HANDSHAKE_CLIENT_HELLO 1
#define TLS_RECORD_HEADER 5
/* RFC 8446 5.1: a plaintext record carries at most 2^14 bytes. */
#define TLS_RECORD_MAX 16384
#define TLS_EXT_SERVER_NAME 0
#define TLS_SNI_HOST_NAME 0
#define TLS_SESSION_ID_MAX 32

/* Longer than any method in the IANA registry (17) with room to spare. */
#define HTTP_METHOD_MAX 32

static inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_char(u8 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Is @s[0..@n) a name: labels of name_char()s, 1 to LABEL_MAX long,
 * separated by single dots, NAME_MAX in all? No trailing dot here.
 */
static bool name_check(const u8 *s, u32 n, const char **why)
{
	u32 i, label = 0;

	if (!n) {
		*why = "empty name";
		return false;
	}
	if (n > CATOPROXY_PAYLOAD_NAME_MAX) {
		*why = "name longer than 253 characters";
		return false;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label) {
				*why = "empty label in name";
				return false;
			}
			label = 0;
		} else if (!name_char(s[i])) {
			*why = "invalid character in name";
			return false;
		} else if (++label > CATOPROXY_PAYLOAD_LABEL_MAX) {
			*why = "label longer than 63 characters";
			return false;
		}
	}
	if (!label) {
		*why = "empty label in name";
		return false;
	}
	return true;
}

/* A name seen on the wire: one trailing dot dropped, checked, lower-cased. */
static bool name_copy(const u8 *s, u32 n,
		      char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	const char *why;
	u32 i;

	if (n && s[n - 1] == '.')
		n--;
	if (!name_check(s, n, &why))
		return false;
	for (i = 0; i < n; i++)
		name[i] = lower((char)s[i]);
	name[n] = '\0';
	return true;
}

/*
 * The handshake bytes of a run of TLS records: the parser reads them as one
 * stream, across record headers, and never more than @body of them.
 */
struct tls_in {
	const u8 *data;
	u32 len;
	u32 pos; /* in @data */
	u32 rec; /* bytes left in the current record */
	u32 records; /* records started */
	u32 body; /* handshake bytes the message still has */
	int status; /* why a read failed */
};

static bool tls_record(struct tls_in *in)
{
	const u8 *h = in->data;
	u32 avail = in->len - in->pos, p = in->pos, n;
	/* After the first record, TLS it is: anything else is broken. */
	int wrong = in->records ? CATOPROXY_PAYLOAD_MALFORMED :
				  CATOPROXY_PAYLOAD_OTHER;

	if (in->records == CATOPROXY_PAYLOAD_TLS_RECORDS_MAX) {
		in->status = CATOPROXY_PAYLOAD_MALFORMED;
		return false;
	}
	if ((avail >= 1 && h[p] != TLS_CONTENT_HANDSHAKE) ||
	    (avail >= 2 && h[p + 1] != 3)) {
		in->status = wrong;
		return false;
	}
	if (avail < TLS_RECORD_HEADER) {
		in->status = CATOPROXY_PAYLOAD_MORE;
		return false;
	}
	n = (u32)h[p + 3] << 8 | h[p + 4];
	/* RFC 8446 5.1: no empty handshake fragments. */
	if (!n || n > TLS_RECORD_MAX) {
		in->status = CATOPROXY_PAYLOAD_MALFORMED;
		return false;
	}
	in->pos += TLS_RECORD_HEADER;
	in->rec = n;
	in->records++;
	return true;
}

/* The next @n handshake bytes, into @out, or skipped when @out is NULL. */
static bool tls_read(struct tls_in *in, u8 *out, u32 n)
{
	if (n > in->body) {
		in->status = CATOPROXY_PAYLOAD_MALFORMED;
		return false;
	}
	in->body -= n;
	while (n) {
		u32 k = n;

		if (!in->rec) {
			if (!tls_record(in))
				return false;
			continue;
		}
		if (k > in->rec)
			k = in->rec;
		if (k > in->len - in->pos)
			k = in->len - in->pos;
		if (!k) {
			in->status = CATOPROXY_PAYLOAD_MORE;
			return false;
		}
		if (out) {
			memcpy(out, in->data + in->pos, k);
			out += k;
		}
		in->pos += k;
		in->rec -= k;
		n -= k;
	}
	return true;
}

/* A big-endian number of @n (1 to 3) bytes. */
static bool tls_num(struct tls_in *in, u32 n, u32 *v)
{
	u8 b[3];
	u32 i;

	if (!tls_read(in, b, n))
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | b[i];
	return true;
}

/* The server_name extension's body (RFC 6066 3), @n bytes. */
static int tls_server_name(struct tls_in *in, u32 n,
			   char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	/* a name as sent: NAME_MAX and perhaps a trailing dot */
	u8 buf[CATOPROXY_PAYLOAD_NAME_MAX + 1];
	bool found = false;
	u32 list, type, len;

	if (n < 2)
		return CATOPROXY_PAYLOAD_MALFORMED;
	if (!tls_num(in, 2, &list))
		return in->status;
	if (!list || list != n - 2)
		return CATOPROXY_PAYLOAD_MALFORMED;
	while (list) {
		if (list < 3)
			return CATOPROXY_PAYLOAD_MALFORMED;
		if (!tls_num(in, 1, &type) || !tls_num(in, 2, &len))
			return in->status;
		list -= 3;
		if (len > list)
			return CATOPROXY_PAYLOAD_MALFORMED;
		list -= len;
		if (type != TLS_SNI_HOST_NAME || found) {
			if (!tls_read(in, NULL, len))
				return in->status;
			continue;
		}
		if (len > sizeof(buf))
			return CATOPROXY_PAYLOAD_MALFORMED;
		if (!tls_read(in, buf, len))
			return in->status;
		if (!name_copy(buf, len, name))
			return CATOPROXY_PAYLOAD_MALFORMED;
		found = true;
	}
	return found ? CATOPROXY_PAYLOAD_FOUND : CATOPROXY_PAYLOAD_NONE;
}

int catoproxy_payload_sni(const u8 *data, u32 len,
			  char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	struct tls_in in = { .data = data, .len = len, .body = 4 };
	int res = CATOPROXY_PAYLOAD_NONE;
	bool sni = false;
	u32 v, type, n;

	/* The handshake header (RFC 8446 4): type, 24-bit length. */
	if (!tls_num(&in, 1, &v) || !tls_num(&in, 3, &n))
		return in.status;
	if (v != TLS_HANDSHAKE_CLIENT_HELLO ||
	    n > CATOPROXY_PAYLOAD_TLS_BODY_MAX)
		return CATOPROXY_PAYLOAD_MALFORMED;
	in.body = n;

	/* legacy_version, random, legacy_session_id */
	if (!tls_read(&in, NULL, 2 + 32) || !tls_num(&in, 1, &n))
		return in.status;
	if (n > TLS_SESSION_ID_MAX)
		return CATOPROXY_PAYLOAD_MALFORMED;
	if (!tls_read(&in, NULL, n) || !tls_num(&in, 2, &n))
		return in.status;
	/* cipher_suites: two bytes each, at least one */
	if (!n || n % 2)
		return CATOPROXY_PAYLOAD_MALFORMED;
	if (!tls_read(&in, NULL, n) || !tls_num(&in, 1, &n))
		return in.status;
	/* legacy_compression_methods: at least one */
	if (!n)
		return CATOPROXY_PAYLOAD_MALFORMED;
	if (!tls_read(&in, NULL, n))
		return in.status;
	/* Before TLS 1.3 the extensions may be absent altogether. */
	if (!in.body)
		return CATOPROXY_PAYLOAD_NONE;
	if (!tls_num(&in, 2, &n))
		return in.status;
	if (n != in.body)
		return CATOPROXY_PAYLOAD_MALFORMED;

	while (in.body) {
		if (!tls_num(&in, 2, &type) || !tls_num(&in, 2, &n))
			return in.status;
		if (n > in.body)
			return CATOPROXY_PAYLOAD_MALFORMED;
		if (type != TLS_EXT_SERVER_NAME) {
			if (!tls_read(&in, NULL, n))
				return in.status;
			continue;
		}
		/*
		 * RFC 8446 4.2: one of each. Two would let the name we
		 * decide on differ from the one the server uses.
		 */
		if (sni)
			return CATOPROXY_PAYLOAD_MALFORMED;
		sni = true;
		res = tls_server_name(&in, n, name);
		if (res != CATOPROXY_PAYLOAD_FOUND &&
		    res != CATOPROXY_PAYLOAD_NONE)
			return res;
	}
	return res;
}

/* RFC 9110 5.6.2 */
static bool tchar(u8 c)
{
	return name_char(c) || (c && strchr("!#$%&'*+.^`|~", c));
}

/*
 * The end of a line at @data[*i]: CRLF or LF. MORE when it could still be
 * one, MALFORMED when it is not.
 */
static int http_eol(const u8 *data, u32 lim, u32 *i)
{
	if (*i < lim && data[*i] == '\n') {
		*i += 1;
		return CATOPROXY_PAYLOAD_FOUND;
	}
	if (*i < lim && data[*i] != '\r')
		return CATOPROXY_PAYLOAD_MALFORMED;
	if (*i + 1 >= lim)
		return CATOPROXY_PAYLOAD_MORE;
	if (data[*i + 1] != '\n')
		return CATOPROXY_PAYLOAD_MALFORMED;
	*i += 2;
	return CATOPROXY_PAYLOAD_FOUND;
}

static bool hex_digit(u8 c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* The Host field's value (RFC 9110 7.2, RFC 3986 3.2.2), trimmed. */
static int http_host(const u8 *v, u32 n,
		     char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	u32 i = 0, end;

	if (!n)
		return CATOPROXY_PAYLOAD_NONE;
	if (v[0] == '[') {
		for (i = 1; i < n && (hex_digit(v[i]) || v[i] == ':' ||
				      v[i] == '.'); i++)
			;
		if (i == 1 || i == n || v[i] != ']')
			return CATOPROXY_PAYLOAD_MALFORMED;
		end = ++i;
	} else {
		while (i < n && v[i] != ':')
			i++;
		end = i;
	}
	if (i < n) {
		if (v[i] != ':')
			return CATOPROXY_PAYLOAD_MALFORMED;
		for (i++; i < n; i++)
			if (v[i] < '0' || v[i] > '9')
				return CATOPROXY_PAYLOAD_MALFORMED;
	}
	if (v[0] == '[')
		return CATOPROXY_PAYLOAD_NONE;
	if (!name_copy(v, end, name))
		return CATOPROXY_PAYLOAD_MALFORMED;
	return CATOPROXY_PAYLOAD_FOUND;
}

static int http_headers(const u8 *data, u32 lim, u32 i,
			char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	int res = CATOPROXY_PAYLOAD_NONE, eol;
	bool seen = false;

	for (;;) {
		u32 start = i, vstart, vend;
		bool host;

		if (i == lim)
			return CATOPROXY_PAYLOAD_MORE;
		if (data[i] == '\r' || data[i] == '\n') {
			eol = http_eol(data, lim, &i);
			return eol == CATOPROXY_PAYLOAD_FOUND ? res : eol;
		}
		/* RFC 9112 5.2: obs-fold; or space before the first field */
		if (data[i] == ' ' || data[i] == '\t')
			return CATOPROXY_PAYLOAD_MALFORMED;
		while (i < lim && tchar(data[i]))
			i++;
		if (i == lim)
			return CATOPROXY_PAYLOAD_MORE;
		/* RFC 9112 5.1: no whitespace before the colon */
		if (data[i] != ':' || i == start)
			return CATOPROXY_PAYLOAD_MALFORMED;
		host = i - start == 4 && lower((char)data[start]) == 'h' &&
		       lower((char)data[start + 1]) == 'o' &&
		       lower((char)data[start + 2]) == 's' &&
		       lower((char)data[start + 3]) == 't';
		i++;
		while (i < lim && (data[i] == ' ' || data[i] == '\t'))
			i++;
		vstart = vend = i;
		for (; i < lim && data[i] != '\r' && data[i] != '\n'; i++) {
			if ((data[i] < 0x20 && data[i] != '\t') ||
			    data[i] == 0x7f)
				return CATOPROXY_PAYLOAD_MALFORMED;
			if (data[i] != ' ' && data[i] != '\t')
				vend = i + 1;
		}
		eol = http_eol(data, lim, &i);
		if (eol != CATOPROXY_PAYLOAD_FOUND)
			return eol;
		if (!host)
			continue;
		/* RFC 9112 3.2: a server refuses a second Host */
		if (seen)
			return CATOPROXY_PAYLOAD_MALFORMED;
		seen = true;
		res = http_host(data + vstart, vend - vstart, name);
		if (res == CATOPROXY_PAYLOAD_MALFORMED)
			return res;
	}
}

int catoproxy_payload_host(const u8 *data, u32 len,
			   char name[CATOPROXY_PAYLOAD_NAME_MAX + 1])
{
	static const char version[] = "HTTP/1.";
	u32 lim = len < CATOPROXY_PAYLOAD_HOLD_MAX ? len :
						      CATOPROXY_PAYLOAD_HOLD_MAX;
	u32 i = 0, start;
	int res;

	/* RFC 9112 3: method SP request-target SP HTTP-version CRLF */
	while (i < lim && tchar(data[i])) {
		if (++i > HTTP_METHOD_MAX)
			return CATOPROXY_PAYLOAD_OTHER;
	}
	if (i == lim)
		goto more;
	if (!i || data[i] != ' ')
		return CATOPROXY_PAYLOAD_OTHER;
	start = ++i;
	while (i < lim && data[i] > ' ' && data[i] < 0x7f)
		i++;
	if (i == lim)
		goto more;
	/* no version: HTTP/0.9, or not HTTP */
	if (data[i] == '\r' || data[i] == '\n')
		return CATOPROXY_PAYLOAD_OTHER;
	if (data[i] != ' ' || i == start)
		return CATOPROXY_PAYLOAD_MALFORMED;
	for (i++, start = i; i - start < sizeof(version) - 1; i++) {
		if (i == lim)
			goto more;
		/* HTTP/2's preface, or not HTTP */
		if (data[i] != (u8)version[i - start])
			return CATOPROXY_PAYLOAD_OTHER;
	}
	if (i == lim)
		goto more;
	if (data[i] < '0' || data[i] > '9')
		return CATOPROXY_PAYLOAD_MALFORMED;
	i++;
	res = http_eol(data, lim, &i);
	if (res == CATOPROXY_PAYLOAD_FOUND)
		res = http_headers(data, lim, i, name);
	if (res != CATOPROXY_PAYLOAD_MORE)
		return res;
more:
	/* The bound: what is not decided in HOLD_MAX bytes is broken. */
	return len >= CATOPROXY_PAYLOAD_HOLD_MAX ? CATOPROXY_PAYLOAD_MALFORMED :
						   CATOPROXY_PAYLOAD_MORE;
}

bool catoproxy_payload_pattern_valid(const char *pattern, const char **why)
{
	const char *s = pattern;
	u32 n = 0;

	if (s[0] == '*') {
		if (s[1] != '.') {
			*why = "a wildcard is \"*.\" then a name";
			return false;
		}
		s += 2;
	}
	/*
	 * The whole pattern fits a name: what "*." leaves is all that a name
	 * below the suffix can have.
	 */
	while (s[n] && n <= CATOPROXY_PAYLOAD_NAME_MAX)
		n++;
	if (s - pattern + n > CATOPROXY_PAYLOAD_NAME_MAX) {
		*why = "name longer than 253 characters";
		return false;
	}
	if (n && s[n - 1] == '.') {
		*why = "trailing dot in name";
		return false;
	}
	return name_check((const u8 *)s, n, why);
}

static bool same_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

bool catoproxy_payload_name_match(const char *pattern, const char *name)
{
	size_t n = strlen(name), p;

	if (pattern[0] == '*' && pattern[1] == '.') {
		/* ".example.com": strictly below it, a label and more */
		pattern++;
		p = strlen(pattern);
		return n > p && same_nocase(name + n - p, pattern, p);
	}
	p = strlen(pattern);
	return n == p && same_nocase(name, pattern, p);
}
