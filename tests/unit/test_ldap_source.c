/* The parts of the LDAP source that need no server: AD's "data NNN" bind
 * sub-codes, ranged attribute names (MS-ADTS 3.1.1.3.1.3.3), and the
 * option checks that refuse a plaintext simple bind before any traffic.
 * The live parts are exercised against the Samba AD test bed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sources/ldap_internal.h"

#include <limits.h>
#include <string.h>

static void test_data_code_windows(void **state)
{
	unsigned long code = 0;

	(void)state;
	assert_true(hv_ldap_ad_data_code(
		"80090308: LdapErr: DSID-0C09041C, comment: "
		"AcceptSecurityContext error, data 52e, v4563",
		&code));
	assert_int_equal(code, 0x52e);
	assert_string_equal(hv_ldap_ad_data_text(code),
			    "wrong password or unknown user");
}

static void test_data_code_variants(void **state)
{
	unsigned long code = 0;

	(void)state;
	/* At the very end, without the trailing ", vNNNN". */
	assert_true(hv_ldap_ad_data_code("error, data 775", &code));
	assert_int_equal(code, 0x775);
	/* Upper-case hex digits. */
	assert_true(hv_ldap_ad_data_code("x, data 52E, v1db1", &code));
	assert_int_equal(code, 0x52e);
	/* "data" inside another word, then the real one. */
	assert_true(hv_ldap_ad_data_code("metadata 1, data 533, v1", &code));
	assert_int_equal(code, 0x533);
}

/* The advice follows what Kerberos said: "run kinit" only without a
 * ticket (texts as MIT krb5 and Cyrus SASL put them in the diagnostic). */
static void test_gssapi_advice(void **state)
{
	(void)state;
	assert_non_null(strstr(
		hv_ldap_gssapi_advice(
			"SASL(-1): generic failure: GSSAPI Error: Unspecified "
			"GSS failure.  Minor code may provide more information "
			"(Server ldap/10.0.0.5@LAB.EXAMPLE.COM not found in "
			"Kerberos database)"),
		"DNS name"));
	assert_null(strstr(hv_ldap_gssapi_advice("... (Server not found in "
						 "Kerberos database)"),
			   "kinit"));
	assert_non_null(strstr(
		hv_ldap_gssapi_advice("SASL(-1): generic failure: GSSAPI "
				      "Error: No credentials were supplied "
				      "(No Kerberos credentials available "
				      "(default cache: FILE:/tmp/krb5cc_0))"),
		"run kinit"));
	assert_non_null(strstr(hv_ldap_gssapi_advice("(Ticket expired)"),
			       "kinit again"));
	assert_non_null(strstr(hv_ldap_gssapi_advice("(Clock skew too great)"),
			       "clock"));
	assert_null(strstr(hv_ldap_gssapi_advice("something new"), "kinit"));
	assert_null(strstr(hv_ldap_gssapi_advice(NULL), "kinit"));
}

static void test_data_code_absent(void **state)
{
	unsigned long code = 7;

	(void)state;
	assert_false(hv_ldap_ad_data_code(NULL, &code));
	assert_false(hv_ldap_ad_data_code("", &code));
	assert_false(hv_ldap_ad_data_code("SASL(-1): generic failure", &code));
	assert_false(hv_ldap_ad_data_code("data xyz", &code));
	/* Nine hex digits are not a Win32 code. */
	assert_false(hv_ldap_ad_data_code("data 123456789", &code));
	assert_false(hv_ldap_ad_data_code("data 52eq", &code));
	assert_int_equal(code, 7);
}

static void test_data_text_table(void **state)
{
	static const unsigned long codes[] = {0x525, 0x52e, 0x530, 0x531, 0x532,
					      0x533, 0x701, 0x773, 0x775};

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_non_null(hv_ldap_ad_data_text(codes[i]));
	assert_string_equal(hv_ldap_ad_data_text(0x525), "no such user");
	assert_string_equal(hv_ldap_ad_data_text(0x775),
			    "the account is locked out");
	assert_null(hv_ldap_ad_data_text(0));
	assert_null(hv_ldap_ad_data_text(0x52d));
}

static void test_range_plain(void **state)
{
	struct hv_ldap_range r;

	(void)state;
	assert_int_equal(hv_ldap_range_parse("member", &r), 0);
	assert_false(r.ranged);
	/* Another option is not a range. */
	assert_int_equal(hv_ldap_range_parse("userCertificate;binary", &r), 0);
	assert_false(r.ranged);
}

static void test_range_middle_and_last(void **state)
{
	struct hv_ldap_range r;

	(void)state;
	assert_int_equal(hv_ldap_range_parse("member;range=0-1499", &r), 0);
	assert_true(r.ranged);
	assert_int_equal(r.name_len, strlen("member"));
	assert_int_equal(r.low, 0);
	assert_int_equal(r.high, 1499);
	assert_false(r.last);

	assert_int_equal(hv_ldap_range_parse(
				 "msDS-AllowedToDelegateTo;Range=1500-*", &r),
			 0);
	assert_true(r.ranged);
	assert_int_equal(r.name_len, strlen("msDS-AllowedToDelegateTo"));
	assert_int_equal(r.low, 1500);
	assert_true(r.last);

	/* A one-value slice. */
	assert_int_equal(hv_ldap_range_parse("member;range=7-7", &r), 0);
	assert_int_equal(r.low, 7);
	assert_int_equal(r.high, 7);
}

static void test_range_malformed(void **state)
{
	static const char *const bad[] = {
		"member;range=",
		"member;range=-",
		"member;range=5-2",
		"member;range=a-b",
		"member;range=0-1499x",
		"member;range=0-*;binary",
		"member;range=0",
		";range=0-*",
		"member;range=+1-5",
		"member;range=0- 5",
		"member;range=99999999999999999999999-*",
	};
	struct hv_ldap_range r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hv_ldap_range_parse(bad[i], &r), HV_ERR_INPUT);
}

/* A DN from the server is used as a C string and printed: a NUL would
 * hide its tail, and it must be UTF-8 (RFC 4514 section 2), as the LDIF
 * reader demands of an export. */
static void test_dn_checked(void **state)
{
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_ldap_dn_check("CN=HV01,DC=t", 12, &err), 0);
	assert_int_equal(hv_ldap_dn_check("CN=H\xc3\xa9,DC=t", 11, &err), 0);
	assert_int_equal(hv_ldap_dn_check("CN=HV01\0,DC=evil", 16, &err),
			 HV_ERR_DIRECTORY);
	assert_string_equal(err.message, "the server returned a DN with a NUL "
					 "byte or not in UTF-8 (RFC 4514): "
					 "'CN=HV01\\x00,DC=evil'");
	assert_int_equal(hv_ldap_dn_check("CN=\xff", 4, &err),
			 HV_ERR_DIRECTORY);
	assert_int_equal(hv_ldap_dn_check("", 0, &err), HV_ERR_DIRECTORY);
}

/* Each slice of a ranged attribute must start where the last ended, and
 * a server may not hand out slices forever (paging has its cap too). */
static void test_range_slices_capped(void **state)
{
	struct hv_ldap_range r;
	struct hv_error err;
	unsigned long next = 0;

	(void)state;
	assert_int_equal(hv_ldap_range_parse("member;range=0-1499", &r), 0);
	assert_int_equal(hv_ldap_range_step(&r, 0, &next, &err), 0);
	assert_int_equal(next, 1500);
	assert_int_equal(hv_ldap_range_parse("member;range=1500-*", &r), 0);
	assert_int_equal(hv_ldap_range_step(&r, 1, &next, &err), 0);
	/* a gap */
	assert_int_equal(hv_ldap_range_parse("member;range=1501-2000", &r), 0);
	assert_int_equal(hv_ldap_range_step(&r, 1, &next, &err),
			 HV_ERR_DIRECTORY);
	/* one value per slice, for ever */
	next = 7;
	assert_int_equal(hv_ldap_range_parse("member;range=7-7", &r), 0);
	assert_int_equal(
		hv_ldap_range_step(&r, HV_LDAP_MAX_SLICES, &next, &err),
		HV_ERR_DIRECTORY);
	assert_non_null(strstr(err.message, "slices"));
}

static void test_uri_tls(void **state)
{
	(void)state;
	assert_true(hv_ldap_uri_is_tls("ldaps://dc1.lab.example.com"));
	assert_true(hv_ldap_uri_is_tls("LDAPS://dc1:636"));
	assert_true(hv_ldap_uri_is_tls("ldaps://dc1 ldaps://dc2"));
	assert_false(hv_ldap_uri_is_tls("ldap://dc1"));
	assert_false(hv_ldap_uri_is_tls("ldaps://dc1,ldap://dc2"));
	assert_false(hv_ldap_uri_is_tls("ldaps://"));
	assert_false(hv_ldap_uri_is_tls(""));
	assert_false(hv_ldap_uri_is_tls(NULL));
}

static struct hv_ldap_options simple_opts(const char *uri)
{
	return (struct hv_ldap_options){.uri = uri,
					.bind = HV_LDAP_BIND_SIMPLE,
					.user = "LAB\\admin1",
					.password = "secret"};
}

static void test_options_plaintext_refused(void **state)
{
	struct hv_ldap_options o = simple_opts("ldap://dc1");
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	assert_int_equal(err.category, HV_ERR_USAGE);
	assert_string_equal(err.where, "ldap://dc1");
	assert_string_equal(err.message,
			    "simple bind over plain LDAP sends the password "
			    "in clear; use ldaps://, --starttls, or "
			    "--allow-plaintext");
	/* One plain URI in a list is enough to refuse. */
	o.uri = "ldaps://dc1 ldap://dc2";
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	/* The password never ends up in the error. */
	assert_null(strstr(err.message, "secret"));
}

static void test_options_simple_allowed(void **state)
{
	struct hv_ldap_options o = simple_opts("ldaps://dc1");
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_ldap_check_options(&o, &err), 0);
	o.uri = "ldap://dc1";
	o.starttls = true;
	assert_int_equal(hv_ldap_check_options(&o, &err), 0);
	o.starttls = false;
	o.allow_plaintext = true;
	assert_int_equal(hv_ldap_check_options(&o, &err), 0);
}

static void test_options_other_refusals(void **state)
{
	struct hv_ldap_options o = simple_opts("ldaps://dc1");
	struct hv_error err;

	(void)state;
	o.password = "";
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	o.password = "secret";
	o.user = NULL;
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	o.user = "admin1@lab.example.com";
	o.starttls = true;
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	o.starttls = false;
	o.timeout_ms = -1;
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	o.timeout_ms = 0;
	o.uri = " ";
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
	o.uri = NULL;
	assert_int_equal(hv_ldap_check_options(&o, &err), HV_ERR_USAGE);
}

static void test_options_gssapi(void **state)
{
	struct hv_ldap_options o = {.uri = "ldap://dc1",
				    .bind = HV_LDAP_BIND_GSSAPI};
	struct hv_error err;

	(void)state;
	/* GSSAPI on plain LDAP is fine: the SASL layer seals. */
	assert_int_equal(hv_ldap_check_options(&o, &err), 0);
	assert_string_equal(hv_ldap_sasl_secprops(false), "minssf=56");
	assert_string_equal(hv_ldap_sasl_secprops(true), "maxssf=0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_code_windows),
		cmocka_unit_test(test_data_code_variants),
		cmocka_unit_test(test_data_code_absent),
		cmocka_unit_test(test_gssapi_advice),
		cmocka_unit_test(test_data_text_table),
		cmocka_unit_test(test_range_plain),
		cmocka_unit_test(test_range_middle_and_last),
		cmocka_unit_test(test_range_malformed),
		cmocka_unit_test(test_dn_checked),
		cmocka_unit_test(test_range_slices_capped),
		cmocka_unit_test(test_uri_tls),
		cmocka_unit_test(test_options_plaintext_refused),
		cmocka_unit_test(test_options_simple_allowed),
		cmocka_unit_test(test_options_other_refusals),
		cmocka_unit_test(test_options_gssapi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
