/* libFuzzer target for what the LDAP source parses out of a server's
 * answers without a server (lib/sources/ldap_search.c, ldap_source.c):
 * attribute descriptions with AD's range option, the slice check, the
 * DN check and AD's "data NNN" in a diagnostic message. Beyond "no crash,
 * no sanitizer report" it aborts if:
 *  1. a parsed range is inconsistent (no name, high < low when not last);
 *  2. a slice is accepted that does not start at the value asked for, or
 *     after HV_LDAP_MAX_SLICES slices;
 *  3. a DN with a NUL byte or invalid UTF-8 is accepted.
 * Run: tests/fuzz-run build-fuzz/fuzz_ldap_parse */
#include "base/utf8.h"
#include "sources/ldap_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ldap_parse: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct hv_ldap_range r;
	struct hv_error err;
	unsigned long code, next;
	size_t taken;

	memcpy(text, data, size);
	text[size] = '\0';
	if (hv_ldap_range_parse(text, &r) == 0 && r.ranged) {
		check(r.name_len > 0 && r.name_len < strlen(text),
		      "a range without a name");
		check(r.last || r.high >= r.low, "high below low");
		next = size ? data[0] : 0;
		taken = size > 1 ? (size_t)data[1] * 64 : 0;
		if (hv_ldap_range_step(&r, taken, &next, &err) == 0) {
			check(r.low == (size ? data[0] : 0u),
			      "a slice that does not start where asked");
			check(taken < HV_LDAP_MAX_SLICES, "past the cap");
			check(r.last || next == r.high + 1, "next is wrong");
		}
	}
	if (hv_ldap_dn_check(text, size, &err) == 0)
		check(size && !memchr(text, '\0', size) &&
			      hv_utf8_valid(text, size),
		      "a bad DN accepted");
	if (hv_ldap_ad_data_code(text, &code))
		(void)hv_ldap_ad_data_text(code);
	(void)hv_ldap_uri_is_tls(text);
	free(text);
	return 0;
}
