/* The simple-bind password reader (cli/secret.c, compiled in here): the
 * environment variable is gone once read, and a password file with a NUL
 * byte is refused, never cut at the NUL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../cli/secret.c"

#include <stdio.h>

/* cli/options.c is not compiled in */
void cli_error(const char *fmt, ...)
{
	(void)fmt;
}

static char *file_with(const char *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/hvdoctor-test-secret.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_env_is_unset(void **state)
{
	char *pw = NULL;
	struct hv_error err;

	(void)state;
	assert_int_equal(setenv(HV_SECRET_ENV, "s3cret", 1), 0);
	assert_int_equal(hv_secret_read(NULL, &pw, &err), 0);
	assert_string_equal(pw, "s3cret");
	/* a child process (or a crash dump of the environment) must not
	 * see it any more */
	assert_null(getenv(HV_SECRET_ENV));
	hv_free_secret(pw);
}

static void test_file_with_nul_is_refused(void **state)
{
	static const char data[] = "pass\0word\n";
	char *path = file_with(data, sizeof(data) - 1);
	char *pw = NULL;
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_secret_read(path, &pw, &err), HV_ERR_INPUT);
	assert_null(pw);
	assert_string_equal(err.where, path);
	assert_string_equal(err.message, "the password has a NUL byte");
	remove(path);
}

static void test_file(void **state)
{
	static const char data[] = "pass word\r\nnext line\0";
	char *path = file_with(data, sizeof(data) - 1);
	char *pw = NULL;
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_secret_read(path, &pw, &err), 0);
	assert_string_equal(pw, "pass word");
	hv_free_secret(pw);
	remove(path);
	path = file_with("\n", 1);
	assert_int_equal(hv_secret_read(path, &pw, &err), HV_ERR_INPUT);
	assert_string_equal(err.message, "the password is empty");
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_is_unset),
		cmocka_unit_test(test_file_with_nul_is_refused),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
