/* Renderers of `hvdoctor events`: the migration timeline and summary as
 * text for a person, JSON (schema "hvdoctor.events/1") for scripts, and
 * the Prometheus text format for node_exporter's or windows_exporter's
 * textfile collector. All read the same view. */
#ifndef HV_RENDER_EVENTS_H
#define HV_RENDER_EVENTS_H

#include "diagnosis/migrations.h"
#include "render/style.h"
#include "sources/evtx/evtx.h"

#define HV_EVENTS_SCHEMA "hvdoctor.events/1"

/* What was read from one input file. */
struct hv_events_file {
	const char *path;
	size_t records;	    /* records read */
	size_t records_bad; /* records that could not be read */
	size_t chunks;	    /* chunks present */
	unsigned header_chunks;
	bool dirty, no_crc;
	size_t problems, lost; /* problems found; those that lost data */
};

struct hv_events_view {
	const struct hv_kb *kb;
	const struct hv_mig_report *report;
	const struct hv_events_file *files;
	size_t n_files;
	const struct hv_mig_filter *filter;
	bool checked; /* some input came from a VMMS or HA log */
	int width;    /* columns for text */
};

/* Appends the text report to out. */
void hv_render_events_text(struct hv_strbuf *out,
			   const struct hv_events_view *view,
			   const struct hv_style *style);
/* Appends the JSON document (one object, newline-terminated). */
void hv_render_events_json(struct hv_strbuf *out,
			   const struct hv_events_view *view);
/* Appends the Prometheus text exposition (textfile collector). */
void hv_render_events_prom(struct hv_strbuf *out,
			   const struct hv_events_view *view);
/* "2026-11-12 08:00:05" (UTC) of a FILETIME; buf of 32 bytes. */
const char *hv_events_time(uint64_t filetime, char *buf);
/* Whether --since/--until/--vm/--host narrowed the report. */
bool hv_events_filtered(const struct hv_mig_filter *filter);

#endif
