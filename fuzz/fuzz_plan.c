/* libFuzzer target for the plan builder and both plan renderers
 * (lib/remedy/plan.c, lib/render/render_plan_ps1.c, render_plan_ldif.c):
 * the input is an LDIF estate, its first byte picks the grouping and the
 * plan options. Beyond "no crash, no sanitizer report" it aborts if:
 *  1. the PowerShell script's code, outside string literals and comments,
 *     is not that of the same plan with every value neutral, under the
 *     UTF-8 reading and under the cp1252 reading (tests/support/
 *     ps_scan.h): a byte from AD became code;
 *  2. the LDIF for ldapmodify has a line that is none of the lines it
 *     writes (dn, changetype, add/delete of the action's attribute, its
 *     values, "-", comments, continuations): a line was injected;
 *  3. the rollback file does not read back as a backup, or names another
 *     change than the plan's id.
 * Run: tests/fuzz-run build-fuzz/fuzz_plan */
#include "base/strbuf.h"
#include "estate/estate.h"
#include "remedy/backup.h"
#include "remedy/plan.h"
#include "render/render_plan.h"
#include "sources/ldif.h"

#include "../tests/support/plan_neutral.h"
#include "../tests/support/ps_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_plan: %s\n", what);
		abort();
	}
}

static bool starts(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(line, word, n) == 0;
}

/* Every line of the forward LDIF is one the renderer writes. */
static void check_ldif(const char *text, const struct hv_plan *plan)
{
	size_t dns = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		check(len == 0 || p[0] == '#' || p[0] == ' ' ||
			      starts(p, len, "dn:") ||
			      starts(p, len, "version: 1") ||
			      starts(p, len, "changetype: modify") ||
			      starts(p, len, "add: ") ||
			      starts(p, len, "delete: ") ||
			      (len == 1 && p[0] == '-') ||
			      starts(p, len, "msDS-AllowedToDelegateTo:") ||
			      starts(p, len, "servicePrincipalName:") ||
			      starts(p, len, "userAccountControl:"),
		      "an LDIF line the renderer does not write");
		dns += starts(p, len, "dn:");
		p += len + (nl != NULL);
	}
	check(dns == plan->n, "more or fewer records than actions");
}

static char *render(void (*fn)(struct hv_strbuf *, const struct hv_plan_view *),
		    const struct hv_plan *plan, const char *source)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_plan_view view = {plan, source, "hvdoctor audit", false};

	fn(&out, &view);
	return hv_strbuf_detach(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_plan_options opts = hv_plan_defaults();
	struct hv_estate est;
	struct hv_plan plan, neutral;
	struct hv_backup bk = {0};
	struct hv_error err;
	char id[HV_BACKUP_ID_LEN + 1];
	char *ps1, *ref, *ldif, *undo;
	const char *verdict;
	bool empty_dn = false;

	if (size < 1)
		return 0;
	sel.grouping = data[0] & 1 ? HV_GROUP_OU : HV_GROUP_AUTO;
	opts.prune = data[0] & 2;
	opts.protocol =
		data[0] & 4 ? HV_PLAN_PROTOCOL_KERBEROS : HV_PLAN_PROTOCOL_ANY;
	hv_ldif_read_buffer("fuzz.ldif", (const char *)data + 1, size - 1, &dir,
			    &err);
	hv_estate_build(&est, &dir, &sel, &err);
	hv_plan_build(&est, &opts, &plan);
	ps1 = render(hv_render_plan_ps1, &plan, "fuzz.ldif");
	neutral_plan(&plan, &neutral);
	ref = render(hv_render_plan_ps1, &neutral, "x");
	verdict = ps_check(ps1, strlen(ps1), ref, strlen(ref));
	if (verdict)
		fprintf(stderr, "%s\n", verdict);
	check(!verdict, "a value escaped its PowerShell string");
	ldif = render(hv_render_plan_ldif, &plan, "fuzz.ldif");
	check_ldif(ldif, &plan);
	undo = render(hv_render_plan_rollback, &plan, "fuzz.ldif");
	/* an entry with an empty DN (the root DSE's, RFC 2849) can become an
	 * account and get actions: the backup reader rightly refuses a
	 * modify of "" - left to the estate to refuse, not checked here */
	for (size_t i = 0; i < plan.n; i++)
		if (!plan.actions[i].dn[0])
			empty_dn = true;
	if (plan.n && !empty_dn) {
		int rc = hv_backup_read_buffer("undo", undo, strlen(undo), &bk,
					       &err);

		if (rc)
			fprintf(stderr, "%s: %s\n", err.where, err.message);
		check(rc == 0, "the rollback file does not read back");
		hv_backup_plan_id(&plan, id);
		check(strcmp(id, bk.id) == 0, "the rollback names another id");
	}
	hv_backup_release(&bk);
	free(ps1);
	free(ref);
	free(ldif);
	free(undo);
	hv_plan_release(&neutral);
	hv_plan_release(&plan);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
	return 0;
}
