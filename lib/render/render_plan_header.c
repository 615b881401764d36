/* What both plan renderers (LDIF and PowerShell) write the same way: a
 * comment line, and the header with the source, the counts, how to run it
 * and the plan's warnings. Comments carry AD text, so it goes through
 * hv_quote_comment. */
#include "render/render_plan.h"

#include "base/alloc.h"
#include "base/quote.h"
#include "remedy/backup.h"

#include <stdlib.h>
#include <string.h>

void hv_plan_comment(struct hv_strbuf *out, const char *text)
{
	hv_strbuf_adds(out, "# ");
	hv_quote_comment(out, text);
	hv_strbuf_addch(out, '\n');
}

void hv_plan_header(struct hv_strbuf *out, const struct hv_plan_view *v,
		    const char *title, const char *how)
{
	size_t changes = hv_plan_changes(v->plan);
	size_t objects = hv_plan_objects(v->plan);
	char id[HV_BACKUP_ID_LEN + 1];

	hv_plan_comment(out, title);
	hv_strbuf_adds(out, "# estate read from: ");
	hv_quote_comment(out, v->source ? v->source : "");
	hv_backup_plan_id(v->plan, id);
	hv_strbuf_addf(out,
		       "\n# plan id %s (its rollback file and apply's backup "
		       "carry it too)",
		       id);
	hv_strbuf_addf(out, "\n# %zu change%s on %zu object%s. %s", changes,
		       changes == 1 ? "" : "s", objects,
		       objects == 1 ? "" : "s", how);
	for (size_t i = 0; i < v->plan->n_warnings; i++) {
		const char *w = v->plan->warnings[i];
		const char *cmd = hv_plan_warning_command(w);

		hv_strbuf_adds(out, "# warning: ");
		if (cmd) {
			/* the command on a line of its own (plan.h) */
			char *head = hv_strndup(w, (size_t)(cmd - w));

			hv_quote_comment(out, head);
			free(head);
			hv_strbuf_adds(out, "\n#     ");
			w = cmd + 2;
		}
		hv_quote_comment(out, w);
		hv_strbuf_addch(out, '\n');
	}
}
