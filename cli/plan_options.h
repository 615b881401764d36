/* The plan options shared by `plan` and `apply`. */
#ifndef HV_CLI_PLAN_OPTIONS_H
#define HV_CLI_PLAN_OPTIONS_H

#include "cli.h"
#include "remedy/plan.h"

enum {
	PLAN_PROTOCOL = 3000,
	PLAN_SERVICES,
	PLAN_NAMES,
	PLAN_PRUNE,
};

/* Rows for a command's option table (NULL-terminated like the others). */
extern const struct cli_option cli_plan_option_rows[];
/* The same rows as a group ("what to fix"). */
extern const struct cli_option_group cli_plan_group;

/* Reads --protocol, --services, --names and --prune into out (defaults
 * first). Prints the error and returns HV_EXIT_INCOMPLETE on bad values. */
int cli_plan_options(const struct cli_args *args, const char *command,
		     struct hv_plan_options *out);

#endif
