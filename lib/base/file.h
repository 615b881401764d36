/* Reading a whole input file, bounded, with the error that really
 * happened: a directory is "is a directory" (EISDIR), a read error keeps
 * its errno, and a file over the limit is refused, never silently cut. */
#ifndef HV_FILE_H
#define HV_FILE_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stddef.h>

/* Appends the content of path (at most max bytes) to out. A regular file
 * is read into one allocation of its size. Returns 0, or HV_ERR_IO (where
 * = path, "cannot read <what>", errno as native code: ENOENT, EISDIR,
 * EACCES, EIO …) or HV_ERR_INPUT ("<what> is larger than N bytes"); out
 * is then left as it was. what names the file for the admin ("the LDIF
 * file", "the backup file"). */
int hv_file_read(const char *path, size_t max, const char *what,
		 struct hv_strbuf *out, struct hv_error *err);

/* The one way hvdoctor writes a file (file_write.c). The text goes to a
 * temporary file that mkstemp(3) creates in the target's directory
 * (O_CREAT|O_EXCL: a name someone planted, symlink or not, is never
 * opened), is written whole and fsync(2)ed, and only then gets its
 * name; the directory is synced too. Both return 0, or -1 with errno
 * set and no temporary file left. */

/* path must not exist in any form (a dangling symlink counts): link(2)
 * gives the name, failing with EEXIST rather than replacing a file that
 * appeared meanwhile. Mode 0600 (plans, backups, rollbacks). */
int hv_file_create(const char *path, const char *text, size_t len);
/* path is replaced atomically with rename(2), which replaces a symlink
 * at path instead of following it; readers (a textfile collector) see
 * the old file or the new one, never a part. mode: e.g. 0644. */
int hv_file_replace(const char *path, const char *text, size_t len,
		    unsigned mode);

#endif
