/* Tests of the LDIF reader and writer (lib/sources/ldif.c) and of base64
 * (lib/base/base64.c). Fixtures in tests/fixtures/ldif are found through
 * HVDOCTOR_SOURCE_DIR, which `make unit` sets to the repository root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sources/directory.h"
#include "base/alloc.h"
#include "base/base64.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/ldif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The security descriptor in the fixtures: binary, with NUL bytes. */
static const unsigned char sd[] = {
	0x01, 0x00, 0x04, 0x80, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
	0x02, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00,
	0xff, 0x01, 0x0f, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x15, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
	0x99, 0xaa, 0xbb, 0x0c, 0x51, 0x04, 0x00, 0x00,
};

#define SPN_SPACED                                                             \
	"Microsoft Virtual System Migration Service/HV02.corp.example"
#define SPN_ESCAPED "Microsoft\\ Virtual\\ System\\ Migration\\ Service/HV02"

/* Path of a fixture; caller frees with free(). */
static char *fixture(const char *name)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_strbuf sb = HV_STRBUF_INIT;

	if (!root)
		fail_msg("HVDOCTOR_SOURCE_DIR is not set (run `make unit`)");
	hv_strbuf_addf(&sb, "%s/tests/fixtures/ldif/%s", root, name);
	return hv_strbuf_detach(&sb);
}

static int read_file(const char *name, struct hv_directory *dir,
		     struct hv_ldif_errors *errs)
{
	char *path = fixture(name);
	int rc = hv_ldif_read_file_errors(path, dir, errs);

	free(path);
	return rc;
}

static int read_text(const char *text, struct hv_directory *dir,
		     struct hv_error *err)
{
	return hv_ldif_read_buffer("t.ldif", text, strlen(text), dir, err);
}

/* Value i of attribute name of entry; fails the test if absent. */
static const struct hv_value *value(const struct hv_entry *entry,
				    const char *name, size_t i)
{
	const struct hv_attr *attr = hv_entry_attr(entry, name);

	assert_non_null(attr);
	assert_true(i < attr->n_values);
	return &attr->values[i];
}

static void assert_value(const struct hv_entry *entry, const char *name,
			 size_t i, const void *data, size_t len)
{
	const struct hv_value *v = value(entry, name, i);

	assert_int_equal(v->len, len);
	if (len)
		assert_memory_equal(v->data, data, len);
	assert_int_equal(v->data[len], '\0');
}

static void assert_text(const struct hv_entry *entry, const char *name,
			size_t i, const char *text)
{
	assert_value(entry, name, i, text, strlen(text));
}

static void assert_error(const struct hv_error *err, const char *where,
			 const char *message)
{
	assert_int_equal(err->category, HV_ERR_INPUT);
	assert_string_equal(err->where, where);
	assert_string_equal(err->message, message);
}

static void assert_same_entry(const struct hv_entry *a,
			      const struct hv_entry *b)
{
	assert_string_equal(a->dn, b->dn);
	assert_int_equal(a->n_attrs, b->n_attrs);
	for (size_t i = 0; i < a->n_attrs; i++) {
		const struct hv_attr *x = &a->attrs[i], *y = &b->attrs[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->n_values, y->n_values);
		for (size_t v = 0; v < x->n_values; v++) {
			assert_int_equal(x->values[v].len, y->values[v].len);
			assert_memory_equal(x->values[v].data,
					    y->values[v].data,
					    x->values[v].len + 1);
		}
	}
}

/* Writes every entry of dir, reads the text back, compares. */
static void assert_round_trip(const struct hv_directory *dir)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_directory again = {0};
	struct hv_error err;

	for (size_t i = 0; i < dir->n_entries; i++)
		hv_ldif_put_entry(&out, &dir->entries[i]);
	assert_int_equal(hv_ldif_read_buffer("rt.ldif", hv_strbuf_str(&out),
					     out.len, &again, &err),
			 0);
	assert_int_equal(again.n_entries, dir->n_entries);
	for (size_t i = 0; i < dir->n_entries; i++)
		assert_same_entry(&dir->entries[i], &again.entries[i]);
	hv_directory_clear(&again);
	hv_strbuf_release(&out);
}

static void test_base64_vectors(void **state)
{
	/* RFC 4648 section 10 */
	static const char *const vec[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	unsigned char all[256];
	struct hv_strbuf a = HV_STRBUF_INIT, b = HV_STRBUF_INIT;
	struct hv_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		hv_strbuf_reset(&a);
		hv_strbuf_reset(&b);
		hv_base64_encode(&a, vec[i][0], strlen(vec[i][0]));
		assert_string_equal(hv_strbuf_str(&a), vec[i][1]);
		assert_int_equal(a.len,
				 hv_base64_encoded_len(strlen(vec[i][0])));
		assert_int_equal(hv_base64_decode(&b, vec[i][1],
						  strlen(vec[i][1]), &err),
				 0);
		assert_string_equal(hv_strbuf_str(&b), vec[i][0]);
	}
	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	hv_strbuf_reset(&a);
	hv_strbuf_reset(&b);
	hv_base64_encode(&a, all, sizeof(all));
	assert_int_equal(hv_base64_decode(&b, a.buf, a.len, &err), 0);
	assert_int_equal(b.len, sizeof(all));
	assert_memory_equal(b.buf, all, sizeof(all));
	hv_strbuf_release(&a);
	hv_strbuf_release(&b);
}

static void test_base64_strict(void **state)
{
	static const char *const bad[][2] = {
		{"Zm9v!A==", "invalid base64 character '!' at offset 4"},
		{"Zm 9v", "invalid base64 byte 0x20 at offset 2"},
		{"Zm9v\nYg==", "invalid base64 byte 0x0a at offset 4"},
		{"Zg=", "base64 length 3 is not a multiple of 4"},
		{"Zm9vY", "base64 length 5 is not a multiple of 4"},
		{"Zg==Zg==", "misplaced base64 padding '=' at offset 2"},
		{"Z===", "misplaced base64 padding '=' at offset 1"},
		{"Zh==", "non-zero base64 pad bits at offset 1"},
		{"Zm9=", "non-zero base64 pad bits at offset 2"},
	};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;

	(void)state;
	hv_strbuf_adds(&out, "kept");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hv_base64_decode(&out, bad[i][0],
						  strlen(bad[i][0]), &err),
				 HV_ERR_INPUT);
		assert_string_equal(err.message, bad[i][1]);
		assert_string_equal(err.where, "");
		assert_string_equal(hv_strbuf_str(&out), "kept");
	}
	hv_strbuf_release(&out);
}

static void test_records_and_origins(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	/* no newline at the end: the last line still counts */
	assert_int_equal(read_text("dn: CN=a,DC=x\ncn: a\nCN: A2\n\n\n"
				   "dn:CN=b,DC=x\nsn:b",
				   &dir, &err),
			 0);
	assert_string_equal(err.message, "");
	assert_int_equal(dir.n_entries, 2);
	assert_string_equal(dir.entries[0].dn, "CN=a,DC=x");
	assert_string_equal(dir.entries[0].origin, "t.ldif:1");
	assert_int_equal(dir.entries[0].n_attrs, 1);
	assert_text(&dir.entries[0], "cn", 1, "A2");
	assert_string_equal(dir.entries[1].dn, "CN=b,DC=x");
	assert_string_equal(dir.entries[1].origin, "t.ldif:6");
	assert_text(&dir.entries[1], "sn", 0, "b");
	hv_directory_clear(&dir);
}

static void test_folding(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(read_text("dn: CN=HV01,OU=Hyper-V\n"
				   "  Hosts,DC=corp\n"
				   " ,DC=example\n"
				   "description: one\n"
				   " two\n"
				   "  three\n"
				   " \n"
				   "cn:: SMOk\n"
				   " bGxl\n"
				   "msDS-AllowedToDelegateTo: Microsoft "
				   "Virtual System Migration Servi\n"
				   " ce/HV02\n",
				   &dir, &err),
			 0);
	assert_int_equal(dir.n_entries, 1);
	assert_string_equal(dir.entries[0].dn,
			    "CN=HV01,OU=Hyper-V Hosts,DC=corp,DC=example");
	assert_text(&dir.entries[0], "description", 0, "onetwo three");
	assert_text(&dir.entries[0], "cn", 0, "H\xc3\xa4lle");
	assert_text(&dir.entries[0], "msDS-AllowedToDelegateTo", 0,
		    "Microsoft Virtual System Migration Service/HV02");
	hv_directory_clear(&dir);
}

static void test_comments(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	/* A folded comment swallows its continuations, even ones that look
	 * like attribute lines (RFC 2849 notes 2 and 3). */
	assert_int_equal(read_text("# head\n"
				   " cn: not an attribute\n"
				   "dn: CN=a\n"
				   "# inside a record\n"
				   "  \n"
				   " sn: nor this\n"
				   "cn: a\n"
				   "#\n",
				   &dir, &err),
			 0);
	assert_int_equal(dir.n_entries, 1);
	assert_int_equal(dir.entries[0].n_attrs, 1);
	assert_text(&dir.entries[0], "cn", 0, "a");
	hv_directory_clear(&dir);
}

static void test_options_and_empty_values(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(read_text("dn: CN=g\n"
				   "member;range=0-1: CN=m1\n"
				   "member;range=0-1: CN=m2\n"
				   "Member;range=2-*: CN=m3\n"
				   "nTSecurityDescriptor;binary:: AAEA\n"
				   "1.2.840.113556.1.4.1;x-opt: oid\n"
				   "description:\n"
				   "description::\n"
				   "description:   \n"
				   "info::  AAEA  \n",
				   &dir, &err),
			 0);
	const struct hv_entry *e = &dir.entries[0];
	assert_int_equal(e->n_attrs, 5);
	assert_string_equal(e->attrs[0].name, "member");
	assert_int_equal(e->attrs[0].n_values, 3);
	assert_text(e, "member", 2, "CN=m3");
	assert_string_equal(e->attrs[1].name, "nTSecurityDescriptor");
	assert_value(e, "nTSecurityDescriptor", 0, "\0\1\0", 3);
	assert_text(e, "1.2.840.113556.1.4.1", 0, "oid");
	assert_int_equal(hv_entry_attr(e, "description")->n_values, 3);
	for (size_t i = 0; i < 3; i++)
		assert_value(e, "description", i, "", 0);
	assert_value(e, "info", 0, "\0\1\0", 3);
	hv_directory_clear(&dir);
}

static void test_trailing_space_kept(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	/* A plain value's trailing spaces are data (RFC 2849 note 8 only
	 * says SHOULD base64); the leading FILL is not. */
	assert_int_equal(
		read_text("dn: CN=a\ndescription:   x y  \n", &dir, &err), 0);
	assert_text(&dir.entries[0], "description", 0, "x y  ");
	hv_directory_clear(&dir);
}

static void test_ldapsearch_fixture(void **state)
{
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;
	char *path = fixture("ldapsearch.ldif");
	char origin[4200];

	(void)state;
	hv_ldif_errors_clear(&errs);
	assert_int_equal(hv_ldif_read_file_errors(path, &dir, &errs), 0);
	assert_int_equal(errs.n_total, 0);
	/* the search reference and the search:/result: trailer are not
	 * entries */
	assert_int_equal(dir.n_entries, 2);
	const struct hv_entry *hv01 = &dir.entries[0], *hv02 = &dir.entries[1];
	assert_string_equal(hv01->dn, "CN=HV01,OU=Hyper-V Hosts,OU=Servers,"
				      "OU=Tier1,OU=Datacenter North,DC=corp,"
				      "DC=example");
	snprintf(origin, sizeof(origin), "%s:12", path);
	assert_string_equal(hv01->origin, origin);
	assert_text(hv01, "msDS-AllowedToDelegateTo", 0, SPN_SPACED);
	assert_text(hv01, "msDS-AllowedToDelegateTo", 1, SPN_ESCAPED);
	assert_text(hv01, "msDS-AllowedToDelegateTo", 2,
		    "cifs/HV02.corp.example");
	assert_text(hv01, "userAccountControl", 0, "16781312");
	snprintf(origin, sizeof(origin), "%s:24", path);
	assert_string_equal(hv02->origin, origin);
	assert_value(hv02, "msDS-AllowedToActOnBehalfOfOtherIdentity", 0, sd,
		     sizeof(sd));
	assert_value(hv02, "description", 0, "", 0);
	assert_null(hv_entry_attr(hv02, "search"));
	free(path);
	hv_directory_clear(&dir);
}

static void test_ldifde_fixture(void **state)
{
	static const unsigned char guid[] = {
		0x6e, 0x1b, 0x5a, 0x2f, 0x00, 0xc0, 0x4a, 0x4e,
		0x9a, 0x3b, 0x0d, 0x1e, 0x2f, 0x3a, 0x4b, 0x5c,
	};
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;

	(void)state;
	hv_ldif_errors_clear(&errs);
	/* UTF-8 BOM, CRLF, "changetype: add", folding at 80 */
	assert_int_equal(read_file("ldifde.ldif", &dir, &errs), 0);
	assert_int_equal(errs.n_total, 0);
	assert_int_equal(dir.n_entries, 2);
	const struct hv_entry *hv03 = &dir.entries[0], *hv04 = &dir.entries[1];
	assert_string_equal(hv03->dn,
			    "CN=HV03,OU=Hyper-V Hosts,OU=Servers,DC=corp,"
			    "DC=example");
	assert_null(hv_entry_attr(hv03, "changetype"));
	assert_int_equal(hv_entry_attr(hv03, "objectClass")->n_values, 5);
	assert_text(hv03, "objectClass", 4, "computer");
	assert_value(hv03, "objectGUID", 0, guid, sizeof(guid));
	assert_text(hv03, "msDS-AllowedToDelegateTo", 0,
		    "Microsoft Virtual System Migration Service/HV04.corp."
		    "example");
	assert_text(hv03, "msDS-AllowedToDelegateTo", 1,
		    "Microsoft Virtual System Migration Service/HV04");
	assert_text(hv03, "sAMAccountName", 0, "HV03$");
	assert_value(hv04, "msDS-AllowedToActOnBehalfOfOtherIdentity", 0, sd,
		     sizeof(sd));
	assert_text(hv04, "sAMAccountName", 0, "HV04$");
	assert_string_equal(strrchr(hv04->origin, ':'), ":16");
	hv_directory_clear(&dir);
}

static void test_multiple_files(void **state)
{
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;

	(void)state;
	hv_ldif_errors_clear(&errs);
	assert_int_equal(read_file("ldapsearch.ldif", &dir, &errs), 0);
	assert_int_equal(read_file("ldifde.ldif", &dir, &errs), 0);
	assert_int_equal(read_file("lll.ldif", &dir, &errs), 0);
	assert_int_equal(errs.n_total, 0);
	assert_int_equal(dir.n_entries, 6);
	assert_non_null(strstr(dir.entries[0].origin, "ldapsearch.ldif:12"));
	assert_non_null(strstr(dir.entries[2].origin, "ldifde.ldif:1"));
	assert_non_null(strstr(dir.entries[4].origin, "lll.ldif:1"));
	assert_non_null(strstr(dir.entries[5].origin, "lll.ldif:5"));
	assert_string_equal(dir.entries[5].dn,
			    "CN=H\xc3\xa4lle,OU=Hyper-V Hosts,DC=corp,"
			    "DC=example");
	assert_text(&dir.entries[5], "cn", 0, "H\xc3\xa4lle");
	assert_int_equal(hv_entry_attr(&dir.entries[5], "member")->n_values, 2);
	assert_round_trip(&dir);
	hv_directory_clear(&dir);
}

static void test_errors_fixture(void **state)
{
	static const char *const expect[][2] = {
		{"7", "bad base64 value of 'objectSid': invalid base64 "
		      "character '!' at offset 8"},
		{"9", "attribute line without a DN"},
		{"13", "missing ':' after the attribute name"},
		{"16", "value of 'jpegPhoto' is a URL (':<'), refused: "
		       "hvdoctor never reads files named by its input"},
	};
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;
	struct hv_error err;
	char *path = fixture("errors.ldif");
	char where[4200];

	(void)state;
	hv_ldif_errors_clear(&errs);
	assert_int_equal(hv_ldif_read_file_errors(path, &dir, &errs),
			 HV_ERR_INPUT);
	/* every good record is kept, every bad one reported and dropped */
	assert_int_equal(dir.n_entries, 2);
	assert_string_equal(dir.entries[0].dn, "CN=good1,DC=corp,DC=example");
	assert_string_equal(dir.entries[1].dn, "CN=good2,DC=corp,DC=example");
	assert_int_equal(errs.n_total, 4);
	assert_int_equal(errs.n_listed, 4);
	assert_int_equal(errs.n_dropped, 4);
	for (size_t i = 0; i < 4; i++) {
		snprintf(where, sizeof(where), "%s:%s", path, expect[i][0]);
		assert_error(&errs.list[i], where, expect[i][1]);
	}
	hv_directory_clear(&dir);
	/* the one-error form reports the first and keeps the rest */
	assert_int_equal(hv_ldif_read_file(path, &dir, &err), HV_ERR_INPUT);
	snprintf(where, sizeof(where), "%s:7", path);
	assert_error(&err, where, expect[0][1]);
	assert_int_equal(dir.n_entries, 2);
	free(path);
	hv_directory_clear(&dir);
}

struct bad_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *where;
	const char *message;
	size_t n_entries; /* kept despite the error */
};

#define X10 "xxxxxxxxxx"

static const struct bad_case bad_cases[] = {
	{" continued\ndn: a\n", 0, "t.ldif:1",
	 "continuation line with no line to continue (RFC 2849 note 2)", 0},
	{"dn: a\n\n continued\ncn: b\n", 0, "t.ldif:3",
	 "continuation line with no line to continue (RFC 2849 note 2)", 1},
	{"dn: a\nchangetype: modify\nreplace: cn\ncn: b\n-\n", 0, "t.ldif:2",
	 "'changetype: modify' is a change, not an entry; only "
	 "'changetype: add' is read",
	 0},
	{"dn: a\nchangetype: add\nchangetype: add\ncn: b\n", 0, "t.ldif:3",
	 "repeated 'changetype:'", 0},
	{"dn: a\ncontrol: 1.2.840.113556.1.4.417 true\ncn: b\n", 0, "t.ldif:3",
	 "'control:' without 'changetype:' (RFC 2849 ldif-change-record)", 0},
	{"dn: a\ncontrol: 1.2.3\n\ndn: b\n", 0, "t.ldif:2",
	 "'control:' without 'changetype:' (RFC 2849 ldif-change-record)", 1},
	{"dn: a\nchangetype: add\ncontrol: 1.2.3\n", 0, "t.ldif:3",
	 "'control:' after 'changetype:'", 0},
	{"dn: a\ncn: b\ndn: c\ncn: d\n", 0, "t.ldif:3",
	 "a second 'dn:' line in one record (missing blank line?)", 0},
	{"dn: a\ncn: b\0c\n", 14, "t.ldif:2",
	 "NUL byte in a line; binary values must be base64 ('attr::', RFC "
	 "2849 note 4)",
	 0},
	{"dn:: /w==\ncn: b\n", 0, "t.ldif:1",
	 "DN is not valid UTF-8 (RFC 2849 note 7)", 0},
	{"dn:: YQBi\ncn: b\n", 0, "t.ldif:1", "DN contains a NUL byte", 0},
	{"dn: a\nbad name: x\n", 0, "t.ldif:2",
	 "invalid attribute description 'bad name'", 0},
	{"dn: a\ncn;: x\n", 0, "t.ldif:2",
	 "invalid attribute description 'cn;'", 0},
	{"dn: a\n1.2.: x\n", 0, "t.ldif:2",
	 "invalid attribute description '1.2.'", 0},
	{"dn: a\n_cn\t\x1b: x\n", 0, "t.ldif:2",
	 "invalid attribute description '_cn\?\?'", 0},
	{"dn: a\n" X10 X10 X10 X10 X10 X10 X10 " y: v\n", 0, "t.ldif:2",
	 "invalid attribute description '" X10 X10 X10 X10 X10 X10 "...'", 0},
	{"dn: a\n:: x\n", 0, "t.ldif:2", "invalid attribute description ''", 0},
	{"dn: a\ncn:< file:///etc/passwd\n", 0, "t.ldif:2",
	 "value of 'cn' is a URL (':<'), refused: hvdoctor never reads "
	 "files named by its input",
	 0},
	{"dn:< file:///x\ncn: a\n", 0, "t.ldif:1",
	 "value of 'dn' is a URL (':<'), refused: hvdoctor never reads "
	 "files named by its input",
	 0},
	{"dn: a\ncn:: Zm9v\n YmF\n", 0, "t.ldif:2",
	 "bad base64 value of 'cn': base64 length 7 is not a multiple of 4", 0},
	{"version: 2\ndn: a\ncn: b\n", 0, "t.ldif:1",
	 "unsupported LDIF version '2' (RFC 2849 note 1)", 1},
	{"dn: a\n\nversion: 1\n", 0, "t.ldif:3", "attribute line without a DN",
	 1},
	{"dn: a\ncn: b\n\n# search result\nsearch: 2\n"
	 "result: 4 Size limit exceeded\n",
	 0, "t.ldif:6",
	 "ldapsearch reported result 4 (Size limit exceeded): the export is "
	 "incomplete",
	 1},
	{"\xff\xfe"
	 "d\0n\0:\0",
	 8, "t.ldif:1",
	 "text is UTF-16 (ldifde -u?); LDIF must be UTF-8 (RFC 2849 note 7)",
	 0},
};

static void test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct hv_directory dir = {0};
		struct hv_error err;

		int rc =
			hv_ldif_read_buffer("t.ldif", c->text, len, &dir, &err);

		if (rc != HV_ERR_INPUT || strcmp(err.where, c->where) != 0 ||
		    strcmp(err.message, c->message) != 0 ||
		    dir.n_entries != c->n_entries)
			fail_msg("case %zu: rc %d, %zu entries, \"%s: %s\"", i,
				 rc, dir.n_entries, err.where, err.message);
		hv_directory_clear(&dir);
	}
}

static void test_change_add_with_control(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(read_text("version: 1\n"
				   "dn: CN=a\n"
				   "control: 1.2.840.113556.1.4.417 true\n"
				   "changetype: add\n"
				   "cn: a\n",
				   &dir, &err),
			 0);
	assert_int_equal(dir.n_entries, 1);
	assert_string_equal(dir.entries[0].origin, "t.ldif:2");
	assert_int_equal(dir.entries[0].n_attrs, 1);
	assert_text(&dir.entries[0], "cn", 0, "a");
	hv_directory_clear(&dir);
}

static void test_error_list_is_bounded(void **state)
{
	struct hv_strbuf in = HV_STRBUF_INIT;
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;

	(void)state;
	for (int i = 0; i < 40; i++)
		hv_strbuf_addf(&in, "dn: CN=ok%d\ncn: x\n\nno colon %d\n\n", i,
			       i);
	hv_ldif_errors_clear(&errs);
	assert_int_equal(hv_ldif_read_buffer_errors("t.ldif", in.buf, in.len,
						    &dir, &errs),
			 HV_ERR_INPUT);
	assert_int_equal(dir.n_entries, 40);
	assert_int_equal(errs.n_total, 40);
	assert_int_equal(errs.n_dropped, 40);
	assert_int_equal(errs.n_listed, HV_LDIF_MAX_ERRORS);
	assert_error(&errs.list[HV_LDIF_MAX_ERRORS - 1], "t.ldif:79",
		     "missing ':' after the attribute name");
	hv_strbuf_release(&in);
	hv_directory_clear(&dir);
}

static void test_limits(void **state)
{
	struct hv_strbuf in = HV_STRBUF_INIT;
	struct hv_directory dir = {0};
	struct hv_error err;
	char *big = hv_calloc(HV_LDIF_MAX_LINE, 1);

	(void)state;
	/* a folded line that unfolds past the cap */
	memset(big, 'a', HV_LDIF_MAX_LINE - 1);
	hv_strbuf_adds(&in, "dn: CN=big\ndescription: ");
	hv_strbuf_adds(&in, big);
	hv_strbuf_adds(&in, "\n more\ncn: x\n\ndn: CN=next\n");
	assert_int_equal(
		hv_ldif_read_buffer("t.ldif", in.buf, in.len, &dir, &err),
		HV_ERR_INPUT);
	assert_error(&err, "t.ldif:2",
		     "line longer than 16777216 bytes once unfolded");
	assert_int_equal(dir.n_entries, 1);
	assert_string_equal(dir.entries[0].dn, "CN=next");
	hv_directory_clear(&dir);
	free(big);

	hv_strbuf_reset(&in);
	hv_strbuf_adds(&in, "dn: CN=wide\n");
	for (int i = 0; i <= HV_LDIF_MAX_ATTRS; i++)
		hv_strbuf_addf(&in, "a%d: v\n", i);
	assert_int_equal(
		hv_ldif_read_buffer("t.ldif", in.buf, in.len, &dir, &err),
		HV_ERR_INPUT);
	assert_error(&err, "t.ldif:1026",
		     "more than 1024 attributes in one entry");
	assert_int_equal(dir.n_entries, 0);

	hv_strbuf_reset(&in);
	hv_strbuf_adds(&in, "dn: CN=long\n");
	for (int i = 0; i <= HV_LDIF_MAX_NAME; i++)
		hv_strbuf_addch(&in, 'a');
	hv_strbuf_adds(&in, ": v\n");
	assert_int_equal(
		hv_ldif_read_buffer("t.ldif", in.buf, in.len, &dir, &err),
		HV_ERR_INPUT);
	assert_error(&err, "t.ldif:2",
		     "attribute description longer than 256 bytes");
	hv_strbuf_release(&in);
	hv_directory_clear(&dir);
}

static void test_unreadable_file(void **state)
{
	struct hv_directory dir = {0};
	struct hv_error err;
	char *path = fixture("does-not-exist.ldif");

	(void)state;
	assert_int_equal(hv_ldif_read_file(path, &dir, &err), HV_ERR_IO);
	assert_int_equal(err.category, HV_ERR_IO);
	assert_string_equal(err.where, path);
	assert_string_equal(err.message, "cannot read the LDIF file");
	assert_string_equal(err.library, "libc");
	assert_int_equal(err.native_code, ENOENT);
	assert_int_equal(dir.n_entries, 0);
	free(path);
	/* a directory opens but does not read */
	path = fixture("");
	assert_int_equal(hv_ldif_read_file(path, &dir, &err), HV_ERR_IO);
	assert_int_equal(err.native_code, EISDIR);
	free(path);
}

static void assert_put(const char *attr, const void *data, size_t len,
		       const char *expect)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	hv_ldif_put_value(&out, attr, data, len);
	assert_string_equal(hv_strbuf_str(&out), expect);
	hv_strbuf_release(&out);
}

static void test_writer_forms(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;

	(void)state;
	assert_put("cn", "HV01", 4, "cn: HV01\n");
	assert_put("cn", "", 0, "cn:\n");
	assert_put("cn", " x", 2, "cn:: IHg=\n");
	assert_put("cn", "x ", 2, "cn:: eCA=\n");
	assert_put("cn", ":x", 2, "cn:: Ong=\n");
	assert_put("cn", "<x", 2, "cn:: PHg=\n");
	assert_put("cn", "#x", 2, "cn: #x\n");
	assert_put("cn", "a\nb", 3, "cn:: YQpi\n");
	assert_put("cn", "a\0b", 3, "cn:: YQBi\n");
	assert_put("cn", "H\xc3\xa4lle", 6, "cn:: SMOkbGxl\n");
	assert_put("spn", SPN_ESCAPED, strlen(SPN_ESCAPED),
		   "spn: " SPN_ESCAPED "\n");
	/* a hostile attribute name cannot start a line of its own */
	assert_put("cn\ndn: x", "v", 1, "cn_dn__x: v\n");
	assert_put("", "v", 1, "_: v\n");
	hv_ldif_put_dn(&out, "CN=HV01,DC=corp");
	hv_ldif_put_dn(&out, " CN=lead");
	hv_ldif_put_dn(&out, "");
	assert_string_equal(hv_strbuf_str(&out),
			    "dn: CN=HV01,DC=corp\ndn:: IENOPWxlYWQ=\ndn:\n");
	hv_strbuf_release(&out);
}

static void test_writer_folds_at_76(void **state)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	char value[200];
	const char *line, *nl;

	(void)state;
	for (size_t i = 0; i < sizeof(value); i++)
		value[i] = (char)('a' + i % 26);
	hv_ldif_put_value(&out, "description", value, sizeof(value));
	/* 13 + 200 = 213 bytes: 76, then 75 per continuation: 76 + 75 + 62 */
	line = out.buf;
	nl = strchr(line, '\n');
	assert_int_equal(nl - line, 76);
	assert_memory_equal(line, "description: abc", 16);
	line = nl + 1;
	nl = strchr(line, '\n');
	assert_int_equal(nl - line, 76);
	assert_int_equal(line[0], ' ');
	line = nl + 1;
	nl = strchr(line, '\n');
	assert_int_equal(nl - line, 63);
	assert_int_equal(nl[1], '\0');
	hv_strbuf_release(&out);
}

static void test_writer_round_trip(void **state)
{
	static const struct {
		const char *data;
		size_t len;
	} values[] = {
		{"plain", 5},
		{" leading space", 14},
		{"trailing space ", 15},
		{"  ", 2},
		{"", 0},
		{":colon", 6},
		{"<less", 5},
		{"#hash", 5},
		{"H\xc3\xa4lle \xe2\x82\xac", 10},
		{"nul\0in\0the\0middle", 17},
		{"\0", 1},
		{"line\nbreak\r\nand CR", 18},
		{"tab\there", 8},
		{SPN_ESCAPED, sizeof(SPN_ESCAPED) - 1},
		{SPN_SPACED, sizeof(SPN_SPACED) - 1},
	};
	struct hv_directory dir = {0};
	struct hv_entry *e;
	unsigned char blob[1000];

	(void)state;
	e = hv_directory_add_entry(&dir, "CN=Migration\\, test,DC=corp", "x");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		hv_entry_add_value(e, "description", values[i].data,
				   values[i].len);
	hv_entry_add_value(e, "nTSecurityDescriptor", sd, sizeof(sd));
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 7);
	hv_entry_add_value(e, "jpegPhoto", blob, sizeof(blob));
	hv_directory_add_entry(&dir, " CN=lead and trail ", "y");
	e = hv_directory_add_entry(&dir, "CN=H\xc3\xa4lle,DC=corp", "z");
	hv_entry_add_value(e, "cn", "H\xc3\xa4lle", 6);
	assert_round_trip(&dir);
	hv_directory_clear(&dir);
}

static void test_fixtures_round_trip(void **state)
{
	struct hv_directory dir = {0};
	struct hv_ldif_errors errs;

	(void)state;
	hv_ldif_errors_clear(&errs);
	assert_int_equal(read_file("ldapsearch.ldif", &dir, &errs), 0);
	assert_int_equal(read_file("ldifde.ldif", &dir, &errs), 0);
	assert_int_equal(read_file("errors.ldif", &dir, &errs), HV_ERR_INPUT);
	assert_int_equal(dir.n_entries, 6);
	assert_round_trip(&dir);
	hv_directory_clear(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_records_and_origins),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_options_and_empty_values),
		cmocka_unit_test(test_trailing_space_kept),
		cmocka_unit_test(test_ldapsearch_fixture),
		cmocka_unit_test(test_ldifde_fixture),
		cmocka_unit_test(test_multiple_files),
		cmocka_unit_test(test_errors_fixture),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_change_add_with_control),
		cmocka_unit_test(test_error_list_is_bounded),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_writer_forms),
		cmocka_unit_test(test_writer_folds_at_76),
		cmocka_unit_test(test_writer_round_trip),
		cmocka_unit_test(test_fixtures_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
