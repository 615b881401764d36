/* The rules of the host-side checks, in one home: the checks
 * (check_host_settings.c, check_host_pairs.c) turn them into findings,
 * and the audit matrix asks hv_pair_blockers() what stands between two
 * hosts. Each rule answers only from what the snapshots hold; a fact a
 * snapshot lacks makes the rule say nothing (the checks then say "not
 * checked"). */
#ifndef HV_HOST_RULES_H
#define HV_HOST_RULES_H

#include "checks/findings.h"
#include "estate/host_settings.h"

#include <stdbool.h>
#include <stddef.h>

/* What can stand in the way of moves from one host to another. */
enum hv_pair_block {
	HV_BLOCK_AUTH = 1u << 0,     /* authentication types differ */
	HV_BLOCK_CREDSSP = 1u << 1,  /* CredSSP started remotely / with CG */
	HV_BLOCK_OFF = 1u << 2,	     /* migration disabled on either side */
	HV_BLOCK_FIREWALL = 1u << 3, /* the destination's 6600 rule is off */
	HV_BLOCK_NETWORK = 1u << 4,  /* no migration network in common */
	HV_BLOCK_CIFS = 1u << 5,     /* SMB transport without cifs entries */
	HV_BLOCK_SWITCH = 1u << 6,   /* a VM's switch missing or other type */
	HV_BLOCK_VERSION = 1u << 7,  /* a VM's version unsupported there */
	HV_BLOCK_CPU = 1u << 8,	     /* processors differ */
	HV_BLOCK_PATH = 1u << 9,     /* a VM's ISO or disk is local */
	HV_BLOCK_COMPARE = 1u << 10, /* Compare-VM reported something */
	HV_BLOCK_PORT = 1u << 11,    /* b's TCP 6600 did not open from a */
};

/* CredSSP on a source: why it fails, if it does. */
enum hv_credssp_risk {
	HV_CREDSSP_NONE,	  /* not CredSSP, or not known */
	HV_CREDSSP_GUARD,	  /* Credential Guard runs on the source */
	HV_CREDSSP_CLUSTER,	  /* a cluster node: moves start remotely */
	HV_CREDSSP_REMOTE,	  /* --initiated remote */
	HV_CREDSSP_START_UNKNOWN, /* works only if started on the source */
};

/* The HV_BLOCK_* bits from a to b. *out_unchecked (may be NULL) is set
 * when snapshots were given but either host lacks one, or lacks a
 * section some check needs. */
unsigned hv_pair_blockers(const struct hv_estate *est, size_t a, size_t b,
			  bool *out_unchecked);
/* A short tag (at most four characters) for the lowest bit set. */
const char *hv_pair_block_tag(unsigned bits);

bool hv_rule_migration_off(const struct hv_snapshot *s);
enum hv_credssp_risk hv_rule_credssp(const struct hv_estate *est,
				     const struct hv_snapshot *s);
/* The disabled Hyper-V rule for TCP 6600 (VIRT-MIGL-In-TCP-NoScope,
 * "Hyper-V (MIG-TCP-In)"), or NULL. */
const struct hv_snap_fwrule *
hv_rule_migration_rule_off(const struct hv_snapshot *s);
/* VMMS starts at boot without delay on a host with a NIC team: the
 * team's kind ("LBFO", "Switch Embedded Teaming"), else NULL. */
const char *hv_rule_vmms_early(const struct hv_snapshot *s);
/* W32Time takes the time from outside the domain hierarchy (a type
 * other than NT5DS or AllSync). */
bool hv_rule_time_outside(const struct hv_snapshot *s);
/* True for a path only its own host can open: a drive-letter path that
 * is not on a Cluster Shared Volume (C:\ClusterStorage\), or Hyper-V's
 * own vmguest.iso wherever it is. */
bool hv_rule_local_path(const char *path);
/* Whether path d of a VM (its DVD drives first, then its disks) stops
 * its moves: a local ISO always, a local disk only on a clustered VM
 * (a standalone host moves the disks with the VM). */
bool hv_rule_vm_path_local(const struct hv_snap_vm *vm, size_t d);
/* The switch of that name on a host (names compare ignoring case). */
const struct hv_snap_switch *hv_rule_find_switch(const struct hv_snapshot *s,
						 const char *name);
/* True when both hosts report the same cluster name. */
bool hv_rule_same_cluster(const struct hv_snapshot *a,
			  const struct hv_snapshot *b);
/* Whether a destination runs a VM of this configuration version: by its
 * supported_versions when read, else by its OS build. 1 yes, 0 no, -1
 * unknown; *out_basis says which ("Get-VMHostSupportedVersion" or the
 * OS). */
int hv_rule_version_supported(const struct hv_snapshot *dst, int major,
			      int minor, const char **out_basis);
/* 0 same or unknown, 1 processor vendors differ, 2 models differ. */
int hv_rule_cpu_differs(const struct hv_snapshot *a,
			const struct hv_snapshot *b);
/* True when network lists rule out every path from a to b: b accepts
 * only listed networks and has none, or both list networks and no
 * subnet of one overlaps one of the other. Cluster nodes use the
 * cluster's networks instead and are left out. */
bool hv_rule_networks_disjoint(const struct hv_snapshot *a,
			       const struct hv_snapshot *b);
/* True when a's moves go over SMB with Kerberos and a has its migration
 * delegation entries towards b but not the cifs ones (estate hosts a and
 * b): the live migration itself fails, not only storage moves. */
bool hv_rule_smb_without_cifs(const struct hv_estate *est, size_t a, size_t b,
			      const struct hv_snapshot *sa);
/* True when name (a destination as given to Compare-VM) names host b. */
bool hv_rule_names_host(const struct hv_estate *est, size_t b,
			const char *name);
/* True when a's own attempts at b's TCP 6600 (its reachability
 * section) all failed: refused, timed out or another socket error. */
bool hv_rule_port_closed(const struct hv_estate *est, size_t b,
			 const struct hv_snapshot *sa);
/* Hyper-V's "highest configuration version" of an OS build, e.g. 20348
 * → 10.0; false for builds this table does not know. */
bool hv_os_version_range(long build, int *out_min_major, int *out_max_major,
			 int *out_max_minor);

/* Helpers of the host checks. */

/* Adds a snapshot value as evidence: the file, the JSON path, the value
 * and the file (all borrowed from the snapshot but the value). */
void hv_snap_evidence(struct hv_finding *f, const struct hv_snapshot *s,
		      const struct hv_snap_at *at, const char *value);
/* The estate name of host h (borrowed). */
const char *hv_host_name(const struct hv_estate *est, size_t h);
/* Appends name as a PowerShell string for a fix line. */
struct hv_strbuf;
void hv_fix_name(struct hv_strbuf *out, const char *name);

#endif
