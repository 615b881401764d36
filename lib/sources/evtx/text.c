/* Text of the event, escaped for where it goes: UTF-16LE strings of the
 * file and UTF-8 of the compiled templates, as XML text, XML attribute
 * values or JSON strings. Invalid UTF-16 becomes U+FFFD; a NUL ends a
 * string (values are often NUL-terminated).
 *
 * This is the innermost loop of a full dump, so text is written into
 * room the caller reserved (the worst case is WORST bytes a unit), and
 * runs of plain ASCII are narrowed eight units at a time. */
#include "sources/evtx/evtx_internal.h"

#include "base/utf16.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char lower_hex[] = "0123456789abcdef";

/* The escape of an ASCII character, or NULL when it stands for itself.
 * XML 1.0 section 2.4: & and < always, > (for "]]>"), and " inside
 * attribute values; section 2.2 (Char) allows no C0 control but TAB, LF
 * and CR, not even as a character reference, so the others are shown
 * as their Unicode control pictures (U+2400 + the code: ESC as U+241B),
 * visible and well-formed. JSON (RFC 8259 section 7): " \ and control
 * characters, DEL too, as hv_json_escape does. */
static const char *escape_of(unsigned c, enum hv_evtx_escape esc, char *tmp)
{
	switch (esc) {
	case ESC_XML_TEXT:
	case ESC_XML_ATTR:
		if (c == '&')
			return "&amp;";
		if (c == '<')
			return "&lt;";
		if (c == '>')
			return "&gt;";
		if (c == '"' && esc == ESC_XML_ATTR)
			return "&quot;";
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			tmp[0] = (char)0xE2;
			tmp[1] = (char)0x90;
			tmp[2] = (char)(0x80 + c);
			tmp[3] = '\0';
			return tmp;
		}
		return NULL;
	case ESC_JSON:
		if (c == '"')
			return "\\\"";
		if (c == '\\')
			return "\\\\";
		if (c == '\n')
			return "\\n";
		if (c == '\r')
			return "\\r";
		if (c == '\t')
			return "\\t";
		if (c < 0x20 || c == 0x7f) {
			memcpy(tmp, "\\u00", 4);
			tmp[4] = lower_hex[c >> 4];
			tmp[5] = lower_hex[c & 15];
			tmp[6] = '\0';
			return tmp;
		}
		return NULL;
	default:
		return NULL;
	}
}

/* Characters that may need escaping in some medium. */
static bool special(unsigned c)
{
	return c < 0x20 || c == '&' || c == '<' || c == '>' || c == '"' ||
	       c == '\\' || c == 0x7f;
}

char *hv_evtx_cp_put(char *w, uint32_t cp, enum hv_evtx_escape esc)
{
	char tmp[8];
	const char *rep;

	if (cp >= 0x80) {
		/* XML 1.0 section 2.2: U+FFFE and U+FFFF are not characters */
		if ((cp == 0xFFFE || cp == 0xFFFF) && esc != ESC_JSON &&
		    esc != ESC_NONE)
			cp = 0xFFFD;
		return w + hv_utf8_encode(cp, w);
	}
	rep = escape_of(cp, esc, tmp);
	if (!rep) {
		*w++ = (char)cp;
		return w;
	}
	while (*rep)
		*w++ = *rep++;
	return w;
}

/* ASCII that stands for itself in every medium. */
static const unsigned char plain[128] = {
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['\''] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1, ['A'] = 1,
	['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
	['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
	['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1,
	['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

#if defined(__SSE2__)
/* How many of the eight units at p are plain ASCII (as plain[]), all
 * eight written to w as bytes; the caller keeps only that many. */
static unsigned plain8(const unsigned char *p, char *w)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* units are compared as signed 16-bit numbers: everything from
	 * 0x8000 up is negative, so "below 0x20" catches it too */
	__m128i bad = _mm_or_si128(_mm_cmplt_epi16(x, _mm_set1_epi16(0x20)),
				   _mm_cmpgt_epi16(x, _mm_set1_epi16(0x7e)));
	unsigned mask;

	bad = _mm_or_si128(bad, _mm_cmpeq_epi16(x, _mm_set1_epi16('"')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi16(x, _mm_set1_epi16('&')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi16(x, _mm_set1_epi16('<')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi16(x, _mm_set1_epi16('>')));
	bad = _mm_or_si128(bad, _mm_cmpeq_epi16(x, _mm_set1_epi16('\\')));
	_mm_storel_epi64((__m128i *)(void *)w, _mm_packus_epi16(x, x));
	mask = (unsigned)_mm_movemask_epi8(bad);
	return mask ? (unsigned)__builtin_ctz(mask) / 2 : 8;
}
#endif

char *hv_evtx_utf16_put(char *w, const unsigned char *p, size_t n_units,
			enum hv_evtx_escape esc)
{
	size_t i = 0;

	for (;;) {
#if defined(__SSE2__)
		while (i + 8 <= n_units) {
			unsigned k = plain8(p + 2 * i, w);

			w += k;
			i += k;
			if (k < 8)
				break;
		}
#endif
		/* four plain ASCII units at a time */
		while (i + 4 <= n_units) {
			const unsigned char *q = p + 2 * i;

			if ((q[1] | q[3] | q[5] | q[7]) != 0 || q[0] >= 128 ||
			    q[2] >= 128 || q[4] >= 128 || q[6] >= 128 ||
			    !(plain[q[0]] & plain[q[2]] & plain[q[4]] &
			      plain[q[6]]))
				break;
			w[0] = (char)q[0];
			w[1] = (char)q[2];
			w[2] = (char)q[4];
			w[3] = (char)q[6];
			w += 4;
			i += 4;
		}
		if (i >= n_units)
			return w;
		/* one unit that may need more than a byte, then back to the
		 * fast loops */
		{
			uint32_t u = hv_le16(p + 2 * i);

			if (u - 1u < 0x7fu && !special(u)) {
				*w++ = (char)u;
				i++;
				continue;
			}
			if (u == 0)
				return w;
			w = hv_evtx_cp_put(w, hv_utf16le_next(p, n_units, &i),
					   esc);
		}
	}
}

void hv_evtx_utf16_escaped(const unsigned char *p, size_t n_units,
			   enum hv_evtx_escape esc, struct hv_strbuf *out)
{
	char *w = hv_evtx_reserve(out, n_units * HV_EVTX_WORST);

	hv_evtx_commit(out, hv_evtx_utf16_put(w, p, n_units, esc));
}

void hv_evtx_utf8_escaped(const char *p, size_t len, enum hv_evtx_escape esc,
			  struct hv_strbuf *out)
{
	char *w = hv_evtx_reserve(out, len * HV_EVTX_WORST);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0xEF && i + 2 < len &&
		    (unsigned char)p[i + 1] == 0xBF &&
		    ((unsigned char)p[i + 2] & 0xFE) == 0xBE) {
			/* U+FFFE, U+FFFF: as hv_evtx_cp_put() has them */
			w = hv_evtx_cp_put(w, 0xFFFE + (p[i + 2] & 1u), esc);
			i += 2;
		} else if (c >= 0x80 || !special(c)) {
			*w++ = (char)c;
		} else {
			w = hv_evtx_cp_put(w, c, esc);
		}
	}
	hv_evtx_commit(out, w);
}
