/* `probe` reports: text for people (the answer first, then a host x port
 * table, clocks, names, and every finding with its cause id) and JSON
 * (schema hvdoctor.probe/1). Pure: they write into a strbuf. */
#ifndef HV_RENDER_PROBE_H
#define HV_RENDER_PROBE_H

#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "render/style.h"
#include "sources/probe.h"
#include "checks/probe_verdict.h"

struct hv_probe_view {
	const struct hv_probe_run *run;
	const struct hv_probe_verdicts *verdicts;
	const struct hv_kb *kb; /* cause titles */
	int columns;		/* output width (80 or $COLUMNS) */
};

void hv_render_probe_text(struct hv_strbuf *out,
			  const struct hv_probe_view *view,
			  const struct hv_style *style);
void hv_render_probe_json(struct hv_strbuf *out,
			  const struct hv_probe_view *view);
/* Appends text (made safe) wrapped at width, continuation lines indented
 * by indent; the first line continues the current one at column indent. */
void hv_render_wrapped(struct hv_strbuf *out, const char *text, int indent,
		       int width);
/* Appends s with everything but printable ASCII replaced by '?': names
 * from DNS and text from the network are hostile on a terminal. */
void hv_render_safe(struct hv_strbuf *out, const char *s);

#endif
