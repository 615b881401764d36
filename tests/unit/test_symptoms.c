/* Recognising symptoms: every spelling of a code, pasted text from the
 * tools admins use (Hyper-V Manager, Failover Cluster Manager, PowerShell,
 * Event Viewer), the hosts, VMs, phase and progress in it, and the
 * near-misses that must not fire. A small knowledge base written here
 * keeps these tests independent of kb/ wording; a data-driven test then
 * fires every signature of the built-in knowledge base. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kb_fixture.h"

#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "diagnosis/symptoms.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CAUSE(id, sev)                                                         \
	"cause: " id "\ntitle: " id "\nseverity: " sev "\n"                    \
	"explain: x\nconfirm: x\nfix: x\nverify: x\nchecked-by: none\n\n"

static const char test_kb[] = CAUSE("kcd-a", "error") CAUSE(
	"credssp-a", "error") CAUSE("port-a", "error") CAUSE("mem-a", "warning")
	CAUSE("switch-a",
	      "warning") "signature: hr-no-creds\nkind: hresult\ncode: "
			 "0x8009030E\n"
			 "name: SEC_E_NO_CREDENTIALS\n"
			 "fragment: No credentials are available in the "
			 "security package\n"
			 "meaning: m\ncauses: kcd-a credssp-a\n\n"
			 "signature: hr-refused\nkind: hresult\ncode: "
			 "0x8007274D\n"
			 "name: WSAECONNREFUSED\n"
			 "fragment: because the target machine actively "
			 "refused it\n"
			 "meaning: m\ncauses: port-a\n\n"
			 "signature: hr-oom\nkind: hresult\ncode: 0x8007000E\n"
			 "name: E_OUTOFMEMORY\nfragment: could not initialize "
			 "memory\n"
			 "meaning: m\ncauses: mem-a\n\n"
			 "signature: hr-small\nkind: hresult\ncode: "
			 "0x000013AB\n"
			 "name: ERROR_NETWORK_NOT_AVAILABLE\nmeaning: "
			 "m\ncauses: port-a\n\n"
			 "signature: win-access\nkind: win32\ncode: 5\n"
			 "name: ERROR_ACCESS_DENIED\nmeaning: m\ncauses: "
			 "kcd-a\n\n"
			 "signature: krb-badoption\nkind: kerberos\ncode: 13\n"
			 "name: KDC_ERR_BADOPTION\nmeaning: m\ncauses: "
			 "kcd-a\n\n"
			 "signature: krb-skew\nkind: kerberos\ncode: 37\n"
			 "name: KRB_AP_ERR_SKEW\nmeaning: m\ncauses: kcd-a\n\n"
			 "signature: ev-21502\nkind: event\nevent: 21502\n"
			 "channel: "
			 "Microsoft-Windows-Hyper-V-High-Availability-Admin\n"
			 "fragment: Live migration of 'Virtual Machine\n"
			 "meaning: m\ncauses: kcd-a port-a switch-a\n\n"
			 "signature: ev-krb-5\nkind: event\nevent: 5\nchannel: "
			 "System\n"
			 "meaning: m\ncauses: kcd-a\n\n"
			 "signature: ev-20415\nkind: event\nevent: 20415\n"
			 "channel: Microsoft-Windows-Hyper-V-VMMS-Admin\n"
			 "fragment: with a blackout time of\nmeaning: "
			 "m\ncauses: none\n\n"
			 "signature: msg-at-source\nkind: message\n"
			 "fragment: failed at migration source\n"
			 "meaning: m\ncauses: kcd-a credssp-a port-a\n\n"
			 "signature: msg-at-dest\nkind: message\n"
			 "fragment: failed at migration destination\n"
			 "meaning: m\ncauses: mem-a switch-a\n\n"
			 "signature: msg-switch\nkind: message\n"
			 "fragment: a virtual switch used by the VM does not "
			 "exist\n"
			 "  on the destination node\n"
			 "meaning: m\ncauses: switch-a\n\n"
			 "signature: msg-anynet\nkind: message\n"
			 "fragment: UseAnyNetworkForMigration\n"
			 "meaning: m\ncauses: port-a\n";

static int setup_kb(void **state)
{
	return kb_setup_text(state, test_kb);
}

static int setup_builtin(void **state)
{
	return kb_setup_builtin(state);
}

static int teardown_kb(void **state)
{
	return kb_teardown(state);
}

static const struct hv_symptom *
find_sig(const struct hv_kb *kb, const struct hv_symptoms *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(kb->sigs[s->items[i].sig].id, id) == 0)
			return &s->items[i];
	return NULL;
}

static const struct hv_named *find_named(const struct hv_named *items, size_t n,
					 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].name, name) == 0)
			return &items[i];
	return NULL;
}

/* "id, id, id" of what was recognised, for failure messages. */
static void list_sigs(const struct hv_kb *kb, const struct hv_symptoms *s,
		      struct hv_strbuf *out)
{
	for (size_t i = 0; i < s->n; i++)
		hv_strbuf_addf(out, "%s%s", i ? ", " : "",
			       kb->sigs[s->items[i].sig].id);
	if (!s->n)
		hv_strbuf_adds(out, "nothing");
}

static void expect_sig(const struct hv_kb *kb, const char *input,
		       const char *id, const char *as)
{
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;

	hv_symptoms_scan(kb, input, 1, &s);
	hit = find_sig(kb, &s, id);
	if (!hit) {
		struct hv_strbuf got = HV_STRBUF_INIT;

		list_sigs(kb, &s, &got);
		fail_msg("'%s' should fire %s; got %s", input, id,
			 hv_strbuf_str(&got));
	}
	if (as && !strstr(hit->as, as))
		fail_msg("'%s' read as '%s', expected '%s'", input, hit->as,
			 as);
	assert_int_equal(hit->input, 1);
	assert_false(hv_symptoms_empty(&s));
	hv_symptoms_release(&s);
}

static void test_code_spellings(void **state)
{
	static const struct {
		const char *input, *sig, *as;
	} cases[] = {
		{"0x8009030E", "hr-no-creds", "HRESULT 0x8009030E"},
		{"0x8009030e", "hr-no-creds", "HRESULT 0x8009030E"},
		{"0X8009030E", "hr-no-creds", "HRESULT 0x8009030E"},
		{"8009030E", "hr-no-creds", "HRESULT 0x8009030E"},
		{"8009030e", "hr-no-creds", "HRESULT 0x8009030E"},
		{"-2146893042", "hr-no-creds", "HRESULT 0x8009030E"},
		{"2148074254", "hr-no-creds", "HRESULT 0x8009030E"},
		{"  0x8009030E\n", "hr-no-creds", "HRESULT 0x8009030E"},
		{"(0x8009030E).", "hr-no-creds", "HRESULT 0x8009030E"},
		{"hr=0x8009030E;", "hr-no-creds", "HRESULT 0x8009030E"},
		{"SEC_E_NO_CREDENTIALS", "hr-no-creds", "symbolic name"},
		{"sec_e_no_credentials", "hr-no-creds", "symbolic name"},
		{"10061", "hr-refused", "Win32 error 10061"},
		{"0x274D", "hr-refused", "Win32 error 10061"},
		{"0x274d", "hr-refused", "Win32 error 10061"},
		{"0x8007274D", "hr-refused", "HRESULT 0x8007274D"},
		{"-2147014835", "hr-refused", "HRESULT 0x8007274D"},
		{"WSAECONNREFUSED", "hr-refused", "symbolic name"},
		{"KDC_ERR_BADOPTION", "krb-badoption", "symbolic name"},
		/* krb5's library code: the protocol error + the com_err
		 * table base -1765328384 */
		{"-1765328371", "krb-badoption", "Kerberos error 13"},
		{"-1765328347", "krb-skew", "Kerberos error 37"},
		{"13", "krb-badoption", "Kerberos error 13"},
		{"0x25", "krb-skew", "Kerberos error 37"},
		{"21502", "ev-21502", "event id 21502"},
		{"event 21502", "ev-21502", "event id 21502"},
		{"Event 21502", "ev-21502", "event id 21502"},
		{"Event ID 21502", "ev-21502", "event id 21502"},
		{"Event ID: 21502", "ev-21502", "event id 21502"},
		{"EventID 21502", "ev-21502", "event id 21502"},
		{"event #21502", "ev-21502", "event id 21502"},
		/* a Win32 HRESULT is also its Win32 code, in any spelling */
		{"0x80070005", "win-access", "HRESULT 0x80070005"},
		{"80070005", "win-access", "HRESULT 0x80070005"},
		{"-2147024891", "win-access", "HRESULT 0x80070005"},
		{"5", "win-access", "Win32 error 5"},
		{"5", "ev-krb-5", "event id 5"},
		/* an HRESULT below 0x10000 is still an HRESULT */
		{"0x000013AB", "hr-small", NULL},
		{"0x13AB", "hr-small", NULL},
		{"ERROR_NETWORK_NOT_AVAILABLE", "hr-small", "symbolic name"},
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		expect_sig(kb, cases[i].input, cases[i].sig, cases[i].as);
}

static void test_matched_text_and_input(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb, "-2146893042", 1, &s);
	hv_symptoms_scan(kb, "0x8007274D", 2, &s);
	/* the same signature again adds nothing */
	hv_symptoms_scan(kb, "SEC_E_NO_CREDENTIALS", 3, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.items[0].matched, "-2146893042");
	assert_int_equal(s.items[0].input, 1);
	assert_int_equal(s.items[0].line, 1);
	assert_string_equal(s.items[1].matched, "0x8007274D");
	assert_int_equal(s.items[1].input, 2);
	assert_int_equal(s.n_unknown, 0);
	hv_symptoms_release(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.items);
}

/* A lone word is first read as a code or name; when that finds nothing
 * it is read as text, so a one-word fragment or a code with punctuation
 * around it is still found, and is then not listed as unknown. */
static void test_lone_word_as_text(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb, "UseAnyNetworkForMigration", 1, &s);
	assert_non_null(find_sig(kb, &s, "msg-anynet"));
	assert_int_equal(s.n_unknown, 0);
	hv_symptoms_release(&s);
	hv_symptoms_scan(kb, "$host.UseAnyNetworkForMigration=$false", 1, &s);
	assert_non_null(find_sig(kb, &s, "msg-anynet"));
	hv_symptoms_release(&s);
	/* an unknown code found in the text stays */
	hv_symptoms_scan(kb, "hr=0x8009030E;0xDEADBEEF", 1, &s);
	assert_non_null(find_sig(kb, &s, "hr-no-creds"));
	assert_int_equal(s.n_unknown, 1);
	assert_string_equal(s.unknown[0], "0xDEADBEEF");
	hv_symptoms_release(&s);
	/* an unknown word stays unknown */
	hv_symptoms_scan(kb, "UseSomeNetwork", 1, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_unknown, 1);
	assert_string_equal(s.unknown[0], "UseSomeNetwork");
	hv_symptoms_release(&s);
}

static void test_unknown_codes(void **state)
{
	static const char *const inputs[] = {
		"0xDEADBEEF", "0x8009030F",	  "DEADBEEF",	 "99999",
		"event 4242", "SEC_E_NOT_A_NAME", "-2146893043",
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		struct hv_symptoms s = {0};

		hv_symptoms_scan(kb, inputs[i], 1, &s);
		if (s.n)
			fail_msg("'%s' fired %s", inputs[i],
				 kb->sigs[s.items[0].sig].id);
		assert_true(hv_symptoms_empty(&s));
		assert_int_equal(s.n_unknown, 1);
		assert_string_equal(s.unknown[0], inputs[i]);
		/* the same unknown twice is listed once */
		hv_symptoms_scan(kb, inputs[i], 2, &s);
		assert_int_equal(s.n_unknown, 1);
		hv_symptoms_release(&s);
	}
}

/* Hyper-V Manager's error dialog, as copied with Ctrl+C. */
static const char hyperv_manager[] =
	"Hyper-V Manager\n"
	"\n"
	"An error occurred while attempting to move 'VM01'.\n"
	"\n"
	"Virtual machine migration operation for 'VM01' failed at "
	"migration source 'HV01'. (Virtual machine ID "
	"6066F867-7CA1-4418-85FD-36E3F9C0600C)\n"
	"\n"
	"The Virtual Machine Management Service failed to establish a "
	"connection for a Virtual Machine migration with host 'HV02': No "
	"credentials are available in the security package "
	"(0x8009030E).\n"
	"\n"
	"OK\n";

static void test_pasted_hyperv_manager(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;
	const struct hv_named *h;

	hv_symptoms_scan(kb, hyperv_manager, 1, &s);
	hit = find_sig(kb, &s, "hr-no-creds");
	assert_non_null(hit);
	assert_int_equal(hit->line, 7);
	assert_non_null(find_sig(kb, &s, "msg-at-source"));
	assert_null(find_sig(kb, &s, "msg-at-dest"));
	assert_int_equal(s.n_unknown, 0);
	assert_int_equal(s.n_hosts, 2);
	h = find_named(s.hosts, s.n_hosts, "HV01");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_SOURCE);
	h = find_named(s.hosts, s.n_hosts, "HV02");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_DESTINATION);
	assert_int_equal(s.n_vms, 1);
	assert_string_equal(s.vms[0].name, "VM01");
	assert_true(s.fact[HV_CTX_PHASE].known);
	assert_int_equal(s.fact[HV_CTX_PHASE].value, 0); /* source */
	assert_false(s.fact[HV_CTX_PERCENT].known);
	hv_symptoms_release(&s);
}

/* Failover Cluster Manager: the role's Information column, then the
 * event of the failed move as its "Cluster Events" pane copies it. */
static const char cluster_manager[] =
	"Name     Status   Type             Owner Node  Information\n"
	"SQL01    Running  Virtual Machine  NODE1       Live Migrating, "
	"37% completed\n"
	"\n"
	"Level\tDate and Time\tSource\tEvent ID\tTask Category\n"
	"Error\t11/23/2025 9:12:44 AM\tHyper-V-High-Availability\t21502\t"
	"None\n"
	"Live migration of 'Virtual Machine SQL01' failed.\n"
	"\n"
	"Virtual machine migration operation for 'SQL01' failed at "
	"migration destination 'NODE2'. (Virtual machine ID "
	"3C1AD2E4-52B1-4F5D-9A0E-6C2D8F1B7A90)\n"
	"\n"
	"'SQL01' failed to live migrate because a virtual switch used by "
	"the VM does not exist on the\n"
	"destination node 'NODE2'.\n";

static void test_pasted_cluster_manager(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;
	const struct hv_named *h;

	hv_symptoms_scan(kb, cluster_manager, 1, &s);
	/* a bare 21502 in a table is not taken, the message is */
	hit = find_sig(kb, &s, "ev-21502");
	assert_non_null(hit);
	assert_string_equal(hit->as, "message text");
	assert_int_equal(hit->line, 6);
	assert_non_null(find_sig(kb, &s, "msg-at-dest"));
	/* a fragment wrapped over two lines still matches, at its
	 * first line */
	hit = find_sig(kb, &s, "msg-switch");
	assert_non_null(hit);
	assert_int_equal(hit->line, 10);
	assert_null(find_sig(kb, &s, "msg-at-source"));
	assert_null(find_sig(kb, &s, "win-access"));
	assert_int_equal(s.n_unknown, 0);
	assert_int_equal(s.n_vms, 1);
	assert_string_equal(s.vms[0].name, "SQL01");
	h = find_named(s.hosts, s.n_hosts, "NODE2");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_DESTINATION);
	assert_null(find_named(s.hosts, s.n_hosts, "NODE1"));
	assert_true(s.fact[HV_CTX_PHASE].known);
	assert_int_equal(s.fact[HV_CTX_PHASE].value, 1); /* destination */
	assert_true(s.fact[HV_CTX_PERCENT].known);
	assert_int_equal(s.fact[HV_CTX_PERCENT].value, 37);
	hv_symptoms_release(&s);
}

/* A Move-VM error record, then the HResult an admin prints from it. */
static const char powershell[] =
	"PS C:\\> Move-VM -Name VM01 -DestinationHost HV02 "
	"-IncludeStorage\n"
	"Move-VM : Virtual machine migration operation for 'VM01' failed "
	"at migration source 'HV01'.\n"
	"The Virtual Machine Management Service failed to establish a "
	"connection for a Virtual Machine migration with host 'HV02': No "
	"connection could be made because the target machine actively "
	"refused it. (0x8007274D).\n"
	"At line:1 char:1\n"
	"+ Move-VM -Name VM01 -DestinationHost HV02 -IncludeStorage\n"
	"+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	"    + CategoryInfo          : NotSpecified: (:) [Move-VM], "
	"VirtualizationException\n"
	"    + FullyQualifiedErrorId : OperationFailed,"
	"Microsoft.HyperV.PowerShell.Commands.MoveVM\n"
	"\n"
	"PS C:\\> $Error[0].Exception.HResult\n"
	"-2146893042\n";

static void test_pasted_powershell(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;
	const struct hv_named *h;

	hv_symptoms_scan(kb, powershell, 1, &s);
	hit = find_sig(kb, &s, "hr-refused");
	assert_non_null(hit);
	assert_int_equal(hit->line, 3);
	hit = find_sig(kb, &s, "hr-no-creds");
	assert_non_null(hit);
	assert_string_equal(hit->matched, "-2146893042");
	assert_int_equal(hit->line, 11);
	assert_non_null(find_sig(kb, &s, "msg-at-source"));
	/* "line:1 char:1" and "[0]" are not codes */
	assert_null(find_sig(kb, &s, "krb-badoption"));
	assert_null(find_sig(kb, &s, "ev-krb-5"));
	assert_int_equal(s.n_unknown, 0);
	h = find_named(s.hosts, s.n_hosts, "HV01");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_SOURCE);
	h = find_named(s.hosts, s.n_hosts, "HV02");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_DESTINATION);
	assert_non_null(find_named(s.vms, s.n_vms, "VM01"));
	hv_symptoms_release(&s);
}

/* Event Viewer's "Copy > Copy details as text". */
static const char event_viewer[] =
	"Log Name:      Microsoft-Windows-Hyper-V-High-Availability-Admin\n"
	"Source:        Microsoft-Windows-Hyper-V-High-Availability\n"
	"Date:          11/23/2025 9:12:44 AM\n"
	"Event ID:      21502\n"
	"Task Category: None\n"
	"Level:         Error\n"
	"Keywords:      \n"
	"User:          SYSTEM\n"
	"Computer:      NODE1.corp.example.com\n"
	"Description:\n"
	"Live migration of 'Virtual Machine SQL01' failed.\n"
	"\n"
	"Virtual machine migration operation for 'SQL01' failed at "
	"migration destination 'NODE2'. (Virtual machine ID "
	"6066F867-7CA1-4418-85FD-36E3F9C0600C)\n"
	"\n"
	"'SQL01' could not initialize memory: Ran out of memory "
	"(0x8007000E).\n";

static void test_pasted_event_viewer(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;
	const struct hv_named *h;

	hv_symptoms_scan(kb, event_viewer, 1, &s);
	/* seen as "Event ID: 21502" (line 4) and by its text (line 11):
	 * the text is the stronger sighting and is the one kept */
	hit = find_sig(kb, &s, "ev-21502");
	assert_non_null(hit);
	assert_int_equal(hit->line, 11);
	assert_int_equal(hit->how, HV_MATCH_TEXT);
	assert_string_equal(hit->as, "message text");
	hit = find_sig(kb, &s, "hr-oom");
	assert_non_null(hit);
	assert_int_equal(hit->line, 15);
	assert_non_null(find_sig(kb, &s, "msg-at-dest"));
	assert_null(find_sig(kb, &s, "msg-at-source"));
	assert_int_equal(s.n_unknown, 0);
	h = find_named(s.hosts, s.n_hosts, "NODE2");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_DESTINATION);
	assert_non_null(find_named(s.vms, s.n_vms, "SQL01"));
	assert_int_equal(s.n_vms, 1);
	assert_true(s.fact[HV_CTX_PHASE].known);
	assert_int_equal(s.fact[HV_CTX_PHASE].value, 1);
	hv_symptoms_release(&s);
}

static void test_fragments_fold_case_and_space(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb,
			 "error: NO CREDENTIALS are\r\n"
			 "\t available   in the SECURITY package",
			 1, &s);
	assert_non_null(find_sig(kb, &s, "hr-no-creds"));
	assert_string_equal(find_sig(kb, &s, "hr-no-creds")->as,
			    "message text");
	hv_symptoms_release(&s);
}

static void test_names_in_text(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb,
			 "klist said KDC_ERR_BADOPTION, then "
			 "WSAECONNREFUSED (error 10061)",
			 1, &s);
	assert_non_null(find_sig(kb, &s, "krb-badoption"));
	assert_non_null(find_sig(kb, &s, "hr-refused"));
	hv_symptoms_release(&s);
	/* In running text a name must be written as Windows prints it:
	 * a lower-case word is an ordinary word. */
	hv_symptoms_scan(kb,
			 "the wsaeconnrefused and sec_e_no_credentials "
			 "words",
			 1, &s);
	assert_int_equal(s.n, 0);
	hv_symptoms_release(&s);
}

static void test_codes_in_text(void **state)
{
	static const struct {
		const char *text, *sig;
	} cases[] = {
		{"failed (0x8009030E).", "hr-no-creds"},
		{"hr=0x8009030e;", "hr-no-creds"},
		{"hr=8009030E, retry", "hr-no-creds"},
		{"HResult -2146893042 was returned", "hr-no-creds"},
		{"code 2148074254 was returned", "hr-no-creds"},
		{"Error Code: 0x25 KRB_AP_ERR_SKEW", "krb-skew"},
		{"Win32 error: 10061 on connect", "hr-refused"},
		{"error code 10061 on connect", "hr-refused"},
		{"the krb5 code -1765328371 came back", "krb-badoption"},
		{"see event 21502 on NODE1", "ev-21502"},
		{"network (0x000013AB).", "hr-small"},
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		expect_sig(kb, cases[i].text, cases[i].sig, NULL);
}

/* Things that look like codes but are not: none may fire anything or
 * be reported as an unknown code. */
static void test_near_misses(void **state)
{
	static const char *const texts[] = {
		/* GUIDs: a first group of 8 hex digits is not an HRESULT */
		"6066F867-7CA1-4418-85FD-36E3F9C0600C",
		"VM ID 8009030E-7CA1-4418-85FD-36E3F9C0600C here",
		"VM ID {8009030E-7CA1-4418-85FD-36E3F9C0600C} here",
		/* a number in a sentence is not a code */
		"blackout of 5 seconds and 13 retries, 21502 total",
		/* codes inside other words */
		"the hash DEADBEEF8009030E was logged",
		"token hr8009030E and 8009030Ex and x0x8009030E here",
		"0x8009030E0 is nine digits",
		"name SEC_E_NO_CREDENTIALS_EX is longer",
		"XWSAECONNREFUSED is not it",
		/* event ids out of range, or no id at all */
		"event 99999 happened",
		"Event ID: 99999 happened",
		"eventually 21502 things",
		/* times, dates, addresses, ports */
		"at 11/23/2025 9:12:44 AM from 10.0.0.5:6600 via TCP 6600",
		"line:1 char:1 and $Error[0]",
		/* a negative number that is neither HRESULT nor krb5 */
		"offset -5 and -12345",
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct hv_symptoms s = {0};

		hv_symptoms_scan(kb, texts[i], 1, &s);
		if (s.n || s.n_unknown) {
			struct hv_strbuf got = HV_STRBUF_INIT;

			list_sigs(kb, &s, &got);
			fail_msg("'%s' fired %s, unknown %zu ('%s')", texts[i],
				 hv_strbuf_str(&got), s.n_unknown,
				 s.n_unknown ? s.unknown[0] : "");
		}
		assert_false(s.fact[HV_CTX_PERCENT].known);
		hv_symptoms_release(&s);
	}
}

/* "blackout time of 5 seconds" fires the success event by its text,
 * and nothing reads the 5 as Win32 error 5 or event 5. */
static void test_blackout_time(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb,
			 "The Virtual Machine Management service "
			 "successfully completed the live migration of "
			 "virtual machine 'VM01' with a blackout time "
			 "of 5 seconds.",
			 1, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(find_sig(kb, &s, "ev-20415"));
	assert_null(find_sig(kb, &s, "win-access"));
	assert_null(find_sig(kb, &s, "ev-krb-5"));
	assert_non_null(find_named(s.vms, s.n_vms, "VM01"));
	assert_false(s.fact[HV_CTX_PERCENT].known);
	hv_symptoms_release(&s);
}

static void test_unknown_in_text(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb, "failed with 0x80041234 (Event ID: 4242)", 1, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_unknown, 2);
	assert_string_equal(s.unknown[0], "0x80041234");
	assert_string_equal(s.unknown[1], "Event ID: 4242");
	hv_symptoms_release(&s);
}

static void test_names_and_roles(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_named *h;

	hv_symptoms_scan(kb,
			 "Live migration of 'Virtual Machine Web 01' failed. "
			 "Migration operation for \xE2\x80\x98web 01\xE2\x80"
			 "\x99 failed at migration source \xE2\x80\x9C"
			 "HV-A\xE2\x80\x9D. Move-VM -DestinationHost 'HV-B'."
			 " Source host 'HV-A' and host 'HV-C'.",
			 1, &s);
	/* one VM: the cluster resource name and the VM name agree,
	 * whatever the case */
	assert_int_equal(s.n_vms, 1);
	assert_int_equal(strcasecmp(s.vms[0].name, "Web 01"), 0);
	assert_int_equal(s.n_hosts, 3);
	h = find_named(s.hosts, s.n_hosts, "HV-A");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_SOURCE);
	h = find_named(s.hosts, s.n_hosts, "HV-B");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_DESTINATION);
	h = find_named(s.hosts, s.n_hosts, "HV-C");
	assert_non_null(h);
	assert_int_equal(h->role, HV_ROLE_UNKNOWN);
	hv_symptoms_release(&s);

	/* an unterminated quote is not a name */
	hv_symptoms_scan(kb, "failed at migration source 'HV01", 1, &s);
	assert_int_equal(s.n_hosts, 0);
	hv_symptoms_release(&s);
}

static void test_percent(void **state)
{
	static const struct {
		const char *text;
		int percent; /* -1: none */
	} cases[] = {
		{"Live Migrating, 85% completed", 85},
		{"failed at 90 % of the transfer", 90},
		{"100% done", 100},
		{"0% done", 0},
		{"at 101% it stopped", -1},
		{"at 1000% it stopped", -1},
		{"x85% is not a percentage", -1},
		{"no progress given", -1},
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct hv_symptoms s = {0};

		hv_symptoms_scan(kb, cases[i].text, 1, &s);
		if (cases[i].percent < 0) {
			if (s.fact[HV_CTX_PERCENT].known)
				fail_msg("'%s' gave %d %%", cases[i].text,
					 s.fact[HV_CTX_PERCENT].value);
		} else {
			assert_true(s.fact[HV_CTX_PERCENT].known);
			assert_int_equal(s.fact[HV_CTX_PERCENT].value,
					 cases[i].percent);
		}
		hv_symptoms_release(&s);
	}
}

static void test_empty_input(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb, "", 1, &s);
	hv_symptoms_scan(kb, " \t\r\n ", 2, &s);
	assert_true(hv_symptoms_empty(&s));
	assert_int_equal(s.n_unknown, 0);
	assert_int_equal(s.n_hosts + s.n_vms, 0);
	assert_false(s.fact[HV_CTX_PHASE].known);
	hv_symptoms_release(&s);
}

static void test_parse_hresult(void **state)
{
	static const char *const good[] = {
		"0x8009030E", "0X8009030e",  "8009030E",
		"8009030e",   "-2146893042", "2148074254",
	};
	static const char *const bad[] = {
		"",	 "0x", "0x8009030E0", "0x0x800903",  "hello",
		"12345", "-0", "4294967296",  "-2147483649", "0x80 09030E",
	};
	uint32_t hr = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		hr = 0;
		if (!hv_parse_hresult(good[i], &hr))
			fail_msg("'%s' not read as an HRESULT", good[i]);
		assert_int_equal(hr, 0x8009030Eu);
	}
	assert_true(hv_parse_hresult("80070005", &hr));
	assert_int_equal(hr, 0x80070005u);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (hv_parse_hresult(bad[i], &hr))
			fail_msg("'%s' read as 0x%08" PRIX32, bad[i], hr);
}

/* --- Every signature of the built-in knowledge base fires. --- */

static bool fires(const struct hv_kb *kb, size_t sig, const char *input)
{
	struct hv_symptoms s = {0};
	bool hit = false;

	hv_symptoms_scan(kb, input, 1, &s);
	for (size_t i = 0; i < s.n; i++)
		hit |= s.items[i].sig == sig;
	hv_symptoms_release(&s);
	return hit;
}

static char wrap_upper(char c)
{
	return c == ' ' ? '\n' : (char)toupper((unsigned char)c);
}

/* The fixtures of one signature: each must fire it. */
static size_t fixtures(const struct hv_signature *sig, struct hv_strbuf *out,
		       size_t max)
{
	size_t n = 0;

#define ADD(...)                                                               \
	do {                                                                   \
		if (n < max)                                                   \
			hv_strbuf_addf(&out[n++], __VA_ARGS__);                \
	} while (0)
	switch (sig->kind) {
	case HV_SIG_HRESULT:
		ADD("0x%08" PRIX32, sig->code);
		ADD("failed with error (0x%08" PRIX32 ").", sig->code);
		if (sig->code >= 0x80000000u) {
			ADD("%08" PRIX32, sig->code);
			ADD("%" PRIu32, sig->code);
			ADD("-%" PRIu32, (uint32_t)(0u - sig->code));
			ADD("HResult: -%" PRIu32 " returned",
			    (uint32_t)(0u - sig->code));
		}
		break;
	case HV_SIG_WIN32:
		ADD("0x%" PRIX32, sig->code);
		ADD("%" PRIu32, sig->code);
		ADD("0x%08" PRIX32, 0x80070000u | sig->code);
		ADD("Win32 error %" PRIu32 " was returned", sig->code);
		break;
	case HV_SIG_KERBEROS:
		ADD("0x%" PRIX32, sig->code);
		ADD("%" PRIu32, sig->code);
		ADD("%ld", -1765328384L + (long)sig->code);
		ADD("Error Code: 0x%" PRIX32 " seen", sig->code);
		break;
	case HV_SIG_EVENT:
		ADD("%u", sig->event);
		ADD("event %u", sig->event);
		ADD("Event ID: %u", sig->event);
		ADD("Log Name: %s\nEvent ID:      %u\nLevel: Error",
		    sig->channel, sig->event);
		break;
	case HV_SIG_MESSAGE:
		break;
	}
	if (sig->n_names) {
		ADD("%s", sig->names[0]);
		ADD("it failed: %s.", sig->names[0]);
	}
	if (sig->n_fragments) {
		const char *f = sig->fragments[0];

		ADD("%s", f);
		ADD("Error: %s (see the log).", f);
		/* a line per word, in upper case */
		ADD("Error:\n");
		for (size_t i = 0; f[i]; i++)
			hv_strbuf_addch(&out[n - 1], wrap_upper(f[i]));
	}
#undef ADD
	return n;
}

static void test_builtin_every_signature_fires(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_strbuf input[16];
	size_t failed = 0, checked = 0;

	for (size_t i = 0; i < kb->n_sigs; i++) {
		size_t n;

		for (size_t k = 0; k < 16; k++)
			input[k] = (struct hv_strbuf)HV_STRBUF_INIT;
		n = fixtures(&kb->sigs[i], input, 16);
		if (n == 0) {
			print_error("%s: no fixture can fire it\n",
				    kb->sigs[i].id);
			failed++;
		}
		for (size_t k = 0; k < n; k++) {
			checked++;
			if (!fires(kb, i, hv_strbuf_str(&input[k]))) {
				print_error("%s (%s): not fired by '%s'\n",
					    kb->sigs[i].id, kb->sigs[i].origin,
					    hv_strbuf_str(&input[k]));
				failed++;
			}
			hv_strbuf_release(&input[k]);
		}
	}
	print_message("%zu fixtures over %zu signatures\n", checked,
		      kb->n_sigs);
	assert_int_equal(failed, 0);
}

/* Folds whitespace runs and case, as the scanner compares fragments. */
static void fold(const char *s, struct hv_strbuf *out)
{
	bool space = false;

	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = out->len > 0;
			continue;
		}
		if (space)
			hv_strbuf_addch(out, ' ');
		space = false;
		hv_strbuf_addch(out, (char)tolower((unsigned char)*s));
	}
}

/* True when another fragment of sig occurs in text anyway. */
static bool other_fragment_in(const struct hv_signature *sig, const char *text)
{
	struct hv_strbuf t = HV_STRBUF_INIT;
	bool found = false;

	fold(text, &t);
	for (size_t f = 0; f < sig->n_fragments && !found; f++) {
		struct hv_strbuf frag = HV_STRBUF_INIT;

		fold(sig->fragments[f], &frag);
		found = strstr(hv_strbuf_str(&t), hv_strbuf_str(&frag));
		hv_strbuf_release(&frag);
	}
	hv_strbuf_release(&t);
	return found;
}

/* One near-miss per kind, for every signature: a code glued into a
 * word, an event id as a bare number in a sentence, a name with a
 * suffix, a fragment missing its last letter. */
static void test_builtin_near_misses(void **state)
{
	const struct hv_kb *kb = *state;
	size_t failed = 0;

	for (size_t i = 0; i < kb->n_sigs; i++) {
		const struct hv_signature *sig = &kb->sigs[i];
		struct hv_strbuf miss[3] = {HV_STRBUF_INIT, HV_STRBUF_INIT,
					    HV_STRBUF_INIT};
		size_t n = 0;

		switch (sig->kind) {
		case HV_SIG_HRESULT:
		case HV_SIG_WIN32:
		case HV_SIG_KERBEROS:
			hv_strbuf_addf(&miss[n++],
				       "the id x0x%08" PRIX32 "x was logged",
				       sig->code);
			break;
		case HV_SIG_EVENT:
			hv_strbuf_addf(&miss[n++], "%u events were logged",
				       sig->event);
			break;
		case HV_SIG_MESSAGE:
			break;
		}
		if (sig->n_names)
			hv_strbuf_addf(&miss[n++], "%sX", sig->names[0]);
		if (sig->n_fragments) {
			const char *f = sig->fragments[0];

			hv_strbuf_add(&miss[n], f, strlen(f) - 1);
			if (other_fragment_in(sig, hv_strbuf_str(&miss[n])))
				hv_strbuf_release(&miss[n]);
			else
				n++;
		}
		for (size_t k = 0; k < n; k++) {
			if (fires(kb, i, hv_strbuf_str(&miss[k]))) {
				print_error("%s: fired by near-miss '%s'\n",
					    sig->id, hv_strbuf_str(&miss[k]));
				failed++;
			}
			hv_strbuf_release(&miss[k]);
		}
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_spellings),
		cmocka_unit_test(test_matched_text_and_input),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_lone_word_as_text),
		cmocka_unit_test(test_pasted_hyperv_manager),
		cmocka_unit_test(test_pasted_cluster_manager),
		cmocka_unit_test(test_pasted_powershell),
		cmocka_unit_test(test_pasted_event_viewer),
		cmocka_unit_test(test_fragments_fold_case_and_space),
		cmocka_unit_test(test_names_in_text),
		cmocka_unit_test(test_codes_in_text),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_blackout_time),
		cmocka_unit_test(test_unknown_in_text),
		cmocka_unit_test(test_names_and_roles),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_parse_hresult),
	};
	const struct CMUnitTest builtin_tests[] = {
		cmocka_unit_test(test_builtin_every_signature_fires),
		cmocka_unit_test(test_builtin_near_misses),
	};
	int failed = cmocka_run_group_tests_name("test kb", tests, setup_kb,
						 teardown_kb);

	failed += cmocka_run_group_tests_name("built-in kb", builtin_tests,
					      setup_builtin, teardown_kb);
	return failed;
}
