/* The EVTX reader piece by piece: checksums, UTF-16, times, the value
 * types (the generated types.evtx), the System fields read without
 * rendering, literal binary XML with references, CDATA and PIs, and the
 * damage a copied log shows: bad checksums, a wiped chunk header, a cut
 * file, a lost record size, garbage, chunks past the header's count,
 * hostile nesting and expansion. Damage must be reported with its
 * offset, and everything still readable must be read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/crc32.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/utf16.h"
#include "sources/evtx/evtx.h"
#include "sources/evtx/evtx_internal.h"
#include "sources/evtx/scan.h"

#include "evtx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers -------------------------------------------------------- */

static unsigned char *fixture(const char *name, size_t *size)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_strbuf path = HV_STRBUF_INIT;
	unsigned char *buf;
	FILE *f;
	long n;

	if (!root)
		fail_msg("HVDOCTOR_SOURCE_DIR is not set (run `make unit`)");
	hv_strbuf_addf(&path, "%s/tests/fixtures/evtx/%s", root, name);
	f = fopen(hv_strbuf_str(&path), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	hv_strbuf_release(&path);
	*size = (size_t)n;
	return buf;
}

struct result {
	size_t records;
	struct hv_evtx_problems problems; /* chunks and file header */
	struct hv_strbuf xml;
};

/* Reads every record of the bytes, renders them, collects problems. */
static void read_all(const unsigned char *data, size_t size, struct result *res)
{
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_error err;

	memset(res, 0, sizeof(*res));
	assert_int_equal(hv_evtx_open_memory(&f, data, size, "t.evtx", &err),
			 0);
	hv_evtx_problems_merge(&res->problems, &f.problems);
	for (size_t c = 0; c < f.n_chunks; c++) {
		struct hv_evtx_record rec;

		hv_evtx_chunk_begin(r, &f, c, &res->problems);
		while (hv_evtx_chunk_next(r, &rec)) {
			res->records++;
			hv_evtx_render_xml(&rec, &res->xml);
		}
	}
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
}

static void result_release(struct result *res)
{
	hv_evtx_problems_release(&res->problems);
	hv_strbuf_release(&res->xml);
}

static const struct hv_evtx_problem *problem_of(const struct result *res,
						enum hv_evtx_problem_kind kind)
{
	for (size_t i = 0; i < res->problems.n; i++)
		if (res->problems.items[i].kind == kind)
			return &res->problems.items[i];
	return NULL;
}

/* --- base pieces ---------------------------------------------------- */

/* The CRC one bit at a time, as RFC 1952 section 8 describes it. */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static void test_crc32(void **state)
{
	unsigned char buf[4096];
	uint32_t x = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	/* every length and alignment the fast paths split differently */
	for (size_t len = 0; len < 300; len++)
		assert_int_equal(hv_crc32(0, buf + len % 7, len),
				 crc_bitwise(buf + len % 7, len));
	assert_int_equal(hv_crc32(0, buf, sizeof(buf)),
			 crc_bitwise(buf, sizeof(buf)));
	assert_int_equal(hv_crc32(hv_crc32(0, buf, 1000), buf + 1000, 3096),
			 crc_bitwise(buf, sizeof(buf)));
	/* the check value of CRC-32/ISO-HDLC (RFC 1952) */
	assert_int_equal(hv_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(hv_crc32(hv_crc32(0, "1234", 4), "56789", 5),
			 0xCBF43926u);
	assert_int_equal(hv_crc32(0, "", 0), 0);
}

static void test_utf16(void **state)
{
	/* "A", U+1F600 as a pair, an unpaired high and an unpaired low
	 * surrogate, then a NUL that ends the text */
	static const unsigned char in[] = {'A',	 0,    0x3d, 0xd8, 0x00, 0xde,
					   0x3d, 0xd8, 'B',  0,	   0x00, 0xde,
					   0,	 0,    'C',  0};
	struct hv_strbuf out = HV_STRBUF_INIT;

	(void)state;
	assert_int_equal(hv_utf16le_append(&out, in, 8), 6);
	assert_string_equal(hv_strbuf_str(&out), "A\xF0\x9F\x98\x80"
						 "\xEF\xBF\xBD"
						 "B\xEF\xBF\xBD");
	hv_strbuf_release(&out);
}

static void test_filetime(void **state)
{
	char buf[40];

	(void)state;
	hv_evtx_filetime_format(0, 9, buf);
	assert_string_equal(buf, "1601-01-01T00:00:00.000000000Z");
	/* 2019-05-08T02:10:43.4872173 */
	hv_evtx_filetime_format(132017550434872173ull, 9, buf);
	assert_string_equal(buf, "2019-05-08T02:10:43.487217300Z");
	hv_evtx_filetime_format(132017550434872173ull, 6, buf);
	assert_string_equal(buf, "2019-05-08T02:10:43.487217Z");
	hv_evtx_filetime_format(132017550434872173ull, 0, buf);
	assert_string_equal(buf, "2019-05-08T02:10:43Z");
	assert_int_equal(hv_evtx_filetime_to_unix(132017550434872173ull),
			 1557281443);
	assert_true(hv_evtx_filetime_from_unix(1557281443) ==
		    132017550430000000ull);
	/* the largest FILETIME is in year 60056: still text, no overflow */
	assert_true(hv_evtx_filetime_format(UINT64_MAX, 9, buf) < 32);
	assert_memory_equal(buf, "60056-", 6);
}

static void test_not_evtx(void **state)
{
	struct hv_evtx_file f;
	struct hv_error err;

	(void)state;
	assert_int_equal(
		hv_evtx_open_memory(&f, "hello, world", 12, "x.txt", &err),
		HV_ERR_INPUT);
	assert_string_equal(err.where, "x.txt");
	assert_int_equal(hv_evtx_open(&f, "/nonexistent/x.evtx", &err),
			 HV_ERR_IO);
	assert_int_equal(hv_evtx_open(&f, "/", &err), HV_ERR_INPUT);
}

/* --- values, fields, rendering ------------------------------------ */

/* The generated types.evtx: every value type. The expected text is what
 * evtxexport prints for it, except where evtxexport 20181227 is wrong:
 * it renders negative integers and characters beyond U+FFFF wrongly. */
static const char types_event_data[] =
	"  <EventData>\n"
	"    <Data Name=\"String\">caf\xC3\xA9 &lt;&amp;&gt; \"q\" "
	"\xF0\x9F\x98\x80</Data>\n"
	"    <Data Name=\"Ansi\">ANSI \xC3\xA9</Data>\n"
	"    <Data Name=\"Int8\">-5</Data>\n"
	"    <Data Name=\"UInt8\">250</Data>\n"
	"    <Data Name=\"Int16\">-300</Data>\n"
	"    <Data Name=\"UInt16\">65000</Data>\n"
	"    <Data Name=\"Int32\">-70000</Data>\n"
	"    <Data Name=\"UInt32\">4000000000</Data>\n"
	"    <Data Name=\"Int64\">-5000000000</Data>\n"
	"    <Data Name=\"UInt64\">9223372036854775813</Data>\n"
	"    <Data Name=\"Real32\">1.500000e+000</Data>\n"
	"    <Data Name=\"Real64\">-2.500000e-001</Data>\n"
	"    <Data Name=\"Bool\">true</Data>\n"
	"    <Data Name=\"Binary\">01ABFF</Data>\n"
	"    <Data "
	"Name=\"Guid\">{00112233-4455-6677-8899-AABBCCDDEEFF}</Data>\n"
	"    <Data Name=\"Size\">4660</Data>\n"
	"    <Data Name=\"FileTime\">2026-11-01T12:30:15.123456000Z</Data>\n"
	"    <Data Name=\"SysTime\">2026-11-01T12:30:15.123Z</Data>\n"
	"    <Data Name=\"Sid\">S-1-5-21-3623811015-3361044348-30300820-1013"
	"</Data>\n"
	"    <Data Name=\"Hex32\">0x0000beef</Data>\n"
	"    <Data Name=\"Hex64\">0x1122334455667788</Data>\n"
	"    <Data Name=\"Strings\">one</Data>\n"
	"    <Data Name=\"Strings\">two</Data>\n"
	"    <Data Name=\"Numbers\">1</Data>\n"
	"    <Data Name=\"Numbers\">2</Data>\n"
	"    <Data Name=\"Numbers\">3</Data>\n"
	"    <Nested>\n"
	"      <Inner xmlns=\"urn:hvdoctor:test\">\n"
	"        <Name>nested</Name>\n"
	"        <Count>7</Count>\n"
	"      </Inner>\n"
	"    </Nested>\n"
	"  </EventData>\n"
	"</Event>\n";

static void test_value_types_xml(void **state)
{
	size_t size;
	unsigned char *data = fixture("types.evtx", &size);
	struct result res;
	const char *ed;

	(void)state;
	read_all(data, size, &res);
	assert_int_equal(res.records, 1);
	assert_int_equal(res.problems.n, 0);
	ed = strstr(hv_strbuf_str(&res.xml), "  <EventData>");
	assert_non_null(ed);
	/* the optional "Missing" value is NULL: its element is left out */
	assert_string_equal(ed, types_event_data);
	assert_non_null(strstr(hv_strbuf_str(&res.xml),
			       "    <Correlation/>\n"
			       "    <Execution ProcessID=\"2316\" "
			       "ThreadID=\"4120\"/>\n"));
	result_release(&res);
	free(data);
}

/* The same event as JSON: arrays for repeated names, Data keyed by its
 * Name, a nested template as an object, strings escaped. */
static void test_value_types_json(void **state)
{
	size_t size;
	unsigned char *data = fixture("types.evtx", &size);
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_evtx_record rec;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;
	const char *j;

	(void)state;
	assert_int_equal(hv_evtx_open_memory(&f, data, size, "t", &err), 0);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_int_equal(hv_evtx_render_json(&rec, &out), 0);
	j = hv_strbuf_str(&out);
	assert_non_null(strstr(j, "{\"Event\":{\"#attributes\":{\"xmlns\":"));
	assert_non_null(strstr(j, "\"String\":\"caf\xC3\xA9 <&> \\\"q\\\" "));
	assert_non_null(strstr(j, "\"Strings\":[\"one\",\"two\"]"));
	assert_non_null(strstr(j, "\"Numbers\":[\"1\",\"2\",\"3\"]"));
	assert_non_null(strstr(j, "\"Nested\":{\"Inner\":{\"#attributes\":"
				  "{\"xmlns\":\"urn:hvdoctor:test\"},"
				  "\"Name\":\"nested\",\"Count\":\"7\"}}"));
	assert_non_null(strstr(j, "\"Correlation\":null"));
	assert_null(strstr(j, "Missing"));
	assert_true(out.len > 2 && j[out.len - 1] == '\n' &&
		    j[out.len - 2] == '}');
	hv_strbuf_release(&out);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	free(data);
}

/* The event's JSON strings are escaped exactly as the project's one JSON
 * writer escapes the same text. */
static void test_json_escaping_agrees(void **state)
{
	static const char *texts[] = {"plain", "q\"b\\s/", "tab\tnl\ncr\r",
				      "\x01\x1f\x7f",
				      "caf\xC3\xA9 \xE2\x80\xAE"};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct hv_strbuf a = HV_STRBUF_INIT, b = HV_STRBUF_INIT;

		hv_strbuf_addch(&a, '"');
		hv_evtx_utf8_escaped(texts[i], strlen(texts[i]), ESC_JSON, &a);
		hv_strbuf_addch(&a, '"');
		hv_json_escape(&b, texts[i], strlen(texts[i]));
		assert_string_equal(hv_strbuf_str(&a), hv_strbuf_str(&b));
		hv_strbuf_release(&a);
		hv_strbuf_release(&b);
	}
}

/* Provider, channel, id, time and data come from the substitution
 * values, without rendering. */
static void test_fields_without_rendering(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_evtx_record rec;
	struct hv_strbuf t = HV_STRBUF_INIT;
	struct hv_evtx_data d = {0};
	struct hv_error err;
	uint64_t v;
	char when[40];

	(void)state;
	assert_int_equal(hv_evtx_open_memory(&f, data, size, "t", &err), 0);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_true(hv_evtx_field_uint(&rec, HV_EVTX_F_EVENT_ID, &v));
	assert_int_equal(v, 20413);
	assert_true(hv_evtx_field_is(&rec, HV_EVTX_F_PROVIDER,
				     "microsoft-windows-hyper-v-vmms"));
	assert_false(hv_evtx_field_is(&rec, HV_EVTX_F_PROVIDER,
				      "Microsoft-Windows-Hyper-V"));
	assert_true(hv_evtx_field_is(&rec, HV_EVTX_F_CHANNEL,
				     "Microsoft-Windows-Hyper-V-VMMS-Admin"));
	assert_true(hv_evtx_field_text(&rec, HV_EVTX_F_COMPUTER, &t));
	assert_string_equal(hv_strbuf_str(&t), "HVC1N1.corp.example.com");
	/* optional and absent: Qualifiers (NULL), EventSourceName */
	assert_false(hv_evtx_field_text(&rec, HV_EVTX_F_QUALIFIERS, &t));
	assert_false(hv_evtx_field_text(&rec, HV_EVTX_F_EVENT_SOURCE, &t));
	hv_evtx_filetime_format(hv_evtx_record_time(&rec), 0, when);
	assert_string_equal(when, "2026-11-02T08:00:00Z");
	assert_true(hv_evtx_field_uint(&rec, HV_EVTX_F_RECORD_ID, &v));
	assert_int_equal(v, 1);
	hv_evtx_record_data(&rec, &d);
	assert_int_equal(d.n, 3);
	assert_string_equal(hv_evtx_data_get(&d, "parameter0"), "SQL01");
	assert_string_equal(hv_evtx_data_get(&d, "Parameter2"), "HVC1N2");
	assert_null(hv_evtx_data_get(&d, "Parameter3"));
	hv_evtx_data_release(&d);
	hv_strbuf_release(&t);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	free(data);
}

/* Binary XML with no template: the element tree is the record's own,
 * with value pieces, a character and an entity reference, CDATA and a
 * processing instruction. */
static void test_literal_binxml(void **state)
{
	struct fb b;
	struct result res;
	size_t ev, at;

	(void)state;
	fb_init(&b);
	fb_record_begin(&b);
	ev = fb_open(&b, "Event", 1);
	fb_attr(&b, "a", 0);
	fb_text(&b, "x", 1);
	fb_le(&b, 0x08, 1); /* &#34; */
	fb_le(&b, 34, 2);
	fb_le(&b, 0x02, 1);
	at = fb_open(&b, "T", 0);
	fb_le(&b, 0x02, 1);
	fb_text(&b, "a<", 1);
	fb_le(&b, 0x49, 1); /* &amp; */
	fb_name(&b, "amp");
	fb_le(&b, 0x07, 1); /* CDATA "c]" */
	fb_le(&b, 2, 2);
	fb_utf16(&b, "c]");
	fb_le(&b, 0x04, 1);
	fb_close(&b, at);
	fb_le(&b, 0x0a, 1); /* <?pi d?> */
	fb_name(&b, "pi");
	fb_le(&b, 0x0b, 1);
	fb_le(&b, 1, 2);
	fb_utf16(&b, "d");
	fb_le(&b, 0x04, 1);
	fb_close(&b, ev);
	fb_record_end(&b);
	fb_finish(&b);
	read_all(b.buf, FB_SIZE, &res);
	assert_int_equal(res.records, 1);
	assert_int_equal(res.problems.n, 0);
	assert_string_equal(hv_strbuf_str(&res.xml),
			    "<Event a=\"x&#34;\">\n"
			    "  <T>a&lt;&amp;<![CDATA[c]]]></T>\n"
			    "  <?pi d?>\n"
			    "</Event>\n");
	result_release(&res);
	free(b.buf);
}

/* A record of <Event><E><F/>%0</E></Event> through a template ([MS-EVEN6]
 * 2.2.12 TemplateInstance; the definition inline the first time, by
 * offset after), its one value of the given type and bytes. */
static void fb_templated_type(struct fb *b, uint32_t *def, uint8_t type,
			      const char *value, size_t len)
{
	size_t data, ev, at, f;

	fb_record_begin(b);
	fb_le(b, 0x0c, 1);
	fb_le(b, 0x01, 1);
	fb_le(b, 7, 4);
	if (*def) {
		fb_le(b, *def, 4);
	} else {
		*def = fb_here(b) + 4;
		fb_le(b, *def, 4);
		fb_le(b, 0, 4);	   /* next definition */
		fb_le(b, 0x11, 8); /* GUID */
		fb_le(b, 0x22, 8);
		data = b->pos;
		fb_le(b, 0, 4);
		fb_le(b, 0x0001010f, 4);
		ev = fb_open(b, "Event", 0);
		fb_le(b, 0x02, 1);
		at = fb_open(b, "E", 0);
		fb_le(b, 0x02, 1);
		f = fb_open(b, "F", 0);
		fb_le(b, 0x03, 1);
		fb_close(b, f);
		fb_le(b, 0x0d, 1); /* normal substitution 0, a string */
		fb_le(b, 0, 2);
		fb_le(b, 0x01, 1);
		fb_le(b, 0x04, 1);
		fb_close(b, at);
		fb_le(b, 0x04, 1);
		fb_close(b, ev);
		fb_le(b, 0x00, 1);
		fb_set(b, data, b->pos - data - 4, 4);
	}
	fb_le(b, 1, 4);
	fb_le(b, len, 2);
	fb_le(b, type, 1);
	fb_le(b, 0, 1);
	memcpy(b->buf + b->pos, value, len);
	b->pos += len;
	fb_record_end(b);
}

/* A value that shows nothing (a string of no bytes, of one byte, or
 * starting with NUL) renders as the walk renders it when the record goes
 * through a rendering plan (plan.c): no "#text" beside E's child (found by
 * fuzz_evtx, regress-plan-empty-text.bin). */
static void test_plan_empty_values(void **state)
{
	static const struct {
		uint8_t type; /* a string, or EvtXml (UTF-16 text as well) */
		const char *bytes;
		size_t len;
		const char *json;
	} cases[] = {
		{0x01, "a\0b\0", 4,
		 "{\"Event\":{\"E\":{\"F\":null,\"#text\":\"ab\"}}}\n"},
		{0x01, "", 0, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		{0x01, "\x04", 1, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		{0x01, "\0\0c\0", 4, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		{0x01, "c\0d\0", 4,
		 "{\"Event\":{\"E\":{\"F\":null,\"#text\":\"cd\"}}}\n"},
		{0x01, "", 0, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		/* found by fuzz_evtx: EvtXml of one byte was "set" to the
		 * plan but wrote nothing, so the plan gave "" for null */
		{0x23, "e\0f\0", 4,
		 "{\"Event\":{\"E\":{\"F\":null,\"#text\":\"ef\"}}}\n"},
		{0x23, "\x04", 1, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		{0x23, "\0\0g\0", 4, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
		{0x23, "h\0", 2,
		 "{\"Event\":{\"E\":{\"F\":null,\"#text\":\"h\"}}}\n"},
		{0x23, "\x04", 1, "{\"Event\":{\"E\":{\"F\":null}}}\n"},
	};
	const size_t n = sizeof(cases) / sizeof(*cases);
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_evtx_record rec;
	struct hv_error err;
	uint32_t def = 0;
	size_t k = 0;
	struct fb b;

	(void)state;
	fb_init(&b);
	for (size_t i = 0; i < n; i++)
		fb_templated_type(&b, &def, cases[i].type, cases[i].bytes,
				  cases[i].len);
	fb_finish(&b);
	assert_int_equal(
		hv_evtx_open_memory(&f, b.buf, FB_SIZE, "t.evtx", &err), 0);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	while (hv_evtx_chunk_next(r, &rec)) {
		struct hv_strbuf json = HV_STRBUF_INIT, walk = HV_STRBUF_INIT;
		struct hv_evtx_ctx ctx;
		struct hv_evtx_doc doc;
		size_t values;

		assert_true(k < n);
		assert_int_equal(hv_evtx_render_json(&rec, &json), 0);
		assert_string_equal(hv_strbuf_str(&json), cases[k].json);
		hv_evtx_record_ctx(&rec, &ctx);
		hv_evtx_record_doc(&rec, &doc);
		hv_evtx_walk_xml(&ctx, &doc, &walk, false, &values);
		hv_strbuf_reset(&json);
		assert_int_equal(hv_evtx_render_xml(&rec, &json), 0);
		assert_string_equal(hv_strbuf_str(&json), hv_strbuf_str(&walk));
		hv_strbuf_release(&json);
		hv_strbuf_release(&walk);
		k++;
	}
	assert_int_equal(k, n);
	assert_int_equal(p.n, 0);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	free(b.buf);
}

/* A chunk of two records: <NAME/> as literal XML, then a template
 * <NAME>TEXT%0</NAME> whose element name points back at the first
 * record's name, outside the definition (as real logs do with names a
 * chunk has used before). Every offset is the same for any NAME and
 * TEXT of the same lengths. */
static void fb_outside_name(struct fb *b, const char *name, const char *text)
{
	size_t ev, data, at;
	uint32_t name_off;

	fb_init(b);
	fb_record_begin(b);
	ev = fb_open(b, name, 0);
	name_off = (uint32_t)(b->buf[ev + 4] | b->buf[ev + 5] << 8);
	fb_le(b, 0x03, 1);
	fb_close(b, ev);
	fb_record_end(b);
	fb_record_begin(b);
	fb_le(b, 0x0c, 1);
	fb_le(b, 0x01, 1);
	fb_le(b, 7, 4);
	fb_le(b, fb_here(b) + 4, 4);
	fb_le(b, 0, 4);	   /* next definition */
	fb_le(b, 0x11, 8); /* the same GUID for every NAME and TEXT */
	fb_le(b, 0x22, 8);
	data = b->pos;
	fb_le(b, 0, 4);
	fb_le(b, 0x0001010f, 4);
	fb_le(b, 0x01, 1);
	fb_le(b, 0xffff, 2);
	at = b->pos;
	fb_le(b, 0, 4);
	fb_le(b, name_off, 4); /* not inline: the first record's name */
	fb_le(b, 0x02, 1);
	fb_text(b, text, 1);
	fb_le(b, 0x0d, 1); /* normal substitution 0, a string */
	fb_le(b, 0, 2);
	fb_le(b, 0x01, 1);
	fb_le(b, 0x04, 1);
	fb_close(b, at);
	fb_le(b, 0x00, 1);
	fb_set(b, data, b->pos - data - 4, 4);
	fb_le(b, 1, 4); /* one value: "v" */
	fb_le(b, 2, 2);
	fb_le(b, 0x01, 1);
	fb_le(b, 0, 1);
	fb_le(b, 'v', 2);
	fb_record_end(b);
	fb_finish(b);
}

/* Compiled definitions are reused across chunks only for the same
 * bytes, inside the definition and in the names it points to outside
 * it (defcache.c): one reader reads chunks that differ in one or the
 * other, with the same GUID, offsets and sizes. */
static void test_definitions_reused_only_when_same(void **state)
{
	static const struct {
		const char *name, *text, *xml;
	} chunks[] = {
		{"Qa", "x", "<Qa/>\n<Qa>xv</Qa>\n"},
		{"Qa", "x", "<Qa/>\n<Qa>xv</Qa>\n"},
		{"Qb", "x", "<Qb/>\n<Qb>xv</Qb>\n"}, /* name outside */
		{"Qb", "y", "<Qb/>\n<Qb>yv</Qb>\n"}, /* definition */
		{"Qa", "x", "<Qa/>\n<Qa>xv</Qa>\n"},
	};
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
		struct hv_strbuf xml = HV_STRBUF_INIT;
		struct hv_evtx_record rec;
		struct hv_evtx_file f;
		struct hv_error err;
		struct fb b;

		fb_outside_name(&b, chunks[i].name, chunks[i].text);
		assert_int_equal(
			hv_evtx_open_memory(&f, b.buf, FB_SIZE, "t.evtx", &err),
			0);
		hv_evtx_chunk_begin(r, &f, 0, &p);
		while (hv_evtx_chunk_next(r, &rec))
			assert_int_equal(hv_evtx_render_xml(&rec, &xml), 0);
		assert_string_equal(hv_strbuf_str(&xml), chunks[i].xml);
		hv_strbuf_release(&xml);
		hv_evtx_close(&f);
		free(b.buf);
	}
	assert_int_equal(p.n, 0);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
}

/* --- damage --------------------------------------------------------- */

#define VMMS_RECORDS 26

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Absolute offset of record k (0-based) of the first chunk. */
static size_t record_offset(const unsigned char *data, int k)
{
	size_t at = 4096 + 512;

	while (k-- > 0)
		at += get32(data + at + 4);
	return at;
}

/* A flipped byte inside a record: the data checksum says so, the record
 * is still read, nothing is lost. */
static void test_bad_data_checksum(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	const struct hv_evtx_problem *p;
	struct result res;

	(void)state;
	data[record_offset(data, 3) + 200] ^= 0x01;
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS);
	p = problem_of(&res, HV_EVTX_P_CHUNK_DATA_CRC);
	assert_non_null(p);
	assert_false(p->lost);
	assert_int_equal(p->offset, 4096 + 52);
	assert_int_equal(res.problems.n_lost, 0);
	result_release(&res);
	free(data);
}

/* Checksums zeroed under the no-CRC flags (format 3.2 does this): not a
 * problem. The same zeroed checksums without the flags are. */
static void test_no_crc_flags(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	struct result res;

	(void)state;
	put32(data + 124, 0);	     /* file header checksum */
	put32(data + 4096 + 52, 0);  /* record data checksum */
	put32(data + 4096 + 124, 0); /* chunk header checksum */
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS);
	assert_non_null(problem_of(&res, HV_EVTX_P_FILE_HEADER_CRC));
	assert_non_null(problem_of(&res, HV_EVTX_P_CHUNK_HEADER_CRC));
	assert_non_null(problem_of(&res, HV_EVTX_P_CHUNK_DATA_CRC));
	result_release(&res);
	put32(data + 120, HV_EVTX_FILE_NO_CRC);
	put32(data + 4096 + 120, 1 | HV_EVTX_CHUNK_NO_CRC);
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS);
	assert_int_equal(res.problems.n, 0);
	result_release(&res);
	free(data);
}

/* A chunk whose header was wiped: searched, every record recovered,
 * and the lost header reported. */
static void test_wiped_chunk_header(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	const struct hv_evtx_problem *p;
	struct result res;

	(void)state;
	memset(data + 4096, 0, 512);
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS);
	p = problem_of(&res, HV_EVTX_P_CHUNK_SIGNATURE);
	assert_non_null(p);
	assert_int_equal(p->offset, 4096);
	assert_true(p->lost);
	result_release(&res);
	/* an all-zero chunk is an unused one, not damage */
	memset(data + 4096, 0, 65536);
	read_all(data, size, &res);
	assert_int_equal(res.records, 0);
	assert_int_equal(res.problems.n, 0);
	result_release(&res);
	free(data);
}

/* A file cut anywhere: never a crash, every record before the cut is
 * read, and a cut inside the records is reported as losing data. */
static void test_truncated_anywhere(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	size_t end_of_records = record_offset(data, VMMS_RECORDS);

	(void)state;
	for (size_t cut = 0; cut <= end_of_records + 8; cut += 97) {
		unsigned char *copy = malloc(cut ? cut : 1);
		struct hv_evtx_file f;
		struct hv_error err;
		struct result res;
		size_t whole = 0;

		memcpy(copy, data, cut);
		if (hv_evtx_open_memory(&f, copy, cut, "cut", &err) < 0) {
			assert_true(cut < 8);
			free(copy);
			continue;
		}
		hv_evtx_close(&f);
		while (whole < VMMS_RECORDS &&
		       record_offset(data, (int)whole + 1) <= cut)
			whole++;
		read_all(copy, cut, &res);
		assert_int_equal(res.records, whole);
		if (cut > 4096 + 512 && cut < end_of_records)
			assert_true(res.problems.n_lost > 0);
		result_release(&res);
		free(copy);
	}
	free(data);
}

/* A record whose size field was zeroed: its size is found from the next
 * record, and it is still read. */
static void test_lost_record_size(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	struct result res;

	(void)state;
	put32(data + record_offset(data, 5) + 4, 0);
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS);
	assert_non_null(problem_of(&res, HV_EVTX_P_RECORD));
	result_release(&res);
	free(data);
}

/* A record whose signature is gone is lost, and the rest are found. */
static void test_lost_record_signature(void **state)
{
	size_t size;
	unsigned char *data = fixture("hvc1n1-vmms-admin.evtx", &size);
	size_t at = record_offset(data, 7);
	const struct hv_evtx_problem *p;
	struct result res;

	(void)state;
	memset(data + at, 0xEE, 16);
	read_all(data, size, &res);
	assert_int_equal(res.records, VMMS_RECORDS - 1);
	p = problem_of(&res, HV_EVTX_P_RECORD);
	assert_non_null(p);
	assert_int_equal(p->offset, at);
	assert_true(p->lost);
	result_release(&res);
	free(data);
}

/* Chunks the header does not count (a stale header, normal for copies
 * of live logs) are read too. */
static unsigned char *three_chunks(size_t *size)
{
	const char *names[] = {"hvc1n1-vmms-admin.evtx", "hvc1n1-ha-admin.evtx",
			       "hvc1n1-system.evtx"};
	unsigned char *out = calloc(1, 4096 + 3 * 65536);

	for (int i = 0; i < 3; i++) {
		size_t n;
		unsigned char *f = fixture(names[i], &n);

		if (i == 0)
			memcpy(out, f, 4096);
		memcpy(out + 4096 + (size_t)i * 65536, f + 4096, 65536);
		free(f);
	}
	*size = 4096 + 3 * 65536;
	return out;
}

static void test_chunks_past_header_count(void **state)
{
	size_t size;
	unsigned char *data = three_chunks(&size);
	struct result res;

	(void)state;
	assert_int_equal(data[42], 1); /* the header counts one chunk */
	read_all(data, size, &res);
	assert_int_equal(res.records, 26 + 6 + 6);
	assert_int_equal(res.problems.n, 0);
	result_release(&res);
	free(data);
}

/* --- parallel ------------------------------------------------------- */

static void scan_record(void *ctx, struct hv_evtx_scan_job *job,
			const struct hv_evtx_record *rec)
{
	(void)ctx;
	hv_evtx_render_xml(rec, &job->text);
}

static int scan_deliver(void *ctx, struct hv_evtx_scan_job *job)
{
	hv_strbuf_addf(ctx, "[%zu:%zu]", job->file_index, job->chunk);
	hv_strbuf_add(ctx, job->text.buf ? job->text.buf : "", job->text.len);
	return 0;
}

/* The output of many threads is the output of one, in order. */
static void test_parallel_is_ordered(void **state)
{
	size_t size;
	unsigned char *data = three_chunks(&size);
	struct hv_evtx_file files[3];
	struct hv_strbuf one = HV_STRBUF_INIT;
	struct hv_error err;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(
			hv_evtx_open_memory(&files[i], data, size, "t", &err),
			0);
	for (unsigned threads = 1; threads <= 8; threads *= 2) {
		struct hv_strbuf out = HV_STRBUF_INIT;
		struct hv_evtx_scan_ops ops = {&out, scan_record, scan_deliver,
					       NULL, NULL};

		assert_int_equal(hv_evtx_scan(files, 3, threads, &ops), 0);
		if (threads == 1)
			hv_strbuf_add(&one, out.buf, out.len);
		else
			assert_string_equal(hv_strbuf_str(&out),
					    hv_strbuf_str(&one));
		hv_strbuf_release(&out);
	}
	assert_memory_equal(one.buf, "[0:0]", 5);
	assert_non_null(strstr(one.buf, "[2:2]"));
	for (int i = 0; i < 3; i++)
		hv_evtx_close(&files[i]);
	hv_strbuf_release(&one);
	free(data);
}

/* --- hostile shapes ------------------------------------------------- */

/* Elements nested deeper than any log: refused, reported, no crash. */
static void test_deep_nesting(void **state)
{
	struct fb b;
	struct result res;
	size_t at[100];

	(void)state;
	fb_init(&b);
	fb_record_begin(&b);
	for (int i = 0; i < 100; i++) {
		at[i] = fb_open(&b, "E", 0);
		fb_le(&b, 0x02, 1);
	}
	for (int i = 99; i >= 0; i--) {
		fb_le(&b, 0x04, 1);
		fb_close(&b, at[i]);
	}
	fb_record_end(&b);
	fb_finish(&b);
	read_all(b.buf, FB_SIZE, &res);
	assert_int_equal(res.records, 0);
	assert_non_null(problem_of(&res, HV_EVTX_P_BINXML));
	assert_non_null(strstr(problem_of(&res, HV_EVTX_P_BINXML)->text,
			       "nested too deep"));
	result_release(&res);
	free(b.buf);
}

/* A template that uses one large value many times: the rendering stops
 * at the record's budget instead of growing without end; the record is
 * replaced by an empty Event saying so, the cut is a problem at its
 * offset, and the next record of the chunk (rendered into the same
 * buffer, as `events --all` does) is written whole. */
static void test_render_limit(void **state)
{
	struct fb b;
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_evtx_record rec;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;
	size_t def, body, ev, first;
	uint32_t def2 = 0;
	char want[200];

	(void)state;
	fb_init(&b);
	first = b.pos;
	fb_record_begin(&b);
	fb_le(&b, 0x0c, 1); /* template instance, definition inline */
	fb_le(&b, 1, 1);
	fb_le(&b, 7, 4);
	fb_le(&b, fb_here(&b) + 4, 4);
	fb_le(&b, 0, 4);
	for (int i = 0; i < 16; i++)
		fb_le(&b, 0xAB, 1);
	def = b.pos;
	fb_le(&b, 0, 4);
	body = b.pos;
	fb_le(&b, 0x0001010f, 4);
	ev = fb_open(&b, "Event", 0);
	fb_le(&b, 0x02, 1);
	for (int i = 0; i < 2000; i++) { /* 2000 x %0 */
		fb_le(&b, 0x0d, 1);
		fb_le(&b, 0, 2);
		fb_le(&b, 0x01, 1);
	}
	fb_le(&b, 0x04, 1);
	fb_close(&b, ev);
	fb_le(&b, 0, 1);
	fb_set(&b, def, b.pos - body, 4);
	fb_le(&b, 1, 4); /* one value: 20000 characters */
	fb_le(&b, 40000, 2);
	fb_le(&b, 0x01, 1);
	fb_le(&b, 0, 1);
	for (int i = 0; i < 20000; i++)
		fb_le(&b, 'x', 2);
	fb_record_end(&b);
	fb_templated_type(&b, &def2, 0x01, "o\0k\0", 4);
	fb_finish(&b);
	assert_int_equal(hv_evtx_open_memory(&f, b.buf, FB_SIZE, "t", &err), 0);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_int_equal(hv_evtx_render_xml(&rec, &out), -1);
	snprintf(want, sizeof(want),
		 "<Event><!-- record 1 at offset %zu not shown: it renders "
		 "to more than %zu bytes --></Event>\n",
		 first, hv_evtx_record_budget(rec.size));
	assert_string_equal(hv_strbuf_str(&out), want);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.items[0].kind, HV_EVTX_P_RENDER_LIMIT);
	assert_int_equal(p.items[0].offset, first);
	assert_true(p.items[0].lost);
	/* what the records before it wrote counts for nothing */
	for (int i = 0; i < 100000; i++)
		hv_strbuf_adds(&out, "<Event/>\n");
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_int_equal(hv_evtx_render_xml(&rec, &out), 0);
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "<Event/>\n<Event>\n  <E>\n    <F/>\n"
			       "ok  </E>\n</Event>\n"));
	hv_strbuf_reset(&out);
	hv_evtx_chunk_begin(r, &f, 0, &p);
	assert_true(hv_evtx_chunk_next(r, &rec));
	assert_int_equal(hv_evtx_render_json(&rec, &out), -1);
	assert_non_null(strstr(hv_strbuf_str(&out), "{\"Event\":{\"#cut\":"));
	hv_strbuf_release(&out);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	free(b.buf);
}

/* Random bytes behind good signatures: always an answer, never a crash
 * (the fuzz target goes much further). */
static void test_garbage(void **state)
{
	size_t size;
	unsigned char *base = fixture("hvc1n1-ha-admin.evtx", &size);
	unsigned char *data = malloc(size);
	uint32_t x = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct result res;

		memcpy(data, base, size);
		for (int k = 0; k < 40; k++) {
			x = x * 1103515245u + 12345u;
			data[4096 + 512 + (x >> 8) % 8000] = (unsigned char)x;
		}
		read_all(data, size, &res);
		assert_true(res.records <= 6);
		result_release(&res);
	}
	free(data);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_filetime),
		cmocka_unit_test(test_not_evtx),
		cmocka_unit_test(test_value_types_xml),
		cmocka_unit_test(test_value_types_json),
		cmocka_unit_test(test_json_escaping_agrees),
		cmocka_unit_test(test_fields_without_rendering),
		cmocka_unit_test(test_literal_binxml),
		cmocka_unit_test(test_plan_empty_values),
		cmocka_unit_test(test_definitions_reused_only_when_same),
		cmocka_unit_test(test_bad_data_checksum),
		cmocka_unit_test(test_no_crc_flags),
		cmocka_unit_test(test_wiped_chunk_header),
		cmocka_unit_test(test_truncated_anywhere),
		cmocka_unit_test(test_lost_record_size),
		cmocka_unit_test(test_lost_record_signature),
		cmocka_unit_test(test_chunks_past_header_count),
		cmocka_unit_test(test_parallel_is_ordered),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_render_limit),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
