/* The remediation plan and its renderers: exactly the missing entries,
 * the options, removals first, the rollback as the exact inverse, hostile
 * names quoted (or refused) in PowerShell, and the expected script text
 * for the sample estate (tests/fixtures/plan/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "estate/estate.h"
#include "base/strbuf.h"
#include "sources/ldif.h"
#include "remedy/plan.h"
#include "base/quote.h"
#include "render/render_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define MV "Microsoft Virtual System Migration Service"

/* HV1 delegates fully to HV2; HV2 to nobody, "Kerberos only", 2022;
 * HV3 (2012 R2) holds HV1's migration SPN as well. */
static const char three_hosts[] =
	"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
	"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
	"operatingSystemVersion: 10.0 (20348)\n"
	"servicePrincipalName: HOST/HV1\nservicePrincipalName: HOST/hv1.t\n"
	"servicePrincipalName: " MV "/HV1\nservicePrincipalName: " MV "/hv1.t\n"
	"msDS-AllowedToDelegateTo: " MV "/HV2\n"
	"msDS-AllowedToDelegateTo: " MV "/hv2.t\n"
	"msDS-AllowedToDelegateTo: cifs/HV2\n"
	"msDS-AllowedToDelegateTo: cifs/hv2.t\n\n"
	"dn: CN=HV2,DC=t\nobjectClass: computer\nsAMAccountName: HV2$\n"
	"dNSHostName: hv2.t\nuserAccountControl: 4096\n"
	"operatingSystemVersion: 10.0 (20348)\n"
	"servicePrincipalName: HOST/HV2\nservicePrincipalName: HOST/hv2.t\n"
	"servicePrincipalName: " MV "/HV2\nservicePrincipalName: " MV
	"/hv2.t\n\n";

struct fixture {
	struct hv_directory dir;
	struct hv_selection sel;
	struct hv_estate est;
	struct hv_plan plan;
};

static void build(struct fixture *fx, const char *ldif, const char *hosts,
		  const struct hv_plan_options *opts)
{
	struct hv_error err;

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(hv_ldif_read_buffer("t.ldif", ldif, strlen(ldif),
					     &fx->dir, &err),
			 0);
	if (hosts) {
		fx->sel.hosts = calloc(8, sizeof(char *));
		while (*hosts) {
			size_t len = strcspn(hosts, ",");

			fx->sel.hosts[fx->sel.n_hosts++] = strndup(hosts, len);
			hosts += len + (hosts[len] == ',');
		}
	}
	hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err);
	hv_plan_build(&fx->est, opts, &fx->plan);
}

static void release(struct fixture *fx)
{
	hv_plan_release(&fx->plan);
	hv_estate_release(&fx->est);
	hv_selection_release(&fx->sel);
	hv_directory_clear(&fx->dir);
}

static const struct hv_action *
find(const struct hv_plan *p, enum hv_action_kind kind, const char *account)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->actions[i].kind == kind &&
		    strcmp(p->actions[i].account, account) == 0)
			return &p->actions[i];
	return NULL;
}

static void test_only_missing_entries(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	const struct hv_action *act;

	(void)state;
	build(&fx, three_hosts, NULL, &opts);
	assert_null(find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1"));
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV2");
	assert_non_null(act);
	assert_int_equal(act->n_values, 4);
	assert_string_equal(act->values[0], MV "/HV1");
	assert_string_equal(act->values[1], MV "/hv1.t");
	assert_string_equal(act->values[2], "cifs/HV1");
	assert_string_equal(act->values[3], "cifs/hv1.t");
	act = find(&fx.plan, HV_ACT_SET_UAC, "HV2");
	assert_non_null(act);
	assert_int_equal(act->old_uac, 4096);
	assert_int_equal(act->new_uac, 16781312);
	assert_int_equal(hv_plan_changes(&fx.plan), 5);
	assert_int_equal(fx.plan.n_hosts, 1);
	assert_string_equal(fx.plan.hosts[0], "HV2");
	release(&fx);
}

static void test_options(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	const struct hv_action *act;

	(void)state;
	opts.services = HV_PLAN_CIFS;
	opts.names = HV_PLAN_NAMES_FQDN;
	opts.protocol = HV_PLAN_PROTOCOL_KERBEROS;
	build(&fx, three_hosts, NULL, &opts);
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV2");
	assert_non_null(act);
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/hv1.t");
	assert_null(find(&fx.plan, HV_ACT_SET_UAC, "HV2"));
	/* Kerberos only on 2022: the admin is told */
	assert_int_equal(fx.plan.n_warnings, 1);
	assert_non_null(strstr(fx.plan.warnings[0], "HV2"));
	release(&fx);
}

static void test_misplaced_spn_removed_first(void **state)
{
	static const char ldif[] =
		"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
		"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: HOST/HV1\n\n"
		"dn: CN=HV3,DC=t\nobjectClass: computer\nsAMAccountName: HV3$\n"
		"dNSHostName: hv3.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: HOST/HV3\n"
		"servicePrincipalName: " MV "/hv1.t\n\n";
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;

	(void)state;
	build(&fx, ldif, "HV1,HV3", &opts);
	assert_true(fx.plan.n > 2);
	assert_int_equal(fx.plan.actions[0].kind, HV_ACT_REMOVE_SPN);
	assert_string_equal(fx.plan.actions[0].account, "HV3");
	assert_string_equal(fx.plan.actions[0].values[0], MV "/hv1.t");
	/* and its rightful owner registers it afterwards */
	{
		const struct hv_action *add =
			find(&fx.plan, HV_ACT_ADD_SPN, "HV1");

		assert_non_null(add);
		assert_string_equal(add->values[add->n_values - 1],
				    MV "/hv1.t");
	}
	release(&fx);
}

static char *render(void (*fn)(struct hv_strbuf *, const struct hv_plan_view *),
		    const struct hv_plan *plan)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_plan_view view = {plan, "t.ldif", "hvdoctor audit --ldif t"};

	fn(&out, &view);
	return hv_strbuf_detach(&out);
}

static void test_ldif_and_rollback(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	char *ldif, *undo;

	(void)state;
	build(&fx, three_hosts, NULL, &opts);
	ldif = render(hv_render_plan_ldif, &fx.plan);
	undo = render(hv_render_plan_rollback, &fx.plan);
	assert_non_null(strstr(ldif, "dn: CN=HV2,DC=t\nchangetype: modify\n"
				     "add: msDS-AllowedToDelegateTo\n"
				     "msDS-AllowedToDelegateTo: " MV "/HV1\n"));
	/* the exact old value is deleted: a concurrent change fails */
	assert_non_null(strstr(ldif, "delete: userAccountControl\n"
				     "userAccountControl: 4096\n-\n"
				     "add: userAccountControl\n"
				     "userAccountControl: 16781312\n-\n"));
	assert_non_null(strstr(undo, "delete: userAccountControl\n"
				     "userAccountControl: 16781312\n-\n"
				     "add: userAccountControl\n"
				     "userAccountControl: 4096\n-\n"));
	assert_non_null(strstr(undo, "delete: msDS-AllowedToDelegateTo\n"
				     "msDS-AllowedToDelegateTo: " MV "/HV1\n"));
	/* last change first */
	assert_true(strstr(undo, "userAccountControl: 16781312") <
		    strstr(undo, "delete: msDS-AllowedToDelegateTo"));
	free(ldif);
	free(undo);
	release(&fx);
}

static void test_quote_ps(void **state)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	(void)state;
	hv_quote_ps(&sb, "a'b\xe2\x80\x99"
			 "c");
	assert_string_equal(sb.buf, "'a''b\xe2\x80\x99\xe2\x80\x99"
				    "c'");
	hv_strbuf_reset(&sb);
	hv_quote_comment(&sb, "x\ny\r\x7fz");
	assert_string_equal(sb.buf, "x?y??z");
	hv_strbuf_release(&sb);
}

/* A hostile peer: a quote in its name is quoted; a newline in its FQDN
 * (base64 in LDIF) means nothing at all is planned towards it. */
static void test_hostile_names(void **state)
{
	static const char ldif[] =
		"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
		"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/HV1\n\n"
		"dn: CN=EV,DC=t\nobjectClass: computer\n"
		"sAMAccountName: EV'IL$\ndNSHostName: ev'il.t\n"
		"userAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/EV'IL\n\n"
		"dn: CN=NL,DC=t\nobjectClass: computer\nsAMAccountName: NL$\n"
		/* "nl.t\nInvoke-Evil" */
		"dNSHostName:: bmwudApJbnZva2UtRXZpbA==\n"
		"userAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/NL\n\n";
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	char *ps1;

	(void)state;
	build(&fx, ldif, "HV1,EV'IL,NL", &opts);
	ps1 = render(hv_render_plan_ps1, &fx.plan);
	assert_non_null(strstr(ps1, "'" MV "/EV''IL'"));
	assert_null(strstr(ps1, "\nInvoke-Evil"));
	assert_null(strstr(ps1, "nl.t"));
	assert_non_null(strstr(ps1, "# warning: a host at CN=NL,DC=t has "
				    "control characters"));
	free(ps1);
	release(&fx);
}

/* Two real hosts (HV1 delegates to HV2), a rogue in their OU with a
 * migration SPN, and a peer without dNSHostName; HV1 still lists a host
 * that no longer exists, and HV2 holds HVX's SPN while HVX is outside. */
static const char trust_estate[] =
	"dn: CN=HV1,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HV1$\ndNSHostName: hv1.t\nuserAccountControl: 16781312\n"
	"servicePrincipalName: " MV "/HV1\nservicePrincipalName: " MV
	"/hv1.t\nservicePrincipalName: HOST/HV1\n"
	"servicePrincipalName: HOST/hv1.t\n"
	"msDS-AllowedToDelegateTo: " MV "/HV2\n"
	"msDS-AllowedToDelegateTo: cifs/GONE\n\n"
	"dn: CN=HV2,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HV2$\nuserAccountControl: 16781312\n"
	"servicePrincipalName: " MV "/HV2\nservicePrincipalName: HOST/HV2\n"
	"servicePrincipalName: " MV "/hvx.t\n\n"
	"dn: CN=HVX,OU=Other,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HVX$\ndNSHostName: hvx.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/HVX\n\n"
	"dn: CN=ROGUE,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"ROGUE$\ndNSHostName: rogue.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/ROGUE\n\n";

static bool plan_names(const struct hv_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->actions[i].account, name) == 0)
			return true;
		for (size_t v = 0; v < p->actions[i].n_values; v++)
			if (strstr(p->actions[i].values[v], name))
				return true;
	}
	return false;
}

/* A computer anyone could have created is never planned in silently,
 * and a plan never changes an object outside its selection. */
static void test_plan_stays_inside_vouched_selection(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.sel.grouping = HV_GROUP_OU;
	{
		struct hv_error err;

		assert_int_equal(hv_ldif_read_buffer("t.ldif", trust_estate,
						     strlen(trust_estate),
						     &fx.dir, &err),
				 0);
		assert_int_equal(
			hv_estate_build(&fx.est, &fx.dir, &fx.sel, &err), 0);
	}
	hv_plan_build(&fx.est, &opts, &fx.plan);
	assert_false(plan_names(&fx.plan, "ROGUE"));
	assert_false(plan_names(&fx.plan, "HVX"));
	release(&fx);
	/* named, ROGUE is the admin's host and joins the plan */
	build(&fx, trust_estate, "HV1,HV2,ROGUE", &opts);
	assert_true(plan_names(&fx.plan, "ROGUE"));
	/* HV2 may lose HVX's SPN (HV2 is selected); HVX gains nothing */
	assert_non_null(find(&fx.plan, HV_ACT_REMOVE_SPN, "HV2"));
	assert_null(find(&fx.plan, HV_ACT_ADD_SPN, "HVX"));
	release(&fx);
}

/* Without dNSHostName a peer's FQDN is its short name: each entry once,
 * or AD refuses the whole modify. */
static void test_peer_without_dns_name_once(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *act;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1");
	assert_non_null(act);
	for (size_t i = 0; i < act->n_values; i++)
		for (size_t j = i + 1; j < act->n_values; j++)
			assert_true(strcasecmp(act->values[i],
					       act->values[j]) != 0);
	/* HV1 has the migration entry; only cifs/HV2 is missing */
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/HV2");
	release(&fx);
}

/* --prune removes entries for hosts that are gone, and only with it. */
static void test_prune(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *act;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	assert_null(find(&fx.plan, HV_ACT_REMOVE_DELEGATION, "HV1"));
	release(&fx);
	opts.prune = true;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	act = find(&fx.plan, HV_ACT_REMOVE_DELEGATION, "HV1");
	assert_non_null(act);
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/GONE");
	/* removals come first */
	assert_int_equal(act - fx.plan.actions, 0);
	release(&fx);
}

/* An SPN is added to its owner only after it came off the wrong holder:
 * the add depends on the removal, and apply skips it if that fails. */
static void test_spn_add_depends_on_removal(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *add, *rm;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2,HVX", &opts);
	rm = find(&fx.plan, HV_ACT_REMOVE_SPN, "HV2");
	add = find(&fx.plan, HV_ACT_ADD_SPN, "HVX");
	assert_non_null(rm);
	assert_non_null(add);
	assert_int_equal(add->depends_on, rm - fx.plan.actions);
	assert_int_equal(
		find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1")->depends_on, -1);
	release(&fx);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hv_strbuf_add(&sb, chunk, n);
	fclose(f);
	return hv_strbuf_detach(&sb);
}

/* The PowerShell for the sample estate, as the admin would get it. */
static void test_sample_estate_script(void **state)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_plan_options opts = hv_plan_defaults();
	struct hv_strbuf path = HV_STRBUF_INIT;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_plan plan;
	struct hv_error err;
	char *expected;

	(void)state;
	if (!root)
		skip();
	hv_strbuf_addf(&path, "%s/examples/sample-estate.ldif", root);
	assert_int_equal(hv_ldif_read_file(path.buf, &dir, &err), 0);
	/* HVC1N4 has no delegation yet: only the admin can vouch for it */
	sel.grouping = HV_GROUP_OU;
	sel.hosts = hv_calloc(7, sizeof(char *));
	for (const char *const *h =
		     (const char *const[]){"HVC1N1", "HVC1N2", "HVC1N3",
					   "HVC1N4", "HVS01", "HVS02", NULL};
	     *h; h++)
		sel.hosts[sel.n_hosts++] = hv_strdup(*h);
	assert_int_equal(hv_estate_build(&est, &dir, &sel, &err), 0);
	hv_plan_build(&est, &opts, &plan);
	{
		struct hv_plan_view view = {
			&plan, "examples/sample-estate.ldif",
			"hvdoctor audit --ldif examples/sample-estate.ldif "
			"(with the same host selection)"};

		hv_render_plan_ps1(&out, &view);
	}
	hv_strbuf_reset(&path);
	hv_strbuf_addf(&path, "%s/tests/fixtures/plan/sample-estate.ps1", root);
	expected = slurp(path.buf);
	assert_string_equal(out.buf, expected);
	free(expected);
	hv_strbuf_release(&out);
	hv_strbuf_release(&path);
	hv_plan_release(&plan);
	hv_estate_release(&est);
	hv_selection_release(&sel);
	hv_directory_clear(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_missing_entries),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_misplaced_spn_removed_first),
		cmocka_unit_test(test_ldif_and_rollback),
		cmocka_unit_test(test_quote_ps),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_sample_estate_script),
		cmocka_unit_test(test_plan_stays_inside_vouched_selection),
		cmocka_unit_test(test_peer_without_dns_name_once),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_spn_add_depends_on_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
