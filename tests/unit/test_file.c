/* Whole-file reads (lib/base/file.c): the error that really happened
 * (a directory is EISDIR, a missing file ENOENT), a file over the limit
 * refused instead of cut, and the content byte for byte otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_errors(void **state)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	struct hv_error err;
	char dir[] = "/tmp/hvdoctor-test-file.XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	hv_strbuf_adds(&sb, "kept");
	assert_int_equal(hv_file_read(dir, 100, "the domains file", &sb, &err),
			 HV_ERR_IO);
	assert_string_equal(err.where, dir);
	assert_string_equal(err.message, "cannot read the domains file");
	assert_int_equal(err.native_code, EISDIR);
	assert_string_equal(sb.buf, "kept");
	assert_int_equal(
		hv_file_read("/nonexistent/x", 100, "the x", &sb, &err),
		HV_ERR_IO);
	assert_int_equal(err.native_code, ENOENT);
	rmdir(dir);
	hv_strbuf_release(&sb);
}

static void test_limit_and_content(void **state)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	struct hv_error err;
	char path[] = "/tmp/hvdoctor-test-file.XXXXXX";
	int fd = mkstemp(path);
	static const char text[] = "a\0b\nc";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	assert_int_equal(hv_file_read(path, 4, "the backup", &sb, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.message, "the backup is larger than 4 bytes");
	assert_int_equal(sb.len, 0);
	assert_int_equal(hv_file_read(path, 5, "the backup", &sb, &err), 0);
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.buf, text, 6);
	/* appends */
	assert_int_equal(hv_file_read(path, 5, "the backup", &sb, &err), 0);
	assert_int_equal(sb.len, 10);
	remove(path);
	hv_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limit_and_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
