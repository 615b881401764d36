/* The explain renderers: words wrapped to the width, bytes that could
 * steer a terminal escaped, the answer before what was recognised, and
 * advice that names only commands the binary has. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kb_fixture.h"

#include "base/strbuf.h"
#include "diagnosis/explain.h"
#include "diagnosis/symptoms.h"
#include "knowledge/kb.h"
#include "render/render_explain.h"
#include "render/wrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup_builtin(void **state)
{
	return kb_setup_builtin(state);
}

static int teardown_kb(void **state)
{
	return kb_teardown(state);
}

static void test_width_from_columns(void **state)
{
	(void)state;
	assert_int_equal(hv_wrap_width(NULL), 80);
	assert_int_equal(hv_wrap_width(""), 80);
	assert_int_equal(hv_wrap_width("120"), 120);
	assert_int_equal(hv_wrap_width("40"), 40);
	assert_int_equal(hv_wrap_width("39"), 80);
	assert_int_equal(hv_wrap_width("12x"), 80);
	assert_int_equal(hv_wrap_width("-100"), 80);
	assert_int_equal(hv_wrap_width("99999999999999999999"), 80);
}

static void test_term_escapes(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		/* base/term.h's one rule: code points below U+0100 as \xNN,
		 * others as \uNNNN, bytes that are not UTF-8 as \xNN */
		{"\x1b[31mred", "\\x1b[31mred"},
		{"bell\a", "bell\\x07"},
		{"del\x7f", "del\\x7f"},
		{"c1 \xc2\x9b", "c1 \\x9b"},
		{"rlo \xe2\x80\xae", "rlo \\u202e"},
		{"isolate \xe2\x81\xa6", "isolate \\u2066"},
		{"bad \xff", "bad \\xff"},
		{"truncated \xc3", "truncated \\xc3"},
		{"D\xc3\xbczey Kimli\xc4\x9fi", "D\xc3\xbczey Kimli\xc4\x9fi"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct hv_strbuf out = HV_STRBUF_INIT;

		hv_term_add(&out, cases[i].in, strlen(cases[i].in));
		assert_string_equal(hv_strbuf_str(&out), cases[i].out);
		hv_strbuf_release(&out);
	}
	/* a UTF-8 letter is one column, an escaped byte four */
	assert_int_equal(hv_term_width("D\xc3\xbc", 3), 2);
	assert_int_equal(hv_term_width("\x1b", 1), 4);
}

/* Every line within width, unless it holds a single word longer than
 * the room there is. */
static void assert_fits(const char *text, int width)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		size_t lead = strspn(text, " ");
		bool one_word = memchr(text + lead, ' ', len - lead) == NULL;

		if (hv_term_width(text, len) > width && !one_word)
			fail_msg("line wider than %d: '%.*s'", width, (int)len,
				 text);
		text += len + (text[len] == '\n');
	}
}

static void test_wrap_prose_and_lines(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	(void)state;
	/* a line break without a full stop is a space; after one, a new
	 * line */
	hv_wrap_add(&out, "one two\nthree.\nFour five", 0, 0, 80,
		    HV_WRAP_PROSE);
	assert_string_equal(hv_strbuf_str(&out), "one two three.\nFour five\n");
	hv_strbuf_reset(&out);
	/* continuation lines start at the indent */
	hv_wrap_add(&out, "aaaa bbbb cccc dddd", 4, 6, 14, HV_WRAP_PROSE);
	assert_string_equal(hv_strbuf_str(&out), "aaaa bbbb\n      cccc\n"
						 "      dddd\n");
	hv_strbuf_reset(&out);
	/* commands stay on their lines; a long one goes on two further in;
	 * a sentence wrapped by hand goes on */
	hv_wrap_add(&out,
		    "Get-VMHost -ComputerName SRC\n"
		    "klist purge -li 0x3e7\n"
		    "Check the setting on both hosts and on any\n"
		    "new node.",
		    2, 2, 30, HV_WRAP_LINES);
	assert_string_equal(hv_strbuf_str(&out),
			    "Get-VMHost -ComputerName SRC\n"
			    "  klist purge -li 0x3e7\n"
			    "  Check the setting on both\n"
			    "    hosts and on any new node.\n");
	assert_fits(hv_strbuf_str(&out), 30);
	hv_strbuf_reset(&out);
	/* a word longer than the line is put alone, not cut */
	hv_wrap_add(&out, "x -VirtualMachineMigrationAuthenticationType y", 0,
		    0, 20, HV_WRAP_PROSE);
	assert_string_equal(hv_strbuf_str(&out),
			    "x\n-VirtualMachineMigrationAuthenticationType\n"
			    "y\n");
	hv_strbuf_release(&out);
}

static const char move_vm[] =
	"Move-VM : Virtual machine migration operation for 'VM01' failed at "
	"migration source 'HV\x1b[2J01'.\n"
	"Failed to establish a connection with host 'HV02': No credentials "
	"are available in the security package (0x8009030E).\n"
	"Event ID: 21502\n";

static const char *const all_commands[] = {"explain", "audit",	  "plan",
					   "apply",   "prove",	  "probe",
					   "events",  "diagnose", NULL};
static const char *const today[] = {"explain", "audit", "plan", "apply", NULL};

static void render(const struct hv_kb *kb, const char *paste,
		   const char *const *commands, int width, bool json,
		   struct hv_strbuf *out)
{
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};
	struct hv_style plain = {false};
	struct hv_explain_view view;

	hv_symptoms_scan(kb, paste, 1, &sym);
	hv_explain_rank(kb, &sym, &ctx, &ex);
	view = (struct hv_explain_view){kb, &sym,  &ex, commands,
					3,  width, true};
	if (json)
		hv_render_explain_json(out, &view);
	else
		hv_render_explain_text(out, &view, &plain);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

static void test_answer_first_and_width(void **state)
{
	const struct hv_kb *kb = *state;
	static const int widths[] = {80, 60, 100};

	for (size_t i = 0; i < sizeof(widths) / sizeof(*widths); i++) {
		struct hv_strbuf out = HV_STRBUF_INIT;
		const char *likely, *rec;

		render(kb, move_vm, today, widths[i], false, &out);
		likely = strstr(out.buf, "Likely causes");
		rec = strstr(out.buf, "\nRecognised\n");
		assert_ptr_equal(likely, out.buf);
		assert_non_null(rec);
		assert_true(rec > likely);
		assert_fits(out.buf, widths[i]);
		/* the host name from the paste cannot clear the screen */
		assert_null(strchr(out.buf, '\x1b'));
		assert_non_null(strstr(out.buf, "HV\\x1b[2J01"));
		hv_strbuf_release(&out);
	}
}

/* Checks are advised only for commands the binary has. */
static void test_advice_only_for_commands_there(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_strbuf out = HV_STRBUF_INIT;

	render(kb, "0x8009030E", today, 80, false, &out);
	assert_non_null(strstr(out.buf, "hvdoctor audit --ldap URI"));
	assert_null(strstr(out.buf, "hvdoctor prove"));
	assert_null(strstr(out.buf, "hvdoctor diagnose"));
	hv_strbuf_reset(&out);
	render(kb, "0x8009030E", all_commands, 80, false, &out);
	assert_non_null(strstr(out.buf, "hvdoctor prove"));
	assert_non_null(strstr(out.buf, "hvdoctor diagnose"));
	hv_strbuf_reset(&out);
	/* no command table at all: no automatic check is advised */
	render(kb, "0x8009030E", NULL, 80, false, &out);
	assert_null(strstr(out.buf, "hvdoctor checks it with"));
	hv_strbuf_reset(&out);
	/* JSON: checked_by only with what runs; checks marked */
	render(kb, "0x8009030E", today, 80, true, &out);
	assert_null(strstr(out.buf, "\"checked_by\": \"hvdoctor prove"));
	assert_non_null(strstr(out.buf, "\"command\": \"prove\""));
	assert_non_null(strstr(out.buf, "\"available\": false"));
	assert_non_null(strstr(out.buf, "\"schema\": \"hvdoctor.explain/1\""));
	hv_strbuf_release(&out);
}

/* "lists it later of 11" and its kind never come back: reasons say
 * which cause of how many, in numbers. */
static void test_reasons_read_well(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_strbuf out = HV_STRBUF_INIT;

	render(kb, "Event ID: 21502", today, 80, false, &out);
	assert_null(strstr(out.buf, "later of"));
	assert_non_null(strstr(out.buf, "names it as cause 1"));
	assert_non_null(strstr(out.buf, "prior"));
	hv_strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest wrap_tests[] = {
		cmocka_unit_test(test_width_from_columns),
		cmocka_unit_test(test_term_escapes),
		cmocka_unit_test(test_wrap_prose_and_lines),
	};
	const struct CMUnitTest render_tests[] = {
		cmocka_unit_test(test_answer_first_and_width),
		cmocka_unit_test(test_advice_only_for_commands_there),
		cmocka_unit_test(test_reasons_read_well),
	};
	int failed =
		cmocka_run_group_tests_name("wrap", wrap_tests, NULL, NULL);

	failed += cmocka_run_group_tests_name("render", render_tests,
					      setup_builtin, teardown_kb);
	return failed;
}
