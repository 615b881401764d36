/* The one JSON writer (RFC 8259): escaping of control characters,
 * quotes and backslashes, invalid UTF-8 replaced by U+FFFD (RFC 3629
 * section 4 decides what is valid), and commas and nesting tracked by
 * the writer, compact and pretty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/utf8.h"

#include <string.h>

#define FFFD "\xef\xbf\xbd"

static void expect_escape(const char *in, size_t len, const char *want)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	hv_json_escape(&out, in, len);
	if (strcmp(hv_strbuf_str(&out), want) != 0)
		fail_msg("escaped to [%s], want [%s]", hv_strbuf_str(&out),
			 want);
	hv_strbuf_release(&out);
}

#define ESCAPES(in, want) expect_escape(in, sizeof(in) - 1, want)

static void test_escape_plain(void **state)
{
	(void)state;
	ESCAPES("", "\"\"");
	ESCAPES("plain text 0x8009030E", "\"plain text 0x8009030E\"");
	ESCAPES("say \"hi\"", "\"say \\\"hi\\\"\"");
	ESCAPES("C:\\Windows\\System32", "\"C:\\\\Windows\\\\System32\"");
	/* '/' needs no escape */
	ESCAPES("a/b", "\"a/b\"");
}

static void test_escape_control(void **state)
{
	(void)state;
	ESCAPES("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
	ESCAPES("\x01\x1f", "\"\\u0001\\u001f\"");
	ESCAPES("\b\f", "\"\\u0008\\u000c\"");
	ESCAPES("\x1b[1mbold", "\"\\u001b[1mbold\"");
	ESCAPES("del\x7f", "\"del\\u007f\"");
	/* an embedded NUL is data when the length says so */
	ESCAPES("a\0b", "\"a\\u0000b\"");
}

static void test_escape_utf8(void **state)
{
	(void)state;
	/* valid: kept as is */
	ESCAPES("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	ESCAPES("\xe2\x80\x98quoted\xe2\x80\x99",
		"\"\xe2\x80\x98quoted\xe2\x80\x99\"");
	/* a lone continuation byte, an impossible byte */
	ESCAPES("a\x80z", "\"a" FFFD "z\"");
	ESCAPES("\xff\xfe", "\"" FFFD FFFD "\"");
	/* Latin-1 from an old log */
	ESCAPES("caf\xe9", "\"caf" FFFD "\"");
	/* overlong '/' and overlong NUL */
	ESCAPES("\xc0\xaf", "\"" FFFD FFFD "\"");
	ESCAPES("\xc0\x80", "\"" FFFD FFFD "\"");
	ESCAPES("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
	/* a UTF-16 surrogate encoded as UTF-8 */
	ESCAPES("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
	/* above U+10FFFF */
	ESCAPES("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	/* truncated at the end of the data, and mid-string */
	ESCAPES("ok\xe2\x82", "\"ok" FFFD FFFD "\"");
	ESCAPES("\xe2\x82z", "\"" FFFD FFFD "z\"");
	/* a truncated sequence must not read past the length */
	expect_escape("\xe2\x82\xac", 2, "\"" FFFD FFFD "\"");
}

static void test_utf8_prefix(void **state)
{
	(void)state;
	assert_int_equal(hv_utf8_valid_prefix("a", 1), 1);
	assert_int_equal(hv_utf8_valid_prefix("\xc3\xa9", 2), 2);
	assert_int_equal(hv_utf8_valid_prefix("\xef\xbf\xbd", 3), 3);
	assert_int_equal(hv_utf8_valid_prefix("\xf4\x8f\xbf\xbf", 4), 4);
	assert_int_equal(hv_utf8_valid_prefix("\xf4\x8f\xbf\xbf", 3), 0);
	assert_int_equal(hv_utf8_valid_prefix("\xed\x9f\xbf", 3), 3);
	assert_int_equal(hv_utf8_valid_prefix("\xed\xa0\x80", 3), 0);
	assert_int_equal(hv_utf8_valid_prefix("\xc1\xbf", 2), 0);
	assert_int_equal(hv_utf8_valid_prefix("", 0), 0);
}

static void test_compact_nesting(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_json js;

	(void)state;
	hv_json_init(&js, &out, false);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", "x/1");
	hv_json_kv_bool(&js, "matched", true);
	hv_json_kv_int(&js, "n", -42);
	hv_json_kv_string(&js, "none", NULL);
	hv_json_key(&js, "empty_list");
	hv_json_array_begin(&js);
	hv_json_array_end(&js);
	hv_json_key(&js, "empty_object");
	hv_json_object_begin(&js);
	hv_json_object_end(&js);
	hv_json_key(&js, "list");
	hv_json_array_begin(&js);
	hv_json_int(&js, 1);
	hv_json_string(&js, "two");
	hv_json_null(&js);
	hv_json_bool(&js, false);
	hv_json_object_begin(&js);
	hv_json_kv_int(&js, "a", 1);
	hv_json_kv_int(&js, "b", INT64_MAX);
	hv_json_object_end(&js);
	hv_json_array_begin(&js);
	hv_json_array_begin(&js);
	hv_json_array_end(&js);
	hv_json_array_end(&js);
	hv_json_string_len(&js, "abc", 2);
	hv_json_array_end(&js);
	hv_json_key(&js, "k\"ey\n");
	hv_json_string(&js, "v");
	hv_json_object_end(&js);
	assert_string_equal(hv_strbuf_str(&out),
			    "{\"schema\":\"x/1\",\"matched\":true,\"n\":-42,"
			    "\"none\":null,\"empty_list\":[],"
			    "\"empty_object\":{},"
			    "\"list\":[1,\"two\",null,false,"
			    "{\"a\":1,\"b\":9223372036854775807},[[]],"
			    "\"ab\"],"
			    "\"k\\\"ey\\n\":\"v\"}");
	hv_strbuf_release(&out);
}

static void test_pretty(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_json js;

	(void)state;
	hv_json_init(&js, &out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "a", "1");
	hv_json_key(&js, "b");
	hv_json_array_begin(&js);
	hv_json_int(&js, 2);
	hv_json_object_begin(&js);
	hv_json_kv_int(&js, "c", 3);
	hv_json_object_end(&js);
	hv_json_array_end(&js);
	hv_json_key(&js, "d");
	hv_json_array_begin(&js);
	hv_json_array_end(&js);
	hv_json_object_end(&js);
	assert_string_equal(hv_strbuf_str(&out), "{\n"
						 "  \"a\": \"1\",\n"
						 "  \"b\": [\n"
						 "    2,\n"
						 "    {\n"
						 "      \"c\": 3\n"
						 "    }\n"
						 "  ],\n"
						 "  \"d\": []\n"
						 "}");
	hv_strbuf_release(&out);
}

/* Deeper than the writer tracks: no crash, brackets still balance. */
static void test_too_deep(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_json js;
	int open = 0;

	(void)state;
	hv_json_init(&js, &out, false);
	for (int i = 0; i < HV_JSON_MAX_DEPTH + 8; i++)
		hv_json_array_begin(&js);
	hv_json_int(&js, 1);
	for (int i = 0; i < HV_JSON_MAX_DEPTH + 8; i++)
		hv_json_array_end(&js);
	for (size_t i = 0; i < out.len; i++) {
		open += out.buf[i] == '[';
		open -= out.buf[i] == ']';
		assert_true(open >= 0);
	}
	assert_int_equal(open, 0);
	hv_strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_control),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_utf8_prefix),
		cmocka_unit_test(test_compact_nesting),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
