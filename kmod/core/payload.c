// SPDX-License-Identifier: GPL-2.0
/*
 * Name patterns of payload rules (see payload.h): what a rule accepts and
 * how it matches a name seen in a connection's first payload.
 */

#include "payload.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool name_char(char c)
{
	c = lower(c);
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

bool catoproxy_payload_pattern_valid(const char *pattern, const char **why)
{
	const char *p = pattern;
	size_t len = strlen(pattern), label = 0;

	if (len > CATOPROXY_PAYLOAD_NAME_MAX) {
		*why = "name is longer than 253 bytes";
		return false;
	}
	if (p[0] == '*' && p[1] == '.')
		p += 2;
	if (!*p) {
		*why = "name is empty";
		return false;
	}
	for (; *p; p++) {
		if (*p == '.') {
			if (!label) {
				*why = "name has an empty label";
				return false;
			}
			label = 0;
			continue;
		}
		if (!name_char(*p)) {
			*why = *p == '*' ?
				"a wildcard is only \"*.\" at the start of a name" :
				"name has a character other than letters, digits, '-', '_' and '.'";
			return false;
		}
		if (++label > 63) {
			*why = "name has a label longer than 63 bytes";
			return false;
		}
	}
	if (!label) {
		*why = "name ends with a dot";
		return false;
	}
	return true;
}

static bool equal_nocase(const char *a, const char *b)
{
	for (; *a && lower(*a) == lower(*b); a++, b++)
		;
	return !*a && !*b;
}

bool catoproxy_payload_name_match(const char *pattern, const char *name)
{
	size_t plen, nlen;

	if (pattern[0] != '*' || pattern[1] != '.')
		return equal_nocase(pattern, name);
	/* "*.example.com": a name ending in ".example.com", with a label before. */
	plen = strlen(pattern + 1);
	nlen = strlen(name);
	return nlen > plen && equal_nocase(pattern + 1, name + nlen - plen);
}
