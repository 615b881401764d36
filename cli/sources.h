/* The directory sources and host selection shared by audit, plan and
 * apply (and in part by probe and prove): --ldif FILE…, --ldap URI with
 * its bind options, --hosts, --ou, --filter, --admin, --new-node,
 * --domains, --group-by. */
#ifndef HV_CLI_SOURCES_H
#define HV_CLI_SOURCES_H

#include "cli.h"
#include "sources/directory.h"
#include "estate/estate.h"
#include "sources/ldap_source.h"

enum {
	SRC_LDIF = 2000,
	SRC_LDAP,
	SRC_BIND,
	SRC_USER,
	SRC_PASSWORD_FILE,
	SRC_BASE,
	SRC_STARTTLS,
	SRC_CACERT,
	SRC_ALLOW_PLAINTEXT,
	SRC_HOSTS,
	SRC_OU,
	SRC_FILTER,
	SRC_ADMIN,
	SRC_NEW_NODE,
	SRC_DOMAINS,
	SRC_GROUP_BY,
	SRC_TIMEOUT,
};

/* Where the directory is read from: --ldif FILE, or --ldap URI with its
 * bind options and --ldap-timeout. */
extern const struct cli_option cli_source_options[];
/* Which hosts: --hosts, --ou, --filter, --admin, --new-node, --domains,
 * --group-by. Only for commands that use a selection. */
extern const struct cli_option cli_select_options[];
/* The rows as groups for a command's table: the source, the source
 * without --ldif (apply), and the selection. */
extern const struct cli_option_group cli_source_group;
extern const struct cli_option_group cli_ldap_group;
extern const struct cli_option_group cli_select_group;

/* What the sources loaded; release with cli_sources_release(). */
struct cli_sources {
	struct hv_directory dir;
	struct hv_selection sel;
	struct hv_ldap *ldap; /* kept open for apply; NULL for LDIF */
	char *label;	      /* "estate.ldif" or the URI, for reports */
};

/* Reads the directory and the selection from the options. Prints errors
 * (file:line, URI, AD's diagnostic) and returns HV_EXIT_INCOMPLETE. */
int cli_sources_load(const struct cli_args *args, const char *command,
		     struct cli_sources *out);
/* Refuses --user without --bind simple (it names nothing then); prints
 * why and returns HV_EXIT_INCOMPLETE. */
int cli_user_needs_simple(const struct cli_args *args, const char *command);
/* Opens the LDAP connection of --ldap and its bind options only. */
int cli_ldap_connect(const struct cli_args *args, const char *command,
		     struct hv_ldap **out);
void cli_sources_release(struct cli_sources *src);
/* Builds the estate from what the sources loaded (cli/load_estate.c).
 * Prints why and returns HV_EXIT_INCOMPLETE when the selection names a
 * DC or leaves no host, and, for a command that writes, when the input
 * lacks what a plan must read; est must be released either way. */
int cli_estate_build(struct hv_estate *est, const struct cli_sources *src,
		     const char *command, bool writes);

#endif
