#include "sources/http_date.h"

#include "base/cursor.h"
#include "sources/probe_time.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t hv_http_head_length(const unsigned char *data, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (data[i] != '\n')
			continue;
		/* an empty line: "\n\n" or "\n\r\n" (RFC 9112 2.2 lets a
		 * recipient take a bare LF as a line end) */
		if (data[i + 1] == '\n')
			return i + 2;
		if (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int bad(struct hv_error *err, size_t offset, const char *what)
{
	char where[64];

	snprintf(where, sizeof(where), "HTTP reply offset %zu", offset);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s", what);
}

/* Reads one line (without CR LF) into line; false at the end of data. */
static bool next_line(struct hv_cursor *cur, char *line, size_t cap,
		      size_t *out_len)
{
	size_t n = 0;

	if (!hv_cursor_remaining(cur))
		return false;
	while (hv_cursor_remaining(cur)) {
		uint8_t c = hv_cursor_u8(cur);

		if (c == '\n')
			break;
		if (n + 1 < cap)
			line[n++] = (char)c;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	*out_len = n;
	return true;
}

static int month_of(const char *s)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int m = 0; m < 12; m++)
		if (strncmp(s, &names[(size_t)m * 3], 3) == 0)
			return m + 1;
	return 0;
}

/* Reads exactly n digits at *p into *out. */
static bool digits(const char **p, const char *end, int n, unsigned *out)
{
	unsigned v = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lit(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}

/* "HH:MM:SS" */
static bool clock_of(const char **p, const char *end, unsigned *h, unsigned *m,
		     unsigned *s)
{
	return digits(p, end, 2, h) && lit(p, end, ":") &&
	       digits(p, end, 2, m) && lit(p, end, ":") && digits(p, end, 2, s);
}

static bool month_at(const char **p, const char *end, unsigned *month)
{
	int m = end - *p >= 3 ? month_of(*p) : 0;

	*p += m ? 3 : 0;
	*month = (unsigned)m;
	return m != 0;
}

bool hv_http_date_parse(const char *text, size_t len, int64_t *out_sec)
{
	const char *p = text, *end = text + len;
	const char *comma = memchr(text, ',', len);
	unsigned d, mo, y, h, mi, s;

	if (comma && comma - text == 3) { /* IMF-fixdate */
		p = comma + 1;
		if (!(lit(&p, end, " ") && digits(&p, end, 2, &d) &&
		      lit(&p, end, " ") && month_at(&p, end, &mo) &&
		      lit(&p, end, " ") && digits(&p, end, 4, &y) &&
		      lit(&p, end, " ") && clock_of(&p, end, &h, &mi, &s) &&
		      lit(&p, end, " GMT") && p == end))
			return false;
	} else if (comma) { /* RFC 850: two-digit year */
		p = comma + 1;
		if (!(lit(&p, end, " ") && digits(&p, end, 2, &d) &&
		      lit(&p, end, "-") && month_at(&p, end, &mo) &&
		      lit(&p, end, "-") && digits(&p, end, 2, &y) &&
		      lit(&p, end, " ") && clock_of(&p, end, &h, &mi, &s) &&
		      lit(&p, end, " GMT") && p == end))
			return false;
		/* RFC 9110 5.6.7: a year more than 50 years ahead is the
		 * most recent past one with those two digits; 1970 + 50 is
		 * as good a pivot as any for a clock being read now */
		y += y < 70 ? 2000 : 1900;
	} else { /* asctime: "Sun Nov  6 08:49:37 1994" */
		if (len < 3)
			return false;
		p += 3;
		if (!(lit(&p, end, " ") && month_at(&p, end, &mo) &&
		      lit(&p, end, " ")))
			return false;
		/* a one-digit day is padded with a space */
		bool padded = lit(&p, end, " ");

		if (!digits(&p, end, padded ? 1 : 2, &d))
			return false;
		if (!(lit(&p, end, " ") && clock_of(&p, end, &h, &mi, &s) &&
		      lit(&p, end, " ") && digits(&p, end, 4, &y) && p == end))
			return false;
	}
	/* a Date outside 1970-2200 is no clock (a year-2611 one overflowed
	 * into "in step"): refused like a malformed one */
	return hv_civil_to_unix(y, mo, d, h, mi, s, out_sec) &&
	       hv_clock_sec_in_range(*out_sec);
}

static void keep_server(struct hv_http_head *out, const char *v)
{
	size_t i = 0;

	/* printable ASCII only: the renderers escape, but a clock reading
	 * has no use for anything else */
	for (; v[i] && i + 1 < sizeof(out->server); i++)
		out->server[i] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
	out->server[i] = '\0';
}

static int header_line(struct hv_http_head *out, char *line, size_t len,
		       size_t at, struct hv_error *err)
{
	char *colon = memchr(line, ':', len);
	char *v;
	size_t vlen;

	if (!colon || colon == line || line[0] == ' ' || line[0] == '\t')
		return bad(err, at, "header line without a field name");
	*colon = '\0';
	v = colon + 1;
	v += strspn(v, " \t");
	vlen = strlen(v);
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		v[--vlen] = '\0';
	if (strcasecmp(line, "Server") == 0)
		keep_server(out, v);
	if (strcasecmp(line, "Date") != 0 || out->has_date)
		return 0;
	if (!hv_http_date_parse(v, vlen, &out->date))
		return bad(err, at,
			   "Date header is not an HTTP-date from 1970 to 2199");
	out->has_date = true;
	return 0;
}

int hv_http_head_parse(const unsigned char *data, size_t len,
		       struct hv_http_head *out, struct hv_error *err)
{
	struct hv_cursor cur;
	char line[1024];
	size_t n, at = 0;
	unsigned status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > HV_HTTP_HEAD_MAX)
		return bad(err, HV_HTTP_HEAD_MAX, "header section too long");
	hv_cursor_init(&cur, data, len, 0);
	/* RFC 9112 4: "HTTP/1.x" SP 3DIGIT [SP reason] */
	if (next_line(&cur, line, sizeof(line), &n) && n >= 12 &&
	    strncmp(line, "HTTP/1.", 7) == 0 &&
	    (line[7] == '0' || line[7] == '1') && line[8] == ' ')
		for (size_t i = 9; i < 12 && line[i] >= '0' && line[i] <= '9';
		     i++)
			status = status * 10 + (unsigned)(line[i] - '0');
	if (status < 100 || status > 599 || (n > 12 && line[12] != ' '))
		return bad(err, 0, "no HTTP/1.x status line");
	out->status = status;
	for (at = hv_cursor_offset(&cur);
	     next_line(&cur, line, sizeof(line), &n);
	     at = hv_cursor_offset(&cur)) {
		if (n == 0)
			return 0;
		if ((rc = header_line(out, line, n, at, err)) != 0)
			return rc;
	}
	return bad(err, len, "header section has no end (no empty line)");
}
