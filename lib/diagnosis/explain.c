/* The ranking of explain.h, on the scale of kb/README.md. */
#include "diagnosis/explain.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The others' share when the strongest evidence leads: correlated
 * symptoms (a headline, its event, its HRESULT) must not add up as if
 * each were independent proof. */
#define CORROBORATION 0.25

/* What was matched, not the record's kind: an exact code names one
 * error; Microsoft's exact wording nearly so; an event id alone only
 * says which log entry it was. */
static double match_weight(enum hv_match how)
{
	switch (how) {
	case HV_MATCH_CODE:
		return 1.0;
	case HV_MATCH_TEXT:
		return 0.9;
	case HV_MATCH_EVENT_ID:
		return 0.5;
	}
	return 0.5;
}

/* The first cause of a list gets the full weight; later ones less, but
 * slowly: 1, .71, .56, .45, .38 ... */
static double position_weight(size_t position)
{
	return 10.0 / (10.0 + 4.0 * (double)position);
}

static int round_points(double x)
{
	return x < 0 ? -(int)(-x + 0.5) : (int)(x + 0.5);
}

/* One cause's share of one symptom. */
struct piece {
	double value;
	size_t symptom, position;
};

/* A cause while it is being scored. */
struct tally {
	struct piece *specific, *container;
	size_t n_specific, cap_specific, n_container, cap_container;
};

static void add_piece(struct piece **items, size_t *n, size_t *cap,
		      double value, size_t symptom, size_t position)
{
	HV_GROW(*items, *n, *cap);
	(*items)[*n] = (struct piece){value, symptom, position};
	(*n)++;
}

/* The strongest piece first, the rest by value: the order they are
 * shown in and summed. */
static void sort_pieces(struct piece *items, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct piece p = items[i];
		size_t j = i;

		while (j > 0 && items[j - 1].value < p.value) {
			items[j] = items[j - 1];
			j--;
		}
		items[j] = p;
	}
}

static double lead_and_corroborate(const struct piece *items, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += i ? CORROBORATION * items[i].value : items[i].value;
	return sum;
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

/* How a symptom is named in a reason: the code as written, "event N",
 * or the start of the message text in quotes. */
static void symptom_label(const struct hv_kb *kb, const struct hv_symptom *s,
			  char *buf, size_t size)
{
	const struct hv_signature *sig = &kb->sigs[s->sig];

	if (s->how == HV_MATCH_EVENT_ID)
		snprintf(buf, size, "event %u", sig->event);
	else if (s->how == HV_MATCH_CODE)
		snprintf(buf, size, "%.40s", s->matched);
	/* a match without blanks (a paste with its words run together)
	 * cannot wrap: short enough for the narrowest report */
	else if (strlen(s->matched) > 24 && !strpbrk(s->matched, " \t\n"))
		snprintf(buf, size, "\"%.21s...\"", s->matched);
	else if (strlen(s->matched) > 36)
		snprintf(buf, size, "\"%.33s...\"", s->matched);
	else
		snprintf(buf, size, "\"%s\"", s->matched);
}

static void why_piece(const struct hv_kb *kb, const struct hv_symptoms *sym,
		      struct hv_ranked *r, const struct piece *p, bool lead,
		      bool container)
{
	const struct hv_symptom *s = &sym->items[p->symptom];
	size_t listed = kb->sigs[s->sig].n_causes;
	int points = round_points(lead ? p->value : CORROBORATION * p->value);
	char label[64];

	symptom_label(kb, s, label, sizeof(label));
	if (container)
		add_why(r,
			"%s, which any failure of its kind shows, names it "
			"as cause %zu of %zu (prior +%d)",
			label, p->position + 1, listed, points);
	else if (listed == 1)
		add_why(r, "%s names this cause only (+%d)", label, points);
	else
		add_why(r, "%s names it %sas cause %zu of %zu (+%d)", label,
			lead ? "" : "too, ", p->position + 1, listed, points);
}

static void tally_symptoms(const struct hv_kb *kb,
			   const struct hv_symptoms *sym, struct tally *t)
{
	for (size_t s = 0; s < sym->n; s++) {
		const struct hv_signature *sig = &kb->sigs[sym->items[s].sig];
		double weight = HV_EVIDENCE_MAX * sig->info *
				match_weight(sym->items[s].how);

		for (size_t c = 0; c < sig->n_causes; c++) {
			struct tally *tc = &t[sig->cause_index[c]];
			double e = weight * position_weight(c);

			if (sig->container) {
				add_piece(&tc->container, &tc->n_container,
					  &tc->cap_container,
					  HV_PRIOR_MAX * position_weight(c), s,
					  c);
				continue;
			}
			if (e < HV_EVIDENCE_MIN)
				e = HV_EVIDENCE_MIN;
			add_piece(&tc->specific, &tc->n_specific,
				  &tc->cap_specific, e, s, c);
		}
	}
}

static bool any_fact(const struct hv_context *ctx)
{
	for (int k = 0; k < HV_CTX_COUNT; k++)
		if (ctx->known[k])
			return true;
	return false;
}

/* Facts read from the text refine a ranking but never start one: a
 * cluster event that names no cause must not make every cluster cause
 * "likely". What the admin said (ctx) ranks on its own only when nothing
 * was given to read: context says which causes can apply, not that one
 * happened, so text in which nothing names a cause names none (issue
 * 23). */
static enum hv_basis basis_of(const struct hv_kb *kb,
			      const struct hv_symptoms *sym,
			      const struct hv_context *ctx)
{
	enum hv_basis basis = HV_BASIS_NOTHING;
	bool outside = false;

	for (size_t s = 0; s < sym->n; s++) {
		const struct hv_signature *sig = &kb->sigs[sym->items[s].sig];

		outside |= sig->outside != NULL;
		if (!sig->n_causes)
			continue;
		if (!sig->container)
			return HV_BASIS_EVIDENCE;
		basis = HV_BASIS_HEADLINE;
	}
	/* what happened is known to lie elsewhere: the headline it came
	 * with says nothing of the causes it lists */
	if (outside)
		return HV_BASIS_NOTHING;
	return basis == HV_BASIS_NOTHING && any_fact(ctx) &&
			       !hv_symptoms_given(sym)
		       ? HV_BASIS_CONTEXT
		       : basis;
}

static bool unverified(const struct hv_signature *sig)
{
	return sig->status && strcmp(sig->status, "unverified") == 0;
}

/* When every specific piece of evidence comes from unverified
 * signatures, the cause says so itself (kb/README.md: `status`). */
static char *unverified_caveat(const struct hv_kb *kb,
			       const struct hv_symptoms *sym,
			       const struct tally *t)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char label[64];

	for (size_t i = 0; i < t->n_specific; i++)
		if (!unverified(
			    &kb->sigs[sym->items[t->specific[i].symptom].sig]))
			return NULL;
	symptom_label(kb, &sym->items[t->specific[0].symptom], label,
		      sizeof(label));
	hv_strbuf_addf(&sb,
		       "unverified: the only evidence, %s, is a signature "
		       "whose meaning is not confirmed; check by hand "
		       "before acting on this cause",
		       label);
	return hv_strbuf_detach(&sb);
}

static struct hv_ranked *new_entry(struct hv_explanation *out, size_t cause)
{
	HV_GROW(out->items, out->n, out->cap);
	memset(&out->items[out->n], 0, sizeof(out->items[0]));
	out->items[out->n].cause = cause;
	return &out->items[out->n++];
}

/* Turns one cause's tally into an entry, with its reasons; NULL when the
 * basis does not make it a candidate. */
static struct hv_ranked *score_tally(const struct hv_kb *kb,
				     const struct hv_symptoms *sym,
				     struct hv_explanation *out, size_t cause,
				     struct tally *t)
{
	bool evidence = out->basis == HV_BASIS_EVIDENCE;
	double prior;
	struct hv_ranked *r;

	if (evidence ? !t->n_specific : !t->n_container)
		return NULL;
	sort_pieces(t->specific, t->n_specific);
	sort_pieces(t->container, t->n_container);
	prior = lead_and_corroborate(t->container, t->n_container);
	r = new_entry(out, cause);
	r->prior = round_points(prior > HV_PRIOR_MAX ? HV_PRIOR_MAX : prior);
	if (!evidence) {
		r->evidence = r->prior;
		for (size_t i = 0; i < t->n_container; i++)
			why_piece(kb, sym, r, &t->container[i], i == 0, true);
		return r;
	}
	r->evidence =
		round_points(lead_and_corroborate(t->specific, t->n_specific));
	for (size_t i = 0; i < t->n_specific; i++)
		why_piece(kb, sym, r, &t->specific[i], i == 0, false);
	r->caveat = unverified_caveat(kb, sym, t);
	return r;
}

/* Applies the cause's context rules to r; returns true if any held. */
static bool apply_rules(const struct hv_kb *kb, struct hv_explanation *out,
			struct hv_ranked *r)
{
	const struct hv_cause *cause = &kb->causes[r->cause];
	bool any = false, out_rule = false;
	int lowest = 0;

	r->score = r->evidence;
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
			hv_strbuf_addf(&conds, "%s%s", c ? "," : "", text);
		}
		if (holds) {
			any = true;
			if ((rule->out && !out_rule) ||
			    (!out_rule && rule->score < lowest)) {
				r->decisive = r->n_why;
				lowest = rule->score;
			}
			out_rule |= rule->out;
			r->score += rule->score;
			if (rule->out)
				add_why(r, "%s: %s (ruled out)",
					hv_strbuf_str(&conds), rule->reason);
			else
				add_why(r, "%s: %s (%+d)",
					hv_strbuf_str(&conds), rule->reason,
					rule->score);
		}
		hv_strbuf_release(&conds);
	}
	r->verdict = out_rule	    ? HV_RULED_OUT
		     : r->score > 0 ? HV_LIKELY
				    : HV_UNLIKELY;
	if (out_rule)
		r->score = 0;
	return any;
}

/* Likely before the rest, then by score; ruled out (0) before unlikely
 * (0 or less); ties go to the larger prior, the more severe cause, then
 * the id, so the output is stable for scripts and tests. */
static bool ranks_before(const struct hv_kb *kb, const struct hv_ranked *x,
			 const struct hv_ranked *y)
{
	const struct hv_cause *cx = &kb->causes[x->cause];
	const struct hv_cause *cy = &kb->causes[y->cause];

	if ((x->verdict == HV_LIKELY) != (y->verdict == HV_LIKELY))
		return x->verdict == HV_LIKELY;
	if (x->score != y->score)
		return x->score > y->score;
	if (x->verdict != y->verdict)
		return x->verdict < y->verdict;
	if (x->prior != y->prior)
		return x->prior > y->prior;
	if (cx->severity != cy->severity)
		return cx->severity > cy->severity;
	return strcmp(cx->id, cy->id) < 0;
}

/* Insertion sort: a few dozen causes at most, and a comparison that
 * needs the kb. */
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
	out->n_likely = 0;
	while (out->n_likely < out->n &&
	       out->items[out->n_likely].verdict == HV_LIKELY)
		out->n_likely++;
}

static void release_entry(struct hv_ranked *r)
{
	for (size_t w = 0; w < r->n_why; w++)
		free(r->why[w]);
	free(r->why);
	free(r->caveat);
}

/* Facts read from the text fill what the admin did not say. */
static void merge_context(const struct hv_symptoms *sym,
			  const struct hv_context *ctx,
			  struct hv_explanation *out)
{
	out->context = *ctx;
	for (int k = 0; k < HV_CTX_COUNT; k++) {
		if (ctx->known[k] || !sym->fact[k].known)
			continue;
		out->context.value[k] = sym->fact[k].value;
		out->context.known[k] = true;
		out->context_from_text[k] = true;
	}
}

void hv_explain_rank(const struct hv_kb *kb, const struct hv_symptoms *sym,
		     const struct hv_context *ctx, struct hv_explanation *out)
{
	struct tally *t =
		hv_calloc(kb->n_causes ? kb->n_causes : 1, sizeof(*t));
	bool admin = any_fact(ctx);

	merge_context(sym, ctx, out);
	out->basis = basis_of(kb, sym, ctx);
	tally_symptoms(kb, sym, t);
	for (size_t c = 0; c < kb->n_causes; c++) {
		struct hv_ranked *r =
			out->basis == HV_BASIS_CONTEXT ||
					out->basis == HV_BASIS_NOTHING
				? NULL
				: score_tally(kb, sym, out, c, &t[c]);
		bool listed = r != NULL;

		/* Without specific evidence what the admin said decides:
		 * a cause that one of its rules speaks of is a candidate
		 * too. */
		if (!r && admin &&
		    (out->basis == HV_BASIS_HEADLINE ||
		     out->basis == HV_BASIS_CONTEXT))
			r = new_entry(out, c);
		if (r && !apply_rules(kb, out, r) && !listed) {
			release_entry(r);
			out->n--;
		}
		free(t[c].specific);
		free(t[c].container);
	}
	free(t);
	sort_ranked(kb, out);
}

void hv_explanation_release(struct hv_explanation *out)
{
	for (size_t i = 0; i < out->n; i++)
		release_entry(&out->items[i]);
	free(out->items);
	memset(out, 0, sizeof(*out));
}
