/* Backups of what `apply` overwrites: LDIF change records (RFC 2849
 * ldif-change-record) that put the previous values back, readable by
 * `hvdoctor apply --rollback` and by `ldapmodify -f` alike.
 *
 * A backup is held in a struct hv_directory used as a list of records:
 * each entry is one object (its DN), each attribute one "replace:" with
 * the exact values it had, in the order read. An attribute with no values
 * was absent: its "replace:" without values removes it (RFC 4511 4.6). Only
 * the attributes a change touches are in it, one record per DN.
 *
 * The written form, and the only form the reader takes:
 *
 *   dn: CN=HV04,CN=Computers,DC=lab,DC=example,DC=com
 *   changetype: modify
 *   replace: userAccountControl
 *   userAccountControl: 4096
 *   -
 *
 * plus comments, an optional "version: 1" first line, folded lines, "::"
 * base64 values and CR LF line ends. Anything else (another changetype,
 * "add:" or "delete:", controls, ":<" URLs, a value that names another
 * attribute, a DN or attribute twice) is refused: a rollback from a file
 * we do not fully understand could write the wrong thing. The first error
 * stops the read, and names "file:line". */
#ifndef HV_BACKUP_H
#define HV_BACKUP_H

#include "sources/directory.h"
#include "base/error.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

#define HV_BACKUP_MAX_FILE (64u << 20) /* bytes a backup file may have */

/* What the header comment of a written backup says; all may be NULL. */
struct hv_backup_info {
	const char *what;   /* one line: why it was taken */
	const char *source; /* the LDAP URI it was read from */
	const char *taken;  /* when, as text */
};

/* Adds attr of dn to the backup bk with the values that `current` (a
 * fresh read of that object; NULL if it has none) holds for it. The record
 * of dn is made on first use; taking the same attribute again changes
 * nothing, so the first (oldest) values win. */
void hv_backup_take(struct hv_directory *bk, const char *dn, const char *attr,
		    const struct hv_entry *current);
/* The record of dn in bk (DNs compared case-insensitively), or NULL;
 * borrowed until bk changes. */
const struct hv_entry *hv_backup_find(const struct hv_directory *bk,
				      const char *dn);
/* True when a and b hold the same values, byte for byte, in any order (an
 * attribute's values have none, RFC 4512 2.3); NULL holds none. */
bool hv_backup_same_values(const struct hv_attr *a, const struct hv_attr *b);
/* True when attr holds a value of exactly len bytes equal to data. */
bool hv_backup_has_value(const struct hv_attr *attr, const void *data,
			 size_t len);

/* Appends the backup as LDIF: a header comment (info, and how to restore
 * with hvdoctor or ldapmodify), "version: 1", then one record per entry.
 * Values go through hv_ldif_put_value (hostile text is base64). */
void hv_backup_write(struct hv_strbuf *out, const struct hv_directory *bk,
		     const struct hv_backup_info *info);

/* Reads backup text data[0..len), named `name` in errors and origins
 * ("name:line" of each record's dn), appending its records to out
 * (release with hv_directory_clear). Returns 0, or HV_ERR_INPUT with the
 * first fault in err (where = "name:line"); out is then left unchanged. */
int hv_backup_read_buffer(const char *name, const char *data, size_t len,
			  struct hv_directory *out, struct hv_error *err);
/* The same for a file of at most HV_BACKUP_MAX_FILE bytes; HV_ERR_IO
 * (where = path, errno as native code) when it cannot be read. */
int hv_backup_read_file(const char *path, struct hv_directory *out,
			struct hv_error *err);

#endif
