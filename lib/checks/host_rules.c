/* The host-side rules; see host_rules.h. */
#include "checks/host_rules.h"

#include "base/alloc.h"
#include "base/quote.h"
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool hv_rule_migration_off(const struct hv_snapshot *s)
{
	return s && s->vmhost.migration_enabled.known &&
	       !s->vmhost.migration_enabled.value;
}

/* Credential Guard makes CredSSP pass on only credentials typed in for
 * the connection, so CredSSP migration fails when the source runs it
 * (Microsoft Learn: Considerations and known issues when using Credential
 * Guard). CredSSP otherwise needs the move started on the source host
 * (Set up hosts for live migration without Failover Clustering); a
 * cluster starts moves from any node. */
enum hv_credssp_risk hv_rule_credssp(const struct hv_estate *est,
				     const struct hv_snapshot *s)
{
	const struct hv_host_settings *hs = est->settings;

	if (!s || s->vmhost.auth.value != HV_AUTH_CREDSSP)
		return HV_CREDSSP_NONE;
	if (s->device_guard.cg_running.known &&
	    s->device_guard.cg_running.value)
		return HV_CREDSSP_GUARD;
	if (s->cluster.name.value)
		return HV_CREDSSP_CLUSTER;
	if (hs && hs->initiated == HV_INITIATED_REMOTE)
		return HV_CREDSSP_REMOTE;
	if (hs && hs->initiated == HV_INITIATED_SOURCE)
		return HV_CREDSSP_NONE;
	return HV_CREDSSP_START_UNKNOWN;
}

const struct hv_snap_fwrule *
hv_rule_migration_rule_off(const struct hv_snapshot *s)
{
	for (size_t i = 0; s && i < s->n_rules; i++) {
		const struct hv_snap_fwrule *r = &s->rules[i];
		bool mig = (r->name &&
			    strcasecmp(r->name, "VIRT-MIGL-In-TCP-NoScope") ==
				    0) ||
			   (r->display_name &&
			    strcasecmp(r->display_name,
				       "Hyper-V (MIG-TCP-In)") == 0);

		if (mig && r->enabled == 0)
			return r;
	}
	return NULL;
}

const char *hv_rule_vmms_early(const struct hv_snapshot *s)
{
	if (!s || !s->vmms.delayed.known || s->vmms.delayed.value ||
	    !s->vmms.start_mode.value ||
	    strcasecmp(s->vmms.start_mode.value, "Auto") != 0)
		return NULL;
	if (s->n_teams)
		return "LBFO";
	for (size_t i = 0; i < s->n_switches; i++)
		if (s->switches[i].embedded_teaming)
			return "Switch Embedded Teaming";
	return NULL;
}

bool hv_rule_time_outside(const struct hv_snapshot *s)
{
	const char *type = s ? s->time.type.value : NULL;

	return type && strcasecmp(type, "NT5DS") != 0 &&
	       strcasecmp(type, "AllSync") != 0;
}

static bool ends_with_ci(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcasecmp(s + n - t, tail) == 0;
}

bool hv_rule_local_path(const char *path)
{
	if (ends_with_ci(path, "\\vmguest.iso") ||
	    strcasecmp(path, "vmguest.iso") == 0)
		return true;
	/* "X:\..." is local unless it is a Cluster Shared Volume */
	if (((path[0] >= 'A' && path[0] <= 'Z') ||
	     (path[0] >= 'a' && path[0] <= 'z')) &&
	    path[1] == ':')
		return strncasecmp(path + 2, "\\ClusterStorage\\", 16) != 0;
	return false;
}

/* A DVD's ISO stays behind whatever the move (KB4558514); a disk moves
 * with the VM's storage on a standalone host (Move-VM -IncludeStorage),
 * so a local disk stops only a clustered VM, whose files must be shared. */
bool hv_rule_vm_path_local(const struct hv_snap_vm *vm, size_t d)
{
	if (d < vm->n_dvds)
		return hv_rule_local_path(vm->dvds[d].path);
	d -= vm->n_dvds;
	if (d >= vm->n_disks)
		return false;
	if (ends_with_ci(vm->disks[d].path, "\\vmguest.iso"))
		return true;
	return vm->clustered.known && vm->clustered.value &&
	       hv_rule_local_path(vm->disks[d].path);
}

const struct hv_snap_switch *hv_rule_find_switch(const struct hv_snapshot *s,
						 const char *name)
{
	for (size_t i = 0; s && i < s->n_switches; i++)
		if (strcasecmp(s->switches[i].name, name) == 0)
			return &s->switches[i];
	return NULL;
}

bool hv_rule_same_cluster(const struct hv_snapshot *a,
			  const struct hv_snapshot *b)
{
	return a && b && a->cluster.name.value && b->cluster.name.value &&
	       strcasecmp(a->cluster.name.value, b->cluster.name.value) == 0;
}

/* Microsoft Learn, "Upgrade virtual machine version in Hyper-V": the
 * versions each host OS runs. 2022 and later dropped 5.0 and 6.2-7.1. */
static const struct {
	long build;
	int min_major, max_major, max_minor;
} os_versions[] = {
	{9600, 5, 5, 0},   /* Windows Server 2012 R2 */
	{14393, 5, 8, 0},  /* Windows Server 2016 */
	{17763, 5, 9, 0},  /* Windows Server 2019 */
	{20348, 8, 10, 0}, /* Windows Server 2022 */
	{22621, 8, 11, 0}, /* Windows 11 22H2 */
	{26100, 8, 12, 0}, /* Windows Server 2025 */
};

bool hv_os_version_range(long build, int *out_min_major, int *out_max_major,
			 int *out_max_minor)
{
	long best = -1;

	for (size_t i = 0; i < sizeof(os_versions) / sizeof(os_versions[0]);
	     i++)
		if (os_versions[i].build <= build)
			best = (long)i;
	if (best < 0)
		return false;
	*out_min_major = os_versions[best].min_major;
	*out_max_major = os_versions[best].max_major;
	*out_max_minor = os_versions[best].max_minor;
	return true;
}

int hv_rule_version_supported(const struct hv_snapshot *dst, int major,
			      int minor, const char **out_basis)
{
	int lo, hi, hi_minor;

	*out_basis = NULL;
	if (!dst || major < 0)
		return -1;
	if (dst->sec[HV_SEC_VERSIONS].state == HV_SEC_READ && dst->n_versions) {
		*out_basis = "Get-VMHostSupportedVersion";
		for (size_t i = 0; i < dst->n_versions; i++)
			if (dst->versions[i].major == major &&
			    dst->versions[i].minor == minor)
				return 1;
		return 0;
	}
	if (!dst->os.build.known ||
	    !hv_os_version_range(dst->os.build.value, &lo, &hi, &hi_minor))
		return -1;
	*out_basis = "its OS build";
	if (major < lo || major > hi || (major == hi && minor > hi_minor))
		return 0;
	return 1;
}

static const struct hv_snap_cpu *first_cpu(const struct hv_snapshot *s)
{
	return s && s->sec[HV_SEC_PROCESSORS].state == HV_SEC_READ &&
			       s->n_cpus && s->cpus[0].manufacturer
		       ? &s->cpus[0]
		       : NULL;
}

int hv_rule_cpu_differs(const struct hv_snapshot *a,
			const struct hv_snapshot *b)
{
	const struct hv_snap_cpu *x = first_cpu(a), *y = first_cpu(b);

	if (!x || !y)
		return 0;
	if (strcasecmp(x->manufacturer, y->manufacturer) != 0)
		return 1;
	if (x->name && y->name && strcasecmp(x->name, y->name) != 0)
		return 2;
	return 0;
}

static bool prefix_equal(const uint8_t *x, const uint8_t *y, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(x, y, bytes) != 0)
		return false;
	return !rest || ((x[bytes] ^ y[bytes]) >> (8 - rest)) == 0;
}

/* Two ranges overlap when they agree on the shorter prefix. */
static bool overlap(const struct hv_snap_subnet *x,
		    const struct hv_snap_subnet *y)
{
	if (!x->family || x->family != y->family)
		return false;
	return prefix_equal(x->addr, y->addr,
			    x->prefix < y->prefix ? x->prefix : y->prefix);
}

/* Incoming moves use only the receiving host's listed networks when
 * UseAnyNetworkForMigration is off (Set-VMHost); the sender picks from
 * its own list the same way. */
bool hv_rule_networks_disjoint(const struct hv_snapshot *a,
			       const struct hv_snapshot *b)
{
	if (!a || !b || hv_rule_same_cluster(a, b) || b->cluster.name.value ||
	    b->sec[HV_SEC_NETWORKS].state != HV_SEC_READ ||
	    !b->vmhost.use_any_network.known || b->vmhost.use_any_network.value)
		return false;
	if (!b->n_networks)
		return true;
	if (a->sec[HV_SEC_NETWORKS].state != HV_SEC_READ ||
	    !a->vmhost.use_any_network.known ||
	    a->vmhost.use_any_network.value || !a->n_networks)
		return false;
	for (size_t i = 0; i < a->n_networks; i++)
		for (size_t j = 0; j < b->n_networks; j++)
			if (overlap(&a->networks[i], &b->networks[j]))
				return false;
	return true;
}

/* With the SMB performance option the memory travels over SMB, so a
 * Kerberos source needs its cifs delegation entries towards the
 * destination (Microsoft Learn: Set up hosts for live migration without
 * Failover Clustering). */
bool hv_rule_smb_without_cifs(const struct hv_estate *est, size_t a, size_t b,
			      const struct hv_snapshot *sa)
{
	unsigned bits;

	if (!sa || sa->vmhost.perf.value != HV_PERF_SMB ||
	    sa->vmhost.auth.value != HV_AUTH_KERBEROS)
		return false;
	bits = hv_estate_deleg_bits(est, est->hosts[a].account,
				    est->hosts[b].account);
	/* without the migration entries AD's own check already names
	 * both gaps; this rule adds what only the snapshot can tell */
	return (bits & HV_DELEG_VSMS) == HV_DELEG_VSMS &&
	       (bits & HV_DELEG_CIFS) != HV_DELEG_CIFS;
}

bool hv_rule_names_host(const struct hv_estate *est, size_t b, const char *name)
{
	long acc = hv_estate_find(est, name);

	if (acc < 0 && strchr(name, '.')) {
		char *label = hv_strndup(name, strcspn(name, "."));

		acc = hv_estate_find(est, label);
		free(label);
	}
	return acc >= 0 && (size_t)acc == est->hosts[b].account;
}

static unsigned vm_blockers(const struct hv_snapshot *sa,
			    const struct hv_snapshot *sb)
{
	unsigned bits = 0;
	const char *basis;

	for (size_t v = 0; v < sa->n_vms; v++) {
		const struct hv_snap_vm *vm = &sa->vms[v];

		for (size_t n = 0; n < vm->n_nics; n++) {
			const struct hv_snap_switch *sw =
				vm->nics[n].switch_name &&
						sb->sec[HV_SEC_SWITCHES]
								.state ==
							HV_SEC_READ
					? hv_rule_find_switch(
						  sb, vm->nics[n].switch_name)
					: NULL;
			const struct hv_snap_switch *mine =
				vm->nics[n].switch_name
					? hv_rule_find_switch(
						  sa, vm->nics[n].switch_name)
					: NULL;

			if (!vm->nics[n].switch_name ||
			    sb->sec[HV_SEC_SWITCHES].state != HV_SEC_READ)
				continue;
			if (!sw || (mine && mine->type >= 0 && sw->type >= 0 &&
				    mine->type != sw->type))
				bits |= HV_BLOCK_SWITCH;
		}
		if (hv_rule_version_supported(sb, vm->ver_major, vm->ver_minor,
					      &basis) == 0)
			bits |= HV_BLOCK_VERSION;
		for (size_t d = 0; d < vm->n_dvds + vm->n_disks; d++)
			if (hv_rule_vm_path_local(vm, d))
				bits |= HV_BLOCK_PATH;
		if (vm->cpu_compat.known && !vm->cpu_compat.value &&
		    hv_rule_cpu_differs(sa, sb))
			bits |= HV_BLOCK_CPU;
	}
	if (hv_rule_cpu_differs(sa, sb) == 1 && sa->n_vms)
		bits |= HV_BLOCK_CPU;
	return bits;
}

/* True when every section a check needs was read. */
static bool complete(const struct hv_snapshot *s)
{
	for (int i = 0; s && i < HV_SEC_COUNT; i++)
		if (hv_snap_section_gap(s, (enum hv_snap_section_id)i))
			return false;
	return s != NULL;
}

bool hv_rule_port_closed(const struct hv_estate *est, size_t b,
			 const struct hv_snapshot *sa)
{
	bool failed = false;

	for (size_t i = 0; i < sa->n_reach; i++) {
		const struct hv_snap_reach *r = &sa->reach[i];

		if (r->port != 6600 || !hv_rule_names_host(est, b, r->peer))
			continue;
		if (r->result == HV_REACH_OPEN)
			return false;
		failed = failed || r->result != HV_REACH_UNRESOLVED;
	}
	return failed;
}

unsigned hv_pair_blockers(const struct hv_estate *est, size_t a, size_t b,
			  bool *out_unchecked)
{
	const struct hv_snapshot *sa = hv_host_snapshot(est, a);
	const struct hv_snapshot *sb = hv_host_snapshot(est, b);
	unsigned bits = 0;

	if (out_unchecked)
		*out_unchecked =
			est->settings && (!complete(sa) || !complete(sb));
	if (!sa || !sb)
		return 0;
	if (sa->vmhost.auth.value >= 0 && sb->vmhost.auth.value >= 0 &&
	    sa->vmhost.auth.value != sb->vmhost.auth.value)
		bits |= HV_BLOCK_AUTH;
	if (hv_rule_credssp(est, sa) != HV_CREDSSP_NONE &&
	    hv_rule_credssp(est, sa) != HV_CREDSSP_START_UNKNOWN)
		bits |= HV_BLOCK_CREDSSP;
	if (hv_rule_migration_off(sa) || hv_rule_migration_off(sb))
		bits |= HV_BLOCK_OFF;
	if (hv_rule_migration_rule_off(sb))
		bits |= HV_BLOCK_FIREWALL;
	if (hv_rule_networks_disjoint(sa, sb))
		bits |= HV_BLOCK_NETWORK;
	if (hv_rule_smb_without_cifs(est, a, b, sa))
		bits |= HV_BLOCK_CIFS;
	bits |= vm_blockers(sa, sb);
	for (size_t c = 0; c < sa->n_compares; c++)
		if (sa->compares[c].n_items &&
		    hv_rule_names_host(est, b, sa->compares[c].destination))
			bits |= HV_BLOCK_COMPARE;
	if (hv_rule_port_closed(est, b, sa))
		bits |= HV_BLOCK_PORT;
	return bits;
}

const char *hv_pair_block_tag(unsigned bits)
{
	static const char *const tags[] = {"auth", "cssp", "off", "fw",
					   "net",  "cifs", "vsw", "ver",
					   "cpu",  "iso",  "cmp", "tcp"};

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (bits & (1u << i))
			return tags[i];
	return NULL;
}

void hv_snap_evidence(struct hv_finding *f, const struct hv_snapshot *s,
		      const struct hv_snap_at *at, const char *value)
{
	hv_finding_evidence(f, s->file, at->path ? at->path : "$", value,
			    HV_EV_PRESENT, at->where ? at->where : s->file);
}

const char *hv_host_name(const struct hv_estate *est, size_t h)
{
	return est->hosts[h].name;
}

void hv_fix_name(struct hv_strbuf *out, const char *name)
{
	hv_quote_ps(out, name);
}
