/* Event data as the field path reads it (hv_evtx_record_data): from
 * EventData and UserData wherever the record keeps them, in the template
 * or inside a BinXml substitution value, which is where Windows keeps
 * EventData ([MS-EVEN6] 2.2.12: a record's template is Event{System,
 * %n of type BinXml}, the value holding a template instance of its own);
 * and the budget that keeps a crafted record from expanding without
 * end. Records are written token by token (evtx_build.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "sources/evtx/evtx.h"
#include "sources/evtx/evtx_internal.h"

#include "evtx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- writing template instances ------------------------------------ */

/* <Data Name="name">%id</Data> */
static void fb_data(struct fb *b, const char *name, uint16_t id, uint8_t type)
{
	size_t at = fb_open(b, "Data", 1);

	fb_attr(b, "Name", 0);
	fb_text(b, name, 0);
	fb_le(b, 0x02, 1);
	fb_subst(b, id, type);
	fb_le(b, 0x04, 1);
	fb_close(b, at);
}

static void fb_string(struct fb *b, const char *s)
{
	fb_utf16(b, s);
}

/* Event{System{Provider Name=%0, EventID %1}, %2} with %2 of type
 * BinXml holding a template instance of EventData{Data Server %0,
 * Data KDCRealm %1, Data Count %2}: the layout of a real record. */
static void fb_nested_record(struct fb *b, const char *server)
{
	static const char provider[] = "Microsoft-Windows-Security-Kerberos";
	size_t def, ev, sys, pr, id, binxml, sizes_at;

	fb_record_begin(b);
	def = fb_def_begin(b);
	ev = fb_open(b, "Event", 0);
	fb_le(b, 0x02, 1);
	sys = fb_open(b, "System", 0);
	fb_le(b, 0x02, 1);
	pr = fb_open(b, "Provider", 1);
	fb_attr(b, "Name", 0);
	fb_subst(b, 0, VT_STRING);
	fb_le(b, 0x03, 1);
	fb_close(b, pr);
	id = fb_open(b, "EventID", 0);
	fb_le(b, 0x02, 1);
	fb_subst(b, 1, VT_UINT16);
	fb_le(b, 0x04, 1);
	fb_close(b, id);
	fb_le(b, 0x04, 1);
	fb_close(b, sys);
	fb_subst(b, 2, VT_BINXML);
	fb_le(b, 0x04, 1);
	fb_close(b, ev);
	fb_def_end(b, def);
	sizes_at = b->pos + 4;
	fb_values(b, 3,
		  (const uint16_t[]){(uint16_t)(2 * strlen(provider)), 2, 0},
		  (const uint8_t[]){VT_STRING, VT_UINT16, VT_BINXML});
	fb_string(b, provider);
	fb_le(b, 5, 2);
	binxml = b->pos;
	fb_le(b, 0x0001010f, 4);
	def = fb_def_begin(b);
	ev = fb_open(b, "EventData", 0);
	fb_le(b, 0x02, 1);
	fb_data(b, "Server", 0, VT_STRING);
	fb_data(b, "KDCRealm", 1, VT_STRING);
	fb_data(b, "Count", 2, VT_UINT32);
	fb_le(b, 0x04, 1);
	fb_close(b, ev);
	fb_def_end(b, def);
	fb_values(b, 3,
		  (const uint16_t[]){(uint16_t)(2 * strlen(server)), 32, 4},
		  (const uint8_t[]){VT_STRING, VT_STRING, VT_UINT32});
	fb_string(b, server);
	fb_string(b, "CORP.EXAMPLE.COM");
	fb_le(b, 7, 4);
	fb_le(b, 0x00, 1); /* end of the value's fragment */
	fb_set(b, sizes_at + 8, b->pos - binxml, 2);
	fb_record_end(b);
}

/* --- reading -------------------------------------------------------- */

struct one {
	struct hv_evtx_file f;
	struct hv_evtx_reader *r;
	struct hv_evtx_problems p;
	struct hv_evtx_record rec;
};

static void one_open(struct one *o, const unsigned char *buf)
{
	struct hv_error err;

	memset(o, 0, sizeof(*o));
	o->r = hv_evtx_reader_new();
	assert_int_equal(
		hv_evtx_open_memory(&o->f, buf, FB_SIZE, "t.evtx", &err), 0);
	hv_evtx_chunk_begin(o->r, &o->f, 0, &o->p);
	assert_true(hv_evtx_chunk_next(o->r, &o->rec));
}

static void one_close(struct one *o)
{
	hv_evtx_problems_release(&o->p);
	hv_evtx_reader_free(o->r);
	hv_evtx_close(&o->f);
}

/* EventData inside a BinXml value: names from the nested template,
 * values of every type it holds, and the same pairs as the XML dump. */
static void test_event_data_in_binxml_value(void **state)
{
	struct fb b;
	struct one o;
	struct hv_evtx_data d = {0};
	struct hv_strbuf xml = HV_STRBUF_INIT;

	(void)state;
	fb_init(&b);
	fb_nested_record(&b, "krbtgt/CORP");
	fb_finish(&b);
	one_open(&o, b.buf);
	assert_true(hv_evtx_field_is(&o.rec, HV_EVTX_F_PROVIDER,
				     "Microsoft-Windows-Security-Kerberos"));
	assert_int_equal(hv_evtx_render_xml(&o.rec, &xml), 0);
	assert_non_null(strstr(hv_strbuf_str(&xml),
			       "    <Data Name=\"KDCRealm\">CORP.EXAMPLE.COM"
			       "</Data>\n"));
	hv_evtx_record_data(&o.rec, &d);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.items[0].name, "Server");
	assert_string_equal(d.items[0].value, "krbtgt/CORP");
	assert_string_equal(hv_evtx_data_get(&d, "KDCRealm"),
			    "CORP.EXAMPLE.COM");
	assert_string_equal(hv_evtx_data_get(&d, "Count"), "7");
	assert_int_equal(o.p.n, 0);
	hv_evtx_data_release(&d);
	hv_strbuf_release(&xml);
	one_close(&o);
	free(b.buf);
}

/* Event{EventData{Data Name="X"{%0 x repeat} x elements}} with one
 * value of `chars` characters: a crafted record that expands by
 * thousands (issue: 5,000 substitutions of one 13,000-character value
 * in 68 KB cost 1.5 GB). */
static size_t fb_amplifier(struct fb *b, int elements, int repeat, int chars)
{
	size_t def, ev, ed, at = b->pos;

	fb_record_begin(b);
	def = fb_def_begin(b);
	ev = fb_open(b, "Event", 0);
	fb_le(b, 0x02, 1);
	ed = fb_open(b, "EventData", 0);
	fb_le(b, 0x02, 1);
	for (int e = 0; e < elements; e++) {
		size_t d = fb_open(b, "Data", 1);

		fb_attr(b, "Name", 0);
		fb_text(b, "X", 0);
		fb_le(b, 0x02, 1);
		for (int i = 0; i < repeat; i++)
			fb_subst(b, 0, VT_STRING);
		fb_le(b, 0x04, 1);
		fb_close(b, d);
	}
	/* the builder writes one chunk: the record must fit in it */
	assert_true(b->pos + 2 * (size_t)chars + 256 < FB_SIZE);
	fb_le(b, 0x04, 1);
	fb_close(b, ed);
	fb_le(b, 0x04, 1);
	fb_close(b, ev);
	fb_def_end(b, def);
	fb_values(b, 1, (const uint16_t[]){(uint16_t)(2 * chars)},
		  (const uint8_t[]){VT_STRING});
	for (int i = 0; i < chars; i++)
		fb_le(b, 'a' + i % 26, 2);
	fb_record_end(b);
	return at;
}

static size_t data_bytes(const struct hv_evtx_data *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += strlen(d->items[i].name) + strlen(d->items[i].value);
	return n;
}

/* One element holding 5,000 substitutions of one 6,000-character value
 * (30 million characters): the value is cut at Windows' event string
 * limit, the cut is a problem at the record's offset, and what the
 * field path makes stays within the record's budget. */
static void test_value_cut_at_the_event_string_limit(void **state)
{
	struct fb b;
	struct one o;
	struct hv_evtx_data d = {0};
	size_t at;

	(void)state;
	fb_init(&b);
	at = fb_amplifier(&b, 1, 5000, 6000);
	fb_finish(&b);
	one_open(&o, b.buf);
	hv_evtx_record_data(&o.rec, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(strlen(d.items[0].value), HV_EVTX_VALUE_LIMIT);
	assert_true(d.cut);
	assert_true(data_bytes(&d) <= hv_evtx_record_budget(o.rec.size));
	assert_int_equal(o.p.n, 1);
	assert_int_equal(o.p.items[0].kind, HV_EVTX_P_DATA_LIMIT);
	assert_int_equal(o.p.items[0].offset, at);
	assert_true(o.p.items[0].lost);
	hv_evtx_data_release(&d);
	one_close(&o);
	free(b.buf);
}

/* 500 elements, each repeating the value: every item is under the
 * value limit, so the record's budget stops the walk; the work and the
 * memory a record costs stay in proportion to its size. */
static void test_record_budget_stops_the_walk(void **state)
{
	struct fb b;
	struct one o;
	struct hv_evtx_data d = {0};

	(void)state;
	fb_init(&b);
	fb_amplifier(&b, 500, 2, 10000);
	fb_finish(&b);
	one_open(&o, b.buf);
	hv_evtx_record_data(&o.rec, &d);
	assert_true(d.cut);
	assert_true(d.n > 0 && d.n < 500);
	assert_true(data_bytes(&d) <= hv_evtx_record_budget(o.rec.size));
	assert_true(hv_evtx_record_budget(o.rec.size) <
		    4096 + 65u * (size_t)o.rec.size);
	assert_int_equal(o.p.n, 1);
	assert_int_equal(o.p.items[0].kind, HV_EVTX_P_DATA_LIMIT);
	assert_non_null(strstr(o.p.items[0].text, "event data cut"));
	hv_evtx_data_release(&d);
	one_close(&o);
	free(b.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_data_in_binxml_value),
		cmocka_unit_test(test_value_cut_at_the_event_string_limit),
		cmocka_unit_test(test_record_budget_stops_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
