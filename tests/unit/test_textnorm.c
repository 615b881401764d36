/* The normal form pasted messages are matched in (issue 23): each way a
 * tool prints the same message must give the same key, and a pattern's
 * placeholders must take any name but only a name's length. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/textnorm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True if fragment (with %1 placeholders) is found in text. */
static bool finds(const char *text, const char *fragment)
{
	struct hv_textnorm n = {0};
	char *pattern = hv_textnorm_pattern(fragment);
	size_t start, end;
	bool found;

	hv_textnorm_text(text, strlen(text), &n);
	found = hv_textnorm_find(&n, pattern, &start, &end);
	if (found) {
		assert_true(start < end);
		assert_true(end <= n.len);
	}
	free(pattern);
	hv_textnorm_release(&n);
	return found;
}

static void expect_text(const char *in, const char *want)
{
	struct hv_textnorm n = {0};

	hv_textnorm_text(in, strlen(in), &n);
	assert_string_equal(n.text, want);
	hv_textnorm_release(&n);
}

static void test_contractions(void **state)
{
	(void)state;
	expect_text("It doesn't, can't, won't; they're here, we've gone, "
		    "it'll do",
		    "It does not, cannot, will not; they are here, we have "
		    "gone, it will do");
	expect_text("isn\xE2\x80\x99t", "is not");
	/* an apostrophe that opens a quoted name is no contraction */
	expect_text("for 'tVM' and 'VM1'", "for 'tVM' and 'VM1'");
	assert_true(finds("The hardware on the destination computer isn't "
			  "compatible",
			  "The hardware on the destination computer is not "
			  "compatible"));
	assert_true(
		finds("The virtual machine can't be moved", "cannot be moved"));
}

static void test_quotes(void **state)
{
	static const char *const texts[] = {
		"migration for 'SQL01' failed",
		"migration for \"SQL01\" failed",
		"migration for \"\"SQL01\"\" failed",
		"migration for \xE2\x80\x98SQL01\xE2\x80\x99 failed",
		"migration for \xE2\x80\x9CSQL01\xE2\x80\x9D failed",
		"migration for \xC2\xAB\xC2\xA0SQL01\xC2\xA0\xC2\xBB failed",
		"migration for <VM_NAME> failed",
		"migration for 'Virtual Machine FS01' failed",
		"migration for '4E7A2C1B-9D3F-4B6E-8A1C-2F5D7E9B0C34' failed",
		"migration for 'C:\\ClusterStorage\\Volume1\\VMs\\x.vmcx' "
		"failed",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
		if (!finds(texts[i], "migration for '%1' failed"))
			fail_msg("not found in: %s", texts[i]);
	expect_text("\"\"a\"\"", "\"a\"");
}

/* A name takes at least one byte and at most HV_TEXTNORM_NAME_MAX. */
static void test_name_bounds(void **state)
{
	char text[HV_TEXTNORM_NAME_MAX + 64];

	(void)state;
	assert_false(finds("migration for failed", "for %1 failed"));
	memset(text, 'x', sizeof(text));
	memcpy(text, "for '", 5);
	memcpy(text + sizeof(text) - 10, "' failed", 9);
	assert_false(finds(text, "for %1 failed"));
	/* the first start that fits is taken, not the first start */
	assert_true(finds("for a. for 'B' failed", "for %1 failed"));
	assert_false(finds("abc", "%1"));
}

/* Event Viewer wraps between words, PowerShell inside them. */
static void test_wraps(void **state)
{
	(void)state;
	assert_true(finds("the connected party did not prop\nerly respond "
			  "after a period\r\n of time",
			  "did not properly respond after a period of time"));
	assert_true(finds("No credentials are\n\tavailable in the security "
			  "package",
			  "No credentials are available in the security "
			  "package"));
}

/* PowerShell's error record and VMM's advice heading are left out; the
 * echoed command stays, and lines are counted as written. */
static void test_wrappers(void **state)
{
	static const char ps[] =
		"Move-VM : The operation failed.\n"
		"At line:1 char:1\n"
		"+ Move-VM -Name DC02 -DestinationHost HV2 -IncludeStorage\n"
		"+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
		"    + CategoryInfo          : NotSpecified: (:) [Move-VM], "
		"VirtualizationException\n"
		"    + FullyQualifiedErrorId : OperationFailed,Microsoft."
		"HyperV.PowerShell.Commands.MoveVM\n"
		"In Zeile:3 Zeichen:1\n"
		"At C:\\scripts\\move.ps1:18 char:37\n"
		"Recommended Action\n"
		"Check that WinRM is installed.\n";
	struct hv_textnorm n = {0};

	(void)state;
	hv_textnorm_text(ps, strlen(ps), &n);
	assert_null(strstr(n.lower, "categoryinfo"));
	assert_null(strstr(n.lower, "fullyqualified"));
	assert_null(strstr(n.lower, "char:"));
	assert_null(strstr(n.lower, "zeile"));
	assert_null(strstr(n.lower, "~"));
	assert_null(strstr(n.lower, "recommended"));
	assert_non_null(strstr(n.lower, "-includestorage"));
	assert_non_null(strstr(n.text, "Check that WinRM"));
	assert_int_equal(n.line[strstr(n.text, "Check") - n.text], 10);
	hv_textnorm_release(&n);
}

/* French spacing before a colon, full-width and ideographic
 * punctuation, no-break spaces. */
static void test_localised_punctuation(void **state)
{
	(void)state;
	assert_true(finds("avec l\xE2\x80\x99h\xC3\xB4te \xC2\xAB HV2 \xC2\xBB"
			  "\xC2\xA0: Aucune information",
			  "avec l'h\xC3\xB4te %1: aucune information"));
	expect_text("\xEF\xBC\x88"
		    "0x80048054"
		    "\xEF\xBC\x89"
		    "\xE3\x80\x82",
		    "(0x80048054).");
	expect_text("a\xE3\x80\x80"
		    "b\xE2\x80\xAF"
		    "c",
		    "a b c");
	/* other UTF-8 is copied as it is */
	expect_text("\xE4\xBB\xAE\xE6\x83\xB3", "\xE4\xBB\xAE\xE6\x83\xB3");
}

/* Placeholders in a pattern: numbered as in message tables, folded
 * together, dropped at the ends. */
static void test_pattern(void **state)
{
	char *p = hv_textnorm_pattern("%1 Live migration of '%2' failed %3");

	(void)state;
	assert_string_equal(p, "livemigrationof\x1a"
			       "failed");
	free(p);
	p = hv_textnorm_pattern("at 37% completed");
	assert_string_equal(p, "at37%completed");
	free(p);
	p = hv_textnorm_pattern("for '%1' failed");
	assert_string_equal(p, "for\x1a"
			       "failed");
	free(p);
	/* one word stays a word */
	p = hv_textnorm_pattern("MigrationFailed");
	assert_string_equal(p, "\x1bmigrationfailed");
	free(p);
	assert_false(finds("live migration failed", "MigrationFailed"));
	assert_true(finds("State: MigrationFailed", "MigrationFailed"));
	/* quotes are kept in the key: a quoted phrase needs its quotes */
	assert_false(finds("live migration failed state",
			   "\"Migration Failed\" state"));
	assert_true(finds("in the \xE2\x80\x9CMigration Failed\xE2\x80\x9D "
			  "state",
			  "\"Migration Failed\" state"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contractions),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_name_bounds),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_localised_punctuation),
		cmocka_unit_test(test_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
