/* cli/options.c (compiled in here): the one bounded number parser every
 * numeric option goes through (issue 21: --threads, --parallel, --since
 * Nd overflowed int under UBSan), durations with their units, and the
 * --help layout (every line fits 80 columns). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../cli/options.c"

static int number(const char *text, unsigned long long min,
		  unsigned long long max, unsigned long long *out)
{
	return cli_number(text, strlen(text), min, max, out);
}

static void test_number_in_range(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(number("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(number("65536", 1, 65536, &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(number("18446744073709551615", 0, ~0ull, &v), 0);
	assert_true(v == ~0ull);
	assert_int_equal(number("007", 1, 10, &v), 0);
	assert_int_equal(v, 7);
}

static void test_number_refused(void **state)
{
	unsigned long long v = 42;

	(void)state;
	/* past the limit, past 2^64, and under the minimum */
	assert_int_equal(number("65537", 1, 65536, &v), -1);
	assert_int_equal(number("18446744073709551616", 0, ~0ull, &v), -1);
	assert_int_equal(number("99999999999999999999999999", 0, ~0ull, &v),
			 -1);
	assert_int_equal(number("0", 1, 10, &v), -1);
	/* a digit over a small maximum (max - d would wrap) */
	assert_int_equal(number("7", 0, 5, &v), -1);
	/* what strtoul would take: a sign, blanks, hex, nothing */
	assert_int_equal(number("-1", 0, ~0ull, &v), -1);
	assert_int_equal(number("+1", 0, ~0ull, &v), -1);
	assert_int_equal(number(" 1", 0, ~0ull, &v), -1);
	assert_int_equal(number("0x10", 0, ~0ull, &v), -1);
	assert_int_equal(number("", 0, ~0ull, &v), -1);
	assert_int_equal(v, 42); /* untouched on refusal */
}

static void test_duration_units(void **state)
{
	unsigned ms = 0;

	(void)state;
	assert_int_equal(cli_duration_ms("2", 1, 600000, &ms), 0);
	assert_int_equal(ms, 2000); /* bare is seconds */
	assert_int_equal(cli_duration_ms("2s", 1, 600000, &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(cli_duration_ms("500ms", 1, 600000, &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(cli_duration_ms("1m", 1, 600000, &ms), 0);
	assert_int_equal(ms, 60000);
	/* 2000 bare is 2000 s: over a 600 s limit, as `--timeout 2000`
	 * meant milliseconds once */
	assert_int_equal(cli_duration_ms("2000", 1, 600000, &ms), -1);
	assert_int_equal(cli_duration_ms("500ms", 1000, 3600000, &ms), -1);
	assert_int_equal(cli_duration_ms("4294967296s", 1, ~0u, &ms), -1);
	assert_int_equal(cli_duration_ms("99999999999999999999", 1, ~0u, &ms),
			 -1);
	assert_int_equal(cli_duration_ms("2h", 1, ~0u, &ms), -1);
	assert_int_equal(cli_duration_ms("s", 1, ~0u, &ms), -1);
	assert_int_equal(cli_duration_ms("-2s", 1, ~0u, &ms), -1);
}

static const struct cli_option long_options[] = {
	{"a-rather-long-option-name", "VALUE",
	 "a help text long enough that it has to be wrapped at least once "
	 "and\nonce more by hand, with a word-that-is-long-but-fits",
	 1},
	{NULL, NULL, NULL, 0},
};

static const struct cli_command long_command = {
	.name = "long",
	.usage = "[--first-option VALUE] [--second-option VALUE] "
		 "[--third-option VALUE] [--fourth VALUE]",
	.summary = "s",
	.description = "d",
	.options = long_options,
};

static void test_help_fits_80_columns(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	size_t n_lines = 0;

	(void)state;
	assert_non_null(f);
	cli_print_help(f, &long_command);
	fclose(f);
	for (char *line = text; *line; n_lines++) {
		size_t w = strcspn(line, "\n");

		assert_in_range(w, 0, 80);
		line += w + (line[w] == '\n');
	}
	/* the usage is broken between its parts, never inside one */
	assert_non_null(strstr(text, "[--fourth VALUE]"));
	assert_non_null(strstr(text, "word-that-is-long-but-fits"));
	assert_true(n_lines > 8);
	free(text);
}

static void test_refused_option_hint(void **state)
{
	static const struct cli_command probe = {
		.name = "probe",
		.usage = "",
		.summary = "",
		.description = "",
		.options = long_options,
	};
	char *argv[] = {(char *)"--timeout", (char *)"1000"};
	struct cli_args args;

	(void)state;
	assert_true(names_command("audit plan apply", "plan"));
	assert_false(names_command("audit plan apply", "pla"));
	assert_int_equal(cli_parse(&probe, 2, argv, &args), HV_EXIT_INCOMPLETE);
	cli_args_release(&args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_in_range),
		cmocka_unit_test(test_number_refused),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_help_fits_80_columns),
		cmocka_unit_test(test_refused_option_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
