/* Renderers of an explanation: text for a person, JSON (schema
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
	bool recognised; /* false: ranking holds the common causes */
	size_t detailed; /* how many causes get full detail */
};

/* Appends the text report to out. */
void hv_render_explain_text(struct hv_strbuf *out,
			    const struct hv_explain_view *view,
			    const struct hv_style *style);
/* Appends the JSON document (one object, newline-terminated) to out. */
void hv_render_explain_json(struct hv_strbuf *out,
			    const struct hv_explain_view *view);

#endif
