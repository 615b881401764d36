/* What `apply` and `apply --rollback` share: their option ids, the
 * backup file, fresh reads of the objects about to change, and the
 * pieces of their reports. */
#ifndef HV_CLI_APPLY_COMMON_H
#define HV_CLI_APPLY_COMMON_H

#include "remedy/backup.h"
#include "remedy/plan.h"
#include "cli.h"
#include "sources/directory.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/ldap_source.h"

#include <stdbool.h>
#include <stddef.h>

enum { APPLY_YES = 1, APPLY_BACKUP, APPLY_ROLLBACK };

/* Where the backup goes: --backup FILE, else hvdoctor-backup-TIME.ldif
 * in the current directory. Caller frees with free(). */
char *apply_backup_path(const struct cli_args *args);
/* Writes the sealed backup bk to path as a new file (never over an
 * existing one: an older backup may be the only way back), mode 0600,
 * flushed to disk with its directory entry before anything is written to
 * AD. Prints the error and returns HV_EXIT_INCOMPLETE. */
int apply_write_backup(const char *path, const struct hv_backup *bk,
		       const char *uri, const char *what);
/* The backup apply takes before it writes plan: the records that undo it
 * and what the objects had (before, the fresh read), written as above;
 * prints where it went. */
int apply_write_plan_backup(const char *path, const struct hv_plan *plan,
			    const struct hv_directory *before, const char *uri);
/* After a partial run: replaces the backup at path (written by
 * apply_write_plan_backup in this run) with one that undoes only the
 * applied actions, or removes it when none was applied. Prints what it
 * did or the error; returns HV_EXIT_INCOMPLETE when it could not. */
int apply_rewrite_plan_backup(const char *path, const struct hv_plan *plan,
			      const bool *applied,
			      const struct hv_directory *before,
			      const char *uri);
/* Reads each of the n DNs (base scope, attributes attrs) into out, one
 * entry per DN in that order; each entry's DN is set to the one asked
 * for, so hv_backup_find() finds it by that spelling. Prints the error
 * and returns HV_EXIT_INCOMPLETE (an object that is gone included). */
int apply_read_objects(struct hv_ldap *ld, const char *const *dns, size_t n,
		       const char *const *attrs, struct hv_directory *out);
/* Appends a DN's first RDN value ("HV03" for "CN=HV03,CN=Computers,…"),
 * made safe for a terminal. */
void apply_dn_label(struct hv_strbuf *out, const char *dn);
/* Appends a value read from or meant for AD, quoted, escaped for the
 * terminal (hv_term_escape: values are hostile and must not drive it). */
void apply_quote(struct hv_strbuf *out, const char *data, size_t len);
/* Prints "hvdoctor: apply: WHAT: <err formatted>" to stderr. */
void apply_error(const char *what, const struct hv_error *err);
/* Appends an RFC 4515 filter "(attr=value)" with the value escaped. */
void apply_eq_filter(struct hv_strbuf *out, const char *attr, const char *value,
		     size_t len);

/* apply --rollback FILE (cli/apply_rollback.c). */
int apply_rollback(const struct cli_args *args, const char *path);

#endif
