/* Classification of probe and prove results into cause ids: each verdict
 * fires on its input, a near miss does not, and input too thin to judge
 * is "not checked", never "no problems". Results are built by hand: no
 * network. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "checks/kerberos_verdict.h"
#include "checks/probe_verdict.h"

#include <arpa/inet.h>
#include <krb5.h>
#include <stdio.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

static struct hv_probe_host *host(struct hv_probe_run *run, const char *name,
				  size_t n_addrs)
{
	struct hv_probe_host *h =
		hv_probe_add_host(run, name, NULL, HV_ROLE_HOST);

	h->names.asked = hv_strdup(name);
	h->names.addrs = hv_calloc(n_addrs + 1, sizeof(*h->names.addrs));
	h->names.n_addrs = n_addrs;
	for (size_t a = 0; a < n_addrs; a++) {
		h->names.addrs[a].ss.ss_family = AF_INET;
		snprintf(h->names.addrs[a].text, sizeof(h->names.addrs[a].text),
			 "198.18.0.%zu", 10 + a);
	}
	h->ports = hv_calloc(HV_PROBE_PORTS_MAX * (n_addrs + 1),
			     sizeof(*h->ports));
	return h;
}

static void port(struct hv_probe_host *h, size_t addr, uint16_t p,
		 enum hv_xchg_outcome o)
{
	h->ports[h->n_ports].addr = addr;
	h->ports[h->n_ports].port = p;
	h->ports[h->n_ports++].outcome = o;
}

static void clock_of(struct hv_probe_host *h, enum hv_clock_source s,
		     double seconds)
{
	h->clocks[s].outcome = HV_XCHG_OPEN;
	h->clocks[s].ok = true;
	h->clocks[s].sample.offset_ns = (int64_t)(seconds * 1e9);
}

/* "level cause" of host i's verdicts on a topic, joined by spaces. */
static char *of(const struct hv_probe_verdicts *v, size_t i,
		enum hv_topic topic)
{
	static char buf[512];

	buf[0] = '\0';
	for (size_t k = 0; k < v->n; k++) {
		const struct hv_probe_verdict *f = &v->items[k];

		if (f->host != i || f->topic != topic)
			continue;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "%s%s %s", buf[0] ? " " : "", hv_level_name(f->level),
			 f->cause ? f->cause : "-");
	}
	return buf;
}

static void test_ports(void **state)
{
	struct hv_probe_run run = {0};
	struct hv_probe_verdicts v;
	struct hv_probe_host *h;

	(void)state;
	run.n_ports = 3;
	run.ports[0] = 6600;
	run.ports[1] = 445;
	run.ports[2] = 5985;
	h = host(&run, "refused", 1);
	port(h, 0, 6600, HV_XCHG_REFUSED);
	port(h, 0, 445, HV_XCHG_OPEN);
	port(h, 0, 5985, HV_XCHG_OPEN);
	h = host(&run, "dropped", 1);
	port(h, 0, 6600, HV_XCHG_TIMEOUT);
	port(h, 0, 445, HV_XCHG_UNREACHABLE);
	port(h, 0, 5985, HV_XCHG_OPEN);
	h = host(&run, "two", 2); /* open on one address: a note only */
	port(h, 0, 6600, HV_XCHG_OPEN);
	port(h, 1, 6600, HV_XCHG_REFUSED);
	port(h, 0, 445, HV_XCHG_OPEN);
	port(h, 1, 445, HV_XCHG_OPEN);
	port(h, 0, 5985, HV_XCHG_OPEN);
	port(h, 1, 5985, HV_XCHG_OPEN);
	h = host(&run, "nofd", 1); /* could not even try */
	port(h, 0, 6600, HV_XCHG_ERROR);
	port(h, 0, 445, HV_XCHG_OPEN);
	port(h, 0, 5985, HV_XCHG_OPEN);
	hv_probe_judge(&run, &v);
	assert_string_equal(of(&v, 0, HV_TOPIC_PORT),
			    "error port-6600-refused");
	assert_string_equal(v.items[0].code, "0x8007274D");
	assert_string_equal(of(&v, 1, HV_TOPIC_PORT),
			    "error port-6600-filtered error smb-445-blocked");
	assert_string_equal(of(&v, 2, HV_TOPIC_PORT),
			    "info host-several-addresses");
	assert_string_equal(of(&v, 3, HV_TOPIC_PORT), "not-checked -");
	hv_probe_verdicts_release(&v);
	hv_probe_run_release(&run);
}

static void test_clocks(void **state)
{
	struct hv_probe_run run = {0};
	struct hv_probe_verdicts v;
	struct hv_probe_host *dc, *h;

	(void)state;
	run.clocks = true;
	run.n_ports = 0;
	dc = host(&run, "dc", 1);
	dc->role = HV_ROLE_DC;
	clock_of(dc, HV_CLOCK_SNTP, 10); /* this machine is 10 s behind */
	clock_of(host(&run, "in-step", 1), HV_CLOCK_SMB2, 10.5);
	clock_of(host(&run, "near-miss", 1), HV_CLOCK_SMB2, 10 + 59.9);
	clock_of(host(&run, "warn", 1), HV_CLOCK_SMB2, 10 + 60);
	clock_of(host(&run, "error", 1), HV_CLOCK_WINRM, 10 - 300);
	h = host(&run, "mute", 1);
	h->clocks[HV_CLOCK_SMB2].outcome = HV_XCHG_TIMEOUT;
	hv_probe_judge(&run, &v);
	assert_int_equal(v.reference, 0);
	assert_string_equal(of(&v, 0, HV_TOPIC_CLOCK), "");
	assert_string_equal(of(&v, 1, HV_TOPIC_CLOCK), "");
	assert_string_equal(of(&v, 2, HV_TOPIC_CLOCK), "");
	assert_string_equal(of(&v, 3, HV_TOPIC_CLOCK), "warning clock-skew");
	/* -300 s from the DC, and 360 s from "warn": the spread is no
	 * worse than the host's own verdict, so it is not repeated */
	assert_string_equal(of(&v, 4, HV_TOPIC_CLOCK), "error clock-skew");
	assert_string_equal(of(&v, 5, HV_TOPIC_CLOCK), "not-checked -");
	/* issue 17: between 60 and 300 s the clock approaches the limit;
	 * it does not "differ by more than Kerberos allows" (the cause's
	 * title), so the warning carries its own headline */
	for (size_t k = 0; k < v.n; k++) {
		const struct hv_probe_verdict *f = &v.items[k];

		if (f->topic != HV_TOPIC_CLOCK || !f->cause)
			continue;
		if (f->level == HV_LEVEL_WARNING) {
			assert_non_null(f->headline);
			assert_non_null(strstr(f->headline, "approaching"));
		} else {
			assert_null(f->headline);
		}
	}
	hv_probe_verdicts_release(&v);
	hv_probe_run_release(&run);
}

static void test_clock_spread(void **state)
{
	struct hv_probe_run run = {0};
	struct hv_probe_verdicts v;

	(void)state;
	run.clocks = true;
	/* each 200 s from this machine (a warning), 400 s apart (an error) */
	clock_of(host(&run, "ahead", 1), HV_CLOCK_SMB2, 200);
	clock_of(host(&run, "behind", 1), HV_CLOCK_SMB2, -200);
	hv_probe_judge(&run, &v);
	assert_int_equal(v.reference, -1);
	assert_string_equal(of(&v, 0, HV_TOPIC_CLOCK),
			    "warning clock-skew error clock-skew");
	assert_int_equal(v.spread_hi, 0);
	assert_int_equal(v.spread_lo, 1);
	hv_probe_verdicts_release(&v);
	hv_probe_run_release(&run);
}

static void test_names(void **state)
{
	struct hv_probe_run run = {0};
	struct hv_probe_verdicts v;
	struct hv_probe_host *h;

	(void)state;
	h = host(&run, "hv-wrong", 1);
	h->names.addrs[0].ptr = hv_strdup("hv-open.corp.example");
	h = host(&run, "hv01", 1); /* PTR in another domain: same host */
	h->names.addrs[0].ptr = hv_strdup("HV01.other.example");
	h->ad_fqdn = hv_strdup("hv01.corp.example");
	h = host(&run, "hv02.old.example", 1);
	h->ad_fqdn = hv_strdup("HV02.corp.example");
	h = host(&run, "gone", 0);
	h->names.gai_error = EAI_NONAME;
	h = host(&run, "dns-down", 0);
	h->names.gai_error = EAI_AGAIN;
	hv_probe_judge(&run, &v);
	assert_string_equal(of(&v, 0, HV_TOPIC_NAME),
			    "warning host-name-ptr-mismatch");
	assert_string_equal(of(&v, 1, HV_TOPIC_NAME), "");
	assert_string_equal(of(&v, 2, HV_TOPIC_NAME),
			    "warning host-dnshostname-mismatch");
	assert_string_equal(of(&v, 3, HV_TOPIC_NAME),
			    "error host-name-unresolved");
	assert_string_equal(of(&v, 4, HV_TOPIC_NAME), "not-checked -");
	hv_probe_verdicts_release(&v);
	hv_probe_run_release(&run);
}

/* A prove result with one target (vsms or cifs) refused with code. */
static void one_target(struct hv_krb_prove *p, struct hv_krb_target *t,
		       enum hv_krb_service svc, int32_t code)
{
	memset(t, 0, sizeof(*t));
	t->service = svc;
	t->spn = (char *)"cifs/HV02";
	t->answer.tried = true;
	t->answer.code = code;
	p->targets = t;
	p->n_targets = 1;
	p->keytab = "k";
	p->as = "HV01$";
	p->user = "admin";
	p->tgt.tried = p->s4u_self.tried = true;
	p->tgt.forwardable = true;
}

static const char *judge(const struct hv_krb_prove *p,
			 const struct hv_krb_hints *hints)
{
	struct hv_prove_verdicts v;
	static char buf[128];

	hv_krb_judge(p, hints, &v);
	snprintf(buf, sizeof(buf), "%s %s", hv_level_name(v.items[0].level),
		 v.items[0].cause ? v.items[0].cause : "-");
	hv_prove_verdicts_release(&v);
	return buf;
}

static void test_prove(void **state)
{
	struct hv_krb_prove p;
	struct hv_krb_target t;
	const int32_t badoption = (int32_t)(ERROR_TABLE_BASE_krb5 + 13);
	const struct hv_krb_hints sensitive = {1, 0, NULL, NULL},
				  kerberos_only = {0, 1, NULL, NULL};

	(void)state;
	memset(&p, 0, sizeof(p));
	one_target(&p, &t, HV_KRB_CIFS, 0);
	p.s4u_self.forwardable = true;
	assert_string_equal(judge(&p, NULL), "ok -");
	t.answer.code = badoption;
	assert_string_equal(judge(&p, NULL), "error kcd-missing-cifs");
	t.service = HV_KRB_VSMS;
	assert_string_equal(judge(&p, NULL), "error kcd-missing-vsms");
	p.s4u_self.forwardable = false; /* the evidence ticket */
	assert_string_equal(judge(&p, &sensitive), "error user-not-delegable");
	assert_string_equal(judge(&p, &kerberos_only),
			    "error kcd-kerberos-only-2016");
	t.answer.code = (int32_t)(ERROR_TABLE_BASE_krb5 + 7);
	assert_string_equal(judge(&p, NULL), "error spn-missing");
	t.answer.code = (int32_t)(ERROR_TABLE_BASE_krb5 + 37);
	assert_string_equal(judge(&p, NULL), "error clock-skew");
	t.answer.code = 12345; /* not a KDC error: cannot tell */
	assert_string_equal(judge(&p, NULL), "not-checked -");
	p.tgt.code = (int32_t)(ERROR_TABLE_BASE_krb5 + 18);
	assert_string_equal(judge(&p, NULL), "error host-account-disabled");
}

/* Every verdict, "LEVEL CAUSE" joined by "; ", quiet ones marked. */
static const char *judge_all(const struct hv_krb_prove *p,
			     const struct hv_krb_hints *hints, char *message,
			     size_t size)
{
	struct hv_prove_verdicts v;
	static char buf[256];
	size_t len = 0;

	hv_krb_judge(p, hints, &v);
	buf[0] = '\0';
	if (message)
		message[0] = '\0';
	for (size_t i = 0; i < v.n; i++) {
		len += (size_t)snprintf(
			buf + len, sizeof(buf) - len, "%s%s %s%s",
			i ? "; " : "", hv_level_name(v.items[i].level),
			v.items[i].cause ? v.items[i].cause : "-",
			v.items[i].quiet ? " (quiet)" : "");
		if (message && v.items[i].target < 0)
			snprintf(message, size, "%s", v.items[i].message);
	}
	hv_prove_verdicts_release(&v);
	return buf;
}

/* Issue 17 item 5: a non-forwardable evidence ticket means "Kerberos
 * only" or a user who cannot be delegated, and the KDC does not say
 * which. Without the directory: one neutral finding naming both, not
 * checked (exit 3); with it, the one that holds. */
static void test_prove_evidence_not_forwardable(void **state)
{
	struct hv_krb_prove p;
	struct hv_krb_target t;
	const int32_t badoption = (int32_t)(ERROR_TABLE_BASE_krb5 + 13);
	const signed char listed[] = {1}, unlisted[] = {0};
	struct hv_krb_hints kerberos_only = {0, 1, listed, NULL},
			    sensitive = {1, 0, listed, NULL},
			    both_fine = {1, 1, listed, NULL};
	char msg[512];

	(void)state;
	memset(&p, 0, sizeof(p));
	one_target(&p, &t, HV_KRB_VSMS, badoption);
	p.s4u_self.forwardable = false;
	assert_string_equal(judge_all(&p, NULL, msg, sizeof(msg)),
			    "not-checked - (quiet); not-checked -");
	assert_non_null(strstr(msg, "kcd-kerberos-only-2016"));
	assert_non_null(strstr(msg, "user-not-delegable"));
	assert_non_null(strstr(msg, "--ldap"));
	assert_string_equal(judge_all(&p, &kerberos_only, NULL, 0),
			    "error kcd-kerberos-only-2016");
	assert_string_equal(judge_all(&p, &sensitive, NULL, 0),
			    "error user-not-delegable");
	/* the directory says both hold, yet the ticket is not
	 * forwardable: a disagreement, not a guess */
	assert_string_equal(judge_all(&p, &both_fine, msg, sizeof(msg)),
			    "not-checked -");
	/* the KDC's own word settles it: HOST$ got a forwardable ticket
	 * for itself, so it has protocol transition */
	p.self_self.tried = true;
	p.self_self.forwardable = true;
	assert_string_equal(judge_all(&p, NULL, NULL, 0),
			    "error user-not-delegable");
	p.self_self.forwardable = false;
	/* item 4: no constrained list at all (unconstrained or nothing
	 * set): the entry is missing, never "Kerberos only" */
	kerberos_only.listed = unlisted;
	assert_string_equal(judge_all(&p, &kerberos_only, NULL, 0),
			    "error kcd-missing-vsms");
}

/* Issue 17 item 7: a KDC that cannot be reached refused nothing; a
 * keytab that cannot be read was never shown to one. */
static void test_prove_could_not_ask(void **state)
{
	struct hv_krb_prove p;
	struct hv_krb_target t;
	char msg[512];

	(void)state;
	memset(&p, 0, sizeof(p));
	one_target(&p, &t, HV_KRB_CIFS, KRB5_KDC_UNREACH);
	p.s4u_self.forwardable = true;
	assert_string_equal(judge_all(&p, NULL, NULL, 0),
			    "not-checked dc-unreachable");
	p.tgt.code = KRB5_KDC_UNREACH;
	assert_string_equal(judge_all(&p, NULL, NULL, 0),
			    "not-checked dc-unreachable");
	p.tgt.code = KRB5_KT_NOTFOUND;
	p.keytab_unreadable = true;
	assert_string_equal(judge_all(&p, NULL, msg, sizeof(msg)),
			    "not-checked -");
	assert_non_null(strstr(msg, "keytab"));
	assert_null(strstr(msg, "TGT"));
}

/* A disabled destination the KDC still serves: said loudly. */
static void test_prove_disabled_destination(void **state)
{
	struct hv_krb_prove p;
	struct hv_krb_target t;
	const signed char disabled[] = {1}, enabled[] = {0};
	struct hv_krb_hints h = {1, 1, NULL, disabled};

	(void)state;
	memset(&p, 0, sizeof(p));
	one_target(&p, &t, HV_KRB_CIFS, 0);
	p.s4u_self.forwardable = true;
	assert_string_equal(judge_all(&p, &h, NULL, 0),
			    "warning host-account-disabled");
	h.dest_disabled = enabled;
	assert_string_equal(judge_all(&p, &h, NULL, 0), "ok -");
	assert_string_equal(judge_all(&p, NULL, NULL, 0), "ok -");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_clock_spread),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_prove),
		cmocka_unit_test(test_prove_evidence_not_forwardable),
		cmocka_unit_test(test_prove_could_not_ask),
		cmocka_unit_test(test_prove_disabled_destination),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
