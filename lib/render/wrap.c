#include "render/wrap.h"

#include "base/term.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Both are base/term.h's single escaping rule, so explain, the audit and
 * every message show a hostile byte the same way. */
void hv_term_add(struct hv_strbuf *out, const char *s, size_t len)
{
	hv_term_escape(out, s, len);
}

int hv_term_width(const char *s, size_t len)
{
	struct hv_strbuf shown = HV_STRBUF_INIT;
	int width = 0;

	hv_term_escape(&shown, s, len);
	for (size_t i = 0; i < shown.len; i++)
		width += ((unsigned char)shown.buf[i] & 0xC0) != 0x80;
	hv_strbuf_release(&shown);
	return width;
}

int hv_wrap_width(const char *columns)
{
	char *end = NULL;
	long v;

	if (!columns || !*columns)
		return HV_WRAP_DEFAULT;
	v = strtol(columns, &end, 10);
	if (*end || v < HV_WRAP_MIN || v > 1000)
		return HV_WRAP_DEFAULT;
	return (int)v;
}

static void spaces(struct hv_strbuf *out, int n)
{
	for (int i = 0; i < n; i++)
		hv_strbuf_addch(out, ' ');
}

struct cursor {
	struct hv_strbuf *out;
	int col, indent, width;
	bool line_empty; /* nothing written on this line after the indent */
};

static void new_line(struct cursor *c, int indent)
{
	hv_strbuf_addch(c->out, '\n');
	spaces(c->out, indent);
	c->col = indent;
	c->line_empty = true;
}

static void put_word(struct cursor *c, const char *w, size_t len, int cont)
{
	int wlen = hv_term_width(w, len);

	if (!c->line_empty && c->col + 1 + wlen > c->width)
		new_line(c, cont);
	else if (!c->line_empty) {
		hv_strbuf_addch(c->out, ' ');
		c->col++;
	}
	hv_term_add(c->out, w, len);
	c->col += wlen;
	c->line_empty = false;
}

/* Writes the words of len bytes of s, continuing at cont columns. */
static void put_words(struct cursor *c, const char *s, size_t len, int cont)
{
	size_t i = 0;

	while (i < len) {
		size_t w;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		w = 0;
		while (i + w < len && s[i + w] != ' ' && s[i + w] != '\t')
			w++;
		if (w)
			put_word(c, s + i, w, cont);
		i += w;
	}
}

static bool ends_with(const char *line, size_t len, const char *chars)
{
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	return len && strchr(chars, line[len - 1]);
}

static bool ends_sentence(const char *line, size_t len)
{
	return ends_with(line, len, ".!?");
}

/* A line that is a command, not prose: PowerShell's Verb-Noun, a
 * variable or an expression in parentheses. */
static bool is_command(const char *line)
{
	size_t verb = strspn(
		line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

	return *line == '$' || *line == '(' ||
	       (verb > 1 && line[0] >= 'A' && line[0] <= 'Z' &&
		line[verb] == '-' && line[verb + 1] >= 'A' &&
		line[verb + 1] <= 'Z');
}

/* Command-line tools that start a line in lower case. */
static bool starts_tool(const char *line)
{
	static const char *const tools[] = {
		"klist ", "setspn ",  "w32tm ",	     "netsh ",	  "gpupdate ",
		"winrm ", "reg ",     "repadmin ",   "nltest ",	  "dcdiag ",
		"sc ",	  "msinfo32", "ldapsearch ", "hvdoctor ", NULL};

	for (size_t i = 0; tools[i]; i++)
		if (strncmp(line, tools[i], strlen(tools[i])) == 0)
			return true;
	return false;
}

/* In HV_WRAP_LINES text, a sentence a knowledge-base author wrapped by
 * hand goes on: the line before is prose that ends no clause, and this
 * one starts in lower case and is no command. */
static bool continues_sentence(const char *prev, size_t prev_len,
			       const char *line)
{
	return !ends_with(prev, prev_len, ".:;!?") && !is_command(prev) &&
	       line[0] >= 'a' && line[0] <= 'z' && !starts_tool(line);
}

void hv_wrap_add(struct hv_strbuf *out, const char *text, int col, int indent,
		 int width, enum hv_wrap_mode mode)
{
	struct cursor c = {out, col, indent, width, true};
	const char *prev = NULL;
	size_t prev_len = 0;

	while (*text) {
		size_t len = strcspn(text, "\n");
		size_t shown = len && text[len - 1] == '\r' ? len - 1 : len;
		size_t lead = strspn(text, " ");
		bool hard;

		if (prev && mode == HV_WRAP_LINES &&
		    !continues_sentence(prev, prev_len, text))
			new_line(&c, indent);
		prev = text;
		prev_len = shown;

		/* a command's own indentation (a continued pipeline) stays */
		if (mode == HV_WRAP_LINES && c.line_empty && lead < shown &&
		    c.col == indent) {
			spaces(out, (int)lead);
			c.col += (int)lead;
		}
		put_words(&c, text, shown,
			  mode == HV_WRAP_LINES ? indent + 2 : indent);
		hard = mode == HV_WRAP_PROSE && ends_sentence(text, shown);
		text += len;
		if (*text == '\n') {
			text++;
			if (*text && hard)
				new_line(&c, indent);
		}
	}
	hv_strbuf_addch(out, '\n');
}
