/* The plan as LDIF change records (RFC 2849) for ldapmodify, and the
 * records that undo it. */
#include "render/render_plan.h"

#include "base/quote.h"
#include "remedy/backup.h"
#include "sources/ldif.h"

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

/* One record. */
static void record(struct hv_strbuf *out, const struct hv_action *act)
{

	bool add = act->kind == HV_ACT_ADD_DELEGATION ||
		   act->kind == HV_ACT_ADD_SPN;

	hv_plan_comment(out, act->why);
	hv_ldif_put_dn(out, act->dn);
	hv_strbuf_adds(out, "changetype: modify\n");
	if (act->kind == HV_ACT_SET_UAC) {
		hv_strbuf_adds(out, "delete: userAccountControl\n");
		uac_value(out, act->old_uac);
		hv_strbuf_adds(out, "-\nadd: userAccountControl\n");
		uac_value(out, act->new_uac);
		hv_strbuf_adds(out, "-\n\n");
		return;
	}
	hv_strbuf_addf(out, "%s: %s\n", add ? "add" : "delete", act->attr);
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
		record(out, &v->plan->actions[i]);
}

/* The rollback is a backup (remedy/backup.h) without "# had:" lines:
 * `apply --rollback` reads it like the backup apply takes itself, and
 * ldapmodify undoes the plan with it value by value. */
void hv_render_plan_rollback(struct hv_strbuf *out,
			     const struct hv_plan_view *v)
{
	struct hv_backup bk = {0};
	struct hv_backup_info info = {
		"hvdoctor plan: ROLLBACK - undoes the plan, last change first",
		v->source, NULL};

	hv_backup_from_plan(&bk, v->plan, NULL);
	hv_backup_write(out, &bk, &info);
	hv_backup_release(&bk);
}
