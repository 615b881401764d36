/* The host-side fixes of plan (lib/remedy/host_plan.c) and their
 * PowerShell (lib/render/render_host_plan_ps1.c), from the sample estate
 * and its snapshots: one step per fault the host checks report, none for
 * a healthy setting, each with its undo, hostile names quoted, the
 * script ASCII with balanced braces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "estate/host_settings.h"
#include "remedy/host_plan.h"
#include "render/render_host_plan.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx {
	struct hv_directory dir;
	struct hv_selection sel;
	struct hv_estate est;
	struct hv_host_settings hs;
	struct hv_host_plan plan;
	struct hv_strbuf ps1;
};

static int setup(void **state)
{
	static const char *const hosts[] = {"HVC1N1", "HVC1N2", "HVC1N3",
					    "HVC1N4", "HVS01",	"HVS02"};
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct fx *fx = calloc(1, sizeof(*fx));
	struct hv_error err;
	char path[4096];

	if (!root)
		root = ".";
	snprintf(path, sizeof(path), "%s/examples/sample-estate.ldif", root);
	assert_int_equal(hv_ldif_read_file(path, &fx->dir, &err), 0);
	/* the cluster and the standalone pair as two domains, HVC1N4 (the
	 * new node nobody delegates to yet) named so that it is audited */
	fx->sel.grouping = HV_GROUP_LISTS;
	fx->sel.groups = hv_calloc(2, sizeof(*fx->sel.groups));
	fx->sel.n_groups = 2;
	fx->sel.groups[0].name = hv_strdup("Cluster1");
	fx->sel.groups[0].hosts = hv_calloc(4, sizeof(char *));
	for (size_t i = 0; i < 4; i++)
		fx->sel.groups[0].hosts[i] = hv_strdup(hosts[i]);
	fx->sel.groups[0].n_hosts = 4;
	fx->sel.groups[1].name = hv_strdup("Standalone");
	fx->sel.groups[1].hosts = hv_calloc(2, sizeof(char *));
	fx->sel.groups[1].hosts[0] = hv_strdup("HVS01");
	fx->sel.groups[1].hosts[1] = hv_strdup("HVS02");
	fx->sel.groups[1].n_hosts = 2;
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 0);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct hv_snapshot snap;

		snprintf(path, sizeof(path), "%s/examples/snapshots/%s.json",
			 root, hosts[i]);
		assert_int_equal(hv_snapshot_read_file(path, &snap), 0);
		hv_host_settings_add(&fx->hs, &snap);
	}
	hv_host_settings_attach(&fx->hs, &fx->est);
	hv_host_plan_build(&fx->est, &fx->plan);
	hv_render_host_plan_ps1(&fx->ps1, &fx->plan);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	hv_strbuf_release(&fx->ps1);
	hv_host_plan_release(&fx->plan);
	hv_estate_release(&fx->est);
	hv_host_settings_release(&fx->hs);
	hv_directory_clear(&fx->dir);
	hv_selection_release(&fx->sel);
	free(fx);
	return 0;
}

static size_t count(const struct fx *fx, enum hv_host_act_kind kind,
		    const char *host)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->plan.n; i++)
		n += fx->plan.items[i].kind == kind &&
		     strcmp(fx->plan.items[i].host, host) == 0;
	return n;
}

/* Each host fault of the sample gets its step; healthy hosts none. */
static void test_actions(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(count(fx, HV_HACT_ENABLE_MIGRATION, "HVC1N4"), 1);
	assert_int_equal(count(fx, HV_HACT_AUTH_KERBEROS, "HVC1N4"), 1);
	assert_int_equal(count(fx, HV_HACT_AUTH_KERBEROS, "HVS01"), 1);
	assert_int_equal(count(fx, HV_HACT_AUTH_KERBEROS, "HVS02"), 1);
	assert_int_equal(count(fx, HV_HACT_FIREWALL, "HVC1N2"), 1);
	assert_int_equal(count(fx, HV_HACT_VMMS_DELAYED, "HVC1N3"), 1);
	assert_int_equal(count(fx, HV_HACT_TIME_DOMHIER, "HVS02"), 1);
	assert_int_equal(count(fx, HV_HACT_ADD_NETWORK, "HVS01"), 1);
	assert_int_equal(count(fx, HV_HACT_ADD_NETWORK, "HVS02"), 1);
	/* Kerberos hosts, enabled hosts, cluster networks: left alone */
	assert_int_equal(count(fx, HV_HACT_AUTH_KERBEROS, "HVC1N1"), 0);
	assert_int_equal(count(fx, HV_HACT_ENABLE_MIGRATION, "HVC1N1"), 0);
	assert_int_equal(count(fx, HV_HACT_ADD_NETWORK, "HVC1N1"), 0);
	assert_int_equal(fx->plan.n, 9);
}

static void test_script(void **state)
{
	struct fx *fx = *state;
	const char *s = hv_strbuf_str(&fx->ps1);
	long depth = 0;

	assert_non_null(strstr(s, "Add-HvMigrationNetwork -ComputerName "
				  "'HVS01' -Subnet '10.30.0.0/24'"));
	/* each step's undo is code the script carries (-UndoHostSettings),
	 * with the value it restores quoted, never a comment to copy */
	assert_null(strstr(s, "# undo:"));
	assert_non_null(strstr(s, "-Undo:$UndoHostSettings"));
	assert_non_null(strstr(s, "Remove-VMMigrationNetwork -ComputerName "
				  "$ComputerName -Subnet $Subnet"));
	assert_non_null(strstr(s, "Set-HvMigrationKerberos -ComputerName "
				  "'HVS01' -Previous 'CredSSP'"));
	assert_non_null(strstr(s, "Enable-HvFirewallGroup -ComputerName "
				  "'HVC1N2' -Previous @("
				  "'VIRT-MIGL-In-TCP-NoScope'"));
	/* the host name is checked where sc.exe and w32tm use it */
	assert_non_null(strstr(s, "[ValidatePattern('^[A-Za-z0-9]"
				  "[A-Za-z0-9.-]*$')]"));
	/* every change and every undo asks ShouldProcess, so -WhatIf
	 * changes nothing */
	for (const char *p = s; (p = strstr(p, "($PSCmdlet.ShouldProcess("));
	     p++)
		depth++;
	assert_int_equal(depth, 11); /* VMMS: one for both ways */
	depth = 0;
	for (const char *p = s; *p; p++) {
		assert_true((unsigned char)*p < 0x80);
		depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
}

/* A hostile host name cannot leave its string or its comment. */
static void test_hostile_name(void **state)
{
	struct hv_host_plan plan = {0};
	struct hv_host_action act = {HV_HACT_ADD_NETWORK, "HV'x\n$(evil)",
				     "10.0.0.0/8\r\nRemove-Item", NULL,
				     "why'\n#"};
	struct hv_strbuf out = HV_STRBUF_INIT;

	(void)state;
	plan.items = &act;
	plan.n = 1;
	hv_render_host_plan_ps1(&out, &plan);
	/* a host name that is not a plain DNS name gets no step at all;
	 * the subnet and the reason are quoted */
	assert_null(strstr(out.buf, "Add-HvMigrationNetwork -ComputerName"));
	assert_non_null(strstr(out.buf, "# left out: a host name that is not "
					"a plain DNS name"));
	for (const char *line = out.buf; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		assert_false(strncmp(line, "Remove-Item", 11) == 0);
		assert_false(strncmp(line, "$(evil)", 7) == 0);
	}
	for (const char *p = out.buf; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 &&
					   (unsigned char)*p < 0x7F));
	/* a plain name with a hostile subnet and firewall rule names: the
	 * values are quoted strings */
	act = (struct hv_host_action){HV_HACT_FIREWALL, "HV01", NULL,
				      "ok\x1f$(evil)'x", "why"};
	hv_strbuf_reset(&out);
	hv_render_host_plan_ps1(&out, &plan);
	assert_non_null(strstr(out.buf, "-Previous @('ok', '$(evil)''x')"));
	hv_strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_hostile_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
