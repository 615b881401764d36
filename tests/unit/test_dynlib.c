/* Loading libldap and libkrb5 on first use (lib/sources/dynlib.c): the
 * file is built here with a library name that does not exist, so a
 * machine without libldap is simulated: the load fails with an error
 * that names the library and the Debian package, every time, and
 * libkrb5 (the real one) still loads with every pointer set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#undef HV_LDAP_SONAME
#define HV_LDAP_SONAME "libhvdoctor-test-absent.so.0"
#include "../../lib/sources/dynlib.c"

static void test_missing_library(void **state)
{
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_ldap_load(&err), HV_ERR_IO);
	assert_string_equal(err.where, "libhvdoctor-test-absent.so.0");
	assert_non_null(strstr(err.message, "libldap-2.5-0"));
	assert_non_null(strstr(err.message, "scripts/install-deps"));
	assert_null(hv_ldap_fn.ldap_initialize);
	/* the answer is kept, not retried per call */
	assert_int_equal(hv_ldap_load(NULL), HV_ERR_IO);
}

static void test_present_library(void **state)
{
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_krb5_load(&err), 0);
#define HV_CHECK(name) assert_non_null(hv_krb5_fn.name);
	HV_KRB5_FUNCTIONS(HV_CHECK)
#undef HV_CHECK
	assert_int_equal(hv_krb5_load(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_present_library),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
