/* Terminal escaping (term.h). */
#include "base/term.h"

#include "base/utf8.h"

#include <string.h>

bool hv_term_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The code point of a valid sequence of n bytes (hv_utf8_valid_prefix). */
static uint32_t decode(const unsigned char *u, size_t n)
{
	static const unsigned char lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t cp = u[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (u[i] & 0x3f);
	return cp;
}

bool hv_term_is_clean(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		n = hv_utf8_valid_prefix(s + i, len - i);
		if (!n ||
		    hv_term_is_control(decode((const unsigned char *)s + i, n)))
			return false;
	}
	return true;
}

void hv_term_escape(struct hv_strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = hv_utf8_valid_prefix(s + i, len - i);
		uint32_t cp = n ? decode(u + i, n) : u[i];

		if (n && !hv_term_is_control(cp)) {
			hv_strbuf_add(out, s + i, n);
			i += n;
			continue;
		}
		if (n && cp > 0xff) {
			char esc[7] = {'\\',
				       'u',
				       hex[(cp >> 12) & 0xf],
				       hex[(cp >> 8) & 0xf],
				       hex[(cp >> 4) & 0xf],
				       hex[cp & 0xf],
				       '\0'};

			hv_strbuf_adds(out, esc);
		} else {
			char esc[5] = {'\\', 'x', hex[cp >> 4], hex[cp & 0xf],
				       '\0'};

			hv_strbuf_adds(out, esc);
		}
		i += n ? n : 1;
	}
}

void hv_term_escapes(struct hv_strbuf *out, const char *s)
{
	if (s)
		hv_term_escape(out, s, strlen(s));
}

char *hv_term_dup(const char *s)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_term_escapes(&sb, s);
	return hv_strbuf_detach(&sb);
}

size_t hv_term_clip(struct hv_strbuf *out, const char *s, size_t len,
		    size_t max_cols)
{
	struct hv_strbuf line = HV_STRBUF_INIT, shown = HV_STRBUF_INIT;
	size_t cols = 0, cut = 0, keep = 0;

	hv_strbuf_add(&line, s, len);
	for (size_t i = 0; i < line.len; i++)
		if (line.buf[i] == '\n' || line.buf[i] == '\r' ||
		    line.buf[i] == '\t')
			line.buf[i] = ' ';
	hv_term_escape(&shown, line.buf, line.len);
	for (size_t i = 0; i < shown.len; i++) {
		if (((unsigned char)shown.buf[i] & 0xC0) == 0x80)
			continue;
		if (max_cols > 3 && cols == max_cols - 3)
			keep = i; /* where "..." goes if it must */
		cols++;
	}
	if (max_cols && cols > max_cols) {
		cut = max_cols > 3 ? keep : 0;
		hv_strbuf_add(out, shown.buf, cut);
		hv_strbuf_add(out, "...", max_cols < 3 ? max_cols : 3);
		cols = max_cols > 3 ? max_cols : (max_cols < 3 ? max_cols : 3);
	} else {
		hv_strbuf_add(out, shown.buf, shown.len);
	}
	hv_strbuf_release(&line);
	hv_strbuf_release(&shown);
	return cols;
}
