/* The host-wide sections of a snapshot, each read from the objects the
 * cmdlet named in docs/snapshot.md returns, under their own property
 * names. Enum names and numbers are Hyper-V's (Microsoft.HyperV.PowerShell
 * and the WMI classes behind it). */
#include "sources/snapshot_internal.h"

#include "base/alloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* MigrationAuthenticationType and VMMigrationPerformance, in their
 * numeric order (Msvm_VirtualSystemMigrationServiceSettingData:
 * AuthenticationType CredSSP 0, Kerberos 1). */
static const char *const auth_names[] = {"CredSSP", "Kerberos"};
static const char *const perf_names[] = {"TCPIP", "Compression", "SMB"};
static const char *const switch_names[] = {"Private", "Internal", "External"};

void snap_read_vmhost(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snap_vmhost *h = &rd->snap->vmhost;

	if (n->type != SNAP_JOBJECT) {
		snap_problem(rd, n, "is %s, expected the Get-VMHost object",
			     snap_type_name(n));
		return;
	}
	snap_str(rd, n, "Name", &h->name);
	if (!h->name.value)
		snap_str(rd, n, "ComputerName", &h->name);
	snap_str(rd, n, "FullyQualifiedDomainName", &h->fqdn);
	snap_bool(rd, n, "VirtualMachineMigrationEnabled",
		  &h->migration_enabled);
	snap_enum(rd, n, "VirtualMachineMigrationAuthenticationType",
		  auth_names, 2, &h->auth);
	snap_enum(rd, n, "VirtualMachineMigrationPerformanceOption", perf_names,
		  3, &h->perf);
	snap_bool(rd, n, "UseAnyNetworkForMigration", &h->use_any_network);
	snap_int(rd, n, "MaximumVirtualMachineMigrations", &h->max_migrations);
	snap_int(rd, n, "MaximumStorageMigrations", &h->max_storage_migrations);
}

/* Add-VMMigrationNetwork takes a CIDR range or a single address. */
void snap_parse_subnet(struct hv_snap_subnet *sub)
{
	char addr[64];
	const char *slash = strchr(sub->text, '/');
	size_t len = slash ? (size_t)(slash - sub->text) : strlen(sub->text);
	char *end;
	long prefix;

	sub->family = 0;
	if (len >= sizeof(addr))
		return;
	memcpy(addr, sub->text, len);
	addr[len] = '\0';
	memset(sub->addr, 0, sizeof(sub->addr));
	if (inet_pton(AF_INET, addr, sub->addr) == 1)
		sub->family = 4;
	else if (inet_pton(AF_INET6, addr, sub->addr) == 1)
		sub->family = 6;
	else
		return;
	sub->prefix = sub->family == 4 ? 32 : 128;
	if (!slash)
		return;
	prefix = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || prefix < 0 ||
	    prefix > (long)sub->prefix) {
		sub->family = 0;
		return;
	}
	sub->prefix = (unsigned)prefix;
}

void snap_read_networks(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->networks = hv_calloc(count + 1, sizeof(*s->networks));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_subnet *sub = &s->networks[s->n_networks];
		struct hv_snap_str text;
		struct hv_snap_int prio;

		snap_str(rd, items[i], "Subnet", &text);
		snap_int(rd, items[i], "Priority", &prio);
		if (!text.value) {
			snap_problem(rd, items[i], "a network without Subnet");
			continue;
		}
		sub->text = text.value;
		sub->priority = prio.known ? prio.value : -1;
		sub->at = text.at;
		snap_parse_subnet(sub);
		if (!sub->family)
			snap_problem(rd,
				     snap_find(rd, items[i], "Subnet", NULL),
				     "'%s' is not an address or CIDR range",
				     sub->text);
		s->n_networks++;
	}
	free(items);
}

/* "10.0" as Get-VM writes a configuration version: two numbers. */
static bool version_text(const char *s, int *out_major, int *out_minor)
{
	char *end;
	long major, minor;

	major = strtol(s, &end, 10);
	if (end == s || *end != '.' || major < 0 || major > 255)
		return false;
	s = end + 1;
	minor = strtol(s, &end, 10);
	if (end == s || *end || minor < 0 || minor > 255)
		return false;
	*out_major = (int)major;
	*out_minor = (int)minor;
	return true;
}

bool snap_version(struct snap_reader *rd, const struct snap_node *n,
		  int *out_major, int *out_minor)
{
	struct hv_snap_int major, minor;

	*out_major = *out_minor = -1;
	if (!n || n->type == SNAP_JNULL)
		return false;
	if (n->type == SNAP_JOBJECT) {
		snap_int(rd, n, "Major", &major);
		snap_int(rd, n, "Minor", &minor);
		if (!major.known || major.value < 0 || major.value > 255 ||
		    !minor.known || minor.value < 0 || minor.value > 255)
			return false;
		*out_major = (int)major.value;
		*out_minor = (int)minor.value;
		return true;
	}
	return n->type == SNAP_JSTRING &&
	       version_text(snap_text(n), out_major, out_minor);
}

void snap_read_versions(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->versions = hv_calloc(count + 1, sizeof(*s->versions));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_version *v = &s->versions[s->n_versions];
		const struct snap_node *ver = snap_get(rd, items[i], "Version");
		struct hv_snap_bool def;

		if (!snap_version(rd, ver, &v->major, &v->minor)) {
			snap_problem(rd, ver ? ver : items[i],
				     "no Version like \"10.0\"");
			continue;
		}
		snap_bool(rd, items[i], "IsDefault", &def);
		v->is_default = def.known && def.value;
		v->at = snap_at(rd, ver);
		s->n_versions++;
	}
	free(items);
}

void snap_read_switches(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->switches = hv_calloc(count + 1, sizeof(*s->switches));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_switch *sw = &s->switches[s->n_switches];
		struct hv_snap_str name;
		struct hv_snap_enum type;
		struct hv_snap_bool team;

		snap_str(rd, items[i], "Name", &name);
		if (!name.value) {
			snap_problem(rd, items[i], "a switch without Name");
			continue;
		}
		snap_enum(rd, items[i], "SwitchType", switch_names, 3, &type);
		snap_bool(rd, items[i], "EmbeddedTeamingEnabled", &team);
		sw->name = name.value;
		sw->type = type.value;
		sw->embedded_teaming = team.known && team.value;
		sw->at = name.at;
		s->n_switches++;
	}
	free(items);
}

/* Win32_OperatingSystem: BuildNumber is a string in WMI. */
void snap_read_os(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node *b = snap_get(rd, n, "BuildNumber");
	const char *text;
	char *end;
	long v;

	snap_str(rd, n, "Caption", &s->os.caption);
	snap_str(rd, n, "Version", &s->os.version);
	s->os.build.at = snap_at(rd, b);
	if (!b || b->type == SNAP_JNULL)
		return;
	if (b->type == SNAP_JNUMBER) {
		snap_int(rd, n, "BuildNumber", &s->os.build);
		return;
	}
	text = b->type == SNAP_JSTRING ? snap_text(b) : NULL;
	v = text ? strtol(text, &end, 10) : -1;
	if (!text || end == text || *end || v <= 0 || v > 1000000) {
		snap_problem(rd, b, "is not a build number");
		return;
	}
	s->os.build.known = true;
	s->os.build.value = v;
}

void snap_read_processors(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->cpus = hv_calloc(count + 1, sizeof(*s->cpus));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_cpu *c = &s->cpus[s->n_cpus++];
		struct hv_snap_str m;

		snap_str(rd, items[i], "Manufacturer", &m);
		c->manufacturer = m.value;
		c->name = snap_plain_str(rd, items[i], "Name");
		c->at = m.at;
	}
	free(items);
}

/* SecurityServicesRunning / Configured: a list of numbers from WMI (1 is
 * Credential Guard, 2 HVCI: DeviceGuardSoftwareSecure), or names when
 * Get-ComputerInfo's properties were written with -EnumsAsStrings. */
static void services_list(struct snap_reader *rd, const struct snap_node *obj,
			  const char *key, struct hv_snap_bool *out)
{
	const struct snap_node *n = snap_get(rd, obj, key);

	out->known = out->value = false;
	out->at = snap_at(rd, n);
	if (!n || n->type == SNAP_JNULL)
		return;
	if (n->type != SNAP_JARRAY && n->type != SNAP_JNUMBER &&
	    n->type != SNAP_JSTRING) {
		snap_problem(rd, n, "is %s, expected a list of services",
			     snap_type_name(n));
		return;
	}
	out->known = true;
	for (const struct snap_node *c =
		     n->type == SNAP_JARRAY ? snap_first(rd, n) : n;
	     c; c = n->type == SNAP_JARRAY ? snap_next(rd, c) : NULL) {
		int64_t v;
		const char *str = snap_text(c);

		if ((c->type == SNAP_JNUMBER && snap_int_of(c, &v) && v == 1) ||
		    (c->type == SNAP_JSTRING && str &&
		     strcmp(str, "CredentialGuard") == 0))
			out->value = true;
	}
}

void snap_read_device_guard(struct snap_reader *rd, const struct snap_node *n)
{
	services_list(rd, n, "SecurityServicesRunning",
		      &rd->snap->device_guard.cg_running);
	services_list(rd, n, "SecurityServicesConfigured",
		      &rd->snap->device_guard.cg_configured);
}

/* Win32_Service for vmms: StartMode "Auto", and DelayedAutoStart. */
void snap_read_vmms(struct snap_reader *rd, const struct snap_node *n)
{
	snap_str(rd, n, "StartMode", &rd->snap->vmms.start_mode);
	snap_bool(rd, n, "DelayedAutoStart", &rd->snap->vmms.delayed);
}

void snap_read_lbfo(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->teams = hv_calloc(count + 1, sizeof(*s->teams));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_str name;

		snap_str(rd, items[i], "Name", &name);
		s->teams[s->n_teams].name = name.value ? name.value : "?";
		s->teams[s->n_teams++].at = snap_at(rd, items[i]);
	}
	free(items);
}

/* MSFT_NetFirewallRule.Enabled is not a boolean: 1 True, 2 False (the
 * names with -EnumsAsStrings). Direction: 1 Inbound, 2 Outbound. */
static int fw_enabled(struct snap_reader *rd, const struct snap_node *rule)
{
	static const char *const names[] = {NULL, "True", "False"};
	const struct snap_node *n = snap_get(rd, rule, "Enabled");
	struct hv_snap_enum e;

	if (n && (n->type == SNAP_JTRUE || n->type == SNAP_JFALSE))
		return n->type == SNAP_JTRUE;
	snap_enum(rd, rule, "Enabled", names, 3, &e);
	return e.value < 0 ? -1 : e.value == 1;
}

void snap_read_firewall(struct snap_reader *rd, const struct snap_node *n)
{
	static const char *const dir_names[] = {NULL, "Inbound", "Outbound"};
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->rules = hv_calloc(count + 1, sizeof(*s->rules));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_fwrule *r = &s->rules[s->n_rules++];
		struct hv_snap_enum dir;

		r->name = snap_plain_str(rd, items[i], "Name");
		r->display_name = snap_plain_str(rd, items[i], "DisplayName");
		r->group = snap_plain_str(rd, items[i], "DisplayGroup");
		r->enabled = fw_enabled(rd, items[i]);
		snap_enum(rd, items[i], "Direction", dir_names, 3, &dir);
		r->direction = dir.value;
		r->at = snap_at(rd, items[i]);
	}
	free(items);
}

/* W32Time's Type from the registry (not localised, unlike w32tm's
 * output), and `w32tm /query /source` as one trimmed line. */
void snap_read_time(struct snap_reader *rd, const struct snap_node *n)
{
	snap_str(rd, n, "Type", &rd->snap->time.type);
	snap_str(rd, n, "Source", &rd->snap->time.source);
}

void snap_read_cluster(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node *nodes;

	if (n->type == SNAP_JNULL)
		return; /* read: the host is not in a cluster */
	snap_str(rd, n, "Name", &s->cluster.name);
	nodes = snap_get(rd, n, "Nodes");
	if (!nodes || nodes->type == SNAP_JNULL)
		return;
	if (nodes->type != SNAP_JARRAY) {
		snap_problem(rd, nodes, "is %s, expected a list of nodes",
			     snap_type_name(nodes));
		return;
	}
	s->cluster.nodes = hv_calloc(nodes->count + 1, sizeof(char *));
	for (const struct snap_node *c = snap_first(rd, nodes); c;
	     c = snap_next(rd, c)) {
		/* snap_text is NULL for a string holding NUL */
		const char *text = snap_text(c);
		const char *name = c->type == SNAP_JOBJECT
					   ? snap_plain_str(rd, c, "Name")
				   : text ? snap_strndup(s, text, strlen(text))
					  : NULL;

		if (name)
			s->cluster.nodes[s->cluster.n_nodes++] = name;
		else
			snap_problem(rd, c, "a node without a name");
	}
}
