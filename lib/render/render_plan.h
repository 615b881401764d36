/* Renderers of a plan: LDIF for ldapmodify, the rollback LDIF that undoes
 * it, and an idempotent PowerShell script for the ActiveDirectory module.
 * All read the same struct hv_plan. */
#ifndef HV_RENDER_PLAN_H
#define HV_RENDER_PLAN_H

#include "base/strbuf.h"
#include <stdbool.h>
#include "remedy/plan.h"

struct hv_plan_view {
	const struct hv_plan *plan;
	const char *source;	/* where the estate was read, for headers */
	const char *audit_args; /* the audit command to verify with */
	bool host_steps;	/* host setting steps follow the script
				   (render_host_plan.h): it takes
				   -UndoHostSettings, which skips AD */
};

/* Appends "# text" with the text made safe for a comment. */
void hv_plan_comment(struct hv_strbuf *out, const char *text);
/* Appends the header both renderers share: title, source, "N changes on
 * M objects. " followed by `how` (lines of comment ending in a newline),
 * and the plan's warnings. */
void hv_plan_header(struct hv_strbuf *out, const struct hv_plan_view *v,
		    const char *title, const char *how);
/* Appends change records: adds as "add:", removals as "delete:" of the
 * exact values, a UAC change as delete-old/add-new so that a concurrent
 * change makes ldapmodify fail instead of being overwritten. */
void hv_render_plan_ldif(struct hv_strbuf *out,
			 const struct hv_plan_view *view);
/* Appends the change records that undo hv_render_plan_ldif's. */
void hv_render_plan_rollback(struct hv_strbuf *out,
			     const struct hv_plan_view *view);
/* Appends the PowerShell script: checks before it changes, supports
 * -WhatIf, says what it did, ends with what to run on each host. */
void hv_render_plan_ps1(struct hv_strbuf *out, const struct hv_plan_view *view);

#endif
