/* Renderers of an audit: the text report for a person (summary, a
 * delegation matrix per migration domain, findings by severity) and JSON
 * (schema "hvdoctor.audit/1") for scripts. */
#ifndef HV_RENDER_AUDIT_H
#define HV_RENDER_AUDIT_H

#include "estate/estate.h"
#include "checks/checks.h"
#include "knowledge/kb.h"
#include "render/style.h"

#define HV_AUDIT_SCHEMA "hvdoctor.audit/1"
/* Above this many hosts a domain's matrix is summarised, not drawn. */
#define HV_MATRIX_MAX_HOSTS 30

struct hv_audit_view {
	const struct hv_estate *estate;
	const struct hv_findings *findings;
	const struct hv_kb *kb; /* titles; may be NULL */
	const char *source;	/* "estate.ldif" or the LDAP URI */
	bool input_damaged;	/* the source had errors: records are missing */
};

/* Per-domain pair counts, shared by both renderers. */
struct hv_pair_counts {
	size_t pairs;
	size_t ad_allowed; /* nothing in AD stands in the way */
	size_t ready;	   /* ... and both hosts' settings were read and
			      clear: 0 without snapshots */
	size_t full, partial, none;
};
/* The ordered pairs in scope, all domains together. */
size_t hv_audit_pairs_total(const struct hv_estate *est);

/* Fills counts[d] for every domain d (counts has n_domains elements). */
void hv_audit_pair_counts(const struct hv_estate *est,
			  struct hv_pair_counts *counts);
/* Appends the text report. */
void hv_render_audit_text(struct hv_strbuf *out,
			  const struct hv_audit_view *view,
			  const struct hv_style *style);
/* Appends the JSON document. */
void hv_render_audit_json(struct hv_strbuf *out,
			  const struct hv_audit_view *view);

#endif
