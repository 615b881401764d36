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

const struct cli_command cmd_apply = {
	.name = "apply",
	.run = not_yet,
	.usage = "--ldap URI --yes",
	.summary = "apply the fix to AD",
	.description = "",
	.options = no_options,
};
