/* The plan as LDIF change records (RFC 2849) for ldapmodify, and the
 * records that undo it. */
#include "render/render_plan.h"

#include "sources/ldif.h"
#include "base/quote.h"

#include <stdio.h>
#include <string.h>

static void header(struct hv_strbuf *out, const struct hv_plan_view *v,
		   const char *what)
{
	hv_plan_header(out, v, what,
		       "Apply with:\n#   ldapmodify -H ldap://DC -Y GSSAPI "
		       "-f FILE\n");
	hv_strbuf_adds(out, "version: 1\n\n");
}

static void uac_value(struct hv_strbuf *out, uint32_t uac)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", uac);
	hv_ldif_put_value(out, "userAccountControl", num, strlen(num));
}

/* One record; undo swaps adds and deletes, and old and new UAC. */
static void record(struct hv_strbuf *out, const struct hv_action *act,
		   bool undo)
{
	bool add = act->kind == HV_ACT_ADD_DELEGATION ||
		   act->kind == HV_ACT_ADD_SPN;

	hv_plan_comment(out, act->why);
	hv_ldif_put_dn(out, act->dn);
	hv_strbuf_adds(out, "changetype: modify\n");
	if (act->kind == HV_ACT_SET_UAC) {
		hv_strbuf_adds(out, "delete: userAccountControl\n");
		uac_value(out, undo ? act->new_uac : act->old_uac);
		hv_strbuf_adds(out, "-\nadd: userAccountControl\n");
		uac_value(out, undo ? act->old_uac : act->new_uac);
		hv_strbuf_adds(out, "-\n\n");
		return;
	}
	hv_strbuf_addf(out, "%s: %s\n", add != undo ? "add" : "delete",
		       act->attr);
	for (size_t v = 0; v < act->n_values; v++)
		hv_ldif_put_value(out, act->attr, act->values[v],
				  strlen(act->values[v]));
	hv_strbuf_adds(out, "-\n\n");
}

void hv_render_plan_ldif(struct hv_strbuf *out, const struct hv_plan_view *v)
{
	header(out, v, "hvdoctor plan: the changes for ldapmodify");
	if (!v->plan->n)
		hv_strbuf_adds(out, "# nothing to change\n");
	for (size_t i = 0; i < v->plan->n; i++)
		record(out, &v->plan->actions[i], false);
}

void hv_render_plan_rollback(struct hv_strbuf *out,
			     const struct hv_plan_view *v)
{
	header(out, v,
	       "hvdoctor plan: ROLLBACK - undoes the plan, last "
	       "change first");
	for (size_t i = v->plan->n; i-- > 0;)
		record(out, &v->plan->actions[i], true);
}
