/* Ranking the causes behind recognised symptoms, on the scale written in
 * kb/README.md ("How much a symptom says").
 *
 * Each signature lists its causes most likely first. What a signature
 * says of a cause is its information (one cause of all says everything,
 * one of many little), times how it was matched (a code says more than a
 * message text, a text more than a bare event id), times the cause's
 * place in the list. The strongest piece of evidence leads; the others
 * only corroborate (a quarter of their weight). Container signatures
 * (headlines such as "failed at migration source", events such as 21502
 * that carry any failure) are not evidence: they give a prior of at most
 * 10 points, used only when nothing specific was recognised. Then the
 * context rules move causes up or down, or rule them out. Every step is
 * kept as a reason so the ranking can be shown, not just asserted. */
#ifndef HV_EXPLAIN_H
#define HV_EXPLAIN_H

#include "knowledge/context.h"
#include "knowledge/kb.h"
#include "diagnosis/symptoms.h"

/* What the ranking rests on, strongest first. */
enum hv_basis {
	HV_BASIS_EVIDENCE, /* at least one specific signature */
	HV_BASIS_HEADLINE, /* only container signatures, and the context */
	HV_BASIS_CONTEXT,  /* no signature with causes: the facts alone */
	HV_BASIS_NOTHING,  /* nothing to rank by */
};

enum hv_verdict {
	HV_LIKELY,    /* a positive score */
	HV_RULED_OUT, /* a context rule says "out" */
	HV_UNLIKELY,  /* the context pushed the score to 0 or below */
};

/* Points on the scale of kb/README.md. */
#define HV_EVIDENCE_MAX 100 /* a code that names a single cause */
#define HV_PRIOR_MAX 10	    /* all container signatures together */
#define HV_EVIDENCE_MIN 10  /* a specific signature gives at least this */

struct hv_ranked {
	size_t cause; /* index into kb->causes */
	int score;    /* evidence (or prior) plus context; 0 if ruled out */
	int evidence; /* before the context rules */
	int prior;    /* from container signatures; breaks ties */
	enum hv_verdict verdict;
	size_t decisive; /* why[] index of the rule that ruled it out, or
			  * of its most negative rule (not HV_LIKELY) */
	char **why;	 /* one line per contribution, in order */
	size_t n_why, cap_why;
	/* owned, or NULL: a warning that belongs on the cause itself —
	 * its only evidence is a signature the knowledge base marks
	 * unverified, so it must not read as a plain "likely" */
	char *caveat;
};

struct hv_explanation {
	struct hv_ranked *items; /* likely first, by score; then the rest */
	size_t n, cap;
	size_t n_likely; /* items[0 .. n_likely) are likely */
	enum hv_basis basis;
	struct hv_context context; /* the admin's, plus facts from text */
	bool context_from_text[HV_CTX_COUNT];
};

/* Ranks under ctx the causes of every symptom into out (zeroed by the
 * caller). Facts found in the text fill the context keys the admin did
 * not give. Without specific evidence (only headlines, or nothing with
 * causes) a cause that one of the context rules speaks of is a candidate
 * as well, so the context decides. */
void hv_explain_rank(const struct hv_kb *kb, const struct hv_symptoms *sym,
		     const struct hv_context *ctx, struct hv_explanation *out);
/* Frees what out owns. */
void hv_explanation_release(struct hv_explanation *out);

#endif
