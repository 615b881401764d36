#include "apply_common.h"

#include "commands.h"

#include "base/alloc.h"
#include "base/quote.h"
#include "base/term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char *apply_backup_path(const struct cli_args *args)
{
	const char *given = cli_value(args, APPLY_BACKUP);

	return given ? hv_strdup(given)
		     : cli_timestamped_name("hvdoctor-backup", ".ldif");
}

static int write_new_file(const char *path, const struct hv_strbuf *text)
{
	if (cli_write_new_file(path, text) == 0)
		return 0;
	if (errno == EEXIST)
		cli_error("apply: cannot create the backup %s: %s (an "
			  "existing backup is never overwritten; choose "
			  "another --backup FILE)",
			  path, strerror(errno));
	else
		cli_error("apply: cannot write the backup %s: %s; nothing "
			  "was changed in AD",
			  path, strerror(errno));
	return HV_EXIT_INCOMPLETE;
}

/* The backup's text with its header (what, where from, when). */
static void backup_text(struct hv_strbuf *text, const struct hv_backup *bk,
			const char *uri, const char *what)
{
	char taken[64];
	time_t now = time(NULL);
	struct tm tm;
	struct hv_backup_info info = {what, uri, taken};

	localtime_r(&now, &tm);
	strftime(taken, sizeof(taken), "%Y-%m-%d %H:%M:%S %z", &tm);
	hv_backup_write(text, bk, &info);
}

int apply_write_backup(const char *path, const struct hv_backup *bk,
		       const char *uri, const char *what)
{
	struct hv_strbuf text = HV_STRBUF_INIT;
	int rc;

	backup_text(&text, bk, uri, what);
	rc = write_new_file(path, &text);
	hv_strbuf_release(&text);
	return rc;
}

int apply_write_plan_backup(const char *path, const struct hv_plan *plan,
			    const struct hv_directory *before, const char *uri)
{
	struct hv_backup bk = {0};
	char what[128];
	int rc;

	hv_backup_from_plan(&bk, plan, before);
	snprintf(what, sizeof(what),
		 "taken by `hvdoctor apply` before it made change %s", bk.id);
	rc = apply_write_backup(path, &bk, uri, what);
	if (rc == 0)
		fprintf(stderr,
			"hvdoctor: apply: backup of %zu object%s written to "
			"%s\n",
			bk.n_objects, bk.n_objects == 1 ? "" : "s", path);
	hv_backup_release(&bk);
	return rc;
}

int apply_rewrite_plan_backup(const char *path, const struct hv_plan *plan,
			      const bool *applied,
			      const struct hv_directory *before,
			      const char *uri)
{
	struct hv_backup bk = {0};
	struct hv_strbuf text = HV_STRBUF_INIT;
	char what[160];
	int rc = 0;

	hv_backup_from_applied(&bk, plan, applied, before);
	if (!bk.n_records) {
		/* nothing reached AD: a backup would only undo others */
		if (unlink(path) < 0)
			rc = -1;
		else
			fprintf(stderr,
				"hvdoctor: apply: no change was made, so the "
				"backup %s was removed\n",
				path);
	} else {
		snprintf(what, sizeof(what),
			 "rewritten by `hvdoctor apply` to undo only what it "
			 "applied (change %s)",
			 bk.id);
		backup_text(&text, &bk, uri, what);
		rc = cli_replace_own_file(path, &text);
		if (rc == 0)
			fprintf(stderr,
				"hvdoctor: apply: backup %s rewritten: it "
				"undoes the %zu record%s applied, nothing "
				"else\n",
				path, bk.n_records,
				bk.n_records == 1 ? "" : "s");
	}
	if (rc < 0)
		cli_error("apply: cannot rewrite the backup %s to what was "
			  "applied: %s; it still undoes every planned change "
			  "(check before using it)",
			  path, strerror(errno));
	hv_strbuf_release(&text);
	hv_backup_release(&bk);
	return rc < 0 ? HV_EXIT_INCOMPLETE : 0;
}

void apply_error(const char *what, const struct hv_error *err)
{
	char msg[2048];
	struct hv_strbuf safe = HV_STRBUF_INIT;

	hv_error_format(err, msg, sizeof(msg));
	/* AD's diagnostic is the server's text: no control characters */
	hv_quote_comment(&safe, msg);
	cli_error("apply: %s: %s", what, hv_strbuf_str(&safe));
	hv_strbuf_release(&safe);
}

int apply_read_objects(struct hv_ldap *ld, const char *const *dns, size_t n,
		       const char *const *attrs, struct hv_directory *out)
{
	struct hv_error err;

	for (size_t i = 0; i < n; i++) {
		size_t before = out->n_entries;
		struct hv_entry *got;

		if (hv_ldap_search(ld, dns[i], HV_LDAP_SCOPE_BASE, NULL, attrs,
				   out, &err) < 0) {
			apply_error("cannot read the object", &err);
			return HV_EXIT_INCOMPLETE;
		}
		if (out->n_entries != before + 1) {
			hv_error_set(&err, HV_ERR_DIRECTORY, dns[i],
				     "the object was not returned");
			apply_error("cannot read the object", &err);
			return HV_EXIT_INCOMPLETE;
		}
		got = &out->entries[before];
		hv_entry_set_dn(got, dns[i]);
	}
	return 0;
}

void apply_quote(struct hv_strbuf *out, const char *data, size_t len)
{
	hv_strbuf_addch(out, '\'');
	hv_term_escape(out, data, len);
	hv_strbuf_addch(out, '\'');
}

void apply_dn_label(struct hv_strbuf *out, const char *dn)
{
	const char *eq = strchr(dn, '=');
	const char *v = eq ? eq + 1 : dn;
	size_t len = 0;

	/* up to the first unescaped ',' (RFC 4514 2.4) */
	while (v[len] && v[len] != ',') {
		if (v[len] == '\\' && v[len + 1])
			len++;
		len++;
	}
	hv_term_escape(out, v, len);
}

void apply_eq_filter(struct hv_strbuf *out, const char *attr, const char *value,
		     size_t len)
{
	hv_strbuf_addf(out, "(%s=", attr);
	/* RFC 4515 3: these five must be written as \XX */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c == '*' || c == '(' || c == ')' || c == '\\' || c == 0)
			hv_strbuf_addf(out, "\\%02x", c);
		else
			hv_strbuf_addch(out, (char)c);
	}
	hv_strbuf_addch(out, ')');
}
