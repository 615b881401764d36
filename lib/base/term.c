#include "base/term.h"

#include "base/utf8.h"

#include <stdint.h>
#include <string.h>

static uint32_t decode(const unsigned char *p, size_t n)
{
	uint32_t cp = n == 2 ? p[0] & 0x1fu : n == 3 ? p[0] & 0x0fu : p[0] & 7u;

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3fu);
	return cp;
}

/* C1 controls, and the bidi embeddings, overrides, isolates and marks
 * (Unicode TR9) that can make displayed text differ from its bytes. */
static int unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t hv_term_add(struct hv_strbuf *out, const char *s, size_t len,
		   size_t max_cols)
{
	size_t cols = 0, i = 0;

	while (i < len) {
		const unsigned char *p = (const unsigned char *)s + i;
		size_t n =
			p[0] < 0x80 ? 1 : hv_utf8_valid_prefix(s + i, len - i);

		if (max_cols && cols + 1 > max_cols - 3 && len - i > 0) {
			/* cut unless what is left fits exactly */
			size_t left = 0;

			for (size_t k = i; k < len; k++)
				left += ((unsigned char)s[k] & 0xc0) != 0x80;
			if (cols + left > max_cols) {
				hv_strbuf_add(out, "...", 3);
				return cols + 3;
			}
		}
		if (n == 0) {
			hv_strbuf_addch(out, '?');
			i++;
		} else if (n == 1) {
			char c = (char)p[0];

			if (c == '\n' || c == '\r' || c == '\t')
				c = ' ';
			else if (p[0] < 0x20 || p[0] == 0x7f)
				c = '?';
			hv_strbuf_addch(out, c);
			i++;
		} else {
			if (unsafe(decode(p, n)))
				hv_strbuf_addch(out, '?');
			else
				hv_strbuf_add(out, s + i, n);
			i += n;
		}
		cols++;
	}
	return cols;
}
