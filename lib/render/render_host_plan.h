/* The host-side fixes (remedy/host_plan.h) as a section of the plan's
 * PowerShell script: each step reads the host first and changes only
 * what differs, honours -WhatIf (the script's SupportsShouldProcess), and
 * carries the command that undoes it as a comment. Host names go through
 * hv_quote_ps, comments through hv_quote_comment. */
#ifndef HV_RENDER_HOST_PLAN_H
#define HV_RENDER_HOST_PLAN_H

#include "base/strbuf.h"
#include "remedy/host_plan.h"

/* Appends the section (nothing when plan is empty). */
void hv_render_host_plan_ps1(struct hv_strbuf *out,
			     const struct hv_host_plan *plan);

#endif
