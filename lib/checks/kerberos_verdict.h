/* What the KDC's answers to `prove` mean: each refusal mapped to what to
 * change in AD, as a cause id of the knowledge base. Pure.
 *
 * The KDC says little: every refused delegation reaches the client as
 * KDC_ERR_BADOPTION, whether the entry is missing from
 * msDS-AllowedToDelegateTo, the evidence ticket is not forwardable
 * (protocol transition off, or a user who cannot be delegated), or —
 * on Samba — RBCD is involved (tests/testbed/ESTATE.md). The evidence
 * tickets' FORWARDABLE flags are what tell these apart (MS-SFU 3.2.5.1.2:
 * the S4U2Self ticket is forwardable only when the service has
 * TRUSTED_TO_AUTH_FOR_DELEGATION and the user is delegable). */
#ifndef HV_KERBEROS_VERDICT_H
#define HV_KERBEROS_VERDICT_H

#include "sources/kerberos_prove.h"
#include "checks/probe_verdict.h"

struct hv_prove_verdict {
	long target; /* index into p->targets, or -1 for the whole run */
	enum hv_level level;
	const char *cause; /* static cause id, or NULL */
	char *message;	   /* owned */
	/* shown beside its ticket but not listed again among the findings:
	 * a run-level finding says what it means once */
	bool quiet;
};

struct hv_prove_verdicts {
	struct hv_prove_verdict *items;
	size_t n, cap;
};

/* What the directory says, when it was read (--ldap/--ldif): tells the
 * causes of a non-forwardable evidence ticket apart where the KDC's
 * answers cannot (Samba 4.17 gives a service no forwardable S4U2Self
 * ticket even for itself). -1 unknown, 0 no, 1 yes. */
struct hv_krb_hints {
	int source_transition; /* TRUSTED_TO_AUTH_FOR_DELEGATION */
	int user_delegable;    /* not NOT_DELEGATED, not Protected Users */
	/* per target, or NULL: the target's entry is in the source's
	 * msDS-AllowedToDelegateTo (an unconstrained host or one with
	 * nothing set has none: that is a missing entry, never "Kerberos
	 * only") */
	const signed char *listed;
	/* per target, or NULL: the destination's account is disabled */
	const signed char *dest_disabled;
};

/* One verdict per target (level OK when the ticket was issued), and one
 * for a failure before any target could be asked. hints may be NULL. */
void hv_krb_judge(const struct hv_krb_prove *p,
		  const struct hv_krb_hints *hints,
		  struct hv_prove_verdicts *out);
/* The verdict of target i, or NULL. */
const struct hv_prove_verdict *
hv_prove_verdict_of(const struct hv_prove_verdicts *v, size_t target);
size_t hv_prove_verdicts_count(const struct hv_prove_verdicts *v,
			       enum hv_level level);
void hv_prove_verdicts_release(struct hv_prove_verdicts *v);

#endif
