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

#endif
