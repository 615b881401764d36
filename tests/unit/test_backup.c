/* Backups (lib/remedy/backup.c, backup_read.c) and the rollback decided
 * from them (lib/remedy/rollback.c): what is written reads back to the
 * same records; only the attributes hvdoctor manages, on computer
 * objects, are ever touched; a file whose records do not match its
 * header is refused; and a rollback undoes value by value, refusing when
 * the objects changed since. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "remedy/backup.h"
#include "estate/estate.h"
#include "remedy/rollback.h"
#include "sources/directory.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HV01 "CN=HV01,CN=Computers,DC=lab,DC=example,DC=com"
#define HV04 "CN=HV04,CN=Computers,DC=lab,DC=example,DC=com"
#define A2D "msDS-AllowedToDelegateTo"
#define SPN "servicePrincipalName"
#define UAC "userAccountControl"
#define VSMS "Microsoft Virtual System Migration Service/HV04.lab.example.com"

/* A plan: HV01 += two delegation entries, HV04 Kerberos-only -> any
 * protocol, HV04 -= a misplaced SPN. */
static void make_plan(struct hv_plan *plan)
{
	static char *a2d[] = {VSMS, "cifs/HV04"};
	static char *spn[] = {"HOST/HV01"};
	static struct hv_action acts[3];

	memset(plan, 0, sizeof(*plan));
	acts[0] = (struct hv_action){.kind = HV_ACT_REMOVE_SPN,
				     .dn = HV04,
				     .account = "HV04",
				     .attr = SPN,
				     .values = spn,
				     .n_values = 1};
	acts[1] = (struct hv_action){.kind = HV_ACT_ADD_DELEGATION,
				     .dn = HV01,
				     .account = "HV01",
				     .attr = A2D,
				     .values = a2d,
				     .n_values = 2};
	acts[2] = (struct hv_action){.kind = HV_ACT_SET_UAC,
				     .dn = HV04,
				     .account = "HV04",
				     .attr = UAC,
				     .old_uac = 4096,
				     .new_uac = 16781312};
	plan->actions = acts;
	plan->n = 3;
}

/* The objects as read before the plan. */
static void before(struct hv_directory *dir)
{
	struct hv_entry *e = hv_directory_add_entry(dir, HV01, "ldap://dc");

	hv_entry_add_value(e, "objectClass", "computer", 8);
	hv_entry_add_value(e, UAC, "16781312", 8);
	hv_entry_add_value(e, A2D, "cifs/HV02", 9);
	e = hv_directory_add_entry(dir, HV04, "ldap://dc");
	hv_entry_add_value(e, "objectClass", "computer", 8);
	hv_entry_add_value(e, UAC, "4096", 4);
	hv_entry_add_value(e, SPN, "HOST/HV04", 9);
	hv_entry_add_value(e, SPN, "HOST/HV01", 9);
}

/* The same objects after the plan was applied. */
static void after_plan(struct hv_directory *dir)
{
	struct hv_entry *e = hv_directory_add_entry(dir, HV01, "ldap://dc");

	hv_entry_add_value(e, "objectClass", "computer", 8);
	hv_entry_add_value(e, UAC, "16781312", 8);
	hv_entry_add_value(e, A2D, "cifs/HV02", 9);
	hv_entry_add_value(e, A2D, VSMS, strlen(VSMS));
	hv_entry_add_value(e, A2D, "cifs/HV04", 9);
	e = hv_directory_add_entry(dir, HV04, "ldap://dc");
	hv_entry_add_value(e, "objectClass", "computer", 8);
	hv_entry_add_value(e, UAC, "16781312", 8);
	hv_entry_add_value(e, SPN, "HOST/HV04", 9);
}

static char *written(const struct hv_backup *bk)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_backup_info info = {"a test", "ldap://dc", "now"};

	hv_backup_write(&out, bk, &info);
	return hv_strbuf_detach(&out);
}

static void test_round_trip(void **state)
{
	struct hv_plan plan;
	struct hv_directory dir = {0};
	struct hv_backup bk = {0}, again = {0};
	struct hv_error err;
	char *text, id[HV_BACKUP_ID_LEN + 1];

	(void)state;
	make_plan(&plan);
	before(&dir);
	hv_backup_from_plan(&bk, &plan, &dir);
	/* last action first: HV04's UAC, HV01's entries, HV04's SPN */
	assert_int_equal(bk.n_records, 3);
	assert_string_equal(bk.records[0].dn, HV04);
	assert_int_equal(bk.n_objects, 2);
	assert_string_equal(bk.objects[0], HV04);
	text = written(&bk);
	assert_non_null(strstr(text, "# hvdoctor-backup: 2\n# change: "));
	assert_non_null(strstr(text, "# records: 3\n# object: " HV04 "\n"));
	assert_non_null(strstr(text, "delete: userAccountControl\n"
				     "userAccountControl: 16781312\n-\n"
				     "add: userAccountControl\n"
				     "userAccountControl: 4096\n-\n"));
	assert_non_null(strstr(text, "# had: " SPN ": HOST/HV04\n# had: " SPN
				     ": HOST/HV01\n"));
	assert_non_null(strstr(text, "# had: " A2D ": cifs/HV02\n"));
	assert_non_null(strstr(text, "delete: " A2D "\n" A2D
				     ": Microsoft Virtual System"));
	assert_int_equal(
		hv_backup_read_buffer("bk", text, strlen(text), &again, &err),
		0);
	assert_string_equal(again.id, bk.id);
	assert_int_equal(again.n_records, 3);
	assert_int_equal(again.records[0].n_had, 1); /* HV04's SPNs */
	assert_int_equal(again.records[0].had[0].n_values, 2);
	assert_string_equal(again.records[0].origin, "bk:19");
	/* the plan's id is the id of its undo records, had or not */
	hv_backup_plan_id(&plan, id);
	assert_string_equal(id, bk.id);
	free(text);
	hv_backup_release(&again);
	hv_backup_release(&bk);
	hv_directory_clear(&dir);
}

/* Reads text; returns the error message ("" when read). */
static const char *read_text(const char *text, struct hv_error *err)
{
	struct hv_backup bk = {0};
	int rc = hv_backup_read_buffer("bk", text, strlen(text), &bk, err);

	if (rc == 0) {
		hv_backup_release(&bk);
		return "";
	}
	assert_int_equal(bk.n_records, 0);
	return err->message;
}

/* A valid file with its header for one record (dn, mods), id computed. */
static char *one_record(const char *dn, const char *mods)
{
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_backup bk = {0};
	struct hv_error err;
	char *body;

	/* the header's id must be that of the records: read them once with
	 * any id to learn it */
	hv_strbuf_addf(&text,
		       "# hvdoctor-backup: 2\n# change: 0000000000000000\n"
		       "# records: 1\n# object: %s\n\ndn: %s\n"
		       "changetype: modify\n%s\n",
		       dn, dn, mods);
	body = hv_strbuf_detach(&text);
	if (hv_backup_read_buffer("bk", body, strlen(body), &bk, &err) == 0 ||
	    !strstr(err.message, "not those of the change")) {
		hv_backup_release(&bk);
		return body;
	}
	/* compute the real id from the records as parsed */
	{
		struct hv_backup tmp = {0};
		struct hv_backup_record *rec =
			hv_backup_add_record(&tmp, dn, NULL);
		char *copy = strdup(mods), *line, *save = NULL;
		struct hv_backup_mod *mod = NULL;

		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *colon = strchr(line, ':');

			if (strcmp(line, "-") == 0 || !colon)
				continue;
			*colon = '\0';
			if (strcmp(line, "add") == 0 ||
			    strcmp(line, "delete") == 0)
				mod = hv_backup_add_mod(
					rec,
					line[0] == 'a' ? HV_BACKUP_ADD
						       : HV_BACKUP_DELETE,
					hv_backup_managed_attr(
						colon + 2, strlen(colon + 2)));
			else
				hv_backup_add_value(&mod->values,
						    &mod->n_values,
						    &mod->cap_values, colon + 2,
						    strlen(colon + 2));
		}
		free(copy);
		hv_backup_seal(&tmp);
		memcpy(strstr(body, "0000000000000000"), tmp.id,
		       HV_BACKUP_ID_LEN);
		hv_backup_release(&tmp);
	}
	return body;
}

static const struct hv_backup_mod *mod_of(const struct hv_backup_record *w,
					  enum hv_backup_op op,
					  const char *attr);

static void expect_refused(const char *dn, const char *mods, const char *why)
{
	char *text = one_record(dn, mods);
	struct hv_error err;
	const char *msg = read_text(text, &err);

	if (!strstr(msg, why))
		fail_msg("'%s' for\n%s", msg, text);
	free(text);
}

/* A crafted "backup" may not add a user to Domain Admins, reset a
 * password or make an account something else. */
static void test_only_managed_attributes(void **state)
{
	(void)state;
	expect_refused("CN=Domain Admins,CN=Users,DC=t",
		       "add: member\nmember: CN=eve,DC=t\n-\n",
		       "'member' is not an attribute hvdoctor manages");
	expect_refused("CN=eve,DC=t", "add: unicodePwd\nunicodePwd: x\n-\n",
		       "'unicodePwd' is not an attribute hvdoctor manages");
	/* 4096 -> 4098 disables the account; 0x2000 would make it a DC */
	expect_refused(HV04,
		       "delete: " UAC "\n" UAC ": 4096\n-\nadd: " UAC "\n" UAC
		       ": 4098\n-\n",
		       "only ever clears protocol transition");
	expect_refused(HV04,
		       "delete: " UAC "\n" UAC ": 4096\n-\nadd: " UAC "\n" UAC
		       ": 12288\n-\n",
		       "only ever clears protocol transition");
	expect_refused(HV04, "add: " UAC "\n" UAC ": 4096\n-\n",
		       "only as 'delete:' of one number");
	expect_refused(HV04, "replace: " A2D "\n" A2D ": x\n-\n",
		       "'replace:' is refused");
	expect_refused(HV04, "delete: " A2D "\n-\n", "without values");
	expect_refused(HV04,
		       "delete: " SPN "\n" SPN ": host/b\n-\nadd: " SPN "\n" SPN
		       ": HOST/B\n-\n",
		       "both deleted and added");
	/* the delegation bits alone are fine */
	{
		char *text = one_record(HV04, "delete: " UAC "\n" UAC
					      ": 16781312\n-\nadd: " UAC
					      "\n" UAC ": 4096\n-\n");
		struct hv_error err;

		assert_string_equal(read_text(text, &err), "");
		free(text);
	}
}

/* Within the managed attributes a rollback still only undoes what
 * hvdoctor does: it adds back migration-service and cifs delegation
 * entries and HOST/migration SPNs, and only ever clears protocol
 * transition - never sets TRUSTED_FOR_DELEGATION (0x80000) or clears
 * NOT_DELEGATED (0x100000). */
static void test_rollback_only_undoes_hvdoctor(void **state)
{
	(void)state;
	expect_refused(HV01, "add: " A2D "\n" A2D ": ldap/DC01.lab\n-\n",
		       "only migration-service and cifs delegation entries");
	expect_refused(HV01, "delete: " A2D "\n" A2D ": http/web\n-\n",
		       "only migration-service and cifs delegation entries");
	expect_refused(HV04, "add: " SPN "\n" SPN ": MSSQLSvc/HV04\n-\n",
		       "only HOST and migration-service SPNs");
	/* sets unconstrained delegation */
	expect_refused(HV04,
		       "delete: " UAC "\n" UAC ": 4096\n-\nadd: " UAC "\n" UAC
		       ": 528384\n-\n",
		       "only ever clears protocol transition");
	/* clears "sensitive, cannot be delegated" */
	expect_refused(HV04,
		       "delete: " UAC "\n" UAC ": 1052672\n-\nadd: " UAC
		       "\n" UAC ": 4096\n-\n",
		       "only ever clears protocol transition");
	/* sets protocol transition */
	expect_refused(HV04,
		       "delete: " UAC "\n" UAC ": 4096\n-\nadd: " UAC "\n" UAC
		       ": 16781312\n-\n",
		       "only ever clears protocol transition");
	/* the plan's own undo values pass: names as AD compares them */
	{
		char *text = one_record(
			HV01, "delete: " A2D "\n" A2D
			      ": microsoft virtual system migration "
			      "service/HV04\n" A2D ": CIFS/HV04\n-\nadd: " SPN
			      "\n" SPN ": host/HV09\n-\n");
		struct hv_error err;

		assert_string_equal(read_text(text, &err), "");
		free(text);
	}
}

/* An estate read afresh: HV01 and HV02 are Hyper-V hosts (they delegate
 * to each other), DC01 a domain controller, FS01 a file server. */
static const char estate_ldif[] =
	"dn: " HV01 "\nobjectClass: computer\nsAMAccountName: HV01$\n"
	"dNSHostName: hv01.lab.example.com\nuserAccountControl: 16781312\n"
	"servicePrincipalName: HOST/HV01\n"
	"servicePrincipalName: " HV_SPN_VSMS "/HV01\n"
	"msDS-AllowedToDelegateTo: cifs/HV02\n\n"
	"dn: CN=HV02,CN=Computers,DC=lab,DC=example,DC=com\n"
	"objectClass: computer\nsAMAccountName: HV02$\n"
	"dNSHostName: hv02.lab.example.com\nuserAccountControl: 16781312\n"
	"servicePrincipalName: HOST/HV02\n"
	"servicePrincipalName: " HV_SPN_VSMS "/HV02\n"
	"msDS-AllowedToDelegateTo: cifs/HV01\n\n"
	"dn: CN=DC01,OU=Domain Controllers,DC=lab,DC=example,DC=com\n"
	"objectClass: computer\nsAMAccountName: DC01$\n"
	"dNSHostName: dc01.lab.example.com\nuserAccountControl: 532480\n"
	"servicePrincipalName: HOST/DC01\n\n"
	"dn: CN=FS01,CN=Computers,DC=lab,DC=example,DC=com\n"
	"objectClass: computer\nsAMAccountName: FS01$\n"
	"dNSHostName: fs01.lab.example.com\nuserAccountControl: 4096\n"
	"servicePrincipalName: HOST/FS01\n\n";

/* The refusals hv_rollback_bound gives the one-record backup (dn, mods)
 * against estate_ldif, joined by "|"; "" when it passes. */
static char *bound(const char *dn, const char *mods)
{
	char *text = one_record(dn, mods);
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_backup bk;
	struct hv_rollback rb = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;

	assert_int_equal(hv_ldif_read_buffer("e.ldif", estate_ldif,
					     strlen(estate_ldif), &dir, &err),
			 0);
	hv_estate_build(&est, &dir, &sel, &err);
	assert_int_equal(
		hv_backup_read_buffer("bk", text, strlen(text), &bk, &err), 0);
	rb.bk = &bk;
	hv_rollback_bound(&rb, &est);
	for (size_t i = 0; i < rb.n_refusals; i++) {
		hv_strbuf_adds(&out, i ? "|" : "");
		hv_strbuf_adds(&out, rb.refusals[i]);
	}
	hv_rollback_release(&rb);
	hv_backup_release(&bk);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
	free(text);
	return hv_strbuf_detach(&out);
}

static void expect_bound(const char *dn, const char *mods, const char *want)
{
	char *got = bound(dn, mods);

	if (want[0] ? !strstr(got, want) : got[0] != '\0')
		fail_msg("got '%s', want '%s'", got, want);
	free(got);
}

/* A rollback touches only the Hyper-V hosts of the estate it reads, and
 * adds back delegation only towards them (or towards a name that has no
 * account: an entry --prune removed). */
static void test_rollback_bound_to_estate(void **state)
{
	(void)state;
	expect_bound(HV01,
		     "add: " A2D "\n" A2D ": cifs/HV02.lab.example.com\n-\n",
		     "");
	expect_bound(HV01, "add: " A2D "\n" A2D ": cifs/HVGONE\n-\n", "");
	expect_bound(HV01, "add: " A2D "\n" A2D ": cifs/DC01\n-\n",
		     HV01 ": " A2D " 'cifs/DC01' would delegate to DC01, which "
			  "is not a Hyper-V host of the estate: refused");
	expect_bound(HV01,
		     "add: " A2D "\n" A2D ": cifs/fs01.lab.example.com\n-\n",
		     "which is not a Hyper-V host of the estate: refused");
	expect_bound("CN=FS01,CN=Computers,DC=lab,DC=example,DC=com",
		     "delete: " SPN "\n" SPN ": HOST/FS01\n-\n",
		     "CN=FS01,CN=Computers,DC=lab,DC=example,DC=com: not a "
		     "Hyper-V host of the estate read from the directory: "
		     "refused");
	expect_bound("CN=NOBODY,DC=t", "delete: " SPN "\n" SPN ": HOST/X\n-\n",
		     "not a Hyper-V host of the estate");
}

/* After a partial apply the backup undoes only what was applied: a
 * value planned but never written is not the change's to delete, even
 * when somebody adds it meanwhile. */
static void test_backup_of_applied_actions(void **state)
{
	struct hv_plan plan;
	struct hv_directory dir = {0};
	struct hv_backup bk = {0};
	static const bool applied[3] = {true, false, true};
	char *text;

	(void)state;
	make_plan(&plan);
	before(&dir);
	hv_backup_from_applied(&bk, &plan, applied, &dir);
	assert_int_equal(bk.n_records, 2); /* the UAC, the SPN; not HV01 */
	assert_string_equal(bk.records[0].dn, HV04);
	assert_non_null(mod_of(&bk.records[0], HV_BACKUP_DELETE, UAC));
	assert_string_equal(bk.records[1].dn, HV04);
	assert_int_equal(bk.n_objects, 1);
	text = written(&bk);
	assert_null(strstr(text, "cifs/HV04"));
	assert_null(strstr(text, A2D));
	free(text);
	hv_backup_release(&bk);
	hv_directory_clear(&dir);
}

/* The header binds the records: cut, edited or headerless is refused. */
static void test_header_binds_records(void **state)
{
	struct hv_plan plan;
	struct hv_backup bk = {0};
	struct hv_error err;
	char *text, *cut, *edited;

	(void)state;
	make_plan(&plan);
	hv_backup_from_plan(&bk, &plan, NULL);
	text = written(&bk);
	assert_string_equal(read_text(text, &err), "");
	/* cut after the second record, at a record boundary */
	cut = strdup(text);
	*strstr(strstr(strstr(cut, "\ndn: ") + 1, "\ndn: ") + 1, "\ndn: ") =
		'\0';
	assert_string_equal(read_text(cut, &err),
			    "it holds another number of records than its "
			    "header says (cut short, or edited): refused");
	assert_string_equal(err.where, "bk");
	/* a value changed */
	edited = strdup(text);
	memcpy(strstr(edited, "cifs/HV04"), "cifs/HV05", 9);
	assert_string_equal(read_text(edited, &err),
			    "its records are not those of the change its "
			    "header names (damaged, cut or mixed up): "
			    "refused");
	/* no header at all (an old backup, or a hand-made file) */
	assert_non_null(strstr(read_text("dn: " HV04 "\nchangetype: modify\n"
					 "delete: " A2D "\n" A2D ": x\n-\n",
					 &err),
			       "no '# hvdoctor-backup: 2' header"));
	assert_string_equal(err.where, "bk:1");
	free(text);
	free(cut);
	free(edited);
	hv_backup_release(&bk);
}

/* SPN holders for the tests: "HOST/HV01" is held by HV02. */
static char *holder(void *ctx, const char *dn, const struct hv_value *spn,
		    bool *failed)
{
	(void)ctx;
	(void)dn;
	(void)failed;
	return strcmp(spn->data, "HOST/HV01") == 0 ? strdup("CN=HV02,DC=t")
						   : NULL;
}

static const struct hv_backup_mod *
mod_of(const struct hv_backup_record *w, enum hv_backup_op op, const char *attr)
{
	for (size_t m = 0; m < w->n_mods; m++)
		if (w->mods[m].op == op && strcmp(w->mods[m].attr, attr) == 0)
			return &w->mods[m];
	return NULL;
}

/* After the plan: each record undoes its step; the SPN another object
 * holds now is left out, said so. */
static void test_rollback_undoes_value_by_value(void **state)
{
	struct hv_plan plan;
	struct hv_directory dir = {0}, now = {0}, done = {0};
	struct hv_backup bk = {0}, undo = {0}, undo_read = {0};
	struct hv_rollback rb;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;
	const struct hv_backup_mod *m;
	char *text;

	(void)state;
	make_plan(&plan);
	before(&dir);
	hv_backup_from_plan(&bk, &plan, &dir);
	after_plan(&now); /* HV01, HV04: the order of bk.objects is HV04 */
	{
		struct hv_entry tmp = now.entries[0];

		now.entries[0] = now.entries[1];
		now.entries[1] = tmp;
	}
	assert_int_equal(hv_rollback_prepare(&rb, &bk, &now, holder, NULL), 0);
	assert_int_equal(rb.n_refusals, 0);
	assert_int_equal(rb.n_writes, 2);
	m = mod_of(&rb.writes[0], HV_BACKUP_DELETE, UAC);
	assert_non_null(m);
	assert_string_equal(m->values[0].data, "16781312");
	m = mod_of(&rb.writes[1], HV_BACKUP_DELETE, A2D);
	assert_non_null(m);
	assert_int_equal(m->n_values, 2);
	assert_int_equal(rb.writes[2].n_mods, 0); /* the SPN: held by HV02 */
	assert_int_equal(rb.n_skips, 1);
	assert_int_equal(rb.skips[0].record, 2);
	assert_string_equal(rb.skips[0].holder, "CN=HV02,DC=t");
	/* what the DC should then hold */
	before(&done);
	{
		struct hv_entry tmp = done.entries[0];

		done.entries[0] = done.entries[1];
		done.entries[1] = tmp;
	}
	/* the SPN stays away */
	done.entries[0].attrs[2].n_values = 1;
	assert_int_equal(hv_rollback_verify(&rb, &done, &out), 0);
	assert_int_equal(hv_rollback_verify(&rb, &now, &out), 2);
	assert_non_null(strstr(out.buf, "NOT VERIFIED   " HV04
					" userAccountControl differs"));
	/* its own backup undoes it again, and reads back; but a rollback
	 * only ever clears protocol transition, so setting it again is
	 * left to apply */
	hv_rollback_undo(&rb, &now, &undo);
	assert_int_equal(undo.n_records, 1);
	assert_string_equal(undo.records[0].dn, HV01);
	text = written(&undo);
	assert_int_equal(hv_backup_read_buffer("u", text, strlen(text),
					       &undo_read, &err),
			 0);
	assert_null(strstr(text, "add: " UAC));
	free(text);
	hv_backup_release(&undo_read);
	hv_backup_release(&undo);
	hv_rollback_release(&rb);
	hv_strbuf_release(&out);
	hv_backup_release(&bk);
	hv_directory_clear(&dir);
	hv_directory_clear(&now);
	hv_directory_clear(&done);
}

/* Makes attr hold the one value text (the entry's strings live in the
 * directory's arena: replaced, never freed). */
static void set_value(struct hv_attr *attr, char *text)
{
	attr->values[0].data = text;
	attr->values[0].len = strlen(text);
	attr->n_values = 1;
}

/* Changed since: a value somebody added, one somebody removed, a UAC that
 * moved on, a group, a DC - each refused, listed, nothing to write. */
static void test_rollback_refuses_changes_since(void **state)
{
	struct hv_plan plan;
	struct hv_directory dir = {0}, now = {0};
	struct hv_backup bk = {0};
	struct hv_rollback rb;
	struct hv_entry *hv04, *hv01;

	(void)state;
	make_plan(&plan);
	before(&dir);
	hv_backup_from_plan(&bk, &plan, &dir);
	after_plan(&now);
	{
		struct hv_entry tmp = now.entries[0];

		now.entries[0] = now.entries[1];
		now.entries[1] = tmp;
	}
	hv04 = &now.entries[0];
	hv01 = &now.entries[1];
	/* another admin's entry, since */
	hv_entry_add_value(hv01, A2D, "cifs/HV09", 9);
	/* HV04's own SPN, removed since */
	set_value(&hv04->attrs[2], "HOST/other");
	set_value(&hv04->attrs[1], "16781314"); /* disabled */
	assert_int_equal(hv_rollback_prepare(&rb, &bk, &now, NULL, NULL), 0);
	assert_int_equal(rb.n_refusals, 4);
	assert_string_equal(rb.refusals[0],
			    HV04 ": " SPN " 'HOST/other' is there now, but "
				 "neither in the backup nor added by the "
				 "change: changed since");
	assert_string_equal(rb.refusals[1],
			    HV04 ": " SPN " 'HOST/HV04' was there before the "
				 "change, which did not remove it, and is "
				 "gone: changed since");
	assert_non_null(strstr(rb.refusals[2], "'cifs/HV09' is there now"));
	assert_string_equal(rb.refusals[3],
			    HV04 ": userAccountControl is 16781314 now, "
				 "neither 16781312 (what the change set) nor "
				 "4096 (what it replaced): changed since");
	hv_rollback_release(&rb);
	/* a group and a DC are never touched */
	set_value(&hv04->attrs[0], "group");
	set_value(&hv01->attrs[1], "532480");
	assert_int_equal(hv_rollback_prepare(&rb, &bk, &now, NULL, NULL), 0);
	assert_string_equal(rb.refusals[0],
			    HV04 ": not a computer object; a rollback changes "
				 "only computers");
	assert_string_equal(rb.refusals[1],
			    HV01 ": a domain controller; a rollback never "
				 "changes one");
	hv_rollback_release(&rb);
	hv_backup_release(&bk);
	hv_directory_clear(&dir);
	hv_directory_clear(&now);
}

static void test_files(void **state)
{
	struct hv_backup bk = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_backup_read_file("/nonexistent/bk.ldif", &bk, &err),
			 HV_ERR_IO);
	assert_string_equal(err.where, "/nonexistent/bk.ldif");
	assert_string_equal(err.message, "cannot read the backup file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_only_managed_attributes),
		cmocka_unit_test(test_rollback_only_undoes_hvdoctor),
		cmocka_unit_test(test_rollback_bound_to_estate),
		cmocka_unit_test(test_backup_of_applied_actions),
		cmocka_unit_test(test_header_binds_records),
		cmocka_unit_test(test_rollback_undoes_value_by_value),
		cmocka_unit_test(test_rollback_refuses_changes_since),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
