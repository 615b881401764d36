#include "commands.h"
static int run_prove(const struct cli_args *args, const struct cli_globals *g)
{
	(void)args;
	(void)g;
	return HV_EXIT_INCOMPLETE;
}
static const struct cli_option prove_options[] = {{NULL, NULL, NULL, 0}};
const struct cli_command cmd_prove = {
	.name = "prove", .run = run_prove, .usage = "", .summary = "",
	.description = "", .options = prove_options,
};
