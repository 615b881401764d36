#include "checks/checks.h"

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
