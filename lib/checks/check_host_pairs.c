/* Host checks over ordered pairs of hosts in a migration domain: both
 * hosts' snapshots together decide whether a VM can move from one to the
 * other. One finding per source host and concern, naming its targets, as
 * the delegation check does. The rules are in host_rules.c. */
#include "checks/host_checks.h"
#include "checks/host_rules.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Targets shown by name in a finding; the rest are counted. */
#define TARGETS_NAMED 8

/* One finding being filled for a source: kept by index, since adding
 * findings moves the array. */
struct pending {
	long idx;
	struct hv_strbuf targets;
	size_t n;
};

static void pending_target(struct pending *p, const char *name)
{
	if (p->n++ < TARGETS_NAMED)
		hv_strbuf_addf(&p->targets, "%s%s", p->targets.len ? ", " : "",
			       name);
}

static void pending_close(struct pending *p, struct hv_findings *out)
{
	if (p->idx >= 0) {
		out->items[p->idx].target = hv_strbuf_detach(&p->targets);
		out->items[p->idx].n_targets = p->n;
	}
	hv_strbuf_release(&p->targets);
	p->idx = -1;
	p->n = 0;
}

static struct hv_finding *pending_finding(struct pending *p,
					  struct hv_findings *out)
{
	return &out->items[p->idx];
}

static const char *auth_name(int v)
{
	return v == HV_AUTH_CREDSSP ? "CredSSP" : "Kerberos";
}

/* Hosts of a domain whose value is the rarer one report the others;
 * on a tie the CredSSP hosts report, Kerberos being the one to keep. */
static bool in_minority(const struct hv_estate *est, size_t a, int mine)
{
	size_t same = 0, other = 0, lo, hi;

	hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
	for (size_t b = lo; b < hi; b++) {
		const struct hv_snapshot *sb = hv_host_snapshot(est, b);

		if (b == a || !sb || sb->vmhost.auth.value < 0 ||
		    est->hosts[b].domain != est->hosts[a].domain)
			continue;
		if (sb->vmhost.auth.value == mine)
			same++;
		else
			other++;
	}
	return other && (same + 1 < other ||
			 (same + 1 == other && mine == HV_AUTH_CREDSSP));
}

void hv_check_auth_types(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);
		struct pending p = {-1, HV_STRBUF_INIT, 0};
		size_t lo, hi;
		struct hv_strbuf fix = HV_STRBUF_INIT;
		int mine = sa ? sa->vmhost.auth.value : -1;

		if (mine < 0 || !in_minority(est, a, mine))
			continue;
		hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
		for (size_t b = lo; b < hi; b++) {
			const struct hv_snapshot *sb = hv_host_snapshot(est, b);

			if (!hv_estate_pair_in_scope(est, a, b) || !sb ||
			    sb->vmhost.auth.value < 0 ||
			    sb->vmhost.auth.value == mine)
				continue;
			if (p.idx < 0) {
				p.idx = (long)out->n;
				hv_findings_add(
					out, "auth-type-mismatch", HV_SEV_ERROR,
					"auth-types", hv_host_name(est, a),
					"uses %s for migration while these "
					"hosts of its migration domain use %s: "
					"moves between them cannot "
					"authenticate",
					auth_name(mine),
					auth_name(sb->vmhost.auth.value));
				hv_snap_evidence(pending_finding(&p, out), sa,
						 &sa->vmhost.auth.at,
						 auth_name(mine));
			}
			hv_snap_evidence(pending_finding(&p, out), sb,
					 &sb->vmhost.auth.at,
					 auth_name(sb->vmhost.auth.value));
			pending_target(&p, hv_host_name(est, b));
		}
		if (p.idx >= 0) {
			hv_fix_name(&fix, hv_host_name(est, a));
			hv_finding_fix(
				pending_finding(&p, out),
				"Set-VMHost -ComputerName %s "
				"-VirtualMachineMigrationAuthenticationType"
				" Kerberos",
				hv_strbuf_str(&fix));
		}
		hv_strbuf_release(&fix);
		pending_close(&p, out);
	}
}

static void network_evidence(struct hv_finding *f, const struct hv_snapshot *s)
{
	if (!s->n_networks)
		hv_snap_evidence(f, s, &s->vmhost.use_any_network.at,
				 "UseAnyNetworkForMigration false, no "
				 "networks");
	for (size_t i = 0; i < s->n_networks && i < 4; i++)
		hv_snap_evidence(f, s, &s->networks[i].at, s->networks[i].text);
}

void hv_check_migration_networks(const struct hv_estate *est,
				 struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);
		struct pending p = {-1, HV_STRBUF_INIT, 0};
		size_t lo, hi;

		hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
		for (size_t b = lo; sa && b < hi; b++) {
			const struct hv_snapshot *sb = hv_host_snapshot(est, b);

			if (!hv_estate_pair_in_scope(est, a, b) ||
			    !hv_rule_networks_disjoint(sa, sb))
				continue;
			if (p.idx < 0) {
				p.idx = (long)out->n;
				hv_findings_add(
					out, "migration-network-mismatch",
					HV_SEV_ERROR, "migration-networks",
					hv_host_name(est, a),
					"shares no migration network with "
					"these "
					"hosts, which accept moves only on "
					"their listed networks");
				network_evidence(pending_finding(&p, out), sa);
			}
			network_evidence(pending_finding(&p, out), sb);
			pending_target(&p, hv_host_name(est, b));
		}
		if (p.idx >= 0)
			hv_finding_fix(pending_finding(&p, out),
				       "on each destination: "
				       "Add-VMMigrationNetwork -Subnet SUBNET "
				       "(one %s reaches), or Set-VMHost "
				       "-UseAnyNetworkForMigration $true",
				       hv_host_name(est, a));
		pending_close(&p, out);
	}
}

void hv_check_smb_cifs(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);
		struct pending p = {-1, HV_STRBUF_INIT, 0};
		size_t lo, hi;

		hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
		for (size_t b = lo; sa && b < hi; b++) {
			if (!hv_estate_pair_in_scope(est, a, b) ||
			    !hv_rule_smb_without_cifs(est, a, b, sa))
				continue;
			if (p.idx < 0) {
				p.idx = (long)out->n;
				hv_findings_add(
					out, "kcd-missing-cifs", HV_SEV_ERROR,
					"smb-transport", hv_host_name(est, a),
					"sends live migrations over SMB "
					"(performance option SMB) with "
					"Kerberos, but may not delegate to "
					"these hosts' cifs service: the moves "
					"fail, not only storage moves");
				hv_snap_evidence(pending_finding(&p, out), sa,
						 &sa->vmhost.perf.at,
						 "SMB (2)");
			}
			pending_target(&p, hv_host_name(est, b));
		}
		if (p.idx >= 0)
			hv_finding_fix(
				pending_finding(&p, out),
				"hvdoctor plan writes the cifs "
				"delegation entries for %s (or choose "
				"Compression: Set-VMHost "
				"-VirtualMachineMigrationPerformanceOption"
				" Compression)",
				hv_host_name(est, a));
		pending_close(&p, out);
	}
}

/* The first VM adapter of host s on switch `name`, for evidence. */
static void switch_users(struct hv_finding *f, const struct hv_snapshot *s,
			 const char *name)
{
	size_t shown = 0;

	for (size_t v = 0; v < s->n_vms && shown < 4; v++)
		for (size_t n = 0; n < s->vms[v].n_nics && shown < 4; n++)
			if (s->vms[v].nics[n].switch_name &&
			    strcasecmp(s->vms[v].nics[n].switch_name, name) ==
				    0) {
				struct hv_strbuf value = HV_STRBUF_INIT;

				hv_strbuf_addf(&value, "%s (VM %s)", name,
					       s->vms[v].name);
				hv_snap_evidence(f, s, &s->vms[v].nics[n].at,
						 hv_strbuf_str(&value));
				hv_strbuf_release(&value);
				shown++;
			}
}

/* Whether switch `name` stops moves to b: 0 no, 1 missing, 2 type. */
static int switch_problem(const struct hv_snapshot *sa,
			  const struct hv_snapshot *sb, const char *name)
{
	const struct hv_snap_switch *mine = hv_rule_find_switch(sa, name);
	const struct hv_snap_switch *theirs;

	if (!sb || sb->sec[HV_SEC_SWITCHES].state != HV_SEC_READ)
		return 0;
	theirs = hv_rule_find_switch(sb, name);
	if (!theirs)
		return 1;
	return mine && mine->type >= 0 && theirs->type >= 0 &&
			       mine->type != theirs->type
		       ? 2
		       : 0;
}

static void one_switch(const struct hv_estate *est, size_t a, const char *name,
		       int kind, struct hv_findings *out)
{
	const struct hv_snapshot *sa = hv_host_snapshot(est, a);
	struct pending p = {-1, HV_STRBUF_INIT, 0};
	size_t lo, hi;

	hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
	for (size_t b = lo; b < hi; b++) {
		const struct hv_snapshot *sb = hv_host_snapshot(est, b);

		if (!hv_estate_pair_in_scope(est, a, b) ||
		    switch_problem(sa, sb, name) != kind)
			continue;
		if (p.idx < 0) {
			p.idx = (long)out->n;
			hv_findings_add(
				out,
				kind == 1 ? "vswitch-missing"
					  : "vswitch-disconnected",
				kind == 1 ? HV_SEV_ERROR : HV_SEV_WARNING,
				"vm-switches", hv_host_name(est, a),
				kind == 1 ? "has VMs on switch '%s', which "
					    "these hosts lack"
					  : "has VMs on switch '%s', which is "
					    "of another type on these hosts",
				name);
			switch_users(pending_finding(&p, out), sa, name);
		}
		pending_target(&p, hv_host_name(est, b));
	}
	if (p.idx >= 0)
		hv_finding_fix(pending_finding(&p, out),
			       "create or rename the switch on each "
			       "destination to '%s' (New-VMSwitch, "
			       "Rename-VMSwitch), of the same type",
			       name);
	pending_close(&p, out);
}

/* True when an earlier adapter of host s already named this switch. */
static bool seen_switch(const struct hv_snapshot *s, size_t vm, size_t nic)
{
	const char *name = s->vms[vm].nics[nic].switch_name;

	for (size_t v = 0; v <= vm; v++)
		for (size_t n = 0; n < s->vms[v].n_nics; n++) {
			if (v == vm && n == nic)
				return false;
			if (s->vms[v].nics[n].switch_name &&
			    strcasecmp(s->vms[v].nics[n].switch_name, name) ==
				    0)
				return true;
		}
	return false;
}

void hv_check_vm_switches(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);

		for (size_t v = 0; sa && v < sa->n_vms; v++)
			for (size_t n = 0; n < sa->vms[v].n_nics; n++) {
				const char *name =
					sa->vms[v].nics[n].switch_name;

				if (!name || seen_switch(sa, v, n))
					continue;
				one_switch(est, a, name, 1, out);
				one_switch(est, a, name, 2, out);
			}
	}
}

static void one_version(const struct hv_estate *est, size_t a, size_t vm,
			struct hv_findings *out)
{
	const struct hv_snapshot *sa = hv_host_snapshot(est, a);
	const struct hv_snap_vm *x = &sa->vms[vm];
	struct pending p = {-1, HV_STRBUF_INIT, 0};
	size_t lo, hi;

	hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
	for (size_t b = lo; b < hi; b++) {
		const char *basis;

		if (!hv_estate_pair_in_scope(est, a, b) ||
		    hv_rule_version_supported(hv_host_snapshot(est, b),
					      x->ver_major, x->ver_minor,
					      &basis) != 0)
			continue;
		if (p.idx < 0) {
			p.idx = (long)out->n;
			hv_findings_add(
				out, "vm-version-unsupported", HV_SEV_ERROR,
				"vm-versions", hv_host_name(est, a),
				"runs VM %s at configuration version "
				"%d.%d, which these hosts do not run "
				"(by %s)",
				x->name, x->ver_major, x->ver_minor, basis);
			hv_snap_evidence(pending_finding(&p, out), sa,
					 &x->version.at, x->version.value);
		}
		pending_target(&p, hv_host_name(est, b));
	}
	if (p.idx >= 0)
		hv_finding_fix(pending_finding(&p, out),
			       "keep VMs at a version every host runs; "
			       "Get-VMHostSupportedVersion on each "
			       "destination lists them");
	pending_close(&p, out);
}

void hv_check_vm_versions(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);

		for (size_t v = 0; sa && v < sa->n_vms; v++)
			if (sa->vms[v].ver_major >= 0)
				one_version(est, a, v, out);
	}
}

static void cpu_evidence(struct hv_finding *f, const struct hv_snapshot *s)
{
	struct hv_strbuf value = HV_STRBUF_INIT;

	hv_strbuf_addf(&value, "%s, %s", s->cpus[0].manufacturer,
		       s->cpus[0].name ? s->cpus[0].name : "?");
	hv_snap_evidence(f, s, &s->cpus[0].at, hv_strbuf_str(&value));
	hv_strbuf_release(&value);
}

static void cpu_finding(const struct hv_estate *est, size_t a, int kind,
			struct hv_findings *out)
{
	const struct hv_snapshot *sa = hv_host_snapshot(est, a);
	struct pending p = {-1, HV_STRBUF_INIT, 0};
	size_t lo, hi;
	size_t strict = 0;

	for (size_t v = 0; v < sa->n_vms; v++)
		strict += sa->vms[v].cpu_compat.known &&
			  !sa->vms[v].cpu_compat.value;
	if (!sa->n_vms || (kind == 2 && !strict))
		return;
	hv_estate_domain_range(est, est->hosts[a].domain, &lo, &hi);
	for (size_t b = lo; b < hi; b++) {
		const struct hv_snapshot *sb = hv_host_snapshot(est, b);

		if (!hv_estate_pair_in_scope(est, a, b) ||
		    hv_rule_cpu_differs(sa, sb) != kind)
			continue;
		if (p.idx < 0) {
			p.idx = (long)out->n;
			if (kind == 1)
				hv_findings_add(
					out, "cpu-incompatible", HV_SEV_ERROR,
					"processors", hv_host_name(est, a),
					"has %s processors, these "
					"hosts another vendor's: "
					"running VMs cannot move (never "
					"between vendors)",
					sa->cpus[0].manufacturer);
			else
				hv_findings_add(
					out, "cpu-incompatible", HV_SEV_WARNING,
					"processors", hv_host_name(est, a),
					"has %zu VM%s without processor "
					"compatibility, and these hosts "
					"another processor model",
					strict, strict == 1 ? "" : "s");
			cpu_evidence(pending_finding(&p, out), sa);
		}
		cpu_evidence(pending_finding(&p, out), sb);
		pending_target(&p, hv_host_name(est, b));
	}
	if (p.idx >= 0)
		hv_finding_fix(pending_finding(&p, out), "%s",
			       kind == 1 ? "shut the VMs down to move them "
					   "(or export and import)"
					 : "with each VM off: Set-VMProcessor "
					   "-VMName VM "
					   "-CompatibilityForMigrationEnabled "
					   "$true");
	pending_close(&p, out);
}

void hv_check_processors(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		if (!hv_host_snapshot(est, a) ||
		    !hv_host_snapshot(est, a)->n_cpus)
			continue;
		cpu_finding(est, a, 1, out);
		cpu_finding(est, a, 2, out);
	}
}
