/* The accounts that start migrations, and delegation configured on the
 * resource side (RBCD). */
#include "checks/checks.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Only what applies: a sensitive account need not leave a group it is
 * not in. */
static void admin_fix(struct hv_finding *f, const struct hv_account *acc,
		      bool sensitive)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	if (sensitive)
		hv_strbuf_addf(&sb,
			       "Set-ADAccountControl -Identity '%s' "
			       "-AccountNotDelegated $false",
			       acc->name);
	if (acc->protected_user)
		hv_strbuf_addf(&sb, "%sremove '%s' from Protected Users",
			       sensitive ? " and " : "", acc->name);
	hv_finding_fix(f,
		       "start moves with another admin account, or %s if "
		       "policy allows",
		       hv_strbuf_str(&sb));
	hv_strbuf_release(&sb);
}

static void admin_finding(const struct hv_account *acc, bool named,
			  struct hv_findings *out)
{
	bool sensitive = acc->uac_known && (acc->uac & HV_UAC_NOT_DELEGATED);
	struct hv_strbuf via = HV_STRBUF_INIT;
	struct hv_finding *f;
	char value[32];

	if (!sensitive && !acc->protected_user)
		return;
	if (acc->protected_user &&
	    !hv_is_protected_users_dn(acc->protected_via))
		hv_strbuf_addf(&via, " (through %s)", acc->protected_via);
	f = hv_findings_add(
		out, "user-not-delegable", named ? HV_SEV_ERROR : HV_SEV_INFO,
		"admins", acc->name,
		"%s%s%s: no host can act on its behalf, so Kerberos-"
		"authenticated moves it starts remotely fail",
		sensitive ? "is marked \"sensitive and cannot be delegated\""
			  : "",
		acc->protected_user ? (sensitive ? " and is in Protected Users"
						 : "is in Protected Users")
				    : "",
		via.buf ? via.buf : "");
	if (sensitive) {
		snprintf(value, sizeof(value), "%u (0x%x)", acc->uac, acc->uac);
		hv_finding_evidence(f, acc->entry->dn, "userAccountControl",
				    value, HV_EV_PRESENT, acc->entry->origin);
	}
	if (acc->protected_user)
		hv_finding_evidence(f, acc->entry->dn, "memberOf",
				    acc->protected_via, HV_EV_PRESENT,
				    acc->entry->origin);
	admin_fix(f, acc, sensitive);
	hv_strbuf_release(&via);
}

/* A named admin in a group the input lacks may be in Protected Users
 * through it: not checked, never "can be delegated". */
static void nesting_unknown(const struct hv_account *acc,
			    struct hv_findings *out)
{
	if (acc->protected_user || !acc->groups_unknown)
		return;
	hv_findings_unchecked(out, "admins", true,
			      "%s is in %s, which the input does not hold, so "
			      "whether it is in Protected Users through that "
			      "group cannot be told; export the groups too "
			      "(the commands below)",
			      acc->name, acc->groups_unknown);
}

/* With --admin, the named accounts are checked (errors); without it,
 * every user that cannot be delegated is listed for information. */
void hv_check_admins(const struct hv_estate *est, struct hv_findings *out)
{
	if (est->n_admins) {
		for (size_t i = 0; i < est->n_admins; i++) {
			const struct hv_account *acc =
				&est->accounts[est->admins[i]];

			admin_finding(acc, true, out);
			nesting_unknown(acc, out);
		}
		return;
	}
	for (size_t i = 0; i < est->n_accounts; i++)
		if (!est->accounts[i].is_computer)
			admin_finding(&est->accounts[i], false, out);
}

static const char *name_of_sid(const struct hv_estate *est, const char *sid)
{
	for (size_t i = 0; i < est->n_accounts; i++)
		if (est->accounts[i].sid &&
		    strcmp(est->accounts[i].sid, sid) == 0)
			return est->accounts[i].name;
	return NULL;
}

/* A descriptor the estate could not parse lists no SID, but it is not
 * "nobody": it is unknown. */
static bool rbcd_unreadable(const struct hv_account *acc)
{
	for (size_t i = 0; i < acc->n_odd; i++)
		if (strcmp(acc->odd[i].attr,
			   "msDS-AllowedToActOnBehalfOfOtherIdentity") == 0)
			return true;
	return false;
}

/* RBCD between Hyper-V hosts is not a documented substitute for the
 * classic delegation list; report it as what it is. */
void hv_check_rbcd(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];
		struct hv_strbuf who = HV_STRBUF_INIT;
		struct hv_finding *f;

		if (!acc->has_rbcd)
			continue;
		for (size_t i = 0; i < acc->n_rbcd; i++) {
			const char *name = name_of_sid(est, acc->rbcd_sids[i]);

			hv_strbuf_addf(&who, "%s%s", i ? ", " : "",
				       name ? name : acc->rbcd_sids[i]);
		}
		f = hv_findings_add(
			out, "rbcd-present", HV_SEV_INFO, "rbcd", acc->name,
			"has resource-based constrained delegation allowing "
			"%s to act on its behalf; this is not a documented "
			"substitute for constrained delegation between "
			"Hyper-V hosts and is not counted as such",
			who.len ? who.buf
			: rbcd_unreadable(acc)
				? "unknown principals (the descriptor "
				  "could not be read)"
				: "nobody");
		for (size_t i = 0; i < acc->n_rbcd; i++)
			hv_finding_evidence(
				f, acc->entry->dn,
				"msDS-AllowedToActOnBehalfOfOtherIdentity",
				acc->rbcd_sids[i], HV_EV_PRESENT,
				acc->entry->origin);
		hv_finding_fix(f, "prove it end to end with hvdoctor prove, "
				  "or configure classic constrained "
				  "delegation (hvdoctor plan)");
		hv_strbuf_release(&who);
	}
}
