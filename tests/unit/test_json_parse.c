/* The JSON reader: RFC 8259 conformance (what must be accepted, what must
 * be refused), errors with file:line:column, the size and depth bounds,
 * what a damaged document keeps, byte-order marks and UTF-16 (Windows
 * PowerShell 5.1's Out-File), paths and lookups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/json_parse.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

static int parse_len(const char *text, size_t len, struct hv_jdoc *doc,
		     struct hv_error *err)
{
	return hv_jdoc_parse(doc, "t.json", text, len, NULL, err);
}

static void accepts(const char *text)
{
	struct hv_jdoc doc;
	struct hv_error err;

	if (parse_len(text, strlen(text), &doc, &err) != 0)
		fail_msg("refused [%s]: %s: %s", text, err.where, err.message);
	assert_false(doc.damaged);
	assert_non_null(hv_jdoc_root(&doc));
	hv_jdoc_release(&doc);
}

static void refuses_len(const char *text, size_t len, const char *where)
{
	struct hv_jdoc doc;
	struct hv_error err;

	if (parse_len(text, len, &doc, &err) != HV_ERR_INPUT)
		fail_msg("accepted [%.*s]", (int)len, text);
	assert_true(doc.damaged);
	if (where && strcmp(err.where, where) != 0)
		fail_msg("[%.*s]: error at %s (%s), want %s", (int)len, text,
			 err.where, err.message, where);
	hv_jdoc_release(&doc);
}

#define refuses(text, where) refuses_len(text, sizeof(text) - 1, where)

/* RFC 8259: every kind of value, at the top level too (section 2). */
static void test_accepts_grammar(void **state)
{
	(void)state;
	accepts("{}");
	accepts("[]");
	accepts("0");
	accepts("-0");
	accepts("-12.5e+3");
	accepts("1E-2");
	accepts("\"\"");
	accepts("true");
	accepts("false");
	accepts("null");
	accepts(" \t\r\n[ 1 , 2 ]\n");
	accepts("{\"a\":{\"b\":[{},[],\"x\",null]}}");
	accepts("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\"]");
	accepts("[\"\\ud83d\\ude00\"]");	   /* a surrogate pair */
	accepts("[\"caf\xc3\xa9 \xe2\x82\xac\"]"); /* raw UTF-8 */
	accepts("{\"a\":1,\"a\":2}");		   /* legal; get reports it */
}

/* What the grammar forbids, each with where the error points. */
static void test_refuses_grammar(void **state)
{
	(void)state;
	refuses("", "t.json:1:1");
	refuses("   ", "t.json:1:4");
	refuses("[1,]", "t.json:1:4");
	refuses("[,1]", "t.json:1:2");
	refuses("{\"a\" 1}", "t.json:1:6");
	refuses("{\"a\":1,}", "t.json:1:8");
	refuses("{a:1}", "t.json:1:2");
	refuses("['x']", "t.json:1:2");
	refuses("[01]", "t.json:1:2");
	refuses("[1.]", "t.json:1:2");
	refuses("[.5]", "t.json:1:2");
	refuses("[1e]", "t.json:1:2");
	refuses("[+1]", "t.json:1:2");
	refuses("[NaN]", "t.json:1:2");
	refuses("[tru]", "t.json:1:2");
	refuses("[True]", "t.json:1:2");
	refuses("[1 2]", "t.json:1:4");
	refuses("[1]]", "t.json:1:4");
	refuses("{} {}", "t.json:1:4");
	refuses("[\"a\tb\"]", "t.json:1:4");
	refuses("[\"\\x\"]", "t.json:1:3");
	refuses("[\"\\u12\"]", "t.json:1:3");
	refuses("[\"\\ud800\"]", "t.json:1:3");
	refuses("[\"\\udc00\"]", "t.json:1:3");
	refuses("[\"unterminated]", "t.json:1:2");
	refuses("[\n  1,\n  2", "t.json:3:4");
	refuses("{\"a\":\n\n   [1,}", "t.json:3:7");
	/* invalid UTF-8: a cp1252 é, an overlong '/', a surrogate */
	refuses("[\"caf\xe9\"]", "t.json:1:6");
	refuses("[\"\xc0\xaf\"]", "t.json:1:3");
	refuses("[\"\xed\xa0\x80\"]", "t.json:1:3");
	/* columns count characters, not bytes */
	refuses("[\"\xc3\xa9\xc3\xa9\", x]", "t.json:1:8");
	refuses_len("[\"a\0b\"]", 7, "t.json:1:4");
	refuses_len("[1,\0]", 5, "t.json:1:4");
}

static void test_values(void **state)
{
	static const char text[] =
		"{\"n\": -42, \"big\": 9223372036854775807, \"f\": 1.5,"
		" \"w\": 2.0e1, \"s\": \"a\\u0000b\", \"t\": true,"
		" \"list\": [1, \"two\", null]}";
	struct hv_jdoc doc;
	struct hv_error err;
	const struct hv_jnode *root, *n;
	int64_t v;
	size_t len;
	const char *s;

	(void)state;
	assert_int_equal(parse_len(text, sizeof(text) - 1, &doc, &err), 0);
	root = hv_jdoc_root(&doc);
	assert_int_equal(root->type, HV_JOBJECT);
	assert_int_equal(root->count, 7);
	assert_true(hv_jdoc_int(&doc, hv_jdoc_get(&doc, root, "N", NULL), &v));
	assert_int_equal(v, -42);
	assert_true(
		hv_jdoc_int(&doc, hv_jdoc_get(&doc, root, "big", NULL), &v));
	assert_true(v == INT64_MAX);
	assert_false(hv_jdoc_int(&doc, hv_jdoc_get(&doc, root, "f", NULL), &v));
	assert_true(hv_jdoc_int(&doc, hv_jdoc_get(&doc, root, "w", NULL), &v));
	assert_int_equal(v, 20);
	s = hv_jdoc_str(&doc, hv_jdoc_get(&doc, root, "s", NULL), &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_int_equal(hv_jdoc_get(&doc, root, "t", NULL)->type, HV_JTRUE);
	n = hv_jdoc_first(&doc, hv_jdoc_get(&doc, root, "list", NULL));
	assert_int_equal(n->type, HV_JNUMBER);
	n = hv_jdoc_next(&doc, n);
	assert_string_equal(hv_jdoc_str(&doc, n, NULL), "two");
	n = hv_jdoc_next(&doc, n);
	assert_int_equal(n->type, HV_JNULL);
	assert_null(hv_jdoc_next(&doc, n));
	assert_null(hv_jdoc_get(&doc, root, "missing", NULL));
	hv_jdoc_release(&doc);
}

static void test_duplicate_names(void **state)
{
	static const char text[] = "{\"Name\": \"a\", \"name\": \"b\"}";
	struct hv_jdoc doc;
	struct hv_error err;
	bool dup;

	(void)state;
	assert_int_equal(parse_len(text, sizeof(text) - 1, &doc, &err), 0);
	assert_non_null(hv_jdoc_get(&doc, hv_jdoc_root(&doc), "NAME", &dup));
	assert_true(dup);
	hv_jdoc_release(&doc);
}

static void expect_path(const char *text, const char *key, const char *want)
{
	struct hv_jdoc doc;
	struct hv_error err;
	struct hv_strbuf path = HV_STRBUF_INIT;
	const struct hv_jnode *n;

	assert_int_equal(parse_len(text, strlen(text), &doc, &err), 0);
	n = NULL;
	for (size_t i = 0; i < doc.n_nodes; i++) {
		const char *s = hv_jdoc_str(&doc, &doc.nodes[i], NULL);

		if (s && strcmp(s, key) == 0)
			n = &doc.nodes[i];
	}
	assert_non_null(n);
	hv_jdoc_path(&doc, n, &path);
	assert_string_equal(hv_strbuf_str(&path), want);
	hv_strbuf_release(&path);
	hv_jdoc_release(&doc);
}

static void test_paths(void **state)
{
	(void)state;
	expect_path("\"here\"", "here", "$");
	expect_path("{\"vms\":[{},{\"Nics\":[{\"Sw\":\"here\"}]}]}", "here",
		    "$.vms[1].Nics[0].Sw");
	expect_path("{\"a b\":{\"x\\\"\":\"here\"}}", "here",
		    "$[\"a b\"][\"x\\\"\"]");
}

static void test_positions(void **state)
{
	static const char text[] = "{\n  \"a\": [\n    true,\n\t\"x\"\n  ]\n}";
	struct hv_jdoc doc;
	struct hv_error err;
	const struct hv_jnode *a, *x;

	(void)state;
	assert_int_equal(parse_len(text, sizeof(text) - 1, &doc, &err), 0);
	a = hv_jdoc_get(&doc, hv_jdoc_root(&doc), "a", NULL);
	assert_int_equal(a->line, 2);
	assert_int_equal(a->column, 8);
	x = hv_jdoc_next(&doc, hv_jdoc_first(&doc, a));
	assert_int_equal(x->line, 4);
	assert_int_equal(x->column, 2);
	hv_jdoc_release(&doc);
}

/* A truncated file keeps every value completed before the cut; the open
 * containers are kept but marked incomplete. */
static void test_damaged_keeps_prefix(void **state)
{
	static const char text[] = "{\"schema\": \"s/1\", \"host\": \"HV01\","
				   " \"vms\": [{\"Name\": \"A\"}, {\"Name\": ";
	struct hv_jdoc doc;
	struct hv_error err;
	const struct hv_jnode *root, *vms;

	(void)state;
	assert_int_equal(parse_len(text, sizeof(text) - 1, &doc, &err),
			 HV_ERR_INPUT);
	assert_true(doc.damaged);
	root = hv_jdoc_root(&doc);
	assert_false(root->complete);
	assert_string_equal(
		hv_jdoc_str(&doc, hv_jdoc_get(&doc, root, "host", NULL), NULL),
		"HV01");
	vms = hv_jdoc_get(&doc, root, "vms", NULL);
	assert_false(vms->complete);
	assert_true(hv_jdoc_first(&doc, vms)->complete);
	assert_int_equal(vms->count, 2);
	hv_jdoc_release(&doc);
}

static void test_depth_limit(void **state)
{
	struct hv_jlimits lim = {0, 8};
	struct hv_jdoc doc;
	struct hv_error err;
	char deep[64];

	(void)state;
	memset(deep, '[', 8);
	memset(deep + 8, ']', 8);
	assert_int_equal(hv_jdoc_parse(&doc, "d.json", deep, 16, &lim, &err),
			 0);
	hv_jdoc_release(&doc);
	memset(deep, '[', 9);
	memset(deep + 9, ']', 9);
	assert_int_equal(hv_jdoc_parse(&doc, "d.json", deep, 18, &lim, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.where, "d.json:1:9");
	assert_non_null(strstr(err.message, "deep"));
	hv_jdoc_release(&doc);
}

/* The default depth holds against a very deep input without recursion. */
static void test_deep_input(void **state)
{
	size_t n = 1000000;
	char *deep = malloc(n);
	struct hv_jdoc doc;
	struct hv_error err;

	(void)state;
	assert_non_null(deep);
	memset(deep, '[', n);
	assert_int_equal(hv_jdoc_parse(&doc, "d.json", deep, n, NULL, &err),
			 HV_ERR_INPUT);
	assert_int_equal(doc.n_nodes, HV_JSON_DEFAULT_MAX_DEPTH);
	hv_jdoc_release(&doc);
	free(deep);
}

static void test_size_limit(void **state)
{
	struct hv_jlimits lim = {10, 0};
	struct hv_jdoc doc;
	struct hv_error err;

	(void)state;
	assert_int_equal(
		hv_jdoc_parse(&doc, "s.json", "[1,2,3,4,5]", 11, &lim, &err),
		HV_ERR_INPUT);
	assert_string_equal(err.where, "s.json");
	assert_null(hv_jdoc_root(&doc));
	hv_jdoc_release(&doc);
}

static void test_byte_order_marks(void **state)
{
	/* UTF-8 BOM; UTF-16LE and UTF-16BE with BOM, "{"a":"é"}" */
	static const char u8[] = "\xef\xbb\xbf{\"a\":\"\xc3\xa9\"}";
	static const char le[] = "\xff\xfe{\0\"\0a\0\"\0:\0\"\0\xe9\0\"\0}\0";
	static const char be[] = "\xfe\xff\0{\0\"\0a\0\"\0:\0\"\0\xe9\0\"\0}";
	const char *inputs[] = {u8, le, be};
	size_t lens[] = {sizeof(u8) - 1, sizeof(le) - 1, sizeof(be) - 1};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct hv_jdoc doc;
		struct hv_error err;
		const struct hv_jnode *a;

		assert_int_equal(parse_len(inputs[i], lens[i], &doc, &err), 0);
		a = hv_jdoc_get(&doc, hv_jdoc_root(&doc), "a", NULL);
		assert_string_equal(hv_jdoc_str(&doc, a, NULL), "\xc3\xa9");
		hv_jdoc_release(&doc);
	}
}

/* Minified input on one long line stays linear: column tracking must
 * not rescan the line for every value. */
static void test_long_line(void **state)
{
	size_t n = 200000;
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_jdoc doc;
	struct hv_error err;

	(void)state;
	hv_strbuf_addch(&text, '[');
	for (size_t i = 0; i < n; i++)
		hv_strbuf_adds(&text, i ? ",1" : "1");
	hv_strbuf_adds(&text, ",x]");
	assert_int_equal(parse_len(text.buf, text.len, &doc, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.where, "t.json:1:400002");
	assert_int_equal(doc.nodes[0].count, n);
	hv_jdoc_release(&doc);
	hv_strbuf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_grammar),
		cmocka_unit_test(test_refuses_grammar),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_damaged_keeps_prefix),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_deep_input),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_byte_order_marks),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
