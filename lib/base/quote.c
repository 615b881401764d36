#include "base/quote.h"

#include <string.h>

/* UTF-8 of U+2018 LEFT, U+2019 RIGHT, U+201A LOW-9, U+201B HIGH-REVERSED-9
 * SINGLE QUOTATION MARK: E2 80 98..9B. */
static size_t typographic_quote(const unsigned char *s)
{
	return s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x98 && s[2] <= 0x9B ? 3
									    : 0;
}

void hv_quote_ps(struct hv_strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	hv_strbuf_addch(out, '\'');
	while (*p) {
		size_t q = typographic_quote(p);

		if (*p == '\'') {
			hv_strbuf_adds(out, "''");
			p++;
		} else if (q) {
			hv_strbuf_add(out, p, q);
			hv_strbuf_add(out, p, q);
			p += q;
		} else {
			hv_strbuf_addch(out, (char)*p++);
		}
	}
	hv_strbuf_addch(out, '\'');
}

void hv_quote_comment(struct hv_strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		hv_strbuf_addch(out, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
}
