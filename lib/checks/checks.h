/* The checks: pure functions from the estate to findings, one concern
 * each. Adding a check means adding a function here and its cause to
 * kb/causes.kb, nothing else. */
#ifndef HV_CHECKS_H
#define HV_CHECKS_H

#include "estate/estate.h"
#include "checks/findings.h"

/* Whether a verdict on migrations waits on a check: when one that does
 * cannot run, the audit is incomplete (exit 3), never "no problems". */
enum hv_check_weight {
	HV_CHECK_ESSENTIAL,
	HV_CHECK_ESSENTIAL_WITH_ADMINS, /* only when --admin names someone */
	HV_CHECK_INFORMATIONAL,
};

struct hv_check {
	const char *name;
	void (*run)(const struct hv_estate *est, struct hv_findings *out);
	unsigned needs; /* HV_ATTR_BITs it reads */
	enum hv_check_weight weight;
};

/* What stands in the way of one ordered pair, first obstacle first; a
 * matrix cell shows it and only HV_PAIR_READY counts as ready. */
enum hv_pair_state {
	HV_PAIR_READY,	       /* nothing known stands in the way */
	HV_PAIR_UNKNOWN,       /* the input lacks what decides it */
	HV_PAIR_DISABLED,      /* either account is disabled */
	HV_PAIR_NO_DELEGATION, /* none of the four entries */
	HV_PAIR_PARTIAL,       /* some of the four entries */
	HV_PAIR_KERBEROS_ONLY, /* the source lacks protocol transition */
	HV_PAIR_TARGET_SPN,    /* the destination's SPNs are missing or
				  duplicated */
};

/* Whether host h (host index) can be the source of a ready pair: the
 * input holds its account, it is enabled, and it has protocol transition
 * where it needs it. */
bool hv_host_ready_as_source(const struct hv_estate *est, size_t h);
/* Whether host h can be the destination of a ready pair: enabled, and its
 * migration SPNs registered and held by it alone. */
bool hv_host_ready_as_target(const struct hv_estate *est, size_t h);
/* The state of the ordered pair of hosts a -> b (host indexes); READY
 * exactly when all four entries exist and both hosts are ready for their
 * side. */
enum hv_pair_state hv_pair_state(const struct hv_estate *est, size_t a,
				 size_t b);
/* True when a source host must use protocol transition ("use any
 * authentication protocol"): Windows Server 2016 or later, or unknown. */
bool hv_account_needs_protocol_transition(const struct hv_account *acc);
/* True when the account is known to lack protocol transition where it
 * needs it: what a plan that gives it delegation must also set. */
bool hv_account_lacks_protocol_transition(const struct hv_account *acc);
/* True when the account has a constrained-delegation list ("Kerberos
 * only") and lacks protocol transition where it needs it: the one rule of
 * kcd-kerberos-only-2016 for audit and prove. */
bool hv_account_kerberos_only(const struct hv_account *acc);
/* True when the account registers the migration SPNs its peers ask for,
 * and holds them alone. */
bool hv_account_spns_usable(const struct hv_estate *est, size_t account);

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
/* Candidates nothing vouches for (host-unverified). */
void hv_check_unverified_hosts(const struct hv_estate *est,
			       struct hv_findings *out);
/* Names two computer accounts answer to (host-name-ambiguous). */
void hv_check_ambiguous_names(const struct hv_estate *est,
			      struct hv_findings *out);
/* Hosts without dNSHostName (host-no-dns-name). */
void hv_check_dns_names(const struct hv_estate *est, struct hv_findings *out);

/* The table of all AD checks, in report order. */
extern const struct hv_check hv_ad_checks[];
extern const size_t hv_ad_checks_count;

/* Runs every AD check whose attributes the input holds, lists the others
 * in out->unchecked, and sorts the findings by severity. */
void hv_checks_run_ad(const struct hv_estate *est, struct hv_findings *out);

#endif
