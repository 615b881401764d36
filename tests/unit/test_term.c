/* Terminal escaping (lib/base/term.c) and its use: every control function
 * a hostile AD value could carry (C0, C1, DEL, bidirectional controls,
 * invalid UTF-8) is shown, never sent, in the audit's text report. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/term.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "checks/checks.h"
#include "estate/estate.h"
#include "render/render_audit.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect(const char *in, size_t len, const char *want)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_term_escape(&sb, in, len);
	assert_string_equal(hv_strbuf_str(&sb), want);
	hv_strbuf_release(&sb);
}

static void test_escape(void **state)
{
	(void)state;
	expect("plain HV01", 10, "plain HV01");
	expect("a\x1b]0;t\x07z", 8, "a\\x1b]0;t\\x07z");
	expect("\r\n\t\x7f", 4, "\\x0d\\x0a\\x09\\x7f");
	expect("n\0ul", 4, "n\\x00ul");
	/* C1 CSI (U+009B) and NEL (U+0085), as UTF-8 */
	expect("\xc2\x9b"
	       "2J\xc2\x85",
	       6, "\\x9b2J\\x85");
	/* RLO, PDF, LRI, PDI, ALM, LRM, LINE SEPARATOR */
	expect("\xe2\x80\xae"
	       "abc\xe2\x80\xac",
	       9, "\\u202eabc\\u202c");
	expect("\xe2\x81\xa6\xe2\x81\xa9\xd8\x9c\xe2\x80\x8e\xe2\x80\xa8", 14,
	       "\\u2066\\u2069\\u061c\\u200e\\u2028");
	/* printable Unicode stays as it is */
	expect("Pe\xc3\xb1"
	       "a \xe2\x80\x99 \xf0\x9f\x98\x80",
	       14,
	       "Pe\xc3\xb1"
	       "a \xe2\x80\x99 \xf0\x9f\x98\x80");
	/* invalid UTF-8: a lone continuation, an overlong, a surrogate, a
	 * truncated sequence, 0xff */
	expect("\x80"
	       "a\xc0\xaf"
	       "b\xed\xa0\x80"
	       "c\xe2\x80",
	       11, "\\x80a\\xc0\\xafb\\xed\\xa0\\x80c\\xe2\\x80");
	expect("\xff", 1, "\\xff");
}

static void test_dup(void **state)
{
	char *s = hv_term_dup("x\ny");

	(void)state;
	assert_string_equal(s, "x\\x0ay");
	free(s);
	s = hv_term_dup(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* True when text holds a byte or code point a terminal acts on, other
 * than the line feeds that end lines; names the first one. */
static bool terminal_safe(const char *text, size_t len, size_t *out_at)
{
	for (size_t i = 0, n; i < len; i += n) {
		const unsigned char *u = (const unsigned char *)text + i;
		uint32_t cp;

		n = hv_utf8_valid_prefix(text + i, len - i);
		*out_at = i;
		if (!n)
			return false;
		cp = n == 1   ? u[0]
		     : n == 2 ? ((u[0] & 0x1fu) << 6) | (u[1] & 0x3fu)
		     : n == 3 ? ((u[0] & 0x0fu) << 12) | ((u[1] & 0x3fu) << 6) |
					(u[2] & 0x3fu)
			      : 0x10000;
		if (cp != '\n' && hv_term_is_control(cp))
			return false;
	}
	return true;
}

/* Hosts whose names, DN, DNS name and SPNs carry a window-title escape,
 * a forged report line, a C1 CSI, a right-to-left override and bytes
 * that are not UTF-8. All base64 in the LDIF, as ldapsearch writes them.
 *   EV1: sAMAccountName "EV\e]0;pwned\a\r\nNo problems found.\n$"
 *   EV2: dNSHostName "ev2\xc2\x9b2J.t", an SPN with U+202E
 *   EV3: DN "CN=EV3\xe2\x80\xae,DC=t", dNSHostName with 0xff */
static const char hostile[] =
	"dn: CN=EV1,DC=t\nobjectClass: computer\n"
	"sAMAccountName:: RVYbXTA7cHduZWQHDQpObyBwcm9ibGVtcyBmb3VuZC4KJA==\n"
	"dNSHostName: ev1.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: Microsoft Virtual System Migration "
	"Service/EV1\n\n"
	"dn: CN=EV2,DC=t\nobjectClass: computer\nsAMAccountName: EV2$\n"
	"dNSHostName:: ZXYywpsySi50\nuserAccountControl: 528384\n"
	"servicePrincipalName: Microsoft Virtual System Migration "
	"Service/EV2\n"
	"servicePrincipalName:: SE9TVC9ldjLigK50\n"
	"msDS-AllowedToDelegateTo:: Y2lmcy9nb25lG1sySg==\n\n"
	"dn:: Q049RVYz4oCuLERDPXQ=\nobjectClass: computer\n"
	"sAMAccountName: EV3$\ndNSHostName:: ZXYz/y50\n"
	"userAccountControl: 4096\n"
	"servicePrincipalName: Microsoft Virtual System Migration "
	"Service/EV3\n\n";

static void test_audit_text_is_terminal_safe(void **state)
{
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_findings f = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {false};
	struct hv_error err;
	size_t at = 0;

	(void)state;
	assert_int_equal(hv_ldif_read_buffer("t.ldif", hostile,
					     sizeof(hostile) - 1, &dir, &err),
			 0);
	hv_estate_build(&est, &dir, &sel, &err);
	hv_checks_run_ad(&est, &f);
	assert_true(f.n > 0);
	{
		struct hv_audit_view view = {&est, &f, NULL, "t\x1b[2J.ldif",
					     false};

		hv_render_audit_text(&out, &view, &style);
	}
	if (!terminal_safe(out.buf, out.len, &at))
		fail_msg("a control reaches the terminal at byte %zu: '%.40s'",
			 at, out.buf + (at > 20 ? at - 20 : 0));
	/* the forged line does not start a line of its own */
	assert_null(strstr(out.buf, "\nNo problems found."));
	assert_non_null(strstr(out.buf, "EV\\x1b]0;pwned\\x07"));
	hv_strbuf_release(&out);
	hv_findings_release(&f);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_audit_text_is_terminal_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
