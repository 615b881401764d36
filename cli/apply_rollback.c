/* hvdoctor apply --rollback FILE: undoes the change a backup records
 * (remedy/backup.h), value by value. It reads the objects afresh and
 * decides everything before it writes (remedy/rollback.h): a backup that
 * touches anything but the attributes hvdoctor manages on computer
 * objects is refused when read; an object that somebody changed since,
 * a domain controller or a non-computer is refused, listed, and nothing
 * is written; so is anything beyond what hvdoctor itself does (a value
 * of another kind, a flag other than protocol transition cleared, an
 * object that is not a Hyper-V host of the estate read now, delegation
 * towards any other account). Without --yes it shows what would change. With
 * --yes it first backs up what it is about to replace (so a rollback can be
 * rolled back too), then sends one modify per record that still has
 * something to undo - deletes of exact values and adds, so a change made
 * between the read and the write makes the DC refuse instead of being
 * overwritten - stops at the first refusal, and reads every value back.
 *
 * One thing a DC refuses to restore: an SPN that another object holds
 * now (AD refuses duplicate SPNs from Windows Server 2012 R2 on, Samba
 * too). Such a value is left out, said so, and the exit status is 2. */
#include "apply_common.h"

#include "base/alloc.h"
#include "base/term.h"
#include "plan_options.h"
#include "remedy/rollback.h"
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the fresh reads ask for: what the checks and the writes need. */
static const char *const read_attrs[] = {
	"objectClass",
	"userAccountControl",
	"msDS-AllowedToDelegateTo",
	"servicePrincipalName",
	NULL,
};

struct rb_state {
	const char *path; /* the backup read */
	const char *uri;  /* as given with --ldap */
	struct hv_ldap *ld;
	struct hv_backup bk;
	struct hv_directory now; /* the objects as they are, bk's order */
	struct hv_rollback rb;
	long failed; /* record refused by the DC, or -1 */
	size_t done; /* records written */
	struct hv_error err;
	char *backup; /* where the backup of the current values goes */
};

/* Selection and plan options say what to change; a rollback's backup
 * already says it, and silently ignoring them would mislead. */
static int refuse_options(const struct cli_args *args)
{
	static const int ids[] = {SRC_HOSTS,	SRC_OU,	       SRC_FILTER,
				  SRC_ADMIN,	SRC_NEW_NODE,  SRC_DOMAINS,
				  SRC_GROUP_BY, PLAN_PROTOCOL, PLAN_SERVICES,
				  PLAN_NAMES,	PLAN_PRUNE,    PLAN_PRUNE_NAME};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (cli_count(args, ids[i])) {
			cli_error("apply: --rollback restores the objects and "
				  "attributes of its backup; host selection "
				  "and plan options do not apply");
			return HV_EXIT_INCOMPLETE;
		}
	return 0;
}

/* Who else holds spn now (hv_rollback_holder_fn). */
static char *spn_holder(void *ctx, const char *dn, const struct hv_value *spn,
			bool *failed)
{
	static const char *const attrs[] = {"sAMAccountName", NULL};
	struct rb_state *st = ctx;
	struct hv_directory found = {0};
	struct hv_strbuf filter = HV_STRBUF_INIT;
	struct hv_error err;
	char *holder = NULL;

	apply_eq_filter(&filter, "servicePrincipalName", spn->data, spn->len);
	if (hv_ldap_search(st->ld, NULL, HV_LDAP_SCOPE_SUBTREE, filter.buf,
			   attrs, &found, &err) < 0) {
		apply_error("cannot look the SPN up", &err);
		*failed = true;
	}
	for (size_t i = 0; !*failed && !holder && i < found.n_entries; i++)
		if (strcasecmp(found.entries[i].dn, dn) != 0)
			holder = hv_strdup(found.entries[i].dn);
	hv_directory_clear(&found);
	hv_strbuf_release(&filter);
	return holder;
}

static size_t skips_of(const struct rb_state *st, size_t r)
{
	size_t n = 0;

	for (size_t i = 0; i < st->rb.n_skips; i++)
		n += st->rb.skips[i].record == r;
	return n;
}

/* What the report says of record r; agrees with what happened. */
static const char *record_state(const struct rb_state *st, size_t r, bool yes)
{
	bool writes = st->rb.writes[r].n_mods > 0, skips = skips_of(st, r);

	if (!writes)
		return skips ? "NOT RESTORED" : "already undone";
	if (!yes)
		return skips ? "would partly" : "would restore";
	if (st->failed == (long)r)
		return "FAILED";
	if (st->failed >= 0 && (long)r > st->failed)
		return "not attempted";
	return skips ? "partly restored" : "restored";
}

/* "+ 'value'" for what comes back, "- 'value'" for what goes. */
static void diff_lines(struct hv_strbuf *out, const struct hv_backup_record *w)
{
	for (size_t m = 0; m < w->n_mods; m++)
		for (size_t v = 0; v < w->mods[m].n_values; v++) {
			hv_strbuf_addf(
				out, "                 %s %c ", w->mods[m].attr,
				w->mods[m].op == HV_BACKUP_ADD ? '+' : '-');
			apply_quote(out, w->mods[m].values[v].data,
				    w->mods[m].values[v].len);
			hv_strbuf_addch(out, '\n');
		}
}

static void report_skips(struct hv_strbuf *out, const struct rb_state *st,
			 size_t r)
{
	for (size_t i = 0; i < st->rb.n_skips; i++) {
		const struct hv_rollback_skip *s = &st->rb.skips[i];

		if (s->record != r)
			continue;
		hv_strbuf_adds(out, "NOT RESTORED   ");
		apply_dn_label(out, st->bk.records[r].dn);
		hv_strbuf_adds(out, " servicePrincipalName ");
		apply_quote(out, s->spn->data, s->spn->len);
		hv_strbuf_adds(out, ": ");
		apply_dn_label(out, s->holder);
		hv_strbuf_adds(out, " holds it now, and a DC refuses "
				    "duplicate SPNs\n");
	}
}

static void report(struct hv_strbuf *out, const struct rb_state *st, bool yes)
{
	hv_strbuf_adds(out, "hvdoctor apply --rollback ");
	hv_term_escapes(out, st->path);
	hv_strbuf_adds(out, ": ");
	hv_term_escapes(out, hv_ldap_uri(st->ld));
	hv_strbuf_addf(out, "\nchange %s, %zu record%s on %zu object%s\n",
		       st->bk.id, st->bk.n_records,
		       st->bk.n_records == 1 ? "" : "s", st->bk.n_objects,
		       st->bk.n_objects == 1 ? "" : "s");
	if (st->backup)
		hv_strbuf_addf(out, "backup of the current values: %s\n",
			       st->backup);
	hv_strbuf_addch(out, '\n');
	for (size_t r = 0; r < st->bk.n_records; r++) {
		const struct hv_backup_record *w = &st->rb.writes[r];

		hv_strbuf_addf(out, "%-15s", record_state(st, r, yes));
		apply_dn_label(out, w->dn);
		hv_strbuf_addch(out, '\n');
		diff_lines(out, w);
		report_skips(out, st, r);
		if (st->failed == (long)r) {
			char msg[2048];

			hv_error_format(&st->err, msg, sizeof(msg));
			hv_strbuf_adds(out, "                 AD said: ");
			hv_term_escapes(out, msg);
			hv_strbuf_addch(out, '\n');
		}
	}
}

/* A rollback touches only the Hyper-V hosts of the estate as AD holds it
 * now (found as audit finds them), and adds back delegation only towards
 * them (remedy/rollback.h): read the directory to know them. */
static int bound_to_estate(struct rb_state *st)
{
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_error err;

	if (hv_ldap_search(st->ld, NULL, HV_LDAP_SCOPE_SUBTREE,
			   hv_estate_filter, hv_estate_attributes, &dir,
			   &err) < 0) {
		apply_error("cannot read the directory to find its Hyper-V "
			    "hosts",
			    &err);
		hv_directory_clear(&dir);
		return HV_EXIT_INCOMPLETE;
	}
	dir.requested = hv_estate_attributes;
	/* no host found is no error here: every object is then refused */
	hv_estate_build(&est, &dir, &sel, &err);
	hv_rollback_bound(&st->rb, &est);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
	return 0;
}

/* Nothing is written when anything was refused; each reason is listed. */
static int refused(const struct rb_state *st)
{
	for (size_t i = 0; i < st->rb.n_refusals; i++)
		cli_error("apply: rollback refused: %s", st->rb.refusals[i]);
	cli_error("apply: nothing was changed: %zu reason%s above; the "
		  "backup %s does not fit the objects as they are now",
		  st->rb.n_refusals, st->rb.n_refusals == 1 ? "" : "s",
		  st->path);
	return HV_EXIT_INCOMPLETE;
}

static int take_backup(struct rb_state *st)
{
	struct hv_backup bk = {0};
	char what[160];
	int rc;

	hv_rollback_undo(&st->rb, &st->now, &bk);
	snprintf(what, sizeof(what),
		 "taken by `hvdoctor apply --rollback` before it undid change "
		 "%s",
		 st->bk.id);
	rc = apply_write_backup(st->backup, &bk, st->uri, what);
	if (rc == 0)
		fprintf(stderr,
			"hvdoctor: apply: backup of the current values "
			"written to %s\n",
			st->backup);
	hv_backup_release(&bk);
	return rc;
}

/* One record, one modify: deletes of exact values, then adds. */
static int write_record(struct rb_state *st, const struct hv_backup_record *w)
{
	struct hv_ldap_change *ch = hv_calloc(w->n_mods, sizeof(*ch));
	int rc;

	for (size_t m = 0; m < w->n_mods; m++)
		ch[m] = (struct hv_ldap_change){
			w->mods[m].op == HV_BACKUP_ADD ? HV_LDAP_ADD_VALUES
						       : HV_LDAP_DELETE_VALUES,
			w->mods[m].attr, w->mods[m].values,
			w->mods[m].n_values};
	rc = hv_ldap_modify(st->ld, w->dn, ch, w->n_mods, &st->err);
	free(ch);
	return rc;
}

static void write_all(struct rb_state *st)
{
	size_t k = 0;

	for (size_t r = 0; r < st->bk.n_records; r++) {
		const struct hv_backup_record *w = &st->rb.writes[r];
		struct hv_strbuf label = HV_STRBUF_INIT;

		if (!w->n_mods)
			continue;
		apply_dn_label(&label, w->dn);
		fprintf(stderr, "hvdoctor: restoring %zu/%zu: %s\n", ++k,
			st->rb.n_writes, hv_strbuf_str(&label));
		hv_strbuf_release(&label);
		if (write_record(st, w) < 0) {
			st->failed = (long)r;
			return;
		}
		st->done++;
	}
}

/* Every attribute written must now hold what the writes made. */
static int verify(struct rb_state *st, struct hv_strbuf *out)
{
	struct hv_directory after = {0};
	size_t bad = 0;
	int rc = apply_read_objects(st->ld, (const char *const *)st->bk.objects,
				    st->bk.n_objects, read_attrs, &after);

	if (rc == 0)
		bad = hv_rollback_verify(&st->rb, &after, out);
	if (rc == 0 && !bad && !st->rb.n_skips)
		hv_strbuf_adds(out, "verified: every attribute of the backup "
				    "reads back as restored\n");
	else if (rc == 0 && !bad)
		hv_strbuf_addf(out,
			       "verified: every value written reads back; %zu "
			       "value%s NOT RESTORED (listed above)\n",
			       st->rb.n_skips, st->rb.n_skips == 1 ? "" : "s");
	hv_directory_clear(&after);
	return rc ? rc : bad ? HV_EXIT_INCOMPLETE : 0;
}

static int finish(struct rb_state *st, bool yes)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	int rc = 0;

	if (yes && st->rb.n_writes) {
		rc = take_backup(st);
		if (rc)
			return rc;
		write_all(st);
	}
	report(&out, st, yes);
	if (yes && st->failed < 0)
		rc = verify(st, &out);
	else if (yes)
		rc = HV_EXIT_INCOMPLETE;
	if (cli_write_stdout(out.buf, out.len))
		rc = HV_EXIT_INCOMPLETE;
	hv_strbuf_release(&out);
	if (st->failed >= 0)
		cli_error("apply: rollback stopped: %zu of %zu records "
			  "restored (the values before it are in %s); running "
			  "it again is safe",
			  st->done, st->rb.n_writes, st->backup);
	else if (!yes)
		fprintf(stderr,
			"hvdoctor: apply: nothing was changed (no --yes); "
			"%zu record%s would be restored\n",
			st->rb.n_writes, st->rb.n_writes == 1 ? "" : "s");
	return rc ? rc : st->rb.n_skips ? HV_EXIT_ERROR : HV_EXIT_OK;
}

static void release(struct rb_state *st)
{
	hv_rollback_release(&st->rb);
	hv_ldap_close(st->ld);
	hv_backup_release(&st->bk);
	hv_directory_clear(&st->now);
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
	if (rc == 0)
		rc = apply_read_objects(st.ld,
					(const char *const *)st.bk.objects,
					st.bk.n_objects, read_attrs, &st.now);
	if (rc == 0 &&
	    hv_rollback_prepare(&st.rb, &st.bk, &st.now, spn_holder, &st) < 0)
		rc = HV_EXIT_INCOMPLETE;
	if (rc == 0)
		rc = bound_to_estate(&st);
	if (rc == 0 && st.rb.n_refusals)
		rc = refused(&st);
	if (rc == 0) {
		if (cli_count(args, APPLY_YES) && st.rb.n_writes)
			st.backup = apply_backup_path(args);
		rc = finish(&st, cli_count(args, APPLY_YES) > 0);
	}
	release(&st);
	return rc;
}
