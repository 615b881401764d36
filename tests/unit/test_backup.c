/* Tests of the backup writer and reader (lib/remedy/backup.c): what is written
 * reads back to the same records, byte for byte; every form the reader
 * takes; every error it gives, with its exact place and words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "remedy/backup.h"
#include "sources/directory.h"
#include "base/error.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HV01 "CN=HV01,CN=Computers,DC=lab,DC=example,DC=com"
#define HV04 "CN=HV04,CN=Computers,DC=lab,DC=example,DC=com"
#define A2D "msDS-AllowedToDelegateTo"
#define VSMS "Microsoft Virtual System Migration Service/HV02.lab.example.com"

static const char binary[] = {'a', '\0', 'b', '\n', (char)0xff};

/* A fresh read of two hosts, as apply takes it before writing. */
static void current(struct hv_directory *dir)
{
	struct hv_entry *e = hv_directory_add_entry(dir, HV01, "ldap://dc");

	hv_entry_add_value(e, A2D, VSMS, strlen(VSMS));
	hv_entry_add_value(e, A2D, "cifs/HV02", 9);
	hv_entry_add_value(e, A2D, "trailing space ", 15);
	hv_entry_add_value(e, A2D, "caf\xc3\xa9", 5);
	hv_entry_add_value(e, A2D, binary, sizeof(binary));
	hv_entry_add_value(e, "userAccountControl", "16781312", 8);
	e = hv_directory_add_entry(dir, "CN=h\xc3\xa9,CN=Computers,DC=x",
				   "ldap://dc");
	hv_entry_add_value(e, "userAccountControl", "4096", 4);
}

static void same_records(const struct hv_directory *a,
			 const struct hv_directory *b)
{
	assert_int_equal(a->n_entries, b->n_entries);
	for (size_t i = 0; i < a->n_entries; i++) {
		const struct hv_entry *x = &a->entries[i], *y = &b->entries[i];

		assert_string_equal(x->dn, y->dn);
		assert_int_equal(x->n_attrs, y->n_attrs);
		for (size_t k = 0; k < x->n_attrs; k++) {
			const struct hv_attr *p = &x->attrs[k];
			const struct hv_attr *q = &y->attrs[k];

			assert_string_equal(p->name, q->name);
			assert_int_equal(p->n_values, q->n_values);
			for (size_t v = 0; v < p->n_values; v++) {
				assert_int_equal(p->values[v].len,
						 q->values[v].len);
				assert_memory_equal(p->values[v].data,
						    q->values[v].data,
						    p->values[v].len + 1);
			}
		}
	}
}

static void take_all(struct hv_directory *bk, const struct hv_directory *now)
{
	hv_backup_take(bk, HV01, A2D, &now->entries[0]);
	hv_backup_take(bk, HV01, "userAccountControl", &now->entries[0]);
	/* absent: the replace without values removes it again */
	hv_backup_take(bk, HV01, "servicePrincipalName", &now->entries[0]);
	hv_backup_take(bk, now->entries[1].dn, "userAccountControl",
		       &now->entries[1]);
	hv_backup_take(bk, now->entries[1].dn, A2D, NULL);
}

static void test_round_trip(void **state)
{
	struct hv_directory now = {0}, bk = {0}, again = {0};
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_backup_info info = {"before a test", "ldap://dc", "now"};
	struct hv_error err;

	(void)state;
	current(&now);
	take_all(&bk, &now);
	assert_int_equal(bk.n_entries, 2);
	assert_int_equal(bk.entries[0].attrs[2].n_values, 0);
	hv_backup_write(&text, &bk, &info);
	assert_int_equal(hv_backup_read_buffer("bk.ldif", text.buf, text.len,
					       &again, &err),
			 0);
	same_records(&bk, &again);
	assert_string_equal(again.entries[0].origin, "bk.ldif:13");
	assert_non_null(strstr(text.buf, "ldapmodify -H ldap://DC -Y GSSAPI "
					 "-f FILE\n"));
	assert_non_null(strstr(text.buf, "changetype: modify\nreplace: "
					 "msDS-AllowedToDelegateTo\n"));
	assert_non_null(strstr(text.buf, "-\nreplace: servicePrincipalName"
					 "\n-\n"));
	assert_non_null(strstr(text.buf, "replace: userAccountControl\n"
					 "userAccountControl: 4096\n-\n"));
	hv_strbuf_release(&text);
	hv_directory_clear(&again);
	hv_directory_clear(&bk);
	hv_directory_clear(&now);
}

static void test_take_keeps_the_first(void **state)
{
	struct hv_directory now = {0}, bk = {0};
	struct hv_entry *later;

	(void)state;
	current(&now);
	hv_backup_take(&bk, HV01, "userAccountControl", &now.entries[0]);
	later = hv_directory_add_entry(&now, HV01, "x");
	hv_entry_add_value(later, "userAccountControl", "1", 1);
	hv_backup_take(&bk, "cn=hv01,cn=computers,dc=lab,dc=example,dc=com",
		       "USERACCOUNTCONTROL", later);
	assert_int_equal(bk.n_entries, 1);
	assert_int_equal(bk.entries[0].n_attrs, 1);
	assert_string_equal(bk.entries[0].attrs[0].values[0].data, "16781312");
	assert_ptr_equal(hv_backup_find(&bk, "CN=hv01,CN=Computers,DC=lab,"
					     "DC=example,DC=com"),
			 &bk.entries[0]);
	assert_null(hv_backup_find(&bk, HV04));
	hv_directory_clear(&bk);
	hv_directory_clear(&now);
}

static void test_same_values(void **state)
{
	struct hv_directory d = {0};
	struct hv_entry *a = hv_directory_add_entry(&d, "a", NULL);
	struct hv_entry *b = hv_directory_add_entry(&d, "b", NULL);
	const struct hv_attr *x, *y;

	(void)state;
	a = &d.entries[0];
	hv_entry_add_value(a, "v", "1", 1);
	hv_entry_add_value(a, "v", "2", 1);
	hv_entry_add_value(a, "v", "2", 1);
	hv_entry_add_value(b, "v", "2", 1);
	hv_entry_add_value(b, "v", "1", 1);
	hv_entry_add_value(b, "v", "1", 1);
	x = hv_entry_attr(a, "v");
	y = hv_entry_attr(b, "v");
	/* same set, other multiplicities: not the same */
	assert_false(hv_backup_same_values(x, y));
	hv_entry_add_value(b, "w", "2", 1);
	hv_entry_add_value(b, "w", "2", 1);
	hv_entry_add_value(b, "w", "1", 1);
	assert_true(hv_backup_same_values(x, hv_entry_attr(b, "w")));
	assert_true(hv_backup_same_values(NULL, NULL));
	assert_false(hv_backup_same_values(x, NULL));
	assert_true(hv_backup_has_value(x, "2", 1));
	assert_false(hv_backup_has_value(x, "2", 2));
	assert_false(hv_backup_has_value(NULL, "2", 1));
	hv_directory_clear(&d);
}

/* What a person or Windows may do to the file: a BOM, CR LF, comments
 * with continuations, folding anywhere, base64 for DN and values. */
static void test_reader_forms(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# a comment\r\n"
		" that goes on\r\n"
		"version: 1\r\n"
		"\r\n"
		"dn:: Q049SFYwMSxDTj1Db21wdXRlcnMsREM9bGFiLERDPWV4YW1wbGUsREM9"
		"Y29t\r\n"
		"changetype: modify\r\n"
		"# inside a record\r\n"
		"replace: msDS-Allowed\r\n"
		" ToDelegateTo\r\n"
		"msds-allowedtodelegateto: cifs/HV0\r\n"
		" 2\r\n"
		"msDS-AllowedToDelegateTo:: dHJhaWxpbmcg\r\n"
		"-\r\n"
		"replace: servicePrincipalName\r\n"
		"-\r\n";
	struct hv_directory bk = {0};
	struct hv_error err;
	const struct hv_entry *e;

	(void)state;
	assert_int_equal(hv_backup_read_buffer("w.ldif", text, sizeof(text) - 1,
					       &bk, &err),
			 0);
	assert_int_equal(bk.n_entries, 1);
	e = &bk.entries[0];
	assert_string_equal(e->dn, HV01);
	assert_string_equal(e->origin, "w.ldif:5");
	assert_int_equal(e->n_attrs, 2);
	assert_string_equal(e->attrs[0].name, A2D);
	assert_int_equal(e->attrs[0].n_values, 2);
	assert_string_equal(e->attrs[0].values[0].data, "cifs/HV02");
	assert_string_equal(e->attrs[0].values[1].data, "trailing ");
	assert_int_equal(e->attrs[1].n_values, 0);
	hv_directory_clear(&bk);
}

struct bad_case {
	const char *text;
	const char *where;
	const char *message; /* NULL: checked by prefix below */
};

#define REC "dn: X\nchangetype: modify\n"

static const struct bad_case bad_cases[] = {
	{"", "bk", "no records: this is not an hvdoctor backup"},
	{"# only a comment\n", "bk",
	 "no records: this is not an hvdoctor backup"},
	{"version: 2\n" REC "replace: a\n-\n", "bk:1",
	 "unsupported LDIF version (RFC 2849 note 1)"},
	{"a: b\n", "bk:1", "expected 'dn:' to start a record, found 'a:'"},
	{"dn:: /w==\n", "bk:1",
	 "the DN is empty, has a NUL byte or is not UTF-8 (RFC 2849 note 7)"},
	{"dn:\n", "bk:1",
	 "the DN is empty, has a NUL byte or is not UTF-8 (RFC 2849 note 7)"},
	{"dn: X\nreplace: a\n", "bk:2",
	 "expected 'changetype: modify' after the DN"},
	{"dn: X\ncontrol: 1.2.840.113556.1.4.417\n", "bk:2",
	 "controls are not accepted in a backup"},
	{"dn: X\nchangetype: add\n", "bk:2",
	 "only 'changetype: modify' records are read from a backup"},
	{REC "add: a\na: 1\n-\n", "bk:3",
	 "only 'replace:' is read from a backup, not 'add:'"},
	{REC "delete: a\n-\n", "bk:3",
	 "only 'replace:' is read from a backup, not 'delete:'"},
	{REC "replace: a;binary\n-\n", "bk:3",
	 "'replace:' needs a plain attribute name"},
	{REC "replace: a\nb: 1\n-\n", "bk:4",
	 "a 'b:' value inside 'replace: a' (values must name the replaced "
	 "attribute)"},
	{REC "replace: a\na: 1\n\n", "bk:5",
	 "the values of 'replace: a' end without '-' (RFC 2849 mod-spec)"},
	{REC "replace: a\na: 1\n", "bk:4",
	 "the values of 'replace: a' end without '-' (RFC 2849 mod-spec)"},
	{REC "-\n", "bk:3", "'-' without a 'replace:' before it"},
	{REC "\n", "bk:3", "a record that replaces nothing"},
	{"dn: X\n\n", "bk:2", "the record ends before 'changetype: modify'"},
	{REC "replace: a\n-\nreplace: A\n-\n", "bk:5",
	 "'A' is replaced twice in one record"},
	{REC "replace: a\n-\n\ndn: x\nchangetype: modify\n", "bk:6",
	 "a second record for this DN (the first is at bk:1): a backup has "
	 "one per object"},
	{REC "replace: a\na:< file:///etc/shadow\n-\n", "bk:4",
	 "value of 'a' is a URL (':<'), refused: hvdoctor never reads files "
	 "named by its input"},
	{REC "replace: a\nno colon\n-\n", "bk:4",
	 "missing ':' after the attribute name"},
	{" orphan\n", "bk:1",
	 "continuation line with no line to continue (RFC 2849 note 2)"},
	{REC "replace: a\na:: ab=c\n-\n", "bk:4", NULL},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct hv_directory bk = {0};
		size_t len = strlen(c->text);
		struct hv_error err;
		int rc;

		hv_directory_add_entry(&bk, "kept", NULL);
		rc = hv_backup_read_buffer("bk", c->text, len, &bk, &err);
		if (rc != HV_ERR_INPUT || strcmp(err.where, c->where) != 0 ||
		    (c->message && strcmp(err.message, c->message) != 0))
			fail_msg("case %zu: rc %d, '%s: %s'", i, rc, err.where,
				 err.message);
		if (!c->message)
			assert_non_null(strstr(err.message, "bad base64 value "
							    "of 'a': "));
		/* nothing of a refused file is kept */
		assert_int_equal(bk.n_entries, 1);
		hv_directory_clear(&bk);
	}
}

/* A NUL byte cannot sit in the table's C strings. */
static void test_nul_byte(void **state)
{
	static const char text[] = REC "replace: a\na\0: 1\n-\n";
	struct hv_directory bk = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(
		hv_backup_read_buffer("bk", text, sizeof(text) - 1, &bk, &err),
		HV_ERR_INPUT);
	assert_string_equal(err.where, "bk:4");
	assert_string_equal(err.message, "NUL byte in a line; binary values "
					 "must be base64 ('attr::', RFC 2849 "
					 "note 4)");
	assert_int_equal(bk.n_entries, 0);
}

static void test_files(void **state)
{
	struct hv_directory bk = {0};
	struct hv_error err;
	char path[] = "/tmp/hvdoctor-test-backup.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_int_equal(hv_backup_read_file("/nonexistent/bk.ldif", &bk, &err),
			 HV_ERR_IO);
	assert_string_equal(err.where, "/nonexistent/bk.ldif");
	assert_string_equal(err.message, "cannot read the backup file");
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(REC "replace: userAccountControl\nuserAccountControl: 4096\n-\n",
	      f);
	fclose(f);
	assert_int_equal(hv_backup_read_file(path, &bk, &err), 0);
	assert_int_equal(bk.n_entries, 1);
	assert_string_equal(bk.entries[0].attrs[0].values[0].data, "4096");
	remove(path);
	hv_directory_clear(&bk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_take_keeps_the_first),
		cmocka_unit_test(test_same_values),
		cmocka_unit_test(test_reader_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
