/* Backups: how to undo a change to AD, value by value, and the values the
 * objects had before it. `apply` writes one before it changes anything,
 * `apply --rollback` writes one before it restores, and `plan` writes one
 * as its rollback file; `apply --rollback` reads all three, and so does
 * `ldapmodify -f` (RFC 2849 change records).
 *
 * A backup only ever undoes what hvdoctor does: in
 * msDS-AllowedToDelegateTo only migration-service and cifs entries, in
 * servicePrincipalName only HOST/ and migration-service SPNs (values
 * deleted or added one by one), and in userAccountControl only the
 * protocol-transition bit, cleared (the exact value the change set
 * deleted and the one it replaced added back). Anything else is refused
 * when read; rollback.h bounds it further to the Hyper-V hosts of the
 * estate read from AD.
 *
 * The written form:
 *
 *   # (free text: what, from where, when, how to restore)
 *   # hvdoctor-backup: 2
 *   # change: 5f0c2a9e81d3b47a       the id of the change it undoes
 *   # records: 2
 *   # object: CN=HV04,CN=Computers,DC=lab,DC=example,DC=com
 *   version: 1
 *
 *   dn: CN=HV04,CN=Computers,DC=lab,DC=example,DC=com
 *   # had: msDS-AllowedToDelegateTo: cifs/HV03
 *   # had none: servicePrincipalName
 *   changetype: modify
 *   delete: msDS-AllowedToDelegateTo
 *   msDS-AllowedToDelegateTo: cifs/HV01
 *   -
 *   delete: userAccountControl
 *   userAccountControl: 16781312
 *   -
 *   add: userAccountControl
 *   userAccountControl: 4096
 *   -
 *
 * Records undo the change last step first. "# object:" lists each DN of
 * the records once, in the order of their first record; "# had:" (a
 * value, "::" base64 when not plain) and "# had none:" (no value) give an
 * attribute's values before the change, once per object and attribute,
 * in one of its records. Values and DNs follow hv_ldif_put_value. The
 * change id is hv_backup_id() of the records: a file whose records do not
 * match its header (cut at a record boundary, damaged, one record lost,
 * two files mixed up) is refused, as is a file without the header. The
 * id is a checksum against accidents, not a tamper check: it is unkeyed,
 * and whoever can edit the file can recompute it. What holds against a
 * crafted file are the bounds above, checked whatever the id says. Folded
 * lines, "::" base64, CR LF and a byte order mark are read as ldapmodify reads
 * them; other changetypes, "replace:", controls and ":<" URLs are refused. The
 * first error stops the read and names "file:line". */
#ifndef HV_BACKUP_H
#define HV_BACKUP_H

#include "base/error.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "remedy/plan.h"
#include "sources/directory.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_BACKUP_FORMAT 2
#define HV_BACKUP_MAX_FILE (256u << 20) /* bytes a backup file may have */
#define HV_BACKUP_ID_LEN 16		/* hex digits of a change id */
/* The userAccountControl bit a backup may change (MS-ADTS 2.2.16):
 * TRUSTED_TO_AUTH_FOR_DELEGATION, and only clear it. */
#define HV_BACKUP_UAC_BITS 0x1000000u

/* The attributes a backup may touch; static names, as hvdoctor spells
 * them, or NULL for any other name (compared case-insensitively). */
const char *hv_backup_managed_attr(const char *name, size_t len);

enum hv_backup_op { HV_BACKUP_DELETE, HV_BACKUP_ADD };

/* One "delete:" or "add:" of a record. */
struct hv_backup_mod {
	enum hv_backup_op op;
	const char *attr; /* static: hv_backup_managed_attr() */
	struct hv_value *values;
	size_t n_values, cap_values;
};

/* An attribute's values before the change ("# had:" lines). */
struct hv_backup_had {
	const char *attr; /* static */
	struct hv_value *values;
	size_t n_values, cap_values;
};

/* One change record: one LDAP modify of one object. */
struct hv_backup_record {
	char *dn;
	char *origin; /* "file:line" of its dn, or "" */
	struct hv_backup_mod *mods;
	size_t n_mods, cap_mods;
	struct hv_backup_had *had;
	size_t n_had, cap_had;
};

struct hv_backup {
	char id[HV_BACKUP_ID_LEN + 1]; /* set by hv_backup_seal() */
	struct hv_backup_record *records;
	size_t n_records, cap_records;
	char **objects; /* distinct DNs, order of first record */
	size_t n_objects, cap_objects;
	struct hv_strmap by_dn; /* object DN -> index into objects */
};

/* What the header comment of a written backup says; all may be NULL. */
struct hv_backup_info {
	const char *what;   /* one line: why it was taken */
	const char *source; /* the LDAP URI or file it was read from */
	const char *taken;  /* when, as text */
};

/* Building. A record, a mod, a value; borrowed until the next call that
 * adds to the same array. */
struct hv_backup_record *
hv_backup_add_record(struct hv_backup *bk, const char *dn, const char *origin);
struct hv_backup_mod *hv_backup_add_mod(struct hv_backup_record *rec,
					enum hv_backup_op op, const char *attr);
void hv_backup_add_value(struct hv_value **values, size_t *n, size_t *cap,
			 const void *data, size_t len);
/* Records that rec's object had exactly the values of `now` (NULL: none)
 * for attr before the change. */
void hv_backup_add_had(struct hv_backup_record *rec, const char *attr,
		       const struct hv_attr *now);
/* Fills bk (empty) with the records that undo plan, last action first,
 * and - when before (a fresh read of the plan's objects) is given - what
 * each object had in every attribute the plan changes; then seals it. */
void hv_backup_from_plan(struct hv_backup *bk, const struct hv_plan *plan,
			 const struct hv_directory *before);
/* The same for the actions of plan that were applied (applied[i] for
 * action i; NULL: all): after a partial apply the backup undoes only what was
 * written, so a value planned but never written (and perhaps added by
 * somebody else since) is never the rollback's to delete. */
void hv_backup_from_applied(struct hv_backup *bk, const struct hv_plan *plan,
			    const bool *applied,
			    const struct hv_directory *before);
/* Computes the objects list and the id; call once the records are in. */
void hv_backup_seal(struct hv_backup *bk);
/* The change id of bk's records into out: FNV-1a 64 of their DNs, ops,
 * attributes and values (not of the "# had:" lines), as hex. */
void hv_backup_id(const struct hv_backup *bk, char out[HV_BACKUP_ID_LEN + 1]);
/* The id of the change plan makes: hv_backup_id of its undo records, as
 * its rollback file and apply's backup carry it. */
void hv_backup_plan_id(const struct hv_plan *plan,
		       char out[HV_BACKUP_ID_LEN + 1]);
/* Frees what bk owns and empties it. */
void hv_backup_release(struct hv_backup *bk);

/* Appends the sealed backup as LDIF: the header comment (info, how to
 * restore), "version: 1", then the records. */
void hv_backup_write(struct hv_strbuf *out, const struct hv_backup *bk,
		     const struct hv_backup_info *info);

/* Reads backup text data[0..len), named `name` in errors and origins, into
 * out (empty; release with hv_backup_release). Returns 0, or HV_ERR_INPUT
 * with the first fault in err (where = "name:line", or name for a header
 * that does not match); out is then empty. */
int hv_backup_read_buffer(const char *name, const char *data, size_t len,
			  struct hv_backup *out, struct hv_error *err);
/* The same for a file of at most HV_BACKUP_MAX_FILE bytes; HV_ERR_IO
 * (where = path, errno as native code) when it cannot be read. */
int hv_backup_read_file(const char *path, struct hv_backup *out,
			struct hv_error *err);

/* Helpers over fresh reads (struct hv_directory) for apply. */
/* The entry of dn in dir (DNs compared case-insensitively), or NULL;
 * borrowed until dir changes. */
const struct hv_entry *hv_backup_find(const struct hv_directory *dir,
				      const char *dn);
/* True when a and b hold the same values, byte for byte, in any order (an
 * attribute's values have none, RFC 4512 2.3); NULL holds none. */
bool hv_backup_same_values(const struct hv_attr *a, const struct hv_attr *b);
/* True when attr holds a value of exactly len bytes equal to data. */
bool hv_backup_has_value(const struct hv_attr *attr, const void *data,
			 size_t len);

#endif
