/* The remediation plan and its renderers: exactly the missing entries,
 * the options, removals first, the rollback as the exact inverse, hostile
 * names quoted (or refused) in PowerShell, and the expected script text
 * for the sample estate (tests/fixtures/plan/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "estate/estate.h"
#include "base/strbuf.h"
#include "sources/ldif.h"
#include "remedy/backup.h"
#include "remedy/plan.h"
#include "base/quote.h"
#include "render/render_plan.h"

#include "../support/ps_scan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define MV "Microsoft Virtual System Migration Service"

/* HV1 delegates fully to HV2; HV2 to nobody, "Kerberos only", 2022
 * (named: an entry towards HV2 does not vouch for it);
 * HV3 (2012 R2) holds HV1's migration SPN as well. */
static const char three_hosts[] =
	"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
	"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
	"operatingSystemVersion: 10.0 (20348)\n"
	"servicePrincipalName: HOST/HV1\nservicePrincipalName: HOST/hv1.t\n"
	"servicePrincipalName: " MV "/HV1\nservicePrincipalName: " MV "/hv1.t\n"
	"msDS-AllowedToDelegateTo: " MV "/HV2\n"
	"msDS-AllowedToDelegateTo: " MV "/hv2.t\n"
	"msDS-AllowedToDelegateTo: cifs/HV2\n"
	"msDS-AllowedToDelegateTo: cifs/hv2.t\n\n"
	"dn: CN=HV2,DC=t\nobjectClass: computer\nsAMAccountName: HV2$\n"
	"dNSHostName: hv2.t\nuserAccountControl: 4096\n"
	"operatingSystemVersion: 10.0 (20348)\n"
	"servicePrincipalName: HOST/HV2\nservicePrincipalName: HOST/hv2.t\n"
	"servicePrincipalName: " MV "/HV2\nservicePrincipalName: " MV
	"/hv2.t\n\n";

struct fixture {
	struct hv_directory dir;
	struct hv_selection sel;
	struct hv_estate est;
	struct hv_plan plan;
};

static void build(struct fixture *fx, const char *ldif, const char *hosts,
		  const struct hv_plan_options *opts)
{
	struct hv_error err;

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(hv_ldif_read_buffer("t.ldif", ldif, strlen(ldif),
					     &fx->dir, &err),
			 0);
	if (hosts) {
		fx->sel.hosts = calloc(8, sizeof(char *));
		while (*hosts) {
			size_t len = strcspn(hosts, ",");

			fx->sel.hosts[fx->sel.n_hosts++] = strndup(hosts, len);
			hosts += len + (hosts[len] == ',');
		}
	}
	hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err);
	hv_plan_build(&fx->est, opts, &fx->plan);
}

static void release(struct fixture *fx)
{
	hv_plan_release(&fx->plan);
	hv_estate_release(&fx->est);
	hv_selection_release(&fx->sel);
	hv_directory_clear(&fx->dir);
}

static const struct hv_action *
find(const struct hv_plan *p, enum hv_action_kind kind, const char *account)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->actions[i].kind == kind &&
		    strcmp(p->actions[i].account, account) == 0)
			return &p->actions[i];
	return NULL;
}

static void test_only_missing_entries(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	const struct hv_action *act;

	(void)state;
	build(&fx, three_hosts, "HV1,HV2", &opts);
	assert_null(find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1"));
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV2");
	assert_non_null(act);
	assert_int_equal(act->n_values, 4);
	assert_string_equal(act->values[0], MV "/HV1");
	assert_string_equal(act->values[1], MV "/hv1.t");
	assert_string_equal(act->values[2], "cifs/HV1");
	assert_string_equal(act->values[3], "cifs/hv1.t");
	act = find(&fx.plan, HV_ACT_SET_UAC, "HV2");
	assert_non_null(act);
	assert_int_equal(act->old_uac, 4096);
	assert_int_equal(act->new_uac, 16781312);
	assert_int_equal(hv_plan_changes(&fx.plan), 5);
	assert_int_equal(fx.plan.n_hosts, 1);
	assert_string_equal(fx.plan.hosts[0], "HV2");
	release(&fx);
}

static void test_options(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	const struct hv_action *act;

	(void)state;
	opts.services = HV_PLAN_CIFS;
	opts.names = HV_PLAN_NAMES_FQDN;
	opts.protocol = HV_PLAN_PROTOCOL_KERBEROS;
	build(&fx, three_hosts, "HV1,HV2", &opts);
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV2");
	assert_non_null(act);
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/hv1.t");
	assert_null(find(&fx.plan, HV_ACT_SET_UAC, "HV2"));
	/* Kerberos only on 2022: the admin is told */
	assert_int_equal(fx.plan.n_warnings, 1);
	assert_non_null(strstr(fx.plan.warnings[0], "HV2"));
	release(&fx);
}

static void test_misplaced_spn_removed_first(void **state)
{
	static const char ldif[] =
		"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
		"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: HOST/HV1\n\n"
		"dn: CN=HV3,DC=t\nobjectClass: computer\nsAMAccountName: HV3$\n"
		"dNSHostName: hv3.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: HOST/HV3\n"
		"servicePrincipalName: " MV "/hv1.t\n\n";
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;

	(void)state;
	build(&fx, ldif, "HV1,HV3", &opts);
	assert_true(fx.plan.n > 2);
	assert_int_equal(fx.plan.actions[0].kind, HV_ACT_REMOVE_SPN);
	assert_string_equal(fx.plan.actions[0].account, "HV3");
	assert_string_equal(fx.plan.actions[0].values[0], MV "/hv1.t");
	/* and its rightful owner registers it afterwards */
	{
		const struct hv_action *add =
			find(&fx.plan, HV_ACT_ADD_SPN, "HV1");

		assert_non_null(add);
		assert_string_equal(add->values[add->n_values - 1],
				    MV "/hv1.t");
	}
	release(&fx);
}

static char *render(void (*fn)(struct hv_strbuf *, const struct hv_plan_view *),
		    const struct hv_plan *plan)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_plan_view view = {plan, "t.ldif", "hvdoctor audit --ldif t"};

	fn(&out, &view);
	return hv_strbuf_detach(&out);
}

static void test_ldif_and_rollback(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	char *ldif, *undo;

	(void)state;
	build(&fx, three_hosts, "HV1,HV2", &opts);
	ldif = render(hv_render_plan_ldif, &fx.plan);
	undo = render(hv_render_plan_rollback, &fx.plan);
	assert_non_null(strstr(ldif, "dn: CN=HV2,DC=t\nchangetype: modify\n"
				     "add: msDS-AllowedToDelegateTo\n"
				     "msDS-AllowedToDelegateTo: " MV "/HV1\n"));
	/* the exact old value is deleted: a concurrent change fails */
	assert_non_null(strstr(ldif, "delete: userAccountControl\n"
				     "userAccountControl: 4096\n-\n"
				     "add: userAccountControl\n"
				     "userAccountControl: 16781312\n-\n"));
	assert_non_null(strstr(undo, "delete: userAccountControl\n"
				     "userAccountControl: 16781312\n-\n"
				     "add: userAccountControl\n"
				     "userAccountControl: 4096\n-\n"));
	assert_non_null(strstr(undo, "delete: msDS-AllowedToDelegateTo\n"
				     "msDS-AllowedToDelegateTo: " MV "/HV1\n"));
	/* last change first */
	assert_true(strstr(undo, "userAccountControl: 16781312") <
		    strstr(undo, "delete: msDS-AllowedToDelegateTo"));
	/* the rollback file is what apply --rollback reads, and all three
	 * files name the same change */
	{
		struct hv_backup bk = {0};
		struct hv_error err;
		char id[HV_BACKUP_ID_LEN + 1], line[64];

		assert_int_equal(hv_backup_read_buffer("undo", undo,
						       strlen(undo), &bk, &err),
				 0);
		hv_backup_plan_id(&fx.plan, id);
		assert_string_equal(bk.id, id);
		snprintf(line, sizeof(line), "# plan id %s ", id);
		assert_non_null(strstr(ldif, line));
		hv_backup_release(&bk);
	}
	free(ldif);
	free(undo);
	release(&fx);
}

/* Evaluates what hv_quote_ps wrote, as PowerShell would: '...' with ''
 * for ', [char]0xHHHH, and "(a + b + ...)"; into UTF-16 code units. */
static size_t ps_eval(const char *e, uint16_t *units, size_t max)
{
	size_t n = 0;
	bool paren = *e == '(';

	e += paren;
	for (;;) {
		if (*e == '\'') {
			for (e++;; e++) {
				assert_true(*e != '\0');
				assert_true((unsigned char)*e < 0x80);
				if (*e == '\'' && e[1] == '\'')
					e++;
				else if (*e == '\'')
					break;
				assert_true(n < max);
				units[n++] = (uint16_t)(unsigned char)*e;
			}
			e++;
		} else {
			unsigned v;

			assert_int_equal(strncmp(e, "[char]0x", 8), 0);
			assert_int_equal(sscanf(e + 8, "%4X", &v), 1);
			assert_true(n < max);
			units[n++] = (uint16_t)v;
			e += 12;
		}
		if (!paren || *e == ')')
			break;
		assert_int_equal(strncmp(e, " + ", 3), 0);
		e += 3;
	}
	assert_int_equal(e[paren], '\0');
	return n;
}

static void round_trip(const char *s, const uint16_t *want, size_t n_want)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	uint16_t got[64];
	size_t n;

	hv_quote_ps(&sb, s);
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] >= 0x80)
			fail_msg("not ASCII: %s", sb.buf);
	n = ps_eval(sb.buf, got, 64);
	assert_int_equal(n, n_want);
	if (n)
		assert_memory_equal(got, want, n * sizeof(*got));
	hv_strbuf_release(&sb);
}

static void test_quote_ps(void **state)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	static const uint16_t quotes[] = {'a', '\'', 'b', 0x2019, 'c'};
	static const uint16_t spanish[] = {0xD1, '$', '(', 'x', ')', 0xD1};
	static const uint16_t emoji[] = {'a', 0xD83D, 0xDE00};
	static const uint16_t controls[] = {0x1B,   '[', 0x202E, 0x85,
					    0xFFFD, 'z', '\'',	 0xFFFD};

	(void)state;
	hv_quote_ps(&sb, "plain 'x'");
	assert_string_equal(sb.buf, "'plain ''x'''");
	hv_strbuf_reset(&sb);
	hv_quote_ps(&sb, "Pe\xc3\xb1"
			 "a");
	assert_string_equal(sb.buf, "('Pe' + [char]0x00F1 + 'a')");
	hv_strbuf_reset(&sb);
	hv_quote_ps(&sb, "\xc3\x91");
	assert_string_equal(sb.buf, "('' + [char]0x00D1)");
	round_trip("a'b\xe2\x80\x99"
		   "c",
		   quotes, 5);
	round_trip("\xc3\x91$(x)\xc3\x91", spanish, 6);
	round_trip("a\xf0\x9f\x98\x80", emoji, 3);
	round_trip("\x1b[\xe2\x80\xae\xc2\x85\xff"
		   "z'\xc0",
		   controls, 8);
	round_trip("", NULL, 0);
	hv_strbuf_reset(&sb);
	hv_quote_comment(&sb, "x\ny\r\x7fz\xe2\x80\xae\xc3\xb1");
	assert_string_equal(sb.buf, "x\\x0ay\\x0d\\x7fz\\u202e\xc3\xb1");
	hv_strbuf_release(&sb);
}

/* A hostile peer: a quote in its name is quoted; a newline in its FQDN
 * (base64 in LDIF) means nothing at all is planned towards it. */
static void test_hostile_names(void **state)
{
	static const char ldif[] =
		"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
		"dNSHostName: hv1.t\nuserAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/HV1\n\n"
		"dn: CN=EV,DC=t\nobjectClass: computer\n"
		"sAMAccountName: EV'IL$\ndNSHostName: ev'il.t\n"
		"userAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/EV'IL\n\n"
		"dn: CN=NL,DC=t\nobjectClass: computer\nsAMAccountName: NL$\n"
		/* "nl.t\nInvoke-Evil" */
		"dNSHostName:: bmwudApJbnZva2UtRXZpbA==\n"
		"userAccountControl: 16781312\n"
		"servicePrincipalName: " MV "/NL\n\n";
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	char *ps1;

	(void)state;
	build(&fx, ldif, "HV1,EV'IL,NL", &opts);
	ps1 = render(hv_render_plan_ps1, &fx.plan);
	assert_non_null(strstr(ps1, "'" MV "/EV''IL'"));
	assert_null(strstr(ps1, "\nInvoke-Evil"));
	assert_null(strstr(ps1, "nl.t"));
	assert_non_null(strstr(ps1, "# warning: a host at CN=NL,DC=t has "
				    "control characters"));
	free(ps1);
	release(&fx);
}

/* Two real hosts (HV1 delegates to HV2), a rogue in their OU with a
 * migration SPN, and a peer without dNSHostName; HV1 still lists a host
 * that no longer exists, and HV2 holds HVX's SPN while HVX is outside. */
static const char trust_estate[] =
	"dn: CN=HV1,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HV1$\ndNSHostName: hv1.t\nuserAccountControl: 16781312\n"
	"servicePrincipalName: " MV "/HV1\nservicePrincipalName: " MV
	"/hv1.t\nservicePrincipalName: HOST/HV1\n"
	"servicePrincipalName: HOST/hv1.t\n"
	"msDS-AllowedToDelegateTo: " MV "/HV2\n"
	"msDS-AllowedToDelegateTo: cifs/GONE\n\n"
	"dn: CN=HV2,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HV2$\nuserAccountControl: 16781312\n"
	"servicePrincipalName: " MV "/HV2\nservicePrincipalName: HOST/HV2\n"
	"servicePrincipalName: " MV "/hvx.t\n\n"
	"dn: CN=HVX,OU=Other,DC=t\nobjectClass: computer\nsAMAccountName: "
	"HVX$\ndNSHostName: hvx.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/HVX\n\n"
	"dn: CN=ROGUE,OU=HV,DC=t\nobjectClass: computer\nsAMAccountName: "
	"ROGUE$\ndNSHostName: rogue.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/ROGUE\n\n";

static bool plan_names(const struct hv_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->actions[i].account, name) == 0)
			return true;
		for (size_t v = 0; v < p->actions[i].n_values; v++)
			if (strstr(p->actions[i].values[v], name))
				return true;
	}
	return false;
}

/* A computer anyone could have created is never planned in silently,
 * and a plan never changes an object outside its selection. */
static void test_plan_stays_inside_vouched_selection(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.sel.grouping = HV_GROUP_OU;
	{
		struct hv_error err;

		assert_int_equal(hv_ldif_read_buffer("t.ldif", trust_estate,
						     strlen(trust_estate),
						     &fx.dir, &err),
				 0);
		assert_int_equal(
			hv_estate_build(&fx.est, &fx.dir, &fx.sel, &err), 0);
	}
	hv_plan_build(&fx.est, &opts, &fx.plan);
	assert_false(plan_names(&fx.plan, "ROGUE"));
	assert_false(plan_names(&fx.plan, "HVX"));
	release(&fx);
	/* named, ROGUE is the admin's host and joins the plan */
	build(&fx, trust_estate, "HV1,HV2,ROGUE", &opts);
	assert_true(plan_names(&fx.plan, "ROGUE"));
	/* HV2 may lose HVX's SPN (HV2 is selected); HVX gains nothing */
	assert_non_null(find(&fx.plan, HV_ACT_REMOVE_SPN, "HV2"));
	assert_null(find(&fx.plan, HV_ACT_ADD_SPN, "HVX"));
	release(&fx);
}

/* Without dNSHostName a peer's FQDN is its short name: each entry once,
 * or AD refuses the whole modify. */
static void test_peer_without_dns_name_once(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *act;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	act = find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1");
	assert_non_null(act);
	for (size_t i = 0; i < act->n_values; i++)
		for (size_t j = i + 1; j < act->n_values; j++)
			assert_true(strcasecmp(act->values[i],
					       act->values[j]) != 0);
	/* HV1 has the migration entry; only cifs/HV2 is missing */
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/HV2");
	release(&fx);
}

/* --prune removes entries for hosts that are gone, and only with it. */
static void test_prune(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *act;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	assert_null(find(&fx.plan, HV_ACT_REMOVE_DELEGATION, "HV1"));
	release(&fx);
	opts.prune = true;
	build(&fx, trust_estate, "HV1,HV2", &opts);
	act = find(&fx.plan, HV_ACT_REMOVE_DELEGATION, "HV1");
	assert_non_null(act);
	assert_int_equal(act->n_values, 1);
	assert_string_equal(act->values[0], "cifs/GONE");
	/* removals come first */
	assert_int_equal(act - fx.plan.actions, 0);
	release(&fx);
}

/* An SPN is added to its owner only after it came off the wrong holder:
 * the add depends on the removal, and apply skips it if that fails. */
static void test_spn_add_depends_on_removal(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	const struct hv_action *add, *rm;
	struct fixture fx;

	(void)state;
	build(&fx, trust_estate, "HV1,HV2,HVX", &opts);
	rm = find(&fx.plan, HV_ACT_REMOVE_SPN, "HV2");
	add = find(&fx.plan, HV_ACT_ADD_SPN, "HVX");
	assert_non_null(rm);
	assert_non_null(add);
	assert_int_equal(add->depends_on, rm - fx.plan.actions);
	assert_int_equal(
		find(&fx.plan, HV_ACT_ADD_DELEGATION, "HV1")->depends_on, -1);
	release(&fx);
}

/* Computer objects whose creators chose names that attack the script:
 * UTF-8 letters whose bytes are quotes in cp1252 (N-tilde is C3 91, A-breve
 * C4 82, A-circumflex C3 82), typographic quotes, a right-to-left
 * override, a C1 control. Each name wraps a subexpression that must never
 * run. */
static const char quote_attack[] =
	"dn: CN=HV1,DC=t\nobjectClass: computer\nsAMAccountName: HV1$\n"
	"dNSHostName: hv1.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/HV1\n\n"
	/* "N$(Invoke-Evil)N" with N = U+00D1 */
	"dn:: Q049w5EkKEludm9rZS1FdmlsKcORLERDPXQ=\nobjectClass: computer\n"
	"sAMAccountName:: w5EkKEludm9rZS1FdmlsKcORJA==\n"
	"dNSHostName:: w5EkKEludm9rZS1FdmlsKcORLnQ=\n"
	"userAccountControl: 4096\n"
	"servicePrincipalName:: "
	"TWljcm9zb2Z0IFZpcnR1YWwgU3lzdGVtIE1pZ3JhdGlv"
	"biBTZXJ2aWNlL8ORJChJbnZva2UtRXZpbCnDkQ==\n\n"
	/* "\u0102\u00c2;Invoke-Evil;#\u2019'\u202e\u0085" */
	"dn: CN=EV2,DC=t\nobjectClass: computer\n"
	"sAMAccountName:: xILDgjtJbnZva2UtRXZpbDsj4oCZJ+KArsKFJA==\n"
	"dNSHostName: ev2.t\nuserAccountControl: 4096\n"
	"servicePrincipalName: " MV "/EV2\n\n";

/* The script's code is ASCII: a name outside ASCII is built from code
 * points, and what is not ASCII (in comments) comes with a BOM. Whether
 * PowerShell itself reads every value back intact, under UTF-8 and cp1252,
 * is tests/ps/plan/Parse.Tests.ps1's job (the same names, in
 * tests/fixtures/ldif/ps-quotes.ldif). */
static void test_ps1_code_is_ascii(void **state)
{
	struct hv_plan_options opts = hv_plan_defaults();
	struct fixture fx;
	char *ps1;

	(void)state;
	build(&fx, quote_attack,
	      "HV1,\xc3\x91$(Invoke-Evil)\xc3\x91,"
	      "\xc4\x82\xc3\x82;Invoke-Evil;#\xe2\x80\x99'\xe2\x80\xae\xc2\x85",
	      &opts);
	assert_int_equal(fx.est.n_hosts, 3);
	assert_true(fx.plan.n >= 3);
	ps1 = render(hv_render_plan_ps1, &fx.plan);
	for (const char *p = ps1; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			assert_memory_equal(ps1, "\xef\xbb\xbf", 3);
			break;
		}
	assert_non_null(strstr(ps1, "[char]0x00D1"));
	free(ps1);
	release(&fx);
}

/* The scanner itself: a quote in cp1252 clothing ends a string there. */
static void test_ps_scanner(void **state)
{
	static const char good[] = "Foo -X 'a''b\xe2\x80\x99\xe2\x80\x99"
				   "c' # 'x\n";
	static const char bad[] = "Foo -X '\xc3\x91$(Evil)\xc3\x91' # \n";
	static const char ref[] = "Foo -X 'x' # \n";

	(void)state;
	assert_null(ps_check(good, sizeof(good) - 1, ref, sizeof(ref) - 1));
	assert_string_equal(
		ps_check(bad, sizeof(bad) - 1, ref, sizeof(ref) - 1),
		"cp1252 reading: a value became code");
	/* with a BOM, PowerShell 5.1 reads UTF-8 too */
	{
		struct hv_strbuf sb = HV_STRBUF_INIT;

		hv_strbuf_adds(&sb, "\xef\xbb\xbf");
		hv_strbuf_adds(&sb, bad);
		assert_null(ps_check(sb.buf, sb.len, ref, sizeof(ref) - 1));
		hv_strbuf_release(&sb);
	}
	assert_string_equal(ps_check("X 'abc", 6, ref, sizeof(ref) - 1),
			    "UTF-8 reading: does not tokenize");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hv_strbuf_add(&sb, chunk, n);
	fclose(f);
	return hv_strbuf_detach(&sb);
}

/* The PowerShell for the sample estate, as the admin would get it. */
static void test_sample_estate_script(void **state)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_plan_options opts = hv_plan_defaults();
	struct hv_strbuf path = HV_STRBUF_INIT;
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_plan plan;
	struct hv_error err;
	char *expected;

	(void)state;
	if (!root)
		skip();
	hv_strbuf_addf(&path, "%s/examples/sample-estate.ldif", root);
	assert_int_equal(hv_ldif_read_file(path.buf, &dir, &err), 0);
	/* HVC1N4 has no delegation yet: only the admin can vouch for it */
	sel.grouping = HV_GROUP_OU;
	sel.hosts = hv_calloc(7, sizeof(char *));
	for (const char *const *h =
		     (const char *const[]){"HVC1N1", "HVC1N2", "HVC1N3",
					   "HVC1N4", "HVS01", "HVS02", NULL};
	     *h; h++)
		sel.hosts[sel.n_hosts++] = hv_strdup(*h);
	assert_int_equal(hv_estate_build(&est, &dir, &sel, &err), 0);
	hv_plan_build(&est, &opts, &plan);
	{
		struct hv_plan_view view = {
			&plan, "examples/sample-estate.ldif",
			"hvdoctor audit --ldif examples/sample-estate.ldif "
			"(with the same host selection)"};

		hv_render_plan_ps1(&out, &view);
	}
	hv_strbuf_reset(&path);
	hv_strbuf_addf(&path, "%s/tests/fixtures/plan/sample-estate.ps1", root);
	expected = slurp(path.buf);
	assert_string_equal(out.buf, expected);
	free(expected);
	hv_strbuf_release(&out);
	hv_strbuf_release(&path);
	hv_plan_release(&plan);
	hv_estate_release(&est);
	hv_selection_release(&sel);
	hv_directory_clear(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_missing_entries),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_misplaced_spn_removed_first),
		cmocka_unit_test(test_ldif_and_rollback),
		cmocka_unit_test(test_quote_ps),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_ps1_code_is_ascii),
		cmocka_unit_test(test_ps_scanner),
		cmocka_unit_test(test_sample_estate_script),
		cmocka_unit_test(test_plan_stays_inside_vouched_selection),
		cmocka_unit_test(test_peer_without_dns_name_once),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_spn_add_depends_on_removal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
