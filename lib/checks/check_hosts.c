/* Per-host checks of the delegation flags and the accounts themselves. */
#include "checks/checks.h"

#include "base/alloc.h"
#include "base/strbuf.h"

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

		if (!hv_estate_host_in_scope(est, h) ||
		    !hv_account_kerberos_only(acc))
			continue;
		f = kerberos_only(out, acc);
		uac_evidence(f, acc);
		hv_finding_command(f,
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
		hv_finding_command(f,
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
		hv_finding_command(f, "Enable-ADAccount -Identity '%s$'",
				   acc->name);
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

/* GeneralizedTime compares as text when both have the same digits:
 * "20261208010000.0Z" (MS-ADTS 3.1.1.3.1.10.2 for whenCreated). */
static bool time_before(const char *a, const char *b)
{
	size_t la = a ? strspn(a, "0123456789") : 0;
	size_t lb = b ? strspn(b, "0123456789") : 0;

	return la >= 14 && lb >= 14 && strncmp(a, b, 14) < 0;
}

/* Who names a candidate in their own delegation entries, and whether the
 * candidate was created after that account last changed (so after the
 * entries were written): the entries meant another computer. */
static void who_names(const struct hv_estate *est, size_t candidate,
		      struct hv_strbuf *sb)
{
	const struct hv_account *acc = &est->accounts[candidate];
	const char *sep = "";
	size_t named = 0, younger = 0;

	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *src =
			&est->accounts[est->hosts[h].account];

		if (!hv_estate_deleg_bits(est, est->hosts[h].account,
					  candidate))
			continue;
		if (named++ < 4) {
			hv_strbuf_addf(sb, "%s%s", sep, src->name);
			sep = ", ";
		}
		younger += time_before(src->when_changed, acc->when_created);
	}
	if (!named)
		return;
	if (named > 4)
		hv_strbuf_addf(sb, " and %zu more", named - 4);
	hv_strbuf_adds(sb, named == 1 ? " names it in its delegation entries"
				      : " name it in their delegation entries");
	hv_strbuf_adds(sb, ", which vouches for nothing: an entry is an "
			   "admin's word about whichever computer had the "
			   "name when it was written");
	if (younger)
		hv_strbuf_addf(sb,
			       "; the account was created after %s "
			       "last changed (whenCreated %s), so %s "
			       "meant another computer",
			       younger == named ? "they were" : "some were",
			       acc->when_created,
			       younger == named ? "they" : "those");
	hv_strbuf_adds(sb, ". ");
}

/* Found by its SPN or OU alone: anyone may create such a computer, so it
 * is shown, never checked or planned, until the admin names it. */
void hv_check_unverified_hosts(const struct hv_estate *est,
			       struct hv_findings *out)
{
	for (size_t i = 0; i < est->n_unverified; i++) {
		const struct hv_account *acc =
			&est->accounts[est->unverified[i]];
		struct hv_strbuf names = HV_STRBUF_INIT;
		struct hv_finding *f;

		who_names(est, est->unverified[i], &names);
		f = hv_findings_add(
			out, "host-unverified", HV_SEV_WARNING,
			"unverified-hosts", acc->name,
			"looks like a Hyper-V host (migration-service SPN, "
			"OU or filter), but has no delegation entry of its "
			"own to another host and was not named. %sIt was left "
			"out of the audit and of any plan",
			names.buf ? names.buf : "");
		hv_strbuf_release(&names);
		vsms_evidence(f, acc);
		if (acc->when_created)
			hv_finding_evidence(f, acc->entry->dn, "whenCreated",
					    acc->when_created, HV_EV_PRESENT,
					    acc->entry->origin);
		hv_finding_fix(f,
			       "if %s is one of your Hyper-V hosts, name it: "
			       "--hosts %s,PEER,...; if not, find out who "
			       "created it",
			       acc->name, acc->name);
	}
}

/* Which attribute of acc answers to name, and its value as stored. */
static const char *name_attr(const struct hv_account *acc, const char *name,
			     const char **out_value)
{
	if (acc->dns && strcasecmp(acc->dns, name) == 0) {
		*out_value = acc->dns;
		return "dNSHostName";
	}
	*out_value = acc->sam ? acc->sam : acc->name;
	return "sAMAccountName";
}

/* A name two computers answer to: nothing is checked or planned for
 * either, and the admin is told which two. */
void hv_check_ambiguous_names(const struct hv_estate *est,
			      struct hv_findings *out)
{
	for (size_t i = 0; i < est->n_ambiguous; i++) {
		const struct hv_name_clash *c = &est->ambiguous[i];
		const struct hv_account *acc[2] = {&est->accounts[c->kept],
						   &est->accounts[c->other]};
		const char *attr[2], *value[2];
		struct hv_finding *f;

		for (int k = 0; k < 2; k++)
			attr[k] = name_attr(acc[k], c->name, &value[k]);
		f = hv_findings_add(
			out, "host-name-ambiguous", HV_SEV_ERROR,
			"ambiguous-names", c->name,
			"is a name of two computer accounts, %s (%s) and %s "
			"(%s): delegation entries and --hosts cannot tell "
			"which is meant, so nothing is checked or planned "
			"for either",
			acc[0]->entry->dn, attr[0], acc[1]->entry->dn, attr[1]);
		for (int k = 0; k < 2; k++)
			hv_finding_evidence(f, acc[k]->entry->dn, attr[k],
					    value[k], HV_EV_PRESENT,
					    acc[k]->entry->origin);
		hv_finding_fix(f,
			       "find out who created the account that is not "
			       "the host (whenCreated, mS-DS-CreatorSID), and "
			       "delete or rename it");
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
		hv_finding_fix(f,
			       "Set-ADComputer -Identity '%s$' -DNSHostName "
			       "'%s.<your DNS domain>' (or restart the host: "
			       "it writes its own)",
			       acc->name, acc->name);
	}
}
