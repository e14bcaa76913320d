// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	*j = (struct json){ .f = f };
}

static void json_value_start(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth && j->need_comma[j->depth - 1])
		fputc(',', j->f);
	if (j->depth)
		j->need_comma[j->depth - 1] = true;
}

static void json_open(struct json *j, char c)
{
	json_value_start(j);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH)
		j->need_comma[j->depth] = false;
	j->depth++;
}

static void json_close(struct json *j, char c)
{
	if (j->depth)
		j->depth--;
	fputc(c, j->f);
}

void json_object_begin(struct json *j)
{
	json_open(j, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j)
{
	json_open(j, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_key(struct json *j, const char *key)
{
	json_value_start(j);
	json_write_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	json_value_start(j);
	json_write_string(j->f, s);
}

void json_u64(struct json *j, uint64_t v)
{
	json_value_start(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_decimal(struct json *j, uint64_t whole, uint32_t frac,
		  unsigned int digits)
{
	json_value_start(j);
	fprintf(j->f, "%" PRIu64 ".%0*" PRIu32, whole, (int)digits, frac);
}

void json_bool(struct json *j, bool v)
{
	json_value_start(j);
	fputs(v ? "true" : "false", j->f);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
}

/* Length of the valid UTF-8 sequence at @s, of @rem bytes, or 0. */
static int utf8_len(const unsigned char *s, size_t rem)
{
	unsigned char c = s[0];
	int n;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)n > rem)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void write_mem(FILE *f, const unsigned char *s, size_t len)
{
	const unsigned char *end = s + len;

	fputc('"', f);
	while (s < end) {
		unsigned char c = *s;
		int n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, f);
			} else if ((n = utf8_len(s, end - s))) {
				fwrite(s, 1, n, f);
				s += n;
				continue;
			} else {
				fputs("\\ufffd", f);
			}
		}
		s++;
	}
	fputc('"', f);
}

void json_write_string(FILE *f, const char *s)
{
	write_mem(f, (const unsigned char *)s, strlen(s));
}

void json_string_len(struct json *j, const char *s, size_t len)
{
	json_value_start(j);
	write_mem(j->f, (const unsigned char *)s, len);
}

void json_null(struct json *j)
{
	json_value_start(j);
	fputs("null", j->f);
}
