#include "checks/checks.h"
#include "checks/host_checks.h"

#include "base/alloc.h"

#define A(x) HV_ATTR_BIT(HV_ATTR_##x)

const struct hv_check hv_ad_checks[] = {
	{"accounts", hv_check_host_accounts, A(UAC), HV_CHECK_ESSENTIAL},
	{"unverified-hosts", hv_check_unverified_hosts, 0, HV_CHECK_ESSENTIAL},
	{"ambiguous-names", hv_check_ambiguous_names, A(SAM) | A(DNS),
	 HV_CHECK_ESSENTIAL},
	{"delegation-pairs", hv_check_delegation_pairs, A(A2D) | A(DNS),
	 HV_CHECK_ESSENTIAL},
	{"protocol-transition", hv_check_protocol_transition, A(UAC) | A(A2D),
	 HV_CHECK_ESSENTIAL},
	{"target-spns", hv_check_target_spns, A(SPN) | A(DNS),
	 HV_CHECK_ESSENTIAL},
	{"spn-clashes", hv_check_spn_clashes, A(SPN), HV_CHECK_ESSENTIAL},
	{"dns-names", hv_check_dns_names, A(DNS), HV_CHECK_ESSENTIAL},
	{"unconstrained", hv_check_unconstrained, A(UAC), HV_CHECK_ESSENTIAL},
	{"admins", hv_check_admins, A(UAC) | A(MEMBER_OF),
	 HV_CHECK_ESSENTIAL_WITH_ADMINS},
	{"rbcd", hv_check_rbcd, A(RBCD) | A(SID), HV_CHECK_INFORMATIONAL},
	{"odd-values", hv_check_odd_values, 0, HV_CHECK_INFORMATIONAL},
};

const size_t hv_ad_checks_count =
	sizeof(hv_ad_checks) / sizeof(hv_ad_checks[0]);

static void not_checked(const struct hv_estate *est, const struct hv_check *c,
			struct hv_findings *out)
{
	bool essential = c->weight == HV_CHECK_ESSENTIAL ||
			 (c->weight == HV_CHECK_ESSENTIAL_WITH_ADMINS &&
			  est->n_admins > 0);

	HV_GROW(out->unchecked, out->n_unchecked, out->cap_unchecked);
	out->unchecked[out->n_unchecked++] = (struct hv_unchecked){
		c->name, c->needs & est->gaps, essential, NULL};
}

void hv_checks_run_ad(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t i = 0; i < hv_ad_checks_count; i++) {
		if (hv_ad_checks[i].needs & est->gaps)
			not_checked(est, &hv_ad_checks[i], out);
		else
			hv_ad_checks[i].run(est, out);
	}
	hv_findings_sort(out);
}

/* The host checks read snapshots, not AD attributes (needs 0); what they
 * could not check they say themselves (snapshot-missing, -incomplete). */
const struct hv_check hv_host_checks[] = {
	{"snapshots", hv_check_snapshot_coverage, 0, HV_CHECK_ESSENTIAL},
	{"migration-enabled", hv_check_migration_enabled, 0,
	 HV_CHECK_ESSENTIAL},
	{"auth-types", hv_check_auth_types, 0, HV_CHECK_ESSENTIAL},
	{"credssp", hv_check_credssp, 0, HV_CHECK_ESSENTIAL},
	{"firewall", hv_check_hyperv_firewall, 0, HV_CHECK_ESSENTIAL},
	{"migration-networks", hv_check_migration_networks, 0,
	 HV_CHECK_ESSENTIAL},
	{"smb-transport", hv_check_smb_cifs, 0, HV_CHECK_ESSENTIAL},
	{"vm-switches", hv_check_vm_switches, 0, HV_CHECK_ESSENTIAL},
	{"vm-versions", hv_check_vm_versions, 0, HV_CHECK_ESSENTIAL},
	{"processors", hv_check_processors, 0, HV_CHECK_ESSENTIAL},
	{"vm-paths", hv_check_vm_paths, 0, HV_CHECK_ESSENTIAL},
	{"vmms-start", hv_check_vmms_start, 0, HV_CHECK_ESSENTIAL},
	{"time-source", hv_check_time_source, 0, HV_CHECK_ESSENTIAL},
	{"migration-limits", hv_check_migration_limits, 0, HV_CHECK_ESSENTIAL},
	{"compare-vm", hv_check_compare_vm, 0, HV_CHECK_ESSENTIAL},
	{"reachability", hv_check_host_reachability, 0, HV_CHECK_ESSENTIAL},
	{"host-clock", hv_check_host_clock, 0, HV_CHECK_ESSENTIAL},
};

const size_t hv_host_checks_count =
	sizeof(hv_host_checks) / sizeof(hv_host_checks[0]);

void hv_checks_run_hosts(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t i = 0; i < hv_host_checks_count; i++)
		hv_host_checks[i].run(est, out);
	hv_findings_sort(out);
}
