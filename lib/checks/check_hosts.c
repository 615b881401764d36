/* Per-host checks of the delegation flags and the accounts themselves. */
#include "checks/checks.h"

#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

static struct hv_finding *kerberos_only(struct hv_findings *out,
					const struct hv_account *acc)
{
	if (acc->os_build)
		return hv_findings_add(
			out, "kcd-kerberos-only-2016", HV_SEV_ERROR,
			"protocol-transition", acc->name,
			"uses \"Kerberos only\" delegation, but runs %s "
			"(build %u): remote moves need \"use any "
			"authentication protocol\"",
			acc->os ? acc->os : "Windows", acc->os_build);
	/* the OS may be a name no release matches: quote it, never glue
	 * it to the sentence */
	return hv_findings_add(
		out, "kcd-kerberos-only-2016", HV_SEV_WARNING,
		"protocol-transition", acc->name,
		"uses \"Kerberos only\" delegation and its Windows version "
		"is unknown%s%s%s: from Windows Server 2016 on, remote moves "
		"need \"use any authentication protocol\"",
		acc->os ? " (operatingSystem '" : "", acc->os ? acc->os : "",
		acc->os ? "')" : "");
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
		f = kerberos_only(out, acc);
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
			out,
			admin ? "admin-account-missing"
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

/* Hosts with a delegation entry to or from another selected host. */
static bool *linked_hosts(const struct hv_estate *est)
{
	size_t *pos = hv_calloc(est->n_accounts + 1, sizeof(*pos));
	bool *linked = hv_calloc(est->n_hosts + 1, sizeof(*linked));

	for (size_t a = 0; a < est->n_accounts; a++)
		pos[a] = SIZE_MAX;
	for (size_t h = 0; h < est->n_hosts; h++)
		pos[est->hosts[h].account] = h;
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		for (size_t d = 0; d < acc->n_deleg; d++) {
			size_t b = pos[acc->deleg[d].target];

			if (b != SIZE_MAX && b != h)
				linked[h] = linked[b] = true;
		}
	}
	free(pos);
	return linked;
}

/* The note says the host delegates to no host and none to it: with
 * --group-by ou a host alone in its OU may still do, so it is checked. */
void hv_check_isolated_hosts(const struct hv_estate *est,
			     struct hv_findings *out)
{
	bool *linked;

	if (!est->discovered)
		return;
	linked = linked_hosts(est);
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		if (in_multi_host_domain(est, h) || linked[h])
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
	free(linked);
}
