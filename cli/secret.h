/* The simple-bind password, never from argv (any local user can read a
 * command line in /proc or ps): from a file, from the environment, or
 * typed at the terminal without echo. */
#ifndef HV_SECRET_H
#define HV_SECRET_H

#include "base/error.h"

/* The environment variable read when no password file is given. */
#define HV_SECRET_ENV "HVDOCTOR_PASSWORD"

/* Reads the password: the first line of password_file (trailing "\n" or
 * "\r\n" removed) if it is not NULL; else $HVDOCTOR_PASSWORD, which is
 * then wiped and removed from the environment; else a prompt on /dev/tty
 * with echo off. Warns on stderr when the file is readable by group or
 * others. Returns 0 and *out_secret (caller frees with
 * hv_free_secret()), or HV_ERR_IO (file or terminal unreadable),
 * HV_ERR_INPUT (empty, longer than 1024 bytes, a NUL byte in the line,
 * prompt interrupted) or HV_ERR_USAGE (no source at all). */
int hv_secret_read(const char *password_file, char **out_secret,
		   struct hv_error *err);

#endif
