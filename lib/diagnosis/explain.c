#include "diagnosis/explain.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much one symptom says: an exact code names one failure; a message
 * text narrows it; an event id like 21502 carries any migration failure
 * and says least. */
static int specificity(enum hv_sig_kind kind)
{
	switch (kind) {
	case HV_SIG_HRESULT:
	case HV_SIG_WIN32:
	case HV_SIG_KERBEROS:
		return 100;
	case HV_SIG_MESSAGE:
		return 60;
	case HV_SIG_EVENT:
		return 30;
	}
	return 30;
}

/* The first cause of a list gets the full weight; later ones less, but
 * slowly, so two symptoms agreeing on a second-listed cause outrank one
 * symptom's first. */
static int position_weight(int weight, size_t position)
{
	return weight * 10 / (10 + 4 * (int)position);
}

static struct hv_ranked *entry_for(struct hv_explanation *out, size_t cause)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->items[i].cause == cause)
			return &out->items[i];
	HV_GROW(out->items, out->n, out->cap);
	memset(&out->items[out->n], 0, sizeof(out->items[0]));
	out->items[out->n].cause = cause;
	return &out->items[out->n++];
}

static void add_why(struct hv_ranked *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_why(struct hv_ranked *r, const char *fmt, ...)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	HV_GROW(r->why, r->n_why, r->cap_why);
	r->why[r->n_why++] = hv_strbuf_detach(&sb);
}

static const char *ordinal(size_t n)
{
	static const char *const names[] = {"first",   "second", "third",
					    "fourth",  "fifth",	 "sixth",
					    "seventh", "eighth"};

	return n < 8 ? names[n] : "later";
}

static void score_symptoms(const struct hv_kb *kb,
			   const struct hv_symptoms *sym,
			   struct hv_explanation *out)
{
	for (size_t s = 0; s < sym->n; s++) {
		const struct hv_signature *sig = &kb->sigs[sym->items[s].sig];
		int weight = specificity(sig->kind);

		for (size_t c = 0; c < sig->n_causes; c++) {
			struct hv_ranked *r =
				entry_for(out, sig->cause_index[c]);
			int add = position_weight(weight, c);

			r->score += add;
			add_why(r, "%s lists it %s of %zu (+%d)",
				sym->items[s].matched, ordinal(c),
				sig->n_causes, add);
		}
	}
}

static void apply_rules(const struct hv_kb *kb, struct hv_explanation *out)
{
	for (size_t i = 0; i < out->n; i++) {
		struct hv_ranked *r = &out->items[i];
		const struct hv_cause *cause = &kb->causes[r->cause];

		for (size_t k = 0; k < cause->n_rules; k++) {
			const struct hv_rule *rule = &cause->rules[k];
			struct hv_strbuf conds = HV_STRBUF_INIT;
			bool holds = true;

			for (size_t c = 0; c < rule->n_cond && holds; c++) {
				char text[64];

				holds = hv_ctx_condition_holds(&out->context,
							       &rule->cond[c]);
				hv_ctx_condition_format(&rule->cond[c], text,
							sizeof(text));
				hv_strbuf_addf(&conds, "%s%s", c ? "," : "",
					       text);
			}
			if (holds) {
				r->score += rule->score;
				add_why(r, "%s: %s (%+d)",
					hv_strbuf_str(&conds), rule->reason,
					rule->score);
			}
			hv_strbuf_release(&conds);
		}
	}
}

/* Ties go to the more severe cause, then by id, so the output is stable
 * for scripts and golden tests. */
static bool ranks_before(const struct hv_kb *kb, const struct hv_ranked *x,
			 const struct hv_ranked *y)
{
	const struct hv_cause *cx = &kb->causes[x->cause];
	const struct hv_cause *cy = &kb->causes[y->cause];

	if (x->score != y->score)
		return x->score > y->score;
	if (cx->severity != cy->severity)
		return cx->severity > cy->severity;
	return strcmp(cx->id, cy->id) < 0;
}

/* Insertion sort: at most a few dozen causes, and no global state for a
 * comparison that needs the kb. */
static void sort_ranked(const struct hv_kb *kb, struct hv_explanation *out)
{
	for (size_t i = 1; i < out->n; i++) {
		struct hv_ranked item = out->items[i];
		size_t j = i;

		while (j > 0 && ranks_before(kb, &item, &out->items[j - 1])) {
			out->items[j] = out->items[j - 1];
			j--;
		}
		out->items[j] = item;
	}
}

void hv_explain_rank(const struct hv_kb *kb, const struct hv_symptoms *sym,
		     const struct hv_context *ctx, struct hv_explanation *out)
{
	out->context = *ctx;
	if (sym->has_phase && !ctx->known[HV_CTX_PHASE]) {
		out->context.value[HV_CTX_PHASE] = sym->phase;
		out->context.known[HV_CTX_PHASE] = true;
		out->context_from_text[HV_CTX_PHASE] = true;
	}
	if (sym->has_percent && !ctx->known[HV_CTX_PERCENT]) {
		out->context.value[HV_CTX_PERCENT] = sym->percent;
		out->context.known[HV_CTX_PERCENT] = true;
		out->context_from_text[HV_CTX_PERCENT] = true;
	}
	score_symptoms(kb, sym, out);
	apply_rules(kb, out);
	sort_ranked(kb, out);
}

/* In the order an admin should rule them out: the delegation and
 * authentication causes account for most failed moves, then the network,
 * then what differs between the hosts. */
static const char *const common_causes[] = {
	"kcd-missing-vsms",
	"kcd-kerberos-only-2016",
	"credssp-remote-initiation",
	"credssp-credential-guard",
	"port-6600-refused",
	"port-6600-filtered",
	"clock-skew",
	"spn-duplicate",
	"cpu-incompatible",
	"vm-version-unsupported",
	"vswitch-missing",
	"dest-insufficient-memory",
};

void hv_explain_common(const struct hv_kb *kb, struct hv_explanation *out)
{
	for (size_t i = 0; i < sizeof(common_causes) / sizeof(*common_causes);
	     i++) {
		long idx = hv_kb_cause_index(kb, common_causes[i]);

		if (idx >= 0)
			entry_for(out, (size_t)idx);
	}
}

void hv_explanation_release(struct hv_explanation *out)
{
	for (size_t i = 0; i < out->n; i++) {
		for (size_t w = 0; w < out->items[i].n_why; w++)
			free(out->items[i].why[w]);
		free(out->items[i].why);
	}
	free(out->items);
	memset(out, 0, sizeof(*out));
}
