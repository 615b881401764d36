/* The snapshot reader: both PowerShell spellings (5.1's numbers and
 * /Date()/, 7's names and ISO dates), a bare Get-VMHost object, what a
 * missing section means (not collected, never a default), the collector's
 * own errors, and bad input: wrong types, a list cut by ConvertTo-Json's
 * depth, an unknown schema, a damaged file (one error at its line and
 * column), and what jansson leaves to the reader: UTF-16 files, names in
 * any case, numbers past int64, NUL inside strings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "sources/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_text(const char *text, struct hv_snapshot *snap)
{
	return hv_snapshot_read_buffer("s.json", text, strlen(text), snap);
}

/* The problem list mentions `what` at `where` (a prefix of it). */
static void has_problem(const struct hv_snapshot *snap, const char *where,
			const char *what)
{
	for (size_t i = 0; i < snap->n_problems; i++)
		if (strncmp(snap->problems[i].where, where, strlen(where)) ==
			    0 &&
		    strstr(snap->problems[i].message, what))
			return;
	for (size_t i = 0; i < snap->n_problems; i++)
		print_error("problem: %s: %s\n", snap->problems[i].where,
			    snap->problems[i].message);
	fail_msg("no problem '%s' at %s", what, where);
}

#define HEAD "{\"schema\": \"hvdoctor.snapshot/1\", \"host\": \"HV01\","

/* Windows PowerShell 5.1: enums as numbers, dates as /Date(ms)/, a
 * System.Version as an object. */
static void test_ps51_spelling(void **state)
{
	static const char text[] =
		HEAD "\"taken\": \"\\/Date(1764490502000)\\/\","
		     "\"vmhost\": {\"Name\": \"HV01\","
		     " \"VirtualMachineMigrationEnabled\": true,"
		     " \"VirtualMachineMigrationAuthenticationType\": 1,"
		     " \"VirtualMachineMigrationPerformanceOption\": 2,"
		     " \"UseAnyNetworkForMigration\": false,"
		     " \"MaximumVirtualMachineMigrations\": 2},"
		     "\"supported_versions\": [{\"Version\": {\"Major\": 10,"
		     " \"Minor\": 0, \"Build\": -1}, \"IsDefault\": true}],"
		     "\"switches\": {\"Name\": \"LAN\", \"SwitchType\": 2},"
		     "\"firewall\": [{\"Name\": \"VIRT-MIGL-In-TCP-NoScope\","
		     " \"Enabled\": 2, \"Direction\": 1}],"
		     "\"os\": {\"BuildNumber\": \"20348\"}}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_string_equal(s.host, "HV01");
	assert_string_equal(s.taken, "2025-11-30T08:15:02Z");
	assert_true(s.vmhost.migration_enabled.known &&
		    s.vmhost.migration_enabled.value);
	assert_int_equal(s.vmhost.auth.value, HV_AUTH_KERBEROS);
	assert_int_equal(s.vmhost.perf.value, HV_PERF_SMB);
	assert_string_equal(
		s.vmhost.auth.at.path,
		"$.vmhost.VirtualMachineMigrationAuthenticationType");
	assert_string_equal(s.vmhost.auth.at.where, "s.json");
	assert_int_equal(s.n_versions, 1);
	assert_int_equal(s.versions[0].major, 10);
	assert_true(s.versions[0].is_default);
	/* one object where a list belongs: a list of one */
	assert_int_equal(s.n_switches, 1);
	assert_int_equal(s.switches[0].type, HV_SWITCH_EXTERNAL);
	assert_int_equal(s.rules[0].enabled, 0);
	assert_int_equal(s.rules[0].direction, 1);
	assert_true(s.os.build.known);
	assert_int_equal(s.os.build.value, 20348);
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_READ);
	assert_int_equal(s.sec[HV_SEC_VMS].state, HV_SEC_MISSING);
	hv_snapshot_release(&s);
}

/* PowerShell 7 with -EnumsAsStrings, ISO dates, Version as a string. */
static void test_ps7_spelling(void **state)
{
	static const char text[] =
		HEAD "\"taken\": \"2026-11-30T09:15:02.1234567+01:00\","
		     "\"vmhost\": {\"Name\": \"HV01\","
		     " \"VirtualMachineMigrationAuthenticationType\": "
		     "\"credssp\","
		     " \"VirtualMachineMigrationPerformanceOption\": "
		     "\"Compression\"},"
		     "\"supported_versions\": [{\"Version\": \"9.0\"}],"
		     "\"firewall\": [{\"Enabled\": \"True\", \"Direction\":"
		     " \"Inbound\"}]}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_string_equal(s.taken, "2026-11-30T08:15:02Z");
	assert_int_equal(s.vmhost.auth.value, HV_AUTH_CREDSSP);
	assert_int_equal(s.vmhost.perf.value, HV_PERF_COMPRESSION);
	assert_false(s.vmhost.migration_enabled.known);
	assert_int_equal(s.versions[0].major, 9);
	assert_int_equal(s.rules[0].enabled, 1);
	hv_snapshot_release(&s);
}

static void expect_taken(const char *taken, const char *want)
{
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_snapshot s;
	int rc;

	hv_strbuf_addf(&text, HEAD "\"taken\": %s}", taken);
	rc = read_text(hv_strbuf_str(&text), &s);
	if (want) {
		assert_int_equal(rc, 0);
		assert_string_equal(s.taken, want);
	} else {
		assert_int_equal(rc, HV_ERR_INPUT);
		has_problem(&s, "s.json", "$.taken: is not a date");
	}
	hv_snapshot_release(&s);
	hv_strbuf_release(&text);
}

/* Every way a date reaches the file, and what is not a date. */
static void test_dates(void **state)
{
	(void)state;
	expect_taken("\"\\/Date(1764490502000)\\/\"", "2025-11-30T08:15:02Z");
	expect_taken("\"/Date(1764490502999+0100)/\"", "2025-11-30T08:15:02Z");
	expect_taken("{\"value\": \"\\/Date(0)\\/\", \"DisplayHint\": 2,"
		     " \"DateTime\": \"Thursday, January 1, 1970\"}",
		     "1970-01-01T00:00:00Z");
	expect_taken("\"2026-02-28T23:30:00-01:00\"", "2026-03-01T00:30:00Z");
	expect_taken("\"2024-02-29T12:00:00\"", "2024-02-29T12:00:00Z");
	expect_taken("\"yesterday\"", NULL);
	expect_taken("\"2026-13-01T00:00:00Z\"", NULL);
	expect_taken("\"/Date(12)x\"", NULL);
	expect_taken("42", NULL);
}

static void test_vms_and_compare(void **state)
{
	static const char text[] = HEAD
		"\"vms\": [{\"Name\": \"SQL01\", \"Version\": \"10.0\","
		" \"CompatibilityForMigrationEnabled\": false,"
		" \"NetworkAdapters\": [{\"Name\": \"NIC\", \"SwitchName\":"
		" \"Converged\"}, {\"Name\": \"Off\", \"SwitchName\": null}],"
		" \"DvdDrives\": {\"Path\": \"C:\\\\ISO\\\\x.iso\"},"
		" \"HardDrives\": [{\"Path\": \"\"}]}],"
		"\"compare\": [{\"VM\": \"SQL01\", \"Destination\": \"HV02\","
		" \"Incompatibilities\": [{\"MessageId\": 33012,"
		" \"Message\": \"Could not find Ethernet switch 'Converged'.\","
		" \"Source\": {\"Type\": \"VMNetworkAdapter\", \"Name\":"
		" \"NIC\"}}, {\"Message\": \"other\", \"Source\": \"x\"}]}],"
		"\"cluster\": null}";
	struct hv_snapshot s;
	const struct hv_snap_vm *vm;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_int_equal(s.n_vms, 1);
	vm = &s.vms[0];
	assert_string_equal(vm->name, "SQL01");
	assert_int_equal(vm->ver_major, 10);
	assert_int_equal(vm->ver_minor, 0);
	assert_true(vm->cpu_compat.known && !vm->cpu_compat.value);
	assert_int_equal(vm->n_nics, 2);
	assert_string_equal(vm->nics[0].switch_name, "Converged");
	assert_string_equal(vm->nics[0].at.path,
			    "$.vms[0].NetworkAdapters[0].SwitchName");
	assert_null(vm->nics[1].switch_name);
	assert_int_equal(vm->n_dvds, 1);
	assert_string_equal(vm->dvds[0].path, "C:\\ISO\\x.iso");
	assert_true(vm->disks_known);
	assert_int_equal(vm->n_disks, 0); /* an empty drive is no path */
	assert_int_equal(s.n_compares, 1);
	assert_int_equal(s.compares[0].n_items, 2);
	assert_int_equal(s.compares[0].items[0].message_id, 33012);
	assert_string_equal(s.compares[0].items[0].source_type,
			    "VMNetworkAdapter");
	assert_int_equal(s.compares[0].items[1].message_id, -1);
	assert_string_equal(s.compares[0].items[1].source_name, "x");
	/* null cluster: read, not in a cluster */
	assert_int_equal(s.sec[HV_SEC_CLUSTER].state, HV_SEC_READ);
	assert_null(s.cluster.name.value);
	hv_snapshot_release(&s);
}

/* `Get-VMHost | ConvertTo-Json` as it is: only the vmhost section. */
static void test_bare_vmhost(void **state)
{
	static const char text[] =
		"[{\"Name\": \"HV07\", \"FullyQualifiedDomainName\":"
		" \"corp.example.com\","
		" \"VirtualMachineMigrationAuthenticationType\": 0,"
		" \"VirtualMachineMigrationEnabled\": false,"
		" \"HostNumaStatus\": \"System.Object[]\"}]";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_true(s.bare);
	assert_string_equal(s.host, "HV07");
	assert_int_equal(s.vmhost.auth.value, HV_AUTH_CREDSSP);
	assert_true(s.vmhost.migration_enabled.known &&
		    !s.vmhost.migration_enabled.value);
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_READ);
	assert_int_equal(s.sec[HV_SEC_SWITCHES].state, HV_SEC_MISSING);
	hv_snapshot_release(&s);
}

/* What the collector could not read: null and named in errors. */
static void test_collector_errors(void **state)
{
	static const char text[] =
		HEAD "\"lbfo_teams\": null, \"firewall\": [],"
		     "\"errors\": [{\"section\": \"lbfo_teams\", \"message\":"
		     " \"Get-NetLbfoTeam is not recognized\"}]}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_int_equal(s.sec[HV_SEC_LBFO].state, HV_SEC_FAILED);
	assert_string_equal(s.sec[HV_SEC_LBFO].why,
			    "Get-NetLbfoTeam is not recognized");
	/* an empty list is read: no rules, a fact */
	assert_int_equal(s.sec[HV_SEC_FIREWALL].state, HV_SEC_READ);
	assert_int_equal(s.n_rules, 0);
	/* no vmhost: its enums are unknown, not CredSSP (0) */
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_MISSING);
	assert_int_equal(s.vmhost.auth.value, -1);
	assert_int_equal(s.vmhost.perf.value, -1);
	hv_snapshot_release(&s);
}

static void test_wrong_types(void **state)
{
	static const char text[] =
		HEAD "\n\"vmhost\": {\"VirtualMachineMigrationEnabled\": "
		     "\"yes\",\n"
		     " \"VirtualMachineMigrationAuthenticationType\": 7,\n"
		     " \"MaximumVirtualMachineMigrations\": 2.5},\n"
		     "\"vms\": [{\"Name\": \"A\", \"NetworkAdapters\":"
		     " \"System.Object[]\"}, 3],\n"
		     "\"migration_networks\": [{\"Subnet\": \"10.0.0.0/33\"}]}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), HV_ERR_INPUT);
	has_problem(&s, "s.json",
		    "$.vmhost.VirtualMachineMigrationEnabled: is a string, "
		    "expected true or false");
	has_problem(&s, "s.json",
		    "$.vmhost.VirtualMachineMigrationAuthenticationType: 7 is "
		    "not a value");
	has_problem(&s, "s.json",
		    "$.vmhost.MaximumVirtualMachineMigrations: is a number, "
		    "expected a whole number");
	has_problem(&s, "s.json",
		    "$.vms[0].NetworkAdapters: is the text 'System.Object[]'");
	has_problem(&s, "s.json", "ConvertTo-Json cut it at its -Depth");
	has_problem(&s, "s.json", "$.vms[1]: is a number, expected an object");
	has_problem(&s, "s.json",
		    "$.migration_networks[0].Subnet: '10.0.0.0/33' is not an "
		    "address or CIDR range");
	/* unknown, not a default; the rest is still read */
	assert_false(s.vmhost.migration_enabled.known);
	assert_int_equal(s.vmhost.auth.value, -1);
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_BAD);
	assert_int_equal(s.n_vms, 1);
	assert_false(s.vms[0].nics_known);
	hv_snapshot_release(&s);
}

static void test_unknown_schema(void **state)
{
	static const char text[] =
		"{\"schema\": \"hvdoctor.snapshot/2\", \"host\": \"HV01\","
		" \"vmhost\": {\"VirtualMachineMigrationEnabled\": true}}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), HV_ERR_INPUT);
	has_problem(&s, "s.json",
		    "$.schema: schema 'hvdoctor.snapshot/2' is not one");
	assert_string_equal(s.host, "HV01");
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_UNTRUSTED);
	assert_false(s.vmhost.migration_enabled.known);
	hv_snapshot_release(&s);
}

static void test_not_a_snapshot(void **state)
{
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text("{\"Name\": \"x\"}", &s), HV_ERR_INPUT);
	has_problem(&s, "s.json", "$: not an hvdoctor snapshot");
	assert_null(s.host);
	hv_snapshot_release(&s);
	assert_int_equal(read_text("{\"schema\": \"x/1\"}", &s), HV_ERR_INPUT);
	has_problem(&s, "s.json", "$.schema: schema 'x/1' is not an hvdoctor");
	hv_snapshot_release(&s);
}

/* A file cut in the middle of "vms": JSON gives no frame to recover
 * sections from, so the file is one error at its line and column, and
 * every section says why it was not read (nothing is guessed). */
static void test_truncated(void **state)
{
	static const char text[] =
		HEAD "\"vmhost\": {\"VirtualMachineMigrationEnabled\": true},\n"
		     "\"vms\": [{\"Name\": \"A\"}, {\"Name\": \"B\", \"Vers";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), HV_ERR_INPUT);
	has_problem(&s, "s.json:2:", "the file is cut short");
	assert_null(s.host);
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_UNPARSED);
	assert_false(s.vmhost.migration_enabled.known);
	assert_int_equal(s.sec[HV_SEC_VMS].state, HV_SEC_UNPARSED);
	hv_snapshot_release(&s);
}

/* Windows PowerShell 5.1's `>` writes UTF-16LE with a BOM. */
static void test_utf16_file(void **state)
{
	static const char text[] =
		HEAD "\"vmhost\": {\"Name\": \"H\xc3\xa9V01\"}}";
	char wide[2 * sizeof(text) + 2];
	size_t n = 0;
	struct hv_snapshot s;

	(void)state;
	wide[n++] = (char)0xFF;
	wide[n++] = (char)0xFE;
	for (const char *p = text; *p; p++) {
		/* the only non-ASCII letter is é (U+00E9) */
		if ((unsigned char)*p == 0xC3) {
			wide[n++] = (char)0xE9;
			wide[n++] = 0;
			p++;
			continue;
		}
		wide[n++] = *p;
		wide[n++] = 0;
	}
	assert_int_equal(hv_snapshot_read_buffer("s.json", wide, n, &s), 0);
	assert_string_equal(s.host, "HV01");
	assert_string_equal(s.vmhost.name.value, "H\xc3\xa9V01");
	hv_snapshot_release(&s);
}

/* Names match in any case (ConvertFrom-Json does); the same name twice
 * in two spellings is a problem, the exact same name twice is an error of
 * the file (PowerShell never writes either). */
static void test_names(void **state)
{
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(HEAD "\"VMHOST\": {\"name\": \"A\"}}", &s),
			 0);
	assert_string_equal(s.vmhost.name.value, "A");
	hv_snapshot_release(&s);
	assert_int_equal(read_text(HEAD "\"vmhost\": {\"Name\": \"A\","
					" \"NAME\": \"B\"}}",
				   &s),
			 HV_ERR_INPUT);
	has_problem(&s, "s.json", "'Name' is given twice");
	hv_snapshot_release(&s);
	assert_int_equal(read_text(HEAD "\"vmhost\": {\"Name\": \"A\",\n"
					" \"Name\": \"B\"}}",
				   &s),
			 HV_ERR_INPUT);
	has_problem(&s, "s.json:2:", "duplicate object key");
	assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_UNPARSED);
	hv_snapshot_release(&s);
}

/* Values jansson hands over that the reader must judge itself. */
static void test_odd_values(void **state)
{
	struct hv_snapshot s;

	(void)state;
	/* an unsigned 64-bit count elsewhere does not spoil the file */
	assert_int_equal(read_text(HEAD
				   "\"os\": {\"Big\": 18446744073709551615},"
				   " \"vmhost\": {"
				   "\"MaximumVirtualMachineMigrations\": 4}}",
				   &s),
			 0);
	assert_true(s.vmhost.max_migrations.known);
	assert_int_equal(s.vmhost.max_migrations.value, 4);
	hv_snapshot_release(&s);
	/* a NUL inside a name is not the name it seems to be */
	assert_int_equal(
		read_text(HEAD "\"vmhost\": {\"Name\": \"HV\\u0000x\","
			       " \"VirtualMachineMigrationAuthenticationType\":"
			       " \"Kerberos\\u0000\"}}",
			  &s),
		HV_ERR_INPUT);
	has_problem(&s, "s.json", "$.vmhost.Name: holds a NUL character");
	has_problem(
		&s, "s.json",
		"$.vmhost.VirtualMachineMigrationAuthenticationType: holds");
	assert_null(s.vmhost.name.value);
	assert_int_equal(s.vmhost.auth.value, -1);
	hv_snapshot_release(&s);
	/* one object where a list belongs is read as the list's item */
	assert_int_equal(read_text(HEAD "\"vms\": {\"Name\": \"A\","
					" \"Version\": 1}}",
				   &s),
			 HV_ERR_INPUT);
	has_problem(&s, "s.json", "$.vms.Version: is a number");
	hv_snapshot_release(&s);
	/* invalid UTF-8 is an error at its place */
	assert_int_equal(
		read_text(HEAD "\n\"vmhost\": {\"Name\": \"\xff\"}}", &s),
		HV_ERR_INPUT);
	has_problem(&s, "s.json:2:", "UTF-8");
	hv_snapshot_release(&s);
}

/* A small file that would take sixty times its size as a tree is
 * refused by the memory budget, with a message, not by the machine. */
static void test_memory_budget(void **state)
{
	static const char head[] = HEAD "\"vms\": [";
	size_t n = 2000000, len = strlen(head) + 3 * n + 2;
	char *text = malloc(len + 1);
	struct hv_snapshot s;

	(void)state;
	assert_non_null(text);
	memcpy(text, head, strlen(head));
	for (size_t i = 0; i < n; i++)
		memcpy(text + strlen(head) + 3 * i, "[],", 3);
	memcpy(text + len - 3, "]]}", 3);
	text[len] = '\0';
	assert_int_equal(hv_snapshot_read_buffer("s.json", text, len, &s),
			 HV_ERR_INPUT);
	has_problem(&s, "s.json", "needs more than 128 MiB");
	assert_int_equal(s.sec[HV_SEC_VMS].state, HV_SEC_UNPARSED);
	hv_snapshot_release(&s);
	/* the same shape, small, is read: only the size was refused */
	text[strlen(head) + 3 * 1000 - 1] = ']';
	text[strlen(head) + 3 * 1000] = '}';
	assert_int_equal(hv_snapshot_read_buffer("s.json", text,
						 strlen(head) + 3 * 1000 + 1,
						 &s),
			 HV_ERR_INPUT);
	has_problem(&s, "s.json", "$.vms[0]: is a list, expected an object");
	hv_snapshot_release(&s);
	free(text);
}

/* What the host measured itself: its DC (nltest), its clock against it
 * (w32tm), SYSTEM's tickets (klist) and TCP attempts to its peers. */
static void test_vantage_sections(void **state)
{
	static const char text[] = HEAD
		"\"domain_controller\": {\"Domain\": \"corp.example.com\","
		" \"Name\": \"DC01.corp.example.com\","
		" \"Address\": \"10.0.0.10\", \"DcSiteName\": \"HQ\","
		" \"ClientSiteName\": \"Branch\", \"IsKdc\": true,"
		" \"Flags\": [\"PDC\", \"KDC\"]},"
		"\"clock\": {\"Server\": \"DC01.corp.example.com\","
		" \"OffsetSeconds\": -312.5, \"Sample\": \"x\"},"
		"\"kerberos_tickets\": [{\"Server\": \"cifs/HV02\","
		" \"StartTime\": \"2026-12-08T01:05:00Z\","
		" \"EndTime\": \"2026-12-08T11:05:00Z\","
		" \"RenewTime\": \"15.12.2026 01:05\"}],"
		"\"reachability\": [{\"Peer\": \"HV02\", \"Port\": 6600,"
		" \"LocalAddress\": \"10.20.0.5\", \"Address\":"
		" \"10.20.0.6\", \"Result\": \"refused\", \"Message\":"
		" null}, {\"Peer\": \"HV02\", \"Port\": 445, \"LocalAddress\":"
		" null, \"Address\": null, \"Result\": \"timed out\"}]}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), 0);
	assert_int_equal(s.sec[HV_SEC_DC].state, HV_SEC_READ);
	assert_string_equal(s.dc.name.value, "DC01.corp.example.com");
	assert_string_equal(s.dc.client_site.value, "Branch");
	assert_true(s.dc.kdc.known && s.dc.kdc.value);
	assert_true(s.clock.known);
	assert_true(s.clock.offset == -312.5);
	assert_string_equal(s.clock.at.path, "$.clock.OffsetSeconds");
	assert_int_equal(s.n_tickets, 1);
	assert_string_equal(s.tickets[0].server, "cifs/HV02");
	assert_int_equal(s.tickets[0].end - s.tickets[0].start, 36000);
	assert_int_equal(s.tickets[0].renew, 0); /* as klist printed it */
	assert_int_equal(s.n_reach, 2);
	assert_int_equal(s.reach[0].result, HV_REACH_REFUSED);
	assert_int_equal(s.reach[0].port, 6600);
	assert_string_equal(s.reach[0].local, "10.20.0.5");
	assert_string_equal(s.reach[0].at.path, "$.reachability[0].Result");
	assert_int_equal(s.reach[1].result, HV_REACH_TIMEOUT);
	assert_null(s.reach[1].local);
	hv_snapshot_release(&s);
}

/* Each bad value is a problem at its place; the rest is read. */
static void test_vantage_hostile(void **state)
{
	static const char text[] =
		HEAD "\"domain_controller\": {\"Name\": 7},"
		     "\"clock\": {\"OffsetSeconds\": 1e300},"
		     "\"kerberos_tickets\": [{\"StartTime\": 1}, 5,"
		     " {\"Server\": \"cifs/A\", \"EndTime\": {}}],"
		     "\"reachability\": [{\"Peer\": \"A\", \"Port\": 70000,"
		     " \"Result\": \"open\"}, {\"Peer\": \"A\", \"Port\": 1,"
		     " \"Result\": \"maybe\"}, {\"Peer\": \"B\", \"Port\": 445,"
		     " \"Result\": \"OPEN\"}],"
		     "\"cluster\": {\"Name\": \"C\", \"Nodes\": [\"N\\u0000X\","
		     " \"N2\"]}}";
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(read_text(text, &s), HV_ERR_INPUT);
	has_problem(&s, "s.json", "$.domain_controller.Name: is a number");
	has_problem(&s, "s.json", "$.clock.OffsetSeconds: is not a clock");
	has_problem(&s, "s.json", "$.kerberos_tickets[0]: a ticket without");
	has_problem(&s, "s.json", "$.kerberos_tickets[1]: is a number");
	has_problem(&s, "s.json", "$.kerberos_tickets[2].EndTime: is an obj");
	has_problem(&s, "s.json", "$.reachability[0]: an attempt without");
	has_problem(&s, "s.json", "$.reachability[1].Result: 'maybe'");
	has_problem(&s, "s.json", "$.cluster.Nodes[0]: a node without");
	assert_false(s.clock.known);
	assert_int_equal(s.sec[HV_SEC_REACH].state, HV_SEC_BAD);
	/* names match without regard to case, as in PowerShell */
	assert_int_equal(s.n_reach, 1);
	assert_int_equal(s.reach[0].result, HV_REACH_OPEN);
	assert_int_equal(s.n_tickets, 1);
	assert_int_equal(s.cluster.n_nodes, 1);
	hv_snapshot_release(&s);
}

static void test_missing_file(void **state)
{
	struct hv_snapshot s;

	(void)state;
	assert_int_equal(hv_snapshot_read_file("/nonexistent/HV01.json", &s),
			 HV_ERR_IO);
	assert_string_equal(s.problems[0].where, "/nonexistent/HV01.json");
	hv_snapshot_release(&s);
}

/* Every bundled sample reads without a problem. */
static void test_examples_read(void **state)
{
	static const char *const hosts[] = {"HVC1N1", "HVC1N2", "HVC1N3",
					    "HVC1N4", "HVS01",	"HVS02"};
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	char path[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct hv_snapshot s;

		snprintf(path, sizeof(path), "%s/examples/snapshots/%s.json",
			 root ? root : ".", hosts[i]);
		if (hv_snapshot_read_file(path, &s) != 0)
			fail_msg("%s: %s: %s", path, s.problems[0].where,
				 s.problems[0].message);
		assert_string_equal(s.host, hosts[i]);
		assert_int_equal(s.sec[HV_SEC_VMHOST].state, HV_SEC_READ);
		assert_int_equal(s.sec[HV_SEC_TIME].state, HV_SEC_READ);
		hv_snapshot_release(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ps51_spelling),
		cmocka_unit_test(test_ps7_spelling),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_vms_and_compare),
		cmocka_unit_test(test_bare_vmhost),
		cmocka_unit_test(test_collector_errors),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unknown_schema),
		cmocka_unit_test(test_not_a_snapshot),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_utf16_file),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_vantage_sections),
		cmocka_unit_test(test_vantage_hostile),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_examples_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
