/* Per-host checks of the delegation flags and the accounts themselves. */
#include "checks.h"

#include "hv_alloc.h"

#include <stdio.h>
#include <string.h>

static bool in_multi_host_domain(const struct hv_estate *est, size_t h)
{
	return (h > 0 && est->hosts[h - 1].domain == est->hosts[h].domain) ||
	       (h + 1 < est->n_hosts &&
		est->hosts[h + 1].domain == est->hosts[h].domain);
}

static void uac_evidence(struct hv_finding *f, const struct hv_account *acc)
{
	char value[32];

	snprintf(value, sizeof(value), "%u (0x%x)", acc->uac, acc->uac);
	hv_finding_evidence(f, acc->entry->dn, "userAccountControl", value,
			    HV_EV_PRESENT, acc->entry->origin);
}

/* From Windows Server 2016 Hyper-V is managed over WinRM, which cannot
 * hand VMMS the admin's forwardable ticket: the source must use protocol
 * transition (S4U2Self, MS-SFU 3.2.5.1.2), i.e. "use any authentication
 * protocol" = TRUSTED_TO_AUTH_FOR_DELEGATION. */
void hv_check_protocol_transition(const struct hv_estate *est,
				  struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];
		struct hv_finding *f;

		if (!in_multi_host_domain(est, h) || !acc->uac_known ||
		    (acc->uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION))
			continue;
		if (acc->os_build && acc->os_build < HV_BUILD_WS2016)
			continue; /* "Kerberos only" is right before 2016 */
		f = hv_findings_add(
			out, "kcd-kerberos-only-2016",
			acc->os_build ? HV_SEV_ERROR : HV_SEV_WARNING,
			"protocol-transition", acc->name,
			acc->os_build
				? "uses \"Kerberos only\" delegation, but runs "
				  "%s (build %u): remote moves need \"use any "
				  "authentication protocol\""
				: "uses \"Kerberos only\" delegation and its OS "
				  "is unknown%s (build %u): from Windows Server "
				  "2016 on, remote moves need \"use any "
				  "authentication protocol\"",
			acc->os ? acc->os : "", acc->os_build);
		uac_evidence(f, acc);
		hv_finding_fix(f,
			       "Set-ADAccountControl -Identity '%s$' "
			       "-TrustedToAuthForDelegation $true",
			       acc->name);
	}
}

/* Unconstrained delegation hands the host every visitor's TGT; Credential
 * Guard (default on Windows Server 2025) blocks it anyway. */
void hv_check_unconstrained(const struct hv_estate *est,
			    struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];
		struct hv_finding *f;

		if (!acc->uac_known ||
		    !(acc->uac & HV_UAC_TRUSTED_FOR_DELEGATION))
			continue;
		f = hv_findings_add(out, "unconstrained-delegation-cg",
				    HV_SEV_WARNING, "unconstrained", acc->name,
				    "is trusted for unconstrained delegation "
				    "(a security risk, and blocked by "
				    "Credential Guard); use constrained "
				    "delegation instead");
		uac_evidence(f, acc);
		hv_finding_fix(f,
			       "Set-ADAccountControl -Identity '%s$' "
			       "-TrustedForDelegation $false "
			       "-TrustedToAuthForDelegation $true",
			       acc->name);
	}
}

void hv_check_host_accounts(const struct hv_estate *est,
			    struct hv_findings *out)
{
	for (size_t i = 0; i < est->n_missing; i++) {
		bool admin = strncmp(est->missing[i], "admin ", 6) == 0;
		const char *name = strchr(est->missing[i], ' ') + 1;
		struct hv_finding *f = hv_findings_add(
			out, admin ? "admin-account-missing"
				   : "host-account-missing",
			admin ? HV_SEV_WARNING : HV_SEV_ERROR, "accounts", name,
			admin ? "has no user account in the directory"
			      : "has no computer account in the directory");
		hv_finding_fix(f, admin ? "check the spelling of --admin"
					: "join the host to the domain "
					  "(Add-Computer) or check the name");
	}
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];
		struct hv_finding *f;

		if (!acc->uac_known || !(acc->uac & HV_UAC_ACCOUNTDISABLE))
			continue;
		f = hv_findings_add(out, "host-account-disabled", HV_SEV_ERROR,
				    "accounts", acc->name,
				    "has a disabled computer account: no "
				    "Kerberos ticket can be issued to or for "
				    "it");
		uac_evidence(f, acc);
		hv_finding_fix(f, "Enable-ADAccount -Identity '%s$'",
			       acc->name);
	}
}

void hv_check_isolated_hosts(const struct hv_estate *est,
			     struct hv_findings *out)
{
	if (!est->discovered)
		return;
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		if (in_multi_host_domain(est, h))
			continue;
		hv_finding_fix(
			hv_findings_add(out, "host-no-migration-domain",
					HV_SEV_INFO, "domains", acc->name,
					"delegates to no other host and no "
					"host to it, so it was checked "
					"alone"),
			"name its peers: --hosts %s,PEER,... or --domains "
			"FILE",
			acc->name);
	}
}
