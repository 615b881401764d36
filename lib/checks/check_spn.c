/* Service principal names: a destination must register the names the
 * source asks tickets for, and each name must be on one account only
 * (MS-ADTS 3.1.1.5.3.1.1.2), or the KDC encrypts for the wrong key. */
#include "checks/checks.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void hv_check_target_spns(const struct hv_estate *est, struct hv_findings *out)
{
	static const char *const classes[] = {"HOST", HV_SPN_VSMS};

	for (size_t h = 0; h < est->n_hosts; h++) {
		size_t a = est->hosts[h].account;
		const struct hv_account *acc = &est->accounts[a];
		const char *names[2] = {acc->name, hv_account_fqdn(acc)};
		struct hv_finding *f = NULL;
		struct hv_strbuf spn = HV_STRBUF_INIT;

		if (!hv_estate_host_in_scope(est, h))
			continue;
		for (size_t c = 0; c < 2; c++) {
			for (size_t n = 0; n < 2; n++) {
				if (n == 1 && names[1] == names[0])
					continue;
				if (hv_account_has_spn(est, a, classes[c],
						       names[n]))
					continue;
				if (!f)
					f = hv_findings_add(
						out, "spn-missing",
						HV_SEV_ERROR, "target-spns",
						acc->name,
						"does not register the SPNs "
						"other hosts ask tickets for");
				hv_strbuf_reset(&spn);
				hv_strbuf_addf(&spn, "%s/%s", classes[c],
					       names[n]);
				hv_finding_evidence(f, acc->entry->dn,
						    "servicePrincipalName",
						    spn.buf, HV_EV_MISSING,
						    acc->entry->origin);
			}
		}
		if (f)
			hv_finding_fix(f,
				       "restart the Hyper-V Virtual Machine "
				       "Management service on %s (it "
				       "registers them), or setspn -S "
				       "\"CLASS/NAME\" %s",
				       acc->name, acc->name);
		hv_strbuf_release(&spn);
	}
}

static void clash_finding(const struct hv_estate *est,
			  const struct hv_spn_clash *c, struct hv_findings *out)
{
	const struct hv_account *first = &est->accounts[c->first];
	const struct hv_account *other = &est->accounts[c->other];
	long owner = hv_estate_spn_owner(est, c->spn);
	const struct hv_account *wrong =
		owner == (long)c->first ? other : first;
	struct hv_finding *f = hv_findings_add(
		out, "spn-duplicate", HV_SEV_ERROR, "spn-clashes", wrong->name,
		"holds the SPN '%s', which %s also holds: Kerberos to that "
		"name fails (KRB_AP_ERR_MODIFIED, 0x80090322)",
		c->spn, wrong == first ? other->name : first->name);

	hv_finding_evidence(f, first->entry->dn, "servicePrincipalName", c->spn,
			    HV_EV_PRESENT, first->entry->origin);
	hv_finding_evidence(f, other->entry->dn, "servicePrincipalName", c->spn,
			    HV_EV_PRESENT, other->entry->origin);
	hv_finding_command(f, "setspn -D \"%s\" %s", c->spn, wrong->name);
}

/* One script adds the peer's SPNs to the source's own account instead
 * of to msDS-AllowedToDelegateTo; such an SPN names another host. */
static void misplaced_finding(const struct hv_estate *est,
			      const struct hv_misplaced_spn *m,
			      struct hv_findings *out)
{
	const struct hv_account *acc = &est->accounts[m->account];
	const char *owner = est->accounts[m->owner].name;
	struct hv_finding *f = hv_findings_add(
		out, "spn-duplicate", HV_SEV_ERROR, "spn-clashes", acc->name,
		"holds the SPN '%s' of host %s: it belongs on %s, and the "
		"delegation target belongs in msDS-AllowedToDelegateTo",
		m->spn, owner, owner);

	hv_finding_evidence(f, acc->entry->dn, "servicePrincipalName", m->spn,
			    HV_EV_PRESENT, acc->entry->origin);
	hv_finding_command(f, "setspn -D \"%s\" %s", m->spn, acc->name);
}

void hv_check_spn_clashes(const struct hv_estate *est, struct hv_findings *out)
{
	/* the plan's rule too: a clash is the selection's business when
	 * either holder is selected */
	for (size_t i = 0; i < est->n_clashes; i++)
		if (hv_estate_account_selected(est, est->clashes[i].first) ||
		    hv_estate_account_selected(est, est->clashes[i].other))
			clash_finding(est, &est->clashes[i], out);
	for (size_t i = 0; i < est->n_misplaced; i++)
		if (hv_estate_account_selected(est, est->misplaced[i].account))
			misplaced_finding(est, &est->misplaced[i], out);
}

static const char *odd_cause(enum hv_odd_kind kind)
{
	switch (kind) {
	case HV_ODD_ESCAPED_TWIN:
		return "spn-escaped-twin";
	case HV_ODD_DANGLING:
		return "kcd-dangling-entry";
	case HV_ODD_MALFORMED:
		break;
	}
	return "directory-value-malformed";
}

static struct hv_finding *open_odd(struct hv_findings *out,
				   enum hv_odd_kind kind,
				   const struct hv_account *acc)
{
	static const struct {
		enum hv_severity severity;
		const char *message, *fix;
	} text[] = {
		[HV_ODD_DANGLING] = {HV_SEV_WARNING,
				     "has delegation entries for hosts that "
				     "have no account in the directory",
				     "remove the entries (hvdoctor plan "
				     "--prune) or restore the host"},
		[HV_ODD_ESCAPED_TWIN] = {HV_SEV_INFO,
					 "has backslash-escaped copies of "
					 "migration-service names (a Samba "
					 "test-bed workaround; never counted "
					 "as delegation)",
					 "none needed for live migration"},
		[HV_ODD_MALFORMED] = {HV_SEV_WARNING,
				      "has values that could not be read",
				      "correct the value in AD or export the "
				      "LDIF again"},
	};
	struct hv_finding *f = hv_findings_add(
		out, odd_cause(kind), text[kind].severity, "odd-values",
		acc->name, "%s", text[kind].message);

	hv_finding_fix(f, "%s", text[kind].fix);
	return f;
}

/* One finding per host and cause, listing every odd value: a Samba
 * test bed has a dozen escaped twins per host. */
void hv_check_odd_values(const struct hv_estate *est, struct hv_findings *out)
{
	static const enum hv_odd_kind kinds[] = {
		HV_ODD_DANGLING, HV_ODD_MALFORMED, HV_ODD_ESCAPED_TWIN};

	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		for (size_t c = 0; c < 3; c++) {
			struct hv_finding *f = NULL;

			for (size_t i = 0; i < acc->n_odd; i++) {
				const struct hv_odd_value *odd = &acc->odd[i];

				if (odd->kind != kinds[c])
					continue;
				if (!f)
					f = open_odd(out, kinds[c], acc);
				hv_finding_evidence(f, acc->entry->dn,
						    odd->attr, odd->value,
						    HV_EV_PRESENT,
						    acc->entry->origin);
			}
		}
	}
}
