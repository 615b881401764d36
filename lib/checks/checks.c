#include "checks/checks.h"

#include "base/alloc.h"

#define A(x) HV_ATTR_BIT(HV_ATTR_##x)

const struct hv_check hv_ad_checks[] = {
	{"accounts", hv_check_host_accounts, A(UAC), HV_CHECK_ESSENTIAL},
	{"unverified-hosts", hv_check_unverified_hosts, 0, HV_CHECK_ESSENTIAL},
	{"delegation-pairs", hv_check_delegation_pairs, A(A2D) | A(DNS),
	 HV_CHECK_ESSENTIAL},
	{"protocol-transition", hv_check_protocol_transition, A(UAC),
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
	out->unchecked[out->n_unchecked++] =
		(struct hv_unchecked){c->name, c->needs & est->gaps, essential};
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
