/* The plan options shared by `plan` and `apply`. */
#ifndef HV_CLI_PLAN_OPTIONS_H
#define HV_CLI_PLAN_OPTIONS_H

#include "cli.h"
#include "remedy/plan.h"
#include "sources/ldap_source.h"

enum {
	PLAN_PROTOCOL = 3000,
	PLAN_SERVICES,
	PLAN_NAMES,
	PLAN_PRUNE,
	PLAN_PRUNE_NAME,
};

struct cli_sources;
struct hv_estate;

/* Where --prune looks for proof that a name is gone: over LDAP the whole
 * domain (its naming context, subtree), from an LDIF the export itself
 * once it is shown complete. */
struct cli_prune {
	struct hv_ldap *ld;		/* borrowed; NULL for an LDIF */
	char *domain_nc;		/* the domain NC searched, owned */
	const struct hv_directory *dir; /* the LDIF read, borrowed */
	const char *label;		/* the source, for proofs */
};

/* Rows for a command's option table (NULL-terminated like the others). */
extern const struct cli_option cli_plan_option_rows[];
/* The same rows as a group ("what to fix"). */
extern const struct cli_option_group cli_plan_group;

/* Reads --protocol, --services, --names, --prune and --prune-name into
 * out (defaults first). Prints the error and returns HV_EXIT_INCOMPLETE
 * on bad values. Release with cli_plan_options_release(). */
int cli_plan_options(const struct cli_args *args, const char *command,
		     struct hv_plan_options *out);
/* With --prune: sets out's proof of absence from the sources (ctx holds
 * what it needs; release with cli_prune_release). From an LDIF that is
 * not shown complete, prints why and returns HV_EXIT_INCOMPLETE. */
int cli_plan_prune_source(struct hv_plan_options *out, struct cli_prune *ctx,
			  const struct cli_sources *src,
			  const struct hv_estate *est, const char *command);
void cli_prune_release(struct cli_prune *ctx);
void cli_plan_options_release(struct hv_plan_options *opts);

#endif
