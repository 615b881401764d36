/* The live LDAP source (ldap_source.h): connecting, TLS, binding and
 * modifying, and the errors they report. Searching is in ldap_search.c;
 * what both need is in ldap_internal.h. */
#include "sources/ldap_source.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "sources/dynlib_internal.h"
#include "sources/ldap_internal.h"

#include <ldap.h>
#include <sasl/sasl.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/time.h>

#define DEFAULT_TIMEOUT_MS 30000
/* The SSF of DES, the weakest cipher a SASL layer counts as sealing
 * (Cyrus SASL; RFC 4752 section 3.3): less is signing only or nothing. */
#define SEAL_SSF 56

/* ------------------------------------------------------------------ *
 * Pure helpers (declared in ldap_internal.h for the unit tests)       *
 * ------------------------------------------------------------------ */

static unsigned hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	return (unsigned)(tolower((unsigned char)c) - 'a') + 10;
}

bool hv_ldap_ad_data_code(const char *diag, unsigned long *out_code)
{
	/* "80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext
	 * error, data 52e, v4563": the word "data" after a separator, then
	 * a Win32 error code in hex (at most 8 digits), then "," or the end. */
	for (const char *p = diag; p && (p = strstr(p, "data ")) != NULL; p++) {
		const char *s = p + 5;
		size_t n = 0;

		if (p != diag && p[-1] != ' ' && p[-1] != ',')
			continue;
		while (n < 8 && isxdigit((unsigned char)s[n]))
			n++;
		if (n && (s[n] == ',' || s[n] == ' ' || !s[n])) {
			unsigned long code = 0;

			for (size_t i = 0; i < n; i++)
				code = code * 16 + hex_digit(s[i]);
			*out_code = code;
			return true;
		}
	}
	return false;
}

const char *hv_ldap_ad_data_text(unsigned long code)
{
	/* Win32 error codes (MS-ERREF 2.2) that AD's LDAP bind reports as
	 * "data NNN" (MS-ADTS 3.1.1.3.4.1.1 / KB 2000 "LDAP bind errors"). */
	static const struct {
		unsigned long code;
		const char *text;
	} known[] = {
		{0x525, "no such user"},
		{0x52e, "wrong password or unknown user"},
		{0x52f, "an account restriction prevents this logon"},
		{0x530, "logon not permitted at this time (logon hours)"},
		{0x531, "logon not permitted from this workstation"},
		{0x532, "the password has expired"},
		{0x533, "the account is disabled"},
		{0x701, "the account has expired"},
		{0x773, "the user must change the password first"},
		{0x775, "the account is locked out"},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].code == code)
			return known[i].text;
	return NULL;
}

/* Counts the URIs of a libldap URI list and those that are ldaps://. */
static void count_uris(const char *uri, size_t *out_all, size_t *out_tls)
{
	static const char sep[] = " \t,";
	const char *p = uri;

	*out_all = *out_tls = 0;
	while (p && *p) {
		size_t n;

		p += strspn(p, sep);
		n = strcspn(p, sep);
		if (!n)
			break;
		(*out_all)++;
		if (n > 8 && strncasecmp(p, "ldaps://", 8) == 0)
			(*out_tls)++;
		p += n;
	}
}

bool hv_ldap_uri_is_tls(const char *uri)
{
	size_t all, tls;

	count_uris(uri, &all, &tls);
	return all > 0 && tls == all;
}

int hv_ldap_check_options(const struct hv_ldap_options *opts,
			  struct hv_error *err)
{
	size_t all, tls;

	count_uris(opts->uri, &all, &tls);
	if (!all)
		return hv_error_set(err, HV_ERR_USAGE, NULL,
				    "no LDAP URI given");
	if (opts->timeout_ms < 0)
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "the timeout cannot be negative");
	if (opts->starttls && tls)
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "StartTLS and ldaps:// do not mix; "
				    "use one or the other");
	if (opts->bind == HV_LDAP_BIND_GSSAPI)
		return 0;
	if (opts->bind != HV_LDAP_BIND_SIMPLE)
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "unknown bind method %d", (int)opts->bind);
	if (!opts->user || !opts->user[0])
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "simple bind needs a user "
				    "(DN, UPN or DOMAIN\\user)");
	/* RFC 4513 5.1.2: a name with an empty password is an
	 * unauthenticated bind, which servers may accept as anonymous. */
	if (!opts->password || !opts->password[0])
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "simple bind needs a non-empty password");
	if (!(tls == all || opts->starttls) && !opts->allow_plaintext)
		return hv_error_set(err, HV_ERR_USAGE, opts->uri,
				    "simple bind over plain LDAP sends the "
				    "password in clear; use ldaps://, "
				    "--starttls, or --allow-plaintext");
	return 0;
}

const char *hv_ldap_sasl_secprops(bool tls)
{
	/* Plain LDAP: insist on a sealing layer (LDAP signing and sealing,
	 * which hardened AD requires). Inside TLS: no layer at all, as AD
	 * and Samba refuse SASL sign/seal over TLS (LDAP 53, "Sign or Seal
	 * are not allowed if TLS is used"). */
	return tls ? "maxssf=0" : "minssf=56";
}

/* ------------------------------------------------------------------ *
 * Errors                                                              *
 * ------------------------------------------------------------------ */

static bool unreachable(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	       rc == LDAP_TIMEOUT;
}

/* The category of a libldap result code (declared in ldap_internal.h). */
enum hv_err_category hv_ldap_category(int rc)
{
	switch (rc) {
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INAPPROPRIATE_AUTH:
	case LDAP_STRONG_AUTH_REQUIRED:
	case LDAP_CONFIDENTIALITY_REQUIRED:
	case LDAP_AUTH_METHOD_NOT_SUPPORTED:
	case LDAP_AUTH_UNKNOWN:
		return HV_ERR_CREDENTIALS;
	case LDAP_FILTER_ERROR:
	case LDAP_PARAM_ERROR:
	case LDAP_INVALID_DN_SYNTAX:
		return HV_ERR_USAGE;
	default:
		return HV_ERR_DIRECTORY;
	}
}

/* Records a libldap failure: the message, then the native code and the
 * server's diagnostic (AD's "0000208D: NameErr: ..." text). The format
 * attribute is on the declaration in ldap_internal.h. */
int hv_ldap_error(struct hv_error *err, LDAP *ld, int rc,
		  enum hv_err_category category, const char *where,
		  const char *fmt, ...)
{
	struct hv_strbuf msg = HV_STRBUF_INIT;
	char *diag = NULL;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	hv_error_set(err, category, where, "%s: %s", hv_strbuf_str(&msg),
		     hv_ldap_fn.ldap_err2string(rc));
	hv_strbuf_release(&msg);
	if (ld)
		hv_ldap_fn.ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE,
					   &diag);
	hv_error_native(err, "libldap", rc,
			diag && diag[0] ? diag
					: hv_ldap_fn.ldap_err2string(rc));
	hv_ldap_fn.ldap_memfree(diag);
	return category;
}

/* Advice for a failed GSSAPI bind from what Kerberos said (SASL puts the
 * GSS-API minor status text, from MIT krb5, in the diagnostic message):
 * "run kinit" only when there is no ticket or it expired. */
const char *hv_ldap_gssapi_advice(const char *diag)
{
	static const struct {
		const char *said, *advice;
	} known[] = {
		{"not found in Kerberos database",
		 " (the KDC knows no ldap/ principal for the name in the URI: "
		 "give the DC by its DNS name, not by its address, and check "
		 "the realm)"},
		{"No Kerberos credentials available",
		 " (no Kerberos ticket: run kinit; KRB5CCNAME selects the "
		 "cache)"},
		{"No credentials cache found",
		 " (no Kerberos ticket: run kinit; KRB5CCNAME selects the "
		 "cache)"},
		{"expired", " (the Kerberos ticket expired: run kinit again)"},
		{"Clock skew too great",
		 " (this machine's clock and the DC's differ by more than "
		 "Kerberos allows, 5 minutes by default: fix the time)"},
		{"Cannot find KDC", " (no KDC known for the realm: check "
				    "krb5.conf or DNS SRV records)"},
		{"Cannot contact any KDC",
		 " (the KDC did not answer: check port 88 and krb5.conf)"},
	};

	for (size_t i = 0; diag && i < sizeof(known) / sizeof(*known); i++)
		if (strstr(diag, known[i].said))
			return known[i].advice;
	return " (Kerberos refused it; the text below is its reason)";
}

/* A bind refused: the "data NNN" sub-code in plain words, the server's
 * diagnostic kept verbatim for the knowledge base. user is NULL for
 * GSSAPI. */
static int bind_error(struct hv_ldap *h, int rc, const char *user,
		      struct hv_error *err)
{
	struct hv_strbuf msg = HV_STRBUF_INIT;
	const char *why = NULL, *hint = "";
	unsigned long code = 0;
	char *diag = NULL;

	if (unreachable(rc))
		return hv_ldap_error(err, h->ld, rc, HV_ERR_DIRECTORY, h->uri,
				     "cannot reach the LDAP server");
	hv_ldap_fn.ldap_get_option(h->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag && hv_ldap_ad_data_code(diag, &code))
		why = hv_ldap_ad_data_text(code);
	if (!why)
		why = hv_ldap_fn.ldap_err2string(rc);
	if (rc == LDAP_LOCAL_ERROR && !user)
		hint = hv_ldap_gssapi_advice(diag);
	else if (rc == LDAP_AUTH_UNKNOWN && !user)
		hint = " (no usable SASL GSSAPI mechanism: is "
		       "libsasl2-modules-gssapi-mit installed?)";
	else if (rc == LDAP_STRONG_AUTH_REQUIRED)
		hint = " (the server wants signing or TLS)";
	if (user)
		hv_strbuf_addf(&msg, "simple bind as %s", user);
	else
		hv_strbuf_adds(&msg, "GSSAPI bind");
	hv_strbuf_addf(&msg, " refused: %s", why);
	if (code)
		hv_strbuf_addf(&msg, " (AD data %lx)", code);
	hv_strbuf_adds(&msg, hint);
	hv_error_set(err, HV_ERR_CREDENTIALS, h->uri, "%s",
		     hv_strbuf_str(&msg));
	hv_strbuf_release(&msg);
	hv_error_native(err, "libldap", rc,
			diag && diag[0] ? diag
					: hv_ldap_fn.ldap_err2string(rc));
	hv_ldap_fn.ldap_memfree(diag);
	return HV_ERR_CREDENTIALS;
}

/* ------------------------------------------------------------------ *
 * Connecting and binding                                              *
 * ------------------------------------------------------------------ */

static int set_session_options(struct hv_ldap *h, int timeout_ms,
			       struct hv_error *err)
{
	int version = LDAP_VERSION3;
	int ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	struct timeval tv = {ms / 1000, (suseconds_t)(ms % 1000) * 1000};
	int bad = 0;

	h->timeout_ms = ms;
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_PROTOCOL_VERSION,
					  &version);
	/* AD answers subtree searches at a domain head with continuation
	 * references to other partitions (ldap://lab.example.com/CN=
	 * Configuration,...). Chasing them means DNS and binding elsewhere;
	 * we read one naming context. */
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_REFERRALS,
					  LDAP_OPT_OFF);
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_TIMEOUT, &tv);
	/* The host in the URI names the service principal ldap/<host>:
	 * libldap would otherwise replace it by its reverse-DNS name, which
	 * for an IP or a load-balancer alias is the wrong principal. */
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_X_SASL_NOCANON,
					  LDAP_OPT_ON);
	if (bad)
		return hv_error_set(err, HV_ERR_UNEXPECTED, h->uri,
				    "libldap refused a session option");
	return 0;
}

/* Copies the CA locations of libldap's defaults (LDAPCONF, ldap.conf)
 * onto the handle: a handle's own TLS context starts empty. */
static int inherit_ca(LDAP *ld)
{
	static const int opts[] = {LDAP_OPT_X_TLS_CACERTFILE,
				   LDAP_OPT_X_TLS_CACERTDIR};
	int bad = 0;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char *value = NULL;

		if (hv_ldap_fn.ldap_get_option(NULL, opts[i], &value) ==
			    LDAP_OPT_SUCCESS &&
		    value)
			bad += hv_ldap_fn.ldap_set_option(ld, opts[i], value);
		hv_ldap_fn.ldap_memfree(value);
	}
	return bad;
}

static int set_tls_options(struct hv_ldap *h,
			   const struct hv_ldap_options *opts,
			   struct hv_error *err)
{
	int demand = LDAP_OPT_X_TLS_DEMAND, client = 0, bad = 0;
	size_t all, tls;

	count_uris(opts->uri, &all, &tls);
	if (!tls && !opts->starttls)
		return 0;
	/* RFC 4513 section 3.1.3: verify the chain and the server's name,
	 * whatever ldap.conf says about TLS_REQCERT. */
	bad += hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_X_TLS_REQUIRE_CERT,
					  &demand);
	if (opts->cacert)
		bad += hv_ldap_fn.ldap_set_option(
			h->ld, LDAP_OPT_X_TLS_CACERTFILE, opts->cacert);
	else
		bad += inherit_ca(h->ld);
	if (bad)
		return hv_error_set(err, HV_ERR_UNEXPECTED, h->uri,
				    "libldap refused a TLS option");
	/* The options above take effect in a new context of this handle. */
	if (hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_X_TLS_NEWCTX, &client))
		return hv_ldap_error(err, h->ld, LDAP_LOCAL_ERROR, HV_ERR_IO,
				     opts->cacert ? opts->cacert : h->uri,
				     "cannot set up TLS with these CA "
				     "certificates");
	return 0;
}

/* libldap bounds connect() with LDAP_OPT_NETWORK_TIMEOUT and synchronous
 * calls (StartTLS, binds, searches) with LDAP_OPT_TIMEOUT, but the TLS
 * handshake of ldaps:// with a server that accepts TCP and never answers
 * blocks in read() with no limit (OpenLDAP 2.5 with GnuTLS; a socket
 * receive timeout only makes GnuTLS spin on EAGAIN). A watchdog thread
 * shuts the socket down when the step outlives its limit, so the blocked
 * read returns and the handshake fails. */
struct watchdog {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hv_ldap *h;
	long long deadline_ms; /* CLOCK_MONOTONIC */
	bool done, fired;
};

static void *watch(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until = {w->deadline_ms / 1000,
				 (long)(w->deadline_ms % 1000) * 1000000};

	pthread_mutex_lock(&w->mu);
	while (!w->done &&
	       pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
		;
	if (!w->done && w->h->fd >= 0) {
		w->fired = true;
		shutdown(w->h->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs hv_ldap_fn.ldap_connect() under the watchdog; *out_fired says it fired.
 */
static int connect_watched(struct hv_ldap *h, bool *out_fired)
{
	struct watchdog w = {.h = h, .deadline_ms = now_ms() + h->timeout_ms};
	pthread_condattr_t attr;
	pthread_t thread;
	bool watching;
	int rc;

	pthread_mutex_init(&w.mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cv, &attr);
	pthread_condattr_destroy(&attr);
	watching = pthread_create(&thread, NULL, watch, &w) == 0;
	rc = hv_ldap_fn.ldap_connect(h->ld);
	pthread_mutex_lock(&w.mu);
	w.done = true;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
	if (watching)
		pthread_join(thread, NULL);
	*out_fired = w.fired;
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

/* libldap calls this once TCP is up and before any TLS handshake, so a
 * failure after it is TLS's (certificate, name), not the network's. */
static int on_connect(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv,
		      struct sockaddr *addr, struct ldap_conncb *ctx)
{
	struct hv_ldap *h = ctx->lc_arg;
	struct hv_strbuf uri = HV_STRBUF_INIT;
	int port = srv->lud_port;
	ber_socket_t fd = -1;

	(void)ld;
	(void)addr;
	h->tcp_up = true;
	if (hv_ldap_fn.ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1)
		h->fd = fd;
	/* Of a URI list, remember the server that answered: entries and
	 * errors cite it. */
	if (!port)
		port = strcasecmp(srv->lud_scheme, "ldaps") ? LDAP_PORT
							    : LDAPS_PORT;
	hv_strbuf_addf(&uri, "%s://", srv->lud_scheme);
	if (srv->lud_host && strchr(srv->lud_host, ':'))
		hv_strbuf_addf(&uri, "[%s]", srv->lud_host);
	else
		hv_strbuf_adds(&uri, srv->lud_host ? srv->lud_host : "");
	hv_strbuf_addf(&uri, ":%d", port);
	free(h->uri);
	h->uri = hv_strbuf_detach(&uri);
	return 0;
}

static void on_disconnect(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	(void)ld;
	(void)sb;
	(void)ctx;
}

static const char tls_failed[] =
	"TLS handshake failed (is the certificate signed by a CA we trust "
	"(--cacert) and does it name the host in the URI?)";

/* A step failed because the server said nothing in time: libldap's own
 * LDAP_TIMEOUT, or a dropped server once the limit has passed. */
static bool timed_out(const struct hv_ldap *h, int rc, long long start)
{
	return rc == LDAP_TIMEOUT ||
	       ((rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) &&
		now_ms() - start >= h->timeout_ms - 50);
}

static int timeout_error(struct hv_ldap *h, int rc, const char *step,
			 struct hv_error *err)
{
	/* no TCP connection yet: the SYN went unanswered (dropped by a
	 * firewall, or nothing at that address), which is not a server
	 * that accepted and then stayed silent */
	if (!h->tcp_up)
		return hv_ldap_error(
			err, h->ld, rc, HV_ERR_NETWORK, h->uri,
			"no answer to the connection within %d s (a firewall "
			"drops the packets, or no host has that address; "
			"--ldap-timeout changes the limit)",
			(h->timeout_ms + 999) / 1000);
	return hv_ldap_error(err, h->ld, rc, HV_ERR_NETWORK, h->uri,
			     "no answer during %s within %d s (a server that "
			     "accepts connections but never answers; check "
			     "the port and the protocol: ldaps:// is 636, "
			     "ldap:// is 389; --ldap-timeout changes the "
			     "limit)",
			     step, (h->timeout_ms + 999) / 1000);
}

static int connect_server(struct hv_ldap *h, bool starttls,
			  struct hv_error *err)
{
	long long start;
	bool fired;
	int rc;

	h->conncb.lc_add = on_connect;
	h->conncb.lc_del = on_disconnect;
	h->conncb.lc_arg = h;
	if (hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_CONNECT_CB, &h->conncb))
		return hv_error_set(err, HV_ERR_UNEXPECTED, h->uri,
				    "libldap refused a connection callback");
	start = now_ms();
	rc = connect_watched(h, &fired);
	if (rc != LDAP_SUCCESS) {
		hv_ldap_fn.ldap_get_option(h->ld, LDAP_OPT_RESULT_CODE, &rc);
		if (fired || timed_out(h, rc, start))
			return timeout_error(h, rc,
					     h->tcp_up ? "the TLS handshake"
						       : "connecting",
					     err);
		return hv_ldap_error(err, h->ld, rc, HV_ERR_DIRECTORY, h->uri,
				     "%s",
				     h->tcp_up ? tls_failed
					       : "cannot reach the LDAP "
						 "server");
	}
	if (starttls) {
		start = now_ms();
		rc = hv_ldap_fn.ldap_start_tls_s(h->ld, NULL, NULL);
		if (rc != LDAP_SUCCESS && timed_out(h, rc, start))
			return timeout_error(h, rc, "StartTLS", err);
		if (rc != LDAP_SUCCESS)
			return hv_ldap_error(err, h->ld, rc, HV_ERR_DIRECTORY,
					     h->uri, "StartTLS: %s",
					     rc == LDAP_CONNECT_ERROR
						     ? tls_failed
						     : "the server refused it");
	}
	h->tls = hv_ldap_fn.ldap_tls_inplace(h->ld) != 0;
	return 0;
}

static int bind_simple(struct hv_ldap *h, const struct hv_ldap_options *opts,
		       struct hv_error *err)
{
	struct berval cred;
	char *secret;
	int rc;

	/* Checked again on the live session: a URI list may have ended on
	 * a server without TLS. */
	if (!h->tls && !opts->allow_plaintext)
		return hv_error_set(err, HV_ERR_USAGE, h->uri,
				    "simple bind over plain LDAP sends the "
				    "password in clear; use ldaps://, "
				    "--starttls, or --allow-plaintext");
	/* libldap takes a mutable berval; the copy is wiped after use. */
	secret = hv_strdup(opts->password);
	cred.bv_val = secret;
	cred.bv_len = strlen(secret);
	rc = hv_ldap_fn.ldap_sasl_bind_s(h->ld, opts->user, LDAP_SASL_SIMPLE,
					 &cred, NULL, NULL, NULL);
	hv_free_secret(secret);
	if (rc != LDAP_SUCCESS)
		return bind_error(h, rc, opts->user, err);
	return 0;
}

/* SASL asks GSSAPI for at most an authorization identity: the empty
 * default means "the ticket's principal" (RFC 4752 section 3.1). We never
 * prompt. */
static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	(void)ld;
	(void)flags;
	(void)defaults;
	for (sasl_interact_t *item = in; item->id != SASL_CB_LIST_END; item++) {
		item->result = item->defresult ? item->defresult : "";
		item->len = (unsigned)strlen(item->result);
	}
	return LDAP_SUCCESS;
}

static int bind_gssapi(struct hv_ldap *h, struct hv_error *err)
{
	const char *props = hv_ldap_sasl_secprops(h->tls);
	ber_len_t ssf = 0;
	long long start;
	int rc;

	if (hv_ldap_fn.ldap_set_option(h->ld, LDAP_OPT_X_SASL_SECPROPS, props))
		return hv_error_set(err, HV_ERR_UNEXPECTED, h->uri,
				    "libldap refused SASL properties %s",
				    props);
	start = now_ms();
	rc = hv_ldap_fn.ldap_sasl_interactive_bind_s(
		h->ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
		sasl_interact, NULL);
	if (rc != LDAP_SUCCESS && timed_out(h, rc, start))
		return timeout_error(h, rc, "the GSSAPI bind", err);
	if (rc != LDAP_SUCCESS)
		return bind_error(h, rc, NULL, err);
	if (hv_ldap_fn.ldap_get_option(h->ld, LDAP_OPT_X_SASL_SSF, &ssf) ==
	    LDAP_OPT_SUCCESS)
		h->ssf = ssf > UINT_MAX ? UINT_MAX : (unsigned)ssf;
	/* minssf should have made this impossible; never read AD over an
	 * unprotected channel by accident. */
	if (!h->tls && h->ssf < SEAL_SSF)
		return hv_error_set(err, HV_ERR_DIRECTORY, h->uri,
				    "GSSAPI bind without sealing (SSF %u)",
				    h->ssf);
	return 0;
}

/* The base DN: the caller's, or the RootDSE's defaultNamingContext
 * (RFC 4512 section 5.1, MS-ADTS 3.1.1.3.2). */
static int find_base(struct hv_ldap *h, const char *base, struct hv_error *err)
{
	static char dnc[] = "defaultNamingContext";
	char *attrs[] = {dnc, NULL};
	LDAPMessage *res = NULL, *entry;
	struct berval **vals = NULL;
	int rc;

	if (base) {
		h->base_dn = hv_strdup(base);
		return 0;
	}
	rc = hv_ldap_fn.ldap_search_ext_s(h->ld, "", LDAP_SCOPE_BASE,
					  "(objectClass=*)", attrs, 0, NULL,
					  NULL, NULL, 1, &res);
	if (rc != LDAP_SUCCESS) {
		rc = hv_ldap_error(err, h->ld, rc, hv_ldap_category(rc), h->uri,
				   "cannot read the RootDSE");
		goto done;
	}
	entry = hv_ldap_fn.ldap_first_entry(h->ld, res);
	vals = entry ? hv_ldap_fn.ldap_get_values_len(h->ld, entry, dnc) : NULL;
	if (!vals || !vals[0] || !vals[0]->bv_len) {
		rc = hv_error_set(err, HV_ERR_DIRECTORY, h->uri,
				  "the RootDSE names no defaultNamingContext;"
				  " give the base DN");
		goto done;
	}
	h->base_dn = hv_strndup(vals[0]->bv_val, vals[0]->bv_len);
	rc = 0;
done:
	hv_ldap_fn.ldap_value_free_len(vals);
	hv_ldap_fn.ldap_msgfree(res);
	return rc;
}

int hv_ldap_open(const struct hv_ldap_options *opts, struct hv_ldap **out,
		 struct hv_error *err)
{
	struct hv_ldap *h = NULL;
	int rc;

	*out = NULL;
	rc = hv_ldap_check_options(opts, err);
	if (!rc)
		rc = hv_ldap_load(err);
	if (rc)
		goto done;
	h = hv_calloc(1, sizeof(*h));
	h->fd = -1;
	h->uri = hv_strdup(opts->uri);
	rc = hv_ldap_fn.ldap_initialize(&h->ld, opts->uri);
	if (rc != LDAP_SUCCESS) {
		rc = hv_error_set(err, HV_ERR_USAGE, opts->uri,
				  "not an LDAP URI (%s)",
				  hv_ldap_fn.ldap_err2string(rc));
		goto done;
	}
	rc = set_session_options(h, opts->timeout_ms, err);
	if (!rc)
		rc = set_tls_options(h, opts, err);
	if (!rc)
		rc = connect_server(h, opts->starttls, err);
	if (!rc && opts->bind == HV_LDAP_BIND_SIMPLE)
		rc = bind_simple(h, opts, err);
	else if (!rc)
		rc = bind_gssapi(h, err);
	if (!rc)
		rc = find_base(h, opts->base, err);
done:
	if (rc) {
		hv_ldap_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

const char *hv_ldap_base_dn(const struct hv_ldap *h)
{
	return h->base_dn;
}

const char *hv_ldap_uri(const struct hv_ldap *h)
{
	return h->uri;
}

unsigned hv_ldap_sasl_ssf(const struct hv_ldap *h)
{
	return h->ssf;
}

void hv_ldap_close(struct hv_ldap *h)
{
	if (!h)
		return;
	if (h->ld)
		hv_ldap_fn.ldap_unbind_ext_s(h->ld, NULL, NULL);
	free(h->uri);
	free(h->base_dn);
	free(h);
}

/* ------------------------------------------------------------------ *
 * Modifying                                                           *
 * ------------------------------------------------------------------ */

static void free_mods(LDAPMod *mods, size_t n)
{
	for (size_t i = 0; mods && i < n; i++) {
		free(mods[i].mod_type);
		/* mod_bvalues[0] is the start of the one berval block. */
		if (mods[i].mod_bvalues)
			free(mods[i].mod_bvalues[0]);
		free(mods[i].mod_bvalues);
	}
	free(mods);
}

static int build_mod(const struct hv_ldap_change *c, LDAPMod *mod,
		     struct hv_error *err)
{
	static const int ops[] = {
		[HV_LDAP_ADD_VALUES] = LDAP_MOD_ADD,
		[HV_LDAP_DELETE_VALUES] = LDAP_MOD_DELETE,
		[HV_LDAP_REPLACE] = LDAP_MOD_REPLACE,
	};
	struct berval *bv;

	if ((unsigned)c->op > HV_LDAP_REPLACE || !c->attr || !c->attr[0])
		return hv_error_set(err, HV_ERR_USAGE, NULL,
				    "bad modify request (op %d)", (int)c->op);
	/* RFC 4511 4.6: an add must carry at least one value. */
	if (c->op == HV_LDAP_ADD_VALUES && !c->n_values)
		return hv_error_set(err, HV_ERR_USAGE, NULL,
				    "adding no value to %s", c->attr);
	mod->mod_op = ops[c->op] | LDAP_MOD_BVALUES;
	mod->mod_type = hv_strdup(c->attr);
	if (!c->n_values)
		return 0;
	bv = hv_calloc(c->n_values, sizeof(*bv));
	mod->mod_bvalues = hv_calloc(c->n_values + 1, sizeof(struct berval *));
	for (size_t i = 0; i < c->n_values; i++) {
		bv[i].bv_val = c->values[i].data;
		bv[i].bv_len = c->values[i].len;
		mod->mod_bvalues[i] = &bv[i];
	}
	return 0;
}

static int modify_failed(struct hv_ldap *h, const char *dn, int rc,
			 struct hv_error *err)
{
	const char *what = "modify refused; nothing was changed";

	/* RFC 4511 4.6: the modifications are applied as one atomic
	 * operation, so a result code means all or nothing happened. A lost
	 * connection gives no result: then nobody knows. */
	if (unreachable(rc))
		what = "connection lost during the modify; it may or may "
		       "not have been applied: read the object back";
	else if (rc == LDAP_NO_SUCH_ATTRIBUTE)
		what = "a value to delete is not there; nothing was changed";
	else if (rc == LDAP_TYPE_OR_VALUE_EXISTS)
		what = "a value to add is already there; nothing was changed";
	else if (rc == LDAP_INSUFFICIENT_ACCESS)
		what = "the bound account may not change this object; "
		       "nothing was changed";
	return hv_ldap_error(err, h->ld, rc, hv_ldap_category(rc), dn, "%s",
			     what);
}

int hv_ldap_modify(struct hv_ldap *h, const char *dn,
		   const struct hv_ldap_change *changes, size_t n,
		   struct hv_error *err)
{
	LDAPMod *mods = NULL, **modv = NULL;
	int rc = 0;

	if (!dn || !dn[0] || !n)
		return hv_error_set(err, HV_ERR_USAGE, dn,
				    "modify needs a DN and changes");
	mods = hv_calloc(n, sizeof(*mods));
	modv = hv_calloc(n + 1, sizeof(LDAPMod *));
	for (size_t i = 0; i < n && !rc; i++) {
		rc = build_mod(&changes[i], &mods[i], err);
		modv[i] = &mods[i];
	}
	if (rc)
		goto done;
	rc = hv_ldap_fn.ldap_modify_ext_s(h->ld, dn, modv, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		rc = modify_failed(h, dn, rc, err);
done:
	free_mods(mods, n);
	free(modv);
	return rc;
}
