#include "checks/checks.h"
#include "checks/host_checks.h"

const struct hv_check hv_ad_checks[] = {
	{"accounts", hv_check_host_accounts},
	{"delegation-pairs", hv_check_delegation_pairs},
	{"protocol-transition", hv_check_protocol_transition},
	{"target-spns", hv_check_target_spns},
	{"spn-clashes", hv_check_spn_clashes},
	{"unconstrained", hv_check_unconstrained},
	{"admins", hv_check_admins},
	{"rbcd", hv_check_rbcd},
	{"odd-values", hv_check_odd_values},
	{"domains", hv_check_isolated_hosts},
};

const size_t hv_ad_checks_count =
	sizeof(hv_ad_checks) / sizeof(hv_ad_checks[0]);

void hv_checks_run_ad(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t i = 0; i < hv_ad_checks_count; i++)
		hv_ad_checks[i].run(est, out);
	hv_findings_sort(out);
}

const struct hv_check hv_host_checks[] = {
	{"snapshots", hv_check_snapshot_coverage},
	{"migration-enabled", hv_check_migration_enabled},
	{"auth-types", hv_check_auth_types},
	{"credssp", hv_check_credssp},
	{"firewall", hv_check_hyperv_firewall},
	{"migration-networks", hv_check_migration_networks},
	{"smb-transport", hv_check_smb_cifs},
	{"vm-switches", hv_check_vm_switches},
	{"vm-versions", hv_check_vm_versions},
	{"processors", hv_check_processors},
	{"vm-paths", hv_check_vm_paths},
	{"vmms-start", hv_check_vmms_start},
	{"time-source", hv_check_time_source},
	{"migration-limits", hv_check_migration_limits},
	{"compare-vm", hv_check_compare_vm},
};

const size_t hv_host_checks_count =
	sizeof(hv_host_checks) / sizeof(hv_host_checks[0]);

void hv_checks_run_hosts(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t i = 0; i < hv_host_checks_count; i++)
		hv_host_checks[i].run(est, out);
	hv_findings_sort(out);
}
