/* Renderers of an explanation: text for a person (the answer first, then
 * what was recognised, wrapped to the terminal), JSON (schema
 * "hvdoctor.explain/1") for scripts. Both read the same structs. */
#ifndef HV_RENDER_EXPLAIN_H
#define HV_RENDER_EXPLAIN_H

#include "diagnosis/explain.h"
#include "render/style.h"

#define HV_EXPLAIN_SCHEMA "hvdoctor.explain/1"

struct hv_explain_view {
	const struct hv_kb *kb;
	const struct hv_symptoms *symptoms;
	const struct hv_explanation *ranking;
	/* The commands of this hvdoctor, NULL-terminated: advice names
	 * only these (a knowledge base may name one still being built);
	 * NULL means none, so only manual steps are shown. Borrowed. */
	const char *const *commands;
	size_t detailed; /* how many likely causes get full detail */
	int width;	 /* columns to wrap the text to */
	bool all;	 /* every cause in full, with the signatures' notes */
};

/* True if view->commands has the command a check names. */
bool hv_explain_can_run(const struct hv_explain_view *view,
			const struct hv_cause_check *check);
/* Appends the text report to out. */
void hv_render_explain_text(struct hv_strbuf *out,
			    const struct hv_explain_view *view,
			    const struct hv_style *style);
/* Appends the JSON document (one object, newline-terminated) to out. */
void hv_render_explain_json(struct hv_strbuf *out,
			    const struct hv_explain_view *view);

#endif
