/* Commands whose files have not landed yet. */
#include "commands.h"

static int not_yet(const struct cli_args *args,
		   const struct cli_globals *globals)
{
	(void)args;
	(void)globals;
	cli_error("this command is not available in this build yet");
	return HV_EXIT_INCOMPLETE;
}

static const struct cli_option no_options[] = {{NULL, NULL, NULL, 0}};

const struct cli_command cmd_plan = {"plan", not_yet, "SOURCES",
				     "write the fix", "", no_options, NULL};
const struct cli_command cmd_apply = {"apply", not_yet, "--ldap URI --yes",
				      "apply the fix to AD", "", no_options, NULL};
