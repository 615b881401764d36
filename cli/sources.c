#include "sources.h"
#include "commands.h"

#include "estate/domains_file.h"
#include "base/alloc.h"
#include "base/file.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "sources/ldif.h"
#include "secret.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* --ldif first: apply's group is the same rows without it (apply writes
 * to AD, so it reads AD, never a file). */
const struct cli_option cli_source_options[] = {
	{"ldif", "FILE",
	 "read an LDIF export (ldapsearch or ldifde); one file\n"
	 "each, repeatable: --ldif A --ldif B",
	 SRC_LDIF},
	{"ldap", "URI", "read AD over LDAP: ldap://dc or ldaps://dc", SRC_LDAP},
	{"bind", "HOW",
	 "gssapi (default: your Kerberos ticket, signed and "
	 "sealed) or simple (--user, password from "
	 "--password-file, HVDOCTOR_PASSWORD or a prompt)",
	 SRC_BIND},
	{"user", "NAME",
	 "simple bind name: DN, UPN or DOMAIN\\user (with --bind "
	 "simple)",
	 SRC_USER},
	{"password-file", "FILE", "read the simple-bind password from FILE",
	 SRC_PASSWORD_FILE},
	{"base", "DN", "search base (default: the naming context)", SRC_BASE},
	{"starttls", NULL, "use StartTLS on ldap://", SRC_STARTTLS},
	{"cacert", "FILE", "CA certificate(s) to verify the DC with",
	 SRC_CACERT},
	{"allow-plaintext", NULL,
	 "permit a simple bind without TLS "
	 "(sends the password in clear)",
	 SRC_ALLOW_PLAINTEXT},
	{"ldap-timeout", "TIME",
	 "limit for each LDAP network step: connect, TLS, bind, "
	 "each search page (default 30s; a bare number is "
	 "seconds, 1500ms also)",
	 SRC_TIMEOUT},
	{NULL, NULL, NULL, 0},
};

const struct cli_option cli_select_options[] = {
	{"hosts", "H1,H2,...",
	 "these hosts (short or FQDN, exact names), "
	 "one migration domain",
	 SRC_HOSTS},
	{"ou", "DN",
	 "the computers under this OU (each needs its own\n"
	 "delegation entry to another host, or --hosts)",
	 SRC_OU},
	{"filter", "FILTER",
	 "the computers an LDAP filter selects (with --ldap;\n"
	 "as --ou)",
	 SRC_FILTER},
	{"admin", "USER", "an account that starts migrations; repeatable",
	 SRC_ADMIN},
	{"new-node", "NAME",
	 "only what a node being added lacks, both ways,\n"
	 "with the hosts of its OU (or --hosts, --domains)",
	 SRC_NEW_NODE},
	{"domains", "FILE", "migration domains, one group of hosts a line",
	 SRC_DOMAINS},
	{"group-by", "ou", "one migration domain per OU", SRC_GROUP_BY},
	{NULL, NULL, NULL, 0},
};

const struct cli_option_group cli_source_group = {"directory source",
						  cli_source_options};
const struct cli_option_group cli_ldap_group = {"directory source",
						cli_source_options + 1};
const struct cli_option_group cli_select_group = {"host selection",
						  cli_select_options};

/* Progress goes to stderr, and only to a person watching a terminal:
 * scripts and CI logs get results and errors only. */
static void progress(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const char *command, const char *fmt, ...)
{
	struct hv_strbuf line = HV_STRBUF_INIT;
	va_list ap;

	if (!isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	hv_strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	/* wrapped to 80 columns like every message (a URI and a base DN
	 * make long lines) */
	cli_error("%s: %s", command, hv_strbuf_str(&line));
	hv_strbuf_release(&line);
}

static void report(const char *command, const struct hv_error *err)
{
	char msg[2048];
	char *safe;

	hv_error_format(err, msg, sizeof(msg));
	/* names a DN, a value or the server's own text */
	safe = hv_term_dup(msg);
	cli_error("%s: %s", command, safe);
	free(safe);
}

static void split_list(const char *text, char ***out, size_t *n)
{
	size_t cap = *n;

	while (*text) {
		size_t len = strcspn(text, ", ");

		if (len) {
			HV_GROW(*out, *n, cap);
			(*out)[(*n)++] = hv_strndup(text, len);
		}
		text += len;
		text += strspn(text, ", ");
	}
}

/* The --domains file: small, but a directory or a read error must be
 * said as such, and a file over the limit refused, never cut. */
#define DOMAINS_MAX_FILE (64u << 20)

static int load_selection(const struct cli_args *args, const char *command,
			  struct hv_selection *sel)
{
	const char *group_by, *domains, *v;

	/* prove reads the directory only to look accounts up */
	if (!cli_takes(args, SRC_HOSTS))
		return 0;
	group_by = cli_value(args, SRC_GROUP_BY);
	domains = cli_value(args, SRC_DOMAINS);
	for (size_t pos = 0; (v = cli_next(args, SRC_HOSTS, &pos));) {
		if (!sel->hosts)
			sel->hosts = hv_calloc(1, sizeof(char *));
		split_list(v, &sel->hosts, &sel->n_hosts);
	}
	for (size_t pos = 0; (v = cli_next(args, SRC_ADMIN, &pos));)
		split_list(v, &sel->admins, &sel->n_admins);
	sel->ou = cli_value(args, SRC_OU);
	sel->new_node = cli_value(args, SRC_NEW_NODE);
	if (group_by && strcmp(group_by, "ou") != 0) {
		cli_error("%s: --group-by takes 'ou'", command);
		return HV_EXIT_INCOMPLETE;
	}
	sel->grouping = group_by ? HV_GROUP_OU : HV_GROUP_AUTO;
	if (domains) {
		struct hv_strbuf text = HV_STRBUF_INIT;
		struct hv_error err;
		int rc = 0;

		if (hv_file_read(domains, DOMAINS_MAX_FILE, "the domains file",
				 &text, &err) < 0 ||
		    hv_domains_parse(domains, hv_strbuf_str(&text), text.len,
				     sel, &err) < 0) {
			report(command, &err);
			rc = HV_EXIT_INCOMPLETE;
		}
		hv_strbuf_release(&text);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_ldif(const struct cli_args *args, const char *command,
		     struct cli_sources *out)
{
	struct hv_strbuf label = HV_STRBUF_INIT;
	const char *file;
	int rc = 0;

	for (size_t pos = 0;
	     rc == 0 && (file = cli_next(args, SRC_LDIF, &pos));) {
		struct hv_ldif_errors errs;

		hv_ldif_errors_clear(&errs);
		if (hv_ldif_read_file_errors(file, &out->dir, &errs) < 0) {
			for (size_t e = 0; e < errs.n_listed; e++)
				report(command, &errs.list[e]);
			if (errs.n_total > errs.n_listed)
				cli_error("%s: … and %zu more errors", command,
					  errs.n_total - errs.n_listed);
			rc = HV_EXIT_INCOMPLETE;
		}
		hv_strbuf_addf(&label, "%s%s", label.len ? ", " : "", file);
		progress(command, "read %s (%zu entries so far)", file,
			 out->dir.n_entries);
	}
	out->label = hv_strbuf_detach(&label);
	return rc;
}

/* --ldap-timeout: seconds when bare, or with a unit, "30s" or "1500ms";
 * from 1 s to an hour. */
static int parse_timeout(const char *text, int *out_ms)
{
	unsigned ms;

	*out_ms = 0;
	if (!text)
		return 0;
	if (cli_duration_ms(text, 1000, 3600000, &ms) < 0)
		return -1;
	*out_ms = (int)ms;
	return 0;
}

static int bind_options(const struct cli_args *args, const char *command,
			struct hv_ldap_options *opts, char **out_password)
{
	const char *bind = cli_value(args, SRC_BIND);
	struct hv_error err;

	memset(opts, 0, sizeof(*opts));
	opts->uri = cli_value(args, SRC_LDAP);
	opts->base = cli_value(args, SRC_BASE);
	opts->cacert = cli_value(args, SRC_CACERT);
	opts->starttls = cli_count(args, SRC_STARTTLS) > 0;
	opts->allow_plaintext = cli_count(args, SRC_ALLOW_PLAINTEXT) > 0;
	opts->user = cli_value(args, SRC_USER);
	*out_password = NULL;
	if (parse_timeout(cli_value(args, SRC_TIMEOUT), &opts->timeout_ms) <
	    0) {
		cli_error("%s: --ldap-timeout takes a time from 1s to 3600s "
			  "(30, 30s or 1500ms), not '%s'",
			  command, cli_value(args, SRC_TIMEOUT));
		return HV_EXIT_INCOMPLETE;
	}
	if (!bind || strcmp(bind, "gssapi") == 0) {
		opts->bind = HV_LDAP_BIND_GSSAPI;
		return cli_user_needs_simple(args, command);
	}
	if (strcmp(bind, "simple") != 0) {
		cli_error("%s: --bind takes gssapi or simple, not '%s'",
			  command, bind);
		return HV_EXIT_INCOMPLETE;
	}
	opts->bind = HV_LDAP_BIND_SIMPLE;
	if (!opts->user) {
		cli_error("%s: --bind simple needs --user", command);
		return HV_EXIT_INCOMPLETE;
	}
	/* refuse before asking for a password that would go out in clear */
	if (!opts->allow_plaintext && !opts->starttls &&
	    strncmp(opts->uri, "ldaps://", 8) != 0) {
		cli_error("%s: a simple bind over plain LDAP sends the "
			  "password in clear; use ldaps://, --starttls, or "
			  "--allow-plaintext",
			  command);
		return HV_EXIT_INCOMPLETE;
	}
	if (hv_secret_read(cli_value(args, SRC_PASSWORD_FILE), out_password,
			   &err) < 0) {
		report(command, &err);
		return HV_EXIT_INCOMPLETE;
	}
	opts->password = *out_password;
	return 0;
}

int cli_user_needs_simple(const struct cli_args *args, const char *command)
{
	const char *bind = cli_value(args, SRC_BIND);

	if (!cli_value(args, SRC_USER) || (bind && strcmp(bind, "simple") == 0))
		return 0;
	/* a GSSAPI bind is your ticket's principal: a --user there would
	 * be silently ignored */
	cli_error("%s: --user is the simple-bind name and goes with --bind "
		  "simple%s",
		  command,
		  strcmp(command, "prove") == 0
			  ? "; the user S4U2Self asks a ticket for is "
			    "--impersonate USER"
			  : "");
	return HV_EXIT_INCOMPLETE;
}

int cli_ldap_connect(const struct cli_args *args, const char *command,
		     struct hv_ldap **out)
{
	struct hv_ldap_options opts;
	struct hv_error err;
	char *password = NULL;
	int rc = bind_options(args, command, &opts, &password);

	if (rc == 0)
		progress(command,
			 "connecting to %s (TLS if asked, then the bind; "
			 "up to %d s a step)…",
			 opts.uri,
			 opts.timeout_ms ? opts.timeout_ms / 1000 : 30);
	if (rc == 0 && hv_ldap_open(&opts, out, &err) < 0) {
		report(command, &err);
		rc = HV_EXIT_INCOMPLETE;
	}
	hv_free_secret(password);
	return rc;
}

/* --filter picks hosts on the server; each entry found is one candidate,
 * by its whole sAMAccountName (unique in a domain, and chosen by whoever
 * created the computer: it is never split like a --hosts list, or
 * "FX HV07$" would pull HV07 in). Candidates are vouched for as --ou's
 * are: a filter matches names anyone may choose. */
static int hosts_by_filter(struct hv_ldap *ld, const char *filter,
			   const char *command, struct hv_selection *sel)
{
	static const char *const attrs[] = {"sAMAccountName", NULL};
	struct hv_directory found = {0};
	struct hv_strbuf f = HV_STRBUF_INIT;
	struct hv_error err;
	size_t cap;
	int rc = 0;

	hv_strbuf_addf(&f, "(&(objectClass=computer)%s)", filter);
	if (hv_ldap_search(ld, NULL, HV_LDAP_SCOPE_SUBTREE, f.buf, attrs,
			   &found, &err) < 0) {
		report(command, &err);
		rc = HV_EXIT_INCOMPLETE;
	}
	if (!sel->found)
		sel->found = hv_calloc(1, sizeof(char *));
	cap = sel->n_found;
	for (size_t i = 0; rc == 0 && i < found.n_entries; i++) {
		const char *sam =
			hv_entry_first(&found.entries[i], "sAMAccountName");

		if (sam && sam[0]) {
			HV_GROW(sel->found, sel->n_found, cap);
			sel->found[sel->n_found++] = hv_strdup(sam);
		}
	}
	hv_strbuf_release(&f);
	hv_directory_clear(&found);
	return rc;
}

static int load_ldap(const struct cli_args *args, const char *command,
		     struct cli_sources *out)
{
	struct hv_error err;
	const char *filter = cli_value(args, SRC_FILTER);
	char *base;
	int rc = cli_ldap_connect(args, command, &out->ldap);

	if (rc)
		return rc;
	out->label = hv_strdup(hv_ldap_uri(out->ldap));
	base = hv_term_dup(hv_ldap_base_dn(out->ldap)); /* the server's */
	progress(command, "reading accounts from %s (base %s)…", out->label,
		 base);
	free(base);
	if (hv_ldap_search(out->ldap, NULL, HV_LDAP_SCOPE_SUBTREE,
			   hv_estate_filter, hv_estate_fetch_attributes,
			   &out->dir, &err) < 0) {
		report(command, &err);
		return HV_EXIT_INCOMPLETE;
	}
	out->dir.requested = hv_estate_attributes;
	progress(command, "read %zu accounts", out->dir.n_entries);
	if (filter)
		rc = hosts_by_filter(out->ldap, filter, command, &out->sel);
	return rc;
}

int cli_sources_load(const struct cli_args *args, const char *command,
		     struct cli_sources *out)
{
	bool ldif = cli_count(args, SRC_LDIF) > 0;
	bool ldap = cli_count(args, SRC_LDAP) > 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ldif == ldap) {
		cli_error("%s: give one source: --ldap URI or --ldif FILE",
			  command);
		return HV_EXIT_INCOMPLETE;
	}
	if (ldif && cli_count(args, SRC_FILTER)) {
		cli_error("%s: --filter needs --ldap; with --ldif use --hosts "
			  "or --ou",
			  command);
		return HV_EXIT_INCOMPLETE;
	}
	rc = load_selection(args, command, &out->sel);
	if (rc == 0)
		rc = ldif ? load_ldif(args, command, out)
			  : load_ldap(args, command, out);
	return rc;
}

void cli_sources_release(struct cli_sources *src)
{
	hv_directory_clear(&src->dir);
	hv_selection_release(&src->sel);
	hv_ldap_close(src->ldap);
	free(src->label);
	memset(src, 0, sizeof(*src));
}
