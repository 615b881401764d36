/* The normal form of textnorm.h. One pass over the lines of the input
 * writes the text (a wrapper's lines left out, blanks made one space,
 * quotes and punctuation folded, contractions spelled out), a second
 * pass takes the key from it. */
#include "base/textnorm.h"

#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct emit {
	char *text, *lower;
	unsigned *line;
	size_t len, cap;
	unsigned at_line;
	bool blank; /* a blank is pending before the next byte */
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Output is at most 4/3 of the input (an apostrophe becomes " not"),
 * and the buffer is sized for twice that: the check never drops a byte
 * of real text, it only keeps a bug from writing out of bounds. */
static void put(struct emit *e, char c)
{
	if (e->blank && e->len > 0 && e->len + 1 < e->cap) {
		e->text[e->len] = e->lower[e->len] = ' ';
		e->line[e->len++] = e->at_line;
	}
	e->blank = false;
	if (e->len + 1 >= e->cap)
		return;
	e->text[e->len] = c;
	e->lower[e->len] = to_lower(c);
	e->line[e->len++] = e->at_line;
}

static void puts_ascii(struct emit *e, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ')
			e->blank = true;
		else
			put(e, *s);
	}
}

/* True if the text written so far ends with the word w (lower case). */
static bool ends_with_word(const struct emit *e, const char *w)
{
	size_t n = strlen(w);

	return e->len >= n && memcmp(e->lower + e->len - n, w, n) == 0 &&
	       (e->len == n || !is_alpha(e->lower[e->len - n - 1]));
}

/* An apostrophe after a letter: "n't", "'re", "'ve", "'ll" spelled out
 * as Windows writes its messages ("does not", "cannot"). Returns the
 * input bytes taken after the apostrophe, 0 if it is no contraction. */
static size_t contraction(struct emit *e, const char *s, size_t left)
{
	static const struct {
		const char *tail, *as;
	} endings[] = {{"re", " are"}, {"ve", " have"}, {"ll", " will"}};
	char prev = e->len ? e->lower[e->len - 1] : ' ';

	if (!is_alpha(prev) || e->blank)
		return 0;
	if (left >= 1 && to_lower(s[0]) == 't' &&
	    (left == 1 || !is_alpha(s[1])) && prev == 'n') {
		if (ends_with_word(e, "can")) {
			puts_ascii(e, "not");
		} else if (ends_with_word(e, "won")) {
			e->len -= 2;
			puts_ascii(e, "ill not");
		} else {
			e->len--;
			puts_ascii(e, " not");
		}
		return 1;
	}
	for (size_t i = 0; i < sizeof(endings) / sizeof(*endings); i++) {
		if (left >= 2 && to_lower(s[0]) == endings[i].tail[0] &&
		    to_lower(s[1]) == endings[i].tail[1] &&
		    (left == 2 || !is_alpha(s[2]))) {
			puts_ascii(e, endings[i].as);
			return 2;
		}
	}
	return 0;
}

/* What the UTF-8 sequence at s stands for in the normal form: ' ' for a
 * blank, '\'' or '"' for a quote, an ASCII character for a full-width
 * one, '.' and ',' for the ideographic ones; 0 to copy it as it is.
 * Sets *n to the bytes it takes. */
static char fold_utf8(const unsigned char *s, size_t left, size_t *n)
{
	*n = 1;
	if (left >= 2 && s[0] == 0xC2) {
		*n = 2;
		if (s[1] == 0xA0)
			return ' '; /* no-break space */
		if (s[1] == 0xAB || s[1] == 0xBB)
			return '"'; /* « » */
		return 0;
	}
	if (left < 3)
		return 0;
	*n = 3;
	if (s[0] == 0xE2 && s[1] == 0x80) {
		if (s[2] >= 0x98 && s[2] <= 0x9B)
			return '\''; /* ‘ ’ ‚ ‛ */
		if (s[2] >= 0x9C && s[2] <= 0x9F)
			return '"'; /* “ ” „ ‟ */
		if (s[2] == 0xAF || s[2] == 0x89 || s[2] == 0x8A)
			return ' '; /* narrow no-break, thin, hair space */
	}
	if (s[0] == 0xE3 && s[1] == 0x80) {
		if (s[2] == 0x80)
			return ' '; /* ideographic space */
		if (s[2] == 0x81)
			return ',';
		if (s[2] == 0x82)
			return '.';
		if (s[2] == 0x8C || s[2] == 0x8D)
			return '"'; /* 「 」 */
	}
	/* full-width forms U+FF01..U+FF5E are ASCII 0x21..0x7E */
	if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x81 && s[2] <= 0xBF)
		return (char)(s[2] - 0x81 + 0x21);
	if (s[0] == 0xEF && s[1] == 0xBD && s[2] >= 0x80 && s[2] <= 0x9E)
		return (char)(s[2] - 0x80 + 0x60);
	*n = 1;
	return 0;
}

static void norm_line(struct emit *e, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = 1;
		char c = s[i];

		if ((unsigned char)c >= 0x80) {
			char f = fold_utf8((const unsigned char *)s + i,
					   len - i, &n);

			if (!f) {
				for (size_t k = 0; k < n; k++)
					put(e, s[i + k]);
				i += n;
				continue;
			}
			c = f;
		}
		i += n;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\v' ||
		    c == '\f') {
			e->blank = true;
		} else if (c == '"' && i < len && s[i] == '"') {
			put(e, '"'); /* "" as CSV and PowerShell escape it */
			i++;
		} else if (c == '\'') {
			size_t took = contraction(e, s + i, len - i);

			if (!took)
				put(e, '\'');
			i += took;
		} else {
			put(e, c);
		}
	}
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* The lines around a message that are no part of it: PowerShell's error
 * record (in the languages it is localised into) and VMM's heading of
 * its advice. The echoed command ("+ Move-VM ...") stays: the facts of
 * the move are read from it. */
static bool wrapper_line(const char *s, size_t len)
{
	static const char *const prefixes[] = {
		"At line:", "In Zeile:", "En l\xC3\xADnea:",
		"Au caract\xC3\xA8re",
		/* Japanese: 発生場所 */
		"\xE7\x99\xBA\xE7\x94\x9F\xE5\xA0\xB4\xE6\x89\x80",
		"+ CategoryInfo", "+ FullyQualifiedErrorId", "+ PSComputerName",
		"Recommended Action",
		/* one literal, in parentheses so no one takes it for two */
		("Action recommand\xC3\xA9"
		 "e"),
		"Empfohlene Aktion", "Acci\xC3\xB3n recomendada"};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (starts(s, len, prefixes[i]))
			return true;
	/* "At C:\x.ps1:18 char:37" */
	if (starts(s, len, "At ") && len < 400)
		for (i = 3; i + 5 <= len; i++)
			if (memcmp(s + i, " char:", 5) == 0)
				return true;
	/* "+ ~~~~~": the underline under the echoed command */
	if (len >= 1 && s[0] == '+') {
		for (i = 1; i < len && (s[i] == ' ' || s[i] == '~'); i++)
			;
		return i == len && len > 1;
	}
	return false;
}

static void make_key(struct hv_textnorm *out)
{
	out->key = hv_calloc(out->len + 1, 1);
	out->key_at = hv_calloc(out->len + 1, sizeof(*out->key_at));
	for (size_t i = 0; i < out->len; i++) {
		char c = out->lower[i];

		if (c == ' ')
			continue;
		out->key_at[out->key_len] = i;
		out->key[out->key_len++] = c == '"' || c == '`' ? '\'' : c;
	}
	out->key[out->key_len] = '\0';
}

void hv_textnorm_text(const char *in, size_t len, struct hv_textnorm *out)
{
	struct emit e = {0};
	size_t i = 0;

	e.cap = 2 * len + 16;
	e.text = hv_calloc(e.cap, 1);
	e.lower = hv_calloc(e.cap, 1);
	e.line = hv_calloc(e.cap, sizeof(*e.line));
	e.at_line = 1;
	while (i < len) {
		const char *nl = memchr(in + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - in) : len, s = i;

		while (s < end && (in[s] == ' ' || in[s] == '\t'))
			s++;
		if (!wrapper_line(in + s, end - s))
			norm_line(&e, in + s, end - s);
		e.blank = true; /* a line break is a blank */
		e.at_line++;
		i = end + 1;
	}
	e.text[e.len] = e.lower[e.len] = '\0';
	out->text = e.text;
	out->lower = e.lower;
	out->line = e.line;
	out->len = e.len;
	make_key(out);
}

char *hv_textnorm_pattern(const char *fragment)
{
	struct hv_textnorm n = {0};
	char *out;
	size_t k = 0;
	bool after_name = false;

	hv_textnorm_text(fragment, strlen(fragment), &n);
	out = hv_calloc(n.key_len + 2, 1);
	/* One word ("MigrationFailed") is looked for as a word: without
	 * blanks, "migration failed" would be it too. */
	if (n.len > 0 && !memchr(n.text, ' ', n.len))
		out[k++] = HV_TEXTNORM_WORD;
	for (size_t i = 0; i < n.key_len; i++) {
		char c = n.key[i];

		if (c == '%' && n.key[i + 1] >= '0' && n.key[i + 1] <= '9') {
			while (n.key[i + 1] >= '0' && n.key[i + 1] <= '9')
				i++;
			if (k > 0 && out[k - 1] != HV_TEXTNORM_ANY)
				out[k++] = HV_TEXTNORM_ANY;
			after_name = true;
			continue;
		}
		/* a quote around a placeholder is the name's own */
		if (c == '\'' && (after_name || n.key[i + 1] == '%'))
			continue;
		after_name = false;
		out[k++] = c;
	}
	while (k > 0 && out[k - 1] == HV_TEXTNORM_ANY)
		k--;
	out[k] = '\0';
	hv_textnorm_release(&n);
	return out;
}

/* The first place at or after from, and before limit, where the n bytes
 * of piece occur; SIZE_MAX if none. */
static size_t find_in(const char *key, size_t from, size_t limit,
		      const char *piece, size_t n)
{
	for (size_t i = from; i + n <= limit; i++) {
		const char *c = memchr(key + i, piece[0], limit - i);

		if (!c)
			return SIZE_MAX;
		i = (size_t)(c - key);
		if (i + n <= limit && memcmp(key + i, piece, n) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* Matches the pieces after the first from pos: each follows a name of 1
 * to HV_TEXTNORM_NAME_MAX bytes. Returns the end, or SIZE_MAX. */
static size_t match_rest(const struct hv_textnorm *n, const char *rest,
			 size_t pos)
{
	while (*rest == HV_TEXTNORM_ANY) {
		const char *piece = rest + 1;
		size_t len = strcspn(piece, "\x1a");
		size_t limit = pos + 1 + HV_TEXTNORM_NAME_MAX + len;
		size_t at = find_in(n->key, pos + 1,
				    limit < n->key_len ? limit : n->key_len,
				    piece, len);

		if (at == SIZE_MAX)
			return SIZE_MAX;
		pos = at + len;
		rest = piece + len;
	}
	return pos;
}

bool hv_textnorm_find(const struct hv_textnorm *n, const char *pattern,
		      size_t *out_start, size_t *out_end)
{
	size_t first = strcspn(pattern, "\x1a");
	size_t at = 0;

	if (pattern[0] == HV_TEXTNORM_WORD) {
		const char *hit =
			n->lower ? strstr(n->lower, pattern + 1) : NULL;

		if (!hit || !pattern[1])
			return false;
		*out_start = (size_t)(hit - n->lower);
		*out_end = *out_start + strlen(pattern + 1);
		return true;
	}
	if (first == 0 || !n->key)
		return false;
	while ((at = find_in(n->key, at, n->key_len, pattern, first)) !=
	       SIZE_MAX) {
		size_t end = match_rest(n, pattern + first, at + first);

		if (end != SIZE_MAX) {
			*out_start = n->key_at[at];
			*out_end = n->key_at[end - 1] + 1;
			return true;
		}
		at++;
	}
	return false;
}

void hv_textnorm_release(struct hv_textnorm *n)
{
	free(n->text);
	free(n->lower);
	free(n->line);
	free(n->key);
	free(n->key_at);
	memset(n, 0, sizeof(*n));
}
