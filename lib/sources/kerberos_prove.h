/* `prove`: asks the KDC, through MIT krb5, for exactly the tickets a live
 * migration needs, and records what it answered.
 *
 * With a keytab (the source host's key): a TGT for HOST$, then
 * S4U2Self for USER (MS-SFU 3.1.5.1.1: the "evidence" ticket, which must
 * be forwardable) and S4U2Proxy (MS-SFU 3.1.5.2) to every SPN of every
 * destination — the KDC checks msDS-AllowedToDelegateTo exactly as for a
 * remote-initiated move. Also S4U2Self for HOST$ itself: when USER's
 * evidence ticket is not forwardable, that one tells "USER cannot be
 * delegated" from "HOST$ has no protocol transition".
 *
 * Without a keytab: the caller's own ticket cache (kinit): is the TGT
 * forwardable, and does the KDC issue a service ticket for each SPN.
 *
 * Credentials are kept in a MEMORY: cache that is destroyed before
 * return; the caller's cache is only read (service tickets are not
 * stored in it). Keys and tickets are never copied out. Records; does
 * not judge (kerberos_verdict.c does). */
#ifndef HV_KERBEROS_PROVE_H
#define HV_KERBEROS_PROVE_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_krb_service { HV_KRB_VSMS, HV_KRB_CIFS };

/* One answer of the KDC: code 0 is a ticket; else a krb5 error code. */
struct hv_krb_answer {
	bool tried;
	int32_t code;
	char *text;	  /* krb5's message, owned, or NULL */
	bool forwardable; /* the ticket's FORWARDABLE flag (code 0) */
};

struct hv_krb_target {
	char *host; /* as given with --to; owned */
	enum hv_krb_service service;
	bool fqdn; /* the FQDN form of the SPN, else the short name */
	char *spn; /* "cifs/HV02.corp.example"; owned */
	struct hv_krb_answer answer;
};

struct hv_krb_prove {
	/* in (borrowed) */
	const char *keytab; /* NULL: the caller's own ticket cache */
	const char *as;	    /* "HV01$" with a keytab */
	const char *user;   /* S4U2Self for this user */
	const char *domain; /* DNS domain for FQDNs; NULL: the realm */
	/* out */
	char *realm;  /* owned */
	char *client; /* HOST$@REALM or the cache's principal; owned */
	/* the keytab could not be read, or holds no key for `as`: the
	 * KDC was not asked (tgt.code says why) */
	bool keytab_unreadable;
	struct hv_krb_answer tgt;	/* HOST$'s TGT, or the cache's */
	struct hv_krb_answer s4u_self;	/* evidence ticket for user */
	struct hv_krb_answer self_self; /* evidence ticket for HOST$ */
	struct hv_krb_target *targets;
	size_t n_targets;
};

/* The SPN forms of each destination (migration service and cifs, short
 * name and FQDN) are asked for. fqdns[i] may give the FQDN of to[i]
 * (AD's dNSHostName) or be NULL. Returns 0 when every question was put
 * (answers may be refusals), HV_ERR_USAGE for bad input, HV_ERR_IO when
 * the keytab cannot be read, HV_ERR_CREDENTIALS when there is no ticket
 * cache. */
int hv_krb_prove_run(struct hv_krb_prove *p, const char *const *to,
		     const char *const *fqdns, size_t n_to,
		     struct hv_error *err);
/* The protocol error number of a krb5 KDC error (13 for
 * KRB5KDC_ERR_BADOPTION), or -1 when it is not one. */
int hv_krb_protocol_code(int32_t code);
/* "KDC_ERR_BADOPTION", "KRB_AP_ERR_SKEW", … or NULL. */
const char *hv_krb_error_name(int32_t code);
/* True when no KDC could be asked: none answered (KRB5_KDC_UNREACH) or
 * none was found for the realm. Not an answer of the KDC. */
bool hv_krb_kdc_unreachable(int32_t code);
/* True when code says the keytab has no usable key for the principal
 * (KRB5_KT_NOTFOUND), as opposed to a file that could not be read. */
bool hv_krb_keytab_lacks_key(int32_t code);
/* Frees what p owns. */
void hv_krb_prove_release(struct hv_krb_prove *p);

#endif
