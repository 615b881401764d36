/* Tests of the AD checks (lib/checks/check_*.c, every entry of the table in
 * lib/checks/checks.c). Each check has a fixture that fires it, asserted
 * exactly (cause, severity, subject, targets, evidence), and near misses
 * that must not fire. Fixtures are LDIF built here (estate_fixture.h). */
#include "estate_fixture.h"

#include "remedy/plan.h"

/* ---- accounts ---------------------------------------------------- */

static void test_accounts_fire(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_OFF);
	host(&fx->ldif, "HV02", UAC_ANY);
	user(&fx->ldif, "hvadmin", "512");
	want_hosts(fx, "HV01,HV02,HV09,hvadmin");
	fx->sel.admins = list("ghost", &fx->sel.n_admins);
	run(fx, hv_check_host_accounts);
	assert_int_equal(fx->out.n, 4);
	f = nth(fx, 0);
	assert_finding(f, "host-account-missing", HV_SEV_ERROR, "HV09", NULL,
		       0);
	assert_string_equal(f->check, "accounts");
	assert_string_equal(f->message,
			    "has no computer account in the directory");
	assert_int_equal(f->n_ev, 0);
	/* a user is not a host, however it is spelt */
	assert_finding(nth(fx, 1), "host-account-missing", HV_SEV_ERROR,
		       "hvadmin", NULL, 0);
	f = nth(fx, 2);
	assert_finding(f, "admin-account-missing", HV_SEV_WARNING, "ghost",
		       NULL, 0);
	assert_string_equal(f->fix, "check the spelling of --admin");
	f = nth(fx, 3);
	assert_finding(f, "host-account-disabled", HV_SEV_ERROR, "HV01", NULL,
		       0);
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, UAC, HV_EV_PRESENT, "4098 (0x1002)");
	assert_string_equal(f->ev[0].origin, "t.ldif:1");
	assert_string_equal(f->fix, "Enable-ADAccount -Identity 'HV01$'");
}

static void test_accounts_near_miss(void **state)
{
	struct fx *fx = *state;

	/* a disabled computer that is not selected is not reported */
	host(&fx->ldif, "HVOLD", UAC_OFF);
	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV02", UAC_ANY);
	user(&fx->ldif, "hvadmin", "512");
	want_hosts(fx, "hv01." DNS ",HV02$");
	fx->sel.admins = list("hvadmin", &fx->sel.n_admins);
	run(fx, hv_check_host_accounts);
	assert_int_equal(fx->out.n, 0);
	assert_int_equal(fx->est.n_hosts, 2);
}

/* ---- delegation-pairs -------------------------------------------- */

static void pairs_fixture(struct hv_strbuf *sb)
{
	host(sb, "HV01", UAC_ANY);
	deleg(sb, "HV02", HV_DELEG_ALL);
	deleg(sb, "HV03", HV_DELEG_VSMS_FQDN | HV_DELEG_CIFS);
	host(sb, "HV02", UAC_ANY);
	deleg(sb, "HV01", HV_DELEG_VSMS);
	host(sb, "HV03", UAC_ANY);
	deleg(sb, "HV01", HV_DELEG_ALL);
	deleg(sb, "HV02", HV_DELEG_ALL);
}

static void test_pairs_fire(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;
	const char *dn2 = "CN=HV02," OU_HV;

	pairs_fixture(&fx->ldif);
	want_hosts(fx, "HV01,HV02,HV03");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 3);
	f = nth(fx, 0);
	assert_finding(f, "kcd-name-form-missing", HV_SEV_WARNING, "HV01",
		       "HV03", 1);
	assert_string_equal(f->message,
			    "delegates to these hosts under one name form only "
			    "(short name or FQDN)");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, A2D, HV_EV_MISSING, VSMS "/HV03");
	f = nth(fx, 1);
	assert_finding(f, "kcd-missing-cifs", HV_SEV_ERROR, "HV02",
		       "HV01, HV03", 2);
	assert_string_equal(f->message, "is not allowed to delegate to the "
					"cifs service of these hosts "
					"(storage moves)");
	assert_int_equal(f->n_ev, 4);
	assert_ev(f, 0, dn2, A2D, HV_EV_MISSING, "cifs/HV01");
	assert_ev(f, 1, dn2, A2D, HV_EV_MISSING, "cifs/HV01." DNS);
	assert_ev(f, 2, dn2, A2D, HV_EV_MISSING, "cifs/HV03");
	assert_ev(f, 3, dn2, A2D, HV_EV_MISSING, "cifs/HV03." DNS);
	assert_string_equal(f->fix, "hvdoctor plan writes the "
				    "Set-ADComputer commands for HV02");
	f = nth(fx, 2);
	assert_finding(f, "kcd-missing-vsms", HV_SEV_ERROR, "HV02", "HV03", 1);
	assert_string_equal(
		f->message,
		"is not allowed to delegate to the migration service of "
		"these hosts");
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, dn2, A2D, HV_EV_MISSING, VSMS "/HV03");
	assert_ev(f, 1, dn2, A2D, HV_EV_MISSING, VSMS "/HV03." DNS);
	assert_int_equal(f->ev_omitted, 0);
}

static void test_pairs_near_miss(void **state)
{
	struct fx *fx = *state;
	static const char *const names[] = {"HV01", "HV02", "HV03"};

	for (size_t a = 0; a < 3; a++) {
		host(&fx->ldif, names[a], UAC_ANY);
		for (size_t b = 0; b < 3; b++)
			if (a != b)
				deleg(&fx->ldif, names[b], HV_DELEG_ALL);
	}
	/* case does not matter to the KDC, nor to us */
	hv_strbuf_adds(&fx->ldif, A2D ": CIFS/hv01.CORP.example.com\n");
	want_hosts(fx, "HV01,HV02,HV03");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 0);
	assert_int_equal(hv_estate_deleg_bits(&fx->est, 0, 1), HV_DELEG_ALL);
}

/* Escaped twins are a Samba test-bed artefact: never delegation. */
static void test_pairs_escaped_twin(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	hv_strbuf_adds(&fx->ldif,
		       A2D ": " TWIN "/HV02\n" A2D ": " TWIN "/HV02." DNS "\n");
	deleg(&fx->ldif, "HV02", HV_DELEG_CIFS);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 1);
	f = the(fx, "kcd-missing-vsms");
	assert_finding(f, "kcd-missing-vsms", HV_SEV_ERROR, "HV01", "HV02", 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, A2D, HV_EV_MISSING, VSMS "/HV02");
	assert_int_equal(hv_estate_deleg_bits(&fx->est, 0, 1), HV_DELEG_CIFS);
}

/* "svc/host:port/name" forms are parsed for their host, but the KDC
 * matches the whole SPN (MS-SFU 3.2.5.2.1), so they do not count. */
static void test_pairs_port_and_service_forms(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_VSMS);
	hv_strbuf_adds(&fx->ldif, A2D ": cifs/HV02:445\n" A2D ": cifs/HV02." DNS
				      ":445/" DNS "\n" A2D ": cifs/HV02$\n");
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 1);
	f = the(fx, "kcd-missing-cifs");
	assert_finding(f, "kcd-missing-cifs", HV_SEV_ERROR, "HV01", "HV02", 1);
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 1, "CN=HV01," OU_HV, A2D, HV_EV_MISSING, "cifs/HV02." DNS);
	/* their host names an account: they are not dangling */
	assert_int_equal(fx->est.accounts[0].n_odd, 0);
}

/* A host without dNSHostName has one name: the short entries suffice. */
static void test_pairs_target_without_dns(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, A2D ": " VSMS "/HV02\n" A2D ": cifs/HV02\n");
	hv_strbuf_adds(&fx->ldif,
		       "\ndn: CN=HV02," OU_HV "\n"
		       "objectClass: computer\n"
		       "sAMAccountName: HV02$\n" UAC ": " UAC_ANY "\n" SPN
		       ": HOST/HV02\n" SPN ": " VSMS "/HV02\n");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 0);
	hv_check_target_spns(&fx->est, &fx->out);
	assert_int_equal(fx->out.n, 0);
}

/* Targets past 8 are counted, evidence past HV_EVIDENCE_MAX too. */
static void test_pairs_caps(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;
	char name[16];

	for (int i = 1; i <= 18; i++) {
		snprintf(name, sizeof(name), "HV%02d", i);
		host(&fx->ldif, name, UAC_ANY);
	}
	want_hosts(fx, "HV01,HV02,HV03,HV04,HV05,HV06,HV07,HV08,HV09,"
		       "HV10,HV11,HV12,HV13,HV14,HV15,HV16,HV17,HV18");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->out.n, 36);
	f = nth(fx, 0);
	assert_finding(f, "kcd-missing-vsms", HV_SEV_ERROR, "HV01",
		       "HV02, HV03, HV04, HV05, HV06, HV07, HV08, HV09", 17);
	assert_int_equal(f->n_ev, HV_EVIDENCE_MAX);
	assert_int_equal(f->ev_omitted, 17 * 2 - HV_EVIDENCE_MAX);
	assert_ev(f, 31, "CN=HV01," OU_HV, A2D, HV_EV_MISSING,
		  VSMS "/HV17." DNS);
}

/* ---- protocol-transition ----------------------------------------- */

static void pt_fixture(struct fx *fx, const char *os_name, const char *version)
{
	fx_clear(fx);
	computer(&fx->ldif, OU_HV, "HV01", UAC_KERB);
	os(&fx->ldif, os_name, version);
	spns(&fx->ldif, "HV01");
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_check_protocol_transition);
}

static void test_protocol_transition_fire(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	pt_fixture(fx, "Windows Server 2022 Datacenter", "10.0 (20348)");
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "kcd-kerberos-only-2016", HV_SEV_ERROR, "HV01", NULL,
		       0);
	assert_string_equal(f->message,
			    "uses \"Kerberos only\" delegation, but runs "
			    "Windows Server 2022 Datacenter (build 20348): "
			    "remote moves need \"use any authentication "
			    "protocol\"");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, UAC, HV_EV_PRESENT, "4096 (0x1000)");
	assert_string_equal(f->fix, "Set-ADAccountControl -Identity 'HV01$' "
				    "-TrustedToAuthForDelegation $true");
	/* the release named in operatingSystem when the version is absent */
	pt_fixture(fx, "Windows Server 2016 Standard", NULL);
	assert_int_equal(fx->out.n, 1);
	assert_int_equal(nth(fx, 0)->severity, HV_SEV_ERROR);
	assert_non_null(strstr(nth(fx, 0)->message, "(build 14393)"));
}

static void test_protocol_transition_near_miss(void **state)
{
	struct fx *fx = *state;

	/* "Kerberos only" is right before Windows Server 2016 */
	pt_fixture(fx, "Windows Server 2012 R2 Datacenter", "6.3 (9600)");
	assert_int_equal(fx->out.n, 0);
	assert_int_equal(fx->est.accounts[0].os_build, 9600);
	/* a host checked alone has no remote move to make */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_KERB);
	want_hosts(fx, "HV01");
	run(fx, hv_check_protocol_transition);
	assert_int_equal(fx->out.n, 0);
}

static void test_protocol_transition_unknown_os(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	pt_fixture(fx, NULL, NULL);
	f = the(fx, "kcd-kerberos-only-2016");
	assert_finding(f, "kcd-kerberos-only-2016", HV_SEV_WARNING, "HV01",
		       NULL, 0);
	assert_string_equal(f->message,
			    "uses \"Kerberos only\" delegation and its "
			    "Windows version is unknown: from Windows Server "
			    "2016 on, remote moves need \"use any "
			    "authentication protocol\"");
	pt_fixture(fx, "Samba", "4.17");
	f = the(fx, "kcd-kerberos-only-2016");
	assert_int_equal(f->severity, HV_SEV_WARNING);
	assert_non_null(strstr(f->message, "version is unknown "
					   "(operatingSystem 'Samba'): "));
}

/* "Kerberos only" is a kind of constrained delegation: a host with no
 * constrained list (unconstrained instead, or nothing at all) lacks the
 * entries, and turning protocol transition on alone would not help. */
static void test_no_list_is_not_kerberos_only(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	deleg(&fx->ldif, "HV03", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_UNCON);
	host(&fx->ldif, "HV03", UAC_OFF);
	/* an escaped twin is no constrained list either */
	hv_strbuf_adds(&fx->ldif, A2D ": " TWIN "/HV01\n");
	want_hosts(fx, "HV01,HV02,HV03");
	run(fx, hv_checks_run_ad);
	assert_int_equal(count_cause(fx, "kcd-kerberos-only-2016"), 0);
	assert_int_equal(count_cause(fx, "unconstrained-delegation-cg"), 1);
	assert_int_equal(count_cause(fx, "kcd-missing-vsms"), 2);
	assert_int_equal(count_cause(fx, "kcd-missing-cifs"), 2);
	assert_false(hv_account_kerberos_only(&fx->est.accounts[1]));
	/* near miss: the same host with a list (even a dangling one) is */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_UNCON);
	deleg(&fx->ldif, "GONE", HV_DELEG_VSMS_SHORT);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_checks_run_ad);
	assert_int_equal(count_cause(fx, "kcd-kerberos-only-2016"), 1);
	/* too thin: no msDS-AllowedToDelegateTo exported at all */
	fx_clear(fx);
	computer(&fx->ldif, OU_HV, "HV01", UAC_UNCON);
	computer(&fx->ldif, OU_HV, "HV02", UAC_ANY);
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_checks_run_ad);
	assert_int_equal(count_cause(fx, "kcd-kerberos-only-2016"), 0);
	assert_true(hv_findings_incomplete(&fx->out));
}

/* ---- target-spns ------------------------------------------------- */

static void test_target_spns_fire(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	computer(&fx->ldif, OU_HV, "HV02", UAC_ANY);
	hv_strbuf_adds(&fx->ldif,
		       SPN ": HOST/HV02." DNS "\n" SPN ": " VSMS "/HV02\n" SPN
			   ": " TWIN "/HV02." DNS "\n");
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_check_target_spns);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "spn-missing", HV_SEV_ERROR, "HV02", NULL, 0);
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, "CN=HV02," OU_HV, SPN, HV_EV_MISSING, "HOST/HV02");
	assert_ev(f, 1, "CN=HV02," OU_HV, SPN, HV_EV_MISSING,
		  VSMS "/HV02." DNS);
	assert_non_null(strstr(f->fix, "setspn -S \"CLASS/NAME\" HV02"));
}

static void test_target_spns_near_miss(void **state)
{
	struct fx *fx = *state;

	/* HV02's SPN is also on a user read first: HV02 still has it */
	user(&fx->ldif, "svc", "512");
	hv_strbuf_adds(&fx->ldif, SPN ": HOST/HV02\n");
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	/* HV03, linked to no host, is no host: nobody asks it for tickets */
	computer(&fx->ldif, OU_HV, "HV03", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/HV03\n");
	run(fx, hv_check_target_spns);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->est.n_unverified, 1);
	assert_int_equal(fx->out.n, 0);
}

/* ---- spn-clashes ------------------------------------------------- */

static void clash_fixture(struct fx *fx, bool user_first)
{
	fx_clear(fx);
	if (user_first) {
		user(&fx->ldif, "svcbackup", "512");
		hv_strbuf_adds(&fx->ldif, SPN ": HOST/HV01." DNS "\n");
	}
	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV02", UAC_ANY);
	if (!user_first) {
		user(&fx->ldif, "svcbackup", "512");
		hv_strbuf_adds(&fx->ldif, SPN ": HOST/HV01." DNS "\n");
	}
	run(fx, hv_check_spn_clashes);
}

/* The wrong holder is the account the SPN's host part does not name,
 * whichever was read first. */
static void test_spn_duplicate_host_and_user(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;
	const char *udn = "CN=svcbackup,OU=Admins," BASE;

	for (int order = 0; order < 2; order++) {
		clash_fixture(fx, order == 0);
		assert_int_equal(fx->out.n, 1);
		f = nth(fx, 0);
		assert_finding(f, "spn-duplicate", HV_SEV_ERROR, "svcbackup",
			       NULL, 0);
		assert_string_equal(f->message,
				    "holds the SPN 'HOST/HV01." DNS
				    "', which HV01 also "
				    "holds: Kerberos to that name fails "
				    "(KRB_AP_ERR_MODIFIED, 0x80090322)");
		assert_int_equal(f->n_ev, 2);
		assert_ev(f, order == 0 ? 0 : 1, udn, SPN, HV_EV_PRESENT,
			  "HOST/HV01." DNS);
		assert_ev(f, order == 0 ? 1 : 0, "CN=HV01," OU_HV, SPN,
			  HV_EV_PRESENT, "HOST/HV01." DNS);
		assert_string_equal(f->fix, "setspn -D \"HOST/HV01." DNS
					    "\" svcbackup");
	}
}

/* Another host's SPN on a host's own account, as the test bed's HV03
 * has HV01's: the clash is reported once, on the wrong holder. */
static void test_spn_duplicate_between_hosts(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/HV01." DNS "\n");
	run(fx, hv_check_spn_clashes);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "spn-duplicate", HV_SEV_ERROR, "HV03", NULL, 0);
	assert_ev(f, 0, "CN=HV01," OU_HV, SPN, HV_EV_PRESENT,
		  VSMS "/HV01." DNS);
	assert_ev(f, 1, "CN=HV03," OU_HV, SPN, HV_EV_PRESENT,
		  VSMS "/HV01." DNS);
}

static void test_spn_misplaced(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": MSSQLSvc/HV02." DNS ":1433\n" SPN
				      ": ldap/hv02." DNS ":389/" DNS "\n");
	host(&fx->ldif, "HV02", UAC_ANY);
	run(fx, hv_check_spn_clashes);
	assert_int_equal(fx->out.n, 2);
	f = nth(fx, 0);
	assert_finding(f, "spn-duplicate", HV_SEV_ERROR, "HV01", NULL, 0);
	assert_string_equal(f->message,
			    "holds the SPN 'MSSQLSvc/HV02." DNS ":1433' of "
			    "host HV02: it belongs on HV02, and the "
			    "delegation target belongs in " A2D);
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, SPN, HV_EV_PRESENT,
		  "MSSQLSvc/HV02." DNS ":1433");
	assert_string_equal(f->fix,
			    "setspn -D \"MSSQLSvc/HV02." DNS ":1433\" HV01");
	f = nth(fx, 1);
	assert_finding(f, "spn-duplicate", HV_SEV_ERROR, "HV01", NULL, 0);
	assert_ev(f, 0, "CN=HV01," OU_HV, SPN, HV_EV_PRESENT,
		  "ldap/hv02." DNS ":389/" DNS);
}

static void test_spn_clashes_near_miss(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " TWIN "/HV02\n" /* a twin: ignored */
		       SPN ": MSServerClusterMgmtAPI/HV01\n" /* its own */
		       SPN ": HOST/svcbackup\n"		     /* names a user */
		       SPN ": cifs/NOSUCHHOST\n" /* names no account */
		       SPN ": HOST/HV01\n");	 /* twice on one account */
	host(&fx->ldif, "HV02", UAC_ANY);
	user(&fx->ldif, "svcbackup", "512");
	run(fx, hv_check_spn_clashes);
	assert_int_equal(fx->out.n, 0);
	assert_int_equal(fx->est.n_clashes, 0);
}

/* A value with a NUL byte (base64 in LDIF) is one key, however often
 * the SPN index grows: no second entry, no lost key (the sanitizer
 * build checks the leak). */
static void test_spn_with_nul_byte(void **state)
{
	struct fx *fx = *state;
	char line[64];

	host(&fx->ldif, "HV01", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ":: eC9hAGI=\n"); /* "x/a\0b" */
	host(&fx->ldif, "HV02", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": x/a\n");
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), SPN ": svc%d/HV02\n", i);
		hv_strbuf_adds(&fx->ldif, line);
	}
	build(fx);
	assert_int_equal(fx->est.n_clashes, 1);
	assert_string_equal(fx->est.clashes[0].spn, "x/a");
	assert_true(hv_account_has_spn(&fx->est, 1, "svc0", "HV02"));
	assert_true(hv_account_has_spn(&fx->est, 1, "svc39", "HV02"));
}

/* ---- unconstrained ----------------------------------------------- */

static void test_unconstrained(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_UNCON);
	host(&fx->ldif, "HV02", UAC_ANY);
	/* every DC has it by design; a DC is not a Hyper-V host */
	computer(&fx->ldif, "OU=Domain Controllers," BASE, "DC1", "532480");
	hv_strbuf_adds(&fx->ldif, SPN ": HOST/DC1\n");
	run(fx, hv_check_unconstrained);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "unconstrained-delegation-cg", HV_SEV_WARNING, "HV01",
		       NULL, 0);
	assert_ev(f, 0, "CN=HV01," OU_HV, UAC, HV_EV_PRESENT,
		  "528384 (0x81000)");
	assert_string_equal(f->fix, "Set-ADAccountControl -Identity 'HV01$' "
				    "-TrustedForDelegation $false "
				    "-TrustedToAuthForDelegation $true");
}

/* ---- admins ------------------------------------------------------ */

static void admins_fixture(struct hv_strbuf *sb)
{
	host(sb, "HV01", UAC_ANY);
	user(sb, "admin1", "512");
	user(sb, "sensitive1", UAC_NODELEG);
	user(sb, "admin2", "512");
	hv_strbuf_adds(sb, "memberOf: CN=Protected Users,CN=Users," BASE "\n");
	user(sb, "both1", UAC_NODELEG);
	hv_strbuf_adds(sb, "memberOf: CN=Domain Admins,CN=Users," BASE "\n"
			   "memberOf: cn=protected users,CN=Users," BASE "\n");
	user(sb, "admin3", "512");
	hv_strbuf_adds(sb,
		       "memberOf: CN=Protected Users Old,CN=Users," BASE "\n");
	/* a computer that cannot be delegated is not an admin */
	computer(sb, OU_HV, "APP1", "1052672");
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("'%s' does not start with '%s'", s, prefix);
}

static void assert_admin_findings(const struct fx *fx, enum hv_severity sev)
{
	const struct hv_finding *f;

	assert_int_equal(fx->out.n, 3);
	f = nth(fx, 0);
	assert_finding(f, "user-not-delegable", sev, "sensitive1", NULL, 0);
	assert_string_equal(f->message,
			    "is marked \"sensitive and cannot be delegated\": "
			    "no host can act on its behalf, so Kerberos-"
			    "authenticated moves it starts remotely fail");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=sensitive1,OU=Admins," BASE, UAC, HV_EV_PRESENT,
		  "1049088 (0x100200)");
	f = nth(fx, 1);
	assert_finding(f, "user-not-delegable", sev, "admin2", NULL, 0);
	assert_prefix(f->message, "is in Protected Users: ");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=admin2,OU=Admins," BASE, "memberOf", HV_EV_PRESENT,
		  "CN=Protected Users,CN=Users," BASE);
	assert_string_equal(f->fix,
			    "start moves with another admin account, or "
			    "remove 'admin2' from Protected Users if policy "
			    "allows");
	f = nth(fx, 2);
	assert_finding(f, "user-not-delegable", sev, "both1", NULL, 0);
	assert_prefix(f->message, "is marked \"sensitive and cannot be "
				  "delegated\" and is in Protected Users: ");
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 1, "CN=both1,OU=Admins," BASE, "memberOf", HV_EV_PRESENT,
		  "cn=protected users,CN=Users," BASE);
	assert_string_equal(f->fix,
			    "start moves with another admin account, or "
			    "Set-ADAccountControl -Identity 'both1' "
			    "-AccountNotDelegated $false and remove 'both1' "
			    "from Protected Users if policy allows");
}

static void test_admins_named_are_errors(void **state)
{
	struct fx *fx = *state;

	admins_fixture(&fx->ldif);
	fx->sel.admins =
		list("admin1,CORP\\sensitive1,admin2@" DNS ",both1,admin3",
		     &fx->sel.n_admins);
	run(fx, hv_check_admins);
	assert_int_equal(fx->est.n_admins, 5);
	assert_int_equal(fx->est.n_missing, 0);
	assert_admin_findings(fx, HV_SEV_ERROR);
}

static void group(struct hv_strbuf *sb, const char *dn, const char *member_of)
{
	hv_strbuf_addf(sb,
		       "\ndn: %s\nobjectClass: top\nobjectClass: group\n"
		       "sAMAccountName: %.*s\n",
		       dn, (int)strcspn(dn + 3, ","), dn + 3);
	if (member_of)
		hv_strbuf_addf(sb, "memberOf: %s\n", member_of);
}

#define PU "CN=Protected Users,CN=Users," BASE
#define DA "CN=Domain Admins,CN=Users," BASE
#define TIER0 "CN=Tier0,OU=Groups," BASE

/* Protected Users through nesting (Domain Admins in Protected Users, the
 * common hardening): resolved through the group objects of the input;
 * when a group is not in the input, a named admin is "not checked". */
static void test_admins_nested_groups(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	user(&fx->ldif, "admin4", "512");
	hv_strbuf_adds(&fx->ldif, "memberOf: " TIER0 "\n");
	user(&fx->ldif, "admin5", "512");
	hv_strbuf_adds(&fx->ldif, "memberOf: CN=Tier2,OU=Groups," BASE "\n");
	group(&fx->ldif, TIER0, DA);
	group(&fx->ldif, DA, PU);
	group(&fx->ldif, PU, NULL);
	/* a cycle ends */
	group(&fx->ldif, "CN=Tier2,OU=Groups," BASE,
	      "CN=Tier3,OU=Groups," BASE);
	group(&fx->ldif, "CN=Tier3,OU=Groups," BASE,
	      "CN=Tier2,OU=Groups," BASE);
	fx->sel.admins = list("admin4,admin5", &fx->sel.n_admins);
	run(fx, hv_check_admins);
	/* groups are not accounts */
	assert_int_equal(hv_estate_find(&fx->est, "Tier0"), -1);
	f = the(fx, "user-not-delegable");
	assert_finding(f, "user-not-delegable", HV_SEV_ERROR, "admin4", NULL,
		       0);
	assert_non_null(strstr(f->message, "through " TIER0));
	assert_ev(f, 0, "CN=admin4,OU=Admins," BASE, "memberOf", HV_EV_PRESENT,
		  TIER0);
	assert_int_equal(fx->out.n_unchecked, 0);
	/* too thin: admin6's group is not in the input */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	user(&fx->ldif, "admin6", "512");
	hv_strbuf_adds(&fx->ldif, "memberOf: " TIER0 "\n");
	fx->sel.admins = list("admin6", &fx->sel.n_admins);
	run(fx, hv_check_admins);
	assert_int_equal(fx->out.n, 0);
	assert_int_equal(fx->out.n_unchecked, 1);
	assert_true(fx->out.unchecked[0].essential);
	assert_non_null(strstr(fx->out.unchecked[0].detail, "admin6"));
	assert_non_null(strstr(fx->out.unchecked[0].detail, TIER0));
	assert_true(hv_findings_incomplete(&fx->out));
	/* not named: a note-level list never makes the audit incomplete */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	user(&fx->ldif, "admin6", "512");
	hv_strbuf_adds(&fx->ldif, "memberOf: " TIER0 "\n");
	run(fx, hv_check_admins);
	assert_int_equal(fx->out.n_unchecked, 0);
}

static void test_admins_unnamed_are_notes(void **state)
{
	struct fx *fx = *state;

	admins_fixture(&fx->ldif);
	run(fx, hv_check_admins);
	assert_admin_findings(fx, HV_SEV_INFO);
	/* nobody cannot be delegated: nothing at all */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	user(&fx->ldif, "admin1", "512");
	fx->sel.admins = list("admin1", &fx->sel.n_admins);
	run(fx, hv_check_admins);
	assert_int_equal(fx->out.n, 0);
}

/* ---- rbcd -------------------------------------------------------- */

static void test_rbcd_names_allowed_sids(void **state)
{
	static const uint32_t rids[] = {1105, 1107, 1106};
	static const unsigned char types[] = {0, 1, 0};
	struct fx *fx = *state;
	unsigned char sd[28 + 3 * 36];
	const struct hv_finding *f;

	host(&fx->ldif, "HV02", UAC_ANY);
	b64_line(&fx->ldif, RBCD, sd, secdesc(sd, rids, types, 3));
	host(&fx->ldif, "HV05", UAC_ANY);
	sid_line(&fx->ldif, 1105);
	/* the string form some exports use */
	host(&fx->ldif, "HV06", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, "objectSid: S-1-5-21-1111-2222-3333-1106\n");
	host(&fx->ldif, "HV07", UAC_ANY);
	sid_line(&fx->ldif, 1107);
	run(fx, hv_check_rbcd);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "rbcd-present", HV_SEV_INFO, "HV02", NULL, 0);
	assert_string_equal(f->message,
			    "has resource-based constrained delegation "
			    "allowing HV05, HV06 to act on its behalf; this "
			    "is not a documented substitute for constrained "
			    "delegation between Hyper-V hosts and is not "
			    "counted as such");
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, "CN=HV02," OU_HV, RBCD, HV_EV_PRESENT,
		  "S-1-5-21-1111-2222-3333-1105");
	assert_ev(f, 1, "CN=HV02," OU_HV, RBCD, HV_EV_PRESENT,
		  "S-1-5-21-1111-2222-3333-1106");
	/* RBCD is not the classic list: no delegation counted */
	assert_int_equal(hv_estate_deleg_bits(&fx->est, 1, 0), 0);
}

static void test_rbcd_garbage_descriptor(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV02", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, RBCD ":: AAECAwQF\n");
	host(&fx->ldif, "HV03", UAC_ANY);
	run(fx, hv_check_odd_values);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "directory-value-malformed", HV_SEV_WARNING, "HV02",
		       NULL, 0);
	assert_string_equal(f->message, "has values that could not be read");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV02," OU_HV, RBCD, HV_EV_PRESENT, "(binary)");
	hv_check_rbcd(&fx->est, &fx->out);
	assert_int_equal(fx->out.n, 2);
	f = nth(fx, 1);
	assert_finding(f, "rbcd-present", HV_SEV_INFO, "HV02", NULL, 0);
	assert_non_null(strstr(f->message, "allowing unknown principals "
					   "(the descriptor could not be "
					   "read) to act"));
	assert_int_equal(f->n_ev, 0);
	/* near miss: no descriptor at all, no finding */
	fx_clear(fx);
	host(&fx->ldif, "HV02", UAC_ANY);
	run(fx, hv_check_rbcd);
	assert_int_equal(fx->out.n, 0);
}

/* ---- odd-values -------------------------------------------------- */

static void test_odd_values(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;
	const char *dn = "CN=HV01," OU_HV;

	host(&fx->ldif, "HV01", "abc");
	hv_strbuf_adds(&fx->ldif, SPN
		       ": " TWIN "/HV01\n" SPN ": no-slash-here\n" A2D ": " TWIN
		       "/HV02\n" A2D ": cifs/GONE\n" A2D ": " VSMS "/GONE." DNS
		       "\n" A2D ": HOST/ELSEWHERE\n"); /* not migration's */
	host(&fx->ldif, "HV02", UAC_ANY);
	run(fx, hv_check_odd_values);
	assert_false(fx->est.accounts[0].uac_known);
	assert_int_equal(fx->out.n, 3);
	f = nth(fx, 0);
	assert_finding(f, "kcd-dangling-entry", HV_SEV_WARNING, "HV01", NULL,
		       0);
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, dn, A2D, HV_EV_PRESENT, "cifs/GONE");
	assert_ev(f, 1, dn, A2D, HV_EV_PRESENT, VSMS "/GONE." DNS);
	f = nth(fx, 1);
	assert_finding(f, "directory-value-malformed", HV_SEV_WARNING, "HV01",
		       NULL, 0);
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, dn, UAC, HV_EV_PRESENT, "abc");
	assert_ev(f, 1, dn, SPN, HV_EV_PRESENT, "no-slash-here");
	f = nth(fx, 2);
	assert_finding(f, "spn-escaped-twin", HV_SEV_INFO, "HV01", NULL, 0);
	assert_int_equal(f->n_ev, 2);
	assert_ev(f, 0, dn, SPN, HV_EV_PRESENT, TWIN "/HV01");
	assert_ev(f, 1, dn, A2D, HV_EV_PRESENT, TWIN "/HV02");
	assert_string_equal(f->fix, "none needed for live migration");
}

/* An unreadable userAccountControl is unknown, not zero: no flag check
 * concludes anything from it, and the whole run does not crash. */
static void test_bad_uac_is_unknown(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", "abc");
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	/* signed, as AD writes it: 0x81080002 */
	host(&fx->ldif, "HV02", "-2130182142");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV03", "99999999999");
	want_hosts(fx, "HV01,HV02,HV03");
	run(fx, hv_checks_run_ad);
	assert_int_equal(count_cause(fx, "kcd-kerberos-only-2016"), 0);
	assert_int_equal(count_cause(fx, "host-account-disabled"), 1);
	assert_string_equal(the(fx, "host-account-disabled")->source, "HV02");
	assert_int_equal(count_cause(fx, "directory-value-malformed"), 2);
	assert_int_equal(count_cause(fx, "unconstrained-delegation-cg"), 1);
	assert_true(fx->est.accounts[1].uac_known);
	assert_int_equal(fx->est.accounts[1].uac, 0x81080002u);
}

/* ---- the plan does what the audit reports -------------------------- */

/* The test bed's faults in small: HV03 holds HV01's migration SPN, HV04
 * is "Kerberos only" on 2022, HV06 (2012 R2) is "Kerberos only" rightly
 * and delegates to HV01 by FQDN only. */
static void plan_audit_fixture(struct fx *fx, const char *hosts)
{
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV03", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/HV01." DNS "\n");
	host(&fx->ldif, "HV04", UAC_KERB);
	deleg(&fx->ldif, "HV03", HV_DELEG_ALL);
	computer(&fx->ldif, OU_HV, "HV06", UAC_KERB);
	os(&fx->ldif, "Windows Server 2012 R2 Datacenter", "6.3 (9600)");
	spns(&fx->ldif, "HV06");
	deleg(&fx->ldif, "HV01", HV_DELEG_VSMS_FQDN | HV_DELEG_CIFS_FQDN);
	want_hosts(fx, hosts);
}

static bool has_finding(const struct fx *fx, const char *cause,
			const char *source)
{
	for (size_t i = 0; i < fx->out.n; i++)
		if (strcmp(fx->out.items[i].cause, cause) == 0 &&
		    strcmp(fx->out.items[i].source, source) == 0)
			return true;
	return false;
}

static bool has_action(const struct hv_plan *plan, enum hv_action_kind kind,
		       const char *account)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->actions[i].kind == kind &&
		    strcmp(plan->actions[i].account, account) == 0)
			return true;
	return false;
}

static bool warned_about(const struct hv_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_warnings; i++)
		if (strstr(plan->warnings[i], name))
			return true;
	return false;
}

/* For each host: the plan changes exactly what the audit reports. */
static void assert_plan_follows_audit(const struct fx *fx,
				      const struct hv_plan *plan)
{
	for (size_t i = 0; i < fx->est.n_accounts; i++) {
		const struct hv_account *acc = &fx->est.accounts[i];
		const char *n = acc->name;
		bool missing = has_finding(fx, "kcd-missing-vsms", n) ||
			       has_finding(fx, "kcd-missing-cifs", n) ||
			       has_finding(fx, "kcd-name-form-missing", n);

		if (!acc->is_computer)
			continue;
		assert_int_equal(has_action(plan, HV_ACT_ADD_DELEGATION, n),
				 missing);
		/* protocol transition: where the audit says "Kerberos
		 * only", or with delegation it lacks where it needs it */
		assert_int_equal(
			has_action(plan, HV_ACT_SET_UAC, n),
			has_finding(fx, "kcd-kerberos-only-2016", n) ||
				(missing &&
				 hv_account_lacks_protocol_transition(acc)));
		if (has_finding(fx, "spn-duplicate", n))
			assert_true(has_action(plan, HV_ACT_REMOVE_SPN, n) ||
				    warned_about(plan, n));
		else
			assert_false(has_action(plan, HV_ACT_REMOVE_SPN, n));
		assert_int_equal(has_action(plan, HV_ACT_ADD_SPN, n),
				 has_finding(fx, "spn-missing", n));
	}
}

static void test_plan_follows_audit(void **state)
{
	static const char *const sets[] = {
		"HV01,HV02,HV03,HV04,HV06",
		"HV03",
		"HV01,HV02",
		"HV03,HV04",
		"HV06,HV01",
		"HV04,HV06",
	};
	struct fx *fx = *state;

	for (size_t s = 0; s < sizeof(sets) / sizeof(*sets); s++) {
		struct hv_plan_options opts = hv_plan_defaults();
		struct hv_plan plan;

		fx_clear(fx);
		plan_audit_fixture(fx, sets[s]);
		run(fx, hv_checks_run_ad);
		hv_plan_build(&fx->est, &opts, &plan);
		assert_plan_follows_audit(fx, &plan);
		hv_plan_release(&plan);
	}
}

/* The table runs every check once, and the run sorts by severity. */
static void test_table_and_sort(void **state)
{
	static const char *const names[] = {
		"accounts",
		"unverified-hosts",
		"ambiguous-names",
		"delegation-pairs",
		"protocol-transition",
		"target-spns",
		"spn-clashes",
		"dns-names",
		"unconstrained",
		"admins",
		"rbcd",
		"odd-values",
	};
	struct fx *fx = *state;

	assert_int_equal(hv_ad_checks_count, 12);
	for (size_t i = 0; i < hv_ad_checks_count; i++)
		assert_string_equal(hv_ad_checks[i].name, names[i]);
	host(&fx->ldif, "HV01", UAC_KERB);
	host(&fx->ldif, "HV02", UAC_UNCON);
	hv_strbuf_adds(&fx->ldif, SPN ": " TWIN "/HV02\n");
	run(fx, hv_checks_run_ad);
	for (size_t i = 1; i < fx->out.n; i++)
		assert_true(fx->out.items[i - 1].severity >=
			    fx->out.items[i].severity);
	assert_int_equal(nth(fx, fx->out.n - 1)->severity, HV_SEV_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_accounts_fire),
		T(test_accounts_near_miss),
		T(test_pairs_fire),
		T(test_pairs_near_miss),
		T(test_pairs_escaped_twin),
		T(test_pairs_port_and_service_forms),
		T(test_pairs_target_without_dns),
		T(test_pairs_caps),
		T(test_protocol_transition_fire),
		T(test_protocol_transition_near_miss),
		T(test_protocol_transition_unknown_os),
		T(test_no_list_is_not_kerberos_only),
		T(test_plan_follows_audit),
		T(test_target_spns_fire),
		T(test_target_spns_near_miss),
		T(test_spn_duplicate_host_and_user),
		T(test_spn_duplicate_between_hosts),
		T(test_spn_misplaced),
		T(test_spn_clashes_near_miss),
		T(test_spn_with_nul_byte),
		T(test_unconstrained),
		T(test_admins_named_are_errors),
		T(test_admins_unnamed_are_notes),
		T(test_admins_nested_groups),
		T(test_rbcd_names_allowed_sids),
		T(test_rbcd_garbage_descriptor),
		T(test_odd_values),
		T(test_bad_uac_is_unknown),
		T(test_table_and_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
