#include "base/quote.h"

#include "base/term.h"
#include "base/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* The code point at s (n bytes of valid UTF-8), or U+FFFD for n = 0. */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t cp;

	if (!n)
		return 0xFFFD;
	cp = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

static void add_char(struct hv_strbuf *out, uint32_t unit)
{
	hv_strbuf_addf(out, " + [char]0x%04X", (unsigned)unit);
}

void hv_quote_ps(struct hv_strbuf *out, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	bool open = true, all_plain = true;

	for (size_t k = 0; k < len && all_plain; k++)
		all_plain = plain(u[k]);
	hv_strbuf_adds(out, all_plain ? "'" : "('");
	while (i < len) {
		size_t n = hv_utf8_valid_prefix(s + i, len - i);
		uint32_t cp = code_point(u + i, n);

		i += n ? n : 1;
		if (cp < 0x80 && plain((unsigned char)cp)) {
			if (!open)
				hv_strbuf_adds(out, " + '");
			open = true;
			if (cp == '\'')
				hv_strbuf_addch(out, '\'');
			hv_strbuf_addch(out, (char)cp);
			continue;
		}
		if (open)
			hv_strbuf_addch(out, '\'');
		open = false;
		if (cp > 0xFFFF) { /* UTF-16, as .NET strings are */
			add_char(out, 0xD800 + ((cp - 0x10000) >> 10));
			add_char(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
		} else {
			add_char(out, cp);
		}
	}
	if (open)
		hv_strbuf_addch(out, '\'');
	if (!all_plain)
		hv_strbuf_addch(out, ')');
}

void hv_quote_comment(struct hv_strbuf *out, const char *s)
{
	hv_term_escapes(out, s);
}

bool hv_quote_is_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* POSIX.1-2017 XCU 2.2.3: inside single quotes nothing is special but the
 * closing quote; $'...' (XCU 2024, bash, zsh) carries the controls. */
void hv_quote_sh(struct hv_strbuf *out, const char *s)
{
	static const char word[] = "._/:=@%+,-";
	bool quoted = false;

	if (*s) {
		const char *p = s;

		while (*p &&
		       ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || strchr(word, *p)))
			p++;
		if (!*p) {
			hv_strbuf_adds(out, s);
			return;
		}
	}
	for (const unsigned char *p = (const unsigned char *)s;; p++) {
		bool control = *p && (*p < 0x20 || *p == 0x7f);

		if (!*p || control || *p == '\'') {
			if (quoted)
				hv_strbuf_addch(out, '\'');
			quoted = false;
			if (!*p)
				break;
			if (control)
				hv_strbuf_addf(out, "$'\\x%02x'", *p);
			else
				hv_strbuf_adds(out, "\\'");
			continue;
		}
		if (!quoted)
			hv_strbuf_addch(out, '\'');
		quoted = true;
		hv_strbuf_addch(out, (char)*p);
	}
	if (!*s)
		hv_strbuf_adds(out, "''");
}

char *hv_quote_ps_dup(const char *s, const char *suffix)
{
	struct hv_strbuf word = HV_STRBUF_INIT, out = HV_STRBUF_INIT;

	hv_strbuf_adds(&word, s);
	hv_strbuf_adds(&word, suffix ? suffix : "");
	hv_quote_ps(&out, hv_strbuf_str(&word));
	hv_strbuf_release(&word);
	return hv_strbuf_detach(&out);
}

char *hv_quote_sh_dup(const char *s)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	hv_quote_sh(&out, s);
	return hv_strbuf_detach(&out);
}
