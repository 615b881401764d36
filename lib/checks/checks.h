/* The checks: pure functions from the estate to findings, one concern
 * each. Adding a check means adding a function here and its cause to
 * kb/causes.kb, nothing else. */
#ifndef HV_CHECKS_H
#define HV_CHECKS_H

#include "estate/estate.h"
#include "checks/findings.h"

struct hv_check {
	const char *name;
	void (*run)(const struct hv_estate *est, struct hv_findings *out);
};

/* Every ordered pair in a migration domain: the four delegation entries
 * (kcd-missing-vsms, kcd-missing-cifs, kcd-name-form-missing). */
void hv_check_delegation_pairs(const struct hv_estate *est,
			       struct hv_findings *out);
/* Protocol transition on Windows Server 2016+ (kcd-kerberos-only-2016). */
void hv_check_protocol_transition(const struct hv_estate *est,
				  struct hv_findings *out);
/* Destination SPNs HOST/ and the migration service (spn-missing). */
void hv_check_target_spns(const struct hv_estate *est, struct hv_findings *out);
/* The same SPN on two accounts, or on the wrong one (spn-duplicate). */
void hv_check_spn_clashes(const struct hv_estate *est, struct hv_findings *out);
/* Values kept as they are: dangling entries, escaped twins, garbage. */
void hv_check_odd_values(const struct hv_estate *est, struct hv_findings *out);
/* Unconstrained delegation on a host (unconstrained-delegation-cg). */
void hv_check_unconstrained(const struct hv_estate *est,
			    struct hv_findings *out);
/* Named hosts that are missing or disabled. */
void hv_check_host_accounts(const struct hv_estate *est,
			    struct hv_findings *out);
/* Admins who cannot be delegated (user-not-delegable). */
void hv_check_admins(const struct hv_estate *est, struct hv_findings *out);
/* Resource-based constrained delegation found on hosts (rbcd-present). */
void hv_check_rbcd(const struct hv_estate *est, struct hv_findings *out);
/* Hosts that delegate to nobody and nobody to them. */
void hv_check_isolated_hosts(const struct hv_estate *est,
			     struct hv_findings *out);

/* The table of all AD checks, in report order. */
extern const struct hv_check hv_ad_checks[];
extern const size_t hv_ad_checks_count;

/* Runs every AD check and sorts the findings by severity. */
void hv_checks_run_ad(const struct hv_estate *est, struct hv_findings *out);

#endif
