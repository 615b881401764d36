/* Tests of the MS-DTYP reader (lib/sources/secdesc.c): SIDs as text (2.4.2) and
 * the SIDs of the access-allowed ACEs of a self-relative descriptor's
 * DACL (2.4.6, 2.4.5, 2.4.4.2). Descriptors are built byte by byte here,
 * and every refusal is checked with its exact offset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "sources/secdesc.h"

#include <stdlib.h>
#include <string.h>

#define SD_HEADER 20
#define ACL_HEADER 8
#define DOMAIN_SID "S-1-5-21-1111-2222-3333"

struct sd {
	unsigned char b[1024];
	size_t len;
	size_t dacl; /* offset of the ACL */
	unsigned aces;
};

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A SID of `count` sub-authorities at p, authority 5 (NT): 21, 1111,
 * 2222, 3333, then rid, as many as count allows. Returns its length. */
static size_t put_sid(unsigned char *p, unsigned count, uint32_t rid)
{
	static const uint32_t domain[] = {21, 1111, 2222, 3333};

	p[0] = 1;
	p[1] = (unsigned char)count;
	memset(p + 2, 0, 5);
	p[7] = 5;
	for (unsigned i = 0; i < count; i++)
		put_le(p + 8 + 4 * i, i < 4 && i + 1 < count ? domain[i] : rid,
		       4);
	return 8 + 4 * (size_t)count;
}

/* Header with the DACL at dacl_at; a 16-byte owner SID (S-1-5-32-544,
 * BUILTIN\Administrators) sits between them when there is room. */
static void sd_begin(struct sd *sd, size_t dacl_at)
{
	memset(sd, 0, sizeof(*sd));
	sd->b[0] = 1;
	put_le(sd->b + 2, 0x8005, 2); /* SELF_RELATIVE|DACL_PRESENT|OWNER_DEF */
	put_le(sd->b + 16, dacl_at, 4);
	if (dacl_at >= SD_HEADER + 16) {
		static const unsigned char admins[] = {
			1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0,
		};

		put_le(sd->b + 4, SD_HEADER, 4);
		memcpy(sd->b + SD_HEADER, admins, sizeof(admins));
	}
	sd->dacl = dacl_at;
	sd->b[dacl_at] = 2; /* ACL_REVISION */
	sd->len = dacl_at + ACL_HEADER;
}

/* Appends an ACE: type 0 allowed, 1 denied (MS-DTYP 2.4.4.1). */
static void sd_ace(struct sd *sd, unsigned char type, unsigned sid_count,
		   uint32_t rid)
{
	unsigned char *ace = sd->b + sd->len;
	size_t size = 8 + put_sid(ace + 8, sid_count, rid);

	ace[0] = type;
	put_le(ace + 2, size, 2);
	put_le(ace + 4, 0x000f01ff, 4);
	sd->len += size;
	sd->aces++;
}

/* Writes AclSize and AceCount from what was appended. */
static void sd_end(struct sd *sd)
{
	put_le(sd->b + sd->dacl + 2, sd->len - sd->dacl, 2);
	put_le(sd->b + sd->dacl + 4, sd->aces, 2);
}

static void assert_sids(const struct sd *sd, size_t n, const char *const *want)
{
	char *dummy = NULL;
	char **sids = &dummy; /* the call must set it */
	size_t got = 99;
	struct hv_error err;

	assert_int_equal(
		hv_secdesc_allowed_sids(sd->b, sd->len, &sids, &got, &err), 0);
	assert_int_equal(got, n);
	if (!n)
		assert_null(sids);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(sids[i], want[i]);
		free(sids[i]);
	}
	free(sids);
}

static void assert_refused(const unsigned char *data, size_t len,
			   const char *where, const char *message)
{
	char *dummy = NULL;
	char **sids = &dummy;
	size_t n = 99;
	struct hv_error err;

	assert_int_equal(hv_secdesc_allowed_sids(data, len, &sids, &n, &err),
			 HV_ERR_INPUT);
	assert_int_equal(err.category, HV_ERR_INPUT);
	assert_string_equal(err.where, where);
	assert_string_equal(err.message, message);
	assert_null(sids);
	assert_int_equal(n, 0);
	/* the caller may not want the details */
	assert_int_equal(hv_secdesc_allowed_sids(data, len, &sids, &n, NULL),
			 HV_ERR_INPUT);
}

static void assert_sid(const unsigned char *data, size_t len, size_t want_len,
		       const char *want)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_strbuf_adds(&sb, "> ");
	assert_int_equal(hv_sid_format(data, len, &sb), want_len);
	/* appended to what was there; nothing appended on refusal */
	assert_string_equal(hv_strbuf_str(&sb) + 2, want ? want : "");
	hv_strbuf_release(&sb);
}

static void test_sid_format(void **state)
{
	unsigned char b[80] = {0};
	static const unsigned char everyone[] = {1, 1, 0, 0, 0, 0,
						 0, 1, 0, 0, 0, 0};
	static const unsigned char big[] = {1,	  1,	0xff, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	(void)state;
	assert_sid(b, put_sid(b, 5, 1105), 28, DOMAIN_SID "-1105");
	assert_sid(everyone, sizeof(everyone), 12, "S-1-1-0");
	/* 48-bit big-endian authority, 32-bit little-endian sub-authority */
	assert_sid(big, sizeof(big), 12, "S-1-281474976710655-4294967295");
	assert_sid(b, put_sid(b, 0, 0), 8, "S-1-5");
	/* trailing bytes are not the SID's: its length is returned */
	assert_sid(b, put_sid(b, 5, 7) + 10, 28, DOMAIN_SID "-7");
	/* 15 sub-authorities at most (MS-DTYP 2.4.2) */
	assert_sid(b, put_sid(b, 15, 9), 68,
		   DOMAIN_SID "-9-9-9-9-9-9-9-9-9-9-9");
	put_sid(b, 16, 9);
	assert_sid(b, sizeof(b), 0, NULL);
	/* revision 1 only; too short for the header or the count */
	put_sid(b, 5, 1);
	assert_sid(b, 27, 0, NULL);
	assert_sid(b, 7, 0, NULL);
	b[0] = 2;
	assert_sid(b, 28, 0, NULL);
}

static void test_no_and_empty_dacl(void **state)
{
	struct sd sd;

	(void)state;
	/* OffsetDacl 0: no DACL at all */
	sd_begin(&sd, 40);
	put_le(sd.b + 16, 0, 4);
	assert_sids(&sd, 0, NULL);
	/* a DACL without ACEs */
	sd_begin(&sd, SD_HEADER);
	sd_end(&sd);
	assert_int_equal(sd.len, 28);
	assert_sids(&sd, 0, NULL);
}

static void test_allowed_and_denied(void **state)
{
	static const char *const want[] = {DOMAIN_SID "-1105",
					   DOMAIN_SID "-1107", "S-1-5-18"};
	struct sd sd;

	(void)state;
	/* the layout Samba and Windows write: owner, then the DACL */
	sd_begin(&sd, 36);
	sd_ace(&sd, 0, 5, 1105);
	sd_ace(&sd, 1, 5, 1106); /* denied: not someone allowed */
	sd_ace(&sd, 0, 5, 1107);
	sd_ace(&sd, 2, 5, 1108); /* system audit: neither */
	sd_ace(&sd, 0, 1, 18);	 /* LocalSystem, S-1-5-18 */
	sd_end(&sd);
	assert_sids(&sd, 3, want);
}

static void test_header_refusals(void **state)
{
	struct sd sd;

	(void)state;
	sd_begin(&sd, SD_HEADER);
	sd_ace(&sd, 0, 5, 1105);
	sd_end(&sd);
	assert_refused(sd.b, SD_HEADER - 1, "security descriptor offset 0",
		       "not a self-relative security descriptor");
	sd.b[0] = 2;
	assert_refused(sd.b, sd.len, "security descriptor offset 0",
		       "not a self-relative security descriptor");
	sd.b[0] = 1;
	/* the DACL past the end, or its header cut short */
	put_le(sd.b + 16, sd.len + 1, 4);
	assert_refused(sd.b, sd.len, "security descriptor offset 16",
		       "DACL offset outside the descriptor");
	put_le(sd.b + 16, sd.len - 7, 4);
	assert_refused(sd.b, sd.len, "security descriptor offset 16",
		       "DACL offset outside the descriptor");
	put_le(sd.b + 16, 0xffffffffu, 4);
	assert_refused(sd.b, sd.len, "security descriptor offset 16",
		       "DACL offset outside the descriptor");
	put_le(sd.b + 16, SD_HEADER, 4);
	/* AclSize larger than what follows, or smaller than its header */
	put_le(sd.b + 22, sd.len - SD_HEADER + 1, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 22",
		       "DACL size outside the descriptor");
	put_le(sd.b + 22, ACL_HEADER - 1, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 22",
		       "DACL size outside the descriptor");
}

static void test_ace_refusals(void **state)
{
	struct sd sd;

	(void)state;
	/* AceCount says 2, the ACL holds one: the second starts at 64 */
	sd_begin(&sd, SD_HEADER);
	sd_ace(&sd, 0, 5, 1105);
	sd_end(&sd);
	put_le(sd.b + 24, 2, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 64",
		       "ACE runs past the end of the DACL");
	/* an AceSize pointing past the end of the DACL */
	put_le(sd.b + 24, 1, 2);
	put_le(sd.b + 30, 37, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 28",
		       "ACE runs past the end of the DACL");
	/* an AceSize too small for its header and mask: no endless loop */
	put_le(sd.b + 30, 0, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 28",
		       "ACE runs past the end of the DACL");
	put_le(sd.b + 30, 7, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 28",
		       "ACE runs past the end of the DACL");
	/* an ACE too short for the SID it starts */
	put_le(sd.b + 30, 32, 2);
	assert_refused(sd.b, sd.len, "security descriptor offset 28",
		       "ACE runs past the end of the DACL");
}

/* A bad SID after a good one: the first one's string must not leak
 * (the sanitizer build checks). */
static void test_sid_refusals(void **state)
{
	struct sd sd;

	(void)state;
	sd_begin(&sd, SD_HEADER);
	sd_ace(&sd, 0, 5, 1105);
	sd_ace(&sd, 0, 15, 1106);
	sd_end(&sd);
	sd.b[64 + 9] = 16; /* SubAuthorityCount 16 */
	assert_refused(sd.b, sd.len, "security descriptor offset 64",
		       "ACE runs past the end of the DACL");
	sd.b[64 + 9] = 15;
	sd.b[64 + 8] = 2; /* SID revision 2 */
	assert_refused(sd.b, sd.len, "security descriptor offset 64",
		       "ACE runs past the end of the DACL");
	/* a denied ACE's SID is not read, so not judged either */
	sd.b[64] = 1;
	assert_sids(&sd, 1, (const char *const[]){DOMAIN_SID "-1105"});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_format),
		cmocka_unit_test(test_no_and_empty_dacl),
		cmocka_unit_test(test_allowed_and_denied),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_ace_refusals),
		cmocka_unit_test(test_sid_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
