/* Tests of the estate (lib/estate/): which hosts are selected and vouched
 * for, how they are grouped into migration domains, the --domains file,
 * what a thin export leaves unknown, and the verdict on each pair. */
#include "estate_fixture.h"

#include "estate/domains_file.h"
#include "render/render_audit.h"

/* ---- domains ----------------------------------------------------- */

/* A computer with the migration SPN that no delegation entry links to
 * another host is a candidate nobody vouches for: anyone may create it. */
static void test_unverified_host(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "ROGUE", UAC_ANY);
	run(fx, hv_check_unverified_hosts);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(host_index(&fx->est, "HV01"), 0);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "host-unverified", HV_SEV_WARNING, "ROGUE", NULL, 0);
	assert_ev(f, 0, "CN=ROGUE," OU_HV, SPN, HV_EV_PRESENT, VSMS "/ROGUE");
	assert_non_null(strstr(f->fix, "--hosts ROGUE,PEER"));
	/* named, it is the admin's host */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "ROGUE", UAC_ANY);
	want_hosts(fx, "HV01,ROGUE");
	run(fx, hv_check_unverified_hosts);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->out.n, 0);
	/* an entry the rogue gives itself vouches for nothing */
	fx_clear(fx);
	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "ROGUE", UAC_ANY);
	deleg(&fx->ldif, "ROGUE", HV_DELEG_ALL);
	build(fx);
	assert_int_equal(fx->est.n_unverified, 1);
}

/* An entry towards a candidate is an admin's word about whichever
 * computer had that name when it was written: a computer created later
 * under a freed name (MachineAccountQuota) with its own migration SPN is
 * not vouched for by it. Only its own outbound entries (which its
 * creator cannot write) or a name on the command line vouch for it. */
static void test_stale_entry_vouches_for_nobody(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	deleg(&fx->ldif, "OLD", HV_DELEG_ALL);
	hv_strbuf_adds(&fx->ldif, "whenChanged: 20240102030405.0Z\n");
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	deleg(&fx->ldif, "OLD", HV_DELEG_ALL);
	host(&fx->ldif, "OLD", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, "whenCreated: 20261208010000.0Z\n");
	run(fx, hv_check_unverified_hosts);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->est.n_unverified, 1);
	assert_string_equal(fx->est.accounts[fx->est.unverified[0]].name,
			    "OLD");
	f = the(fx, "host-unverified");
	assert_string_equal(f->source, "OLD");
	/* who names it, and that the account is younger than the entry */
	assert_non_null(strstr(f->message, "HV01"));
	assert_non_null(strstr(f->message, "created after"));
	/* near miss: its own outbound entry (only an admin writes it) */
	fx_clear(fx);
	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_VSMS_SHORT);
	build(fx);
	/* HV02 only receives: nothing of its own vouches for it */
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(host_index(&fx->est, "HV03"), 1);
	assert_string_equal(fx->est.accounts[fx->est.unverified[0]].name,
			    "HV02");
	/* without metadata: named, but nothing said about its age */
	fx_clear(fx);
	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	deleg(&fx->ldif, "OLD", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "OLD", UAC_ANY);
	run(fx, hv_check_unverified_hosts);
	f = the(fx, "host-unverified");
	assert_non_null(strstr(f->message, "HV01"));
	assert_null(strstr(f->message, "created after"));
}

/* A computer whose sAMAccountName is another host's FQDN answers to that
 * name too: entries resolve to the dNSHostName holder, and both accounts
 * are left out of every check and plan with an error naming both. */
static void test_ambiguous_name(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	deleg(&fx->ldif, "HV03", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV03", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	hv_strbuf_adds(&fx->ldif, "\ndn: CN=EVIL,CN=Computers," BASE "\n"
				  "objectClass: computer\n"
				  "sAMAccountName: HV02." DNS "$\n"
				  "userAccountControl: 4096\n" SPN ": " VSMS
				  "/HV02." DNS "x\n" A2D ": cifs/HV01\n");
	run(fx, hv_checks_run_ad);
	/* the dNSHostName holder wins the name */
	assert_int_equal(hv_estate_find(&fx->est, "HV02." DNS), 1);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(host_index(&fx->est, "HV03"), 1);
	f = the(fx, "host-name-ambiguous");
	assert_int_equal(f->severity, HV_SEV_ERROR);
	assert_non_null(strstr(f->message, "HV02"));
	assert_non_null(strstr(f->message, "CN=EVIL"));
	assert_int_equal(f->n_ev, 2);
	/* named, it is still left out */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV02", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, "\ndn: CN=EVIL,CN=Computers," BASE "\n"
				  "objectClass: computer\n"
				  "sAMAccountName: HV02." DNS "$\n");
	want_hosts(fx, "HV01,HV02,HV03,HV02." DNS "$");
	build(fx);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->est.n_ambiguous, 1);
}

/* --group-by ou (and --ou) put every computer of the hosts' OU in the
 * migration domain: a rogue there is still only a candidate. */
static void test_unverified_host_by_ou(void **state)
{
	struct fx *fx = *state;

	fx->discover = true;
	host_in(&fx->ldif, "OU=A," OU_HV, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=A," OU_HV, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=A," OU_HV, "ROGUE", UAC_ANY);
	fx->sel.grouping = HV_GROUP_OU;
	build(fx);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->est.n_unverified, 1);
	assert_string_equal(fx->est.accounts[fx->est.unverified[0]].name,
			    "ROGUE");
	fx_clear(fx);
	fx->discover = true;
	host_in(&fx->ldif, "OU=A," OU_HV, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=A," OU_HV, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	computer(&fx->ldif, "OU=A," OU_HV, "PLAIN", UAC_ANY);
	fx->sel.ou = "OU=A," OU_HV;
	build(fx);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_int_equal(fx->est.n_unverified, 1);
}

/* --ou and --filter select the same way: their computers are candidates,
 * and one without a delegation entry of its own is left out (reported),
 * whichever option found it. */
static void test_ou_and_filter_agree(void **state)
{
	struct fx *fx = *state;

	for (int by_filter = 0; by_filter < 2; by_filter++) {
		fx_clear(fx);
		fx->discover = true;
		host_in(&fx->ldif, "OU=A," OU_HV, "HV01", UAC_ANY);
		deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
		host_in(&fx->ldif, "OU=A," OU_HV, "HV02", UAC_ANY);
		deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
		host_in(&fx->ldif, "OU=A," OU_HV, "NEW", UAC_ANY);
		if (by_filter)
			fx->sel.found =
				list("HV01$,HV02$,NEW$", &fx->sel.n_found);
		else
			fx->sel.ou = "OU=A," OU_HV;
		build(fx);
		assert_int_equal(fx->est.n_hosts, 2);
		assert_int_equal(fx->est.n_unverified, 1);
		assert_string_equal(
			fx->est.accounts[fx->est.unverified[0]].name, "NEW");
		assert_false(fx->est.discovered);
	}
}

/* A DC is trusted for delegation by design: never a host, never named. */
static void test_domain_controllers_refused(void **state)
{
	struct fx *fx = *state;
	struct hv_error err;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "DC1", HV_DELEG_ALL);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	/* SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION */
	host_in(&fx->ldif, "OU=Domain Controllers," BASE, "DC1", "532480");
	host(&fx->ldif, "RODC1", "83890176"); /* PARTIAL_SECRETS | WKS */
	hv_strbuf_adds(&fx->ldif, "primaryGroupID: 521\n");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	build(fx);
	assert_true(fx->est.accounts[1].is_dc);
	assert_true(fx->est.accounts[2].is_dc);
	/* HV01 and HV02; a DC's entry vouches for nobody */
	assert_int_equal(fx->est.n_hosts, 2);
	/* ... and no DC among the hosts or the candidates */
	for (size_t i = 0; i < fx->est.n_unverified; i++)
		assert_false(fx->est.accounts[fx->est.unverified[i]].is_dc);
	hv_estate_release(&fx->est);
	want_hosts(fx, "DC1,HV01");
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 HV_ERR_USAGE);
	assert_non_null(strstr(err.message, "DC1 is a domain controller"));
}

/* A selection that names no host is an error, never an empty audit. */
static void test_empty_selections_are_errors(void **state)
{
	static const char *const hosts[] = {"HV98,HV99", ""};
	struct fx *fx = *state;
	struct hv_error err;

	for (size_t i = 0; i < 2; i++) {
		fx_clear(fx);
		host(&fx->ldif, "HV01", UAC_ANY);
		fx->discover = true;
		want_hosts(fx, hosts[i]);
		assert_int_equal(hv_ldif_read_buffer("t.ldif", fx->ldif.buf,
						     fx->ldif.len, &fx->dir,
						     &err),
				 0);
		assert_int_equal(
			hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			HV_ERR_USAGE);
		assert_non_null(strstr(err.message, "names no Hyper-V host"));
	}
	fx_clear(fx);
	fx->sel.ou = "OU=Nowhere," BASE;
	host(&fx->ldif, "HV01", UAC_ANY);
	assert_int_equal(hv_ldif_read_buffer("t.ldif", fx->ldif.buf,
					     fx->ldif.len, &fx->dir, &err),
			 0);
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 HV_ERR_USAGE);
	assert_non_null(strstr(err.message, "OU=Nowhere"));
	/* an empty input */
	fx_clear(fx);
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 HV_ERR_USAGE);
	assert_non_null(strstr(err.message, "registers the migration-service"));
}

/* LDIF cannot say "empty": an attribute no entry of a file carries was
 * not exported, and every check reading it says so, never "ok". */
static void test_thin_export_is_not_checked(void **state)
{
	struct fx *fx = *state;

	hv_strbuf_adds(&fx->ldif,
		       "dn: CN=HV01," OU_HV "\nobjectClass: computer\n"
		       "sAMAccountName: HV01$\n\n"
		       "dn: CN=HV02," OU_HV "\nobjectClass: computer\n"
		       "sAMAccountName: HV02$\n");
	want_hosts(fx, "HV01,HV02");
	run(fx, hv_checks_run_ad);
	assert_true(fx->est.gaps & HV_ATTR_BIT(HV_ATTR_A2D));
	assert_true(fx->est.gaps & HV_ATTR_BIT(HV_ATTR_UAC));
	assert_true(hv_findings_incomplete(&fx->out));
	/* no false "may not delegate" from what was never exported */
	assert_int_equal(count_cause(fx, "kcd-missing-vsms"), 0);
	assert_int_equal(hv_pair_state(&fx->est, 0, 1), HV_PAIR_UNKNOWN);
	/* the near miss: the same hosts exported whole */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	hv_strbuf_adds(&fx->ldif, "memberOf: CN=Staff," BASE "\n");
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	run(fx, hv_checks_run_ad);
	assert_false(hv_findings_incomplete(&fx->out));
	assert_int_equal(hv_pair_state(&fx->est, 0, 1), HV_PAIR_READY);
}

/* A cell is ok only when nothing known stands in the pair's way. */
static void test_pair_states(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	os(&fx->ldif, "Windows Server 2022 Datacenter", "10.0 (20348)");
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	deleg(&fx->ldif, "HV03", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_KERB);
	os(&fx->ldif, "Windows Server 2022 Datacenter", "10.0 (20348)");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	deleg(&fx->ldif, "HV03", HV_DELEG_VSMS);
	host(&fx->ldif, "HV03", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	/* HV04 holds HV03's migration SPN too */
	host(&fx->ldif, "HV04", UAC_OFF);
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/HV03." DNS "\n");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	want_hosts(fx, "HV01,HV02,HV03,HV04");
	build(fx);
	{
		size_t h1 = host_index(&fx->est, "HV01");
		size_t h2 = host_index(&fx->est, "HV02");
		size_t h3 = host_index(&fx->est, "HV03");
		size_t h4 = host_index(&fx->est, "HV04");

		assert_int_equal(hv_pair_state(&fx->est, h1, h2),
				 HV_PAIR_READY);
		/* Kerberos only on 2022: the KDC refuses S4U2Proxy */
		assert_int_equal(hv_pair_state(&fx->est, h2, h1),
				 HV_PAIR_KERBEROS_ONLY);
		assert_int_equal(hv_pair_state(&fx->est, h2, h3),
				 HV_PAIR_PARTIAL);
		assert_int_equal(hv_pair_state(&fx->est, h1, h3),
				 HV_PAIR_TARGET_SPN);
		assert_int_equal(hv_pair_state(&fx->est, h4, h1),
				 HV_PAIR_DISABLED);
		assert_int_equal(hv_pair_state(&fx->est, h3, h2),
				 HV_PAIR_NO_DELEGATION);
		assert_true(hv_host_ready_as_source(&fx->est, h1));
		assert_false(hv_host_ready_as_source(&fx->est, h2));
		assert_false(hv_host_ready_as_target(&fx->est, h3));
	}
}

/* ---- the estate -------------------------------------------------- */

static void test_discovery_by_migration_spn(void **state)
{
	struct fx *fx = *state;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	computer(&fx->ldif, "OU=Domain Controllers," BASE, "DC1", "532480");
	hv_strbuf_adds(&fx->ldif, SPN ": HOST/DC1\n");
	computer(&fx->ldif, OU_HV, "TWINONLY", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " TWIN "/TWINONLY\n");
	user(&fx->ldif, "svcvsms", "512");
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/svcvsms\n");
	computer(&fx->ldif, OU_HV, "HV02", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": microsoft virtual system migration "
				      "service/hv02\n");
	deleg(&fx->ldif, "HV01", HV_DELEG_CIFS_SHORT);
	build(fx);
	assert_true(fx->est.discovered);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_string_equal(fx->est.hosts[0].name, "HV01");
	assert_string_equal(fx->est.hosts[1].name, "HV02");
	assert_int_equal(fx->est.n_missing, 0);
}

static void test_hosts_exact_names(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV010", UAC_ANY);
	host(&fx->ldif, "HV02", UAC_ANY);
	want_hosts(fx, "hv01." DNS ",HV010$,HV0,HV01.corp," DNS ",HV01,HV");
	build(fx);
	assert_false(fx->est.discovered);
	assert_int_equal(fx->est.n_hosts, 2);
	assert_string_equal(fx->est.hosts[0].name, "HV01");
	assert_string_equal(fx->est.hosts[1].name, "HV010");
	assert_int_equal(fx->est.n_missing, 4);
	assert_string_equal(fx->est.missing[0], "host HV0");
	assert_string_equal(fx->est.missing[1], "host HV01.corp");
	assert_string_equal(fx->est.missing[2], "host " DNS);
	assert_string_equal(fx->est.missing[3], "host HV");
	assert_int_equal(fx->est.n_domains, 1);
	assert_string_equal(fx->est.domain_names[0], "selected hosts");
}

static void new_node_fixture(struct fx *fx)
{
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_VSMS); /* partial, not asked */
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV03", UAC_ANY);
	want_hosts(fx, "HV01,HV02");
	fx->sel.new_node = "hv03." DNS;
}

static void test_new_node_restricts_pairs(void **state)
{
	struct fx *fx = *state;
	struct hv_pair_counts counts[1];

	new_node_fixture(fx);
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(fx->est.n_hosts, 3);
	assert_int_equal(fx->est.new_node, (long)host_index(&fx->est, "HV03"));
	assert_int_equal(fx->out.n, 6);
	assert_finding(nth(fx, 0), "kcd-missing-vsms", HV_SEV_ERROR, "HV01",
		       "HV03", 1);
	assert_finding(nth(fx, 1), "kcd-missing-cifs", HV_SEV_ERROR, "HV01",
		       "HV03", 1);
	assert_finding(nth(fx, 2), "kcd-missing-vsms", HV_SEV_ERROR, "HV02",
		       "HV03", 1);
	assert_finding(nth(fx, 3), "kcd-missing-cifs", HV_SEV_ERROR, "HV02",
		       "HV03", 1);
	assert_finding(nth(fx, 4), "kcd-missing-vsms", HV_SEV_ERROR, "HV03",
		       "HV01, HV02", 2);
	assert_finding(nth(fx, 5), "kcd-missing-cifs", HV_SEV_ERROR, "HV03",
		       "HV01, HV02", 2);
	assert_int_equal(fx->est.n_domains, 1);
	hv_audit_pair_counts(&fx->est, counts);
	assert_int_equal(counts[0].pairs, 4);
	assert_int_equal(counts[0].full, 0);
	assert_int_equal(counts[0].partial, 0);
	assert_int_equal(counts[0].none, 4);
}

/* --new-node alone: the node joins the migration domain of the hosts that
 * share its OU, and every pair with it is checked, both ways; when no
 * host, or hosts of several domains, share it, the build is an error that
 * names the options that tell the peers. */
static void test_new_node_joins_its_peers(void **state)
{
	struct fx *fx = *state;
	struct hv_pair_counts counts[2];
	struct hv_error err;

	fx->discover = true;
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "NEW", UAC_ANY);
	/* hosts elsewhere, in their own domain */
	host_in(&fx->ldif, "OU=B," BASE, "HV08", UAC_ANY);
	deleg(&fx->ldif, "HV09", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=B," BASE, "HV09", UAC_ANY);
	deleg(&fx->ldif, "HV08", HV_DELEG_ALL);
	fx->sel.new_node = "NEW";
	build(fx);
	assert_int_equal(fx->est.n_hosts, 5);
	assert_int_equal(fx->est.n_domains, 2);
	assert_int_equal(fx->est.new_node, (long)host_index(&fx->est, "NEW"));
	assert_int_equal(fx->est.hosts[host_index(&fx->est, "NEW")].domain,
			 fx->est.hosts[host_index(&fx->est, "HV01")].domain);
	hv_audit_pair_counts(&fx->est, counts);
	assert_int_equal(counts[0].pairs + counts[1].pairs, 4);
	/* alone in its OU: no peers to tell */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=New," BASE, "NEW", UAC_ANY);
	assert_int_equal(hv_ldif_read_buffer("t.ldif", fx->ldif.buf,
					     fx->ldif.len, &fx->dir, &err),
			 0);
	fx->sel.new_node = "NEW";
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 HV_ERR_USAGE);
	assert_non_null(strstr(err.message, "NEW"));
	assert_non_null(strstr(err.message, "--hosts NEW,PEER"));
	assert_non_null(strstr(err.message, "--domains"));
	/* --domains that does not list it: no peers either */
	hv_estate_release(&fx->est);
	fx->sel.grouping = HV_GROUP_LISTS;
	fx->sel.groups = hv_calloc(1, sizeof(*fx->sel.groups));
	fx->sel.n_groups = 1;
	fx->sel.groups[0].name = hv_strdup("west");
	fx->sel.groups[0].hosts = list("HV01,HV02", &fx->sel.groups[0].n_hosts);
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 HV_ERR_USAGE);
	assert_non_null(strstr(err.message, "--hosts NEW,PEER"));
	/* named with --hosts: the named hosts are its peers */
	fx_clear(fx);
	new_node_fixture(fx);
	build(fx);
	assert_int_equal(fx->est.n_domains, 1);
}

/* Without host snapshots AD's word is all the audit has: it says how many
 * pairs AD allows and that host settings were not checked, and counts no
 * pair "ready"; with no pair at all it says there was nothing to check. */
static void test_ready_needs_host_settings(void **state)
{
	struct fx *fx = *state;
	struct hv_pair_counts counts[1];
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_style style = {false, 80};
	struct hv_audit_view view = {&fx->est, &fx->out, NULL, "t.ldif", false};

	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	run(fx, hv_checks_run_ad);
	hv_audit_pair_counts(&fx->est, counts);
	assert_int_equal(counts[0].pairs, 2);
	assert_int_equal(counts[0].ad_allowed, 2);
	assert_int_equal(counts[0].ready, 0);
	hv_render_audit_text(&text, &view, &style);
	assert_non_null(strstr(text.buf, "AD allows 2 of 2 ordered pairs; "
					 "host settings not checked"));
	assert_null(strstr(text.buf, "ready to migrate"));
	hv_strbuf_release(&text);
	/* one host: no pair to check, never an all-clear */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	want_hosts(fx, "HV01");
	run(fx, hv_checks_run_ad);
	view.estate = &fx->est;
	view.findings = &fx->out;
	hv_render_audit_text(&text, &view, &style);
	assert_non_null(strstr(text.buf, "No ordered pair to check"));
	assert_null(strstr(text.buf, "No problems found"));
	hv_strbuf_release(&text);
}

static void test_group_by_ou(void **state)
{
	struct fx *fx = *state;
	const struct hv_estate *est = &fx->est;

	host_in(&fx->ldif, "OU=B," OU_HV, "HV03", UAC_ANY);
	host_in(&fx->ldif, "OU=A," OU_HV, "HV02", UAC_ANY);
	host_in(&fx->ldif, "ou=a,ou=hyper-v," BASE, "HV01", UAC_ANY);
	/* an escaped comma in the RDN is not the end of it (RFC 4514) */
	computer(&fx->ldif, "OU=B," OU_HV, "HV\\,05", UAC_ANY);
	spns(&fx->ldif, "HV05");
	fx->sel.grouping = HV_GROUP_OU;
	build(fx);
	assert_int_equal(est->n_hosts, 4);
	assert_int_equal(est->n_domains, 2);
	/* named after the DN of its first host, as written */
	assert_string_equal(est->domain_names[0], "ou=a,ou=hyper-v," BASE);
	assert_string_equal(est->domain_names[1], "OU=B," OU_HV);
	assert_string_equal(est->hosts[0].name, "HV01");
	assert_string_equal(est->hosts[1].name, "HV02");
	assert_string_equal(est->hosts[2].name, "HV03");
	assert_string_equal(est->hosts[3].name, "HV\\,05");
	assert_int_equal(est->hosts[1].domain, 0);
	assert_int_equal(est->hosts[3].domain, 1);
	assert_string_equal(est->grouping_note,
			    "each OU is one migration domain (--group-by ou)");
}

static void four_hosts(struct fx *fx)
{
	host(&fx->ldif, "HV04", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	host(&fx->ldif, "HV02", UAC_ANY);
	host(&fx->ldif, "HV01", UAC_ANY);
}

static void test_domains_file_groups(void **state)
{
	static const char text[] = "\xEF\xBB\xBF# migration domains\n"
				   "cluster1: HV02 HV01\n"
				   "\n"
				   "  HV03, hv04." DNS "\r\n";
	struct fx *fx = *state;
	const struct hv_estate *est = &fx->est;
	struct hv_error err;

	four_hosts(fx);
	assert_int_equal(
		hv_domains_parse("t.txt", text, strlen(text), &fx->sel, &err),
		0);
	assert_int_equal(fx->sel.n_groups, 2);
	assert_string_equal(fx->sel.groups[1].name, "t.txt:4");
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(est->n_hosts, 4);
	assert_int_equal(est->n_domains, 2);
	assert_string_equal(est->domain_names[0], "cluster1");
	assert_string_equal(est->domain_names[1], "t.txt:4");
	assert_string_equal(est->hosts[0].name, "HV01");
	assert_string_equal(est->hosts[3].name, "HV04");
	assert_int_equal(est->hosts[2].domain, 1);
	/* without --new-node every pair of a group is checked */
	assert_int_equal(est->new_node, -1);
	assert_int_equal(fx->out.n, 8);
	assert_finding(nth(fx, 6), "kcd-missing-vsms", HV_SEV_ERROR, "HV04",
		       "HV03", 1);
}

/* --hosts and --domains: a host no group names is not in a group. */
static void test_domains_file_with_hosts(void **state)
{
	static const char text[] = "g1: HV01 HV02 HV09\n";
	struct fx *fx = *state;
	const struct hv_estate *est = &fx->est;
	struct hv_error err;

	four_hosts(fx);
	want_hosts(fx, "HV01,HV02,HV03");
	assert_int_equal(
		hv_domains_parse("t.txt", text, strlen(text), &fx->sel, &err),
		0);
	run(fx, hv_check_delegation_pairs);
	assert_int_equal(est->n_hosts, 3);
	assert_int_equal(est->n_domains, 2);
	assert_string_equal(est->domain_names[0], "g1");
	assert_string_equal(est->domain_names[1], "ungrouped");
	assert_int_equal(est->hosts[2].domain, 1);
	assert_int_equal(fx->out.n, 4);
	/* --domains names the hosts when --hosts does not */
	fx_clear(fx);
	four_hosts(fx);
	assert_int_equal(
		hv_domains_parse("t.txt", text, strlen(text), &fx->sel, &err),
		0);
	build(fx);
	assert_int_equal(est->n_hosts, 2);
	assert_int_equal(est->n_missing, 1);
	assert_string_equal(est->missing[0], "host HV09");
}

static void assert_parse_error(const char *text, size_t len, const char *where,
			       const char *message)
{
	struct hv_selection sel = {0};
	struct hv_error err;

	assert_int_equal(hv_domains_parse("t.txt", text, len, &sel, &err),
			 HV_ERR_INPUT);
	assert_int_equal(err.category, HV_ERR_INPUT);
	assert_string_equal(err.where, where);
	assert_string_equal(err.message, message);
	hv_selection_release(&sel);
}

#define PARSE_ERROR(text, where, message)                                      \
	assert_parse_error(text, sizeof(text) - 1, where, message)

static void test_domains_file_errors(void **state)
{
	(void)state;
	PARSE_ERROR("ok: HV01\nbad: HV0!\n", "t.txt:2",
		    "a host name has only letters, digits, '-', "
		    "'.', '_' and '$'");
	PARSE_ERROR("ok: HV01\r\nempty:  \r\n", "t.txt:2",
		    "a group names no hosts");
	PARSE_ERROR(": HV01\n", "t.txt:1",
		    "empty or overlong group name before ':'");
	PARSE_ERROR("# only a comment\n\n", "t.txt:2", "no groups in file");
	PARSE_ERROR("", "t.txt:1", "no groups in file");
	PARSE_ERROR("HV01\0HV02", "t.txt:1", "file contains a NUL byte");
}

static void components_fixture(struct fx *fx, bool reversed)
{
	static const char *const names[] = {"ZED1", "alpha", "MID", "BETA",
					    "SOLO"};
	static const char *const peer[] = {"alpha", "ZED1", "BETA", "MID",
					   NULL};

	for (size_t k = 0; k < 5; k++) {
		size_t i = reversed ? 4 - k : k;

		host(&fx->ldif, names[i], UAC_ANY);
		if (peer[i])
			deleg(&fx->ldif, peer[i], HV_DELEG_CIFS_SHORT);
		/* delegating to itself links it to nobody */
		if (i == 4)
			deleg(&fx->ldif, names[i], HV_DELEG_ALL);
	}
}

static void assert_components(const struct hv_estate *est)
{
	static const char *const order[] = {"alpha", "ZED1", "BETA", "MID",
					    "SOLO"};
	static const size_t domain[] = {0, 0, 1, 1, 2};

	/* SOLO delegates only to itself: nothing vouches for it */
	assert_int_equal(est->n_hosts, 4);
	assert_int_equal(est->n_unverified, 1);
	assert_string_equal(est->accounts[est->unverified[0]].name, "SOLO");
	assert_int_equal(est->n_domains, 2);
	assert_string_equal(est->domain_names[0], "group of alpha");
	assert_string_equal(est->domain_names[1], "group of BETA");
	for (size_t h = 0; h < 4; h++) {
		assert_string_equal(est->hosts[h].name, order[h]);
		assert_int_equal(est->hosts[h].domain, domain[h]);
	}
}

/* Connected components, numbered by their first host's name whatever
 * the order of the entries. */
static void test_components_stable(void **state)
{
	struct fx *fx = *state;

	fx->discover = true;
	components_fixture(fx, false);
	build(fx);
	assert_components(&fx->est);
	assert_non_null(strstr(fx->est.grouping_note,
			       "connected parts of the delegation graph"));
	fx_clear(fx);
	fx->discover = true;
	components_fixture(fx, true);
	build(fx);
	assert_components(&fx->est);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unverified_host),
		T(test_unverified_host_by_ou),
		T(test_stale_entry_vouches_for_nobody),
		T(test_ambiguous_name),
		T(test_ou_and_filter_agree),
		T(test_domain_controllers_refused),
		T(test_empty_selections_are_errors),
		T(test_thin_export_is_not_checked),
		T(test_pair_states),
		T(test_discovery_by_migration_spn),
		T(test_hosts_exact_names),
		T(test_new_node_restricts_pairs),
		T(test_new_node_joins_its_peers),
		T(test_ready_needs_host_settings),
		T(test_group_by_ou),
		T(test_domains_file_groups),
		T(test_domains_file_with_hosts),
		T(test_domains_file_errors),
		T(test_components_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
