/* XML of one event, normalised for layout, so that two parsers' XML can
 * be compared for content: whitespace between elements, the form of
 * empty elements (<a/> or <a></a>), attributes with empty values (which
 * python-evtx writes for missing optional values and others leave out),
 * entity escapes, GUID case and time spellings ("2019-05-08 02:10:43.487"
 * or "2019-05-08T02:10:43.487217000Z") do not count. Times become
 * microseconds, so a comparison can allow python-evtx's float rounding.
 * For the tests only. */
#ifndef HV_TEST_EVTX_CANON_H
#define HV_TEST_EVTX_CANON_H

#include "base/strbuf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canonical form: one token a line, "S name", "A name=value", "T text",
 * "E"; a time value is written "@<microseconds>". */

static void canon_unescape(const char *s, size_t n, struct hv_strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		static const struct {
			const char *e;
			char c;
		} ents[] = {{"&amp;", '&'},
			    {"&lt;", '<'},
			    {"&gt;", '>'},
			    {"&quot;", '"'},
			    {"&apos;", '\''}};
		bool done = false;

		if (s[i] == '&') {
			for (size_t k = 0; k < 5 && !done; k++) {
				size_t l = strlen(ents[k].e);

				if (i + l <= n &&
				    !strncmp(s + i, ents[k].e, l)) {
					hv_strbuf_addch(out, ents[k].c);
					i += l - 1;
					done = true;
				}
			}
		}
		if (!done)
			hv_strbuf_addch(
				out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
	}
}

static int64_t canon_days(int y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	return era * 146097 + (int64_t)(yoe * 365 + yoe / 4 - yoe / 100 + doy) -
	       719468;
}

/* "YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z]" as microseconds. */
static bool canon_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, n = 0;
	int64_t us = 0;
	char sep;

	if (strlen(s) < 19 ||
	    sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi,
		   &se, &n) != 7 ||
	    (sep != 'T' && sep != ' ') || n != 19)
		return false;
	s += 19;
	if (*s == '.') {
		int digits = 0;

		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (digits < 6)
				us = us * 10 + (*s - '0');
		for (; digits < 6; digits++)
			us *= 10;
	}
	if (*s == 'Z')
		s++;
	if (*s)
		return false;
	*out = ((canon_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
		1000000) +
	       us;
	return true;
}

static void canon_value(const char *s, size_t n, struct hv_strbuf *out)
{
	struct hv_strbuf v = HV_STRBUF_INIT;
	int64_t us;

	canon_unescape(s, n, &v);
	if (canon_time(hv_strbuf_str(&v), &us)) {
		hv_strbuf_addf(out, "@%lld", (long long)us);
	} else if (v.len == 38 && v.buf[0] == '{') {
		for (size_t i = 0; i < v.len; i++)
			hv_strbuf_addch(out,
					(char)toupper((unsigned char)v.buf[i]));
	} else {
		hv_strbuf_add(out, v.buf ? v.buf : "", v.len);
	}
	hv_strbuf_release(&v);
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Appends the canonical form of the XML text s[0..n) to out. */
static void canon_xml(const char *s, size_t n, struct hv_strbuf *out)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] != '<') {
			size_t j = i;

			while (j < n && s[j] != '<')
				j++;
			if (!blank(s + i, j - i)) {
				hv_strbuf_adds(out, "T ");
				canon_value(s + i, j - i, out);
				hv_strbuf_addch(out, '\n');
			}
			i = j;
			continue;
		}
		if (i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '>')
				i++;
			hv_strbuf_adds(out, "E\n");
			i++;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '?' || s[i + 1] == '!')) {
			while (i < n && s[i] != '>')
				i++;
			i++;
			continue;
		}
		i++;
		{
			size_t j = i;

			while (j < n && !isspace((unsigned char)s[j]) &&
			       s[j] != '>' && s[j] != '/')
				j++;
			hv_strbuf_adds(out, "S ");
			hv_strbuf_add(out, s + i, j - i);
			hv_strbuf_addch(out, '\n');
			i = j;
		}
		for (;;) {
			size_t a, eq, v0, v1;

			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i >= n || s[i] == '>' || s[i] == '/')
				break;
			a = i;
			while (i < n && s[i] != '=')
				i++;
			eq = i;
			i += 2; /* =" */
			v0 = i;
			while (i < n && s[i] != '"')
				i++;
			v1 = i++;
			if (v1 > v0) {
				hv_strbuf_adds(out, "A ");
				hv_strbuf_add(out, s + a, eq - a);
				hv_strbuf_addch(out, '=');
				canon_value(s + v0, v1 - v0, out);
				hv_strbuf_addch(out, '\n');
			}
		}
		if (i < n && s[i] == '/') {
			hv_strbuf_adds(out, "E\n");
			i++;
		}
		i++;
	}
}

/* Removes elements with neither attributes nor content, again and again
 * (a parent left empty goes too): python-evtx writes optional elements
 * whose value is missing as empty ones, where libevtx and Windows leave
 * them out ([MS-EVEN6] 2.2.12, OptionalSubstitution). In place. */
static void canon_drop_empty(char *s)
{
	bool again = true;

	while (again) {
		char *w = s, *r = s;

		again = false;
		while (*r) {
			size_t l =
				strcspn(r, "\n") + (r[strcspn(r, "\n")] != 0);

			if (r[0] == 'S' && r[1] == ' ' &&
			    !strncmp(r + l, "E\n", 2)) {
				r += l + 2;
				again = true;
				continue;
			}
			memmove(w, r, l);
			w += l;
			r += l;
		}
		*w = '\0';
	}
}

/* Compares two canonical forms; times may differ by up to `slack` µs.
 * Returns NULL when equal, else the first differing line of a. */
static const char *canon_diff(const char *a, const char *b, int64_t slack)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		const char *ta = memchr(a, '@', la), *tb = memchr(b, '@', lb);

		if (ta && tb && ta - a == tb - b &&
		    !strncmp(a, b, (size_t)(ta - a))) {
			long long x = strtoll(ta + 1, NULL, 10),
				  y = strtoll(tb + 1, NULL, 10);

			if (llabs(x - y) > slack)
				return a;
		} else if (la != lb || strncmp(a, b, la)) {
			return a;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return *a || *b ? (*a ? a : "(end)") : NULL;
}

#endif
