#include "base/utf16.h"

static uint32_t unit(const unsigned char *p, size_t i)
{
	return (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
}

uint32_t hv_utf16le_next(const unsigned char *p, size_t n_units, size_t *i)
{
	uint32_t u = unit(p, *i), lo;

	(*i)++;
	if (u < 0xD800 || u > 0xDFFF)
		return u;
	/* RFC 2781 section 2.2: a high surrogate must be followed by a
	 * low one; anything else is not text */
	if (u >= 0xDC00 || *i >= n_units)
		return 0xFFFD;
	lo = unit(p, *i);
	if (lo < 0xDC00 || lo > 0xDFFF)
		return 0xFFFD;
	(*i)++;
	return 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
}

size_t hv_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t hv_utf16le_append(struct hv_strbuf *out, const unsigned char *p,
			 size_t n_units)
{
	char buf[256];
	size_t used = 0, i = 0;

	while (i < n_units) {
		uint32_t cp;

		if (unit(p, i) == 0)
			break;
		cp = hv_utf16le_next(p, n_units, &i);
		used += hv_utf8_encode(cp, buf + used);
		if (used > sizeof(buf) - 4) {
			hv_strbuf_add(out, buf, used);
			used = 0;
		}
	}
	hv_strbuf_add(out, buf, used);
	return i;
}
