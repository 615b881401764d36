#include "checks/kerberos_verdict.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void add(struct hv_prove_verdicts *out, long target, enum hv_level level,
		const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add(struct hv_prove_verdicts *out, long target, enum hv_level level,
		const char *cause, const char *fmt, ...)
{
	struct hv_prove_verdict *v;
	struct hv_strbuf msg = HV_STRBUF_INIT;
	va_list ap;

	HV_GROW(out->items, out->n, out->cap);
	v = &out->items[out->n++];
	v->target = target;
	v->level = level;
	v->cause = cause;
	va_start(ap, fmt);
	hv_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	v->message = hv_strbuf_detach(&msg);
}

/* Errors that mean the same wherever they come (RFC 4120 7.5.9). */
static const char *common_cause(int proto, int32_t code)
{
	if (hv_krb_kdc_unreachable(code))
		return "dc-unreachable";
	switch (proto) {
	case 37: /* KRB_AP_ERR_SKEW */
		return "clock-skew";
	case 7: /* KDC_ERR_S_PRINCIPAL_UNKNOWN */
		return "spn-missing";
	case 8: /* KDC_ERR_PRINCIPAL_NOT_UNIQUE */
		return "spn-duplicate";
	default:
		return NULL;
	}
}

static const char *name_of(int32_t code)
{
	const char *n = hv_krb_error_name(code);

	return n ? n : "error";
}

/* Before any target: the TGT, then the evidence ticket. False when the
 * targets could not be asked. */
static bool judge_start(const struct hv_krb_prove *p,
			struct hv_prove_verdicts *out)
{
	const struct hv_krb_answer *t = &p->tgt, *e = &p->s4u_self;
	int proto = hv_krb_protocol_code(t->code);
	const char *cause = common_cause(proto, t->code);

	if (t->code && p->keytab) {
		if (proto == 18)
			cause = "host-account-disabled";
		else if (proto == 6)
			cause = "host-account-missing";
		add(out, -1, cause ? HV_LEVEL_ERROR : HV_LEVEL_UNCHECKED, cause,
		    "no TGT for %s from the keytab: %s (%s)", p->as,
		    name_of(t->code), t->text ? t->text : "");
		return false;
	}
	if (t->code) {
		add(out, -1, HV_LEVEL_UNCHECKED, cause,
		    "no TGT in the ticket cache: %s (run kinit)",
		    t->text ? t->text : "");
		return false;
	}
	if (!p->keytab) {
		if (!t->forwardable)
			add(out, -1, HV_LEVEL_WARNING, "user-not-delegable",
			    "%s's TGT is not forwardable: sensitive, in "
			    "Protected Users, or kinit without -f",
			    p->client);
		return true;
	}
	if (e->code) {
		proto = hv_krb_protocol_code(e->code);
		cause = proto == 6 ? "admin-account-missing"
				   : common_cause(proto, e->code);
		add(out, -1, cause ? HV_LEVEL_ERROR : HV_LEVEL_UNCHECKED, cause,
		    "S4U2Self for %s refused: %s (%s)", p->user,
		    name_of(e->code), e->text ? e->text : "");
		return false;
	}
	return true;
}

/* A refused S4U2Proxy: what in AD makes the KDC say no. */
static const char *refusal_cause(const struct hv_krb_prove *p,
				 const struct hv_krb_hints *h,
				 const struct hv_krb_target *t,
				 const char **why)
{
	int proto = hv_krb_protocol_code(t->answer.code);
	const char *cause = common_cause(proto, t->answer.code);

	*why = "";
	if (cause || !p->keytab || (proto != 13 && proto != 12))
		return cause;
	if (!p->s4u_self.forwardable &&
	    (h->user_delegable == 0 || p->self_self.forwardable)) {
		*why = "the evidence ticket is not forwardable: the user "
		       "cannot be delegated";
		return "user-not-delegable";
	}
	if (!p->s4u_self.forwardable && h->source_transition == 0) {
		*why = "the evidence ticket is not forwardable: the source has "
		       "no protocol transition (Kerberos only)";
		return "kcd-kerberos-only-2016";
	}
	if (!p->s4u_self.forwardable) {
		*why = "the evidence ticket is not forwardable: the source "
		       "has no protocol transition, or the user cannot be "
		       "delegated; the KDC does not say which (give --ldap "
		       "or --ldif)";
		return "kcd-kerberos-only-2016";
	}
	*why = "the entry is not in the source's msDS-AllowedToDelegateTo";
	return t->service == HV_KRB_VSMS ? "kcd-missing-vsms"
					 : "kcd-missing-cifs";
}

static void judge_target(const struct hv_krb_prove *p,
			 const struct hv_krb_hints *h, size_t i,
			 struct hv_prove_verdicts *out)
{
	const struct hv_krb_target *t = &p->targets[i];
	const char *why, *cause;

	if (!t->answer.tried) {
		add(out, (long)i, HV_LEVEL_UNCHECKED, NULL, "%s: not asked",
		    t->spn);
		return;
	}
	if (t->answer.code == 0) {
		add(out, (long)i, HV_LEVEL_OK, NULL, "%s: ticket issued",
		    t->spn);
		return;
	}
	cause = refusal_cause(p, h, t, &why);
	add(out, (long)i, cause ? HV_LEVEL_ERROR : HV_LEVEL_UNCHECKED, cause,
	    "%s: %s (%s)%s%s", t->spn, name_of(t->answer.code),
	    t->answer.text ? t->answer.text : "", *why ? ": " : "", why);
}

void hv_krb_judge(const struct hv_krb_prove *p,
		  const struct hv_krb_hints *hints,
		  struct hv_prove_verdicts *out)
{
	static const struct hv_krb_hints unknown = {-1, -1};
	const struct hv_krb_hints *h = hints ? hints : &unknown;

	memset(out, 0, sizeof(*out));
	if (!judge_start(p, out))
		return;
	for (size_t i = 0; i < p->n_targets; i++)
		judge_target(p, h, i, out);
}

const struct hv_prove_verdict *
hv_prove_verdict_of(const struct hv_prove_verdicts *v, size_t target)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i].target == (long)target)
			return &v->items[i];
	return NULL;
}

size_t hv_prove_verdicts_count(const struct hv_prove_verdicts *v,
			       enum hv_level level)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += v->items[i].level == level;
	return n;
}

void hv_prove_verdicts_release(struct hv_prove_verdicts *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i].message);
	free(v->items);
	memset(v, 0, sizeof(*v));
}
