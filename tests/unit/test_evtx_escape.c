/* Control characters from event data in the dump: XML 1.0 (section 2.2,
 * Char) forbids most C0 controls and U+FFFE/U+FFFF even as character
 * references, so `events --all --format xml` shows them as the Unicode
 * control pictures (U+2400 + the code: ESC as U+241B); and on a
 * terminal, C1 controls, the bidirectional controls and CR are shown as
 * the text output shows them (base/term.h), so an event cannot move the
 * cursor or reorder what a person reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "sources/evtx/evtx.h"
#include "sources/evtx/evtx_internal.h"

#include "evtx_build.h"

#include <stdlib.h>
#include <string.h>

/* The hostile text, as UTF-16 units: ESC [2J, BEL, CR, TAB, LF, U+FFFE,
 * NEL (C1), RLO (bidi), "ok". */
static const uint16_t hostile[] = {0x1b, '[',	 '2',  'J',    0x07, '\r', '\t',
				   '\n', 0xfffe, 0x85, 0x202e, 'o',  'k'};
#define N_HOSTILE (sizeof(hostile) / sizeof(*hostile))

static void fb_units(struct fb *b, const uint16_t *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fb_le(b, u[i], 2);
}

/* <Event><L>hostile, as literal text</L><V>%0: hostile</V></Event> */
static void fb_hostile(struct fb *b)
{
	size_t def, ev, l, v;

	fb_record_begin(b);
	def = fb_def_begin(b);
	ev = fb_open(b, "Event", 0);
	fb_le(b, 0x02, 1);
	l = fb_open(b, "L", 0);
	fb_le(b, 0x02, 1);
	fb_le(b, 0x05, 1);
	fb_le(b, 0x01, 1);
	fb_le(b, N_HOSTILE, 2);
	fb_units(b, hostile, N_HOSTILE);
	fb_le(b, 0x04, 1);
	fb_close(b, l);
	v = fb_open(b, "V", 1);
	fb_attr(b, "a", 0);
	fb_subst(b, 0, VT_STRING);
	fb_le(b, 0x02, 1);
	fb_subst(b, 0, VT_STRING);
	fb_le(b, 0x04, 1);
	fb_close(b, v);
	fb_le(b, 0x04, 1);
	fb_close(b, ev);
	fb_def_end(b, def);
	fb_values(b, 1, (const uint16_t[]){(uint16_t)(2 * N_HOSTILE)},
		  (const uint8_t[]){VT_STRING});
	fb_units(b, hostile, N_HOSTILE);
	fb_record_end(b);
}

/* What the XML shows of the hostile text: control pictures for what
 * XML forbids (U+241B, U+2407; U+FFFE as U+FFFD), CR, TAB and LF kept,
 * everything else as it is. */
#define SHOWN                                                                  \
	"\xe2\x90\x9b[2J\xe2\x90\x87\r\t\n\xef\xbf\xbd\xc2\x85\xe2\x80\xae"    \
	"ok"

static void render(struct hv_strbuf *out, bool xml)
{
	struct fb b;
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_evtx_record rec;
	struct hv_error err;

	fb_init(&b);
	fb_hostile(&b);
	fb_finish(&b);
	assert_int_equal(hv_evtx_open_memory(&f, b.buf, FB_SIZE, "t", &err), 0);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_int_equal(xml ? hv_evtx_render_xml(&rec, out)
			     : hv_evtx_render_json(&rec, out),
			 0);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	free(b.buf);
}

static void test_xml_forbidden_controls_shown(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	(void)state;
	render(&out, true);
	assert_string_equal(hv_strbuf_str(&out),
			    "<Event>\n"
			    "  <L>" SHOWN "</L>\n"
			    "  <V a=\"" SHOWN "\">" SHOWN "</V>\n"
			    "</Event>\n");
	hv_strbuf_release(&out);
}

/* On a terminal: CR, C1 and bidi controls as base/term.h shows them;
 * the lines and tabs of the layout stay. */
static void test_terminal_controls_shown(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT, tty = HV_STRBUF_INIT;

	(void)state;
	render(&out, true);
	hv_evtx_for_terminal(&tty, out.buf, out.len);
	assert_non_null(strstr(hv_strbuf_str(&tty),
			       "  <L>\xe2\x90\x9b[2J\xe2\x90\x87\\x0d\t\n"
			       "\xef\xbf\xbd\\x85\\u202eok</L>\n"));
	assert_null(strchr(hv_strbuf_str(&tty), '\r'));
	assert_null(strstr(hv_strbuf_str(&tty), "\xe2\x80\xae"));
	hv_strbuf_reset(&out);
	hv_strbuf_reset(&tty);
	render(&out, false);
	hv_evtx_for_terminal(&tty, out.buf, out.len);
	assert_null(strchr(hv_strbuf_str(&tty), 0x1b));
	assert_null(strstr(hv_strbuf_str(&tty), "\xc2\x85"));
	assert_null(strstr(hv_strbuf_str(&tty), "\xe2\x80\xae"));
	hv_strbuf_release(&out);
	hv_strbuf_release(&tty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_forbidden_controls_shown),
		cmocka_unit_test(test_terminal_controls_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
