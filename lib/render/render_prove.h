/* `prove` reports: text (the answer first, then every ticket asked for
 * and the KDC's answer, then what to change) and JSON (schema
 * hvdoctor.prove/1). Pure. Tickets and keys are never in them: only
 * names, flags and the KDC's error codes. */
#ifndef HV_RENDER_PROVE_H
#define HV_RENDER_PROVE_H

#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "render/style.h"
#include "sources/kerberos_prove.h"
#include "checks/kerberos_verdict.h"

/* What AD (audit's reading of it) expects for target i. */
enum hv_prove_expect {
	HV_EXPECT_UNKNOWN, /* no --ldap/--ldif, or an account not found */
	HV_EXPECT_ALLOWED,
	HV_EXPECT_REFUSED,
};

struct hv_prove_view {
	const struct hv_krb_prove *prove;
	const struct hv_prove_verdicts *verdicts;
	const struct hv_kb *kb;
	const enum hv_prove_expect *expect; /* per target, or NULL */
	const char *audit_label;	    /* the directory source, or NULL */
};

/* How many targets the KDC and the directory disagree on. */
size_t hv_prove_disagreements(const struct hv_prove_view *view);
void hv_render_prove_text(struct hv_strbuf *out,
			  const struct hv_prove_view *view,
			  const struct hv_style *style);
void hv_render_prove_json(struct hv_strbuf *out,
			  const struct hv_prove_view *view);

#endif
