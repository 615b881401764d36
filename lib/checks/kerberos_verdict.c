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
	memset(v, 0, sizeof(*v));
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

/* A refusal is an error the KDC said; a KDC that could not be reached
 * said nothing: not checked (exit 3), never "refused" (exit 2). */
static enum hv_level level_of(const char *cause, int32_t code)
{
	if (!cause || hv_krb_kdc_unreachable(code))
		return HV_LEVEL_UNCHECKED;
	return HV_LEVEL_ERROR;
}

static const char *name_of(int32_t code)
{
	const char *n = hv_krb_error_name(code);

	return n ? n : "error";
}

static bool judge_keytab_tgt(const struct hv_krb_prove *p,
			     struct hv_prove_verdicts *out)
{
	const struct hv_krb_answer *t = &p->tgt;
	int proto = hv_krb_protocol_code(t->code);
	const char *cause = common_cause(proto, t->code);

	if (p->keytab_unreadable) {
		add(out, -1, HV_LEVEL_UNCHECKED, NULL,
		    hv_krb_keytab_lacks_key(t->code)
			    ? "the keytab %s has no usable key for %s, so no "
			      "ticket could be asked for: %s"
			    : "the keytab %s could not be read for %s, so the "
			      "KDC was not asked: %s",
		    p->keytab, p->as, t->text ? t->text : "");
		return false;
	}
	if (proto == 18)
		cause = "host-account-disabled";
	else if (proto == 6)
		cause = "host-account-missing";
	add(out, -1, level_of(cause, t->code), cause,
	    hv_krb_kdc_unreachable(t->code)
		    ? "could not ask the KDC for %s's TGT: %s (%s)"
		    : "no TGT for %s from the keytab: %s (%s)",
	    p->as, name_of(t->code), t->text ? t->text : "");
	return false;
}

/* Before any target: the TGT, then the evidence ticket. False when the
 * targets could not be asked. */
static bool judge_start(const struct hv_krb_prove *p,
			struct hv_prove_verdicts *out)
{
	const struct hv_krb_answer *t = &p->tgt, *e = &p->s4u_self;
	int proto;
	const char *cause;

	if (t->code && p->keytab)
		return judge_keytab_tgt(p, out);
	if (t->code) {
		add(out, -1, HV_LEVEL_UNCHECKED,
		    common_cause(hv_krb_protocol_code(t->code), t->code),
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
		add(out, -1, level_of(cause, e->code), cause,
		    "S4U2Self for %s refused: %s (%s)", p->user,
		    name_of(e->code), e->text ? e->text : "");
		return false;
	}
	return true;
}

static int hint_at(const signed char *per_target, size_t i)
{
	return per_target ? per_target[i] : -1;
}

/* The evidence ticket is not forwardable: which of its two causes
 * holds, by the KDC's own word (HOST$'s ticket for itself) or the
 * directory's; NULL when neither tells (*why says so). */
static const char *not_forwardable_cause(const struct hv_krb_prove *p,
					 const struct hv_krb_hints *h,
					 const char **why, bool *undecided)
{
	if (h->user_delegable == 0 || p->self_self.forwardable) {
		*why = "the evidence ticket is not forwardable: the user "
		       "cannot be delegated";
		return "user-not-delegable";
	}
	if (h->source_transition == 0) {
		*why = "the evidence ticket is not forwardable: the source has "
		       "no protocol transition (Kerberos only)";
		return "kcd-kerberos-only-2016";
	}
	*undecided = h->source_transition < 0 || h->user_delegable < 0;
	*why = *undecided ? "the evidence ticket is not forwardable (see "
			    "below)"
			  : "the evidence ticket is not forwardable, yet the "
			    "directory shows protocol transition and a "
			    "delegable user: they disagree";
	return NULL;
}

/* A refused S4U2Proxy: what in AD makes the KDC say no. */
static const char *refusal_cause(const struct hv_krb_prove *p,
				 const struct hv_krb_hints *h, size_t i,
				 const char **why, bool *undecided)
{
	const struct hv_krb_target *t = &p->targets[i];
	int proto = hv_krb_protocol_code(t->answer.code);
	const char *cause = common_cause(proto, t->answer.code);

	*why = "";
	if (cause || !p->keytab || (proto != 13 && proto != 12))
		return cause;
	/* no entry for this target: that is what to fix, whatever else
	 * (an unconstrained host has no list at all) */
	if (hint_at(h->listed, i) == 0) {
		*why = "the entry is not in the source's "
		       "msDS-AllowedToDelegateTo";
		return t->service == HV_KRB_VSMS ? "kcd-missing-vsms"
						 : "kcd-missing-cifs";
	}
	if (!p->s4u_self.forwardable)
		return not_forwardable_cause(p, h, why, undecided);
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
	bool undecided = false;

	if (!t->answer.tried) {
		add(out, (long)i, HV_LEVEL_UNCHECKED, NULL, "%s: not asked",
		    t->spn);
		return;
	}
	if (t->answer.code == 0 && hint_at(h->dest_disabled, i) == 1) {
		add(out, (long)i, HV_LEVEL_WARNING, "host-account-disabled",
		    "%s: ticket issued, but %s is disabled in the directory: "
		    "the KDC and the directory disagree",
		    t->spn, t->host);
		return;
	}
	if (t->answer.code == 0) {
		add(out, (long)i, HV_LEVEL_OK, NULL, "%s: ticket issued",
		    t->spn);
		return;
	}
	cause = refusal_cause(p, h, i, &why, &undecided);
	add(out, (long)i, level_of(cause, t->answer.code), cause,
	    "%s: %s (%s)%s%s", t->spn, name_of(t->answer.code),
	    t->answer.text ? t->answer.text : "", *why ? ": " : "", why);
	out->items[out->n - 1].quiet = undecided;
}

/* Without the directory a non-forwardable evidence ticket is one
 * finding naming both causes (MS-SFU 3.2.5.1.2: the service lacks
 * TRUSTED_TO_AUTH_FOR_DELEGATION, or the user is not delegable); each
 * refused ticket points to it quietly. */
static void fold_not_forwardable(const struct hv_krb_prove *p,
				 struct hv_prove_verdicts *out)
{
	size_t n = 0;

	for (size_t i = 0; i < out->n; i++)
		n += out->items[i].quiet;
	if (!n)
		return;
	add(out, -1, HV_LEVEL_UNCHECKED, NULL,
	    "%zu ticket%s refused because %s's evidence ticket is not "
	    "forwardable: either %s has no protocol transition "
	    "(kcd-kerberos-only-2016) or %s cannot be delegated "
	    "(user-not-delegable). The KDC does not say which; --ldap URI "
	    "or --ldif FILE lets the directory tell",
	    n, n == 1 ? "" : "s", p->user, p->as, p->user);
}

void hv_krb_judge(const struct hv_krb_prove *p,
		  const struct hv_krb_hints *hints,
		  struct hv_prove_verdicts *out)
{
	static const struct hv_krb_hints unknown = {-1, -1, NULL, NULL};
	const struct hv_krb_hints *h = hints ? hints : &unknown;

	memset(out, 0, sizeof(*out));
	if (!judge_start(p, out))
		return;
	for (size_t i = 0; i < p->n_targets; i++)
		judge_target(p, h, i, out);
	fold_not_forwardable(p, out);
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
