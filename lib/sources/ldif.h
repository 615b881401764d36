/* LDIF (RFC 2849) in and out: the reader fills a struct hv_directory from
 * what `ldapsearch`, `ldapsearch -LLL` and Windows `ldifde` export; the
 * writer produces the LDIF of plans and backups.
 *
 * What the reader accepts, beyond the RFC grammar, and why:
 *  - CRLF or LF line ends, a UTF-8 byte order mark at the start (ldifde);
 *  - `changetype: add` records (ldifde writes them), read as entries;
 *    controls before the changetype are ignored (RFC 2849 note 9); any
 *    other changetype is an error: a change is not an entry;
 *  - ldapsearch's `search:`/`result:` trailer and `ref:` search references
 *    are skipped; a non-zero `result:` (e.g. 4, size limit exceeded) is
 *    reported as an error, because the export is then incomplete;
 *  - attribute options are stripped: `member;range=0-1499` and
 *    `nTSecurityDescriptor;binary` become `member` and
 *    `nTSecurityDescriptor`, so AD's ranged retrieval merges back into
 *    one attribute (language tags would merge too; AD has none);
 *  - a record of only a DN (ldapsearch with the attribute list "1.1");
 *  - text values are kept byte for byte: trailing spaces stay, as do
 *    non-ASCII bytes; spaces after a base64 value are dropped.
 * What it refuses: `attr:< URL` values (we never read files named by the
 * input), NUL bytes outside base64, a DN that is not UTF-8 (note 7),
 * logical lines over HV_LDIF_MAX_LINE bytes, entries with more than
 * HV_LDIF_MAX_ATTRS attributes, attribute descriptions over
 * HV_LDIF_MAX_NAME bytes.
 *
 * Recovery: a record with any error is dropped whole (a half-read entry
 * would make checks conclude wrongly), the error is recorded with
 * "file:line", and reading goes on at the next blank line, so every good
 * record is kept. Only the first error of a record is reported; later
 * ones may just be echoes of it. Entries are appended to the directory in
 * file order; reading several files into one directory appends each, and
 * duplicate DNs are kept as found. */
#ifndef HV_LDIF_H
#define HV_LDIF_H

#include "sources/directory.h"
#include "base/error.h"
#include "base/strbuf.h"

#include <stddef.h>

#define HV_LDIF_MAX_LINE (16u << 20) /* bytes in one unfolded line */
#define HV_LDIF_MAX_FILE (1u << 30)  /* bytes hv_ldif_read_file*() take */
#define HV_LDIF_MAX_ATTRS 1024	     /* AD's schema has fewer per class */
#define HV_LDIF_MAX_NAME 256	     /* attr description, options too */
#define HV_LDIF_MAX_ERRORS 16	     /* errors listed; the rest counted */
#define HV_LDIF_WIDTH 76	     /* the writer's fold column */

/* Everything one or more reads found wrong, in file order. */
struct hv_ldif_errors {
	struct hv_error list[HV_LDIF_MAX_ERRORS]; /* the first ones */
	size_t n_listed;			  /* valid elements of list[] */
	size_t n_total;	  /* every error seen, listed or not */
	size_t n_dropped; /* records skipped because of an error */
};

/* Empties errs; the reads below add to it, so one errs can span files. */
void hv_ldif_errors_clear(struct hv_ldif_errors *errs);
/* Reads LDIF text data[0..len), named `name` in origins ("name:line") and
 * errors, appending its entries to dir (caller releases with
 * hv_directory_clear). Returns 0, HV_ERR_INPUT if any record was bad
 * (every good record is still added; all errors are in errs). */
int hv_ldif_read_buffer_errors(const char *name, const char *data, size_t len,
			       struct hv_directory *dir,
			       struct hv_ldif_errors *errs);
/* The same for a file (at most HV_LDIF_MAX_FILE bytes); also returns
 * HV_ERR_IO, with where = path and errno as native code, if it cannot be
 * read, in which case nothing is added to dir. */
int hv_ldif_read_file_errors(const char *path, struct hv_directory *dir,
			     struct hv_ldif_errors *errs);
/* hv_ldif_read_buffer_errors() reporting only the first error in err
 * (may be NULL). */
int hv_ldif_read_buffer(const char *name, const char *data, size_t len,
			struct hv_directory *dir, struct hv_error *err);
/* hv_ldif_read_file_errors() reporting only the first error in err (may
 * be NULL). */
int hv_ldif_read_file(const char *path, struct hv_directory *dir,
		      struct hv_error *err);

/* Appends one "attr: value" line, or "attr:: base64" when the value is
 * not a SAFE-STRING (RFC 2849 note 4) or ends in a space (note 8), folded
 * at HV_LDIF_WIDTH columns. Bytes of attr outside [A-Za-z0-9.;=*-] are
 * written as '_' so that a hostile name cannot inject lines. */
void hv_ldif_put_value(struct hv_strbuf *out, const char *attr,
		       const void *data, size_t len);
/* Appends the "dn:" line of a record for dn, by the same rules. */
void hv_ldif_put_dn(struct hv_strbuf *out, const char *dn);
/* Appends a whole record: dn line, every value, then a blank line. What
 * the reader took from LDIF comes back identical when read again. */
void hv_ldif_put_entry(struct hv_strbuf *out, const struct hv_entry *entry);

#endif
