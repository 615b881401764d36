/* The host checks (lib/checks/check_host_*.c, check_compare_vm.c, the
 * rules in host_rules.c) over a small estate: three Windows Server 2022
 * hosts HVA, HVB, HVC with complete delegation but HVC -> HVA, which
 * lacks the cifs entries. Each snapshot starts from a healthy host; each
 * test changes one section. For every check: a case that fires it, a
 * near miss that must not, and input too thin to judge (the section
 * missing), which must say "not checked", never "ok". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks/host_checks.h"
#include "checks/host_rules.h"
#include "base/alloc.h"
#include "base/strbuf.h"
#include "estate/host_settings.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VSMS HV_SPN_VSMS
#define OU "OU=Hyper-V,DC=corp,DC=example,DC=com"

/* One snapshot's sections as JSON fragments; NULL leaves one out. */
struct spec {
	const char *host;
	const char *vmhost, *networks, *versions, *switches, *vms, *os;
	const char *cpus, *dg, *vmms, *lbfo, *fw, *time, *cluster, *compare;
	const char *extra; /* more members, written as they are */
};

static const char vmhost_kerberos[] =
	"{\"VirtualMachineMigrationEnabled\": true,"
	" \"VirtualMachineMigrationAuthenticationType\": 1,"
	" \"VirtualMachineMigrationPerformanceOption\": 1,"
	" \"UseAnyNetworkForMigration\": true,"
	" \"MaximumVirtualMachineMigrations\": 2}";
static const char fw_ok[] =
	"[{\"Name\": \"VIRT-MIGL-In-TCP-NoScope\", \"DisplayName\":"
	" \"Hyper-V (MIG-TCP-In)\", \"Enabled\": 1, \"Direction\": 1},"
	" {\"Name\": \"VIRT-VMMS-RPC-In-NoScope\", \"Enabled\": 1}]";
static const char intel[] =
	"[{\"Manufacturer\": \"GenuineIntel\", \"Name\": \"Xeon 6230\"}]";

static struct spec healthy(const char *host)
{
	struct spec s = {
		host,
		vmhost_kerberos,
		"[]",
		NULL,
		"[{\"Name\": \"LAN\", \"SwitchType\": 2}]",
		"[{\"Name\": \"VM-%s\", \"Version\": \"10.0\","
		" \"CompatibilityForMigrationEnabled\": true,"
		" \"NetworkAdapters\": [{\"Name\": \"NIC\", \"SwitchName\":"
		" \"LAN\"}], \"DvdDrives\": [], \"HardDrives\": [{\"Path\":"
		" \"C:\\\\ClusterStorage\\\\Volume1\\\\vm.vhdx\"}]}]",
		"{\"BuildNumber\": \"20348\"}",
		intel,
		"{\"SecurityServicesRunning\": []}",
		"{\"StartMode\": \"Auto\", \"DelayedAutoStart\": false}",
		"[]",
		fw_ok,
		"{\"Type\": \"NT5DS\", \"Source\": \"DC1.corp.example.com\"}",
		"null",
		NULL,
		NULL,
	};
	return s;
}

struct fx {
	struct hv_strbuf ldif;
	struct hv_directory dir;
	struct hv_selection sel;
	struct hv_estate est;
	struct hv_host_settings hs;
	struct hv_findings out;
	struct spec spec[3];
	bool no_settings;
};

static int setup(void **state)
{
	struct fx *fx = hv_calloc(1, sizeof(*fx));

	fx->spec[0] = healthy("HVA");
	fx->spec[1] = healthy("HVB");
	fx->spec[2] = healthy("HVC");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	hv_findings_release(&fx->out);
	hv_estate_release(&fx->est);
	hv_host_settings_release(&fx->hs);
	hv_directory_clear(&fx->dir);
	hv_selection_release(&fx->sel);
	hv_strbuf_release(&fx->ldif);
	free(fx);
	return 0;
}

static void member(struct hv_strbuf *sb, const char *key, const char *json)
{
	if (json)
		hv_strbuf_addf(sb, ", \"%s\": %s", key, json);
}

static void snapshot_json(struct hv_strbuf *sb, const struct spec *s)
{
	hv_strbuf_addf(sb,
		       "{\"schema\": \"hvdoctor.snapshot/1\", \"host\":"
		       " \"%s\"",
		       s->host);
	member(sb, "vmhost", s->vmhost);
	member(sb, "migration_networks", s->networks);
	member(sb, "supported_versions", s->versions);
	member(sb, "switches", s->switches);
	if (s->vms) {
		const char *mark = strstr(s->vms, "VM-%s");

		hv_strbuf_adds(sb, ", \"vms\": ");
		/* the healthy VM is named after its host */
		if (mark) {
			hv_strbuf_add(sb, s->vms, (size_t)(mark - s->vms));
			hv_strbuf_addf(sb, "VM-%s", s->host);
			hv_strbuf_adds(sb, mark + 5);
		} else {
			hv_strbuf_adds(sb, s->vms);
		}
	}
	member(sb, "os", s->os);
	member(sb, "processors", s->cpus);
	member(sb, "device_guard", s->dg);
	member(sb, "vmms", s->vmms);
	member(sb, "lbfo_teams", s->lbfo);
	member(sb, "firewall", s->fw);
	member(sb, "time", s->time);
	member(sb, "cluster", s->cluster);
	member(sb, "compare", s->compare);
	if (s->extra)
		hv_strbuf_addf(sb, ", %s", s->extra);
	hv_strbuf_addch(sb, '}');
}

static void computer(struct hv_strbuf *sb, const char *name, unsigned bits_a,
		     unsigned bits_b, unsigned bits_c)
{
	const char *peers[] = {"HVA", "HVB", "HVC"};
	unsigned bits[] = {bits_a, bits_b, bits_c};

	hv_strbuf_addf(sb,
		       "dn: CN=%s," OU "\nobjectClass: computer\n"
		       "sAMAccountName: %s$\ndNSHostName: %s.corp.example.com\n"
		       "userAccountControl: 16781312\n"
		       "operatingSystem: Windows Server 2022 Datacenter\n"
		       "operatingSystemVersion: 10.0 (20348)\n"
		       "servicePrincipalName: HOST/%s\n"
		       "servicePrincipalName: HOST/%s.corp.example.com\n"
		       "servicePrincipalName: " VSMS "/%s\n"
		       "servicePrincipalName: " VSMS "/%s.corp.example.com\n",
		       name, name, name, name, name, name, name);
	for (int i = 0; i < 3; i++) {
		if (bits[i] & HV_DELEG_VSMS)
			hv_strbuf_addf(sb,
				       "msDS-AllowedToDelegateTo: " VSMS "/%s\n"
				       "msDS-AllowedToDelegateTo: " VSMS
				       "/%s.corp.example.com\n",
				       peers[i], peers[i]);
		if (bits[i] & HV_DELEG_CIFS)
			hv_strbuf_addf(sb,
				       "msDS-AllowedToDelegateTo: cifs/%s\n"
				       "msDS-AllowedToDelegateTo: cifs/%s"
				       ".corp.example.com\n",
				       peers[i], peers[i]);
	}
	hv_strbuf_addch(sb, '\n');
}

/* Builds the estate and the snapshots of the specs, then runs check. */
static void run(struct fx *fx,
		void (*check)(const struct hv_estate *, struct hv_findings *))
{
	struct hv_error err;

	computer(&fx->ldif, "HVA", 0, HV_DELEG_ALL, HV_DELEG_ALL);
	computer(&fx->ldif, "HVB", HV_DELEG_ALL, 0, HV_DELEG_ALL);
	computer(&fx->ldif, "HVC", HV_DELEG_VSMS, HV_DELEG_ALL, 0);
	if (hv_ldif_read_buffer("t.ldif", hv_strbuf_str(&fx->ldif),
				fx->ldif.len, &fx->dir, &err) != 0)
		fail_msg("fixture LDIF: %s: %s", err.where, err.message);
	fx->sel.hosts = hv_calloc(3, sizeof(char *));
	fx->sel.hosts[0] = hv_strdup("HVA");
	fx->sel.hosts[1] = hv_strdup("HVB");
	fx->sel.hosts[2] = hv_strdup("HVC");
	fx->sel.n_hosts = 3;
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 0);
	for (int i = 0; i < 3 && !fx->no_settings; i++) {
		struct hv_strbuf json = HV_STRBUF_INIT;
		struct hv_snapshot snap;
		char name[32];

		if (!fx->spec[i].host)
			continue;
		snapshot_json(&json, &fx->spec[i]);
		snprintf(name, sizeof(name), "%s.json", fx->spec[i].host);
		if (hv_snapshot_read_buffer(name, json.buf, json.len, &snap))
			fail_msg("%s: %s: %s", name, snap.problems[0].where,
				 snap.problems[0].message);
		hv_host_settings_add(&fx->hs, &snap);
		hv_strbuf_release(&json);
	}
	if (!fx->no_settings)
		hv_host_settings_attach(&fx->hs, &fx->est);
	check(&fx->est, &fx->out);
}

static size_t count(const struct fx *fx, const char *cause)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->out.n; i++)
		n += strcmp(fx->out.items[i].cause, cause) == 0;
	return n;
}

static const struct hv_finding *find(const struct fx *fx, const char *cause,
				     const char *source)
{
	for (size_t i = 0; i < fx->out.n; i++)
		if (strcmp(fx->out.items[i].cause, cause) == 0 &&
		    strcmp(fx->out.items[i].source, source) == 0)
			return &fx->out.items[i];
	for (size_t i = 0; i < fx->out.n; i++)
		print_error("finding: %s %s: %s\n", fx->out.items[i].cause,
			    fx->out.items[i].source, fx->out.items[i].message);
	fail_msg("no %s finding for %s", cause, source);
	return NULL;
}

static void all_checks(const struct hv_estate *est, struct hv_findings *out)
{
	hv_checks_run_hosts(est, out);
}

/* A healthy estate: no host finding at all, every pair "ok". */
static void test_healthy(void **state)
{
	struct fx *fx = *state;

	run(fx, all_checks);
	for (size_t i = 0; i < fx->out.n; i++)
		fail_msg("unexpected %s %s: %s", fx->out.items[i].cause,
			 fx->out.items[i].source, fx->out.items[i].message);
	assert_false(hv_host_settings_incomplete(&fx->est));
	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 3; b++) {
			bool unchecked = true;

			if (a == b)
				continue;
			assert_int_equal(
				hv_pair_blockers(&fx->est, a, b, &unchecked),
				0);
			assert_false(unchecked);
		}
}

/* Without --snapshot: one note that says what was not checked. */
static void test_no_snapshots(void **state)
{
	struct fx *fx = *state;
	bool unchecked;

	fx->no_settings = true;
	run(fx, all_checks);
	assert_int_equal(fx->out.n, 1);
	assert_string_equal(fx->out.items[0].cause, "snapshot-missing");
	assert_int_equal(fx->out.items[0].severity, HV_SEV_INFO);
	assert_false(hv_host_settings_incomplete(&fx->est));
	assert_int_equal(hv_pair_blockers(&fx->est, 0, 1, &unchecked), 0);
	assert_false(unchecked);
}

/* A host without a snapshot when others have one: not checked, and the
 * verdict is incomplete; its pairs are "unchecked", not "ok". */
static void test_host_without_snapshot(void **state)
{
	struct fx *fx = *state;
	bool unchecked;

	fx->spec[2].host = NULL;
	run(fx, all_checks);
	assert_int_equal(find(fx, "snapshot-missing", "HVC")->severity,
			 HV_SEV_INFO);
	assert_true(hv_host_settings_incomplete(&fx->est));
	assert_int_equal(hv_pair_blockers(&fx->est, 0, 2, &unchecked), 0);
	assert_true(unchecked);
	assert_int_equal(hv_pair_blockers(&fx->est, 0, 1, &unchecked), 0);
	assert_false(unchecked);
}

static void test_migration_disabled(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].vmhost = "{\"VirtualMachineMigrationEnabled\": false,"
			     " \"VirtualMachineMigrationAuthenticationType\":"
			     " 1}";
	/* too thin: no vmhost at all on HVC says nothing, but not checked */
	fx->spec[2].vmhost = NULL;
	run(fx, all_checks);
	assert_int_equal(count(fx, "migration-disabled"), 1);
	assert_int_equal(find(fx, "migration-disabled", "HVB")->severity,
			 HV_SEV_ERROR);
	assert_string_equal(find(fx, "migration-disabled", "HVB")->ev[0].attr,
			    "$.vmhost.VirtualMachineMigrationEnabled");
	assert_non_null(strstr(find(fx, "snapshot-incomplete", "HVC")->message,
			       "vmhost"));
	assert_true(hv_pair_blockers(&fx->est, 0, 1, NULL) & HV_BLOCK_OFF);
	assert_true(hv_pair_blockers(&fx->est, 1, 0, NULL) & HV_BLOCK_OFF);
	assert_false(hv_pair_blockers(&fx->est, 0, 2, NULL) & HV_BLOCK_OFF);
}

static void test_auth_mismatch(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->spec[0].vmhost = "{\"VirtualMachineMigrationAuthenticationType\":"
			     " \"CredSSP\"}";
	fx->spec[2].vmhost = NULL; /* unknown: neither side of it */
	run(fx, hv_check_auth_types);
	assert_int_equal(count(fx, "auth-type-mismatch"), 1);
	f = find(fx, "auth-type-mismatch", "HVA");
	assert_string_equal(f->target, "HVB");
	assert_int_equal(f->n_targets, 1);
	assert_true(hv_pair_blockers(&fx->est, 0, 1, NULL) & HV_BLOCK_AUTH);
	assert_false(hv_pair_blockers(&fx->est, 0, 2, NULL) & HV_BLOCK_AUTH);
}

static void test_credssp(void **state)
{
	struct fx *fx = *state;
	static const char credssp[] =
		"{\"VirtualMachineMigrationAuthenticationType\": 0}";

	fx->spec[0].vmhost = fx->spec[1].vmhost = fx->spec[2].vmhost = credssp;
	fx->spec[1].dg = "{\"SecurityServicesRunning\": [2, 1]}";
	fx->spec[2].cluster = "{\"Name\": \"CL1\", \"Nodes\": [\"HVC\"]}";
	run(fx, hv_check_credssp);
	assert_int_equal(find(fx, "credssp-remote-initiation", "HVA")->severity,
			 HV_SEV_WARNING);
	assert_int_equal(find(fx, "credssp-credential-guard", "HVB")->severity,
			 HV_SEV_ERROR);
	assert_int_equal(find(fx, "credssp-remote-initiation", "HVC")->severity,
			 HV_SEV_ERROR);
	assert_int_equal(fx->out.n, 3);
}

/* Moves started on the source: CredSSP is fine without Credential
 * Guard (the near miss), still not with it. */
static void test_credssp_started_on_source(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].vmhost = "{\"VirtualMachineMigrationAuthenticationType\":"
			     " 0}";
	fx->spec[1].vmhost = fx->spec[0].vmhost;
	fx->spec[1].dg = "{\"SecurityServicesRunning\": 1}";
	fx->hs.initiated = HV_INITIATED_SOURCE;
	run(fx, hv_check_credssp);
	assert_int_equal(fx->out.n, 1);
	find(fx, "credssp-credential-guard", "HVB");
}

static void test_firewall(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].fw = "[{\"Name\": \"VIRT-MIGL-In-TCP-NoScope\", "
			 "\"Enabled\": \"False\"}]";
	fx->spec[2].fw = "[{\"Name\": \"VIRT-VMMS-RPC-In-NoScope\", "
			 "\"Enabled\": 2}, {\"Name\": "
			 "\"VIRT-MIGL-In-TCP-NoScope\", \"Enabled\": 1}]";
	run(fx, hv_check_hyperv_firewall);
	assert_int_equal(
		find(fx, "firewall-hyperv-rules-disabled", "HVB")->severity,
		HV_SEV_ERROR);
	assert_int_equal(
		find(fx, "firewall-hyperv-rules-disabled", "HVC")->severity,
		HV_SEV_WARNING);
	assert_int_equal(fx->out.n, 2);
	assert_true(hv_pair_blockers(&fx->est, 0, 1, NULL) & HV_BLOCK_FIREWALL);
	assert_false(hv_pair_blockers(&fx->est, 0, 2, NULL) &
		     HV_BLOCK_FIREWALL);
}

static const char vmhost_listed[] =
	"{\"VirtualMachineMigrationAuthenticationType\": 1,"
	" \"UseAnyNetworkForMigration\": false}";

static void test_networks(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].vmhost = fx->spec[1].vmhost = fx->spec[2].vmhost =
		vmhost_listed;
	fx->spec[0].networks = "[{\"Subnet\": \"10.1.0.0/24\"}]";
	fx->spec[1].networks = "[{\"Subnet\": \"10.2.0.0/24\"}]";
	/* near miss: a /16 that holds HVA's /24 */
	fx->spec[2].networks = "{\"Subnet\": \"10.1.0.0/16\"}";
	run(fx, hv_check_migration_networks);
	assert_string_equal(
		find(fx, "migration-network-mismatch", "HVA")->target, "HVB");
	assert_string_equal(
		find(fx, "migration-network-mismatch", "HVB")->target,
		"HVA, HVC");
	assert_string_equal(
		find(fx, "migration-network-mismatch", "HVC")->target, "HVB");
	assert_int_equal(fx->out.n, 3);
}

/* Only listed networks and none listed: nothing can come in. A cluster
 * node uses the cluster's networks instead: not judged. */
static void test_networks_none_listed(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].vmhost = vmhost_listed;
	fx->spec[2].vmhost = vmhost_listed;
	fx->spec[2].cluster = "{\"Name\": \"CL1\"}";
	run(fx, hv_check_migration_networks);
	assert_string_equal(
		find(fx, "migration-network-mismatch", "HVA")->target, "HVB");
	assert_int_equal(count(fx, "migration-network-mismatch"), 2);
	find(fx, "migration-network-mismatch", "HVC");
}

static void test_smb_without_cifs(void **state)
{
	struct fx *fx = *state;
	static const char smb[] =
		"{\"VirtualMachineMigrationAuthenticationType\": 1,"
		" \"VirtualMachineMigrationPerformanceOption\": \"SMB\"}";

	fx->spec[0].vmhost = smb; /* HVA has cifs everywhere: near miss */
	fx->spec[2].vmhost = smb; /* HVC lacks cifs towards HVA */
	run(fx, hv_check_smb_cifs);
	assert_int_equal(fx->out.n, 1);
	assert_string_equal(find(fx, "kcd-missing-cifs", "HVC")->target, "HVA");
	assert_true(hv_pair_blockers(&fx->est, 2, 0, NULL) & HV_BLOCK_CIFS);
	assert_false(hv_pair_blockers(&fx->est, 2, 1, NULL) & HV_BLOCK_CIFS);
}

static void test_switches(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].switches = "[{\"Name\": \"Other\", \"SwitchType\": 2}]";
	/* near miss: the same name in another case */
	fx->spec[2].switches = "[{\"Name\": \"lan\", \"SwitchType\": 2}]";
	run(fx, hv_check_vm_switches);
	assert_string_equal(find(fx, "vswitch-missing", "HVA")->target, "HVB");
	assert_string_equal(find(fx, "vswitch-missing", "HVC")->target, "HVB");
	assert_int_equal(fx->out.n, 2);
	assert_non_null(strstr(find(fx, "vswitch-missing", "HVA")->ev[0].value,
			       "VM-HVA"));
}

static void test_switch_type(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].switches = "[{\"Name\": \"LAN\", \"SwitchType\": "
			       "\"Internal\"}]";
	fx->spec[2].switches = NULL; /* too thin: not judged */
	run(fx, hv_check_vm_switches);
	assert_string_equal(find(fx, "vswitch-disconnected", "HVA")->target,
			    "HVB");
	/* and back: HVB's VM is on an internal LAN, HVA's is external */
	assert_string_equal(find(fx, "vswitch-disconnected", "HVB")->target,
			    "HVA");
	assert_int_equal(fx->out.n, 2);
}

static void test_versions(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].vms = "[{\"Name\": \"NEW\", \"Version\": \"12.0\"}]";
	fx->spec[1].vms = "[{\"Name\": \"OLD\", \"Version\": \"9.0\"}]";
	/* HVC lists what it runs: not 9.0 */
	fx->spec[2].versions = "[{\"Version\": {\"Major\": 10, \"Minor\": 0}}]";
	run(fx, hv_check_vm_versions);
	assert_string_equal(find(fx, "vm-version-unsupported", "HVA")->target,
			    "HVB, HVC");
	assert_non_null(
		strstr(find(fx, "vm-version-unsupported", "HVB")->message,
		       "Get-VMHostSupportedVersion"));
	assert_string_equal(find(fx, "vm-version-unsupported", "HVB")->target,
			    "HVC");
	assert_int_equal(fx->out.n, 2);
}

/* No OS build and no supported list: the version cannot be judged. */
static void test_versions_too_thin(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].vms = "[{\"Name\": \"NEW\", \"Version\": \"12.0\"}]";
	fx->spec[1].os = NULL;
	fx->spec[2].os = "{\"BuildNumber\": \"26100\"}";
	run(fx, hv_check_vm_versions);
	assert_int_equal(fx->out.n, 0);
}

static void test_processors(void **state)
{
	struct fx *fx = *state;

	fx->spec[1].cpus = "{\"Manufacturer\": \"AuthenticAMD\", \"Name\":"
			   " \"EPYC\"}";
	fx->spec[2].cpus = "[{\"Manufacturer\": \"GenuineIntel\", \"Name\":"
			   " \"Xeon 6430\"}]";
	fx->spec[0].vms = "[{\"Name\": \"STRICT\","
			  " \"CompatibilityForMigrationEnabled\": false}]";
	run(fx, hv_check_processors);
	assert_int_equal(find(fx, "cpu-incompatible", "HVA")->severity,
			 HV_SEV_ERROR);
	/* HVA's strict VM and HVC's other model: a warning too */
	assert_int_equal(count(fx, "cpu-incompatible"), 4);
	assert_true(hv_pair_blockers(&fx->est, 0, 2, NULL) & HV_BLOCK_CPU);
	/* HVC -> HVA: another model, but HVC's VM has compatibility on */
	assert_false(hv_pair_blockers(&fx->est, 2, 0, NULL) & HV_BLOCK_CPU);
}

static void test_vmms_teams(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].lbfo = "[{\"Name\": \"Team1\"}]";
	fx->spec[1].switches = "[{\"Name\": \"LAN\", \"SwitchType\": 2,"
			       " \"EmbeddedTeamingEnabled\": true}]";
	/* near miss: a team, but VMMS is delayed */
	fx->spec[2].lbfo = "[{\"Name\": \"Team1\"}]";
	fx->spec[2].vmms = "{\"StartMode\": \"Auto\", \"DelayedAutoStart\":"
			   " true}";
	run(fx, hv_check_vmms_start);
	find(fx, "vmms-started-before-nic", "HVA");
	find(fx, "vmms-started-before-nic", "HVB");
	assert_int_equal(fx->out.n, 2);
}

static void test_time_source(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].time = "{\"Type\": \"NTP\", \"Source\": \"pool.ntp.org\"}";
	fx->spec[1].time = "{\"Type\": \"NoSync\"}";
	fx->spec[2].time = "{\"Type\": \"AllSync\"}";
	run(fx, hv_check_time_source);
	find(fx, "time-source-not-domain", "HVA");
	find(fx, "time-source-not-domain", "HVB");
	assert_int_equal(fx->out.n, 2);
}

static void test_paths(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].vms = "[{\"Name\": \"A\", \"DvdDrives\": [{\"Path\":"
			  " \"C:\\\\ISO\\\\setup.iso\"}]}]";
	/* near misses: an ISO on a share, a clustered VM's disk on a CSV,
	 * a standalone VM's local disk (it moves with the VM) */
	fx->spec[2].vms =
		"[{\"Name\": \"C\", \"IsClustered\": true,"
		" \"DvdDrives\": [{\"Path\":"
		" \"\\\\\\\\filer\\\\iso\\\\setup.iso\"}],"
		" \"HardDrives\": [{\"Path\":"
		" \"c:\\\\clusterstorage\\\\v1\\\\c.vhdx\"}]},"
		" {\"Name\": \"D\", \"IsClustered\": false,"
		" \"HardDrives\": [{\"Path\": \"D:\\\\VMs\\\\d.vhdx\"}]}]";
	/* vmguest.iso wherever it is, and a clustered VM's local disk */
	fx->spec[1].vms =
		"[{\"Name\": \"B\", \"DvdDrives\": [{\"Path\":"
		" \"\\\\\\\\filer\\\\iso\\\\vmguest.iso\"}]},"
		" {\"Name\": \"B2\", \"IsClustered\": true,"
		" \"HardDrives\": [{\"Path\": \"D:\\\\VMs\\\\b.vhdx\"}]}]";
	run(fx, hv_check_vm_paths);
	find(fx, "iso-path-not-on-destination", "HVA");
	assert_int_equal(find(fx, "iso-path-not-on-destination", "HVB")->n_ev,
			 2);
	assert_int_equal(fx->out.n, 2);
	assert_true(hv_pair_blockers(&fx->est, 1, 0, NULL) & HV_BLOCK_PATH);
	assert_false(hv_pair_blockers(&fx->est, 2, 0, NULL) & HV_BLOCK_PATH);
}

static void test_migration_limits(void **state)
{
	struct fx *fx = *state;
	static const char cluster[] = "{\"Name\": \"CL1\"}";

	fx->spec[0].cluster = fx->spec[1].cluster = fx->spec[2].cluster =
		cluster;
	fx->spec[1].vmhost = "{\"VirtualMachineMigrationAuthenticationType\":"
			     " 1, \"MaximumVirtualMachineMigrations\": 8}";
	run(fx, hv_check_migration_limits);
	assert_int_equal(find(fx, "migration-limit-reached", "HVB")->severity,
			 HV_SEV_INFO);
	assert_int_equal(fx->out.n, 1);
}

static void test_compare_vm(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->spec[0].compare =
		"[{\"VM\": \"VM-HVA\", \"Destination\": "
		"\"hvb.corp.example.com\","
		" \"Incompatibilities\": [{\"MessageId\": 33012, \"Message\":"
		" \"Could not find Ethernet switch 'LAN'.\"},"
		" {\"MessageId\": 99999, \"Message\": \"Something new.\","
		" \"Source\": {\"Type\": \"VirtualMachine\"}}]},"
		" {\"VM\": \"VM-HVA\", \"Destination\": \"HVC\", \"Error\":"
		" \"The RPC server is unavailable.\"}]";
	run(fx, hv_check_compare_vm);
	find(fx, "vswitch-missing", "HVA");
	f = find(fx, "compare-vm-incompatible", "HVA");
	assert_non_null(strstr(f->message, "\"Something new.\""));
	assert_int_equal(count(fx, "compare-vm-incompatible"), 2);
	assert_true(hv_pair_blockers(&fx->est, 0, 1, NULL) & HV_BLOCK_COMPARE);
	assert_false(hv_pair_blockers(&fx->est, 0, 2, NULL) & HV_BLOCK_COMPARE);
}

/* A snapshot of a host AD does not know is reported, not guessed. */
static void test_unknown_host(void **state)
{
	struct fx *fx = *state;

	fx->spec[2].host = "HVZ";
	run(fx, hv_check_snapshot_coverage);
	assert_int_equal(find(fx, "snapshot-host-unknown", "HVZ")->severity,
			 HV_SEV_WARNING);
	find(fx, "snapshot-missing", "HVC");
	assert_true(hv_host_settings_incomplete(&fx->est));
}

/* What HVA measured itself: HVB refuses 6600 and drops 445; HVC opens
 * 6600 from one of two addresses (a pair that can move); a peer outside
 * the audit is not judged. HVB's attempts failed as a whole: too thin. */
static void test_reachability(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->spec[0].extra =
		"\"reachability\": ["
		"{\"Peer\": \"HVB\", \"Port\": 6600, \"LocalAddress\":"
		" \"10.0.0.1\", \"Result\": \"refused\"},"
		"{\"Peer\": \"HVB\", \"Port\": 445, \"Result\": \"timed out\"},"
		"{\"Peer\": \"hvc.corp.example.com\", \"Port\": 6600,"
		" \"LocalAddress\": \"10.0.0.1\", \"Result\": \"open\"},"
		"{\"Peer\": \"HVC\", \"Port\": 6600, \"LocalAddress\":"
		" \"10.0.0.2\", \"Result\": \"timed out\"},"
		"{\"Peer\": \"OUTSIDER\", \"Port\": 6600, \"Result\": "
		"\"refused\"}]";
	fx->spec[1].extra =
		"\"reachability\": null, \"errors\": [{\"section\":"
		" \"reachability\", \"message\": \"Get-NetIPAddress failed\"}]";
	run(fx, hv_check_host_reachability);
	f = find(fx, "port-6600-refused", "HVA");
	assert_string_equal(f->target, "HVB");
	assert_int_equal(f->severity, HV_SEV_ERROR);
	assert_non_null(strstr(f->message, "measured from HVA itself, from "
					   "10.0.0.1"));
	assert_int_equal(find(fx, "smb-445-blocked", "HVA")->severity,
			 HV_SEV_WARNING);
	assert_int_equal(fx->out.n, 2);
	assert_true(hv_pair_blockers(&fx->est, 0, 1, NULL) & HV_BLOCK_PORT);
	assert_false(hv_pair_blockers(&fx->est, 0, 2, NULL) & HV_BLOCK_PORT);

	/* too thin: HVB's measurement failed, which coverage says */
	hv_findings_release(&fx->out);
	memset(&fx->out, 0, sizeof(fx->out));
	hv_check_snapshot_coverage(&fx->est, &fx->out);
	f = find(fx, "snapshot-incomplete", "HVB");
	assert_non_null(strstr(f->message, "TCP 6600 and 445 (reachability: "
					   "Get-NetIPAddress failed)"));
	assert_int_equal(fx->out.n, 1);
	assert_true(hv_host_settings_incomplete(&fx->est));
}

/* Each host's clock against its own DC: 412 s is past Kerberos' limit,
 * 75 s a warning, 12 s fine, and a sample that failed is not checked. */
static void test_host_clock(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->spec[0].extra =
		"\"domain_controller\": {\"Name\": \"DC1.corp.example.com\"},"
		"\"clock\": {\"Server\": \"DC1.corp.example.com\","
		" \"OffsetSeconds\": 412.25}";
	fx->spec[1].extra = "\"clock\": {\"OffsetSeconds\": -75}";
	fx->spec[2].extra = "\"clock\": {\"OffsetSeconds\": 12.5}";
	run(fx, hv_check_host_clock);
	f = find(fx, "clock-skew", "HVA");
	assert_int_equal(f->severity, HV_SEV_ERROR);
	assert_non_null(strstr(f->message, "412.2 s off DC1.corp.example.com"));
	assert_non_null(strstr(f->message, "measured from HVA itself"));
	assert_int_equal(find(fx, "clock-skew", "HVB")->severity,
			 HV_SEV_WARNING);
	assert_int_equal(fx->out.n, 2);
	assert_false(hv_host_settings_incomplete(&fx->est));
}

static void test_host_clock_too_thin(void **state)
{
	struct fx *fx = *state;

	fx->spec[0].extra = "\"clock\": null, \"errors\": [{\"section\":"
			    " \"clock\", \"message\": \"w32tm: 01:00:00,"
			    " error: 0x800705B4\"}]";
	/* HVB's snapshot has no clock (an older collector): not asked */
	run(fx, hv_check_host_clock);
	assert_int_equal(fx->out.n, 0);
	hv_check_snapshot_coverage(&fx->est, &fx->out);
	assert_non_null(strstr(find(fx, "snapshot-incomplete", "HVA")->message,
			       "0x800705B4"));
	assert_int_equal(fx->out.n, 1);
	assert_true(hv_host_settings_incomplete(&fx->est));
}

/* Two snapshots claim HVA: neither is read for it (the second must not
 * lose to whichever was given first); one naming itself two ways is
 * read, with a warning. */
static void test_contested_host(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->spec[2].host = "HVA";
	fx->spec[1].vmhost = "{\"Name\": \"HVC\"}";
	run(fx, hv_check_snapshot_coverage);
	assert_null(hv_host_snapshot(&fx->est, 0));
	assert_true(hv_host_contested(&fx->est, 0));
	f = find(fx, "snapshot-host-unknown", "HVA");
	assert_non_null(strstr(f->message, "claimed by 2 snapshots (HVA.json, "
					   "HVA.json): none"));
	assert_int_equal(f->n_ev, 2);
	assert_non_null(
		strstr(find(fx, "snapshot-host-unknown", "HVB")->message,
		       "Hyper-V host HVC (read as HVB)"));
	assert_non_null(hv_host_snapshot(&fx->est, 1));
	find(fx, "snapshot-missing", "HVC");
	assert_int_equal(fx->out.n, 3); /* no "HVA has no snapshot" */
	assert_true(hv_host_settings_incomplete(&fx->est));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_healthy),
		T(test_no_snapshots),
		T(test_host_without_snapshot),
		T(test_migration_disabled),
		T(test_auth_mismatch),
		T(test_credssp),
		T(test_credssp_started_on_source),
		T(test_firewall),
		T(test_networks),
		T(test_networks_none_listed),
		T(test_smb_without_cifs),
		T(test_switches),
		T(test_switch_type),
		T(test_versions),
		T(test_versions_too_thin),
		T(test_processors),
		T(test_vmms_teams),
		T(test_time_source),
		T(test_paths),
		T(test_migration_limits),
		T(test_compare_vm),
		T(test_unknown_host),
		T(test_reachability),
		T(test_host_clock),
		T(test_host_clock_too_thin),
		T(test_contested_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
