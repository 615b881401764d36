/* Ranking the causes behind recognised symptoms. Each signature lists
 * its causes most likely first; a cause's score adds up what every
 * symptom says of it, weighted by how specific the symptom is (an exact
 * HRESULT says more than an event id that carries any failure), then the
 * admin's context rules move it up or down. Every step is kept as a
 * reason so the ranking can be shown, not just asserted. */
#ifndef HV_EXPLAIN_H
#define HV_EXPLAIN_H

#include "knowledge/context.h"
#include "knowledge/kb.h"
#include "diagnosis/symptoms.h"

struct hv_ranked {
	size_t cause; /* index into kb->causes */
	int score;
	char **why; /* one line per contribution, in order */
	size_t n_why, cap_why;
};

struct hv_explanation {
	struct hv_ranked *items; /* most likely first */
	size_t n, cap;
	struct hv_context context; /* the admin's, plus facts from text */
	bool context_from_text[HV_CTX_COUNT];
};

/* Ranks the causes of every symptom under ctx into out. Facts found in
 * the text (phase, percent) fill context keys the admin did not give. */
void hv_explain_rank(const struct hv_kb *kb, const struct hv_symptoms *sym,
		     const struct hv_context *ctx, struct hv_explanation *out);
/* The causes to show when nothing was recognised: the common ones, in
 * the order an admin should rule them out. */
void hv_explain_common(const struct hv_kb *kb, struct hv_explanation *out);
/* Frees what out owns. */
void hv_explanation_release(struct hv_explanation *out);

#endif
