/* The host checks: pure functions from the estate and its host snapshots
 * (estate/host_settings.h) to findings, each with a cause of the
 * knowledge base. Without snapshots they say what was not checked. */
#ifndef HV_HOST_CHECKS_H
#define HV_HOST_CHECKS_H

#include "checks/checks.h"

/* What could not be checked and the input that would (snapshot-missing,
 * snapshot-incomplete); snapshots no host matches (snapshot-host-unknown). */
void hv_check_snapshot_coverage(const struct hv_estate *est,
				struct hv_findings *out);
/* Live migration turned off (migration-disabled). */
void hv_check_migration_enabled(const struct hv_estate *est,
				struct hv_findings *out);
/* CredSSP with Credential Guard or started remotely
 * (credssp-credential-guard, credssp-remote-initiation). */
void hv_check_credssp(const struct hv_estate *est, struct hv_findings *out);
/* Hyper-V firewall rules disabled (firewall-hyperv-rules-disabled). */
void hv_check_hyperv_firewall(const struct hv_estate *est,
			      struct hv_findings *out);
/* VMMS not delayed on a host with a NIC team (vmms-started-before-nic). */
void hv_check_vmms_start(const struct hv_estate *est, struct hv_findings *out);
/* Time from outside the domain hierarchy (time-source-not-domain). */
void hv_check_time_source(const struct hv_estate *est, struct hv_findings *out);
/* Local ISO or disk paths, vmguest.iso (iso-path-not-on-destination). */
void hv_check_vm_paths(const struct hv_estate *est, struct hv_findings *out);
/* Simultaneous-migration limits differing in a cluster
 * (migration-limit-reached, a note). */
void hv_check_migration_limits(const struct hv_estate *est,
			       struct hv_findings *out);
/* Authentication types that differ in a domain (auth-type-mismatch). */
void hv_check_auth_types(const struct hv_estate *est, struct hv_findings *out);
/* No migration network in common (migration-network-mismatch). */
void hv_check_migration_networks(const struct hv_estate *est,
				 struct hv_findings *out);
/* SMB performance option without cifs delegation (kcd-missing-cifs). */
void hv_check_smb_cifs(const struct hv_estate *est, struct hv_findings *out);
/* A VM's switch missing on a destination, or of another type
 * (vswitch-missing, vswitch-disconnected). */
void hv_check_vm_switches(const struct hv_estate *est, struct hv_findings *out);
/* A VM's configuration version a destination does not run
 * (vm-version-unsupported). */
void hv_check_vm_versions(const struct hv_estate *est, struct hv_findings *out);
/* Processors that differ (cpu-incompatible). */
void hv_check_processors(const struct hv_estate *est, struct hv_findings *out);
/* Hyper-V's own Compare-VM verdicts, mapped or verbatim
 * (compare-vm-incompatible and the mapped causes). */
void hv_check_compare_vm(const struct hv_estate *est, struct hv_findings *out);

/* What a host measured from itself: a peer's TCP 6600 or 445 that did
 * not open from it (port-6600-refused, port-6600-filtered,
 * smb-445-blocked, host-name-unresolved, port-closed-other), and its
 * clock against its DC (clock-skew). */
void hv_check_host_reachability(const struct hv_estate *est,
				struct hv_findings *out);
void hv_check_host_clock(const struct hv_estate *est, struct hv_findings *out);

/* The table of host checks, in report order. */
extern const struct hv_check hv_host_checks[];
extern const size_t hv_host_checks_count;

/* Runs every host check and sorts all findings by severity again. */
void hv_checks_run_hosts(const struct hv_estate *est, struct hv_findings *out);

#endif
