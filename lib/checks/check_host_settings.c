/* Host checks that read one host's snapshot: what was not checked and
 * why, migration enabled, CredSSP (remote starts, Credential Guard), the
 * Hyper-V firewall rules, VMMS's start with NIC teams, the time source,
 * local paths on VMs, and migration limits within a cluster. The rules
 * themselves are in host_rules.c. */
#include "checks/host_checks.h"
#include "checks/host_rules.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COLLECT_HINT                                                           \
	"run collector/hvdoctor-collect.ps1 on the host and give "             \
	"--snapshot FILE"

static const char *const section_checks[HV_SEC_COUNT] = {
	[HV_SEC_VMHOST] = "authentication type, migration on and options",
	[HV_SEC_NETWORKS] = "migration networks",
	[HV_SEC_VERSIONS] = "supported configuration versions",
	[HV_SEC_SWITCHES] = "virtual switches",
	[HV_SEC_VMS] = "the VMs' switches, versions, paths, processors",
	[HV_SEC_OS] = "configuration versions by OS build",
	[HV_SEC_PROCESSORS] = "processors",
	[HV_SEC_DEVICE_GUARD] = "Credential Guard",
	[HV_SEC_VMMS] = "VMMS start type",
	[HV_SEC_LBFO] = "NIC teams",
	[HV_SEC_FIREWALL] = "Hyper-V firewall rules",
	[HV_SEC_TIME] = "time source",
	[HV_SEC_CLUSTER] = "cluster membership",
	[HV_SEC_COMPARE] = "Compare-VM",
	[HV_SEC_DC] = "the DC it uses",
	[HV_SEC_CLOCK] = "its clock against its DC",
	[HV_SEC_TICKETS] = "its Kerberos tickets",
	[HV_SEC_REACH] = "its peers' TCP 6600 and 445",
};

static const char *state_words(enum hv_snap_state state)
{
	switch (state) {
	case HV_SEC_MISSING:
		return "not collected";
	case HV_SEC_FAILED:
		return "the collector could not read it";
	case HV_SEC_BAD:
		return "unreadable";
	case HV_SEC_UNPARSED:
		return "the file is not valid JSON";
	case HV_SEC_UNTRUSTED:
		return "unknown schema";
	case HV_SEC_READ:
		break;
	}
	return "read";
}

static void section_gaps(const struct hv_estate *est, size_t h,
			 const struct hv_snapshot *s, struct hv_findings *out)
{
	struct hv_strbuf what = HV_STRBUF_INIT;
	struct hv_finding *f;

	for (int i = 0; i < HV_SEC_COUNT; i++)
		if (hv_snap_section_gap(s, (enum hv_snap_section_id)i))
			hv_strbuf_addf(&what, "%s%s (%s: %s)",
				       what.len ? "; " : "", section_checks[i],
				       hv_snap_section_name(
					       (enum hv_snap_section_id)i),
				       s->sec[i].why
					       ? s->sec[i].why
					       : state_words(s->sec[i].state));
	if (what.len) {
		f = hv_findings_add(out, "snapshot-incomplete", HV_SEV_INFO,
				    "snapshots", hv_host_name(est, h),
				    "was not checked for: %s",
				    hv_strbuf_str(&what));
		hv_finding_fix(f, "collect again with the collector; %s",
			       s->file);
	}
	hv_strbuf_release(&what);
}

/* Every file that claims contested host h, from the unjoined entry
 * `first` on (the earlier ones name other hosts or were reported). */
static void contested_finding(const struct hv_estate *est,
			      const struct hv_host_settings *hs, size_t first,
			      struct hv_findings *out)
{
	long h = hs->unjoined_host[first];
	struct hv_strbuf files = HV_STRBUF_INIT;
	struct hv_finding *f;
	size_t n = 0;

	for (size_t i = first; i < hs->n_unjoined; i++)
		if (hs->unjoined_why[i] == HV_UNJOINED_DUPLICATE &&
		    hs->unjoined_host[i] == h)
			hv_strbuf_addf(&files, "%s%s", n++ ? ", " : "",
				       hs->snaps[hs->unjoined[i]].file);
	f = hv_findings_add(out, "snapshot-host-unknown", HV_SEV_WARNING,
			    "snapshots", hv_host_name(est, (size_t)h),
			    "is claimed by %zu snapshots (%s): none of them "
			    "was read, as which one is the host's own cannot "
			    "be told",
			    n, hv_strbuf_str(&files));
	for (size_t i = first; i < hs->n_unjoined; i++)
		if (hs->unjoined_why[i] == HV_UNJOINED_DUPLICATE &&
		    hs->unjoined_host[i] == h) {
			const struct hv_snapshot *s =
				&hs->snaps[hs->unjoined[i]];

			hv_snap_evidence(f, s, &s->host_at, s->host);
		}
	hv_finding_fix(f, "collect the host again and give only its own "
			  "file (collector -Save names files by the "
			  "computer reached)");
	hv_strbuf_release(&files);
}

static void unjoined_snapshots(const struct hv_estate *est,
			       const struct hv_host_settings *hs,
			       struct hv_findings *out)
{
	bool *reported = hv_calloc(hs->n_hosts + 1, sizeof(*reported));

	for (size_t i = 0; i < hs->n_unjoined; i++) {
		const struct hv_snapshot *s = &hs->snaps[hs->unjoined[i]];
		const char *host = s->host ? s->host : s->file;
		struct hv_finding *f;

		switch (hs->unjoined_why[i]) {
		case HV_UNJOINED_OUT_OF_SCOPE:
			f = hv_findings_add(out, "snapshot-host-unknown",
					    HV_SEV_INFO, "snapshots", host,
					    "has a snapshot (%s) but is not "
					    "among the hosts of this audit "
					    "(name it: --hosts, --domains FILE "
					    "or --new-node)",
					    s->file);
			break;
		case HV_UNJOINED_DUPLICATE:
			if (!reported[hs->unjoined_host[i]])
				contested_finding(est, hs, i, out);
			reported[hs->unjoined_host[i]] = true;
			continue;
		case HV_UNJOINED_NO_HOST:
			/* unreadable, or no "host": its read errors say which
			 */
			f = hv_findings_add(out, "snapshot-host-unknown",
					    HV_SEV_WARNING, "snapshots", host,
					    "names no host it was taken on: "
					    "its settings were not used");
			hv_finding_fix(f, "collect it again with "
					  "collector/hvdoctor-collect.ps1");
			continue;
		case HV_UNJOINED_UNKNOWN_HOST:
		default:
			f = hv_findings_add(out, "snapshot-host-unknown",
					    HV_SEV_WARNING, "snapshots", host,
					    "has a snapshot (%s), but AD has "
					    "no computer of that name: its "
					    "settings were not used",
					    s->file);
			break;
		}
		hv_snap_evidence(f, s, &s->host_at, host);
	}
	free(reported);
}

/* The first label of a name ("hv01" of "hv01.corp.example.com"), its
 * length. */
static size_t label_len(const char *name)
{
	return strcspn(name, ".");
}

static bool same_label(const char *a, size_t alen, const char *b)
{
	return b && alen == label_len(b) && strncasecmp(a, b, alen) == 0;
}

/* The names a snapshot gives its host: its file name, "host", "fqdn"
 * and Get-VMHost's Name. A file another host wrote, or one renamed,
 * shows here: a warning, the snapshot is still read for its "host". */
static void name_disagreement(const struct hv_estate *est, size_t h,
			      const struct hv_snapshot *s,
			      struct hv_findings *out)
{
	const char *base = strrchr(s->file, '/');
	const char *names[] = {s->fqdn, s->vmhost.name.value};
	size_t hlen = label_len(s->host), blen;
	bool differ = false;
	struct hv_finding *f;

	base = base ? base + 1 : s->file;
	blen = strlen(base);
	if (blen > 5 && strcasecmp(base + blen - 5, ".json") == 0)
		blen -= 5;
	/* a file named after another computer (HV02.json saying it is
	 * HV01); a name that is no computer's ("old.json") says nothing */
	if (!same_label(base, label_len(base) < blen ? label_len(base) : blen,
			s->host)) {
		char *stem = hv_strndup(base, blen);
		long acc = hv_estate_find(est, stem);

		differ = acc >= 0 && (size_t)acc != est->hosts[h].account;
		free(stem);
	}
	for (size_t i = 0; i < 2; i++)
		differ = differ ||
			 (names[i] && !same_label(s->host, hlen, names[i]));
	if (!differ)
		return;
	f = hv_findings_add(out, "snapshot-host-unknown", HV_SEV_WARNING,
			    "snapshots", hv_host_name(est, h),
			    "has a snapshot that names its host in "
			    "different ways: file %s, host %s, FQDN %s, "
			    "Hyper-V host %s (read as %s)",
			    s->file, s->host, s->fqdn ? s->fqdn : "(none)",
			    s->vmhost.name.value ? s->vmhost.name.value
						 : "(none)",
			    s->host);
	hv_snap_evidence(f, s, &s->host_at, s->host);
	if (s->vmhost.name.value)
		hv_snap_evidence(f, s, &s->vmhost.name.at,
				 s->vmhost.name.value);
	hv_finding_fix(f, "collect it again on the host (collector -Save "
			  "names files by the computer reached)");
}

/* Which host checks could run, and, when they could not, the input
 * that would run them. */
void hv_check_snapshot_coverage(const struct hv_estate *est,
				struct hv_findings *out)
{
	struct hv_finding *f;

	if (!est->settings) {
		if (!est->n_hosts)
			return;
		f = hv_findings_add(
			out, "snapshot-missing", HV_SEV_INFO, "snapshots",
			"host settings",
			"were not checked (authentication type, migration "
			"enabled, networks, switches, VM versions, processors, "
			"Credential Guard, VMMS, firewall, time source): no "
			"--snapshot was given");
		hv_finding_fix(f, "run collector/hvdoctor-collect.ps1 on each "
				  "host (docs/snapshot.md) and give --snapshot "
				  "HOST.json...");
		return;
	}
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);

		if (s) {
			section_gaps(est, h, s, out);
			name_disagreement(est, h, s, out);
		} else if (hv_host_snapshot_expected(est, h) &&
			   !hv_host_contested(est, h)) {
			f = hv_findings_add(out, "snapshot-missing",
					    HV_SEV_INFO, "snapshots",
					    hv_host_name(est, h),
					    "has no snapshot: its settings "
					    "and its pairs' host checks were "
					    "not checked");
			hv_finding_fix(f, "%s", COLLECT_HINT);
		}
	}
	unjoined_snapshots(est, est->settings, out);
}

void hv_check_migration_enabled(const struct hv_estate *est,
				struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		struct hv_finding *f;
		struct hv_strbuf fix = HV_STRBUF_INIT;

		if (!hv_rule_migration_off(s))
			continue;
		f = hv_findings_add(out, "migration-disabled", HV_SEV_ERROR,
				    "migration-enabled", hv_host_name(est, h),
				    "has live migration turned off: no VM can "
				    "move to or from it");
		hv_snap_evidence(f, s, &s->vmhost.migration_enabled.at,
				 "false");
		hv_fix_name(&fix, hv_host_name(est, h));
		hv_finding_fix(f, "Enable-VMMigration -ComputerName %s",
			       hv_strbuf_str(&fix));
		hv_strbuf_release(&fix);
	}
}

static void credssp_finding(const struct hv_estate *est, size_t h,
			    const struct hv_snapshot *s,
			    enum hv_credssp_risk risk, struct hv_findings *out)
{
	struct hv_strbuf fix = HV_STRBUF_INIT;
	struct hv_finding *f;

	if (risk == HV_CREDSSP_GUARD) {
		f = hv_findings_add(out, "credssp-credential-guard",
				    HV_SEV_ERROR, "credssp",
				    hv_host_name(est, h),
				    "uses CredSSP for migration while "
				    "Credential Guard runs on it: moves from "
				    "it fail");
		hv_snap_evidence(f, s, &s->device_guard.cg_running.at,
				 "Credential Guard running (1)");
	} else {
		f = hv_findings_add(
			out, "credssp-remote-initiation",
			risk == HV_CREDSSP_START_UNKNOWN ? HV_SEV_WARNING
							 : HV_SEV_ERROR,
			"credssp", hv_host_name(est, h), "%s",
			risk == HV_CREDSSP_CLUSTER
				? "uses CredSSP in a cluster, where moves "
				  "start "
				  "remotely: they fail"
			: risk == HV_CREDSSP_REMOTE
				? "uses CredSSP, and moves start remotely "
				  "(--initiated remote): they fail"
				: "uses CredSSP: moves work only when started "
				  "on this host (say --initiated remote or "
				  "source)");
	}
	hv_snap_evidence(f, s, &s->vmhost.auth.at, "CredSSP (0)");
	hv_fix_name(&fix, hv_host_name(est, h));
	hv_finding_fix(f,
		       "Set-VMHost -ComputerName %s "
		       "-VirtualMachineMigrationAuthenticationType Kerberos "
		       "(with constrained delegation: hvdoctor plan)",
		       hv_strbuf_str(&fix));
	hv_strbuf_release(&fix);
}

void hv_check_credssp(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		enum hv_credssp_risk risk = hv_rule_credssp(est, s);

		if (risk != HV_CREDSSP_NONE)
			credssp_finding(est, h, s, risk, out);
	}
}

void hv_check_hyperv_firewall(const struct hv_estate *est,
			      struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		const struct hv_snap_fwrule *mig =
			hv_rule_migration_rule_off(s);
		size_t off = 0;
		struct hv_finding *f;

		for (size_t i = 0; s && i < s->n_rules; i++)
			off += s->rules[i].enabled == 0;
		if (!off)
			continue;
		f = hv_findings_add(
			out, "firewall-hyperv-rules-disabled",
			mig ? HV_SEV_ERROR : HV_SEV_WARNING, "firewall",
			hv_host_name(est, h),
			"has %zu of its %zu Hyper-V firewall rules disabled%s",
			off, s->n_rules,
			mig ? ", among them the one for incoming migrations "
			      "(TCP 6600)"
			    : "");
		for (size_t i = 0; i < s->n_rules; i++)
			if (s->rules[i].enabled == 0)
				hv_snap_evidence(
					f, s, &s->rules[i].at,
					s->rules[i].display_name
						? s->rules[i].display_name
					: s->rules[i].name ? s->rules[i].name
							   : "?");
		hv_finding_fix(f,
			       "on %s: Enable-NetFirewallRule -DisplayGroup "
			       "'Hyper-V'",
			       hv_host_name(est, h));
	}
}

/* VMMS may start before a NIC team has its address and then miss its
 * migration listener (a lab report; kb vmms-started-before-nic). */
void hv_check_vmms_start(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		const char *team = hv_rule_vmms_early(s);
		struct hv_finding *f;

		if (!team)
			continue;
		f = hv_findings_add(out, "vmms-started-before-nic",
				    HV_SEV_WARNING, "vmms-start",
				    hv_host_name(est, h),
				    "starts VMMS at boot without delay and "
				    "has a NIC team (%s): the migration "
				    "listener can miss the team's address",
				    team);
		hv_snap_evidence(f, s, &s->vmms.delayed.at, "false");
		for (size_t i = 0; i < s->n_teams && i < 1; i++)
			hv_snap_evidence(f, s, &s->teams[i].at,
					 s->teams[i].name);
		for (size_t i = 0; !s->n_teams && i < s->n_switches; i++)
			if (s->switches[i].embedded_teaming) {
				hv_snap_evidence(f, s, &s->switches[i].at,
						 s->switches[i].name);
				break;
			}
		hv_finding_fix(f,
			       "on %s: sc.exe config vmms start= delayed-auto",
			       hv_host_name(est, h));
	}
}

/* Domain members take their time from the domain hierarchy (W32Time
 * Type NT5DS); NTP or no sync on a member drifts from the DCs that issue
 * the Kerberos tickets. */
void hv_check_time_source(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		const char *type;
		struct hv_finding *f;

		if (!s || !hv_rule_time_outside(s))
			continue;
		type = s->time.type.value;
		f = hv_findings_add(out, "time-source-not-domain",
				    HV_SEV_WARNING, "time-source",
				    hv_host_name(est, h),
				    "takes its time from %s (W32Time type %s), "
				    "not from the domain hierarchy",
				    s->time.source.value ? s->time.source.value
							 : "no source",
				    type);
		hv_snap_evidence(f, s, &s->time.type.at, type);
		if (s->time.source.value)
			hv_snap_evidence(f, s, &s->time.source.at,
					 s->time.source.value);
		hv_finding_fix(f,
			       "on %s: w32tm /config /syncfromflags:domhier "
			       "/update; then w32tm /resync",
			       hv_host_name(est, h));
	}
}

void hv_check_vm_paths(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		struct hv_finding *f = NULL;
		size_t n = 0;

		for (size_t v = 0; s && v < s->n_vms; v++) {
			const struct hv_snap_vm *vm = &s->vms[v];

			for (size_t d = 0; d < vm->n_dvds + vm->n_disks; d++) {
				const struct hv_snap_path *p =
					d < vm->n_dvds
						? &vm->dvds[d]
						: &vm->disks[d - vm->n_dvds];

				if (!hv_rule_vm_path_local(vm, d))
					continue;
				if (!f)
					f = hv_findings_add(
						out,
						"iso-path-not-on-destination",
						HV_SEV_WARNING, "vm-paths",
						hv_host_name(est, h),
						"has VMs with files only it "
						"can open (first: %s, %s)",
						vm->name, p->path);
				hv_snap_evidence(f, s, &p->at, p->path);
				n++;
			}
		}
		if (f)
			hv_finding_fix(f,
				       "eject local ISOs (Set-VMDvdDrive "
				       "-VMName VM -Path $null) or move the "
				       "files to shared storage (%zu path%s)",
				       n, n == 1 ? "" : "s");
	}
}

/* A cluster node's limit, for sorting nodes by (cluster, limit). */
struct limit {
	const char *cluster;
	int64_t value;
	size_t host;
};

static int by_cluster_value(const void *x, const void *y)
{
	const struct limit *a = x, *b = y;
	int c = strcasecmp(a->cluster, b->cluster);

	if (c)
		return c;
	return a->value < b->value ? -1 : a->value > b->value;
}

static void limit_finding(const struct hv_estate *est, const struct limit *l,
			  int64_t usual, struct hv_findings *out)
{
	const struct hv_snapshot *s = hv_host_snapshot(est, l->host);
	struct hv_finding *f;
	char num[32];

	f = hv_findings_add(out, "migration-limit-reached", HV_SEV_INFO,
			    "migration-limits", hv_host_name(est, l->host),
			    "allows %lld simultaneous live migrations where "
			    "most nodes of cluster %s allow %lld",
			    (long long)l->value, l->cluster, (long long)usual);
	snprintf(num, sizeof(num), "%lld", (long long)l->value);
	hv_snap_evidence(f, s, &s->vmhost.max_migrations.at, num);
	hv_finding_fix(f, "give every node the same value (Set-VMHost "
			  "-MaximumVirtualMachineMigrations N), or set "
			  "(Get-Cluster).MaximumParallelMigrations");
}

/* Reports the nodes of one cluster, limits[0..n) sorted by value, whose
 * value fewer nodes share than the most common one. */
static void cluster_limits(const struct hv_estate *est, const struct limit *l,
			   size_t n, struct hv_findings *out)
{
	size_t best = 0, run;
	int64_t usual = 0;

	for (size_t i = 0; i < n; i += run) {
		for (run = 1; i + run < n && l[i + run].value == l[i].value;
		     run++)
			;
		if (run > best) {
			best = run;
			usual = l[i].value;
		}
	}
	for (size_t i = 0; i < n; i += run) {
		for (run = 1; i + run < n && l[i + run].value == l[i].value;
		     run++)
			;
		for (size_t k = 0; run < best && k < run; k++)
			limit_finding(est, &l[i + k], usual, out);
	}
}

/* Nodes of one cluster with different MaximumVirtualMachineMigrations:
 * the cluster's MaximumParallelMigrations takes precedence (Set-VMHost),
 * so a node that differs from most is a sign of drift: a note. Sorted,
 * so a 10,000-host estate stays n log n. */
void hv_check_migration_limits(const struct hv_estate *est,
			       struct hv_findings *out)
{
	struct limit *l = hv_calloc(est->n_hosts + 1, sizeof(*l));
	size_t n = 0;

	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);

		if (s && s->cluster.name.value &&
		    s->vmhost.max_migrations.known)
			l[n++] = (struct limit){s->cluster.name.value,
						s->vmhost.max_migrations.value,
						h};
	}
	qsort(l, n, sizeof(*l), by_cluster_value);
	for (size_t i = 0, end; i < n; i = end) {
		for (end = i + 1;
		     end < n && strcasecmp(l[end].cluster, l[i].cluster) == 0;
		     end++)
			;
		cluster_limits(est, l + i, end - i, out);
	}
	free(l);
}
