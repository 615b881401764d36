/* The live LDAP source: reads Active Directory over OpenLDAP's libldap
 * (with Cyrus SASL for GSSAPI) into struct hv_directory, and applies one
 * atomic modify for `apply`. It only reads and normalises; judging is the
 * checks' business.
 *
 * Security (RFC 4513): GSSAPI binds use the caller's Kerberos ticket cache
 * (KRB5CCNAME) and ask for sign+seal on plain ldap://, which hardened AD
 * requires (LDAP signing). Inside TLS they ask for no SASL layer, because
 * AD and Samba refuse sign/seal within TLS. Simple binds are refused on
 * plain LDAP unless allow_plaintext is set. TLS certificates are always
 * verified.
 *
 * Searches page with the Simple Paged Results control (RFC 2696) until
 * the server's cookie is empty, and complete AD's ranged attributes
 * ("member;range=0-1499", MS-ADTS 3.1.1.3.1.3.3), so a result is either
 * whole or an error, never silently cut short.
 *
 * The module never prints, prompts or exits. Not thread-safe per handle. */
#ifndef HV_LDAP_SOURCE_H
#define HV_LDAP_SOURCE_H

#include "sources/directory.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

struct hv_ldap; /* opaque: one bound connection */

enum hv_ldap_bind {
	HV_LDAP_BIND_GSSAPI, /* SASL GSSAPI with the ticket cache (default) */
	HV_LDAP_BIND_SIMPLE, /* name + password (RFC 4513 section 5.1.3) */
};

struct hv_ldap_options {
	const char *uri; /* "ldap://dc1", "ldaps://dc1:636"; required */
	enum hv_ldap_bind bind;
	const char *user;     /* simple: DN, UPN or DOMAIN\user; GSSAPI:
			       * ignored (the ticket cache says who) */
	const char *password; /* simple only; borrowed, never logged */
	const char *base;     /* NULL: the RootDSE's defaultNamingContext */
	const char *cacert;   /* PEM CA file; NULL: libldap's defaults
			       * (LDAPCONF / ldap.conf TLS_CACERT[DIR]) */
	bool starttls;	      /* StartTLS (RFC 4511 4.14) on ldap:// */
	bool allow_plaintext; /* permit a simple bind without TLS */
	int timeout_ms;	      /* connect and per-operation; 0: 30 s */
};

enum hv_ldap_scope {
	HV_LDAP_SCOPE_BASE,
	HV_LDAP_SCOPE_ONELEVEL,
	HV_LDAP_SCOPE_SUBTREE,
};

enum hv_ldap_op {
	HV_LDAP_ADD_VALUES,    /* fails if a value is already there */
	HV_LDAP_DELETE_VALUES, /* fails if a value is absent; none: all */
	HV_LDAP_REPLACE,       /* none: removes the attribute */
};

struct hv_ldap_change {
	enum hv_ldap_op op;
	const char *attr;
	const struct hv_value *values; /* bytes, binary safe */
	size_t n_values;
};

/* Connects, starts TLS if asked, binds and finds the base DN. Returns 0
 * and a handle (free with hv_ldap_close()), or a negative category:
 * HV_ERR_USAGE (bad options, plaintext simple bind refused),
 * HV_ERR_DIRECTORY (unreachable, TLS failure; err->where = URI),
 * HV_ERR_CREDENTIALS (bind refused; AD's diagnostic in err->native_text,
 * its "data NNN" sub-code explained in err->message). */
int hv_ldap_open(const struct hv_ldap_options *opts, struct hv_ldap **out,
		 struct hv_error *err);
/* The naming context searched by default; borrowed until hv_ldap_close(). */
const char *hv_ldap_base_dn(const struct hv_ldap *ld);
/* The server connected to, "ldap://host:port" (of a URI list, the one
 * that answered); borrowed until hv_ldap_close(). */
const char *hv_ldap_uri(const struct hv_ldap *ld);
/* SASL security strength factor of the session: 0 for a simple bind or
 * GSSAPI inside TLS, >= 56 when GSSAPI seals the connection. */
unsigned hv_ldap_sasl_ssf(const struct hv_ldap *ld);
/* Searches base (NULL: the base DN) with an RFC 4515 filter (NULL:
 * "(objectClass=*)") and appends every entry to dir (origin = the URI).
 * attrs is NULL-terminated, or NULL for all user attributes; a ranged
 * name there ("member;range=0-99") only sets the first slice: values are
 * always complete, stored under the name without the range option.
 * Continuation references are skipped (referrals are not chased). On error
 * dir may hold the entries of the pages already read. */
int hv_ldap_search(struct hv_ldap *ld, const char *base,
		   enum hv_ldap_scope scope, const char *filter,
		   const char *const *attrs, struct hv_directory *dir,
		   struct hv_error *err);
/* Applies the n changes to dn as one LDAP modify (RFC 4511 4.6): all or
 * nothing. On failure err->where is the DN and the server's diagnostic is
 * kept in err->native_text. */
int hv_ldap_modify(struct hv_ldap *ld, const char *dn,
		   const struct hv_ldap_change *changes, size_t n,
		   struct hv_error *err);
/* Unbinds and frees; NULL is allowed. */
void hv_ldap_close(struct hv_ldap *ld);

#endif
