/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough JSON to print one document: the printer tracks where commas
 * go so callers only say what comes next.
 */
#ifndef _CATOPROXYCTL_JSON_H
#define _CATOPROXYCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	unsigned int depth;
	bool after_key;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* @whole.@frac with @frac zero-padded to @digits digits: 12.000345. */
void json_decimal(struct json *j, uint64_t whole, uint32_t frac,
		  unsigned int digits);
/* @len bytes of @s, NUL bytes included, as one JSON string. */
void json_string_len(struct json *j, const char *s, size_t len);
/* Ends the document with the newline that line-based readers wait for. */
void json_finish(struct json *j);

/*
 * Writes @s as a quoted JSON string. Bytes that are not valid UTF-8 become
 * U+FFFD so that the document stays valid whatever the kernel hands us.
 */
void json_write_string(FILE *f, const char *s);

#endif /* _CATOPROXYCTL_JSON_H */
