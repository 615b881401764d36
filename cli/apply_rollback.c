/* hvdoctor apply --rollback FILE: puts the values of a backup back.
 * Without --yes it shows what would change. With --yes it first backs up
 * the current values (so a rollback can be rolled back too), then writes
 * each object that differs as one modify that replaces the backup's
 * attributes, and reads every value back. Objects already as in the
 * backup are not written, so a rollback that stopped can be run again.
 *
 * One thing a DC refuses to restore: an SPN that another object holds
 * now (AD refuses duplicate SPNs from Windows Server 2012 R2 on, Samba
 * too). Such a value is left out, said so, and the exit status is 2. */
#include "apply_common.h"

#include "base/alloc.h"
#include "plan_options.h"
#include "base/quote.h"
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rb_skip {
	size_t rec;   /* index into the backup */
	char *value;  /* the SPN left out */
	char *holder; /* DN of the object that has it */
};

struct rb_state {
	const char *path; /* the backup read */
	const char *uri;  /* as given with --ldap */
	struct hv_ldap *ld;
	struct hv_directory bk;	    /* the backup */
	struct hv_directory target; /* bk without the skipped values */
	struct hv_directory now;    /* the objects as they are, same order */
	const char **dns;
	const char **attrs; /* every attribute named, NULL-terminated */
	bool *differs;	    /* per record: needs writing */
	size_t n_differ;
	struct rb_skip *skips;
	size_t n_skips, cap_skips;
	size_t done; /* records written, in order */
	long failed; /* record refused, or -1 */
	struct hv_error err;
	char *backup; /* backup of the current values */
};

/* Selection and plan options say what to change; a rollback's backup
 * already says it, and silently ignoring them would mislead. */
static int refuse_options(const struct cli_args *args)
{
	static const int ids[] = {SRC_HOSTS,	SRC_OU,	       SRC_FILTER,
				  SRC_ADMIN,	SRC_NEW_NODE,  SRC_DOMAINS,
				  SRC_GROUP_BY, PLAN_PROTOCOL, PLAN_SERVICES,
				  PLAN_NAMES,	PLAN_PRUNE};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (cli_count(args, ids[i])) {
			cli_error("apply: --rollback restores the objects and "
				  "attributes of its backup; host selection "
				  "and plan options do not apply");
			return HV_EXIT_INCOMPLETE;
		}
	return 0;
}

static void collect_names(struct rb_state *st)
{
	size_t n = 0, cap = 0;

	st->dns = hv_calloc(st->bk.n_entries + 1, sizeof(*st->dns));
	for (size_t i = 0; i < st->bk.n_entries; i++) {
		const struct hv_entry *rec = &st->bk.entries[i];

		st->dns[i] = rec->dn;
		for (size_t a = 0; a < rec->n_attrs; a++) {
			bool seen = false;

			for (size_t k = 0; k < n && !seen; k++)
				seen = strcasecmp(st->attrs[k],
						  rec->attrs[a].name) == 0;
			if (seen)
				continue;
			HV_GROW(st->attrs, n + 1, cap);
			st->attrs[n++] = rec->attrs[a].name;
		}
	}
	HV_GROW(st->attrs, n, cap);
	st->attrs[n] = NULL;
}

/* Who else holds spn now (a DN, caller frees), or NULL. */
static char *spn_holder(struct rb_state *st, const char *dn,
			const struct hv_value *spn, int *rc)
{
	static const char *const attrs[] = {"sAMAccountName", NULL};
	struct hv_directory found = {0};
	struct hv_strbuf filter = HV_STRBUF_INIT;
	struct hv_error err;
	char *holder = NULL;

	apply_eq_filter(&filter, "servicePrincipalName", spn->data, spn->len);
	if (hv_ldap_search(st->ld, NULL, HV_LDAP_SCOPE_SUBTREE, filter.buf,
			   attrs, &found, &err) < 0) {
		apply_error("cannot look the SPN up", &err);
		*rc = HV_EXIT_INCOMPLETE;
	}
	for (size_t i = 0; !*rc && !holder && i < found.n_entries; i++)
		if (strcasecmp(found.entries[i].dn, dn) != 0)
			holder = hv_strdup(found.entries[i].dn);
	hv_directory_clear(&found);
	hv_strbuf_release(&filter);
	return holder;
}

static int find_skips(struct rb_state *st, size_t r)
{
	const struct hv_entry *rec = &st->bk.entries[r];
	const struct hv_attr *want = hv_entry_attr(rec, "servicePrincipalName");
	const struct hv_attr *have =
		hv_entry_attr(&st->now.entries[r], "servicePrincipalName");
	int rc = 0;

	for (size_t v = 0; want && !rc && v < want->n_values; v++) {
		const struct hv_value *spn = &want->values[v];
		char *holder;

		if (hv_backup_has_value(have, spn->data, spn->len))
			continue;
		holder = spn_holder(st, rec->dn, spn, &rc);
		if (!holder)
			continue;
		HV_GROW(st->skips, st->n_skips, st->cap_skips);
		st->skips[st->n_skips++] = (struct rb_skip){
			r, hv_strndup(spn->data, spn->len), holder};
	}
	return rc;
}

static bool skipped(const struct rb_state *st, size_t r, const char *attr,
		    const struct hv_value *val)
{
	if (strcasecmp(attr, "servicePrincipalName") != 0)
		return false;
	for (size_t i = 0; i < st->n_skips; i++)
		if (st->skips[i].rec == r &&
		    strlen(st->skips[i].value) == val->len &&
		    memcmp(st->skips[i].value, val->data, val->len) == 0)
			return true;
	return false;
}

/* The values to write: the backup's, less what the DC would refuse. */
static void build_target(struct rb_state *st)
{
	st->differs = hv_calloc(st->bk.n_entries + 1, sizeof(bool));
	for (size_t r = 0; r < st->bk.n_entries; r++) {
		const struct hv_entry *rec = &st->bk.entries[r];
		const struct hv_entry *now = &st->now.entries[r];
		struct hv_entry *t = hv_directory_add_entry(
			&st->target, rec->dn, rec->origin);

		for (size_t a = 0; a < rec->n_attrs; a++) {
			const struct hv_attr *attr = &rec->attrs[a];

			hv_backup_take(&st->target, rec->dn, attr->name, NULL);
			for (size_t v = 0; v < attr->n_values; v++)
				if (!skipped(st, r, attr->name,
					     &attr->values[v]))
					hv_entry_add_value(t, attr->name,
							   attr->values[v].data,
							   attr->values[v].len);
			if (!hv_backup_same_values(
				    hv_entry_attr(t, attr->name),
				    hv_entry_attr(now, attr->name)))
				st->differs[r] = true;
		}
		st->n_differ += st->differs[r];
	}
}

/* "+ 'value'" for what comes back, "- 'value'" for what goes. */
static void diff_lines(struct hv_strbuf *out, const struct hv_attr *want,
		       const struct hv_attr *have, const char *name)
{
	for (size_t v = 0; want && v < want->n_values; v++)
		if (!hv_backup_has_value(have, want->values[v].data,
					 want->values[v].len)) {
			hv_strbuf_addf(out, "                 %s + ", name);
			apply_quote(out, want->values[v].data,
				    want->values[v].len);
			hv_strbuf_addch(out, '\n');
		}
	for (size_t v = 0; have && v < have->n_values; v++)
		if (!hv_backup_has_value(want, have->values[v].data,
					 have->values[v].len)) {
			hv_strbuf_addf(out, "                 %s - ", name);
			apply_quote(out, have->values[v].data,
				    have->values[v].len);
			hv_strbuf_addch(out, '\n');
		}
}

static const char *record_state(const struct rb_state *st, size_t r,
				bool written)
{
	if (!st->differs[r])
		return "unchanged";
	if (!written)
		return "would restore";
	if (st->failed == (long)r)
		return "FAILED";
	return (long)r < st->failed || st->failed < 0 ? "restored"
						      : "not attempted";
}

static void report(struct hv_strbuf *out, const struct rb_state *st,
		   bool written)
{
	hv_strbuf_adds(out, "hvdoctor apply --rollback ");
	hv_quote_comment(out, st->path);
	hv_strbuf_adds(out, ": ");
	hv_quote_comment(out, hv_ldap_uri(st->ld));
	hv_strbuf_addch(out, '\n');
	if (st->backup)
		hv_strbuf_addf(out, "backup of the current values: %s\n",
			       st->backup);
	hv_strbuf_addch(out, '\n');
	for (size_t r = 0; r < st->bk.n_entries; r++) {
		const struct hv_entry *t = &st->target.entries[r];

		hv_strbuf_addf(out, "%-15s", record_state(st, r, written));
		apply_dn_label(out, t->dn);
		hv_strbuf_adds(out, st->differs[r]
					    ? "\n"
					    : " (already as in the backup)\n");
		for (size_t a = 0; st->differs[r] && a < t->n_attrs; a++)
			diff_lines(out, &t->attrs[a],
				   hv_entry_attr(&st->now.entries[r],
						 t->attrs[a].name),
				   t->attrs[a].name);
		if (st->failed == (long)r) {
			char msg[2048];

			hv_error_format(&st->err, msg, sizeof(msg));
			hv_strbuf_adds(out, "                 AD said: ");
			hv_quote_comment(out, msg);
			hv_strbuf_addch(out, '\n');
		}
	}
}

static void report_skips(struct hv_strbuf *out, const struct rb_state *st)
{
	for (size_t i = 0; i < st->n_skips; i++) {
		const struct rb_skip *s = &st->skips[i];

		hv_strbuf_adds(out, "NOT RESTORED   ");
		apply_dn_label(out, st->bk.entries[s->rec].dn);
		hv_strbuf_adds(out, " servicePrincipalName ");
		apply_quote(out, s->value, strlen(s->value));
		hv_strbuf_adds(out, ": ");
		apply_dn_label(out, s->holder);
		hv_strbuf_adds(out, " holds it now, and a DC refuses "
				    "duplicate SPNs\n");
	}
}

static int take_backup(struct rb_state *st)
{
	struct hv_directory bk = {0};
	int rc;

	for (size_t r = 0; r < st->bk.n_entries; r++) {
		const struct hv_entry *rec = &st->bk.entries[r];

		for (size_t a = 0; st->differs[r] && a < rec->n_attrs; a++)
			hv_backup_take(&bk, rec->dn, rec->attrs[a].name,
				       &st->now.entries[r]);
	}
	rc = apply_write_backup(st->backup, &bk, st->uri,
				"taken by `hvdoctor apply --rollback` "
				"before it restored an older backup");
	if (rc == 0)
		fprintf(stderr,
			"hvdoctor: apply: backup of the current "
			"values written to %s\n",
			st->backup);
	hv_directory_clear(&bk);
	return rc;
}

/* One record, one modify: a replace of every attribute that differs. */
static int write_record(struct rb_state *st, size_t r)
{
	const struct hv_entry *t = &st->target.entries[r];
	struct hv_ldap_change *ch = hv_calloc(t->n_attrs, sizeof(*ch));
	size_t n = 0;
	int rc;

	for (size_t a = 0; a < t->n_attrs; a++) {
		const struct hv_attr *attr = &t->attrs[a];

		if (hv_backup_same_values(
			    attr,
			    hv_entry_attr(&st->now.entries[r], attr->name)))
			continue;
		ch[n++] = (struct hv_ldap_change){HV_LDAP_REPLACE, attr->name,
						  attr->values, attr->n_values};
	}
	rc = hv_ldap_modify(st->ld, t->dn, ch, n, &st->err);
	free(ch);
	return rc;
}

static void write_all(struct rb_state *st)
{
	size_t k = 0;

	for (size_t r = 0; r < st->bk.n_entries; r++) {
		struct hv_strbuf label = HV_STRBUF_INIT;

		if (!st->differs[r])
			continue;
		apply_dn_label(&label, st->target.entries[r].dn);
		fprintf(stderr, "hvdoctor: restoring %zu/%zu: %s\n", ++k,
			st->n_differ, hv_strbuf_str(&label));
		hv_strbuf_release(&label);
		if (write_record(st, r) < 0) {
			st->failed = (long)r;
			return;
		}
		st->done++;
	}
}

/* Every attribute of every record must now hold the target values. */
static int verify(struct rb_state *st, struct hv_strbuf *out)
{
	struct hv_directory after = {0};
	size_t bad = 0;
	int rc = apply_read_objects(st->ld, st->dns, st->bk.n_entries,
				    st->attrs, &after);

	for (size_t r = 0; rc == 0 && r < st->target.n_entries; r++) {
		const struct hv_entry *t = &st->target.entries[r];

		for (size_t a = 0; a < t->n_attrs; a++) {
			if (hv_backup_same_values(
				    &t->attrs[a],
				    hv_entry_attr(&after.entries[r],
						  t->attrs[a].name)))
				continue;
			bad++;
			hv_strbuf_adds(out, "NOT VERIFIED   ");
			apply_dn_label(out, t->dn);
			hv_strbuf_addf(out, " %s differs from the backup\n",
				       t->attrs[a].name);
		}
	}
	if (rc == 0 && !bad)
		hv_strbuf_adds(out, "verified: every attribute of the backup "
				    "reads back as restored\n");
	hv_directory_clear(&after);
	return rc ? rc : bad ? HV_EXIT_INCOMPLETE : 0;
}

static int finish(struct rb_state *st, bool yes)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	int rc = 0;

	if (yes && st->n_differ) {
		rc = take_backup(st);
		if (rc)
			return rc;
		write_all(st);
	}
	report(&out, st, yes);
	report_skips(&out, st);
	if (yes && st->failed < 0)
		rc = verify(st, &out);
	else if (yes)
		rc = HV_EXIT_INCOMPLETE;
	if (cli_write_stdout(out.buf, out.len))
		rc = HV_EXIT_INCOMPLETE;
	hv_strbuf_release(&out);
	if (st->failed >= 0)
		cli_error("apply: rollback stopped: %zu of %zu objects "
			  "restored (the values before it are in %s); running "
			  "it again is safe",
			  st->done, st->n_differ, st->backup);
	else if (!yes)
		fprintf(stderr,
			"hvdoctor: apply: nothing was changed (no "
			"--yes); %zu object%s would be restored\n",
			st->n_differ, st->n_differ == 1 ? "" : "s");
	return rc ? rc : st->n_skips ? HV_EXIT_ERROR : HV_EXIT_OK;
}

static void release(struct rb_state *st)
{
	hv_ldap_close(st->ld);
	hv_directory_clear(&st->bk);
	hv_directory_clear(&st->target);
	hv_directory_clear(&st->now);
	for (size_t i = 0; i < st->n_skips; i++) {
		free(st->skips[i].value);
		free(st->skips[i].holder);
	}
	free(st->skips);
	free(st->dns);
	free(st->attrs);
	free(st->differs);
	free(st->backup);
}

int apply_rollback(const struct cli_args *args, const char *path)
{
	struct rb_state st = {0};
	struct hv_error err;
	int rc = refuse_options(args);

	st.path = path;
	st.uri = cli_value(args, SRC_LDAP);
	st.failed = -1;
	if (rc == 0 && hv_backup_read_file(path, &st.bk, &err) < 0) {
		apply_error("cannot use the backup", &err);
		rc = HV_EXIT_INCOMPLETE;
	}
	if (rc == 0)
		rc = cli_ldap_connect(args, "apply", &st.ld);
	if (rc == 0) {
		collect_names(&st);
		rc = apply_read_objects(st.ld, st.dns, st.bk.n_entries,
					st.attrs, &st.now);
	}
	for (size_t r = 0; rc == 0 && r < st.bk.n_entries; r++)
		rc = find_skips(&st, r);
	if (rc == 0) {
		build_target(&st);
		if (cli_count(args, APPLY_YES) && st.n_differ)
			st.backup = apply_backup_path(args);
		rc = finish(&st, cli_count(args, APPLY_YES) > 0);
	}
	release(&st);
	return rc;
}
