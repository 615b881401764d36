/* Internals of the LDAP source, shared by ldap_source.c (connecting,
 * binding, modifying) and ldap_search.c (searching), and its pure helpers,
 * apart so that unit tests reach them without a server. Not part of the
 * public API. */
#ifndef HV_LDAP_INTERNAL_H
#define HV_LDAP_INTERNAL_H

#include "base/error.h"
#include "sources/ldap_source.h"

#include <ldap.h>

#include <stdbool.h>
#include <stddef.h>

/* The opaque handle of ldap_source.h. Defined here, not in ldap_source.c,
 * because ldap_search.c reads the session, URI and base DN of it too;
 * nothing outside these two files may look inside. */
struct hv_ldap {
	LDAP *ld;
	char *uri;
	char *base_dn;
	bool tls;	/* the session runs inside TLS (ldaps:// or StartTLS) */
	bool tcp_up;	/* TCP connected: a later failure is TLS's */
	unsigned ssf;	/* SASL security layer after a GSSAPI bind */
	int timeout_ms; /* every network step's limit */
	int fd;		/* the socket once TCP is up, else -1 */
	struct ldap_conncb conncb; /* libldap keeps a pointer to it */
};

/* Advice (" (...)") for a failed GSSAPI bind, from the diagnostic text
 * SASL and Kerberos gave (may be NULL). Static string. */
const char *hv_ldap_gssapi_advice(const char *diag);
/* The hv_err_category of a failed libldap result code. */
enum hv_err_category hv_ldap_category(int rc);
/* Records a libldap failure in err: the formatted message and
 * ldap_err2string(rc), then rc and the server's diagnostic (from ld, which
 * may be NULL) as native code and text. Returns category. */
__attribute__((format(printf, 6, 7))) int
hv_ldap_error(struct hv_error *err, LDAP *ld, int rc,
	      enum hv_err_category category, const char *where, const char *fmt,
	      ...);

/* An attribute description as AD returns it under range retrieval
 * (MS-ADTS 3.1.1.3.1.3.3): "member;range=0-1499", last "member;range=
 * 1500-*". */
struct hv_ldap_range {
	bool ranged;	 /* false: a plain name, the rest is unset */
	size_t name_len; /* length of the name before ";range=" */
	unsigned long low;
	unsigned long high; /* unset when last */
	bool last;	    /* high was "*": these are the final values */
};

/* Parses attr. Returns 0 (out->ranged tells whether a range option was
 * there) or HV_ERR_INPUT for a malformed range (e.g. high < low, or
 * another option after it). */
int hv_ldap_range_parse(const char *attr, struct hv_ldap_range *out);

/* Slices of one ranged attribute a server may hand out: AD's MaxValRange
 * is 1,500 values a slice (MS-ADTS 3.1.1.3.4.6), so this is 15 million
 * values, far beyond any real attribute; a server that keeps going is
 * broken or hostile (paging has its cap too). */
#define HV_LDAP_MAX_SLICES 10000

/* Checks the slice r of an attribute of which `taken` slices were read
 * and whose next wanted value is *next: it must start exactly there (a
 * gap or an overlap would lose or double values), not run past the index
 * range, and not exceed HV_LDAP_MAX_SLICES. Advances *next past it.
 * Returns 0 or HV_ERR_DIRECTORY (err->where left empty for the caller's
 * DN). */
int hv_ldap_range_step(const struct hv_ldap_range *r, size_t taken,
		       unsigned long *next, struct hv_error *err);

/* Checks a DN the server returned: not empty, no NUL byte, UTF-8 (RFC
 * 4514 section 2), the same rule the LDIF reader applies to an export.
 * Returns 0 or HV_ERR_DIRECTORY naming the DN, escaped. */
int hv_ldap_dn_check(const char *dn, size_t len, struct hv_error *err);

/* Finds AD's sub-status in a bind diagnostic, the hex number in "...,
 * data 52e, v4563" (a Win32 error code). Returns false if there is none. */
bool hv_ldap_ad_data_code(const char *diag, unsigned long *out_code);
/* Plain words for such a code, or NULL for one we do not know. */
const char *hv_ldap_ad_data_text(unsigned long code);

/* True if every URI of a libldap URI list (separated by spaces or commas)
 * is ldaps://, so the whole session runs inside TLS. */
bool hv_ldap_uri_is_tls(const char *uri);
/* Checks options before any traffic: a URI is given, the timeout is not
 * negative, StartTLS is not combined with ldaps://, and a simple bind has
 * a user, a non-empty password and TLS (or allow_plaintext). Returns 0 or
 * HV_ERR_USAGE. */
int hv_ldap_check_options(const struct hv_ldap_options *opts,
			  struct hv_error *err);
/* The Cyrus SASL security properties for a GSSAPI bind: sign+seal when
 * the transport is plain, no SASL layer inside TLS. */
const char *hv_ldap_sasl_secprops(bool tls);

#endif
