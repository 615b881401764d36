/* Errors are data (adcli's result categories): a function returns 0 or a
 * negative category, and fills a caller-provided struct hv_error with what
 * the knowledge base and the user need: the native library and code, the
 * native text, and where it happened (file:line, host:port, DN). */
#ifndef HV_ERROR_H
#define HV_ERROR_H

#include <stdarg.h>

enum hv_err_category {
	HV_OK = 0,
	HV_ERR_INPUT = -1,	 /* a file or text the user gave is malformed */
	HV_ERR_USAGE = -2,	 /* options or arguments that make no sense */
	HV_ERR_DIRECTORY = -3,	 /* LDAP server refused, failed or is away */
	HV_ERR_CREDENTIALS = -4, /* bind or ticket problem: fix the secret */
	HV_ERR_NETWORK = -5,	 /* could not reach a host */
	HV_ERR_IO = -6,		 /* local file could not be read or written */
	HV_ERR_UNEXPECTED = -7,	 /* a bug or an impossible state */
};

struct hv_error {
	enum hv_err_category category;
	char where[512];       /* "hv.ldif:412", "ldap://dc:389", a DN … */
	char message[1024];    /* one sentence for the admin */
	const char *library;   /* "libldap", "krb5", "libc", or NULL */
	int native_code;       /* LDAP result code, errno, krb5 code … */
	char native_text[512]; /* e.g. AD's "80090308: … data 52e, v4563" */
};

/* Clears err to "no error". */
void hv_error_clear(struct hv_error *err);
/* Sets category, place (may be NULL) and message; returns the category
 * so callers can `return hv_error_set(...)`. err may be NULL. */
int hv_error_set(struct hv_error *err, enum hv_err_category category,
		 const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Records the native library, code and text on an error already set. */
void hv_error_native(struct hv_error *err, const char *library, int code,
		     const char *text);
/* Renders "where: message (library code: text)" into out. */
void hv_error_format(const struct hv_error *err, char *out, unsigned size);
/* The category name for JSON and logs, e.g. "input". */
const char *hv_error_category_name(enum hv_err_category category);

#endif
