#include "plan_options.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "estate/estate.h"
#include "sources.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct cli_option cli_plan_option_rows[] = {
	{"protocol", "any|kerberos",
	 "any (default): protocol transition, needed from Windows\n"
	 "Server 2016 on; kerberos: only where every host is older",
	 PLAN_PROTOCOL},
	{"services", "vsms,cifs",
	 "which delegation entries (default both:\n"
	 "live migration and storage moves)",
	 PLAN_SERVICES},
	{"names", "both|fqdn|short", "name forms of each entry (default both)",
	 PLAN_NAMES},
	{"prune", NULL,
	 "also remove delegation entries for hosts shown gone\n"
	 "(searched in the whole domain; from an LDIF only an\n"
	 "export shown complete, see README)",
	 PLAN_PRUNE},
	{"prune-name", "NAME",
	 "with --prune, also a name outside the domain's DNS\n"
	 "suffix, once shown gone; repeatable",
	 PLAN_PRUNE_NAME},
	{NULL, NULL, NULL, 0},
};

static int parse_services(const char *text, unsigned *out)
{
	*out = 0;
	while (*text) {
		size_t len = strcspn(text, ",");

		if (len == 4 && strncmp(text, "vsms", 4) == 0)
			*out |= HV_PLAN_VSMS;
		else if (len == 4 && strncmp(text, "cifs", 4) == 0)
			*out |= HV_PLAN_CIFS;
		else
			return -1;
		text += len;
		text += *text == ',';
	}
	return *out ? 0 : -1;
}

const struct cli_option_group cli_plan_group = {"what to fix",
						cli_plan_option_rows};

int cli_plan_options(const struct cli_args *args, const char *command,
		     struct hv_plan_options *out)
{
	const char *protocol = cli_value(args, PLAN_PROTOCOL);
	const char *services = cli_value(args, PLAN_SERVICES);
	const char *names = cli_value(args, PLAN_NAMES);

	*out = hv_plan_defaults();
	out->prune = cli_count(args, PLAN_PRUNE) > 0;
	if (cli_count(args, PLAN_PRUNE_NAME) && !out->prune) {
		cli_error("%s: --prune-name goes with --prune", command);
		return HV_EXIT_INCOMPLETE;
	}
	out->prune_names = hv_calloc(cli_count(args, PLAN_PRUNE_NAME) + 1,
				     sizeof(*out->prune_names));
	for (size_t i = 0; i < args->n_opts; i++)
		if (args->opts[i].id == PLAN_PRUNE_NAME)
			out->prune_names[out->n_prune_names++] =
				args->opts[i].value;
	if (protocol && strcmp(protocol, "kerberos") == 0)
		out->protocol = HV_PLAN_PROTOCOL_KERBEROS;
	else if (protocol && strcmp(protocol, "any") != 0) {
		cli_error("%s: --protocol takes any or kerberos", command);
		return HV_EXIT_INCOMPLETE;
	}
	if (services && parse_services(services, &out->services) < 0) {
		cli_error("%s: --services takes vsms, cifs or vsms,cifs",
			  command);
		return HV_EXIT_INCOMPLETE;
	}
	if (names && strcmp(names, "fqdn") == 0)
		out->names = HV_PLAN_NAMES_FQDN;
	else if (names && strcmp(names, "short") == 0)
		out->names = HV_PLAN_NAMES_SHORT;
	else if (names && strcmp(names, "both") != 0) {
		cli_error("%s: --names takes both, fqdn or short", command);
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}

void cli_plan_options_release(struct hv_plan_options *opts)
{
	free((void *)opts->prune_names); /* the names are argv's */
	opts->prune_names = NULL;
	opts->n_prune_names = 0;
}

/* RFC 4515 3: *, (, ), \ and NUL are written \XX in a filter value. */
static void filter_value(struct hv_strbuf *out, const char *v)
{
	for (; *v; v++)
		if (strchr("*()\\", *v))
			hv_strbuf_addf(out, "\\%02x", (unsigned char)*v);
		else
			hv_strbuf_addch(out, *v);
}

/* Every way an account answers to host: its sAMAccountName or RDN (the
 * first label), its dNSHostName, an extra DNS name (an alias added with
 * netdom computername), or an SPN naming it (MS-ADTS 3.1.1.5.3.1.1.2). */
static void absence_filter(struct hv_strbuf *f, const char *host)
{
	size_t label = strcspn(host, ".");
	struct hv_strbuf first = HV_STRBUF_INIT;

	hv_strbuf_add(&first, host, label);
	hv_strbuf_adds(f, "(|(sAMAccountName=");
	filter_value(f, first.buf);
	hv_strbuf_adds(f, "$)(cn=");
	filter_value(f, first.buf);
	hv_strbuf_adds(f, ")(dNSHostName=");
	filter_value(f, host);
	if (!host[label]) {
		hv_strbuf_adds(f, ".*)(msDS-AdditionalDnsHostName=");
		filter_value(f, host);
		hv_strbuf_adds(f, ".*");
	} else {
		hv_strbuf_adds(f, ")(msDS-AdditionalDnsHostName=");
		filter_value(f, host);
	}
	hv_strbuf_adds(f, ")(servicePrincipalName=*/");
	filter_value(f, host);
	hv_strbuf_adds(f, ")(servicePrincipalName=*/");
	filter_value(f, host);
	hv_strbuf_adds(f, ":*))");
	hv_strbuf_release(&first);
}

static enum hv_absence ldap_absent(void *ctx, const char *host,
				   struct hv_strbuf *proof)
{
	static const char *const attrs[] = {"cn", NULL};
	struct cli_prune *pr = ctx;
	struct hv_directory found = {0};
	struct hv_strbuf filter = HV_STRBUF_INIT;
	struct hv_error err;
	enum hv_absence rc = HV_NAME_ABSENT;
	char msg[512];

	absence_filter(&filter, host);
	if (hv_ldap_search(pr->ld, pr->domain_nc, HV_LDAP_SCOPE_SUBTREE,
			   filter.buf, attrs, &found, &err) < 0) {
		hv_error_format(&err, msg, sizeof(msg));
		hv_strbuf_addf(proof, "searching %s failed: %s", pr->label,
			       msg);
		rc = HV_NAME_UNKNOWN;
	} else if (found.n_entries) {
		rc = HV_NAME_PRESENT;
	} else {
		hv_strbuf_addf(proof,
			       "no account in %s (the whole domain %s) has it "
			       "as sAMAccountName, cn, dNSHostName, "
			       "msDS-AdditionalDnsHostName or SPN host",
			       pr->label, pr->domain_nc);
	}
	hv_directory_clear(&found);
	hv_strbuf_release(&filter);
	return rc;
}

/* An LDIF answers for the names of its own accounts and their SPNs. */
static bool answers_to(const struct hv_entry *e, const char *host)
{
	static const char *const names[] = {"sAMAccountName", "dNSHostName",
					    "servicePrincipalName"};
	size_t label = strcspn(host, ".");

	for (size_t n = 0; n < 3; n++) {
		const struct hv_attr *a = hv_entry_attr(e, names[n]);

		for (size_t v = 0; a && v < a->n_values; v++) {
			const char *s = a->values[v].data;
			const char *h = n == 2 ? strchr(s, '/') : NULL;

			if (n == 2 && !h)
				continue;
			if (n == 2 &&
			    strncasecmp(h + 1, host, strlen(host)) == 0 &&
			    strchr(":/", h[1 + strlen(host)]))
				return true;
			if (n == 0 && strncasecmp(s, host, label) == 0 &&
			    s[label] == '$' && !s[label + 1])
				return true;
			if (n == 1 && strcasecmp(s, host) == 0)
				return true;
		}
	}
	return false;
}

static enum hv_absence ldif_absent(void *ctx, const char *host,
				   struct hv_strbuf *proof)
{
	const struct cli_prune *pr = ctx;

	for (size_t i = 0; i < pr->dir->n_entries; i++)
		if (answers_to(&pr->dir->entries[i], host))
			return HV_NAME_PRESENT;
	hv_strbuf_addf(proof,
		       "no account in %s (an export shown complete) has it as "
		       "sAMAccountName, dNSHostName or SPN host",
		       pr->label);
	return HV_NAME_ABSENT;
}

/* An LDIF export is shown complete when it holds the domain's krbtgt
 * account (CN=Users: the base was the domain root, not an OU) and a
 * domain controller's computer account (the filter kept computers that
 * are not Hyper-V hosts), and every attribute a plan reads. A name it
 * lacks is then gone from the domain, as far as an export can tell. */
static const char *ldif_incomplete(const struct hv_estate *est)
{
	bool krbtgt = false, dc = false;

	for (size_t i = 0; i < est->n_accounts; i++) {
		const struct hv_account *acc = &est->accounts[i];

		krbtgt = krbtgt ||
			 (acc->sam && strcasecmp(acc->sam, "krbtgt") == 0);
		dc = dc || acc->is_dc;
	}
	if (!krbtgt)
		return "it lacks the krbtgt account, so its base was not the "
		       "domain root or its filter left users out";
	if (!dc)
		return "it lacks every domain controller's account, so its "
		       "filter left computers out";
	if (est->gaps)
		return "it lacks attributes a plan reads";
	return NULL;
}

int cli_plan_prune_source(struct hv_plan_options *out, struct cli_prune *ctx,
			  const struct cli_sources *src,
			  const struct hv_estate *est, const char *command)
{
	const char *why, *base;

	memset(ctx, 0, sizeof(*ctx));
	if (!out->prune)
		return 0;
	ctx->label = src->label;
	if (!src->ldap) {
		if ((why = ldif_incomplete(est)) != NULL) {
			cli_error(
				"%s: --prune refused: %s is not shown to be a "
				"complete export of the domain (%s); export "
				"the whole domain (see README, \"Exporting AD "
				"for an audit\") or use --ldap",
				command, src->label, why);
			return HV_EXIT_INCOMPLETE;
		}
		ctx->dir = &src->dir;
		out->absent = ldif_absent;
		out->absent_ctx = ctx;
		return 0;
	}
	/* the domain's own naming context, whatever --base narrowed: the
	 * DC= RDNs that end every DN of the domain (MS-ADTS 3.1.1.1.5) */
	ctx->ld = src->ldap;
	base = hv_ldap_base_dn(src->ldap);
	for (const char *p = base; p && *p; p++)
		if ((p == base || p[-1] == ',') &&
		    strncasecmp(p, "DC=", 3) == 0) {
			ctx->domain_nc = hv_strdup(p);
			break;
		}
	if (!ctx->domain_nc) {
		cli_error("%s: --prune refused: the domain's naming context "
			  "could not be read from %s, so nothing can be shown "
			  "gone",
			  command, src->label);
		return HV_EXIT_INCOMPLETE;
	}
	out->absent = ldap_absent;
	out->absent_ctx = ctx;
	return 0;
}

void cli_prune_release(struct cli_prune *ctx)
{
	free(ctx->domain_nc);
	memset(ctx, 0, sizeof(*ctx));
}
