/* A model of how PowerShell tokenizes a script, for tests and fuzz targets:
 * does every value hvdoctor put into a generated .ps1 stay inside a string
 * literal (or a comment), whichever code page reads the file?
 *
 * Windows PowerShell 5.1 reads a script without a byte order mark in the
 * system's ANSI code page (cp1252 on Western systems), PowerShell 7 and a
 * script with a BOM as UTF-8. The tokenizer treats U+2018..U+201B like
 * the apostrophe and U+201C..U+201E like the double quote; in cp1252 the
 * bytes 0x82, 0x91 and 0x92 are such quotes, and they occur inside UTF-8
 * letters (C3 91 is "Ñ"). A script is safe when its code - all outside
 * string literals and comments - is the same under both readings, and the
 * same as the code of the script rendered with every value replaced by a
 * neutral one (ps_neutral_plan): then no byte of a value became code.
 *
 * The skeleton of a script is its code with every single-quoted literal
 * written S, every comment dropped and each value built from code points,
 * "(S + [char]0x00D1 + S)", folded to S too. Header-only (static
 * functions) so that a unit test and a fuzz target can both include it.
 *
 * Kept for what PowerShell's own parser cannot do: run inside fuzz_plan on
 * every input it generates, in process (pwsh is another process, and
 * takes seconds to start on a loaded machine). Every script the tests and
 * the fuzz corpora give is checked by the real parser instead
 * (tests/ps/plan/Parse.Tests.ps1), which also checks this model's premise:
 * cp1252 makes a quote of the second byte of U+00D1. */
#ifndef HV_TEST_PS_SCAN_H
#define HV_TEST_PS_SCAN_H

#include "base/strbuf.h"
#include "base/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum ps_reading { PS_UTF8, PS_CP1252 };

/* cp1252's 0x80..0x9F (the rest is Latin-1); the five holes map to the
 * C1 code point of the same number, as .NET's decoder does. */
static const uint16_t ps_cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Decodes bytes to code points as the reading sees them; a BOM makes
 * both read UTF-8. Invalid UTF-8 becomes U+FFFD. Caller frees *out. */
static size_t ps_decode(const char *bytes, size_t len, enum ps_reading r,
			uint32_t **out)
{
	const unsigned char *u = (const unsigned char *)bytes;
	uint32_t *cp = calloc(len + 1, sizeof(*cp));
	size_t n = 0, i = 0;

	if (len >= 3 && memcmp(bytes, "\xef\xbb\xbf", 3) == 0) {
		r = PS_UTF8;
		i = 3;
	}
	while (i < len) {
		size_t k = r == PS_UTF8
				   ? hv_utf8_valid_prefix(bytes + i, len - i)
				   : 1;

		if (r == PS_CP1252) {
			cp[n++] = u[i] >= 0x80 && u[i] < 0xa0
					  ? ps_cp1252_high[u[i] - 0x80]
					  : u[i];
		} else if (!k) {
			cp[n++] = 0xFFFD;
			k = 1;
		} else {
			static const unsigned char mask[5] = {0, 0x7f, 0x1f,
							      0x0f, 0x07};
			uint32_t c = u[i] & mask[k];

			for (size_t j = 1; j < k; j++)
				c = (c << 6) | (u[i + j] & 0x3f);
			cp[n++] = c;
		}
		i += k;
	}
	*out = cp;
	return n;
}

static bool ps_single_quote(uint32_t c)
{
	return c == '\'' || (c >= 0x2018 && c <= 0x201B);
}

static bool ps_double_quote(uint32_t c)
{
	return c == '"' || (c >= 0x201C && c <= 0x201E);
}

static bool ps_newline(uint32_t c)
{
	return c == '\n' || c == '\r';
}

static void ps_emit(struct hv_strbuf *sk, uint32_t c)
{
	if (c >= 0x20 && c < 0x7f)
		hv_strbuf_addch(sk, (char)c);
	else if (c == '\n')
		hv_strbuf_addch(sk, '\n');
	else if (c != '\r')
		hv_strbuf_addf(sk, "\\u{%x}", (unsigned)c);
}

/* The skeleton of code points cp[0..n); false (and why) when a string or
 * comment does not end. */
static bool ps_skeleton_cp(const uint32_t *cp, size_t n, struct hv_strbuf *sk,
			   const char **why)
{
	/* contexts: 0 = code, 1 = inside "...", k > 1 = in $( ) at depth k-1 */
	int stack[64];
	int top = 0;
	size_t i = 0;

	stack[0] = 0;
	while (i < n) {
		uint32_t c = cp[i];
		int ctx = stack[top];

		if (ctx == 1) { /* a double-quoted string */
			if (c == '`' && i + 1 < n) {
				ps_emit(sk, c);
				ps_emit(sk, cp[i + 1]);
				i += 2;
			} else if (ps_double_quote(c)) {
				hv_strbuf_addch(sk, '"');
				if (i + 1 < n && ps_double_quote(cp[i + 1])) {
					hv_strbuf_addch(sk, '"');
					i += 2;
				} else {
					top--;
					i++;
				}
			} else if (c == '$' && i + 1 < n && cp[i + 1] == '(') {
				if (top + 1 >= 64)
					return *why = "nesting", false;
				hv_strbuf_adds(sk, "$(");
				stack[++top] = 2;
				i += 2;
			} else {
				ps_emit(sk, c);
				i++;
			}
			continue;
		}
		if (c == '#') { /* a line comment */
			while (i < n && !ps_newline(cp[i]))
				i++;
		} else if (c == '<' && i + 1 < n && cp[i + 1] == '#') {
			for (i += 2;
			     i + 1 < n && !(cp[i] == '#' && cp[i + 1] == '>');
			     i++)
				;
			if (i + 1 >= n)
				return *why = "a block comment never ends",
				       false;
			i += 2;
		} else if (ps_single_quote(c)) {
			for (i++;; i++) {
				if (i >= n)
					return *why = "a string never ends",
					       false;
				if (!ps_single_quote(cp[i]))
					continue;
				if (i + 1 < n && ps_single_quote(cp[i + 1])) {
					i++;
					continue;
				}
				break;
			}
			i++;
			hv_strbuf_addch(sk, 'S');
		} else if (ps_double_quote(c)) {
			if (top + 1 >= 64)
				return *why = "nesting", false;
			hv_strbuf_addch(sk, '"');
			stack[++top] = 1;
			i++;
		} else {
			if (ctx > 1 && c == '(')
				stack[top]++;
			if (ctx > 1 && c == ')' && --stack[top] == 1)
				top--;
			ps_emit(sk, c);
			i++;
		}
	}
	if (top != 0)
		return *why = "a double-quoted string never ends", false;
	return true;
}

/* Folds "(S + [char]0xHHHH + S ...)" to "S" in place. */
static void ps_fold(struct hv_strbuf *sk)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	const char *s = hv_strbuf_str(sk);
	size_t i = 0, n = sk->len;

	while (i < n) {
		size_t j = i + 2;
		bool parts = false;

		if (s[i] == '(' && i + 1 < n && s[i + 1] == 'S') {
			for (;;) {
				if (strncmp(s + j, " + S", 4) == 0) {
					j += 4;
				} else if (strncmp(s + j, " + [char]0x", 11) ==
						   0 &&
					   j + 15 <= n &&
					   strspn(s + j + 11,
						  "0123456789ABCDEF") >= 4) {
					j += 15;
				} else {
					break;
				}
				parts = true;
			}
			if (parts && j < n && s[j] == ')') {
				hv_strbuf_addch(&out, 'S');
				i = j + 1;
				continue;
			}
		}
		hv_strbuf_addch(&out, s[i++]);
	}
	hv_strbuf_release(sk);
	*sk = out;
}

/* The skeleton of a script under a reading; NULL and *why when it does
 * not tokenize. Caller frees. */
static char *ps_skeleton(const char *script, size_t len, enum ps_reading r,
			 const char **why)
{
	uint32_t *cp = NULL;
	size_t n = ps_decode(script, len, r, &cp);
	struct hv_strbuf sk = HV_STRBUF_INIT;
	bool ok = ps_skeleton_cp(cp, n, &sk, why);

	free(cp);
	if (!ok) {
		hv_strbuf_release(&sk);
		return NULL;
	}
	ps_fold(&sk);
	return hv_strbuf_detach(&sk);
}

/* Checks script against the skeleton of the neutral script: under the
 * UTF-8 and the cp1252 reading its code must be exactly that. Returns
 * NULL when safe, else a reason (static text). */
static const char *ps_check(const char *script, size_t len, const char *neutral,
			    size_t neutral_len)
{
	const char *why = NULL;
	char *want = ps_skeleton(neutral, neutral_len, PS_UTF8, &why);
	const char *verdict = NULL;

	if (!want)
		return "the neutral script does not tokenize";
	for (int r = PS_UTF8; r <= PS_CP1252 && !verdict; r++) {
		char *got = ps_skeleton(script, len, (enum ps_reading)r, &why);

		if (!got)
			verdict = r == PS_UTF8 ? "UTF-8 reading: does not "
						 "tokenize"
					       : "cp1252 reading: does not "
						 "tokenize";
		else if (strcmp(got, want) != 0)
			verdict = r == PS_UTF8 ? "UTF-8 reading: a value "
						 "became code"
					       : "cp1252 reading: a value "
						 "became code";
		free(got);
	}
	free(want);
	return verdict;
}

#endif
