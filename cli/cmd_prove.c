/* hvdoctor prove: asks the KDC for the very tickets a live migration
 * needs (S4U2Self + S4U2Proxy with the source's key, or the caller's own
 * service tickets), and maps each refusal to what to change in AD. With
 * --ldap/--ldif it also says where the KDC and the directory disagree. */
#include "commands.h"

#include "base/alloc.h"
#include "render/render_prove.h"
#include "sources.h"
#include "sources/kerberos_prove.h"
#include "checks/kerberos_verdict.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_JSON = 1, OPT_KEYTAB, OPT_AS, OPT_IMPERSONATE, OPT_TO, OPT_DOMAIN };

static const struct cli_option prove_options[] = {
	{"keytab", "FILE",
	 "the source host's keytab: S4U2Self + S4U2Proxy as\nthat host",
	 OPT_KEYTAB},
	{"as", "HOST$", "the source host's principal in the keytab", OPT_AS},
	{"impersonate", "USER",
	 "the admin who starts the move: S4U2Self asks a\n"
	 "ticket for USER (--user is the simple-bind name)",
	 OPT_IMPERSONATE},
	{"to", "HOST", "a destination; repeatable or H1,H2", OPT_TO},
	{"domain", "DNS", "DNS domain for FQDNs (default: the realm)",
	 OPT_DOMAIN},
	{"json", NULL, "print JSON (schema hvdoctor.prove/1)", OPT_JSON},
	{NULL, NULL, NULL, 0},
};

static void split(const char *text, char ***out, size_t *n, size_t *cap)
{
	while (*text) {
		size_t len = strcspn(text, ", ");

		if (len) {
			HV_GROW(*out, *n, *cap);
			(*out)[(*n)++] = hv_strndup(text, len);
		}
		text += len;
		text += strspn(text, ", ");
	}
}

/* What the directory says about one target. */
struct target_facts {
	enum hv_prove_expect expect; /* what the KDC should answer */
	signed char listed;   /* the entry is in the source's list; -1 ? */
	signed char disabled; /* the destination is disabled; -1 ? */
};

static unsigned deleg_bit(const struct hv_krb_target *t)
{
	if (t->service == HV_KRB_VSMS)
		return t->fqdn ? HV_DELEG_VSMS_FQDN : HV_DELEG_VSMS_SHORT;
	return t->fqdn ? HV_DELEG_CIFS_FQDN : HV_DELEG_CIFS_SHORT;
}

/* The destination holds the SPN and is enabled: a service ticket for
 * it should be issued (with S4U, if the source may delegate to it and
 * the user may be delegated: MS-SFU 3.2.5.2). A disabled destination
 * the KDC still serves is a disagreement to say loudly. */
static struct target_facts facts_of(const struct hv_estate *est,
				    const struct hv_krb_prove *p,
				    const struct hv_krb_target *t)
{
	struct target_facts f = {HV_EXPECT_UNKNOWN, -1, -1};
	long src = p->as ? hv_estate_find(est, p->as) : -1,
	     dst = hv_estate_find(est, t->host);
	long user = p->user ? hv_estate_find(est, p->user) : -1;
	const struct hv_account *u = user >= 0 ? &est->accounts[user] : NULL;

	if (dst < 0 || (p->keytab && src < 0))
		return f;
	if (est->accounts[dst].uac_known)
		f.disabled =
			(est->accounts[dst].uac & HV_UAC_ACCOUNTDISABLE) != 0;
	if (src >= 0)
		f.listed =
			(hv_estate_deleg_bits(est, (size_t)src, (size_t)dst) &
			 deleg_bit(t)) != 0;
	f.expect = HV_EXPECT_ALLOWED;
	if (f.disabled == 1 ||
	    !hv_account_has_spn(est, (size_t)dst,
				t->service == HV_KRB_VSMS ? HV_SPN_VSMS
							  : "cifs",
				strchr(t->spn, '/') + 1))
		f.expect = HV_EXPECT_REFUSED;
	if (!p->keytab)
		return f;
	if (!f.listed ||
	    !(est->accounts[src].uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION))
		f.expect = HV_EXPECT_REFUSED;
	if (u && ((u->uac & HV_UAC_NOT_DELEGATED) || u->protected_user))
		f.expect = HV_EXPECT_REFUSED;
	return f;
}

/* The directory's view: the hints for the verdicts, and the expected
 * answers, one per target (arrays owned by the caller, freed with
 * free()). */
struct directory_view {
	struct hv_krb_hints hints;
	enum hv_prove_expect *expect;
	signed char *listed, *disabled;
};

static void view_directory(const struct hv_estate *est,
			   const struct hv_krb_prove *p,
			   struct directory_view *out)
{
	long src = p->as ? hv_estate_find(est, p->as) : -1;
	long user = p->user ? hv_estate_find(est, p->user) : -1;
	size_t n = p->n_targets + 1;

	out->expect = hv_calloc(n, sizeof(*out->expect));
	out->listed = hv_calloc(n, sizeof(*out->listed));
	out->disabled = hv_calloc(n, sizeof(*out->disabled));
	for (size_t i = 0; i < p->n_targets; i++) {
		struct target_facts f = facts_of(est, p, &p->targets[i]);

		out->expect[i] = f.expect;
		out->listed[i] = f.listed;
		out->disabled[i] = f.disabled;
	}
	out->hints = (struct hv_krb_hints){-1, -1, out->listed, out->disabled};
	if (src >= 0 && est->accounts[src].uac_known)
		out->hints.source_transition =
			(est->accounts[src].uac &
			 HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) != 0;
	if (user >= 0 && est->accounts[user].uac_known)
		out->hints.user_delegable =
			!(est->accounts[user].uac & HV_UAC_NOT_DELEGATED) &&
			!est->accounts[user].protected_user;
}

static int exit_for(const struct hv_prove_verdicts *v, size_t disagree)
{
	if (hv_prove_verdicts_count(v, HV_LEVEL_ERROR))
		return HV_EXIT_ERROR;
	if (hv_prove_verdicts_count(v, HV_LEVEL_UNCHECKED))
		return HV_EXIT_INCOMPLETE;
	if (hv_prove_verdicts_count(v, HV_LEVEL_WARNING) || disagree)
		return HV_EXIT_WARNING;
	return HV_EXIT_OK;
}

static int report(bool json, const struct cli_globals *globals,
		  const struct hv_krb_prove *p, const struct hv_estate *est,
		  const char *label)
{
	struct hv_prove_verdicts v;
	struct hv_kb kb = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {globals->color, globals->width};
	struct directory_view dir = {{-1, -1, NULL, NULL}, NULL, NULL, NULL};
	size_t odd;
	int rc = cli_load_kb(globals, &kb);

	if (rc)
		return rc;
	if (est)
		view_directory(est, p, &dir);
	hv_krb_judge(p, est ? &dir.hints : NULL, &v);
	{
		struct hv_prove_view view = {p, &v, &kb, dir.expect, label};

		if (json)
			hv_render_prove_json(&out, &view);
		else
			hv_render_prove_text(&out, &view, &style);
		odd = hv_prove_disagreements(&view);
	}
	rc = cli_write_stdout(out.buf, out.len);
	if (odd)
		cli_error("prove: the KDC and %s DISAGREE on %zu ticket%s",
			  label, odd, odd == 1 ? "" : "s");
	if (rc == 0)
		rc = exit_for(&v, odd);
	free(dir.expect);
	free(dir.listed);
	free(dir.disabled);
	hv_strbuf_release(&out);
	hv_prove_verdicts_release(&v);
	hv_kb_release(&kb);
	return rc;
}

static int run_prove(const struct cli_args *args,
		     const struct cli_globals *globals)
{
	struct hv_krb_prove p = {0};
	struct cli_sources src = {0};
	struct hv_estate est;
	struct hv_error err;
	char **to = NULL;
	const char **fqdns = NULL;
	size_t n_to = 0, cap = 0;
	const char *v;
	bool have_est = false, json;
	int rc = 0;

	for (size_t pos = 0; (v = cli_next(args, OPT_TO, &pos));)
		split(v, &to, &n_to, &cap);
	for (size_t i = 0; i < args->n_positional; i++)
		split(args->positional[i], &to, &n_to, &cap);
	p.keytab = cli_value(args, OPT_KEYTAB);
	p.as = cli_value(args, OPT_AS);
	p.user = cli_value(args, OPT_IMPERSONATE);
	p.domain = cli_value(args, OPT_DOMAIN);
	json = cli_count(args, OPT_JSON) > 0;
	if (!n_to) {
		cli_error("prove: name the destinations with --to HOST");
		rc = HV_EXIT_INCOMPLETE;
	} else if (!p.keytab && (p.as || p.user)) {
		cli_error("prove: --as and --impersonate need --keytab");
		rc = HV_EXIT_INCOMPLETE;
	} else {
		rc = cli_user_needs_simple(args, "prove");
	}
	if (rc == 0 &&
	    (cli_count(args, SRC_LDIF) || cli_count(args, SRC_LDAP))) {
		rc = cli_sources_load(args, "prove", &src);
		if (rc == 0) {
			/* only to look accounts up and predict the KDC's
			 * answer: a selection that names no host is no
			 * error here */
			(void)hv_estate_build(&est, &src.dir, &src.sel, &err);
			have_est = true;
			fqdns = hv_calloc(n_to + 1, sizeof(*fqdns));
			for (size_t i = 0; i < n_to; i++) {
				long a = hv_estate_find(&est, to[i]);

				fqdns[i] = a >= 0 ? est.accounts[a].dns : NULL;
			}
		}
	}
	if (rc == 0 &&
	    hv_krb_prove_run(&p, (const char *const *)to,
			     (const char *const *)fqdns, n_to, &err)) {
		char msg[2048];

		hv_error_format(&err, msg, sizeof(msg));
		cli_error("prove: %s", msg);
		rc = HV_EXIT_INCOMPLETE;
	}
	if (rc == 0)
		rc = report(json, globals, &p, have_est ? &est : NULL,
			    src.label);
	hv_krb_prove_release(&p);
	for (size_t i = 0; i < n_to; i++)
		free(to[i]);
	free(to);
	free(fqdns);
	if (have_est)
		hv_estate_release(&est);
	cli_sources_release(&src);
	return rc;
}

const struct cli_command cmd_prove = {
	.name = "prove",
	.run = run_prove,
	.usage = "--to HOST... [--keytab FILE --as HOST$ --impersonate "
		 "USER]\n       [--ldap URI | --ldif FILE] [--json]",
	.summary = "ask the KDC for the tickets a live migration needs",
	.description =
		"Without --keytab (works on any Linux box after kinit): is\n"
		"your TGT forwardable (sensitive and Protected Users admins\n"
		"get none), and does the KDC issue a service ticket for the\n"
		"migration service and cifs SPNs of each destination, short\n"
		"name and FQDN (missing or duplicate SPNs, KDC reachable).\n"
		"With the source host's keytab: S4U2Self for USER\n"
		"(--impersonate), then\n"
		"S4U2Proxy to each SPN, as a remote-started move does; each\n"
		"refusal is mapped to what to change in AD. With --ldap or\n"
		"--ldif, says where the KDC and the directory disagree.\n"
		"Credentials stay in memory; tickets are never printed.",
	.options = prove_options,
	.groups = (const struct cli_option_group *const[]){&cli_source_group,
							   NULL},
};
