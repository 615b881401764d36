/* Building the estate for audit, plan and apply, with one set of
 * messages: a selection that leaves no host, or names a domain
 * controller, is an error (exit 3) in every command, never "nothing to
 * change"; a command that writes refuses an export that lacks what it
 * must read. */
#include "sources.h"

#include "base/term.h"
#include "render/export_hint.h"

#include <stdlib.h>

#include <stdio.h>

/* What a plan must read to add only what is missing. */
#define PLAN_NEEDS                                                             \
	(HV_ATTR_BIT(HV_ATTR_A2D) | HV_ATTR_BIT(HV_ATTR_UAC) |                 \
	 HV_ATTR_BIT(HV_ATTR_SPN) | HV_ATTR_BIT(HV_ATTR_DNS))

int cli_estate_build(struct hv_estate *est, const struct cli_sources *src,
		     const char *command, bool writes)
{
	struct hv_error err;
	struct hv_strbuf msg = HV_STRBUF_INIT;

	hv_error_clear(&err);
	if (hv_estate_build(est, &src->dir, &src->sel, &err) < 0) {
		/* the message names accounts: AD text, escaped */
		char *safe = hv_term_dup(err.message);

		cli_error("%s: %s", command, safe);
		free(safe);
		return HV_EXIT_INCOMPLETE;
	}
	if (!writes || !(est->gaps & PLAN_NEEDS))
		return 0;
	hv_attr_names(&msg, est->gaps & PLAN_NEEDS);
	cli_error("%s: the input lacks %s, so a plan could add what is "
		  "there or miss what is wrong; nothing was written. Export "
		  "what hvdoctor reads:",
		  command, msg.buf);
	hv_strbuf_reset(&msg);
	hv_export_hint(&msg, est, 2);
	fputs(msg.buf, stderr);
	hv_strbuf_release(&msg);
	return HV_EXIT_INCOMPLETE;
}
