/* Per-host checks of the delegation flags and the accounts themselves. */
#include "checks/checks.h"

#include "base/alloc.h"
#include "base/quote.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void uac_evidence(struct hv_finding *f, const struct hv_account *acc)
{
	char value[32];

	snprintf(value, sizeof(value), "%u (0x%x)", acc->uac, acc->uac);
	hv_finding_evidence(f, acc->entry->dn, "userAccountControl", value,
			    HV_EV_PRESENT, acc->entry->origin);
}

/* A one-line command naming the computer by its sAMAccountName (NAME$,
 * which the AD cmdlets resolve), quoted for PowerShell: $ ( ) ' & ` and
 * spaces are legal in it. */
static void sam_command(struct hv_finding *f, const char *before,
			const struct hv_account *acc, const char *after)
{
	char *id = hv_quote_ps_dup(acc->name, "$");

	hv_finding_command(f, "%s%s%s", before, id, after);
	free(id);
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

		if (!hv_estate_host_in_scope(est, h) || !acc->uac_known ||
		    (acc->uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) ||
		    !hv_account_needs_protocol_transition(acc))
			continue;
		f = kerberos_only(out, acc);
		uac_evidence(f, acc);
		sam_command(f, "Set-ADAccountControl -Identity ", acc,
			    " -TrustedToAuthForDelegation $true");
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
		sam_command(f, "Set-ADAccountControl -Identity ", acc,
			    " -TrustedForDelegation $false "
			    "-TrustedToAuthForDelegation $true");
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
		sam_command(f, "Enable-ADAccount -Identity ", acc, "");
	}
}

static void vsms_evidence(struct hv_finding *f, const struct hv_account *acc)
{
	const struct hv_attr *spns =
		hv_entry_attr(acc->entry, "servicePrincipalName");
	size_t len = strlen(HV_SPN_VSMS);

	for (size_t v = 0; spns && v < spns->n_values; v++) {
		if (strncasecmp(spns->values[v].data, HV_SPN_VSMS, len) == 0 &&
		    spns->values[v].data[len] == '/') {
			hv_finding_evidence(f, acc->entry->dn,
					    "servicePrincipalName",
					    spns->values[v].data, HV_EV_PRESENT,
					    acc->entry->origin);
			return;
		}
	}
}

/* Found by its SPN or OU alone: anyone may create such a computer, so it
 * is shown, never checked or planned, until the admin names it. */
void hv_check_unverified_hosts(const struct hv_estate *est,
			       struct hv_findings *out)
{
	for (size_t i = 0; i < est->n_unverified; i++) {
		const struct hv_account *acc =
			&est->accounts[est->unverified[i]];
		struct hv_finding *f = hv_findings_add(
			out, "host-unverified", HV_SEV_WARNING,
			"unverified-hosts", acc->name,
			"looks like a Hyper-V host (migration-service SPN or "
			"OU), but no delegation entry links it to another "
			"host and it was not named: it was left out of the "
			"audit and of any plan");

		vsms_evidence(f, acc);
		{
			/* one shell word: 'a b',PEER is "a b,PEER" */
			char *word = hv_quote_sh_dup(acc->name);

			hv_finding_fix(f,
				       "if %s is one of your Hyper-V hosts, "
				       "name it: --hosts %s,PEER,...; if not, "
				       "find out who created it",
				       acc->name, word);
			free(word);
		}
	}
}

/* Without dNSHostName a host's FQDN is unknown: peers asking for
 * class/FQDN tickets cannot be checked or planned for it. */
void hv_check_dns_names(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];
		struct hv_finding *f;

		if (acc->dns || !hv_estate_host_in_scope(est, h))
			continue;
		f = hv_findings_add(out, "host-no-dns-name", HV_SEV_WARNING,
				    "dns-names", acc->name,
				    "has no dNSHostName: moves that name it by "
				    "its FQDN cannot be checked, and only its "
				    "short-name entries are planned");
		hv_finding_evidence(f, acc->entry->dn, "dNSHostName", "",
				    HV_EV_MISSING, acc->entry->origin);
		{
			char *id = hv_quote_ps_dup(acc->name, "$");
			char *dns = hv_quote_ps_dup(acc->name,
						    ".<your DNS domain>");

			hv_finding_fix(f,
				       "Set-ADComputer -Identity %s "
				       "-DNSHostName %s (or restart the host: "
				       "it writes its own)",
				       id, dns);
			free(id);
			free(dns);
		}
	}
}
