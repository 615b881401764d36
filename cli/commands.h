/* The commands, one file each (cli/cmd_NAME.c). */
#ifndef HV_COMMANDS_H
#define HV_COMMANDS_H

#include "cli.h"
#include "base/strbuf.h"
#include "knowledge/kb.h"

extern const struct cli_command cmd_explain;
extern const struct cli_command cmd_audit;
extern const struct cli_command cmd_plan;
extern const struct cli_command cmd_apply;
extern const struct cli_command cmd_probe;
extern const struct cli_command cmd_prove;
extern const struct cli_command cmd_events;

/* Loads the knowledge base (built-in plus --kb); prints the error and
 * returns HV_EXIT_INCOMPLETE on failure. */
int cli_load_kb(const struct cli_globals *globals, struct hv_kb *kb);
/* Creates path (never over an existing file: an old backup or rollback
 * may be the only way back), mode 0600, writes text and syncs the file
 * and its directory. Returns 0, or -1 with errno set. */
int cli_write_new_file(const char *path, const struct hv_strbuf *text);
/* A new "PREFIX-YYYYmmdd-HHMMSS SUFFIX" file name; caller frees. */
char *cli_timestamped_name(const char *prefix, const char *suffix);
/* Prints "hvdoctor: COMMAND: warning: TEXT" to stderr, TEXT escaped for
 * the terminal (it may name values from AD: base/term.h). */
void cli_warning(const char *command, const char *text);
/* Refuses a positional argument the command does not take; a file named
 * like an export gets the hint that --ldif takes one file each. Returns
 * HV_EXIT_INCOMPLETE. */
int cli_unexpected_argument(const char *command, const char *arg);
/* Reads all of stdin into a new string (caller frees); NULL on error. */
char *cli_read_stdin(void);

#endif
