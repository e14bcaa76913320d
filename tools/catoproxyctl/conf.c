// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"

/* The most words a line may have: a site with every prefix and a mode. */
#define CONF_WORDS_MAX (3 + 2 * CATOPROXY_SITE_PREFIXES_MAX + 2)

void conf_free(struct conf *c)
{
	free(c->block_page_file);
	free(c->sites);
	free(c->site_line);
	free(c->rules);
	free(c->rule_line);
	memset(c, 0, sizeof(*c));
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A line cut into words. */
struct words {
	int n;
	char *v[CONF_WORDS_MAX];
	size_t len[CONF_WORDS_MAX]; /* a quoted word may hold NUL bytes */
	bool quoted[CONF_WORDS_MAX];
};

/*
 * Cuts @line into words in place: blanks separate them, `#' ends the line,
 * a quoted string is one word with its escapes decoded (never longer than
 * it was written, so it fits where it was).
 */
static int split(char *line, struct words *w, char *err, size_t errlen)
{
	char *p = line;

	w->n = 0;
	for (;;) {
		char *start, *out;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			return 0;
		if (w->n == CONF_WORDS_MAX) {
			parse_fail(err, errlen, "Too many words on one line");
			return -1;
		}
		start = out = p;
		w->quoted[w->n] = *p == '"';
		if (!w->quoted[w->n]) {
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
			       *p != '\n' && *p != '#' && *p != '"')
				p++;
			if (*p == '"') {
				parse_fail(err, errlen,
				     "Unexpected `\"' inside a word: quote a whole word");
				return -1;
			}
			out = p;
		} else {
			for (p++; *p != '"'; p++) {
				int hi, lo;

				if (!*p || *p == '\n') {
					parse_fail(err, errlen,
					     "Unterminated string: missing closing `\"'");
					return -1;
				}
				if (*p != '\\') {
					*out++ = *p;
					continue;
				}
				switch (*++p) {
				case '\\':
				case '"':
					*out++ = *p;
					break;
				case 'n':
					*out++ = '\n';
					break;
				case 'r':
					*out++ = '\r';
					break;
				case 't':
					*out++ = '\t';
					break;
				case 'x':
					hi = hex(p[1]);
					lo = hi < 0 ? -1 : hex(p[2]);
					if (lo < 0) {
						parse_fail(err, errlen,
						     "Invalid escape: \\x needs two hex digits");
						return -1;
					}
					*out++ = (char)(hi << 4 | lo);
					p += 2;
					break;
				default:
					parse_fail(err, errlen,
					     "Invalid escape `\\%c': expected \\\\, \\\", \\n, \\r, \\t or \\xHH",
					     *p ? *p : ' ');
					return -1;
				}
			}
			p++;
			if (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
			    *p != '\n' && *p != '#') {
				parse_fail(err, errlen,
				     "Unexpected text right after a string: separate words with blanks");
				return -1;
			}
		}
		/*
		 * A string was decoded over itself from its opening quote on:
		 * @out is at most at its closing quote, before @p.
		 */
		w->v[w->n] = start;
		w->len[w->n] = out - start;
		w->n++;
		if (*p && *p != '#')
			p++;
		*out = '\0';
	}
}

/* The bytes a setting of @s->type takes in struct ctl_config. */
static void copy_setting(const struct setting *s, struct ctl_config *to,
			 const struct ctl_config *from)
{
	size_t size = s->type == SETTING_U8  ? sizeof(u8) :
		      s->type == SETTING_U32 ? sizeof(u32) :
					       CONFIG_PORTS_MAX * sizeof(u16);

	memcpy((char *)to + s->offset, (const char *)from + s->offset, size);
	if (s->type == SETTING_PORTS)
		memcpy((char *)to + s->count, (const char *)from + s->count,
		       sizeof(unsigned int));
}

/* Marks setting @k as given on @line, unless it was already. */
static int claim(struct conf *c, unsigned int k, unsigned int line,
		 char *err, size_t errlen)
{
	if (c->cfg.flags & CONFIG_HAS(k)) {
		parse_fail(err, errlen, "Duplicate setting `%s': already set on line %u",
		     settings[k].key, c->setting_line[k]);
		return -1;
	}
	c->cfg.flags |= CONFIG_HAS(k);
	c->setting_line[k] = line;
	return 0;
}

static int no_quotes(const struct words *w, int from, char *err,
		     size_t errlen)
{
	for (int i = from; i < w->n; i++) {
		if (w->quoted[i]) {
			parse_fail(err, errlen,
			     "Unexpected string: only `set block-page' takes one");
			return -1;
		}
	}
	return 0;
}

static int conf_set(struct conf *c, struct words *w, unsigned int line,
		    char *err, size_t errlen)
{
	static struct ctl_config tmp;
	char *rest[CONF_WORDS_MAX];
	int n = 0;

	if (w->n < 2) {
		parse_fail(err, errlen, "Missing setting after `set'");
		return -1;
	}
	/* block-page is read here; the other pairs go to parse_set_args(). */
	for (int i = 1; i < w->n; i += 2) {
		if (strcmp(w->v[i], "block-page") || i + 1 >= w->n) {
			rest[n++] = w->v[i];
			if (i + 1 < w->n)
				rest[n++] = w->v[i + 1];
			continue;
		}
		if (claim(c, CONFIG_BLOCK_PAGE, line, err, errlen))
			return -1;
		if (w->quoted[i + 1]) {
			if (w->len[i + 1] > CATOPROXY_BLOCK_PAGE_MAX) {
				parse_fail(err, errlen,
				     "The block page is longer than %d bytes",
				     CATOPROXY_BLOCK_PAGE_MAX);
				return -1;
			}
			memcpy(c->cfg.block_page, w->v[i + 1], w->len[i + 1]);
			c->cfg.block_page_len = w->len[i + 1];
			continue;
		}
		if (!*w->v[i + 1]) {
			parse_fail(err, errlen, "Missing file name for `block-page'");
			return -1;
		}
		c->block_page_file = strdup(w->v[i + 1]);
		if (!c->block_page_file) {
			parse_fail(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
	}
	if (!n)
		return 0;
	if (parse_set_args(n, rest, &tmp, err, errlen))
		return -1;
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++) {
		if (!(tmp.flags & CONFIG_HAS(k)))
			continue;
		if (claim(c, k, line, err, errlen))
			return -1;
		copy_setting(&settings[k], &c->cfg, &tmp);
	}
	return 0;
}

/* Room for one more element of each of two parallel arrays. */
static int grow(void *vp, size_t size, unsigned int **lines, size_t n,
		char *err, size_t errlen)
{
	void *v, *grown;
	unsigned int *l;

	memcpy(&v, vp, sizeof(v));
	grown = realloc(v, (n + 1) * size);
	if (grown)
		memcpy(vp, &grown, sizeof(grown));
	l = grown ? realloc(*lines, (n + 1) * sizeof(**lines)) : NULL;
	if (l)
		*lines = l;
	if (!grown || !l) {
		parse_fail(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

static int conf_site(struct conf *c, struct words *w, unsigned int line,
		     char *err, size_t errlen)
{
	struct ctl_site s;

	if (w->n < 2 || strcmp(w->v[1], "add")) {
		parse_fail(err, errlen,
		     "Invalid site command `%s': a file adds its sites with `site add'",
		     w->n < 2 ? "" : w->v[1]);
		return -1;
	}
	if (parse_site_add_args(w->n - 2, w->v + 2, &s, err, errlen))
		return -1;
	if (c->nsites == CATOPROXY_SITES_MAX) {
		parse_fail(err, errlen, "More than %d sites", CATOPROXY_SITES_MAX);
		return -1;
	}
	if (grow(&c->sites, sizeof(*c->sites), &c->site_line, c->nsites, err,
		 errlen))
		return -1;
	c->sites[c->nsites] = s;
	c->site_line[c->nsites++] = line;
	return 0;
}

static int conf_rule(struct conf *c, struct words *w, unsigned int line,
		     char *err, size_t errlen)
{
	struct ctl_rule r;

	if (w->n < 2 || strcmp(w->v[1], "add")) {
		parse_fail(err, errlen,
		     "Invalid rule command `%s': a file adds its rules with `rule add', in order",
		     w->n < 2 ? "" : w->v[1]);
		return -1;
	}
	if (parse_rule_args(w->n - 2, w->v + 2, &r, false, err, errlen))
		return -1;
	if (c->nrules == CATOPROXY_RULES_MAX) {
		parse_fail(err, errlen, "More than %d rules", CATOPROXY_RULES_MAX);
		return -1;
	}
	if (grow(&c->rules, sizeof(*c->rules), &c->rule_line, c->nrules, err,
		 errlen))
		return -1;
	c->rules[c->nrules] = r.rule;
	c->rule_line[c->nrules++] = line;
	return 0;
}

static int conf_line(struct conf *c, char *text, unsigned int line,
		     char *err, size_t errlen)
{
	struct words w;

	if (split(text, &w, err, errlen))
		return -1;
	if (!w.n)
		return 0;
	if (w.quoted[0]) {
		parse_fail(err, errlen,
		     "Unexpected string: expected set, site add or rule add");
		return -1;
	}
	if (!strcmp(w.v[0], "set")) {
		/* Only block-page's value may be a string. */
		for (int i = 1; i < w.n; i++) {
			if (w.quoted[i] &&
			    (i % 2 || strcmp(w.v[i - 1], "block-page") ||
			     w.quoted[i - 1])) {
				parse_fail(err, errlen,
				     "Unexpected string: only `set block-page' takes one");
				return -1;
			}
		}
		return conf_set(c, &w, line, err, errlen);
	}
	if (no_quotes(&w, 1, err, errlen))
		return -1;
	if (!strcmp(w.v[0], "site"))
		return conf_site(c, &w, line, err, errlen);
	if (!strcmp(w.v[0], "rule"))
		return conf_rule(c, &w, line, err, errlen);
	parse_fail(err, errlen, "Invalid command `%s': expected set, site add or rule add",
	     w.v[0]);
	return -1;
}

int conf_parse(FILE *f, struct conf *c, unsigned int *line, char *err,
	       size_t errlen)
{
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	*line = 0;
	while ((len = getline(&text, &cap, f)) >= 0) {
		++*line;
		if (memchr(text, '\0', len)) {
			parse_fail(err, errlen, "NUL byte in the line");
			ret = -1;
			break;
		}
		ret = conf_line(c, text, *line, err, errlen);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		*line = 0;
		parse_fail(err, errlen, "cannot read: %s", strerror(errno));
		ret = -1;
	}
	free(text);
	return ret;
}

/* @buf[0..@len) as a quoted string conf_parse() reads back exactly. */
static void write_string(FILE *f, const u8 *buf, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		u8 ch = buf[i];

		if (ch == '\\' || ch == '"')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\r')
			fputs("\\r", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void conf_write(FILE *f, const struct ctl_config *cfg,
		const struct ctl_site *sites, size_t nsites,
		const struct ctl_rule *rules, size_t nrules)
{
	char value[SETTING_STR_MAX], prefix[PREFIX_STR_MAX], mode[32];
	char rule[RULE_STR_MAX];

	fputs("# catoproxy configuration, as `catoproxyctl dump' writes it and\n"
	      "# `catoproxyctl load' applies it: whole, or not at all.\n",
	      f);
	for (unsigned int k = 0; k < CONFIG_NSETTINGS; k++) {
		const struct setting *s = &settings[k];

		if (!s->parse || !(cfg->flags & CONFIG_HAS(k)))
			continue;
		fprintf(f, "set %s ", s->key);
		if (k == CONFIG_BLOCK_PAGE) {
			write_string(f, cfg->block_page, cfg->block_page_len);
		} else {
			s->text(s, cfg, value, sizeof(value));
			fputs(value, f);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < nsites; i++) {
		const struct catoproxy_site *s = &sites[i].site;

		fprintf(f, "site add %s", s->name);
		for (unsigned int j = 0; j < s->nprefixes; j++) {
			format_prefix(&s->prefixes[j], prefix, sizeof(prefix));
			fprintf(f, " prefix %s", prefix);
		}
		fprintf(f, " mode %s\n", mode_str(s->mode, mode, sizeof(mode)));
	}
	for (size_t i = 0; i < nrules; i++) {
		format_rule(&rules[i].rule, rule, sizeof(rule));
		fprintf(f, "rule add %s\n", rule);
	}
}
