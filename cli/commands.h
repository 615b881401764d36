/* The commands, one file each (cli/cmd_NAME.c). */
#ifndef HV_COMMANDS_H
#define HV_COMMANDS_H

#include "cli.h"
#include "kb.h"

extern const struct cli_command cmd_explain;
extern const struct cli_command cmd_audit;
extern const struct cli_command cmd_plan;
extern const struct cli_command cmd_apply;

/* Loads the knowledge base (built-in plus --kb); prints the error and
 * returns HV_EXIT_INCOMPLETE on failure. */
int cli_load_kb(const struct cli_globals *globals, struct hv_kb *kb);
/* Reads all of stdin into a new string (caller frees); NULL on error. */
char *cli_read_stdin(void);

#endif
