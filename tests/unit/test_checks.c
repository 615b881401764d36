/* Tests of the AD checks (lib/check_*.c, every entry of the table in
 * lib/checks/checks.c) and of the estate they read (lib/estate/estate.c). Each
 * check has a fixture that fires it, asserted exactly (cause, severity,
 * subject, targets, evidence), and near misses that must not fire.
 * Fixtures are LDIF built here and read as "t.ldif". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks/checks.h"
#include "estate/domains_file.h"
#include "estate/estate.h"
#include "checks/findings.h"
#include "base/alloc.h"
#include "base/base64.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/ldif.h"
#include "render/render_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "DC=corp,DC=example,DC=com"
#define DNS "corp.example.com"
#define OU_HV "OU=Hyper-V," BASE
#define VSMS HV_SPN_VSMS
#define TWIN "Microsoft\\ Virtual\\ System\\ Migration\\ Service"
#define A2D "msDS-AllowedToDelegateTo"
#define RBCD "msDS-AllowedToActOnBehalfOfOtherIdentity"
#define SPN "servicePrincipalName"
#define UAC "userAccountControl"
/* userAccountControl (MS-ADTS 2.2.16) */
#define UAC_ANY "16781312"    /* workstation + protocol transition */
#define UAC_KERB "4096"	      /* workstation, "Kerberos only" */
#define UAC_OFF "4098"	      /* workstation, disabled */
#define UAC_UNCON "528384"    /* workstation + unconstrained */
#define UAC_NODELEG "1049088" /* normal user + NOT_DELEGATED */

struct fx {
	struct hv_strbuf ldif;
	struct hv_selection sel;
	struct hv_directory dir;
	struct hv_estate est;
	struct hv_findings out;
};

static int setup(void **state)
{
	*state = hv_calloc(1, sizeof(struct fx));
	return 0;
}

/* Frees everything and leaves fx ready for the next fixture. */
static void fx_clear(struct fx *fx)
{
	hv_findings_release(&fx->out);
	hv_estate_release(&fx->est);
	hv_directory_clear(&fx->dir);
	hv_selection_release(&fx->sel);
	hv_strbuf_release(&fx->ldif);
	memset(fx, 0, sizeof(*fx));
}

static int teardown(void **state)
{
	fx_clear(*state);
	free(*state);
	return 0;
}

static void build(struct fx *fx)
{
	struct hv_error err;

	if (hv_ldif_read_buffer("t.ldif", hv_strbuf_str(&fx->ldif),
				fx->ldif.len, &fx->dir, &err) != 0)
		fail_msg("fixture LDIF: %s: %s", err.where, err.message);
	assert_int_equal(hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err),
			 0);
}

static void run(struct fx *fx,
		void (*check)(const struct hv_estate *, struct hv_findings *))
{
	build(fx);
	check(&fx->est, &fx->out);
}

/* "A,B,C" as a new list (never NULL), for struct hv_selection. */
static char **list(const char *csv, size_t *n)
{
	char **items = hv_calloc(strlen(csv) + 1, sizeof(*items));

	*n = 0;
	while (*csv) {
		size_t len = strcspn(csv, ",");

		if (len)
			items[(*n)++] = hv_strndup(csv, len);
		csv += len;
		if (*csv == ',')
			csv++;
	}
	return items;
}

static void want_hosts(struct fx *fx, const char *csv)
{
	fx->sel.hosts = list(csv, &fx->sel.n_hosts);
}

/* Starts the record of computer NAME in ou: sAMAccountName NAME$,
 * dNSHostName NAME.corp.example.com. Lines added after it belong to it
 * until the next record starts. */
static void computer(struct hv_strbuf *sb, const char *ou, const char *name,
		     const char *uac)
{
	if (sb->len)
		hv_strbuf_addch(sb, '\n');
	hv_strbuf_addf(sb,
		       "dn: CN=%s,%s\n"
		       "objectClass: computer\n"
		       "sAMAccountName: %s$\n"
		       "dNSHostName: %s." DNS "\n"
		       "userAccountControl: %s\n",
		       name, ou, name, name, uac);
}

static void os(struct hv_strbuf *sb, const char *name, const char *version)
{
	if (name)
		hv_strbuf_addf(sb, "operatingSystem: %s\n", name);
	if (version)
		hv_strbuf_addf(sb, "operatingSystemVersion: %s\n", version);
}

/* HOST/ and the migration service, short name and FQDN. */
static void spns(struct hv_strbuf *sb, const char *name)
{
	hv_strbuf_addf(sb,
		       SPN ": HOST/%s\n" SPN ": HOST/%s." DNS "\n" SPN ": " VSMS
			   "/%s\n" SPN ": " VSMS "/%s." DNS "\n",
		       name, name, name, name);
}

/* A Windows Server 2022 Hyper-V host with the standard SPNs. */
static void host_in(struct hv_strbuf *sb, const char *ou, const char *name,
		    const char *uac)
{
	computer(sb, ou, name, uac);
	os(sb, "Windows Server 2022 Datacenter", "10.0 (20348)");
	spns(sb, name);
}

static void host(struct hv_strbuf *sb, const char *name, const char *uac)
{
	host_in(sb, OU_HV, name, uac);
}

static void user(struct hv_strbuf *sb, const char *name, const char *uac)
{
	if (sb->len)
		hv_strbuf_addch(sb, '\n');
	hv_strbuf_addf(sb,
		       "dn: CN=%s,OU=Admins," BASE "\n"
		       "objectClass: user\n"
		       "sAMAccountName: %s\n"
		       "userAccountControl: %s\n",
		       name, name, uac);
}

/* The delegation entries `which` (enum hv_deleg_bit) towards `to`. */
static void deleg(struct hv_strbuf *sb, const char *to, unsigned which)
{
	static const char *const cls[] = {VSMS, VSMS, "cifs", "cifs"};

	for (unsigned i = 0; i < 4; i++)
		if (which & (1u << i))
			hv_strbuf_addf(sb, A2D ": %s/%s%s\n", cls[i], to,
				       i & 1 ? "." DNS : "");
}

static void put_le(unsigned char *p, uint32_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* S-1-5-21-1111-2222-3333-rid (MS-DTYP 2.4.2): 28 bytes at p. */
static size_t sid_bytes(unsigned char *p, uint32_t rid)
{
	static const uint32_t sub[] = {21, 1111, 2222, 3333};

	p[0] = 1;
	p[1] = 5;
	memset(p + 2, 0, 5);
	p[7] = 5;
	for (size_t i = 0; i < 4; i++)
		put_le(p + 8 + 4 * i, sub[i], 4);
	put_le(p + 24, rid, 4);
	return 28;
}

/* A self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) whose DACL has an
 * ACE of types[i] (0 allowed, 1 denied) for each rids[i]; out must hold
 * 28 + 36 * n bytes. Returns the length. */
static size_t secdesc(unsigned char *out, const uint32_t *rids,
		      const unsigned char *types, size_t n)
{
	size_t pos = 28;

	memset(out, 0, pos);
	out[0] = 1;
	put_le(out + 2, 0x8004, 2); /* SELF_RELATIVE | DACL_PRESENT */
	put_le(out + 16, 20, 4);
	out[20] = 2;
	for (size_t i = 0; i < n; i++, pos += 36) {
		out[pos] = types[i];
		out[pos + 1] = 0;
		put_le(out + pos + 2, 36, 2);
		put_le(out + pos + 4, 0xf01ff, 4);
		sid_bytes(out + pos + 8, rids[i]);
	}
	put_le(out + 22, (uint32_t)(pos - 20), 2);
	put_le(out + 24, (uint32_t)n, 2);
	return pos;
}

static void b64_line(struct hv_strbuf *sb, const char *attr,
		     const unsigned char *data, size_t len)
{
	hv_strbuf_addf(sb, "%s:: ", attr);
	hv_base64_encode(sb, data, len);
	hv_strbuf_addch(sb, '\n');
}

static void sid_line(struct hv_strbuf *sb, uint32_t rid)
{
	unsigned char sid[28];

	b64_line(sb, "objectSid", sid, sid_bytes(sid, rid));
}

static const struct hv_finding *nth(const struct fx *fx, size_t i)
{
	if (i >= fx->out.n)
		fail_msg("finding %zu of %zu", i, fx->out.n);
	return &fx->out.items[i];
}

static size_t count_cause(const struct fx *fx, const char *cause)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->out.n; i++)
		n += strcmp(fx->out.items[i].cause, cause) == 0;
	return n;
}

/* The one finding of a cause; fails if there is none or several. */
static const struct hv_finding *the(const struct fx *fx, const char *cause)
{
	const struct hv_finding *found = NULL;

	for (size_t i = 0; i < fx->out.n; i++) {
		if (strcmp(fx->out.items[i].cause, cause) != 0)
			continue;
		if (found)
			fail_msg("more than one %s finding", cause);
		found = &fx->out.items[i];
	}
	if (!found)
		fail_msg("no %s finding", cause);
	return found;
}

static void assert_finding(const struct hv_finding *f, const char *cause,
			   enum hv_severity sev, const char *subject,
			   const char *targets, size_t n_targets)
{
	assert_string_equal(f->cause, cause);
	assert_int_equal(f->severity, sev);
	assert_string_equal(f->source, subject);
	if (targets) {
		assert_non_null(f->target);
		assert_string_equal(f->target, targets);
	} else {
		assert_null(f->target);
	}
	assert_int_equal(f->n_targets, n_targets);
}

static void assert_ev(const struct hv_finding *f, size_t i, const char *dn,
		      const char *attr, enum hv_ev_state state,
		      const char *value)
{
	if (i >= f->n_ev)
		fail_msg("evidence %zu of %zu", i, f->n_ev);
	assert_string_equal(f->ev[i].dn, dn);
	assert_string_equal(f->ev[i].attr, attr);
	assert_int_equal(f->ev[i].state, state);
	assert_string_equal(f->ev[i].value, value);
	assert_non_null(f->ev[i].origin);
	assert_int_equal(strncmp(f->ev[i].origin, "t.ldif:", 7), 0);
}

static size_t host_index(const struct hv_estate *est, const char *name)
{
	for (size_t h = 0; h < est->n_hosts; h++)
		if (strcmp(est->hosts[h].name, name) == 0)
			return h;
	fail_msg("%s is not a selected host", name);
	return 0;
}

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
			    "delegates to them under one name form only");
	assert_int_equal(f->n_ev, 1);
	assert_ev(f, 0, "CN=HV01," OU_HV, A2D, HV_EV_MISSING, VSMS "/HV03");
	f = nth(fx, 1);
	assert_finding(f, "kcd-missing-cifs", HV_SEV_ERROR, "HV02",
		       "HV01, HV03", 2);
	assert_string_equal(f->message, "may not delegate to their cifs "
					"service (storage moves)");
	assert_int_equal(f->n_ev, 4);
	assert_ev(f, 0, dn2, A2D, HV_EV_MISSING, "cifs/HV01");
	assert_ev(f, 1, dn2, A2D, HV_EV_MISSING, "cifs/HV01." DNS);
	assert_ev(f, 2, dn2, A2D, HV_EV_MISSING, "cifs/HV03");
	assert_ev(f, 3, dn2, A2D, HV_EV_MISSING, "cifs/HV03." DNS);
	assert_string_equal(f->fix, "hvdoctor plan writes the "
				    "Set-ADComputer commands for HV02");
	f = nth(fx, 2);
	assert_finding(f, "kcd-missing-vsms", HV_SEV_ERROR, "HV02", "HV03", 1);
	assert_string_equal(f->message,
			    "may not delegate to their migration service");
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
	/* alone, nobody asks HV03 for tickets */
	computer(&fx->ldif, OU_HV, "HV03", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/HV03\n");
	run(fx, hv_check_target_spns);
	assert_int_equal(fx->est.n_hosts, 3);
	assert_int_equal(fx->est.n_domains, 2);
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
	host(&fx->ldif, "HV02", "-1");
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host(&fx->ldif, "HV03", "99999999999");
	run(fx, hv_checks_run_ad);
	assert_int_equal(count_cause(fx, "kcd-kerberos-only-2016"), 0);
	assert_int_equal(count_cause(fx, "host-account-disabled"), 1);
	assert_string_equal(the(fx, "host-account-disabled")->source, "HV02");
	assert_int_equal(count_cause(fx, "directory-value-malformed"), 2);
	assert_int_equal(count_cause(fx, "unconstrained-delegation-cg"), 1);
	assert_true(fx->est.accounts[1].uac_known);
	assert_int_equal(fx->est.accounts[1].uac, 0xffffffffu);
}

/* ---- domains ----------------------------------------------------- */

static void test_isolated_host(void **state)
{
	struct fx *fx = *state;
	const struct hv_finding *f;

	host(&fx->ldif, "HV01", UAC_ANY);
	deleg(&fx->ldif, "HV02", HV_DELEG_ALL);
	host(&fx->ldif, "HV02", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	run(fx, hv_check_isolated_hosts);
	assert_int_equal(fx->out.n, 1);
	f = nth(fx, 0);
	assert_finding(f, "host-no-migration-domain", HV_SEV_INFO, "HV03", NULL,
		       0);
	assert_string_equal(f->message, "delegates to no other host and no "
					"host to it, so it was checked alone");
	assert_string_equal(f->fix, "name its peers: --hosts HV03,PEER,... "
				    "or --domains FILE");
	/* named hosts are one domain: nobody is alone */
	fx_clear(fx);
	host(&fx->ldif, "HV01", UAC_ANY);
	host(&fx->ldif, "HV03", UAC_ANY);
	want_hosts(fx, "HV01,HV03");
	run(fx, hv_check_isolated_hosts);
	assert_int_equal(fx->out.n, 0);
}

/* Alone in its OU is not "delegates to no host" when it does. */
static void test_isolated_host_by_ou(void **state)
{
	struct fx *fx = *state;

	host_in(&fx->ldif, "OU=A," OU_HV, "HV01", UAC_ANY);
	host_in(&fx->ldif, "OU=A," OU_HV, "HV02", UAC_ANY);
	host_in(&fx->ldif, "OU=B," OU_HV, "HV03", UAC_ANY);
	deleg(&fx->ldif, "HV01", HV_DELEG_ALL);
	host_in(&fx->ldif, "OU=C," OU_HV, "HV04", UAC_ANY);
	fx->sel.grouping = HV_GROUP_OU;
	run(fx, hv_check_isolated_hosts);
	assert_int_equal(fx->est.n_domains, 3);
	assert_int_equal(fx->out.n, 1);
	assert_string_equal(nth(fx, 0)->source, "HV04");
}

/* ---- the estate -------------------------------------------------- */

static void test_discovery_by_migration_spn(void **state)
{
	struct fx *fx = *state;

	host(&fx->ldif, "HV01", UAC_ANY);
	computer(&fx->ldif, "OU=Domain Controllers," BASE, "DC1", "532480");
	hv_strbuf_adds(&fx->ldif, SPN ": HOST/DC1\n");
	computer(&fx->ldif, OU_HV, "TWINONLY", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": " TWIN "/TWINONLY\n");
	user(&fx->ldif, "svcvsms", "512");
	hv_strbuf_adds(&fx->ldif, SPN ": " VSMS "/svcvsms\n");
	computer(&fx->ldif, OU_HV, "HV02", UAC_ANY);
	hv_strbuf_adds(&fx->ldif, SPN ": microsoft virtual system migration "
				      "service/hv02\n");
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
	static const char *const peer[] = {"alpha", NULL, "BETA", NULL, NULL};

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

	assert_int_equal(est->n_hosts, 5);
	assert_int_equal(est->n_domains, 3);
	assert_string_equal(est->domain_names[0], "group of alpha");
	assert_string_equal(est->domain_names[1], "group of BETA");
	assert_string_equal(est->domain_names[2], "group of SOLO");
	for (size_t h = 0; h < 5; h++) {
		assert_string_equal(est->hosts[h].name, order[h]);
		assert_int_equal(est->hosts[h].domain, domain[h]);
	}
}

/* Connected components, numbered by their first host's name whatever
 * the order of the entries. */
static void test_components_stable(void **state)
{
	struct fx *fx = *state;

	components_fixture(fx, false);
	build(fx);
	assert_components(&fx->est);
	assert_non_null(strstr(fx->est.grouping_note,
			       "connected parts of the delegation graph"));
	fx_clear(fx);
	components_fixture(fx, true);
	build(fx);
	assert_components(&fx->est);
}

/* The table runs every check once, and the run sorts by severity. */
static void test_table_and_sort(void **state)
{
	static const char *const names[] = {
		"accounts",
		"delegation-pairs",
		"protocol-transition",
		"target-spns",
		"spn-clashes",
		"unconstrained",
		"admins",
		"rbcd",
		"odd-values",
		"domains",
	};
	struct fx *fx = *state;

	assert_int_equal(hv_ad_checks_count, 10);
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

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

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
		T(test_rbcd_names_allowed_sids),
		T(test_rbcd_garbage_descriptor),
		T(test_odd_values),
		T(test_bad_uac_is_unknown),
		T(test_isolated_host),
		T(test_isolated_host_by_ou),
		T(test_discovery_by_migration_spn),
		T(test_hosts_exact_names),
		T(test_new_node_restricts_pairs),
		T(test_group_by_ou),
		T(test_domains_file_groups),
		T(test_domains_file_with_hosts),
		T(test_domains_file_errors),
		T(test_components_stable),
		T(test_table_and_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
